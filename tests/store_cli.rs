//! The history store as a user runs it, on SQLite: scans recorded by default (where the stderr
//! line says), `--no-store`, a store that cannot be written (a warning; the report and the exit
//! code unchanged), `history`, `diff` (fixed and new findings, `--fail-on-new`) and `fleet`
//! across two hosts. The hosts are kubeadm control-plane roots (common_kube), one flag changed
//! between scans as a person would fix it.

mod common_kube;

use std::path::Path;
use std::process::Output;

use serde_json::Value;

fn tb(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("threatbench");
    cmd.env_remove("DOCKER_HOST")
        .env_remove("THREATBENCH_STORE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.args(args).output().unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// A kubeadm control plane named `name`, its API server profiling on or off.
fn node(name: &str) -> common_kube::NodeRoot {
    let n = common_kube::NodeRoot::kubeadm_control_plane();
    n.write("/etc/hostname", 0o644, &format!("{name}\n"));
    n
}

fn profiling(n: &common_kube::NodeRoot, on: bool) {
    let mut flags = common_kube::apiserver_flags();
    flags.retain(|f| !f.starts_with("--profiling"));
    flags.push(format!("--profiling={on}"));
    n.manifest("kube-apiserver", &flags);
}

fn scan(n: &common_kube::NodeRoot, store: &Path) -> Output {
    let out = tb(
        &[
            "scan",
            "--root",
            n.path().to_str().unwrap(),
            "--format",
            "json",
            "--store",
            store.to_str().unwrap(),
        ],
        &[],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("recorded as scan"), "{err}");
    out
}

/// `diff` of host cp-1's last two scans, as JSON, failing on any new finding.
fn diff_json(store: &str) -> Output {
    tb(
        &[
            "diff",
            "--host",
            "cp-1",
            "--format",
            "json",
            "--fail-on-new",
            "low",
            "--store",
            store,
        ],
        &[],
    )
}

fn fixed_profiling(diff: &Value) -> Option<&Value> {
    diff["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["slug"] == "k8s-apiserver-profiling-disabled")
}

#[test]
fn history_and_diff_name_what_was_fixed_and_what_is_new() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("history.db");
    let s = store.to_str().unwrap();
    let n = node("cp-1");
    profiling(&n, true);
    scan(&n, &store);
    profiling(&n, false);
    scan(&n, &store);

    let history = json(&tb(
        &[
            "history", "--host", "cp-1", "--format", "json", "--store", s,
        ],
        &[],
    ));
    assert_eq!(history["schema"], "threatbench/history/v1");
    let scans = history["scans"].as_array().unwrap();
    assert_eq!(scans.len(), 2);
    assert!(
        scans[0]["id"].as_i64() > scans[1]["id"].as_i64(),
        "newest first"
    );
    assert!(scans[0]["summary"]["fail"].as_u64().unwrap() > 0);
    assert!(scans[0]["exposed_threats"].is_u64());

    // The last two scans of the host: the profiling finding was fixed.
    let out = diff_json(s);
    assert_eq!(out.status.code(), Some(0), "nothing new");
    let diff = json(&out);
    assert_eq!(diff["schema"], "threatbench/diff/v1");
    assert_eq!(diff["old"]["id"], scans[1]["id"]);
    assert_eq!(diff["new"]["id"], scans[0]["id"]);
    let f = fixed_profiling(&diff).expect("the profiling check changed");
    assert_eq!(f["change"], "fixed");
    assert_eq!(
        (f["from"].as_str(), f["to"].as_str()),
        (Some("fail"), Some("pass"))
    );
    assert_eq!(f["object"], Value::Null);
    assert_eq!(f["benchmark"], "cis-kubernetes-1.12");

    // Turned back on: a new finding, and --fail-on-new fails the CI job.
    profiling(&n, true);
    scan(&n, &store);
    let out = diff_json(s);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(fixed_profiling(&json(&out)).unwrap()["change"], "new");
    // By ids, and as a document.
    let (a, b) = (scans[1]["id"].to_string(), scans[0]["id"].to_string());
    let md = tb(&["diff", &a, &b, "--format", "markdown", "--store", s], &[]);
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.contains("| fixed |") && md.contains("k8s-apiserver-profiling-disabled"),
        "{md}"
    );
    let table = tb(&["diff", &a, &b, "--store", s], &[]);
    assert!(String::from_utf8_lossy(&table.stdout).contains("1 fixed"));
    // A diff needs two scans of the host.
    let out = tb(&["diff", "--host", "nowhere", "--store", s], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("0 scan(s) of host nowhere"));
}

#[test]
fn fleet_lists_each_hosts_newest_scan_and_what_most_hosts_share() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("fleet.db");
    let s = store.to_str().unwrap();
    let (a, b) = (node("cp-a"), node("cp-b"));
    profiling(&a, true);
    profiling(&b, true);
    scan(&a, &store);
    scan(&a, &store);
    scan(&b, &store);
    let fleet = json(&tb(&["fleet", "--format", "json", "--store", s], &[]));
    assert_eq!(fleet["schema"], "threatbench/fleet/v1");
    let hosts = fleet["hosts"].as_array().unwrap();
    let names: Vec<&str> = hosts.iter().map(|h| h["host"].as_str().unwrap()).collect();
    assert_eq!(names, ["cp-a", "cp-b"]);
    assert_eq!(hosts[0]["last_scan"]["id"], 2, "cp-a's newest scan");
    let profiling = fleet["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == "k8s-apiserver-profiling-disabled")
        .unwrap();
    assert_eq!(profiling["hosts_failing"], 2);
    assert!(
        fleet["threats"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["hosts"].as_u64().unwrap() >= 1 && t["title"].is_string())
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let stale = json(&tb(
        &["fleet", "--since", "1s", "--format", "json", "--store", s],
        &[],
    ));
    assert_eq!(stale["not_seen_since"].as_array().unwrap().len(), 2);
    let table = String::from_utf8_lossy(&tb(&["fleet", "--store", s], &[]).stdout).to_string();
    assert!(
        table.contains("2 host(s)") && table.contains("Checks failing on the most hosts"),
        "{table}"
    );
}

/// `scan --facts` of a bundle collected on another host records that host.
#[test]
fn a_facts_bundle_is_recorded_as_the_host_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let n = node("bundle-host");
    let bundle = dir.path().join("facts.json");
    tb(
        &[
            "collect",
            "--root",
            n.path().to_str().unwrap(),
            "-o",
            bundle.to_str().unwrap(),
        ],
        &[],
    );
    let store = dir.path().join("h.db");
    let s = store.to_str().unwrap();
    tb(
        &["scan", "--facts", bundle.to_str().unwrap(), "--store", s],
        &[],
    );
    let history = json(&tb(&["history", "--format", "json", "--store", s], &[]));
    assert_eq!(history["scans"][0]["host"], "bundle-host");
    assert_eq!(history["scans"][0]["target"], "facts");
}

#[test]
fn default_store_no_store_and_a_store_that_cannot_be_written() {
    let dir = tempfile::tempdir().unwrap();
    let n = node("cp-1");
    let root = n.path().to_str().unwrap();
    let xdg = dir.path().join("xdg");
    let out = tb(
        &["scan", "--root", root, "--format", "json"],
        &[("XDG_DATA_HOME", &xdg)],
    );
    let default = xdg.join("threatbench/history.db");
    assert!(default.exists());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("recorded as scan 1 in {}", default.display())),
        "{err}"
    );
    let code = out.status.code();

    // --no-store wins over THREATBENCH_STORE.
    let other = dir.path().join("other.db");
    let out = tb(
        &["threats", "--root", root, "--no-store"],
        &[("THREATBENCH_STORE", &other), ("XDG_DATA_HOME", &xdg)],
    );
    assert!(matches!(out.status.code(), Some(0 | 3)), "{out:?}");
    assert!(!other.exists());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("recorded"));

    // A store that cannot be opened: a warning naming it; the report and exit code stay.
    let bad = dir.path().join("a-file");
    std::fs::write(&bad, "not a directory").unwrap();
    let bad_store = bad.join("history.db");
    let out = tb(
        &[
            "scan",
            "--root",
            root,
            "--format",
            "json",
            "--store",
            bad_store.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), code);
    let doc = json(&out);
    assert_eq!(doc["schema"], "threatbench/scan/v1");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning") && err.contains(bad_store.to_str().unwrap()),
        "{err}"
    );
}
