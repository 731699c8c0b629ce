//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning (`github/codeql-action/upload-sarif`)
//! and other SARIF viewers read it. Written with serde_json rather than a SARIF crate: the dozen
//! objects needed are simpler than serde-sarif's build-time code generation (syn 1, schemafy).
//! Tests validate the output against the official 2.1.0 schema.
//!
//! Each rule carries `shortDescription` (title), `fullDescription` (what it checks), `help` (why
//! and the fix, as text and Markdown) and `properties.security-severity`, which GitHub uses to
//! rank alerts (critical 9.5, high 8.0, medium 5.5, low 3.0). Suppressed findings are included
//! with an `inSource` suppression and its justification, so they show as dismissed. Files that
//! could not be parsed are reported as `toolExecutionNotifications`.

use serde_json::{Value, json};

use super::used_rules;
use crate::checks::Severity;
use crate::checks::rule::Rule;
use crate::lint::{LintFinding, LintReport};

pub const SARIF_SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub(crate) fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

pub(crate) fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// `container-user-not-root` → `ContainerUserNotRoot`.
pub(crate) fn rule_name(slug: &str) -> String {
    slug.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// A file path as a URI reference relative to the repository root (or a `file://` URI for an
/// absolute path), percent-encoding what a URI cannot hold.
pub fn uri(path: &str) -> String {
    if path == "<stdin>" || path == "-" {
        return "stdin".into();
    }
    let p = path.replace('\\', "/");
    let p = p.strip_prefix("./").unwrap_or(&p);
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if out.starts_with('/') {
        format!("file://{out}")
    } else {
        out
    }
}

/// A stable identity of a finding that survives lines moving: FNV-1a of rule, file, object
/// path and message.
fn fingerprint(f: &LintFinding) -> String {
    stable_hash(&[
        f.slug,
        f.path.as_str(),
        f.pointer.as_str(),
        f.message.as_str(),
    ])
}

/// A stable 64-bit FNV-1a hash of the parts, as hex: SARIF `partialFingerprints`.
pub(crate) fn stable_hash(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for part in parts {
        for b in part.bytes().chain([0u8]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    format!("{h:016x}")
}

fn rule_json(r: &Rule) -> Value {
    let mut tags = vec![json!("security")];
    for (b, id) in r.ids {
        tags.push(json!(format!("{} {id}", b.title())));
    }
    let benchmark = r
        .ids
        .iter()
        .map(|(b, id)| format!("{} {id}", b.title()))
        .collect::<Vec<_>>()
        .join("; ");
    let refs = if r.doc.references.is_empty() {
        String::new()
    } else {
        format!(" {}", r.doc.references)
    };
    let help_text = format!(
        "{}\n\nWhy it matters: {}\n\nFix: {}{}",
        r.doc.what,
        r.doc.why,
        r.doc.remediation,
        if benchmark.is_empty() {
            refs.clone()
        } else {
            format!("\n\nReferences: {benchmark}.{refs}")
        }
    );
    let help_md = format!(
        "## What it checks\n{}\n\n## Why it matters\n{}\n\n## Evidence\n{}\n\n## Remediation\n{}\n\n## References\n{}{}",
        r.doc.what,
        r.doc.why,
        r.doc.evidence,
        r.doc.remediation,
        if benchmark.is_empty() {
            "threatbench rule".to_string()
        } else {
            benchmark
        },
        refs
    );
    rule(
        r.slug,
        r.title,
        r.doc.what,
        (help_text, help_md),
        r.severity,
        tags,
    )
}

/// A SARIF rule as GitHub code scanning reads it: help as text and Markdown, the default level
/// and `security-severity` from the severity (shared by `lint` and `scan`).
pub(crate) fn rule(
    slug: &str,
    title: &str,
    what: &str,
    (help_text, help_md): (String, String),
    severity: Severity,
    tags: Vec<Value>,
) -> Value {
    json!({
        "id": slug,
        "name": rule_name(slug),
        "shortDescription": {"text": title},
        "fullDescription": {"text": what},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": level(severity)},
        "properties": {
            "security-severity": security_severity(severity),
            "precision": "high",
            "problem.severity": match severity {
                Severity::Critical | Severity::High => "error",
                Severity::Medium => "warning",
                Severity::Low => "recommendation",
            },
            "tags": tags,
        }
    })
}

fn result_json(f: &LintFinding, rules: &[Rule], suppression: Option<Option<&str>>) -> Value {
    let index = rules.iter().position(|r| r.slug == f.slug).unwrap_or(0);
    let message = match &f.object {
        Some(o) => format!("{o}: {} Fix: {}", f.message, f.fix),
        None => format!("{} Fix: {}", f.message, f.fix),
    };
    let mut r = json!({
        "ruleId": f.slug,
        "ruleIndex": index,
        "level": level(f.severity),
        "message": {"text": message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": uri(&f.path)},
                "region": {"startLine": f.line, "startColumn": f.column}
            }
        }],
        "partialFingerprints": {"threatbench/v1": fingerprint(f)},
        "properties": {"severity": f.severity.as_str(), "pointer": f.pointer}
    });
    if let Some(reason) = suppression {
        r["suppressions"] = json!([{
            "kind": "inSource",
            "justification": reason.unwrap_or("(no reason given)")
        }]);
    }
    r
}

pub fn render(report: &LintReport) -> String {
    let rules = used_rules(report);
    let mut results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result_json(f, &rules, None))
        .collect();
    results.extend(
        report
            .suppressed
            .iter()
            .map(|s| result_json(&s.finding, &rules, Some(s.reason.as_deref()))),
    );
    let notifications: Vec<Value> = report
        .errors()
        .map(|f| {
            let mut region = json!({});
            if let Some(l) = f.error_line {
                region["startLine"] = json!(l);
            }
            if let Some(c) = f.error_column {
                region["startColumn"] = json!(c);
            }
            let mut location = json!({"physicalLocation": {"artifactLocation": {"uri": uri(&f.path)}}});
            if f.error_line.is_some() {
                location["physicalLocation"]["region"] = region;
            }
            json!({
                "level": "error",
                "message": {"text": format!("could not lint {}: {}", f.path, f.error.as_deref().unwrap_or(""))},
                "locations": [location]
            })
        })
        .collect();
    let mut doc = document(
        rules.iter().map(rule_json).collect(),
        results,
        report.is_complete(),
        notifications,
    );
    doc["runs"][0]["columnKind"] = "unicodeCodePoints".into();
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// One SARIF 2.1.0 log with one run of threatbench: its rules, results, and the notifications
/// of what it could not do (shared by `lint`, `scan` and `threats`).
pub(crate) fn document(
    rules: Vec<Value>,
    results: Vec<Value>,
    complete: bool,
    notifications: Vec<Value>,
) -> Value {
    json!({
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "threatbench",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules
            }},
            "invocations": [{
                "executionSuccessful": complete,
                "toolExecutionNotifications": notifications
            }],
            "results": results
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_references_or_file_uris() {
        assert_eq!(uri("./k8s/app deploy.yaml"), "k8s/app%20deploy.yaml");
        assert_eq!(uri("/srv/x/Dockerfile"), "file:///srv/x/Dockerfile");
        assert_eq!(uri("a\\b#c"), "a/b%23c");
        assert_eq!(uri("<stdin>"), "stdin");
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(rule_name("container-user-not-root"), "ContainerUserNotRoot");
        assert_eq!(rule_name("k8s-pod-host-pid"), "K8sPodHostPid");
    }
}
