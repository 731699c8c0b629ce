//! The fix-first plan: rank failed checks by how much risk their change removes, prefer covering
//! different attack surfaces when scores are close, and state for each pick the evidence, the
//! threats it closes, the exact change, its side effects and how it is verified.

use std::collections::BTreeSet;

use super::remedy::{self, Limits, Proposal};
use super::risk::{self, RiskEstimate};
use super::surface::{self, AttackSurface};
use crate::checks::{Benchmark, Check, CheckResult, ObjectOutcome, Verdict};
use crate::facts::Facts;
use crate::facts::daemon_config::DaemonConfig;

/// Scores within this fraction of the best remaining one count as close: then a pick on a surface
/// no earlier pick covers is preferred.
pub const CLOSE_SCORES: f64 = 0.2;

#[derive(Debug, Clone)]
pub struct PlanOptions {
    pub top: usize,
    pub limits: Limits,
    /// Make sure at least one pick is not among these checks (ids in any edition, or slugs),
    /// e.g. the brief's exercise items 5.10, 5.14, 5.22 (v1.3.1).
    pub at_least_one_beyond: Vec<String>,
    /// Edition whose numbers `at_least_one_beyond` uses (ids differ between editions).
    pub numbering: Benchmark,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            top: 3,
            limits: Limits::default(),
            at_least_one_beyond: vec![],
            numbering: Benchmark::CisDocker160,
        }
    }
}

/// One ranked pick.
#[derive(Clone)]
pub struct Pick {
    pub rank: usize,
    pub check: &'static Check,
    /// The check's evidence now.
    pub evidence: String,
    /// Its failing objects now.
    pub objects: Vec<ObjectOutcome>,
    pub surface: AttackSurface,
    pub risk: RiskEstimate,
    pub proposal: Proposal,
    pub why: String,
}

#[derive(Clone)]
pub struct Plan {
    pub picks: Vec<Pick>,
    /// Failed checks considered.
    pub candidates: usize,
    /// Failed checks not picked, best first: (check, surface, score).
    pub others: Vec<(&'static Check, AttackSurface, f64)>,
    /// Things a person must know before applying (conflicts, unknown flags).
    pub notes: Vec<String>,
}

struct Candidate<'a> {
    result: &'a CheckResult,
    surface: AttackSurface,
    risk: RiskEstimate,
    proposal: Proposal,
}

/// Build the plan over the results of a scan.
pub fn build(facts: &Facts, results: &[CheckResult], opts: &PlanOptions) -> Plan {
    let daemon = DaemonConfig::from_facts(facts);
    let mut candidates: Vec<Candidate> = results
        .iter()
        .filter(|r| r.outcome.verdict == Verdict::Fail)
        .map(|r| {
            let proposal = remedy::propose(facts, &daemon, r, &opts.limits);
            Candidate {
                result: r,
                surface: surface::of_check(r.check),
                risk: risk::estimate(r, proposal.effort),
                proposal,
            }
        })
        .collect();
    // Best first; ties by severity, then benchmark order (stable sort keeps registry order).
    candidates.sort_by(|a, b| {
        b.risk
            .score
            .total_cmp(&a.risk.score)
            .then(b.result.check.severity.cmp(&a.result.check.severity))
    });
    let total = candidates.len();
    let mut picks: Vec<Pick> = Vec::new();
    let mut covered: BTreeSet<AttackSurface> = BTreeSet::new();
    while picks.len() < opts.top && !candidates.is_empty() {
        let best = candidates[0].risk.score;
        let mut idx = candidates
            .iter()
            .position(|c| {
                c.risk.score >= best * (1.0 - CLOSE_SCORES) && !covered.contains(&c.surface)
            })
            .unwrap_or(0);
        let mut why = Vec::new();
        if idx != 0 {
            let top = &candidates[0];
            why.push(format!(
                "preferred over {} ({}, score {:.2}): the scores are within {:.0}% and no earlier pick covers the {} surface",
                top.result.check.id(),
                top.result.check.slug,
                top.risk.score,
                CLOSE_SCORES * 100.0,
                candidates[idx].surface.title()
            ));
        }
        // The last pick makes sure not every pick is one of the excluded items.
        let last = picks.len() + 1 == opts.top;
        if last && !opts.at_least_one_beyond.is_empty() {
            let beyond = |c: &Check| {
                !opts
                    .at_least_one_beyond
                    .iter()
                    .any(|t| is_check(t, c, opts.numbering))
            };
            let have_other = picks.iter().any(|p| beyond(p.check));
            if !have_other
                && !beyond(candidates[idx].result.check)
                && let Some(j) = candidates.iter().position(|c| beyond(c.result.check))
            {
                why.push(format!(
                        "chosen so that at least one pick is beyond {} (the best of the other failed checks)",
                        opts.at_least_one_beyond.join(", ")
                    ));
                idx = j;
            }
        }
        let c = candidates.remove(idx);
        covered.insert(c.surface);
        why.insert(0, score_reason(&c));
        picks.push(Pick {
            rank: picks.len() + 1,
            check: c.result.check,
            evidence: c.result.outcome.evidence.clone(),
            objects: c
                .result
                .outcome
                .objects
                .iter()
                .filter(|o| o.verdict == Verdict::Fail)
                .cloned()
                .collect(),
            surface: c.surface,
            risk: c.risk,
            proposal: c.proposal,
            why: why.join("; "),
        });
    }
    let mut notes = Vec::new();
    if !daemon.conflicts.is_empty() {
        notes.push(format!(
            "dockerd flags and {} both set {}: dockerd will refuse to start until one of them is removed",
            daemon.config_path,
            daemon.conflicts.join(", ")
        ));
    }
    Plan {
        picks,
        candidates: total,
        others: candidates
            .iter()
            .map(|c| (c.result.check, c.surface, c.risk.score))
            .collect(),
        notes,
    }
}

fn score_reason(c: &Candidate) -> String {
    let failing = c
        .result
        .outcome
        .objects
        .iter()
        .filter(|o| o.verdict == Verdict::Fail)
        .count();
    let breadth = if failing > 1 {
        format!(", {failing} failing objects")
    } else {
        String::new()
    };
    format!(
        "score {:.2}: severity {}{breadth}, change {}",
        c.risk.score,
        c.result.check.severity.as_str(),
        c.proposal.effort.describe()
    )
}

/// A token names a check by slug, or by its id in the `numbering` edition.
pub fn is_check(token: &str, check: &Check, numbering: Benchmark) -> bool {
    let t = token.trim();
    t == check.slug || check.id_in(numbering) == Some(t)
}

/// The id shown for a check: its number in `numbering`, else its primary id.
pub fn display_id(check: &Check, numbering: Benchmark) -> (&'static str, Benchmark) {
    match check.id_in(numbering) {
        Some(id) => (id, numbering),
        None => (check.id(), check.benchmark()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Outcome;

    fn failed(slug: &str, objects: usize) -> CheckResult {
        CheckResult {
            check: crate::checks::find(slug).unwrap(),
            outcome: Outcome {
                verdict: Verdict::Fail,
                evidence: "seen".into(),
                objects: (0..objects)
                    .map(|i| ObjectOutcome {
                        kind: "container",
                        name: format!("c{i}"),
                        id: Some(format!("{i:012}")),
                        verdict: Verdict::Fail,
                        evidence: String::new(),
                    })
                    .collect(),
            },
        }
    }

    fn facts() -> Facts {
        serde_json::from_value(serde_json::json!({
            "schema": "threatbench/facts/v1", "tool_version": "0", "collected_at": "now",
            "host": {"root": "/", "hostname": null, "processes": {"seen": []}},
            "docker": {"unavailable": {"kind": "not_collected", "reason": "test"}}
        }))
        .unwrap()
    }

    #[test]
    fn close_scores_prefer_a_new_surface_and_say_so() {
        // pids (high, docker host, live): 7; registry (high, reload): 6.3 is within 20%.
        // memory (medium x 2 objects) 8, pids (high) 7, insecure registries (high, reload) 6.3:
        // after memory, pids is best but on the covered Docker host surface; 6.3 is within 20%.
        let results = vec![
            failed("container-pids-limit", 1),
            failed("container-memory-limit", 2),
            failed("daemon-no-insecure-registries", 0),
        ];
        let plan = build(
            &facts(),
            &results,
            &PlanOptions {
                top: 2,
                ..Default::default()
            },
        );
        let slugs: Vec<&str> = plan.picks.iter().map(|p| p.check.slug).collect();
        assert_eq!(
            slugs,
            vec!["container-memory-limit", "daemon-no-insecure-registries"]
        );
        assert!(
            plan.picks[1]
                .why
                .contains("no earlier pick covers the Docker registry surface"),
            "{}",
            plan.picks[1].why
        );
        assert_eq!(plan.candidates, 3);
        assert_eq!(plan.others.len(), 1);
    }

    #[test]
    fn at_least_one_pick_beyond_the_exercise_items() {
        let results = vec![
            failed("container-memory-limit", 3),
            failed("container-restart-policy", 3),
            failed("container-health-check", 1),
        ];
        let opts = PlanOptions {
            top: 2,
            at_least_one_beyond: vec!["5.10".into(), "5.14".into(), "5.22".into()],
            numbering: Benchmark::CisDocker131,
            ..Default::default()
        };
        let plan = build(&facts(), &results, &opts);
        let slugs: Vec<&str> = plan.picks.iter().map(|p| p.check.slug).collect();
        assert_eq!(
            slugs,
            vec!["container-memory-limit", "container-health-check"]
        );
        assert!(plan.picks[1].why.contains("beyond 5.10, 5.14, 5.22"));
    }
}
