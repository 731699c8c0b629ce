//! threatbench's history store: every `scan`, `threats` and `report` run is recorded (the whole
//! report plus rows SQL can query), `harden --apply`/`--rollback` record what they changed, and
//! `history`, `diff` and `fleet` read it back. SQLite by default
//! (`$XDG_DATA_HOME/threatbench/history.db`, else `~/.local/share/threatbench/history.db`);
//! `--store URL` or `THREATBENCH_STORE` chooses another file (`PATH`, `sqlite:PATH`) or a
//! PostgreSQL database (`postgres://…`) that many hosts write to at once.
//!
//! The store is threatbench's own data: the one write a scan makes besides its report, and
//! never on the scanned host's files (a `--root` scan writes to the scanner's store).

pub mod diff;
pub mod fleet;
pub mod migrations;
pub mod postgres;
pub mod record;
pub mod sqlite;

use std::path::PathBuf;

pub use record::{ObjectRow, ResultRow, ScanRecord, ThreatRow};

use crate::report::Summary;

/// The environment variable that names the store when `--store` does not.
pub const STORE_ENV: &str = "THREATBENCH_STORE";

/// A recorded scan, as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanRow {
    pub id: i64,
    pub host: String,
    pub host_key: String,
    pub time: String,
    pub command: String,
    pub tool_version: String,
    pub target: String,
    pub summary: Summary,
    pub exposed: usize,
    pub unknown: usize,
    pub worst_risk: Option<String>,
    pub complete: bool,
}

/// The queryable rows of one scan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanRows {
    pub results: Vec<ResultRow>,
    pub objects: Vec<ObjectRow>,
    pub threats: Vec<ThreatRow>,
}

/// What `harden --apply` or `--rollback` changed.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRecord {
    pub time: String,
    pub host: String,
    pub host_key: String,
    /// `apply` or `rollback`.
    pub action: String,
    /// The journal id of the apply (the backup it can be rolled back from).
    pub journal_id: String,
    pub scan_before: Option<i64>,
    pub scan_after: Option<i64>,
    /// One line per change made, with its outcome.
    pub entries: Vec<String>,
}

/// The operations both databases offer; the logic above them (diff, fleet) is shared.
pub trait Backend {
    fn insert_scan(&mut self, record: &ScanRecord<'_>) -> anyhow::Result<i64>;
    /// Scans newest first, of one host (its name or key) or of all.
    fn scans(&mut self, host: Option<&str>, limit: Option<usize>) -> anyhow::Result<Vec<ScanRow>>;
    fn scan(&mut self, id: i64) -> anyhow::Result<Option<ScanRow>>;
    /// The rows of a scan; `objects` false leaves the (large) per-object rows out.
    fn rows(&mut self, id: i64, objects: bool) -> anyhow::Result<ScanRows>;
    /// The gzip-compressed report of a scan.
    fn report(&mut self, id: i64) -> anyhow::Result<Option<Vec<u8>>>;
    /// The newest scan of every host.
    fn latest_per_host(&mut self) -> anyhow::Result<Vec<ScanRow>>;
    fn insert_change(&mut self, change: &ChangeRecord) -> anyhow::Result<i64>;
    fn changes(&mut self, host_key: &str) -> anyhow::Result<Vec<(i64, ChangeRecord)>>;
    /// The migration version the store is at.
    fn version(&mut self) -> anyhow::Result<i64>;
}

/// An open store and where it is (for messages; a URL's password masked).
pub struct Store {
    pub backend: Box<dyn Backend>,
    pub location: String,
}

/// Where the store is: `--store`, else `THREATBENCH_STORE`, else the default SQLite file.
pub fn location(flag: Option<&str>) -> anyhow::Result<String> {
    if let Some(url) = flag.filter(|s| !s.is_empty()) {
        return Ok(url.to_string());
    }
    if let Ok(url) = std::env::var(STORE_ENV)
        && !url.is_empty()
    {
        return Ok(url);
    }
    default_path().map(|p| p.display().to_string())
}

/// `$XDG_DATA_HOME/threatbench/history.db`, else `$HOME/.local/share/threatbench/history.db`.
pub fn default_path() -> anyhow::Result<PathBuf> {
    let base = match std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
            Some(home) => PathBuf::from(home).join(".local/share"),
            None => anyhow::bail!(
                "no store location: neither XDG_DATA_HOME nor HOME is set (use --store or {STORE_ENV})"
            ),
        },
    };
    Ok(base.join("threatbench").join("history.db"))
}

/// A URL with its password replaced by `***`, for messages.
pub fn masked(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some(parts) => parts,
        None => return url.to_string(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

impl Store {
    /// Open (and create or migrate) the store at `url`.
    pub fn open(url: &str) -> anyhow::Result<Store> {
        let location = masked(url);
        let backend: Box<dyn Backend> =
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                Box::new(
                    postgres::Postgres::open(url)
                        .map_err(|e| anyhow::anyhow!("store {location}: {e:#}"))?,
                )
            } else {
                let path = url.strip_prefix("sqlite:").unwrap_or(url);
                Box::new(
                    sqlite::Sqlite::open(std::path::Path::new(path))
                        .map_err(|e| anyhow::anyhow!("store {location}: {e:#}"))?,
                )
            };
        Ok(Store { backend, location })
    }

    /// Open the store `--store`/`THREATBENCH_STORE` name, or the default one.
    pub fn open_default(flag: Option<&str>) -> anyhow::Result<Store> {
        Store::open(&location(flag)?)
    }

    /// A scan by id, or the error that names what is missing.
    pub fn scan(&mut self, id: i64) -> anyhow::Result<ScanRow> {
        self.backend
            .scan(id)?
            .ok_or_else(|| anyhow::anyhow!("store {}: no scan {id}", self.location))
    }
}

/// The summary's counts as stored (one column each).
pub(crate) fn summary_columns(s: &Summary) -> [i64; 6] {
    [s.pass, s.fail, s.warn, s.info, s.skip, s.error].map(|n| n as i64)
}

pub(crate) fn summary_from(c: [i64; 6]) -> Summary {
    let n = |v: i64| usize::try_from(v).unwrap_or(0);
    Summary {
        pass: n(c[0]),
        fail: n(c[1]),
        warn: n(c[2]),
        info: n(c[3]),
        skip: n(c[4]),
        error: n(c[5]),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_masked_in_messages() {
        assert_eq!(
            super::masked("postgres://tb:s3cret@db.example:5432/tb"),
            "postgres://tb:***@db.example:5432/tb"
        );
        assert_eq!(super::masked("postgres://tb@db/tb"), "postgres://tb@db/tb");
        assert_eq!(super::masked("/var/lib/x.db"), "/var/lib/x.db");
    }
}
