//! The store's schema, as numbered migrations per SQL dialect; a store records the versions it
//! has in `schema_migrations` and is brought forward on open, each step in a transaction.
//!
//! Decision: a small table of our own rather than refinery or sqlx: two dialects, a handful of
//! steps, one connection type each; refinery would add its own driver features and macros for
//! what is a loop over this list. The two lists must stay the same schema (a test compares the
//! columns). Version 1: scans with their results, objects and threat instances; version 2:
//! the changes `harden --apply` and `--rollback` made, linked to the scans before and after.

/// SQLite, step by step (index 0 is version 1).
pub const SQLITE: &[&str] = &[
    "CREATE TABLE scans (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        host TEXT NOT NULL,
        host_key TEXT NOT NULL,
        time TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        command TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        editions TEXT NOT NULL,
        target TEXT NOT NULL,
        pass INTEGER NOT NULL, fail INTEGER NOT NULL, warn INTEGER NOT NULL,
        info INTEGER NOT NULL, skip INTEGER NOT NULL, error INTEGER NOT NULL,
        exposed INTEGER NOT NULL, unknown INTEGER NOT NULL,
        worst_risk TEXT,
        complete INTEGER NOT NULL,
        report BLOB NOT NULL
    );
    CREATE INDEX scans_by_host ON scans (host_key, time);
    CREATE TABLE results (
        scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
        check_id TEXT NOT NULL, slug TEXT NOT NULL, benchmark TEXT NOT NULL,
        verdict TEXT NOT NULL, severity TEXT NOT NULL
    );
    CREATE INDEX results_by_scan ON results (scan_id);
    CREATE TABLE objects (
        scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
        slug TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, verdict TEXT NOT NULL
    );
    CREATE INDEX objects_by_scan ON objects (scan_id);
    CREATE TABLE threats (
        scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
        instance TEXT NOT NULL, threat TEXT NOT NULL, status TEXT NOT NULL,
        risk TEXT NOT NULL, score INTEGER NOT NULL
    );
    CREATE INDEX threats_by_scan ON threats (scan_id);",
    "CREATE TABLE changes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time TEXT NOT NULL,
        host TEXT NOT NULL,
        host_key TEXT NOT NULL,
        action TEXT NOT NULL,
        journal_id TEXT NOT NULL,
        scan_before INTEGER REFERENCES scans (id) ON DELETE SET NULL,
        scan_after INTEGER REFERENCES scans (id) ON DELETE SET NULL,
        entries TEXT NOT NULL
    );
    CREATE INDEX changes_by_host ON changes (host_key, time);",
];

/// PostgreSQL: the same tables and columns.
pub const POSTGRES: &[&str] = &[
    "CREATE TABLE scans (
        id BIGSERIAL PRIMARY KEY,
        host TEXT NOT NULL,
        host_key TEXT NOT NULL,
        time TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        command TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        editions TEXT NOT NULL,
        target TEXT NOT NULL,
        pass BIGINT NOT NULL, fail BIGINT NOT NULL, warn BIGINT NOT NULL,
        info BIGINT NOT NULL, skip BIGINT NOT NULL, error BIGINT NOT NULL,
        exposed BIGINT NOT NULL, unknown BIGINT NOT NULL,
        worst_risk TEXT,
        complete BIGINT NOT NULL,
        report BYTEA NOT NULL
    );
    CREATE INDEX scans_by_host ON scans (host_key, time);
    CREATE TABLE results (
        scan_id BIGINT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
        check_id TEXT NOT NULL, slug TEXT NOT NULL, benchmark TEXT NOT NULL,
        verdict TEXT NOT NULL, severity TEXT NOT NULL
    );
    CREATE INDEX results_by_scan ON results (scan_id);
    CREATE TABLE objects (
        scan_id BIGINT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
        slug TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, verdict TEXT NOT NULL
    );
    CREATE INDEX objects_by_scan ON objects (scan_id);
    CREATE TABLE threats (
        scan_id BIGINT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
        instance TEXT NOT NULL, threat TEXT NOT NULL, status TEXT NOT NULL,
        risk TEXT NOT NULL, score BIGINT NOT NULL
    );
    CREATE INDEX threats_by_scan ON threats (scan_id);",
    "CREATE TABLE changes (
        id BIGSERIAL PRIMARY KEY,
        time TEXT NOT NULL,
        host TEXT NOT NULL,
        host_key TEXT NOT NULL,
        action TEXT NOT NULL,
        journal_id TEXT NOT NULL,
        scan_before BIGINT REFERENCES scans (id) ON DELETE SET NULL,
        scan_after BIGINT REFERENCES scans (id) ON DELETE SET NULL,
        entries TEXT NOT NULL
    );
    CREATE INDEX changes_by_host ON changes (host_key, time);",
];

/// The version a store is at once every step has run.
pub const CURRENT: i64 = SQLITE.len() as i64;

#[cfg(test)]
mod tests {
    /// `CREATE TABLE name (col ...` → (table, [columns]) for a migration text.
    fn columns(sql: &str) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for stmt in sql.split(';') {
            let stmt = stmt.trim();
            let Some(rest) = stmt.strip_prefix("CREATE TABLE ") else {
                continue;
            };
            let (name, body) = rest.split_once('(').unwrap();
            let cols = body
                .split(',')
                .map(|c| c.split_whitespace().next().unwrap_or("").to_string())
                .filter(|c| {
                    !c.is_empty() && c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')
                })
                .collect();
            out.push((name.trim().to_string(), cols));
        }
        out
    }

    #[test]
    fn both_dialects_have_the_same_tables_and_columns() {
        assert_eq!(super::SQLITE.len(), super::POSTGRES.len());
        for (s, p) in super::SQLITE.iter().zip(super::POSTGRES) {
            assert_eq!(columns(s), columns(p));
        }
    }
}
