//! Kubernetes edges: a pod reaches its node (privileged, a writable sensitive hostPath) or the
//! node's kubelet credentials (a hostPath that exposes them, even read-only), and its service
//! account through an automounted token; a service account reaches cluster-admin (bound to it,
//! or allowed bind, escalate or impersonate), Secrets (get secrets) and the pods of its
//! namespace (create pods), which run as any account there and, without Pod Security
//! enforcement, privileged on a node; etcd without client certificates gives its data, and
//! without encryption at rest, the Secrets in it. On a node, root reads the kubelet's and an
//! administrator's kubeconfig.

use std::collections::HashMap;

use serde_json::Value;

use super::{Builder, Need, TargetKind};
use crate::checks::evaluators::kube_workload::is_sensitive_host_path;
use crate::checks::kube::policies;
use crate::facts::Observed;
use crate::threats::elements::ElementKind;

const NODE_ROOT: &str = "node:root";
const KUBELET_CREDS: &str = "node:kubelet-credentials";
const ADMIN: &str = "identity:cluster-admin";
const SECRETS: &str = "store:kube-secrets";
const ETCD: &str = "store:etcd";

pub(super) fn edges(b: &mut Builder) {
    node(b);
    etcd(b);
    let Some(Observed::Seen(cluster)) = &b.facts.kube.cluster else {
        return;
    };
    // Every pod spec of a workload (its template and each pod): one pod changed by hand can
    // mount what the template does not.
    let specs: HashMap<String, Vec<&Value>> = policies::workloads(cluster)
        .iter()
        .map(|w| {
            let specs = w
                .judged_objects()
                .filter_map(policies::template_spec)
                .collect();
            (w.name.clone(), specs)
        })
        .collect();
    b.target(NODE_ROOT, TargetKind::HostRoot);
    b.target(KUBELET_CREDS, TargetKind::KubeletCredentials);
    b.target(ADMIN, TargetKind::ClusterAdmin);
    b.target(SECRETS, TargetKind::Secrets);
    b.inherent(
        NODE_ROOT,
        KUBELET_CREDS,
        "root on a node reads the kubelet's client credentials (/var/lib/kubelet/pki, /etc/kubernetes/kubelet.conf)",
    );
    let elements: Vec<(String, ElementKind, String)> = b
        .system
        .elements
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                ElementKind::Pod | ElementKind::ServiceAccount | ElementKind::NamespaceWorkloads
            )
        })
        .map(|e| (e.id.clone(), e.kind, e.boundary.clone()))
        .collect();
    // Service accounts by namespace.
    let mut accounts: HashMap<String, Vec<String>> = HashMap::new();
    for (id, kind, _) in &elements {
        if *kind == ElementKind::ServiceAccount
            && let Some((ns, _)) = id.trim_start_matches("sa:").split_once('/')
        {
            accounts.entry(ns.to_string()).or_default().push(id.clone());
        }
    }
    for (id, kind, boundary) in &elements {
        let ns = boundary.trim_start_matches("namespace:");
        match kind {
            ElementKind::Pod => pod(b, id, ns, &specs),
            ElementKind::ServiceAccount => account(b, id, ns),
            ElementKind::NamespaceWorkloads => namespace(
                b,
                id,
                ns,
                accounts.get(ns).map(Vec::as_slice).unwrap_or(&[]),
            ),
            _ => {}
        }
    }
}

/// This host as a Kubernetes node: root here holds the kubelet's and an administrator's
/// credentials.
fn node(b: &mut Builder) {
    if b.element("process:kubelet").is_some() {
        b.target("process:host", TargetKind::HostRoot);
        b.target(KUBELET_CREDS, TargetKind::KubeletCredentials);
        b.inherent(
            "process:host",
            KUBELET_CREDS,
            "root on this node reads the kubelet's kubeconfig and client certificate",
        );
    }
    for file in ["admin.conf", "super-admin.conf"] {
        if b.element(&format!("store:kubeconfig:{file}")).is_some() {
            b.target("process:host", TargetKind::HostRoot);
            b.target(ADMIN, TargetKind::ClusterAdmin);
            b.inherent(
                "process:host",
                ADMIN,
                &format!(
                    "root on this node reads /etc/kubernetes/{file}, a cluster-admin kubeconfig"
                ),
            );
        }
    }
}

fn etcd(b: &mut Builder) {
    if b.element(ETCD).is_none() {
        return;
    }
    b.target(ETCD, TargetKind::EtcdData);
    b.target(SECRETS, TargetKind::Secrets);
    let added = b.edge(
        "entry:network",
        ETCD,
        ("K8S-T-01", ETCD),
        &[("k8s-etcd-client-cert-auth", Need::Fails)],
        "etcd accepts clients without a certificate: whoever reaches its client port reads and writes every key",
    );
    if added {
        b.entry("entry:network", "anyone who reaches the host's addresses");
    }
    b.edge(
        ETCD,
        SECRETS,
        ("K8S-I-02", SECRETS),
        &[("k8s-apiserver-encryption-config", Need::NotPassing)],
        "Secrets are kept in etcd without encryption at rest: etcd's data holds them in clear",
    );
}

/// Paths that expose a node's kubelet credentials even when mounted read-only.
fn exposes_kubelet_credentials(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    matches!(p, "" | "/var" | "/var/lib" | "/etc")
        || p == "/var/lib/kubelet"
        || p.starts_with("/var/lib/kubelet/pki")
        || p == "/etc/kubernetes"
        || p.starts_with("/etc/kubernetes/")
}

/// The sensitive hostPath volumes of a pod spec that a container mounts: (path, writable).
fn host_paths(spec: &Value) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for v in spec
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(path) = v.pointer("/hostPath/path").and_then(Value::as_str) else {
            continue;
        };
        if !is_sensitive_host_path(path) {
            continue;
        }
        let name = v.get("name").and_then(Value::as_str).unwrap_or("");
        let mounts: Vec<&Value> = ["containers", "initContainers", "ephemeralContainers"]
            .iter()
            .filter_map(|k| spec.get(*k).and_then(Value::as_array))
            .flatten()
            .filter_map(|c| c.get("volumeMounts").and_then(Value::as_array))
            .flatten()
            .filter(|m| m.get("name").and_then(Value::as_str) == Some(name))
            .collect();
        // A volume no container mounts reaches nothing; with no container list to tell (a
        // template cut short), count it as mounted.
        if mounts.is_empty() && spec.get("containers").is_some() {
            continue;
        }
        let writable = mounts.is_empty()
            || mounts
                .iter()
                .any(|m| m.get("readOnly").and_then(Value::as_bool) != Some(true));
        out.push((path.to_string(), writable));
    }
    out
}

fn pod(b: &mut Builder, id: &str, ns: &str, specs: &HashMap<String, Vec<&Value>>) {
    b.entry(
        id,
        "assumed compromised (its application is exposed to its users)",
    );
    if let Some(element) = b.element(id) {
        let account = element
            .properties
            .get("service_account")
            .cloned()
            .unwrap_or_default();
        let sa = format!("sa:{ns}/{account}");
        if b.element(&sa).is_some() {
            b.edge(
                id,
                &sa,
                ("K8S-I-09", id),
                &[("k8s-sa-token-automount", Need::Shows)],
                &format!("the pod has service account {ns}/{account}'s token mounted: code in it calls the API as that account"),
            );
        }
    }
    b.edge(
        id,
        NODE_ROOT,
        ("K8S-E-06", id),
        &[("k8s-pod-privileged", Need::Fails)],
        "a privileged container has every capability and the node's devices: it mounts the node's disk",
    );
    let pods: Vec<String> = b
        .element(id)
        .map(|e| {
            e.objects
                .iter()
                .filter(|o| o.kind == "pod")
                .map(|o| o.name.clone())
                .collect()
        })
        .unwrap_or_default();
    let mut writable = Vec::new();
    let mut readable = Vec::new();
    for p in &pods {
        let all = specs.get(p).map(Vec::as_slice).unwrap_or_default();
        for (path, rw) in all.iter().flat_map(|s| host_paths(s)) {
            let list = if rw { &mut writable } else { &mut readable };
            if !list.contains(&path) {
                list.push(path);
            }
        }
    }
    if !writable.is_empty() {
        b.edge(
            id,
            NODE_ROOT,
            ("K8S-T-08", id),
            &[("k8s-pod-host-path", Need::Fails)],
            &format!(
                "hostPath {} mounted writable: root in the pod rewrites the node's files",
                writable.join(", ")
            ),
        );
    }
    let creds: Vec<String> = writable
        .iter()
        .chain(&readable)
        .filter(|p| exposes_kubelet_credentials(p))
        .cloned()
        .collect();
    if !creds.is_empty() {
        b.edge(
            id,
            KUBELET_CREDS,
            ("K8S-T-08", id),
            &[("k8s-pod-host-path", Need::Fails)],
            &format!(
                "hostPath {} exposes the node's kubelet credentials to the pod",
                creds.join(", ")
            ),
        );
    }
}

fn account(b: &mut Builder, id: &str, ns: &str) {
    let name = id.trim_start_matches("sa:");
    b.entry(
        id,
        format!("service account {name}'s token is stolen (from a pod, a log, a CI secret)"),
    );
    let carried = ("K8S-E-09", id);
    b.edge(
        id,
        ADMIN,
        carried,
        &[("k8s-rbac-cluster-admin-binding", Need::Fails)],
        "the account is bound to cluster-admin",
    );
    b.edge(
        id,
        ADMIN,
        carried,
        &[("k8s-rbac-bind-escalate-impersonate", Need::Fails)],
        "the account may bind, escalate or impersonate: it grants itself cluster-admin or acts as an administrator",
    );
    b.edge(
        id,
        SECRETS,
        carried,
        &[("k8s-rbac-secrets-access", Need::Fails)],
        "the account may read Secrets (tokens and credentials of other identities)",
    );
    let pods = format!("namespace:{ns}");
    if b.element(&pods).is_some() {
        b.edge(
            id,
            &pods,
            carried,
            &[("k8s-rbac-pod-create", Need::Fails)],
            &format!("the account may create pods (or their controllers) in namespace {ns}"),
        );
    }
}

fn namespace(b: &mut Builder, id: &str, ns: &str, accounts: &[String]) {
    for sa in accounts {
        b.inherent(
            id,
            sa,
            &format!(
                "a pod created in namespace {ns} may name service account {} and gets its token",
                sa.trim_start_matches("sa:")
            ),
        );
    }
    b.edge_on(
        id,
        NODE_ROOT,
        id,
        &[("k8s-namespace-pod-security-enforced", Need::Fails)],
        &format!("namespace {ns} enforces no Pod Security level that refuses privileged pods: a pod created there runs privileged on a node"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn host_paths_are_writable_unless_every_mount_is_read_only() {
        let spec = json!({
            "containers": [
                {"name": "a", "volumeMounts": [{"name": "root", "mountPath": "/host", "readOnly": true},
                                               {"name": "etc", "mountPath": "/h/etc"}]},
                {"name": "b", "volumeMounts": [{"name": "root", "mountPath": "/host", "readOnly": true}]}
            ],
            "volumes": [
                {"name": "root", "hostPath": {"path": "/"}},
                {"name": "etc", "hostPath": {"path": "/etc"}},
                {"name": "data", "hostPath": {"path": "/srv/data"}},
                {"name": "unused", "hostPath": {"path": "/var/lib/kubelet"}}
            ]
        });
        assert_eq!(
            host_paths(&spec),
            vec![("/".to_string(), false), ("/etc".to_string(), true)]
        );
        assert!(exposes_kubelet_credentials("/"));
        assert!(exposes_kubelet_credentials("/var/lib/kubelet/pki"));
        assert!(!exposes_kubelet_credentials("/var/log"));
    }
}
