//! Attack paths on Kubernetes fixtures: a kubeadm control plane (common_kube) with the cluster
//! dump of common_kube::cluster, plus RBAC chains (a pod whose automounted token belongs to an
//! account bound to cluster-admin; an account that may impersonate; one that may create pods and
//! read Secrets) and hostPath pods (a writable /etc, a read-only /). Each hop must name the
//! instance and the checks that make it, with their evidence.

mod common_kube;

use std::path::Path;

use common_kube::cluster::{dump, list, meta, write};
use common_kube::*;
use serde_json::json;
use threatbench::checks::{self, Selection};
use threatbench::facts::Facts;
use threatbench::threats::paths::{AttackPath, TargetKind};
use threatbench::threats::{Assessment, assess_on};

fn assess(facts: &Facts) -> Assessment {
    let results = checks::run(facts, &Selection::default());
    assess_on(facts, &results, None, "2026-11-20".parse().unwrap())
}

fn path<'a>(a: &'a Assessment, id: &str) -> &'a AttackPath {
    a.paths
        .paths
        .iter()
        .find(|p| p.id == id)
        .unwrap_or_else(|| {
            panic!(
                "no path {id}; have: {:#?}",
                a.paths.paths.iter().map(|p| &p.id).collect::<Vec<_>>()
            )
        })
}

fn hops(p: &AttackPath) -> Vec<String> {
    p.hops
        .iter()
        .map(|h| {
            format!(
                "{} -> {} ({})",
                h.from,
                h.to,
                h.instance.as_deref().unwrap_or("-")
            )
        })
        .collect()
}

fn has_path(a: &Assessment, id: &str) -> bool {
    a.paths.paths.iter().any(|p| p.id == id)
}

/// The common dump, plus namespace `ci` whose pod `runner` runs as `deployer` (bound to
/// cluster-admin, token automounted), and hostPath pods in `lab`.
fn rbac_and_host_path_dump(dir: &Path) {
    dump(dir);
    write(
        dir,
        "ci.json",
        list(vec![
            json!({"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "ci",
                   "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}}),
            json!({"kind": "ServiceAccount", "apiVersion": "v1", "metadata": meta("deployer", Some("ci"))}),
            json!({"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1",
                   "metadata": meta("ci-deployer-admin", None),
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
                   "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"}]}),
            json!({"kind": "Pod", "metadata": meta("runner", Some("ci")),
                   "spec": {"serviceAccountName": "deployer",
                            "containers": [{"name": "runner", "image": "ci/runner:2"}]}}),
            json!({"kind": "Pod", "metadata": meta("etc-writer", Some("lab")),
                   "spec": {"automountServiceAccountToken": false,
                            "containers": [{"name": "w", "image": "busybox",
                                            "volumeMounts": [{"name": "etc", "mountPath": "/host/etc"}]}],
                            "volumes": [{"name": "etc", "hostPath": {"path": "/etc"}}]}}),
            json!({"kind": "Pod", "metadata": meta("root-reader", Some("lab")),
                   "spec": {"automountServiceAccountToken": false,
                            "containers": [{"name": "r", "image": "busybox",
                                            "volumeMounts": [{"name": "root", "mountPath": "/host", "readOnly": true}]}],
                            "volumes": [{"name": "root", "hostPath": {"path": "/"}}]}}),
        ]),
    );
}

fn cluster(tweak: impl FnOnce(&NodeRoot)) -> Assessment {
    let n = NodeRoot::kubeadm_control_plane();
    tweak(&n);
    let d = tempfile::tempdir().unwrap();
    rbac_and_host_path_dump(d.path());
    assess(&n.facts_with(|o| o.kube.cluster_dump = Some(d.path().to_path_buf())))
}

#[test]
fn an_automounted_token_bound_to_cluster_admin_is_a_two_hop_path() {
    let a = cluster(|_| {});
    let p = path(&a, "pod:ci/runner->identity:cluster-admin");
    assert_eq!(
        hops(p),
        [
            "pod:ci/runner -> sa:ci/deployer (K8S-I-09@pod:ci/runner)",
            "sa:ci/deployer -> identity:cluster-admin (K8S-E-09@sa:ci/deployer)"
        ]
    );
    assert_eq!(p.target_kind, TargetKind::ClusterAdmin);
    let token = &p.hops[0];
    assert_eq!(token.checks[0].slug, "k8s-sa-token-automount");
    assert!(
        token.evidence.contains("automountServiceAccountToken"),
        "{}",
        token.evidence
    );
    let admin = &p.hops[1];
    assert!(
        admin.evidence.contains("ci-deployer-admin"),
        "{}",
        admin.evidence
    );
    assert!(admin.evidence.contains("fails"), "{}", admin.evidence);
    // The stolen token alone is an entry too.
    assert_eq!(
        hops(path(&a, "sa:ci/deployer->identity:cluster-admin")).len(),
        1
    );
}

#[test]
fn impersonate_create_pods_and_get_secrets_lead_on() {
    let a = cluster(|_| {});
    // lab/ci may impersonate users (token-minter).
    assert_eq!(
        hops(path(&a, "sa:lab/ci->identity:cluster-admin")),
        ["sa:lab/ci -> identity:cluster-admin (K8S-E-09@sa:lab/ci)"]
    );
    // lab/default holds edit: create pods and read Secrets.
    assert_eq!(
        hops(path(&a, "sa:lab/default->store:kube-secrets")),
        ["sa:lab/default -> store:kube-secrets (K8S-E-09@sa:lab/default)"]
    );
    // Pods it creates may run as lab/ci: the next identity, then cluster-admin.
    let chain = path(&a, "sa:lab/default->identity:cluster-admin");
    assert_eq!(
        hops(chain),
        [
            "sa:lab/default -> namespace:lab (K8S-E-09@sa:lab/default)",
            "namespace:lab -> sa:lab/ci (-)",
            "sa:lab/ci -> identity:cluster-admin (K8S-E-09@sa:lab/ci)"
        ]
    );
    assert!(
        chain.hops[0]
            .checks
            .iter()
            .any(|c| c.slug == "k8s-rbac-pod-create")
    );
    assert!(
        chain.hops[1]
            .evidence
            .contains("may name service account lab/ci")
    );
    // lab enforces only `privileged`: a pod created there may be privileged on a node.
    assert_eq!(
        hops(path(&a, "sa:lab/default->node:root"))[1],
        "namespace:lab -> node:root (K8S-D-05@namespace:lab)"
    );
    // shop's default account is flagged by nothing.
    assert!(!a.paths.paths.iter().any(|p| p.entry == "sa:shop/default"));
}

#[test]
fn host_path_and_privileged_pods_reach_the_node_and_its_kubelet_credentials() {
    let a = cluster(|_| {});
    assert_eq!(
        hops(path(&a, "pod:lab/etc-writer->node:root")),
        ["pod:lab/etc-writer -> node:root (K8S-T-08@pod:lab/etc-writer)"]
    );
    assert_eq!(
        hops(path(&a, "pod:lab/etc-writer->node:kubelet-credentials")),
        ["pod:lab/etc-writer -> node:kubelet-credentials (K8S-T-08@pod:lab/etc-writer)"]
    );
    // Read-only /: the kubelet's credentials, not root.
    assert!(has_path(
        &a,
        "pod:lab/root-reader->node:kubelet-credentials"
    ));
    assert!(!has_path(&a, "pod:lab/root-reader->node:root"));
    let read = &path(&a, "pod:lab/root-reader->node:kubelet-credentials").hops[0];
    assert!(read.evidence.contains("hostPath /"), "{}", read.evidence);
    // Privileged: node root, then the kubelet's credentials by design (no instance).
    assert_eq!(
        hops(path(&a, "pod:lab/debug->node:kubelet-credentials")),
        [
            "pod:lab/debug -> node:root (K8S-E-06@pod:lab/debug)",
            "node:root -> node:kubelet-credentials (-)"
        ]
    );
    // The hardened shop pod reaches nothing.
    assert!(!a.paths.paths.iter().any(|p| p.entry == "pod:shop/web-5d9c"));
}

#[test]
fn etcd_without_client_certificates_gives_its_data_and_the_secrets() {
    let secure = cluster(|_| {});
    assert!(!has_path(&secure, "entry:network->store:etcd"));
    let a = cluster(|n| {
        let flags: Vec<String> = etcd_flags()
            .into_iter()
            .filter(|f| !f.starts_with("--client-cert-auth"))
            .collect();
        n.manifest("etcd", &flags);
    });
    assert_eq!(
        hops(path(&a, "entry:network->store:etcd")),
        ["entry:network -> store:etcd (K8S-T-01@store:etcd)"]
    );
    let secrets = path(&a, "entry:network->store:kube-secrets");
    assert_eq!(
        hops(secrets),
        [
            "entry:network -> store:etcd (K8S-T-01@store:etcd)",
            "store:etcd -> store:kube-secrets (K8S-I-02@store:kube-secrets)"
        ]
    );
    assert!(
        secrets.hops[0]
            .evidence
            .contains("check 2.2 (k8s-etcd-client-cert-auth) fails"),
        "{}",
        secrets.hops[0].evidence
    );
}
