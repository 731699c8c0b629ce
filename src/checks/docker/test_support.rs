//! Hand-made facts for evaluator unit tests: bollard models with only the fields a check reads.

use bollard::models::{
    ContainerConfig, ContainerInspectResponse, ContainerState, ImageConfig,
    ImageHistoryResponseItem, ImageInspect, SystemInfo, SystemVersion,
};

use crate::facts::{DockerFacts, FACTS_SCHEMA, Facts, ImageFact, Observed, ScannerEnv};

pub fn docker_facts() -> DockerFacts {
    DockerFacts {
        endpoint: "unix:///test.sock".into(),
        api_version: "1.41".into(),
        version: SystemVersion::default(),
        info: SystemInfo::default(),
        all_containers: false,
        containers: vec![],
        image_list: vec![],
        images: vec![],
        networks: vec![],
        networks_listed: false,
        processes: Default::default(),
        process_source: String::new(),
        exec_sessions: Default::default(),
        partial: vec![],
        container_list: None,
        swarm: None,
        deep: None,
    }
}

pub fn facts(docker: DockerFacts) -> Facts {
    Facts {
        schema: FACTS_SCHEMA.into(),
        tool_version: "test".into(),
        collected_at: "2026-01-31T00:00:00Z".into(),
        host: Default::default(),
        docker: Observed::Seen(docker),
        scanner_env: ScannerEnv::default(),
        kube: Default::default(),
    }
}

/// An image with a tag, a config and history lines given newest first (as the API lists them).
pub fn image(id: &str, tag: &str, config: ImageConfig, history_newest_first: &[&str]) -> ImageFact {
    ImageFact {
        id: id.into(),
        inspect: Observed::Seen(ImageInspect {
            id: Some(id.into()),
            repo_tags: Some(vec![tag.into()]),
            config: Some(config),
            created: Some("2026-01-01T00:00:00Z".into()),
            size: Some(5_000_000),
            ..Default::default()
        }),
        history: Observed::Seen(
            history_newest_first
                .iter()
                .map(|c| ImageHistoryResponseItem {
                    created_by: c.to_string(),
                    ..Default::default()
                })
                .collect(),
        ),
    }
}

pub fn container(name: &str, image_id: &str, config: ContainerConfig) -> ContainerInspectResponse {
    ContainerInspectResponse {
        id: Some(format!("{name}-0123456789abcdef")),
        name: Some(format!("/{name}")),
        image: Some(image_id.into()),
        config: Some(config),
        state: Some(ContainerState {
            running: Some(true),
            ..Default::default()
        }),
        ..Default::default()
    }
}
