//! `threatbench threats --format sarif`: the open threat instances as SARIF 2.1.0 results, so the
//! threat model lands in the same code-scanning view as the benchmark. A rule per catalogue
//! threat (title, scenario, mitigations as help, security-severity from its inherent risk); a
//! result per exposed or unknown instance, its level from the current risk (an unknown instance
//! is a `note`: evidence is missing), the element as a logical location, the failing checks in
//! the message, and the instance id (stable across scans) as fingerprint. Mitigated, accepted
//! and not-applicable instances are not results.

use serde_json::{Value, json};

use super::lint::sarif::{document, level, security_severity};
use crate::checks::Severity;
use crate::threats::{Assessment, Level, Status};

/// A risk level on the check severity scale, so threats rank beside checks in a SARIF viewer.
fn as_severity(l: Level) -> Severity {
    match l {
        Level::Critical => Severity::Critical,
        Level::High => Severity::High,
        Level::Medium => Severity::Medium,
        Level::Low => Severity::Low,
    }
}

pub fn render(a: &Assessment) -> String {
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_of: Vec<&str> = Vec::new();
    let mut results = Vec::new();
    for i in a
        .instances
        .iter()
        .filter(|i| matches!(i.status, Status::Exposed | Status::Unknown))
    {
        let t = &i.threat;
        let index = match rule_of.iter().position(|id| *id == t.id) {
            Some(n) => n,
            None => {
                let mitigations: Vec<String> = t
                    .mitigations
                    .iter()
                    .map(|m| format!("- {} (checks: {})", m.text, m.checks.join(", ")))
                    .collect();
                rules.push(json!({
                    "id": t.id,
                    "name": t.id.replace('-', ""),
                    "shortDescription": {"text": t.title},
                    "fullDescription": {"text": t.scenario},
                    "help": {
                        "text": format!("{}\n\nMitigations:\n{}", t.scenario, mitigations.join("\n")),
                        "markdown": format!("## Scenario\n{}\n\n## Mitigations\n{}\n\n## ATT&CK\n{}", t.scenario, mitigations.join("\n"), t.attack.join(", ")),
                    },
                    "properties": {
                        "security-severity": security_severity(as_severity(i.risk.inherent.level)),
                        "tags": ["security", "threat-model", t.stride.title()],
                    },
                }));
                rule_of.push(&t.id);
                rules.len() - 1
            }
        };
        results.push(json!({
            "ruleId": t.id,
            "ruleIndex": index,
            "level": if i.status == Status::Exposed { level(as_severity(i.risk.current.level)) } else { "note" },
            "message": {"text": format!("{} on {}: {} ({})", t.title, i.element_label, i.why, i.status.as_str())},
            "locations": [{"logicalLocations": [{"name": i.element_label, "kind": "resource", "fullyQualifiedName": i.element}]}],
            "partialFingerprints": {"threatbench/instance": i.id},
            "properties": {
                "status": i.status.as_str(),
                "risk": i.risk.current.level.as_str(),
                "failing_checks": i.failing_checks(),
            },
        }));
    }
    let doc = document(rules, results, true, vec![]);
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
