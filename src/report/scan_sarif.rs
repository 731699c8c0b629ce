//! `threatbench scan --format sarif`: the benchmark results as SARIF 2.1.0, for GitHub code
//! scanning and other SARIF viewers, written as `lint`'s SARIF is (same rule metadata and
//! security-severity). A failed check gives one result per object that fails it (a container,
//! a pod, a file), named as a logical location (kind `resource`), or one result for the host
//! when the check has no objects; a `warn` is a `note`. Checks that could not be evaluated are
//! `toolExecutionNotifications` with the reason, not results: nothing was found, nothing is
//! known. `partialFingerprints` hash the check and the object, so an alert keeps its identity
//! from scan to scan while the evidence changes.
//!
//! Where the evidence is a file, the result also has a physical location: a file object (3.x
//! owners and modes, the Kubernetes files) at its path; a check whose deciding value is written
//! in a file ([`crate::checks::SourceRef`]: daemon.json, a static pod manifest, the kubelet
//! config, a systemd unit) at that file and, when the collected text has it, the line of the
//! key or flag. Paths are those on the scanned host, as `file://` URIs.

use serde_json::{Value, json};

use super::ScanReport;
use super::lint::sarif::{document, level, rule, stable_hash};
use crate::checks::{CheckResult, Verdict};
use crate::facts::{Facts, Observed};

/// `file:///etc/docker/daemon.json`: the path with every byte outside RFC 3986's unreserved
/// characters and `/` percent-encoded (paths are hostile input too).
fn file_uri(path: &str) -> String {
    let mut uri = String::from("file://");
    if !path.starts_with('/') {
        uri.push('/');
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

/// The 1-based line of `key` in the file's collected text: `"key"` in JSON, `key:` in YAML
/// (the last segment of a dotted or slashed key), `--flag` on a command line or in a manifest.
fn line_of(facts: &Facts, path: &str, key: &str) -> Option<usize> {
    let Observed::Seen(text) = facts.host.file_text(path) else {
        return None;
    };
    let needles: Vec<String> = if key.starts_with("--") {
        vec![format!("{key}="), format!("{key} "), format!("{key}\"")]
    } else {
        let last = key.rsplit(['.', '/']).next().unwrap_or(key);
        vec![format!("\"{last}\""), format!("{last}:")]
    };
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            needles.iter().any(|n| line.contains(n.as_str()))
                || (key.starts_with("--") && line.trim_end().ends_with(key))
        })
        .map(|n| n + 1)
}

fn physical(facts: &Facts, path: &str, key: Option<&str>, line: Option<usize>) -> Value {
    let mut location = json!({"artifactLocation": {"uri": file_uri(path)}});
    if let Some(line) = line.or_else(|| key.and_then(|k| line_of(facts, path, k))) {
        location["region"] = json!({"startLine": line});
    }
    location
}

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
        let source = r.outcome.source.as_ref();
        let mut one = |kind: &str, name: &str, evidence: &str| {
            let mut location = json!({"logicalLocations": [{"name": name, "kind": "resource", "fullyQualifiedName": format!("{host}/{kind}/{name}")}]});
            if kind == "file" {
                location["physicalLocation"] = physical(report.facts, name, None, None);
            } else if let Some(s) = source.filter(|_| kind == "host") {
                location["physicalLocation"] =
                    physical(report.facts, &s.path, s.key.as_deref(), s.line);
            }
            results.push(json!({
                "ruleId": r.check.slug,
                "ruleIndex": index,
                "level": result_level,
                "message": {"text": format!("{kind} {name}: {evidence}")},
                "locations": [location],
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
    use crate::facts::host::FileFact;

    /// A daemon.json key that fails a check points at its file and line; options left unset
    /// point at the file; a file object at its path.
    #[test]
    fn results_from_files_have_physical_locations() {
        let mut facts = crate::threats::tests::fixture_facts();
        let text = "{\n  \"log-level\": \"info\",\n  \"icc\": true\n}\n";
        facts
            .host
            .files
            .insert("/etc/docker/daemon.json".into(), FileFact::text_file(text));
        let report = super::super::test_report(&facts, false);
        let sarif: Value = serde_json::from_str(&render(&report)).unwrap();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        let physical = |rule: &str| {
            results
                .iter()
                .find(|r| r["ruleId"] == rule)
                .map(|r| r["locations"][0]["physicalLocation"].clone())
                .unwrap_or_else(|| panic!("{rule} has a result"))
        };
        let icc = physical("daemon-icc-disabled");
        assert_eq!(
            icc["artifactLocation"]["uri"],
            "file:///etc/docker/daemon.json"
        );
        assert_eq!(icc["region"]["startLine"], 3, "{icc}");
        let unset = physical("daemon-live-restore");
        assert_eq!(
            unset["artifactLocation"]["uri"],
            "file:///etc/docker/daemon.json"
        );
        assert!(unset.get("region").is_none(), "{unset}");
    }

    #[test]
    fn file_uris_escape_what_a_uri_cannot_hold() {
        assert_eq!(
            file_uri("/etc/docker/daemon.json"),
            "file:///etc/docker/daemon.json"
        );
        assert_eq!(
            file_uri("/tmp/a b/<x>\"#"),
            "file:///tmp/a%20b/%3Cx%3E%22%23"
        );
    }

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
