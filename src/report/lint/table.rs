//! The terminal report: one line per finding (`path:line:col SEVERITY slug (id) message`) with
//! its fix below, parse errors, and a summary. File contents are hostile: every text from a file
//! goes through [`terminal`].

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::summary;
use crate::checks::Severity;
use crate::lint::LintReport;
use crate::report::sanitize::terminal;

fn style(s: Severity) -> Style {
    let color = match s {
        Severity::Critical => AnsiColor::Magenta,
        Severity::High => AnsiColor::Red,
        Severity::Medium => AnsiColor::Yellow,
        Severity::Low => AnsiColor::Blue,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// List skipped files with their reasons, and suppressed findings.
    pub verbose: bool,
}

pub fn render(report: &LintReport, opts: Options) -> String {
    let mut out = String::new();
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    for f in report.errors() {
        let pos = match (f.error_line, f.error_column) {
            (Some(l), Some(c)) => format!(":{l}:{c}"),
            (Some(l), None) => format!(":{l}"),
            _ => String::new(),
        };
        let e = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
        let _ = writeln!(
            out,
            "{}{pos}: {e}error{e:#}: could not lint: {}",
            terminal(&f.path),
            terminal(f.error.as_deref().unwrap_or(""))
        );
    }
    for f in &report.findings {
        let s = style(f.severity);
        let id = f.id.map(|i| format!(" ({i})")).unwrap_or_default();
        let object = f
            .object
            .as_deref()
            .map(|o| format!("{}: ", terminal(o)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{bold}{}:{}:{}{bold:#} {s}{:<8}{s:#} {}{id} {object}{}",
            terminal(&f.path),
            f.line,
            f.column,
            f.severity.as_str().to_uppercase(),
            f.slug,
            terminal(&f.message)
        );
        let _ = writeln!(out, "    {dim}fix: {}{dim:#}", terminal(&f.fix));
    }
    if opts.verbose {
        for s in &report.suppressed {
            let f = &s.finding;
            let _ = writeln!(
                out,
                "{dim}{}:{}:{} suppressed {} -- {}{dim:#}",
                terminal(&f.path),
                f.line,
                f.column,
                f.slug,
                terminal(s.reason.as_deref().unwrap_or("(no reason)"))
            );
        }
        for f in report.files.iter().filter(|f| f.skipped.is_some()) {
            let _ = writeln!(
                out,
                "{dim}{}: skipped: {}{dim:#}",
                terminal(&f.path),
                terminal(f.skipped.as_deref().unwrap_or(""))
            );
        }
    }
    let s = summary(report);
    // Files passed over are listed only with --verbose: say so where they are counted.
    let listed_with_verbose = if !opts.verbose && report.files.iter().any(|f| f.skipped.is_some()) {
        " (--verbose lists them)"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "\n{bold}{} findings{bold:#} ({} critical, {} high, {} medium, {} low) in {} linted files; {} suppressed, {} skipped{listed_with_verbose}, {} could not be linted",
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
