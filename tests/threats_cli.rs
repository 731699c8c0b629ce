//! `threatbench threats` and `threatbench model` as a user runs them: files are written only
//! when asked, the human-owned model file is never overwritten, and bad model files are clear
//! errors. No Docker daemon needed: facts come from `collect --root` over an empty directory.

mod common_kube;
mod common_sarif;

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

fn tb(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("threatbench")
        .unwrap()
        .current_dir(dir)
        .env_remove("DOCKER_HOST")
        .args(args)
        .output()
        .unwrap()
}

/// A facts bundle of an empty host root (no Docker API queried).
fn bundle(dir: &Path) -> String {
    let root = dir.join("root");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::create_dir_all(root.join("proc")).unwrap();
    std::fs::write(root.join("etc/hostname"), "empty-host\n").unwrap();
    let out = tb(
        dir,
        &[
            "collect",
            "--root",
            root.to_str().unwrap(),
            "-o",
            "facts.json",
        ],
    );
    assert!(
        dir.join("facts.json").exists(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    "facts.json".into()
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn model_init_writes_a_starter_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let out = tb(dir.path(), &["model", "init"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.path().join("threatmodel.yaml");
    let first = std::fs::read_to_string(&path).unwrap();
    assert!(first.contains("schema: threatbench/threatmodel/v1"));
    std::fs::write(&path, "# mine\n").unwrap();
    let again = tb(dir.path(), &["model", "init"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");
    // The starter validates.
    std::fs::write(&path, first).unwrap();
    let check = tb(dir.path(), &["model", "check"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn threats_writes_nothing_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let facts = bundle(dir.path());
    let before = files(dir.path());
    let out = tb(dir.path(), &["threats", "--facts", &facts]);
    assert!(
        matches!(out.status.code(), Some(0) | Some(3)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Attack surfaces × STRIDE"), "{text}");
    assert!(text.contains("component not present"), "{text}");
    assert_eq!(
        files(dir.path()),
        before,
        "a plain run must not write files"
    );

    let out = tb(
        dir.path(),
        &["threats", "--facts", &facts, "--write-discovered"],
    );
    assert!(matches!(out.status.code(), Some(0) | Some(3)));
    let discovered =
        std::fs::read_to_string(dir.path().join("threatmodel.discovered.yaml")).unwrap();
    assert!(
        discovered.contains("schema: threatbench/threatmodel-discovered/v1"),
        "{discovered}"
    );
    assert!(!dir.path().join("threatmodel.yaml").exists());
    // Refuses to write the discovered model over the human-owned file.
    let refused = tb(
        dir.path(),
        &[
            "threats",
            "--facts",
            &facts,
            "--write-discovered",
            "threatmodel.yaml",
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(!dir.path().join("threatmodel.yaml").exists());
}

#[test]
fn default_model_file_is_applied_and_bad_ones_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let facts = bundle(dir.path());
    std::fs::write(
        dir.path().join("threatmodel.yaml"),
        "scope:\n  title: Empty lab\ndecisions:\n  - instance: \"DKR-S-01@flow:nowhere\"\n    status: accepted\n    justification: lab\n",
    )
    .unwrap();
    let out = tb(
        dir.path(),
        &["threats", "--facts", &facts, "--format", "json"],
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["model_applied"], true);
    assert!(doc["orphaned"].as_array().unwrap().iter().any(|n| {
        n["entry"]
            .as_str()
            .unwrap()
            .contains("DKR-S-01@flow:nowhere")
    }));
    // With no Docker visible, Docker threats are unknown or not applicable, never silently gone.
    let absent = doc["absent"].as_array().unwrap();
    assert_eq!(
        absent.len() + doc["threats"].as_array().unwrap().len(),
        threatbench::threats::builtin().threats.len()
    );

    std::fs::write(dir.path().join("broken.yaml"), "decisions: [\n").unwrap();
    let out = tb(
        dir.path(),
        &["threats", "--facts", &facts, "--model", "broken.yaml"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.yaml"));
}

#[test]
fn markdown_document_and_catalog_render() {
    let dir = tempfile::tempdir().unwrap();
    let facts = bundle(dir.path());
    let out = tb(
        dir.path(),
        &[
            "threats",
            "--facts",
            &facts,
            "--no-model",
            "--format",
            "markdown",
        ],
    );
    let doc = String::from_utf8_lossy(&out.stdout);
    for heading in [
        "## 1. Scope and assumptions",
        "```mermaid",
        "## 5. Benchmark summary",
        "## 8. Residual risk",
        "## 9. Model gaps",
    ] {
        assert!(doc.contains(heading), "missing {heading}");
    }
    let cat = tb(dir.path(), &["threats", "catalog", "--format", "markdown"]);
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/threats.md")).unwrap();
    assert_eq!(String::from_utf8_lossy(&cat.stdout), docs);
}

/// `threats --format sarif` is valid SARIF 2.1.0 with a result per exposed or unknown instance,
/// fingerprinted by the instance id.
#[test]
fn threats_sarif_is_schema_valid_with_a_result_per_open_instance() {
    let node = common_kube::NodeRoot::kubeadm_control_plane();
    let run = |format: &str| {
        assert_cmd::cargo::cargo_bin_cmd!("threatbench")
            .env_remove("DOCKER_HOST")
            .args([
                "threats",
                "--no-model",
                "--root",
                node.path().to_str().unwrap(),
                "--format",
                format,
            ])
            .output()
            .unwrap()
            .stdout
    };
    let sarif: serde_json::Value = serde_json::from_slice(&run("sarif")).unwrap();
    let errors = common_sarif::errors(&sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    let doc: serde_json::Value = serde_json::from_slice(&run("json")).unwrap();
    let open: Vec<&str> = doc["threats"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == "exposed" || t["status"] == "unknown")
        .map(|t| t["instance"].as_str().unwrap())
        .collect();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!open.is_empty());
    assert_eq!(results.len(), open.len());
    for r in results {
        let id = r["partialFingerprints"]["threatbench/instance"]
            .as_str()
            .unwrap();
        assert!(open.contains(&id), "{id}");
    }
}

/// threats/v2: every instance's threat and linked checks are described once in `catalogue`, and
/// an instance's mitigation states line up with its threat's mitigations.
#[test]
fn threats_json_names_catalogue_entries_by_id() {
    let node = common_kube::NodeRoot::kubeadm_control_plane();
    let out = tb(
        node.path(),
        &["threats", "--no-model", "--root", ".", "--format", "json"],
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["schema"], "threatbench/threats/v2");
    let catalogue = &doc["catalogue"];
    let instances = doc["threats"].as_array().unwrap();
    assert!(!instances.is_empty());
    for i in instances {
        let threat = &catalogue["threats"][i["threat"].as_str().unwrap()];
        assert_eq!(threat["id"], i["threat"], "{i}");
        assert!(threat["title"].is_string() && threat["scenario"].is_string());
        assert!(i.get("title").is_none() && i.get("scenario").is_none());
        assert_eq!(
            i["mitigations"].as_array().unwrap().len(),
            threat["mitigations"].as_array().unwrap().len(),
            "{i}"
        );
        assert!(i["risk"]["current"]["level"].is_string(), "{i}");
        for c in i["checks"].as_array().unwrap() {
            let known = &catalogue["checks"][c["slug"].as_str().unwrap()];
            assert!(known["benchmark"].is_string(), "{c}");
        }
    }
    // Only threats that have an instance here are described.
    let described = catalogue["threats"].as_object().unwrap();
    assert!(
        described
            .keys()
            .all(|id| instances.iter().any(|i| i["threat"] == *id))
    );
}
