//! `threatbench fleet`: every host's newest scan, the threats exposed on the most hosts and the
//! checks failing on the most hosts, as a table or the `threatbench/fleet/v1` JSON document.

use std::fmt::Write as _;

use super::sanitize::terminal;
use crate::store::fleet::Fleet;

/// Threats and checks listed in the table (the JSON has all).
const TOP: usize = 10;

pub fn json(f: &Fleet) -> String {
    serde_json::to_string_pretty(f).unwrap_or_default() + "\n"
}

pub fn table(f: &Fleet, location: &str) -> String {
    let mut out = String::new();
    if f.hosts.is_empty() {
        let _ = writeln!(out, "No scan recorded in {} yet.", terminal(location));
        return out;
    }
    let _ = writeln!(
        out,
        "{} host(s) in {}\n\n{:<28} {:>6}  {:<20}  {:>4} {:>4} {:>5}  {:>7}  worst",
        f.hosts.len(),
        terminal(location),
        "host",
        "scan",
        "last scan",
        "fail",
        "warn",
        "error",
        "exposed"
    );
    for h in &f.hosts {
        let time: String = h.last_scan.time.chars().take(19).collect();
        let _ = writeln!(
            out,
            "{:<28} {:>6}  {:<20}  {:>4} {:>4} {:>5}  {:>7}  {}{}",
            terminal(&h.host),
            h.last_scan.id,
            time,
            h.summary.fail,
            h.summary.warn,
            h.summary.error,
            h.exposed,
            h.worst_risk.as_deref().unwrap_or("-"),
            if h.stale {
                "  (not seen since --since)"
            } else {
                ""
            }
        );
    }
    if !f.threats.is_empty() {
        let _ = writeln!(out, "\nThreats exposed on the most hosts:");
        for t in f.threats.iter().take(TOP) {
            let _ = writeln!(
                out,
                "  {:>4} host(s)  {:<10} {}",
                t.hosts,
                t.threat,
                terminal(&t.title)
            );
        }
    }
    if !f.checks.is_empty() {
        let _ = writeln!(out, "\nChecks failing on the most hosts:");
        for c in f.checks.iter().take(TOP) {
            let _ = writeln!(
                out,
                "  {:>4} host(s)  {:<8} {}",
                c.hosts_failing, c.id, c.slug
            );
        }
    }
    if !f.not_seen_since.is_empty() {
        let _ = writeln!(
            out,
            "\nNot seen since --since: {}",
            terminal(&f.not_seen_since.join(", "))
        );
    }
    out
}
