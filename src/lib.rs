//! threatbench: a read-only audit of Docker and Kubernetes hosts. CIS benchmark checks, linked to
//! a STRIDE threat model. See DESIGN.md for the pipeline: collect → facts → checks → report.

pub mod checks;
pub mod cli;
pub mod collect;
pub mod facts;
pub mod harden;
pub mod lint;
pub mod report;
pub mod threats;
