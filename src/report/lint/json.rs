//! `--format json`: the public `threatbench/lint/v1` document. Fields may be added, never renamed
//! or removed within v1.

use serde::Serialize;

use super::{LintSummary, summary};
use crate::checks::Severity;
use crate::checks::rule;
use crate::lint::{FileReport, LINT_SCHEMA, LintFinding, LintReport};

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    tool: Tool,
    /// False when some file could not be read or parsed.
    complete: bool,
    duration_ms: u128,
    files: &'a [FileReport],
    findings: Vec<Entry<'a>>,
    suppressed: Vec<Suppressed<'a>>,
    summary: LintSummary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Entry<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    slug: &'static str,
    /// Benchmark id (`4.1`), null for threatbench's own rules.
    id: Option<&'static str>,
    benchmark: &'static str,
    title: &'static str,
    severity: Severity,
    message: &'a str,
    fix: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<&'a str>,
    pointer: &'a str,
}

#[derive(Serialize)]
struct Suppressed<'a> {
    #[serde(flatten)]
    entry: Entry<'a>,
    reason: Option<&'a str>,
}

fn entry(f: &LintFinding) -> Entry<'_> {
    let meta = rule::find(f.slug);
    Entry {
        path: &f.path,
        line: f.line,
        column: f.column,
        slug: f.slug,
        id: f.id,
        benchmark: meta
            .map(|r| r.benchmark().as_str())
            .unwrap_or("threatbench"),
        title: meta.map(|r| r.title).unwrap_or(""),
        severity: f.severity,
        message: &f.message,
        fix: &f.fix,
        object: f.object.as_deref(),
        pointer: &f.pointer,
    }
}

/// The document as a value (also embedded as `lint` in the scan's JSON).
pub fn document(report: &LintReport, duration_ms: u128) -> serde_json::Value {
    let doc = Document {
        schema: LINT_SCHEMA,
        tool: Tool {
            name: "threatbench",
            version: env!("CARGO_PKG_VERSION"),
        },
        complete: report.is_complete(),
        duration_ms,
        files: &report.files,
        findings: report.findings.iter().map(entry).collect(),
        suppressed: report
            .suppressed
            .iter()
            .map(|s| Suppressed {
                entry: entry(&s.finding),
                reason: s.reason.as_deref(),
            })
            .collect(),
        summary: summary(report),
    };
    serde_json::to_value(&doc)
        .unwrap_or_else(|e| serde_json::json!({"schema": LINT_SCHEMA, "error": e.to_string()}))
}

pub fn render(report: &LintReport, duration_ms: u128) -> String {
    let mut text = serde_json::to_string_pretty(&document(report, duration_ms))
        .unwrap_or_else(|e| format!("{{\"schema\":\"{LINT_SCHEMA}\",\"error\":\"{e}\"}}"));
    text.push('\n');
    text
}
