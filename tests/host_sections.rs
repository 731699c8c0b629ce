//! CIS Docker sections 1 (host configuration) and 3 (daemon configuration files) over host roots
//! built in temporary directories, read through `--root` exactly as a mounted host would be.
//!
//! The fixture is a Debian-style Docker host laid out by hand: unit files in /lib/systemd/system
//! as Debian's docker.io package installs them, dockerd started by systemd with `-H fd://`,
//! docker.socket with `ListenStream=/run/docker.sock`, `SocketMode=0660`, `SocketGroup=docker`
//! (the packaged unit's values), real unix sockets, /proc/<pid>/cmdline snapshots, and a
//! /proc/1/mountinfo in the kernel's format. Owners need root (chown); without it the owner
//! assertions are skipped with a message.

use std::os::unix::fs::{PermissionsExt, symlink};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};

use threatbench::checks::{self, Selection, Verdict};
use threatbench::collect::{CollectOptions, collect};
use threatbench::facts::{Facts, Observed};

const DOCKER_GID: u32 = 998;

/// Mount table with /var/lib/docker on its own disk.
const MOUNTS_SEPARATE: &str = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
31 22 0:25 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=812k,mode=755
30 22 8:17 / /var/lib/docker rw,relatime shared:20 - xfs /dev/sdb1 rw,attr2,inode64
";

/// Mount table where /var/lib/docker is on / and dockerd bind-mounted it onto itself.
const MOUNTS_BIND_SELF: &str = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
31 22 0:25 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=812k,mode=755
35 22 8:1 /var/lib/docker /var/lib/docker rw,relatime - ext4 /dev/sda1 rw,errors=remount-ro
";

const AUDIT_RULES: &str = "\
## Docker (CIS Docker Benchmark 1.1.x)
-w /usr/bin/dockerd -k docker
-w /run/containerd -k docker
-w /var/lib/docker -k docker
-w /etc/docker -k docker
-w /lib/systemd/system/docker.service -k docker
-a always,exit -F path=/run/containerd/containerd.sock -F perm=rwxa -k docker
-a exit,always -F path=/lib/systemd/system/docker.socket -F perm=wa -F key=docker
-w /etc/default/docker -k docker
-w /etc/containerd/config.toml -k docker
-w /usr/bin/containerd -p rwxa -k docker
-w /usr/bin/containerd-shim-runc-v2 -k docker
-w /usr/bin/runc -k docker
";

struct Root {
    dir: tempfile::TempDir,
}

impl Root {
    /// A compliant host: every section 1 and 3 item passes or is skipped for a reason.
    fn good() -> Root {
        let root = Root {
            dir: tempfile::tempdir().unwrap(),
        };
        root.write(
            "etc/passwd",
            "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n",
            0o644,
        );
        root.write(
            "etc/group",
            &format!("root:x:0:\nalice:x:1000:\ndocker:x:{DOCKER_GID}:alice\n"),
            0o644,
        );
        root.write(
            "etc/nsswitch.conf",
            "passwd: files\ngroup: files systemd\n",
            0o644,
        );
        root.write(
            "etc/os-release",
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n",
            0o644,
        );
        root.write(
            "proc/version",
            "Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org) #1 SMP\n",
            0o444,
        );
        // Masked units link to /dev/null; a copied root may lack /dev, so give it a stand-in.
        root.write("dev/null", "", 0o666);
        root.mkdir("etc/docker", 0o755);
        root.write("etc/docker/daemon.json", "{\"icc\": false}\n", 0o644);
        root.write("etc/default/docker", "#DOCKER_OPTS=\"\"\n", 0o644);
        root.mkdir("etc/docker/certs.d/registry.example:5000", 0o755);
        root.write(
            "etc/docker/certs.d/registry.example:5000/ca.crt",
            "x",
            0o444,
        );
        root.write(
            "etc/docker/certs.d/registry.example:5000/client.cert",
            "x",
            0o444,
        );
        root.write(
            "etc/docker/certs.d/registry.example:5000/client.key",
            "x",
            0o400,
        );
        root.write(
            "lib/systemd/system/docker.service",
            "[Service]\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\n",
            0o644,
        );
        root.write(
            "lib/systemd/system/docker.socket",
            "[Socket]\nListenStream=/run/docker.sock\nSocketMode=0660\nSocketUser=root\nSocketGroup=docker\n",
            0o644,
        );
        root.write(
            "lib/systemd/system/containerd.service",
            "[Service]\n",
            0o644,
        );
        root.mkdir("etc/systemd/system/multi-user.target.wants", 0o755);
        symlink(
            "/lib/systemd/system/auditd.service",
            root.path("etc/systemd/system/multi-user.target.wants/auditd.service"),
        )
        .unwrap();
        root.write("lib/systemd/system/auditd.service", "[Service]\n", 0o644);
        for bin in [
            "usr/bin/dockerd",
            "usr/bin/containerd",
            "usr/bin/containerd-shim-runc-v2",
            "usr/bin/runc",
            "sbin/auditd",
        ] {
            root.write(bin, "\x7fELF", 0o755);
        }
        root.write("etc/containerd/config.toml", "version = 2\n", 0o644);
        root.mkdir("etc/audit/rules.d", 0o750);
        root.write("etc/audit/rules.d/docker.rules", AUDIT_RULES, 0o640);
        root.write("etc/audit/audit.rules", AUDIT_RULES, 0o640);
        root.mkdir("var/lib/docker", 0o710);
        root.mkdir("run/containerd", 0o711);
        symlink("/run", root.path("var/run")).unwrap();
        root.socket("run/docker.sock", 0o660, DOCKER_GID);
        root.socket("run/containerd/containerd.sock", 0o660, 0);
        root.process(
            812,
            &[
                "/usr/bin/dockerd",
                "-H",
                "fd://",
                "--containerd=/run/containerd/containerd.sock",
            ],
        );
        root.process(640, &["/usr/bin/containerd"]);
        root.process(310, &["/sbin/auditd"]);
        root.write("proc/1/mountinfo", MOUNTS_SEPARATE, 0o444);
        root.write("proc/812/mountinfo", MOUNTS_SEPARATE, 0o444);
        root
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, text: &str, mode: u32) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        chmod(&p, mode);
    }

    fn mkdir(&self, rel: &str, mode: u32) {
        let p = self.path(rel);
        std::fs::create_dir_all(&p).unwrap();
        chmod(&p, mode);
    }

    fn remove(&self, rel: &str) {
        let p = self.path(rel);
        if p.is_dir() {
            std::fs::remove_dir_all(p).unwrap();
        } else {
            std::fs::remove_file(p).unwrap();
        }
    }

    /// A real unix socket (the listener is dropped; the socket file stays).
    fn socket(&self, rel: &str, mode: u32, gid: u32) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        drop(UnixListener::bind(&p).unwrap());
        chmod(&p, mode);
        let _ = std::os::unix::fs::chown(&p, Some(0), Some(gid));
    }

    fn process(&self, pid: u32, argv: &[&str]) {
        let mut raw = argv.join("\0");
        raw.push('\0');
        self.write(&format!("proc/{pid}/cmdline"), &raw, 0o444);
    }

    /// Change the owner; `false` (and a message) when this process may not.
    fn chown(&self, rel: &str, uid: u32, gid: u32) -> bool {
        match std::os::unix::fs::chown(self.path(rel), Some(uid), Some(gid)) {
            Ok(()) => true,
            Err(e) => {
                eprintln!("skipping owner assertion: chown {rel}: {e} (needs root)");
                false
            }
        }
    }

    fn facts(&self) -> Facts {
        facts_of(self.dir.path())
    }

    /// Verdict and evidence of one check by slug.
    fn check(&self, slug: &str) -> (Verdict, String) {
        verdict_of(&self.facts(), slug)
    }
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn facts_of(root: &Path) -> Facts {
    let opts = CollectOptions {
        root: root.to_path_buf(),
        docker_host: None,
        all_containers: false,
        no_docker: true,
        deep: None,
        ..Default::default()
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(collect(&opts))
}

fn verdict_of(facts: &Facts, slug: &str) -> (Verdict, String) {
    let sel = Selection {
        select: vec![slug.into()],
        ..Default::default()
    };
    let results = checks::run(facts, &sel);
    assert_eq!(results.len(), 1, "{slug} selects one check");
    let o = &results[0].outcome;
    let objects: Vec<String> = o
        .objects
        .iter()
        .map(|x| format!("[{} {}: {}]", x.name, x.verdict.as_str(), x.evidence))
        .collect();
    (o.verdict, format!("{} {}", o.evidence, objects.join(" ")))
}

fn sections_1_and_3() -> Selection {
    Selection {
        select: vec!["1".into(), "3".into()],
        ..Default::default()
    }
}

#[track_caller]
fn expect(root: &Root, slug: &str, want: Verdict, evidence_has: &str) {
    let (v, ev) = root.check(slug);
    assert_eq!(v, want, "{slug}: {ev}");
    assert!(
        ev.contains(evidence_has),
        "{slug}: {ev:?} lacks {evidence_has:?}"
    );
}

#[test]
fn compliant_host_passes_sections_1_and_3() {
    let root = Root::good();
    let owners_ok = root.chown("run/docker.sock", 0, DOCKER_GID);
    let facts = root.facts();
    let results = checks::run(&facts, &sections_1_and_3());
    assert_eq!(results.len(), 44);
    for r in &results {
        let expected = match r.check.slug {
            // Review items and a group with a member.
            "host-docker-group-trusted-users" | "host-hardened" => Verdict::Warn,
            // Needs the Docker API, which a --root scan does not query.
            "host-docker-up-to-date" => Verdict::Error,
            // Not on this host: no TLS, no legacy shims, no RHEL sysconfig file.
            s if s.starts_with("file-tls-")
                || s.contains("sysconfig")
                || s == "audit-rule-containerd-shim"
                || s == "audit-rule-containerd-shim-runc-v1" =>
            {
                Verdict::Skip
            }
            s if s.ends_with("-owner") && !owners_ok => continue,
            _ => Verdict::Pass,
        };
        assert_eq!(
            r.outcome.verdict,
            expected,
            "{} {}: {}",
            r.check.id(),
            r.check.slug,
            r.outcome.evidence
        );
    }
    expect(
        &root,
        "host-docker-group-trusted-users",
        Verdict::Warn,
        "alice",
    );
    expect(&root, "host-hardened", Verdict::Warn, "Debian GNU/Linux 12");
    expect(&root, "host-hardened", Verdict::Warn, "6.1.0-28-amd64");
    expect(
        &root,
        "host-docker-up-to-date",
        Verdict::Error,
        "--root scan",
    );
    expect(
        &root,
        "file-tls-server-key-mode",
        Verdict::Skip,
        "TLS is not enabled",
    );
    expect(
        &root,
        "file-etc-sysconfig-docker-mode",
        Verdict::Skip,
        "/etc/sysconfig/docker does not exist",
    );
    expect(
        &root,
        "audit-rule-containerd-shim",
        Verdict::Skip,
        "/usr/bin/containerd-shim does not exist",
    );
    // The unit was found by the search path, and the socket through docker.socket's ListenStream.
    expect(
        &root,
        "file-docker-service-mode",
        Verdict::Pass,
        "/lib/systemd/system/docker.service",
    );
    expect(
        &root,
        "file-docker-sock-mode",
        Verdict::Pass,
        "ListenStream of /lib/systemd/system/docker.socket",
    );
    // Registry certificates: every file, not only *.crt.
    let (_, ev) = root.check("file-registry-certs-mode");
    for f in ["ca.crt", "client.cert", "client.key"] {
        assert!(ev.contains(f), "{ev}");
    }
}

#[test]
fn data_root_partition_is_decided_from_mountinfo() {
    let root = Root::good();
    expect(
        &root,
        "host-docker-partition",
        Verdict::Pass,
        "xfs /dev/sdb1",
    );
    // docker-bench's false pass: `mountpoint` says yes to dockerd's bind mount of its root.
    root.write("proc/812/mountinfo", MOUNTS_BIND_SELF, 0o444);
    root.write("proc/1/mountinfo", MOUNTS_BIND_SELF, 0o444);
    expect(
        &root,
        "host-docker-partition",
        Verdict::Fail,
        "bind mount of /var/lib/docker",
    );
    // A bind mount from another disk is a separate partition, and the evidence says which.
    root.write(
        "proc/812/mountinfo",
        &format!(
            "{MOUNTS_SEPARATE}\
40 22 8:33 / /srv rw - ext4 /dev/sdc1 rw
41 22 8:33 /docker /var/lib/docker rw - ext4 /dev/sdc1 rw
"
        ),
        0o444,
    );
    expect(
        &root,
        "host-docker-partition",
        Verdict::Pass,
        "subtree /docker of the file system mounted at /srv",
    );
    // data-root from daemon.json when the API is not available.
    root.write(
        "etc/docker/daemon.json",
        "{\"data-root\": \"/srv/docker\"}\n",
        0o644,
    );
    root.mkdir("srv/docker", 0o710);
    root.write("proc/812/mountinfo", MOUNTS_SEPARATE, 0o444);
    expect(
        &root,
        "host-docker-partition",
        Verdict::Fail,
        "/srv/docker (data-root from /etc/docker/daemon.json) is on the root file system",
    );
    // No mount table at all: error, never a guess.
    root.remove("proc/812/mountinfo");
    root.remove("proc/1/mountinfo");
    expect(
        &root,
        "host-docker-partition",
        Verdict::Error,
        "mount table unavailable",
    );
}

#[test]
fn audit_rules_count_only_when_auditd_loads_them() {
    let root = Root::good();
    expect(
        &root,
        "audit-rule-dockerd",
        Verdict::Pass,
        "`-w /usr/bin/dockerd -k docker`",
    );
    expect(
        &root,
        "audit-rule-docker-socket",
        Verdict::Pass,
        "exit,always",
    );
    expect(
        &root,
        "audit-rule-containerd-sock",
        Verdict::Pass,
        // A directory watch covers its subtree, and it comes before the -F path= rule.
        "`-w /run/containerd -k docker`",
    );
    // A rule only in a comment is no rule.
    root.write(
        "etc/audit/rules.d/docker.rules",
        &AUDIT_RULES.replace("-w /etc/docker -k docker", "# -w /etc/docker -k docker"),
        0o640,
    );
    root.write(
        "etc/audit/audit.rules",
        &AUDIT_RULES.replace("-w /etc/docker -k docker", "#-w /etc/docker -k docker"),
        0o640,
    );
    expect(
        &root,
        "audit-rule-etc-docker",
        Verdict::Fail,
        "no audit rule covers /etc/docker",
    );
    // A rule auditctl would reject is no rule either, and the evidence says why.
    root.write(
        "etc/audit/audit.rules",
        "-w /etc/docker -k docker # trailing comments are not allowed\n",
        0o640,
    );
    expect(
        &root,
        "audit-rule-etc-docker",
        Verdict::Fail,
        "auditctl rejects that line",
    );
    // A `never` rule first suppresses the watch.
    root.write(
        "etc/audit/rules.d/00-exclude.rules",
        "-a never,exit -F dir=/var/lib/docker\n",
        0o640,
    );
    root.write("etc/audit/audit.rules", "", 0o640);
    expect(
        &root,
        "audit-rule-var-lib-docker",
        Verdict::Fail,
        "suppresses",
    );
    // Stale rules with no auditd: fail, never pass.
    root.remove("proc/310");
    root.remove("sbin/auditd");
    expect(
        &root,
        "audit-rule-dockerd",
        Verdict::Fail,
        "auditd is not installed",
    );
    expect(
        &root,
        "audit-rule-dockerd",
        Verdict::Fail,
        "nothing loads it",
    );
    // Installed but not running: nothing is in force.
    root.write("sbin/auditd", "\x7fELF", 0o755);
    expect(
        &root,
        "audit-rule-dockerd",
        Verdict::Fail,
        "installed (/sbin/auditd) but not running",
    );
}

#[test]
fn loaded_rules_from_auditctl_win_over_files() {
    let root = Root::good();
    let mut facts = root.facts();
    facts.host.audit_rules_loaded = Some(Observed::Seen(
        "-w /usr/bin/dockerd -p rwxa -k docker\n-w /usr/bin/runc -p x -k docker\n".into(),
    ));
    let (v, ev) = verdict_of(&facts, "audit-rule-dockerd");
    assert_eq!(v, Verdict::Pass, "{ev}");
    assert!(ev.contains("auditctl -l"), "{ev}");
    let (v, ev) = verdict_of(&facts, "audit-rule-etc-docker");
    assert_eq!(v, Verdict::Fail, "{ev}");
    assert!(ev.contains("it is not loaded"), "{ev}");
    let (v, ev) = verdict_of(&facts, "audit-rule-runc");
    assert_eq!(v, Verdict::Fail, "{ev}");
    assert!(ev.contains("records only `x`"), "{ev}");
    // The loaded rules survive a facts bundle.
    let bundle: Facts = serde_json::from_str(&serde_json::to_string(&facts).unwrap()).unwrap();
    assert_eq!(
        verdict_of(&bundle, "audit-rule-runc"),
        verdict_of(&facts, "audit-rule-runc")
    );
}

#[test]
fn modes_are_bit_masks_not_numbers() {
    let root = Root::good();
    root.write("etc/docker/daemon.json", "{}", 0o642);
    expect(
        &root,
        "file-daemon-json-mode",
        Verdict::Fail,
        "others write",
    );
    root.write("etc/docker/daemon.json", "{}", 0o600);
    expect(&root, "file-daemon-json-mode", Verdict::Pass, "0600");
    chmod(&root.path("etc/docker"), 0o753);
    expect(&root, "file-etc-docker-mode", Verdict::Fail, "0753");
    chmod(&root.path("etc/docker"), 0o755);
    chmod(&root.path("run/docker.sock"), 0o606);
    expect(&root, "file-docker-sock-mode", Verdict::Fail, "0606");
    chmod(&root.path("run/containerd/containerd.sock"), 0o606);
    expect(
        &root,
        "file-containerd-sock-mode",
        Verdict::Fail,
        "others read, others write",
    );
    root.write(
        "etc/docker/certs.d/registry.example:5000/client.key",
        "x",
        0o644,
    );
    let (v, ev) = root.check("file-registry-certs-mode");
    assert_eq!(v, Verdict::Fail, "{ev}");
    assert!(ev.contains("1 of 3 files fail"), "{ev}");
}

#[test]
fn tls_key_mode_accepts_0400_and_rejects_0600() {
    let root = Root::good();
    root.mkdir("etc/docker/tls", 0o755);
    root.write("etc/docker/tls/ca.pem", "x", 0o444);
    root.write("etc/docker/tls/server.pem", "x", 0o444);
    root.write("etc/docker/tls/server-key.pem", "x", 0o400);
    root.write(
        "etc/docker/daemon.json",
        r#"{"tlsverify": true, "tlscacert": "/etc/docker/tls/ca.pem", "tlscert": "/etc/docker/tls/server.pem", "tlskey": "/etc/docker/tls/server-key.pem"}"#,
        0o644,
    );
    expect(
        &root,
        "file-tls-server-key-mode",
        Verdict::Pass,
        "/etc/docker/tls/server-key.pem",
    );
    expect(
        &root,
        "file-tls-ca-cert-mode",
        Verdict::Pass,
        "tlscacert=/etc/docker/tls/ca.pem",
    );
    chmod(&root.path("etc/docker/tls/server-key.pem"), 0o600);
    expect(
        &root,
        "file-tls-server-key-mode",
        Verdict::Fail,
        "owner write",
    );
    // A TLS file that is configured but missing is skipped with its path.
    root.remove("etc/docker/tls/server.pem");
    expect(
        &root,
        "file-tls-server-cert-mode",
        Verdict::Skip,
        "/etc/docker/tls/server.pem does not exist",
    );
}

#[test]
fn daemon_json_comes_from_config_file_flag() {
    let root = Root::good();
    root.write("srv/docker/daemon.json", "{}", 0o666);
    root.process(
        812,
        &[
            "/usr/bin/dockerd",
            "--config-file",
            "/srv/docker/daemon.json",
            "-H",
            "unix:///srv/docker/api.sock",
        ],
    );
    root.socket("srv/docker/api.sock", 0o660, DOCKER_GID);
    expect(
        &root,
        "file-daemon-json-mode",
        Verdict::Fail,
        "/srv/docker/daemon.json",
    );
    expect(
        &root,
        "file-daemon-json-mode",
        Verdict::Fail,
        "--config-file",
    );
    expect(
        &root,
        "audit-rule-daemon-json",
        Verdict::Fail,
        "/srv/docker/daemon.json",
    );
    // The socket from -H, not the default path.
    expect(
        &root,
        "file-docker-sock-mode",
        Verdict::Pass,
        "/srv/docker/api.sock",
    );
}

#[test]
fn unit_files_follow_the_systemd_search_path() {
    let root = Root::good();
    // Moved to /usr/lib (merged /usr): found there.
    root.remove("lib/systemd/system/docker.service");
    root.write(
        "usr/lib/systemd/system/docker.service",
        "[Service]\n",
        0o644,
    );
    expect(
        &root,
        "file-docker-service-mode",
        Verdict::Pass,
        "/usr/lib/systemd/system/docker.service",
    );
    // An override in /etc wins, and its drop-in is judged too.
    root.write("etc/systemd/system/docker.service", "[Service]\n", 0o664);
    root.write(
        "etc/systemd/system/docker.service.d/override.conf",
        "[Service]\n",
        0o646,
    );
    let (v, ev) = root.check("file-docker-service-mode");
    assert_eq!(v, Verdict::Fail, "{ev}");
    assert!(ev.contains("/etc/systemd/system/docker.service:"), "{ev}");
    assert!(ev.contains("override.conf"), "{ev}");
    // Masked: skipped.
    root.remove("etc/systemd/system/docker.service");
    symlink("/dev/null", root.path("etc/systemd/system/docker.service")).unwrap();
    expect(&root, "file-docker-service-owner", Verdict::Skip, "masked");
    // No unit anywhere: skipped, naming where it looked.
    root.remove("lib/systemd/system/docker.socket");
    expect(
        &root,
        "file-docker-socket-unit-mode",
        Verdict::Skip,
        "/usr/local/lib/systemd/system",
    );
    expect(
        &root,
        "audit-rule-docker-socket",
        Verdict::Skip,
        "docker.socket not found",
    );
}

#[test]
fn missing_files_skip_and_unreadable_files_error() {
    let root = Root::good();
    root.remove("etc/default/docker");
    expect(
        &root,
        "file-etc-default-docker-mode",
        Verdict::Skip,
        "/etc/default/docker does not exist",
    );
    expect(
        &root,
        "audit-rule-etc-default-docker",
        Verdict::Skip,
        "/etc/default/docker does not exist",
    );
    root.remove("etc/docker/certs.d");
    expect(
        &root,
        "file-registry-certs-owner",
        Verdict::Skip,
        "certs.d does not exist",
    );
    // dockerd is the exception: no binary at the path, still judged.
    root.remove("usr/bin/dockerd");
    expect(
        &root,
        "audit-rule-dockerd",
        Verdict::Pass,
        "/usr/bin/dockerd",
    );
    // A symlink loop cannot be stat'ed: error, not pass.
    root.remove("etc/docker/daemon.json");
    symlink(
        "/etc/docker/daemon.json",
        root.path("etc/docker/daemon.json"),
    )
    .unwrap();
    expect(
        &root,
        "file-daemon-json-mode",
        Verdict::Error,
        "symbolic links",
    );
}

#[test]
fn owners_and_groups_resolve_through_the_roots_passwd_and_group() {
    let root = Root::good();
    if !root.chown("etc/docker", 1000, 0) {
        return;
    }
    expect(
        &root,
        "file-etc-docker-owner",
        Verdict::Fail,
        "alice:root (1000:0)",
    );
    root.chown("etc/docker", 0, 0);
    expect(
        &root,
        "file-etc-docker-owner",
        Verdict::Pass,
        "root:root (0:0)",
    );
    // 3.7 checks the group too (docker-bench checks only the user).
    root.chown(
        "etc/docker/certs.d/registry.example:5000/client.key",
        0,
        DOCKER_GID,
    );
    expect(
        &root,
        "file-registry-certs-owner",
        Verdict::Fail,
        "root:docker",
    );
    // docker.sock must be root:docker, by name from the root's /etc/group.
    root.chown("run/docker.sock", 0, 0);
    expect(
        &root,
        "file-docker-sock-owner",
        Verdict::Fail,
        "expected root:docker",
    );
    root.chown("run/docker.sock", 0, DOCKER_GID);
    expect(
        &root,
        "file-docker-sock-owner",
        Verdict::Pass,
        "root:docker",
    );
    root.chown("run/containerd/containerd.sock", 0, DOCKER_GID);
    expect(
        &root,
        "file-containerd-sock-owner",
        Verdict::Fail,
        "expected root:root",
    );
}

#[test]
fn collect_then_scan_facts_gives_identical_results() {
    let root = Root::good();
    root.write("etc/docker/daemon.json", "{}", 0o642);
    root.write("proc/1/mountinfo", MOUNTS_BIND_SELF, 0o444);
    let live = root.facts();
    let text = serde_json::to_string_pretty(&live).unwrap();
    let bundle: Facts = serde_json::from_str(&text).unwrap();
    let a = checks::run(&live, &sections_1_and_3());
    let b = checks::run(&bundle, &sections_1_and_3());
    assert_eq!(a.len(), 44);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.check.slug, y.check.slug);
        assert_eq!(
            serde_json::to_value(&x.outcome).unwrap(),
            serde_json::to_value(&y.outcome).unwrap(),
            "{}",
            x.check.slug
        );
    }
}

mod cli {
    use super::*;
    use assert_cmd::Command;

    fn results(json: &[u8]) -> serde_json::Value {
        let doc: serde_json::Value = serde_json::from_slice(json).unwrap();
        doc["results"].clone()
    }

    #[test]
    fn scan_root_gives_verdicts_and_exits_incomplete_without_the_api() {
        let root = Root::good();
        root.write("etc/docker/daemon.json", "{}", 0o642);
        let out = Command::cargo_bin("threatbench")
            .unwrap()
            .args(["scan", "--root"])
            .arg(root.dir.path())
            .args(["--select", "1,3", "--format", "json"])
            .env_remove("DOCKER_HOST")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(3),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let res = results(&out.stdout);
        let by_slug = |slug: &str| {
            res.as_array()
                .unwrap()
                .iter()
                .find(|r| r["slug"] == slug)
                .cloned()
                .unwrap()
        };
        assert_eq!(by_slug("file-daemon-json-mode")["verdict"], "fail");
        assert_eq!(by_slug("host-docker-partition")["verdict"], "pass");
        let api = by_slug("host-docker-up-to-date");
        assert_eq!(api["verdict"], "error");
        assert!(
            api["evidence"].as_str().unwrap().contains("--root"),
            "{api}"
        );
    }

    #[test]
    fn collect_bundle_then_scan_facts_matches_scan_root() {
        let root = Root::good();
        root.write(
            "lib/systemd/system/docker.socket",
            "[Socket]\nListenStream=/run/docker.sock\n",
            0o646,
        );
        let bundle = root.dir.path().join("bundle.json");
        Command::cargo_bin("threatbench")
            .unwrap()
            .args(["collect", "--root"])
            .arg(root.dir.path())
            .arg("-o")
            .arg(&bundle)
            .env_remove("DOCKER_HOST")
            .assert()
            .code(3);
        let scan = |args: &[&std::ffi::OsStr]| {
            let out = Command::cargo_bin("threatbench")
                .unwrap()
                .arg("scan")
                .args(args)
                .args(["--select", "1,3", "--format", "json"])
                .env_remove("DOCKER_HOST")
                .output()
                .unwrap();
            results(&out.stdout)
        };
        let from_root = scan(&["--root".as_ref(), root.dir.path().as_os_str()]);
        let from_bundle = scan(&["--facts".as_ref(), bundle.as_os_str()]);
        assert_eq!(from_root.as_array().unwrap().len(), 44);
        assert_eq!(from_root, from_bundle);
        let unit_mode = from_root
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["slug"] == "file-docker-socket-unit-mode")
            .unwrap();
        assert_eq!(unit_mode["verdict"], "fail");
    }

    /// `scan --root --benchmark cis-docker-1.8.0` as a user runs it on a mounted host: the new
    /// 2.7 fails on a daemon.json that chooses devicemapper, passes on overlay2, and is an error
    /// (never a pass) when no driver is configured and the API is not read.
    #[test]
    fn scan_root_v180_judges_2_7_from_daemon_json() {
        let root = Root::good();
        let scan_2_7 = |root: &Root| -> serde_json::Value {
            let out = Command::cargo_bin("threatbench")
                .unwrap()
                .args(["scan", "--root"])
                .arg(root.dir.path())
                .args(["--benchmark", "cis-docker-1.8.0", "--select", "2.7"])
                .args(["--format", "json"])
                .env_remove("DOCKER_HOST")
                .output()
                .unwrap();
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
            assert_eq!(doc["benchmark_choice"][0]["edition"], "cis-docker-1.8.0");
            assert_eq!(doc["benchmark_choice"][0]["reason"], "--benchmark");
            let res = doc["results"].as_array().unwrap();
            assert_eq!(res.len(), 1, "{res:?}");
            assert_eq!(res[0]["id"], "2.7");
            assert_eq!(res[0]["benchmark"], "cis-docker-1.8.0");
            assert_eq!(res[0]["slug"], "daemon-no-devicemapper");
            res[0].clone()
        };
        root.write(
            "etc/docker/daemon.json",
            "{\"storage-driver\": \"devicemapper\"}\n",
            0o644,
        );
        let r = scan_2_7(&root);
        assert_eq!(r["verdict"], "fail", "{r}");
        assert!(
            r["evidence"]
                .as_str()
                .unwrap()
                .contains("storage-driver=devicemapper (/etc/docker/daemon.json)"),
            "{r}"
        );
        root.write(
            "etc/docker/daemon.json",
            "{\"storage-driver\": \"overlay2\"}\n",
            0o644,
        );
        assert_eq!(scan_2_7(&root)["verdict"], "pass");
        root.write("etc/docker/daemon.json", "{}\n", 0o644);
        let r = scan_2_7(&root);
        assert_eq!(r["verdict"], "error", "{r}");
        assert!(
            r["evidence"]
                .as_str()
                .unwrap()
                .contains("storage driver unknown"),
            "{r}"
        );
    }
}

/// Against the private dockerd of scripts/docker-test-env (started with `--config-file
/// $D/daemon.json --data-root $D/data -H unix://$D/docker.sock --containerd
/// $D/containerd/containerd.sock`): the paths come from the live daemon, not the defaults.
mod live {
    use super::*;

    fn live_facts() -> Option<(Facts, String)> {
        if std::env::var("TB_DOCKERD").as_deref() != Ok("1") {
            eprintln!("skipping: TB_DOCKERD != 1 (no private dockerd; run scripts/test)");
            return None;
        }
        let dir = std::env::var("TB_TEST_DIR").expect("TB_TEST_DIR with TB_DOCKERD=1");
        let opts = CollectOptions {
            docker_host: std::env::var("DOCKER_HOST").ok(),
            ..Default::default()
        };
        let facts = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(collect(&opts));
        Some((facts, dir))
    }

    #[test]
    fn paths_come_from_the_running_daemon() {
        let Some((facts, dir)) = live_facts() else {
            return;
        };
        let (v, ev) = verdict_of(&facts, "host-docker-up-to-date");
        assert_eq!(v, Verdict::Warn, "{ev}");
        assert!(
            ev.contains("Docker Engine ") && ev.contains("offline"),
            "{ev}"
        );

        let (v, ev) = verdict_of(&facts, "host-docker-partition");
        assert!(matches!(v, Verdict::Pass | Verdict::Fail), "{v:?}: {ev}");
        assert!(
            ev.contains(&format!("{dir}/data (DockerRootDir from docker info)")),
            "{ev}"
        );
        assert!(ev.contains("/mountinfo"), "{ev}");

        // dockerd creates its socket 0660; the one from -H, not /var/run/docker.sock.
        let (v, ev) = verdict_of(&facts, "file-docker-sock-mode");
        assert_eq!(v, Verdict::Pass, "{ev}");
        assert!(ev.contains(&format!("{dir}/docker.sock")), "{ev}");

        let (v, ev) = verdict_of(&facts, "file-daemon-json-mode");
        assert_eq!(v, Verdict::Pass, "{ev}");
        assert!(ev.contains(&format!("{dir}/daemon.json")), "{ev}");
        assert!(ev.contains("--config-file"), "{ev}");

        let (v, ev) = verdict_of(&facts, "file-containerd-sock-mode");
        assert_eq!(v, Verdict::Pass, "{ev}");
        assert!(
            ev.contains(&format!("{dir}/containerd/containerd.sock")),
            "{ev}"
        );
    }
}

#[test]
fn docker_group_members_are_listed_for_review() {
    let root = Root::good();
    root.write(
        "etc/passwd",
        "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\nbob:x:1001:998::/home/bob:/bin/sh\n",
        0o644,
    );
    expect(
        &root,
        "host-docker-group-trusted-users",
        Verdict::Warn,
        "2 member(s) of `docker` (gid 998",
    );
    expect(
        &root,
        "host-docker-group-trusted-users",
        Verdict::Warn,
        "alice, bob (primary group)",
    );
    // No members and only local group sources: only root can use the socket.
    root.write("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n", 0o644);
    root.write("etc/group", "root:x:0:\ndocker:x:998:\n", 0o644);
    expect(
        &root,
        "host-docker-group-trusted-users",
        Verdict::Pass,
        "has no members",
    );
    // Groups from LDAP/SSSD cannot be listed from files: review instead of pass.
    root.write("etc/nsswitch.conf", "group: files sss\n", 0o644);
    expect(
        &root,
        "host-docker-group-trusted-users",
        Verdict::Warn,
        "also takes groups from sss",
    );
    // The group dockerd was told to use, not `docker`.
    root.process(812, &["/usr/bin/dockerd", "-H", "fd://", "-G", "ops"]);
    root.write(
        "etc/group",
        "root:x:0:\ndocker:x:998:\nops:x:990:carol\n",
        0o644,
    );
    expect(
        &root,
        "host-docker-group-trusted-users",
        Verdict::Warn,
        "carol",
    );
}

/// CIS Docker v1.8.0 2.7 without the API: the daemon's configuration shows a devicemapper
/// choice (fail) or another driver (pass); with no driver configured, dockerd picks one at
/// start, so the verdict is error, never pass.
#[test]
fn v180_devicemapper_from_the_configuration_without_the_api() {
    use threatbench::checks::Benchmark;
    use threatbench::checks::editions::Editions;
    let root = Root::good();
    let v180 = Selection {
        select: vec!["daemon-no-devicemapper".into()],
        editions: Editions {
            docker: Benchmark::CisDocker180,
            ..Editions::default()
        },
        ..Default::default()
    };
    let judge = |root: &Root| {
        let results = checks::run(&root.facts(), &v180);
        assert_eq!(results.len(), 1, "2.7 runs under v1.8.0");
        (
            results[0].outcome.verdict,
            results[0].outcome.evidence.clone(),
        )
    };
    root.write(
        "etc/docker/daemon.json",
        "{\"storage-driver\": \"devicemapper\"}\n",
        0o644,
    );
    let (verdict, evidence) = judge(&root);
    assert_eq!(verdict, Verdict::Fail, "{evidence}");
    assert!(
        evidence.contains("storage-driver=devicemapper (/etc/docker/daemon.json)"),
        "{evidence}"
    );
    root.write(
        "etc/docker/daemon.json",
        "{\"storage-driver\": \"overlay2\"}\n",
        0o644,
    );
    let (verdict, evidence) = judge(&root);
    assert_eq!(verdict, Verdict::Pass, "{evidence}");
    assert!(evidence.contains("overlay2"), "{evidence}");
    root.write("etc/docker/daemon.json", "{}\n", 0o644);
    let (verdict, evidence) = judge(&root);
    assert_eq!(verdict, Verdict::Error, "{evidence}");
    assert!(evidence.contains("storage driver unknown"), "{evidence}");
    // Under the default v1.6.0 the item does not exist and does not run.
    let v160 = Selection {
        select: vec!["daemon-no-devicemapper".into()],
        ..Default::default()
    };
    assert!(checks::run(&root.facts(), &v160).is_empty());
}
