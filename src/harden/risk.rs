//! How a pick is scored and what risk it removes.
//!
//! Interim: the threat model (`threats::assess`) is being built on another branch. Until it lands,
//! the fix-first score is computed here from the check alone, in one function, so that switching
//! to "current risk removed across all threat instances the check mitigates" changes only this
//! file. Everything that reads a score or a risk goes through [`RiskEstimate`].

use serde::Serialize;

use crate::checks::{CheckResult, Severity, Verdict};

/// How readily a change can be made, from a reversible live update to a person's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effort {
    /// Applied live and reversibly (`docker update`, chmod/chown, a rules file).
    Live,
    /// A daemon.json key dockerd re-reads on SIGHUP.
    Reload,
    /// A daemon.json key (or flag) that needs a dockerd restart.
    Restart,
    /// The container must be re-created.
    Recreate,
    /// Needs a person's input (certificates, a log server, a plugin).
    Manual,
}

impl Effort {
    fn factor(self) -> f64 {
        match self {
            Effort::Live => 1.0,
            Effort::Reload => 0.9,
            Effort::Restart => 0.7,
            Effort::Recreate => 0.5,
            Effort::Manual => 0.3,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Effort::Live => "applied live and reversibly",
            Effort::Reload => "daemon.json, applied by a dockerd reload",
            Effort::Restart => "needs a dockerd restart",
            Effort::Recreate => "needs the container re-created",
            Effort::Manual => "needs a person's input",
        }
    }
}

/// Risk level of the threats a check guards, before and after the change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskEstimate {
    pub score: f64,
    pub before: Severity,
    pub after: Severity,
    /// Threat instances the change closes (`THREAT@element`), once the threat model provides them.
    pub threats: Vec<String>,
    /// How the numbers were obtained.
    pub basis: &'static str,
}

pub const INTERIM_BASIS: &str = "check severity x failing objects x effort (threat model pending)";

fn severity_weight(s: Severity) -> f64 {
    match s {
        Severity::Critical => 10.0,
        Severity::High => 7.0,
        Severity::Medium => 4.0,
        Severity::Low => 1.0,
    }
}

/// The fix-first score of a failed check: how much risk its change removes, per unit of effort.
/// Interim formula: severity weight x breadth (1 + log2 of the failing objects) x effort factor.
pub fn fix_first_score(result: &CheckResult, effort: Effort) -> f64 {
    let failing = result
        .outcome
        .objects
        .iter()
        .filter(|o| o.verdict == Verdict::Fail)
        .count()
        .max(1);
    let breadth = 1.0 + (failing as f64).log2();
    let score = severity_weight(result.check.severity) * breadth * effort.factor();
    (score * 100.0).round() / 100.0
}

/// The risk estimate for a pick (interim: from the check alone).
pub fn estimate(result: &CheckResult, effort: Effort) -> RiskEstimate {
    RiskEstimate {
        score: fix_first_score(result, effort),
        before: result.check.severity,
        // Once the check passes its own exposure is closed; residual risk from other open checks
        // on the same threats is what the threat model will add.
        after: Severity::Low,
        threats: vec![],
        basis: INTERIM_BASIS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{ObjectOutcome, Outcome};

    fn result(slug: &str, failing: usize) -> CheckResult {
        let objects = (0..failing)
            .map(|i| ObjectOutcome {
                kind: "container",
                name: format!("c{i}"),
                id: None,
                verdict: Verdict::Fail,
                evidence: String::new(),
            })
            .collect();
        CheckResult {
            check: crate::checks::find(slug).unwrap(),
            outcome: Outcome {
                verdict: Verdict::Fail,
                evidence: String::new(),
                objects,
            },
        }
    }

    #[test]
    fn severity_breadth_and_effort_order_the_score() {
        let pids = fix_first_score(&result("container-pids-limit", 4), Effort::Live);
        assert_eq!(pids, 21.0); // high 7 x (1 + 2) x 1.0
        let restart = fix_first_score(&result("container-restart-policy", 4), Effort::Live);
        assert!(restart < pids);
        let privileged = fix_first_score(&result("container-privileged", 1), Effort::Recreate);
        assert_eq!(privileged, 5.0);
    }
}
