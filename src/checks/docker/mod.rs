//! CIS Docker Benchmark checks, one file per benchmark section.

pub mod daemon;
pub mod files;
pub mod host;
pub mod runtime;

use super::{Benchmark, Check, Context, Outcome};
use crate::facts::DockerFacts;

/// Every Docker section's checks.
pub const SECTIONS: &[&[Check]] = &[daemon::CHECKS, runtime::CHECKS, host::CHECKS, files::CHECKS];

pub(crate) const V160: Benchmark = Benchmark::CisDocker160;
pub(crate) const V131: Benchmark = Benchmark::CisDocker131;

/// The Docker API facts, or the `error` outcome that says why they are missing.
pub(crate) fn docker<'a>(ctx: &'a Context) -> Result<&'a DockerFacts, Outcome> {
    ctx.facts
        .docker
        .as_result()
        .map_err(|u| Outcome::error(u.reason.clone()))
}
