//! `threatbench scan` on Kubernetes node roots: JSON verdicts, the --benchmark filter, exit
//! codes for CI (kube-bench exits 0 on failures; we exit 1 with --fail-on), version warnings.

mod common_kube;

use assert_cmd::Command;
use common_kube::*;

fn scan(root: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("threatbench")
        .unwrap()
        .args(["scan", "--root"])
        .arg(root)
        .args(args)
        .env_remove("DOCKER_HOST")
        .output()
        .unwrap()
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn kubernetes_benchmark_scan_reports_every_check_with_evidence_and_exits_for_ci() {
    let n = NodeRoot::kubeadm_control_plane();
    let out = scan(
        n.path(),
        &["--benchmark", "cis-kubernetes-1.12", "--format", "json"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out);
    assert_eq!(doc["target"]["kubernetes_version"], "v1.33.1");
    assert_eq!(doc["complete"], true, "{}", doc["incomplete"]);
    let results = doc["results"].as_array().unwrap();
    // 97 node items plus 34 cluster items of CIS 1.12, plus our 2 Kubernetes checks.
    assert_eq!(results.len(), 131 + 2);
    assert!(
        results
            .iter()
            .all(|r| r["evidence"].as_str().is_some_and(|e| !e.is_empty()))
    );
    let verdict = |id: &str| {
        results
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["verdict"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(verdict("1.2.15"), "fail");
    assert_eq!(verdict("4.2.1"), "pass");
    // CI: failures of high severity (1.2.5, 1.2.16 ...) give exit code 1.
    let out = scan(
        n.path(),
        &["--benchmark", "cis-kubernetes-1.12", "--fail-on", "high"],
    );
    assert_eq!(out.status.code(), Some(1));
    // Numeric selection reads Kubernetes ids once the benchmark is chosen.
    let out = scan(
        n.path(),
        &[
            "--benchmark",
            "cis-kubernetes-1.12",
            "--select",
            "1.2.15",
            "--format",
            "json",
        ],
    );
    let doc = json(&out);
    assert_eq!(doc["results"].as_array().unwrap().len(), 1);
    assert_eq!(
        doc["results"][0]["slug"],
        "k8s-apiserver-profiling-disabled"
    );
    // Without --benchmark, an edition-qualified id selects a Kubernetes check.
    let out = scan(
        n.path(),
        &["--select", "cis-kubernetes-1.12/4.2.1", "--format", "json"],
    );
    let doc = json(&out);
    assert_eq!(doc["results"].as_array().unwrap().len(), 1);
    assert_eq!(
        doc["results"][0]["slug"],
        "k8s-kubelet-anonymous-auth-disabled"
    );
}

#[test]
fn cluster_dump_flag_and_version_warnings() {
    let n = NodeRoot::kubeadm_worker();
    let out = scan(
        n.path(),
        &[
            "--benchmark",
            "cis-kubernetes-1.12",
            "--select",
            "4.2",
            "--format",
            "json",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Kubernetes version unknown"), "{stderr}");
    let out = scan(
        n.path(),
        &[
            "--benchmark",
            "cis-kubernetes-1.12",
            "--select",
            "4.2",
            "--k8s-version",
            "v1.29.4",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("v1.29.4 (--k8s-version) is outside"),
        "{stderr}"
    );
    let out = scan(n.path(), &["--k8s-version", "banana"]);
    assert_eq!(out.status.code(), Some(2));
    let out = scan(n.path(), &["--cluster-dump", "/nonexistent-dump-dir"]);
    assert_eq!(out.status.code(), Some(2));
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("pods.json"),
        r#"{"kind":"List","items":[{"kind":"Pod","metadata":{"name":"p","namespace":"app"},"spec":{"containers":[{"name":"c","securityContext":{"privileged":true}}]}}]}"#,
    )
    .unwrap();
    let out = Command::cargo_bin("threatbench")
        .unwrap()
        .args(["scan", "--root"])
        .arg(n.path())
        .args([
            "--benchmark",
            "cis-kubernetes-1.12",
            "--select",
            "5.2.2",
            "--format",
            "json",
            "--cluster-dump",
        ])
        .arg(d.path())
        .output()
        .unwrap();
    let doc = json(&out);
    assert_eq!(doc["results"][0]["verdict"], "fail");
    assert_eq!(doc["results"][0]["objects"][0]["name"], "pod app/p");
}

#[test]
fn plain_scan_of_a_docker_host_keeps_kubernetes_checks_quiet() {
    let n = NodeRoot::empty();
    let out = scan(n.path(), &["--format", "json"]);
    let doc = json(&out);
    let kube: Vec<&serde_json::Value> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["benchmark"] == "cis-kubernetes-1.12")
        .collect();
    assert!(kube.len() > 100);
    assert!(
        kube.iter().all(|r| r["verdict"] == "skip"),
        "a Kubernetes check did not skip"
    );
}

#[test]
fn collected_bundle_scans_like_the_root() {
    let n = NodeRoot::kubeadm_control_plane();
    let bundle = tempfile::NamedTempFile::new().unwrap();
    let out = Command::cargo_bin("threatbench")
        .unwrap()
        .args(["collect", "--root"])
        .arg(n.path())
        .arg("--output")
        .arg(bundle.path())
        .output()
        .unwrap();
    assert!(bundle.path().metadata().unwrap().len() > 0, "{out:?}");
    let args = ["--benchmark", "cis-kubernetes-1.12", "--format", "json"];
    let from_root = json(&scan(n.path(), &args));
    let from_bundle = json(
        &Command::cargo_bin("threatbench")
            .unwrap()
            .args(["scan", "--facts"])
            .arg(bundle.path())
            .args(args)
            .output()
            .unwrap(),
    );
    let verdicts = |d: &serde_json::Value| -> Vec<(String, String)> {
        d["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["id"].to_string(), r["verdict"].to_string()))
            .collect()
    };
    assert_eq!(verdicts(&from_root), verdicts(&from_bundle));
}

/// Kubernetes picks its edition by the detected version as kube-bench does: v2.0 from 1.34,
/// v1.12 below; the JSON and the table say which and why, the verdicts do not change, and an
/// explicit --benchmark wins.
#[test]
fn kubernetes_edition_follows_the_version_and_keeps_the_verdicts() {
    let n = NodeRoot::kubeadm_control_plane();
    let v134 = json(&scan(
        n.path(),
        &["--k8s-version", "v1.34.2", "--format", "json"],
    ));
    let v133 = json(&scan(n.path(), &["--format", "json"]));
    let kube_choice = |doc: &serde_json::Value| {
        doc["benchmark_choice"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["edition"].as_str().unwrap().starts_with("cis-kubernetes"))
            .cloned()
            .unwrap_or_else(|| panic!("no Kubernetes choice: {}", doc["benchmark_choice"]))
    };
    let c134 = kube_choice(&v134);
    assert_eq!(c134["edition"], "cis-kubernetes-2.0");
    assert!(c134["reason"].as_str().unwrap().contains("1.34"), "{c134}");
    assert_eq!(kube_choice(&v133)["edition"], "cis-kubernetes-1.12");
    let kube = |doc: &serde_json::Value, edition: &str| -> Vec<(String, String, String)> {
        doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["benchmark"] == edition)
            .map(|r| {
                (
                    r["id"].as_str().unwrap().to_string(),
                    r["slug"].as_str().unwrap().to_string(),
                    r["verdict"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let (a, b) = (
        kube(&v134, "cis-kubernetes-2.0"),
        kube(&v133, "cis-kubernetes-1.12"),
    );
    assert_eq!(a.len(), 131);
    // Same ids and verdicts, except where the version itself is evidence (k8s.1 is ours).
    assert_eq!(a, b);
    let forced = json(&scan(
        n.path(),
        &[
            "--k8s-version",
            "v1.34.2",
            "--benchmark",
            "cis-kubernetes-1.12",
            "--format",
            "json",
        ],
    ));
    assert_eq!(kube_choice(&forced)["edition"], "cis-kubernetes-1.12");
    assert_eq!(kube_choice(&forced)["reason"], "--benchmark");
    let table = scan(
        n.path(),
        &[
            "--k8s-version",
            "v1.34.2",
            "--select",
            "cis-kubernetes-2.0/1.2.29",
        ],
    );
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("CIS Kubernetes Benchmark v2.0: Kubernetes 1.34"),
        "{text}"
    );
}

/// The edition follows the version the node itself shows (the static pods' image tags), with
/// no --k8s-version: a kubeadm v1.34 control plane is scanned with v2.0, the v1.33 one with
/// v1.12, and the header and JSON say so.
#[test]
fn kubernetes_edition_from_the_fixture_image_tags() {
    let n = NodeRoot::kubeadm_control_plane();
    let manifests = n.path().join("etc/kubernetes/manifests");
    for entry in std::fs::read_dir(&manifests).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace(VERSION, "v1.34.1")).unwrap();
    }
    let doc = json(&scan(n.path(), &["--format", "json"]));
    assert_eq!(doc["target"]["kubernetes_version"], "v1.34.1");
    let choice = kubernetes_choice(&doc);
    assert_eq!(choice["edition"], "cis-kubernetes-2.0");
    assert!(
        choice["reason"]
            .as_str()
            .unwrap()
            .contains("Kubernetes 1.34"),
        "{choice}"
    );
    let kube: Vec<&serde_json::Value> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["benchmark"] == "cis-kubernetes-2.0")
        .collect();
    assert_eq!(kube.len(), 131);
    let table = scan(n.path(), &["--select", "cis-kubernetes-2.0/1.2.29"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("CIS Kubernetes Benchmark v2.0: Kubernetes 1.34"),
        "{text}"
    );
    assert!(text.contains("1.2.29"), "{text}");
    // Past v2.0's scope (1.34–1.35) the newest edition still applies, with a warning.
    let out = scan(n.path(), &["--k8s-version", "v1.36.0", "--format", "json"]);
    let doc = json(&out);
    let kube = kubernetes_choice(&doc);
    assert_eq!(kube["edition"], "cis-kubernetes-2.0");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("v1.36.0") && stderr.contains("outside CIS Kubernetes Benchmark v2.0"),
        "{stderr}"
    );
}

/// The Kubernetes entry of a scan's `benchmark_choice`.
fn kubernetes_choice(doc: &serde_json::Value) -> serde_json::Value {
    doc["benchmark_choice"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["edition"].as_str().unwrap().starts_with("cis-kubernetes"))
        .cloned()
        .expect("a Kubernetes edition choice")
}

/// `scan --format sarif` on a kubeadm node: a failing flag of a static pod points at its
/// manifest and the line of the flag (or the manifest alone when the flag is absent); the
/// kubelet's config keys at config.yaml; file objects at their paths.
#[test]
fn sarif_points_at_manifests_config_files_and_files() {
    let node = common_kube::NodeRoot::kubeadm_control_plane();
    // A profiling flag on the API server (1.2.15 wants --profiling=false).
    let mut flags = common_kube::apiserver_flags();
    flags.retain(|f| !f.starts_with("--profiling"));
    flags.push("--profiling=true".into());
    node.manifest("kube-apiserver", &flags);
    let out = scan(node.path(), &["--format", "sarif"]);
    let sarif = json(&out);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let physical: Vec<(&str, &serde_json::Value)> = results
        .iter()
        .filter_map(|r| {
            let p = &r["locations"][0]["physicalLocation"];
            (!p.is_null()).then(|| (r["ruleId"].as_str().unwrap(), p))
        })
        .collect();
    let manifest = "/etc/kubernetes/manifests/kube-apiserver.yaml";
    let (_, profiling) = physical
        .iter()
        .find(|(_, p)| {
            p["artifactLocation"]["uri"] == format!("file://{manifest}")
                && p["region"]["startLine"].is_u64()
        })
        .unwrap_or_else(|| panic!("a manifest line: {physical:#?}"));
    let line = profiling["region"]["startLine"].as_u64().unwrap() as usize;
    let text = std::fs::read_to_string(node.path().join(manifest.trim_start_matches('/'))).unwrap();
    let at = text.lines().nth(line - 1).unwrap();
    assert!(at.contains("--"), "line {line} is a flag: {at}");
    assert!(
        physical.iter().any(|(_, p)| p["artifactLocation"]["uri"]
            .as_str()
            .is_some_and(|u| u.ends_with("/var/lib/kubelet/config.yaml"))),
        "{physical:#?}"
    );
}
