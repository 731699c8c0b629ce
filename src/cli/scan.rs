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
    /// JUnit XML for CI: a testsuite per benchmark section, a testcase per check.
    Junit,
    /// The benchmark report as a Markdown document.
    Markdown,
    /// SARIF 2.1.0 (GitHub code scanning): a result per failing object.
    Sarif,
}

/// Threshold for exit code 1.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    /// Any failed check, or any check needing review (warn).
    Warn,
    /// Any failed check of severity low or above.
    Low,
    /// A failed check of severity medium, high or critical.
    Medium,
    /// A failed check of severity high or critical.
    High,
    /// A failed check of severity critical.
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
    /// Exit with 1 when a check fails at or above this severity (`warn`: also on review items),
    /// or a --path lint finding reaches it. Without it, findings never change the exit code.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// Benchmark edition whose numbers are shown and accepted by --select/--ignore (default:
    /// the --benchmark edition, else cis-docker-1.6.0). Other benchmarks' ids can be written
    /// as EDITION/ID, e.g. cis-kubernetes-1.12/1.2.15.
    #[arg(long, value_name = "EDITION", value_parser = EDITIONS)]
    pub numbering: Option<String>,
    /// Run only this benchmark's checks (and threatbench's own checks of the same platform).
    /// Without it, Docker checks use cis-docker-1.6.0 (docker-bench-security's ids; v1.8.0 adds
    /// 2.7 and renumbers 2.7–2.18 as 2.8–2.19) and Kubernetes checks the edition of the
    /// detected version: cis-kubernetes-2.0 from Kubernetes 1.34 (its scope is 1.34–1.35; 1.36+
    /// also gets it, with a warning), cis-kubernetes-1.12 for 1.33 and below or when unknown. `benchmark:` in .threatbench.yaml sets other defaults.
    #[arg(long, value_name = "EDITION", value_parser = EDITIONS)]
    pub benchmark: Option<String>,
    /// Show the evidence of passing checks too, and every object (not only the failing ones).
    #[arg(short, long, conflicts_with = "quiet")]
    pub verbose: bool,
    /// The table keeps only its header and the summary (no check lines, no worst threats).
    #[arg(short, long)]
    pub quiet: bool,
    /// Also lint the project's Dockerfiles, compose files and Kubernetes manifests under DIR
    /// (as `threatbench lint DIR`, with its .threatbench.yaml); shown as a `lint` section.
    #[arg(long, value_name = "DIR")]
    pub path: Vec<PathBuf>,
    #[command(flatten)]
    pub model: super::threats::ModelArgs,
    #[command(flatten)]
    pub store: super::store::StoreArgs,
    /// Scan again every DURATION (30s, 15m, 6h, 1h30m), until stopped; each JSON report is then
    /// printed on one line. For a DaemonSet or a long-running service. Default: scan once.
    #[arg(long, value_name = "DURATION", value_parser = parse_interval)]
    pub interval: Option<std::time::Duration>,
}

/// The editions `--benchmark` and `--numbering` accept.
pub const EDITIONS: [&str; 6] = [
    "cis-docker-1.6.0",
    "cis-docker-1.7.0",
    "cis-docker-1.8.0",
    "cis-docker-1.3.1",
    "cis-kubernetes-1.12",
    "cis-kubernetes-2.0",
];

pub fn run(args: ScanArgs) -> anyhow::Result<u8> {
    let Some(every) = args.interval else {
        return scan_once(&args);
    };
    // Scan, print, sleep, forever: exit codes of single scans do not stop the loop; an error
    // (unreadable --model, unwritable output) does, so that the pod or unit restarts visibly.
    loop {
        scan_once(&args)?;
        std::thread::sleep(every);
    }
}

/// `--interval`: a positive duration ([`super::parse_duration`]).
fn parse_interval(text: &str) -> Result<std::time::Duration, String> {
    super::parse_duration(text)
}

fn scan_once(args: &ScanArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    let model = args.model.load()?;
    let facts = load_or_collect(args)?;
    let report = assess(
        &facts,
        &Inputs {
            select: &args.select,
            ignore: &args.ignore,
            benchmark: args.benchmark.as_deref(),
            numbering: args.numbering.as_deref(),
            path: &args.path,
        },
        model.as_ref(),
        started,
    )?;
    let text = match args.format {
        // One line per report when repeating, so that log collectors keep each scan whole.
        Format::Json if args.interval.is_some() => one_line(&report::json::render(&report))?,
        Format::Json => report::json::render(&report),
        Format::Junit => report::junit::render(&report),
        Format::Markdown => report::markdown::render(&report),
        Format::Sarif => report::scan_sarif::render(&report),
        Format::Table => report::table::render(
            &report,
            TableOptions {
                verbose: args.verbose,
                quiet: args.quiet,
            },
        ),
    };
    write_output(args.output.as_deref(), &text)?;
    args.store.record(
        &report,
        "scan",
        &super::store::target_kind(&args.source, args.facts.is_some()),
    );
    let code = exit_code(&report, args.fail_on);
    // A single scan ends the process; a repeating one frees each scan before the next.
    if args.interval.is_none() {
        super::leave_at_exit(report);
        super::leave_at_exit(facts);
    }
    Ok(code)
}

/// What a scan (or a report) is asked to assess, beyond the facts.
pub struct Inputs<'a> {
    pub select: &'a [String],
    pub ignore: &'a [String],
    pub benchmark: Option<&'a str>,
    pub numbering: Option<&'a str>,
    /// Project files to lint too (`--path`).
    pub path: &'a [PathBuf],
}

/// Run the selected checks over the facts, lint `--path`, and assess the threat model: the one
/// assessment `scan` and `report` render.
pub fn assess<'a>(
    facts: &'a Facts,
    inputs: &Inputs,
    model: Option<&crate::threats::ModelFile>,
    started: Instant,
) -> anyhow::Result<ScanReport<'a>> {
    let benchmark = inputs.benchmark.and_then(Benchmark::parse);
    let config = crate::lint::Config::discover(None)?;
    let typed_numbering = inputs.numbering.and_then(Benchmark::parse);
    let mut editions = choose_editions(facts, benchmark, typed_numbering, &config);
    let numbering = typed_numbering.or(benchmark).unwrap_or(editions.docker);
    let selection = Selection {
        select: inputs.select.to_vec(),
        ignore: inputs.ignore.to_vec(),
        numbering: Some(numbering),
        benchmark,
        editions: editions.clone(),
    };
    reject_unknown_tokens(&selection, numbering)?;
    let mut results = checks::run(facts, &selection);
    // In the order of the chosen numbering (v1.3.1 moves swarm mode from 5.1 to 7.1).
    results.sort_by_cached_key(|r| match r.check.id_in(numbering) {
        Some(id) => (numbering, checks::id_key(id)),
        None => (r.check.benchmark(), checks::id_key(r.check.id())),
    });
    if results.is_empty() {
        anyhow::bail!("--select/--ignore leave no check to run");
    }
    warn_kubernetes_version(facts, &results, editions.kubernetes);
    editions.retain_families(
        results
            .iter()
            .any(|r| !checks::editions::is_kubernetes_check(r.check)),
        results.iter().any(|r| {
            checks::editions::is_kubernetes_check(r.check) && r.outcome.verdict != Verdict::Skip
        }),
    );
    let lint = if inputs.path.is_empty() {
        None
    } else {
        let opts = crate::lint::Options { config, kind: None };
        Some(crate::lint::lint_paths(inputs.path, &opts))
    };
    // The threat model names, for each failed check, the threats it leaves exposed.
    let mut threats = crate::threats::assess(facts, &results, model);
    threats.number_checks_as(numbering, editions.kubernetes);
    Ok(ScanReport {
        facts,
        results,
        numbering,
        editions,
        duration_ms: started.elapsed().as_millis(),
        threats: Some(threats),
        lint,
    })
}

/// The same JSON document on one line, newline-terminated (key order kept).
fn one_line(json: &str) -> anyhow::Result<String> {
    let value: serde_json::Value = serde_json::from_str(json)?;
    Ok(format!("{value}\n"))
}

fn load_or_collect(args: &ScanArgs) -> anyhow::Result<Facts> {
    load_facts(&args.source, args.facts.as_deref())
}

/// Facts from a bundle (`--facts`, host files from `--root` when given too) or collected live.
/// Shared by the commands that analyse a target (scan, harden).
pub fn load_facts(
    source: &SourceArgs,
    facts_file: Option<&std::path::Path>,
) -> anyhow::Result<Facts> {
    source.validate()?;
    let Some(path) = facts_file else {
        source.validate_endpoint()?;
        let progress = crate::progress::spinner("collecting facts");
        let facts = runtime()?.block_on(crate::collect::collect(&source.options()));
        progress.finish_and_clear();
        return Ok(facts);
    };
    let mut facts = read_bundle(path)?;
    if source.root.is_some() {
        // Host files from the root, Docker API data from the bundle.
        let mut opts = source.options();
        opts.no_docker = true;
        let fresh = runtime()?.block_on(crate::collect::collect(&opts));
        facts.host = fresh.host;
        facts.kube = fresh.kube;
    } else if source.cluster_dump.is_some() || source.k8s_version.is_some() || source.kube_api {
        let opts = source.options().kube;
        crate::collect::kube::apply_options(&mut facts.kube, &opts);
        runtime()?.block_on(crate::collect::kube_api::apply(&mut facts.kube, &opts));
    }
    Ok(facts)
}

/// `--select`/`--ignore` tokens that name no check are usage errors (exit 2), so that a typo
/// does not silently run everything or ignore nothing. Shared with `harden`.
pub fn reject_unknown_tokens(selection: &Selection, numbering: Benchmark) -> anyhow::Result<()> {
    let unknown = selection.unknown_tokens();
    anyhow::ensure!(
        unknown.is_empty(),
        "--select/--ignore {}: no check has this id, slug or section (ids as {} numbers them, or EDITION/ID; see `threatbench checks list`)",
        unknown
            .iter()
            .map(|t| format!("{t:?}"))
            .collect::<Vec<_>>()
            .join(", "),
        numbering.as_str()
    );
    Ok(())
}

/// Read a facts bundle, naming the file and what is wrong with it: not readable, empty, not
/// JSON, another document (its `schema`), or a bundle whose fields do not match this version.
fn read_bundle(path: &std::path::Path) -> anyhow::Result<Facts> {
    /// The one field every threatbench JSON document starts with.
    #[derive(serde::Deserialize)]
    struct Head {
        schema: Option<serde_json::Value>,
    }
    let shown = path.display();
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading facts bundle {shown}"))?;
    anyhow::ensure!(
        !text.trim().is_empty(),
        "facts bundle {shown}: empty file (write one with `threatbench collect -o FILE`)"
    );
    let head: Head = serde_json::from_str(&text)
        .with_context(|| format!("facts bundle {shown}: not a JSON object"))?;
    match head.schema {
        Some(serde_json::Value::String(s)) if s == FACTS_SCHEMA => {}
        other => anyhow::bail!(
            "facts bundle {shown}: not a threatbench facts bundle (schema {}, expected {FACTS_SCHEMA:?}; write one with `threatbench collect -o FILE`)",
            other.map_or("missing".to_string(), |v| v.to_string())
        ),
    }
    serde_json::from_str(&text).with_context(|| {
        format!(
            "facts bundle {shown}: fields do not match {FACTS_SCHEMA} of this threatbench version"
        )
    })
}

/// The Docker and Kubernetes editions of a scan and why (see `checks::editions`): `--benchmark`,
/// then `--numbering`, then `.threatbench.yaml`, then the defaults (Docker v1.6.0; Kubernetes by
/// the detected version). Shared by scan, threats and harden.
pub fn choose_editions(
    facts: &Facts,
    benchmark: Option<Benchmark>,
    numbering: Option<Benchmark>,
    config: &crate::lint::Config,
) -> checks::editions::Editions {
    let requested = checks::editions::Requested {
        benchmark,
        numbering,
        config: config.benchmarks.clone(),
        config_file: config.file.as_ref().map(|p| p.display().to_string()),
    };
    let version = &facts.kube.version;
    checks::editions::Editions::choose(
        &requested,
        version.minor().map(|v| (v, version.source.as_str())),
    )
}

/// Say on stderr when Kubernetes checks ran against a version the edition in use does not cover,
/// or an unknown one: they still run, with that edition's rules.
fn warn_kubernetes_version(facts: &Facts, results: &[checks::CheckResult], edition: Benchmark) {
    let kube = &facts.kube;
    let ran = results.iter().any(|r| {
        r.check.id_in(Benchmark::CisKubernetes112).is_some() && r.outcome.verdict != Verdict::Skip
    });
    if !ran {
        return;
    }
    let covers: std::ops::RangeInclusive<u32> = if edition == Benchmark::CisKubernetes20 {
        checks::editions::KUBERNETES_2_0_FROM_MINOR..=35
    } else {
        crate::facts::kube::CIS_1_12_MINORS
    };
    let scope = format!("Kubernetes 1.{}–1.{}", covers.start(), covers.end());
    match (kube.version.version.as_deref(), kube.version.minor()) {
        (Some(_), Some((1, minor))) if covers.contains(&minor) => {}
        (Some(v), _) => anstream::eprintln!(
            "threatbench: warning: Kubernetes {v} ({}) is outside {} ({scope}); its checks ran with that edition's rules",
            kube.version.source,
            edition.title()
        ),
        (None, _) => anstream::eprintln!(
            "threatbench: warning: Kubernetes version unknown ({}); checks ran with {} rules ({scope})",
            kube.version.source,
            edition.title()
        ),
    }
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
        Verdict::Fail => r.severity() >= min_severity,
        Verdict::Warn => threshold == FailOn::Warn,
        _ => false,
    }) || report
        .lint
        .as_ref()
        .and_then(|l| l.worst())
        .is_some_and(|worst| worst >= min_severity);
    if hit { EXIT_FINDINGS } else { EXIT_OK }
}

#[cfg(test)]
mod interval_tests {
    use super::parse_interval;
    use std::time::Duration;

    #[test]
    fn intervals_parse_in_friendly_and_iso_forms() {
        assert_eq!(parse_interval("6h"), Ok(Duration::from_secs(6 * 3600)));
        assert_eq!(parse_interval("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_interval("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_interval("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_interval("PT6H"), Ok(Duration::from_secs(6 * 3600)));
    }

    #[test]
    fn zero_negative_and_garbage_intervals_are_refused_naming_the_input() {
        for bad in ["0s", "-5m", "six hours", "", "6x"] {
            let err = parse_interval(bad).expect_err(bad);
            assert!(err.contains(&format!("{bad:?}")), "{bad}: {err}");
        }
    }
}
