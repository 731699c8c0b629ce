//! Kubernetes RBAC rules: CIS Kubernetes Benchmark v1.12 section 5.1, evaluated over one Role,
//! ClusterRole, RoleBinding, ClusterRoleBinding or ServiceAccount as JSON (a manifest or
//! `kubectl get -o json`; `List`s are expanded). Each finding points at the rule, verb or
//! subject that grants too much.
//!
//! This is the one implementation of these controls: `threatbench lint` places the findings in
//! files, and the cluster scan ([`super::kube::policies`]) judges each binding of a
//! `--cluster-dump` by what [`grants`] finds in the role it hands out, each role by its
//! wildcards, and each binding and ServiceAccount by what [`evaluate`] finds in it.
//!
//! Built-in objects (label `kubernetes.io/bootstrapping: rbac-defaults`) are skipped: a live
//! cluster always has cluster-admin and system roles with wildcards, and the benchmark's
//! question is who else was granted such rights. A built-in role still counts where a binding
//! that is not built-in hands it out (`edit` bound to a service account).

use serde_json::Value;

use super::kube_workload::objects;
use crate::checks::rule::{Finding, Rule};
use crate::checks::{Benchmark, Component, Doc, Severity};

const K8S: Benchmark = Benchmark::CisKubernetes112;

macro_rules! rule {
    // A right a role grants: the evidence every such rule shares.
    ($name:ident, $slug:literal, $id:expr, $title:literal, $sev:ident,
     what: $what:literal, why: $why:literal, fix: $fix:literal) => {
        rule!($name, $slug, $id, $title, $sev, what: $what, why: $why,
            evidence: "The rule (apiGroups, resources, verbs) that grants it. In a cluster dump, each binding (not built-in) that hands a role with such a rule to a subject other than the control plane's own (service accounts of the system namespaces, `system:` users and groups other than the anonymous and all-users ones).",
            fix: $fix);
    };
    ($name:ident, $slug:literal, $id:expr, $title:literal, $sev:ident,
     what: $what:literal, why: $why:literal, evidence: $ev:literal, fix: $fix:literal) => {
        pub const $name: Rule = Rule {
            slug: $slug,
            ids: $id,
            title: $title,
            severity: Severity::$sev,
            component: Component::KubeRbac,
            doc: Doc {
                what: $what,
                why: $why,
                evidence: $ev,
                remediation: $fix,
                references: "",
            },
        };
    };
}

rule!(CLUSTER_ADMIN_BINDING, "k8s-rbac-cluster-admin-binding", &[(K8S, "5.1.1")],
    "cluster-admin bound only where required", Critical,
    what: "No RoleBinding or ClusterRoleBinding grants the cluster-admin ClusterRole, besides the built-in one for the group system:masters.",
    why: "cluster-admin is every right on every resource: whoever holds it owns the cluster.",
    evidence: "Bindings whose roleRef is the ClusterRole cluster-admin, with their subjects. kubeadm's kubeadm:cluster-admins binding (the group of admin.conf) is a review.",
    fix: "Bind a narrower role that grants only the rights the subject needs; `kubectl delete clusterrolebinding <name>` where none is needed.");
rule!(SECRETS_ACCESS, "k8s-rbac-secrets-access", &[(K8S, "5.1.2")],
    "Access to Secrets minimised", High,
    what: "No Role or ClusterRole grants get, list or watch on secrets (directly or by wildcard). A rule limited by resourceNames to named Secrets is medium and a review.",
    why: "Reading Secrets yields service-account tokens and credentials, usually a step to more rights.",
    fix: "Remove secrets from the rule, or limit it with resourceNames to the Secrets needed.");
rule!(WILDCARD, "k8s-rbac-wildcard", &[(K8S, "5.1.3")],
    "No wildcards in Roles and ClusterRoles", High,
    what: "No rule uses `*` in apiGroups, resources, verbs or nonResourceURLs; `*` on both resources and verbs is critical.",
    why: "A wildcard grants every present and future resource or verb, including ones added by CRDs later.",
    evidence: "Each `*` entry of each rule. In a cluster dump, every Role and ClusterRole that is not built-in.",
    fix: "List the apiGroups, resources and verbs explicitly.");
rule!(POD_CREATE, "k8s-rbac-pod-create", &[(K8S, "5.1.4")],
    "Pod creation rights minimised", High,
    what: "No rule grants create on pods or on the controllers that create pods (deployments, daemonsets, statefulsets, replicasets, jobs, cronjobs, replicationcontrollers).",
    why: "Whoever can create a pod can mount any Secret and run as any service account in the namespace, and, without admission policy, run a privileged pod on a node.",
    fix: "Grant pod creation only to deployment tooling; enforce Pod Security admission in the namespace.");
rule!(SYSTEM_MASTERS, "k8s-rbac-system-masters", &[(K8S, "5.1.7")],
    "system:masters group not used", High,
    what: "No binding names the group system:masters, besides the built-in cluster-admin binding.",
    why: "system:masters bypasses RBAC entirely and cannot be revoked short of rotating the CA.",
    evidence: "Binding subjects. Client certificates issued with that group are in no manifest or dump.",
    fix: "Bind a named admin group to a ClusterRole instead; issue no client certificates with O=system:masters except break-glass (super-admin.conf).");
rule!(BIND_ESCALATE_IMPERSONATE, "k8s-rbac-bind-escalate-impersonate", &[(K8S, "5.1.8")],
    "bind, escalate and impersonate verbs limited", Critical,
    what: "No rule grants bind, escalate or impersonate (or `*` verbs on RBAC objects and identities).",
    why: "These verbs let a subject grant itself any role or act as another user: rights without limit.",
    fix: "Remove the verbs; keep them to cluster administrators.");
rule!(PV_CREATE, "k8s-rbac-pv-create", &[(K8S, "5.1.9")],
    "PersistentVolume creation limited", High,
    what: "No rule grants create on persistentvolumes.",
    why: "A PersistentVolume can be a hostPath: creating one gives node file-system access.",
    fix: "Grant PersistentVolume creation only to storage administrators; use StorageClasses.");
rule!(NODES_PROXY, "k8s-rbac-nodes-proxy", &[(K8S, "5.1.10")],
    "nodes/proxy access limited", Critical,
    what: "No rule grants access to the nodes/proxy sub-resource.",
    why: "nodes/proxy reaches the kubelet API directly (exec into any pod on the node), bypassing admission and audit.",
    fix: "Remove nodes/proxy from the rule.");
rule!(CSR_APPROVAL, "k8s-rbac-csr-approval", &[(K8S, "5.1.11")],
    "CSR approval rights limited", High,
    what: "No rule grants update on certificatesigningrequests/approval or approve on signers.",
    why: "Approving CSRs mints client certificates: any identity, including system:masters.",
    fix: "Keep CSR approval to the controller manager and cluster administrators.");
rule!(WEBHOOK_CONFIG, "k8s-rbac-webhook-config", &[(K8S, "5.1.12")],
    "Webhook configuration write access limited", High,
    what: "No rule grants create, update, patch or delete on validating or mutating webhook configurations.",
    why: "An admission webhook sees, and a mutating one can change, every object written to the cluster.",
    fix: "Keep webhook configuration to cluster administrators.");
rule!(SA_TOKEN_CREATE, "k8s-rbac-sa-token-create", &[(K8S, "5.1.13")],
    "Service-account token creation limited", High,
    what: "No rule grants create on serviceaccounts/token.",
    why: "Creating tokens lets a subject act as any service account in scope.",
    fix: "Remove serviceaccounts/token from the rule.");
rule!(DEFAULT_SA_USED, "k8s-sa-default-used", &[(K8S, "5.1.5")],
    "Default service accounts not used", Medium,
    what: "The default ServiceAccount sets `automountServiceAccountToken: false` and no binding names it.",
    why: "Every pod that names no service account runs as default: rights granted to it reach them all.",
    evidence: "Each `default` ServiceAccount's automountServiceAccountToken, and the bindings that name it.",
    fix: "Create a service account per workload; `kubectl patch serviceaccount default -p '{\"automountServiceAccountToken\": false}'` in each namespace.");
rule!(BROAD_SUBJECT, "k8s-rbac-broad-subject", &[],
    "No bindings to anonymous or all authenticated users", Critical,
    what: "No binding names system:anonymous, system:unauthenticated, system:authenticated or all service accounts (system:serviceaccounts, system:serviceaccounts:<namespace>).",
    why: "Such a binding grants its rights to anyone who can reach the API server, or to every account in the cluster or namespace.",
    evidence: "Binding subjects.",
    fix: "Bind named users, groups or service accounts instead.");

/// Every RBAC rule, for metadata lookups and `--list-rules`.
pub const RULES: &[Rule] = &[
    CLUSTER_ADMIN_BINDING,
    SECRETS_ACCESS,
    WILDCARD,
    POD_CREATE,
    DEFAULT_SA_USED,
    SYSTEM_MASTERS,
    BIND_ESCALATE_IMPERSONATE,
    PV_CREATE,
    NODES_PROXY,
    CSR_APPROVAL,
    WEBHOOK_CONFIG,
    SA_TOKEN_CREATE,
    BROAD_SUBJECT,
];

/// Evaluate every RBAC rule on one object (a List is expanded).
pub fn evaluate(obj: &Value) -> Vec<Finding> {
    let mut out = Vec::new();
    for (at, o) in objects(obj) {
        if is_builtin(o) {
            continue;
        }
        let before = out.len();
        match o.get("kind").and_then(Value::as_str).unwrap_or("") {
            "Role" | "ClusterRole" => role(o, &mut out),
            "RoleBinding" | "ClusterRoleBinding" => binding(o, &mut out),
            "ServiceAccount" => service_account(o, &mut out),
            _ => {}
        }
        for f in &mut out[before..] {
            f.pointer.insert_str(0, &at);
        }
    }
    out
}

/// What a Role or ClusterRole grants that the benchmark limits, built-in or not: a cluster
/// judges a built-in role through the bindings that hand it out. Pointers are into the role.
pub fn grants(obj: &Value) -> Vec<Finding> {
    let mut out = Vec::new();
    role(obj, &mut out);
    out
}

/// Subjects that are everyone, or every account: anonymous and all (un)authenticated users,
/// all service accounts of the cluster or of one namespace.
pub fn is_broad_subject(subject: &Value) -> bool {
    let name = subject.get("name").and_then(Value::as_str).unwrap_or("");
    match subject.get("kind").and_then(Value::as_str).unwrap_or("") {
        "User" => name == "system:anonymous",
        "Group" => {
            matches!(
                name,
                "system:unauthenticated" | "system:authenticated" | "system:serviceaccounts"
            ) || name.starts_with("system:serviceaccounts:")
        }
        _ => false,
    }
}

/// Objects the API server creates itself.
pub fn is_builtin(obj: &Value) -> bool {
    obj.pointer("/metadata/labels/kubernetes.io~1bootstrapping")
        .and_then(Value::as_str)
        == Some("rbac-defaults")
}

fn list(v: Option<&Value>) -> Vec<(usize, &str)> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .enumerate()
                .filter_map(|(i, s)| s.as_str().map(|s| (i, s)))
                .collect()
        })
        .unwrap_or_default()
}

/// One PolicyRule with helpers to ask what it grants.
struct PolicyRule<'a> {
    at: String,
    groups: Vec<(usize, &'a str)>,
    resources: Vec<(usize, &'a str)>,
    verbs: Vec<(usize, &'a str)>,
    names: String,
}

impl PolicyRule<'_> {
    fn in_group(&self, group: &str) -> bool {
        // nonResourceURL rules have no apiGroups; they grant no resources.
        self.groups.iter().any(|(_, g)| *g == group || *g == "*")
    }
    /// The index of the entry in `resources` that covers `resource` (`*`, `pods`, `pods/*`).
    fn resource(&self, resource: &str) -> Option<usize> {
        let (base, sub) = resource.split_once('/').unwrap_or((resource, ""));
        self.resources
            .iter()
            .find(|(_, r)| {
                *r == "*"
                    || *r == resource
                    || (!sub.is_empty() && (*r == format!("{base}/*") || *r == format!("*/{sub}")))
            })
            .map(|(i, _)| *i)
    }
    fn verb(&self, verbs: &[&str]) -> Option<usize> {
        self.verbs
            .iter()
            .find(|(_, v)| *v == "*" || verbs.contains(v))
            .map(|(i, _)| *i)
    }
    /// The pointer of the entry that grants `verbs` on `group`/`resource`, if granted.
    fn grants(&self, group: &str, resource: &str, verbs: &[&str]) -> Option<String> {
        if !self.in_group(group) {
            return None;
        }
        self.resource(resource)?;
        let v = self.verb(verbs)?;
        Some(format!("{}/verbs/{v}", self.at))
    }
    fn describe(&self) -> String {
        let join = |l: &[(usize, &str)]| {
            l.iter()
                .map(|(_, s)| if s.is_empty() { "\"\"" } else { s })
                .collect::<Vec<_>>()
                .join(",")
        };
        format!(
            "[{}] {} on {}{}",
            join(&self.groups),
            join(&self.verbs),
            join(&self.resources),
            self.names
        )
    }
}

fn role(obj: &Value, out: &mut Vec<Finding>) {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("Role");
    let Some(rules) = obj.get("rules").and_then(Value::as_array) else {
        return;
    };
    for (i, r) in rules.iter().enumerate() {
        let names = list(r.get("resourceNames"));
        let rule = PolicyRule {
            at: format!("/rules/{i}"),
            groups: list(r.get("apiGroups")),
            resources: list(r.get("resources")),
            verbs: list(r.get("verbs")),
            names: if names.is_empty() {
                String::new()
            } else {
                format!(
                    " (resourceNames {})",
                    names.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(",")
                )
            },
        };
        let urls = list(r.get("nonResourceURLs"));
        let what = rule.describe();

        // 5.1.3 wildcards: one finding per wildcard entry.
        for (field, entries) in [
            ("apiGroups", &rule.groups),
            ("resources", &rule.resources),
            ("verbs", &rule.verbs),
            ("nonResourceURLs", &urls),
        ] {
            for (j, e) in entries.iter() {
                if *e == "*" {
                    let everything = rule.verbs.iter().any(|(_, v)| *v == "*")
                        && rule.resources.iter().any(|(_, r)| *r == "*");
                    let f = Finding::of(
                        &WILDCARD,
                        format!("{}/{field}/{j}", rule.at),
                        format!("{kind} rule {i} uses * in {field}: {what}"),
                    );
                    out.push(if everything {
                        f.with_severity(Severity::Critical)
                    } else {
                        f
                    });
                }
            }
        }
        // 5.1.2 secrets.
        if let Some(at) = rule.grants("", "secrets", &["get", "list", "watch"]) {
            let f = Finding::of(
                &SECRETS_ACCESS,
                at,
                format!("{kind} rule {i} can read Secrets: {what}"),
            );
            // Named Secrets: whether the subject needs those is a judgement.
            out.push(if rule.names.is_empty() {
                f
            } else {
                f.with_severity(Severity::Medium).for_review()
            });
        }
        // 5.1.4 pod creation, directly or through controllers.
        for (group, resource) in [
            ("", "pods"),
            ("apps", "deployments"),
            ("apps", "daemonsets"),
            ("apps", "statefulsets"),
            ("apps", "replicasets"),
            ("batch", "jobs"),
            ("batch", "cronjobs"),
            ("", "replicationcontrollers"),
        ] {
            if let Some(at) = rule.grants(group, resource, &["create"]) {
                out.push(Finding::of(
                    &POD_CREATE,
                    at,
                    format!("{kind} rule {i} can create {resource}: {what}"),
                ));
                break;
            }
        }
        // 5.1.8 bind / escalate / impersonate.
        let explicit: Vec<&(usize, &str)> = rule
            .verbs
            .iter()
            .filter(|(_, v)| matches!(*v, "bind" | "escalate" | "impersonate"))
            .collect();
        if let Some((j, v)) = explicit.first() {
            out.push(Finding::of(
                &BIND_ESCALATE_IMPERSONATE,
                format!("{}/verbs/{j}", rule.at),
                format!("{kind} rule {i} grants {v}: {what}"),
            ));
        } else if let Some(j) = rule.verb(&[]).filter(|_| {
            [
                ("rbac.authorization.k8s.io", "roles"),
                ("rbac.authorization.k8s.io", "clusterroles"),
                ("", "users"),
                ("", "groups"),
                ("", "serviceaccounts"),
            ]
            .iter()
            .any(|(g, r)| rule.in_group(g) && rule.resource(r).is_some())
        }) {
            out.push(Finding::of(
                &BIND_ESCALATE_IMPERSONATE,
                format!("{}/verbs/{j}", rule.at),
                format!("{kind} rule {i} grants every verb (bind, escalate, impersonate) on RBAC objects or identities: {what}"),
            ));
        }
        // 5.1.9 - 5.1.13.
        for (rule_meta, group, resource, verbs, text) in [
            (
                &PV_CREATE,
                "",
                "persistentvolumes",
                &["create"][..],
                "create PersistentVolumes",
            ),
            (
                &NODES_PROXY,
                "",
                "nodes/proxy",
                &[
                    "get", "create", "update", "patch", "list", "watch", "delete",
                ][..],
                "use nodes/proxy",
            ),
            (
                &CSR_APPROVAL,
                "certificates.k8s.io",
                "certificatesigningrequests/approval",
                &["update", "patch"][..],
                "approve CSRs",
            ),
            (
                &CSR_APPROVAL,
                "certificates.k8s.io",
                "signers",
                &["approve"][..],
                "approve CSRs for signers",
            ),
            (
                &WEBHOOK_CONFIG,
                "admissionregistration.k8s.io",
                "validatingwebhookconfigurations",
                &["create", "update", "patch", "delete"][..],
                "change admission webhooks",
            ),
            (
                &WEBHOOK_CONFIG,
                "admissionregistration.k8s.io",
                "mutatingwebhookconfigurations",
                &["create", "update", "patch", "delete"][..],
                "change admission webhooks",
            ),
            (
                &SA_TOKEN_CREATE,
                "",
                "serviceaccounts/token",
                &["create"][..],
                "create service-account tokens",
            ),
        ] {
            if out.iter().any(|f| {
                f.slug == rule_meta.slug && f.pointer.starts_with(&format!("{}/", rule.at))
            }) {
                continue;
            }
            if let Some(at) = rule.grants(group, resource, verbs) {
                out.push(Finding::of(
                    rule_meta,
                    at,
                    format!("{kind} rule {i} can {text}: {what}"),
                ));
            }
        }
    }
}

fn binding(obj: &Value, out: &mut Vec<Finding>) {
    let kind = obj
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("RoleBinding");
    let role_kind = obj
        .pointer("/roleRef/kind")
        .and_then(Value::as_str)
        .unwrap_or("");
    let role_name = obj
        .pointer("/roleRef/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let subjects = obj.get("subjects").and_then(Value::as_array);
    let subject_text = |s: &Value| {
        format!(
            "{} {}{}",
            s.get("kind").and_then(Value::as_str).unwrap_or("?"),
            s.get("namespace")
                .and_then(Value::as_str)
                .map(|n| format!("{n}/"))
                .unwrap_or_default(),
            s.get("name").and_then(Value::as_str).unwrap_or("?")
        )
    };
    if role_kind == "ClusterRole" && role_name == "cluster-admin" {
        let who: Vec<String> = subjects
            .map(|s| s.iter().map(subject_text).collect())
            .unwrap_or_default();
        let scope = if kind == "ClusterRoleBinding" {
            "cluster-wide"
        } else {
            "in its namespace"
        };
        out.push(Finding::of(
            &CLUSTER_ADMIN_BINDING,
            "/roleRef/name",
            format!(
                "{kind} grants cluster-admin {scope} to {}",
                if who.is_empty() {
                    "no subject".to_string()
                } else {
                    who.join(", ")
                }
            ),
        ));
    }
    for (i, s) in subjects.into_iter().flatten().enumerate() {
        let skind = s.get("kind").and_then(Value::as_str).unwrap_or("");
        let name = s.get("name").and_then(Value::as_str).unwrap_or("");
        let at = format!("/subjects/{i}/name");
        if is_broad_subject(s) {
            out.push(Finding::of(
                &BROAD_SUBJECT,
                at,
                format!("{kind} grants {role_kind} {role_name:?} to {skind} {name}"),
            ));
            continue;
        }
        match (skind, name) {
            ("Group", "system:masters") => out.push(Finding::of(
                &SYSTEM_MASTERS,
                at,
                format!("{kind} names group system:masters"),
            )),
            ("ServiceAccount", "default") => out.push(Finding::of(
                &DEFAULT_SA_USED,
                at,
                format!("{kind} grants {role_kind} {role_name:?} to a default service account"),
            )),
            _ => {}
        }
    }
}

fn service_account(obj: &Value, out: &mut Vec<Finding>) {
    if obj.pointer("/metadata/name").and_then(Value::as_str) != Some("default") {
        return;
    }
    match obj
        .get("automountServiceAccountToken")
        .and_then(Value::as_bool)
    {
        Some(false) => {}
        Some(true) => out.push(Finding::of(
            &DEFAULT_SA_USED,
            "/automountServiceAccountToken",
            "the default ServiceAccount auto-mounts its token into every pod that names no account",
        )),
        None => out.push(Finding::of(
            &DEFAULT_SA_USED,
            "/metadata/name",
            "the default ServiceAccount does not set automountServiceAccountToken: false",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn slugs(f: &[Finding]) -> Vec<&'static str> {
        let mut s: Vec<&str> = f.iter().map(|f| f.slug).collect();
        s.sort();
        s.dedup();
        s
    }

    fn role(rules: Value) -> Value {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
               "metadata": {"name": "r"}, "rules": rules})
    }

    #[test]
    fn a_narrow_read_only_role_passes() {
        let r = role(json!([
            {"apiGroups": [""], "resources": ["configmaps", "pods"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]}
        ]));
        assert!(evaluate(&r).is_empty());
    }

    #[test]
    fn wildcards_are_reported_per_entry_and_full_wildcard_is_critical() {
        let f = evaluate(&role(json!([
            {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}
        ])));
        let w: Vec<&Finding> = f.iter().filter(|f| f.slug == "k8s-rbac-wildcard").collect();
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].pointer, "/rules/0/apiGroups/0");
        assert!(w.iter().all(|f| f.severity == Severity::Critical));
        // * implies secrets, pod creation, escalate, PVs, nodes/proxy, webhooks...
        assert!(slugs(&f).contains(&"k8s-rbac-secrets-access"));
        assert!(slugs(&f).contains(&"k8s-rbac-bind-escalate-impersonate"));
        assert!(slugs(&f).contains(&"k8s-rbac-nodes-proxy"));
        let f = evaluate(&role(json!([
            {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["*"]}
        ])));
        assert_eq!(slugs(&f), ["k8s-rbac-wildcard"]);
        assert_eq!(f[0].severity, Severity::High);
    }

    #[test]
    fn secrets_pod_create_and_escalation_verbs() {
        let f = evaluate(&role(json!([
            {"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]},
            {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["create"]},
            {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["escalate"]},
            {"apiGroups": [""], "resources": ["users"], "verbs": ["impersonate"]}
        ])));
        let at = |slug: &str| {
            f.iter()
                .filter(|f| f.slug == slug)
                .map(|f| f.pointer.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(at("k8s-rbac-secrets-access"), ["/rules/0/verbs/0"]);
        assert_eq!(at("k8s-rbac-pod-create"), ["/rules/1/verbs/0"]);
        assert_eq!(
            at("k8s-rbac-bind-escalate-impersonate"),
            ["/rules/2/verbs/0", "/rules/3/verbs/0"]
        );
        // Secrets limited by resourceNames are still reported, at medium.
        let f = evaluate(&role(json!([
            {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["tls"], "verbs": ["get"]}
        ])));
        assert_eq!(f[0].severity, Severity::Medium);
        assert!(
            f[0].review,
            "whether those Secrets are needed is a judgement"
        );
        // Creating secrets is not reading them.
        assert!(
            evaluate(&role(json!([
                {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]}
            ])))
            .is_empty()
        );
    }

    #[test]
    fn sensitive_subresources() {
        let f = evaluate(&role(json!([
            {"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]},
            {"apiGroups": [""], "resources": ["persistentvolumes"], "verbs": ["create"]},
            {"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests/approval"], "verbs": ["update"]},
            {"apiGroups": ["admissionregistration.k8s.io"], "resources": ["mutatingwebhookconfigurations"], "verbs": ["patch"]},
            {"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]}
        ])));
        assert_eq!(
            slugs(&f),
            [
                "k8s-rbac-csr-approval",
                "k8s-rbac-nodes-proxy",
                "k8s-rbac-pv-create",
                "k8s-rbac-sa-token-create",
                "k8s-rbac-webhook-config"
            ]
        );
    }

    #[test]
    fn bindings() {
        let b = json!({"kind": "ClusterRoleBinding", "metadata": {"name": "b"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [
            {"kind": "ServiceAccount", "name": "ci", "namespace": "tools"},
            {"kind": "Group", "name": "system:masters"},
            {"kind": "Group", "name": "system:authenticated"},
            {"kind": "ServiceAccount", "name": "default", "namespace": "app"}
        ]});
        let f = evaluate(&b);
        assert_eq!(
            f.iter()
                .map(|f| (f.slug, f.pointer.as_str()))
                .collect::<Vec<_>>(),
            [
                ("k8s-rbac-cluster-admin-binding", "/roleRef/name"),
                ("k8s-rbac-system-masters", "/subjects/1/name"),
                ("k8s-rbac-broad-subject", "/subjects/2/name"),
                ("k8s-sa-default-used", "/subjects/3/name"),
            ]
        );
        assert!(f[0].message.contains("ServiceAccount tools/ci"));
        let ok = json!({"kind": "RoleBinding", "roleRef": {"kind": "Role", "name": "reader"},
            "subjects": [{"kind": "ServiceAccount", "name": "app"}]});
        assert!(evaluate(&ok).is_empty());
    }

    #[test]
    fn built_in_objects_are_skipped_but_what_they_grant_is_known() {
        let mut r = role(json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]));
        r["metadata"]["labels"] = json!({"kubernetes.io/bootstrapping": "rbac-defaults"});
        assert!(evaluate(&r).is_empty());
        // A binding that hands the built-in role out is judged by what the role grants.
        let g = grants(&r);
        assert!(slugs(&g).contains(&"k8s-rbac-secrets-access"));
        assert!(slugs(&g).contains(&"k8s-rbac-pod-create"));
    }

    #[test]
    fn bindings_to_everyone_or_every_account_are_broad() {
        for (kind, name) in [
            ("Group", "system:authenticated"),
            ("Group", "system:unauthenticated"),
            ("User", "system:anonymous"),
            ("Group", "system:serviceaccounts"),
            ("Group", "system:serviceaccounts:lab"),
        ] {
            let b = json!({"kind": "RoleBinding", "roleRef": {"kind": "ClusterRole", "name": "view"},
                "subjects": [{"kind": kind, "name": name}]});
            assert_eq!(slugs(&evaluate(&b)), ["k8s-rbac-broad-subject"], "{name}");
        }
        let nodes = json!({"kind": "Group", "name": "system:nodes"});
        assert!(!is_broad_subject(&nodes));
    }

    #[test]
    fn default_service_account() {
        let sa = json!({"kind": "ServiceAccount", "metadata": {"name": "default"}});
        assert_eq!(slugs(&evaluate(&sa)), ["k8s-sa-default-used"]);
        let sa = json!({"kind": "ServiceAccount", "metadata": {"name": "default"},
                        "automountServiceAccountToken": false});
        assert!(evaluate(&sa).is_empty());
        let sa = json!({"kind": "ServiceAccount", "metadata": {"name": "app"}});
        assert!(evaluate(&sa).is_empty());
    }
}
