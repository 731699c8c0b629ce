//! What one scan leaves in the store: the whole report (the scan and threats JSON documents,
//! gzip-compressed) and rows SQL can query: the scan, each check's result, each object's
//! verdict, each threat instance's status and current risk. Built from the assessment the
//! report shows; nothing is judged here.

use std::io::Write as _;

use crate::report::{ScanReport, Summary};
use crate::threats::Status;

pub struct ScanRecord<'a> {
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
    /// The rows borrow their text from the report: a 100,000-pod scan has about a million
    /// object rows, which need not be copied before they are inserted.
    pub results: Vec<ResultRow<&'a str>>,
    pub objects: Vec<ObjectRow<&'a str>>,
    pub threats: Vec<ThreatRow<&'a str>>,
}

/// A check's result: `String`s when read back, `&str`s borrowed from a report when written.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow<S = String> {
    pub check_id: S,
    pub slug: S,
    pub benchmark: S,
    pub verdict: S,
    pub severity: S,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ObjectRow<S = String> {
    pub slug: S,
    pub kind: S,
    pub name: S,
    pub verdict: S,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ThreatRow<S = String> {
    pub instance: S,
    pub threat: S,
    pub status: S,
    pub risk: S,
    pub score: i64,
}

impl ResultRow<&str> {
    pub fn to_owned(&self) -> ResultRow {
        ResultRow {
            check_id: self.check_id.into(),
            slug: self.slug.into(),
            benchmark: self.benchmark.into(),
            verdict: self.verdict.into(),
            severity: self.severity.into(),
        }
    }
}

impl ObjectRow<&str> {
    pub fn to_owned(&self) -> ObjectRow {
        ObjectRow {
            slug: self.slug.into(),
            kind: self.kind.into(),
            name: self.name.into(),
            verdict: self.verdict.into(),
        }
    }
}

impl ThreatRow<&str> {
    pub fn to_owned(&self) -> ThreatRow {
        ThreatRow {
            instance: self.instance.into(),
            threat: self.threat.into(),
            status: self.status.into(),
            risk: self.risk.into(),
            score: self.score,
        }
    }
}

impl<'a> ScanRecord<'a> {
    pub fn from_report(
        report: &'a ScanReport,
        command: &str,
        target: &str,
    ) -> std::io::Result<Self> {
        let facts = report.facts;
        let mut results = Vec::with_capacity(report.results.len());
        let mut objects = Vec::new();
        for r in &report.results {
            let (id, benchmark) = report.display_id(r);
            results.push(ResultRow {
                check_id: id,
                slug: r.check.slug,
                benchmark: benchmark.as_str(),
                verdict: r.outcome.verdict.as_str(),
                severity: r.severity().as_str(),
            });
            objects.extend(r.outcome.objects.iter().map(|o| ObjectRow {
                slug: r.check.slug,
                kind: o.kind,
                name: o.name.as_str(),
                verdict: o.verdict.as_str(),
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
                    instance: i.id.as_str(),
                    threat: i.threat.id.as_str(),
                    status: i.status.as_str(),
                    risk: i.risk.current.level.as_str(),
                    score: i64::from(i.risk.current.score),
                });
            }
        }
        Ok(ScanRecord {
            host: facts.host.name().to_string(),
            host_key: facts.host.identity(),
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
    gz.write_all(b"{")?;
    crate::report::json::write_scan_and_threats(report, &mut gz)?;
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
