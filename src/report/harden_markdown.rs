//! `harden --format markdown`: the "hardening analysis" section a person hands in: a summary
//! table, then for each pick the finding and its evidence, the attack surface and threat, the
//! exact change, its side effects, how it is verified, and why it was picked.

use std::fmt::Write;

use super::harden_text::other_ids;
use super::sanitize::terminal;
use crate::harden::Report;
use crate::harden::journal::Entry;
use crate::harden::plan::{Pick, display_id, is_check};

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
    surfaces(&mut out, report);
    selection(&mut out, report);
    if plan.picks.is_empty() {
        return out;
    }
    for p in &plan.picks {
        pick(&mut out, report, p);
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
        let threats: Vec<_> = report.rechecks.iter().flat_map(|r| &r.threats).collect();
        if !threats.is_empty() {
            let _ = writeln!(out, "\nThreats, re-assessed on the new facts:\n");
            let _ = writeln!(out, "| Threat instance | Before | After |");
            let _ = writeln!(out, "|---|---|---|");
            for t in threats {
                let after = match (t.status_after, t.risk_after) {
                    (Some(s), Some(l)) => format!("{} ({l})", s.as_str()),
                    _ => "gone".to_string(),
                };
                let _ = writeln!(
                    out,
                    "| {} | {} ({}) | {after} |",
                    code(&t.instance),
                    t.status_before.as_str(),
                    t.risk_before
                );
            }
        }
    }
    out
}

/// The attack surfaces the threat model found, and where the failed checks and picks fall.
fn surfaces(out: &mut String, report: &Report) {
    let _ = writeln!(out, "### Attack surfaces\n");
    let _ = writeln!(
        out,
        "Exposed threats of the STRIDE threat model (`threatbench threats`) by attack surface, with the failed checks whose fix acts mostly on each:\n"
    );
    let _ = writeln!(
        out,
        "| Attack surface | Exposed threats | Worst current risk | Failed checks | Picks |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    for s in &report.plan.surfaces {
        let picks: Vec<String> = s.picks.iter().map(|r| format!("#{r}")).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            s.surface.title(),
            s.exposed,
            s.worst.map_or("–", |l| l.as_str()),
            s.failed_checks,
            if picks.is_empty() {
                "–".to_string()
            } else {
                picks.join(", ")
            }
        );
    }
    out.push('\n');
}

/// How the picks were chosen, and the summary table.
fn selection(out: &mut String, report: &Report) {
    let plan = report.plan;
    let _ = writeln!(out, "### Findings selected for hardening\n");
    let _ = writeln!(
        out,
        "Of {} failed checks, {} are hardened first. Each failed check is scored by the {}. When scores are within 20%, a pick on an attack surface no earlier pick covers is preferred.{}\n",
        plan.candidates,
        plan.picks.len(),
        md(crate::harden::risk::SCORING),
        if plan.model_applied {
            " The decisions of the threat-model file apply."
        } else {
            ""
        }
    );
    if !plan.beyond.is_empty() {
        let beyond: Vec<String> = plan
            .picks
            .iter()
            .filter(|p| {
                p.clears
                    .iter()
                    .any(|c| !plan.beyond.iter().any(|t| is_check(t, c, report.numbering)))
            })
            .map(|p| {
                let ids: Vec<&str> = p
                    .clears
                    .iter()
                    .map(|c| display_id(c, report.numbering).0)
                    .collect();
                format!("#{} ({})", p.rank, ids.join(", "))
            })
            .collect();
        let _ = writeln!(
            out,
            "Picks beyond {} ({} numbering): {}.\n",
            md(&plan.beyond.join(", ")),
            report.numbering.title(),
            if beyond.is_empty() {
                "none (no other check failed)".to_string()
            } else {
                beyond.join(", ")
            }
        );
    }
    for n in &plan.notes {
        let _ = writeln!(out, "> **Note:** {}\n", md(n));
    }
    if plan.picks.is_empty() {
        let _ = writeln!(out, "No check failed: nothing to harden.");
        return;
    }
    let _ = writeln!(
        out,
        "| # | Finding | Attack surface | Threats | Risk before → after | Change | Score |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for p in &plan.picks {
        let (id, b) = display_id(p.check, report.numbering);
        let mut threats: Vec<&str> = Vec::new();
        for e in &p.risk.effects {
            if !threats.contains(&e.threat.as_str()) {
                threats.push(&e.threat);
            }
        }
        let finding = match &p.bundle {
            Some(bundle) => format!("{} ({})", md(&bundle.summary), md(&clears(p, report))),
            None => format!("{id}{} {}", md(&other_ids(p.check, b)), md(p.check.title)),
        };
        let _ = writeln!(
            out,
            "| {} | {finding} | {} | {} | {} | {} | {} |",
            p.rank,
            p.surface.title(),
            if threats.is_empty() {
                "–".to_string()
            } else {
                md(&threats.join(", "))
            },
            risk_change(p),
            p.proposal.change.kind.as_str(),
            p.risk.score
        );
    }
}

/// `5.5 container-privileged, 5.31 container-docker-socket-mount`.
fn clears(p: &Pick, report: &Report) -> String {
    p.clears
        .iter()
        .map(|c| format!("{} {}", display_id(c, report.numbering).0, c.slug))
        .collect::<Vec<_>>()
        .join(", ")
}

fn risk_change(p: &Pick) -> String {
    p.risk.risk_change().unwrap_or_else(|| "–".to_string())
}

/// One pick: the finding and its evidence, the surface and threats, the change, its side
/// effects, how it is verified, and why it was picked.
fn pick(out: &mut String, report: &Report, p: &Pick) {
    let (id, b) = display_id(p.check, report.numbering);
    let c = &p.proposal.change;
    match &p.bundle {
        Some(bundle) => {
            let _ = writeln!(out, "\n### {}. {}\n", p.rank, md(&bundle.summary));
            let _ = writeln!(
                out,
                "**Finding:** one re-create clears {} failed checks on container {} ({}): {}\n",
                p.clears.len(),
                code(&bundle.container),
                md(&clears(p, report)),
                md(&p.evidence)
            );
        }
        None => {
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
                "**Finding:** check {} (severity {}) fails: {}\n",
                code(p.check.slug),
                p.severity.as_str(),
                md(&p.evidence)
            );
        }
    }
    for o in &p.objects {
        let _ = writeln!(out, "- {}: {}", code(&o.name), md(&o.evidence));
    }
    if !p.objects.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "**Attack surface:** {}\n", p.surface.title());
    if let Some(paths) = crate::harden::plan::paths_reason(&p.paths) {
        let _ = writeln!(out, "**Attack paths:** {paths}.\n");
    }
    if p.risk.effects.is_empty() {
        let _ = writeln!(
            out,
            "**Threats:** no open threat instance of the model depends on this check here. {}\n",
            md(p.check.doc.why)
        );
    } else {
        let _ = writeln!(
            out,
            "**STRIDE threats it closes or lowers** (current risk removed: {}; worst risk {}):\n",
            p.risk.score,
            risk_change(p)
        );
        let _ = writeln!(
            out,
            "| Threat instance | STRIDE | Threat | Status now | Risk before → after |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|");
        for e in &p.risk.effects {
            let outcome = if e.closes() {
                ", closed".to_string()
            } else if e.still_failing.is_empty() {
                String::new()
            } else {
                format!(
                    "; still failing: {}",
                    e.still_failing
                        .iter()
                        .map(|s| code(s))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {}{outcome} |",
                code(&e.instance),
                e.stride.title(),
                md(&e.title),
                e.status.as_str(),
                e.risk_change()
            );
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "**Change** ({}): {}\n",
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
    if !c.notes.is_empty() {
        out.push('\n');
    }
    if let Some(a) = &c.activation {
        let _ = writeln!(out, "**Takes effect:** {}\n", md(a));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{self, Benchmark, Selection};
    use crate::harden::plan::{self, PlanOptions};
    use crate::threats::{assess_on, tests::fixture_facts};

    /// The analysis of the threat-model fixture host (a privileged container, one without a PIDs
    /// limit, dockerd on TCP without TLS, an insecure registry), in v1.3.1 numbering as the
    /// brief's exercise uses it.
    #[test]
    fn the_analysis_names_surfaces_threats_and_risk_per_pick() {
        let facts = fixture_facts();
        let results = checks::run(&facts, &Selection::default());
        let a = assess_on(&facts, &results, None, "2026-11-20".parse().unwrap());
        let opts = PlanOptions {
            at_least_one_beyond: vec!["5.10".into(), "5.14".into(), "5.22".into()],
            numbering: Benchmark::CisDocker131,
            ..Default::default()
        };
        let plan = plan::build(&facts, &results, &a, &opts);
        let text = render(&Report {
            facts: &facts,
            plan: &plan,
            numbering: Benchmark::CisDocker131,
            applied: None,
            rechecks: &[],
        });
        // The attack surfaces, with the picks placed on them.
        assert!(text.contains("### Attack surfaces"), "{text}");
        assert!(
            text.contains("| Docker registry | 7 | critical | 2 | #1 |"),
            "{text}"
        );
        assert!(text.contains("| Kubernetes node | 0 | – | 0 | – |"));
        assert!(
            text.contains(
                "Picks beyond 5.10, 5.14, 5.22 (CIS Docker Benchmark v1.3.1 numbering): #1 (2.5), #2 (5.4, 5.3, 5.17, 5.21, 5.25, 5.12), #3 (2.7)."
            ),
            "{text}"
        );
        // The re-create of priv is one pick clearing its six container checks, and says which
        // attack path it breaks.
        assert!(text.contains(
            "### 2. re-create `priv` without --privileged, the added capabilities, host devices and seccomp=unconfined, with no-new-privileges and a read-only root file system"
        ));
        assert!(
            text.contains("**Finding:** one re-create clears 6 failed checks on container `priv`")
        );
        assert!(text.contains("**Attack paths:** breaks 1 of 3 paths to host root."));
        // Each pick: the finding, the surface, its STRIDE threats with risk before → after.
        assert!(text.contains("### 3. "));
        assert!(text.contains("**Attack surface:** Docker client"));
        assert!(text.contains("| `DKR-T-04@flow:docker-client->dockerd` | Tampering | "));
        assert!(
            text.contains("| exposed | high → medium, closed |"),
            "{text}"
        );
        for part in [
            "**Finding:**",
            "**Change**",
            "**Verification:**",
            "**Why this pick:**",
        ] {
            assert_eq!(text.matches(part).count(), 3, "{part}");
        }
    }

    #[test]
    fn markdown_escapes_hostile_text() {
        assert_eq!(md("a|b *c* <x>\u{1b}"), "a\\|b \\*c\\* \\<x>\\\\u{1b}");
        assert_eq!(block("sh", "a\nb\u{1b}"), "```sh\na\nb\\u{1b}\n```\n");
        assert_eq!(code("na`me"), "`` na`me ``");
        assert!(block("sh", "echo ```x```").starts_with("````sh\n"));
    }
}
