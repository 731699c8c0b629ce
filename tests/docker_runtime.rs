//! CIS Docker v1.6.0 section 5 (container runtime) against real containers on the private test
//! daemon: for every check, containers with the risky and with the safe setting, and the verdict
//! asserted on each. Scans see other tests' containers too, so assertions are per container.

mod common;

use common::{Daemon, SLEEP};

#[test]
fn memory_cpu_pids_read_only_and_ulimits() {
    let Some(d) = Daemon::main("memory_cpu_pids_read_only_and_ulimits") else {
        return;
    };
    let plain = d.run("plain", &[]);
    let limited = d.run(
        "limited",
        &[
            "--memory",
            "64m",
            "--cpu-shares",
            "512",
            "--pids-limit",
            "100",
            "--read-only",
            "--ulimit",
            "nofile=1024:2048",
        ],
    );
    // 1024 is the default CPU weight and -1 means unlimited: both limit nothing.
    let defaults_spelled_out = d.run("spelled", &["--cpu-shares", "1024", "--pids-limit", "-1"]);
    let cpus = d.run("cpus", &["--cpus", "0.5"]);
    let s = d.scan(&[]);

    s.expect("5.11", &plain, "fail");
    s.expect("5.11", &limited, "pass");
    assert!(s.object_evidence("5.11", &limited).contains("67108864"));
    s.expect("5.12", &plain, "fail");
    s.expect("5.12", &limited, "pass");
    s.expect("5.12", &defaults_spelled_out, "fail");
    s.expect("5.12", &cpus, "pass");
    s.expect("5.13", &plain, "fail");
    s.expect("5.13", &limited, "pass");
    s.expect("5.19", &plain, "pass");
    s.expect("5.19", &limited, "warn");
    assert!(
        s.object_evidence("5.19", &limited)
            .contains("nofile=1024:2048")
    );
    s.expect("5.29", &plain, "fail");
    s.expect("5.29", &limited, "pass");
    s.expect("5.29", &defaults_spelled_out, "fail");
    // A failing container fails the whole check and is named in its evidence.
    s.expect_check("5.11", "fail");
    assert!(s.evidence("5.11").contains(&plain.name));
}

/// docker-bench passes `always`; an endless restart loop is what 5.15 is about.
#[test]
fn restart_policies() {
    let Some(d) = Daemon::main("restart_policies") else {
        return;
    };
    let none = d.run("no-restart", &[]);
    let always = d.run("always", &["--restart", "always"]);
    let unless = d.run("unless-stopped", &["--restart", "unless-stopped"]);
    let five = d.run("onfail5", &["--restart", "on-failure:5"]);
    let ten = d.run("onfail10", &["--restart", "on-failure:10"]);
    let unbounded = d.run("onfail", &["--restart", "on-failure"]);
    let s = d.scan(&[]);
    s.expect("5.15", &none, "pass");
    s.expect("5.15", &always, "fail");
    s.expect("5.15", &unless, "fail");
    s.expect("5.15", &five, "pass");
    s.expect("5.15", &ten, "fail");
    s.expect("5.15", &unbounded, "fail");
    assert!(s.object_evidence("5.15", &ten).contains("on-failure:10"));
}

#[test]
fn host_namespaces() {
    let Some(d) = Daemon::main("host_namespaces") else {
        return;
    };
    let plain = d.run("ns-plain", &[]);
    let net = d.run("net-host", &["--network", "host"]);
    let pid = d.run("pid-host", &["--pid", "host"]);
    let ipc = d.run("ipc-host", &["--ipc", "host"]);
    let uts = d.run("uts-host", &["--uts", "host"]);
    let userns = d.run("userns-host", &["--userns", "host"]);
    let s = d.scan(&[]);
    for (id, risky) in [
        ("5.10", &net),
        ("5.16", &pid),
        ("5.17", &ipc),
        ("5.21", &uts),
        ("5.31", &userns),
    ] {
        s.expect(id, risky, "fail");
        assert!(
            s.object_evidence(id, risky).contains("\"host\""),
            "{id}: {}",
            s.object_evidence(id, risky)
        );
        s.expect(id, &plain, "pass");
    }
    // Each namespace check flags only its own namespace.
    s.expect("5.10", &pid, "pass");
    s.expect("5.16", &net, "pass");
}

#[test]
fn bind_mounts_sensitive_paths_propagation_and_docker_socket() {
    let Some(d) = Daemon::main("bind_mounts") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    let socket = d.host.strip_prefix("unix://").expect("a unix socket");
    let socket_dir = std::path::Path::new(socket)
        .parent()
        .unwrap()
        .to_str()
        .unwrap();

    let etc_rw = d.run("etc-rw", &["-v", "/etc:/host/etc"]);
    let etc_ro = d.run("etc-ro", &["-v", "/etc:/host/etc:ro"]);
    let private = d.run("private", &["-v", &format!("{data_dir}:/data")]);
    let sock = d.run(
        "sock",
        &["-v", &format!("{socket}:/var/run/docker.sock:ro")],
    );
    // The daemon's socket lives in its test directory: mounting that directory hands it over too.
    let sock_dir = d.run("sock-dir", &["-v", &format!("{socket_dir}:/d:ro")]);
    let rprivate = d.run(
        "rprivate",
        &[
            "--mount",
            &format!("type=bind,src={data_dir},dst=/data,bind-propagation=rprivate"),
        ],
    );
    // rshared needs a shared source mount to start; created is enough for HostConfig/Mounts.
    let rshared = d.create(
        "rshared",
        &[
            "--mount",
            &format!("type=bind,src={data_dir},dst=/data,bind-propagation=rshared"),
        ],
    );
    let s = d.scan(&["--all-containers"]);

    s.expect("5.6", &etc_rw, "fail");
    assert!(
        s.object_evidence("5.6", &etc_rw)
            .contains("/etc -> /host/etc (rw)")
    );
    // Read-only still exposes /etc/shadow and keys: a failure, at a lower severity.
    s.expect("5.6", &etc_ro, "fail");
    assert!(s.object_evidence("5.6", &etc_ro).contains("read-only"));
    s.expect("5.6", &private, "pass");
    s.expect("5.20", &rshared, "fail");
    assert!(s.object_evidence("5.20", &rshared).contains("rshared"));
    s.expect("5.20", &rprivate, "pass");
    s.expect("5.20", &private, "pass");
    s.expect("5.32", &sock, "fail");
    s.expect("5.32", &sock_dir, "fail");
    s.expect("5.32", &private, "pass");
    s.expect("5.32", &etc_ro, "pass");
}

#[test]
fn capabilities_and_devices() {
    let Some(d) = Daemon::main("capabilities_and_devices") else {
        return;
    };
    let plain = d.run("caps-plain", &[]);
    let net_admin = d.run("net-admin", &["--cap-add", "NET_ADMIN"]);
    let default_cap = d.run("chown", &["--cap-add", "CHOWN", "--cap-drop", "NET_RAW"]);
    let drop_all = d.run("drop-all", &["--cap-drop", "ALL"]);
    let device = d.run("device", &["--device", "/dev/null:/dev/tbnull"]);
    // docker-bench only looks at --device: a cgroup rule opens devices without one.
    let rule = d.run("cgroup-rule", &["--device-cgroup-rule", "c 1:3 rmw"]);
    let s = d.scan(&[]);
    s.expect("5.4", &plain, "pass");
    s.expect("5.4", &net_admin, "fail");
    assert!(s.object_evidence("5.4", &net_admin).contains("NET_ADMIN"));
    s.expect("5.4", &default_cap, "pass");
    s.expect("5.4", &drop_all, "pass");
    s.expect("5.18", &device, "fail");
    assert!(
        s.object_evidence("5.18", &device)
            .contains("/dev/null:/dev/tbnull")
    );
    s.expect("5.18", &plain, "pass");
    s.expect("5.18", &rule, "fail");
    assert!(
        s.object_evidence("5.18", &rule)
            .contains("device cgroup rules: c 1:3 rmw")
    );
}

/// docker-bench passes privileged containers on the seccomp and capability checks.
#[test]
fn privileged_container_fails_every_confinement_check() {
    let Some(d) = Daemon::main("privileged_container") else {
        return;
    };
    let plain = d.run("priv-plain", &[]);
    let (privileged, need_all) = d.privileged("privileged", &[]);
    let s = d.scan(if need_all { &["--all-containers"] } else { &[] });
    for id in ["5.4", "5.5", "5.18", "5.22"] {
        s.expect(id, &privileged, "fail");
        assert!(
            s.object_evidence(id, &privileged)
                .contains("Privileged=true")
        );
        s.expect(id, &plain, "pass");
    }
}

/// docker-bench counts `no-new-privileges:false` as set.
#[test]
fn seccomp_and_no_new_privileges_options() {
    let Some(d) = Daemon::main("seccomp_and_no_new_privileges") else {
        return;
    };
    let plain = d.run("sec-plain", &[]);
    let unconfined = d.run("unconfined", &["--security-opt", "seccomp=unconfined"]);
    let nnp = d.run("nnp", &["--security-opt", "no-new-privileges"]);
    let nnp_true = d.run("nnp-true", &["--security-opt", "no-new-privileges=true"]);
    let nnp_false = d.run("nnp-false", &["--security-opt", "no-new-privileges=false"]);
    let nnp_colon_false = d.run("nnp-colon", &["--security-opt", "no-new-privileges:false"]);
    let s = d.scan(&[]);
    s.expect("5.22", &plain, "pass");
    s.expect("5.22", &unconfined, "fail");
    s.expect("5.22", &nnp, "pass");
    s.expect("5.26", &nnp, "pass");
    s.expect("5.26", &nnp_true, "pass");
    s.expect("5.26", &nnp_false, "fail");
    s.expect("5.26", &nnp_colon_false, "fail");
    // The test daemon does not set no-new-privileges itself.
    s.expect("5.26", &plain, "fail");
    assert!(
        s.object_evidence("5.26", &plain)
            .contains("no-new-privileges not set")
    );
}

#[test]
fn health_checks() {
    let Some(d) = Daemon::main("health_checks") else {
        return;
    };
    let plain = d.run("no-health", &[]);
    let healthy = d.run(
        "health",
        &["--health-cmd", "true", "--health-interval", "1s"],
    );
    let disabled = d.run("health-off", &["--no-healthcheck"]);
    let s = d.scan(&[]);
    s.expect("5.27", &plain, "fail");
    s.expect("5.27", &healthy, "pass");
    s.expect("5.27", &disabled, "fail");
}

/// With `--bridge=none` nothing is really published, but `HostConfig.PortBindings` is what the
/// checks read (tests/docker_daemon.rs repeats this on a daemon with a bridge).
#[test]
fn published_ports() {
    let Some(d) = Daemon::main("published_ports") else {
        return;
    };
    let none = d.run("no-ports", &[]);
    let low = d.run("port80", &["-p", "80:80"]);
    let high_all = d.run("port8080", &["-p", "8080:80"]);
    let loopback = d.run("loopback", &["-p", "127.0.0.1:8080:80"]);
    let s = d.scan(&[]);
    s.expect("5.8", &none, "pass");
    s.expect("5.8", &low, "fail");
    assert!(
        s.object_evidence("5.8", &low)
            .contains("0.0.0.0:80->80/tcp")
    );
    s.expect("5.8", &high_all, "pass");
    s.expect("5.8", &loopback, "pass");
    s.expect("5.9", &none, "pass");
    s.expect("5.9", &low, "warn");
    s.expect("5.9", &loopback, "warn");
    s.expect("5.14", &none, "pass");
    s.expect("5.14", &low, "fail");
    s.expect("5.14", &high_all, "fail");
    s.expect("5.14", &loopback, "pass");
}

/// A process named sshd, as `docker top` shows it: tini (the static docker-init that
/// `--init` mounts) copied to sshd, once by path and once with OpenSSH's process title.
#[test]
fn sshd_in_a_container() {
    let Some(d) = Daemon::main("sshd_in_a_container") else {
        return;
    };
    let plain = d.run("no-sshd", &[]);
    let by_path = d.run_cmd(
        "sshd-path",
        &["--init"],
        &[
            "sh",
            "-c",
            "mkdir -p /usr/sbin && cp /sbin/docker-init /usr/sbin/sshd && exec /usr/sbin/sshd -s -- sleep 100000",
        ],
    );
    let titled = d.run_cmd(
        "sshd-title",
        &["--init"],
        &[
            "sh",
            "-c",
            "cp /sbin/docker-init /tmp/x && exec -a 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups' /tmp/x -s -- sleep 100000",
        ],
    );
    // Mentions sshd in its arguments but runs no sshd.
    let mention = d.run_cmd(
        "sshd-mention",
        &[],
        &["sh", "-c", "sleep 100000; echo no sshd here"],
    );
    let stopped = d.create("sshd-stopped", &[]);
    // `docker top` lists the processes only once they exist.
    wait_for_process(&d, &by_path, "/usr/sbin/sshd");
    wait_for_process(&d, &titled, "sshd: ");
    let s = d.scan(&["--all-containers"]);
    s.expect("5.7", &plain, "pass");
    s.expect("5.7", &by_path, "fail");
    assert!(
        s.object_evidence("5.7", &by_path)
            .contains("/usr/sbin/sshd")
    );
    s.expect("5.7", &titled, "fail");
    s.expect("5.7", &mention, "pass");
    s.expect("5.7", &stopped, "skip");
    assert!(s.object_evidence("5.7", &plain).contains("/proc"));

    // A host root without this daemon's processes (as for a remote daemon): docker top instead.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = d
        .threatbench()
        .args(["scan", "--format", "json", "--select", "5.7", "--root"])
        .arg(elsewhere.path())
        .args(["--docker-host", &d.host])
        .output()
        .unwrap();
    let s = common::Scan::from_output(&out);
    s.expect("5.7", &plain, "pass");
    s.expect("5.7", &by_path, "fail");
    s.expect("5.7", &titled, "fail");
    assert!(
        s.object_evidence("5.7", &by_path).contains("(docker top)"),
        "{}",
        s.object_evidence("5.7", &by_path)
    );
}

fn wait_for_process(d: &Daemon, c: &common::Container, needle: &str) {
    for _ in 0..50 {
        if d.docker_ok(&["top", &c.name]).contains(needle) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{needle} never appeared in docker top {}", c.name);
}

/// A custom cgroup parent would create a cgroup on the host when started, so it is only created.
#[test]
fn cgroup_parent() {
    let Some(d) = Daemon::main("cgroup_parent") else {
        return;
    };
    let plain = d.create("cg-plain", &[]);
    let custom = d.create("cg-custom", &["--cgroup-parent", "/tb-test-parent"]);
    let s = d.scan(&["--all-containers"]);
    s.expect("5.25", &plain, "pass");
    s.expect("5.25", &custom, "warn");
    assert!(
        s.object_evidence("5.25", &custom)
            .contains("/tb-test-parent")
    );
}

/// Items that need a person's review, and those that do not apply on this host.
#[test]
fn review_and_not_applicable_items() {
    let Some(d) = Daemon::main("review_items") else {
        return;
    };
    let c = d.run("review", &[]);
    let s = d.scan(&[]);
    s.expect_check("5.1", "pass");
    assert!(s.evidence("5.1").contains("inactive"));
    s.expect("5.28", &c, "warn");
    assert!(s.object_evidence("5.28", &c).contains(&common::image()));
    // This host has neither AppArmor nor SELinux in the daemon's SecurityOptions.
    s.expect("5.2", &c, "skip");
    s.expect("5.3", &c, "skip");
    assert!(s.object_evidence("5.2", &c).contains("AppArmor"));
}

/// AppArmor and SELinux cannot run on this machine, so their pass/fail paths use a facts bundle
/// collected here from real containers, with only the host's security options (and the profile
/// the daemon would then have applied) edited in.
#[test]
fn apparmor_and_selinux_with_host_support() {
    let Some(d) = Daemon::main("apparmor_and_selinux") else {
        return;
    };
    let plain = d.run("mac-plain", &[]);
    let label_off = d.run("label-off", &["--security-opt", "label=disable"]);
    let bundle = tempfile::NamedTempFile::new().unwrap();
    d.threatbench()
        .args(["collect", "--output"])
        .arg(bundle.path())
        .assert()
        .success();
    let mut facts: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bundle.path()).unwrap()).unwrap();
    let info = &mut facts["docker"]["seen"]["info"];
    info["SecurityOptions"] = serde_json::json!([
        "name=apparmor",
        "name=seccomp,profile=default",
        "name=selinux"
    ]);
    for c in facts["docker"]["seen"]["containers"]
        .as_array_mut()
        .unwrap()
    {
        let name = c["Name"]
            .as_str()
            .unwrap()
            .trim_start_matches('/')
            .to_string();
        c["AppArmorProfile"] = if name == label_off.name {
            "unconfined".into()
        } else {
            "docker-default".into()
        };
    }
    std::fs::write(bundle.path(), facts.to_string()).unwrap();
    let out = d
        .threatbench()
        .args(["scan", "--format", "json", "--facts"])
        .arg(bundle.path())
        .output()
        .unwrap();
    let s = common::Scan::from_output(&out);
    s.expect("5.2", &plain, "pass");
    s.expect("5.2", &label_off, "fail");
    s.expect("5.3", &plain, "pass");
    s.expect("5.3", &label_off, "fail");
    assert!(
        s.object_evidence("5.3", &label_off)
            .contains("label=disable")
    );
}

/// The test daemon runs with `--bridge=none`: there is no docker0 for a container to be on.
#[test]
fn default_bridge_absent() {
    let Some(d) = Daemon::main("default_bridge_absent") else {
        return;
    };
    let c = d.run_cmd("no-docker0", &[], SLEEP);
    let s = d.scan(&[]);
    s.expect("5.30", &c, "pass");
    assert!(
        s.object_evidence("5.30", &c).contains("no default bridge"),
        "{}",
        s.object_evidence("5.30", &c)
    );
}

/// Only exec sessions running now are visible: a privileged or root one fails 5.23/5.24, and
/// without one the items ask for a review of past use. (No other test in this binary execs.)
#[test]
fn exec_sessions_running_now() {
    let Some(d) = Daemon::main("exec_sessions_running_now") else {
        return;
    };
    let nobody = d.run("exec-nobody", &["--user", "65534"]);
    let root = d.run("exec-root", &[]);
    // A finished exec leaves nothing behind.
    d.docker_ok(&["exec", &root.name, "true"]);
    d.docker_ok(&["exec", "-d", &nobody.name, "sleep", "100000"]);
    d.docker_ok(&["exec", "-d", "-u", "65534", &root.name, "sleep", "100000"]);
    let s = d.scan(&[]);
    s.expect_check("5.23", "warn");
    s.expect_check("5.24", "warn");
    assert!(
        s.evidence("5.24").contains("none running as root"),
        "{}",
        s.evidence("5.24")
    );
    assert!(s.evidence("5.24").contains("audit trail"));
    s.expect("5.24", &nobody, "pass");
    s.expect("5.24", &root, "pass");

    let as_root = d.run("exec-as-root", &["--user", "65534"]);
    d.docker_ok(&["exec", "-d", "-u", "root", &as_root.name, "sleep", "100000"]);
    let inherits_root = d.run("exec-inherit", &[]);
    d.docker_ok(&["exec", "-d", &inherits_root.name, "sleep", "100000"]);
    let privileged = d.run("exec-priv", &["--user", "65534"]);
    let privileged_ran = common::privileged_ok()
        && d.docker(&[
            "exec",
            "-d",
            "--privileged",
            &privileged.name,
            "sleep",
            "100000",
        ])
        .status
        .success();
    let s = d.scan(&[]);
    s.expect_check("5.24", "fail");
    s.expect("5.24", &as_root, "fail");
    assert!(
        s.object_evidence("5.24", &as_root)
            .contains("runs as root (--user)")
    );
    s.expect("5.24", &inherits_root, "fail");
    assert!(
        s.object_evidence("5.24", &inherits_root)
            .contains("the container's user")
    );
    s.expect("5.24", &nobody, "pass");
    if privileged_ran {
        s.expect_check("5.23", "fail");
        s.expect("5.23", &privileged, "fail");
        assert!(
            s.object_evidence("5.23", &privileged)
                .contains("privileged=true")
        );
        s.expect("5.24", &privileged, "pass");
    } else {
        eprintln!("privileged exec not possible here (TB_PRIVILEGED_OK=0): 5.23 fail not shown");
    }
    s.expect("5.23", &as_root, "pass");
}
