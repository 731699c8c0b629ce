//! `threatbench harden` against real daemons: extra dockerds started through
//! TB_TEST_DOCKER_ENV_SCRIPT (one per test, so applied changes never touch another test's
//! containers), real containers, real daemon.json files. Tests that need Docker skip (printing
//! why) when TB_DOCKERD != 1.

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

mod common_kube;

fn docker_available() -> bool {
    if std::env::var("TB_DOCKERD").as_deref() != Ok("1") {
        eprintln!("skipped: TB_DOCKERD != 1 (run through scripts/test for a private dockerd)");
        return false;
    }
    true
}

/// An extra private dockerd, stopped when dropped.
struct Daemon {
    dir: String,
    env: HashMap<String, String>,
    args: Vec<String>,
    netns: bool,
}

impl Daemon {
    fn start(tag: &str, args: &[&str], netns: bool) -> Daemon {
        let dir = format!("/tmp/tbh-{}-{tag}", std::process::id());
        let mut d = Daemon {
            dir,
            env: HashMap::new(),
            args: args.iter().map(|s| s.to_string()).collect(),
            netns,
        };
        d.launch();
        d
    }

    fn script() -> String {
        std::env::var("TB_TEST_DOCKER_ENV_SCRIPT")
            .expect("TB_TEST_DOCKER_ENV_SCRIPT is set by scripts/test")
    }

    fn launch(&mut self) {
        let mut cmd = Command::new("bash");
        cmd.arg(Self::script())
            .arg("start")
            .arg("--")
            .args(&self.args);
        cmd.env("TB_TEST_DIR", &self.dir);
        if self.netns {
            cmd.env("TB_DOCKERD_NETNS", "1");
        }
        let out = cmd
            .stdin(Stdio::null())
            .output()
            .expect("docker-test-env runs");
        assert!(
            out.status.success(),
            "extra dockerd failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let env = std::fs::read_to_string(format!("{}/env", self.dir)).unwrap();
        self.env = env
            .lines()
            .filter_map(|l| l.strip_prefix("export "))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    }

    fn stop(&self) {
        let _ = Command::new("bash")
            .arg(Self::script())
            .arg("stop")
            .env("TB_TEST_DIR", &self.dir)
            .stdin(Stdio::null())
            .output();
    }

    fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    fn host(&self) -> &str {
        &self.env["DOCKER_HOST"]
    }

    fn docker(&self, args: &[&str]) -> String {
        let out = Command::new("docker")
            .args(args)
            .env("DOCKER_HOST", self.host())
            .stdin(Stdio::null())
            .output()
            .expect("docker CLI runs");
        assert!(
            out.status.success(),
            "docker {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn threatbench(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_threatbench"))
            .args(args)
            .env("DOCKER_HOST", self.host())
            .stdin(Stdio::null())
            .output()
            .expect("threatbench runs")
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop();
    }
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The JSON of a command that must exit 0 (its stderr shown when it does not).
fn succeeded(out: &Output) -> Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(out)
}

fn state_dir(tmp: &Path) -> String {
    tmp.join("state").display().to_string()
}

/// `harden --select SELECT --apply --yes --reload-daemon --format json` with its own state dir.
fn apply_and_reload(d: &Daemon, state: &str, select: &str) -> Output {
    d.threatbench(&[
        "harden",
        "--select",
        select,
        "--apply",
        "--yes",
        "--reload-daemon",
        "--format",
        "json",
        "--state-dir",
        state,
    ])
}

/// The re-check entry of `slug` in a harden JSON document.
fn recheck_of(doc: &Value, slug: &str) -> Value {
    doc["recheck"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["slug"] == slug)
        .unwrap_or_else(|| panic!("{slug} not re-checked: {doc}"))
        .clone()
}

fn scan_verdicts(d: &Daemon, select: &str) -> HashMap<String, String> {
    let out = d.threatbench(&["scan", "--select", select, "--format", "json"]);
    json(&out)["results"]
        .as_array()
        .unwrap()
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
fn apply_without_yes_and_without_a_terminal_refuses() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_threatbench"))
        .args(["harden", "--apply", "--state-dir", &state_dir(tmp.path())])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a terminal") && err.contains("--yes"),
        "{err}"
    );
    assert!(!tmp.path().join("state").exists(), "nothing may be written");
    let out = Command::new(env!("CARGO_BIN_EXE_threatbench"))
        .args([
            "harden",
            "--rollback",
            "--state-dir",
            &state_dir(tmp.path()),
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The brief's scenario on a real daemon: a privileged container, a container without a PIDs
/// limit restarting `always`, and a dockerd without live-restore.
const SCENARIO: &str =
    "container-privileged,container-pids-limit,container-restart-policy,daemon-live-restore";

#[test]
fn ranking_follows_the_risk_each_fix_removes_on_a_real_daemon() {
    if !docker_available() {
        return;
    }
    let d = Daemon::start("rank", &[], false);
    let image = d.env["TB_TEST_IMAGE"].clone();
    // `create` is enough for the privileged one: the facts are its configuration.
    d.docker(&[
        "create",
        "--pull",
        "never",
        "--name",
        "legacy",
        "--privileged",
        "--pids-limit",
        "100",
        &image,
        "sleep",
        "600",
    ]);
    d.docker(&[
        "run",
        "-d",
        "--pull",
        "never",
        "--name",
        "api",
        "--restart",
        "always",
        &image,
        "sleep",
        "600",
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let state = state_dir(tmp.path());
    let out = d.threatbench(&[
        "harden",
        "--all-containers",
        "--select",
        SCENARIO,
        "--top",
        "4",
        "--no-model",
        "--format",
        "json",
        "--state-dir",
        &state,
    ]);
    let doc = succeeded(&out);
    assert_eq!(doc["schema"], "threatbench/harden/v1");
    let picks = doc["picks"].as_array().unwrap();
    let slugs: Vec<&str> = picks
        .iter()
        .map(|p| p["check"]["slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        slugs,
        [
            "container-privileged",
            "container-pids-limit",
            "container-restart-policy",
            "daemon-live-restore"
        ]
    );
    // The scores are the threat model's own "fix first" figures for the same daemon.
    let threats = d.threatbench(&[
        "threats",
        "--all-containers",
        "--no-model",
        "--format",
        "json",
    ]);
    let fix_first: HashMap<String, u64> = json(&threats)["fix_first"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["slug"].as_str().unwrap().to_string(),
                f["risk_removed"].as_u64().unwrap(),
            )
        })
        .collect();
    let scores: Vec<u64> = picks.iter().map(|p| p["score"].as_u64().unwrap()).collect();
    for (slug, score) in slugs.iter().zip(&scores) {
        assert_eq!(fix_first[*slug], *score, "{slug}");
    }
    assert!(scores.windows(2).all(|w| w[0] > w[1]), "{scores:?}");
    // The picks span the client (privileged flag, as the brief files it) and the host.
    let surfaces: Vec<&str> = picks
        .iter()
        .map(|p| p["surface"].as_str().unwrap())
        .collect();
    assert_eq!(surfaces[0], "docker-client");
    assert_eq!(surfaces[1], "docker-host");

    // Contract fields of each pick.
    for (n, p) in picks.iter().enumerate() {
        assert_eq!(p["rank"], n + 1);
        for key in ["id", "slug", "benchmark"] {
            assert!(p["check"][key].is_string(), "check.{key}");
        }
        for key in ["surface", "why", "verification"] {
            assert!(p[key].is_string(), "{key}");
        }
        assert!(p["objects"].is_array());
        assert!(p["change"]["kind"].is_string() && p["change"]["commands"].is_array());
        assert!(p["change"].get("diff").is_some());
        // Each score is the sum of what its threat instances lose.
        let removed: u64 = p["threat_instances"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["before_score"].as_u64().unwrap() - t["after_score"].as_u64().unwrap())
            .sum();
        assert_eq!(removed, p["score"].as_u64().unwrap());
    }
    let privileged = &picks[0];
    assert_eq!(privileged["threats"][0], "DKR-E-01@container:legacy");
    assert_eq!(privileged["risk"]["before"], "critical");
    assert_eq!(privileged["risk"]["after"], "medium");
    let pids = &picks[1];
    assert_eq!(
        pids["threats"],
        serde_json::json!(["DKR-D-01@container:api"])
    );
    assert_eq!(
        (
            pids["risk"]["before"].as_str(),
            pids["risk"]["after"].as_str()
        ),
        (Some("high"), Some("medium"))
    );
    let why = pids["why"].as_str().unwrap();
    assert!(
        why.contains("closes DKR-D-01@container:api (high → medium)"),
        "{why}"
    );
    assert_eq!(picks[3]["threats"][0], "DKR-D-04@process:dockerd");
    // Nothing was changed or written by planning.
    assert_eq!(
        d.docker(&[
            "inspect",
            "-f",
            "{{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}",
            "api"
        ]),
        "<nil> always"
    );
    assert!(!tmp.path().join("state").exists());

    // An accepted threat in the model file no longer counts: the privileged container drops.
    let model = tmp.path().join("threatmodel.yaml");
    std::fs::write(
        &model,
        "decisions:\n  - instance: \"DKR-E-01@container:legacy\"\n    status: accepted\n    justification: legacy build agent, isolated VM\n",
    )
    .unwrap();
    let out = d.threatbench(&[
        "harden",
        "--all-containers",
        "--select",
        SCENARIO,
        "--model",
        &model.display().to_string(),
        "--format",
        "json",
        "--state-dir",
        &state,
    ]);
    let doc = json(&out);
    assert_eq!(doc["model_applied"], true);
    assert_eq!(doc["picks"][0]["check"]["slug"], "container-pids-limit");
    let dropped = doc["others"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["slug"] == "container-privileged")
        .unwrap();
    assert_eq!(dropped["score"], 0);

    // Applying the PIDs limit shows the threat re-assessed: exposed high → mitigated medium.
    let out = d.threatbench(&[
        "harden",
        "--select",
        "container-pids-limit",
        "--apply",
        "--yes",
        "--state-dir",
        &state,
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("threat DKR-D-01@container:api: exposed high -> mitigated medium"),
        "{text}"
    );
}

#[test]
fn live_containers_get_docker_update_and_the_recheck_passes_then_rollback_reverses() {
    if !docker_available() {
        return;
    }
    let d = Daemon::start("upd", &[], false);
    let image = d.env["TB_TEST_IMAGE"].clone();
    for name in ["api", "worker"] {
        d.docker(&[
            "run",
            "-d",
            "--pull",
            "never",
            "--name",
            name,
            "--restart",
            "always",
            &image,
            "sleep",
            "600",
        ]);
    }
    let tmp = tempfile::tempdir().unwrap();
    let state = state_dir(tmp.path());
    let out = d.threatbench(&[
        "harden",
        "--select",
        "container-memory-limit,container-pids-limit,container-restart-policy",
        "--top",
        "3",
        "--apply",
        "--yes",
        "--format",
        "json",
        "--state-dir",
        &state,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out);
    let kinds: Vec<&str> = doc["picks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["change"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["docker-update"; 3]);
    let recheck = doc["recheck"].as_array().unwrap();
    assert_eq!(recheck.len(), 3);
    for r in recheck {
        assert_eq!(r["before"], "fail");
        assert_eq!(r["after"], "pass", "{r}");
    }
    // The threats each pick acted on, re-assessed on the new facts.
    let pids = recheck
        .iter()
        .find(|r| r["slug"] == "container-pids-limit")
        .unwrap();
    for name in ["api", "worker"] {
        let t = pids["threats"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["instance"] == format!("DKR-D-01@container:{name}"))
            .unwrap();
        assert_eq!(
            (&t["status_before"], &t["status_after"]),
            (&Value::from("exposed"), &Value::from("mitigated")),
            "{t}"
        );
        assert_eq!(
            (&t["risk_before"], &t["risk_after"]),
            (&Value::from("high"), &Value::from("medium"))
        );
    }
    assert_eq!(doc["applied"]["kind"], "apply");
    for name in ["api", "worker"] {
        assert_eq!(
            d.docker(&["inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}", name]),
            "536870912 536870912 200 on-failure:5"
        );
    }
    // An independent scan agrees.
    let verdicts = scan_verdicts(
        &d,
        "container-memory-limit,container-pids-limit,container-restart-policy",
    );
    assert!(verdicts.values().all(|v| v == "pass"), "{verdicts:?}");

    let out = d.threatbench(&["harden", "--rollback", "--yes", "--state-dir", &state]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("cannot remove a memory limit"), "{text}");
    for name in ["api", "worker"] {
        // PIDs and restart policy are back; the memory limit stays (Docker cannot remove it).
        assert_eq!(
            d.docker(&[
                "inspect",
                "-f",
                "{{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}",
                name
            ]),
            "0 always"
        );
    }
    // A second rollback finds nothing left to undo.
    let out = d.threatbench(&["harden", "--rollback", "--yes", "--state-dir", &state]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to roll back"));
    let journal = std::fs::read_to_string(tmp.path().join("state/journal.jsonl")).unwrap();
    assert_eq!(journal.lines().count(), 2);
}

#[test]
fn daemon_json_merge_keeps_unrelated_keys_reloads_and_a_restarted_daemon_passes() {
    if !docker_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("daemon.json");
    let original =
        "{\n    \"labels\": [\"team=blue\"],\n    \"log-opts\": {\"max-size\": \"10m\"}\n}\n";
    std::fs::write(&config, original).unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o640)).unwrap();
    let config_arg = config.display().to_string();
    let mut d = Daemon::start("json", &["--config-file", &config_arg], false);
    let state = state_dir(tmp.path());
    let out = d.threatbench(&[
        "harden",
        "--select",
        "2.14,2.15",
        "--top",
        "2",
        "--apply",
        "--yes",
        "--reload-daemon",
        "--format",
        "json",
        "--state-dir",
        &state,
    ]);
    let doc = succeeded(&out);
    // The diff of each pick is shown, and the file keeps every unrelated byte.
    for p in doc["picks"].as_array().unwrap() {
        assert_eq!(p["change"]["kind"], "daemon-json");
        assert!(
            p["change"]["diff"]
                .as_str()
                .unwrap()
                .starts_with(&format!("--- a{config_arg}"))
        );
    }
    let now = std::fs::read_to_string(&config).unwrap();
    let expected_tail = "    \"log-opts\": {\"max-size\": \"10m\"},\n";
    assert!(
        now.starts_with("{\n    \"labels\": [\"team=blue\"],\n"),
        "{now}"
    );
    assert!(now.contains(expected_tail), "{now}");
    let parsed: Value = serde_json::from_str(&now).unwrap();
    assert_eq!(parsed["live-restore"], true);
    assert_eq!(parsed["no-new-privileges"], true);
    assert_eq!(
        std::fs::metadata(&config).unwrap().permissions().mode() & 0o7777,
        0o640
    );
    // live-restore is reloadable: in effect after SIGHUP; no-new-privileges waits for a restart.
    let recheck: HashMap<String, Value> = doc["recheck"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["slug"].as_str().unwrap().to_string(), r.clone()))
        .collect();
    assert_eq!(recheck["daemon-live-restore"]["after"], "pass");
    assert!(recheck["daemon-live-restore"].get("pending").is_none());
    assert!(
        recheck["daemon-no-new-privileges"]["pending"]
            .as_str()
            .unwrap()
            .contains("restart")
    );
    assert_eq!(d.docker(&["info", "-f", "{{.LiveRestoreEnabled}}"]), "true");

    // A daemon started with the patched file passes both checks.
    d.restart();
    let verdicts = scan_verdicts(&d, "2.14,2.15");
    assert_eq!(verdicts["daemon-no-new-privileges"], "pass");
    assert_eq!(verdicts["daemon-live-restore"], "pass");

    // Rollback restores the bytes exactly, with the mode.
    let out = d.threatbench(&["harden", "--rollback", "--yes", "--state-dir", &state]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), original);
    assert_eq!(
        std::fs::metadata(&config).unwrap().permissions().mode() & 0o7777,
        0o640
    );
    // The apply reloaded dockerd: so does the rollback, and it says what a reload cannot undo.
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("dockerd reloaded"), "{text}");
    assert!(text.contains("until dockerd restarts"), "{text}");
}

/// Every daemon.json fix the plan makes on this test daemon's configuration, applied to a real
/// daemon: after the activation the plan states (a reload it sends, or the restart it says is
/// pending, done here by the harness as a service manager would), the check passes.
/// (icc and iptables are left out: the test daemon runs with --bridge=none and
/// --iptables=false on its command line, where the plan rightly refuses to write daemon.json;
/// userns-remap has its own test; live-restore, no-new-privileges and insecure-registries are
/// the tests beside this one; Debian's dockerd 20.10 refuses to start with
/// `"seccomp-profile": "unconfined"`, so that fix cannot be set up here.)
#[test]
fn every_daemon_json_fix_takes_effect_as_the_plan_says() {
    if !docker_available() {
        return;
    }
    for (slug, bad) in [
        (
            "daemon-userland-proxy-disabled",
            r#"{"userland-proxy": true}"#,
        ),
        ("daemon-log-level-info", r#"{"log-level": "debug"}"#),
        ("daemon-no-experimental", r#"{"experimental": true}"#),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let config = tmp.path().join("daemon.json");
        std::fs::write(&config, format!("{bad}\n")).unwrap();
        let config_arg = config.display().to_string();
        let mut d = Daemon::start("fix", &["--config-file", &config_arg], false);
        assert_eq!(
            scan_verdicts(&d, slug)[slug],
            "fail",
            "{slug} before the fix"
        );
        let state = state_dir(tmp.path());
        let recheck = recheck_of(&json(&apply_and_reload(&d, &state, slug)), slug);
        match recheck.get("pending").and_then(Value::as_str) {
            // The plan says a restart is needed: restart, then the check passes.
            Some(pending) => {
                assert!(pending.contains("restart"), "{slug}: {recheck}");
                d.restart();
                assert_eq!(
                    scan_verdicts(&d, slug)[slug],
                    "pass",
                    "{slug} after restart"
                );
            }
            // The reload took: the re-check already passes.
            None => assert_eq!(recheck["after"], "pass", "{slug}: {recheck}"),
        }
    }
}

/// dockerd's reload changes only the keys present in daemon.json: the fix writes
/// `"insecure-registries": []` so that the SIGHUP the plan sends takes the registry away, and the
/// re-check passes without a restart.
#[test]
fn removing_insecure_registries_takes_effect_on_reload() {
    if !docker_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("daemon.json");
    std::fs::write(
        &config,
        "{\n  \"insecure-registries\": [\"reg.example:5000\"]\n}\n",
    )
    .unwrap();
    let config_arg = config.display().to_string();
    let d = Daemon::start("insecure", &["--config-file", &config_arg], false);
    let registries = || d.docker(&["info", "-f", "{{json .RegistryConfig.IndexConfigs}}"]);
    assert!(
        registries().contains("reg.example:5000"),
        "{}",
        registries()
    );
    let state = state_dir(tmp.path());
    let doc = succeeded(&apply_and_reload(
        &d,
        &state,
        "daemon-no-insecure-registries",
    ));
    let recheck = recheck_of(&doc, "daemon-no-insecure-registries");
    assert_eq!(recheck["after"], "pass", "{recheck}");
    assert!(recheck.get("pending").is_none(), "{recheck}");
    assert!(
        !registries().contains("reg.example:5000"),
        "{}",
        registries()
    );
    let parsed: Value = serde_json::from_str(&std::fs::read_to_string(&config).unwrap()).unwrap();
    assert_eq!(parsed["insecure-registries"], serde_json::json!([]));
}

#[test]
fn an_option_on_the_command_line_is_not_written_to_daemon_json() {
    if !docker_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("daemon.json");
    std::fs::write(&config, "{}\n").unwrap();
    let config_arg = config.display().to_string();
    let d = Daemon::start(
        "flag",
        &["--config-file", &config_arg, "--userland-proxy=true"],
        false,
    );
    let out = d.threatbench(&[
        "harden",
        "--select",
        "2.16",
        "--apply",
        "--yes",
        "--format",
        "json",
        "--state-dir",
        &state_dir(tmp.path()),
    ]);
    let doc = json(&out);
    let change = &doc["picks"][0]["change"];
    assert_eq!(change["kind"], "systemd-drop-in");
    assert_eq!(change["applicable"], false);
    assert!(
        change["blocked"]
            .as_str()
            .unwrap()
            .contains("refuse to start")
    );
    assert!(
        change["diff"]
            .as_str()
            .unwrap()
            .contains("--userland-proxy=false")
    );
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        "{}\n",
        "daemon.json must stay as it was"
    );
}

#[test]
fn icc_disabled_through_daemon_json_on_a_netns_daemon() {
    if !docker_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("daemon.json");
    std::fs::write(&config, "{\"debug\": false}").unwrap();
    let config_arg = config.display().to_string();
    let mut d = Daemon::start(
        "icc",
        &["--iptables=true", "--bridge=", "--config-file", &config_arg],
        true,
    );
    assert_eq!(scan_verdicts(&d, "2.2")["daemon-icc-disabled"], "fail");
    let out = d.threatbench(&[
        "harden",
        "--select",
        "2.2",
        "--apply",
        "--yes",
        "--format",
        "json",
        "--state-dir",
        &state_dir(tmp.path()),
    ]);
    let doc = succeeded(&out);
    assert!(
        doc["recheck"][0]["pending"]
            .as_str()
            .unwrap()
            .contains("restart")
    );
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        "{\"debug\": false, \"icc\": false}"
    );
    d.restart();
    assert_eq!(scan_verdicts(&d, "2.2")["daemon-icc-disabled"], "pass");
}

#[test]
fn file_modes_are_tightened_under_a_host_root_rechecked_and_rolled_back() {
    // A copied host under --root: the section 3 check fails on daemon.json 0666, the patch is a
    // chmod derived from the check's object evidence, the re-check passes, rollback restores.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    std::fs::create_dir_all(root.join("etc/docker")).unwrap();
    std::fs::create_dir_all(root.join("proc")).unwrap();
    std::fs::write(root.join("etc/passwd"), "root:x:0:0::/root:/bin/sh\n").unwrap();
    std::fs::write(root.join("etc/group"), "root:x:0:\ndocker:x:998:\n").unwrap();
    let file = root.join("etc/docker/daemon.json");
    std::fs::write(&file, "{}\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_threatbench"))
            .args(args)
            .env_remove("DOCKER_HOST")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let root_arg = root.display().to_string();
    let state = state_dir(tmp.path());
    let out = run(&[
        "harden",
        "--root",
        &root_arg,
        "--select",
        "file-daemon-json-mode",
        "--apply",
        "--yes",
        "--format",
        "json",
        "--state-dir",
        &state,
    ]);
    let doc = succeeded(&out);
    assert_eq!(doc["picks"][0]["change"]["kind"], "file-permissions");
    assert_eq!(
        doc["picks"][0]["change"]["commands"][0],
        "chmod 0644 -- /etc/docker/daemon.json"
    );
    assert_eq!(doc["recheck"][0]["after"], "pass");
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o7777,
        0o644
    );
    let out = run(&["harden", "--rollback", "--yes", "--state-dir", &state]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o7777,
        0o666
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "{}\n");
}

#[test]
fn a_kubernetes_control_plane_gets_kubernetes_picks_not_absent_docker_ones() {
    // A kubeadm control plane (tests/common_kube: kubeadm's documented defaults) with its
    // processes visible, as with hostPID: the threat model finds the API server, etcd and the
    // kubelet. No Docker here: Docker checks fail (no audit rules, no content trust) but their
    // threats are not applicable, so they must not win a pick for surface coverage.
    let n = common_kube::NodeRoot::kubeadm_control_plane();
    let argv = |name: &str, flags: Vec<String>| {
        std::iter::once(name.to_string())
            .chain(flags)
            .collect::<Vec<_>>()
    };
    n.process(101, &argv("kube-apiserver", common_kube::apiserver_flags()));
    n.process(102, &argv("etcd", common_kube::etcd_flags()));
    n.process(103, &common_kube::NodeRoot::kubelet_argv(&[]));
    let out = Command::new(env!("CARGO_BIN_EXE_threatbench"))
        .args(["harden", "--root"])
        .arg(n.path())
        .args(["--no-model", "--format", "json"])
        .env_remove("DOCKER_HOST")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let doc = json(&out);
    let picks = doc["picks"].as_array().unwrap();
    assert_eq!(picks.len(), 3);
    assert!(picks[0]["score"].as_u64().unwrap() > 0, "{}", picks[0]);
    for p in picks {
        let surface = p["surface"].as_str().unwrap();
        assert!(surface.starts_with("kubernetes-"), "{p}");
        let threats = p["threats"].as_array().unwrap();
        assert!(
            threats
                .iter()
                .all(|t| t.as_str().unwrap().starts_with("K8S-")),
            "{p}"
        );
        assert!(!threats.is_empty(), "{p}");
    }
    // A failed Docker check removes nothing here: its threats have no element.
    let audit = doc["others"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["slug"] == "audit-rule-dockerd")
        .expect("the dockerd audit rule fails on this host");
    assert_eq!(audit["score"], 0);
}

/// The history store across a fix: a scan, `harden --apply`, a scan; `diff` of the two scans
/// names the findings fixed per container, and the store holds the change linked to the scans
/// harden made before and after it.
#[test]
fn a_diff_of_scans_around_harden_apply_names_what_was_fixed() {
    if !docker_available() {
        return;
    }
    let d = Daemon::start("hist", &[], false);
    let image = d.env["TB_TEST_IMAGE"].clone();
    d.docker(&[
        "run", "-d", "--pull", "never", "--name", "app", &image, "sleep", "600",
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let state = state_dir(tmp.path());
    let store = tmp.path().join("history.db").display().to_string();
    let select = "container-memory-limit,container-pids-limit";
    let scan = || {
        let out = d.threatbench(&["scan", "--format", "json", "--store", &store]);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(err.contains("recorded as scan"), "{err}");
    };
    scan();
    let out = d.threatbench(&[
        "harden",
        "--select",
        select,
        "--top",
        "2",
        "--apply",
        "--yes",
        "--format",
        "json",
        "--state-dir",
        &state,
        "--store",
        &store,
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("apply recorded as change"), "{err}");
    scan();
    let history = json(&d.threatbench(&["history", "--format", "json", "--store", &store]));
    let ids: Vec<(i64, String)> = history["scans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_i64().unwrap(),
                s["command"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let scans: Vec<i64> = ids
        .iter()
        .filter(|(_, c)| c == "scan")
        .map(|(i, _)| *i)
        .collect();
    assert_eq!(scans.len(), 2, "{ids:?}");
    assert!(
        ids.iter().any(|(_, c)| c == "harden") && ids.iter().any(|(_, c)| c == "harden-recheck")
    );
    let diff = json(&d.threatbench(&[
        "diff",
        &scans[1].to_string(),
        &scans[0].to_string(),
        "--format",
        "json",
        "--store",
        &store,
    ]));
    for slug in ["container-memory-limit", "container-pids-limit"] {
        assert!(
            diff["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["slug"] == slug
                    && f["change"] == "fixed"
                    && f["object"]["name"] == "app"
                    && f["from"] == "fail"
                    && f["to"] == "pass"),
            "{slug}: {diff}"
        );
    }
    use threatbench::store::Backend as _;
    let mut db = threatbench::store::sqlite::Sqlite::open(std::path::Path::new(&store)).unwrap();
    let host = history["scans"][0]["host_key"].as_str().unwrap();
    let changes = db.changes(host).unwrap();
    let (_, change) = changes.first().expect("the apply is recorded");
    assert_eq!(change.action, "apply");
    let harden_id = ids.iter().find(|(_, c)| c == "harden").unwrap().0;
    let recheck_id = ids.iter().find(|(_, c)| c == "harden-recheck").unwrap().0;
    assert_eq!(
        (change.scan_before, change.scan_after),
        (Some(harden_id), Some(recheck_id))
    );
    assert!(
        change.entries.iter().any(|e| e.contains("docker update")),
        "{change:?}"
    );
}
