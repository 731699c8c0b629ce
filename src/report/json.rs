//! `--format json`: the public `threatbench/scan/v1` document. Fields may be added, never renamed
//! or removed within v1.

use serde::Serialize;

use super::{SCAN_SCHEMA, ScanReport, Summary};
use crate::checks::{Assessment, Level, ObjectOutcome, Severity, Verdict};

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    tool: Tool,
    target: Target<'a>,
    numbering: &'static str,
    /// The editions in use and why: `[{"edition", "reason"}]`.
    benchmark_choice: &'a [crate::checks::editions::Choice],
    complete: bool,
    incomplete: Vec<String>,
    duration_ms: u128,
    results: Vec<ResultEntry<'a>>,
    summary: Summary,
    /// `scan --path`: the threatbench/lint/v1 document of the project files.
    #[serde(skip_serializing_if = "Option::is_none")]
    lint: Option<serde_json::Value>,
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
    docker_api_version: Option<&'a str>,
    docker_version: Option<&'a str>,
    /// Kubernetes version (null when unknown) and where it was learnt.
    kubernetes_version: Option<&'a str>,
    kubernetes_version_source: Option<&'a str>,
    /// Kubernetes components found on the node.
    kubernetes_components: Vec<&'static str>,
}

#[derive(Serialize)]
struct ResultEntry<'a> {
    id: &'static str,
    slug: &'static str,
    benchmark: &'static str,
    title: &'static str,
    level: Level,
    assessment: Assessment,
    severity: Severity,
    component: &'static str,
    verdict: Verdict,
    evidence: &'a str,
    objects: &'a [ObjectOutcome],
    /// Ids of the same item in other benchmark editions.
    ids: Vec<IdEntry>,
    /// Threat instances (`THREAT@element`) this check leaves exposed by failing.
    threats: Vec<String>,
}

#[derive(Serialize)]
struct IdEntry {
    benchmark: &'static str,
    id: &'static str,
}

pub fn render(report: &ScanReport) -> String {
    let facts = report.facts;
    let docker = facts.docker.seen();
    let incomplete = report.incomplete_reasons();
    let doc = Document {
        schema: SCAN_SCHEMA,
        tool: Tool {
            name: "threatbench",
            version: env!("CARGO_PKG_VERSION"),
        },
        target: Target {
            hostname: facts.host.hostname.as_deref(),
            root: &facts.host.root,
            collected_at: &facts.collected_at,
            docker_endpoint: docker
                .map(|d| d.endpoint.as_str())
                .or(facts.scanner_env.docker_host.as_deref()),
            docker_api_version: docker.map(|d| d.api_version.as_str()),
            docker_version: docker.and_then(|d| d.version.version.as_deref()),
            kubernetes_version: facts.kube.version.version.as_deref(),
            kubernetes_version_source: (!facts.kube.version.source.is_empty())
                .then_some(facts.kube.version.source.as_str()),
            kubernetes_components: facts
                .kube
                .components
                .iter()
                .map(|c| c.kind.name())
                .collect(),
        },
        numbering: report.numbering.as_str(),
        benchmark_choice: &report.editions.choice,
        complete: incomplete.is_empty(),
        incomplete,
        duration_ms: report.duration_ms,
        results: report
            .results
            .iter()
            .map(|r| {
                let (id, benchmark) = report.display_id(r);
                ResultEntry {
                    id,
                    slug: r.check.slug,
                    benchmark: benchmark.as_str(),
                    title: r.check.title,
                    level: r.check.level,
                    assessment: crate::checks::editions::assessment_in(r.check, benchmark),
                    severity: r.severity(),
                    component: r.check.component.as_str(),
                    verdict: r.outcome.verdict,
                    evidence: &r.outcome.evidence,
                    objects: &r.outcome.objects,
                    ids: r
                        .check
                        .all_ids()
                        .into_iter()
                        .map(|(b, id)| IdEntry {
                            benchmark: b.as_str(),
                            id,
                        })
                        .collect(),
                    threats: report
                        .threats
                        .as_ref()
                        .map(|a| {
                            a.exposed_by(r.check.slug)
                                .into_iter()
                                .map(|i| i.id.clone())
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            })
            .collect(),
        summary: report.summary(),
        lint: report
            .lint
            .as_ref()
            .map(|l| super::lint::json::document(l, report.duration_ms)),
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_else(|e| {
        // Serialising plain data cannot fail; keep a valid document if it ever does.
        format!("{{\"schema\":\"{SCAN_SCHEMA}\",\"error\":\"{e}\"}}")
    });
    text.push('\n');
    text
}

/// `"scan": …, "threats": …` as members of an enclosing JSON object, each document exactly as
/// its command writes it: `report --format json` and the history store's records hold both.
pub fn write_scan_and_threats(
    report: &ScanReport,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    out.write_all(b"\"scan\":")?;
    out.write_all(render(report).trim_end().as_bytes())?;
    if let Some(a) = &report.threats {
        out.write_all(b",\"threats\":")?;
        super::threats_json::write(report, a, out, false)?;
    }
    Ok(())
}
