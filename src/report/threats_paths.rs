//! Attack paths as people read them: a short list in the threat table, every listed path hop by
//! hop with its evidence for `threats --paths`, and Mermaid chains for the threat-model document.
//! All of it reads `Assessment::paths`; nothing is recomputed here.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::sanitize::terminal;
use super::threats_markdown::{md, mermaid_label};
use crate::threats::paths::{AttackPath, AttackPaths, BOUND, Hop};
use crate::threats::{Assessment, Level};

/// Paths the threat table and the document show.
pub const TOP_PATHS: usize = 10;

fn level_style(l: Level) -> Style {
    let color = match l {
        Level::Critical => AnsiColor::Red,
        Level::High => AnsiColor::Yellow,
        Level::Medium => AnsiColor::Blue,
        Level::Low => AnsiColor::BrightBlack,
    };
    Style::new().fg_color(Some(color.into()))
}

/// An id in a code span inside a table cell.
fn code(text: &str) -> String {
    format!("`{}`", terminal(text).replace('`', "'").replace('|', "\\|"))
}

/// `DKR-E-08` for a hop carried by an instance, `by design` for the others.
fn via(h: &Hop) -> String {
    h.threat.clone().unwrap_or_else(|| "by design".into())
}

/// `container:proxy =[DKR-E-08]=> process:dockerd =[DKR-E-03]=> process:host`.
pub fn chain(p: &AttackPath) -> String {
    let mut out = p.entry.clone();
    for h in &p.hops {
        let _ = write!(out, " =[{}]=> {}", via(h), h.to);
    }
    out
}

fn counts(paths: &AttackPaths) -> String {
    let by: Vec<String> = paths
        .by_target
        .iter()
        .map(|c| format!("{} to {}", c.total, c.target.title()))
        .collect();
    if by.is_empty() {
        "none".into()
    } else {
        by.join(", ")
    }
}

/// The table's section: the top paths, one line each.
pub fn table_section(out: &mut String, a: &Assessment) {
    let bold = Style::new().bold();
    let paths = &a.paths;
    let _ = writeln!(
        out,
        "\n{bold}Attack paths{bold:#} ({} entry-target pairs: {}; shortest each, most risk first; `threats --paths` shows each hop's evidence)",
        paths.total,
        counts(paths)
    );
    if paths.paths.is_empty() {
        let _ = writeln!(
            out,
            "  none: no exposed threat links an entry point to the host, dockerd or the cluster"
        );
        return;
    }
    for p in paths.paths.iter().take(TOP_PATHS) {
        let st = level_style(p.risk.level);
        let _ = writeln!(
            out,
            "  {st}{:<8}{st:#} {} -> {} ({} hop{})",
            p.risk.level.as_str(),
            terminal(&p.entry_label),
            p.target_label,
            p.hops.len(),
            if p.hops.len() == 1 { "" } else { "s" }
        );
        let _ = writeln!(out, "      {}", terminal(&chain(p)));
    }
    if paths.total > TOP_PATHS {
        let _ = writeln!(
            out,
            "  ({} more; `threats --paths` lists {})",
            paths.total - TOP_PATHS,
            paths.paths.len()
        );
    }
}

/// `threats --paths`: each listed path, hop by hop, with the evidence to verify it.
pub fn full(a: &Assessment) -> String {
    let mut out = String::new();
    let bold = Style::new().bold();
    let paths = &a.paths;
    let _ = writeln!(
        out,
        "{bold}Attack paths{bold:#}: {} entry-target pairs ({}) from {} entry points to {} targets",
        paths.total,
        counts(paths),
        paths.entries,
        paths.targets
    );
    let _ = writeln!(out, "Bound: {BOUND}.");
    if paths.paths.is_empty() {
        let _ = writeln!(
            out,
            "\nNo path: no exposed threat links an entry point to the host, dockerd or the cluster."
        );
        return out;
    }
    for (n, p) in paths.paths.iter().enumerate() {
        let st = level_style(p.risk.level);
        let _ = writeln!(
            out,
            "\n{bold}{}. {}{bold:#}  risk {st}{}{st:#} ({} x {} = {})",
            n + 1,
            terminal(&p.id),
            p.risk.level.as_str(),
            p.risk.likelihood.as_str(),
            p.risk.impact.as_str(),
            p.risk.score
        );
        let _ = writeln!(
            out,
            "   entry: {}: {}",
            terminal(&p.entry_label),
            terminal(&p.entry_reason)
        );
        let _ = writeln!(
            out,
            "   target: {} ({})",
            p.target_label,
            p.target_kind.title()
        );
        for (k, h) in p.hops.iter().enumerate() {
            let _ = writeln!(
                out,
                "   {}) {} -> {}  [{}]",
                k + 1,
                terminal(&h.from),
                terminal(&h.to),
                h.instance
                    .as_deref()
                    .map_or_else(|| "by design".into(), terminal)
            );
            if !h.checks.is_empty() {
                let checks: Vec<String> = h
                    .checks
                    .iter()
                    .map(|c| {
                        let id = if c.id.is_empty() { &c.slug } else { &c.id };
                        format!("{id} {} {}", c.slug, c.verdict.as_str())
                    })
                    .collect();
                let _ = writeln!(out, "      checks: {}", checks.join(", "));
            }
            let _ = writeln!(out, "      evidence: {}", terminal(&h.evidence));
        }
    }
    if paths.total > paths.paths.len() {
        let _ = writeln!(
            out,
            "\n({} more pairs are counted but not listed)",
            paths.total - paths.paths.len()
        );
    }
    out
}

/// The document's section: each top path as a Mermaid chain and its hops in a table.
pub fn markdown_section(out: &mut String, a: &Assessment) {
    let paths = &a.paths;
    let _ = writeln!(out, "\n### Attack paths\n");
    let _ = writeln!(
        out,
        "{} entry-target pairs are connected ({}). Bound: {BOUND}; this document shows the first {}.",
        paths.total,
        md(&counts(paths)),
        TOP_PATHS.min(paths.paths.len())
    );
    if paths.paths.is_empty() {
        let _ = writeln!(
            out,
            "\nNo exposed threat links an entry point to the host, dockerd or the cluster."
        );
        return;
    }
    for (n, p) in paths.paths.iter().take(TOP_PATHS).enumerate() {
        let _ = writeln!(
            out,
            "\n#### Path {}: {} → {} ({} risk)\n",
            n + 1,
            md(&p.entry_label),
            md(&p.target_label),
            p.risk.level.as_str()
        );
        let _ = writeln!(out, "Entry: {}.\n", md(&p.entry_reason));
        let _ = writeln!(out, "```mermaid\nflowchart LR");
        let _ = writeln!(out, "  n0[\"{}\"]", mermaid_label(&p.entry_label));
        for (k, h) in p.hops.iter().enumerate() {
            let label = if k + 1 == p.hops.len() {
                p.target_label.clone()
            } else {
                a.paths.label(&h.to).to_string()
            };
            let _ = writeln!(
                out,
                "  n{k} -->|\"{}\"| n{}[\"{}\"]",
                mermaid_label(&via(h)),
                k + 1,
                mermaid_label(&label)
            );
        }
        let _ = writeln!(out, "```\n");
        let _ = writeln!(out, "| # | hop | threat instance | checks | evidence |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for (k, h) in p.hops.iter().enumerate() {
            let checks: Vec<String> = h
                .checks
                .iter()
                .map(|c| format!("{} {}", md(&c.slug), c.verdict.as_str()))
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} → {} | {} | {} | {} |",
                k + 1,
                code(&h.from),
                code(&h.to),
                h.instance
                    .as_deref()
                    .map_or_else(|| "by design".to_string(), code),
                checks.join(", "),
                md(&h.evidence)
            );
        }
    }
}

/// `threats --paths` in the chosen format: the paths alone.
pub fn only(format: crate::cli::threats::Format, a: &Assessment) -> String {
    use crate::cli::threats::Format;
    match format {
        Format::Table => full(a),
        Format::Markdown => {
            let mut out = String::from("# Attack paths\n");
            markdown_section(&mut out, a);
            out
        }
        Format::Json => super::threats_json::paths_only(a),
        // SARIF has no shape for a chain of hops: the instances the paths are made of.
        Format::Sarif => super::threats_sarif::render(a),
    }
}
