//! Checks: one definition per benchmark item (id, slug, level, component, documentation and
//! evaluation), evaluated purely over [`Facts`]. No I/O happens here.

pub mod artifact;
pub mod docker;
pub mod editions;
pub mod evaluators;
pub mod kube;
mod outcome;
mod registry;
pub mod rule;
pub mod secrets;
mod select;

use serde::Serialize;

use crate::facts::Facts;
use crate::facts::daemon_config::DaemonConfig;
use crate::facts::docker::ContainerView;

pub use outcome::{ObjectOutcome, Outcome, SourceRef, Verdict};
pub use registry::{all, by_slug, find, id_key};
pub use select::Selection;

/// A benchmark edition whose numbering a check carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
pub enum Benchmark {
    #[serde(rename = "cis-docker-1.6.0")]
    CisDocker160,
    #[serde(rename = "cis-docker-1.3.1")]
    CisDocker131,
    /// v1.6.0's ids; four section-1.1 items change Automated/Manual (see [`editions`]).
    #[serde(rename = "cis-docker-1.7.0")]
    CisDocker170,
    /// Adds 2.7 (devicemapper) and renumbers v1.6.0's 2.7–2.18 as 2.8–2.19.
    #[serde(rename = "cis-docker-1.8.0")]
    CisDocker180,
    #[serde(rename = "cis-kubernetes-1.12")]
    CisKubernetes112,
    /// v1.12's 131 ids for Kubernetes 1.34–1.35; two remediation texts changed.
    #[serde(rename = "cis-kubernetes-2.0")]
    CisKubernetes20,
    /// threatbench's own checks, which no benchmark numbers.
    #[serde(rename = "threatbench")]
    Threatbench,
}

impl Benchmark {
    pub fn as_str(self) -> &'static str {
        match self {
            Benchmark::CisDocker160 => "cis-docker-1.6.0",
            Benchmark::CisDocker131 => "cis-docker-1.3.1",
            Benchmark::CisDocker170 => "cis-docker-1.7.0",
            Benchmark::CisDocker180 => "cis-docker-1.8.0",
            Benchmark::CisKubernetes112 => "cis-kubernetes-1.12",
            Benchmark::CisKubernetes20 => "cis-kubernetes-2.0",
            Benchmark::Threatbench => "threatbench",
        }
    }

    pub fn parse(s: &str) -> Option<Benchmark> {
        Benchmark::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// Every edition threatbench knows, threatbench's own checks last.
    pub const ALL: [Benchmark; 7] = [
        Benchmark::CisDocker160,
        Benchmark::CisDocker131,
        Benchmark::CisDocker170,
        Benchmark::CisDocker180,
        Benchmark::CisKubernetes112,
        Benchmark::CisKubernetes20,
        Benchmark::Threatbench,
    ];

    /// The CIS Kubernetes editions (the rest are Docker's, or threatbench's own).
    pub fn is_kubernetes(self) -> bool {
        matches!(
            self,
            Benchmark::CisKubernetes112 | Benchmark::CisKubernetes20
        )
    }

    pub fn is_docker(self) -> bool {
        matches!(
            self,
            Benchmark::CisDocker160
                | Benchmark::CisDocker131
                | Benchmark::CisDocker170
                | Benchmark::CisDocker180
        )
    }

    pub fn title(self) -> &'static str {
        match self {
            Benchmark::CisDocker160 => "CIS Docker Benchmark v1.6.0",
            Benchmark::CisDocker131 => "CIS Docker Benchmark v1.3.1",
            Benchmark::CisDocker170 => "CIS Docker Benchmark v1.7.0",
            Benchmark::CisDocker180 => "CIS Docker Benchmark v1.8.0",
            Benchmark::CisKubernetes112 => "CIS Kubernetes Benchmark v1.12",
            Benchmark::CisKubernetes20 => "CIS Kubernetes Benchmark v2.0",
            Benchmark::Threatbench => "threatbench",
        }
    }
}

/// CIS profile level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Level {
    #[serde(rename = "1")]
    One,
    #[serde(rename = "2")]
    Two,
}

/// Whether the benchmark treats the item as automated or as needing a person's review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Assessment {
    Automated,
    Manual,
}

/// How bad a failure of the check is, for ordering, `--fail-on` and the threat model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// The severity [`Severity::as_str`] wrote (as stored in the history).
    pub fn parse(text: &str) -> Option<Severity> {
        [
            Severity::Low,
            Severity::Medium,
            Severity::High,
            Severity::Critical,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// The part of the platform a check guards (the threat model's attack surfaces).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Component {
    DockerHost,
    DockerDaemon,
    DockerClient,
    Containerd,
    Registry,
    Image,
    Container,
    Swarm,
    KubeApiserver,
    Etcd,
    KubeScheduler,
    KubeControllerManager,
    Kubelet,
    KubeProxy,
    KubeRbac,
    KubeWorkload,
    KubeNetwork,
    KubeSecrets,
    KubePolicy,
}

impl Component {
    pub fn as_str(self) -> &'static str {
        match self {
            Component::DockerHost => "docker-host",
            Component::DockerDaemon => "docker-daemon",
            Component::DockerClient => "docker-client",
            Component::Containerd => "containerd",
            Component::Registry => "registry",
            Component::Image => "image",
            Component::Container => "container",
            Component::Swarm => "swarm",
            Component::KubeApiserver => "kube-apiserver",
            Component::Etcd => "etcd",
            Component::KubeScheduler => "kube-scheduler",
            Component::KubeControllerManager => "kube-controller-manager",
            Component::Kubelet => "kubelet",
            Component::KubeProxy => "kube-proxy",
            Component::KubeRbac => "kube-rbac",
            Component::KubeWorkload => "kube-workload",
            Component::KubeNetwork => "kube-network",
            Component::KubeSecrets => "kube-secrets",
            Component::KubePolicy => "kube-policy",
        }
    }
}

/// A check's documentation, in the one form every check follows.
#[derive(Debug, Clone, Copy)]
pub struct Doc {
    /// What it checks.
    pub what: &'static str,
    /// Why it matters: the threat it mitigates.
    pub why: &'static str,
    /// What the verdict shows.
    pub evidence: &'static str,
    /// The concrete change.
    pub remediation: &'static str,
    /// Further references beyond the benchmark ids (docs, links); may be empty.
    pub references: &'static str,
}

/// Everything an evaluator may read: the facts, and views derived from them once per scan.
pub struct Context<'a> {
    pub facts: &'a Facts,
    pub daemon: DaemonConfig,
    /// The cluster dump's pods judged once by the workload evaluator, for every section-5 pod
    /// check (filled on first use: scans without a dump never pay for it).
    pub(crate) kube_pods: std::sync::OnceLock<Vec<kube::policies::JudgedPod<'a>>>,
}

impl<'a> Context<'a> {
    pub fn new(facts: &'a Facts) -> Self {
        Context {
            facts,
            daemon: DaemonConfig::from_facts(facts),
            kube_pods: std::sync::OnceLock::new(),
        }
    }
}

/// How a check is evaluated. Families of alike checks share an evaluator shape.
#[derive(Clone, Copy)]
pub enum Evaluate {
    /// Any logic over the whole context.
    Context(fn(&Context) -> Outcome),
    /// A property of every container in scope; one object outcome per container.
    EachContainer(fn(&Context, ContainerView) -> Outcome),
}

/// One benchmark item.
pub struct Check {
    /// Our stable name for the control; never changes between benchmark editions.
    pub slug: &'static str,
    /// The item's number in each benchmark edition that has it; the first is the primary one.
    pub ids: &'static [(Benchmark, &'static str)],
    pub title: &'static str,
    pub level: Level,
    pub assessment: Assessment,
    pub severity: Severity,
    pub component: Component,
    pub doc: Doc,
    pub evaluate: Evaluate,
}

impl Check {
    /// The primary id (e.g. `5.11`).
    pub fn id(&self) -> &'static str {
        self.ids.first().map(|(_, id)| *id).unwrap_or("")
    }

    pub fn benchmark(&self) -> Benchmark {
        self.ids
            .first()
            .map(|(b, _)| *b)
            .unwrap_or(Benchmark::Threatbench)
    }

    /// The id in a given edition, if the item exists there: as listed in `ids`, else derived
    /// from the edition it follows ([`editions::derived_id`]).
    pub fn id_in(&self, benchmark: Benchmark) -> Option<&'static str> {
        self.listed_id(benchmark)
            .or_else(|| editions::derived_id(self, benchmark))
    }

    /// The id as `ids` lists it, without derivation.
    pub(crate) fn listed_id(&self, benchmark: Benchmark) -> Option<&'static str> {
        self.ids
            .iter()
            .find(|(b, _)| *b == benchmark)
            .map(|(_, id)| *id)
    }

    /// The item's id in every edition that has it, listed or derived, in [`Benchmark::ALL`] order.
    pub fn all_ids(&self) -> Vec<(Benchmark, &'static str)> {
        Benchmark::ALL
            .into_iter()
            .filter_map(|b| self.id_in(b).map(|id| (b, id)))
            .collect()
    }

    pub fn run(&self, ctx: &Context) -> Outcome {
        match self.evaluate {
            Evaluate::Context(f) => f(ctx),
            Evaluate::EachContainer(f) => outcome::each_container(ctx, f),
        }
    }
}

/// A check with its outcome on one target.
#[derive(Clone)]
pub struct CheckResult {
    pub check: &'static Check,
    pub outcome: Outcome,
}

impl CheckResult {
    /// The severity of this result: the outcome's own where it has one (a read-only sensitive
    /// mount), else the check's.
    pub fn severity(&self) -> Severity {
        self.outcome.severity.unwrap_or(self.check.severity)
    }
}

/// Run every selected check over the facts.
pub fn run(facts: &Facts, selection: &Selection) -> Vec<CheckResult> {
    let ctx = Context::new(facts);
    all()
        .iter()
        .copied()
        .filter(|c| selection.includes(c))
        .map(|check| CheckResult {
            check,
            outcome: check.run(&ctx),
        })
        .collect()
}
