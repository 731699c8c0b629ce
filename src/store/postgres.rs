//! The store for fleets: one PostgreSQL database that every host's scans write to at once
//! (tokio-postgres). Each scan is one transaction; rows go in with one `unnest` insert per
//! table, so a 10,000-pod scan is a few statements, not 100,000 round trips. Migrations take a
//! transaction-scoped advisory lock, so 300 pods starting together migrate once.
//!
//! TLS through rustls (ring, as the rest of threatbench): `sslmode=prefer` (the default) uses it
//! when the server offers it, `sslmode=require` insists, `sslmode=disable` never. Unlike libpq's
//! `require`, the server certificate is always verified: against the system's roots, plus the
//! PEM file named by `THREATBENCH_STORE_CA` (a private database's CA).

use std::sync::Arc;

use tokio_postgres::{Client, Row};
use tokio_postgres_rustls::MakeRustlsConnect;

/// A PEM file of CA certificates to trust for the store's server, beside the system's.
pub const STORE_CA_ENV: &str = "THREATBENCH_STORE_CA";

use super::migrations::{CURRENT, POSTGRES};
use super::{
    Backend, ChangeRecord, ObjectRow, ResultRow, ScanRecord, ScanRow, ScanRows, ThreatRow,
    summary_columns, summary_from,
};

pub struct Postgres {
    rt: tokio::runtime::Runtime,
    client: Client,
}

/// Any number that is ours: the key of the migration lock.
const MIGRATION_LOCK: i64 = 0x7468_7265_6174;

const SCAN_COLUMNS: &str = "id, host, host_key, time, command, tool_version, target, pass, fail, warn, info, skip, error, exposed, unknown, worst_risk, complete";

fn scan_row(r: &Row) -> ScanRow {
    let n = |i: usize| usize::try_from(r.get::<_, i64>(i)).unwrap_or(0);
    ScanRow {
        id: r.get(0),
        host: r.get(1),
        host_key: r.get(2),
        time: r.get(3),
        command: r.get(4),
        tool_version: r.get(5),
        target: r.get(6),
        summary: summary_from([7, 8, 9, 10, 11, 12].map(|i| r.get::<_, i64>(i))),
        exposed: n(13),
        unknown: n(14),
        worst_risk: r.get(15),
        complete: r.get::<_, i64>(16) != 0,
    }
}

impl Postgres {
    pub fn open(url: &str) -> anyhow::Result<Postgres> {
        Postgres::open_at(url, CURRENT)
    }

    /// Connect and migrate up to `version` only (tests: how an older threatbench left it).
    pub fn open_at(url: &str, version: i64) -> anyhow::Result<Postgres> {
        let rt = crate::cli::runtime()?;
        let tls = tls()?;
        let client = rt.block_on(connect_with_retries(url, tls))?;
        let mut store = Postgres { rt, client };
        store.migrate(version)?;
        Ok(store)
    }

    fn migrate(&mut self, upto: i64) -> anyhow::Result<()> {
        let client = &mut self.client;
        self.rt.block_on(async {
            let tx = client.transaction().await?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
                .await?;
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
            )
            .await?;
            let current: i64 = tx
                .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &[])
                .await?
                .get(0);
            anyhow::ensure!(
                current <= CURRENT,
                "written by a newer threatbench (schema version {current}; this one knows up to {CURRENT})"
            );
            for version in current + 1..=upto.min(CURRENT) {
                tx.batch_execute(POSTGRES[(version - 1) as usize]).await?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                    &[&version, &jiff::Timestamp::now().to_string()],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }
}

/// Attempts to connect before giving up: a DaemonSet's pods all start at once, and a server's
/// `max_connections` (or a restart) turns some away for a while. About 70 s in all: a scan
/// that waits a minute to be recorded is better than one lost.
const CONNECT_ATTEMPTS: u32 = 12;

/// Connect, waiting and trying again while the server is full or not yet accepting; each
/// process waits a little differently (by its pid) so that retries do not arrive together.
async fn connect_with_retries(url: &str, tls: MakeRustlsConnect) -> anyhow::Result<Client> {
    use tokio_postgres::error::SqlState;
    let mut attempt = 0;
    loop {
        match tokio_postgres::connect(url, tls.clone()).await {
            Ok((client, connection)) => {
                // Driven whenever a query is awaited on this (current-thread) runtime.
                tokio::spawn(connection);
                return Ok(client);
            }
            Err(e) => {
                let busy = matches!(
                    e.code(),
                    Some(c) if *c == SqlState::TOO_MANY_CONNECTIONS || *c == SqlState::CANNOT_CONNECT_NOW
                ) || std::error::Error::source(&e)
                    .and_then(|s| s.downcast_ref::<std::io::Error>())
                    .is_some_and(|io| server_not_there(io.kind()));
                attempt += 1;
                if !busy || attempt >= CONNECT_ATTEMPTS {
                    return Err(e.into());
                }
                let base = 200u64 << attempt.min(5);
                let jitter = u64::from(std::process::id() % 250);
                tokio::time::sleep(std::time::Duration::from_millis(base.min(5_000) + jitter))
                    .await;
            }
        }
    }
}

/// A connection the server refused or dropped (starting, restarting, overloaded): worth
/// another try. A TLS failure (an untrusted certificate) or a bad password is not.
fn server_not_there(kind: std::io::ErrorKind) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        kind,
        ConnectionRefused | ConnectionReset | ConnectionAborted | NotConnected | TimedOut
    )
}

/// rustls with the system's roots and `THREATBENCH_STORE_CA`'s.
fn tls() -> anyhow::Result<MakeRustlsConnect> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        // A system certificate rustls cannot use is skipped, as browsers do.
        let _ = roots.add(cert);
    }
    if let Some(path) = std::env::var_os(STORE_CA_ENV).filter(|p| !p.is_empty()) {
        let shown = std::path::Path::new(&path).display().to_string();
        let mut added = 0;
        for cert in CertificateDer::pem_file_iter(&path)
            .map_err(|e| anyhow::anyhow!("{STORE_CA_ENV} {shown}: {e}"))?
        {
            let cert = cert.map_err(|e| anyhow::anyhow!("{STORE_CA_ENV} {shown}: {e}"))?;
            roots
                .add(cert)
                .map_err(|e| anyhow::anyhow!("{STORE_CA_ENV} {shown}: {e}"))?;
            added += 1;
        }
        anyhow::ensure!(
            added > 0,
            "{STORE_CA_ENV} {shown}: no PEM certificate in it"
        );
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

fn column<'a, T, F: Fn(&T) -> &'a str>(rows: &[T], f: F) -> Vec<&'a str> {
    rows.iter().map(f).collect()
}

impl Backend for Postgres {
    fn insert_scan(&mut self, r: &ScanRecord<'_>) -> anyhow::Result<i64> {
        let client = &mut self.client;
        self.rt.block_on(async {
            let tx = client.transaction().await?;
            let [pass, fail, warn, info, skip, error] = summary_columns(&r.summary);
            let row = tx
                .query_one(
                    "INSERT INTO scans (host, host_key, time, recorded_at, command, tool_version, editions, target, pass, fail, warn, info, skip, error, exposed, unknown, worst_risk, complete, report)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id",
                    &[
                        &r.host,
                        &r.host_key,
                        &r.time,
                        &jiff::Timestamp::now().to_string(),
                        &r.command,
                        &r.tool_version,
                        &r.editions,
                        &r.target,
                        &pass,
                        &fail,
                        &warn,
                        &info,
                        &skip,
                        &error,
                        &(r.exposed as i64),
                        &(r.unknown as i64),
                        &r.worst_risk,
                        &(r.complete as i64),
                        &r.report,
                    ],
                )
                .await?;
            let id: i64 = row.get(0);
            tx.execute(
                "INSERT INTO results (scan_id, check_id, slug, benchmark, verdict, severity)
                 SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])",
                &[
                    &id,
                    &column(&r.results, |x| x.check_id),
                    &column(&r.results, |x| x.slug),
                    &column(&r.results, |x| x.benchmark),
                    &column(&r.results, |x| x.verdict),
                    &column(&r.results, |x| x.severity),
                ],
            )
            .await?;
            tx.execute(
                "INSERT INTO objects (scan_id, slug, kind, name, verdict)
                 SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])",
                &[
                    &id,
                    &column(&r.objects, |x| x.slug),
                    &column(&r.objects, |x| x.kind),
                    &column(&r.objects, |x| x.name),
                    &column(&r.objects, |x| x.verdict),
                ],
            )
            .await?;
            let scores: Vec<i64> = r.threats.iter().map(|x| x.score).collect();
            tx.execute(
                "INSERT INTO threats (scan_id, instance, threat, status, risk, score)
                 SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])",
                &[
                    &id,
                    &column(&r.threats, |x| x.instance),
                    &column(&r.threats, |x| x.threat),
                    &column(&r.threats, |x| x.status),
                    &column(&r.threats, |x| x.risk),
                    &scores,
                ],
            )
            .await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    fn scans(&mut self, host: Option<&str>, limit: Option<usize>) -> anyhow::Result<Vec<ScanRow>> {
        let limit = limit.map(|n| n as i64);
        let rows = self.rt.block_on(self.client.query(
            &format!(
                "SELECT {SCAN_COLUMNS} FROM scans WHERE ($1::text IS NULL OR host = $1 OR host_key = $1) ORDER BY time DESC, id DESC LIMIT $2"
            ),
            &[&host, &limit],
        ))?;
        Ok(rows.iter().map(scan_row).collect())
    }

    fn scan(&mut self, id: i64) -> anyhow::Result<Option<ScanRow>> {
        let row = self.rt.block_on(self.client.query_opt(
            &format!("SELECT {SCAN_COLUMNS} FROM scans WHERE id = $1"),
            &[&id],
        ))?;
        Ok(row.as_ref().map(scan_row))
    }

    fn rows(&mut self, id: i64, with_objects: bool) -> anyhow::Result<ScanRows> {
        let client = &self.client;
        self.rt.block_on(async {
            let results = client
                .query(
                    "SELECT check_id, slug, benchmark, verdict, severity FROM results WHERE scan_id = $1",
                    &[&id],
                )
                .await?
                .iter()
                .map(|r| ResultRow {
                    check_id: r.get(0),
                    slug: r.get(1),
                    benchmark: r.get(2),
                    verdict: r.get(3),
                    severity: r.get(4),
                })
                .collect();
            let objects = client
                .query(
                    "SELECT slug, kind, name, verdict FROM objects WHERE scan_id = $1 AND $2",
                    &[&id, &with_objects],
                )
                .await?
                .iter()
                .map(|r| ObjectRow {
                    slug: r.get(0),
                    kind: r.get(1),
                    name: r.get(2),
                    verdict: r.get(3),
                })
                .collect();
            let threats = client
                .query(
                    "SELECT instance, threat, status, risk, score FROM threats WHERE scan_id = $1",
                    &[&id],
                )
                .await?
                .iter()
                .map(|r| ThreatRow {
                    instance: r.get(0),
                    threat: r.get(1),
                    status: r.get(2),
                    risk: r.get(3),
                    score: r.get(4),
                })
                .collect();
            Ok(ScanRows {
                results,
                objects,
                threats,
            })
        })
    }

    fn report(&mut self, id: i64) -> anyhow::Result<Option<Vec<u8>>> {
        let row = self.rt.block_on(
            self.client
                .query_opt("SELECT report FROM scans WHERE id = $1", &[&id]),
        )?;
        Ok(row.map(|r| r.get(0)))
    }

    fn latest_per_host(&mut self) -> anyhow::Result<Vec<ScanRow>> {
        let rows = self.rt.block_on(self.client.query(
            &format!(
                "SELECT {SCAN_COLUMNS} FROM (SELECT DISTINCT ON (host_key) * FROM scans ORDER BY host_key, time DESC, id DESC) latest ORDER BY host, host_key"
            ),
            &[],
        ))?;
        Ok(rows.iter().map(scan_row).collect())
    }

    fn insert_change(&mut self, c: &ChangeRecord) -> anyhow::Result<i64> {
        let row = self.rt.block_on(self.client.query_one(
            "INSERT INTO changes (time, host, host_key, action, journal_id, scan_before, scan_after, entries) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            &[
                &c.time,
                &c.host,
                &c.host_key,
                &c.action,
                &c.journal_id,
                &c.scan_before,
                &c.scan_after,
                &c.entries.join("\n"),
            ],
        ))?;
        Ok(row.get(0))
    }

    fn changes(&mut self, host_key: &str) -> anyhow::Result<Vec<(i64, ChangeRecord)>> {
        let rows = self.rt.block_on(self.client.query(
            "SELECT id, time, host, host_key, action, journal_id, scan_before, scan_after, entries FROM changes WHERE host_key = $1 OR host = $1 ORDER BY time DESC, id DESC",
            &[&host_key],
        ))?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get(0),
                    ChangeRecord {
                        time: r.get(1),
                        host: r.get(2),
                        host_key: r.get(3),
                        action: r.get(4),
                        journal_id: r.get(5),
                        scan_before: r.get(6),
                        scan_after: r.get(7),
                        entries: r.get::<_, String>(8).lines().map(str::to_string).collect(),
                    },
                )
            })
            .collect())
    }

    fn version(&mut self) -> anyhow::Result<i64> {
        let row = self.rt.block_on(self.client.query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        ))?;
        Ok(row.get(0))
    }
}

#[cfg(test)]
mod tests {
    /// A refused or dropped connection is retried; a TLS failure (rustls reports it as invalid
    /// data) or another error is said at once.
    #[test]
    fn only_an_absent_or_busy_server_is_retried() {
        use std::io::ErrorKind::*;
        assert!(super::server_not_there(ConnectionRefused));
        assert!(super::server_not_there(ConnectionReset));
        assert!(!super::server_not_there(InvalidData));
        assert!(!super::server_not_there(PermissionDenied));
    }
}
