//! `threatbench scan` end to end: the JSON contract, collect → `scan --facts` round trip, an
//! unreachable daemon, exit codes, `--select/--ignore`, and hostile text in the table output.

mod common;
mod common_sarif;

use std::sync::{Mutex, MutexGuard};

use common::{Daemon, Scan};
use serde_json::Value;

/// Tests that compare or count what is on the shared daemon run one at a time.
static SHARED_DAEMON: Mutex<()> = Mutex::new(());

fn exclusive() -> MutexGuard<'static, ()> {
    SHARED_DAEMON.lock().unwrap_or_else(|e| e.into_inner())
}

/// A scan of a daemon that does not exist (no Docker needed).
fn unreachable_scan(args: &[&str]) -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("threatbench");
    cmd.env("DOCKER_HOST", "unix:///nonexistent")
        .env("NO_COLOR", "1")
        .arg("scan")
        .args(args);
    cmd
}

#[test]
fn unreachable_daemon_makes_every_docker_check_an_error_with_the_reason() {
    let out = unreachable_scan(&["--format", "json"]).output().unwrap();
    let s = Scan::from_output(&out);
    assert_eq!(s.code, 3, "exit code; stderr: {}", s.stderr);
    assert!(!s.results().is_empty());
    // Sections 2 and 5 need the daemon (sections 1 and 3 read host files, which are there).
    let mut judged = 0;
    for r in s.results() {
        let id = r["id"].as_str().unwrap_or("");
        if r["benchmark"] != "cis-docker-1.6.0" || !(id.starts_with("2.") || id.starts_with("5.")) {
            continue;
        }
        judged += 1;
        assert_eq!(r["verdict"], "error", "{} {}", r["id"], r["evidence"]);
        let evidence = r["evidence"].as_str().unwrap();
        assert!(
            evidence.contains("unix:///nonexistent") && evidence.contains("not reachable"),
            "{}: {evidence}",
            r["id"]
        );
    }
    assert_eq!(judged, 18 + 32);
    assert_eq!(s.json["complete"], false);

    // The table says so too, and exit code 3 wins over --fail-on's 1.
    unreachable_scan(&["--fail-on", "low"])
        .assert()
        .code(3)
        .stdout(predicates::str::contains("Scan incomplete"))
        .stdout(predicates::str::contains("not reachable"))
        // ... and what to do about it.
        .stdout(predicates::str::contains(
            "point --docker-host (or DOCKER_HOST) at its socket",
        ))
        .stdout(predicates::str::contains("threatbench scan --facts"));
}

/// On a host without Kubernetes (this one, a CI machine) the Kubernetes benchmark is one block
/// of reasons, not a hundred SKIP lines; --verbose lists every check.
#[test]
fn a_benchmark_that_skips_entirely_is_one_block_unless_verbose() {
    let table = |args: &[&str]| {
        let out = unreachable_scan(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let brief = table(&[]);
    let kube = brief
        .split("CIS Kubernetes Benchmark v1.12\n")
        .nth(1)
        .expect("a Kubernetes block");
    assert!(kube.starts_with("  SKIP  all "), "{kube}");
    assert!(kube.contains("no Kubernetes component found on this host"));
    assert!(!kube.contains("k8s-file-apiserver-manifest-mode"), "{kube}");
    let verbose = table(&["--verbose"]);
    assert!(verbose.contains("k8s-file-apiserver-manifest-mode"));
}

#[test]
fn select_and_ignore_by_id_slug_and_section() {
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--format", "json"];
        all.extend(args);
        let out = unreachable_scan(&all).output().unwrap();
        Scan::from_output(&out)
            .results()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&["--select", "5.11"]), ["5.11"]);
    assert_eq!(ids(&["--select", "container-memory-limit"]), ["5.11"]);
    // A section prefix is a whole component of the id: 5.1 is not 5.10-5.19.
    assert_eq!(ids(&["--select", "5.1"]), ["5.1"]);
    let section5 = ids(&["--select", "5"]);
    assert_eq!(section5.len(), 32);
    assert!(section5.iter().all(|id| id.starts_with("5.")));
    let section2 = ids(&["--select", "2", "--ignore", "2.1,daemon-icc-disabled"]);
    assert_eq!(section2.len(), 16);
    assert!(!section2.contains(&"2.1".to_string()) && !section2.contains(&"2.2".to_string()));
    assert!(section2.contains(&"2.18".to_string()));
    assert_eq!(
        ids(&["--select", "5.11,5.12", "--select", "2.7"]),
        ["2.7", "5.11", "5.12"]
    );
    let everything = ids(&[]);
    assert_eq!(
        ids(&["--ignore", "5"]).len(),
        everything.len() - section5.len()
    );
    // Under the v1.3.1 numbering the memory limit is 5.10.
    assert_eq!(
        ids(&["--numbering", "cis-docker-1.3.1", "--select", "5.10"]),
        ["5.10"]
    );
    let out = unreachable_scan(&[
        "--format",
        "json",
        "--numbering",
        "cis-docker-1.3.1",
        "--select",
        "5.10",
    ])
    .output()
    .unwrap();
    assert_eq!(
        Scan::from_output(&out).results()[0]["slug"],
        "container-memory-limit"
    );
    // A selection that leaves nothing is a usage error.
    unreachable_scan(&["--select", "9.99"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no check"));
}

/// The public `threatbench/scan/v1` document, as the issue specifies it.
#[test]
fn json_report_follows_the_scan_v1_schema() {
    let Some(d) = Daemon::main("json_report_follows_the_scan_v1_schema") else {
        return;
    };
    let _guard = exclusive();
    let _c = d.run("schema", &["--memory", "64m"]);
    let s = d.scan(&[]);
    let j = &s.json;
    assert_eq!(j["schema"], "threatbench/scan/v1");
    assert_eq!(j["tool"]["name"], "threatbench");
    assert_eq!(j["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let verdicts = ["pass", "fail", "warn", "info", "skip", "error"];
    let mut counted = serde_json::Map::new();
    let mut objects_seen = 0;
    for r in s.results() {
        for key in ["id", "slug", "benchmark", "title", "evidence"] {
            assert!(r[key].is_string(), "{key} of {r}");
        }
        let v = r["verdict"].as_str().unwrap();
        assert!(verdicts.contains(&v), "{v}");
        *counted.entry(v).or_insert(Value::from(0)) =
            Value::from(counted.get(v).and_then(Value::as_u64).unwrap_or(0) + 1);
        for o in r["objects"].as_array().expect("objects is an array") {
            objects_seen += 1;
            for key in ["kind", "name", "id", "evidence"] {
                assert!(o[key].is_string(), "{key} of {o}");
            }
            assert!(verdicts.contains(&o["verdict"].as_str().unwrap()), "{o}");
        }
    }
    assert!(objects_seen > 0);
    for v in verdicts {
        assert_eq!(
            j["summary"][v].as_u64(),
            Some(counted.get(v).and_then(Value::as_u64).unwrap_or(0)),
            "summary.{v}"
        );
    }
    assert_eq!(s.code, 0, "{}", s.stderr);
}

#[test]
fn fail_on_sets_exit_code_one_at_the_threshold() {
    let Some(d) = Daemon::main("fail_on_sets_exit_code_one_at_the_threshold") else {
        return;
    };
    let _guard = exclusive();
    let _c = d.run("failon", &[]);
    let code = |args: &[&str]| {
        let out = d.threatbench().arg("scan").args(args).output().unwrap();
        out.status.code()
    };
    // 5.11 (no memory limit) is a medium-severity failure; 5.28 only needs review (warn).
    assert_eq!(code(&["--select", "5.11"]), Some(0));
    assert_eq!(code(&["--select", "5.11", "--fail-on", "low"]), Some(1));
    assert_eq!(code(&["--select", "5.11", "--fail-on", "medium"]), Some(1));
    assert_eq!(code(&["--select", "5.11", "--fail-on", "high"]), Some(0));
    assert_eq!(code(&["--select", "5.28", "--fail-on", "low"]), Some(0));
    assert_eq!(code(&["--select", "5.28", "--fail-on", "warn"]), Some(1));
}

/// A bundle collected on one machine and scanned on another gives the live scan's results.
#[test]
fn collect_then_scan_facts_matches_a_live_scan() {
    let Some(d) = Daemon::main("collect_then_scan_facts_matches_a_live_scan") else {
        return;
    };
    let _guard = exclusive();
    let _plain = d.run("rt-plain", &[]);
    let _limited = d.run(
        "rt-limited",
        &[
            "--memory",
            "64m",
            "--pids-limit",
            "50",
            "--read-only",
            "-p",
            "80:80",
        ],
    );
    let _stopped = d.create("rt-stopped", &["--restart", "always"]);
    let bundle = tempfile::NamedTempFile::new().unwrap();
    d.threatbench()
        .args(["collect", "--all-containers", "--output"])
        .arg(bundle.path())
        .assert()
        .success();
    let live = d.scan(&["--all-containers"]);
    let out = d
        .threatbench()
        .env(
            "DOCKER_HOST",
            "unix:///nonexistent-on-the-analysing-machine",
        )
        .args(["scan", "--format", "json", "--facts"])
        .arg(bundle.path())
        .output()
        .unwrap();
    let replay = Scan::from_output(&out);
    assert_eq!(replay.code, live.code);
    let strip = |s: &Scan| {
        let mut j = s.json.clone();
        j.as_object_mut().unwrap().remove("duration_ms");
        j["target"].as_object_mut().unwrap().remove("collected_at");
        j
    };
    let (live, replay) = (strip(&live), strip(&replay));
    assert!(live["results"].as_array().unwrap().len() >= 50);
    for (a, b) in live["results"]
        .as_array()
        .unwrap()
        .iter()
        .zip(replay["results"].as_array().unwrap())
    {
        assert_eq!(a, b, "live vs --facts for {}", a["id"]);
    }
    assert_eq!(live, replay);
}

/// Docker restricts container names, but labels, environment, mount paths, cgroup parents and
/// process titles are free text: nothing from them may reach the terminal unescaped.
#[test]
fn table_output_escapes_hostile_text() {
    let Some(d) = Daemon::main("table_output_escapes_hostile_text") else {
        return;
    };
    let _guard = exclusive();
    let osc = "\u{1b}]0;pwned\u{7}";
    let csi = "\u{1b}[2J";
    let bidi = "\u{202e}gnp.exe";
    let hostile = format!("{osc}{csi}{bidi}");
    let label = format!("evil={hostile}");
    let env = format!("EVIL={hostile}");
    let cgroup = format!("/tb{hostile}");
    let destination = format!("/x{csi}{bidi}");
    let title = format!("sshd: {osc}{bidi}");
    let script =
        format!("cp /sbin/docker-init /tmp/x && exec -a '{title}' /tmp/x -s -- sleep 100000");
    let _titled = d.run_cmd(
        "hostile",
        &[
            "--init",
            "--label",
            &label,
            "--env",
            &env,
            "-v",
            &format!("/etc:{destination}:ro"),
            "--health-cmd",
            &format!("echo {hostile}"),
        ],
        &["sh", "-c", &script],
    );
    let _created = d.create(
        "hostile-cg",
        &["--cgroup-parent", &cgroup, "--label", &label],
    );
    // Wait until the retitled process exists.
    for _ in 0..50 {
        if d.docker_ok(&["top", &_titled.name]).contains("sshd:") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let out = d
        .threatbench()
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .args(["scan", "--all-containers", "--verbose"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    // Our own styling survives (so escapes were not simply stripped) ...
    assert!(table.contains("\u{1b}[1m"), "no styling in:\n{table}");
    // ... but none of the hostile sequences does.
    for raw in [osc, csi, "\u{202e}", "\u{7}"] {
        assert!(!table.contains(raw), "raw {raw:?} in the table:\n{table}");
    }
    // The hostile text is shown, escaped, where the evidence needs it.
    for shown in [
        "sshd: \\u{1b}]0;pwned\\u{7}\\u{202e}gnp.exe",
        "/tb\\u{1b}]0;pwned",
        "/x\\u{1b}[2J\\u{202e}gnp.exe",
    ] {
        assert!(table.contains(shown), "{shown} not in the table:\n{table}");
    }
}

/// `-o /dev/null` must not replace /dev/null: the report is written into anything that is not a
/// regular file (shown with a FIFO, which the old rename-over would also have replaced).
#[test]
fn output_into_a_fifo_keeps_the_fifo() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("report");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo))
    };
    unreachable_scan(&["--format", "json", "--output"])
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(3);
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced: {kind:?}");
    let report = reader.join().unwrap().unwrap();
    assert!(report.contains("threatbench/scan/v1"));
}

/// `--format junit`: one testcase per check of the JSON report, errors where the daemon could
/// not be read, each carrying its reason.
#[test]
fn junit_has_a_testcase_per_check_and_errors_with_their_reasons() {
    let json: Value = serde_json::from_slice(
        &unreachable_scan(&["--format", "json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let checks = json["results"].as_array().unwrap().len();
    let out = unreachable_scan(&["--format", "junit"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let xml = String::from_utf8(out.stdout).unwrap();
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), checks);
    let errors = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["verdict"] == "error")
        .count();
    assert!(errors > 0);
    assert_eq!(xml.matches("<error ").count(), errors);
    assert!(
        xml.contains("unix:///nonexistent"),
        "the reason is in the message"
    );
}

/// `--format sarif` is valid SARIF 2.1.0, and a check that could not be evaluated is a tool
/// notification with its reason, never a result.
#[test]
fn sarif_is_schema_valid_and_errors_are_notifications() {
    let out = unreachable_scan(&["--format", "sarif"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = common_sarif::errors(&sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &sarif["runs"][0];
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(!notes.is_empty());
    assert!(
        notes.iter().all(|n| n["message"]["text"]
            .as_str()
            .unwrap()
            .contains("could not be evaluated")),
        "{notes:?}"
    );
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    for r in run["results"].as_array().unwrap() {
        assert!(r["properties"]["verdict"] != "error", "{r}");
    }
    // On the test daemon, a privileged container is a result with its logical location.
    let Some(d) = Daemon::main("sarif_is_schema_valid_and_errors_are_notifications") else {
        return;
    };
    let c = d.create("sarif", &["--privileged"]);
    let out = d
        .threatbench()
        .args(["scan", "--all-containers", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = common_sarif::errors(&sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    let hit = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["ruleId"] == "container-privileged"
                && r["locations"][0]["logicalLocations"][0]["name"] == c.name.as_str()
        });
    assert!(hit.is_some(), "no result for {}", c.name);
}
