//! Threat instances: a catalogue threat on one discovered element, with its status, its risk
//! (inherent, current, projected) and why.
//!
//! Status, from the linked checks' verdicts for that element:
//! - **exposed**: a check of a primary mitigation fails, or a supporting one fails while no
//!   primary mitigation is in place;
//! - **mitigated**: every primary mitigation is in place (its checks pass); a failing supporting
//!   check is still listed, and fixing it still lowers the risk;
//! - **unknown**: no primary check fails but some primary evidence is missing (error, warn,
//!   info, or the check is not available or not run);
//! - **accepted** / **not-applicable**: a decision in the user's model file (or out of scope).
//!
//! Risk is likelihood × impact on a 4×4 matrix (weights 1–4). The product bands into four
//! levels: 1–2 low, 3–4 medium, 6–9 high, 12–16 critical. Each mitigation lowers likelihood
//! and/or impact by whole levels when it is in place. Current risk counts the mitigations in
//! place; projected risk also counts those whose checks now fail (as if they were fixed).
//! Mitigations with missing evidence count in neither.

use std::collections::BTreeMap;

use serde::Serialize;

use super::catalog::{Level, Reduction, Role, Stride, Surface, Threat};
use super::elements::{Element, IndexedResult, verdict_for_indexed};
use crate::checks::{CheckResult, Verdict};

/// One cell of the 4×4 matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Risk {
    pub likelihood: Level,
    pub impact: Level,
    /// likelihood weight × impact weight, 1–16.
    pub score: u8,
    pub level: Level,
}

impl Risk {
    pub fn new(likelihood: Level, impact: Level) -> Risk {
        let score = likelihood.weight() * impact.weight();
        Risk {
            likelihood,
            impact,
            score,
            level: band(score),
        }
    }

    fn reduced(self, by: Reduction) -> Risk {
        Risk::new(
            self.likelihood.lowered(by.likelihood),
            self.impact.lowered(by.impact),
        )
    }
}

/// The four risk bands of a likelihood × impact product.
pub fn band(score: u8) -> Level {
    match score {
        0..=2 => Level::Low,
        3..=5 => Level::Medium,
        6..=9 => Level::High,
        _ => Level::Critical,
    }
}

/// Inherent, current and projected risk of one instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RiskTriple {
    pub inherent: Risk,
    pub current: Risk,
    pub projected: Risk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Exposed,
    Unknown,
    Mitigated,
    Accepted,
    NotApplicable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Exposed => "exposed",
            Status::Unknown => "unknown",
            Status::Mitigated => "mitigated",
            Status::Accepted => "accepted",
            Status::NotApplicable => "not-applicable",
        }
    }
}

/// A check's verdict as the threat model sees it: a real verdict, or not evaluated at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkVerdict {
    Pass,
    Fail,
    Warn,
    Info,
    Skip,
    Error,
    /// The check is not in this build's registry, or was not run.
    NotEvaluated,
}

impl From<Verdict> for LinkVerdict {
    fn from(v: Verdict) -> Self {
        match v {
            Verdict::Pass => LinkVerdict::Pass,
            Verdict::Fail => LinkVerdict::Fail,
            Verdict::Warn => LinkVerdict::Warn,
            Verdict::Info => LinkVerdict::Info,
            Verdict::Skip => LinkVerdict::Skip,
            Verdict::Error => LinkVerdict::Error,
        }
    }
}

impl LinkVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkVerdict::Pass => "pass",
            LinkVerdict::Fail => "fail",
            LinkVerdict::Warn => "warn",
            LinkVerdict::Info => "info",
            LinkVerdict::Skip => "skip",
            LinkVerdict::Error => "error",
            LinkVerdict::NotEvaluated => "not-evaluated",
        }
    }
}

/// One linked check and its verdict for this instance's element.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckLink {
    pub slug: String,
    /// The benchmark id (e.g. `2.7`); empty when the check is not in this build.
    pub id: String,
    pub benchmark: String,
    pub verdict: LinkVerdict,
    pub evidence: String,
    /// Index of the mitigation this link belongs to.
    pub mitigation: usize,
}

impl CheckLink {
    /// `2.7 (daemon-tls-on-tcp)` or just the slug when the check is not available.
    pub fn label(&self) -> String {
        if self.id.is_empty() {
            self.slug.clone()
        } else {
            format!("{} ({})", self.id, self.slug)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MitigationState {
    /// Every linked check passes (or is skipped as not applicable, with at least one pass).
    InPlace,
    /// A linked check fails.
    Missing,
    /// Evidence is missing.
    Unknown,
    /// Every linked check is skipped here.
    NotApplicable,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MitigationStatus {
    pub text: String,
    pub role: Role,
    pub state: MitigationState,
    pub reduces: Reduction,
    pub checks: Vec<String>,
}

/// A risk decision or scope exclusion applied to an instance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppliedDecision {
    pub status: Status,
    pub justification: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// The model-file entry that made it (`decisions[2]`, `scope.out_of_scope[0]`).
    pub source: String,
}

/// A threat on one element.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Instance {
    /// `THREAT@element`, stable across scans.
    pub id: String,
    pub threat: Threat,
    pub element: String,
    pub element_label: String,
    pub status: Status,
    /// The status the evidence gives, before any decision.
    pub computed_status: Status,
    pub risk: RiskTriple,
    /// Why the status is what it is, from the evidence.
    pub why: String,
    pub checks: Vec<CheckLink>,
    pub mitigations: Vec<MitigationStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<AppliedDecision>,
    /// Reason of a likelihood/impact override from the model file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub override_reason: Option<String>,
}

impl Instance {
    pub fn component(&self) -> Surface {
        self.threat.component
    }

    pub fn stride(&self) -> Stride {
        self.threat.stride
    }

    /// Slugs of the linked checks that fail for this element.
    pub fn failing_checks(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in &self.checks {
            if c.verdict == LinkVerdict::Fail && !out.contains(&c.slug.as_str()) {
                out.push(&c.slug);
            }
        }
        out
    }

    /// The failing linked checks, each once, in link order.
    pub fn failing_links(&self) -> Vec<&CheckLink> {
        let mut out: Vec<&CheckLink> = Vec::new();
        for c in self
            .checks
            .iter()
            .filter(|c| c.verdict == LinkVerdict::Fail)
        {
            if !out.iter().any(|o| o.slug == c.slug) {
                out.push(c);
            }
        }
        out
    }

    /// Whether the instance still needs attention (exposed or unknown, no decision).
    pub fn is_open(&self) -> bool {
        matches!(self.status, Status::Exposed | Status::Unknown)
    }

    /// Current risk if the given failing checks were fixed (pass).
    pub fn current_if_fixed(&self, fixed: &[&str]) -> Risk {
        let mut reduction = Reduction::default();
        for (i, m) in self.mitigations.iter().enumerate() {
            let state = if m.state == MitigationState::Missing {
                let still_failing = self.checks.iter().any(|c| {
                    c.mitigation == i
                        && c.verdict == LinkVerdict::Fail
                        && !fixed.contains(&c.slug.as_str())
                });
                let unknown = self.checks.iter().any(|c| {
                    c.mitigation == i
                        && !matches!(
                            c.verdict,
                            LinkVerdict::Pass | LinkVerdict::Skip | LinkVerdict::Fail
                        )
                });
                if still_failing || unknown {
                    MitigationState::Missing
                } else {
                    MitigationState::InPlace
                }
            } else {
                m.state
            };
            if state == MitigationState::InPlace {
                add(&mut reduction, m.reduces);
            }
        }
        self.risk.inherent.reduced(reduction)
    }
}

fn add(total: &mut Reduction, r: Reduction) {
    total.likelihood = total.likelihood.saturating_add(r.likelihood);
    total.impact = total.impact.saturating_add(r.impact);
}

/// Check results by slug, each with its objects indexed, for lookups.
pub type ResultIndex<'a> = BTreeMap<&'static str, IndexedResult<'a>>;

pub fn index(results: &[CheckResult]) -> ResultIndex<'_> {
    results
        .iter()
        .map(|r| (r.check.slug, IndexedResult::new(r)))
        .collect()
}

/// Evaluate one threat on one element.
pub fn evaluate(
    threat: &Threat,
    element: &Element,
    results: &ResultIndex,
    likelihood: Level,
    impact: Level,
) -> Instance {
    let mut checks = Vec::new();
    let mut mitigations = Vec::new();
    for (mi, m) in threat.mitigations.iter().enumerate() {
        let mut verdicts = Vec::new();
        for slug in &m.checks {
            let link = match results.get(slug.as_str()) {
                Some(indexed) => {
                    let (v, evidence) = verdict_for_indexed(element, indexed);
                    let r = indexed.result;
                    CheckLink {
                        slug: slug.clone(),
                        id: r.check.id().to_string(),
                        benchmark: r.check.benchmark().as_str().to_string(),
                        verdict: v.into(),
                        evidence,
                        mitigation: mi,
                    }
                }
                None => {
                    let (benchmark, id) = super::catalog::linked_check(slug).unwrap_or(("", ""));
                    CheckLink {
                        slug: slug.clone(),
                        id: id.to_string(),
                        benchmark: benchmark.to_string(),
                        verdict: LinkVerdict::NotEvaluated,
                        evidence: "not evaluated in this scan".into(),
                        mitigation: mi,
                    }
                }
            };
            verdicts.push((link.verdict, m.reviews.contains(slug)));
            checks.push(link);
        }
        // A review-only warn (see `Mitigation::reviews`) does not weaken the mitigation, but it
        // is not evidence that it is in place either: that takes a check that passes.
        let passes = |v: LinkVerdict, review: bool| {
            v == LinkVerdict::Pass || (review && v == LinkVerdict::Warn)
        };
        let state = if verdicts.iter().any(|(v, _)| *v == LinkVerdict::Fail) {
            MitigationState::Missing
        } else if verdicts
            .iter()
            .all(|&(v, review)| passes(v, review) || v == LinkVerdict::Skip)
        {
            if verdicts.iter().any(|(v, _)| *v == LinkVerdict::Pass) {
                MitigationState::InPlace
            } else if verdicts.iter().all(|(v, _)| *v == LinkVerdict::Skip) {
                MitigationState::NotApplicable
            } else {
                MitigationState::Unknown
            }
        } else {
            MitigationState::Unknown
        };
        mitigations.push(MitigationStatus {
            text: m.text.clone(),
            role: m.role,
            state,
            reduces: m.reduces,
            checks: m.checks.clone(),
        });
    }

    let inherent = Risk::new(likelihood, impact);
    let mut now = Reduction::default();
    let mut later = Reduction::default();
    for m in &mitigations {
        match m.state {
            MitigationState::InPlace => {
                add(&mut now, m.reduces);
                add(&mut later, m.reduces);
            }
            MitigationState::Missing => add(&mut later, m.reduces),
            _ => {}
        }
    }
    let risk = RiskTriple {
        inherent,
        current: inherent.reduced(now),
        projected: inherent.reduced(later),
    };

    let any_primary = mitigations.iter().any(|m| m.role == Role::Primary);
    let decisive: Vec<&MitigationStatus> = mitigations
        .iter()
        .filter(|m| !any_primary || m.role == Role::Primary)
        .collect();
    let primary_missing = decisive.iter().any(|m| m.state == MitigationState::Missing);
    let primary_in_place = decisive.iter().any(|m| m.state == MitigationState::InPlace);
    let supporting_missing = mitigations
        .iter()
        .any(|m| m.state == MitigationState::Missing);
    let status = if primary_missing || (supporting_missing && !primary_in_place) {
        Status::Exposed
    } else if !decisive.is_empty()
        && decisive.iter().all(|m| {
            matches!(
                m.state,
                MitigationState::InPlace | MitigationState::NotApplicable
            )
        })
        && decisive.iter().any(|m| m.state == MitigationState::InPlace)
    {
        Status::Mitigated
    } else {
        Status::Unknown
    };

    let why = explain(status, &checks, &mitigations);
    Instance {
        id: format!("{}@{}", threat.id, element.id),
        threat: threat.clone(),
        element: element.id.clone(),
        element_label: element.label.clone(),
        status,
        computed_status: status,
        risk,
        why,
        checks,
        mitigations,
        decision: None,
        override_reason: None,
    }
}

fn verdict_phrase(v: LinkVerdict) -> &'static str {
    match v {
        LinkVerdict::Pass => "passes",
        LinkVerdict::Fail => "fails",
        LinkVerdict::Warn => "needs review (warn)",
        LinkVerdict::Info => "is informational",
        LinkVerdict::Skip => "does not apply",
        LinkVerdict::Error => "could not be evaluated",
        LinkVerdict::NotEvaluated => "was not evaluated",
    }
}

/// The "why" of an instance: the evidence of the checks that decided its status.
fn explain(status: Status, checks: &[CheckLink], mitigations: &[MitigationStatus]) -> String {
    let mut seen: Vec<String> = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    let mut push = |c: &CheckLink, with_evidence: bool| {
        if seen.contains(&c.slug) {
            return;
        }
        seen.push(c.slug.clone());
        let head = format!("check {} {}", c.label(), verdict_phrase(c.verdict));
        parts.push(if with_evidence && !c.evidence.is_empty() {
            format!("{}: {head}", c.evidence.trim_end_matches('.'))
        } else {
            head
        });
    };
    match status {
        Status::Exposed => {
            for c in checks.iter().filter(|c| c.verdict == LinkVerdict::Fail) {
                push(c, true);
            }
        }
        Status::Mitigated => {
            for c in checks.iter().filter(|c| {
                c.verdict == LinkVerdict::Pass && mitigations[c.mitigation].role == Role::Primary
            }) {
                push(c, true);
            }
            // A warn inside a mitigation in place is a review (`Mitigation::reviews`): named.
            for c in checks.iter().filter(|c| {
                c.verdict == LinkVerdict::Warn
                    && mitigations[c.mitigation].state == MitigationState::InPlace
            }) {
                push(c, true);
            }
        }
        _ => {
            let missing: Vec<&CheckLink> = checks
                .iter()
                .filter(|c| !matches!(c.verdict, LinkVerdict::Pass | LinkVerdict::Skip))
                .filter(|c| mitigations[c.mitigation].role == Role::Primary)
                .collect();
            for c in &missing {
                push(c, c.verdict != LinkVerdict::NotEvaluated);
            }
            if missing.is_empty() {
                parts.push("no linked check applies here".into());
            }
            return format!(
                "no linked check fails, but evidence is missing: {}",
                parts.join("; ")
            );
        }
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_product() {
        assert_eq!(Risk::new(Level::Low, Level::Low).level, Level::Low);
        assert_eq!(Risk::new(Level::Low, Level::Medium).level, Level::Low);
        assert_eq!(Risk::new(Level::Low, Level::High).level, Level::Medium);
        assert_eq!(Risk::new(Level::Low, Level::Critical).level, Level::Medium);
        assert_eq!(Risk::new(Level::Medium, Level::High).level, Level::High);
        assert_eq!(Risk::new(Level::High, Level::High).level, Level::High);
        assert_eq!(
            Risk::new(Level::High, Level::Critical).level,
            Level::Critical
        );
        assert_eq!(Risk::new(Level::Critical, Level::Critical).score, 16);
    }

    #[test]
    fn reductions_clamp_at_low() {
        let r = Risk::new(Level::High, Level::Critical).reduced(Reduction {
            likelihood: 5,
            impact: 1,
        });
        assert_eq!((r.likelihood, r.impact), (Level::Low, Level::High));
        assert_eq!(r.level, Level::Medium);
    }

    /// K8S-S-01's TLS mitigation: certificate and client CA pass; the cipher-suite check warns.
    fn tls_mitigation(ciphers: Verdict, reviews: bool) -> Instance {
        tls_mitigation_of(Verdict::Pass, ciphers, reviews)
    }

    /// The same with the certificate and client CA checks giving `others`.
    fn tls_mitigation_with(others: Verdict, ciphers: Verdict) -> Instance {
        tls_mitigation_of(others, ciphers, true)
    }

    fn tls_mitigation_of(others: Verdict, ciphers: Verdict, reviews: bool) -> Instance {
        let mut threat = super::super::catalog::builtin()
            .threats
            .iter()
            .find(|t| t.id == "K8S-S-01")
            .unwrap()
            .clone();
        threat.mitigations.truncate(1);
        if !reviews {
            threat.mitigations[0].reviews.clear();
        }
        let results: Vec<CheckResult> = [
            ("k8s-apiserver-tls-cert", others),
            ("k8s-apiserver-client-ca", others),
            ("k8s-apiserver-tls-strong-ciphers", ciphers),
        ]
        .into_iter()
        .map(|(slug, v)| CheckResult {
            check: crate::checks::all()
                .iter()
                .copied()
                .find(|c| c.slug == slug)
                .unwrap(),
            outcome: crate::checks::Outcome::new(v, format!("{slug} evidence")),
        })
        .collect();
        let element = Element::new("process:kube-apiserver", threat.element, "kube-apiserver");
        evaluate(
            &threat,
            &element,
            &index(&results),
            threat.likelihood,
            threat.impact,
        )
    }

    #[test]
    fn a_review_that_does_not_weaken_a_mitigation_leaves_it_in_place_and_named() {
        let i = tls_mitigation(Verdict::Warn, true);
        assert_eq!(i.status, Status::Mitigated, "{}", i.why);
        assert!(
            i.why.contains("k8s-apiserver-tls-strong-ciphers evidence"),
            "{}",
            i.why
        );
        // Without the catalogue's word that the warn is a review, it leaves the threat unknown.
        assert_eq!(tls_mitigation(Verdict::Warn, false).status, Status::Unknown);
        // A failing review check still fails.
        assert_eq!(tls_mitigation(Verdict::Fail, true).status, Status::Exposed);
        // A review beside checks that saw nothing is not a mitigation in place.
        assert_eq!(
            tls_mitigation_with(Verdict::Skip, Verdict::Warn).status,
            Status::Unknown
        );
    }
}
