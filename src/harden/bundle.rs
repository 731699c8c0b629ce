//! Fixes that go together: re-creating a container fixes every container-level check of that
//! container at once, so when several failed checks need the same container re-created the plan
//! also offers that one change ("re-create `proxy` without --privileged, the Docker socket and
//! host networking"), scored by the risk the checks remove together on that container, beside
//! the single-check picks.

use super::patch::containers::{self, Recreate};
use super::remedy::{Change, ChangeKind, Effort, Proposal, recreate_fix};
use super::risk::{self, PickRisk};
use crate::checks::{CheckResult, ObjectOutcome, Verdict};
use crate::facts::Facts;
use crate::facts::docker::ContainerView;
use crate::threats::Assessment;

/// The container a bundled pick re-creates.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// Container name (untrusted text: renderers sanitise it).
    pub container: String,
    /// Its element id in the threat model (`container:proxy`).
    pub element: String,
    /// `re-create `proxy` without --privileged, the Docker socket and host networking`.
    pub summary: String,
}

/// A bundled re-create, ready to rank beside the single-check candidates.
pub struct BundleCandidate<'a> {
    pub bundle: Bundle,
    /// The checks it clears on the container, the one removing most risk first.
    pub results: Vec<&'a CheckResult>,
    /// The container's failing outcome under each of them.
    pub objects: Vec<ObjectOutcome>,
    pub risk: PickRisk,
    pub proposal: Proposal,
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// "re-create `proxy` without --privileged and the Docker socket, with no-new-privileges".
pub fn summary(container: &str, fixes: &[Recreate]) -> String {
    let mut without: Vec<&str> = Vec::new();
    let mut with: Vec<&str> = Vec::new();
    for f in fixes {
        let (adds, what) = f.phrase();
        let list = if adds { &mut with } else { &mut without };
        if !list.contains(&what) {
            list.push(what);
        }
    }
    let mut parts = Vec::new();
    if !without.is_empty() {
        parts.push(format!("without {}", and_list(&without)));
    }
    if !with.is_empty() {
        parts.push(format!("with {}", and_list(&with)));
    }
    format!("re-create `{container}` {}", parts.join(", "))
}

/// Bundles over the failed checks that may be picked: one per container that two or more of
/// them fail on and that a re-create fixes.
pub fn bundles<'a>(
    facts: &Facts,
    failed: &[&'a CheckResult],
    assessment: &Assessment,
) -> Vec<BundleCandidate<'a>> {
    let Some(docker) = facts.docker.seen() else {
        return vec![];
    };
    let mut out = Vec::new();
    for inspect in &docker.containers {
        let view = ContainerView::new(inspect);
        let mut hits: Vec<(&CheckResult, &ObjectOutcome, Recreate, &'static str)> = Vec::new();
        for r in failed {
            let Some((fix, side)) = recreate_fix(r.check.slug) else {
                continue;
            };
            let object = r.outcome.objects.iter().find(|o| {
                o.verdict == Verdict::Fail
                    && o.kind == "container"
                    && o.name == view.name()
                    && o.id.as_deref().is_some_and(|id| view.id().starts_with(id))
            });
            if let Some(o) = object {
                hits.push((r, o, fix, side));
            }
        }
        if hits.len() < 2 {
            continue;
        }
        let element = crate::threats::paths::container_element_id(&view);
        // The check that removes most risk on this container leads.
        let slugs: Vec<&str> = hits.iter().map(|h| h.0.check.slug).collect();
        let alone = |slug: &str| risk::on_element(assessment, &element, &[slug]).score;
        hits.sort_by_key(|h| std::cmp::Reverse(alone(h.0.check.slug)));
        // Offered only when the checks together remove more than the best of them alone.
        let together = risk::on_element(assessment, &element, &slugs);
        if together.score <= alone(hits[0].0.check.slug) {
            continue;
        }
        let fixes: Vec<Recreate> = hits.iter().map(|h| h.2).collect();
        let summary = summary(view.name(), &fixes);
        let mut spec = containers::run_spec(docker, inspect);
        let mut changed = Vec::new();
        for f in &fixes {
            changed.extend(containers::apply_fix(&mut spec, *f));
        }
        let name = spec.name.clone();
        let commands = spec.recreate_commands();
        let mut notes: Vec<String> = Vec::new();
        if !changed.is_empty() {
            notes.push(format!(
                "{}: {}",
                crate::report::sanitize::terminal(&name),
                changed.join("; ")
            ));
        }
        notes.extend(
            spec.notes
                .iter()
                .map(|n| format!("{}: {n}", crate::report::sanitize::terminal(&name))),
        );
        let mut side_effects: Vec<String> = hits.iter().map(|h| h.3.to_string()).collect();
        side_effects.push(
            "the container is replaced: files in its writable layer (outside volumes) are lost and its IP address changes".into(),
        );
        let ids: Vec<&str> = hits.iter().map(|h| h.0.check.id()).collect();
        out.push(BundleCandidate {
            bundle: Bundle {
                container: view.name().to_string(),
                element: element.clone(),
                summary: summary.clone(),
            },
            objects: hits.iter().map(|h| h.1.clone()).collect(),
            risk: together,
            proposal: Proposal {
                effort: Effort::Recreate,
                change: Change {
                    kind: ChangeKind::DockerRecreate,
                    summary: format!("{summary} (one re-create; not applied automatically)"),
                    commands,
                    diff: None,
                    activation: Some("when the new container starts".into()),
                    actions: vec![],
                    blocked: None,
                    notes,
                },
                side_effects,
                verification: format!(
                    "re-run the checks (`threatbench scan --select {}`) after the new container runs: expect pass for {}",
                    ids.join(","),
                    crate::report::sanitize::terminal(view.name())
                ),
            },
            results: hits.iter().map(|h| h.0).collect(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_what_goes_and_what_comes() {
        assert_eq!(
            summary(
                "proxy",
                &[
                    Recreate::NotPrivileged,
                    Recreate::NoDockerSocket,
                    Recreate::NoHostNetwork
                ]
            ),
            "re-create `proxy` without --privileged, the Docker socket and host networking"
        );
        assert_eq!(
            summary(
                "web",
                &[
                    Recreate::NoHostPid,
                    Recreate::ReadOnlyRootfs,
                    Recreate::NoNewPrivileges
                ]
            ),
            "re-create `web` without the host's PID namespace, with a read-only root file system and no-new-privileges"
        );
    }
}
