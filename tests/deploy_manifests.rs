//! The deployment files in deploy/ hold to what threatbench checks and to what the code does:
//! they pass threatbench's own lint with every remaining finding suppressed with a reason, the
//! cluster role lists exactly the resources `--kube-api` reads, the one-off Job runs the
//! DaemonSet's pod, and every command line they hold is one threatbench accepts.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::Parser;
use serde_json::Value;
use threatbench::cli::{Cli, Command};

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy")
}

/// Every document of a YAML file under deploy/kubernetes.
fn documents(file: &str) -> Vec<Value> {
    let path = deploy_dir().join("kubernetes").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_saphyr::from_str_multiple::<Value, Vec<Value>>(&text)
        .unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn only_document(file: &str) -> Value {
    let mut docs = documents(file);
    assert_eq!(docs.len(), 1, "{file} holds one object");
    docs.remove(0)
}

fn of_kind<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind}"))
}

/// The container's args as a threatbench command line, parsed as the binary would.
fn parsed_args(pod_spec: &Value) -> Command {
    let args: Vec<&str> = pod_spec["containers"][0]["args"]
        .as_array()
        .expect("the container has args")
        .iter()
        .map(|a| a.as_str().expect("string args"))
        .collect();
    Cli::try_parse_from(std::iter::once("threatbench").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("threatbench {args:?}: {e}"))
        .command
}

#[test]
fn threatbench_lints_its_own_deploy_files_clean_every_suppression_with_a_reason() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_threatbench"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["lint", "deploy/", "--fail-on", "medium", "--format", "json"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).expect("lint JSON");
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(
        report["findings"],
        Value::Array(vec![]),
        "unsuppressed findings"
    );
    let linted: BTreeSet<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["error"].is_null() && !f["kind"].is_null())
        .filter_map(|f| f["path"].as_str())
        .collect();
    for file in [
        "deploy/Dockerfile",
        "deploy/kubernetes/daemonset.yaml",
        "deploy/kubernetes/job.yaml",
        "deploy/kubernetes/cronjob.yaml",
        "deploy/kubernetes/rbac-cluster.yaml",
    ] {
        assert!(linted.contains(file), "{file} was not linted: {linted:?}");
    }
    for s in report["suppressed"].as_array().unwrap() {
        let reason = s["reason"].as_str().unwrap_or("");
        assert!(reason.len() > 20, "suppression without a real reason: {s}");
    }
}

#[test]
fn the_cluster_role_lists_exactly_the_resources_the_kube_api_collector_reads() {
    let docs = documents("rbac-cluster.yaml");
    let role = of_kind(&docs, "ClusterRole");
    let mut granted = BTreeSet::new();
    let mut non_resource = BTreeSet::new();
    for rule in role["rules"].as_array().unwrap() {
        let verbs: Vec<&str> = rule["verbs"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if let Some(urls) = rule["nonResourceURLs"].as_array() {
            assert_eq!(verbs, ["get"], "{rule}");
            non_resource.extend(urls.iter().filter_map(Value::as_str));
            continue;
        }
        assert_eq!(verbs, ["list"], "read-only, list only: {rule}");
        for group in rule["apiGroups"].as_array().unwrap() {
            for resource in rule["resources"].as_array().unwrap() {
                granted.insert((
                    group.as_str().unwrap().to_string(),
                    resource.as_str().unwrap().to_string(),
                ));
            }
        }
    }
    let read: BTreeSet<(String, String)> = threatbench::facts::kube::DUMP_RESOURCES
        .iter()
        .map(|(plural, _)| {
            let (group, _) = threatbench::collect::kube_api::group_version(plural)
                .unwrap_or_else(|| panic!("{plural} has no API group"));
            (group.to_string(), plural.to_string())
        })
        .collect();
    assert_eq!(
        granted, read,
        "ClusterRole (left) vs resources listed by --kube-api (right)"
    );
    assert_eq!(non_resource, BTreeSet::from(["/version"]));
    assert!(!granted.iter().any(|(_, r)| r == "secrets" || r == "*"));

    let binding = of_kind(&docs, "ClusterRoleBinding");
    let account = of_kind(&docs, "ServiceAccount");
    assert_eq!(binding["roleRef"]["name"], role["metadata"]["name"]);
    assert_eq!(binding["subjects"][0]["name"], account["metadata"]["name"]);
    let cron = only_document("cronjob.yaml");
    let pod = &cron["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    assert_eq!(pod["serviceAccountName"], account["metadata"]["name"]);
    match parsed_args(pod) {
        Command::Scan(scan) => assert!(scan.source.kube_api, "the CronJob scans --kube-api"),
        other => panic!("the CronJob runs {other:?}"),
    }
}

#[test]
fn the_node_job_runs_the_daemonset_pod_once() {
    let daemonset = only_document("daemonset.yaml");
    let job = only_document("job.yaml");
    let mut ds_pod = daemonset["spec"]["template"]["spec"].clone();
    let mut job_pod = job["spec"]["template"]["spec"].clone();

    match parsed_args(&ds_pod) {
        Command::Scan(scan) => {
            assert_eq!(
                scan.interval,
                Some(std::time::Duration::from_secs(6 * 3600))
            );
            assert_eq!(scan.source.root.as_deref(), Some(Path::new("/host")));
        }
        other => panic!("the DaemonSet runs {other:?}"),
    }
    match parsed_args(&job_pod) {
        Command::Scan(scan) => assert_eq!(scan.interval, None, "the Job scans once"),
        other => panic!("the Job runs {other:?}"),
    }
    assert_eq!(ds_pod["hostPID"], true);
    let mount = &ds_pod["containers"][0]["volumeMounts"][0];
    assert_eq!(
        (&mount["mountPath"], &mount["readOnly"]),
        (&"/host".into(), &true.into())
    );
    assert_eq!(ds_pod["volumes"][0]["hostPath"]["path"], "/");
    let volumes = ds_pod["volumes"].to_string();
    assert!(
        !volumes.contains("docker.sock"),
        "no Docker socket by default"
    );

    // Apart from the args, the node it is pinned to and its restart policy: the same pod.
    ds_pod["containers"][0]["args"] = Value::Null;
    job_pod["containers"][0]["args"] = Value::Null;
    let job_pod = job_pod.as_object_mut().unwrap();
    assert_eq!(job_pod.remove("nodeName"), Some("NODE_NAME".into()));
    assert_eq!(job_pod.remove("restartPolicy"), Some("Never".into()));
    assert_eq!(Value::Object(job_pod.clone()), ds_pod);
}

#[test]
fn the_systemd_service_runs_a_command_threatbench_accepts() {
    let unit = std::fs::read_to_string(deploy_dir().join("systemd/threatbench.service")).unwrap();
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("ExecStart");
    let mut words = exec.split_whitespace();
    assert_eq!(words.next(), Some("/usr/local/bin/threatbench"));
    let cli = Cli::try_parse_from(std::iter::once("threatbench").chain(words))
        .unwrap_or_else(|e| panic!("{exec}: {e}"));
    assert!(matches!(cli.command, Command::Scan(_)));
    assert!(unit.contains("EnvironmentFile=-/etc/threatbench/store.env"));
    let timer = std::fs::read_to_string(deploy_dir().join("systemd/threatbench.timer")).unwrap();
    assert!(timer.contains("OnCalendar="), "{timer}");
}

#[test]
fn the_docker_socket_overlay_adds_only_a_docker_host_the_scan_accepts() {
    let overlay = only_document("with-docker-socket/kustomization.yaml");
    assert_eq!(overlay["resources"][0], "../");
    let patch_text = overlay["patches"][0]["patch"]
        .as_str()
        .expect("inline patch");
    let ops: Vec<Value> =
        serde_saphyr::from_str(patch_text).unwrap_or_else(|e| panic!("{patch_text}: {e}"));
    assert_eq!(ops.len(), 1, "one change: {ops:?}");
    assert_eq!(ops[0]["op"], "add");
    assert_eq!(ops[0]["path"], "/spec/template/spec/containers/0/args/-");
    let mut pod = only_document("daemonset.yaml")["spec"]["template"]["spec"].clone();
    pod["containers"][0]["args"]
        .as_array_mut()
        .unwrap()
        .push(ops[0]["value"].clone());
    match parsed_args(&pod) {
        Command::Scan(scan) => {
            assert_eq!(
                scan.source.docker_host.as_deref(),
                Some("unix:///host/run/docker.sock")
            );
            assert!(scan.interval.is_some());
        }
        other => panic!("the patched DaemonSet runs {other:?}"),
    }
}

/// `systemd-analyze verify` knows every directive and value of the unit and the timer (with
/// ExecStart pointed at the binary under test, which must exist). Skipped where systemd is not
/// installed.
#[test]
fn systemd_accepts_the_service_and_timer() {
    let probe = std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipping: systemd-analyze is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let source = deploy_dir().join("systemd");
    let unit = std::fs::read_to_string(source.join("threatbench.service"))
        .unwrap()
        .replace(
            "ExecStart=/usr/local/bin/threatbench",
            &format!("ExecStart={}", env!("CARGO_BIN_EXE_threatbench")),
        );
    std::fs::write(dir.path().join("threatbench.service"), unit).unwrap();
    std::fs::copy(
        source.join("threatbench.timer"),
        dir.path().join("threatbench.timer"),
    )
    .unwrap();
    let out = std::process::Command::new("systemd-analyze")
        .current_dir(dir.path())
        .args(["verify", "./threatbench.service", "./threatbench.timer"])
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "systemd-analyze verify: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
