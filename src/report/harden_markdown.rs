//! `harden --format markdown`: the "hardening analysis" section a person hands in: a summary
//! table, then for each pick the finding and its evidence, the attack surface and threat, the
//! exact change, its side effects, how it is verified, and why it was picked.

use std::fmt::Write;

use super::harden_text::other_ids;
use super::sanitize::terminal;
use crate::harden::Report;
use crate::harden::journal::Entry;
use crate::harden::plan::display_id;

/// Escape text for a Markdown paragraph or table cell (after removing control characters).
fn md(text: &str) -> String {
    let mut out = String::new();
    for c in terminal(text).chars() {
        if matches!(c, '\\' | '*' | '_' | '[' | ']' | '<' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Inline code that cannot be broken out of by backticks in the text.
fn code(text: &str) -> String {
    let text = terminal(text);
    let fence = if text.contains('`') { "`` " } else { "`" };
    let close = if text.contains('`') { " ``" } else { "`" };
    format!("{fence}{text}{close}")
}

/// A fenced block whose fence is longer than any backtick run in the text.
fn block(lang: &str, text: &str) -> String {
    let text: String = text.lines().map(|l| terminal(l) + "\n").collect();
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{lang}\n{}\n{fence}\n", text.trim_end_matches('\n'))
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let plan = report.plan;
    let facts = report.facts;
    let _ = writeln!(out, "## Hardening analysis\n");
    let docker = match facts.docker.as_result() {
        Ok(d) => format!(
            "Docker {} at {}",
            d.version.version.as_deref().unwrap_or("?"),
            code(&d.endpoint)
        ),
        Err(u) => format!("Docker not reachable ({})", md(&u.reason)),
    };
    let _ = writeln!(
        out,
        "Target: host {}, {docker}; facts collected {}.\n",
        code(facts.host.hostname.as_deref().unwrap_or("(unknown)")),
        md(&facts.collected_at)
    );
    let _ = writeln!(
        out,
        "Of {} failed checks, {} are hardened first. They are ranked by fix-first score ({}); when scores are within 20%, a pick on an attack surface no earlier pick covers is preferred.\n",
        plan.candidates,
        plan.picks.len(),
        md(crate::harden::risk::INTERIM_BASIS)
    );
    for n in &plan.notes {
        let _ = writeln!(out, "> **Note:** {}\n", md(n));
    }
    if plan.picks.is_empty() {
        let _ = writeln!(out, "No check failed: nothing to harden.");
        return out;
    }
    let _ = writeln!(
        out,
        "| # | Finding | Attack surface | Risk before → after | Change | Score |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for p in &plan.picks {
        let (id, b) = display_id(p.check, report.numbering);
        let _ = writeln!(
            out,
            "| {} | {id}{} {} | {} | {} → {} | {} | {:.2} |",
            p.rank,
            md(&other_ids(p.check, b)),
            md(p.check.title),
            p.surface.title(),
            p.risk.before.as_str(),
            p.risk.after.as_str(),
            p.proposal.change.kind.as_str(),
            p.risk.score
        );
    }
    for p in &plan.picks {
        let (id, b) = display_id(p.check, report.numbering);
        let c = &p.proposal.change;
        let _ = writeln!(
            out,
            "\n### {}. {} ({} {id}{})\n",
            p.rank,
            md(p.check.title),
            b.title(),
            md(&other_ids(p.check, b))
        );
        let _ = writeln!(
            out,
            "- **Check:** {} (severity {})",
            code(p.check.slug),
            p.check.severity.as_str()
        );
        let _ = writeln!(out, "- **Attack surface:** {}", p.surface.title());
        let threat = if p.risk.threats.is_empty() {
            md(p.check.doc.why)
        } else {
            p.risk
                .threats
                .iter()
                .map(|t| code(t))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(out, "- **Threat it closes:** {threat}");
        let _ = writeln!(
            out,
            "- **Risk:** {} → {}",
            p.risk.before.as_str(),
            p.risk.after.as_str()
        );
        let _ = writeln!(out, "- **Evidence now:** {}", md(&p.evidence));
        for o in &p.objects {
            let _ = writeln!(out, "  - {}: {}", code(&o.name), md(&o.evidence));
        }
        let _ = writeln!(
            out,
            "\n**Change** ({}): {}\n",
            c.kind.as_str(),
            md(&c.summary)
        );
        if let Some(b) = &c.blocked {
            let _ = writeln!(out, "> **Cannot be applied as is:** {}\n", md(b));
        }
        if !c.commands.is_empty() {
            out.push_str(&block("sh", &c.commands.join("\n")));
            out.push('\n');
        }
        if let Some(d) = c.diff.as_deref().filter(|d| !d.is_empty()) {
            let lang = if d.starts_with("---") { "diff" } else { "ini" };
            out.push_str(&block(lang, d));
            out.push('\n');
        }
        for n in &c.notes {
            let _ = writeln!(out, "- {}", md(n));
        }
        if let Some(a) = &c.activation {
            let _ = writeln!(out, "\n**Takes effect:** {}\n", md(a));
        }
        if !p.proposal.side_effects.is_empty() {
            let _ = writeln!(out, "**Side effects:**\n");
            for s in &p.proposal.side_effects {
                let _ = writeln!(out, "- {}", md(s));
            }
            out.push('\n');
        }
        let _ = writeln!(out, "**Verification:** {}\n", md(&p.proposal.verification));
        let _ = writeln!(out, "**Why this pick:** {}", md(&p.why));
    }
    if let Some(record) = report.applied {
        let _ = writeln!(out, "\n### Applied (journal id {})\n", code(&record.id));
        for e in &record.entries {
            let what = match e {
                Entry::File { path, .. } => code(path),
                Entry::DockerUpdate { name, new, .. } => code(&new.command(name)),
                Entry::Daemon { action, .. } => format!("dockerd {}", md(action)),
            };
            let _ = writeln!(out, "- {what}: {}", md(e.outcome()));
        }
    }
    if !report.rechecks.is_empty() {
        let _ = writeln!(out, "\n### Re-check after the change\n");
        let _ = writeln!(out, "| Check | Before | After | Evidence now |");
        let _ = writeln!(out, "|---|---|---|---|");
        for r in report.rechecks {
            let after = match &r.pending {
                Some(p) => format!("{} (pending: {})", r.after.as_str(), md(p)),
                None => r.after.as_str().to_string(),
            };
            let _ = writeln!(
                out,
                "| {} {} | {} | {after} | {} |",
                r.id,
                code(r.slug),
                r.before.as_str(),
                md(&r.evidence_after)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_hostile_text() {
        assert_eq!(md("a|b *c* <x>\u{1b}"), "a\\|b \\*c\\* \\<x>\\\\u{1b}");
        assert_eq!(block("sh", "a\nb\u{1b}"), "```sh\na\nb\\u{1b}\n```\n");
        assert_eq!(code("na`me"), "`` na`me ``");
        assert!(block("sh", "echo ```x```").starts_with("````sh\n"));
    }
}
