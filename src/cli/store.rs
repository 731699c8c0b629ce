//! The history store as the commands use it: `--store URL`/`THREATBENCH_STORE` and `--no-store`
//! on the commands that record (scan, threats, report, harden --apply/--rollback), and the
//! recording itself. A store that cannot be opened or written is a warning naming it: the
//! report has already been written and the exit code stays what the scan decided.

use clap::Args;

use super::collect::SourceArgs;
use crate::report::ScanReport;
use crate::store::{ChangeRecord, STORE_ENV, ScanRecord, Store};

#[derive(Debug, Args, Clone, Default)]
pub struct StoreArgs {
    /// Record this run in the history store at URL: a SQLite file (PATH or sqlite:PATH) or
    /// postgres://user:password@host/db. Default: $XDG_DATA_HOME/threatbench/history.db
    /// (else ~/.local/share/threatbench/history.db).
    #[arg(long, value_name = "URL", env = STORE_ENV, hide_env_values = true)]
    pub store: Option<String>,
    /// Do not record this run (wins over --store and THREATBENCH_STORE).
    #[arg(long)]
    pub no_store: bool,
}

/// The store a reading command (history, diff, fleet) opens.
#[derive(Debug, Args, Clone, Default)]
pub struct StoreUrl {
    /// The store to read: a SQLite file (PATH or sqlite:PATH) or postgres://… Default: as
    /// `scan` records.
    #[arg(long, value_name = "URL", env = STORE_ENV, hide_env_values = true)]
    pub store: Option<String>,
}

impl StoreUrl {
    pub fn open(&self) -> anyhow::Result<Store> {
        Store::open_default(self.store.as_deref())
    }
}

/// How the facts were read, as the store lists it: `live`, `root` or `facts`, with
/// `+cluster-dump` and `+kube-api` when the cluster was read too.
pub fn target_kind(source: &SourceArgs, facts_file: bool) -> String {
    let mut kind = String::from(if facts_file {
        "facts"
    } else if source.root.is_some() {
        "root"
    } else {
        "live"
    });
    if source.cluster_dump.is_some() {
        kind.push_str("+cluster-dump");
    }
    if source.kube_api {
        kind.push_str("+kube-api");
    }
    kind
}

impl StoreArgs {
    /// Open the store unless `--no-store`; a failure is a warning (and `None`).
    pub fn open(&self) -> Option<Store> {
        if self.no_store {
            return None;
        }
        match Store::open_default(self.store.as_deref()) {
            Ok(store) => Some(store),
            Err(e) => {
                warn(&format!("{e:#}"));
                None
            }
        }
    }

    /// Record one assessment; one line on stderr says where. Returns the scan's id.
    pub fn record(&self, report: &ScanReport, command: &str, target: &str) -> Option<i64> {
        let mut store = self.open()?;
        let recorded = ScanRecord::from_report(report, command, target)
            .map_err(anyhow::Error::from)
            .and_then(|r| store.backend.insert_scan(&r));
        match recorded {
            Ok(id) => {
                anstream::eprintln!("threatbench: recorded as scan {id} in {}", store.location);
                Some(id)
            }
            Err(e) => {
                warn(&format!("store {}: not recorded: {e:#}", store.location));
                None
            }
        }
    }

    /// Record what `harden --apply` or `--rollback` changed.
    pub fn record_change(&self, change: &ChangeRecord) {
        let Some(mut store) = self.open() else {
            return;
        };
        match store.backend.insert_change(change) {
            Ok(id) => anstream::eprintln!(
                "threatbench: {} recorded as change {id} in {}",
                change.action,
                store.location
            ),
            Err(e) => warn(&format!(
                "store {}: change not recorded: {e:#}",
                store.location
            )),
        }
    }

    /// The newest recorded scan of a host, to link a change to.
    pub fn latest_scan(&self, host_key: &str) -> Option<i64> {
        let mut store = self.open()?;
        store
            .backend
            .scans(Some(host_key), Some(1))
            .ok()?
            .first()
            .map(|s| s.id)
    }
}

fn warn(text: &str) {
    anstream::eprintln!("threatbench: warning: {text}");
}
