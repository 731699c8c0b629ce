//! The RBAC checks of section 5.1 over a cluster dump, from the shared RBAC evaluator
//! ([`kube_rbac`]): a binding is judged by what [`kube_rbac::grants`] finds in the role it hands
//! out to subjects other than the control plane's own; roles by their wildcards; bindings by
//! their cluster-admin and system:masters grants; each default ServiceAccount by its own
//! findings and those of the bindings that name it.
//!
//! Built-in objects (label `kubernetes.io/bootstrapping: rbac-defaults`) are not judged
//! themselves. What the control plane owns without that label (objects in a system namespace,
//! names starting `system:`, kubeadm's `kubeadm:cluster-admins` binding for admin.conf) is a
//! review, not a failure: the names are reserved for Kubernetes components, but nothing stops
//! anyone else from using them.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{
    bindings, cluster_with, is_system_ns, namespace, object, object_kind, objects_outcome,
    qualified, role_of, s,
};
use crate::checks::evaluators::kube_rbac::{self, is_builtin};
use crate::checks::rule::{Finding, Rule};
use crate::checks::{Context, ObjectOutcome, Outcome, Verdict};

/// kubeadm's binding of cluster-admin for the group that admin.conf's certificate names.
const KUBEADM_ADMINS: &str = "kubeadm:cluster-admins";

/// `fail`, or `warn` for what the control plane owns.
fn verdict_of(o: &Value) -> Verdict {
    let name = s(o, "/metadata/name");
    if is_system_ns(namespace(o)) || name.starts_with("system:") || name == KUBEADM_ADMINS {
        Verdict::Warn
    } else {
        Verdict::Fail
    }
}

/// A subject that is one of the control plane's own identities: a service account of a system
/// namespace, or a `system:` user or group other than everyone ([`kube_rbac::is_broad_subject`]).
fn is_control_plane_subject(sub: &Value, binding: &Value) -> bool {
    match s(sub, "/kind") {
        "ServiceAccount" => {
            let ns = match s(sub, "/namespace") {
                "" => namespace(binding),
                ns => ns,
            };
            is_system_ns(ns)
        }
        _ => s(sub, "/name").starts_with("system:") && !kube_rbac::is_broad_subject(sub),
    }
}

fn subject_text(sub: &Value) -> String {
    match s(sub, "/kind") {
        "ServiceAccount" => format!(
            "ServiceAccount {}/{}",
            s(sub, "/namespace"),
            s(sub, "/name")
        ),
        k => format!("{k} {}", s(sub, "/name")),
    }
}

fn subjects(b: &Value) -> impl Iterator<Item = &Value> {
    b.get("subjects")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// One RBAC object's outcome from its findings of one rule.
fn judged(o: &Value, findings: &[Finding], evidence: String) -> ObjectOutcome {
    let verdict = if findings.iter().all(|f| f.review) {
        Verdict::Warn
    } else {
        verdict_of(o)
    };
    object(object_kind(s(o, "/kind")), qualified(o), verdict, evidence)
}

fn messages(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| f.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

fn of_rule(findings: Vec<Finding>, rule: &Rule) -> Vec<Finding> {
    findings
        .into_iter()
        .filter(|f| f.slug == rule.slug)
        .collect()
}

/// A right a role grants (5.1.2, 5.1.4, 5.1.8–5.1.13): each binding, not built-in, that hands a
/// role granting it to a subject other than the control plane's own.
fn grant_check(ctx: &Context, rule: &Rule) -> Outcome {
    let c = match cluster_with(ctx, &["ClusterRole", "ClusterRoleBinding"]) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let mut objects = Vec::new();
    let mut checked = 0;
    for b in bindings(c).filter(|b| !is_builtin(b)) {
        checked += 1;
        let holders: Vec<String> = subjects(b)
            .filter(|sub| !is_control_plane_subject(sub, b))
            .map(subject_text)
            .collect();
        if holders.is_empty() {
            continue;
        }
        let Some(role) = role_of(c, b) else { continue };
        let found = of_rule(kube_rbac::grants(role), rule);
        if found.is_empty() {
            continue;
        }
        let mut evidence = format!(
            "gives {} the {} {}: {}",
            holders.join(", "),
            s(b, "/roleRef/kind"),
            s(b, "/roleRef/name"),
            messages(&found)
        );
        if s(b, "/metadata/name") == KUBEADM_ADMINS {
            evidence.push_str("; kubeadm's binding for admin.conf: review who holds admin.conf");
        }
        objects.push(judged(b, &found, evidence));
    }
    if objects.is_empty() {
        return Outcome::pass(format!(
            "no binding outside the built-in ones hands a subject other than the control plane's own a role this check flags ({checked} bindings checked)"
        ));
    }
    objects_outcome("bindings", objects)
}

/// A property of the binding itself (5.1.1, 5.1.7).
fn binding_check(ctx: &Context, rule: &Rule, none: &str) -> Outcome {
    let c = match cluster_with(ctx, &["ClusterRoleBinding"]) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let mut objects = Vec::new();
    for b in bindings(c) {
        let found = of_rule(kube_rbac::evaluate(b), rule);
        if found.is_empty() {
            continue;
        }
        let mut evidence = messages(&found);
        if s(b, "/metadata/name") == KUBEADM_ADMINS {
            evidence.push_str(": kubeadm's binding for admin.conf; review who holds admin.conf");
        }
        objects.push(judged(b, &found, evidence));
    }
    if objects.is_empty() {
        return Outcome::pass(none);
    }
    objects_outcome("bindings", objects)
}

pub(super) fn cluster_admin_bindings(ctx: &Context) -> Outcome {
    binding_check(
        ctx,
        &kube_rbac::CLUSTER_ADMIN_BINDING,
        "only the built-in cluster-admin binding (group system:masters) uses cluster-admin",
    )
}

pub(super) fn system_masters(ctx: &Context) -> Outcome {
    binding_check(
        ctx,
        &kube_rbac::SYSTEM_MASTERS,
        "no binding names system:masters besides the built-in cluster-admin binding (client certificates issued with that group are not visible in a dump)",
    )
}

pub(super) fn rbac_wildcards(ctx: &Context) -> Outcome {
    let c = match cluster_with(ctx, &["ClusterRole"]) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let mut objects = Vec::new();
    let mut checked = 0;
    for role in c
        .of_kind("ClusterRole")
        .chain(c.of_kind("Role"))
        .filter(|r| !is_builtin(r))
    {
        checked += 1;
        let found = of_rule(kube_rbac::evaluate(role), &kube_rbac::WILDCARD);
        if !found.is_empty() {
            objects.push(judged(role, &found, messages(&found)));
        }
    }
    if objects.is_empty() {
        return Outcome::pass(format!(
            "no wildcard in {checked} roles outside the built-in ones"
        ));
    }
    objects_outcome("roles", objects)
}

/// 5.1.5: each namespace's default ServiceAccount, with its own findings and those of the
/// bindings that name it.
pub(super) fn default_service_accounts(ctx: &Context) -> Outcome {
    let c = match cluster_with(ctx, &["ServiceAccount"]) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let rule = &kube_rbac::DEFAULT_SA_USED;
    // The bindings' findings, by the namespace of the default account they name.
    let mut bound: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for b in bindings(c) {
        for f in of_rule(kube_rbac::evaluate(b), rule) {
            let Some(sub) = b.pointer(f.pointer.trim_end_matches("/name")) else {
                continue;
            };
            let ns = match s(sub, "/namespace") {
                "" => namespace(b),
                ns => ns,
            };
            bound.entry(ns).or_default().push(format!(
                "{} {}: {}",
                object_kind(s(b, "/kind")),
                qualified(b),
                f.message
            ));
        }
    }
    let mut objects = Vec::new();
    for sa in c
        .of_kind("ServiceAccount")
        .filter(|sa| s(sa, "/metadata/name") == "default")
    {
        let own = of_rule(kube_rbac::evaluate(sa), rule);
        let mut problems: Vec<String> = own.iter().map(|f| f.message.clone()).collect();
        problems.extend(bound.remove(namespace(sa)).unwrap_or_default());
        objects.push(if problems.is_empty() {
            object(
                "serviceaccount",
                qualified(sa),
                Verdict::Pass,
                "automountServiceAccountToken false, no bindings".into(),
            )
        } else {
            let verdict = if is_system_ns(namespace(sa)) {
                Verdict::Warn
            } else {
                Verdict::Fail
            };
            object(
                "serviceaccount",
                qualified(sa),
                verdict,
                problems.join("; "),
            )
        });
    }
    if objects.is_empty() {
        return Outcome::skip("no default ServiceAccount in the dump");
    }
    objects_outcome("default service accounts", objects)
}

/// The check functions the registry names, one per right a role may grant.
macro_rules! grant_checks {
    ($($check:ident: $rule:ident;)*) => {
        $(pub(super) fn $check(ctx: &Context) -> Outcome {
            grant_check(ctx, &kube_rbac::$rule)
        })*
    };
}

grant_checks! {
    secrets_access: SECRETS_ACCESS;
    pod_create: POD_CREATE;
    bind_escalate_impersonate: BIND_ESCALATE_IMPERSONATE;
    pv_create: PV_CREATE;
    nodes_proxy: NODES_PROXY;
    csr_approval: CSR_APPROVAL;
    webhook_config: WEBHOOK_CONFIG;
    sa_token_create: SA_TOKEN_CREATE;
}
