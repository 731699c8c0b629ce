//! `threatbench report`: the whole assessment from one collection (benchmark results, threat
//! model, attack paths, the fix-first plan) as one self-contained HTML page, a Markdown
//! document or one JSON document. The renderers read the assessment `scan`, `threats` and
//! `harden` print; nothing is computed twice.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, ValueEnum};

use super::collect::SourceArgs;
use super::{EXIT_INCOMPLETE, EXIT_OK, write_output, write_output_with};
use crate::checks::Selection;
use crate::harden::plan::{self, PlanOptions};
use crate::report::{self, ScanReport};

pub const REPORT_SCHEMA: &str = "threatbench/report/v1";

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// One self-contained HTML page (no network, inline CSS and script).
    Html,
    /// The threat-model document, the benchmark report and the hardening analysis.
    Markdown,
    /// {"schema": "threatbench/report/v1", "scan": scan/v1, "threats": threats/v2, "harden": harden/v1}.
    Json,
}

#[derive(Debug, Args)]
#[command(after_help = super::EXIT_CODES_HELP)]
pub struct ReportArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Report on a facts bundle written by `threatbench collect` instead of this machine.
    #[arg(long, value_name = "FILE")]
    pub facts: Option<PathBuf>,
    #[command(flatten)]
    pub model: super::threats::ModelArgs,
    #[command(flatten)]
    pub store: super::store::StoreArgs,
    /// Output format. Default: from the --output extension (.html/.htm, .md, .json), else html.
    #[arg(short, long, value_enum)]
    pub format: Option<Format>,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Benchmark edition (as `scan --benchmark`).
    #[arg(long, value_name = "EDITION", value_parser = super::scan::EDITIONS)]
    pub benchmark: Option<String>,
    /// How many fixes the hardening plan picks (as `harden --top`).
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub top: usize,
    /// Also lint the project's Dockerfiles, compose files and Kubernetes manifests under DIR.
    #[arg(long, value_name = "DIR")]
    pub path: Vec<PathBuf>,
}

/// `--format`, else what the output file's extension says, else html.
pub fn format_for(format: Option<Format>, output: Option<&Path>) -> Format {
    if let Some(f) = format {
        return f;
    }
    let ext = output
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("md" | "markdown") => Format::Markdown,
        Some("json") => Format::Json,
        _ => Format::Html,
    }
}

pub fn run(args: ReportArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    let format = format_for(args.format, args.output.as_deref());
    let model = args.model.load()?;
    let facts = super::scan::load_facts(&args.source, args.facts.as_deref())?;
    let report = super::scan::assess(
        &facts,
        &super::scan::Inputs {
            select: &[],
            ignore: &[],
            benchmark: args.benchmark.as_deref(),
            numbering: None,
            path: &args.path,
        },
        model.as_ref(),
        started,
    )?;
    let assessment = report.threats.as_ref().expect("assess models the threats");
    let opts = PlanOptions {
        top: args.top,
        numbering: report.numbering,
        consider: Selection {
            numbering: Some(report.numbering),
            ..Selection::default()
        },
        ..PlanOptions::default()
    };
    let plan = plan::build(&facts, &report.results, assessment, &opts);
    let hardening = crate::harden::Report {
        facts: &facts,
        plan: &plan,
        numbering: report.numbering,
        applied: None,
        rechecks: &[],
    };
    match format {
        Format::Html => write_output(
            args.output.as_deref(),
            &report::html::render(&report, Some(&hardening)),
        )?,
        Format::Markdown => write_output(args.output.as_deref(), &markdown(&report, &hardening))?,
        Format::Json => {
            write_output_with(args.output.as_deref(), |out| json(&report, &hardening, out))?
        }
    }
    if let Some(path) = &args.output {
        anstream::eprintln!("threatbench: report written to {}", path.display());
    }
    args.store.record(
        &report,
        "report",
        &super::store::target_kind(&args.source, args.facts.is_some()),
    );
    let code = if report.incomplete_reasons().is_empty() {
        EXIT_OK
    } else {
        EXIT_INCOMPLETE
    };
    super::leave_at_exit((report, plan));
    super::leave_at_exit(facts);
    Ok(code)
}

/// The threat-model document, then the benchmark report and the hardening analysis.
fn markdown(report: &ScanReport, hardening: &crate::harden::Report) -> String {
    let a = report.threats.as_ref().expect("assessed");
    let mut doc = report::threats_markdown::render(report, a);
    doc.push_str("\n---\n\n");
    // The benchmark report's title becomes a section of this document.
    doc.push_str(&report::markdown::render(report).replacen("# ", "# Benchmark report: ", 1));
    doc.push_str("\n---\n\n");
    doc.push_str(&report::harden_markdown::render(hardening));
    doc
}

/// The three public documents inside one: each exactly as its own command writes it.
fn json(
    report: &ScanReport,
    hardening: &crate::harden::Report,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    write!(out, "{{\"schema\":\"{REPORT_SCHEMA}\",")?;
    report::json::write_scan_and_threats(report, out)?;
    out.write_all(b",\"harden\":")?;
    out.write_all(report::harden_json::render(hardening).trim_end().as_bytes())?;
    out.write_all(b"}\n")
}
