//! `threatbench scan --format sarif`: the benchmark results as SARIF 2.1.0, for GitHub code
//! scanning and other SARIF viewers, written as `lint`'s SARIF is (same rule metadata and
//! security-severity). A failed check gives one result per object that fails it (a container,
//! a pod, a file), named as a logical location (kind `resource`), or one result for the host
//! when the check has no objects; a `warn` is a `note`. Checks that could not be evaluated are
//! `toolExecutionNotifications` with the reason, not results: nothing was found, nothing is
//! known. `partialFingerprints` hash the check and the object, so an alert keeps its identity
//! from scan to scan while the evidence changes.

use serde_json::{Value, json};

use super::ScanReport;
use super::lint::sarif::{document, level, rule, stable_hash};
use crate::checks::{CheckResult, Verdict};

fn rule_json(report: &ScanReport, r: &CheckResult) -> Value {
    let (id, benchmark) = report.display_id(r);
    let c = r.check;
    let help_text = format!(
        "{}\n\nWhy it matters: {}\n\nEvidence: {}\n\nFix: {}",
        c.doc.what, c.doc.why, c.doc.evidence, c.doc.remediation
    );
    let help_md = format!(
        "## What it checks\n{}\n\n## Why it matters\n{}\n\n## Evidence\n{}\n\n## Remediation\n{}\n\n## Benchmark\n{} {id}",
        c.doc.what,
        c.doc.why,
        c.doc.evidence,
        c.doc.remediation,
        benchmark.title()
    );
    rule(
        c.slug,
        &format!("{id} {}", c.title),
        c.doc.what,
        (help_text, help_md),
        c.severity,
        vec![
            json!("security"),
            json!(format!("{} {id}", benchmark.title())),
        ],
    )
}

pub fn render(report: &ScanReport) -> String {
    let host = report
        .facts
        .host
        .hostname
        .clone()
        .unwrap_or_else(|| "host".into());
    let mut rules = Vec::new();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for r in &report.results {
        let verdict = r.outcome.verdict;
        match verdict {
            Verdict::Error => {
                notifications.push(json!({
                    "level": "error",
                    "message": {"text": format!("{}: could not be evaluated: {}", r.check.slug, r.outcome.evidence)},
                    "descriptor": {"id": r.check.slug},
                }));
                continue;
            }
            Verdict::Fail | Verdict::Warn => {}
            _ => continue,
        }
        let index = rules.len();
        rules.push(rule_json(report, r));
        let result_level = if verdict == Verdict::Fail {
            level(r.severity())
        } else {
            "note"
        };
        let objects: Vec<_> = r
            .outcome
            .objects
            .iter()
            .filter(|o| o.verdict == verdict)
            .collect();
        let mut one = |kind: &str, name: &str, evidence: &str| {
            results.push(json!({
                "ruleId": r.check.slug,
                "ruleIndex": index,
                "level": result_level,
                "message": {"text": format!("{kind} {name}: {evidence}")},
                "locations": [{"logicalLocations": [{"name": name, "kind": "resource", "fullyQualifiedName": format!("{host}/{kind}/{name}")}]}],
                "partialFingerprints": {"threatbench/v1": stable_hash(&[r.check.slug, kind, name])},
                "properties": {"verdict": verdict.as_str(), "severity": r.severity().as_str()},
            }));
        };
        if objects.is_empty() {
            one("host", &host, &r.outcome.evidence);
        } else {
            for o in objects {
                one(o.kind, &o.name, &o.evidence);
            }
        }
    }
    let doc = document(
        rules,
        results,
        report.incomplete_reasons().is_empty(),
        notifications,
    );
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_results_per_object_and_errors_are_notifications() {
        let facts = crate::threats::tests::fixture_facts();
        let report = super::super::test_report(&facts, false);
        let sarif: Value = serde_json::from_str(&render(&report)).unwrap();
        let run = &sarif["runs"][0];
        let results = run["results"].as_array().unwrap();
        let privileged: Vec<&Value> = results
            .iter()
            .filter(|r| r["ruleId"] == "container-privileged")
            .collect();
        assert_eq!(privileged.len(), 1, "{privileged:?}");
        assert_eq!(
            privileged[0]["locations"][0]["logicalLocations"][0]["name"],
            "priv"
        );
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        for r in results {
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[i]["id"], r["ruleId"]);
        }
        let fails = report
            .results
            .iter()
            .filter(|r| r.outcome.verdict == Verdict::Fail)
            .count();
        assert!(
            results
                .iter()
                .filter(|r| r["properties"]["verdict"] == "fail")
                .count()
                >= fails
        );
    }
}
