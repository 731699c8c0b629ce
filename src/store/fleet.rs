//! `threatbench fleet`: the newest scan of every host in a store, the threats exposed on the
//! most hosts and the checks failing on the most hosts, and the hosts not seen since a time.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{ScanRow, ScanRows};
use crate::report::Summary;

pub const FLEET_SCHEMA: &str = "threatbench/fleet/v1";

#[derive(Debug, Clone, Serialize)]
pub struct LastScan {
    pub id: i64,
    pub time: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct HostEntry {
    pub host: String,
    /// The identity the store keys the host by (`hostname/machine-id`).
    pub host_key: String,
    pub last_scan: LastScan,
    pub summary: Summary,
    pub exposed: usize,
    pub worst_risk: Option<String>,
    pub complete: bool,
    /// Not scanned since `--since` ago.
    pub stale: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FleetThreat {
    pub threat: String,
    pub title: String,
    /// Hosts with at least one exposed instance of the threat.
    pub hosts: usize,
    pub instances: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FleetCheck {
    pub id: String,
    pub slug: String,
    pub benchmark: String,
    pub hosts_failing: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Fleet {
    pub schema: &'static str,
    pub hosts: Vec<HostEntry>,
    pub threats: Vec<FleetThreat>,
    pub checks: Vec<FleetCheck>,
    /// Hosts whose newest scan is older than `--since` (empty without it).
    pub not_seen_since: Vec<String>,
}

/// `latest`: each host's newest scan with its result and threat rows; `cutoff`: the time
/// before which a host counts as not seen.
pub fn compute(latest: &[(ScanRow, ScanRows)], cutoff: Option<jiff::Timestamp>) -> Fleet {
    let catalogue = crate::threats::builtin();
    let mut threat_hosts: BTreeMap<&str, (BTreeSet<&str>, usize)> = BTreeMap::new();
    let mut check_hosts: BTreeMap<&str, (BTreeSet<&str>, &super::ResultRow)> = BTreeMap::new();
    let mut hosts = Vec::new();
    let mut not_seen_since = Vec::new();
    for (scan, rows) in latest {
        let stale =
            cutoff.is_some_and(|c| scan.time.parse::<jiff::Timestamp>().is_ok_and(|t| t < c));
        if stale {
            not_seen_since.push(scan.host.clone());
        }
        for t in rows.threats.iter().filter(|t| t.status == "exposed") {
            let entry = threat_hosts.entry(t.threat.as_str()).or_default();
            entry.0.insert(scan.host_key.as_str());
            entry.1 += 1;
        }
        for r in rows.results.iter().filter(|r| r.verdict == "fail") {
            check_hosts
                .entry(r.slug.as_str())
                .or_insert_with(|| (BTreeSet::new(), r))
                .0
                .insert(scan.host_key.as_str());
        }
        hosts.push(HostEntry {
            host: scan.host.clone(),
            host_key: scan.host_key.clone(),
            last_scan: LastScan {
                id: scan.id,
                time: scan.time.clone(),
            },
            summary: scan.summary,
            exposed: scan.exposed,
            worst_risk: scan.worst_risk.clone(),
            complete: scan.complete,
            stale,
        });
    }
    let mut threats: Vec<FleetThreat> = threat_hosts
        .into_iter()
        .map(|(id, (on, instances))| FleetThreat {
            threat: id.to_string(),
            title: catalogue
                .threats
                .iter()
                .find(|t| t.id == id)
                .map(|t| t.title.clone())
                .unwrap_or_else(|| id.to_string()),
            hosts: on.len(),
            instances,
        })
        .collect();
    threats.sort_by(|a, b| {
        b.hosts
            .cmp(&a.hosts)
            .then(b.instances.cmp(&a.instances))
            .then(a.threat.cmp(&b.threat))
    });
    let mut checks: Vec<FleetCheck> = check_hosts
        .into_iter()
        .map(|(slug, (on, r))| FleetCheck {
            id: r.check_id.clone(),
            slug: slug.to_string(),
            benchmark: r.benchmark.clone(),
            hosts_failing: on.len(),
        })
        .collect();
    checks.sort_by(|a, b| {
        b.hosts_failing
            .cmp(&a.hosts_failing)
            .then(a.slug.cmp(&b.slug))
    });
    Fleet {
        schema: FLEET_SCHEMA,
        hosts,
        threats,
        checks,
        not_seen_since,
    }
}
