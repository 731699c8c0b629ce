//! `threatbench history`: the recorded scans, newest first, as a table or the
//! `threatbench/history/v1` JSON document.

use std::fmt::Write as _;

use serde::Serialize;

use super::Summary;
use super::sanitize::terminal;
use crate::store::{ChangeRecord, ScanRow};

pub const HISTORY_SCHEMA: &str = "threatbench/history/v1";

#[derive(Serialize)]
struct Entry<'a> {
    id: i64,
    host: &'a str,
    host_key: &'a str,
    time: &'a str,
    command: &'a str,
    target: &'a str,
    tool_version: &'a str,
    summary: Summary,
    exposed_threats: usize,
    unknown_threats: usize,
    worst_risk: Option<&'a str>,
    complete: bool,
}

#[derive(Serialize)]
struct Change<'a> {
    id: i64,
    time: &'a str,
    host: &'a str,
    action: &'a str,
    journal_id: &'a str,
    scan_before: Option<i64>,
    scan_after: Option<i64>,
    entries: &'a [String],
}

/// `changes`: what `harden --apply`/`--rollback` changed on the host (with `--host`).
pub fn json(scans: &[ScanRow], changes: &[(i64, ChangeRecord)]) -> String {
    #[derive(Serialize)]
    struct Doc<'a> {
        schema: &'static str,
        scans: Vec<Entry<'a>>,
        changes: Vec<Change<'a>>,
    }
    let doc = Doc {
        schema: HISTORY_SCHEMA,
        changes: changes
            .iter()
            .map(|(id, c)| Change {
                id: *id,
                time: &c.time,
                host: &c.host,
                action: &c.action,
                journal_id: &c.journal_id,
                scan_before: c.scan_before,
                scan_after: c.scan_after,
                entries: &c.entries,
            })
            .collect(),
        scans: scans
            .iter()
            .map(|s| Entry {
                id: s.id,
                host: &s.host,
                host_key: &s.host_key,
                time: &s.time,
                command: &s.command,
                target: &s.target,
                tool_version: &s.tool_version,
                summary: s.summary,
                exposed_threats: s.exposed,
                unknown_threats: s.unknown,
                worst_risk: s.worst_risk.as_deref(),
                complete: s.complete,
            })
            .collect(),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

pub fn table(scans: &[ScanRow], changes: &[(i64, ChangeRecord)], location: &str) -> String {
    let mut out = String::new();
    if scans.is_empty() {
        let _ = writeln!(out, "No scan recorded in {} yet.", terminal(location));
        return out;
    }
    let _ = writeln!(
        out,
        "{:>6}  {:<20}  {:<24}  {:<8}  {:<18}  {:>4} {:>4} {:>4} {:>5}  {:>7}  worst",
        "id", "time", "host", "command", "target", "fail", "warn", "pass", "error", "exposed"
    );
    for s in scans {
        let time: String = s.time.chars().take(19).collect();
        let _ = writeln!(
            out,
            "{:>6}  {:<20}  {:<24}  {:<8}  {:<18}  {:>4} {:>4} {:>4} {:>5}  {:>7}  {}{}",
            s.id,
            time,
            terminal(&s.host),
            s.command,
            s.target,
            s.summary.fail,
            s.summary.warn,
            s.summary.pass,
            s.summary.error,
            s.exposed,
            s.worst_risk.as_deref().unwrap_or("-"),
            if s.complete { "" } else { " (incomplete)" }
        );
    }
    if !changes.is_empty() {
        let _ = writeln!(out, "\nChanges made by harden:");
        for (id, c) in changes {
            let time: String = c.time.chars().take(19).collect();
            let _ = writeln!(
                out,
                "  change {id} {time} {} (journal {}) between scans {} and {}: {}",
                c.action,
                terminal(&c.journal_id),
                c.scan_before.map_or("-".to_string(), |s| s.to_string()),
                c.scan_after.map_or("-".to_string(), |s| s.to_string()),
                terminal(&c.entries.join("; "))
            );
        }
    }
    let _ = writeln!(
        out,
        "\n{} scan(s) from {}. `threatbench diff OLD NEW` compares two.",
        scans.len(),
        terminal(location)
    );
    out
}
