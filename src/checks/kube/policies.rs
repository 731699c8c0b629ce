//! Section 5: cluster policies, evaluated over `kubectl get -o json` dumps (`--cluster-dump`):
//! RBAC, pod security, network policies, secrets. Plus threatbench's own Kubernetes checks:
//! the benchmark version in use, and namespaces without resource limits (no CIS item covers
//! over-allocation of CPU and memory).
//!
//! The RBAC and pod-security controls are implemented once, in the evaluators the linter uses
//! ([`kube_rbac`], [`kube_workload`]): their rules carry these checks' metadata, and `rbac.rs`
//! and `pods.rs` turn their findings into per-object outcomes named as the threat model's
//! elements expect (`pod ns/name`, bindings and roles as `ns/name`). What the cluster scan adds
//! to the linter's findings, and why:
//!
//! - A finding fails, except one the object alone cannot decide ([`Finding::review`]: the
//!   image's USER, each kubelet's seccompDefault, whether a pod needs its token, adding only
//!   NET_BIND_SERVICE, reading only named Secrets), which is a review (`warn`).
//! - Objects in system namespaces (kube-system, kube-public, kube-node-lease), and RBAC objects
//!   named `system:`, are reviewed rather than failed: the control plane needs some of what the
//!   benchmark discourages (kube-proxy runs privileged on the host network). A manifest the
//!   linter reads is judged whatever its namespace: its author decides what it asks for.
//! - Token automount (5.1.6) leaves the system namespaces out (their pods call the API by
//!   design) and takes the pod's ServiceAccount into account, which a single file cannot.
//! - RBAC rights are judged where they reach someone: per binding, through the role it hands
//!   out (a built-in role such as `edit` included), to subjects other than the control plane's
//!   own; a linter sees roles and bindings one at a time.
//!
//! [`Finding::review`]: crate::checks::rule::Finding::review

mod pods;
mod rbac;
mod workloads;

pub(crate) use pods::JudgedPod;
pub(crate) use workloads::{template_spec, workloads};

use serde_json::Value;

use super::*;
use crate::checks::rule::Rule;
use crate::checks::{
    Assessment, Assessment::*, Check, Component, Context, Doc, Evaluate, Level, Level::*,
    ObjectOutcome, Outcome, Severity::*, Verdict, evaluators::kube_rbac, evaluators::kube_workload,
};
use crate::facts::Observed;
use crate::facts::kube::ClusterFacts;

/// A check whose metadata (title, ids, severity, component, documentation) is that of the
/// shared rule: the text is written once, with the evaluator.
const fn shared(
    rule: Rule,
    level: Level,
    assessment: Assessment,
    evaluate: fn(&Context) -> Outcome,
) -> Check {
    Check {
        slug: rule.slug,
        ids: rule.ids,
        title: rule.title,
        level,
        assessment,
        severity: rule.severity,
        component: rule.component,
        doc: rule.doc,
        evaluate: Evaluate::Context(evaluate),
    }
}

pub const CHECKS: &[Check] = &[
    shared(
        kube_rbac::CLUSTER_ADMIN_BINDING,
        One,
        Manual,
        rbac::cluster_admin_bindings,
    ),
    shared(kube_rbac::SECRETS_ACCESS, One, Manual, rbac::secrets_access),
    shared(kube_rbac::WILDCARD, One, Manual, rbac::rbac_wildcards),
    shared(kube_rbac::POD_CREATE, One, Manual, rbac::pod_create),
    shared(
        kube_rbac::DEFAULT_SA_USED,
        One,
        Manual,
        rbac::default_service_accounts,
    ),
    shared(
        kube_workload::SA_TOKEN_AUTOMOUNT,
        One,
        Manual,
        pods::token_automount,
    ),
    shared(kube_rbac::SYSTEM_MASTERS, One, Manual, rbac::system_masters),
    shared(
        kube_rbac::BIND_ESCALATE_IMPERSONATE,
        One,
        Manual,
        rbac::bind_escalate_impersonate,
    ),
    shared(kube_rbac::PV_CREATE, One, Manual, rbac::pv_create),
    shared(kube_rbac::NODES_PROXY, One, Manual, rbac::nodes_proxy),
    shared(kube_rbac::CSR_APPROVAL, One, Manual, rbac::csr_approval),
    shared(kube_rbac::WEBHOOK_CONFIG, One, Manual, rbac::webhook_config),
    shared(
        kube_rbac::SA_TOKEN_CREATE,
        One,
        Manual,
        rbac::sa_token_create,
    ),
    Check {
        slug: "k8s-namespace-pod-security-enforced",
        ids: &[(K112, "5.2.1")],
        title: "A policy control mechanism is active",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::KubePolicy,
        doc: Doc {
            what: "Checks that some admission policy mechanism restricts what pods may request.",
            why: "Without an enforcing policy, any subject that can create pods can create privileged ones.",
            evidence: "Namespaces (other than kube-system, kube-public, kube-node-lease) and their pod-security.kubernetes.io/enforce label; policy-engine webhooks (Kyverno, Gatekeeper) and ValidatingAdmissionPolicies seen in the dump.",
            remediation: "Label namespaces `pod-security.kubernetes.io/enforce=baseline` (or `restricted`), or enforce an equivalent policy engine.",
            references: "https://kubernetes.io/docs/concepts/security/pod-security-admission/",
        },
        evaluate: Evaluate::Context(pod_security_admission),
    },
    shared(kube_workload::PRIVILEGED, One, Manual, pods::privileged),
    shared(kube_workload::HOST_PID, One, Manual, pods::host_pid),
    shared(kube_workload::HOST_IPC, One, Manual, pods::host_ipc),
    shared(kube_workload::HOST_NETWORK, One, Manual, pods::host_network),
    shared(
        kube_workload::PRIVILEGE_ESCALATION,
        One,
        Manual,
        pods::privilege_escalation,
    ),
    shared(kube_workload::RUN_AS_ROOT, Two, Manual, pods::run_as_root),
    shared(kube_workload::NET_RAW, One, Manual, pods::net_raw),
    shared(
        kube_workload::CAPABILITIES_ADDED,
        Two,
        Manual,
        pods::added_capabilities,
    ),
    shared(
        kube_workload::WINDOWS_HOST_PROCESS,
        One,
        Manual,
        pods::windows_host_process,
    ),
    shared(kube_workload::HOST_PATH, One, Manual, pods::host_path),
    shared(kube_workload::HOST_PORT, One, Manual, pods::host_port),
    Check {
        slug: "k8s-cni-network-policy-support",
        ids: &[(K112, "5.3.1")],
        title: "CNI enforces NetworkPolicy",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeNetwork,
        doc: Doc {
            what: "Manual review that the cluster network plugin actually enforces NetworkPolicy objects.",
            why: "A CNI plugin that ignores NetworkPolicy makes every policy a no-op.",
            evidence: "CNI configuration files on this node (their plugin type), for review.",
            remediation: "Use a CNI plugin that enforces NetworkPolicy (Calico, Cilium, ...).",
            references: "",
        },
        evaluate: Evaluate::Context(cni_network_policy),
    },
    Check {
        slug: "k8s-namespace-network-policy",
        ids: &[(K112, "5.3.2")],
        title: "Every namespace has NetworkPolicies",
        level: Two,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeNetwork,
        doc: Doc {
            what: "Flags namespaces without any NetworkPolicy.",
            why: "Without a NetworkPolicy every pod can reach every other pod: one compromised pod probes the whole cluster.",
            evidence: "NetworkPolicies per namespace (kube-system, kube-public and kube-node-lease excluded).",
            remediation: "Add a default-deny NetworkPolicy to every namespace and allow the needed flows.",
            references: "",
        },
        evaluate: Evaluate::Context(namespace_network_policy),
    },
    shared(
        kube_workload::SECRETS_AS_ENV,
        Two,
        Manual,
        pods::secrets_as_env,
    ),
    Check {
        slug: "k8s-secrets-external-store",
        ids: &[(K112, "5.4.2")],
        title: "External secret storage considered",
        level: Two,
        assessment: Manual,
        severity: Low,
        component: Component::KubeSecrets,
        doc: Doc {
            what: "Manual review of whether an external secret manager should back sensitive secrets.",
            why: "Kubernetes Secrets are only base64 in etcd unless encrypted; an external store adds rotation and audit.",
            evidence: "Nothing automatic: a design review.",
            remediation: "Consider an external secret store (Vault, a cloud KMS-backed store) for sensitive secrets.",
            references: "",
        },
        evaluate: Evaluate::Context(external_secrets),
    },
    Check {
        slug: "k8s-image-provenance-policy",
        ids: &[(K112, "5.5.1")],
        title: "Image provenance enforced at admission",
        level: Two,
        assessment: Manual,
        severity: Medium,
        component: Component::KubePolicy,
        doc: Doc {
            what: "Checks that only images meeting provenance rules (registry, signature) are admitted.",
            why: "Without image verification at admission, any image (tampered, unsigned) can run.",
            evidence: "kube-apiserver's ImagePolicyWebhook admission plugin, or admission webhooks of known image verifiers (Kyverno, sigstore policy-controller, Connaisseur, Ratify) in the dump.",
            remediation: "Enforce image signatures or provenance at admission (ImagePolicyWebhook or a policy engine).",
            references: "",
        },
        evaluate: Evaluate::Context(image_provenance),
    },
    Check {
        slug: "k8s-namespace-boundaries",
        ids: &[(K112, "5.6.1")],
        title: "Namespaces used as administrative boundaries",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::KubePolicy,
        doc: Doc {
            what: "Manual review that namespaces separate resources of different owners or trust levels.",
            why: "Without namespaces per team or trust level, RBAC and policies cannot separate workloads.",
            evidence: "The namespaces in the dump and how many pods each runs, for review.",
            remediation: "Create namespaces per team or application and bind rights per namespace.",
            references: "",
        },
        evaluate: Evaluate::Context(namespace_boundaries),
    },
    shared(kube_workload::SECCOMP, Two, Manual, pods::seccomp_profile),
    shared(
        kube_workload::SECURITY_CONTEXT,
        Two,
        Manual,
        pods::security_context,
    ),
    shared(
        kube_workload::DEFAULT_NAMESPACE,
        Two,
        Manual,
        pods::default_namespace,
    ),
    Check {
        slug: "k8s-benchmark-version",
        ids: &[(OWN, "k8s.1")],
        title: "Kubernetes version covered by the benchmark in use",
        level: One,
        assessment: Automated,
        severity: Low,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "The Kubernetes version of this node or cluster is known and within CIS Kubernetes Benchmark v1.12 (Kubernetes 1.32–1.34).",
            why: "Checks and defaults differ between versions; judging a cluster with the wrong benchmark gives wrong verdicts silently (kube-bench falls back to an old version without saying so).",
            evidence: "The version and where it was learnt: --k8s-version, the API server version in the cluster dump, node kubelet versions, or the static pod image tag.",
            remediation: "Pass `--k8s-version` when the version cannot be detected; upgrade clusters older than 1.32.",
            references: "",
        },
        evaluate: Evaluate::Context(benchmark_version),
    },
    Check {
        slug: "k8s-namespace-resource-limits",
        ids: &[(OWN, "k8s.2")],
        title: "Namespaces limit CPU and memory (LimitRange or ResourceQuota)",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubePolicy,
        doc: Doc {
            what: "Every namespace (system ones excluded) has a LimitRange or a ResourceQuota.",
            why: "Without limits, one workload can take all CPU and memory of the nodes it lands on (denial of service for its neighbours); no CIS item covers over-allocation.",
            evidence: "LimitRange and ResourceQuota objects per namespace in the cluster dump.",
            remediation: "Add a LimitRange with default requests and limits, and a ResourceQuota, to each namespace.",
            references: "https://kubernetes.io/docs/concepts/policy/limit-range/",
        },
        evaluate: Evaluate::Context(namespace_resource_limits),
    },
];

pub(crate) const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

/// How to get each kind into a dump, for skip reasons.
fn plural(kind: &str) -> String {
    crate::facts::kube::DUMP_RESOURCES
        .iter()
        .find(|(_, k)| *k == kind)
        .map(|(p, _)| p.to_string())
        .unwrap_or_else(|| format!("{}s", kind.to_lowercase()))
}

/// The cluster objects. On a host that runs Kubernetes components but was scanned without them,
/// the policy is unexamined, not absent: `warn` (a person must supply or review the evidence),
/// so the threat model keeps the linked threats unknown rather than mitigated.
fn cluster<'f>(ctx: &Context<'f>) -> Result<&'f ClusterFacts, Outcome> {
    const HOW: &str =
        "pass --kube-api, or --cluster-dump DIR with `kubectl get <resources> -A -o json` dumps";
    match &ctx.facts.kube.cluster {
        None if ctx.facts.kube.any_component() => Err(Outcome::warn(format!(
            "cluster objects not examined on this Kubernetes node: {HOW}"
        ))),
        None => Err(Outcome::skip(format!("no cluster objects: {HOW}"))),
        Some(Observed::Unavailable(u)) => Err(Outcome::error(u.reason.clone())),
        Some(Observed::Seen(c)) => Ok(c),
    }
}

/// Why a kind could not be read when the API server refused or failed to list it (`--kube-api`
/// records `<resource>: <reason>`): such a kind is unknown, not absent.
fn not_read<'a>(c: &'a ClusterFacts, kind: &str) -> Option<&'a str> {
    if c.is_listed(kind) {
        return None;
    }
    let prefix = format!("{}: ", plural(kind));
    c.problems
        .iter()
        .find(|p| p.starts_with(&prefix))
        .map(String::as_str)
}

/// The cluster facts with their pods listed: an error naming the reason when the API server
/// refused the pod list (the workload templates alone would hide the running pods).
fn cluster_pods<'f>(ctx: &Context<'f>) -> Result<&'f ClusterFacts, Outcome> {
    let c = cluster(ctx)?;
    match not_read(c, "Pod") {
        Some(reason) => Err(Outcome::error(format!(
            "could not list from {}: {reason}",
            c.dir
        ))),
        None => Ok(c),
    }
}

/// The cluster facts, with every kind in `kinds` present in the dump.
fn cluster_with<'f>(ctx: &Context<'f>, kinds: &[&str]) -> Result<&'f ClusterFacts, Outcome> {
    let c = cluster(ctx)?;
    let refused: Vec<&str> = kinds.iter().filter_map(|k| not_read(c, k)).collect();
    if !refused.is_empty() {
        return Err(Outcome::error(format!(
            "could not list from {}: {}",
            c.dir,
            refused.join("; ")
        )));
    }
    let missing: Vec<String> = kinds
        .iter()
        .filter(|k| !c.is_listed(k))
        .map(|k| plural(k))
        .collect();
    if missing.is_empty() {
        Ok(c)
    } else {
        // The cluster has these objects (or their absence matters): unexamined, not absent.
        Err(Outcome::warn(format!(
            "the cluster dump {} holds no {} (add `kubectl get {} -A -o json`)",
            c.dir,
            missing.join(", "),
            missing.join(",")
        )))
    }
}

fn s<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

fn namespace(o: &Value) -> &str {
    s(o, "/metadata/namespace")
}

pub(crate) fn qualified(o: &Value) -> String {
    match namespace(o) {
        "" => s(o, "/metadata/name").to_string(),
        ns => format!("{ns}/{}", s(o, "/metadata/name")),
    }
}

pub(crate) fn is_system_ns(ns: &str) -> bool {
    SYSTEM_NAMESPACES.contains(&ns)
}

fn object(kind: &'static str, name: String, verdict: Verdict, evidence: String) -> ObjectOutcome {
    ObjectOutcome {
        kind,
        name,
        id: None,
        verdict,
        evidence,
    }
}

// ---- Objects --------------------------------------------------------------------------------

pub(crate) fn bindings(c: &ClusterFacts) -> impl Iterator<Item = &Value> {
    c.of_kind("ClusterRoleBinding")
        .chain(c.of_kind("RoleBinding"))
}

/// The role a binding hands out, if the dump holds it.
pub(crate) fn role_of<'a>(c: &'a ClusterFacts, binding: &Value) -> Option<&'a Value> {
    let name = s(binding, "/roleRef/name");
    match s(binding, "/roleRef/kind") {
        "ClusterRole" => c.get("ClusterRole", "", name),
        _ => c.get("Role", namespace(binding), name),
    }
}

/// The `kind` of an RBAC object's outcome (`clusterrolebinding`, ...), which the threat model's
/// elements refer to.
pub(crate) fn object_kind(kind: &str) -> &'static str {
    match kind {
        "ClusterRoleBinding" => "clusterrolebinding",
        "RoleBinding" => "rolebinding",
        "ClusterRole" => "clusterrole",
        "Role" => "role",
        _ => "object",
    }
}

/// Per-object outcomes combined, naming the objects behind the verdict (at most ten).
fn objects_outcome(plural: &str, objects: Vec<ObjectOutcome>) -> Outcome {
    let mut o = Outcome::from_objects(plural, objects);
    let names: Vec<&str> = o
        .objects
        .iter()
        .filter(|x| x.verdict == o.verdict)
        .map(|x| x.name.as_str())
        .collect();
    let shown = names
        .iter()
        .take(10)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let more = if names.len() > 10 {
        format!(" and {} more", names.len() - 10)
    } else {
        String::new()
    };
    o.evidence = format!(
        "{} of {} {plural} {}: {shown}{more}",
        names.len(),
        o.objects.len(),
        o.verdict.as_str()
    );
    o
}

// ---- Pods -----------------------------------------------------------------------------------

// ---- Namespaces -----------------------------------------------------------------------------

fn user_namespaces(c: &ClusterFacts) -> Vec<&Value> {
    c.of_kind("Namespace")
        .filter(|n| !is_system_ns(s(n, "/metadata/name")))
        .collect()
}

/// Known policy engines' webhooks, by name.
fn policy_engines(c: &ClusterFacts) -> Vec<String> {
    c.of_kind("ValidatingWebhookConfiguration")
        .chain(c.of_kind("MutatingWebhookConfiguration"))
        .map(|w| s(w, "/metadata/name").to_string())
        .filter(|n| {
            ["kyverno", "gatekeeper", "kubewarden", "policy"]
                .iter()
                .any(|k| n.contains(k))
        })
        .collect()
}

fn pod_security_admission(ctx: &Context) -> Outcome {
    let c = match cluster_with(ctx, &["Namespace"]) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let engines = policy_engines(c);
    let vap = c.of_kind("ValidatingAdmissionPolicyBinding").count();
    let objects: Vec<ObjectOutcome> = user_namespaces(c)
        .into_iter()
        .map(|n| {
            let level = s(n, "/metadata/labels/pod-security.kubernetes.io~1enforce");
            let name = s(n, "/metadata/name").to_string();
            match level {
                "baseline" | "restricted" => {
                    object("namespace", name, Verdict::Pass, format!("enforce={level}"))
                }
                other => {
                    let what = if other.is_empty() { "no enforce label".to_string() } else { format!("enforce={other}") };
                    if engines.is_empty() && vap == 0 {
                        object("namespace", name, Verdict::Fail, what)
                    } else {
                        object(
                            "namespace",
                            name,
                            Verdict::Warn,
                            format!("{what}; review the policy engine ({}{} ValidatingAdmissionPolicyBindings)", if engines.is_empty() { String::new() } else { format!("{}, ", engines.join(", ")) }, vap),
                        )
                    }
                }
            }
        })
        .collect();
    if objects.is_empty() {
        return Outcome::skip("no namespace outside the system ones");
    }
    objects_outcome("namespaces", objects)
}

fn namespace_network_policy(ctx: &Context) -> Outcome {
    let c = match cluster_with(ctx, &["Namespace", "NetworkPolicy"]) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let objects: Vec<ObjectOutcome> = user_namespaces(c)
        .into_iter()
        .map(|n| {
            let name = s(n, "/metadata/name");
            let policies: Vec<&str> = c
                .of_kind("NetworkPolicy")
                .filter(|p| namespace(p) == name)
                .map(|p| s(p, "/metadata/name"))
                .collect();
            if policies.is_empty() {
                object(
                    "namespace",
                    name.to_string(),
                    Verdict::Fail,
                    "no NetworkPolicy: all pod traffic allowed".into(),
                )
            } else {
                object(
                    "namespace",
                    name.to_string(),
                    Verdict::Pass,
                    format!("NetworkPolicies: {}", policies.join(", ")),
                )
            }
        })
        .collect();
    if objects.is_empty() {
        return Outcome::skip("no namespace outside the system ones");
    }
    objects_outcome("namespaces", objects)
}

fn namespace_resource_limits(ctx: &Context) -> Outcome {
    let c = match cluster_with(ctx, &["Namespace", "LimitRange", "ResourceQuota"]) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let objects: Vec<ObjectOutcome> = user_namespaces(c)
        .into_iter()
        .map(|n| {
            let name = s(n, "/metadata/name");
            let count = |kind: &str| c.of_kind(kind).filter(|o| namespace(o) == name).count();
            let (lr, rq) = (count("LimitRange"), count("ResourceQuota"));
            let v = if lr + rq > 0 {
                Verdict::Pass
            } else {
                Verdict::Fail
            };
            object(
                "namespace",
                name.to_string(),
                v,
                format!("{lr} LimitRange, {rq} ResourceQuota"),
            )
        })
        .collect();
    if objects.is_empty() {
        return Outcome::skip("no namespace outside the system ones");
    }
    objects_outcome("namespaces", objects)
}

fn namespace_boundaries(ctx: &Context) -> Outcome {
    let c = match cluster_with(ctx, &["Namespace"]) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let mut per_namespace: std::collections::HashMap<&str, (usize, usize)> =
        std::collections::HashMap::new();
    for j in ctx.kube_pods.get_or_init(|| pods::judge(c)) {
        let n = per_namespace.entry(j.workload.namespace).or_default();
        n.0 += 1;
        n.1 += j.workload.pods.len();
    }
    // One object per namespace, so each workload's threats cite its own namespace.
    let objects: Vec<ObjectOutcome> = user_namespaces(c)
        .into_iter()
        .map(|n| {
            let name = s(n, "/metadata/name");
            let (workloads, pods) = per_namespace.get(name).copied().unwrap_or_default();
            object(
                "namespace",
                name.to_string(),
                Verdict::Warn,
                format!(
                    "{workloads} workloads, {pods} pods; review that it holds one team's or one trust level's workloads"
                ),
            )
        })
        .collect();
    if objects.is_empty() {
        return Outcome::warn(
            "no namespace besides the system ones: every workload shares the default boundaries; review that teams and trust levels are separated",
        );
    }
    let mut o = objects_outcome("namespaces", objects);
    o.evidence = format!(
        "{}; review that teams and trust levels are separated",
        o.evidence
    );
    o
}

// ---- Review items and own checks ------------------------------------------------------------

fn cni_network_policy(ctx: &Context) -> Outcome {
    let cni: Vec<String> = ctx
        .facts
        .host
        .files
        .keys()
        .filter(|p| p.starts_with("/etc/cni/net.d/"))
        .cloned()
        .collect();
    let node = if cni.is_empty() {
        "no CNI configuration seen on this node".to_string()
    } else {
        format!("CNI configuration on this node: {}", cni.join(", "))
    };
    review(
        ctx,
        None,
        &format!("{node}; confirm the CNI plugin enforces NetworkPolicy (plain flannel does not)"),
    )
}

fn external_secrets(ctx: &Context) -> Outcome {
    review(
        ctx,
        None,
        "review whether sensitive secrets belong in an external store (Vault, a cloud KMS-backed store) rather than only in Kubernetes Secrets",
    )
}

fn image_provenance(ctx: &Context) -> Outcome {
    if let Some(api) = ctx.facts.kube.component(API)
        && api
            .flags()
            .list("enable-admission-plugins")
            .unwrap_or_default()
            .iter()
            .any(|p| p == "ImagePolicyWebhook")
    {
        return Outcome::pass(format!(
            "ImagePolicyWebhook admission plugin enabled {}",
            from(api)
        ));
    }
    let verifiers: Vec<String> = match &ctx.facts.kube.cluster {
        Some(Observed::Seen(c)) => c
            .of_kind("ValidatingWebhookConfiguration")
            .chain(c.of_kind("MutatingWebhookConfiguration"))
            .map(|w| s(w, "/metadata/name").to_string())
            .filter(|n| {
                [
                    "kyverno",
                    "policy.sigstore",
                    "connaisseur",
                    "ratify",
                    "image",
                ]
                .iter()
                .any(|k| n.contains(k))
            })
            .collect(),
        _ => vec![],
    };
    if !verifiers.is_empty() {
        return Outcome::warn(format!(
            "admission webhooks that may verify images: {}; confirm they enforce signatures or provenance",
            verifiers.join(", ")
        ));
    }
    review(
        ctx,
        None,
        "no ImagePolicyWebhook plugin and no image-verification webhook seen; review how image provenance is enforced",
    )
}

fn benchmark_version(ctx: &Context) -> Outcome {
    let kube = &ctx.facts.kube;
    if !kube.any_component() && kube.cluster.is_none() {
        return Outcome::skip(no_kubernetes(kube));
    }
    let v = &kube.version;
    let other = if v.other.is_empty() {
        String::new()
    } else {
        format!("; also seen: {}", v.other.join(", "))
    };
    match (v.version.as_deref(), v.in_cis_1_12()) {
        (Some(ver), Some(true)) => Outcome::pass(format!(
            "{ver} ({}) is covered by CIS Kubernetes Benchmark v1.12 (1.32–1.34){other}",
            v.source
        )),
        (Some(ver), _) => Outcome::warn(format!(
            "{ver} ({}) is outside CIS Kubernetes Benchmark v1.12 (1.32–1.34): its checks ran with the v1.12 rules and 1.32–1.34 defaults{other}",
            v.source
        )),
        (None, _) => Outcome::warn(format!(
            "Kubernetes version unknown ({}); checks ran with the CIS v1.12 rules and 1.32–1.34 defaults",
            v.source
        )),
    }
}
