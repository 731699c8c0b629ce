//! `harden --format json`: the public `threatbench/harden/v1` document. Fields may be added, never
//! renamed or removed within v1.

use serde::Serialize;

use crate::harden::journal::Record;
use crate::harden::plan::{Pick, display_id};
use crate::harden::recheck::Recheck;
use crate::harden::{HARDEN_SCHEMA, Report};
use crate::threats::paths::PathCount;

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    tool: Tool,
    target: Target<'a>,
    numbering: &'static str,
    scoring: &'static str,
    /// Whether the user's threat-model file (decisions, scope, suppressions) was applied.
    model_applied: bool,
    candidates: usize,
    picks: Vec<PickEntry<'a>>,
    others: Vec<Other>,
    notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    applied: Option<&'a Record>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    recheck: &'a [Recheck],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Target<'a> {
    hostname: Option<&'a str>,
    root: &'a str,
    collected_at: &'a str,
    docker_endpoint: Option<&'a str>,
}

#[derive(Serialize)]
struct CheckRef {
    id: &'static str,
    slug: &'static str,
    benchmark: &'static str,
    title: &'static str,
    severity: &'static str,
    ids: Vec<IdEntry>,
}

/// A check a pick's change fixes.
#[derive(Serialize)]
struct ClearEntry {
    id: &'static str,
    slug: &'static str,
    benchmark: &'static str,
}

/// A bundled pick: one re-create of a container clearing several checks.
#[derive(Serialize)]
struct BundleEntry<'a> {
    container: &'a str,
    element: &'a str,
    summary: &'a str,
}

#[derive(Serialize)]
struct IdEntry {
    benchmark: &'static str,
    id: &'static str,
}

/// Worst current risk of the pick's threat instances, before and after the fix: a level, or
/// `none` when the check mitigates no open threat instance here.
#[derive(Serialize)]
struct Risk {
    before: &'static str,
    after: &'static str,
    /// The same as scores (likelihood x impact, 1-16); null with `none`.
    before_score: Option<u8>,
    after_score: Option<u8>,
    basis: &'static str,
}

/// One threat instance a pick acts on.
#[derive(Serialize)]
struct ThreatEntry<'a> {
    id: &'a str,
    threat: &'a str,
    title: &'a str,
    stride: &'static str,
    surface: &'static str,
    status: &'static str,
    before: &'static str,
    after: &'static str,
    before_score: u8,
    after_score: u8,
    /// The fix leaves this exposed instance with no failing check.
    closes: bool,
    still_failing: &'a [String],
}

#[derive(Serialize)]
struct ChangeEntry<'a> {
    kind: &'static str,
    summary: &'a str,
    commands: &'a [String],
    diff: Option<&'a str>,
    activation: Option<&'a str>,
    /// Whether `--apply` performs this change.
    applicable: bool,
    blocked: Option<&'a str>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct PickEntry<'a> {
    rank: usize,
    check: CheckRef,
    evidence: &'a str,
    surface: &'static str,
    score: u32,
    /// Ids of the threat instances the fix closes or lowers.
    threats: Vec<&'a str>,
    threat_instances: Vec<ThreatEntry<'a>>,
    risk: Risk,
    objects: Vec<&'a str>,
    change: ChangeEntry<'a>,
    side_effects: &'a [String],
    verification: &'a str,
    why: &'a str,
    /// The checks the change fixes (one for a single-check pick).
    clears: Vec<ClearEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bundle: Option<BundleEntry<'a>>,
    /// Attack paths the change breaks, per target kind: pairs no longer connected of all.
    breaks_paths: &'a [PathCount],
}

#[derive(Serialize)]
struct Other {
    id: &'static str,
    slug: &'static str,
    surface: &'static str,
    score: u32,
}

fn check_ref(p: &Pick, numbering: crate::checks::Benchmark) -> CheckRef {
    let (id, benchmark) = display_id(p.check, numbering);
    CheckRef {
        id,
        slug: p.check.slug,
        benchmark: benchmark.as_str(),
        title: p.check.title,
        severity: p.severity.as_str(),
        // Every edition's id, derived ones (v1.7.0, v1.8.0) included, as scan's JSON lists them.
        ids: p
            .check
            .all_ids()
            .into_iter()
            .map(|(b, id)| IdEntry {
                benchmark: b.as_str(),
                id,
            })
            .collect(),
    }
}

pub fn render(report: &Report) -> String {
    let facts = report.facts;
    let plan = report.plan;
    let doc = Document {
        schema: HARDEN_SCHEMA,
        tool: Tool {
            name: "threatbench",
            version: env!("CARGO_PKG_VERSION"),
        },
        target: Target {
            hostname: facts.host.hostname.as_deref(),
            root: &facts.host.root,
            collected_at: &facts.collected_at,
            docker_endpoint: facts
                .docker
                .seen()
                .map(|d| d.endpoint.as_str())
                .or(facts.scanner_env.docker_host.as_deref()),
        },
        numbering: report.numbering.as_str(),
        scoring: crate::harden::risk::SCORING,
        model_applied: plan.model_applied,
        candidates: plan.candidates,
        picks: plan
            .picks
            .iter()
            .map(|p| {
                let c = &p.proposal.change;
                let (before, after) = (p.risk.before(), p.risk.after());
                PickEntry {
                    rank: p.rank,
                    check: check_ref(p, report.numbering),
                    evidence: &p.evidence,
                    surface: p.surface.as_str(),
                    score: p.risk.score,
                    threats: p.risk.effects.iter().map(|e| e.instance.as_str()).collect(),
                    threat_instances: p
                        .risk
                        .effects
                        .iter()
                        .map(|e| ThreatEntry {
                            id: &e.instance,
                            threat: &e.threat,
                            title: &e.title,
                            stride: e.stride.as_str(),
                            surface: e.surface.as_str(),
                            status: e.status.as_str(),
                            before: e.before.level.as_str(),
                            after: e.after.level.as_str(),
                            before_score: e.before.score,
                            after_score: e.after.score,
                            closes: e.closes(),
                            still_failing: &e.still_failing,
                        })
                        .collect(),
                    risk: Risk {
                        before: before.map_or("none", |r| r.level.as_str()),
                        after: after.map_or("none", |r| r.level.as_str()),
                        before_score: before.map(|r| r.score),
                        after_score: after.map(|r| r.score),
                        basis: "worst current risk of the threat instances, now and once the check passes",
                    },
                    objects: p.objects.iter().map(|o| o.name.as_str()).collect(),
                    change: ChangeEntry {
                        kind: c.kind.as_str(),
                        summary: &c.summary,
                        commands: &c.commands,
                        diff: c.diff.as_deref(),
                        activation: c.activation.as_deref(),
                        applicable: c.blocked.is_none() && !c.actions.is_empty(),
                        blocked: c.blocked.as_deref(),
                        notes: &c.notes,
                    },
                    side_effects: &p.proposal.side_effects,
                    verification: &p.proposal.verification,
                    why: &p.why,
                    clears: p
                        .clears
                        .iter()
                        .map(|c| {
                            let (id, b) = display_id(c, report.numbering);
                            ClearEntry {
                                id,
                                slug: c.slug,
                                benchmark: b.as_str(),
                            }
                        })
                        .collect(),
                    bundle: p.bundle.as_ref().map(|b| BundleEntry {
                        container: &b.container,
                        element: &b.element,
                        summary: &b.summary,
                    }),
                    breaks_paths: &p.paths,
                }
            })
            .collect(),
        others: plan
            .others
            .iter()
            .map(|(c, s, score)| Other {
                id: c.id(),
                slug: c.slug,
                surface: s.as_str(),
                score: *score,
            })
            .collect(),
        notes: &plan.notes,
        applied: report.applied,
        recheck: report.rechecks,
    };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")) + "\n"
}
