//! CIS Docker sections 4, 6 and 7 against a real dockerd (scripts/docker-test-env): images made
//! with `docker import --change` and the legacy builder, containers with secrets in their
//! environment, a deep layer scan, sprawl counts and a real swarm on a private daemon.
//!
//! The shared test daemon is used by other tests at the same time, so assertions on it look at
//! this test's own images and containers (unique names), never at totals. Sprawl counts and swarm
//! need a daemon of their own, started through TB_TEST_DOCKER_ENV_SCRIPT. Helpers live in this
//! file (tests/common belongs to the section 2/5 tests).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// Why docker tests cannot run here, if they cannot.
fn docker_unavailable() -> Option<&'static str> {
    if std::env::var("TB_DOCKERD").as_deref() != Ok("1") {
        return Some("TB_DOCKERD != 1 (run through scripts/test for a private dockerd)");
    }
    if std::env::var("TB_TEST_IMAGE").is_err() {
        return Some("TB_TEST_IMAGE unset");
    }
    None
}

macro_rules! require_docker {
    () => {
        if let Some(why) = docker_unavailable() {
            eprintln!("skipped: {why}");
            return;
        }
    };
}

fn test_image() -> String {
    std::env::var("TB_TEST_IMAGE").unwrap()
}

/// Run the docker CLI against `host` (test setup only; threatbench itself uses the API).
fn docker(host: &str, args: &[&str]) -> Output {
    let out = Command::new("docker")
        .env("DOCKER_HOST", host)
        .env("DOCKER_BUILDKIT", "0")
        .args(args)
        .output()
        .expect("docker CLI");
    assert!(
        out.status.success(),
        "docker {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn shared_host() -> String {
    std::env::var("DOCKER_HOST").expect("DOCKER_HOST")
}

/// A name unique to this test run.
fn unique(what: &str) -> String {
    format!("tb-{what}-{}", std::process::id())
}

/// Removes the containers and images a test made, also when it fails.
struct Cleanup {
    host: String,
    containers: Vec<String>,
    images: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for c in &self.containers {
            let _ = Command::new("docker")
                .env("DOCKER_HOST", &self.host)
                .args(["rm", "-f", c])
                .output();
        }
        for i in &self.images {
            let _ = Command::new("docker")
                .env("DOCKER_HOST", &self.host)
                .args(["rmi", "-f", i])
                .output();
        }
    }
}

/// A root file system tar with one setuid-root file and one plain file.
fn rootfs_tar(dir: &Path) -> PathBuf {
    let path = dir.join("rootfs.tar");
    let mut b = tar::Builder::new(std::fs::File::create(&path).unwrap());
    for (name, mode) in [("bin/tool", 0o4755), ("etc/motd", 0o644)] {
        let mut h = tar::Header::new_gnu();
        h.set_size(2);
        h.set_mode(mode);
        h.set_uid(0);
        h.set_gid(0);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, &b"x\n"[..]).unwrap();
    }
    b.finish().unwrap();
    path
}

/// `threatbench ARGS --format json` against `host`; the parsed document.
fn scan_json(host: &str, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_threatbench"))
        .env("DOCKER_HOST", host)
        .env_remove("DOCKER_CONTENT_TRUST")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "scan {args:?}: not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn result<'a>(doc: &'a Value, slug: &str) -> &'a Value {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["slug"] == slug)
        .unwrap_or_else(|| panic!("no result for {slug}"))
}

/// (verdict, evidence) of one object of a check.
fn object(doc: &Value, slug: &str, name: &str) -> (String, String) {
    let r = result(doc, slug);
    let o = r["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == name)
        .unwrap_or_else(|| panic!("{slug}: no object {name}: {r:#}"));
    (
        o["verdict"].as_str().unwrap().to_string(),
        o["evidence"].as_str().unwrap().to_string(),
    )
}

fn verdict(doc: &Value, slug: &str) -> (String, String) {
    let r = result(doc, slug);
    (
        r["verdict"].as_str().unwrap().to_string(),
        r["evidence"].as_str().unwrap().to_string(),
    )
}

#[test]
fn image_checks_on_real_images_and_containers() {
    require_docker!();
    let host = shared_host();
    let tmp = tempfile::tempdir().unwrap();
    let rootfs = rootfs_tar(tmp.path());
    let rootfs = rootfs.to_str().unwrap();
    let root_img = format!("{}:1", unique("img-root"));
    let good_img = format!("{}:1", unique("img-good"));
    let built_img = format!("{}:1", unique("img-built"));
    let secret_ctr = unique("ctr-secret");
    let root_ctr = unique("ctr-root");
    let _cleanup = Cleanup {
        host: host.clone(),
        containers: vec![secret_ctr.clone(), root_ctr.clone()],
        images: vec![root_img.clone(), good_img.clone(), built_img.clone()],
    };

    docker(
        &host,
        &[
            "import",
            "--change",
            "USER 0:0",
            "--change",
            "ENV PASSWORD=s3cretvalue",
            rootfs,
            &root_img,
        ],
    );
    docker(
        &host,
        &[
            "import",
            "--change",
            "USER 10001:10001",
            "--change",
            r#"HEALTHCHECK CMD ["/bin/true"]"#,
            rootfs,
            &good_img,
        ],
    );
    // Legacy builder (dockerd 20.10 without BuildKit): lone update, ADD of a file and of a
    // directory, a token passed as a build argument.
    let ctx = tmp.path().join("ctx");
    std::fs::create_dir_all(ctx.join("conf")).unwrap();
    std::fs::write(ctx.join("a.txt"), "a\n").unwrap();
    std::fs::write(ctx.join("conf/app.ini"), "x=1\n").unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        format!(
            "FROM {}\nARG TOKEN\nRUN apt-get update || true\nRUN echo \"$TOKEN\" >/dev/null\nADD a.txt /a.txt\nADD conf /conf\nUSER 10001\n",
            test_image()
        ),
    )
    .unwrap();
    docker(
        &host,
        &[
            "build",
            "-q",
            "--build-arg",
            "TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "-t",
            &built_img,
            ctx.to_str().unwrap(),
        ],
    );
    docker(
        &host,
        &[
            "create",
            "--name",
            &secret_ctr,
            "-e",
            "API_TOKEN=xoxb-123456789012-abcdefghijkl",
            &good_img,
            "/bin/tool",
        ],
    );
    docker(
        &host,
        &[
            "create",
            "--name",
            &root_ctr,
            "--user",
            "0:0",
            &good_img,
            "/bin/tool",
        ],
    );

    let doc = scan_json(&host, &["scan", "--all-containers", "--select", "4"]);

    // 4.1: 0:0 is root (docker-bench counts it as non-root), for images and containers alike.
    let (v, e) = object(&doc, "container-user-not-root", &root_img);
    assert_eq!(v, "fail", "{e}");
    assert!(e.contains("\"0:0\""), "{e}");
    assert_eq!(object(&doc, "container-user-not-root", &good_img).0, "pass");
    assert_eq!(object(&doc, "container-user-not-root", &root_ctr).0, "fail");
    assert_eq!(
        object(&doc, "container-user-not-root", &secret_ctr).0,
        "pass"
    );
    assert_eq!(verdict(&doc, "container-user-not-root").0, "fail");

    // 4.6
    assert_eq!(object(&doc, "image-healthcheck", &good_img).0, "pass");
    assert_eq!(object(&doc, "image-healthcheck", &root_img).0, "fail");

    // 4.7, 4.9 from the legacy builder's history.
    let (v, e) = object(&doc, "image-no-standalone-update", &built_img);
    assert_eq!(v, "fail", "{e}");
    assert!(e.contains("apt-get update || true"), "{e}");
    assert_eq!(
        object(&doc, "image-no-standalone-update", &good_img).0,
        "pass"
    );
    let (v, e) = object(&doc, "image-copy-not-add", &built_img);
    assert_eq!(v, "fail", "{e}");
    assert!(e.contains("ADD of a local directory to /conf"), "{e}");
    assert_eq!(object(&doc, "image-copy-not-add", &good_img).0, "pass");

    // 4.10: image ENV, build argument, container environment; values masked.
    let (v, e) = object(&doc, "image-no-secrets", &root_img);
    assert_eq!(v, "fail");
    assert!(e.contains("PASSWORD=s3…(11 chars)"), "{e}");
    let (v, e) = object(&doc, "image-no-secrets", &built_img);
    assert_eq!(v, "fail");
    assert!(e.contains("TOKEN=gh…(40 chars)"), "{e}");
    let (v, e) = object(&doc, "image-no-secrets", &secret_ctr);
    assert_eq!(v, "fail");
    assert!(e.contains("API_TOKEN=xo…(30 chars)"), "{e}");
    assert_eq!(object(&doc, "image-no-secrets", &good_img).0, "pass");
    assert_eq!(object(&doc, "image-no-secrets", &root_ctr).0, "pass");
    let text = doc.to_string();
    for secret in ["s3cretvalue", "ghp_abcdef", "xoxb-1234"] {
        assert!(!text.contains(secret), "{secret} leaked into the report");
    }

    // 4.5: the scanner's own environment (DOCKER_CONTENT_TRUST removed above).
    let (v, e) = verdict(&doc, "image-content-trust-enabled");
    assert_eq!(v, "fail");
    assert!(e.contains("scanner's environment"), "{e}");

    // 4.8 without --deep: a warning that says what is needed.
    let (v, e) = verdict(&doc, "image-no-setuid-setgid");
    assert_eq!(v, "warn");
    assert!(e.contains("--deep"), "{e}");

    // Manual items are warn with evidence.
    for slug in [
        "image-trusted-base",
        "image-minimal-packages",
        "image-scanned-rebuilt",
        "image-signed-artifacts-verified",
    ] {
        assert_eq!(verdict(&doc, slug).0, "warn", "{slug}");
    }
    assert!(
        object(&doc, "image-trusted-base", &root_img)
            .1
            .contains("no registry digest")
    );
}

#[test]
fn deep_scan_finds_setuid_files_within_limits_and_round_trips_through_facts() {
    require_docker!();
    let host = shared_host();
    let tmp = tempfile::tempdir().unwrap();
    let rootfs = rootfs_tar(tmp.path());
    let suid_img = format!("{}:1", unique("img-suid"));
    let _cleanup = Cleanup {
        host: host.clone(),
        containers: vec![],
        images: vec![suid_img.clone()],
    };
    docker(&host, &["import", rootfs.to_str().unwrap(), &suid_img]);

    let doc = scan_json(&host, &["scan", "--deep", "--select", "4.8"]);
    let (v, e) = object(&doc, "image-no-setuid-setgid", &suid_img);
    assert_eq!(v, "fail", "{e}");
    assert!(e.contains("/bin/tool 4755 0:0 (setuid)"), "{e}");
    // The busybox test image has no setuid file.
    let (v, e) = object(&doc, "image-no-setuid-setgid", &test_image());
    assert_eq!(v, "pass", "{e}");

    // A size limit below the image's size: no clean pass, an error that says why.
    let doc = scan_json(
        &host,
        &[
            "scan",
            "--deep",
            "--deep-max-bytes",
            "4096",
            "--select",
            "4.8",
        ],
    );
    let (v, e) = object(&doc, "image-no-setuid-setgid", &test_image());
    assert_eq!(v, "error", "{e}");
    assert!(e.contains("size limit of 4096 bytes"), "{e}");

    // collect --deep, then scan --facts elsewhere: same findings.
    let bundle = tmp.path().join("facts.json");
    let status = Command::new(env!("CARGO_BIN_EXE_threatbench"))
        .env("DOCKER_HOST", &host)
        .args(["collect", "--deep", "-o"])
        .arg(&bundle)
        .status()
        .unwrap();
    assert!(status.code().is_some_and(|c| c == 0 || c == 3));
    let doc = scan_json(
        "unix:///nonexistent.sock",
        &[
            "scan",
            "--facts",
            bundle.to_str().unwrap(),
            "--select",
            "4.8",
        ],
    );
    let (v, e) = object(&doc, "image-no-setuid-setgid", &suid_img);
    assert_eq!(v, "fail", "{e}");
}

/// A private daemon of this test's own, stopped (and its swarm with it) on drop.
struct PrivateDaemon {
    dir: String,
    script: String,
    host: String,
}

impl PrivateDaemon {
    fn start(name: &str) -> Option<PrivateDaemon> {
        let script = std::env::var("TB_TEST_DOCKER_ENV_SCRIPT").ok()?;
        // Short: unix socket paths are limited.
        let dir = format!("/tmp/tb-{name}-{}", std::process::id());
        let status = Command::new("bash")
            .arg(&script)
            .arg("start")
            .env("TB_TEST_DIR", &dir)
            // Own network namespace: the swarm's 0.0.0.0:2377 stays inside it.
            .env("TB_DOCKERD_NETNS", "1")
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
        Some(PrivateDaemon {
            host: format!("unix://{dir}/docker.sock"),
            dir,
            script,
        })
    }
}

impl Drop for PrivateDaemon {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .env("DOCKER_HOST", &self.host)
            .args(["swarm", "leave", "--force"])
            .output();
        let _ = Command::new("bash")
            .arg(&self.script)
            .arg("stop")
            .env("TB_TEST_DIR", &self.dir)
            .status();
    }
}

#[test]
fn sprawl_and_swarm_on_a_private_daemon() {
    require_docker!();
    let Some(daemon) = PrivateDaemon::start("swarm") else {
        eprintln!("skipped: TB_TEST_DOCKER_ENV_SCRIPT unset or a private daemon did not start");
        return;
    };
    let host = daemon.host.clone();
    let tmp = tempfile::tempdir().unwrap();
    let rootfs = rootfs_tar(tmp.path());
    // The daemon imported TB_TEST_IMAGE; one container (created, never started) uses it.
    docker(&host, &["import", rootfs.to_str().unwrap(), "unused/img:1"]);
    docker(&host, &["create", "--name", "idle", &test_image(), "true"]);

    // Without --all-containers the full container list still counts the stopped container.
    let doc = scan_json(&host, &["scan", "--select", "6,7"]);
    let (v, e) = verdict(&doc, "ops-image-sprawl");
    assert_eq!(v, "warn", "{e}");
    assert!(
        e.starts_with("1 of 2 local images are not used by any of the 1 containers, running or not: unused/img:1"),
        "{e}"
    );
    let (v, e) = verdict(&doc, "ops-container-sprawl");
    assert_eq!(v, "warn");
    assert_eq!(e, "1 containers, 0 running, 1 not running: idle (created)");
    for r in doc["results"].as_array().unwrap() {
        if r["id"].as_str().unwrap().starts_with("7.") {
            assert_eq!(r["verdict"], "skip", "{r}");
        }
    }

    docker(&host, &["swarm", "init", "--advertise-addr", "127.0.0.1"]);
    docker(
        &host,
        &[
            "network",
            "create",
            "--driver",
            "overlay",
            "--opt",
            "encrypted",
            "secure",
        ],
    );
    docker(
        &host,
        &["network", "create", "--driver", "overlay", "plain"],
    );
    let secret = tmp.path().join("secret");
    std::fs::write(&secret, "hunter2").unwrap();
    docker(
        &host,
        &["secret", "create", "db_password", secret.to_str().unwrap()],
    );

    let doc = scan_json(&host, &["scan", "--select", "7"]);
    let expect = [
        ("swarm-manager-count", "pass"),
        ("swarm-bind-interface", "fail"),
        ("swarm-overlay-encrypted", "fail"),
        ("swarm-secrets", "pass"),
        ("swarm-autolock", "fail"),
        ("swarm-autolock-key-rotation", "skip"),
        ("swarm-node-cert-rotation", "pass"),
        ("swarm-ca-cert-rotation", "warn"),
        ("swarm-plane-separation", "fail"),
    ];
    for (slug, want) in expect {
        let (v, e) = verdict(&doc, slug);
        assert_eq!(v, want, "{slug}: {e}");
    }
    assert!(
        verdict(&doc, "swarm-bind-interface")
            .1
            .contains("ListenAddr=\"0.0.0.0:2377\"")
    );
    assert_eq!(object(&doc, "swarm-overlay-encrypted", "secure").0, "pass");
    assert_eq!(object(&doc, "swarm-overlay-encrypted", "plain").0, "fail");
    assert!(
        verdict(&doc, "swarm-secrets")
            .1
            .starts_with("1 secrets (db_password)")
    );

    docker(&host, &["swarm", "update", "--autolock=true"]);
    let doc = scan_json(&host, &["scan", "--select", "7.5,7.6"]);
    assert_eq!(verdict(&doc, "swarm-autolock").0, "pass");
    assert_eq!(verdict(&doc, "swarm-autolock-key-rotation").0, "warn");
}
