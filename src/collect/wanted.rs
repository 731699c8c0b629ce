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
    if let Some(info) = facts.docker.seen().map(|d| &d.info)
        && super::swarm::in_swarm(info)
        && let Some(root) = info.docker_root_dir.as_deref()
    {
        out.push(FileRequest::read(crate::facts::swarm::node_state_path(
            root,
        )));
    }
    out.extend(super::host_files::files(facts));
    out.extend(super::kube::wanted_files(facts));
    merge_same_path(out)
}

/// One request per path, asking for everything any section wanted of it.
fn merge_same_path(mut requests: Vec<FileRequest>) -> Vec<FileRequest> {
    requests.sort();
    let mut out: Vec<FileRequest> = Vec::with_capacity(requests.len());
    for r in requests {
        match out.last_mut() {
            Some(last) if last.path == r.path => {
                last.content |= r.content;
                last.list |= r.list;
            }
            _ => out.push(r),
        }
    }
    out
}
