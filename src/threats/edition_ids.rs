//! The threat model links checks by slug and first names them by their primary (v1.6.0,
//! Kubernetes v1.12) ids; a report of another edition renames them as that edition numbers
//! them, so the model speaks of the same `2.8` the results do under CIS Docker v1.8.0.

use crate::checks::{self, Benchmark, editions::is_kubernetes_check};

use super::Assessment;

impl Assessment {
    /// Show linked checks with their ids in `docker` (Docker and threatbench's own Docker
    /// checks) and `kubernetes` editions; a check the edition does not number keeps its own.
    pub fn number_checks_as(&mut self, docker: Benchmark, kubernetes: Benchmark) {
        for link in self.instances.iter_mut().flat_map(|i| i.checks.iter_mut()) {
            let Some(check) = checks::by_slug(&link.slug) else {
                continue;
            };
            let edition = if is_kubernetes_check(check) {
                kubernetes
            } else {
                docker
            };
            if let Some(id) = check.id_in(edition) {
                link.id = id.to_string();
                link.benchmark = edition.as_str().to_string();
            }
        }
    }
}
