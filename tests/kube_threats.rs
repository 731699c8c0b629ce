//! The STRIDE threat model of Kubernetes nodes and clusters: kubeadm-like host roots
//! (common_kube) and the cluster dump of common_kube::cluster, plus a namespace `ci` whose
//! service account `deployer` holds cluster-admin (as CI pipelines often get). Threat
//! instances must sit on the element the evidence is about, with the status the checks give.

mod common_kube;

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use common_kube::cluster::{dump, list, meta, write};
use common_kube::*;
use serde_json::{Value, json};
use threatbench::checks::{self, Selection};
use threatbench::facts::Facts;
use threatbench::threats::{Assessment, Instance, Status, assess_on};

fn assess(facts: &Facts) -> Assessment {
    let results = checks::run(facts, &Selection::default());
    assess_on(facts, &results, None, "2026-11-20".parse().unwrap())
}

fn inst<'a>(a: &'a Assessment, id: &str) -> &'a Instance {
    a.instance(id).unwrap_or_else(|| {
        panic!(
            "no instance {id}; have: {:?}",
            a.instances.iter().map(|i| &i.id).collect::<Vec<_>>()
        )
    })
}

/// Assert the status of each instance and that its "why" holds each phrase, reporting every
/// mismatch at once.
fn expect(a: &Assessment, want: &[(&str, Status, &[&str])]) {
    let mut bad = Vec::new();
    for (id, status, phrases) in want {
        let Some(i) = a.instance(id) else {
            bad.push(format!("{id}: no such instance"));
            continue;
        };
        if i.status != *status {
            bad.push(format!(
                "{id}: want {}, got {}: {}",
                status.as_str(),
                i.status.as_str(),
                i.why
            ));
        }
        for p in *phrases {
            if !i.why.contains(p) {
                bad.push(format!("{id}: why lacks {p:?}: {}", i.why));
            }
        }
    }
    assert!(bad.is_empty(), "\n{}", bad.join("\n"));
}

/// The common cluster dump plus namespace `ci` (no LimitRange, no ResourceQuota) whose service
/// account `deployer` is bound to cluster-admin.
fn dump_with_admin_service_account(dir: &Path) {
    dump(dir);
    write(
        dir,
        "ci.json",
        list(vec![
            json!({"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "ci"}}),
            json!({"kind": "ServiceAccount", "apiVersion": "v1", "metadata": meta("deployer", Some("ci"))}),
            json!({"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1",
                   "metadata": meta("ci-deployer-admin", None),
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
                   "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"}]}),
        ]),
    );
}

#[test]
fn default_kubeadm_control_plane_gets_its_kubernetes_threats_from_the_node_checks() {
    let n = NodeRoot::kubeadm_control_plane();
    let a = assess(&n.facts());
    use Status::*;
    expect(
        &a,
        &[
            // Secrets at rest: kubeadm writes no encryption configuration.
            (
                "K8S-I-02@store:kube-secrets",
                Exposed,
                &[
                    "--encryption-provider-config not set",
                    "check 1.2.27 (k8s-apiserver-encryption-config) fails",
                ],
            ),
            (
                "K8S-R-01@process:kube-apiserver",
                Exposed,
                &["check 1.2.16 (k8s-apiserver-audit-log-path) fails"],
            ),
            (
                "K8S-D-01@process:kube-apiserver",
                Exposed,
                &["EventRateLimit not in --enable-admission-plugins"],
            ),
            // Anonymous auth is a manual item (1.2.1): a review, so the client flow is unknown.
            (
                "K8S-S-01@flow:kubectl->kube-apiserver",
                Unknown,
                &[
                    "--anonymous-auth not set: kube-apiserver default is true",
                    "check 1.2.1 (k8s-apiserver-anonymous-auth-disabled) needs review",
                ],
            ),
            (
                "K8S-E-02@process:kube-apiserver",
                Mitigated,
                &["`--authorization-mode=Node,RBAC`"],
            ),
            // etcd: TLS with client certificates on both channels.
            (
                "K8S-T-01@store:etcd",
                Mitigated,
                &["check 2.2 (k8s-etcd-client-cert-auth) passes"],
            ),
            (
                "K8S-I-03@flow:kube-apiserver->etcd",
                Mitigated,
                &["check 1.2.23 (k8s-apiserver-etcd-client-cert) passes"],
            ),
            // The kubelet refuses anonymous calls; the API server does not verify its
            // serving certificate (1.2.5), a supporting control that stays listed.
            (
                "K8S-S-06@flow:kube-apiserver->kubelet",
                Mitigated,
                &["authentication.anonymous.enabled: false in /var/lib/kubelet/config.yaml"],
            ),
            (
                "K8S-E-05@process:kubelet",
                Mitigated,
                &["check 1.2.14 (k8s-apiserver-admission-node-restriction) passes"],
            ),
        ],
    );
    assert!(
        inst(&a, "K8S-S-06@flow:kube-apiserver->kubelet")
            .failing_checks()
            .contains(&"k8s-apiserver-kubelet-ca")
    );
    // The model: control plane inside the node, inside the cluster; the API flow crosses in.
    let parent = |id: &str| {
        a.system
            .boundaries
            .iter()
            .find(|b| b.id == id)
            .and_then(|b| b.parent.clone())
    };
    assert_eq!(parent("control-plane").as_deref(), Some("host"));
    assert_eq!(parent("host").as_deref(), Some("cluster"));
    assert_eq!(parent("cluster").as_deref(), Some("network"));
    let api = a.system.element("flow:kubectl->kube-apiserver").unwrap();
    assert!(api.crosses.contains(&"control-plane".to_string()));
    assert_eq!(
        api.properties["anonymous_auth"],
        "--anonymous-auth not set (default true)"
    );
    let to_etcd = a.system.element("flow:kube-apiserver->etcd").unwrap();
    assert_eq!(to_etcd.to.as_deref(), Some("process:etcd"));
    assert!(to_etcd.properties["etcd_ca"].contains("--etcd-cafile="));
    let kubelet_flow = a.system.element("flow:kube-apiserver->kubelet").unwrap();
    assert!(
        kubelet_flow.properties["kubelet_ca"].contains("not verified"),
        "{:?}",
        kubelet_flow.properties
    );
    let data = a.system.element("store:etcd").unwrap();
    assert_eq!(
        data.properties["file"],
        "/var/lib/etcd 0700 root:root (0:0)"
    );
    for id in [
        "process:etcd",
        "process:kube-scheduler",
        "process:kube-controller-manager",
        "store:kubeconfig:admin.conf",
        "store:kubeconfig:kubelet.conf",
        "flow:etcd->store:etcd",
    ] {
        assert!(a.system.element(id).is_some(), "{id} missing");
    }
    // Without a cluster dump, workloads are unknown (never silently absent), and kube-proxy,
    // a DaemonSet pod on kubeadm, is not visible in a snapshot without /proc.
    let absent = |t: &str| a.absent.iter().find(|x| x.threat == t).unwrap();
    assert_eq!(absent("K8S-E-06").status, Unknown);
    assert!(absent("K8S-E-06").reason.contains("--cluster-dump"));
    assert_eq!(absent("K8S-E-09").status, Unknown);
    assert_eq!(absent("K8S-I-01").status, Unknown);
    assert!(absent("K8S-I-01").reason.contains("kube-proxy"));
}

/// A file check over several files (1.1.13: admin.conf and super-admin.conf) gives each
/// kubeconfig store its own file's verdict, and skips the stores of other files.
#[test]
fn file_checks_are_matched_to_the_kubeconfig_of_each_file() {
    let n = NodeRoot::kubeadm_control_plane();
    n.chmod("/etc/kubernetes/super-admin.conf", 0o644);
    let facts = n.facts();
    let results = checks::run(&facts, &Selection::default());
    let a = assess_on(&facts, &results, None, "2026-11-20".parse().unwrap());
    let mode = results
        .iter()
        .find(|r| r.check.slug == "k8s-file-admin-kubeconfig-mode")
        .unwrap();
    let verdict =
        |id: &str| threatbench::threats::elements::verdict_for(a.system.element(id).unwrap(), mode);
    let (v, why) = verdict("store:kubeconfig:super-admin.conf");
    assert_eq!(v, threatbench::checks::Verdict::Fail, "{why}");
    assert!(why.contains("0644"), "{why}");
    assert_eq!(
        verdict("store:kubeconfig:admin.conf").0,
        threatbench::checks::Verdict::Pass
    );
    let (v, why) = verdict("store:kubeconfig:scheduler.conf");
    assert_eq!(v, threatbench::checks::Verdict::Skip, "{why}");
    // The administrator credential threat sees the readable copy.
    let s = inst(&a, "K8S-S-03@ee:kubectl");
    assert_eq!(s.status, Status::Exposed, "{}", s.why);
    assert!(s.why.contains("super-admin.conf"), "{}", s.why);
}

#[test]
fn insecure_kubelet_exposes_elevation_and_spoofing_on_the_kubelet() {
    let n = NodeRoot::kubeadm_worker();
    n.process(
        77,
        &NodeRoot::kubelet_argv(&["--anonymous-auth=true", "--authorization-mode=AlwaysAllow"]),
    );
    let a = assess(&n.facts());
    use Status::*;
    expect(
        &a,
        &[
            (
                "K8S-E-01@process:kubelet",
                Exposed,
                &[
                    "`--anonymous-auth=true` (flag, overrides the config file)",
                    "check 4.2.1 (k8s-kubelet-anonymous-auth-disabled) fails",
                    "`--authorization-mode=AlwaysAllow` (flag, overrides the config file)",
                    "check 4.2.2 (k8s-kubelet-authz-not-always-allow) fails",
                ],
            ),
            (
                "K8S-S-06@flow:kube-apiserver->kubelet",
                Exposed,
                &["check 4.2.1 (k8s-kubelet-anonymous-auth-disabled) fails"],
            ),
            (
                "K8S-R-03@process:kubelet",
                Exposed,
                &["check 4.2.2 (k8s-kubelet-authz-not-always-allow) fails"],
            ),
        ],
    );
    // A worker: the API server is elsewhere, so its flow enters the node from the cluster and
    // the control plane's threats do not apply on this host.
    let flow = a.system.element("flow:kube-apiserver->kubelet").unwrap();
    assert_eq!(flow.crosses, vec!["host".to_string()]);
    let audit = a.absent.iter().find(|x| x.threat == "K8S-R-01").unwrap();
    assert_eq!(audit.status, NotApplicable);
    assert_eq!(
        a.system.element("process:kubelet").unwrap().properties["source"],
        "process 77 (/proc/77/cmdline)"
    );
}

#[test]
fn cluster_dump_puts_rbac_and_over_allocation_threats_on_their_objects() {
    let n = NodeRoot::kubeadm_control_plane();
    let d = tempfile::tempdir().unwrap();
    dump_with_admin_service_account(d.path());
    let facts = n.facts_with(|o| o.kube.cluster_dump = Some(d.path().to_path_buf()));
    let a = assess(&facts);
    use Status::*;
    expect(
        &a,
        &[
            // RBAC, per service account: the binding that grants it decides.
            (
                "K8S-E-09@sa:ci/deployer",
                Exposed,
                &[
                    "clusterrolebinding ci-deployer-admin: ClusterRoleBinding grants cluster-admin cluster-wide to ServiceAccount ci/deployer",
                    "check 5.1.1 (k8s-rbac-cluster-admin-binding) fails",
                ],
            ),
            (
                "K8S-E-09@sa:lab/ci",
                Exposed,
                &["check 5.1.13 (k8s-rbac-sa-token-create) fails"],
            ),
            // The same checks fail elsewhere, but nothing flags shop's account.
            (
                "K8S-E-09@sa:shop/default",
                Mitigated,
                &["service account shop/default: none of its bindings or roles is flagged"],
            ),
            // Over-allocation, per namespace.
            (
                "K8S-D-05@namespace:ci",
                Exposed,
                &[
                    "namespace ci: 0 LimitRange, 0 ResourceQuota",
                    "check k8s.2 (k8s-namespace-resource-limits) fails",
                ],
            ),
            (
                "K8S-D-05@namespace:shop",
                Mitigated,
                &[
                    "namespace shop: 1 LimitRange, 0 ResourceQuota: check k8s.2 (k8s-namespace-resource-limits) passes",
                ],
            ),
            // The node-level view: any namespace without limits can starve this kubelet.
            (
                "K8S-D-02@process:kubelet",
                Exposed,
                &["check k8s.2 (k8s-namespace-resource-limits) fails"],
            ),
            (
                "K8S-E-01@process:kubelet",
                Exposed,
                &["check 5.1.1 (k8s-rbac-cluster-admin-binding) fails"],
            ),
            // Root containers, per pod.
            (
                "K8S-E-06@pod:lab/debug",
                Exposed,
                &[
                    "pod lab/debug: container \"shell\": runAsUser: 0 runs as root: check 5.2.7 (k8s-pod-run-as-root) fails",
                    "check 5.2.2 (k8s-pod-privileged) fails",
                ],
            ),
            (
                "K8S-E-06@pod:shop/web-5d9c",
                Mitigated,
                &["pod shop/web-5d9c is not among the pods this check flags"],
            ),
            // kube-system's privileged kube-proxy is a review, not a failure.
            ("K8S-E-06@pod:kube-system/kube-proxy-x7k2p", Unknown, &[]),
        ],
    );
    // Elements sit in their namespaces; the service account lists what binds it.
    let sa = a.system.element("sa:ci/deployer").unwrap();
    assert_eq!(sa.boundary, "namespace:ci");
    assert_eq!(
        sa.properties["bindings"],
        "ClusterRoleBinding ci-deployer-admin → ClusterRole cluster-admin"
    );
    let ns = a
        .system
        .boundaries
        .iter()
        .find(|b| b.id == "namespace:ci")
        .unwrap();
    assert_eq!(ns.parent.as_deref(), Some("cluster"));
    // System namespaces hold workloads but no namespace-level or per-account instances.
    assert!(
        a.system
            .element("pod:kube-system/kube-proxy-x7k2p")
            .is_some()
    );
    assert!(a.system.element("namespace:kube-system").is_none());
    assert!(a.system.element("sa:kube-system/kube-proxy").is_none());
    // Fixing 5.1.1 is among the first fixes, and it names the service account's instance.
    let fix = a
        .fix_first()
        .into_iter()
        .find(|f| f.slug == "k8s-rbac-cluster-admin-binding")
        .unwrap();
    assert!(
        fix.instances
            .contains(&"K8S-E-09@sa:ci/deployer".to_string())
    );
}

/// Every brief Kubernetes threat resolves to instances on the discovered elements once node
/// facts and a cluster dump are there (none left without an element).
#[test]
fn every_brief_kubernetes_threat_has_instances_with_check_verdicts() {
    let n = NodeRoot::kubeadm_control_plane();
    n.write(
        "/etc/kubernetes/proxy.conf",
        0o644,
        "apiVersion: v1\nkind: Config\n",
    );
    n.process(
        300,
        &[
            "/usr/local/bin/kube-proxy".into(),
            "--kubeconfig=/etc/kubernetes/proxy.conf".into(),
        ],
    );
    let d = tempfile::tempdir().unwrap();
    dump_with_admin_service_account(d.path());
    let facts = n.facts_with(|o| o.kube.cluster_dump = Some(d.path().to_path_buf()));
    let a = assess(&facts);
    for t in threatbench::threats::builtin()
        .threats
        .iter()
        .filter(|t| t.brief.is_some() && t.component.is_kubernetes())
    {
        let insts: Vec<&Instance> = a.instances.iter().filter(|i| i.threat.id == t.id).collect();
        assert!(
            !insts.is_empty(),
            "{} has no instance: {:?}",
            t.id,
            a.absent.iter().find(|x| x.threat == t.id)
        );
        for i in insts {
            assert!(
                i.checks
                    .iter()
                    .any(|c| matches!(c.verdict.as_str(), "pass" | "fail" | "warn")),
                "{}: no linked check was evaluated",
                i.id
            );
        }
    }
    // kube-proxy's kubeconfig is world-readable here (4.1.3).
    let proxy = inst(&a, "K8S-I-01@store:kube-proxy-kubeconfig");
    assert_eq!(proxy.status, Status::Exposed, "{}", proxy.why);
    assert!(
        proxy
            .why
            .contains("check 4.1.3 (k8s-file-proxy-kubeconfig-mode) fails"),
        "{}",
        proxy.why
    );
    let flow = a.system.element("flow:kube-proxy->kube-apiserver").unwrap();
    assert_eq!(flow.properties["kubeconfig"], "/etc/kubernetes/proxy.conf");
}

fn tb(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("threatbench")
        .unwrap()
        .env_remove("DOCKER_HOST")
        .args(args)
        .output()
        .unwrap()
}

/// `threatbench threats --root NODE --cluster-dump DIR`: Docker (a dockerd in the node's /proc)
/// and Kubernetes side by side in the matrix, the JSON and the Markdown document.
#[test]
fn threats_command_shows_kubernetes_and_docker_side_by_side() {
    let n = NodeRoot::kubeadm_control_plane();
    n.process(
        4242,
        &[
            "/usr/sbin/dockerd".into(),
            "-H".into(),
            "fd://".into(),
            "--containerd=/run/containerd/containerd.sock".into(),
        ],
    );
    let d = tempfile::tempdir().unwrap();
    dump_with_admin_service_account(d.path());
    let root = n.path().to_str().unwrap();
    let dump_dir = d.path().to_str().unwrap();
    let base = [
        "threats",
        "--root",
        root,
        "--cluster-dump",
        dump_dir,
        "--no-model",
    ];

    let out = tb(&[&base[..], &["--format", "json"]].concat());
    assert!(
        matches!(out.status.code(), Some(0 | 1 | 3)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("threats JSON");
    let rows: Vec<&str> = doc["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["component"].as_str().unwrap())
        .collect();
    for row in [
        "docker-daemon",
        "docker-host",
        "kube-apiserver",
        "etcd",
        "kubelet",
        "kube-workload",
        "kube-rbac",
    ] {
        assert!(rows.contains(&row), "matrix lacks {row}: {rows:?}");
    }
    let threat = |id: &str| {
        doc["threats"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["instance"] == id)
            .unwrap_or_else(|| panic!("{id} not in the JSON"))
            .clone()
    };
    assert_eq!(threat("K8S-E-09@sa:ci/deployer")["status"], "exposed");
    assert_eq!(threat("K8S-D-05@namespace:ci")["status"], "exposed");
    let ids: Vec<&str> = doc["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    for id in [
        "process:dockerd",
        "process:kube-apiserver",
        "sa:ci/deployer",
    ] {
        assert!(ids.contains(&id), "{id} not among {ids:?}");
    }
    let boundaries: Vec<&str> = doc["boundaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    for b in ["control-plane", "namespace:ci", "cluster"] {
        assert!(boundaries.contains(&b), "{b} not among {boundaries:?}");
    }

    let out = tb(&[&base[..], &["--format", "markdown"]].concat());
    let md = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "subgraph",
        "[\"control plane (on this node)\"]",
        "[\"namespace ci\"]",
        "([\"service account ci/deployer\"])",
        "([\"kube-apiserver\"])",
        "([\"dockerd\"])",
        "K8S-D-05@namespace:ci",
    ] {
        assert!(md.contains(needle), "Markdown lacks {needle}");
    }

    let out = tb(&base);
    let table = String::from_utf8_lossy(&out.stdout);
    for row in [
        "Docker daemon",
        "Kubernetes API server",
        "RBAC / identity",
        "Kubernetes workloads",
    ] {
        assert!(
            table.lines().any(|l| l.trim_start().starts_with(row)),
            "table lacks row {row}:\n{table}"
        );
    }
}

/// Removes the named container when dropped, also when an assertion fails.
struct Container(String);
impl Drop for Container {
    fn drop(&mut self) {
        let _ = Command::new("docker").args(["rm", "-f", &self.0]).output();
    }
}

/// The real private dockerd (scripts/docker-test-env) next to the Kubernetes fixture: a
/// container's threats and a service account's in one model. Skips when TB_DOCKERD != 1.
#[test]
fn real_dockerd_and_kubernetes_fixture_in_one_model() {
    if std::env::var("TB_DOCKERD").as_deref() != Ok("1") {
        eprintln!("skipping: TB_DOCKERD != 1 (no private dockerd; run scripts/test)");
        return;
    }
    let host = std::env::var("DOCKER_HOST").expect("DOCKER_HOST");
    let image = std::env::var("TB_TEST_IMAGE").expect("TB_TEST_IMAGE");
    let name = format!("tb-kthreats-{}", std::process::id());
    let _cleanup = Container(name.clone());
    let out = Command::new("docker")
        .args([
            "create",
            "--pull",
            "never",
            "--name",
            &name,
            "--privileged",
            &image,
            "sleep",
            "600",
        ])
        .output()
        .expect("docker CLI runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let n = NodeRoot::kubeadm_control_plane();
    let d = tempfile::tempdir().unwrap();
    dump_with_admin_service_account(d.path());
    let out = tb(&[
        "threats",
        "--root",
        n.path().to_str().unwrap(),
        "--docker-host",
        &host,
        "--all-containers",
        "--cluster-dump",
        d.path().to_str().unwrap(),
        "--no-model",
        "--format",
        "json",
    ]);
    assert!(
        matches!(out.status.code(), Some(0 | 1 | 3)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("threats JSON");
    let status = |id: &str| {
        doc["threats"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["instance"] == id)
            .map(|t| t["status"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no instance {id}"))
    };
    assert_eq!(status(&format!("DKR-E-01@container:{name}")), "exposed");
    assert_eq!(status("K8S-E-09@sa:ci/deployer"), "exposed");
    let rows: Vec<&str> = doc["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["component"].as_str().unwrap())
        .collect();
    assert!(
        rows.contains(&"container") && rows.contains(&"kube-rbac"),
        "{rows:?}"
    );
}
