//! The pod-security checks of section 5 (5.1.6, 5.2.2–5.2.12, 5.4.1, 5.6.2–5.6.4) over a cluster
//! dump: every workload ([`super::workloads`]) judged once by the shared workload evaluator
//! ([`kube_workload`]) over its template and each of its pods, and each check's verdict per
//! workload from that evaluator's findings of its slug, saying where each was seen (`all 3
//! pods`, `1 of 3 pods`: a pod someone changed by hand, `template; no pod running`).

use serde_json::Value;

use super::workloads::{Workload, workloads};
use super::{cluster_pods, is_system_ns, namespace, object, objects_outcome, s};
use crate::checks::evaluators::kube_workload::{self, Surroundings};
use crate::checks::rule::{Finding, Rule};
use crate::checks::{Context, Outcome, Verdict};
use crate::facts::kube::ClusterFacts;

/// A workload of the dump with the workload evaluator's findings over its template and pods,
/// each distinct finding once.
pub(crate) struct JudgedPod<'a> {
    pub workload: Workload<'a>,
    pub findings: Vec<Seen>,
}

/// One distinct finding of a workload and where it was seen.
pub(crate) struct Seen {
    pub finding: Finding,
    pub in_template: bool,
    /// How many of the workload's pods show it.
    pub pods: usize,
}

impl Seen {
    /// Where the finding was seen, for evidence: `(all 3 pods)`, `(template; no pod running)`.
    fn place(&self, w: &Workload) -> String {
        let total = w.pods.len();
        let template = if self.in_template {
            "template and "
        } else {
            ""
        };
        match (total, self.pods) {
            (0, _) => "(template; no pod running)".to_string(),
            (_, 0) => format!("(template only; its {} differ)", w.replicas()),
            (1, 1) if w.controller.is_none() => String::new(),
            (1, 1) => format!("({template}its 1 pod)"),
            (n, k) if n == k => format!("({template}all {n} pods)"),
            (n, k) => format!("({template}{k} of {n} pods)"),
        }
    }
}

/// Every workload of the dump, judged with what its ServiceAccount says.
pub(super) fn judge(c: &ClusterFacts) -> Vec<JudgedPod<'_>> {
    let automount: std::collections::HashMap<(&str, &str), bool> = c
        .of_kind("ServiceAccount")
        .filter_map(|sa| {
            let automount = sa.get("automountServiceAccountToken")?.as_bool()?;
            Some(((namespace(sa), s(sa, "/metadata/name")), automount))
        })
        .collect();
    workloads(c)
        .into_iter()
        .map(|workload| {
            let mut findings: Vec<Seen> = Vec::new();
            for o in workload.judged_objects() {
                let is_pod = o.get("kind").and_then(Value::as_str) == Some("Pod");
                let spec = super::workloads::template_spec(o).unwrap_or(&Value::Null);
                let account = kube_workload::service_account_name(spec);
                let around = Surroundings {
                    service_account_automount: automount
                        .get(&(workload.namespace, account))
                        .copied(),
                };
                let mut here = kube_workload::evaluate_with(o, around);
                // The same finding twice in one object (two containers) counts once per pod.
                here.sort_by(|a, b| (a.slug, &a.message).cmp(&(b.slug, &b.message)));
                here.dedup_by(|a, b| a.slug == b.slug && a.message == b.message);
                for f in here {
                    let i = match findings
                        .iter()
                        .position(|x| x.finding.slug == f.slug && x.finding.message == f.message)
                    {
                        Some(i) => i,
                        None => {
                            findings.push(Seen {
                                finding: f,
                                in_template: false,
                                pods: 0,
                            });
                            findings.len() - 1
                        }
                    };
                    if is_pod {
                        findings[i].pods += 1;
                    } else {
                        findings[i].in_template = true;
                    }
                }
            }
            JudgedPod { workload, findings }
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
        let system = is_system_ns(j.workload.namespace);
        if scope == Scope::UserNamespaces && system {
            continue;
        }
        total += 1;
        let hits: Vec<&Seen> = j
            .findings
            .iter()
            .filter(|f| f.finding.slug == rule.slug)
            .collect();
        if hits.is_empty() {
            continue;
        }
        let verdict = if hits.iter().all(|f| f.finding.review) || system {
            Verdict::Warn
        } else {
            Verdict::Fail
        };
        let mut evidence: Vec<String> = hits
            .iter()
            .map(|f| match f.place(&j.workload) {
                place if place.is_empty() => f.finding.message.clone(),
                place => format!("{} {place}", f.finding.message),
            })
            .collect();
        evidence.extend(j.workload.note.clone());
        objects.push(object(
            "pod",
            j.workload.name.clone(),
            verdict,
            evidence.join("; "),
        ));
    }
    let scope_text = match scope {
        Scope::All => "workloads",
        Scope::UserNamespaces => "workloads outside the system namespaces",
    };
    if objects.is_empty() {
        return Outcome::pass(format!("none of {total} {scope_text} {what}"));
    }
    let mut o = objects_outcome("workloads", objects);
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn spec(privileged: bool) -> Value {
        json!({"automountServiceAccountToken": false,
               "containers": [{"name": "app", "securityContext": {"privileged": privileged}}]})
    }

    fn pod(name: &str, privileged: bool) -> Value {
        json!({"kind": "Pod", "metadata": {"name": name, "namespace": "shop",
               "ownerReferences": [{"kind": "Deployment", "name": "web", "controller": true}]},
               "spec": spec(privileged)})
    }

    fn judged(template_privileged: bool, pods: &[bool]) -> (ClusterFacts, Vec<String>) {
        let mut c = ClusterFacts::new("dump");
        c.objects.push(json!({"kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"template": {"spec": spec(template_privileged)}}}));
        for (i, p) in pods.iter().enumerate() {
            c.objects.push(pod(&format!("web-{i}"), *p));
        }
        let places = {
            let j = judge(&c);
            assert_eq!(j.len(), 1);
            j[0].findings
                .iter()
                .filter(|f| f.finding.slug == "k8s-pod-privileged")
                .map(|f| f.place(&j[0].workload))
                .collect()
        };
        (c, places)
    }

    #[test]
    fn a_workload_says_where_each_finding_was_seen() {
        assert_eq!(
            judged(true, &[true, true, true]).1,
            ["(template and all 3 pods)"]
        );
        // One pod changed by hand: the workload fails, and says which share of it.
        assert_eq!(judged(false, &[false, true, false]).1, ["(1 of 3 pods)"]);
        assert_eq!(judged(true, &[]).1, ["(template; no pod running)"]);
        assert_eq!(
            judged(true, &[false, false]).1,
            ["(template only; its 2 pods differ)"]
        );
        assert!(judged(false, &[false, false]).1.is_empty());
    }

    #[test]
    fn a_workload_has_every_finding_its_pods_have() {
        let (c, _) = judged(false, &[false, true, false]);
        let mut per_pod: Vec<(&str, String)> = c
            .of_kind("Pod")
            .flat_map(kube_workload::evaluate)
            .map(|f| (f.slug, f.message))
            .collect();
        per_pod.sort();
        per_pod.dedup();
        let j = judge(&c);
        let mut per_workload: Vec<(&str, String)> = j[0]
            .findings
            .iter()
            .filter(|f| f.pods > 0)
            .map(|f| (f.finding.slug, f.finding.message.clone()))
            .collect();
        per_workload.sort();
        assert_eq!(per_workload, per_pod);
    }
}
