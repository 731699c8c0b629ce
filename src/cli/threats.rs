//! `threatbench threats`: scan (or load facts), run every check, and show the STRIDE threat
//! model: the component × STRIDE matrix and the threat register, most urgent first; or the
//! threat-model document (`--format markdown`), or `threatbench/threats/v2` JSON.
//! `threatbench threats catalog` prints the catalogue (reference docs).

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, Subcommand, ValueEnum};

use super::collect::SourceArgs;
use super::{EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, write_output};
use crate::checks::{self, Selection};
use crate::report::{self, ScanReport};
use crate::threats::modelfile::{DEFAULT_DISCOVERED_FILE, DEFAULT_MODEL_FILE};
use crate::threats::{self, Level, ModelFile, Status};

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Matrix and threat register for a terminal.
    Table,
    /// The threatbench/threats/v2 JSON document.
    Json,
    /// The threat-model document (Markdown with a Mermaid data-flow diagram).
    Markdown,
    /// SARIF 2.1.0: a result per exposed or unknown threat instance.
    Sarif,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RiskLevel {
    /// Any exposed threat.
    Low,
    /// Current risk medium, high or critical.
    Medium,
    /// Current risk high or critical.
    High,
    /// Current risk critical.
    Critical,
}

impl From<RiskLevel> for Level {
    fn from(r: RiskLevel) -> Level {
        match r {
            RiskLevel::Low => Level::Low,
            RiskLevel::Medium => Level::Medium,
            RiskLevel::High => Level::High,
            RiskLevel::Critical => Level::Critical,
        }
    }
}

/// Where the user's model file comes from, shared by `scan` and `threats`.
#[derive(Debug, Args, Clone)]
pub struct ModelArgs {
    /// The user's model file (scope, decisions, suppressions, custom threats). Default:
    /// ./threatmodel.yaml when it exists.
    #[arg(long, value_name = "FILE", conflicts_with = "no_model")]
    pub model: Option<PathBuf>,
    /// Ignore ./threatmodel.yaml.
    #[arg(long)]
    pub no_model: bool,
}

impl ModelArgs {
    /// Load the model file: the one named, else ./threatmodel.yaml if present, else none.
    pub fn load(&self) -> anyhow::Result<Option<ModelFile>> {
        if self.no_model {
            return Ok(None);
        }
        let path = match &self.model {
            Some(p) => p.clone(),
            None => {
                let p = PathBuf::from(DEFAULT_MODEL_FILE);
                if !p.exists() {
                    return Ok(None);
                }
                p
            }
        };
        ModelFile::load(&path, threats::builtin()).map(Some)
    }
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, after_help = super::EXIT_CODES_HELP)]
pub struct ThreatsArgs {
    #[command(subcommand)]
    pub command: Option<ThreatsCommand>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Analyse a facts bundle written by `threatbench collect` instead of this machine.
    #[arg(long, value_name = "FILE")]
    pub facts: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub store: super::store::StoreArgs,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the machine-owned model (elements, boundaries, instance statuses) as YAML to
    /// PATH (default ./threatmodel.discovered.yaml). Nothing is written unless asked.
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = DEFAULT_DISCOVERED_FILE)]
    pub write_discovered: Option<PathBuf>,
    /// Exit with 1 when an exposed threat's current risk is at or above this level. Without it,
    /// exposed threats never change the exit code.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<RiskLevel>,
    /// Also list mitigated, accepted and not-applicable instances, with every linked check.
    #[arg(short, long)]
    pub verbose: bool,
    /// Benchmark edition whose ids the model's linked checks are shown with (as `scan
    /// --benchmark`; default: Docker cis-docker-1.6.0, Kubernetes by the detected version).
    /// All checks still run.
    #[arg(long, value_name = "EDITION", value_parser = super::scan::EDITIONS)]
    pub benchmark: Option<String>,
    /// Print only the attack paths (entry point to host root, dockerd, cluster-admin, etcd,
    /// Secrets or kubelet credentials), each hop with its threat instance, checks and evidence.
    #[arg(long)]
    pub paths: bool,
}

#[derive(Debug, Subcommand)]
pub enum ThreatsCommand {
    /// Print the threat catalogue (reference documentation).
    Catalog {
        /// Output format.
        #[arg(short, long, value_enum, default_value_t = CatalogFormat::Markdown)]
        format: CatalogFormat,
        /// Write to FILE instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CatalogFormat {
    /// Reference documentation (docs/threats.md).
    Markdown,
    /// The catalogue as parsed: threats, mitigations, linked checks.
    Json,
    /// The embedded catalog.yaml, as written (the format of custom threats in a model file).
    Yaml,
}

pub fn run(args: ThreatsArgs) -> anyhow::Result<u8> {
    if let Some(ThreatsCommand::Catalog { format, output }) = args.command {
        let cat = threats::builtin();
        let text = match format {
            CatalogFormat::Markdown => report::threats_catalog::markdown(cat),
            CatalogFormat::Json => serde_json::to_string_pretty(cat)? + "\n",
            CatalogFormat::Yaml => threats::catalog::CATALOG_YAML.to_string(),
        };
        write_output(output.as_deref(), &text)?;
        return Ok(EXIT_OK);
    }
    let started = Instant::now();
    let model = args.model.load()?;
    let facts = super::scan::load_facts(&args.source, args.facts.as_deref())?;
    // The editions a scan would use (.threatbench.yaml, the detected Kubernetes version), so
    // the model's evidence names the ids of the edition in use.
    let config = crate::lint::Config::discover(None)?;
    let benchmark = args.benchmark.as_deref().and_then(checks::Benchmark::parse);
    let editions = super::scan::choose_editions(&facts, benchmark, None, &config);
    let selection = Selection {
        editions: editions.clone(),
        numbering: Some(editions.docker),
        ..Selection::default()
    };
    let results = checks::run(&facts, &selection);
    let mut assessment = threats::assess(&facts, &results, model.as_ref());
    assessment.number_checks_as(editions.docker, editions.kubernetes);
    // As scan: only the families that ran are stated.
    let mut editions = editions;
    editions.retain_families(
        results
            .iter()
            .any(|r| !checks::editions::is_kubernetes_check(r.check)),
        results.iter().any(|r| {
            checks::editions::is_kubernetes_check(r.check)
                && r.outcome.verdict != checks::Verdict::Skip
        }),
    );
    let report = ScanReport {
        facts: &facts,
        results,
        numbering: editions.docker,
        editions,
        duration_ms: started.elapsed().as_millis(),
        threats: None,
        lint: None,
    };
    let target = super::store::target_kind(&args.source, args.facts.is_some());
    if let Some(path) = &args.write_discovered {
        write_discovered(path, &report, &assessment)?;
    }
    if args.format == Format::Json && !args.paths {
        let pretty = args.output.is_none() && std::io::stdout().is_terminal();
        crate::cli::write_output_with(args.output.as_deref(), |out| {
            report::threats_json::write(&report, &assessment, out, pretty)
        })?;
        let code = exit_code(&report, &assessment, args.fail_on);
        record(&args, report, assessment, &target);
        super::leave_at_exit(facts);
        return Ok(code);
    }
    let text = match args.format {
        _ if args.paths => report::threats_paths::only(args.format, &assessment),
        Format::Table => report::threats_table::render(
            &report,
            &assessment,
            report::threats_table::ThreatTableOptions {
                verbose: args.verbose,
            },
        ),
        Format::Json => unreachable!("written above"),
        Format::Markdown => report::threats_markdown::render(&report, &assessment),
        Format::Sarif => report::threats_sarif::render(&assessment),
    };
    write_output(args.output.as_deref(), &text)?;
    let code = exit_code(&report, &assessment, args.fail_on);
    record(&args, report, assessment, &target);
    super::leave_at_exit(facts);
    Ok(code)
}

/// Record the assessment (with the threat model it showed) in the history store.
fn record(args: &ThreatsArgs, report: ScanReport, assessment: threats::Assessment, target: &str) {
    let report = ScanReport {
        threats: Some(assessment),
        ..report
    };
    args.store.record(&report, "threats", target);
    super::leave_at_exit(report);
}

/// Incomplete evidence first, then an exposed threat at or above `--fail-on`.
fn exit_code(
    report: &ScanReport,
    assessment: &threats::Assessment,
    fail_on: Option<RiskLevel>,
) -> u8 {
    if !report.incomplete_reasons().is_empty() {
        return EXIT_INCOMPLETE;
    }
    let hit = fail_on.is_some_and(|t| {
        let t: Level = t.into();
        assessment
            .instances
            .iter()
            .any(|i| i.status == Status::Exposed && i.risk.current.level >= t)
    });
    if hit { EXIT_FINDINGS } else { EXIT_OK }
}

fn write_discovered(
    path: &Path,
    report: &ScanReport,
    a: &threats::Assessment,
) -> anyhow::Result<()> {
    let text = report::threats_discovered::render(report, a)?;
    let is_model = path
        .file_name()
        .is_some_and(|n| n == std::ffi::OsStr::new(DEFAULT_MODEL_FILE));
    anyhow::ensure!(
        !is_model,
        "--write-discovered {}: refusing to write over the human-owned model file",
        path.display()
    );
    write_output(Some(path), &text)
}
