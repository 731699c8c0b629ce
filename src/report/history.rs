//! `threatbench history`: the recorded scans, newest first, as a table or the
//! `threatbench/history/v1` JSON document.

use std::fmt::Write as _;

use serde::Serialize;

use super::Summary;
use super::sanitize::terminal;
use crate::store::ScanRow;

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

pub fn json(scans: &[ScanRow]) -> String {
    #[derive(Serialize)]
    struct Doc<'a> {
        schema: &'static str,
        scans: Vec<Entry<'a>>,
    }
    let doc = Doc {
        schema: HISTORY_SCHEMA,
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

pub fn table(scans: &[ScanRow], location: &str) -> String {
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
    let _ = writeln!(
        out,
        "\n{} scan(s) from {}. `threatbench diff OLD NEW` compares two.",
        scans.len(),
        terminal(location)
    );
    out
}
