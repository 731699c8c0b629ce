//! `threatbench harden`: a fix-first plan over the failed checks, concrete patches (diffs and
//! commands), a safe `--apply` of the local, reversible ones with a backup and a journal, a
//! re-check of what changed, and `--rollback`.
//!
//! Stages: [`plan`] ranks the failed checks by the current risk their fix removes from the threat
//! model ([`risk`], over `threats::Assessment`; surfaces from [`surface`]) and asks [`remedy`]
//! for each pick's change, built by the [`patch`] modules; [`apply`] performs the actions, keeping
//! old bytes and values through [`backup`] and recording everything in the [`journal`].

pub mod apply;
pub mod backup;
pub mod bundle;
pub mod journal;
pub mod patch;
pub mod plan;
pub mod recheck;
pub mod remedy;
pub mod risk;
pub mod surface;

use crate::checks::Benchmark;
use crate::facts::Facts;

/// The schema name of `harden --format json`.
pub const HARDEN_SCHEMA: &str = "threatbench/harden/v1";

/// Everything a harden run produced, ready to render.
pub struct Report<'a> {
    pub facts: &'a Facts,
    pub plan: &'a plan::Plan,
    /// Edition whose numbers are shown first.
    pub numbering: Benchmark,
    /// The apply (or rollback) journal record, when one happened.
    pub applied: Option<&'a journal::Record>,
    pub rechecks: &'a [recheck::Recheck],
}
