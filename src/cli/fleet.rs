//! `threatbench fleet`: the newest scan of every host in a (shared) store, the threats exposed
//! on the most hosts, the checks failing on the most hosts, the hosts not seen lately.

use clap::{Args, ValueEnum};

use super::{EXIT_OK, write_output};
use crate::report;
use crate::store::fleet;

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Columns for a terminal.
    Table,
    /// The threatbench/fleet/v1 JSON document.
    Json,
}

#[derive(Debug, Args)]
pub struct FleetArgs {
    #[command(flatten)]
    pub store: super::store::StoreUrl,
    /// Name the hosts whose newest scan is older than DURATION (6h, 1d, 36h).
    #[arg(long, value_name = "DURATION", value_parser = super::parse_duration)]
    pub since: Option<std::time::Duration>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

pub fn run(args: FleetArgs) -> anyhow::Result<u8> {
    let mut store = args.store.open()?;
    let latest = store.backend.latest_per_host()?;
    let mut hosts = Vec::with_capacity(latest.len());
    for scan in latest {
        // Results and threats only: the per-object rows are not needed across a fleet.
        let rows = store.backend.rows(scan.id, false)?;
        hosts.push((scan, rows));
    }
    let cutoff = match args.since {
        Some(d) => Some(
            jiff::Timestamp::now()
                .checked_sub(jiff::SignedDuration::try_from(d)?)
                .map_err(|e| anyhow::anyhow!("--since: {e}"))?,
        ),
        None => None,
    };
    let fleet = fleet::compute(&hosts, cutoff);
    let text = match args.format {
        Format::Table => report::fleet::table(&fleet, &store.location),
        Format::Json => report::fleet::json(&fleet),
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(EXIT_OK)
}
