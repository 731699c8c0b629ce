//! Rules over objects: a Dockerfile, a compose service, a Kubernetes manifest or an object read
//! from a cluster. Unlike a [`Check`](super::Check), which gives one verdict per target from the
//! facts, a rule reports each violation it finds inside one object, with a JSON pointer to the
//! offending field, so the linter can turn it into `file:line:column` and the live scan into
//! `namespace/kind/name`. Evaluators are pure functions of the object.
//!
//! Where a rule guards the same control as a live check, it carries the same slug and the same
//! metadata (title, ids, severity, documentation), written once: the Kubernetes section-5
//! checks are built from the workload and RBAC rules (and judge with them), and artifact rules
//! that share a Docker check's slug take its metadata from the registry ([`find`] looks there
//! first). So the two never disagree.

use serde::Serialize;

use super::{Benchmark, Check, Component, Doc, Severity};

/// A rule's metadata: what SARIF rule descriptions, `--select` and `--list-rules` show.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable name; the same as the live check's where the control is the same.
    pub slug: &'static str,
    /// The benchmark item(s) it implements; empty for threatbench's own rules.
    pub ids: &'static [(Benchmark, &'static str)],
    pub title: &'static str,
    /// Default severity; a finding may carry a higher or lower one (a hostPath of `/` is worse
    /// than one of `/data`).
    pub severity: Severity,
    pub component: Component,
    pub doc: Doc,
}

impl Rule {
    pub fn from_check(c: &'static Check) -> Rule {
        Rule {
            slug: c.slug,
            ids: c.ids,
            title: c.title,
            severity: c.severity,
            component: c.component,
            doc: c.doc,
        }
    }

    /// The primary benchmark id (`4.1`), if any.
    pub fn id(&self) -> Option<&'static str> {
        self.ids.first().map(|(_, id)| *id)
    }

    pub fn benchmark(&self) -> Benchmark {
        self.ids
            .first()
            .map(|(b, _)| *b)
            .unwrap_or(Benchmark::Threatbench)
    }
}

/// One violation inside one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub slug: &'static str,
    pub severity: Severity,
    /// What is wrong, with the value seen. Secrets are masked before they get here.
    pub message: String,
    /// JSON pointer into the object (RFC 6901, `/spec/containers/0/securityContext/privileged`);
    /// for a missing field, the object that lacks it. Dockerfile findings use `/line/N`.
    pub pointer: String,
    /// The concrete change for this finding, when more specific than the rule's remediation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// The object alone does not show the control broken: the outcome depends on what the
    /// object leaves to something else (the image's USER, the kubelet's seccompDefault), or on a
    /// judgement (whether a pod calls the API). A live scan reports such a finding as `warn`
    /// (review), not `fail`; the linter reports it like any other.
    #[serde(skip)]
    pub review: bool,
}

impl Finding {
    pub fn new(
        slug: &'static str,
        severity: Severity,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            slug,
            severity,
            message: message.into(),
            pointer: pointer.into(),
            fix: None,
            review: false,
        }
    }

    /// A finding at the rule's default severity.
    pub fn of(rule: &Rule, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Finding::new(rule.slug, rule.severity, pointer, message)
    }

    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Mark the finding as one a person must judge (see [`Finding::review`]).
    pub fn for_review(mut self) -> Self {
        self.review = true;
        self
    }
}

/// Every object rule: the rule tables of each artifact kind, and the live checks whose slugs
/// the artifact rules share.
pub fn all() -> Vec<Rule> {
    let mut out: Vec<Rule> = Vec::new();
    for table in [
        super::evaluators::kube_workload::RULES,
        super::evaluators::kube_rbac::RULES,
        super::artifact::RULES,
    ] {
        for r in table {
            if !out.iter().any(|o| o.slug == r.slug) {
                out.push(find(r.slug).unwrap_or(*r));
            }
        }
    }
    for slug in super::artifact::SHARED_CHECK_SLUGS {
        if !out.iter().any(|o| o.slug == *slug)
            && let Some(r) = find(slug)
        {
            out.push(r);
        }
    }
    out.sort_by(|a, b| {
        (
            a.benchmark(),
            super::registry::id_key(a.id().unwrap_or("")),
            a.slug,
        )
            .cmp(&(
                b.benchmark(),
                super::registry::id_key(b.id().unwrap_or("")),
                b.slug,
            ))
    });
    out
}

/// A rule by slug: the live check's metadata where one exists, else the artifact rule tables.
pub fn find(slug: &str) -> Option<Rule> {
    if let Some(c) = super::registry::all().iter().find(|c| c.slug == slug) {
        return Some(Rule::from_check(c));
    }
    [
        super::evaluators::kube_workload::RULES,
        super::evaluators::kube_rbac::RULES,
        super::artifact::RULES,
    ]
    .iter()
    .flat_map(|t| t.iter())
    .find(|r| r.slug == slug)
    .copied()
}

/// The default severity of a rule (`Medium` for an unknown slug, which tests forbid).
pub fn severity_of(slug: &str) -> Severity {
    find(slug).map(|r| r.severity).unwrap_or(Severity::Medium)
}

/// Escape one JSON pointer token (RFC 6901: `~` → `~0`, `/` → `~1`).
pub fn pointer_token(token: &str) -> String {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1")
    } else {
        token.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_and_shared_slug_has_complete_metadata() {
        let rules = all();
        let mut slugs: Vec<&str> = rules.iter().map(|r| r.slug).collect();
        slugs.sort();
        let before = slugs.len();
        slugs.dedup();
        assert_eq!(before, slugs.len(), "duplicate slugs");
        for slug in super::super::artifact::SHARED_CHECK_SLUGS {
            assert!(find(slug).is_some(), "{slug} is not a live check");
        }
        for r in &rules {
            for (field, text) in [
                ("title", r.title),
                ("what", r.doc.what),
                ("why", r.doc.why),
                ("evidence", r.doc.evidence),
                ("remediation", r.doc.remediation),
            ] {
                assert!(!text.trim().is_empty(), "{} lacks {field}", r.slug);
            }
            // Benchmark ids belong to the benchmark of the rule's family.
            if r.slug.starts_with("k8s-") {
                assert!(
                    r.ids.iter().all(|(b, _)| *b == Benchmark::CisKubernetes112),
                    "{}",
                    r.slug
                );
            }
        }
    }

    #[test]
    fn kubernetes_rules_and_their_checks_are_one_definition() {
        let mut shared = 0;
        for r in [
            super::super::evaluators::kube_workload::RULES,
            super::super::evaluators::kube_rbac::RULES,
        ]
        .concat()
        {
            let Some(c) = super::super::registry::all()
                .iter()
                .find(|c| c.slug == r.slug)
            else {
                continue;
            };
            shared += 1;
            assert_eq!(
                (
                    c.title,
                    c.ids,
                    c.severity,
                    c.component,
                    c.doc.what,
                    c.doc.evidence
                ),
                (
                    r.title,
                    r.ids,
                    r.severity,
                    r.component,
                    r.doc.what,
                    r.doc.evidence
                ),
                "{}",
                r.slug
            );
        }
        assert_eq!(shared, 28, "section 5.1, 5.2, 5.4.1 and 5.6.2-5.6.4");
    }

    #[test]
    fn pointer_tokens_escape_tilde_and_slash() {
        assert_eq!(pointer_token("a/b~c"), "a~1b~0c");
        assert_eq!(pointer_token("plain"), "plain");
    }
}
