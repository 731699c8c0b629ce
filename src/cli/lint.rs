//! `threatbench lint`: Dockerfiles, compose files and Kubernetes manifests, statically.

use std::io::Read as _;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::bail;
use clap::{Args, ValueEnum};

use super::{EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, write_output};
use crate::checks::Severity;
use crate::checks::rule;
use crate::lint::{self, Config, Kind, LintReport, Options};
use crate::report::lint as render;

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// One line per finding with its fix, for a terminal.
    Table,
    /// The threatbench/lint/v1 JSON document.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

const LINT_HELP: &str =
    "Suppress a finding with a comment on the line before it or at the end of its line:
  # threatbench:ignore SLUG[,SLUG...] -- reason
A project's .threatbench.yaml (or --config FILE) sets select, ignore, severity overrides and skip.

Exit codes:
  0  linted (findings or not)
  1  a finding at or above --fail-on
  2  usage error (bad flag, bad config file)
  3  incomplete: some input could not be read or parsed; wins over 1";

#[derive(Debug, Args)]
#[command(after_help = LINT_HELP)]
pub struct LintArgs {
    /// Files or directories (searched recursively, skipping .git, node_modules and target).
    /// `-` reads one file from standard input (name its kind with --kind).
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// The kind of standard input and of files named explicitly, instead of detecting it.
    #[arg(long, value_enum, value_name = "KIND")]
    pub kind: Option<Kind>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a finding is at or above this severity.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<Severity>,
    /// Only these rules: slugs, `prefix*`, benchmark ids (4.1) or id sections (5.2).
    /// Comma-separated or repeated; replaces the config file's select.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,
    /// Skip these rules (same forms as --select); adds to the config file's ignore.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,
    /// Configuration file (default: .threatbench.yaml in the current directory, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore .threatbench.yaml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// List every lint rule (slug, benchmark id, severity, title) and exit.
    #[arg(long)]
    pub list_rules: bool,
    /// Also list suppressed findings and skipped files (table format).
    #[arg(short, long)]
    pub verbose: bool,
}

pub fn run(args: LintArgs) -> anyhow::Result<u8> {
    if args.list_rules {
        write_output(args.output.as_deref(), &list_rules(args.format))?;
        return Ok(EXIT_OK);
    }
    if args.kind == Some(Kind::Unknown) {
        bail!("--kind must be dockerfile, compose or kubernetes");
    }
    let stdin_count = args.paths.iter().filter(|p| p.as_os_str() == "-").count();
    if stdin_count > 1 {
        bail!("`-` (standard input) can be given once");
    }
    let started = Instant::now();
    let config = if args.no_config {
        Config::default()
    } else {
        Config::discover(args.config.as_deref())?
    }
    .with_cli(&args.select, &args.ignore);
    for token in config.select.iter().chain(&config.ignore) {
        if !rule::all()
            .iter()
            .any(|r| lint::config::token_matches(token, r))
        {
            bail!("--select/--ignore: {token:?} matches no rule (see --list-rules)");
        }
    }
    let opts = Options {
        config,
        kind: args.kind,
    };
    let files: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    let mut report = if files.is_empty() {
        LintReport::default()
    } else {
        lint::lint_paths(&files, &opts)
    };
    if stdin_count == 1 {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(crate::collect::artifacts::MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)?;
        let from_stdin = lint::lint_bytes("<stdin>", bytes, &opts);
        report.files.extend(from_stdin.files);
        report.findings.extend(from_stdin.findings);
        report.suppressed.extend(from_stdin.suppressed);
    }
    let elapsed = started.elapsed().as_millis();
    let text = match args.format {
        Format::Table => render::table::render(
            &report,
            render::table::Options {
                verbose: args.verbose,
            },
        ),
        Format::Json => render::json::render(&report, elapsed),
        Format::Sarif => render::sarif::render(&report),
        Format::Github => render::github::render(&report),
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(exit_code(&report, args.fail_on))
}

/// 3 when some input could not be linted, else 1 when a finding reaches `--fail-on`, else 0.
pub fn exit_code(report: &LintReport, fail_on: Option<Severity>) -> u8 {
    if !report.is_complete() {
        return EXIT_INCOMPLETE;
    }
    match (fail_on, report.worst()) {
        (Some(threshold), Some(worst)) if worst >= threshold => EXIT_FINDINGS,
        _ => EXIT_OK,
    }
}

fn list_rules(format: Format) -> String {
    let rules = rule::all();
    if format == Format::Json {
        let list: Vec<serde_json::Value> = rules
            .iter()
            .map(|r| {
                serde_json::json!({
                    "slug": r.slug,
                    "id": r.id(),
                    "benchmark": r.benchmark().as_str(),
                    "severity": r.severity,
                    "component": r.component.as_str(),
                    "title": r.title,
                    "what": r.doc.what,
                    "why": r.doc.why,
                    "remediation": r.doc.remediation,
                })
            })
            .collect();
        return serde_json::to_string_pretty(&list).unwrap_or_default() + "\n";
    }
    let mut out = String::new();
    for r in rules {
        out.push_str(&format!(
            "{:<8} {:<38} {:<8} {}\n",
            r.id().unwrap_or("-"),
            r.slug,
            r.severity.as_str(),
            r.title
        ));
    }
    out
}
