//! CIS Docker Benchmark checks, one file per benchmark section.

pub mod daemon;
pub mod files;
pub mod history;
pub mod host;
pub mod images;
pub mod operations;
pub mod runtime;
pub mod swarm;
#[cfg(test)]
pub(crate) mod test_support;

use super::{Benchmark, Check, Context, Outcome};
use crate::facts::DockerFacts;

/// Every Docker section's checks.
pub const SECTIONS: &[&[Check]] = &[
    host::CHECKS,
    daemon::CHECKS,
    files::CHECKS,
    images::CHECKS,
    runtime::CHECKS,
    operations::CHECKS,
    swarm::CHECKS,
];

pub(crate) const V160: Benchmark = Benchmark::CisDocker160;
pub(crate) const V131: Benchmark = Benchmark::CisDocker131;
/// threatbench's own Docker checks (`docker.N`), where no CIS item covers a control.
pub(crate) const OWN: Benchmark = Benchmark::Threatbench;
/// Items new in v1.8.0 list only their v1.8.0 id; the others derive theirs (`checks::editions`).
pub(crate) const V180: Benchmark = Benchmark::CisDocker180;

/// The Docker API facts, or the `error` outcome that says why they are missing.
pub(crate) fn docker<'a>(ctx: &'a Context) -> Result<&'a DockerFacts, Outcome> {
    ctx.facts
        .docker
        .as_result()
        .map_err(|u| Outcome::error(u.reason.clone()))
}
