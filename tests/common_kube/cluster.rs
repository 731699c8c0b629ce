//! A `kubectl get -o json` dump of a small kubeadm cluster, written by test code: a hardened
//! namespace (`shop`), a careless one (`lab`) and kubeadm's system objects. RBAC bootstrap
//! objects carry the `kubernetes.io/bootstrapping: rbac-defaults` label as the API server
//! creates them; the lists have the shape `kubectl get <resource> -A -o json` prints.

use std::path::Path;

use serde_json::{Value, json};

pub fn list(items: Vec<Value>) -> Value {
    json!({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items})
}

pub fn meta(name: &str, ns: Option<&str>) -> Value {
    match ns {
        Some(ns) => json!({"name": name, "namespace": ns}),
        None => json!({"name": name}),
    }
}

pub fn builtin_meta(name: &str) -> Value {
    json!({"name": name, "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}})
}

pub fn write(dir: &Path, file: &str, v: Value) {
    std::fs::write(dir.join(file), serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

pub fn dump(dir: &Path) {
    let ns = |name: &str, labels: Value| json!({"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": name, "labels": labels}});
    write(
        dir,
        "namespaces.json",
        list(vec![
            ns("default", json!({})),
            ns("kube-system", json!({})),
            ns("kube-public", json!({})),
            ns("kube-node-lease", json!({})),
            ns(
                "shop",
                json!({"pod-security.kubernetes.io/enforce": "restricted"}),
            ),
            ns(
                "lab",
                json!({"pod-security.kubernetes.io/enforce": "privileged"}),
            ),
        ]),
    );
    write(
        dir,
        "clusterroles.json",
        list(vec![
            json!({"kind": "ClusterRole", "metadata": builtin_meta("cluster-admin"),
                   "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}),
            json!({"kind": "ClusterRole", "metadata": builtin_meta("edit"),
                   "rules": [{"apiGroups": [""], "resources": ["pods", "secrets"], "verbs": ["create", "get", "list", "watch"]}]}),
            json!({"kind": "ClusterRole", "metadata": meta("lab-everything", None),
                   "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list"]}]}),
            json!({"kind": "ClusterRole", "metadata": meta("token-minter", None),
                   "rules": [{"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]},
                             {"apiGroups": [""], "resources": ["users"], "verbs": ["impersonate"]}]}),
        ]),
    );
    write(
        dir,
        "clusterrolebindings.json",
        list(vec![
            json!({"kind": "ClusterRoleBinding", "metadata": builtin_meta("cluster-admin"),
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
                   "subjects": [{"kind": "Group", "name": "system:masters"}]}),
            json!({"kind": "ClusterRoleBinding", "metadata": meta("kubeadm:cluster-admins", None),
                   "roleRef": {"kind": "ClusterRole", "name": "cluster-admin"},
                   "subjects": [{"kind": "Group", "name": "kubeadm:cluster-admins"}]}),
            json!({"kind": "ClusterRoleBinding", "metadata": meta("alice-admin", None),
                   "roleRef": {"kind": "ClusterRole", "name": "cluster-admin"},
                   "subjects": [{"kind": "User", "name": "alice"}]}),
            json!({"kind": "ClusterRoleBinding", "metadata": meta("ci-tokens", None),
                   "roleRef": {"kind": "ClusterRole", "name": "token-minter"},
                   "subjects": [{"kind": "ServiceAccount", "name": "ci", "namespace": "lab"}]}),
        ]),
    );
    write(dir, "roles.json", list(vec![]));
    write(
        dir,
        "rolebindings.json",
        list(vec![
            json!({"kind": "RoleBinding", "metadata": meta("lab-default-edit", Some("lab")),
            "roleRef": {"kind": "ClusterRole", "name": "edit"},
            "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": "lab"}]}),
        ]),
    );
    let sa = |name: &str, ns: &str, automount: Option<bool>| {
        let mut v = json!({"kind": "ServiceAccount", "metadata": meta(name, Some(ns))});
        if let Some(a) = automount {
            v["automountServiceAccountToken"] = json!(a);
        }
        v
    };
    write(
        dir,
        "serviceaccounts.json",
        list(vec![
            sa("default", "default", None),
            sa("default", "kube-system", None),
            sa("default", "shop", Some(false)),
            sa("default", "lab", None),
            sa("ci", "lab", None),
        ]),
    );
    let hardened = json!({"runAsNonRoot": true, "runAsUser": 10001, "allowPrivilegeEscalation": false,
        "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}});
    write(
        dir,
        "pods.json",
        list(vec![
            json!({"kind": "Pod", "metadata": meta("kube-proxy-x7k2p", Some("kube-system")),
                   "spec": {"hostNetwork": true, "serviceAccountName": "kube-proxy",
                            "containers": [{"name": "kube-proxy", "image": "registry.k8s.io/kube-proxy:v1.33.1",
                                            "securityContext": {"privileged": true}}],
                            "volumes": [{"name": "lib-modules", "hostPath": {"path": "/lib/modules"}}]}}),
            json!({"kind": "Pod", "metadata": meta("web-5d9c", Some("shop")),
                   "spec": {"automountServiceAccountToken": false,
                            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
                            "containers": [{"name": "web", "image": "shop/web:1.4", "securityContext": hardened,
                                            "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]}]}}),
            json!({"kind": "Pod", "metadata": meta("debug", Some("lab")),
                   "spec": {"hostPID": true,
                            "containers": [{"name": "shell", "image": "busybox",
                                            "securityContext": {"privileged": true, "runAsUser": 0,
                                                                "capabilities": {"add": ["NET_ADMIN"]}},
                                            "ports": [{"containerPort": 8080, "hostPort": 8080}]}],
                            "volumes": [{"name": "root", "hostPath": {"path": "/"}}]}}),
            json!({"kind": "Pod", "metadata": meta("hello", Some("default")),
                   "spec": {"containers": [{"name": "hello", "image": "hello"}]}}),
        ]),
    );
    write(
        dir,
        "networkpolicies.json",
        list(vec![
            json!({"kind": "NetworkPolicy", "metadata": meta("default-deny", Some("shop")),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}),
        ]),
    );
    write(
        dir,
        "limitranges.json",
        list(vec![
            json!({"kind": "LimitRange", "metadata": meta("defaults", Some("shop")), "spec": {"limits": []}}),
        ]),
    );
    write(dir, "resourcequotas.json", list(vec![]));
    write(
        dir,
        "version.json",
        json!({"clientVersion": {"gitVersion": "v1.33.1"}, "serverVersion": {"gitVersion": "v1.33.1", "major": "1", "minor": "33"}}),
    );
}
