//! Workloads, not replicas: a cluster dump whose pods carry `ownerReferences` as the API server
//! writes them (Deployment → ReplicaSet → Pod, CronJob → Job → Pod) is scanned and modelled as
//! a user runs it, and every verdict, threat instance and harden pick names the object a person
//! edits. The objects follow the shapes `kubectl get <resource> -A -o json` prints (the lists
//! of common_kube::cluster); the node is common_kube's kubeadm control plane.

mod common_kube;

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use common_kube::NodeRoot;
use common_kube::cluster::{list, write};
use serde_json::{Value, json};

fn meta(name: &str, ns: &str, owner: Option<(&str, &str)>) -> Value {
    let mut m = json!({"name": name, "namespace": ns, "uid": format!("uid-{name}")});
    if let Some((kind, owner)) = owner {
        m["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": kind, "name": owner,
            "uid": format!("uid-{owner}"), "controller": true, "blockOwnerDeletion": true}]);
    }
    m
}

fn pod_spec(privileged: bool) -> Value {
    json!({"serviceAccountName": "app", "automountServiceAccountToken": false,
           "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
           "containers": [{"name": "app", "image": "registry.example/app:1.0",
               "securityContext": {"privileged": privileged, "allowPrivilegeEscalation": privileged,
                   "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": true},
               "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]})
}

/// Namespace `shop`: Deployment `web` (privileged, 3 replicas, and an old ReplicaSet scaled
/// to 0), CronJob `report` between runs (privileged template), Deployment `api` (clean) with
/// one pod someone made privileged by hand, and a bare pod `debug`.
fn write_dump(dir: &Path) {
    let pod = |name: &str, owner: (&str, &str), privileged: bool| {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta(name, "shop", Some(owner)),
               "spec": pod_spec(privileged), "status": {"phase": "Running"}})
    };
    let template = |privileged: bool| json!({"metadata": {"labels": {"app": "x"}}, "spec": pod_spec(privileged)});
    write(
        dir,
        "namespaces.json",
        list(vec![
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop",
            "labels": {"pod-security.kubernetes.io/enforce": "baseline"}}}),
        ]),
    );
    write(
        dir,
        "deployments.json",
        list(vec![
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta("web", "shop", None),
               "spec": {"replicas": 3, "template": template(true)}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta("api", "shop", None),
               "spec": {"replicas": 2, "template": template(false)}}),
        ]),
    );
    write(
        dir,
        "replicasets.json",
        list(vec![
            json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta("web-7d9f", "shop", Some(("Deployment", "web"))),
               "spec": {"replicas": 3, "template": template(true)}}),
            json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta("web-5c1a", "shop", Some(("Deployment", "web"))),
               "spec": {"replicas": 0, "template": template(true)}}),
            json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta("api-6b2c", "shop", Some(("Deployment", "api"))),
               "spec": {"replicas": 2, "template": template(false)}}),
        ]),
    );
    write(
        dir,
        "cronjobs.json",
        list(vec![
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta("report", "shop", None),
               "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": template(true)}}}}),
        ]),
    );
    write(dir, "jobs.json", list(vec![]));
    write(
        dir,
        "pods.json",
        list(vec![
            pod("web-7d9f-a1", ("ReplicaSet", "web-7d9f"), true),
            pod("web-7d9f-b2", ("ReplicaSet", "web-7d9f"), true),
            pod("web-7d9f-c3", ("ReplicaSet", "web-7d9f"), true),
            pod("api-6b2c-d4", ("ReplicaSet", "api-6b2c"), false),
            pod("api-6b2c-e5", ("ReplicaSet", "api-6b2c"), true),
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta("debug", "shop", None),
               "spec": pod_spec(false)}),
        ]),
    );
    write(
        dir,
        "serviceaccounts.json",
        list(vec![
            json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta("app", "shop", None)}),
        ]),
    );
}

fn tb(args: &[&str]) -> std::process::Output {
    let out = Command::cargo_bin("threatbench")
        .unwrap()
        .env_remove("DOCKER_HOST")
        .args(args)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1 | 3)),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

struct Cluster {
    node: NodeRoot,
    dump: tempfile::TempDir,
}

impl Cluster {
    fn new() -> Cluster {
        let dump = tempfile::tempdir().unwrap();
        write_dump(dump.path());
        Cluster {
            node: NodeRoot::kubeadm_control_plane(),
            dump,
        }
    }

    fn run(&self, args: &[&str]) -> String {
        let root = self.node.path().to_str().unwrap();
        let dump = self.dump.path().to_str().unwrap();
        let out = tb(&[args, &["--root", root, "--cluster-dump", dump]].concat());
        String::from_utf8(out.stdout).unwrap()
    }
}

#[test]
fn checks_judge_workloads_with_their_templates_and_pods() {
    let c = Cluster::new();
    let doc: Value = serde_json::from_str(&c.run(&[
        "scan",
        "--format",
        "json",
        "--select",
        "k8s-pod-privileged",
    ]))
    .unwrap();
    let result = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["slug"] == "k8s-pod-privileged")
        .expect("5.2.2 ran");
    assert_eq!(result["verdict"], "fail");
    let objects: Vec<(&str, &str)> = result["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["name"].as_str().unwrap(), o["evidence"].as_str().unwrap()))
        .collect();
    let evidence = |name: &str| {
        objects
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, e)| *e)
            .unwrap_or_else(|| panic!("no object {name}: {objects:?}"))
    };
    assert!(evidence("deployment shop/web").ends_with("(template and all 3 pods)"));
    assert!(evidence("deployment shop/api").ends_with("(1 of 2 pods)"));
    assert!(evidence("cronjob shop/report").ends_with("(template; no pod running)"));
    assert!(
        objects
            .iter()
            .all(|(n, _)| !n.contains("replicaset") && !n.starts_with("pod shop/web")),
        "replicas and ReplicaSets are not reported: {objects:?}"
    );
    assert!(
        result["evidence"]
            .as_str()
            .unwrap()
            .contains("3 of 3 workloads fail"),
        "{}",
        result["evidence"]
    );
}

#[test]
fn threats_and_harden_name_the_workload_a_person_edits() {
    let c = Cluster::new();
    let doc: Value =
        serde_json::from_str(&c.run(&["threats", "--format", "json", "--no-model"])).unwrap();
    let instances: Vec<&str> = doc["threats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["instance"].as_str().unwrap())
        .collect();
    for want in [
        "K8S-E-06@workload:shop/deployment/web",
        "K8S-E-06@workload:shop/cronjob/report",
        "K8S-E-06@workload:shop/deployment/api",
        "K8S-E-06@pod:shop/debug",
    ] {
        assert!(instances.contains(&want), "no {want}: {instances:?}");
    }
    assert!(
        instances
            .iter()
            .all(|i| !i.contains("replicaset") && !i.contains("/job/")),
        "{instances:?}"
    );
    let web = doc["elements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "workload:shop/deployment/web")
        .expect("the Deployment is an element");
    assert_eq!(web["properties"]["pods"], "3 pods", "{web}");

    let plan = c.run(&["harden", "--select", "k8s-pod-privileged"]);
    assert!(plan.contains("deployment shop/web"), "{plan}");
    assert!(!plan.contains("web-7d9f-a1"), "{plan}");
}

#[test]
fn the_terminal_and_markdown_views_stay_readable() {
    let c = Cluster::new();
    // Four open K8S-E-06 instances: all shown (a group is cut only above four).
    let table = c.run(&["threats", "--no-model"]);
    assert!(
        table.contains("K8S-E-06@workload:shop/deployment/web"),
        "{table}"
    );
    let markdown = c.run(&["threats", "--no-model", "--format", "markdown"]);
    assert!(markdown.contains("##### Namespace `shop`"), "{markdown}");
    let row = markdown
        .lines()
        .find(|l| l.starts_with("| deployment shop/web |") && l.contains("k8s-pod-privileged"))
        .unwrap_or_else(|| panic!("no row for the Deployment: {markdown}"));
    assert!(row.contains("| exposed |"), "{row}");
}

#[test]
fn many_instances_of_one_threat_show_the_worst_few_and_a_count() {
    let c = Cluster::new();
    let pods: Vec<Value> = (0..6)
        .map(|i| {
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta(&format!("tool-{i}"), "lab", None),
                   "spec": pod_spec(true)})
        })
        .collect();
    // The six replace the pods: with the Deployment `web` and the CronJob `report` (judged by
    // their templates), eight workloads are privileged.
    write(c.dump.path(), "pods.json", list(pods));
    let table = c.run(&["threats", "--no-model"]);
    let header = table
        .lines()
        .find(|l| l.contains("K8S-E-06") && l.contains("open on"))
        .unwrap_or_else(|| panic!("no grouped K8S-E-06: {table}"));
    assert!(header.contains("open on 8 elements"), "{header}");
    assert!(table.contains("… and 5 more K8S-E-06 instances"), "{table}");
    assert_eq!(table.matches("K8S-E-06@").count(), 3, "{table}");
    let verbose = c.run(&["threats", "--no-model", "--verbose"]);
    // Every instance, the mitigated Deployment `api` (no pod left) too.
    assert_eq!(verbose.matches("K8S-E-06@").count(), 9, "{verbose}");
}

/// The README's first command ends with the answer: the worst exposed threats with the checks
/// that leave them open, the fixes that remove the most risk, and where to look next.
#[test]
fn the_scan_table_ends_with_the_worst_threats_and_the_fixes_first() {
    let c = Cluster::new();
    let table = c.run(&["scan"]);
    let tail = &table[table.find("Summary:").expect("a summary")..];
    assert!(tail.contains("Worst exposed threats"), "{tail}");
    assert!(
        tail.contains("K8S-E-06@workload:shop/deployment/web"),
        "{tail}"
    );
    assert!(tail.contains("Fix first"), "{tail}");
    assert!(tail.contains("  1. "), "{tail}");
    assert!(tail.contains("`threatbench harden`"), "{tail}");
    // --quiet: the counts only.
    let quiet = c.run(&["scan", "--quiet"]);
    assert!(quiet.contains("Summary:"), "{quiet}");
    assert!(
        !quiet.contains("Worst exposed") && !quiet.contains("k8s-pod-privileged"),
        "{quiet}"
    );
}
