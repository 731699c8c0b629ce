//! `--select` / `--ignore`: ids, slugs or section prefixes.

use super::{Benchmark, Check};

#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// Edition whose numbers the user typed (ids of other editions are also accepted).
    pub numbering: Option<Benchmark>,
}

impl Selection {
    pub fn includes(&self, check: &Check) -> bool {
        let hit = |token: &String| matches(token, check);
        (self.select.is_empty() || self.select.iter().any(hit)) && !self.ignore.iter().any(hit)
    }
}

/// A token matches a check by slug, by exact id, or as a section prefix (`5` and `5.1` match
/// `5.1`, `5.1.x`, but `5.1` does not match `5.10`).
pub fn matches(token: &str, check: &Check) -> bool {
    let token = token.trim();
    if token == check.slug {
        return true;
    }
    check
        .ids
        .iter()
        .any(|(_, id)| *id == token || id.starts_with(&format!("{token}.")))
}
