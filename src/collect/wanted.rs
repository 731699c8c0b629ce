//! The host files the checks read, derived from what has been seen so far (the daemon's flags
//! name its config file and certificates). Each benchmark section adds its paths here.

use crate::facts::Facts;
use crate::facts::daemon_config::DaemonConfig;

use super::fsroot::FileRequest;

/// Every file the checks need, given the facts collected so far.
pub fn files(facts: &Facts) -> Vec<FileRequest> {
    let mut out = vec![
        FileRequest::read("/etc/passwd"),
        FileRequest::read("/etc/group"),
    ];
    let daemon = DaemonConfig::from_facts(facts);
    out.push(FileRequest::read(daemon.config_path.clone()));
    out.sort();
    out.dedup();
    out
}
