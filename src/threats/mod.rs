//! The STRIDE threat model: the catalogue, the elements discovered from the facts, threat
//! instances with status and risk, and the user's model file.
//!
//! The library entry point is [`assess`]: facts + check results (+ an optional model file) in,
//! an [`Assessment`] out. Renderers (`report::threats_*`) and the hardening plan read the
//! assessment; none recomputes anything.
//!
//! ```no_run
//! # use threatbench::{checks, facts::Facts, threats};
//! # fn demo(facts: &Facts) {
//! let results = checks::run(facts, &checks::Selection::default());
//! let assessment = threats::assess(facts, &results, None);
//! for fix in assessment.fix_first() {
//!     println!("{} removes {} risk points", fix.slug, fix.risk_removed);
//! }
//! # }
//! ```
//!
//! Kubernetes elements come from the node facts (components with their flags, from processes,
//! static pod manifests or the kubelet's unit) and from a cluster dump (namespaces, workloads,
//! service accounts and their RBAC bindings); see `elements::kube`. A threat whose component is
//! not on the host is reported in [`Assessment::absent`] as not-applicable ("component not
//! present: ..."), or as unknown when the facts could not show whether the component exists
//! (e.g. /proc unreadable, no cluster dump for workloads).

pub mod catalog;
mod edition_ids;
pub mod elements;
pub mod model;
pub mod modelfile;
pub mod paths;

#[cfg(test)]
mod catalog_tests;
#[cfg(test)]
pub(crate) mod tests;

use std::collections::BTreeMap;

use serde::Serialize;

pub use catalog::{Catalog, Level, Stride, Surface, Threat, builtin};
pub use elements::{Element, ElementKind, SystemModel};
pub use model::{Instance, LinkVerdict, Risk, RiskTriple, Status};
pub use modelfile::ModelFile;

use crate::checks::CheckResult;
use crate::facts::Facts;
use model::AppliedDecision;
use modelfile::{Annotation, Scope, glob, parse_date};

/// A catalogue threat with no element to attach to on this system.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AbsentThreat {
    pub threat: String,
    pub component: Surface,
    pub stride: Stride,
    pub title: String,
    /// `not-applicable` (component not present) or `unknown` (could not tell).
    pub status: Status,
    pub reason: String,
}

/// An instance hidden by a suppression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suppressed {
    pub instance: String,
    pub reason: String,
    pub source: String,
}

/// Something about the model file worth a reviewer's attention.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelNote {
    /// The entry, e.g. `decisions[1] (DKR-E-01@container:x)`.
    pub entry: String,
    pub message: String,
}

/// A failing check and the current risk fixing it would remove.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckFix {
    pub slug: String,
    pub id: String,
    /// Σ over the instances it leaves exposed of (current score − score once fixed).
    pub risk_removed: u32,
    pub instances: Vec<String>,
}

/// One cell of the component × STRIDE matrix.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct MatrixCell {
    pub total: usize,
    pub exposed: usize,
    pub unknown: usize,
    /// Worst current risk among exposed and unknown instances.
    pub worst_open: Option<Level>,
}

/// The threat model of one target.
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub attack_version: String,
    /// The day decisions were judged against (expiry).
    pub today: String,
    pub system: SystemModel,
    /// Threat instances, most urgent first (suppressed ones removed).
    pub instances: Vec<Instance>,
    pub absent: Vec<AbsentThreat>,
    pub suppressed: Vec<Suppressed>,
    pub expired: Vec<ModelNote>,
    pub orphaned: Vec<ModelNote>,
    pub scope: Scope,
    pub annotations: BTreeMap<String, Annotation>,
    /// Linked check slugs that are not in this build's registry.
    pub unavailable_checks: Vec<String>,
    /// Whether a model file was applied.
    pub model_applied: bool,
    /// Attack paths from entry points to the host, dockerd and the cluster, over the instances.
    pub paths: paths::AttackPaths,
}

/// Assess the threat model with today's date for decision expiry.
pub fn assess(facts: &Facts, results: &[CheckResult], model: Option<&ModelFile>) -> Assessment {
    assess_on(facts, results, model, jiff::Zoned::now().date())
}

/// Assess with a given day for decision expiry (tests, reproducible reports).
pub fn assess_on(
    facts: &Facts,
    results: &[CheckResult],
    model: Option<&ModelFile>,
    today: jiff::civil::Date,
) -> Assessment {
    let catalog = builtin();
    let empty = ModelFile::default();
    let file = model.unwrap_or(&empty);
    let system = elements::discover(facts, results);
    let index = model::index(results);

    let mut threats: Vec<&Threat> = catalog.threats.iter().collect();
    threats.extend(file.custom_threats.iter());

    let mut annotation_used = vec![false; file.annotations.len()];
    let mut override_used = vec![false; file.overrides.len()];
    let mut instances = Vec::new();
    let mut absent = Vec::new();
    for threat in &threats {
        let targets: Vec<&Element> = system
            .elements
            .iter()
            .filter(|e| e.kind == threat.element)
            .filter(|e| !threat.interaction || e.crosses_boundary())
            .filter(|e| {
                threat.applies_to.is_empty() || threat.applies_to.iter().any(|p| glob(p, &e.id))
            })
            .collect();
        if targets.is_empty() {
            let (status, reason) = match system.absent.get(&threat.element) {
                Some(a) if a.unknown => (Status::Unknown, a.reason.clone()),
                Some(a) => (Status::NotApplicable, a.reason.clone()),
                None if threat.interaction => (
                    Status::NotApplicable,
                    format!(
                        "no {} element crosses a trust boundary",
                        threat.element.as_str()
                    ),
                ),
                None => (
                    Status::NotApplicable,
                    format!(
                        "no {} element matches {}",
                        threat.element.as_str(),
                        threat.applies_to.join(", ")
                    ),
                ),
            };
            absent.push(AbsentThreat {
                threat: threat.id.clone(),
                component: threat.component,
                stride: threat.stride,
                title: threat.title.clone(),
                status,
                reason,
            });
            continue;
        }
        for element in targets {
            let mut likelihood = threat.likelihood;
            let mut impact = threat.impact;
            for (i, (pattern, note)) in file.annotations.iter().enumerate() {
                if glob(pattern, &element.id) {
                    annotation_used[i] = true;
                    if let Some(level) = note.impact {
                        impact = level;
                    }
                }
            }
            let mut override_reason = None;
            for (i, o) in file.overrides.iter().enumerate() {
                let element_ok = o.element.as_deref().is_none_or(|p| glob(p, &element.id));
                if glob(&o.threat, &threat.id) && element_ok {
                    override_used[i] = true;
                    likelihood = o.likelihood.unwrap_or(likelihood);
                    impact = o.impact.unwrap_or(impact);
                    override_reason = Some(o.reason.clone());
                }
            }
            let mut inst = model::evaluate(threat, element, &index, likelihood, impact);
            inst.override_reason = override_reason;
            // What the threat needs is absent on this element: not applicable, and why.
            if let Some(why) = threat
                .requires
                .as_deref()
                .and_then(|p| element.properties.get(p))
                .and_then(|v| v.strip_prefix("none: "))
            {
                inst.status = Status::NotApplicable;
                inst.computed_status = Status::NotApplicable;
                inst.why = format!("{}: {why}", element.label);
            }
            instances.push(inst);
        }
    }

    let mut expired = Vec::new();
    let mut orphaned = Vec::new();

    // Scope exclusions.
    for (i, s) in file.scope.out_of_scope.iter().enumerate() {
        let mut hit = false;
        for inst in instances
            .iter_mut()
            .filter(|x| glob(&s.element, &x.element))
        {
            hit = true;
            inst.status = Status::NotApplicable;
            inst.decision = Some(AppliedDecision {
                status: Status::NotApplicable,
                justification: format!("out of scope: {}", s.reason),
                decided_by: None,
                expires: None,
                ticket: None,
                source: format!("scope.out_of_scope[{i}]"),
            });
        }
        if !hit {
            orphaned.push(ModelNote {
                entry: format!("scope.out_of_scope[{i}] ({})", s.element),
                message: "matches no discovered element".into(),
            });
        }
    }

    // Risk decisions: the first live decision that matches an instance applies.
    for (i, d) in file.decisions.iter().enumerate() {
        let entry = format!("decisions[{i}] ({})", d.instance);
        let matching: Vec<usize> = instances
            .iter()
            .enumerate()
            .filter(|(_, x)| glob(&d.instance, &x.id))
            .map(|(n, _)| n)
            .collect();
        if matching.is_empty() {
            orphaned.push(ModelNote {
                entry,
                message: "matches no threat instance".into(),
            });
            continue;
        }
        let expiry = d.expires.as_deref().and_then(|e| parse_date(e).ok());
        if let Some(day) = expiry.filter(|day| *day < today) {
            let ids: Vec<&str> = matching.iter().map(|n| instances[*n].id.as_str()).collect();
            expired.push(ModelNote {
                entry,
                message: format!("expired on {day}: no longer applied to {}", ids.join(", ")),
            });
            continue;
        }
        let status = match d.status {
            modelfile::DecisionStatus::Accepted => Status::Accepted,
            modelfile::DecisionStatus::NotApplicable => Status::NotApplicable,
        };
        for n in matching {
            let inst = &mut instances[n];
            if inst.decision.is_some() {
                continue;
            }
            inst.status = status;
            inst.decision = Some(AppliedDecision {
                status,
                justification: d.justification.clone(),
                decided_by: d.decided_by.clone(),
                expires: d.expires.clone(),
                ticket: d.ticket.clone(),
                source: format!("decisions[{i}]"),
            });
        }
    }

    // Suppressions.
    let mut suppressed = Vec::new();
    for (i, s) in file.suppressions.iter().enumerate() {
        let entry = format!(
            "suppressions[{i}] ({}{})",
            s.threat,
            s.element
                .as_deref()
                .map(|e| format!(" on {e}"))
                .unwrap_or_default()
        );
        let hits = |x: &Instance| {
            glob(&s.threat, &x.threat.id)
                && s.element.as_deref().is_none_or(|p| glob(p, &x.element))
        };
        if !instances.iter().any(hits) {
            orphaned.push(ModelNote {
                entry,
                message: "matches no threat instance".into(),
            });
            continue;
        }
        if let Some(day) = s
            .expires
            .as_deref()
            .and_then(|e| parse_date(e).ok())
            .filter(|day| *day < today)
        {
            expired.push(ModelNote {
                entry,
                message: format!("expired on {day}: the instances are shown again"),
            });
            continue;
        }
        let (hidden, kept): (Vec<Instance>, Vec<Instance>) =
            std::mem::take(&mut instances).into_iter().partition(hits);
        instances = kept;
        suppressed.extend(hidden.into_iter().map(|x| Suppressed {
            instance: x.id,
            reason: s.reason.clone(),
            source: format!("suppressions[{i}]"),
        }));
    }

    for (used, (pattern, _)) in annotation_used.iter().zip(&file.annotations) {
        if !used {
            orphaned.push(ModelNote {
                entry: format!("annotations[{pattern:?}]"),
                message: "matches no discovered element".into(),
            });
        }
    }
    for (i, (used, o)) in override_used.iter().zip(&file.overrides).enumerate() {
        if !used {
            orphaned.push(ModelNote {
                entry: format!("overrides[{i}] ({})", o.threat),
                message: "matches no threat instance".into(),
            });
        }
    }

    instances.sort_by(|a, b| {
        (a.status, std::cmp::Reverse(a.risk.current.score))
            .cmp(&(b.status, std::cmp::Reverse(b.risk.current.score)))
            .then(b.risk.inherent.score.cmp(&a.risk.inherent.score))
            .then(a.id.cmp(&b.id))
    });

    let mut unavailable_checks: Vec<String> = threats
        .iter()
        .flat_map(|t| t.check_slugs())
        .filter(|s| crate::checks::find(s).is_none())
        .map(str::to_string)
        .collect();
    unavailable_checks.sort();
    unavailable_checks.dedup();
    let paths = paths::compute(facts, &system, &instances);

    Assessment {
        attack_version: catalog.attack_version.clone(),
        today: today.to_string(),
        system,
        instances,
        absent,
        suppressed,
        expired,
        orphaned,
        scope: file.scope.clone(),
        annotations: file.annotations.clone(),
        unavailable_checks,
        model_applied: model.is_some(),
        paths,
    }
}

impl Assessment {
    pub fn instance(&self, id: &str) -> Option<&Instance> {
        self.instances.iter().find(|i| i.id == id)
    }

    /// Exposed instances where this check fails for the instance's element.
    pub fn exposed_by(&self, slug: &str) -> Vec<&Instance> {
        self.instances
            .iter()
            .filter(|i| i.status == Status::Exposed && i.failing_checks().contains(&slug))
            .collect()
    }

    /// Failing checks ordered by the current risk fixing each would remove ("fix first").
    /// Instances with a decision (accepted, not applicable) do not count.
    pub fn fix_first(&self) -> Vec<CheckFix> {
        let mut by_slug: BTreeMap<&str, CheckFix> = BTreeMap::new();
        for inst in self.instances.iter().filter(|i| i.decision.is_none()) {
            let current = inst.risk.current.score as u32;
            for slug in inst.failing_checks() {
                let after = inst.current_if_fixed(&[slug]).score as u32;
                let id = inst
                    .checks
                    .iter()
                    .find(|c| c.slug == slug)
                    .map(|c| c.id.clone())
                    .unwrap_or_default();
                let fix = by_slug.entry(slug).or_insert_with(|| CheckFix {
                    slug: slug.to_string(),
                    id,
                    risk_removed: 0,
                    instances: vec![],
                });
                fix.risk_removed += current.saturating_sub(after);
                fix.instances.push(inst.id.clone());
            }
        }
        let mut out: Vec<CheckFix> = by_slug.into_values().collect();
        out.sort_by(|a, b| {
            b.risk_removed
                .cmp(&a.risk_removed)
                .then(b.instances.len().cmp(&a.instances.len()))
                .then(a.slug.cmp(&b.slug))
        });
        out
    }

    /// Component × STRIDE counts, for every component with an instance, in catalogue order.
    pub fn matrix(&self) -> Vec<(Surface, [MatrixCell; 6])> {
        let mut rows: BTreeMap<Surface, [MatrixCell; 6]> = BTreeMap::new();
        for inst in &self.instances {
            let col = Stride::ALL
                .iter()
                .position(|s| *s == inst.stride())
                .unwrap_or(0);
            let cell = &mut rows.entry(inst.component()).or_default()[col];
            cell.total += 1;
            match inst.status {
                Status::Exposed => cell.exposed += 1,
                Status::Unknown => cell.unknown += 1,
                _ => {}
            }
            if inst.is_open() {
                cell.worst_open = cell.worst_open.max(Some(inst.risk.current.level));
            }
        }
        rows.into_iter().collect()
    }

    /// Counts by status.
    pub fn status_counts(&self) -> BTreeMap<Status, usize> {
        let mut out = BTreeMap::new();
        for i in &self.instances {
            *out.entry(i.status).or_insert(0) += 1;
        }
        out
    }
}
