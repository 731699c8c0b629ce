//! `--select` / `--ignore`: ids, slugs or section prefixes.

use super::{Benchmark, Check};

#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// Edition whose numbers the user typed. Checks that edition numbers are matched by its
    /// ids only (the editions renumber: 5.11 in v1.6.0 is 5.10 in v1.3.1, and v1.3.1's 5.11 is
    /// v1.6.0's 5.12); other checks by any id they have.
    pub numbering: Option<Benchmark>,
}

impl Selection {
    pub fn includes(&self, check: &Check) -> bool {
        let hit = |token: &String| matches_in(token, check, self.numbering);
        (self.select.is_empty() || self.select.iter().any(hit)) && !self.ignore.iter().any(hit)
    }
}

/// A token matches a check by slug, by exact id, or as a section prefix (`5` and `5.1` match
/// `5.1`, `5.1.x`, but `5.1` does not match `5.10`). Ids are read in `numbering` where the check
/// has one there, else (or with no numbering) in every edition it has.
pub fn matches_in(token: &str, check: &Check, numbering: Option<Benchmark>) -> bool {
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
    fn ids_are_read_in_the_chosen_numbering() {
        let memory = find("container-memory-limit").unwrap();
        let cpu = find("container-cpu-priority").unwrap();
        let v160 = Some(Benchmark::CisDocker160);
        let v131 = Some(Benchmark::CisDocker131);
        assert!(matches_in("5.11", memory, v160));
        assert!(
            !matches_in("5.11", cpu, v160),
            "v1.3.1's 5.11 is v1.6.0's 5.12"
        );
        assert!(matches_in("5.10", memory, v131));
        assert!(matches_in("5.11", cpu, v131));
        assert!(!matches_in("5.1", memory, v160));
        assert!(matches_in("5", memory, v131));
        // Any edition's id when none is chosen.
        assert!(matches_in("5.10", memory, None) && matches_in("5.11", memory, None));
    }
}
