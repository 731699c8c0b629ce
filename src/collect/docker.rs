//! Docker Engine API collection through bollard: version, info, containers, images, networks.
//! Read-only: only GET endpoints are called.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::time::Duration;

use bollard::Docker;
use bollard::models::{ContainerInspectResponse, ContainerTopResponse};
use bollard::query_parameters::{ListContainersOptions, ListImagesOptions, ListNetworksOptions};
use futures_util::stream::{self, StreamExt};

use super::container_procs;
use crate::facts::{DockerFacts, ImageFact, Observed, Unavailable, UnavailableKind};

/// How many inspect calls run at once: enough to hide socket latency, few enough for small daemons.
const CONCURRENCY: usize = 16;

/// The endpoint to use: `--docker-host`, else `DOCKER_HOST`, else the default socket.
pub fn endpoint(explicit: Option<&str>) -> String {
    explicit
        .map(str::to_string)
        .or_else(|| std::env::var("DOCKER_HOST").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unix:///var/run/docker.sock".to_string())
}

/// Collect from the daemon at `endpoint`, reading container processes from `/proc` under
/// `host_root` where that is the daemon's host (see `container_procs`).
pub async fn collect(
    endpoint: &str,
    all_containers: bool,
    host_root: &Path,
    timeout: Duration,
) -> Observed<DockerFacts> {
    match collect_inner(endpoint, all_containers, host_root, timeout).await {
        Ok(facts) => Observed::Seen(facts),
        Err(u) => Observed::Unavailable(u),
    }
}

/// Whether threatbench can talk to `endpoint` at all (the schemes bollard speaks), before
/// trying: `Err` says what is wrong with it.
pub fn check_endpoint(endpoint: &str) -> Result<(), String> {
    const EXPECTED: &str =
        "expected unix:///PATH, tcp://HOST:PORT, http://HOST:PORT or https://HOST:PORT";
    let Some((scheme, rest)) = endpoint.split_once("://") else {
        return Err(format!("not a URL ({EXPECTED})"));
    };
    match scheme {
        "unix" if rest.starts_with('/') => Ok(()),
        "unix" => Err(format!("a unix socket needs an absolute path ({EXPECTED})")),
        "tcp" | "http" | "https" if !rest.is_empty() && !rest.starts_with('/') => Ok(()),
        "tcp" | "http" | "https" => Err(format!("no host given ({EXPECTED})")),
        _ => Err(format!("unsupported scheme {scheme:?} ({EXPECTED})")),
    }
}

fn unreachable(endpoint: &str, err: impl std::fmt::Display) -> Unavailable {
    Unavailable {
        kind: UnavailableKind::Unreachable,
        reason: format!(
            "Docker daemon at {endpoint} not reachable: {err}{}",
            socket_note(endpoint)
        ),
    }
}

/// The error and its causes (`client error (Connect): Connection refused (os error 111)`):
/// bollard's own message stops at the HTTP client's.
fn with_causes(err: &bollard::errors::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let msg = cause.to_string();
        if !text.contains(&msg) {
            text.push_str(": ");
            text.push_str(&msg);
        }
        source = cause.source();
    }
    text
}

/// For a unix endpoint whose path exists but is no socket (a stale file, a directory): say so.
fn socket_note(endpoint: &str) -> String {
    use std::os::unix::fs::FileTypeExt;
    let Some(path) = endpoint.strip_prefix("unix://") else {
        return String::new();
    };
    match std::fs::metadata(path) {
        Ok(m) if m.file_type().is_socket() => String::new(),
        Ok(m) if m.is_dir() => format!(" ({path} is a directory, not a socket)"),
        Ok(_) => format!(" ({path} is not a socket)"),
        Err(_) => String::new(),
    }
}

/// A 404 from the API: the object no longer exists.
fn is_gone(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

async fn collect_inner(
    endpoint: &str,
    all_containers: bool,
    host_root: &Path,
    timeout: Duration,
) -> Result<DockerFacts, Unavailable> {
    // bollard bounds each request by the timeout; its error says only "Timeout error", so the
    // reason names the bound and the flag that sets it.
    let unreachable = |endpoint: &str, e: String| {
        if e.contains("Timeout error") {
            unreachable(
                endpoint,
                format!(
                    "no answer within {} (--timeout): {e}",
                    super::duration_text(timeout)
                ),
            )
        } else {
            unreachable(endpoint, e)
        }
    };
    let docker = Docker::connect_with_host(endpoint)
        .map_err(|e| unreachable(endpoint, with_causes(&e)))?
        .with_timeout(timeout);
    let docker = docker
        .negotiate_version()
        .await
        .map_err(|e| unreachable(endpoint, with_causes(&e)))?;
    let api_version = docker.client_version().to_string();
    let version = docker
        .version()
        .await
        .map_err(|e| unreachable(endpoint, with_causes(&e)))?;
    let info = docker
        .info()
        .await
        .map_err(|e| unreachable(endpoint, with_causes(&e)))?;
    let mut partial = Vec::new();

    let summaries = docker
        .list_containers(Some(ListContainersOptions {
            all: all_containers,
            ..Default::default()
        }))
        .await
        .map_err(|e| unreachable(endpoint, format!("listing containers: {e}")))?;
    // Image and container sprawl (CIS 6.1, 6.2) need every container, whatever the scope.
    let container_list = if all_containers {
        Observed::Seen(summaries.clone())
    } else {
        match docker
            .list_containers(Some(ListContainersOptions {
                all: true,
                ..Default::default()
            }))
            .await
        {
            Ok(list) => Observed::Seen(list),
            Err(e) => Observed::unavailable(
                UnavailableKind::Error,
                format!("listing all containers: {e}"),
            ),
        }
    };
    let inspected: Vec<_> = stream::iter(summaries.iter().filter_map(|s| s.id.clone()))
        .map(|id| {
            let docker = &docker;
            async move { (id.clone(), docker.inspect_container(&id, None).await) }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut containers = Vec::new();
    for (id, result) in inspected {
        match result {
            Ok(c) => containers.push(c),
            // Removed between listing and inspection: it no longer exists to be audited.
            Err(e) if is_gone(&e) => {}
            Err(e) => partial.push(format!("container {id}: {e}")),
        }
    }
    containers.sort_by(|a, b| a.name.cmp(&b.name));

    let image_list = docker
        .list_images(Some(ListImagesOptions {
            all: false,
            ..Default::default()
        }))
        .await
        .map_err(|e| unreachable(endpoint, format!("listing images: {e}")))?;
    let mut images: Vec<ImageFact> = stream::iter(image_list.iter().map(|i| i.id.clone()))
        .map(|id| {
            let docker = &docker;
            async move {
                let inspect = docker.inspect_image(&id).await;
                let history = docker.image_history(&id).await;
                ImageFact {
                    id: id.clone(),
                    inspect: inspect
                        .map(Observed::Seen)
                        .unwrap_or_else(|e| unavailable_image("inspect image", &id, e)),
                    history: history
                        .map(Observed::Seen)
                        .unwrap_or_else(|e| unavailable_image("history of image", &id, e)),
                }
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    images.sort_by(|a, b| a.id.cmp(&b.id));
    for image in &images {
        for obs in [
            image.inspect.as_result().err(),
            image.history.as_result().err(),
        ]
        .into_iter()
        .flatten()
        {
            partial.push(obs.reason.clone());
        }
    }

    let (processes, process_source, gone) =
        container_processes(&docker, &containers, host_root).await;
    containers.retain(|c| c.id.as_ref().is_none_or(|id| !gone.contains(id)));

    let exec_ids: Vec<String> = containers
        .iter()
        .flat_map(|c| c.exec_ids.iter().flatten().cloned())
        .collect();
    let exec_sessions = stream::iter(exec_ids)
        .map(|id| {
            let docker = &docker;
            async move {
                let inspect = docker.inspect_exec(&id).await;
                (id, inspect)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .filter_map(|(id, inspect)| async move {
            match inspect {
                Ok(e) => Some((id, Observed::Seen(e))),
                // It finished after the container was inspected.
                Err(e) if is_gone(&e) => None,
                Err(e) => Some((
                    id.clone(),
                    Observed::unavailable(
                        UnavailableKind::Error,
                        format!("exec session {id}: {e}"),
                    ),
                )),
            }
        })
        .collect()
        .await;

    let (networks, networks_listed) = match docker.list_networks(None::<ListNetworksOptions>).await
    {
        Ok(n) => (n, true),
        Err(e) => {
            partial.push(format!("listing networks: {e}"));
            (vec![], false)
        }
    };

    let swarm = super::swarm::collect(&docker, &info).await;

    Ok(DockerFacts {
        endpoint: endpoint.to_string(),
        api_version,
        version,
        info,
        all_containers,
        containers,
        image_list,
        images,
        networks,
        networks_listed,
        processes,
        process_source,
        exec_sessions,
        partial,
        container_list: Some(container_list),
        swarm,
        deep: None,
    })
}

type ProcessLists = BTreeMap<String, Observed<ContainerTopResponse>>;

/// Process lists of the running containers: from the host's /proc where it is the daemon's
/// host, else through `docker top`. Also returns how they were read, and the ids of containers
/// removed since they were inspected (to drop from the facts).
async fn container_processes(
    docker: &Docker,
    containers: &[ContainerInspectResponse],
    host_root: &Path,
) -> (ProcessLists, String, HashSet<String>) {
    let running: Vec<(String, i64)> = containers
        .iter()
        .filter(|c| c.state.as_ref().and_then(|s| s.running).unwrap_or(false))
        .filter_map(|c| {
            let pid = c.state.as_ref().and_then(|s| s.pid).unwrap_or(0);
            c.id.clone().map(|id| (id, pid))
        })
        .collect();
    let mut lists: ProcessLists = container_procs::read(host_root, &running)
        .into_iter()
        .map(|(id, top)| (id, Observed::Seen(top)))
        .collect();
    let from_proc = lists.len();
    let rest: Vec<String> = running
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| !lists.contains_key(id))
        .collect();
    let from_top = rest.len();
    let mut gone = HashSet::new();
    let topped: Vec<_> = stream::iter(rest)
        .map(|id| async move {
            let top = docker.top_processes(&id, None).await;
            (id, top)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    for (id, top) in topped {
        let observed = match top {
            Ok(top) => Observed::Seen(top),
            Err(e) if is_gone(&e) => {
                gone.insert(id);
                continue;
            }
            // 409: it stopped after it was inspected.
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 409,
                message,
            }) => Observed::unavailable(
                UnavailableKind::NotFound,
                format!("container stopped during the scan: {message}"),
            ),
            Err(e) => {
                Observed::unavailable(UnavailableKind::Error, format!("processes of {id}: {e}"))
            }
        };
        lists.insert(id, observed);
    }
    let root = host_root.join("proc");
    let source = match (from_proc, from_top) {
        (0, _) => "docker top".to_string(),
        (_, 0) => format!("{}", root.display()),
        (p, t) => format!("{} for {p} containers, docker top for {t}", root.display()),
    };
    (lists, source, gone)
}

fn unavailable_image<T>(what: &str, id: &str, e: bollard::errors::Error) -> Observed<T> {
    Observed::unavailable(UnavailableKind::Error, format!("{what} {id}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_threatbench_can_speak_to() {
        for ok in [
            "unix:///var/run/docker.sock",
            "tcp://127.0.0.1:2375",
            "http://docker:2375",
            "https://docker.example:2376",
        ] {
            assert_eq!(check_endpoint(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "foo://x",
            "/var/run/docker.sock",
            "unix://docker.sock",
            "tcp://",
            "npipe:////./pipe/docker_engine",
        ] {
            assert!(check_endpoint(bad).is_err(), "{bad}");
        }
    }
}
