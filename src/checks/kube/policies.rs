//! Section 5: cluster policies, from `kubectl get -o json` dumps (`--cluster-dump`), and
//! threatbench's own Kubernetes checks.

use crate::checks::Check;

pub const CHECKS: &[Check] = &[];
