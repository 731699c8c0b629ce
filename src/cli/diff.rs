//! `threatbench diff [OLD] [NEW]`: what changed between two recorded scans (default: the last
//! two of this host). Exit 1 with `--fail-on-new LEVEL` when a new finding reaches LEVEL.

use clap::{Args, ValueEnum};

use super::{EXIT_FINDINGS, EXIT_OK, write_output};
use crate::checks::Severity;
use crate::report;
use crate::store::diff::{Change, compute};

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Columns for a terminal.
    Table,
    /// The threatbench/diff/v1 JSON document.
    Json,
    /// A document for a ticket or a review.
    Markdown,
}

#[derive(Debug, Args)]
#[command(after_help = "Exit codes:
  0  the diff was made (changes or not)
  1  a new finding at or above --fail-on-new
  2  usage error: fewer than two scans, an unknown scan id, an unreadable store")]
pub struct DiffArgs {
    /// The older scan's id (default: the second newest scan of the host).
    pub old: Option<i64>,
    /// The newer scan's id (default: the newest scan of the host).
    pub new: Option<i64>,
    /// The host whose last two scans to compare (default: this machine).
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Exit with 1 when a new finding has this severity or above (for CI).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on_new: Option<Severity>,
    #[command(flatten)]
    pub store: super::store::StoreUrl,
    /// Write to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

pub fn run(args: DiffArgs) -> anyhow::Result<u8> {
    let mut store = args.store.open()?;
    let (old_id, new_id) = match (args.old, args.new) {
        (Some(o), Some(n)) => (o, n),
        (Some(_), None) | (None, Some(_)) => {
            anyhow::bail!("give both scan ids (OLD NEW), or neither for the last two of the host")
        }
        (None, None) => {
            let host = args
                .host
                .clone()
                .unwrap_or_else(|| crate::collect::this_host().identity());
            let last = store.backend.scans(Some(&host), Some(2))?;
            anyhow::ensure!(
                last.len() == 2,
                "store {}: {} scan(s) of host {host}; a diff needs two (`threatbench history` lists them; --host chooses another)",
                store.location,
                last.len()
            );
            (last[1].id, last[0].id)
        }
    };
    let old = store.scan(old_id)?;
    let new = store.scan(new_id)?;
    let old_rows = store.backend.rows(old_id, true)?;
    let new_rows = store.backend.rows(new_id, true)?;
    let diff = compute(&old, &old_rows, &new, &new_rows);
    let text = match args.format {
        Format::Table => report::diff::table(&diff),
        Format::Json => report::diff::json(&diff),
        Format::Markdown => report::diff::markdown(&diff),
    };
    write_output(args.output.as_deref(), &text)?;
    let hit = args.fail_on_new.is_some_and(|threshold| {
        diff.findings.iter().any(|f| {
            f.change == Change::New && Severity::parse(&f.severity).is_some_and(|s| s >= threshold)
        })
    });
    Ok(if hit { EXIT_FINDINGS } else { EXIT_OK })
}
