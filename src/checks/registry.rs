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

static BY_SLUG: LazyLock<std::collections::HashMap<&'static str, &'static Check>> =
    LazyLock::new(|| all().iter().map(|c| (c.slug, *c)).collect());

/// A check by its slug (constant time: the threat model looks slugs up per element).
pub fn by_slug(slug: &str) -> Option<&'static Check> {
    BY_SLUG.get(slug).copied()
}

/// A check by slug, by primary id (`5.10` is v1.6.0's 5.10, not v1.3.1's), by an id qualified
/// with its edition (`cis-docker-1.3.1/5.10`), or by an id in another edition.
pub fn find(id_or_slug: &str) -> Option<&'static Check> {
    let checks = || all().iter().copied();
    if let Some((edition, id)) = id_or_slug.split_once('/')
        && let Some(b) = super::Benchmark::parse(edition)
    {
        return checks().find(|c| c.id_in(b) == Some(id));
    }
    checks()
        .find(|c| c.slug == id_or_slug)
        .or_else(|| checks().find(|c| c.id() == id_or_slug))
        .or_else(|| checks().find(|c| c.ids.iter().any(|(_, id)| *id == id_or_slug)))
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
    fn find_prefers_primary_ids() {
        assert_eq!(find("7.2").unwrap().slug, "swarm-bind-interface");
        assert_eq!(find("5.10").unwrap().slug, "container-host-network");
        assert_eq!(
            find("cis-docker-1.3.1/5.10").unwrap().slug,
            "container-memory-limit"
        );
        assert_eq!(find("7.10").unwrap().slug, "swarm-plane-separation");
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
