//! Docker Engine API collection through bollard: version, info, containers, images, networks.
//! Read-only: only GET endpoints are called.

use std::time::Duration;

use bollard::Docker;
use bollard::query_parameters::{ListContainersOptions, ListImagesOptions, ListNetworksOptions};
use futures_util::stream::{self, StreamExt};

use crate::facts::{DockerFacts, ImageFact, Observed, Unavailable, UnavailableKind};

/// How many inspect calls run at once: enough to hide socket latency, few enough for small daemons.
const CONCURRENCY: usize = 16;
const API_TIMEOUT: Duration = Duration::from_secs(30);

/// The endpoint to use: `--docker-host`, else `DOCKER_HOST`, else the default socket.
pub fn endpoint(explicit: Option<&str>) -> String {
    explicit
        .map(str::to_string)
        .or_else(|| std::env::var("DOCKER_HOST").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unix:///var/run/docker.sock".to_string())
}

pub async fn collect(endpoint: &str, all_containers: bool) -> Observed<DockerFacts> {
    match collect_inner(endpoint, all_containers).await {
        Ok(facts) => Observed::Seen(facts),
        Err(u) => Observed::Unavailable(u),
    }
}

fn unreachable(endpoint: &str, err: impl std::fmt::Display) -> Unavailable {
    Unavailable {
        kind: UnavailableKind::Unreachable,
        reason: format!("Docker daemon at {endpoint} not reachable: {err}"),
    }
}

async fn collect_inner(endpoint: &str, all_containers: bool) -> Result<DockerFacts, Unavailable> {
    let docker = Docker::connect_with_host(endpoint)
        .map_err(|e| unreachable(endpoint, e))?
        .with_timeout(API_TIMEOUT);
    let docker = docker
        .negotiate_version()
        .await
        .map_err(|e| unreachable(endpoint, e))?;
    let api_version = docker.client_version().to_string();
    let version = docker
        .version()
        .await
        .map_err(|e| unreachable(endpoint, e))?;
    let info = docker.info().await.map_err(|e| unreachable(endpoint, e))?;
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

    let running: Vec<String> = containers
        .iter()
        .filter(|c| c.state.as_ref().and_then(|s| s.running).unwrap_or(false))
        .filter_map(|c| c.id.clone())
        .collect();
    let processes = stream::iter(running)
        .map(|id| {
            let docker = &docker;
            async move {
                let top = docker.top_processes(&id, None).await;
                let observed = top.map(Observed::Seen).unwrap_or_else(|e| {
                    Observed::unavailable(UnavailableKind::Error, format!("processes of {id}: {e}"))
                });
                (id, observed)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;

    let networks = match docker.list_networks(None::<ListNetworksOptions>).await {
        Ok(n) => n,
        Err(e) => {
            partial.push(format!("listing networks: {e}"));
            vec![]
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
        processes,
        partial,
        container_list: Some(container_list),
        swarm,
        deep: None,
    })
}

fn unavailable_image<T>(what: &str, id: &str, e: bollard::errors::Error) -> Observed<T> {
    Observed::unavailable(UnavailableKind::Error, format!("{what} {id}: {e}"))
}
