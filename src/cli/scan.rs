//! `threatbench scan`: collect (or load) facts, run the checks, render, and choose the exit code.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;
use clap::{Args, ValueEnum};

use super::collect::SourceArgs;
use super::{EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, runtime, write_output};
use crate::checks::{self, Benchmark, Selection, Severity, Verdict};
use crate::facts::{FACTS_SCHEMA, Facts};
use crate::report::{self, ScanReport, table::TableOptions};

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Grouped, coloured text for a terminal.
    Table,
    /// The threatbench/scan/v1 JSON document.
    Json,
}

/// Threshold for exit code 1.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    /// Any failed check, or any check needing review (warn).
    Warn,
    /// Any failed check of severity low or above.
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Args)]
#[command(after_help = super::EXIT_CODES_HELP)]
pub struct ScanArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Analyse a facts bundle written by `threatbench collect` instead of this machine. With
    /// --root, host files are read from DIR and only the Docker API data comes from FILE.
    #[arg(long, value_name = "FILE")]
    pub facts: Option<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Run only these checks: ids (5.11), slugs (container-memory-limit) or section prefixes
    /// (5, 1.1). Comma-separated or repeated.
    #[arg(long, value_delimiter = ',', value_name = "ID|SLUG|SECTION")]
    pub select: Vec<String>,
    /// Skip these checks (same forms as --select).
    #[arg(long, value_delimiter = ',', value_name = "ID|SLUG|SECTION")]
    pub ignore: Vec<String>,
    /// Exit with 1 when a check fails at or above this severity (`warn`: also on review items).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// Benchmark edition whose numbers are shown and accepted by --select/--ignore.
    #[arg(long, value_name = "EDITION", default_value = "cis-docker-1.6.0",
          value_parser = ["cis-docker-1.6.0", "cis-docker-1.3.1"])]
    pub numbering: String,
    /// Show evidence for passing checks and every object.
    #[arg(short, long)]
    pub verbose: bool,
    /// Also lint the project's Dockerfiles, compose files and Kubernetes manifests under DIR
    /// (as `threatbench lint DIR`, with its .threatbench.yaml); shown as a `lint` section.
    #[arg(long, value_name = "DIR")]
    pub path: Vec<PathBuf>,
}

pub fn run(args: ScanArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    let facts = load_or_collect(&args)?;
    let numbering = Benchmark::parse(&args.numbering).unwrap_or(Benchmark::CisDocker160);
    let selection = Selection {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        numbering: Some(numbering),
    };
    let results = checks::run(&facts, &selection);
    if results.is_empty() {
        anyhow::bail!("--select/--ignore leave no check to run");
    }
    let lint = if args.path.is_empty() {
        None
    } else {
        let opts = crate::lint::Options {
            config: crate::lint::Config::discover(None)?,
            kind: None,
        };
        Some(crate::lint::lint_paths(&args.path, &opts))
    };
    let report = ScanReport {
        facts: &facts,
        results,
        numbering,
        duration_ms: started.elapsed().as_millis(),
        lint,
    };
    let text = match args.format {
        Format::Json => report::json::render(&report),
        Format::Table => report::table::render(
            &report,
            TableOptions {
                verbose: args.verbose,
            },
        ),
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(exit_code(&report, args.fail_on))
}

fn load_or_collect(args: &ScanArgs) -> anyhow::Result<Facts> {
    if let Some(root) = &args.source.root {
        anyhow::ensure!(root.is_dir(), "--root {}: not a directory", root.display());
    }
    let Some(path) = &args.facts else {
        let progress = spinner("collecting facts");
        let facts = runtime()?.block_on(crate::collect::collect(&args.source.options()));
        progress.finish_and_clear();
        return Ok(facts);
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading facts bundle {}", path.display()))?;
    let mut facts: Facts = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a threatbench facts bundle", path.display()))?;
    anyhow::ensure!(
        facts.schema == FACTS_SCHEMA,
        "{}: schema {:?}, expected {FACTS_SCHEMA:?}",
        path.display(),
        facts.schema
    );
    if args.source.root.is_some() {
        // Host files from the root, Docker API data from the bundle.
        let mut opts = args.source.options();
        opts.no_docker = true;
        let fresh = runtime()?.block_on(crate::collect::collect(&opts));
        facts.host = fresh.host;
    }
    Ok(facts)
}

fn spinner(message: &'static str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner().with_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    bar
}

/// 3 when the scan could not see everything, else 1 when a finding reaches `--fail-on`, else 0.
pub fn exit_code(report: &ScanReport, fail_on: Option<FailOn>) -> u8 {
    if !report.incomplete_reasons().is_empty() {
        return EXIT_INCOMPLETE;
    }
    let Some(threshold) = fail_on else {
        return EXIT_OK;
    };
    let min_severity = match threshold {
        FailOn::Warn | FailOn::Low => Severity::Low,
        FailOn::Medium => Severity::Medium,
        FailOn::High => Severity::High,
        FailOn::Critical => Severity::Critical,
    };
    let hit = report.results.iter().any(|r| match r.outcome.verdict {
        Verdict::Fail => r.check.severity >= min_severity,
        Verdict::Warn => threshold == FailOn::Warn,
        _ => false,
    }) || report
        .lint
        .as_ref()
        .and_then(|l| l.worst())
        .is_some_and(|worst| worst >= min_severity);
    if hit { EXIT_FINDINGS } else { EXIT_OK }
}
