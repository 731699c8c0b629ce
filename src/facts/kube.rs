//! Kubernetes facts of one node (and, when given, of the cluster through `kubectl get -o json`
//! dumps): which components run here, their flags and where those flags were read, the config
//! files they name (parsed), and the Kubernetes version with its source. Plain data plus pure
//! helpers (flag parsing, setting lookup); the collector in `collect::kube` fills it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Observed;

/// The static pod manifest directory kubeadm configures (`staticPodPath`).
pub const DEFAULT_MANIFEST_DIR: &str = "/etc/kubernetes/manifests";
/// kubeadm's kubelet config file; used when the kubelet's own `--config` cannot be seen.
pub const KUBEADM_KUBELET_CONFIG: &str = "/var/lib/kubelet/config.yaml";
/// kubeadm's PKI directory.
pub const PKI_DIR: &str = "/etc/kubernetes/pki";
/// Benchmark-named admin kubeconfigs (super-admin.conf exists from kubeadm 1.29).
pub const ADMIN_KUBECONFIGS: &[&str] = &[
    "/etc/kubernetes/admin.conf",
    "/etc/kubernetes/super-admin.conf",
];
/// Kubernetes minor versions CIS Kubernetes Benchmark v1.12 covers.
pub const CIS_1_12_MINORS: std::ops::RangeInclusive<u32> = 32..=34;

/// One Kubernetes component kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentKind {
    KubeApiserver,
    KubeControllerManager,
    KubeScheduler,
    Etcd,
    Kubelet,
    KubeProxy,
}

impl ComponentKind {
    pub const ALL: [ComponentKind; 6] = [
        ComponentKind::KubeApiserver,
        ComponentKind::KubeControllerManager,
        ComponentKind::KubeScheduler,
        ComponentKind::Etcd,
        ComponentKind::Kubelet,
        ComponentKind::KubeProxy,
    ];

    /// The executable (and static pod) name.
    pub fn name(self) -> &'static str {
        match self {
            ComponentKind::KubeApiserver => "kube-apiserver",
            ComponentKind::KubeControllerManager => "kube-controller-manager",
            ComponentKind::KubeScheduler => "kube-scheduler",
            ComponentKind::Etcd => "etcd",
            ComponentKind::Kubelet => "kubelet",
            ComponentKind::KubeProxy => "kube-proxy",
        }
    }

    pub fn from_name(name: &str) -> Option<ComponentKind> {
        ComponentKind::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn is_control_plane(self) -> bool {
        matches!(
            self,
            ComponentKind::KubeApiserver
                | ComponentKind::KubeControllerManager
                | ComponentKind::KubeScheduler
                | ComponentKind::Etcd
        )
    }
}

/// Where a component's flags were read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ComponentSource {
    /// `/proc/PID/cmdline` of the running process: authoritative.
    Process { pid: u32, exe: Option<String> },
    /// A distribution wrapper (k3s, rke2) that passes the component's flags as its own
    /// `--<component>-arg` options; flags it does not pass take the wrapper's own values.
    Wrapper { pid: u32, wrapper: String },
    /// The container command and args of a static pod manifest (the process was not visible).
    StaticPod { manifest: String, container: String },
    /// Rebuilt from the systemd unit's `ExecStart=` with drop-ins and environment files (the
    /// process was not visible).
    Systemd {
        unit: String,
        drop_ins: Vec<String>,
        env_files: Vec<String>,
    },
    /// Only the kubelet's config file was found (kubeadm's default path): no process and no
    /// unit file, so its command-line flags are unknown.
    ConfigOnly { config: String },
}

impl ComponentSource {
    /// Short text for evidence.
    pub fn describe(&self) -> String {
        match self {
            ComponentSource::Process { pid, .. } => format!("process {pid} (/proc/{pid}/cmdline)"),
            ComponentSource::Wrapper { pid, wrapper } => {
                format!("{wrapper} process {pid} (flags passed through {wrapper})")
            }
            ComponentSource::StaticPod { manifest, .. } => {
                format!("static pod manifest {manifest} (process not visible in /proc)")
            }
            ComponentSource::Systemd { unit, drop_ins, .. } => {
                let mut s = format!("systemd unit {unit}");
                if !drop_ins.is_empty() {
                    s.push_str(&format!(" + {}", drop_ins.join(", ")));
                }
                s.push_str(" (process not visible in /proc; flags rebuilt from ExecStart)");
                s
            }
            ComponentSource::ConfigOnly { config } => format!(
                "config file {config} only (no process in /proc and no unit file: command-line flags unknown)"
            ),
        }
    }
}

/// A container path mounted from the host (static pod `hostPath` volumes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostMount {
    pub container_path: String,
    pub host_path: String,
}

/// The static pod manifest that runs a component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestRef {
    pub path: String,
    pub container: String,
    pub image: Option<String>,
    #[serde(default)]
    pub mounts: Vec<HostMount>,
    /// The 1-based line of each `--flag` in the manifest's text (the first, when repeated):
    /// where a viewer opens the file for a flag's verdict.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub flag_lines: BTreeMap<String, usize>,
}

/// The line of each `--flag` written in a manifest's text (`- --profiling=false`,
/// `- "--anonymous-auth=false"`), first occurrence first.
pub fn flag_lines(text: &str) -> BTreeMap<String, usize> {
    let mut lines = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("--") {
            let after = &rest[at + 2..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            if !name.is_empty() && !name.starts_with('-') {
                lines.entry(name.clone()).or_insert(n + 1);
            }
            rest = &after[name.len()..];
        }
    }
    lines
}

/// One component found on this node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentFact {
    pub kind: ComponentKind,
    pub source: ComponentSource,
    /// Arguments after the executable, as the component receives them.
    pub args: Vec<String>,
    /// `ETCD_*`-style configuration variables from the manifest (etcd reads its flags from them).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// The static pod manifest running the component, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<ManifestRef>,
    /// Remarks for evidence (other processes of the same kind, how flags were rebuilt).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl ComponentFact {
    /// The component's flags. etcd also reads `ETCD_*` variables; a flag wins over its
    /// variable, so those come first and a later flag overrides them.
    pub fn flags(&self) -> Flags {
        let mut args: Vec<String> = Vec::new();
        let mut from_env = Vec::new();
        if self.kind == ComponentKind::Etcd {
            for (k, v) in &self.env {
                if let Some(name) = k.strip_prefix("ETCD_") {
                    args.push(format!("--{}={v}", name.to_lowercase().replace('_', "-")));
                    from_env.push(format!("{k}={v} (environment)"));
                }
            }
        }
        args.extend(self.args.iter().cloned());
        let mut flags = Flags::parse(&args);
        for (f, written) in flags.args.iter_mut().zip(from_env) {
            f.written = written;
        }
        flags
    }

    /// The host path for a path the component sees (static pod hostPath mounts translated).
    pub fn host_path(&self, path: &str) -> String {
        let Some(m) = &self.manifest else {
            return path.to_string();
        };
        let best = m
            .mounts
            .iter()
            .filter(|mnt| {
                path == mnt.container_path
                    || path.starts_with(&format!("{}/", mnt.container_path.trim_end_matches('/')))
            })
            .max_by_key(|mnt| mnt.container_path.len());
        match best {
            Some(mnt) => {
                let rest = &path[mnt.container_path.trim_end_matches('/').len()..];
                format!("{}{rest}", mnt.host_path.trim_end_matches('/'))
            }
            None => path.to_string(),
        }
    }

    pub fn is_wrapped(&self) -> bool {
        matches!(self.source, ComponentSource::Wrapper { .. })
    }
}

/// A config file a component reads, parsed (YAML or JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigDoc {
    /// Host path of the file.
    pub path: String,
    /// Why this file: the flag that names it, or the default used.
    pub named_by: String,
    /// The parsed document (secrets redacted), or why it could not be read.
    pub doc: Observed<Value>,
}

/// The Kubernetes version, with where it was learnt; `None` when unknown (never a silent default).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VersionFact {
    /// e.g. `v1.33.1`.
    pub version: Option<String>,
    /// Where the version came from, or why it is unknown.
    pub source: String,
    /// Other observations (e.g. a different kubelet version), for evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other: Vec<String>,
}

impl VersionFact {
    /// (major, minor) of the version.
    pub fn minor(&self) -> Option<(u32, u32)> {
        parse_minor(self.version.as_deref()?)
    }

    /// Whether CIS Kubernetes v1.12 covers this version; `None` when unknown.
    pub fn in_cis_1_12(&self) -> Option<bool> {
        self.minor()
            .map(|(maj, min)| maj == 1 && CIS_1_12_MINORS.contains(&min))
    }
}

/// `v1.33.1`, `1.33`, `v1.33.1+k3s1` → (1, 33).
pub fn parse_minor(version: &str) -> Option<(u32, u32)> {
    let v = version.trim().trim_start_matches('v');
    let mut parts = v.split(['.', '-', '+']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

pub use super::cluster::{ClusterFacts, DUMP_RESOURCES};

/// Everything observed about Kubernetes on this node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KubeFacts {
    /// Where components were looked for.
    pub searched: Vec<String>,
    pub components: Vec<ComponentFact>,
    /// The kubelet's config file (`--config`), parsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubelet_config: Option<ConfigDoc>,
    /// Unit file and drop-ins that define kubelet.service, in the order systemd applies them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kubelet_units: Vec<String>,
    /// kube-proxy's `--config` file, parsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_config: Option<ConfigDoc>,
    /// Whether kube-proxy's kubeconfig is a file on the host (`None`: no kube-proxy or no
    /// kubeconfig named); the path is the host path when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_kubeconfig: Option<ProxyKubeconfig>,
    /// Files named by kube-apiserver flags, parsed: `encryption`, `admission`,
    /// `event-rate-limit`, `audit-policy`, `authentication`, `authorization`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub apiserver_configs: BTreeMap<String, ConfigDoc>,
    pub version: VersionFact,
    /// Cluster objects from `--cluster-dump`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<Observed<ClusterFacts>>,
    /// Inputs that could not be read or parsed (malformed manifests, unreadable units), named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// kube-proxy's kubeconfig as named by its flags or config file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProxyKubeconfig {
    /// The path kube-proxy was given.
    pub path: String,
    /// How it was named (`--kubeconfig` flag, `clientConnection.kubeconfig`).
    pub named_by: String,
    /// The host file when the path exists on the host file system.
    pub host_path: Option<String>,
}

impl KubeFacts {
    pub fn component(&self, kind: ComponentKind) -> Option<&ComponentFact> {
        self.components.iter().find(|c| c.kind == kind)
    }

    pub fn any_component(&self) -> bool {
        !self.components.is_empty()
    }

    pub fn has_control_plane(&self) -> bool {
        self.components.iter().any(|c| c.kind.is_control_plane())
    }
}

/// CNI configuration directories the benchmark names (1.1.9, 1.1.10).
pub const CNI_DIRS: &[&str] = &["/etc/cni/net.d", "/var/lib/cni/networks"];

/// A host file a check examines, and why that file.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedFile {
    pub path: String,
    /// The flag or default that names it, for evidence.
    pub named_by: String,
}

impl KubeFacts {
    /// The static pod manifest of a component.
    pub fn manifest_file(&self, kind: ComponentKind) -> Option<NamedFile> {
        let m = self.component(kind)?.manifest.as_ref()?;
        Some(NamedFile {
            path: m.path.clone(),
            named_by: format!("static pod manifest running {}", kind.name()),
        })
    }

    /// A host path given by a component flag (translated through static pod mounts).
    pub fn flag_file(&self, kind: ComponentKind, flag: &str) -> Option<NamedFile> {
        let c = self.component(kind)?;
        let f = c.flags();
        let arg = f.last(flag)?;
        let value = arg.value.clone().filter(|v| !v.is_empty())?;
        Some(NamedFile {
            path: c.host_path(&value),
            named_by: format!("`{}` of {}", arg.written, kind.name()),
        })
    }

    /// The kubeconfig of a component: its `--kubeconfig`, else the kubeadm path the benchmark
    /// names.
    pub fn kubeconfig_file(&self, kind: ComponentKind) -> Option<NamedFile> {
        self.component(kind)?;
        if let Some(f) = self.flag_file(kind, "kubeconfig") {
            return Some(f);
        }
        let default = match kind {
            ComponentKind::KubeScheduler => "/etc/kubernetes/scheduler.conf",
            ComponentKind::KubeControllerManager => "/etc/kubernetes/controller-manager.conf",
            ComponentKind::Kubelet => "/etc/kubernetes/kubelet.conf",
            _ => return None,
        };
        Some(NamedFile {
            path: default.into(),
            named_by: format!("{} has no --kubeconfig; kubeadm default path", kind.name()),
        })
    }

    /// etcd's data directory: `--data-dir`, else `ETCD_DATA_DIR`.
    pub fn etcd_data_dir(&self) -> Option<NamedFile> {
        if let Some(f) = self.flag_file(ComponentKind::Etcd, "data-dir") {
            return Some(f);
        }
        let c = self.component(ComponentKind::Etcd)?;
        let v = c.env.get("ETCD_DATA_DIR")?;
        Some(NamedFile {
            path: c.host_path(v),
            named_by: "ETCD_DATA_DIR of etcd".into(),
        })
    }

    /// The kubelet's client CA: `--client-ca-file`, else `authentication.x509.clientCAFile`.
    pub fn kubelet_client_ca(&self) -> Option<NamedFile> {
        if let Some(f) = self.flag_file(ComponentKind::Kubelet, "client-ca-file") {
            return Some(f);
        }
        let cfg = self.kubelet_config.as_ref()?;
        let v = config_path(cfg.doc.seen()?, "authentication.x509.clientCAFile")?.as_str()?;
        (!v.is_empty()).then(|| NamedFile {
            path: v.to_string(),
            named_by: format!("authentication.x509.clientCAFile in {}", cfg.path),
        })
    }

    /// The kubelet config file in use.
    pub fn kubelet_config_file(&self) -> Option<NamedFile> {
        self.kubelet_config.as_ref().map(|c| NamedFile {
            path: c.path.clone(),
            named_by: c.named_by.clone(),
        })
    }
}

/// Every single file the Kubernetes file checks examine (directories walked separately).
pub fn named_files(kube: &KubeFacts) -> Vec<String> {
    let mut out = Vec::new();
    for k in [
        ComponentKind::KubeScheduler,
        ComponentKind::KubeControllerManager,
        ComponentKind::Kubelet,
    ] {
        out.extend(kube.kubeconfig_file(k).map(|f| f.path));
    }
    out.extend(kube.etcd_data_dir().map(|f| f.path));
    out.extend(kube.kubelet_client_ca().map(|f| f.path));
    out.extend(kube.kubelet_config_file().map(|f| f.path));
    out.extend(kube.kubelet_units.iter().cloned());
    out.extend(
        kube.proxy_kubeconfig
            .as_ref()
            .and_then(|p| p.host_path.clone()),
    );
    out
}

/// Flags whose bare form (`--profiling`) means true and that never take the next argument as
/// their value (Go pflag bool flags need `--flag=false`).
const BOOL_FLAGS: &[&str] = &[
    "allow-privileged",
    "anonymous-auth",
    "auto-tls",
    "client-cert-auth",
    "cluster-init",
    "enable-bootstrap-token-auth",
    "enable-debugging-handlers",
    "enable-server",
    "experimental-initial-corrupt-check",
    "fail-swap-on",
    "leader-elect",
    "make-iptables-util-chains",
    "peer-auto-tls",
    "peer-client-cert-auth",
    "profiling",
    "protect-kernel-defaults",
    "rotate-certificates",
    "rotate-server-certificates",
    "seccomp-default",
    "service-account-extend-token-expiration",
    "service-account-lookup",
    "use-service-account-credentials",
];

/// One flag as written.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagArg {
    pub name: String,
    /// `None` for a bare flag (`--profiling`).
    pub value: Option<String>,
    /// The argument(s) as written, for evidence.
    pub written: String,
}

/// A component's command-line flags, parsed the way Go's pflag reads them: `--name=value`,
/// `--name value` (not for bool flags), bare `--bool`; etcd's single-dash `-name=value` too.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flags {
    pub args: Vec<FlagArg>,
}

impl Flags {
    pub fn parse(args: &[String]) -> Flags {
        let mut out = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            i += 1;
            let body = if let Some(b) = arg.strip_prefix("--") {
                b
            } else if let Some(b) = arg.strip_prefix('-').filter(|b| b.len() > 1) {
                b
            } else {
                continue;
            };
            if body.is_empty() {
                break; // `--` ends the flags
            }
            let (name, value, written) = match body.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string()), arg.clone()),
                None if BOOL_FLAGS.contains(&body) => (body.to_string(), None, arg.clone()),
                None => match args.get(i) {
                    Some(next) if !next.starts_with('-') => {
                        i += 1;
                        (
                            body.to_string(),
                            Some(next.clone()),
                            format!("{arg} {next}"),
                        )
                    }
                    _ => (body.to_string(), None, arg.clone()),
                },
            };
            out.push(FlagArg {
                name,
                value,
                written,
            });
        }
        Flags { args: out }
    }

    /// The last occurrence (pflag: a scalar flag given twice keeps the last value).
    pub fn last(&self, name: &str) -> Option<&FlagArg> {
        self.args.iter().rev().find(|f| f.name == name)
    }

    pub fn is_set(&self, name: &str) -> bool {
        self.last(name).is_some()
    }

    /// The flag's value; a bare flag reads as `true`.
    pub fn value(&self, name: &str) -> Option<String> {
        self.last(name)
            .map(|f| f.value.clone().unwrap_or_else(|| "true".into()))
    }

    /// A comma-separated list flag, all occurrences appended (pflag string slices).
    pub fn list(&self, name: &str) -> Option<Vec<String>> {
        let all: Vec<&FlagArg> = self.args.iter().filter(|f| f.name == name).collect();
        if all.is_empty() {
            return None;
        }
        Some(
            all.iter()
                .flat_map(|f| f.value.as_deref().unwrap_or("").split(','))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        )
    }

    /// How every occurrence was written, joined (for evidence).
    pub fn written(&self, name: &str) -> Option<String> {
        let all: Vec<&str> = self
            .args
            .iter()
            .filter(|f| f.name == name)
            .map(|f| f.written.as_str())
            .collect();
        (!all.is_empty()).then(|| all.join(" "))
    }

    /// `--feature-gates=A=true,B=false` (repeated flags merge, later wins per gate).
    pub fn feature_gates(&self) -> BTreeMap<String, String> {
        let mut gates = BTreeMap::new();
        for f in self.args.iter().filter(|f| f.name == "feature-gates") {
            for pair in f.value.as_deref().unwrap_or("").split(',') {
                if let Some((k, v)) = pair.split_once('=') {
                    gates.insert(k.trim().to_string(), v.trim().to_string());
                }
            }
        }
        gates
    }
}

/// Go's `strconv.ParseBool`, which pflag and the components use.
pub fn parse_go_bool(s: &str) -> Option<bool> {
    match s.trim() {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// A value at a dotted path (`authentication.anonymous.enabled`) in a parsed config document.
pub fn config_path<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(doc, |v, key| v.get(key))
}

/// A JSON scalar as text (`true`, `0`, `Webhook`).
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn parses_pflag_forms_and_keeps_the_last_scalar() {
        let f = Flags::parse(&args(
            "--profiling --authorization-mode Node,RBAC --anonymous-auth=false --v=2 --profiling=false",
        ));
        assert_eq!(f.value("profiling").as_deref(), Some("false"));
        assert_eq!(f.value("authorization-mode").as_deref(), Some("Node,RBAC"));
        assert_eq!(f.value("anonymous-auth").as_deref(), Some("false"));
        assert_eq!(f.value("v").as_deref(), Some("2"));
        assert!(!f.is_set("token-auth-file"));
    }

    #[test]
    fn bool_flags_do_not_swallow_the_next_flag() {
        let f = Flags::parse(&args("--profiling --secure-port 6443"));
        assert_eq!(f.value("profiling").as_deref(), Some("true"));
        assert_eq!(f.value("secure-port").as_deref(), Some("6443"));
    }

    #[test]
    fn list_flags_append_across_occurrences() {
        let f = Flags::parse(&args(
            "--enable-admission-plugins=NodeRestriction --enable-admission-plugins=EventRateLimit,",
        ));
        assert_eq!(
            f.list("enable-admission-plugins").unwrap(),
            vec!["NodeRestriction", "EventRateLimit"]
        );
        assert_eq!(f.list("disable-admission-plugins"), None);
    }

    #[test]
    fn feature_gates_merge_later_wins() {
        let f = Flags::parse(&args(
            "--feature-gates=A=true,RotateKubeletServerCertificate=true --feature-gates=RotateKubeletServerCertificate=false",
        ));
        let g = f.feature_gates();
        assert_eq!(g["RotateKubeletServerCertificate"], "false");
        assert_eq!(g["A"], "true");
    }

    #[test]
    fn etcd_single_dash_flags() {
        let f = Flags::parse(&args("-data-dir=/var/lib/etcd -client-cert-auth"));
        assert_eq!(f.value("data-dir").as_deref(), Some("/var/lib/etcd"));
        assert_eq!(f.value("client-cert-auth").as_deref(), Some("true"));
    }

    #[test]
    fn versions_parse_and_map_to_cis_1_12() {
        assert_eq!(parse_minor("v1.33.1"), Some((1, 33)));
        assert_eq!(parse_minor("v1.32.4+k3s1"), Some((1, 32)));
        assert_eq!(parse_minor("1.34"), Some((1, 34)));
        assert_eq!(parse_minor("latest"), None);
        let v = VersionFact {
            version: Some("v1.29.0".into()),
            ..Default::default()
        };
        assert_eq!(v.in_cis_1_12(), Some(false));
        assert_eq!(VersionFact::default().in_cis_1_12(), None);
    }

    #[test]
    fn host_paths_follow_static_pod_mounts() {
        let c = ComponentFact {
            kind: ComponentKind::Etcd,
            source: ComponentSource::StaticPod {
                manifest: "/etc/kubernetes/manifests/etcd.yaml".into(),
                container: "etcd".into(),
            },
            args: vec![],
            env: BTreeMap::new(),
            manifest: Some(ManifestRef {
                path: "/etc/kubernetes/manifests/etcd.yaml".into(),
                container: "etcd".into(),
                image: None,
                mounts: vec![HostMount {
                    container_path: "/var/lib/etcd".into(),
                    host_path: "/data/etcd".into(),
                }],
                flag_lines: BTreeMap::new(),
            }),
            notes: vec![],
        };
        assert_eq!(c.host_path("/var/lib/etcd"), "/data/etcd");
        assert_eq!(c.host_path("/var/lib/etcd/member"), "/data/etcd/member");
        assert_eq!(c.host_path("/var/lib/etcdx"), "/var/lib/etcdx");
    }
}

#[cfg(test)]
mod flag_line_tests {
    #[test]
    fn each_flag_has_the_line_it_is_first_written_on() {
        let text = "spec:\n  containers:\n  - command:\n    - kube-apiserver\n    - --advertise-address=1.2.3.4\n    - \"--profiling=false\"\n    - --profiling=true\n    # not a flag: ---\n";
        let lines = super::flag_lines(text);
        assert_eq!(lines["advertise-address"], 5);
        assert_eq!(lines["profiling"], 6);
        assert_eq!(lines.len(), 2, "{lines:?}");
    }
}
