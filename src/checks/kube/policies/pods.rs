//! The pod-security checks of section 5 (5.1.6, 5.2.2–5.2.12, 5.4.1, 5.6.2–5.6.4) over a cluster
//! dump: every pod judged once by the shared workload evaluator ([`kube_workload`]), and each
//! check's verdict per pod from that evaluator's findings of its slug.

use super::{PodSpec, cluster_pods, is_system_ns, namespace, object, objects_outcome, pods, s};
use crate::checks::kube_workload::{self, Surroundings};
use crate::checks::rule::{Finding, Rule};
use crate::checks::{Context, Outcome, Verdict};
use crate::facts::kube::ClusterFacts;

/// A pod (or a controller's pod template) of the dump with the workload evaluator's findings.
pub(crate) struct JudgedPod<'a> {
    pub pod: PodSpec<'a>,
    pub findings: Vec<Finding>,
}

/// Every pod of the dump, judged with what its ServiceAccount says.
fn judge(c: &ClusterFacts) -> Vec<JudgedPod<'_>> {
    let automount: std::collections::HashMap<(&str, &str), bool> = c
        .of_kind("ServiceAccount")
        .filter_map(|sa| {
            let automount = sa.get("automountServiceAccountToken")?.as_bool()?;
            Some(((namespace(sa), s(sa, "/metadata/name")), automount))
        })
        .collect();
    pods(c)
        .into_iter()
        .map(|pod| {
            let account = kube_workload::service_account_name(pod.spec);
            let around = Surroundings {
                service_account_automount: automount.get(&(pod.namespace, account)).copied(),
            };
            let findings = kube_workload::evaluate_with(pod.object, around);
            JudgedPod { pod, findings }
        })
        .collect()
}

/// Which pods a check judges.
#[derive(Clone, Copy, PartialEq)]
enum Scope {
    /// Every pod; in a system namespace a failure is a review (the control plane needs some of
    /// what the benchmark discourages: kube-proxy runs privileged on the host network).
    All,
    /// Pods outside the system namespaces (whose pods call the API by design).
    UserNamespaces,
}

/// One check's per-pod outcomes: a pod with findings of the rule fails, or is a review when
/// every such finding is (see [`Finding::review`]); pods without any are not listed (the threat
/// model counts them as passing). `what` completes "none of N pods …".
fn each_pod(ctx: &Context, rule: &Rule, what: &str, scope: Scope) -> Outcome {
    let c = match cluster_pods(ctx) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let judged = ctx.kube_pods.get_or_init(|| judge(c));
    if judged.is_empty() {
        return Outcome::skip(format!(
            "the cluster dump {} holds no pods or workloads (add `kubectl get pods -A -o json`)",
            c.dir
        ));
    }
    let mut total = 0;
    let mut objects = Vec::new();
    for j in judged {
        let system = is_system_ns(j.pod.namespace);
        if scope == Scope::UserNamespaces && system {
            continue;
        }
        total += 1;
        let hits: Vec<&Finding> = j.findings.iter().filter(|f| f.slug == rule.slug).collect();
        if hits.is_empty() {
            continue;
        }
        let verdict = if hits.iter().all(|f| f.review) || system {
            Verdict::Warn
        } else {
            Verdict::Fail
        };
        let evidence: Vec<&str> = hits.iter().map(|f| f.message.as_str()).collect();
        objects.push(object(
            "pod",
            j.pod.name.clone(),
            verdict,
            evidence.join("; "),
        ));
    }
    let scope_text = match scope {
        Scope::All => "pods",
        Scope::UserNamespaces => "pods outside the system namespaces",
    };
    if objects.is_empty() {
        return Outcome::pass(format!("none of {total} {scope_text} {what}"));
    }
    let mut o = objects_outcome("pods", objects);
    o.evidence = format!("{} (of {total} {scope_text})", o.evidence);
    o
}

/// The check functions the registry names, one per workload rule.
macro_rules! pod_checks {
    ($($check:ident: $rule:ident, $what:literal, $scope:ident;)*) => {
        $(pub(super) fn $check(ctx: &Context) -> Outcome {
            each_pod(ctx, &kube_workload::$rule, $what, Scope::$scope)
        })*
    };
}

pod_checks! {
    token_automount: SA_TOKEN_AUTOMOUNT, "mount a service-account token", UserNamespaces;
    privileged: PRIVILEGED, "run privileged containers", All;
    host_pid: HOST_PID, "share the host PID namespace", All;
    host_ipc: HOST_IPC, "share the host IPC namespace", All;
    host_network: HOST_NETWORK, "use the host network", All;
    privilege_escalation: PRIVILEGE_ESCALATION, "allow privilege escalation", All;
    run_as_root: RUN_AS_ROOT, "may run containers as root", All;
    net_raw: NET_RAW, "keep NET_RAW", All;
    added_capabilities: CAPABILITIES_ADDED, "add capabilities", All;
    windows_host_process: WINDOWS_HOST_PROCESS, "run Windows HostProcess containers", All;
    host_path: HOST_PATH, "mount hostPath volumes", All;
    host_port: HOST_PORT, "use host ports", All;
    secrets_as_env: SECRETS_AS_ENV, "take Secrets as environment variables", All;
    seccomp_profile: SECCOMP, "run without a seccomp profile", All;
    security_context: SECURITY_CONTEXT, "lack a hardening securityContext", All;
    default_namespace: DEFAULT_NAMESPACE, "run in namespace default", All;
}
