//! The default store: one SQLite file (rusqlite with SQLite bundled, so no system library is
//! needed). WAL mode and a busy timeout let scans that end at the same moment wait for each
//! other instead of failing; the file is created 0600 in a 0700 directory (reports hold the
//! host's configuration).

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use super::migrations::{CURRENT, SQLITE};
use super::{
    Backend, ChangeRecord, ObjectRow, ResultRow, ScanRecord, ScanRow, ScanRows, ThreatRow,
    summary_columns, summary_from,
};

pub struct Sqlite {
    conn: Connection,
}

const SCAN_COLUMNS: &str = "id, host, host_key, time, command, tool_version, target, pass, fail, warn, info, skip, error, exposed, unknown, worst_risk, complete";

fn scan_row(r: &Row) -> rusqlite::Result<ScanRow> {
    Ok(ScanRow {
        id: r.get(0)?,
        host: r.get(1)?,
        host_key: r.get(2)?,
        time: r.get(3)?,
        command: r.get(4)?,
        tool_version: r.get(5)?,
        target: r.get(6)?,
        summary: summary_from([
            r.get(7)?,
            r.get(8)?,
            r.get(9)?,
            r.get(10)?,
            r.get(11)?,
            r.get(12)?,
        ]),
        exposed: usize::try_from(r.get::<_, i64>(13)?).unwrap_or(0),
        unknown: usize::try_from(r.get::<_, i64>(14)?).unwrap_or(0),
        worst_risk: r.get(15)?,
        complete: r.get::<_, i64>(16)? != 0,
    })
}

impl Sqlite {
    /// Open the file (creating it and its directory), and bring its schema to [`CURRENT`].
    pub fn open(path: &Path) -> anyhow::Result<Sqlite> {
        Sqlite::open_at(path, CURRENT)
    }

    /// Open and migrate up to `version` only: how an older threatbench left the store (tests).
    pub fn open_at(path: &Path, version: i64) -> anyhow::Result<Sqlite> {
        use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
        }
        // Create the file 0600 before SQLite opens it (SQLite would use the umask).
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)?;
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        migrate(&mut conn, version)?;
        Ok(Sqlite { conn })
    }
}

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

fn migrate(conn: &mut Connection, upto: i64) -> anyhow::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    )?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    anyhow::ensure!(
        current <= CURRENT,
        "written by a newer threatbench (schema version {current}; this one knows up to {CURRENT})"
    );
    for version in current + 1..=upto.min(CURRENT) {
        tx.execute_batch(SQLITE[(version - 1) as usize])?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            params![version, now()],
        )?;
    }
    tx.commit()?;
    Ok(())
}

impl Backend for Sqlite {
    fn insert_scan(&mut self, r: &ScanRecord<'_>) -> anyhow::Result<i64> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let [pass, fail, warn, info, skip, error] = summary_columns(&r.summary);
        tx.execute(
            "INSERT INTO scans (host, host_key, time, recorded_at, command, tool_version, editions, target, pass, fail, warn, info, skip, error, exposed, unknown, worst_risk, complete, report)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            params![
                r.host,
                r.host_key,
                r.time,
                now(),
                r.command,
                r.tool_version,
                r.editions,
                r.target,
                pass,
                fail,
                warn,
                info,
                skip,
                error,
                r.exposed as i64,
                r.unknown as i64,
                r.worst_risk,
                r.complete as i64,
                r.report,
            ],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut s = tx.prepare(
                "INSERT INTO results (scan_id, check_id, slug, benchmark, verdict, severity) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for x in &r.results {
                s.execute(params![
                    id,
                    x.check_id,
                    x.slug,
                    x.benchmark,
                    x.verdict,
                    x.severity
                ])?;
            }
            let mut s = tx.prepare(
                "INSERT INTO objects (scan_id, slug, kind, name, verdict) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for x in &r.objects {
                s.execute(params![id, x.slug, x.kind, x.name, x.verdict])?;
            }
            let mut s = tx.prepare(
                "INSERT INTO threats (scan_id, instance, threat, status, risk, score) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for x in &r.threats {
                s.execute(params![id, x.instance, x.threat, x.status, x.risk, x.score])?;
            }
        }
        tx.commit()?;
        Ok(id)
    }

    fn scans(&mut self, host: Option<&str>, limit: Option<usize>) -> anyhow::Result<Vec<ScanRow>> {
        let limit = limit.map(|n| n as i64).unwrap_or(-1);
        let mut s = self.conn.prepare(&format!(
            "SELECT {SCAN_COLUMNS} FROM scans WHERE (?1 IS NULL OR host = ?1 OR host_key = ?1) ORDER BY time DESC, id DESC LIMIT ?2"
        ))?;
        let rows = s.query_map(params![host, limit], scan_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn scan(&mut self, id: i64) -> anyhow::Result<Option<ScanRow>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {SCAN_COLUMNS} FROM scans WHERE id = ?1"),
                params![id],
                scan_row,
            )
            .optional()?)
    }

    fn rows(&mut self, id: i64, with_objects: bool) -> anyhow::Result<ScanRows> {
        let mut out = ScanRows::default();
        let mut s = self.conn.prepare(
            "SELECT check_id, slug, benchmark, verdict, severity FROM results WHERE scan_id = ?1",
        )?;
        out.results = s
            .query_map(params![id], |r| {
                Ok(ResultRow {
                    check_id: r.get(0)?,
                    slug: r.get(1)?,
                    benchmark: r.get(2)?,
                    verdict: r.get(3)?,
                    severity: r.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut s = self
            .conn
            .prepare("SELECT slug, kind, name, verdict FROM objects WHERE scan_id = ?1 AND ?2")?;
        out.objects = s
            .query_map(params![id, with_objects], |r| {
                Ok(ObjectRow {
                    slug: r.get(0)?,
                    kind: r.get(1)?,
                    name: r.get(2)?,
                    verdict: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut s = self.conn.prepare(
            "SELECT instance, threat, status, risk, score FROM threats WHERE scan_id = ?1",
        )?;
        out.threats = s
            .query_map(params![id], |r| {
                Ok(ThreatRow {
                    instance: r.get(0)?,
                    threat: r.get(1)?,
                    status: r.get(2)?,
                    risk: r.get(3)?,
                    score: r.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(out)
    }

    fn report(&mut self, id: i64) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .query_row("SELECT report FROM scans WHERE id = ?1", params![id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn latest_per_host(&mut self) -> anyhow::Result<Vec<ScanRow>> {
        let mut s = self.conn.prepare(&format!(
            "SELECT {SCAN_COLUMNS} FROM scans s WHERE id = (SELECT t.id FROM scans t WHERE t.host_key = s.host_key ORDER BY t.time DESC, t.id DESC LIMIT 1) ORDER BY host, host_key"
        ))?;
        let rows = s.query_map([], scan_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn insert_change(&mut self, c: &ChangeRecord) -> anyhow::Result<i64> {
        self.conn.execute(
            "INSERT INTO changes (time, host, host_key, action, journal_id, scan_before, scan_after, entries) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                c.time,
                c.host,
                c.host_key,
                c.action,
                c.journal_id,
                c.scan_before,
                c.scan_after,
                c.entries.join("\n")
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    fn changes(&mut self, host_key: &str) -> anyhow::Result<Vec<(i64, ChangeRecord)>> {
        let mut s = self.conn.prepare(
            "SELECT id, time, host, host_key, action, journal_id, scan_before, scan_after, entries FROM changes WHERE host_key = ?1 OR host = ?1 ORDER BY time DESC, id DESC",
        )?;
        let rows = s.query_map(params![host_key], |r| {
            Ok((
                r.get(0)?,
                ChangeRecord {
                    time: r.get(1)?,
                    host: r.get(2)?,
                    host_key: r.get(3)?,
                    action: r.get(4)?,
                    journal_id: r.get(5)?,
                    scan_before: r.get(6)?,
                    scan_after: r.get(7)?,
                    entries: r.get::<_, String>(8)?.lines().map(str::to_string).collect(),
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn version(&mut self) -> anyhow::Result<i64> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_report;

    /// A record of the fixture host (its facts and report live for the test process).
    fn record() -> ScanRecord<'static> {
        let facts = Box::leak(Box::new(crate::threats::tests::fixture_facts()));
        let report = Box::leak(Box::new(test_report(facts, true)));
        ScanRecord::from_report(report, "scan", "live").unwrap()
    }

    #[test]
    fn a_scan_round_trips_with_its_rows_and_report() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep/er/history.db");
        let mut db = Sqlite::open(&path).unwrap();
        assert_eq!(db.version().unwrap(), CURRENT);
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let r = record();
        let id = db.insert_scan(&r).unwrap();
        let row = db.scan(id).unwrap().unwrap();
        assert_eq!(row.host, "build-01");
        assert_eq!(row.summary, r.summary);
        assert_eq!(row.exposed, r.exposed);
        let rows = db.rows(id, true).unwrap();
        assert_eq!(
            rows.results,
            r.results
                .iter()
                .map(ResultRow::to_owned)
                .collect::<Vec<_>>()
        );
        assert_eq!(
            rows.objects,
            r.objects
                .iter()
                .map(ObjectRow::to_owned)
                .collect::<Vec<_>>()
        );
        assert_eq!(
            rows.threats,
            r.threats
                .iter()
                .map(ThreatRow::to_owned)
                .collect::<Vec<_>>()
        );
        assert!(db.rows(id, false).unwrap().objects.is_empty());
        let text = super::super::record::decompress(&db.report(id).unwrap().unwrap()).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["scan"]["schema"], "threatbench/scan/v1");
        assert_eq!(doc["threats"]["schema"], "threatbench/threats/v2");
        let second = db.insert_scan(&r).unwrap();
        let listed = db.scans(Some("build-01"), Some(1)).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].id, second, "newest first");
        assert_eq!(db.latest_per_host().unwrap().len(), 1);
    }

    /// A store an older threatbench left at version 1 is brought forward, its scans intact.
    #[test]
    fn a_version_1_store_migrates_and_keeps_its_scans() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        let id = {
            let mut old = Sqlite::open_at(&path, 1).unwrap();
            assert_eq!(old.version().unwrap(), 1);
            old.insert_scan(&record()).unwrap()
        };
        let mut db = Sqlite::open(&path).unwrap();
        assert_eq!(db.version().unwrap(), CURRENT);
        assert!(db.scan(id).unwrap().is_some());
        let change = ChangeRecord {
            time: "2026-12-04T00:00:00Z".into(),
            host: "build-01".into(),
            host_key: "build-01".into(),
            action: "apply".into(),
            journal_id: "j1".into(),
            scan_before: Some(id),
            scan_after: None,
            entries: vec!["/etc/docker/daemon.json: done".into()],
        };
        db.insert_change(&change).unwrap();
        assert_eq!(db.changes("build-01").unwrap()[0].1, change);
    }

    #[test]
    fn a_store_from_a_newer_threatbench_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        drop(Sqlite::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations VALUES (?1, 'later')",
            params![CURRENT + 1],
        )
        .unwrap();
        drop(conn);
        let err = Sqlite::open(&path).err().unwrap().to_string();
        assert!(err.contains("newer threatbench"), "{err}");
    }
}
