//! Section 6: Docker security operations: image and container sprawl, counted from the image
//! list and the list of every container (running or not).

use std::collections::HashSet;

use bollard::models::{ContainerSummary, ContainerSummaryStateEnum};

use super::images::{image_label, short_id};
use super::{V131, V160, docker};
use crate::checks::{
    Assessment::*, Check, Component, Context, Doc, Evaluate, Level::*, Outcome, Severity::*,
};
use crate::facts::{DockerFacts, Observed};

pub const CHECKS: &[Check] = &[
    Check {
        slug: "ops-image-sprawl",
        ids: &[(V160, "6.1"), (V131, "6.1")],
        title: "Avoid image sprawl",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::Image,
        doc: Doc {
            what: "Local images that no container (running or stopped) uses, for a person to remove those not needed.",
            why: "Old unused images keep vulnerable software on the host, ready to be started again by mistake or by an attacker, and fill the disk.",
            evidence: "The number of local images and the unused ones by name, from the image list and the list of every container.",
            remediation: "Remove unused images: `docker image prune -a` (after checking the list), and keep only the tags in use.",
            references: "",
        },
        evaluate: Evaluate::Context(image_sprawl),
    },
    Check {
        slug: "ops-container-sprawl",
        ids: &[(V160, "6.2"), (V131, "6.2")],
        title: "Avoid container sprawl",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::Container,
        doc: Doc {
            what: "Containers that exist but do not run (created, exited, dead), for a person to remove those not needed.",
            why: "Stopped containers keep their writable layers, secrets in their environment and old software, and can be restarted unnoticed.",
            evidence: "Total and running container counts, and the names of those not running.",
            remediation: "Remove stopped containers that are not needed: `docker container prune` (after checking the list); run short-lived containers with `--rm`.",
            references: "",
        },
        evaluate: Evaluate::Context(container_sprawl),
    },
];

const SHOWN: usize = 20;

fn list_some(names: &[String]) -> String {
    let mut shown: Vec<String> = names.iter().take(SHOWN).cloned().collect();
    if names.len() > SHOWN {
        shown.push(format!("and {} more", names.len() - SHOWN));
    }
    shown.join(", ")
}

/// Every container (running or not), or why only the scan's own containers are known.
fn all_containers(d: &DockerFacts) -> Result<&[ContainerSummary], String> {
    match &d.container_list {
        Some(Observed::Seen(list)) => Ok(list),
        Some(Observed::Unavailable(u)) => Err(u.reason.clone()),
        None => Err("this facts bundle has no list of all containers".into()),
    }
}

fn image_sprawl(ctx: &Context) -> Outcome {
    let d = match docker(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    if d.images.is_empty() {
        return Outcome::pass("no local images");
    }
    let (used, scope): (HashSet<String>, String) = match all_containers(d) {
        Ok(list) => (
            list.iter().filter_map(|c| c.image_id.clone()).collect(),
            format!("{} containers, running or not", list.len()),
        ),
        Err(reason) => (
            d.containers
                .iter()
                .filter_map(|c| c.image.clone())
                .collect(),
            if d.all_containers {
                format!("{} containers in scope ({reason})", d.containers.len())
            } else {
                format!(
                    "{} running containers only ({reason}): images of stopped containers count as unused",
                    d.containers.len()
                )
            },
        ),
    };
    let unused: Vec<String> = d
        .images
        .iter()
        .filter(|i| !used.contains(&i.id))
        .map(|i| format!("{} ({})", image_label(i), short_id(&i.id)))
        .collect();
    let total = d.images.len();
    if unused.is_empty() {
        Outcome::pass(format!("all {total} local images are used by the {scope}"))
    } else {
        Outcome::warn(format!(
            "{} of {total} local images are not used by any of the {scope}: {}",
            unused.len(),
            list_some(&unused)
        ))
    }
}

fn container_sprawl(ctx: &Context) -> Outcome {
    let d = match docker(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let list = match all_containers(d) {
        Ok(list) => list,
        Err(reason) => {
            // `docker info` still has the counts (without names).
            return match (d.info.containers, d.info.containers_running) {
                (Some(total), Some(running)) if total == running => Outcome::pass(format!(
                    "{total} containers, all running (counts from docker info; {reason})"
                )),
                (Some(total), Some(running)) => Outcome::warn(format!(
                    "{total} containers, {running} running, {} not running (counts from docker info; {reason})",
                    total - running
                )),
                _ => Outcome::error(format!("container counts unavailable: {reason}")),
            };
        }
    };
    let idle: Vec<String> = list
        .iter()
        .filter(|c| c.state != Some(ContainerSummaryStateEnum::RUNNING))
        .map(|c| {
            let name = c
                .names
                .as_ref()
                .and_then(|n| n.first())
                .map(|n| n.trim_start_matches('/').to_string())
                .unwrap_or_else(|| c.id.clone().unwrap_or_default().chars().take(12).collect());
            let state = c.state.map(|s| s.to_string()).unwrap_or_default();
            format!("{name} ({state})")
        })
        .collect();
    let total = list.len();
    if idle.is_empty() {
        Outcome::pass(format!("{total} containers, all running"))
    } else {
        Outcome::warn(format!(
            "{total} containers, {} running, {} not running: {}",
            total - idle.len(),
            idle.len(),
            list_some(&idle)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Verdict;
    use crate::checks::docker::test_support::{container, docker_facts, facts, image};
    use bollard::models::{ContainerConfig, ImageConfig};

    fn summary(name: &str, image_id: &str, state: ContainerSummaryStateEnum) -> ContainerSummary {
        ContainerSummary {
            id: Some(format!("{name}0123456789")),
            names: Some(vec![format!("/{name}")]),
            image_id: Some(image_id.into()),
            state: Some(state),
            ..Default::default()
        }
    }

    fn run(slug: &str, d: DockerFacts) -> Outcome {
        let f = facts(d);
        CHECKS
            .iter()
            .find(|c| c.slug == slug)
            .unwrap()
            .run(&Context::new(&f))
    }

    #[test]
    fn unused_images_are_listed_with_the_full_container_list() {
        let mut d = docker_facts();
        d.images = vec![
            image("sha256:aaa", "used:1", ImageConfig::default(), &[]),
            image("sha256:bbb", "stopped-only:1", ImageConfig::default(), &[]),
            image("sha256:ccc", "old:1", ImageConfig::default(), &[]),
        ];
        d.containers = vec![container("web", "sha256:aaa", ContainerConfig::default())];
        d.container_list = Some(Observed::Seen(vec![
            summary("web", "sha256:aaa", ContainerSummaryStateEnum::RUNNING),
            summary("batch", "sha256:bbb", ContainerSummaryStateEnum::EXITED),
        ]));
        let o = run("ops-image-sprawl", d.clone());
        assert_eq!(o.verdict, Verdict::Warn);
        assert_eq!(
            o.evidence,
            "1 of 3 local images are not used by any of the 2 containers, running or not: old:1 (ccc)"
        );

        // An older bundle without the full list: stopped containers' images look unused.
        d.container_list = None;
        let o = run("ops-image-sprawl", d);
        assert!(o.evidence.starts_with("2 of 3"), "{}", o.evidence);
        assert!(
            o.evidence
                .contains("images of stopped containers count as unused")
        );
    }

    #[test]
    fn all_images_used_passes() {
        let mut d = docker_facts();
        d.images = vec![image("sha256:aaa", "used:1", ImageConfig::default(), &[])];
        d.container_list = Some(Observed::Seen(vec![summary(
            "web",
            "sha256:aaa",
            ContainerSummaryStateEnum::RUNNING,
        )]));
        assert_eq!(run("ops-image-sprawl", d).verdict, Verdict::Pass);
    }

    #[test]
    fn stopped_containers_are_sprawl() {
        let mut d = docker_facts();
        d.container_list = Some(Observed::Seen(vec![
            summary("web", "sha256:a", ContainerSummaryStateEnum::RUNNING),
            summary("old", "sha256:a", ContainerSummaryStateEnum::EXITED),
            summary("new", "sha256:a", ContainerSummaryStateEnum::CREATED),
        ]));
        let o = run("ops-container-sprawl", d.clone());
        assert_eq!(o.verdict, Verdict::Warn);
        assert_eq!(
            o.evidence,
            "3 containers, 1 running, 2 not running: old (exited), new (created)"
        );
        d.container_list = Some(Observed::Seen(vec![summary(
            "web",
            "sha256:a",
            ContainerSummaryStateEnum::RUNNING,
        )]));
        assert_eq!(run("ops-container-sprawl", d).verdict, Verdict::Pass);
    }

    #[test]
    fn container_counts_fall_back_to_docker_info_or_error() {
        let mut d = docker_facts();
        d.container_list = Some(Observed::unavailable(
            crate::facts::UnavailableKind::Error,
            "listing all containers: boom",
        ));
        assert_eq!(
            run("ops-container-sprawl", d.clone()).verdict,
            Verdict::Error
        );
        d.info.containers = Some(4);
        d.info.containers_running = Some(1);
        let o = run("ops-container-sprawl", d);
        assert_eq!(o.verdict, Verdict::Warn);
        assert!(o.evidence.contains("3 not running"), "{}", o.evidence);
    }
}
