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
}

impl Selection {
    pub fn includes(&self, check: &Check) -> bool {
        let hit = |token: &String| matches(token, check, self.numbering);
        (self.select.is_empty() || self.select.iter().any(hit)) && !self.ignore.iter().any(hit)
    }
}

/// A token matches a check by slug, by exact id, or as a section prefix (`5` and `5.1` match
/// `5.1`, `5.1.x`, but `5.1` does not match `5.10`). Ids are read in `numbering` where the check
/// has one there, else in every edition.
pub fn matches(token: &str, check: &Check, numbering: Option<Benchmark>) -> bool {
    let token = token.trim();
    if token == check.slug {
        return true;
    }
    let id_hit = |id: &str| id == token || id.starts_with(&format!("{token}."));
    match numbering.and_then(|b| check.id_in(b)) {
        Some(id) => id_hit(id),
        None => check.ids.iter().any(|(_, id)| id_hit(id)),
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
