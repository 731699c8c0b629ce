//! Benchmark editions as a user runs them: `--benchmark cis-docker-1.8.0` (and 1.7.0) against
//! the private test daemon, and the Kubernetes edition picked by the detected version.

mod common;

use std::collections::BTreeMap;

use common::{Daemon, Scan};

/// slug → verdict of every result.
fn verdicts(s: &Scan) -> BTreeMap<String, String> {
    s.results()
        .iter()
        .map(|r| {
            (
                r["slug"].as_str().unwrap().to_string(),
                r["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn docker_editions_give_the_same_verdicts_and_v180_adds_2_7() {
    let Some(d) = Daemon::main("docker_editions_give_the_same_verdicts_and_v180_adds_2_7") else {
        return;
    };
    let v160 = d.scan(&[]);
    let v170 = d.scan(&["--benchmark", "cis-docker-1.7.0"]);
    let v180 = d.scan(&["--benchmark", "cis-docker-1.8.0"]);

    // The default says which edition and how to get the newer one.
    let choice = &v160.json["benchmark_choice"][0];
    assert_eq!(choice["edition"], "cis-docker-1.6.0");
    assert!(
        choice["reason"]
            .as_str()
            .unwrap()
            .contains("--benchmark cis-docker-1.8.0"),
        "{choice}"
    );
    assert_eq!(
        v180.json["benchmark_choice"][0]["edition"],
        "cis-docker-1.8.0"
    );
    assert_eq!(v180.json["benchmark_choice"][0]["reason"], "--benchmark");

    // Unchanged items: the same verdicts under every edition.
    let (a, b, mut c) = (verdicts(&v160), verdicts(&v170), verdicts(&v180));
    let docker_only = |m: &BTreeMap<String, String>, s: &Scan| -> BTreeMap<String, String> {
        let docker: Vec<&str> = s
            .results()
            .iter()
            .filter(|r| r["benchmark"].as_str().unwrap().starts_with("cis-docker"))
            .map(|r| r["slug"].as_str().unwrap())
            .collect();
        m.iter()
            .filter(|(k, _)| docker.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    assert_eq!(c.remove("daemon-no-devicemapper").as_deref(), Some("pass"));
    assert_eq!(docker_only(&a, &v160), docker_only(&b, &v170));
    assert_eq!(docker_only(&a, &v160), docker_only(&c, &v180));
    assert!(
        !a.contains_key("daemon-no-devicemapper"),
        "2.7 is not a v1.6.0 item"
    );

    // The new 2.7 on a vfs daemon, and the renumbered TLS item as 2.8.
    v180.expect_check("2.7", "pass");
    assert!(
        v180.evidence("2.7")
            .contains("storage driver: vfs (docker info)"),
        "{}",
        v180.evidence("2.7")
    );
    let tls = v180.result("2.8");
    assert_eq!(tls["slug"], "daemon-tls-on-tcp");
    assert_eq!(tls["benchmark"], "cis-docker-1.8.0");
    assert_eq!(v160.result("2.7")["slug"], "daemon-tls-on-tcp");
    assert_eq!(v170.result("2.7")["benchmark"], "cis-docker-1.7.0");
    // v1.7.0 flips 1.1.4 to manual.
    assert_eq!(v170.result("1.1.4")["assessment"], "manual");
    assert_eq!(v160.result("1.1.4")["assessment"], "automated");

    // The table says the edition and why.
    let out = d
        .threatbench()
        .args([
            "scan",
            "--benchmark",
            "cis-docker-1.8.0",
            "--select",
            "2.7,2.8",
        ])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("CIS Docker Benchmark v1.8.0: --benchmark"),
        "{table}"
    );
    assert!(
        table.contains("2.7 ") && table.contains("daemon-no-devicemapper"),
        "{table}"
    );
    assert!(
        table.contains("2.8 ") && table.contains("daemon-tls-on-tcp"),
        "{table}"
    );
}

/// `checks explain` and `checks list` know the editions without a daemon.
#[test]
fn checks_commands_know_the_editions() {
    let out = assert_cmd::cargo::cargo_bin_cmd!("threatbench")
        .args(["checks", "explain", "cis-docker-1.8.0/2.8"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("daemon-tls-on-tcp"), "{text}");
    assert!(text.contains("CIS Docker v1.8.0 numbers it 2.8"), "{text}");
    let out = assert_cmd::cargo::cargo_bin_cmd!("threatbench")
        .args(["checks", "list", "--benchmark", "cis-docker-1.8.0"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let line = |id: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{id} ")))
            .unwrap_or_else(|| panic!("{id} not listed:\n{text}"))
            .to_string()
    };
    assert!(line("2.7").contains("daemon-no-devicemapper"));
    assert!(
        line("2.19").contains("daemon-experimental-disabled")
            || line("2.19").contains("experimental")
    );
    assert!(line("1.1.15").contains("automated"), "{}", line("1.1.15"));
    let out = assert_cmd::cargo::cargo_bin_cmd!("threatbench")
        .args(["checks", "explain", "cis-kubernetes-2.0/1.2.29"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("CIS Kubernetes v2.0 changes the remediation"),
        "{text}"
    );
}

/// slug → (id, benchmark) of every check the threat model links, from `threats --format json`
/// (threats/v2 names each linked check's id once, in `catalogue.checks`).
fn linked_ids(doc: &serde_json::Value) -> BTreeMap<String, (String, String)> {
    let known = &doc["catalogue"]["checks"];
    doc["threats"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["checks"].as_array().unwrap().iter())
        .map(|c| {
            let slug = c["slug"].as_str().unwrap();
            (
                slug.to_string(),
                (
                    known[slug]["id"].as_str().unwrap().to_string(),
                    known[slug]["benchmark"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect()
}

/// The threat model speaks of the edition in use: under `--benchmark cis-docker-1.8.0` its
/// linked daemon checks carry the v1.8.0 ids (v1.6.0's 2.7–2.18 as 2.8–2.19), the rest keep
/// their ids, and the fix-first list numbers them the same way.
#[test]
fn threat_model_names_checks_by_the_edition_in_use() {
    let Some(d) = Daemon::main("threat_model_names_checks_by_the_edition_in_use") else {
        return;
    };
    let threats = |args: &[&str]| -> serde_json::Value {
        let out = d
            .threatbench()
            .args(["threats", "--no-model", "--format", "json"])
            .args(args)
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    };
    let (v160, v180) = (threats(&[]), threats(&["--benchmark", "cis-docker-1.8.0"]));
    // The model says which edition names its checks, and why.
    let choice = v180["benchmark_choice"].as_array().unwrap();
    assert_eq!(choice[0]["edition"], "cis-docker-1.8.0", "{choice:?}");
    assert_eq!(choice[0]["reason"], "--benchmark");
    let choice = v160["benchmark_choice"].as_array().unwrap();
    assert_eq!(choice.len(), 1, "Kubernetes did not run here: {choice:?}");
    assert_eq!(choice[0]["edition"], "cis-docker-1.6.0");
    let out = d
        .threatbench()
        .args(["threats", "--no-model", "--benchmark", "cis-docker-1.8.0"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("CIS Docker Benchmark v1.8.0: --benchmark"),
        "{table}"
    );
    let (a, b) = (linked_ids(&v160), linked_ids(&v180));
    let mut renumbered = 0;
    for (slug, (id, bench)) in &a {
        let Some((id180, bench180)) = b.get(slug) else {
            continue;
        };
        if bench != "cis-docker-1.6.0" {
            assert_eq!((id, bench), (id180, bench180), "{slug}");
            continue;
        }
        assert_eq!(bench180, "cis-docker-1.8.0", "{slug}");
        let shifted = id
            .strip_prefix("2.")
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| (7..=18).contains(n))
            .map(|n| format!("2.{}", n + 1));
        if let Some(expected) = shifted {
            renumbered += 1;
            assert_eq!(id180, &expected, "{slug}");
        } else {
            assert_eq!(id180, id, "{slug}");
        }
    }
    assert!(renumbered > 0, "no section-2 check linked: {a:?}");
    let tls = &b["daemon-tls-on-tcp"];
    assert_eq!(tls.0, "2.8");

    // scan's own threat section agrees with the results' ids.
    let scan = d.scan(&["--benchmark", "cis-docker-1.8.0"]);
    let userns = scan.result("2.10");
    assert_eq!(userns["slug"], "daemon-userns-remap");
}

/// `.threatbench.yaml` `benchmark: cis-docker-1.8.0` is the project's default for scan (the
/// choice names the file) and harden (its picks carry v1.8.0 ids); `--benchmark` still wins.
#[test]
fn project_config_sets_the_docker_edition_for_scan_and_harden() {
    let Some(d) = Daemon::main("project_config_sets_the_docker_edition_for_scan_and_harden") else {
        return;
    };
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join(".threatbench.yaml"),
        "benchmark: cis-docker-1.8.0\n",
    )
    .unwrap();
    let run = |args: &[&str]| -> serde_json::Value {
        let out = d
            .threatbench()
            .current_dir(project.path())
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    };
    let scan = run(&["scan", "--select", "2.7,2.8"]);
    let choice = &scan["benchmark_choice"][0];
    assert_eq!(choice["edition"], "cis-docker-1.8.0");
    assert!(
        choice["reason"]
            .as_str()
            .unwrap()
            .contains(".threatbench.yaml"),
        "{choice}"
    );
    assert_eq!(scan["results"][1]["slug"], "daemon-tls-on-tcp");
    assert_eq!(scan["results"][1]["id"], "2.8");
    let explicit = run(&["scan", "--benchmark", "cis-docker-1.6.0", "--select", "2.7"]);
    assert_eq!(explicit["benchmark_choice"][0]["reason"], "--benchmark");
    assert_eq!(explicit["results"][0]["slug"], "daemon-tls-on-tcp");

    let harden = run(&["harden", "--no-model"]);
    assert_eq!(harden["numbering"], "cis-docker-1.8.0");
    let picks = harden["picks"].as_array().unwrap();
    assert!(!picks.is_empty(), "{harden}");
    let mut renumbered = 0;
    for p in picks {
        let check = &p["check"];
        let v160 = check["ids"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["benchmark"] == "cis-docker-1.6.0")
            .map(|i| i["id"].as_str().unwrap().to_string());
        let Some(v160) = v160 else { continue };
        assert_eq!(check["benchmark"], "cis-docker-1.8.0", "{check}");
        let v180 = check["ids"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["benchmark"] == "cis-docker-1.8.0")
            .unwrap_or_else(|| panic!("no v1.8.0 id listed: {check}"));
        assert_eq!(v180["id"], check["id"], "{check}");
        let shifted = v160
            .strip_prefix("2.")
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| (7..=18).contains(n))
            .map(|n| format!("2.{}", n + 1));
        if let Some(expected) = shifted {
            renumbered += 1;
            assert_eq!(check["id"], expected.as_str(), "{check}");
        } else {
            assert_eq!(check["id"], v160.as_str(), "{check}");
        }
    }
    assert!(renumbered > 0, "no renumbered daemon pick: {picks:?}");
    // The plan's re-check names the slug, which every edition reads alike (a bare 2.12 would
    // be dm.basesize under this project's v1.8.0).
    let out = d
        .threatbench()
        .current_dir(project.path())
        .args(["harden", "--no-model"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("(`threatbench scan --select daemon-"),
        "{text}"
    );
    assert!(!text.contains("scan --select 2."), "{text}");
}
