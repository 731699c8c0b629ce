//! `threatbench diff`: what changed between two recorded scans of a host. Per check and per
//! object: a finding is `new` when it fails (or needs review) now and did not before, `fixed`
//! when it failed before and passes now, `changed` for any other verdict change (fail → error,
//! an object gone). A check with objects on either side is compared object by object, else as
//! a whole. Threat instances whose status changed are listed with both statuses.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{ScanRow, ScanRows};
use crate::checks::Severity;

pub const DIFF_SCHEMA: &str = "threatbench/diff/v1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    New,
    Fixed,
    Changed,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::New => "new",
            Change::Fixed => "fixed",
            Change::Changed => "changed",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub id: i64,
    pub time: String,
    pub host: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ObjectName {
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingChange {
    pub change: Change,
    pub id: String,
    pub slug: String,
    pub benchmark: String,
    pub object: Option<ObjectName>,
    /// The verdict before (`null`: not there).
    pub from: Option<String>,
    pub to: Option<String>,
    pub severity: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThreatChange {
    pub instance: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub schema: &'static str,
    pub old: Side,
    pub new: Side,
    pub findings: Vec<FindingChange>,
    pub threats: Vec<ThreatChange>,
}

fn bad(v: Option<&str>) -> bool {
    matches!(v, Some("fail" | "warn"))
}

/// How a verdict moved, if it did.
pub fn classify(from: Option<&str>, to: Option<&str>) -> Option<Change> {
    if from == to {
        return None;
    }
    Some(if bad(to) && !bad(from) {
        Change::New
    } else if bad(from) && to == Some("pass") {
        Change::Fixed
    } else {
        Change::Changed
    })
}

fn side(s: &ScanRow) -> Side {
    Side {
        id: s.id,
        time: s.time.clone(),
        host: s.host.clone(),
    }
}

type Objects<'a> = BTreeMap<&'a str, BTreeMap<(&'a str, &'a str), &'a str>>;

fn objects_by_check(rows: &ScanRows) -> Objects<'_> {
    let mut out: Objects = BTreeMap::new();
    for o in &rows.objects {
        out.entry(o.slug.as_str())
            .or_default()
            .insert((o.kind.as_str(), o.name.as_str()), o.verdict.as_str());
    }
    out
}

pub fn compute(old: &ScanRow, old_rows: &ScanRows, new: &ScanRow, new_rows: &ScanRows) -> Diff {
    let old_results: BTreeMap<&str, _> = old_rows
        .results
        .iter()
        .map(|r| (r.slug.as_str(), r))
        .collect();
    let new_results: BTreeMap<&str, _> = new_rows
        .results
        .iter()
        .map(|r| (r.slug.as_str(), r))
        .collect();
    let old_objects = objects_by_check(old_rows);
    let new_objects = objects_by_check(new_rows);
    let slugs: BTreeSet<&str> = old_results
        .keys()
        .chain(new_results.keys())
        .copied()
        .collect();
    let empty = BTreeMap::new();
    let mut findings = Vec::new();
    for slug in slugs {
        let Some(result) = new_results.get(slug).or_else(|| old_results.get(slug)) else {
            continue;
        };
        let mut push = |object: Option<ObjectName>, from: Option<&str>, to: Option<&str>| {
            if let Some(change) = classify(from, to) {
                findings.push(FindingChange {
                    change,
                    id: result.check_id.clone(),
                    slug: slug.to_string(),
                    benchmark: result.benchmark.clone(),
                    object,
                    from: from.map(str::to_string),
                    to: to.map(str::to_string),
                    severity: result.severity.clone(),
                });
            }
        };
        let before = old_objects.get(slug).unwrap_or(&empty);
        let after = new_objects.get(slug).unwrap_or(&empty);
        if before.is_empty() && after.is_empty() {
            push(
                None,
                old_results.get(slug).map(|r| r.verdict.as_str()),
                new_results.get(slug).map(|r| r.verdict.as_str()),
            );
            continue;
        }
        let keys: BTreeSet<&(&str, &str)> = before.keys().chain(after.keys()).collect();
        for key in keys {
            push(
                Some(ObjectName {
                    kind: key.0.to_string(),
                    name: key.1.to_string(),
                }),
                before.get(key).copied(),
                after.get(key).copied(),
            );
        }
    }
    // New first, then the most severe.
    findings.sort_by(|a, b| {
        let severity = |f: &FindingChange| std::cmp::Reverse(Severity::parse(&f.severity));
        (a.change, severity(a), &a.id, &a.slug).cmp(&(b.change, severity(b), &b.id, &b.slug))
    });
    let before: BTreeMap<&str, &str> = old_rows
        .threats
        .iter()
        .map(|t| (t.instance.as_str(), t.status.as_str()))
        .collect();
    let after: BTreeMap<&str, &str> = new_rows
        .threats
        .iter()
        .map(|t| (t.instance.as_str(), t.status.as_str()))
        .collect();
    let instances: BTreeSet<&str> = before.keys().chain(after.keys()).copied().collect();
    let threats = instances
        .into_iter()
        .filter_map(|i| {
            let (from, to) = (before.get(i).copied(), after.get(i).copied());
            (from != to).then(|| ThreatChange {
                instance: i.to_string(),
                from: from.map(str::to_string),
                to: to.map(str::to_string),
            })
        })
        .collect();
    Diff {
        schema: DIFF_SCHEMA,
        old: side(old),
        new: side(new),
        findings,
        threats,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ObjectRow, ResultRow, ThreatRow};

    fn result(slug: &str, verdict: &str) -> ResultRow {
        ResultRow {
            check_id: format!("id-{slug}"),
            slug: slug.into(),
            benchmark: "cis-docker-1.6.0".into(),
            verdict: verdict.into(),
            severity: "high".into(),
        }
    }

    fn object(slug: &str, name: &str, verdict: &str) -> ObjectRow {
        ObjectRow {
            slug: slug.into(),
            kind: "container".into(),
            name: name.into(),
            verdict: verdict.into(),
        }
    }

    fn row(id: i64) -> ScanRow {
        ScanRow {
            id,
            host: "h".into(),
            host_key: "h".into(),
            time: format!("2026-12-0{id}T00:00:00Z"),
            command: "scan".into(),
            tool_version: "0".into(),
            target: "live".into(),
            summary: Default::default(),
            exposed: 0,
            unknown: 0,
            worst_risk: None,
            complete: true,
        }
    }

    #[test]
    fn per_object_new_fixed_and_changed() {
        let old = ScanRows {
            results: vec![
                result("privileged", "fail"),
                result("icc", "fail"),
                result("tls", "pass"),
            ],
            objects: vec![
                object("privileged", "a", "fail"),
                object("privileged", "b", "pass"),
                object("privileged", "gone", "fail"),
            ],
            threats: vec![ThreatRow {
                instance: "T@a".into(),
                threat: "T".into(),
                status: "exposed".into(),
                risk: "high".into(),
                score: 9,
            }],
        };
        let new = ScanRows {
            results: vec![
                result("privileged", "fail"),
                result("icc", "pass"),
                result("tls", "error"),
            ],
            objects: vec![
                object("privileged", "a", "pass"),
                object("privileged", "b", "fail"),
            ],
            threats: vec![ThreatRow {
                instance: "T@a".into(),
                threat: "T".into(),
                status: "mitigated".into(),
                risk: "low".into(),
                score: 2,
            }],
        };
        let d = compute(&row(1), &old, &row(2), &new);
        type Seen<'a> = (
            Change,
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
        );
        let seen: Vec<Seen> = d
            .findings
            .iter()
            .map(|f| {
                (
                    f.change,
                    f.slug.as_str(),
                    f.object.as_ref().map(|o| o.name.as_str()),
                    f.from.as_deref(),
                    f.to.as_deref(),
                )
            })
            .collect();
        assert!(
            seen.contains(&(
                Change::Fixed,
                "privileged",
                Some("a"),
                Some("fail"),
                Some("pass")
            )),
            "{seen:?}"
        );
        assert!(
            seen.contains(&(
                Change::New,
                "privileged",
                Some("b"),
                Some("pass"),
                Some("fail")
            )),
            "{seen:?}"
        );
        assert!(
            seen.contains(&(
                Change::Changed,
                "privileged",
                Some("gone"),
                Some("fail"),
                None
            )),
            "{seen:?}"
        );
        assert!(
            seen.contains(&(Change::Fixed, "icc", None, Some("fail"), Some("pass"))),
            "{seen:?}"
        );
        assert!(
            seen.contains(&(Change::Changed, "tls", None, Some("pass"), Some("error"))),
            "{seen:?}"
        );
        assert_eq!(
            seen.len(),
            5,
            "the privileged check itself is compared per object: {seen:?}"
        );
        assert_eq!(d.findings[0].change, Change::New, "new findings first");
        assert_eq!(d.threats.len(), 1);
        assert_eq!(d.threats[0].to.as_deref(), Some("mitigated"));
    }
}
