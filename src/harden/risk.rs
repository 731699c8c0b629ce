//! How a pick is scored, from the threat model. The fix-first score of a failed check is the
//! current risk its fix removes across every threat instance it mitigates
//! ([`Assessment::fix_first`]: accepted and not-applicable instances do not count); the pick's
//! risk before → after is the worst current risk of those instances now and once the check passes
//! ([`Instance::current_if_fixed`](crate::threats::Instance::current_if_fixed)).

use super::surface::{self, AttackSurface};
use crate::threats::{Assessment, CheckFix, Risk, Status, Stride};

/// How the score is obtained, as the reports state it.
pub const SCORING: &str = "current risk removed: the sum, over the threat instances the check mitigates, of their current risk minus their risk once the check passes (likelihood x impact, 1-16 each); accepted and not-applicable threats do not count";

/// `critical → low`; the scores when the level stays (`high, 9 → 6`), or `high, unchanged`.
pub fn change(before: Risk, after: Risk) -> String {
    if before.score == after.score {
        format!("{}, unchanged", before.level)
    } else if before.level == after.level {
        format!("{}, {} → {}", before.level, before.score, after.score)
    } else {
        format!("{} → {}", before.level, after.level)
    }
}

/// What fixing a check does to one threat instance.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreatEffect {
    /// `THREAT@element`.
    pub instance: String,
    pub threat: String,
    pub title: String,
    pub stride: Stride,
    pub surface: AttackSurface,
    /// The instance's status now.
    pub status: Status,
    /// Current risk now.
    pub before: Risk,
    /// Current risk once the check passes.
    pub after: Risk,
    /// Other linked checks that still fail for this element once the check passes.
    pub still_failing: Vec<String>,
}

impl ThreatEffect {
    pub fn removed(&self) -> u8 {
        self.before.score.saturating_sub(self.after.score)
    }

    /// The fix leaves an exposed instance with no failing check: it is no longer exposed.
    pub fn closes(&self) -> bool {
        self.status == Status::Exposed && self.still_failing.is_empty()
    }

    pub fn risk_change(&self) -> String {
        change(self.before, self.after)
    }

    /// `closes DKR-E-01@container:legacy (critical → low)`, `lowers … (high, 9 → 6; still
    /// failing: …)`, or `adds a mitigation to … (high, unchanged; …)` when the risk stays.
    pub fn describe(&self) -> String {
        let verb = if self.closes() {
            "closes"
        } else if self.removed() > 0 {
            "lowers"
        } else {
            "adds a mitigation to"
        };
        let change = self.risk_change();
        let rest = if self.still_failing.is_empty() {
            String::new()
        } else {
            format!("; still failing: {}", self.still_failing.join(", "))
        };
        format!("{verb} {} ({change}{rest})", self.instance)
    }
}

/// The threat-model view of one failed check's fix.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PickRisk {
    /// Current risk removed, summed over `effects`.
    pub score: u32,
    /// The instances the fix acts on, most risk removed first.
    pub effects: Vec<ThreatEffect>,
}

fn worst(risks: impl Iterator<Item = Risk>) -> Option<Risk> {
    risks.max_by_key(|r| (r.score, r.impact))
}

impl PickRisk {
    /// The worst current risk of the instances now (`None`: the check mitigates none here).
    pub fn before(&self) -> Option<Risk> {
        worst(self.effects.iter().map(|e| e.before))
    }

    /// The worst current risk of the instances once the check passes.
    pub fn after(&self) -> Option<Risk> {
        worst(self.effects.iter().map(|e| e.after))
    }

    /// The worst current risk before → after (`None`: no threat instance).
    pub fn risk_change(&self) -> Option<String> {
        Some(change(self.before()?, self.after()?))
    }

    /// The surface of the instance the fix helps most (most risk removed, then the worst now).
    pub fn main_surface(&self) -> Option<AttackSurface> {
        self.effects
            .iter()
            .max_by_key(|e| (e.removed(), e.before.score))
            .map(|e| e.surface)
    }
}

/// The risk a check's fix removes; `fix` is the check's entry of `assessment.fix_first()`
/// (none when it fails on no open threat instance).
pub fn of_fix(assessment: &Assessment, fix: Option<&CheckFix>) -> PickRisk {
    let Some(fix) = fix else {
        return PickRisk::default();
    };
    let mut effects: Vec<ThreatEffect> = fix
        .instances
        .iter()
        .filter_map(|id| assessment.instance(id))
        .map(|inst| ThreatEffect {
            instance: inst.id.clone(),
            threat: inst.threat.id.clone(),
            title: inst.threat.title.clone(),
            stride: inst.stride(),
            surface: surface::of_threat(&inst.threat),
            status: inst.status,
            before: inst.risk.current,
            after: inst.current_if_fixed(&[fix.slug.as_str()]),
            still_failing: inst
                .failing_checks()
                .into_iter()
                .filter(|s| *s != fix.slug)
                .map(str::to_string)
                .collect(),
        })
        .collect();
    // Most risk removed first, then the worst now; the id keeps the order stable.
    effects.sort_by(|a, b| {
        b.removed()
            .cmp(&a.removed())
            .then(b.before.score.cmp(&a.before.score))
            .then(a.instance.cmp(&b.instance))
    });
    PickRisk {
        score: fix.risk_removed,
        effects,
    }
}

/// The risk fixing `slugs` on one element removes (a bundled re-create of one container): the
/// instances on that element that one of them fails for, without a decision.
pub fn on_element(assessment: &Assessment, element: &str, slugs: &[&str]) -> PickRisk {
    let mut score = 0;
    let mut effects: Vec<ThreatEffect> = Vec::new();
    for inst in assessment
        .instances
        .iter()
        .filter(|i| i.element == element && i.decision.is_none())
    {
        let failing = inst.failing_checks();
        if !slugs.iter().any(|s| failing.contains(s)) {
            continue;
        }
        let after = inst.current_if_fixed(slugs);
        score += inst.risk.current.score.saturating_sub(after.score) as u32;
        effects.push(ThreatEffect {
            instance: inst.id.clone(),
            threat: inst.threat.id.clone(),
            title: inst.threat.title.clone(),
            stride: inst.stride(),
            surface: surface::of_threat(&inst.threat),
            status: inst.status,
            before: inst.risk.current,
            after,
            still_failing: failing
                .into_iter()
                .filter(|s| !slugs.contains(s))
                .map(str::to_string)
                .collect(),
        });
    }
    effects.sort_by(|a, b| {
        b.removed()
            .cmp(&a.removed())
            .then(b.before.score.cmp(&a.before.score))
            .then(a.instance.cmp(&b.instance))
    });
    PickRisk { score, effects }
}

/// Why a failed check removes no current risk here: the threats it mitigates are decided on
/// (accepted, not applicable) or have no element on this system. Empty when it mitigates none.
pub fn why_unscored(assessment: &Assessment, slug: &str) -> Vec<String> {
    let decided = assessment
        .instances
        .iter()
        .filter(|i| i.failing_checks().contains(&slug))
        .filter_map(|i| {
            let d = i.decision.as_ref()?;
            Some(format!(
                "{} is {} ({})",
                i.id,
                d.status.as_str(),
                d.justification
            ))
        });
    // Absent threats grouped by their reason, which is often shared (Docker not visible).
    let mut absent: Vec<(String, Vec<&str>)> = Vec::new();
    for a in assessment.absent.iter().filter(|a| {
        crate::threats::builtin()
            .find(&a.threat)
            .is_some_and(|t| t.check_slugs().contains(&slug))
    }) {
        let why = format!("{}: {}", a.status.as_str(), a.reason);
        match absent.iter_mut().find(|(w, _)| *w == why) {
            Some((_, ids)) => ids.push(&a.threat),
            None => absent.push((why, vec![&a.threat])),
        }
    }
    decided
        .chain(
            absent
                .into_iter()
                .map(|(why, ids)| format!("{} {why}", ids.join(", "))),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{self, Selection};
    use crate::threats::{Level, assess_on, tests::fixture_facts};

    fn assessment() -> Assessment {
        let facts = fixture_facts();
        let results = checks::run(&facts, &Selection::default());
        assess_on(&facts, &results, None, "2026-11-20".parse().unwrap())
    }

    #[test]
    fn the_score_and_risks_come_from_the_instances_the_check_fails_on() {
        let a = assessment();
        let fixes = a.fix_first();
        let fix = fixes
            .iter()
            .find(|f| f.slug == "container-privileged")
            .unwrap();
        let risk = of_fix(&a, Some(fix));
        assert_eq!(risk.score, fix.risk_removed);
        let ids: Vec<&str> = risk.effects.iter().map(|e| e.instance.as_str()).collect();
        let mut expected: Vec<&str> = fix.instances.iter().map(String::as_str).collect();
        expected.sort();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(sorted, expected);
        let e = risk
            .effects
            .iter()
            .find(|e| e.threat == "DKR-E-01")
            .expect("the privileged container's escape threat");
        let inst = a.instance(&e.instance).unwrap();
        assert_eq!(e.before, inst.risk.current);
        assert_eq!(e.after, inst.current_if_fixed(&["container-privileged"]));
        assert!(e.removed() > 0);
        assert_eq!(e.surface, AttackSurface::DockerClient);
        // The score is the sum of what each instance loses.
        let sum: u32 = risk.effects.iter().map(|e| e.removed() as u32).sum();
        assert_eq!(sum, risk.score);
        // Before is the worst current risk of the instances, after the worst once fixed.
        assert_eq!(
            risk.before().unwrap().score,
            risk.effects.iter().map(|e| e.before.score).max().unwrap()
        );
        assert!(risk.after().unwrap().score < risk.before().unwrap().score);
        assert_ne!(risk.before().unwrap().level, Level::Low);
    }

    #[test]
    fn a_check_on_no_open_instance_scores_zero_with_no_risk() {
        let a = assessment();
        let risk = of_fix(&a, None);
        assert_eq!(risk.score, 0);
        assert_eq!((risk.before(), risk.after()), (None, None));
        assert_eq!(risk.main_surface(), None);
    }

    #[test]
    fn without_elements_the_threats_are_named_once_per_reason() {
        let facts: crate::facts::Facts = serde_json::from_value(serde_json::json!({
            "schema": "threatbench/facts/v1", "tool_version": "0", "collected_at": "now",
            "host": {"root": "/", "hostname": null, "processes": {"seen": []}},
            "docker": {"unavailable": {"kind": "not_collected", "reason": "test"}}
        }))
        .unwrap();
        let results = checks::run(&facts, &Selection::default());
        let a = assess_on(&facts, &results, None, "2026-11-20".parse().unwrap());
        let reasons = why_unscored(&a, "image-content-trust-enabled");
        assert_eq!(reasons.len(), 1, "{reasons:?}");
        assert!(
            reasons[0].starts_with("DKR-T-01, DKR-T-02, DKR-R-02"),
            "{reasons:?}"
        );
        assert!(reasons[0].contains("Docker not visible"), "{reasons:?}");
        assert!(why_unscored(&a, "daemon-iptables-enabled").is_empty());
    }

    #[test]
    fn effects_say_whether_they_close_the_instance() {
        let r = |l, i| Risk::new(l, i);
        let mut e = ThreatEffect {
            instance: "DKR-E-01@container:legacy".into(),
            threat: "DKR-E-01".into(),
            title: "t".into(),
            stride: Stride::ElevationOfPrivilege,
            surface: AttackSurface::DockerClient,
            status: Status::Exposed,
            before: r(Level::Critical, Level::Critical),
            after: r(Level::Low, Level::Low),
            still_failing: vec![],
        };
        assert_eq!(
            e.describe(),
            "closes DKR-E-01@container:legacy (critical → low)"
        );
        e.still_failing = vec!["container-host-devices".into()];
        assert_eq!(
            e.describe(),
            "lowers DKR-E-01@container:legacy (critical → low; still failing: container-host-devices)"
        );
        e.after = r(Level::Critical, Level::High);
        assert_eq!(
            e.describe(),
            "lowers DKR-E-01@container:legacy (critical, 16 → 12; still failing: container-host-devices)"
        );
        e.after = e.before;
        assert_eq!(
            e.describe(),
            "adds a mitigation to DKR-E-01@container:legacy (critical, unchanged; still failing: container-host-devices)"
        );
    }
}
