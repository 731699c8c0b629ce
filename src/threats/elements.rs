//! The system's data-flow diagram, discovered from the facts: external entities, processes, data
//! stores and data flows, inside trust boundaries.
//!
//! Discovery is a list of sources ([`SOURCES`]); each reads one part of the facts and adds the
//! elements it can see. Adding a source (compose files, say) is one function in that list. A source also says why the element kinds it owns are absent, so that a threat with
//! no element is reported as "not applicable: component not present" (the facts show it is not
//! there) or "unknown" (the facts could not show either way), never silently dropped.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::catalog::Stride;
use crate::checks::{CheckResult, Verdict};
use crate::facts::Facts;
use crate::facts::daemon_config::{ConfigFile, DaemonConfig, Setting};
use crate::facts::docker::ContainerView;

mod kube;

/// The DFD element types of STRIDE-per-element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DfdType {
    ExternalEntity,
    Process,
    DataStore,
    DataFlow,
}

impl DfdType {
    pub fn as_str(self) -> &'static str {
        match self {
            DfdType::ExternalEntity => "external-entity",
            DfdType::Process => "process",
            DfdType::DataStore => "data-store",
            DfdType::DataFlow => "data-flow",
        }
    }

    /// STRIDE-per-element: external entity S,R; process all six; data store T,I,D (+R when the
    /// store is a log); data flow T,I,D.
    pub fn allows(self, stride: Stride, is_log: bool) -> bool {
        use Stride::*;
        match self {
            DfdType::ExternalEntity => matches!(stride, Spoofing | Repudiation),
            DfdType::Process => true,
            DfdType::DataStore => {
                matches!(stride, Tampering | InformationDisclosure | DenialOfService)
                    || (is_log && stride == Repudiation)
            }
            DfdType::DataFlow => {
                matches!(stride, Tampering | InformationDisclosure | DenialOfService)
            }
        }
    }
}

/// What an element is, finer than its DFD type: the catalogue attaches threats to kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ElementKind {
    DockerClient,
    DockerApiFlow,
    Dockerd,
    DockerConfig,
    AuditLog,
    DataRoot,
    BuildContext,
    ClientConfig,
    Containerd,
    ContainerdFlow,
    Host,
    Registry,
    RegistryFlow,
    Image,
    Container,
    ContainerSocketFlow,
    Kubectl,
    KubeApiFlow,
    KubeApiserver,
    Etcd,
    EtcdFlow,
    KubeScheduler,
    KubeControllerManager,
    Kubelet,
    KubeletFlow,
    KubeProxy,
    KubeProxyKubeconfig,
    Pod,
    PodNetwork,
    /// The etcd server process (its data directory is the `etcd` store).
    EtcdServer,
    /// A component's or an administrator's kubeconfig file (admin.conf, kubelet.conf, ...).
    Kubeconfig,
    /// Kubernetes Secrets, kept in etcd by the API server.
    KubeSecrets,
    /// The workloads of one namespace, judged by the namespace-level policies (limits, Pod
    /// Security, network policies).
    NamespaceWorkloads,
    /// A service account: the identity its pods (and whoever holds its token) act with on the
    /// API. Modelled as a process, so that elevation of privilege applies to it under
    /// STRIDE-per-element: its RBAC bindings decide what that actor can do.
    ServiceAccount,
    /// A process reading or writing its local store (etcd its data directory, a component its
    /// kubeconfig). It draws the diagram's edge; the threats sit on the store itself.
    StoreAccess,
}

impl ElementKind {
    pub const ALL: [ElementKind; 35] = [
        ElementKind::DockerClient,
        ElementKind::DockerApiFlow,
        ElementKind::Dockerd,
        ElementKind::DockerConfig,
        ElementKind::AuditLog,
        ElementKind::DataRoot,
        ElementKind::BuildContext,
        ElementKind::ClientConfig,
        ElementKind::Containerd,
        ElementKind::ContainerdFlow,
        ElementKind::Host,
        ElementKind::Registry,
        ElementKind::RegistryFlow,
        ElementKind::Image,
        ElementKind::Container,
        ElementKind::ContainerSocketFlow,
        ElementKind::Kubectl,
        ElementKind::KubeApiFlow,
        ElementKind::KubeApiserver,
        ElementKind::Etcd,
        ElementKind::EtcdFlow,
        ElementKind::KubeScheduler,
        ElementKind::KubeControllerManager,
        ElementKind::Kubelet,
        ElementKind::KubeletFlow,
        ElementKind::KubeProxy,
        ElementKind::KubeProxyKubeconfig,
        ElementKind::Pod,
        ElementKind::PodNetwork,
        ElementKind::EtcdServer,
        ElementKind::Kubeconfig,
        ElementKind::KubeSecrets,
        ElementKind::NamespaceWorkloads,
        ElementKind::ServiceAccount,
        ElementKind::StoreAccess,
    ];

    pub fn dfd(self) -> DfdType {
        use ElementKind::*;
        match self {
            DockerClient | Kubectl => DfdType::ExternalEntity,
            Dockerd
            | Containerd
            | Host
            | Registry
            | Container
            | KubeApiserver
            | KubeScheduler
            | KubeControllerManager
            | Kubelet
            | KubeProxy
            | Pod
            | EtcdServer
            | NamespaceWorkloads
            | ServiceAccount => DfdType::Process,
            DockerConfig | AuditLog | DataRoot | BuildContext | ClientConfig | Image | Etcd
            | KubeProxyKubeconfig | Kubeconfig | KubeSecrets => DfdType::DataStore,
            DockerApiFlow | ContainerdFlow | RegistryFlow | ContainerSocketFlow | KubeApiFlow
            | EtcdFlow | KubeletFlow | PodNetwork | StoreAccess => DfdType::DataFlow,
        }
    }

    /// Log stores, where repudiation applies to the record itself.
    pub fn is_log(self) -> bool {
        self == ElementKind::AuditLog
    }

    pub fn as_str(self) -> &'static str {
        use ElementKind::*;
        match self {
            DockerClient => "docker-client",
            DockerApiFlow => "docker-api-flow",
            Dockerd => "dockerd",
            DockerConfig => "docker-config",
            AuditLog => "audit-log",
            DataRoot => "data-root",
            BuildContext => "build-context",
            ClientConfig => "client-config",
            Containerd => "containerd",
            ContainerdFlow => "containerd-flow",
            Host => "host",
            Registry => "registry",
            RegistryFlow => "registry-flow",
            Image => "image",
            Container => "container",
            ContainerSocketFlow => "container-socket-flow",
            Kubectl => "kubectl",
            KubeApiFlow => "kube-api-flow",
            KubeApiserver => "kube-apiserver",
            Etcd => "etcd",
            EtcdFlow => "etcd-flow",
            KubeScheduler => "kube-scheduler",
            KubeControllerManager => "kube-controller-manager",
            Kubelet => "kubelet",
            KubeletFlow => "kubelet-flow",
            KubeProxy => "kube-proxy",
            KubeProxyKubeconfig => "kube-proxy-kubeconfig",
            Pod => "pod",
            PodNetwork => "pod-network",
            EtcdServer => "etcd-server",
            Kubeconfig => "kubeconfig",
            KubeSecrets => "kube-secrets",
            NamespaceWorkloads => "namespace-workloads",
            ServiceAccount => "service-account",
            StoreAccess => "store-access",
        }
    }

    pub fn parse(s: &str) -> Option<ElementKind> {
        ElementKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Kinds of trust boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BoundaryKind {
    /// Everything outside the scanned machine: remote clients, registries.
    Network,
    /// The scanned machine (kernel, root-owned daemons and files).
    Host,
    /// One container's namespaces and cgroups.
    Container,
    /// A Kubernetes cluster's control plane and nodes.
    Cluster,
    /// The Kubernetes control plane (API server, etcd, scheduler, controller manager).
    #[serde(rename = "control-plane")]
    ControlPlane,
    /// A Kubernetes namespace (RBAC and NetworkPolicy scope).
    Namespace,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Boundary {
    pub id: String,
    pub kind: BoundaryKind,
    pub label: String,
    /// The boundary this one is nested in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// How check results with per-object outcomes are matched to an element.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectRef {
    /// The `kind` of an `ObjectOutcome` (`container`, `image`).
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl ObjectRef {
    pub fn matches(&self, kind: &str, name: &str, id: Option<&str>) -> bool {
        if self.kind != kind {
            return false;
        }
        let id_match = match (&self.id, id) {
            (Some(a), Some(b)) if a.len() >= 12 && b.len() >= 12 => {
                let a = a.trim_start_matches("sha256:");
                let b = b.trim_start_matches("sha256:");
                a.starts_with(b) || b.starts_with(a)
            }
            _ => false,
        };
        id_match || (!name.is_empty() && self.name == name)
    }
}

/// How a per-object check judges an element when it judges objects of `kind` but lists none of
/// the element's own. Docker checks list every container and image they evaluate, so an
/// unlisted object was not evaluated (error, the default). Kubernetes policy checks list only
/// the pods, bindings and roles they flag, so for those an unlisted object was evaluated and
/// not flagged (pass), and a system namespace is one the check exempts (skip).
#[derive(Debug, Clone, PartialEq)]
pub struct Unlisted {
    /// The `kind` of the check's `ObjectOutcome`s (`pod`, `rolebinding`, ...).
    pub kind: &'static str,
    pub verdict: Verdict,
    /// Why, for the evidence (`ServiceAccount lab/ci is not among the objects it flags`).
    pub reason: String,
}

/// A verdict that discovery derived for one element where the check itself only judges the whole
/// system (e.g. which registry is insecure).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocalEvidence {
    pub slug: String,
    pub verdict: Verdict,
    pub evidence: String,
}

/// One DFD element.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Element {
    /// Stable id, `<kind>:<name>` (e.g. `container:api`, `flow:docker-client->dockerd`).
    pub id: String,
    pub kind: ElementKind,
    pub dfd: DfdType,
    /// Human label. May hold untrusted text (container names): renderers sanitise it.
    pub label: String,
    /// The trust boundary the element sits in.
    pub boundary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Trust boundaries a flow crosses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crosses: Vec<String>,
    /// Observed properties, for the document and the "why" of threats.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<ObjectRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub local_evidence: Vec<LocalEvidence>,
    /// How per-object checks that do not list this element's objects judge it (not part of the
    /// JSON: it only steers [`verdict_for`]).
    #[serde(skip)]
    pub unlisted: Vec<Unlisted>,
}

impl Element {
    pub fn new(id: impl Into<String>, kind: ElementKind, label: impl Into<String>) -> Element {
        Element {
            id: id.into(),
            kind,
            dfd: kind.dfd(),
            label: label.into(),
            boundary: HOST.into(),
            from: None,
            to: None,
            crosses: vec![],
            properties: BTreeMap::new(),
            objects: vec![],
            local_evidence: vec![],
            unlisted: vec![],
        }
    }

    fn in_boundary(mut self, boundary: &str) -> Self {
        self.boundary = boundary.into();
        self
    }

    fn flow(mut self, from: &str, to: &str, crosses: &[&str]) -> Self {
        self.from = Some(from.into());
        self.to = Some(to.into());
        self.crosses = crosses.iter().map(|s| s.to_string()).collect();
        self
    }

    fn prop(mut self, key: &str, value: impl Into<String>) -> Self {
        self.properties.insert(key.into(), value.into());
        self
    }

    pub fn crosses_boundary(&self) -> bool {
        !self.crosses.is_empty()
    }
}

/// Why no element of a kind exists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Absence {
    /// True when the facts could not show whether the component exists (unknown), false when
    /// they show it is not there (not applicable).
    pub unknown: bool,
    pub reason: String,
}

/// The discovered system.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SystemModel {
    pub boundaries: Vec<Boundary>,
    pub elements: Vec<Element>,
    /// For element kinds with no element: why.
    pub absent: BTreeMap<ElementKind, Absence>,
    /// What discovery could not see (for the document's model gaps).
    pub gaps: Vec<String>,
    /// Positions of elements by id, and the boundary ids, so a cluster of 40,000 workloads
    /// is modelled without a scan of every element per element added.
    #[serde(skip)]
    element_at: HashMap<String, usize>,
    #[serde(skip)]
    boundary_ids: HashSet<String>,
}

impl SystemModel {
    pub fn element(&self, id: &str) -> Option<&Element> {
        self.element_at.get(id).map(|&i| &self.elements[i])
    }

    fn add(&mut self, e: Element) {
        if !self.element_at.contains_key(&e.id) {
            self.element_at.insert(e.id.clone(), self.elements.len());
            self.elements.push(e);
        }
    }

    fn boundary(&mut self, id: &str, kind: BoundaryKind, label: &str, parent: Option<&str>) {
        if self.boundary_ids.insert(id.to_string()) {
            self.boundaries.push(Boundary {
                id: id.into(),
                kind,
                label: label.into(),
                parent: parent.map(str::to_string),
            });
        }
    }

    fn absent(&mut self, kinds: &[ElementKind], unknown: bool, reason: &str) {
        for k in kinds {
            if !self.elements.iter().any(|e| e.kind == *k) {
                self.absent.entry(*k).or_insert(Absence {
                    unknown,
                    reason: reason.to_string(),
                });
            }
        }
    }

    pub fn has_kind(&self, kind: ElementKind) -> bool {
        self.elements.iter().any(|e| e.kind == kind)
    }
}

/// What discovery reads.
pub struct Discovery<'a> {
    pub facts: &'a Facts,
    pub results: &'a [CheckResult],
    pub daemon: DaemonConfig,
}

/// One discovery source.
pub type Source = fn(&Discovery, &mut SystemModel);

/// Every source, in order.
pub const SOURCES: &[(&str, Source)] = &[
    ("docker", docker_elements),
    ("kubernetes", kube::kubernetes_elements),
];

pub const NETWORK: &str = "network";
pub const HOST: &str = "host";
pub const CLUSTER: &str = "cluster";
pub const CONTROL_PLANE: &str = "control-plane";

/// Discover the system from the facts and check results.
pub fn discover(facts: &Facts, results: &[CheckResult]) -> SystemModel {
    let d = Discovery {
        facts,
        results,
        daemon: DaemonConfig::from_facts(facts),
    };
    let mut model = SystemModel::default();
    let host_label = match &facts.host.hostname {
        Some(h) => format!("host {h}"),
        None => "host".into(),
    };
    model.boundary(
        NETWORK,
        BoundaryKind::Network,
        "network (outside the host)",
        None,
    );
    model.boundary(HOST, BoundaryKind::Host, &host_label, Some(NETWORK));
    for (_, source) in SOURCES {
        source(&d, &mut model);
    }
    // Any kind that no source explained.
    for k in ElementKind::ALL {
        if !model.has_kind(k) && !model.absent.contains_key(&k) {
            model.absent.insert(
                k,
                Absence {
                    unknown: true,
                    reason: format!("no discovery source reports {} elements", k.as_str()),
                },
            );
        }
    }
    model
}

const DOCKER_KINDS: &[ElementKind] = &[
    ElementKind::DockerClient,
    ElementKind::DockerApiFlow,
    ElementKind::Dockerd,
    ElementKind::DockerConfig,
    ElementKind::AuditLog,
    ElementKind::DataRoot,
    ElementKind::BuildContext,
    ElementKind::ClientConfig,
    ElementKind::Containerd,
    ElementKind::ContainerdFlow,
    ElementKind::Host,
    ElementKind::Registry,
    ElementKind::RegistryFlow,
    ElementKind::Image,
    ElementKind::Container,
    ElementKind::ContainerSocketFlow,
];

/// Docker: the daemon and its API, configuration, runtime, registries, images and containers.
fn docker_elements(d: &Discovery, m: &mut SystemModel) {
    let facts = d.facts;
    let api = facts.docker.seen();
    let dockerd_seen = d.daemon.process.is_some();
    let config_present = matches!(
        d.daemon.config_file,
        ConfigFile::Parsed(_) | ConfigFile::Invalid(_)
    );
    let processes_readable = facts.host.processes_named("dockerd").is_ok();
    let any_dockerd = facts
        .host
        .processes_named("dockerd")
        .map(|p| !p.is_empty())
        .unwrap_or(false);
    if api.is_none() && !dockerd_seen && !any_dockerd && !config_present {
        let reason = match facts.docker.as_result() {
            Err(u) => format!("Docker not visible: {}", u.reason),
            Ok(_) => "Docker not visible".into(),
        };
        // The API was not reachable; if /proc could be read and shows no dockerd, Docker is
        // not on this host. Otherwise we cannot tell.
        let unknown = !processes_readable;
        let reason = if unknown {
            reason
        } else {
            format!("{reason}; no dockerd process on this host")
        };
        m.absent(DOCKER_KINDS, unknown, &reason);
        return;
    }

    // The daemon.
    let mut dockerd = Element::new("process:dockerd", ElementKind::Dockerd, "dockerd");
    if let Some(a) = api {
        if let Some(v) = &a.version.version {
            dockerd = dockerd.prop("version", v.clone());
        }
        dockerd = dockerd.prop("endpoint", a.endpoint.clone());
        if let Some(opts) = &a.info.security_options {
            dockerd = dockerd.prop("security_options", opts.join("; "));
        }
    }
    match &d.daemon.process {
        Some(p) => dockerd = dockerd.prop("command_line", p.command_line()),
        None => {
            if let Some(note) = &d.daemon.process_note {
                dockerd = dockerd.prop("process", note.clone());
            }
        }
    }
    m.add(dockerd);

    // The client and the API flow, one flow whatever the transports, so its id is stable.
    let hosts = d.daemon.hosts();
    let listeners: Vec<String> = match &hosts {
        Setting::Unset { .. } => vec![format!(
            "unix://{}",
            crate::facts::daemon_config::DEFAULT_SOCKET
        )],
        other => other.strings(),
    };
    let tcp: Vec<&String> = listeners
        .iter()
        .filter(|h| {
            let h = h.to_ascii_lowercase();
            h.starts_with("tcp://") || h.starts_with("http://") || h.starts_with("https://")
        })
        .collect();
    let tlsverify = d.daemon.get("tlsverify").as_bool(false);
    let tls = d.daemon.get("tls").as_bool(false);
    let client_boundary = if tcp.is_empty() { HOST } else { NETWORK };
    let mut flow = Element::new(
        "flow:docker-client->dockerd",
        ElementKind::DockerApiFlow,
        "Docker Engine API",
    )
    .flow("ee:docker-client", "process:dockerd", &[HOST])
    .in_boundary(client_boundary);
    let listener_text = match &hosts {
        Setting::Unknown { reason } => format!("unknown ({reason})"),
        _ => listeners.join(", "),
    };
    flow = flow.prop("listeners", listener_text);
    let (encrypted, authenticated) = if matches!(hosts, Setting::Unknown { .. }) {
        ("unknown", "unknown")
    } else if tcp.is_empty() {
        (
            "not applicable (local unix socket)",
            "by socket owner and mode",
        )
    } else {
        match (tlsverify, tls) {
            (Some(true), _) => ("yes (TLS)", "yes (TLS client certificates)"),
            (Some(false), Some(true)) => ("yes (TLS)", "no (tlsverify off)"),
            (Some(false), Some(false)) => ("no", "no"),
            _ => ("unknown", "unknown"),
        }
    };
    flow = flow
        .prop("encrypted", encrypted)
        .prop("authenticated", authenticated);
    m.add(flow);
    m.add(
        Element::new(
            "ee:docker-client",
            ElementKind::DockerClient,
            "Docker client (users, CI)",
        )
        .in_boundary(client_boundary),
    );
    m.add(
        Element::new(
            "store:docker-client-config",
            ElementKind::ClientConfig,
            "client configuration (~/.docker/config.json)",
        )
        .in_boundary(client_boundary),
    );
    m.add(
        Element::new(
            "store:build-context",
            ElementKind::BuildContext,
            "Dockerfiles and build contexts",
        )
        .in_boundary(client_boundary),
    );

    // Configuration and logs on the host.
    let mut config = Element::new(
        "store:docker-config",
        ElementKind::DockerConfig,
        "Docker configuration, sockets and TLS material",
    )
    .prop("daemon_json", d.daemon.config_path.clone());
    for key in ["tlscacert", "tlscert", "tlskey"] {
        if let Some(v) = d.daemon.get(key).value() {
            config = config.prop(key, v.as_str().unwrap_or_default().to_string());
        }
    }
    m.add(config);
    let mut logs = Element::new(
        "store:docker-audit-log",
        ElementKind::AuditLog,
        "daemon logs and audit trail",
    );
    if let Some(driver) = api.and_then(|a| a.info.logging_driver.as_ref()) {
        logs = logs.prop("log_driver", driver.clone());
    }
    m.add(logs);
    let mut data_root = Element::new(
        "store:docker-data-root",
        ElementKind::DataRoot,
        "image layers, volumes and container logs",
    );
    if let Some(dir) = api.and_then(|a| a.info.docker_root_dir.clone()) {
        data_root = data_root.prop("path", dir);
    }
    m.add(data_root);

    // The host itself.
    let mut host = Element::new("process:host", ElementKind::Host, "host kernel and OS");
    if let Some(a) = api {
        if let Some(k) = &a.info.kernel_version {
            host = host.prop("kernel", k.clone());
        }
        if let Some(os) = &a.info.operating_system {
            host = host.prop("os", os.clone());
        }
    }
    m.add(host);

    // containerd and runc: dockerd always drives containers through containerd.
    let mut containerd = Element::new(
        "process:containerd",
        ElementKind::Containerd,
        "containerd, shims and runc",
    );
    // Only when unambiguous: other containerd instances may run on the host.
    if let Ok([p]) = facts.host.processes_named("containerd").as_deref() {
        containerd = containerd.prop("command_line", p.command_line());
    }
    m.add(containerd);
    m.add(
        Element::new(
            "flow:dockerd->containerd",
            ElementKind::ContainerdFlow,
            "containerd gRPC (containerd.sock)",
        )
        .flow("process:dockerd", "process:containerd", &[]),
    );

    registries(d, m);
    images(d, m);
    containers(d, m);
    m.absent(
        DOCKER_KINDS,
        false,
        "no such element on this Docker host (see the model)",
    );
}

fn registries(d: &Discovery, m: &mut SystemModel) {
    // name -> (secure?, mirrors)
    let mut found: BTreeMap<String, (Option<bool>, Vec<String>)> = BTreeMap::new();
    let api = d.facts.docker.seen();
    if let Some(reg) = api.and_then(|a| a.info.registry_config.as_ref()) {
        for (name, info) in reg.index_configs.iter().flatten() {
            found.insert(
                name.clone(),
                (info.secure, info.mirrors.clone().unwrap_or_default()),
            );
        }
        for cidr in reg.insecure_registry_cidrs.iter().flatten() {
            if cidr == "127.0.0.0/8" || cidr == "::1/128" {
                continue;
            }
            found.insert(cidr.clone(), (Some(false), vec![]));
        }
    } else {
        found.insert("docker.io".into(), (None, vec![]));
        for r in d.daemon.get("insecure-registries").strings() {
            found.insert(r, (Some(false), vec![]));
        }
    }
    for (name, (secure, mirrors)) in found {
        let pid = format!("process:registry:{name}");
        let label = if name == "docker.io" {
            "registry docker.io (Docker Hub)".to_string()
        } else {
            format!("registry {name}")
        };
        let mut reg = Element::new(&pid, ElementKind::Registry, label).in_boundary(NETWORK);
        if !mirrors.is_empty() {
            reg = reg.prop("mirrors", mirrors.join(", "));
        }
        let mut flow = Element::new(
            format!("flow:dockerd->registry:{name}"),
            ElementKind::RegistryFlow,
            format!("pulls and pushes to {name}"),
        )
        .flow("process:dockerd", &pid, &[HOST]);
        match secure {
            Some(true) => {
                flow = flow.prop("transport", "verified TLS");
                flow.local_evidence.push(LocalEvidence {
                    slug: "daemon-no-insecure-registries".into(),
                    verdict: Verdict::Pass,
                    evidence: format!(
                        "{name} is used over verified TLS (docker info IndexConfigs Secure=true)"
                    ),
                });
            }
            Some(false) => {
                flow = flow.prop("transport", "insecure (plain HTTP or unverified TLS)");
                flow.local_evidence.push(LocalEvidence {
                    slug: "daemon-no-insecure-registries".into(),
                    verdict: Verdict::Fail,
                    evidence: format!(
                        "{name} is an insecure registry (plain HTTP or unverified TLS)"
                    ),
                });
            }
            None => flow = flow.prop("transport", "unknown"),
        }
        // Whether this registry is insecure is a fact about the registry too.
        reg.local_evidence = flow.local_evidence.clone();
        m.add(reg);
        m.add(flow);
    }
}

fn images(d: &Discovery, m: &mut SystemModel) {
    let Some(api) = d.facts.docker.seen() else {
        m.gaps.push(format!(
            "images and containers not visible: {}",
            d.facts
                .docker
                .as_result()
                .err()
                .map(|u| u.reason.clone())
                .unwrap_or_default()
        ));
        m.absent(
            &[
                ElementKind::Image,
                ElementKind::Container,
                ElementKind::ContainerSocketFlow,
            ],
            true,
            "the Docker API was not reachable, so images and containers are not visible",
        );
        return;
    };
    for img in &api.image_list {
        let name = img
            .repo_tags
            .iter()
            .find(|t| t.as_str() != "<none>:<none>")
            .cloned()
            .unwrap_or_else(|| short_id(&img.id));
        let mut e = Element::new(
            format!("image:{name}"),
            ElementKind::Image,
            format!("image {name}"),
        )
        .prop("id", short_id(&img.id));
        e.objects.push(ObjectRef {
            kind: "image".into(),
            name: name.clone(),
            id: Some(img.id.clone()),
        });
        m.add(e);
    }
    if api.image_list.is_empty() {
        m.absent(&[ElementKind::Image], false, "no local images");
    }
}

fn short_id(id: &str) -> String {
    id.trim_start_matches("sha256:").chars().take(12).collect()
}

/// Sources of a bind mount that expose the Docker or containerd API.
fn is_runtime_socket(source: &str) -> bool {
    let s = source.trim_end_matches('/');
    s.ends_with("/docker.sock")
        || s.ends_with("/containerd.sock")
        || matches!(s, "/var/run" | "/run" | "/run/docker" | "/var/run/docker")
}

fn containers(d: &Discovery, m: &mut SystemModel) {
    let Some(api) = d.facts.docker.seen() else {
        return;
    };
    for inspect in &api.containers {
        let c = ContainerView::new(inspect);
        let name = if c.name().is_empty() {
            short_id(c.id())
        } else {
            c.name().to_string()
        };
        let cid = format!("container:{name}");
        m.boundary(
            &cid,
            BoundaryKind::Container,
            &format!("container {name}"),
            Some(HOST),
        );
        let hc = c.host_config();
        let mut e = Element::new(&cid, ElementKind::Container, format!("container {name}"))
            .in_boundary(&cid)
            .prop("image", c.image().to_string())
            .prop(
                "user",
                if c.user().is_empty() {
                    "(image default, root unless USER is set)".to_string()
                } else {
                    c.user().to_string()
                },
            )
            .prop("privileged", hc.privileged.unwrap_or(false).to_string())
            .prop(
                "pids_limit",
                match hc.pids_limit {
                    Some(n) if n > 0 => n.to_string(),
                    _ => "unlimited".into(),
                },
            );
        let shared: Vec<String> = [
            ("pid", hc.pid_mode.as_deref()),
            ("ipc", hc.ipc_mode.as_deref()),
            ("network", hc.network_mode.as_deref()),
            ("uts", hc.uts_mode.as_deref()),
            ("user", hc.userns_mode.as_deref()),
        ]
        .into_iter()
        .filter(|(_, mode)| *mode == Some("host"))
        .map(|(ns, _)| ns.to_string())
        .collect();
        e = e.prop(
            "host_namespaces",
            if shared.is_empty() {
                "none".to_string()
            } else {
                shared.join(", ")
            },
        );
        let mounts: Vec<String> = c
            .inspect
            .mounts
            .iter()
            .flatten()
            .map(|mt| {
                format!(
                    "{} {} -> {}{}",
                    mt.typ.as_deref().unwrap_or("?"),
                    mt.source.as_deref().unwrap_or(""),
                    mt.destination.as_deref().unwrap_or("?"),
                    if mt.rw.unwrap_or(true) { "" } else { " (ro)" }
                )
            })
            .collect();
        if !mounts.is_empty() {
            e = e.prop("mounts", mounts.join("; "));
        }
        if let Some(bridges) = bridge_networks(api, c) {
            e = e.prop("bridge", bridges);
        }
        e.objects.push(ObjectRef {
            kind: "container".into(),
            name: c.name().to_string(),
            id: Some(c.id().to_string()),
        });
        e.objects.push(ObjectRef {
            kind: "image".into(),
            name: c.image().to_string(),
            id: c.inspect.image.clone(),
        });
        let sockets: Vec<String> = c
            .inspect
            .mounts
            .iter()
            .flatten()
            .filter(|mt| mt.typ.as_deref() == Some("bind"))
            .filter_map(|mt| mt.source.clone())
            .filter(|s| is_runtime_socket(s))
            .collect();
        if !sockets.is_empty() {
            let mut flow = Element::new(
                format!("flow:{cid}->dockerd"),
                ElementKind::ContainerSocketFlow,
                format!(
                    "container {name} to the daemon through {}",
                    sockets.join(", ")
                ),
            )
            .flow(&cid, "process:dockerd", &[&cid])
            .in_boundary(&cid)
            .prop("socket", sockets.join(", "));
            flow.objects = e.objects.clone();
            m.add(flow);
        }
        m.add(e);
    }
    if api.containers.is_empty() {
        let reason = if api.all_containers {
            "no containers exist"
        } else {
            "no running containers (use --all-containers to include stopped ones)"
        };
        m.absent(
            &[ElementKind::Container, ElementKind::ContainerSocketFlow],
            false,
            reason,
        );
    } else {
        m.absent(
            &[ElementKind::ContainerSocketFlow],
            false,
            "no container mounts the Docker or containerd socket",
        );
    }
}

/// A check result with its objects indexed by name and by id, so that judging every element
/// against it costs a lookup per element reference instead of a pass over every object (a
/// cluster dump has thousands of pods, each an element).
pub struct IndexedResult<'a> {
    pub result: &'a CheckResult,
    by_name: HashMap<(&'a str, &'a str), Vec<usize>>,
    /// Keyed by the first 12 digits of the id: ids match when one is a prefix of the other.
    by_short_id: HashMap<&'a str, Vec<usize>>,
    kinds: HashSet<&'a str>,
}

const SHORT_ID: usize = 12;

fn id_key(id: &str) -> Option<&str> {
    let id = id.trim_start_matches("sha256:");
    id.get(..SHORT_ID)
}

impl<'a> IndexedResult<'a> {
    pub fn new(result: &'a CheckResult) -> Self {
        let mut by_name: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        let mut by_short_id: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut kinds = HashSet::new();
        for (i, o) in result.outcome.objects.iter().enumerate() {
            kinds.insert(o.kind);
            by_name
                .entry((o.kind, o.name.as_str()))
                .or_default()
                .push(i);
            if let Some(short) = o.id.as_deref().and_then(id_key) {
                by_short_id.entry(short).or_default().push(i);
            }
        }
        IndexedResult {
            result,
            by_name,
            by_short_id,
            kinds,
        }
    }

    /// Positions of the objects that are the element's, in the check's order.
    fn objects_of(&self, element: &Element) -> Vec<usize> {
        let objects = &self.result.outcome.objects;
        let mut hits = Vec::new();
        for r in &element.objects {
            if !r.name.is_empty()
                && let Some(found) = self.by_name.get(&(r.kind.as_str(), r.name.as_str()))
            {
                hits.extend(found);
            }
            if let Some(found) =
                r.id.as_deref()
                    .and_then(id_key)
                    .and_then(|s| self.by_short_id.get(s))
            {
                hits.extend(found.iter().filter(|&&i| {
                    let o = &objects[i];
                    r.matches(o.kind, &o.name, o.id.as_deref())
                }));
            }
        }
        hits.sort_unstable();
        hits.dedup();
        hits
    }
}

/// The bridge networks a container is attached to (`bridge`, `app_default`), or `none: why`
/// when it shares no layer-2 segment with other containers; `None` when the daemon's networks
/// were not listed (then nobody knows).
fn bridge_networks(api: &crate::facts::docker::DockerFacts, c: ContainerView) -> Option<String> {
    if !api.networks_listed {
        return None;
    }
    let attached: Vec<&str> = c
        .inspect
        .network_settings
        .as_ref()
        .and_then(|n| n.networks.as_ref())
        .map(|n| n.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let bridges: Vec<&str> = attached
        .iter()
        .copied()
        .filter(|name| {
            api.networks
                .iter()
                .any(|n| n.name.as_deref() == Some(*name) && n.driver.as_deref() == Some("bridge"))
        })
        .collect();
    Some(if bridges.is_empty() {
        let mode = c
            .host_config()
            .network_mode
            .clone()
            .unwrap_or_else(|| "default".into());
        format!(
            "none: on no network of this daemon with the bridge driver (network mode {mode}; attached to {})",
            if attached.is_empty() {
                "nothing".to_string()
            } else {
                attached.join(", ")
            }
        )
    } else {
        bridges.join(", ")
    })
}

/// A check result's verdict for one element, with the evidence that decided it: the element's
/// own evidence, else the worst verdict among the check's objects that are the element's, else
/// what [`Element::unlisted`] says for an element the check does not list, else the whole
/// check's verdict.
pub fn verdict_for(element: &Element, result: &CheckResult) -> (Verdict, String) {
    verdict_for_indexed(element, &IndexedResult::new(result))
}

/// [`verdict_for`] over a result indexed once for all elements.
pub fn verdict_for_indexed(element: &Element, indexed: &IndexedResult) -> (Verdict, String) {
    let result = indexed.result;
    if let Some(local) = element
        .local_evidence
        .iter()
        .find(|l| l.slug == result.check.slug)
    {
        return (local.verdict, local.evidence.clone());
    }
    let objects = &result.outcome.objects;
    if objects.is_empty() {
        return (result.outcome.verdict, result.outcome.evidence.clone());
    }
    let matched: Vec<_> = indexed
        .objects_of(element)
        .into_iter()
        .map(|i| &objects[i])
        .collect();
    // A container's configuration is its image's merged with what `docker run` set
    // (`--user`, `--health-cmd`): where the check judged the container itself, that verdict
    // holds for it, not its image's.
    let matched: Vec<_> = if matched.iter().any(|o| o.kind == "container") {
        matched.into_iter().filter(|o| o.kind != "image").collect()
    } else {
        matched
    };
    if let Some(v) = Verdict::worst(matched.iter().map(|o| o.verdict)) {
        let evidence = matched
            .iter()
            .filter(|o| o.verdict == v)
            .map(|o| {
                // Kubernetes workloads are named with their kind already (`pod ns/name`,
                // `deployment ns/name`).
                if o.name.starts_with(&format!("{} ", o.kind))
                    || (o.kind == "pod" && o.name.contains(' '))
                {
                    format!("{}: {}", o.name, o.evidence)
                } else {
                    format!("{} {}: {}", o.kind, o.name, o.evidence)
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        return (v, evidence);
    }
    if let Some(u) = element
        .unlisted
        .iter()
        .find(|u| indexed.kinds.contains(u.kind))
    {
        // The check's counts, not its evidence: that names up to ten objects, and repeated
        // on every element of a big cluster it was most of the threats document.
        let verdict = result.outcome.verdict;
        let flagged = objects.iter().filter(|o| o.verdict == verdict).count();
        return (
            u.verdict,
            format!(
                "{} (the check: {flagged} of its {} objects {})",
                u.reason,
                objects.len(),
                verdict.as_str()
            ),
        );
    }
    if let Some(r) = element
        .objects
        .iter()
        .find(|r| indexed.kinds.contains(r.kind.as_str()))
    {
        return (
            Verdict::Error,
            format!(
                "{} {} was not among the {}s this check evaluated",
                r.kind, r.name, r.kind
            ),
        );
    }
    (result.outcome.verdict, result.outcome.evidence.clone())
}
