//! `threatbench harden`: the fix-first plan, its patches, and (with `--apply`) the safe apply of
//! the local, reversible ones, followed by a re-check; `--rollback` undoes the last apply.
//!
//! Exit codes: 0 plan made (and applied changes verified or pending a daemon restart);
//! 1 an applied change did not make its check pass; 2 usage error, including `--apply` without
//! a terminal to confirm on and without `--yes`; 3 incomplete: the target could not be fully read
//! or an action failed.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::collect::SourceArgs;
use super::{EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, EXIT_USAGE, runtime, write_output};
use crate::checks::{self, Benchmark, Selection};
use crate::facts::daemon_config::DaemonConfig;
use crate::harden::Report;
use crate::harden::apply::{self, Batch, DaemonStep, Target};
use crate::harden::journal::DEFAULT_STATE_DIR;
use crate::harden::patch::containers::parse_bytes;
use crate::harden::plan::{self, Pick, PlanOptions};
use crate::harden::recheck::{self, DaemonState};
use crate::harden::remedy::Limits;
use crate::report;
use crate::threats;

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Plain text for a terminal.
    Text,
    /// The "hardening analysis" section, in Markdown.
    Markdown,
    /// The threatbench/harden/v1 JSON document.
    Json,
}

#[derive(Debug, Args)]
#[command(after_help = "Exit codes:
  0  plan made; applied changes verified (or pending a dockerd restart/reload)
  1  an applied change did not make its check pass
  2  usage error; --apply without a terminal to confirm on and without --yes
  3  incomplete: the target could not be fully read, or an action failed")]
pub struct HardenArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Plan from a facts bundle (no --apply then: the bundle may come from another machine).
    #[arg(long, value_name = "FILE")]
    pub facts: Option<PathBuf>,
    /// The threat model's decisions (accepted, not applicable, out of scope) and suppressions
    /// apply: such threats do not count towards a pick's score.
    #[command(flatten)]
    pub model: super::threats::ModelArgs,
    /// How many failed checks to pick.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub top: usize,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the plan to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Pick only among these checks (ids, slugs or section prefixes); the threat model still
    /// judges risk with every check.
    #[arg(long, value_delimiter = ',', value_name = "ID|SLUG|SECTION")]
    pub select: Vec<String>,
    /// Never pick these checks (same forms as --select).
    #[arg(long, value_delimiter = ',', value_name = "ID|SLUG|SECTION")]
    pub ignore: Vec<String>,
    /// Benchmark edition whose numbers are shown and accepted (default: a Docker `benchmark:`
    /// in .threatbench.yaml, else cis-docker-1.6.0).
    /// cis-docker-1.8.0 also lets harden pick its new 2.7 (devicemapper).
    #[arg(long, value_name = "EDITION",
          value_parser = ["cis-docker-1.6.0", "cis-docker-1.7.0", "cis-docker-1.8.0", "cis-docker-1.3.1"])]
    pub numbering: Option<String>,
    /// Make sure at least one pick is not among these checks, e.g. the exercise items
    /// `--numbering cis-docker-1.3.1 --at-least-one-beyond 5.10,5.14,5.22`.
    #[arg(long, value_delimiter = ',', value_name = "ID|SLUG")]
    pub at_least_one_beyond: Vec<String>,
    /// Memory limit given to containers without one (also their memory-swap): bytes, or with a
    /// k, m or g suffix.
    #[arg(long, default_value = "512m", value_name = "SIZE")]
    pub memory: String,
    /// PIDs limit given to containers without one.
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub pids_limit: i64,
    /// CPU shares given to containers without a CPU limit (the default weight is 1024).
    #[arg(long, default_value_t = 512, value_name = "N")]
    pub cpu_shares: i64,
    /// Make the local, reversible changes of the picks (daemon.json, chmod/chown, audit rules,
    /// docker update), with a backup and a journal entry, then re-check.
    #[arg(long, conflicts_with = "facts")]
    pub apply: bool,
    /// Do not ask for confirmation (required when stdin is not a terminal).
    #[arg(short, long)]
    pub yes: bool,
    /// After changing daemon.json, reload dockerd (SIGHUP): applies the reloadable keys only.
    #[arg(long, conflicts_with = "restart_daemon")]
    pub reload_daemon: bool,
    /// After changing daemon.json, restart dockerd through systemd (stops containers unless
    /// live-restore is on).
    #[arg(long)]
    pub restart_daemon: bool,
    /// Undo the last apply: restore file bytes, modes and owners, and reverse docker update
    /// values; dockerd is reloaded or restarted as the apply did (--reload-daemon or
    /// --restart-daemon choose otherwise).
    #[arg(long, conflicts_with_all = ["apply", "facts"])]
    pub rollback: bool,
    #[command(flatten)]
    pub store: super::store::StoreArgs,
    /// Where backups and the journal are kept.
    #[arg(long, default_value = DEFAULT_STATE_DIR, value_name = "DIR", env = "THREATBENCH_STATE_DIR")]
    pub state_dir: PathBuf,
}

impl HardenArgs {
    fn daemon_step(&self) -> DaemonStep {
        if self.restart_daemon {
            DaemonStep::Restart
        } else if self.reload_daemon {
            DaemonStep::Reload
        } else {
            DaemonStep::None
        }
    }

    fn selection(&self, numbering: Benchmark) -> Selection {
        Selection {
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            numbering: Some(numbering),
            benchmark: None,
            editions: editions_for(numbering),
        }
    }
}

/// Harden numbers Docker items in `--numbering`; that edition's own items (v1.8.0's 2.7) can
/// be picked too.
fn editions_for(numbering: Benchmark) -> checks::editions::Editions {
    checks::editions::Editions {
        docker: numbering,
        ..checks::editions::Editions::default()
    }
}

pub fn run(args: HardenArgs) -> anyhow::Result<u8> {
    let memory = parse_bytes(&args.memory).map_err(|e| anyhow::anyhow!("--memory {e}"))?;
    anyhow::ensure!(args.pids_limit > 0, "--pids-limit must be positive");
    anyhow::ensure!(args.cpu_shares >= 2, "--cpu-shares must be at least 2");
    let confirm_on_tty = std::io::stdin().is_terminal();
    if (args.apply || args.rollback) && !args.yes && !confirm_on_tty {
        anstream::eprintln!(
            "threatbench: refusing to {}: stdin is not a terminal to confirm on; review the plan, then pass --yes",
            if args.rollback {
                "roll back"
            } else {
                "apply changes"
            }
        );
        return Ok(EXIT_USAGE);
    }
    if args.rollback {
        return rollback(&args, confirm_on_tty);
    }
    let numbering = match args.numbering.as_deref().and_then(Benchmark::parse) {
        Some(b) => b,
        // As scan: the project's `benchmark:` default, else v1.6.0.
        None => crate::lint::Config::discover(None)?
            .benchmarks
            .into_iter()
            .find(|b| b.is_docker())
            .unwrap_or(Benchmark::CisDocker160),
    };
    super::scan::reject_unknown_tokens(&args.selection(numbering), numbering)?;
    let unknown_beyond: Vec<&String> = args
        .at_least_one_beyond
        .iter()
        .filter(|t| !Selection::names_a_check(t, Some(numbering)))
        .collect();
    anyhow::ensure!(
        unknown_beyond.is_empty(),
        "--at-least-one-beyond {unknown_beyond:?}: no check has this id or slug (ids as {} numbers them)",
        numbering.as_str()
    );
    let model = args.model.load()?;
    let facts = super::scan::load_facts(&args.source, args.facts.as_deref())?;
    let every_check = Selection {
        numbering: Some(numbering),
        editions: editions_for(numbering),
        ..Selection::default()
    };
    let results = checks::run(&facts, &every_check);
    let assessment = threats::assess(&facts, &results, model.as_ref());
    let opts = PlanOptions {
        top: args.top,
        limits: Limits {
            memory,
            pids_limit: args.pids_limit,
            cpu_shares: args.cpu_shares,
        },
        at_least_one_beyond: args.at_least_one_beyond.clone(),
        numbering,
        consider: args.selection(numbering),
    };
    let plan = plan::build(&facts, &results, &assessment, &opts);
    let incomplete = facts.docker.seen().is_none_or(|d| !d.partial.is_empty());
    let mut report = Report {
        facts: &facts,
        plan: &plan,
        numbering,
        applied: None,
        rechecks: &[],
    };
    if !args.apply {
        write_output(args.output.as_deref(), &render(&report, args.format))?;
        return Ok(if incomplete { EXIT_INCOMPLETE } else { EXIT_OK });
    }

    let picks: Vec<&Pick> = plan.picks.iter().collect();
    let batch = Batch::from_picks(&picks);
    if args.format == Format::Text {
        // The plan first, so the person confirming has seen every change.
        write_output(None, &render(&report, args.format))?;
    }
    if batch.is_empty() {
        anstream::eprintln!(
            "threatbench: none of the picks can be applied automatically (see each change)"
        );
        if args.format != Format::Text {
            write_output(args.output.as_deref(), &render(&report, args.format))?;
        }
        return Ok(if incomplete { EXIT_INCOMPLETE } else { EXIT_OK });
    }
    if !args.yes && !confirm(&batch)? {
        anstream::eprintln!("threatbench: nothing changed");
        return Ok(EXIT_OK);
    }
    let daemon = DaemonConfig::from_facts(&facts);
    let target = Target {
        facts: &facts,
        state_dir: args.state_dir.clone(),
        endpoint: facts
            .docker
            .seen()
            .map(|d| d.endpoint.clone())
            .or_else(|| args.source.docker_host.clone()),
        dockerd_pid: daemon.process.as_ref().map(|p| p.pid),
    };
    let record = runtime()?.block_on(apply::apply(&batch, &target, args.daemon_step()))?;
    let failed_actions = record
        .entries
        .iter()
        .any(|e| !e.outcome().starts_with("done"));
    let daemon_state = match record.entries.iter().find_map(|e| match e {
        crate::harden::journal::Entry::Daemon { action, outcome } if outcome == "done" => {
            Some(action.clone())
        }
        _ => None,
    }) {
        Some(a) if a.starts_with("restart") => DaemonState::Restarted,
        Some(_) => DaemonState::Reloaded,
        None => DaemonState::NotTold,
    };

    // Re-collect, re-run the checks and re-assess the threats the applied picks act on.
    let applied: Vec<&Pick> = picks
        .iter()
        .copied()
        .filter(|p| batch.checks.iter().any(|s| s == p.check.slug))
        .collect();
    let fresh = super::scan::load_facts(&args.source, None)?;
    let after = checks::run(&fresh, &every_check);
    let reassessed = threats::assess(&fresh, &after, model.as_ref());
    let rechecks = recheck::compare(&applied, &after, &reassessed, daemon_state);
    if !args.store.no_store {
        // The scans before and after the change, and the change linking them.
        let target = super::store::target_kind(&args.source, false);
        let before = args.store.record(
            &scan_report(&facts, results.clone(), assessment.clone(), numbering),
            "harden",
            &target,
        );
        let after_id = args.store.record(
            &scan_report(&fresh, after.clone(), reassessed.clone(), numbering),
            "harden-recheck",
            &target,
        );
        args.store.record_change(&change_record(
            &facts.host,
            &record,
            "apply",
            before,
            after_id,
        ));
    }
    report.applied = Some(&record);
    report.rechecks = &rechecks;
    match args.format {
        Format::Text => write_output(
            None,
            &(report::harden_text::render_record(&record)
                + &report::harden_text::render_rechecks(&rechecks)),
        )?,
        _ => write_output(args.output.as_deref(), &render(&report, args.format))?,
    }
    if failed_actions {
        return Ok(EXIT_INCOMPLETE);
    }
    let unfixed = rechecks.iter().any(|r| r.pending.is_none() && !r.fixed());
    Ok(if unfixed { EXIT_FINDINGS } else { EXIT_OK })
}

fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Text => report::harden_text::render(report),
        Format::Markdown => report::harden_markdown::render(report),
        Format::Json => report::harden_json::render(report),
    }
}

/// Ask on the terminal; anything but y/yes declines.
fn confirm(batch: &Batch) -> anyhow::Result<bool> {
    let mut err = anstream::stderr().lock();
    writeln!(err, "\nthreatbench will make these changes:")?;
    for line in batch.describe() {
        writeln!(err, "  {}", report::sanitize::terminal(&line))?;
    }
    for diff in batch.daemon_json_diffs() {
        for line in diff.lines() {
            writeln!(err, "    {}", report::sanitize::terminal(line))?;
        }
    }
    write!(err, "Apply them? [y/N] ")?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

fn rollback(args: &HardenArgs, confirm_on_tty: bool) -> anyhow::Result<u8> {
    let journal = crate::harden::journal::Journal::open(&args.state_dir)?;
    let Some(last) = journal.last_open_apply()? else {
        anstream::eprintln!(
            "threatbench: nothing to roll back in {}",
            args.state_dir.display()
        );
        return Ok(EXIT_OK);
    };
    if !args.yes && confirm_on_tty {
        let mut err = anstream::stderr().lock();
        writeln!(
            err,
            "Roll back apply {} of {} ({} change(s))? [y/N] ",
            last.id,
            last.at,
            last.entries.len()
        )?;
        err.flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            return Ok(EXIT_OK);
        }
    }
    // Undo as the apply did: a daemon.json the apply reloaded or restarted dockerd for is
    // reloaded or restarted again once restored, unless a flag says otherwise.
    let step = match args.daemon_step() {
        DaemonStep::None => step_taken(&last),
        chosen => chosen,
    };
    let facts = if step != DaemonStep::None {
        Some(super::scan::load_facts(&args.source, None)?)
    } else {
        None
    };
    let pid = facts
        .as_ref()
        .and_then(|f| DaemonConfig::from_facts(f).process.map(|p| p.pid));
    let done = runtime()?.block_on(apply::rollback(
        &args.state_dir,
        args.source.docker_host.as_deref(),
        step,
        pid,
        facts.as_ref(),
    ))?;
    let Some((_, record)) = done else {
        return Ok(EXIT_OK);
    };
    let mut text = report::harden_text::render_record(&record);
    let touched_daemon_json = record.entries.iter().any(|e| {
        matches!(e, crate::harden::journal::Entry::File { path, content_changed: true, .. } if path != crate::harden::patch::audit::RULES_FILE)
    });
    if touched_daemon_json && step == DaemonStep::None {
        text.push_str("daemon.json restored: dockerd uses it after its next reload or restart\n");
    }
    if touched_daemon_json && step == DaemonStep::Reload {
        text.push_str("daemon.json restored and dockerd reloaded: a key the restore removed keeps its value until dockerd restarts (a reload changes only the keys in the file)\n");
    }
    write_output(args.output.as_deref(), &text)?;
    if !args.store.no_store {
        let host = facts
            .as_ref()
            .map(|f| f.host.clone())
            .unwrap_or_else(crate::collect::this_host);
        let before = args.store.latest_scan(&host.identity());
        args.store
            .record_change(&change_record(&host, &record, "rollback", before, None));
    }
    let failed = record
        .entries
        .iter()
        .any(|e| !e.outcome().starts_with("done"));
    Ok(if failed { EXIT_INCOMPLETE } else { EXIT_OK })
}

/// The assessment harden made (before or after its change) as a report the store records.
fn scan_report<'a>(
    facts: &'a crate::facts::Facts,
    results: Vec<crate::checks::CheckResult>,
    assessment: threats::Assessment,
    numbering: Benchmark,
) -> report::ScanReport<'a> {
    report::ScanReport {
        facts,
        results,
        numbering,
        editions: editions_for(numbering),
        duration_ms: 0,
        threats: Some(assessment),
        lint: None,
    }
}

/// What a journal record changed on `host`, one line per entry with its outcome.
fn change_record(
    host: &crate::facts::HostFacts,
    record: &crate::harden::journal::Record,
    action: &str,
    before: Option<i64>,
    after: Option<i64>,
) -> crate::store::ChangeRecord {
    use crate::harden::journal::Entry;
    crate::store::ChangeRecord {
        time: jiff::Timestamp::now().to_string(),
        host: host.name().to_string(),
        host_key: host.identity(),
        action: action.to_string(),
        journal_id: record.id.clone(),
        scan_before: before,
        scan_after: after,
        entries: record
            .entries
            .iter()
            .map(|e| {
                let what = match e {
                    Entry::File { path, .. } => path.clone(),
                    Entry::DockerUpdate { name, new, .. } => new.command(name),
                    Entry::Daemon { action, .. } => format!("dockerd {action}"),
                };
                format!("{what}: {}", e.outcome())
            })
            .collect(),
    }
}

/// The daemon step an apply took (its journal's `reload` or `restart` entry that succeeded).
fn step_taken(apply: &crate::harden::journal::Record) -> DaemonStep {
    apply
        .entries
        .iter()
        .find_map(|e| match e {
            crate::harden::journal::Entry::Daemon { action, outcome }
                if outcome.starts_with("done") =>
            {
                // As `harden::apply` writes them: `reload (SIGHUP)`, `restart`.
                match action.split_whitespace().next() {
                    Some("restart") => Some(DaemonStep::Restart),
                    Some("reload") => Some(DaemonStep::Reload),
                    _ => None,
                }
            }
            _ => None,
        })
        .unwrap_or(DaemonStep::None)
}
