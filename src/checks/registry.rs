//! The registry of every check, in benchmark order.

use std::sync::LazyLock;

use super::{Check, docker, kube};

static ALL: LazyLock<Vec<&'static Check>> = LazyLock::new(|| {
    let mut all: Vec<&'static Check> = docker::SECTIONS
        .iter()
        .chain(kube::SECTIONS.iter())
        .flat_map(|section| section.iter())
        .collect();
    all.sort_by_key(|c| (c.benchmark(), id_key(c.id())));
    all
});

/// Every check, sorted by benchmark and id.
pub fn all() -> &'static [&'static Check] {
    &ALL
}

/// A check by slug or by id in any edition.
pub fn find(id_or_slug: &str) -> Option<&'static Check> {
    all()
        .iter()
        .copied()
        .find(|c| c.slug == id_or_slug || c.ids.iter().any(|(_, id)| *id == id_or_slug))
}

/// `5.10` sorts after `5.9`.
pub fn id_key(id: &str) -> Vec<u32> {
    id.split('.')
        .map(|p| p.parse().unwrap_or(u32::MAX))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn slugs_and_ids_are_unique() {
        let mut slugs = HashSet::new();
        let mut ids = HashSet::new();
        for c in all() {
            assert!(slugs.insert(c.slug), "duplicate slug {}", c.slug);
            for (b, id) in c.ids {
                assert!(ids.insert((*b, *id)), "duplicate id {id} in {b:?}");
            }
        }
    }

    #[test]
    fn every_check_is_documented() {
        for c in all() {
            for (field, text) in [
                ("what", c.doc.what),
                ("why", c.doc.why),
                ("evidence", c.doc.evidence),
                ("remediation", c.doc.remediation),
            ] {
                assert!(!text.trim().is_empty(), "{} lacks {field}", c.slug);
            }
            assert!(!c.title.is_empty() && !c.id().is_empty(), "{}", c.slug);
        }
    }
}
