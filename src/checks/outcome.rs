//! Verdicts and outcomes, and how per-object outcomes add up to one verdict.

use serde::Serialize;

use super::Context;
use crate::facts::docker::ContainerView;

/// The result of a check. Unknown is never `Pass`: missing evidence is `Error` or `Skip`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
    /// Needs a person's review (the benchmark's manual items).
    Warn,
    Info,
    /// Not applicable here, with the reason.
    Skip,
    /// Could not be evaluated: evidence missing or unreadable.
    Error,
}

impl Verdict {
    pub const ALL: [Verdict; 6] = [
        Verdict::Pass,
        Verdict::Fail,
        Verdict::Warn,
        Verdict::Info,
        Verdict::Skip,
        Verdict::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Warn => "warn",
            Verdict::Info => "info",
            Verdict::Skip => "skip",
            Verdict::Error => "error",
        }
    }

    /// Which verdict wins when objects disagree: a failure anywhere fails the check, then
    /// unreadable evidence, then review items.
    fn weight(self) -> u8 {
        match self {
            Verdict::Fail => 5,
            Verdict::Error => 4,
            Verdict::Warn => 3,
            Verdict::Info => 2,
            Verdict::Pass => 1,
            Verdict::Skip => 0,
        }
    }

    pub fn worst(verdicts: impl IntoIterator<Item = Verdict>) -> Option<Verdict> {
        verdicts.into_iter().max_by_key(|v| v.weight())
    }
}

/// The verdict on one object (a container, an image, a file).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectOutcome {
    pub kind: &'static str,
    /// Untrusted text (container names): renderers sanitise it.
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub verdict: Verdict,
    pub evidence: String,
}

/// A check's verdict with its evidence, and per-object outcomes where the check is per object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub verdict: Verdict,
    pub evidence: String,
    pub objects: Vec<ObjectOutcome>,
    /// A severity other than the check's for this finding (a read-only sensitive mount is less
    /// severe than a writable one); `None`: the check's. Read it through
    /// [`super::CheckResult::severity`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<super::Severity>,
    /// The file the deciding value is written in (or would be), and the key or flag: SARIF's
    /// physical location, so that a viewer opens daemon.json or the manifest at that line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
}

/// A file on the scanned host and, when known, the key or flag in it that decides a verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceRef {
    /// The path on the scanned host (not under `--root`).
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The 1-based line of the key, when the collector recorded it (a manifest's flags); else
    /// a renderer finds it in the file's collected text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Outcome {
    pub fn new(verdict: Verdict, evidence: impl Into<String>) -> Self {
        Outcome {
            verdict,
            evidence: evidence.into(),
            objects: vec![],
            severity: None,
            source: None,
        }
    }
    pub fn pass(evidence: impl Into<String>) -> Self {
        Self::new(Verdict::Pass, evidence)
    }
    pub fn fail(evidence: impl Into<String>) -> Self {
        Self::new(Verdict::Fail, evidence)
    }
    pub fn warn(evidence: impl Into<String>) -> Self {
        Self::new(Verdict::Warn, evidence)
    }
    pub fn info(evidence: impl Into<String>) -> Self {
        Self::new(Verdict::Info, evidence)
    }
    pub fn skip(evidence: impl Into<String>) -> Self {
        Self::new(Verdict::Skip, evidence)
    }
    pub fn error(evidence: impl Into<String>) -> Self {
        Self::new(Verdict::Error, evidence)
    }

    /// Pass when `ok`, else fail, with the same evidence.
    pub fn pass_if(ok: bool, evidence: impl Into<String>) -> Self {
        Self::new(if ok { Verdict::Pass } else { Verdict::Fail }, evidence)
    }

    /// Combine per-object outcomes into one: the worst verdict wins, and the evidence names the
    /// objects that drove it.
    pub fn from_objects(kind_plural: &str, objects: Vec<ObjectOutcome>) -> Self {
        let Some(verdict) = Verdict::worst(objects.iter().map(|o| o.verdict)) else {
            return Outcome::skip(format!("no {kind_plural} in scope"));
        };
        let total = objects.len();
        let driving: Vec<&str> = objects
            .iter()
            .filter(|o| o.verdict == verdict)
            .map(|o| o.name.as_str())
            .collect();
        // Skipped and informational objects are not listed under the check (only failing ones
        // are): when they all give one reason, the check's evidence carries it.
        let shared_reason = match verdict {
            Verdict::Skip | Verdict::Info => objects
                .split_first()
                .filter(|(first, rest)| rest.iter().all(|o| o.evidence == first.evidence))
                .map(|(first, _)| first.evidence.as_str()),
            _ => None,
        };
        let evidence = if driving.len() == total {
            match shared_reason {
                Some(reason) => {
                    format!("all {total} {kind_plural}: {}: {reason}", verdict.as_str())
                }
                None => format!("all {total} {kind_plural}: {}", verdict.as_str()),
            }
        } else {
            format!(
                "{} of {total} {kind_plural} {}: {}",
                driving.len(),
                verdict.as_str(),
                driving.join(", ")
            )
        };
        Outcome {
            verdict,
            evidence,
            objects,
            severity: None,
            source: None,
        }
    }

    /// The deciding value is written in `path` (at `key`, a JSON/YAML key or a `--flag`).
    pub fn at(mut self, path: &str, key: Option<&str>) -> Self {
        self.source = Some(SourceRef {
            path: path.to_string(),
            key: key.map(str::to_string),
            line: None,
        });
        self
    }

    /// This finding at another severity than the check's.
    pub fn with_severity(mut self, severity: super::Severity) -> Self {
        self.severity = Some(severity);
        self
    }
}

/// Evaluate a per-container rule over every container in scope.
pub(super) fn each_container(
    ctx: &Context,
    rule: fn(&Context, ContainerView) -> Outcome,
) -> Outcome {
    let docker = match ctx.facts.docker.as_result() {
        Ok(d) => d,
        Err(u) => return Outcome::error(u.reason.clone()),
    };
    if docker.containers.is_empty() {
        let scope = if docker.all_containers {
            "no containers exist"
        } else {
            "no running containers (use --all-containers to include stopped ones)"
        };
        return Outcome::skip(scope);
    }
    let mut severities = Vec::new();
    let objects = docker
        .containers
        .iter()
        .map(|inspect| {
            let view = ContainerView::new(inspect);
            let o = rule(ctx, view);
            severities.push((o.verdict, o.severity));
            ObjectOutcome {
                kind: "container",
                name: view.name().to_string(),
                id: Some(view.id().chars().take(12).collect()),
                verdict: o.verdict,
                evidence: o.evidence,
            }
        })
        .collect();
    let mut outcome = Outcome::from_objects("containers", objects);
    // The check's severity unless every container that decides the verdict has its own: then
    // the highest of those (one writable sensitive mount keeps a mount check critical).
    let deciding: Vec<Option<super::Severity>> = severities
        .iter()
        .filter(|(v, _)| *v == outcome.verdict)
        .map(|(_, s)| *s)
        .collect();
    if deciding.iter().all(Option::is_some) {
        outcome.severity = deciding.into_iter().flatten().max();
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(name: &str, verdict: Verdict) -> ObjectOutcome {
        ObjectOutcome {
            kind: "container",
            name: name.into(),
            id: None,
            verdict,
            evidence: String::new(),
        }
    }

    #[test]
    fn worst_verdict_wins_and_names_the_objects() {
        let o = Outcome::from_objects(
            "containers",
            vec![
                obj("a", Verdict::Pass),
                obj("b", Verdict::Fail),
                obj("c", Verdict::Error),
            ],
        );
        assert_eq!(o.verdict, Verdict::Fail);
        assert_eq!(o.evidence, "1 of 3 containers fail: b");
    }

    /// `all 4 containers: skip` said nothing of why (the objects are listed only with
    /// --verbose): one shared reason is carried up.
    #[test]
    fn objects_skipped_for_one_reason_give_it() {
        let skipped = |name| ObjectOutcome {
            evidence: "AppArmor is not enabled on the host".into(),
            ..obj(name, Verdict::Skip)
        };
        let o = Outcome::from_objects("containers", vec![skipped("a"), skipped("b")]);
        assert_eq!(
            o.evidence,
            "all 2 containers: skip: AppArmor is not enabled on the host"
        );
        let mut other = skipped("c");
        other.evidence = "another reason".into();
        let o = Outcome::from_objects("containers", vec![skipped("a"), other]);
        assert_eq!(o.evidence, "all 2 containers: skip");
        // Failing objects are listed under the check: no change there.
        let failed = |name| ObjectOutcome {
            evidence: "Privileged=true".into(),
            ..obj(name, Verdict::Fail)
        };
        let o = Outcome::from_objects("containers", vec![failed("a"), failed("b")]);
        assert_eq!(o.evidence, "all 2 containers: fail");
    }

    #[test]
    fn no_objects_is_skip_not_pass() {
        assert_eq!(
            Outcome::from_objects("containers", vec![]).verdict,
            Verdict::Skip
        );
    }
}
