//! `threatbench threats --format json`: the public `threatbench/threats/v1` document. Fields may be
//! added, never renamed or removed within v1.

use std::collections::BTreeMap;

use std::io::Write as _;

use serde::Serialize;

use super::ScanReport;
use crate::threats::model::{AppliedDecision, CheckLink, MitigationStatus};
use crate::threats::paths::{AttackPath, BOUND, MAX_HOPS, PATHS_LIMIT, PathCount};
use crate::threats::{
    AbsentThreat, Assessment, CheckFix, Level, MatrixCell, ModelNote, Risk, Status, Stride,
    Suppressed,
};

pub const THREATS_SCHEMA: &str = "threatbench/threats/v1";

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
struct RiskLevels {
    inherent: Level,
    current: Level,
    projected: Level,
}

#[derive(Serialize)]
struct RiskDetail {
    inherent: Risk,
    current: Risk,
    projected: Risk,
}

#[derive(Serialize)]
struct Entry<'a> {
    instance: &'a str,
    threat: &'a str,
    element: &'a str,
    element_label: &'a str,
    component: &'static str,
    stride: Stride,
    title: &'a str,
    scenario: &'a str,
    status: Status,
    computed_status: Status,
    risk: RiskLevels,
    risk_detail: RiskDetail,
    why: &'a str,
    checks: &'a [CheckLink],
    failing_checks: Vec<&'a str>,
    mitigations: &'a [MitigationStatus],
    attack: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<&'a AppliedDecision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    override_reason: Option<&'a str>,
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
                component: i.threat.component.as_str(),
                stride: i.threat.stride,
                title: &i.threat.title,
                scenario: &i.threat.scenario,
                status: i.status,
                computed_status: i.computed_status,
                risk: RiskLevels {
                    inherent: i.risk.inherent.level,
                    current: i.risk.current.level,
                    projected: i.risk.projected.level,
                },
                risk_detail: RiskDetail {
                    inherent: i.risk.inherent,
                    current: i.risk.current,
                    projected: i.risk.projected,
                },
                why: &i.why,
                checks: &i.checks,
                failing_checks: i.failing_checks(),
                mitigations: &i.mitigations,
                attack: &i.threat.attack,
                decision: i.decision.as_ref(),
                override_reason: i.override_reason.as_deref(),
            })
            .collect(),
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
