//! The threat model against the private test dockerd (scripts/docker-test-env): real containers
//! become elements, and per-container checks decide each container's threats.
//! Skips (with the reason) when TB_DOCKERD != 1.

use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

fn docker_available() -> bool {
    if std::env::var("TB_DOCKERD").as_deref() != Ok("1") {
        eprintln!("skipping: TB_DOCKERD != 1 (no private dockerd; run scripts/test)");
        return false;
    }
    true
}

fn docker(args: &[&str]) -> String {
    let out = Command::new("docker")
        .args(args)
        .output()
        .expect("docker CLI runs");
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Removes the named containers when dropped, also when an assertion fails.
struct Containers(Vec<String>);
impl Drop for Containers {
    fn drop(&mut self) {
        for c in &self.0 {
            let _ = Command::new("docker").args(["rm", "-f", c]).output();
        }
    }
}

fn threats_json(docker_host: &str) -> Value {
    let out = Command::cargo_bin("threatbench")
        .unwrap()
        .args([
            "threats",
            "--format",
            "json",
            "--all-containers",
            "--no-model",
            "--docker-host",
            docker_host,
        ])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0) | Some(3)),
        "threats failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("threats JSON")
}

fn instance<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["instance"] == id)
        .unwrap_or_else(|| panic!("no instance {id}"))
}

#[test]
fn privileged_and_unlimited_containers_expose_their_own_threats() {
    if !docker_available() {
        return;
    }
    let host = std::env::var("DOCKER_HOST").expect("DOCKER_HOST");
    let image = std::env::var("TB_TEST_IMAGE").expect("TB_TEST_IMAGE");
    let tag = std::process::id();
    let privileged = format!("tb-thr-priv-{tag}");
    let unlimited = format!("tb-thr-nopids-{tag}");
    let _cleanup = Containers(vec![privileged.clone(), unlimited.clone()]);
    // `create` is enough: the facts are the containers' configuration (--all-containers).
    docker(&[
        "create",
        "--pull",
        "never",
        "--name",
        &privileged,
        "--privileged",
        "--pids-limit",
        "100",
        &image,
        "sleep",
        "600",
    ]);
    docker(&[
        "create", "--pull", "never", "--name", &unlimited, &image, "sleep", "600",
    ]);

    let doc = threats_json(&host);
    assert_eq!(doc["schema"], "threatbench/threats/v2");

    // The test daemon runs with --bridge=none: no container shares a bridge with another, so
    // neighbour spoofing on the bridge cannot happen here.
    let s07 = instance(&doc, &format!("DKR-S-07@container:{unlimited}"));
    assert_eq!(s07["status"], "not-applicable", "{s07}");
    assert!(
        s07["why"].as_str().unwrap().contains("bridge driver"),
        "{s07}"
    );

    let e = instance(&doc, &format!("DKR-E-01@container:{privileged}"));
    assert_eq!(e["status"], "exposed");
    // What the catalogue says of the threat is written once, in `catalogue`.
    let threat = &doc["catalogue"]["threats"]["DKR-E-01"];
    assert_eq!(e["threat"], "DKR-E-01");
    assert_eq!(threat["component"], "container");
    assert_eq!(threat["stride"], "elevation-of-privilege");
    let why = e["why"].as_str().unwrap();
    assert!(
        why.contains("Privileged=true") && why.contains("5.5 (container-privileged) fails"),
        "{why}"
    );
    assert_eq!(e["risk"]["inherent"]["level"], "critical");
    assert!(
        e["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["slug"] == "container-privileged" && c["verdict"] == "fail")
    );
    assert_eq!(
        doc["catalogue"]["checks"]["container-privileged"]["id"],
        "5.5"
    );
    assert!(
        threat["attack"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "T1611")
    );
    let states = e["mitigations"].as_array().unwrap();
    assert_eq!(
        states.len(),
        threat["mitigations"].as_array().unwrap().len()
    );
    assert_eq!(
        instance(&doc, &format!("DKR-E-01@container:{unlimited}"))["checks"][0]["verdict"],
        "pass"
    );

    let d = instance(&doc, &format!("DKR-D-01@container:{unlimited}"));
    assert_eq!(d["status"], "exposed");
    let why = d["why"].as_str().unwrap();
    assert!(
        why.contains("PidsLimit") && why.contains("5.29 (container-pids-limit) fails"),
        "{why}"
    );
    assert_eq!(d["risk"]["current"]["level"], "high");
    assert_eq!(d["risk"]["projected"]["level"], "medium");
    let p = instance(&doc, &format!("DKR-D-01@container:{privileged}"));
    assert_eq!(p["status"], "mitigated", "{}", p["why"]);

    // The elements and the fix-first list know the containers.
    assert!(
        doc["elements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == format!("container:{privileged}")
                && e["properties"]["privileged"] == "true")
    );
    let fix = doc["fix_first"].as_array().unwrap();
    assert!(fix.iter().any(|f| {
        f["slug"] == "container-pids-limit"
            && f["instances"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| *i == format!("DKR-D-01@container:{unlimited}"))
    }));

    // `scan` names the threats each failed check leaves exposed.
    let out = Command::cargo_bin("threatbench")
        .unwrap()
        .args([
            "scan",
            "--format",
            "json",
            "--all-containers",
            "--no-model",
            "--docker-host",
            &host,
        ])
        .output()
        .unwrap();
    let scan: Value = serde_json::from_slice(&out.stdout).expect("scan JSON");
    let pids = scan["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["slug"] == "container-pids-limit")
        .unwrap();
    assert!(
        pids["threats"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| *t == format!("DKR-D-01@container:{unlimited}"))
    );
}

#[test]
fn tcp_listener_without_tls_becomes_an_unencrypted_exposed_flow() {
    if !docker_available() {
        return;
    }
    let script = std::env::var("TB_TEST_DOCKER_ENV_SCRIPT").expect("TB_TEST_DOCKER_ENV_SCRIPT");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = format!("/tmp/tb-thr-tcp-{}", std::process::id());
    struct Daemon<'a>(&'a str, &'a str);
    impl Drop for Daemon<'_> {
        fn drop(&mut self) {
            let _ = Command::new("bash")
                .arg(self.0)
                .arg("stop")
                .env("TB_TEST_DIR", self.1)
                .output();
        }
    }
    let _stop = Daemon(&script, &dir);
    let listener = format!("tcp://127.0.0.1:{port}");
    let started = Command::new("bash")
        .args([script.as_str(), "start", "--", "-H", &listener])
        .env("TB_TEST_DIR", &dir)
        .output()
        .unwrap();
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );

    let doc = threats_json(&format!("unix://{dir}/docker.sock"));
    let s = instance(&doc, "DKR-S-01@flow:docker-client->dockerd");
    assert_eq!(s["status"], "exposed");
    let why = s["why"].as_str().unwrap();
    assert!(
        why.contains(&listener) && why.contains("2.7 (daemon-tls-on-tcp) fails"),
        "{why}"
    );
    let flow = doc["elements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "flow:docker-client->dockerd")
        .unwrap();
    assert_eq!(flow["properties"]["encrypted"], "no");
    assert_eq!(flow["properties"]["authenticated"], "no");
    assert_eq!(flow["from"], "ee:docker-client");
    assert_eq!(flow["to"], "process:dockerd");
}
