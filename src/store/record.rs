//! What one scan leaves in the store: the whole report (the scan and threats JSON documents,
//! gzip-compressed) and rows SQL can query: the scan, each check's result, each object's
//! verdict, each threat instance's status and current risk. Built from the assessment the
//! report shows; nothing is judged here.

use std::io::Write as _;

use crate::report::{ScanReport, Summary};
use crate::threats::Status;

pub struct ScanRecord {
    /// The host as shown (its hostname).
    pub host: String,
    /// The host's identity: `hostname/machine-id`, else the hostname.
    pub host_key: String,
    /// When the facts were collected (RFC 3339).
    pub time: String,
    /// `scan`, `threats` or `report`.
    pub command: String,
    pub tool_version: String,
    /// The benchmark editions in use, comma-separated.
    pub editions: String,
    /// How the facts were read: `live`, `root`, `facts`, with `+cluster-dump`/`+kube-api`.
    pub target: String,
    pub summary: Summary,
    pub exposed: usize,
    pub unknown: usize,
    pub worst_risk: Option<String>,
    pub complete: bool,
    /// gzip of `{"scan": threatbench/scan/v1, "threats": threatbench/threats/v2}`.
    pub report: Vec<u8>,
    pub results: Vec<ResultRow>,
    pub objects: Vec<ObjectRow>,
    pub threats: Vec<ThreatRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow {
    pub check_id: String,
    pub slug: String,
    pub benchmark: String,
    pub verdict: String,
    pub severity: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ObjectRow {
    pub slug: String,
    pub kind: String,
    pub name: String,
    pub verdict: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ThreatRow {
    pub instance: String,
    pub threat: String,
    pub status: String,
    pub risk: String,
    pub score: i64,
}

/// `hostname/machine-id` when the host has a machine id, else the hostname: two hosts that
/// share a name stay apart, and a host keeps its history across scans.
pub fn host_key(facts: &crate::facts::Facts) -> String {
    let name = facts.host.hostname.as_deref().unwrap_or("(unknown host)");
    match &facts.host.machine_id {
        Some(id) => format!("{name}/{id}"),
        None => name.to_string(),
    }
}

impl ScanRecord {
    pub fn from_report(report: &ScanReport, command: &str, target: &str) -> std::io::Result<Self> {
        let facts = report.facts;
        let mut results = Vec::with_capacity(report.results.len());
        let mut objects = Vec::new();
        for r in &report.results {
            let (id, benchmark) = report.display_id(r);
            results.push(ResultRow {
                check_id: id.to_string(),
                slug: r.check.slug.to_string(),
                benchmark: benchmark.as_str().to_string(),
                verdict: r.outcome.verdict.as_str().to_string(),
                severity: r.severity().as_str().to_string(),
            });
            objects.extend(r.outcome.objects.iter().map(|o| ObjectRow {
                slug: r.check.slug.to_string(),
                kind: o.kind.to_string(),
                name: o.name.clone(),
                verdict: o.verdict.as_str().to_string(),
            }));
        }
        let mut threats = Vec::new();
        let (mut exposed, mut unknown, mut worst) = (0, 0, None);
        if let Some(a) = &report.threats {
            for i in &a.instances {
                match i.status {
                    Status::Exposed => {
                        exposed += 1;
                        worst = worst.max(Some(i.risk.current.level));
                    }
                    Status::Unknown => unknown += 1,
                    _ => {}
                }
                threats.push(ThreatRow {
                    instance: i.id.clone(),
                    threat: i.threat.id.clone(),
                    status: i.status.as_str().to_string(),
                    risk: i.risk.current.level.as_str().to_string(),
                    score: i64::from(i.risk.current.score),
                });
            }
        }
        Ok(ScanRecord {
            host: facts
                .host
                .hostname
                .clone()
                .unwrap_or_else(|| "(unknown host)".into()),
            host_key: host_key(facts),
            time: facts.collected_at.clone(),
            command: command.to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            editions: report
                .editions
                .choice
                .iter()
                .map(|c| c.edition.as_str())
                .collect::<Vec<_>>()
                .join(","),
            target: target.to_string(),
            summary: report.summary(),
            exposed,
            unknown,
            worst_risk: worst.map(|l| l.as_str().to_string()),
            complete: report.incomplete_reasons().is_empty(),
            report: compressed_report(report)?,
            results,
            objects,
            threats,
        })
    }
}

/// The scan and threats documents, as their commands write them, in one gzip stream.
fn compressed_report(report: &ScanReport) -> std::io::Result<Vec<u8>> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"{\"scan\":")?;
    gz.write_all(crate::report::json::render(report).trim_end().as_bytes())?;
    if let Some(a) = &report.threats {
        gz.write_all(b",\"threats\":")?;
        crate::report::threats_json::write(report, a, &mut gz, false)?;
    }
    gz.write_all(b"}")?;
    gz.finish()
}

/// The report a record holds, decompressed.
pub fn decompress(report: &[u8]) -> std::io::Result<String> {
    use std::io::Read as _;
    let mut text = String::new();
    flate2::read::GzDecoder::new(report).read_to_string(&mut text)?;
    Ok(text)
}
