//! The terminal report: results grouped by benchmark section, evidence under each non-passing
//! check, failing objects named, and a summary line. Colour is stripped by anstream when the
//! output is not a terminal or NO_COLOR is set.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::sanitize::terminal;
use super::{ScanReport, section_title};
use crate::checks::Verdict;

/// How much to show.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions {
    /// Show evidence for passing checks and every object, not only the failing ones.
    pub verbose: bool,
    /// Only the header and the summary (`--quiet`).
    pub quiet: bool,
}

fn style(v: Verdict) -> Style {
    let color = match v {
        Verdict::Pass => AnsiColor::Green,
        Verdict::Fail => AnsiColor::Red,
        Verdict::Warn => AnsiColor::Yellow,
        Verdict::Info => AnsiColor::Blue,
        Verdict::Skip => AnsiColor::BrightBlack,
        Verdict::Error => AnsiColor::Magenta,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

/// Render with ANSI styles; the caller's anstream writer strips them where not wanted.
pub fn render(report: &ScanReport, opts: TableOptions) -> String {
    let mut out = String::new();
    let facts = report.facts;
    let bold = Style::new().bold();
    let host = facts.host.hostname.as_deref().unwrap_or("(unknown host)");
    let _ = writeln!(out, "{bold}threatbench scan{bold:#} of {}", terminal(host));
    match facts.docker.as_result() {
        Ok(d) => {
            let _ = writeln!(
                out,
                "Docker {} (API {}) at {}",
                d.version.version.as_deref().unwrap_or("?"),
                d.api_version,
                terminal(&d.endpoint)
            );
        }
        Err(u) => {
            let _ = writeln!(out, "Docker: {}", terminal(&u.reason));
        }
    }
    if facts.host.root != "/" {
        let _ = writeln!(out, "Host root: {}", terminal(&facts.host.root));
    }
    if facts.kube.any_component() || facts.kube.cluster.is_some() {
        let kube = &facts.kube;
        let names: Vec<&str> = kube.components.iter().map(|c| c.kind.name()).collect();
        let _ = writeln!(
            out,
            "Kubernetes {} ({}); on this node: {}",
            kube.version.version.as_deref().unwrap_or("version unknown"),
            terminal(&kube.version.source),
            if names.is_empty() {
                "no component".to_string()
            } else {
                names.join(", ")
            }
        );
    }
    write_edition_choices(&mut out, report);

    // A benchmark whose checks all skip (no Kubernetes on this host) is one block: its reasons,
    // not a hundred SKIP lines; --verbose lists them.
    let mut all_skip: std::collections::BTreeMap<crate::checks::Benchmark, bool> =
        std::collections::BTreeMap::new();
    // `--quiet`: no check lines and no answer block, only the counts below.
    let results: &[crate::checks::CheckResult] = if opts.quiet { &[] } else { &report.results };
    for r in results {
        let entry = all_skip.entry(report.display_id(r).1).or_insert(true);
        *entry &= r.outcome.verdict == Verdict::Skip;
    }
    let docker_reason = facts.docker.as_result().err().map(|u| u.reason.as_str());
    let mut walk = super::SectionWalk::default();
    let mut collapsed: Option<crate::checks::Benchmark> = None;
    for r in results {
        let (id, benchmark) = report.display_id(r);
        if !opts.verbose && all_skip.get(&benchmark) == Some(&true) {
            if collapsed != Some(benchmark) {
                collapsed = Some(benchmark);
                walk.reset();
                out.push_str(&skipped_benchmark(report, benchmark));
            }
            continue;
        }
        let section = super::section_of(id);
        let opens = walk.step(benchmark, section);
        if matches!(opens, super::Opens::Benchmark) {
            let _ = writeln!(out, "\n{bold}{}{bold:#}", benchmark.title());
        }
        if !matches!(opens, super::Opens::Nothing) {
            let _ = writeln!(
                out,
                "\n{bold}{section} {}{bold:#}",
                section_title(benchmark, section)
            );
        }
        let v = r.outcome.verdict;
        let s = style(v);
        let _ = writeln!(
            out,
            "  {s}{:<5}{s:#} {:<7} {} ({})",
            v.as_str().to_uppercase(),
            id,
            r.check.title,
            r.check.slug
        );
        if v != Verdict::Pass || opts.verbose {
            // The Docker line at the top gives the reason once; the JSON keeps it per check.
            let evidence = if docker_reason == Some(r.outcome.evidence.as_str()) {
                "Docker API not reachable (the reason is on the Docker line at the top)"
            } else {
                r.outcome.evidence.as_str()
            };
            let _ = writeln!(out, "        {}", terminal(evidence));
        }
        if let Some(line) = exposed_line(report, r.check.slug).filter(|_| v == Verdict::Fail) {
            let _ = writeln!(out, "        {line}");
        }
        for o in &r.outcome.objects {
            let show =
                opts.verbose || matches!(o.verdict, Verdict::Fail | Verdict::Error | Verdict::Warn);
            if show && (o.verdict == v || opts.verbose) {
                let so = style(o.verdict);
                let _ = writeln!(
                    out,
                    "          {so}-{so:#} {} {}{}: {}",
                    o.kind,
                    terminal(&o.name),
                    o.id.as_deref()
                        .map(|i| format!(" ({i})"))
                        .unwrap_or_default(),
                    terminal(&o.evidence)
                );
            }
        }
    }
    let s = report.summary();
    let _ = writeln!(
        out,
        "\n{bold}Summary:{bold:#} {} checks: {} pass, {} fail, {} warn, {} info, {} skip, {} error",
        report.results.len(),
        s.pass,
        s.fail,
        s.warn,
        s.info,
        s.skip,
        s.error
    );
    if !opts.quiet {
        write_answer(&mut out, report);
    }
    if let Some(lint) = &report.lint {
        let _ = writeln!(out, "\n{bold}Project files (threatbench lint){bold:#}");
        out.push_str(&super::lint::table::render(
            lint,
            super::lint::table::Options {
                verbose: opts.verbose,
            },
        ));
    }
    let reasons = report.incomplete_reasons();
    if !reasons.is_empty() {
        let _ = writeln!(
            out,
            "{}Scan incomplete:{:#}",
            style(Verdict::Error),
            style(Verdict::Error)
        );
        for r in reasons {
            let _ = writeln!(out, "  - {}", terminal(&r));
        }
        if let Some(hint) = docker_unreachable_hint(report) {
            let _ = writeln!(out, "  {hint}");
        }
    }
    out
}

/// `CIS Kubernetes Benchmark v1.12: all 110 checks skip` and each reason with its count.
fn skipped_benchmark(report: &ScanReport, benchmark: crate::checks::Benchmark) -> String {
    let bold = Style::new().bold();
    let s = style(Verdict::Skip);
    let mut reasons: Vec<(&str, usize)> = Vec::new();
    let mut total = 0;
    for r in report
        .results
        .iter()
        .filter(|r| report.display_id(r).1 == benchmark)
    {
        total += 1;
        match reasons.iter_mut().find(|(e, _)| *e == r.outcome.evidence) {
            Some((_, n)) => *n += 1,
            None => reasons.push((&r.outcome.evidence, 1)),
        }
    }
    let title = match benchmark {
        crate::checks::Benchmark::Threatbench => "threatbench's own checks",
        b => b.title(),
    };
    let mut out = format!(
        "\n{bold}{title}{bold:#}\n  {s}SKIP{s:#}  all {total} checks (--verbose lists them):\n"
    );
    for (reason, n) in reasons {
        let _ = writeln!(out, "        {n} × {}", terminal(reason));
    }
    out
}

/// What to do when the Docker checks could not reach a daemon: the report is still useful (host
/// files, Kubernetes), but most Docker items are `error` until the API is reachable.
fn docker_unreachable_hint(report: &ScanReport) -> Option<&'static str> {
    let u = report.facts.docker.as_result().err()?;
    let docker_errors = report.results.iter().any(|r| {
        r.outcome.verdict == Verdict::Error
            && (r
                .check
                .id_in(crate::checks::Benchmark::CisDocker160)
                .is_some()
                || r.check
                    .id_in(crate::checks::Benchmark::CisDocker131)
                    .is_some())
    });
    (u.kind == crate::facts::UnavailableKind::Unreachable && docker_errors).then_some(
        "Docker API items need the daemon: start dockerd, point --docker-host (or DOCKER_HOST) at its socket, \
         run as root or a member of its group, or scan a bundle from that host (`threatbench collect -o facts.json` there, then `threatbench scan --facts facts.json`)",
    )
}

/// `threats exposed: A, B (+3 more)` for a failed check, when the threat model was assessed.
fn exposed_line(report: &ScanReport, slug: &str) -> Option<String> {
    let exposed = report.threats.as_ref()?.exposed_by(slug);
    if exposed.is_empty() {
        return None;
    }
    const SHOWN: usize = 4;
    let mut names: Vec<String> = exposed
        .iter()
        .take(SHOWN)
        .map(|i| terminal(&i.id))
        .collect();
    if exposed.len() > SHOWN {
        names.push(format!("+{} more", exposed.len() - SHOWN));
    }
    Some(format!("threats exposed: {}", names.join(", ")))
}

/// One line per benchmark edition chosen and why (both terminal views start with them).
pub(crate) fn write_edition_choices(out: &mut String, report: &ScanReport) {
    for choice in &report.editions.choice {
        let _ = writeln!(
            out,
            "{}: {}",
            choice.edition.title(),
            terminal(&choice.reason)
        );
    }
}

/// How many exposed threats and fixes the scan ends with.
const WORST: usize = 5;
const FIXES: usize = 3;

/// What a person ran the scan for, in a few lines: the worst exposed threats with the check
/// that leaves each open, the fixes that remove the most risk, and the commands that show more.
fn write_answer(out: &mut String, report: &ScanReport) {
    let Some(a) = &report.threats else { return };
    let bold = Style::new().bold();
    let exposed: Vec<&crate::threats::Instance> = a
        .instances
        .iter()
        .filter(|i| i.status == crate::threats::Status::Exposed)
        .collect();
    if exposed.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{bold}Worst exposed threats{bold:#} ({} of {}; `threatbench threats` lists them all)",
        exposed.len().min(WORST),
        exposed.len()
    );
    for i in exposed.iter().take(WORST) {
        let checks: Vec<String> = i.failing_links().iter().map(|c| c.label()).collect();
        let _ = writeln!(
            out,
            "  {:<8} {} {}: fails {}",
            i.risk.current.level.as_str().to_uppercase(),
            terminal(&i.id),
            i.threat.title,
            checks.join(", ")
        );
    }
    let fixes = a.fix_first();
    if !fixes.is_empty() {
        let _ = writeln!(
            out,
            "{bold}Fix first{bold:#} (by the risk each removes; `threatbench harden --top {FIXES}` shows the changes)"
        );
        for (n, f) in fixes.iter().take(FIXES).enumerate() {
            let _ = writeln!(
                out,
                "  {}. {} ({}): removes {} risk points across {} threat instance(s)",
                n + 1,
                f.id,
                f.slug,
                f.risk_removed,
                f.instances.len()
            );
        }
    }
    let _ = writeln!(
        out,
        "More: `threatbench threats` (the threat model), `threatbench harden` (the plan), `threatbench report -o report.html` (the whole assessment as one page)"
    );
}
