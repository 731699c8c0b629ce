//! `--select` / `--ignore`: ids, slugs or section prefixes.
//!
//! Ids are read in the chosen numbering: under `--numbering cis-docker-1.3.1`, `5.10` is the
//! v1.3.1 item 5.10 (memory limit), not v1.6.0's 5.10 (host network). A check that the chosen
//! edition does not have is known by its primary id (as the report shows it). An id can also be
//! qualified with its edition (`cis-docker-1.3.1/5.10`), which holds whatever the numbering.

use super::editions::{self, Editions};
use super::{Benchmark, Check};

#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// Edition whose numbers the user typed; `None` accepts the ids of every edition.
    pub numbering: Option<Benchmark>,
    /// Only checks of this benchmark (`--benchmark`); threatbench's own checks go with the
    /// benchmark family (Docker or Kubernetes) of the component they guard.
    pub benchmark: Option<Benchmark>,
    /// The editions in use: a check a later edition added runs only under that edition.
    pub editions: Editions,
}

impl Selection {
    pub fn includes(&self, check: &Check) -> bool {
        if !editions::in_edition(check, &self.editions) {
            return false;
        }
        if let Some(b) = self.benchmark
            && check.id_in(b).is_none()
            && !(check.benchmark() == Benchmark::Threatbench
                && is_kubernetes(b) == component_is_kubernetes(check))
        {
            return false;
        }
        let hit = |token: &String| matches_in(token, check, self.numbering);
        (self.select.is_empty() || self.select.iter().any(hit)) && !self.ignore.iter().any(hit)
    }
}

impl Selection {
    /// The `--select`/`--ignore` tokens that name no check at all under this numbering: a typo
    /// would otherwise select nothing, or ignore nothing, without a word.
    pub fn unknown_tokens(&self) -> Vec<&str> {
        self.select
            .iter()
            .chain(&self.ignore)
            .map(|t| t.as_str())
            .filter(|t| !Self::names_a_check(t, self.numbering))
            .collect()
    }

    /// Whether `token` names at least one registered check (id, slug, section or EDITION/ID).
    pub fn names_a_check(token: &str, numbering: Option<Benchmark>) -> bool {
        super::all().iter().any(|c| matches_in(token, c, numbering))
    }
}

fn is_kubernetes(b: Benchmark) -> bool {
    b.is_kubernetes()
}

fn component_is_kubernetes(check: &Check) -> bool {
    check.component.as_str().starts_with("kube") || check.component == super::Component::Etcd
}

/// The ids a check answers to under a numbering: its id in that edition, else its primary id;
/// every id when no numbering is chosen. Docker and Kubernetes both number from 1, so bare ids
/// are read in one family: the numbering's (Docker when none is chosen). A check of the other
/// family answers to its slug and to edition-qualified ids (`cis-kubernetes-1.12/1.2.15`).
fn ids_under(check: &Check, numbering: Option<Benchmark>) -> Vec<&'static str> {
    let family = numbering.unwrap_or(Benchmark::CisDocker160);
    if check.benchmark() != Benchmark::Threatbench
        && is_kubernetes(check.benchmark()) != is_kubernetes(family)
    {
        return vec![];
    }
    match numbering {
        None => check.all_ids().into_iter().map(|(_, id)| id).collect(),
        Some(b) => vec![check.id_in(b).unwrap_or_else(|| check.id())],
    }
}

fn id_matches(token: &str, id: &str) -> bool {
    id == token || id.starts_with(&format!("{token}."))
}

/// A token matches a check by slug, by exact id, or as a section prefix (`5` and `5.1` match
/// `5.1`, `5.1.x`, but `5.1` does not match `5.10`), ids read in `numbering` (any edition when
/// `None`).
pub fn matches_in(token: &str, check: &Check, numbering: Option<Benchmark>) -> bool {
    let token = token.trim();
    if token == check.slug {
        return true;
    }
    if let Some((edition, id)) = token.split_once('/')
        && let Some(b) = Benchmark::parse(edition)
    {
        return check.id_in(b).is_some_and(|own| id_matches(id, own));
    }
    ids_under(check, numbering)
        .into_iter()
        .any(|id| id_matches(token, id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::all;

    fn selected(tokens: &[&str], numbering: Option<Benchmark>) -> Vec<&'static str> {
        let sel = Selection {
            select: tokens.iter().map(|s| s.to_string()).collect(),
            ignore: vec![],
            numbering,
            benchmark: None,
            editions: Editions::default(),
        };
        all()
            .iter()
            .filter(|c| sel.includes(c))
            .map(|c| c.slug)
            .collect()
    }

    const V131: Option<Benchmark> = Some(Benchmark::CisDocker131);
    const V160: Option<Benchmark> = Some(Benchmark::CisDocker160);

    #[test]
    fn tokens_that_name_no_check_are_reported() {
        let sel = Selection {
            select: vec![
                "5.11".into(),
                "nonexistent".into(),
                "cis-kubernetes-1.12/1.2.1".into(),
            ],
            ignore: vec!["container-privileged".into(), "9".into(), "5.99".into()],
            numbering: V160,
            benchmark: None,
            editions: Editions::default(),
        };
        assert_eq!(sel.unknown_tokens(), ["nonexistent", "9", "5.99"]);
    }

    #[test]
    fn colliding_ids_follow_the_numbering() {
        // Memory limit is 5.11 in v1.6.0 and 5.10 in v1.3.1; 5.10 in v1.6.0 is the host network.
        assert_eq!(selected(&["5.10"], V131), ["container-memory-limit"]);
        assert_eq!(selected(&["5.10"], V160), ["container-host-network"]);
        assert_eq!(selected(&["5.11"], V160), ["container-memory-limit"]);
        // On-failure restart policy: 5.15 (v1.6.0) / 5.14 (v1.3.1).
        assert_eq!(selected(&["5.14"], V131), ["container-restart-policy"]);
        assert_eq!(selected(&["5.15"], V160), ["container-restart-policy"]);
        assert_eq!(
            selected(&["5.14"], V160),
            ["container-ports-bound-to-interface"]
        );
        // Privileged exec: 5.23 (v1.6.0) / 5.22 (v1.3.1).
        assert_eq!(selected(&["5.22"], V131), ["container-no-privileged-exec"]);
        assert_eq!(selected(&["5.23"], V160), ["container-no-privileged-exec"]);
        assert_eq!(
            selected(&["5.22"], V160),
            ["container-seccomp-not-disabled"]
        );
    }

    #[test]
    fn sections_follow_the_numbering() {
        // Swarm mode is 5.1 in v1.6.0 but 7.1 in v1.3.1.
        assert!(selected(&["7"], V131).contains(&"swarm-mode-disabled"));
        assert!(!selected(&["5"], V131).contains(&"swarm-mode-disabled"));
        assert!(selected(&["5"], V160).contains(&"swarm-mode-disabled"));
        assert_eq!(selected(&["7.1"], V160), ["swarm-manager-count"]);
        assert_eq!(selected(&["7.1"], V131), ["swarm-mode-disabled"]);
        assert_eq!(selected(&["7.2"], V131), ["swarm-manager-count"]);
    }

    #[test]
    fn checks_missing_from_an_edition_keep_their_primary_id() {
        // 4.12 is new in v1.6.0.
        assert_eq!(
            selected(&["4.12"], V131),
            ["image-signed-artifacts-verified"]
        );
    }

    #[test]
    fn qualified_ids_and_slugs_ignore_the_numbering() {
        assert_eq!(
            selected(&["cis-docker-1.3.1/5.10"], V160),
            ["container-memory-limit"]
        );
        assert_eq!(
            selected(&["cis-docker-1.6.0/5.10"], V131),
            ["container-host-network"]
        );
        assert_eq!(
            selected(&["container-memory-limit"], V131),
            ["container-memory-limit"]
        );
    }

    #[test]
    fn v180_ids_select_under_v180_and_its_new_item_runs_only_there() {
        let v180 = Selection {
            select: vec!["2.7".into(), "2.8".into()],
            numbering: Some(Benchmark::CisDocker180),
            editions: Editions {
                docker: Benchmark::CisDocker180,
                ..Editions::default()
            },
            ..Selection::default()
        };
        let picked: Vec<_> = all()
            .iter()
            .filter(|c| v180.includes(c))
            .map(|c| c.slug)
            .collect();
        assert_eq!(picked, ["daemon-tls-on-tcp", "daemon-no-devicemapper"]);
        assert_eq!(selected(&["2.7"], V160), ["daemon-tls-on-tcp"]);
        assert!(!selected(&[], None).contains(&"daemon-no-devicemapper"));
    }

    #[test]
    fn ignore_uses_the_numbering_too() {
        let sel = Selection {
            select: vec!["5.10".into(), "5.11".into()],
            ignore: vec!["5.10".into()],
            numbering: V131,
            benchmark: None,
            editions: Editions::default(),
        };
        let picked: Vec<_> = all()
            .iter()
            .filter(|c| sel.includes(c))
            .map(|c| c.slug)
            .collect();
        assert_eq!(picked, ["container-cpu-priority"]);
    }
}

#[cfg(test)]
mod renumbering_tests {
    use super::*;

    #[test]
    fn renumbered_file_checks_select_one_check_per_edition() {
        let sel = |token: &str, b: Benchmark| -> Vec<&'static str> {
            let s = Selection {
                select: vec![token.into()],
                numbering: Some(b),
                ..Default::default()
            };
            crate::checks::all()
                .iter()
                .filter(|c| s.includes(c))
                .map(|c| c.slug)
                .collect()
        };
        assert_eq!(
            sel("3.20", Benchmark::CisDocker160),
            vec!["file-etc-default-docker-mode"]
        );
        assert_eq!(
            sel("3.20", Benchmark::CisDocker131),
            vec!["file-etc-sysconfig-docker-mode"]
        );
    }
}
