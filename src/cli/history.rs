//! `threatbench history`: the scans recorded in the store, newest first.

use clap::{Args, ValueEnum};

use super::{EXIT_OK, write_output};
use crate::report;

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Columns for a terminal.
    Table,
    /// The threatbench/history/v1 JSON document.
    Json,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this host (its name, or `name/machine-id`); also lists the changes `harden` made.
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// At most N scans.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: usize,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub store: super::store::StoreUrl,
    /// Write to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

pub fn run(args: HistoryArgs) -> anyhow::Result<u8> {
    let mut store = args.store.open()?;
    let scans = store
        .backend
        .scans(args.host.as_deref(), Some(args.limit))?;
    // The changes harden made on the host, when one host is asked for.
    let changes = match &args.host {
        Some(host) => store.backend.changes(host)?,
        None => Vec::new(),
    };
    let text = match args.format {
        Format::Table => report::history::table(&scans, &changes, &store.location),
        Format::Json => report::history::json(&scans, &changes),
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(EXIT_OK)
}
