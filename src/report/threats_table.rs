//! `threatbench threats` for a terminal: the component × STRIDE matrix, then the threat register
//! (most urgent first), the checks to fix first, and what the model could not see.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::ScanReport;
use super::sanitize::terminal;
use crate::threats::{Assessment, Instance, Level, Status, Stride};

fn status_style(s: Status) -> Style {
    let color = match s {
        Status::Exposed => AnsiColor::Red,
        Status::Unknown => AnsiColor::Magenta,
        Status::Mitigated => AnsiColor::Green,
        Status::Accepted => AnsiColor::Yellow,
        Status::NotApplicable => AnsiColor::BrightBlack,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

fn level_style(l: Level) -> Style {
    let color = match l {
        Level::Critical => AnsiColor::Red,
        Level::High => AnsiColor::Yellow,
        Level::Medium => AnsiColor::Blue,
        Level::Low => AnsiColor::BrightBlack,
    };
    Style::new().fg_color(Some(color.into()))
}

/// How much to show.
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreatTableOptions {
    /// List mitigated, accepted and not-applicable instances too, with every linked check.
    pub verbose: bool,
}

pub fn render(report: &ScanReport, a: &Assessment, opts: ThreatTableOptions) -> String {
    let mut out = String::new();
    let bold = Style::new().bold();
    let host = report
        .facts
        .host
        .hostname
        .as_deref()
        .unwrap_or("(unknown host)");
    let _ = writeln!(
        out,
        "{bold}threatbench threats{bold:#} of {}",
        terminal(host)
    );
    let _ = writeln!(
        out,
        "{} threats in the catalogue ({}); model file: {}",
        crate::threats::builtin().threats.len(),
        a.attack_version,
        if a.model_applied { "applied" } else { "none" }
    );
    super::table::write_edition_choices(&mut out, report);

    // Matrix.
    let _ = writeln!(
        out,
        "\n{bold}Attack surfaces × STRIDE{bold:#}  (open/total instances, worst current risk of the open ones)"
    );
    let _ = write!(out, "  {:<24}", "component");
    for s in Stride::ALL {
        let _ = write!(out, " {:<13}", s.letter());
    }
    let _ = writeln!(out);
    for (surface, cells) in a.matrix() {
        let _ = write!(out, "  {:<24}", surface.title());
        for cell in cells {
            let text = if cell.total == 0 {
                "·".to_string()
            } else {
                format!("{}/{}", cell.exposed + cell.unknown, cell.total)
            };
            match cell.worst_open {
                Some(level) => {
                    let st = level_style(level);
                    let _ = write!(out, " {:<5}{st}{:<8}{st:#}", text, level.as_str());
                }
                None => {
                    let _ = write!(out, " {:<13}", text);
                }
            }
        }
        let _ = writeln!(out);
    }

    // Register: grouped per threat, most urgent first; a threat open on many elements (a
    // cluster's workloads) shows its worst few and a count, `--verbose` every one.
    let _ = writeln!(out, "\n{bold}Threat register{bold:#} (most urgent first)");
    let mut hidden: BTreeMap<Status, usize> = BTreeMap::new();
    let mut groups: Vec<(&str, Vec<&Instance>)> = Vec::new();
    let mut group_of: HashMap<&str, usize> = HashMap::new();
    for inst in &a.instances {
        if !opts.verbose && !inst.is_open() {
            *hidden.entry(inst.status).or_default() += 1;
            continue;
        }
        let id = inst.threat.id.as_str();
        let g = *group_of.entry(id).or_insert_with(|| {
            groups.push((id, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(inst);
    }
    for (threat, instances) in &groups {
        if opts.verbose || instances.len() <= GROUP_SHOWN + 1 {
            for inst in instances {
                write_instance(&mut out, inst, opts);
            }
            continue;
        }
        let first = instances[0];
        let mut by_status: BTreeMap<Status, usize> = BTreeMap::new();
        for i in instances {
            *by_status.entry(i.status).or_default() += 1;
        }
        let counts: Vec<String> = by_status
            .iter()
            .map(|(s, n)| format!("{n} {}", s.as_str()))
            .collect();
        let _ = writeln!(
            out,
            "  {bold}{threat}{bold:#} {} — open on {} elements ({}); the worst {GROUP_SHOWN}:",
            first.threat.title,
            instances.len(),
            counts.join(", ")
        );
        for inst in instances.iter().take(GROUP_SHOWN) {
            write_instance(&mut out, inst, opts);
        }
        let _ = writeln!(
            out,
            "      … and {} more {threat} instances (--verbose lists them)",
            instances.len() - GROUP_SHOWN
        );
    }
    if !hidden.is_empty() {
        let parts: Vec<String> = hidden
            .iter()
            .map(|(s, n)| format!("{n} {}", s.as_str()))
            .collect();
        let _ = writeln!(out, "  (not shown: {}; use --verbose)", parts.join(", "));
    }

    super::threats_paths::table_section(&mut out, a);

    // Fix first.
    let fixes = a.fix_first();
    if !fixes.is_empty() {
        let _ = writeln!(
            out,
            "\n{bold}Fix first{bold:#} (failing checks by current risk removed)"
        );
        for (n, f) in fixes.iter().take(10).enumerate() {
            let _ = writeln!(
                out,
                "  {:>2}. {:<7} {:<36} removes {:>3} risk points across {} threat instance(s)",
                n + 1,
                f.id,
                f.slug,
                f.risk_removed,
                f.instances.len()
            );
        }
    }

    // Absent components.
    if !a.absent.is_empty() {
        let _ = writeln!(out, "\n{bold}Threats with no element here{bold:#}");
        let mut by_reason: BTreeMap<(Status, &str), Vec<&str>> = BTreeMap::new();
        for t in &a.absent {
            by_reason
                .entry((t.status, t.reason.as_str()))
                .or_default()
                .push(&t.threat);
        }
        for ((status, reason), ids) in by_reason {
            let _ = writeln!(
                out,
                "  {:<14} {} threat(s): {}",
                status.as_str(),
                ids.len(),
                terminal(reason)
            );
            if opts.verbose {
                let _ = writeln!(out, "                 {}", ids.join(", "));
            }
        }
    }

    for (title, notes) in [
        ("Expired decisions", &a.expired),
        ("Orphaned model-file entries", &a.orphaned),
    ] {
        if !notes.is_empty() {
            let _ = writeln!(out, "\n{bold}{title}{bold:#}");
            for n in notes {
                let _ = writeln!(out, "  {}: {}", terminal(&n.entry), terminal(&n.message));
            }
        }
    }
    if !a.suppressed.is_empty() {
        let _ = writeln!(
            out,
            "\n{} instance(s) suppressed by the model file",
            a.suppressed.len()
        );
    }

    let counts = a.status_counts();
    let get = |s: Status| counts.get(&s).copied().unwrap_or(0);
    let _ = writeln!(
        out,
        "\n{bold}Summary:{bold:#} {} threat instances: {} exposed, {} unknown, {} mitigated, {} accepted, {} not applicable; {} catalogue threats have no element here",
        a.instances.len(),
        get(Status::Exposed),
        get(Status::Unknown),
        get(Status::Mitigated),
        get(Status::Accepted),
        get(Status::NotApplicable),
        a.absent.len()
    );
    let reasons = report.incomplete_reasons();
    if !reasons.is_empty() {
        let _ = writeln!(out, "Scan incomplete:");
        for r in reasons {
            let _ = writeln!(out, "  - {}", terminal(&r));
        }
    }
    out
}

/// Instances of one threat shown before the rest are counted (unless `--verbose`).
const GROUP_SHOWN: usize = 3;

fn write_instance(out: &mut String, inst: &Instance, opts: ThreatTableOptions) {
    let s = status_style(inst.status);
    let cur = inst.risk.current.level;
    let cs = level_style(cur);
    let _ = writeln!(
        out,
        "  {s}{:<14}{s:#} {cs}{:<8}{cs:#} {} {}",
        inst.status.as_str().to_uppercase(),
        cur.as_str(),
        terminal(&inst.id),
        inst.threat.title
    );
    let _ = writeln!(
        out,
        "      risk: inherent {}, current {}, projected {} · {} · ATT&CK {}",
        inst.risk.inherent.level,
        inst.risk.current.level,
        inst.risk.projected.level,
        inst.threat.stride.title(),
        inst.threat.attack.join(" ")
    );
    let _ = writeln!(out, "      why: {}", terminal(&inst.why));
    let failing = inst.failing_links();
    if !failing.is_empty() {
        let labels: Vec<String> = failing.iter().map(|c| c.label()).collect();
        let _ = writeln!(out, "      fix: {}", labels.join(", "));
    }
    if let Some(d) = &inst.decision {
        let _ = writeln!(
            out,
            "      decision ({}): {}{}",
            d.source,
            terminal(&d.justification),
            d.expires
                .as_deref()
                .map(|e| format!(" (until {e})"))
                .unwrap_or_default()
        );
    }
    if opts.verbose {
        for c in &inst.checks {
            let _ = writeln!(out, "        {:<14} {}", c.verdict.as_str(), c.label());
        }
    }
}
