//! Renderers of a [`LintReport`]: terminal table, `threatbench/lint/v1` JSON, SARIF 2.1.0 (for
//! GitHub code scanning and other SARIF consumers) and GitHub workflow commands. None of them
//! recomputes anything.

pub mod github;
pub mod json;
pub mod sarif;
pub mod table;

use serde::Serialize;

use crate::checks::Severity;
use crate::checks::rule::{self, Rule};
use crate::lint::LintReport;

/// Counts shown by every format.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct LintSummary {
    /// Files looked at (linted, skipped or failed), not counting those passed over by name.
    pub files: usize,
    pub linted: usize,
    /// Files skipped: by name in a directory walk, or as binary, too large, a template or of no
    /// known kind.
    pub skipped: usize,
    /// Files that could not be read or parsed.
    pub errors: usize,
    pub findings: usize,
    pub suppressed: usize,
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
}

pub fn summary(report: &LintReport) -> LintSummary {
    let mut s = LintSummary {
        files: report.files.len(),
        linted: report.linted(),
        skipped: report.skipped(),
        errors: report.errors().count(),
        findings: report.findings.len(),
        suppressed: report.suppressed.len(),
        ..Default::default()
    };
    for f in &report.findings {
        match f.severity {
            Severity::Critical => s.critical += 1,
            Severity::High => s.high += 1,
            Severity::Medium => s.medium += 1,
            Severity::Low => s.low += 1,
        }
    }
    s
}

/// The rules the findings (and suppressed findings) refer to, in first-seen order.
pub fn used_rules(report: &LintReport) -> Vec<Rule> {
    let mut out: Vec<Rule> = Vec::new();
    let slugs = report
        .findings
        .iter()
        .map(|f| f.slug)
        .chain(report.suppressed.iter().map(|s| s.finding.slug));
    for slug in slugs {
        if !out.iter().any(|r| r.slug == slug)
            && let Some(r) = rule::find(slug)
        {
            out.push(r);
        }
    }
    out
}
