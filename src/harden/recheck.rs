//! After an apply: the affected checks run again on freshly collected facts, and each shows its
//! verdict before → after, per object too, and the threat model is assessed again so that each
//! threat instance the pick acted on shows its status and current risk before → after. A
//! daemon.json change that dockerd has not loaded yet is marked pending: the file says one thing,
//! the running daemon still another.

use serde::Serialize;

use super::patch::daemon_json;
use super::plan::Pick;
use super::remedy::{Action, ChangeKind};
use crate::checks::{CheckResult, Verdict};
use crate::threats::{Assessment, Level, Status};

#[derive(Debug, Clone, Serialize)]
pub struct ObjectChange {
    pub name: String,
    pub before: Verdict,
    pub after: Option<Verdict>,
}

/// One threat instance of a pick, before and after (re-assessed on the fresh facts).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThreatChange {
    pub instance: String,
    pub status_before: Status,
    /// `None`: the instance is gone (its element no longer exists).
    pub status_after: Option<Status>,
    pub risk_before: Level,
    pub risk_after: Option<Level>,
    pub score_before: u8,
    pub score_after: Option<u8>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recheck {
    pub id: &'static str,
    pub slug: &'static str,
    pub before: Verdict,
    pub after: Verdict,
    pub evidence_before: String,
    pub evidence_after: String,
    /// Set when the change is not in effect yet (and why).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
    pub objects: Vec<ObjectChange>,
    pub threats: Vec<ThreatChange>,
}

impl Recheck {
    /// The change took effect and the check passes.
    pub fn fixed(&self) -> bool {
        self.pending.is_none() && self.after == Verdict::Pass
    }
}

/// How dockerd was told about daemon.json changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DaemonState {
    NotTold,
    Reloaded,
    Restarted,
}

/// Compare each applied pick's check, and the threat instances it acted on, before and after.
pub fn compare(
    picks: &[&Pick],
    after: &[CheckResult],
    assessed: &Assessment,
    daemon: DaemonState,
) -> Vec<Recheck> {
    picks
        .iter()
        .filter_map(|p| {
            let now = after.iter().find(|r| r.check.slug == p.check.slug)?;
            let pending = pending_reason(p, daemon, now.outcome.verdict);
            let objects = p
                .objects
                .iter()
                .map(|o| ObjectChange {
                    name: o.name.clone(),
                    before: o.verdict,
                    after: now
                        .outcome
                        .objects
                        .iter()
                        .find(|n| n.name == o.name && n.kind == o.kind)
                        .map(|n| n.verdict),
                })
                .collect();
            Some(Recheck {
                id: p.check.id(),
                slug: p.check.slug,
                before: Verdict::Fail,
                after: now.outcome.verdict,
                evidence_before: p.evidence.clone(),
                evidence_after: now.outcome.evidence.clone(),
                pending,
                objects,
                threats: p
                    .risk
                    .effects
                    .iter()
                    .map(|e| {
                        let now = assessed.instance(&e.instance);
                        ThreatChange {
                            instance: e.instance.clone(),
                            status_before: e.status,
                            status_after: now.map(|i| i.status),
                            risk_before: e.before.level,
                            risk_after: now.map(|i| i.risk.current.level),
                            score_before: e.before.score,
                            score_after: now.map(|i| i.risk.current.score),
                        }
                    })
                    .collect(),
            })
        })
        .collect()
}

fn pending_reason(p: &Pick, daemon: DaemonState, after: Verdict) -> Option<String> {
    if p.proposal.change.kind == ChangeKind::AuditRules && after != Verdict::Pass {
        return Some("rules file written; auditd applies it after `augenrules --load`".into());
    }
    if p.proposal.change.kind != ChangeKind::DaemonJson {
        return None;
    }
    let keys: Vec<&str> = p
        .proposal
        .change
        .actions
        .iter()
        .flat_map(|a| match a {
            Action::DaemonJson { edits, .. } => edits.iter().map(|e| e.key()).collect(),
            _ => vec![],
        })
        .collect();
    match daemon {
        DaemonState::Restarted => None,
        DaemonState::Reloaded if keys.iter().all(|k| daemon_json::is_reloadable(k)) => None,
        DaemonState::Reloaded => Some(format!(
            "dockerd was reloaded, but {} needs a restart",
            keys.iter()
                .filter(|k| !daemon_json::is_reloadable(k))
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        DaemonState::NotTold => Some(
            if keys.iter().all(|k| daemon_json::is_reloadable(k)) {
                "written to daemon.json; takes effect after dockerd reload (--reload-daemon) or restart"
            } else {
                "written to daemon.json; takes effect after dockerd restart (--restart-daemon)"
            }
            .to_string(),
        ),
    }
}
