//! Evaluators shared by several checks and by `lint`: a pod spec or workload judged against the
//! Pod Security and CIS 5.x rules (`kube_workload`), RBAC rules (`kube_rbac`), file owners and
//! modes (`file_perms`), image references (`image_ref`). The engine that registers, selects
//! and runs checks is in the parent module; the checks per benchmark section in `docker/`,
//! `kube/` and `artifact/` call these.

pub mod file_perms;
pub mod image_ref;
pub mod kube_rbac;
pub mod kube_workload;
