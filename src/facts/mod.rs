//! Observed data: what a collector saw, and where it came from. Plain serde types, no I/O.
//!
//! A [`Facts`] bundle is everything any check needs. `threatbench collect` writes it as JSON and
//! `threatbench scan --facts FILE` reads it back, so one machine can collect and another analyse.

pub mod audit;
pub mod cluster;
pub mod daemon_config;
pub mod docker;
pub mod docker_host;
pub mod host;
pub mod image_scan;
pub mod kube;
pub mod mountinfo;
pub mod swarm;
pub mod systemd;

use serde::{Deserialize, Serialize};

pub use docker::{ContainerView, DockerFacts, ImageFact};
pub use host::{FileFact, FileKind, FileStat, HostFacts, ProcessFact};

/// The schema name written into every facts bundle.
pub const FACTS_SCHEMA: &str = "threatbench/facts/v1";

/// Everything observed about one target.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Facts {
    pub schema: String,
    /// threatbench version that collected the bundle.
    pub tool_version: String,
    /// RFC 3339 time of collection.
    pub collected_at: String,
    pub host: HostFacts,
    /// The Docker Engine as its API reports it; unavailable when the daemon could not be reached.
    pub docker: Observed<DockerFacts>,
    /// Settings of the scanning environment that the benchmark reads (e.g. `DOCKER_CONTENT_TRUST`).
    #[serde(default)]
    pub scanner_env: ScannerEnv,
    /// Kubernetes components on this node and, with `--cluster-dump`, cluster objects.
    #[serde(default)]
    pub kube: kube::KubeFacts,
}

/// Environment of the process that collected the facts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ScannerEnv {
    /// Value of `DOCKER_CONTENT_TRUST` in the collector's environment, if set.
    pub docker_content_trust: Option<String>,
    /// The Docker endpoint the collector was told to use (`--docker-host` or `DOCKER_HOST`).
    pub docker_host: Option<String>,
}

/// A value that was either seen, or could not be: never a silent default.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Observed<T> {
    Seen(T),
    Unavailable(Unavailable),
}

/// Why something could not be observed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Unavailable {
    pub kind: UnavailableKind,
    /// Human-readable reason naming the input (path, socket, OS error).
    pub reason: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum UnavailableKind {
    /// The thing does not exist (file absent, no such process).
    NotFound,
    PermissionDenied,
    /// A daemon or API could not be reached.
    Unreachable,
    /// Present but could not be parsed.
    Malformed,
    /// Not collected by the collector that produced this bundle.
    NotCollected,
    Error,
}

impl<T> Observed<T> {
    pub fn unavailable(kind: UnavailableKind, reason: impl Into<String>) -> Self {
        Observed::Unavailable(Unavailable {
            kind,
            reason: reason.into(),
        })
    }

    pub fn as_result(&self) -> Result<&T, &Unavailable> {
        match self {
            Observed::Seen(v) => Ok(v),
            Observed::Unavailable(u) => Err(u),
        }
    }

    pub fn seen(&self) -> Option<&T> {
        self.as_result().ok()
    }
}

impl Unavailable {
    pub fn from_io(context: &str, err: &std::io::Error) -> Self {
        let kind = match err.kind() {
            std::io::ErrorKind::NotFound => UnavailableKind::NotFound,
            std::io::ErrorKind::PermissionDenied => UnavailableKind::PermissionDenied,
            _ => UnavailableKind::Error,
        };
        Unavailable {
            kind,
            reason: format!("{context}: {err}"),
        }
    }
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}
