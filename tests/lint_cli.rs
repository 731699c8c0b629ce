//! `threatbench lint` end to end: the binary on the fixture project (tests/fixtures/lint, written
//! for these tests), every output format, exit codes, stdin, suppressions and configuration.

mod common_sarif;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint")
}

/// `threatbench lint ARGS` run from the fixture directory (so paths read `project/...`).
fn lint(args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("threatbench")
        .unwrap()
        .current_dir(fixtures())
        .arg("lint")
        .args(args)
        .assert()
}

fn json(args: &[&str]) -> (Value, i32) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = lint(&all).get_output().clone();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, out.status.code().unwrap_or(-1))
}

/// (path, line, column, slug) of every finding.
fn located(v: &Value) -> Vec<(String, u64, u64, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["slug"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(v: &Value, path: &str, line: u64, column: u64, slug: &str) -> bool {
    located(v)
        .iter()
        .any(|f| f.0 == path && f.1 == line && f.2 == column && f.3 == slug)
}

#[test]
fn json_document_has_files_kinds_locations_and_ids() {
    let (v, code) = json(&["project"]);
    assert_eq!(v["schema"], "threatbench/lint/v1");
    assert_eq!(code, 3, "broken.yaml makes the run incomplete");
    assert_eq!(v["complete"], false);
    let kinds: Vec<(String, String)> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (path, kind) in [
        ("project/app/Dockerfile", "dockerfile"),
        ("project/compose/docker-compose.yml", "compose"),
        ("project/k8s/app.yaml", "kubernetes"),
        ("project/k8s/list.json", "kubernetes"),
        ("project/docs/mkdocs.yml", "unknown"),
    ] {
        assert!(
            kinds.contains(&(path.to_string(), kind.to_string())),
            "{path} as {kind}: {kinds:?}"
        );
    }
    let broken = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "project/k8s/broken.yaml")
        .unwrap();
    assert_eq!(broken["error_line"], 7);
    assert!(
        broken["error"].as_str().unwrap().contains("':'"),
        "{broken}"
    );
    let ok = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "project/app/Dockerfile")
        .unwrap();
    assert_eq!(ok["error"], Value::Null);

    // Findings sit on the offending key or instruction.
    for (path, line, col, slug) in [
        ("project/app/Dockerfile", 1, 1, "container-user-not-root"),
        ("project/app/Dockerfile", 2, 5, "image-no-secrets"),
        ("project/app/Dockerfile", 3, 5, "dockerfile-curl-pipe-shell"),
        ("project/app/Dockerfile", 6, 1, "suppression-without-reason"),
        (
            "project/compose/docker-compose.yml",
            4,
            5,
            "container-privileged",
        ),
        (
            "project/compose/docker-compose.yml",
            7,
            9,
            "container-docker-socket-mount",
        ),
        (
            "project/compose/docker-compose.yml",
            9,
            9,
            "container-ports-bound-to-interface",
        ),
        ("project/k8s/app.yaml", 8, 3, "yaml-duplicate-key"),
        ("project/k8s/app.yaml", 14, 11, "k8s-pod-host-path"),
        ("project/k8s/app.yaml", 20, 13, "k8s-pod-privileged"),
        ("project/k8s/app.yaml", 35, 17, "k8s-rbac-wildcard"),
        ("project/k8s/list.json", 10, 9, "k8s-pod-host-pid"),
    ] {
        assert!(has(&v, path, line, col, slug), "{path}:{line}:{col} {slug}");
    }
    let privileged = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["slug"] == "k8s-pod-privileged")
        .unwrap();
    assert_eq!(privileged["id"], "5.2.2");
    assert_eq!(privileged["severity"], "critical");
    assert_eq!(privileged["object"], "Deployment/shop/web");
    assert!(!privileged["fix"].as_str().unwrap().is_empty());
    let user = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["slug"] == "container-user-not-root")
        .unwrap();
    assert_eq!(user["id"], "4.1");
    assert_eq!(user["severity"], "high");
    // The secret is masked everywhere in the output.
    assert!(!v.to_string().contains("ghp_0123456789abcdef"));
    // The healthy compose service has no findings.
    assert!(
        !v.to_string().contains("service \\\"web\\\""),
        "web is hardened"
    );
    assert!(
        v["summary"]["skipped"].as_u64().unwrap() >= 2,
        "mkdocs.yml and README.md"
    );
}

#[test]
fn suppressions_silence_with_their_reason_and_missing_reasons_are_findings() {
    let (v, _) = json(&["project"]);
    let suppressed: Vec<(String, Value)> = v["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["slug"].as_str().unwrap().to_string(), s["reason"].clone()))
        .collect();
    assert!(suppressed.contains(&(
        "dockerfile-sudo".into(),
        Value::from("build-time only, removed below")
    )));
    assert!(suppressed.contains(&("image-copy-not-add".into(), Value::Null)));
    assert!(suppressed.contains(&(
        "k8s-rbac-cluster-admin-binding".into(),
        Value::from("break-glass account, reviewed quarterly")
    )));
    let slugs: Vec<String> = located(&v).into_iter().map(|f| f.3).collect();
    assert!(!slugs.contains(&"dockerfile-sudo".to_string()));
    assert!(!slugs.contains(&"k8s-rbac-cluster-admin-binding".to_string()));
}

#[test]
fn exit_codes_follow_fail_on_and_incompleteness() {
    lint(&["project/app", "project/compose"]).code(0);
    lint(&["project/app", "--fail-on", "high"]).code(1);
    // The Dockerfile's worst finding is high: a critical threshold is not reached.
    lint(&["project/app", "--fail-on", "critical"]).code(0);
    // A parse error wins over findings.
    lint(&["project", "--fail-on", "low"]).code(3);
    lint(&["project/app", "--fail-on", "urgent"]).code(2);
    lint(&["project/app", "--select", "no-such-rule"]).code(2);
    lint(&["/nonexistent/threatbench-lint"]).code(3);
}

#[test]
fn select_ignore_and_config_file() {
    let (v, _) = json(&["project/k8s/app.yaml", "--select", "5.2"]);
    let slugs: Vec<String> = located(&v).into_iter().map(|f| f.3).collect();
    assert!(slugs.iter().all(|s| s.starts_with("k8s-pod-")), "{slugs:?}");
    assert!(slugs.contains(&"k8s-pod-privileged".to_string()));

    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("vendor")).unwrap();
    std::fs::copy(
        fixtures().join("project/app/Dockerfile"),
        dir.path().join("Dockerfile"),
    )
    .unwrap();
    std::fs::copy(
        fixtures().join("project/app/Dockerfile"),
        dir.path().join("vendor/Dockerfile"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".threatbench.yaml"),
        "ignore: [image-healthcheck, \"dockerfile-*\"]\nseverity:\n  container-user-not-root: critical\nskip: [vendor]\n",
    )
    .unwrap();
    let out = Command::cargo_bin("threatbench")
        .unwrap()
        .current_dir(dir.path())
        .args(["lint", "--format", "json", "."])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let found = located(&v);
    assert!(
        found.iter().all(|f| f.0 == "Dockerfile"),
        "vendor skipped: {found:?}"
    );
    assert!(
        found
            .iter()
            .all(|f| f.3 != "image-healthcheck" && !f.3.starts_with("dockerfile-")),
        "{found:?}"
    );
    let user = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["slug"] == "container-user-not-root")
        .unwrap();
    assert_eq!(user["severity"], "critical", "severity override");
    // --no-config brings the ignored rules back; a bad config is a usage error.
    let out = Command::cargo_bin("threatbench")
        .unwrap()
        .current_dir(dir.path())
        .args(["lint", "--format", "json", "--no-config", "Dockerfile"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("image-healthcheck"));
    std::fs::write(dir.path().join("bad.yaml"), "ignroe: [x]\n").unwrap();
    Command::cargo_bin("threatbench")
        .unwrap()
        .current_dir(dir.path())
        .args(["lint", "--config", "bad.yaml", "Dockerfile"])
        .assert()
        .code(2);
}

#[test]
fn stdin_with_kind() {
    let out = Command::cargo_bin("threatbench")
        .unwrap()
        .args(["lint", "--format", "json", "--kind", "dockerfile", "-"])
        .write_stdin("FROM alpine:3.20\nUSER 0:0\n")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["files"][0]["path"], "<stdin>");
    assert_eq!(v["files"][0]["kind"], "dockerfile");
    assert!(has(&v, "<stdin>", 2, 1, "container-user-not-root"));
    // Kubernetes YAML from stdin is detected without --kind.
    let out = Command::cargo_bin("threatbench")
        .unwrap()
        .args(["lint", "--format", "json", "-"])
        .write_stdin("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n  hostNetwork: on\n  containers: []\n")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(has(&v, "<stdin>", 5, 3, "k8s-pod-host-network"), "{v}");
}

#[test]
fn binary_and_unknown_files_are_skipped_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), b"FROM x\0\x01\x02").unwrap();
    std::fs::write(dir.path().join("values.yaml"), "replicas: 2\n").unwrap();
    let out = Command::cargo_bin("threatbench")
        .unwrap()
        .args(["lint", "--format", "json"])
        .arg(dir.path())
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert!(files[0]["skipped"].as_str().unwrap().contains("binary"));
    assert_eq!(files[1]["kind"], "unknown");
    assert!(v["findings"].as_array().unwrap().is_empty());
}

#[test]
fn sarif_is_valid_against_the_2_1_0_schema_and_carries_rule_metadata() {
    let out = lint(&["--format", "sarif", "project"])
        .code(3)
        .get_output()
        .stdout
        .clone();
    let sarif: Value = serde_json::from_slice(&out).unwrap();
    let validator = common_sarif::validator();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The validator does reject what the schema forbids.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    broken["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert_eq!(validator.iter_errors(&broken).count(), 2);

    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let privileged = rules
        .iter()
        .find(|r| r["id"] == "k8s-pod-privileged")
        .unwrap();
    assert_eq!(privileged["name"], "K8sPodPrivileged");
    assert_eq!(privileged["properties"]["security-severity"], "9.5");
    for key in ["shortDescription", "fullDescription", "help"] {
        assert!(
            privileged[key]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
            "{key}"
        );
    }
    assert!(
        privileged["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Remediation")
    );
    let results = run["results"].as_array().unwrap();
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "k8s-pod-privileged")
        .unwrap();
    assert_eq!(r["level"], "error");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "project/k8s/app.yaml"
    );
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        20
    );
    assert_eq!(
        rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "k8s-pod-privileged"
    );
    let suppressed = results
        .iter()
        .find(|r| r["ruleId"] == "dockerfile-sudo")
        .unwrap();
    assert_eq!(suppressed["suppressions"][0]["kind"], "inSource");
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    assert!(
        run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("broken.yaml")
    );
}

#[test]
fn github_format_writes_workflow_commands() {
    let out = lint(&["--format", "github", "project/app/Dockerfile"])
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.lines().any(|l| l.starts_with(
            "::error file=project/app/Dockerfile,line=1,col=1,title=container-user-not-root (4.1%2C high)::"
        )),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("::notice file=project/app/Dockerfile,line=1"))
    );
    assert!(
        text.lines()
            .last()
            .unwrap()
            .starts_with("threatbench lint:")
    );
}

#[test]
fn list_rules_names_every_rule_once() {
    let out = lint(&["--list-rules", "--format", "json"])
        .code(0)
        .get_output()
        .stdout
        .clone();
    let rules: Vec<Value> = serde_json::from_slice(&out).unwrap();
    let slugs: Vec<&str> = rules.iter().map(|r| r["slug"].as_str().unwrap()).collect();
    let mut unique = slugs.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), slugs.len());
    for slug in [
        "container-user-not-root",
        "container-privileged",
        "k8s-pod-privileged",
        "k8s-rbac-wildcard",
        "dockerfile-curl-pipe-shell",
        "suppression-without-reason",
    ] {
        assert!(slugs.contains(&slug), "{slug}");
    }
}

#[test]
fn scan_with_path_adds_a_lint_section() {
    // No Docker daemon is needed for the lint part: point the scan at a socket that does not
    // exist (the scan is then incomplete, exit 3, but still reports).
    let out = Command::cargo_bin("threatbench")
        .unwrap()
        .current_dir(fixtures())
        .args([
            "scan",
            "--docker-host",
            "unix:///nonexistent/threatbench-test.sock",
            "--path",
            "project/k8s",
            "--format",
            "json",
        ])
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["schema"], "threatbench/scan/v1");
    assert_eq!(v["lint"]["schema"], "threatbench/lint/v1");
    assert!(has(
        &v["lint"],
        "project/k8s/app.yaml",
        20,
        13,
        "k8s-pod-privileged"
    ));
    let reasons = v["incomplete"].to_string();
    assert!(reasons.contains("could not be linted"), "{reasons}");
    // The table shows the section too.
    let out = Command::cargo_bin("threatbench")
        .unwrap()
        .current_dir(fixtures())
        .env("NO_COLOR", "1")
        .args([
            "scan",
            "--docker-host",
            "unix:///nonexistent/threatbench-test.sock",
            "--path",
            "project/app",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Project files (threatbench lint)"), "{text}");
    assert!(text.contains("project/app/Dockerfile:1:1"), "{text}");
}
