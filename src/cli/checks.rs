//! `threatbench checks`: the registry, as a list or one check explained.

use std::fmt::Write;

use clap::{Args, Subcommand};

use crate::checks::{self, Benchmark, Check};

use super::{EXIT_OK, EXIT_USAGE};

#[derive(Debug, Args)]
pub struct ChecksArgs {
    #[command(subcommand)]
    pub command: ChecksCommand,
}

#[derive(Debug, Subcommand)]
pub enum ChecksCommand {
    /// One line per check: id, slug, level, severity, title.
    List {
        /// Only checks of this benchmark (cis-docker-1.6.0, cis-docker-1.3.1, cis-kubernetes-1.12).
        #[arg(long, value_name = "NAME")]
        benchmark: Option<String>,
    },
    /// The documentation of one check, by id (e.g. 5.11) or slug.
    Explain {
        #[arg(value_name = "ID|SLUG")]
        check: String,
    },
    /// Write the reference documentation of every check (one Markdown file each, plus an index
    /// README.md) into DIR; stale check pages there are removed.
    Docs {
        #[arg(short, long, value_name = "DIR")]
        output: std::path::PathBuf,
    },
}

pub fn run(args: ChecksArgs) -> anyhow::Result<u8> {
    match args.command {
        ChecksCommand::List { benchmark } => {
            let filter = match benchmark.as_deref() {
                None => None,
                Some(name) => match Benchmark::parse(name) {
                    Some(b) => Some(b),
                    None => {
                        anstream::eprintln!("threatbench: unknown benchmark {name:?}");
                        return Ok(EXIT_USAGE);
                    }
                },
            };
            let mut out = String::new();
            for c in checks::all() {
                let id = match filter {
                    Some(b) => match c.id_in(b) {
                        Some(id) => id,
                        None => continue,
                    },
                    None => c.id(),
                };
                let _ = writeln!(
                    out,
                    "{id:<8} {:<40} L{} {:<8} {:<9} {}",
                    c.slug,
                    if c.level == checks::Level::One { 1 } else { 2 },
                    c.severity.as_str(),
                    format!("{:?}", c.assessment).to_lowercase(),
                    c.title
                );
            }
            super::write_output(None, &out)?;
            Ok(EXIT_OK)
        }
        ChecksCommand::Docs { output } => {
            let removed = super::checks_docs::write(&output)?;
            for name in removed {
                anstream::eprintln!("threatbench: removed stale {}", output.join(name).display());
            }
            Ok(EXIT_OK)
        }
        ChecksCommand::Explain { check } => match checks::find(&check) {
            Some(c) => {
                super::write_output(None, &explain(c))?;
                Ok(EXIT_OK)
            }
            None => match checks::rule::find(&check) {
                // Lint rules (Dockerfile, compose, Kubernetes manifests) by slug.
                Some(r) => {
                    super::write_output(None, &explain_rule(&r))?;
                    Ok(EXIT_OK)
                }
                None => {
                    anstream::eprintln!("threatbench: no check with id or slug {check:?}");
                    Ok(EXIT_USAGE)
                }
            },
        },
    }
}

/// A check's documentation as Markdown (also the source of `docs/checks/`).
pub fn explain(c: &Check) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} {} — {}\n", c.id(), c.slug, c.title);
    let ids: Vec<String> = c
        .ids
        .iter()
        .map(|(b, id)| format!("{} {id}", b.title()))
        .collect();
    let _ = writeln!(
        out,
        "Level {} · {} · severity {} · component {}\n",
        if c.level == checks::Level::One { 1 } else { 2 },
        format!("{:?}", c.assessment).to_lowercase(),
        c.severity.as_str(),
        c.component.as_str()
    );
    for (heading, text) in [
        ("What it checks", c.doc.what),
        ("Why it matters", c.doc.why),
        ("Evidence", c.doc.evidence),
        ("Remediation", c.doc.remediation),
    ] {
        let _ = writeln!(out, "## {heading}\n{text}\n");
    }
    let _ = writeln!(out, "## References\n{}", ids.join("; "));
    if !c.doc.references.is_empty() {
        let _ = writeln!(out, "{}", c.doc.references);
    }
    out
}

/// A lint rule's documentation as Markdown, in the same form as a check's.
pub fn explain_rule(r: &checks::rule::Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {}{} — {}\n",
        r.id().map(|id| format!("{id} ")).unwrap_or_default(),
        r.slug,
        r.title
    );
    let _ = writeln!(
        out,
        "lint rule · severity {} · component {}\n",
        r.severity.as_str(),
        r.component.as_str()
    );
    for (heading, text) in [
        ("What it checks", r.doc.what),
        ("Why it matters", r.doc.why),
        ("Evidence", r.doc.evidence),
        ("Remediation", r.doc.remediation),
    ] {
        let _ = writeln!(out, "## {heading}\n{text}\n");
    }
    let ids: Vec<String> = r
        .ids
        .iter()
        .map(|(b, id)| format!("{} {id}", b.title()))
        .collect();
    let _ = writeln!(
        out,
        "## References\n{}",
        if ids.is_empty() {
            "threatbench rule".to_string()
        } else {
            ids.join("; ")
        }
    );
    if !r.doc.references.is_empty() {
        let _ = writeln!(out, "{}", r.doc.references);
    }
    out
}
