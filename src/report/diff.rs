//! `threatbench diff`: what changed between two recorded scans, as a table, the
//! `threatbench/diff/v1` JSON document, or Markdown for a ticket.

use std::fmt::Write as _;

use super::sanitize::terminal;
use super::threats_markdown::md;
use crate::store::diff::{Change, Diff, FindingChange};

pub fn json(d: &Diff) -> String {
    serde_json::to_string_pretty(d).unwrap_or_default() + "\n"
}

fn verdict(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("absent")
}

fn object(f: &FindingChange) -> String {
    f.object
        .as_ref()
        .map(|o| format!("{} {}", o.kind, o.name))
        .unwrap_or_else(|| "(check)".into())
}

fn counts(d: &Diff) -> [usize; 3] {
    [Change::New, Change::Fixed, Change::Changed]
        .map(|c| d.findings.iter().filter(|f| f.change == c).count())
}

pub fn table(d: &Diff) -> String {
    let mut out = String::new();
    let [new, fixed, changed] = counts(d);
    let _ = writeln!(
        out,
        "{}: scan {} ({}) → scan {} ({}): {new} new, {fixed} fixed, {changed} changed; {} threat instance(s) changed status",
        terminal(&d.new.host),
        d.old.id,
        d.old.time,
        d.new.id,
        d.new.time,
        d.threats.len()
    );
    for change in [Change::New, Change::Fixed, Change::Changed] {
        let list: Vec<&FindingChange> = d.findings.iter().filter(|f| f.change == change).collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{}:", change.as_str());
        for f in list {
            let _ = writeln!(
                out,
                "  {:<8} {:<40} {:<30} {} → {} ({})",
                f.id,
                f.slug,
                terminal(&object(f)),
                verdict(&f.from),
                verdict(&f.to),
                f.severity
            );
        }
    }
    if !d.threats.is_empty() {
        let _ = writeln!(out, "\nthreats:");
        for t in &d.threats {
            let _ = writeln!(
                out,
                "  {:<60} {} → {}",
                terminal(&t.instance),
                verdict(&t.from),
                verdict(&t.to)
            );
        }
    }
    out
}

pub fn markdown(d: &Diff) -> String {
    let mut out = String::new();
    let [new, fixed, changed] = counts(d);
    let _ = writeln!(
        out,
        "# Changes on {}\n\nScan {} ({}) → scan {} ({}): **{new} new**, {fixed} fixed, {changed} changed findings; {} threat instance(s) changed status.\n",
        md(&d.new.host),
        d.old.id,
        md(&d.old.time),
        d.new.id,
        md(&d.new.time),
        d.threats.len()
    );
    if !d.findings.is_empty() {
        let _ = writeln!(
            out,
            "| Change | Id | Check | Object | Before | Now | Severity |\n|---|---|---|---|---|---|---|"
        );
        for f in &d.findings {
            let _ = writeln!(
                out,
                "| {} | {} | `{}` | {} | {} | {} | {} |",
                f.change.as_str(),
                md(&f.id),
                f.slug,
                md(&object(f)),
                verdict(&f.from),
                verdict(&f.to),
                f.severity
            );
        }
    }
    if !d.threats.is_empty() {
        let _ = writeln!(out, "\n| Threat instance | Before | Now |\n|---|---|---|");
        for t in &d.threats {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                md(&t.instance),
                verdict(&t.from),
                verdict(&t.to)
            );
        }
    }
    out
}
