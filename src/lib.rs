//! threatbench: a read-only audit of Docker and Kubernetes hosts. CIS benchmark checks, linked to
//! a STRIDE threat model. The pipeline (collect → facts → checks → threats →
//! harden → report), the folder of each stage and how to add a check, a threat, a lint rule or
//! an output format: docs/ARCHITECTURE.md.

pub mod checks;
pub mod cli;
pub mod collect;
pub mod facts;
pub mod fuzzing;
pub mod harden;
pub mod lint;
pub mod progress;
pub mod report;
pub mod store;
pub mod threats;
