//! `threatbench collect`: gather facts only.

use std::path::PathBuf;

use clap::Args;

use crate::collect::CollectOptions;

use super::{EXIT_INCOMPLETE, EXIT_OK, runtime, write_output};

/// Exit codes of `collect`.
const COLLECT_EXIT_CODES: &str = "Exit codes:
  0  every source was read
  2  usage error (bad flag, unusable --docker-host, unwritable --output)
  3  written, but incomplete: the Docker API was unreachable, answered only in part, or was not
     queried (--root without --docker-host)";

#[derive(Debug, Args)]
#[command(after_help = COLLECT_EXIT_CODES)]
pub struct CollectArgs {
    /// Where to write the facts bundle (JSON); stdout when omitted.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// Where facts come from, shared by `scan` and `collect`.
#[derive(Debug, Args, Clone)]
pub struct SourceArgs {
    /// Read the host's files and /proc under DIR instead of / (a mounted or copied host, e.g.
    /// /host in a container). The Docker API is then not queried unless --docker-host is given.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Docker endpoint (unix:///path, tcp://host:port, https://host:port with DOCKER_CERT_PATH);
    /// default: DOCKER_HOST, else unix:///var/run/docker.sock.
    #[arg(long, value_name = "URL")]
    pub docker_host: Option<String>,
    /// Include stopped and created containers, not only running ones.
    #[arg(long)]
    pub all_containers: bool,
    /// Kubernetes cluster objects: a directory of `kubectl get ... -o json` dumps (e.g.
    /// clusterrolebindings.json, pods.json, or one `kubectl get all -A -o json`). Enables the
    /// cluster policy checks (CIS Kubernetes section 5).
    #[arg(long, value_name = "DIR", conflicts_with = "kube_api")]
    pub cluster_dump: Option<PathBuf>,
    /// Kubernetes cluster objects from the live API server (read-only list requests): the
    /// kubeconfig from --kubeconfig, KUBECONFIG or ~/.kube/config, else the in-cluster service
    /// account. Enables the cluster policy checks (CIS Kubernetes section 5). Off by default: a
    /// host scan never contacts a cluster unless asked.
    #[arg(long)]
    pub kube_api: bool,
    /// The kubeconfig file for --kube-api.
    #[arg(long, value_name = "FILE", requires = "kube_api")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context for --kube-api (default: its current context).
    #[arg(long, value_name = "NAME", requires = "kube_api")]
    pub kube_context: Option<String>,
    /// The Kubernetes version (e.g. v1.33.1) when it cannot be detected (no static pod image
    /// tag, no cluster dump); overrides detection.
    #[arg(long, value_name = "VERSION")]
    pub k8s_version: Option<String>,
    /// Also read every local image's layers through the Docker API to find setuid/setgid files
    /// (CIS 4.8). Slow on large images: bounded by --deep-timeout and --deep-max-bytes per image.
    #[arg(long)]
    pub deep: bool,
    /// Time allowed per image for --deep, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60, requires = "deep")]
    pub deep_timeout: u64,
    /// The longest wait for one Docker Engine API or Kubernetes API request (e.g. 30s, 2m): a
    /// daemon that accepts and never answers makes its checks `error` naming this bound.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = crate::cli::parse_duration)]
    pub timeout: std::time::Duration,
    /// Bytes of image archive read per image at most for --deep (2147483648 = 2 GiB).
    #[arg(long, value_name = "BYTES", default_value_t = 2 * 1024 * 1024 * 1024, requires = "deep")]
    pub deep_max_bytes: u64,
}

impl SourceArgs {
    /// Usage errors in the source flags (exit code 2).
    pub fn validate(&self) -> anyhow::Result<()> {
        if let Some(root) = &self.root {
            anyhow::ensure!(root.is_dir(), "--root {}: not a directory", root.display());
        }
        if let Some(dir) = &self.cluster_dump {
            anyhow::ensure!(
                dir.is_dir(),
                "--cluster-dump {}: not a directory",
                dir.display()
            );
        }
        if self.kube_api {
            anyhow::ensure!(
                crate::collect::kube_api::SUPPORTED,
                crate::collect::kube_api::UNSUPPORTED
            );
        }
        if let Some(file) = &self.kubeconfig {
            anyhow::ensure!(
                file.is_file(),
                "--kubeconfig {}: not a file",
                file.display()
            );
        }
        if let Some(v) = &self.k8s_version {
            anyhow::ensure!(
                crate::facts::kube::parse_minor(v).is_some(),
                "--k8s-version {v:?}: expected a version such as v1.33.1 or 1.33"
            );
        }
        Ok(())
    }

    /// A Docker endpoint that cannot be spoken to (`foo://x`, a bare path) is a usage error,
    /// named with where it came from; checked only when the API is to be queried.
    pub fn validate_endpoint(&self) -> anyhow::Result<()> {
        if self.options().no_docker {
            return Ok(());
        }
        let endpoint = crate::collect::docker::endpoint(self.docker_host.as_deref());
        let origin = if self.docker_host.is_some() {
            "--docker-host"
        } else {
            "DOCKER_HOST"
        };
        crate::collect::docker::check_endpoint(&endpoint)
            .map_err(|e| anyhow::anyhow!("{origin} {endpoint:?}: {e}"))
    }

    pub fn options(&self) -> CollectOptions {
        let root = self.root.clone().unwrap_or_else(|| PathBuf::from("/"));
        let other_root = root != std::path::Path::new("/");
        CollectOptions {
            no_docker: other_root && self.docker_host.is_none(),
            root,
            docker_host: self.docker_host.clone(),
            all_containers: self.all_containers,
            kube: crate::collect::kube::KubeOptions {
                cluster_dump: self.cluster_dump.clone(),
                k8s_version: self.k8s_version.clone(),
                api: self
                    .kube_api
                    .then(|| crate::collect::kube_api::KubeApiOptions {
                        kubeconfig: self.kubeconfig.clone(),
                        context: self.kube_context.clone(),
                        timeout: self.timeout,
                    }),
            },
            deep: self.deep.then(|| crate::collect::image_layers::DeepLimits {
                timeout: std::time::Duration::from_secs(self.deep_timeout),
                max_bytes: self.deep_max_bytes,
            }),
            api_timeout: self.timeout,
        }
    }
}

pub fn run(args: CollectArgs) -> anyhow::Result<u8> {
    args.source.validate()?;
    args.source.validate_endpoint()?;
    let facts = runtime()?.block_on(crate::collect::collect(&args.source.options()));
    let text = serde_json::to_string_pretty(&facts)? + "\n";
    write_output(args.output.as_deref(), &text)?;
    let mut incomplete = facts.docker.seen().is_none_or(|d| !d.partial.is_empty());
    if let Some(u) = facts.docker.as_result().err() {
        anstream::eprintln!("threatbench: warning: {}", u.reason);
    }
    if args.source.kube_api {
        let problems = match &facts.kube.cluster {
            Some(crate::facts::Observed::Seen(c)) => c
                .problems
                .iter()
                .map(|p| format!("Kubernetes API {}: {p}", c.dir))
                .collect(),
            Some(crate::facts::Observed::Unavailable(u)) => vec![u.reason.clone()],
            None => vec![],
        };
        for p in &problems {
            anstream::eprintln!("threatbench: warning: {p}");
        }
        incomplete |= !problems.is_empty();
    }
    Ok(if incomplete { EXIT_INCOMPLETE } else { EXIT_OK })
}
