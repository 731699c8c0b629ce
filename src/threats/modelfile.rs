//! The user's model file, `threatmodel.yaml`: human-owned, never rewritten by threatbench.
//!
//! It refines the discovered model: scope and assumptions, annotations by element id, risk
//! decisions (accepted / not-applicable, with justification and optional expiry), suppressions,
//! likelihood/impact overrides and custom threats. Element and instance patterns accept `*` as a
//! wildcard (`DKR-E-01@container:monitoring-*`). Entries that match nothing are reported as
//! orphaned, and expired decisions are reported and no longer applied.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::catalog::{Catalog, Level, Threat};

pub const MODEL_SCHEMA: &str = "threatbench/threatmodel/v1";
/// The file a scan applies when `--model` is not given and it exists.
pub const DEFAULT_MODEL_FILE: &str = "threatmodel.yaml";
/// The machine-owned file `threats --write-discovered` writes by default.
pub const DEFAULT_DISCOVERED_FILE: &str = "threatmodel.discovered.yaml";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub scope: Scope,
    /// Notes by element id (or pattern).
    #[serde(default)]
    pub annotations: BTreeMap<String, Annotation>,
    #[serde(default)]
    pub decisions: Vec<Decision>,
    #[serde(default)]
    pub suppressions: Vec<Suppression>,
    #[serde(default)]
    pub overrides: Vec<Override>,
    #[serde(default)]
    pub custom_threats: Vec<Threat>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub assumptions: Vec<String>,
    /// Elements outside the model: their threats are not applicable, with the reason.
    #[serde(default)]
    pub out_of_scope: Vec<OutOfScope>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutOfScope {
    pub element: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Annotation {
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// Raise (or lower) the impact of every threat on the element.
    #[serde(default)]
    pub impact: Option<Level>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionStatus {
    Accepted,
    NotApplicable,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Instance id or pattern: `THREAT@element`, `*` allowed.
    pub instance: String,
    pub status: DecisionStatus,
    pub justification: String,
    #[serde(default)]
    pub decided_by: Option<String>,
    #[serde(default)]
    pub decided_at: Option<String>,
    /// `YYYY-MM-DD`, the last day the decision applies; after it, it is reported as expired.
    #[serde(default)]
    pub expires: Option<String>,
    #[serde(default)]
    pub ticket: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suppression {
    /// Threat id or pattern.
    pub threat: String,
    /// Element id or pattern; every element when absent.
    #[serde(default)]
    pub element: Option<String>,
    pub reason: String,
    #[serde(default)]
    pub expires: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub threat: String,
    #[serde(default)]
    pub element: Option<String>,
    #[serde(default)]
    pub likelihood: Option<Level>,
    #[serde(default)]
    pub impact: Option<Level>,
    pub reason: String,
}

/// `*` matches any run of characters; everything else literally.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// Parse `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<jiff::civil::Date, String> {
    text.trim()
        .parse::<jiff::civil::Date>()
        .map_err(|e| format!("{text:?} is not a date (YYYY-MM-DD): {e}"))
}

impl ModelFile {
    /// Parse and validate; errors name the entry.
    pub fn parse(text: &str, catalog: &Catalog) -> Result<ModelFile, String> {
        let file: ModelFile = if text.trim().is_empty() {
            ModelFile::default()
        } else {
            serde_saphyr::from_str(text).map_err(|e| e.to_string())?
        };
        let problems = file.problems(catalog);
        if problems.is_empty() {
            Ok(file)
        } else {
            Err(problems.join("\n"))
        }
    }

    /// Read and validate a model file.
    pub fn load(path: &Path, catalog: &Catalog) -> anyhow::Result<ModelFile> {
        let meta = std::fs::metadata(path)
            .map_err(|e| anyhow::anyhow!("model file {}: {e}", path.display()))?;
        anyhow::ensure!(
            meta.is_file(),
            "model file {}: not a regular file",
            path.display()
        );
        // A model file is a few kilobytes; refuse something that is clearly not one.
        anyhow::ensure!(
            meta.len() <= 4 * 1024 * 1024,
            "model file {}: {} bytes, larger than the 4 MiB a model file may have",
            path.display(),
            meta.len()
        );
        let bytes = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("model file {}: {e}", path.display()))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| anyhow::anyhow!("model file {}: not UTF-8 text", path.display()))?;
        ModelFile::parse(&text, catalog).map_err(|e| {
            // The YAML parser's excerpt names its input `<input>`: name the file.
            let shown = path.display();
            let e = e
                .to_string()
                .replace("--> <input>:", &format!("--> {shown}:"));
            anyhow::anyhow!("model file {shown}: {e}")
        })
    }

    fn problems(&self, catalog: &Catalog) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(s) = self.schema.as_ref().filter(|s| *s != MODEL_SCHEMA) {
            out.push(format!("schema {s:?}: expected {MODEL_SCHEMA:?}"));
        }
        for (i, d) in self.decisions.iter().enumerate() {
            let at = format!("decisions[{i}] ({})", d.instance);
            if !d.instance.contains('@') {
                out.push(format!(
                    "{at}: instance must be THREAT@element (wildcards allowed)"
                ));
            }
            if d.justification.trim().is_empty() {
                out.push(format!("{at}: a justification is required"));
            }
            for (field, value) in [("expires", &d.expires), ("decided_at", &d.decided_at)] {
                if let Some(Err(e)) = value.as_deref().map(parse_date) {
                    out.push(format!("{at}: {field}: {e}"));
                }
            }
        }
        for (i, s) in self.suppressions.iter().enumerate() {
            let at = format!("suppressions[{i}] ({})", s.threat);
            if s.reason.trim().is_empty() {
                out.push(format!("{at}: a reason is required"));
            }
            if let Some(Err(e)) = s.expires.as_deref().map(parse_date) {
                out.push(format!("{at}: expires: {e}"));
            }
        }
        for (i, o) in self.overrides.iter().enumerate() {
            let at = format!("overrides[{i}] ({})", o.threat);
            if o.reason.trim().is_empty() {
                out.push(format!("{at}: a reason is required"));
            }
            if o.likelihood.is_none() && o.impact.is_none() {
                out.push(format!("{at}: set likelihood, impact or both"));
            }
        }
        for (i, s) in self.scope.out_of_scope.iter().enumerate() {
            if s.reason.trim().is_empty() {
                out.push(format!(
                    "scope.out_of_scope[{i}] ({}): a reason is required",
                    s.element
                ));
            }
        }
        let mut ids: Vec<&str> = Vec::new();
        for t in &self.custom_threats {
            if catalog.find(&t.id).is_some() {
                out.push(format!(
                    "custom_threats: {} is already a catalogue threat; choose another id",
                    t.id
                ));
            }
            if ids.contains(&t.id.as_str()) {
                out.push(format!("custom_threats: {} is defined twice", t.id));
            }
            ids.push(&t.id);
            out.extend(
                t.problems()
                    .into_iter()
                    .map(|p| format!("custom_threats: {p}")),
            );
        }
        out
    }
}

/// The starter file `threatbench model init` writes.
pub fn starter(host: Option<&str>) -> String {
    let title = match host {
        Some(h) => format!("Docker host {h}"),
        None => "Docker host".to_string(),
    };
    format!(
        r#"# threatmodel.yaml: your part of the threat model. threatbench reads this file and never
# rewrites it; what it discovers goes to threatmodel.discovered.yaml (`threatbench threats
# --write-discovered`). Element ids and instance ids (THREAT@element) are shown by
# `threatbench threats`; `*` is a wildcard in every id below.
schema: {MODEL_SCHEMA}

scope:
  title: "{title}"
  owner: ""
  description: ""
  assumptions:
    - Only administrators can log in to the host.
  # Elements outside this model: their threats are reported as not applicable.
  out_of_scope: []
  #  - element: "container:scratch-*"
  #    reason: short-lived test containers, rebuilt daily

# Notes by element id; `impact` re-rates every threat on the element.
annotations: {{}}
#  "container:api":
#    owner: payments team
#    notes: handles card data
#    impact: critical

# Risk decisions by instance id: accepted or not-applicable, always with a justification.
# An expired decision stops applying and is reported.
decisions: []
#  - instance: "DKR-E-01@container:node-exporter"
#    status: accepted
#    justification: needs host PID to read metrics; isolated host
#    decided_by: J. Doe
#    decided_at: 2026-01-15
#    expires: 2026-07-15
#    ticket: SEC-123

# Hide instances from the register (still counted), with a reason and optional expiry.
suppressions: []
#  - threat: DKR-S-08
#    element: "container:*"
#    reason: no image we build ships sshd
#    expires: 2026-12-31

# Re-rate a threat's default likelihood or impact.
overrides: []
#  - threat: DKR-D-02
#    element: "container:batch-*"
#    impact: low
#    reason: batch host, nothing else runs there

# Your own threats, in the catalogue's format (`threatbench threats catalog`).
custom_threats: []
#  - id: ORG-T-01
#    component: registry
#    element: registry
#    stride: tampering
#    title: Internal chart repository compromised
#    scenario: An attacker with write access to the chart repository changes a chart's image.
#    likelihood: medium
#    impact: high
#    attack: [T1195.002]
#    mitigations:
#      - text: Verify image signatures
#        checks: [image-content-trust-enabled]
#        reduces: {{likelihood: 1}}
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threats::catalog::builtin;

    #[test]
    fn glob_matches_wildcards() {
        assert!(glob("DKR-E-01@container:*", "DKR-E-01@container:api"));
        assert!(glob("*@container:api", "DKR-D-01@container:api"));
        assert!(glob("a*b*c", "aXXbYYc"));
        assert!(!glob("a*b*c", "aXXc"));
        assert!(!glob("container:api", "container:api2"));
        assert!(glob("*", ""));
    }

    #[test]
    fn starter_file_parses_and_is_valid() {
        let f = ModelFile::parse(&starter(Some("web-1")), builtin()).expect("starter parses");
        assert_eq!(f.schema.as_deref(), Some(MODEL_SCHEMA));
        assert_eq!(f.scope.title.as_deref(), Some("Docker host web-1"));
    }

    #[test]
    fn decisions_need_justification_and_valid_dates() {
        let text = "decisions:\n  - instance: \"DKR-E-01@container:x\"\n    status: accepted\n    justification: \"\"\n    expires: 2026-13-01\n";
        let err = ModelFile::parse(text, builtin()).unwrap_err();
        assert!(err.contains("justification is required"), "{err}");
        assert!(err.contains("expires"), "{err}");
    }

    #[test]
    fn unknown_fields_and_bad_yaml_are_errors() {
        assert!(ModelFile::parse("scope:\n  titel: x\n", builtin()).is_err());
        assert!(ModelFile::parse("decisions: [\n", builtin()).is_err());
        assert!(ModelFile::parse("", builtin()).is_ok());
    }

    #[test]
    fn custom_threats_may_not_reuse_catalogue_ids() {
        let text = "custom_threats:\n  - id: DKR-S-01\n    component: registry\n    element: registry\n    stride: tampering\n    title: t\n    scenario: s\n    likelihood: low\n    impact: low\n";
        let err = ModelFile::parse(text, builtin()).unwrap_err();
        assert!(err.contains("already a catalogue threat"), "{err}");
    }
}
