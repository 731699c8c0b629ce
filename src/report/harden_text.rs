//! The terminal rendering of a harden plan (and of an apply's re-check). Untrusted text goes
//! through the sanitiser; commands are already quoted so that control characters are escaped.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::sanitize::terminal;
use crate::checks::{Benchmark, Verdict};
use crate::harden::Report;
use crate::harden::journal::{Entry, Record};
use crate::harden::plan::display_id;
use crate::harden::recheck::Recheck;

fn verdict_style(v: Verdict) -> Style {
    let color = match v {
        Verdict::Pass => AnsiColor::Green,
        Verdict::Fail => AnsiColor::Red,
        Verdict::Error => AnsiColor::Magenta,
        _ => AnsiColor::Yellow,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

/// Ids of a check in the other editions, e.g. ` (v1.3.1: 5.28)`.
pub fn other_ids(check: &crate::checks::Check, shown: Benchmark) -> String {
    let others: Vec<String> = check
        .ids
        .iter()
        .filter(|(b, _)| *b != shown)
        .map(|(b, id)| {
            let edition = b.as_str().rsplit('-').next().unwrap_or("");
            format!("v{edition}: {id}")
        })
        .collect();
    if others.is_empty() {
        String::new()
    } else {
        format!(" ({})", others.join(", "))
    }
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let plan = report.plan;
    let host = report
        .facts
        .host
        .hostname
        .as_deref()
        .unwrap_or("(unknown host)");
    let _ = writeln!(
        out,
        "{bold}threatbench harden{bold:#} of {}",
        terminal(host)
    );
    if let Some(u) = report.facts.docker.as_result().err() {
        let _ = writeln!(
            out,
            "Docker: {} (container checks could not run)",
            terminal(&u.reason)
        );
    }
    let _ = writeln!(
        out,
        "{} failed check(s); {} pick(s), ranked by the current risk their fix removes from the threat model{}",
        plan.candidates,
        plan.picks.len(),
        if plan.model_applied {
            " (model file applied)"
        } else {
            ""
        }
    );
    for n in &plan.notes {
        let _ = writeln!(out, "{bold}note:{bold:#} {}", terminal(n));
    }
    for p in &plan.picks {
        let (id, b) = display_id(p.check, report.numbering);
        let _ = writeln!(out);
        let heading = match &p.bundle {
            Some(bundle) => terminal(&bundle.summary),
            None => format!("{id}{} {}", other_ids(p.check, b), p.check.title),
        };
        let _ = writeln!(
            out,
            "{bold}#{} {heading}{bold:#}  [{}] score {}",
            p.rank,
            p.surface.as_str(),
            p.risk.score
        );
        if let Some(bundle) = &p.bundle {
            let _ = writeln!(out, "  bundle:    {}", terminal(&bundle.summary));
            let clears: Vec<String> = p
                .clears
                .iter()
                .map(|c| format!("{} {}", display_id(c, report.numbering).0, c.slug))
                .collect();
            let _ = writeln!(out, "  clears:    {}", clears.join(", "));
        } else {
            let _ = writeln!(out, "  check:     {} ({})", p.check.slug, b.title());
        }
        if let Some(paths) = crate::harden::plan::paths_reason(&p.paths) {
            let _ = writeln!(out, "  paths:     {paths}");
        }
        let _ = writeln!(out, "  evidence:  {}", terminal(&p.evidence));
        for o in &p.objects {
            let _ = writeln!(
                out,
                "             {}: {}",
                terminal(&o.name),
                terminal(&o.evidence)
            );
        }
        if p.risk.effects.is_empty() {
            let _ = writeln!(
                out,
                "  threats:   none open in the model; {}",
                terminal(p.check.doc.why)
            );
        }
        for (n, e) in p.risk.effects.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {} {} [{}] {}{}",
                if n == 0 { "threats:  " } else { "          " },
                terminal(&e.instance),
                e.stride.as_str(),
                e.risk_change(),
                if e.closes() { " (closed)" } else { "" }
            );
        }
        if let Some(change) = p.risk.risk_change() {
            let _ = writeln!(out, "  risk:      {change} (worst of its threats)");
        }
        let c = &p.proposal.change;
        let _ = writeln!(
            out,
            "  change:    [{}] {}",
            c.kind.as_str(),
            terminal(&c.summary)
        );
        if let Some(b) = &c.blocked {
            let _ = writeln!(out, "  {bold}blocked:{bold:#}   {}", terminal(b));
        }
        for cmd in &c.commands {
            let _ = writeln!(out, "    $ {}", terminal(cmd));
        }
        if let Some(diff) = c.diff.as_deref().filter(|d| !d.is_empty()) {
            for line in diff.lines() {
                let _ = writeln!(out, "    {}", terminal(line));
            }
        }
        for n in &c.notes {
            let _ = writeln!(out, "    {dim}{}{dim:#}", terminal(n));
        }
        if let Some(a) = &c.activation {
            let _ = writeln!(out, "  effect:    {}", terminal(a));
        }
        for s in &p.proposal.side_effects {
            let _ = writeln!(out, "  side effect: {}", terminal(s));
        }
        let _ = writeln!(out, "  verify:    {}", terminal(&p.proposal.verification));
        let _ = writeln!(out, "  why:       {}", terminal(&p.why));
    }
    if plan.picks.is_empty() {
        let _ = writeln!(out, "\nNothing to harden: no check failed.");
    }
    if !plan.others.is_empty() {
        let rest: Vec<String> = plan
            .others
            .iter()
            .take(8)
            .map(|(c, _, s)| format!("{} ({s})", display_id(c, report.numbering).0))
            .collect();
        let more = plan.others.len().saturating_sub(8);
        let _ = writeln!(
            out,
            "\nNext failed checks: {}{}",
            rest.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
    if let Some(record) = report.applied {
        out.push_str(&render_record(record));
    }
    if !report.rechecks.is_empty() {
        out.push_str(&render_rechecks(report.rechecks));
    }
    out
}

/// What an apply or rollback did, entry by entry.
pub fn render_record(record: &Record) -> String {
    let mut out = String::new();
    let bold = Style::new().bold();
    let what = match record.kind {
        crate::harden::journal::RecordKind::Apply => "Applied",
        crate::harden::journal::RecordKind::Rollback => "Rolled back",
    };
    let _ = writeln!(out, "\n{bold}{what}{bold:#} (journal id {})", record.id);
    for e in &record.entries {
        let line = match e {
            Entry::File {
                path,
                content_changed,
                new_mode,
                new_uid,
                new_gid,
                old_mode,
                backup,
                ..
            } => {
                let mut parts = Vec::new();
                let rollback = record.kind == crate::harden::journal::RecordKind::Rollback;
                if *content_changed {
                    parts.push(match (rollback, backup) {
                        (false, Some(b)) => format!("content written (old bytes kept in {b})"),
                        (false, None) => "content written (new file)".into(),
                        (true, Some(b)) => format!("bytes restored from {b}"),
                        (true, None) => "removed (the apply created it)".into(),
                    });
                }
                if let (Some(o), Some(n)) = (old_mode, new_mode)
                    && !content_changed
                {
                    parts.push(format!("mode {o:04o} -> {n:04o}"));
                }
                if let (Some(u), Some(g)) = (new_uid, new_gid)
                    && !content_changed
                {
                    parts.push(format!("owner -> {u}:{g}"));
                }
                format!("{}: {}", terminal(path), parts.join(", "))
            }
            Entry::DockerUpdate { name, new, .. } => terminal(&new.command(name)),
            Entry::Daemon { action, .. } => format!("dockerd {action}"),
        };
        let _ = writeln!(out, "  [{}] {line}", terminal(e.outcome()));
    }
    out
}

pub fn render_rechecks(rechecks: &[Recheck]) -> String {
    let mut out = String::new();
    let bold = Style::new().bold();
    let _ = writeln!(out, "\n{bold}Re-check{bold:#} (facts collected again)");
    for r in rechecks {
        let (b, a) = (verdict_style(r.before), verdict_style(r.after));
        let _ = writeln!(
            out,
            "  {} {}: {b}{}{b:#} -> {a}{}{a:#}{}",
            r.id,
            r.slug,
            r.before.as_str(),
            r.after.as_str(),
            r.pending
                .as_deref()
                .map(|p| format!(" (pending: {p})"))
                .unwrap_or_default()
        );
        let _ = writeln!(out, "      now: {}", terminal(&r.evidence_after));
        for o in &r.objects {
            let after = o.after.map(|v| v.as_str()).unwrap_or("gone");
            let _ = writeln!(
                out,
                "      {}: {} -> {after}",
                terminal(&o.name),
                o.before.as_str()
            );
        }
        for t in &r.threats {
            let after = match (t.status_after, t.risk_after) {
                (Some(s), Some(l)) => format!("{} {l}", s.as_str()),
                _ => "gone".to_string(),
            };
            let _ = writeln!(
                out,
                "      threat {}: {} {} -> {after}",
                terminal(&t.instance),
                t.status_before.as_str(),
                t.risk_before
            );
        }
    }
    out
}
