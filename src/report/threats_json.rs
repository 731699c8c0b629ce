//! `threatbench threats --format json`: the public `threatbench/threats/v2` document. Fields may be
//! added, never renamed or removed within v2.
//!
//! v2 (from v1): what the catalogue says of a threat (title, scenario, ATT&CK, mitigation texts)
//! and which benchmark id a check slug has are written once, in `catalogue`, and each instance
//! names them by id; an instance's `mitigations` are the states of its threat's mitigations, in
//! catalogue order; `risk` holds the likelihood, impact, score and level (v1's `risk_detail`).
//! At 10,000 pods v1 repeated those texts in every instance, a third of a 50 MB document.

use std::collections::BTreeMap;

use std::io::Write as _;

use serde::Serialize;

use super::ScanReport;
use crate::threats::catalog::Threat;
use crate::threats::model::{AppliedDecision, LinkVerdict, MitigationState};
use crate::threats::paths::{AttackPath, BOUND, MAX_HOPS, PATHS_LIMIT, PathCount};
use crate::threats::{
    AbsentThreat, Assessment, CheckFix, MatrixCell, ModelNote, Risk, Status, Stride, Suppressed,
};

pub const THREATS_SCHEMA: &str = "threatbench/threats/v2";

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    tool: Tool,
    target: Target<'a>,
    attack_version: &'a str,
    model_applied: bool,
    today: &'a str,
    /// The benchmark editions whose ids name the linked checks, and why: `[{"edition", "reason"}]`.
    benchmark_choice: &'a [crate::checks::editions::Choice],
    complete: bool,
    incomplete: Vec<String>,
    summary: Summary,
    matrix: Vec<MatrixRow>,
    threats: Vec<Entry<'a>>,
    catalogue: Catalogue<'a>,
    absent: &'a [AbsentThreat],
    fix_first: Vec<CheckFix>,
    elements: &'a [crate::threats::Element],
    boundaries: &'a [crate::threats::elements::Boundary],
    suppressed: &'a [Suppressed],
    expired: &'a [ModelNote],
    orphaned: &'a [ModelNote],
    unavailable_checks: &'a [String],
    /// Attack paths, ranked, the first `paths_summary.limit` of them.
    paths: &'a [AttackPath],
    paths_summary: PathsSummary<'a>,
}

/// How many paths there are and how the list is bounded.
#[derive(Serialize)]
struct PathsSummary<'a> {
    /// Entry-target pairs connected (one shortest path each).
    total: usize,
    shown: usize,
    limit: usize,
    max_hops: usize,
    bound: &'static str,
    entries: usize,
    targets: usize,
    by_target: &'a [PathCount],
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

#[derive(Serialize, Default)]
struct Summary {
    instances: usize,
    exposed: usize,
    unknown: usize,
    mitigated: usize,
    accepted: usize,
    not_applicable: usize,
    absent: usize,
    suppressed: usize,
}

#[derive(Serialize)]
struct MatrixRow {
    component: &'static str,
    title: &'static str,
    cells: BTreeMap<&'static str, MatrixCell>,
}

#[derive(Serialize)]
struct RiskDetail {
    inherent: Risk,
    current: Risk,
    projected: Risk,
}

/// The threats that have an instance here, as `threats catalog` knows them, and the benchmark id
/// of every linked check slug.
#[derive(Serialize)]
struct Catalogue<'a> {
    threats: BTreeMap<&'a str, &'a Threat>,
    checks: BTreeMap<&'a str, CheckId<'a>>,
}

#[derive(Serialize)]
struct CheckId<'a> {
    /// The benchmark id (e.g. `2.7`); empty when the check is not in this build.
    id: &'a str,
    benchmark: &'a str,
}

/// A linked check's verdict here; its id and benchmark are in `catalogue.checks`.
#[derive(Serialize)]
struct LinkSeen<'a> {
    slug: &'a str,
    verdict: LinkVerdict,
    evidence: &'a str,
    /// Index of the mitigation (in the catalogue's threat) this link belongs to.
    mitigation: usize,
}

#[derive(Serialize)]
struct Entry<'a> {
    instance: &'a str,
    threat: &'a str,
    element: &'a str,
    element_label: &'a str,
    status: Status,
    computed_status: Status,
    risk: RiskDetail,
    why: &'a str,
    checks: Vec<LinkSeen<'a>>,
    failing_checks: Vec<&'a str>,
    /// The state of each of the threat's mitigations, in catalogue order.
    mitigations: Vec<MitigationState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<&'a AppliedDecision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    override_reason: Option<&'a str>,
}

fn catalogue(a: &Assessment) -> Catalogue<'_> {
    let mut threats = BTreeMap::new();
    let mut checks = BTreeMap::new();
    for i in &a.instances {
        threats.entry(i.threat.id.as_str()).or_insert(&i.threat);
        for c in &i.checks {
            checks.entry(c.slug.as_str()).or_insert(CheckId {
                id: &c.id,
                benchmark: &c.benchmark,
            });
        }
    }
    Catalogue { threats, checks }
}

fn paths_summary(a: &Assessment) -> PathsSummary<'_> {
    PathsSummary {
        total: a.paths.total,
        shown: a.paths.paths.len(),
        limit: PATHS_LIMIT,
        max_hops: MAX_HOPS,
        bound: BOUND,
        entries: a.paths.entries,
        targets: a.paths.targets,
        by_target: &a.paths.by_target,
    }
}

/// `threats --paths --format json`: the schema, the paths and how they are bounded.
pub fn paths_only(a: &Assessment) -> String {
    #[derive(Serialize)]
    struct PathsDocument<'a> {
        schema: &'static str,
        paths: &'a [AttackPath],
        paths_summary: PathsSummary<'a>,
    }
    let doc = PathsDocument {
        schema: THREATS_SCHEMA,
        paths: &a.paths.paths,
        paths_summary: paths_summary(a),
    };
    serde_json::to_string_pretty(&doc)
        .unwrap_or_else(|e| format!("{{\"schema\":\"{THREATS_SCHEMA}\",\"error\":\"{e}\"}}"))
        + "\n"
}

pub fn render(report: &ScanReport, a: &Assessment) -> String {
    let mut out = Vec::new();
    write(report, a, &mut out, true).expect("writing into memory");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// [`render`] written straight into `out`: at 10,000 pods the document is tens of megabytes,
/// which need not sit in memory as well as the assessment it shows. `pretty` indents it for a
/// person at a terminal; a file or a pipe gets it on one line, a third smaller (as `gh` does).
pub fn write(
    report: &ScanReport,
    a: &Assessment,
    out: &mut dyn std::io::Write,
    pretty: bool,
) -> std::io::Result<()> {
    let facts = report.facts;
    let incomplete = report.incomplete_reasons();
    let counts = a.status_counts();
    let get = |s: Status| counts.get(&s).copied().unwrap_or(0);
    let doc = Document {
        schema: THREATS_SCHEMA,
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
        attack_version: &a.attack_version,
        model_applied: a.model_applied,
        today: &a.today,
        benchmark_choice: &report.editions.choice,
        complete: incomplete.is_empty(),
        incomplete,
        summary: Summary {
            instances: a.instances.len(),
            exposed: get(Status::Exposed),
            unknown: get(Status::Unknown),
            mitigated: get(Status::Mitigated),
            accepted: get(Status::Accepted),
            not_applicable: get(Status::NotApplicable),
            absent: a.absent.len(),
            suppressed: a.suppressed.len(),
        },
        matrix: a
            .matrix()
            .into_iter()
            .map(|(surface, cells)| MatrixRow {
                component: surface.as_str(),
                title: surface.title(),
                cells: Stride::ALL
                    .iter()
                    .zip(cells)
                    .map(|(s, c)| (s.as_str(), c))
                    .collect(),
            })
            .collect(),
        threats: a
            .instances
            .iter()
            .map(|i| Entry {
                instance: &i.id,
                threat: &i.threat.id,
                element: &i.element,
                element_label: &i.element_label,
                status: i.status,
                computed_status: i.computed_status,
                risk: RiskDetail {
                    inherent: i.risk.inherent,
                    current: i.risk.current,
                    projected: i.risk.projected,
                },
                why: &i.why,
                checks: i
                    .checks
                    .iter()
                    .map(|c| LinkSeen {
                        slug: &c.slug,
                        verdict: c.verdict,
                        evidence: &c.evidence,
                        mitigation: c.mitigation,
                    })
                    .collect(),
                failing_checks: i.failing_checks(),
                mitigations: i.mitigations.iter().map(|m| m.state).collect(),
                decision: i.decision.as_ref(),
                override_reason: i.override_reason.as_deref(),
            })
            .collect(),
        catalogue: catalogue(a),
        absent: &a.absent,
        fix_first: a.fix_first(),
        elements: &a.system.elements,
        boundaries: &a.system.boundaries,
        suppressed: &a.suppressed,
        expired: &a.expired,
        orphaned: &a.orphaned,
        unavailable_checks: &a.unavailable_checks,
        paths: &a.paths.paths,
        paths_summary: paths_summary(a),
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    if pretty {
        serde_json::to_writer_pretty(&mut out, &doc)?;
    } else {
        serde_json::to_writer(&mut out, &doc)?;
    }
    out.write_all(b"\n")?;
    out.flush()
}
