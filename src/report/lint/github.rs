//! `--format github`: GitHub Actions workflow commands (`::error file=...,line=...::message`), so
//! findings show as annotations on the pull request without uploading SARIF.
//! Severity maps to the command: critical and high → error, medium → warning, low → notice.

use std::fmt::Write;

use super::summary;
use crate::checks::Severity;
use crate::lint::LintReport;

/// Escape the message part of a workflow command.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value of a workflow command.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &LintReport) -> String {
    let mut out = String::new();
    for f in report.errors() {
        let mut props = format!("file={}", property(&f.path));
        if let Some(l) = f.error_line {
            let _ = write!(props, ",line={l}");
        }
        if let Some(c) = f.error_column {
            let _ = write!(props, ",col={c}");
        }
        let _ = writeln!(
            out,
            "::error {props},title=threatbench%3A could not lint::{}",
            data(f.error.as_deref().unwrap_or(""))
        );
    }
    for f in &report.findings {
        let command = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low => "notice",
        };
        let title = match f.id {
            Some(id) => format!("{} ({id}, {})", f.slug, f.severity.as_str()),
            None => format!("{} ({})", f.slug, f.severity.as_str()),
        };
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},title={}::{}",
            property(&f.path),
            f.line,
            f.column,
            property(&title),
            data(&format!("{} Fix: {}", f.message, f.fix))
        );
    }
    let s = summary(report);
    let _ = writeln!(
        out,
        "threatbench lint: {} findings ({} critical, {} high, {} medium, {} low) in {} files; {} suppressed; {} skipped; {} errors",
        s.findings,
        s.critical,
        s.high,
        s.medium,
        s.low,
        s.linted,
        s.suppressed,
        s.skipped,
        s.errors
    );
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn hostile_text_cannot_start_a_new_command() {
        assert_eq!(
            super::data("a\n::set-env name=X::y%"),
            "a%0A::set-env name=X::y%25"
        );
        assert_eq!(super::property("a,b:c"), "a%2Cb%3Ac");
    }
}
