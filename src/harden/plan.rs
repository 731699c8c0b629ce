//! The fix-first plan: rank failed checks by how much risk their change removes, prefer covering
//! different attack surfaces when scores are close, and state for each pick the evidence, the
//! threats it closes, the exact change, its side effects and how it is verified.

use std::collections::BTreeSet;

use super::bundle::{self, Bundle};
use super::remedy::{self, Limits, Proposal};
use super::risk::{self, PickRisk};
use super::surface::{self, AttackSurface};
use crate::checks::{Benchmark, Check, CheckResult, ObjectOutcome, Selection, Verdict};
use crate::facts::Facts;
use crate::facts::daemon_config::DaemonConfig;
use crate::threats::paths::PathCount;
use crate::threats::{Assessment, Level, Status};

/// Scores within this fraction of the best remaining one count as close: then a pick on a surface
/// no earlier pick covers is preferred.
pub const CLOSE_SCORES: f64 = 0.2;

/// How many threat instances `why` names before summing up the rest.
const WHY_INSTANCES: usize = 3;

#[derive(Debug, Clone)]
pub struct PlanOptions {
    pub top: usize,
    pub limits: Limits,
    /// Make sure at least one pick is not among these checks (ids in any edition, or slugs),
    /// e.g. the brief's exercise items 5.10, 5.14, 5.22 (v1.3.1).
    pub at_least_one_beyond: Vec<String>,
    /// Edition whose numbers `at_least_one_beyond` uses (ids differ between editions).
    pub numbering: Benchmark,
    /// The failed checks that may be picked (`--select` / `--ignore`). The threat model always
    /// sees every check, so that risk is judged on the whole system.
    pub consider: Selection,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            top: 3,
            limits: Limits::default(),
            at_least_one_beyond: vec![],
            numbering: Benchmark::CisDocker160,
            consider: Selection::default(),
        }
    }
}

/// One ranked pick.
#[derive(Clone)]
pub struct Pick {
    pub rank: usize,
    /// The check fixed; for a bundled pick, the one of its checks that removes most risk.
    pub check: &'static Check,
    /// The finding's severity (the check's unless its outcome has one of its own).
    pub severity: crate::checks::Severity,
    /// Every check the change fixes (the one check of a single-check pick).
    pub clears: Vec<&'static Check>,
    /// Set when the pick is one re-create of a container clearing several checks.
    pub bundle: Option<Bundle>,
    /// Attack paths, per target kind, that the change breaks (kinds with a path only).
    pub paths: Vec<PathCount>,
    /// The check's evidence now.
    pub evidence: String,
    /// Its failing objects now.
    pub objects: Vec<ObjectOutcome>,
    pub surface: AttackSurface,
    /// Score and threat instances, from the threat model.
    pub risk: PickRisk,
    pub proposal: Proposal,
    pub why: String,
}

/// One attack surface as the plan saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct SurfaceSummary {
    pub surface: AttackSurface,
    /// Exposed threat instances (without a decision) on this surface.
    pub exposed: usize,
    /// Their worst current risk.
    pub worst: Option<Level>,
    /// Failed checks (among those considered) whose fix acts mostly on this surface.
    pub failed_checks: usize,
    /// Ranks of the picks on this surface.
    pub picks: Vec<usize>,
}

#[derive(Clone)]
pub struct Plan {
    pub picks: Vec<Pick>,
    /// Failed checks considered.
    pub candidates: usize,
    /// Failed checks not picked, best first: (check, surface, score).
    pub others: Vec<(&'static Check, AttackSurface, u32)>,
    /// Things a person must know before applying (conflicts, unknown flags).
    pub notes: Vec<String>,
    /// The five attack surfaces, in order.
    pub surfaces: Vec<SurfaceSummary>,
    /// `PlanOptions::at_least_one_beyond`, for the reports to state.
    pub beyond: Vec<String>,
    /// Whether the user's model file was applied to the threat model.
    pub model_applied: bool,
}

struct Candidate<'a> {
    /// The leading check (the only one of a single-check candidate).
    result: &'a CheckResult,
    clears: Vec<&'a CheckResult>,
    bundle: Option<Bundle>,
    objects: Vec<ObjectOutcome>,
    surface: AttackSurface,
    risk: PickRisk,
    proposal: Proposal,
    paths: Vec<PathCount>,
}

impl Candidate<'_> {
    fn paths_broken(&self) -> usize {
        self.paths.iter().map(|c| c.broken).sum()
    }
}

/// `breaks 4 of 6 paths to host root, 1 of 2 paths to dockerd control`, or `None`.
pub fn paths_reason(paths: &[PathCount]) -> Option<String> {
    let broken: Vec<String> = paths
        .iter()
        .filter(|c| c.broken > 0)
        .map(PathCount::describe)
        .collect();
    (!broken.is_empty()).then(|| format!("breaks {}", broken.join(", ")))
}

/// Build the plan over the results of a scan and their threat assessment.
pub fn build(
    facts: &Facts,
    results: &[CheckResult],
    assessment: &Assessment,
    opts: &PlanOptions,
) -> Plan {
    let daemon = DaemonConfig::from_facts(facts);
    let fixes = assessment.fix_first();
    let failed: Vec<&CheckResult> = results
        .iter()
        .filter(|r| r.outcome.verdict == Verdict::Fail && opts.consider.includes(r.check))
        .collect();
    let mut candidates: Vec<Candidate> = failed
        .iter()
        .map(|r| {
            let proposal = remedy::propose(facts, &daemon, r, &opts.limits);
            let risk = risk::of_fix(assessment, fixes.iter().find(|f| f.slug == r.check.slug));
            let slug = r.check.slug;
            Candidate {
                result: r,
                clears: vec![r],
                bundle: None,
                objects: r
                    .outcome
                    .objects
                    .iter()
                    .filter(|o| o.verdict == Verdict::Fail)
                    .cloned()
                    .collect(),
                surface: risk
                    .main_surface()
                    .unwrap_or_else(|| surface::of_check(r.check)),
                risk,
                proposal,
                paths: assessment.paths.broken_by(&|_, s| s == slug),
            }
        })
        .collect();
    let singles = candidates.len();
    for b in bundle::bundles(facts, &failed, assessment) {
        let slugs: Vec<&str> = b.results.iter().map(|r| r.check.slug).collect();
        let element = b.bundle.element.clone();
        candidates.push(Candidate {
            result: b.results[0],
            clears: b.results,
            objects: b.objects,
            surface: b.risk.main_surface().unwrap_or(AttackSurface::DockerHost),
            paths: assessment
                .paths
                .broken_by(&|e, s| e == element && slugs.contains(&s)),
            bundle: Some(b.bundle),
            risk: b.risk,
            proposal: b.proposal,
        });
    }
    // Most risk removed first; among equals the fix that breaks more attack paths, then one
    // acting on an open threat instance, then the easier change, then the higher severity,
    // then benchmark order (the sort is stable and results come in registry order).
    candidates.sort_by(|a, b| {
        b.risk
            .score
            .cmp(&a.risk.score)
            .then(b.paths_broken().cmp(&a.paths_broken()))
            .then(
                b.risk
                    .effects
                    .is_empty()
                    .cmp(&a.risk.effects.is_empty())
                    .reverse(),
            )
            .then(a.proposal.effort.cmp(&b.proposal.effort))
            .then(b.result.severity().cmp(&a.result.severity()))
    });
    let total = singles;
    let mut surfaces: Vec<SurfaceSummary> = AttackSurface::ALL
        .iter()
        .map(|s| surface_summary(*s, assessment, &candidates))
        .collect();
    let mut picks: Vec<Pick> = Vec::new();
    let mut covered: BTreeSet<AttackSurface> = BTreeSet::new();
    while picks.len() < opts.top && !candidates.is_empty() {
        // A pick that removes no risk covers nothing on its surface, so only picks that do
        // count for diversity.
        let best = candidates[0].risk.score as f64;
        let mut idx = candidates
            .iter()
            .position(|c| {
                c.risk.score > 0
                    && c.risk.score as f64 >= best * (1.0 - CLOSE_SCORES)
                    && !covered.contains(&c.surface)
            })
            .unwrap_or(0);
        let mut why = Vec::new();
        if idx != 0 {
            let top = &candidates[0];
            why.push(format!(
                "preferred over {} ({}, score {}): the scores are within {:.0}% and no earlier pick covers the {} surface",
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
            let have_other = picks.iter().any(|p| p.clears.iter().any(|c| beyond(c)));
            let clears_beyond = |c: &Candidate| c.clears.iter().any(|r| beyond(r.check));
            if !have_other
                && !clears_beyond(&candidates[idx])
                && let Some(j) = candidates.iter().position(clears_beyond)
            {
                why = vec![format!(
                    "chosen so that at least one pick is beyond {} (the best of the other failed checks)",
                    opts.at_least_one_beyond.join(", ")
                )];
                idx = j;
            }
        }
        let c = candidates.remove(idx);
        covered.insert(c.surface);
        if let Some(paths) = paths_reason(&c.paths) {
            why.insert(0, paths);
        }
        if let Some(b) = &c.bundle {
            let ids: Vec<String> = c
                .clears
                .iter()
                .map(|r| format!("{} ({})", r.check.id(), r.check.slug))
                .collect();
            why.insert(
                0,
                format!(
                    "one re-create of {} clears {} failed checks at once: {}",
                    b.container,
                    ids.len(),
                    ids.join(", ")
                ),
            );
        }
        why.insert(0, score_reason(&c, assessment));
        let rank = picks.len() + 1;
        if let Some(s) = surfaces.iter_mut().find(|s| s.surface == c.surface) {
            s.picks.push(rank);
        }
        let evidence = match &c.bundle {
            Some(_) => c
                .objects
                .iter()
                .zip(&c.clears)
                .map(|(o, r)| format!("{}: {}", r.check.slug, o.evidence))
                .collect::<Vec<_>>()
                .join("; "),
            None => c.result.outcome.evidence.clone(),
        };
        picks.push(Pick {
            rank,
            check: c.result.check,
            severity: c.result.severity(),
            clears: c.clears.iter().map(|r| r.check).collect(),
            bundle: c.bundle,
            paths: c.paths,
            evidence,
            objects: c.objects,
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
            .filter(|c| c.bundle.is_none())
            .map(|c| (c.result.check, c.surface, c.risk.score))
            .collect(),
        notes,
        surfaces,
        beyond: opts.at_least_one_beyond.clone(),
        model_applied: assessment.model_applied,
    }
}

fn surface_summary(
    surface: AttackSurface,
    assessment: &Assessment,
    candidates: &[Candidate],
) -> SurfaceSummary {
    let exposed: Vec<Level> = assessment
        .instances
        .iter()
        .filter(|i| i.status == Status::Exposed && i.decision.is_none())
        .filter(|i| surface::of_threat(&i.threat) == surface)
        .map(|i| i.risk.current.level)
        .collect();
    SurfaceSummary {
        surface,
        exposed: exposed.len(),
        worst: exposed.iter().max().copied(),
        failed_checks: candidates
            .iter()
            .filter(|c| c.bundle.is_none() && c.surface == surface)
            .count(),
        picks: vec![],
    }
}

/// Why a candidate scores what it does: the threat instances its fix closes or lowers.
fn score_reason(c: &Candidate, assessment: &Assessment) -> String {
    let effects = &c.risk.effects;
    let threats = if effects.is_empty() {
        let reasons = risk::why_unscored(assessment, c.result.check.slug);
        if reasons.is_empty() {
            "mitigates no threat of the model".to_string()
        } else {
            format!(
                "mitigates no open threat instance here ({})",
                reasons.join("; ")
            )
        }
    } else {
        let mut named: Vec<String> = effects
            .iter()
            .take(WHY_INSTANCES)
            .map(|e| e.describe())
            .collect();
        if effects.len() > WHY_INSTANCES {
            named.push(format!(
                "{} more instance(s)",
                effects.len() - WHY_INSTANCES
            ));
        }
        named.join(", ")
    };
    format!(
        "score {} (current risk removed): {threats}; change {}",
        c.risk.score,
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
    use crate::checks;
    use crate::threats::{ModelFile, assess_on, builtin, tests::fixture_facts};

    /// The threat-model fixture host: a privileged container and one without a PIDs limit, a
    /// dockerd on TCP without TLS and with an insecure registry (see threats::tests).
    fn plan_for(model: Option<&ModelFile>, opts: &PlanOptions) -> (Plan, Assessment) {
        let facts = fixture_facts();
        let results = checks::run(&facts, &Selection::default());
        let a = assess_on(&facts, &results, model, "2026-11-20".parse().unwrap());
        (build(&facts, &results, &a, opts), a)
    }

    fn slugs(plan: &Plan) -> Vec<&'static str> {
        plan.picks.iter().map(|p| p.check.slug).collect()
    }

    #[test]
    fn picks_are_ranked_by_the_risk_their_fix_removes_from_the_threat_model() {
        let (plan, a) = plan_for(
            None,
            &PlanOptions {
                top: 5,
                ..Default::default()
            },
        );
        let fixes = a.fix_first();
        // The best fix of the whole model comes first, with its score and instances.
        assert_eq!(plan.picks[0].check.slug, fixes[0].slug);
        assert_eq!(plan.picks[0].check.slug, "daemon-no-insecure-registries");
        for p in plan.picks.iter().filter(|p| p.bundle.is_none()) {
            let fix = fixes.iter().find(|f| f.slug == p.check.slug).unwrap();
            assert_eq!(p.risk.score, fix.risk_removed, "{}", p.check.slug);
            assert_eq!(
                p.clears.iter().map(|c| c.slug).collect::<Vec<_>>(),
                [p.check.slug]
            );
            let mut ids: Vec<&str> = p.risk.effects.iter().map(|e| e.instance.as_str()).collect();
            ids.sort();
            let mut expected: Vec<&str> = fix.instances.iter().map(String::as_str).collect();
            expected.sort();
            assert_eq!(ids, expected);
            // No more constant "low": before is the worst current risk of its instances.
            let worst = p.risk.effects.iter().map(|e| e.before.score).max();
            assert_eq!(p.risk.before().map(|r| r.score), worst);
            assert!(p.why.starts_with(&format!("score {} ", p.risk.score)));
        }
        // A pick scores less than one left behind only when the why says it was preferred.
        for (n, p) in plan.picks.iter().enumerate() {
            let better_left = plan.picks[n + 1..]
                .iter()
                .map(|q| q.risk.score)
                .chain(plan.others.iter().map(|o| o.2))
                .any(|s| s > p.risk.score);
            assert_eq!(better_left, p.why.contains("preferred over"), "{}", p.why);
        }
        // The instances are named with their risk before → after.
        let tls = plan
            .picks
            .iter()
            .find(|p| p.check.slug == "daemon-tls-on-tcp")
            .unwrap();
        assert!(
            tls.why
                .contains("closes DKR-T-04@flow:docker-client->dockerd (high → medium)"),
            "{}",
            tls.why
        );
        assert_eq!(tls.surface, AttackSurface::DockerClient);
        assert_eq!(plan.picks[0].surface, AttackSurface::Registry);
    }

    #[test]
    fn close_scores_prefer_a_new_surface_and_say_so() {
        let (plan, _) = plan_for(
            None,
            &PlanOptions {
                top: 4,
                ..Default::default()
            },
        );
        // After the registry pick, the re-create of priv (16) and TLS (15, both Docker client),
        // container-user-not-root (12, Docker client) is best, but daemon-userns-remap (10,
        // Docker host) is within 20% on a surface not covered.
        assert_eq!(
            slugs(&plan),
            vec![
                "daemon-no-insecure-registries",
                "container-privileged",
                "daemon-tls-on-tcp",
                "daemon-userns-remap"
            ]
        );
        assert!(plan.picks[1].bundle.is_some());
        let third = &plan.picks[3];
        assert_eq!(third.surface, AttackSurface::DockerHost);
        assert!(
            third.why.contains(
                "preferred over 4.1 (container-user-not-root, score 12): the scores are within 20% and no earlier pick covers the Docker host surface"
            ),
            "{}",
            third.why
        );
        let surfaces: BTreeSet<AttackSurface> = plan.picks.iter().map(|p| p.surface).collect();
        assert_eq!(surfaces.len(), 3);
        // The surface summary counts exposed threats and records the picks.
        let host = &plan.surfaces[1];
        assert_eq!(host.surface, AttackSurface::DockerHost);
        assert!(host.exposed > 0 && host.failed_checks > 0);
        assert_eq!(host.picks, vec![4]);
        assert_eq!(plan.surfaces[3].exposed, 0, "no Kubernetes here");
    }

    #[test]
    fn accepted_threats_do_not_count_towards_the_score() {
        let model = ModelFile::parse(
            "decisions:\n  - instance: \"DKR-*@*registry.local:5000\"\n    status: accepted\n    justification: lab registry on a closed network\n",
            builtin(),
        )
        .unwrap();
        let opts = PlanOptions {
            top: 1,
            ..Default::default()
        };
        let (plan, _) = plan_for(Some(&model), &opts);
        assert!(plan.model_applied);
        // The re-create of priv (16) now leads TLS (15).
        assert_eq!(slugs(&plan), vec!["container-privileged"]);
        assert!(plan.picks[0].bundle.is_some());
        let registries = plan
            .others
            .iter()
            .find(|o| o.0.slug == "daemon-no-insecure-registries")
            .unwrap();
        let (unmodelled, _) = plan_for(None, &opts);
        assert!(registries.2 < unmodelled.picks[0].risk.score);
    }

    #[test]
    fn a_check_whose_threats_are_all_accepted_scores_zero_and_says_so() {
        let model = ModelFile::parse(
            "decisions:\n  - instance: \"DKR-E-01@container:priv\"\n    status: accepted\n    justification: CI builder, isolated VM\n",
            builtin(),
        )
        .unwrap();
        let (plan, _) = plan_for(
            Some(&model),
            &PlanOptions {
                consider: Selection {
                    select: vec!["container-privileged".into()],
                    ..Selection::default()
                },
                ..Default::default()
            },
        );
        let p = &plan.picks[0];
        assert_eq!((p.risk.score, p.risk.before()), (0, None));
        assert!(
            p.why.contains(
                "mitigates no open threat instance here (DKR-E-01@container:priv is accepted (CI builder, isolated VM))"
            ),
            "{}",
            p.why
        );
        // Its surface still comes from the catalogue threat it mitigates.
        assert_eq!(p.surface, AttackSurface::DockerClient);
    }

    #[test]
    fn a_fix_that_lowers_no_risk_yet_scores_zero_and_says_why() {
        let (plan, _) = plan_for(
            None,
            &PlanOptions {
                consider: Selection {
                    select: vec!["container-memory-limit".into()],
                    ..Selection::default()
                },
                ..Default::default()
            },
        );
        let memory = &plan.picks[0];
        assert_eq!(memory.check.slug, "container-memory-limit");
        assert_eq!(memory.risk.score, 0);
        // Memory limits alone do not lower DKR-D-02 while CPU priority also fails.
        assert!(
            memory
                .why
                .contains("adds a mitigation to DKR-D-02@container:api (high, unchanged; still failing: container-cpu-priority)"),
            "{}",
            memory.why
        );
        assert_eq!(plan.candidates, 1, "only the selected failed checks");
    }

    #[test]
    fn at_least_one_pick_beyond_the_exercise_items() {
        // v1.3.1 numbering: 2.5 insecure registries and 2.7 TLS are the two best daemon fixes
        // here (section 2 only, so that no container re-create comes between them).
        let opts = PlanOptions {
            top: 2,
            at_least_one_beyond: vec!["2.5".into(), "2.7".into()],
            numbering: Benchmark::CisDocker131,
            consider: Selection {
                select: vec!["2".into()],
                ..Selection::default()
            },
            ..Default::default()
        };
        let (plan, _) = plan_for(None, &opts);
        assert_eq!(plan.picks[0].check.slug, "daemon-no-insecure-registries");
        let second = &plan.picks[1];
        assert!(
            !["daemon-tls-on-tcp", "daemon-no-insecure-registries"].contains(&second.check.slug)
        );
        assert!(second.why.contains("beyond 2.5, 2.7"), "{}", second.why);
        assert_eq!(plan.beyond, vec!["2.5", "2.7"]);
    }
}
