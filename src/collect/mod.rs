//! Collectors: the only stage that touches the outside world, and it only reads.

pub mod artifacts;
pub mod auditctl;
pub mod container_procs;
pub mod docker;
pub mod dockerfile;
pub mod fsroot;
pub mod host_files;
pub mod image_layers;
pub mod kube;
pub mod kube_api;
pub mod kube_dump;
pub mod processes;
pub mod swarm;
pub mod systemd;
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
    /// Kubernetes: cluster dump directory and stated version.
    pub kube: kube::KubeOptions,
    /// Read image layers (`--deep`), within these bounds per image.
    pub deep: Option<image_layers::DeepLimits>,
    /// The longest wait for one Engine API or Kubernetes API request (`--timeout`).
    pub api_timeout: std::time::Duration,
}

/// A duration as the flags take it (`30s`, `1m 30s`), for messages naming a bound.
pub fn duration_text(d: std::time::Duration) -> String {
    match jiff::SignedDuration::try_from(d) {
        Ok(d) => format!("{d:#}"),
        Err(_) => format!("{d:?}"),
    }
}

/// `--timeout`'s default: long enough for a busy daemon, short enough that a hung one is
/// noticed in a scan.
pub const DEFAULT_API_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            root: PathBuf::from("/"),
            docker_host: None,
            all_containers: false,
            no_docker: false,
            kube: kube::KubeOptions::default(),
            deep: None,
            api_timeout: DEFAULT_API_TIMEOUT,
        }
    }
}

/// Collect everything any check needs from a live host or a host root.
pub async fn collect(opts: &CollectOptions) -> Facts {
    let fs = FsRoot::new(&opts.root);
    let endpoint = docker::endpoint(opts.docker_host.as_deref());
    let mut docker = if opts.no_docker {
        Observed::unavailable(
            UnavailableKind::NotCollected,
            "Docker API not queried: a --root scan reads files only (add --docker-host, or --facts from `threatbench collect`)",
        )
    } else {
        docker::collect(&endpoint, opts.all_containers, &opts.root, opts.api_timeout).await
    };
    let processes = processes::collect(&opts.root);
    if let (Some(limits), Observed::Seen(d)) = (opts.deep, &mut docker) {
        image_layers::scan_collected(&endpoint, d, limits).await;
    }
    let mut host = HostFacts {
        root: opts.root.display().to_string(),
        hostname: read_hostname(&fs),
        machine_id: read_machine_id(&fs),
        audit_rules_loaded: auditctl::loaded_rules(&opts.root, &processes),
        processes: Some(processes),
        ..Default::default()
    };
    let mut facts = Facts {
        schema: FACTS_SCHEMA.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        collected_at: jiff::Timestamp::now().to_string(),
        host: HostFacts::default(),
        docker,
        scanner_env: ScannerEnv {
            docker_content_trust: std::env::var("DOCKER_CONTENT_TRUST").ok(),
            // A --root scan without --docker-host talks to no daemon: the scanner's DOCKER_HOST
            // says nothing about the root's dockerd.
            docker_host: (!opts.no_docker || opts.docker_host.is_some()).then_some(endpoint),
        },
        kube: Default::default(),
    };
    facts.kube = kube::collect(&fs, host.processes.as_ref(), &opts.kube);
    kube_api::apply(&mut facts.kube, &opts.kube).await;
    // Which files matter depends on what was seen (the daemon's --config-file, TLS paths, ...):
    // collect in rounds until no new path is wanted.
    for _ in 0..8 {
        facts.host = host.clone();
        let wanted = wanted::files(&facts);
        let new: Vec<_> = wanted
            .into_iter()
            .filter(|r| host.files.get(&r.path).is_none_or(|f| !r.satisfied_by(f)))
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

/// This machine's name and machine id, as a scan of `/` records them (its identity in the
/// history store: what `diff` compares by default).
pub fn this_host() -> HostFacts {
    let fs = FsRoot::new("/");
    HostFacts {
        hostname: read_hostname(&fs),
        machine_id: read_machine_id(&fs),
        ..Default::default()
    }
}

/// The 32 hex digits of `/etc/machine-id`, or nothing (not a systemd host, unreadable).
fn read_machine_id(fs: &FsRoot) -> Option<String> {
    let path = fs.resolve("/etc/machine-id").ok()?;
    let text = std::fs::read_to_string(path).ok()?;
    let id = text.trim();
    (id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())).then(|| id.to_string())
}

fn read_hostname(fs: &FsRoot) -> Option<String> {
    let path = fs.resolve("/etc/hostname").ok()?;
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}
