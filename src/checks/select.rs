//! `--select` / `--ignore`: ids, slugs or section prefixes.

use super::{Benchmark, Check};

#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// Edition whose numbers the user typed. A check that has an id in this edition matches only
    /// by that id (editions renumber items: v1.6.0 3.20 is v1.3.1 3.22, and v1.3.1 3.20 is another
    /// item); a check the edition lacks matches by its ids in other editions.
    pub numbering: Option<Benchmark>,
    /// Only checks of this benchmark (`--benchmark`); threatbench's own checks go with the
    /// benchmark family (Docker or Kubernetes) of the component they guard.
    pub benchmark: Option<Benchmark>,
}

impl Selection {
    pub fn includes(&self, check: &Check) -> bool {
        if let Some(b) = self.benchmark
            && check.id_in(b).is_none()
            && !(check.benchmark() == Benchmark::Threatbench
                && is_kubernetes(b) == component_is_kubernetes(check))
        {
            return false;
        }
        let hit = |token: &String| matches(token, check, self.numbering);
        (self.select.is_empty() || self.select.iter().any(hit)) && !self.ignore.iter().any(hit)
    }
}

fn is_kubernetes(b: Benchmark) -> bool {
    b == Benchmark::CisKubernetes112
}

fn component_is_kubernetes(check: &Check) -> bool {
    check.component.as_str().starts_with("kube") || check.component == super::Component::Etcd
}

/// A token matches a check by slug, by exact id, or as a section prefix (`5` and `5.1` match
/// `5.1`, `5.1.x`, but `5.1` does not match `5.10`). Ids are read in `numbering` where the check
/// has one there, else in the other editions of the same benchmark family: Docker and
/// Kubernetes both number from 1, so a bare `1.2` means the family being read (Docker unless
/// the numbering says otherwise). `cis-kubernetes-1.12/1.2` names an edition explicitly.
pub fn matches(token: &str, check: &Check, numbering: Option<Benchmark>) -> bool {
    let token = token.trim();
    if token == check.slug {
        return true;
    }
    if let Some((edition, id)) = token.split_once('/')
        && let Some(b) = Benchmark::parse(edition)
    {
        return check
            .id_in(b)
            .is_some_and(|cid| cid == id || cid.starts_with(&format!("{id}.")));
    }
    let id_hit = |id: &str| id == token || id.starts_with(&format!("{token}."));
    let reading = numbering.unwrap_or(Benchmark::CisDocker160);
    match check.id_in(reading) {
        Some(id) => id_hit(id),
        None => {
            let same_family = check.benchmark() == Benchmark::Threatbench
                || is_kubernetes(check.benchmark()) == is_kubernetes(reading);
            same_family && check.ids.iter().any(|(_, id)| id_hit(id))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::find;

    #[test]
    fn renumbered_ids_select_one_check_per_edition() {
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
        assert_eq!(
            sel("5.10", Benchmark::CisDocker160),
            vec!["container-host-network"]
        );
        // A check the edition lacks is still reachable by its other ids.
        let swarm = find("swarm-mode-disabled").unwrap();
        assert!(matches("5.1", swarm, Some(Benchmark::CisDocker131)));
    }
}
