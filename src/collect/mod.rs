//! Collectors: the only stage that touches the outside world, and it only reads.

pub mod artifacts;
pub mod docker;
pub mod dockerfile;
pub mod fsroot;
pub mod processes;
pub mod wanted;
pub mod yaml;

use std::path::PathBuf;

use crate::facts::{FACTS_SCHEMA, Facts, HostFacts, Observed, ScannerEnv, UnavailableKind};
use fsroot::FsRoot;

/// What to collect and from where.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// Host file-system root (`/` for this machine).
    pub root: PathBuf,
    /// Docker endpoint; `None` means `DOCKER_HOST` or the default socket.
    pub docker_host: Option<String>,
    /// Include stopped and created containers.
    pub all_containers: bool,
    /// Skip the Docker API entirely (an offline `--root` scan without `--facts`).
    pub no_docker: bool,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            root: PathBuf::from("/"),
            docker_host: None,
            all_containers: false,
            no_docker: false,
        }
    }
}

/// Collect everything any check needs from a live host or a host root.
pub async fn collect(opts: &CollectOptions) -> Facts {
    let fs = FsRoot::new(&opts.root);
    let endpoint = docker::endpoint(opts.docker_host.as_deref());
    let docker = if opts.no_docker {
        Observed::unavailable(
            UnavailableKind::NotCollected,
            "Docker API not queried (--no-docker)",
        )
    } else {
        docker::collect(&endpoint, opts.all_containers).await
    };
    let mut host = HostFacts {
        root: opts.root.display().to_string(),
        hostname: read_hostname(&fs),
        processes: Some(processes::collect(&opts.root)),
        files: Default::default(),
    };
    let mut facts = Facts {
        schema: FACTS_SCHEMA.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        collected_at: jiff::Timestamp::now().to_string(),
        host: HostFacts::default(),
        docker,
        scanner_env: ScannerEnv {
            docker_content_trust: std::env::var("DOCKER_CONTENT_TRUST").ok(),
            docker_host: Some(endpoint),
        },
    };
    // Which files matter depends on what was seen (the daemon's --config-file, TLS paths, ...):
    // collect in rounds until no new path is wanted.
    for _ in 0..4 {
        facts.host = host.clone();
        let wanted = wanted::files(&facts);
        let new: Vec<_> = wanted
            .into_iter()
            .filter(|r| !host.files.contains_key(&r.path))
            .collect();
        if new.is_empty() {
            break;
        }
        for req in new {
            host.files.insert(req.path.clone(), fs.observe(&req));
        }
    }
    facts.host = host;
    facts
}

fn read_hostname(fs: &FsRoot) -> Option<String> {
    let path = fs.resolve("/etc/hostname").ok()?;
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}
