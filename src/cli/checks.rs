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
    /// One line per check, grouped by benchmark: id, slug, level, severity, assessment, title.
    List {
        /// Only checks of this benchmark, with the ids it gives them.
        #[arg(long, value_name = "EDITION",
              value_parser = ["cis-docker-1.6.0", "cis-docker-1.7.0", "cis-docker-1.8.0", "cis-docker-1.3.1",
                              "cis-kubernetes-1.12", "cis-kubernetes-2.0", "threatbench"])]
        benchmark: Option<String>,
    },
    /// The documentation of one check (or lint rule). Exit 2 when nothing has that name.
    Explain {
        /// A slug (container-memory-limit), an id as CIS Docker v1.6.0 numbers it (5.11), or
        /// EDITION/ID for another benchmark (cis-docker-1.3.1/5.10, cis-kubernetes-1.12/1.1.1).
        #[arg(value_name = "ID|SLUG")]
        check: String,
    },
    /// Write the reference documentation of every check (one Markdown file each, plus an index
    /// README.md) into DIR; stale check pages there are removed.
    Docs {
        /// The directory (created if missing), e.g. docs/checks.
        #[arg(short, long, value_name = "DIR")]
        output: std::path::PathBuf,
    },
}

pub fn run(args: ChecksArgs) -> anyhow::Result<u8> {
    match args.command {
        ChecksCommand::List { benchmark } => {
            // The value parser admits only known editions.
            let filter = benchmark.as_deref().and_then(Benchmark::parse);
            super::write_output(None, &list(filter))?;
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
                // Docker and Kubernetes both number from 1: name the other checks a bare id fits.
                let others: Vec<String> = checks::all()
                    .iter()
                    .filter(|o| o.slug != c.slug && !check.contains('/'))
                    .filter_map(|o| {
                        o.all_ids()
                            .into_iter()
                            .find(|(_, id)| *id == check)
                            .map(|(b, id)| format!("{}/{id} ({})", b.as_str(), o.slug))
                    })
                    .collect();
                if !others.is_empty() {
                    anstream::eprintln!(
                        "threatbench: {check} is {} in {}; also: {}",
                        c.slug,
                        c.benchmark().title(),
                        others.join(", ")
                    );
                }
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

/// `checks list`: one line per check under a heading per benchmark (Docker and Kubernetes
/// both number from 1), or only the checks of `filter` with the ids that edition gives them.
fn list(filter: Option<Benchmark>) -> String {
    let mut out = String::new();
    let mut heading: Option<Benchmark> = None;
    for c in checks::all() {
        let (id, benchmark) = match filter {
            Some(b) => match c.id_in(b) {
                Some(id) => (id, b),
                None => continue,
            },
            None => (c.id(), c.benchmark()),
        };
        if heading != Some(benchmark) {
            if heading.is_some() {
                out.push('\n');
            }
            let name = if benchmark.title() == benchmark.as_str() {
                "threatbench's own checks (no CIS item)".to_string()
            } else {
                format!("{} ({})", benchmark.title(), benchmark.as_str())
            };
            let _ = writeln!(
                out,
                "{name}\n{:<8} {:<40} {:<2} {:<8} {:<9} title",
                "id", "slug", "L", "severity", "type"
            );
            heading = Some(benchmark);
        }
        let _ = writeln!(
            out,
            "{id:<8} {:<40} L{} {:<8} {:<9} {}",
            c.slug,
            if c.level == checks::Level::One { 1 } else { 2 },
            c.severity.as_str(),
            format!("{:?}", checks::editions::assessment_in(c, benchmark)).to_lowercase(),
            c.title
        );
    }
    out
}

/// A check's documentation as Markdown (also the source of `docs/checks/`).
pub fn explain(c: &Check) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} {} — {}\n", c.id(), c.slug, c.title);
    let ids: Vec<String> = c
        .all_ids()
        .into_iter()
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
    out.push_str(&edition_notes(c));
    let _ = writeln!(out, "## References\n{}", ids.join("; "));
    if !c.doc.references.is_empty() {
        let _ = writeln!(out, "{}", c.doc.references);
    }
    out
}

/// What the newer editions change for this item: its number, its Automated/Manual flag (with
/// the low confidence of the one source that shows it) and its remediation text.
fn edition_notes(c: &Check) -> String {
    use checks::editions::{assessment_changed, assessment_in, remediation_in};
    let mut notes = Vec::new();
    if let (Some(old), Some(new)) = (
        c.id_in(Benchmark::CisDocker160),
        c.id_in(Benchmark::CisDocker180),
    ) && old != new
    {
        notes.push(format!(
            "CIS Docker v1.8.0 numbers it {new} (v1.6.0 and v1.7.0: {old}): v1.8.0 inserted 2.7, devicemapper."
        ));
    }
    if c.benchmark() == Benchmark::CisDocker180 {
        notes.push(
            "New in CIS Docker v1.8.0: it runs only under `--benchmark cis-docker-1.8.0` (or `--numbering`, or `benchmark:` in .threatbench.yaml)."
                .to_string(),
        );
    }
    if c.slug == "audit-rule-docker-socket" {
        notes.push(
            "CIS Docker v1.7.0 and v1.8.0 ask for a watch on the `docker.sock` socket file instead of the `docker.socket` unit; threatbench still audits the unit under every edition (not yet followed)."
                .to_string(),
        );
    }
    if assessment_changed(c, Benchmark::CisDocker180) {
        notes.push(format!(
            "CIS Docker v1.7.0 and v1.8.0 mark it {} (v1.6.0: {}); one generated source shows this change, so confidence is low.",
            format!("{:?}", assessment_in(c, Benchmark::CisDocker180)).to_lowercase(),
            format!("{:?}", c.assessment).to_lowercase()
        ));
    }
    let v20 = remediation_in(c, Benchmark::CisKubernetes20);
    if v20 != c.doc.remediation {
        notes.push(format!(
            "CIS Kubernetes v2.0 changes the remediation: {v20}"
        ));
    }
    if notes.is_empty() {
        return String::new();
    }
    let mut out = "## Editions\n".to_string();
    for n in notes {
        let _ = writeln!(out, "- {n}");
    }
    out.push('\n');
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
