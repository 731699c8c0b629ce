//! Section 3: control-plane configuration: authentication and audit policy.

use super::*;
use crate::checks::{
    Assessment::*, Check, Component, Context, Doc, Evaluate, Level::*, Outcome, Severity::*,
};

pub const CHECKS: &[Check] = &[
    Check {
        slug: "k8s-authn-no-user-client-certs",
        ids: &[(K112, "3.1.1")],
        title: "Users do not authenticate with client certificates",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Manual review that people authenticate with revocable credentials rather than client certificates that cannot be revoked.",
            why: "Client certificates cannot be revoked; a leaked one stays valid until it expires.",
            evidence: "Whether kube-apiserver accepts client certificates (`--client-ca-file`).",
            remediation: "Give people OIDC or another revocable method; keep client certificates for components and break-glass.",
            references: "",
        },
        evaluate: Evaluate::Context(no_user_client_certs),
    },
    Check {
        slug: "k8s-authn-no-user-sa-tokens",
        ids: &[(K112, "3.1.2")],
        title: "Users do not authenticate with service-account tokens",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Manual review that service-account tokens are not handed out to humans.",
            why: "Service-account tokens used by people are shared, unaudited per person and often long-lived.",
            evidence: "Service-account token authentication is always on; who uses it needs a review.",
            remediation: "Give people their own identities (OIDC); keep service-account tokens for workloads.",
            references: "",
        },
        evaluate: Evaluate::Context(no_user_sa_tokens),
    },
    Check {
        slug: "k8s-authn-no-user-bootstrap-tokens",
        ids: &[(K112, "3.1.3")],
        title: "Users do not authenticate with bootstrap tokens",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Manual review that bootstrap tokens are reserved for node bootstrapping.",
            why: "Bootstrap tokens are meant for joining nodes; used by people they grant node-bootstrap rights without audit per person.",
            evidence: "`--enable-bootstrap-token-auth` of kube-apiserver.",
            remediation: "Use bootstrap tokens only for node joins and delete them afterwards (`kubeadm token delete`).",
            references: "",
        },
        evaluate: Evaluate::Context(no_user_bootstrap_tokens),
    },
    Check {
        slug: "k8s-apiserver-audit-policy",
        ids: &[(K112, "3.2.1")],
        title: "Minimal audit policy in place",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the API server has an audit policy file defining what is recorded.",
            why: "Without an audit policy nothing is audited, even with an audit log path.",
            evidence: "`--audit-policy-file` and the Policy it names (read and parsed: rules present).",
            remediation: "Write an audit Policy and pass it with `--audit-policy-file`.",
            references: "https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/",
        },
        evaluate: Evaluate::Context(audit_policy),
    },
    Check {
        slug: "k8s-apiserver-audit-policy-coverage",
        ids: &[(K112, "3.2.2")],
        title: "Audit policy covers key security events",
        level: Two,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Manual review that the audit policy captures the security-relevant request types.",
            why: "An audit policy that skips Secret access, exec or RBAC changes misses the events an investigation needs; one that logs Secret bodies leaks them into the log.",
            evidence: "The audit Policy's rules, evaluated in order as the API server does, for sample requests: get secrets/configmaps, create tokenreviews (want Metadata, not bodies), pods/exec, attach and portforward, RBAC binding changes and CSR approval (want at least Metadata).",
            remediation: "Log secrets, configmaps and tokenreviews at `Metadata`; log pods/exec, attach, portforward, RBAC and certificates changes at `Metadata` or above.",
            references: "",
        },
        evaluate: Evaluate::Context(audit_policy_coverage),
    },
];

use serde_json::Value;

use crate::checks::Verdict;

fn no_user_client_certs(ctx: &Context) -> Outcome {
    let c = match component(ctx, API) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let ca = c
        .flags()
        .written("client-ca-file")
        .map(|w| format!("client certificates are accepted (`{w}`)"))
        .unwrap_or_else(|| "--client-ca-file not set: client certificates are not accepted".into());
    Outcome::warn(format!(
        "{ca}; review that people do not authenticate with client certificates (kubeadm's admin.conf is one) {}",
        from(c)
    ))
}

fn no_user_sa_tokens(ctx: &Context) -> Outcome {
    review(
        ctx,
        Some(API),
        "service-account token authentication is always on; review that people do not use service-account tokens",
    )
}

fn no_user_bootstrap_tokens(ctx: &Context) -> Outcome {
    let c = match component(ctx, API) {
        Ok(c) => c,
        Err(o) => return o,
    };
    match c.flags().value("enable-bootstrap-token-auth") {
        Some(v) if crate::facts::kube::parse_go_bool(&v) == Some(true) => Outcome::warn(format!(
            "bootstrap tokens accepted (`{}`); review that only node joins use them and that expired tokens are deleted {}",
            c.flags()
                .written("enable-bootstrap-token-auth")
                .unwrap_or_default(),
            from(c)
        )),
        _ => Outcome::pass(format!(
            "bootstrap token authentication off (--enable-bootstrap-token-auth not true) {}",
            from(c)
        )),
    }
}

/// The audit Policy document, or the outcome that says why it cannot be judged.
fn policy<'a>(ctx: &'a Context) -> Result<(&'a Value, String), Outcome> {
    let c = component(ctx, API)?;
    let Some(doc) = apiserver_doc(ctx, "audit-policy") else {
        return Err(Outcome::fail(format!(
            "--audit-policy-file not set: no request is audited {}",
            from(c)
        )));
    };
    if let Some(o) = unreadable(doc) {
        return Err(o);
    }
    let v = doc.doc.seen().expect("readable");
    Ok((v, format!("{} ({})", doc.path, doc.named_by)))
}

fn audit_policy(ctx: &Context) -> Outcome {
    let (doc, source) = match policy(ctx) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
    let rules = doc
        .get("rules")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if kind != "Policy" {
        return Outcome::fail(format!("{source}: kind {kind:?}, not an audit Policy"));
    }
    if rules == 0 {
        return Outcome::fail(format!("{source}: Policy with no rules audits nothing"));
    }
    let logs_anything = doc
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|r| r.get("level").and_then(Value::as_str).unwrap_or("None") != "None");
    Outcome::pass_if(
        logs_anything,
        format!(
            "{source}: Policy with {rules} rule(s){}",
            if logs_anything {
                ""
            } else {
                ", all at level None"
            }
        ),
    )
}

/// A sample request to classify against the policy.
struct Probe {
    group: &'static str,
    resource: &'static str,
    verb: &'static str,
    /// Wanted: exactly Metadata (bodies hold secrets) or at least Metadata.
    exactly_metadata: bool,
}

const PROBES: &[Probe] = &[
    Probe {
        group: "",
        resource: "secrets",
        verb: "get",
        exactly_metadata: true,
    },
    Probe {
        group: "",
        resource: "configmaps",
        verb: "get",
        exactly_metadata: true,
    },
    Probe {
        group: "authentication.k8s.io",
        resource: "tokenreviews",
        verb: "create",
        exactly_metadata: true,
    },
    Probe {
        group: "",
        resource: "pods/exec",
        verb: "create",
        exactly_metadata: false,
    },
    Probe {
        group: "",
        resource: "pods/attach",
        verb: "create",
        exactly_metadata: false,
    },
    Probe {
        group: "",
        resource: "pods/portforward",
        verb: "create",
        exactly_metadata: false,
    },
    Probe {
        group: "rbac.authorization.k8s.io",
        resource: "clusterrolebindings",
        verb: "create",
        exactly_metadata: false,
    },
    Probe {
        group: "certificates.k8s.io",
        resource: "certificatesigningrequests/approval",
        verb: "update",
        exactly_metadata: false,
    },
];

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

/// Whether a rule's `resources` list matches a group and resource (`pods/exec` matches
/// `pods/exec`, `pods/*`, `*/exec` and `*`).
fn resource_matches(rule: &Value, group: &str, resource: &str) -> bool {
    let Some(list) = rule.get("resources").and_then(Value::as_array) else {
        return true; // no resources: every resource
    };
    let (base, sub) = match resource.split_once('/') {
        Some((b, s)) => (b, Some(s)),
        None => (resource, None),
    };
    list.iter().any(|gr| {
        let g = gr.get("group").and_then(Value::as_str).unwrap_or("");
        if g != group && g != "*" {
            return false;
        }
        let names = strings(gr.get("resources"));
        names.is_empty()
            || names.iter().any(|n| {
                n == "*"
                    || n == resource
                    || (sub.is_some()
                        && (n == &format!("{base}/*") || n == &format!("*/{}", sub.unwrap_or(""))))
            })
    })
}

/// The level the first matching rule gives a request by an ordinary user (rules limited to
/// named users or groups, or to non-resource URLs, are passed over).
fn level_for(doc: &Value, p: &Probe) -> (String, Option<usize>) {
    for (i, rule) in doc
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if !strings(rule.get("users")).is_empty()
            || !strings(rule.get("userGroups")).is_empty()
            || !strings(rule.get("nonResourceURLs")).is_empty()
        {
            continue;
        }
        let verbs = strings(rule.get("verbs"));
        if !verbs.is_empty() && !verbs.iter().any(|v| v == p.verb || v == "*") {
            continue;
        }
        if !resource_matches(rule, p.group, p.resource) {
            continue;
        }
        let level = rule.get("level").and_then(Value::as_str).unwrap_or("None");
        return (level.to_string(), Some(i + 1));
    }
    ("None".into(), None)
}

fn audit_policy_coverage(ctx: &Context) -> Outcome {
    let (doc, source) = match policy(ctx) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let mut problems = Vec::new();
    let mut fine = Vec::new();
    for p in PROBES {
        let (level, rule) = level_for(doc, p);
        let at = match rule {
            Some(n) => format!("rule {n}"),
            None => "no rule".into(),
        };
        let name = if p.group.is_empty() {
            format!("{} {}", p.verb, p.resource)
        } else {
            format!("{} {}.{}", p.verb, p.resource, p.group)
        };
        let ok = if p.exactly_metadata {
            level == "Metadata"
        } else {
            level != "None"
        };
        if ok {
            fine.push(format!("{name}: {level}"));
        } else if level == "None" {
            problems.push(format!("{name} not audited ({at})"));
        } else {
            problems.push(format!(
                "{name} logged at {level} ({at}): bodies with secrets reach the log"
            ));
        }
    }
    if problems.is_empty() {
        Outcome::pass(format!("{source}: {}", fine.join("; ")))
    } else {
        Outcome::new(Verdict::Fail, format!("{source}: {}", problems.join("; ")))
    }
}
