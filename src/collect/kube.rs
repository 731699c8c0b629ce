//! Kubernetes node collector: finds the components (running processes first, then static pod
//! manifests and the kubelet's systemd unit when a process is not visible), reads the config
//! files their flags name, learns the Kubernetes version, and reads `kubectl get -o json` dumps.
//! Everything goes through the same [`FsRoot`] as the host, so `--root` works. Read-only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use super::fsroot::{FileRequest, FsRoot};
use super::systemd;
use crate::facts::kube::{
    ADMIN_KUBECONFIGS, ComponentFact, ComponentKind, ComponentSource, ConfigDoc,
    DEFAULT_MANIFEST_DIR, HostMount, KUBEADM_KUBELET_CONFIG, KubeFacts, ManifestRef, PKI_DIR,
    ProxyKubeconfig, VersionFact, config_path,
};
use crate::facts::{Facts, FileKind, Observed, ProcessFact, UnavailableKind};

/// Kubernetes-specific collection options.
#[derive(Debug, Clone, Default)]
pub struct KubeOptions {
    /// Directory of `kubectl get ... -o json` dumps (`--cluster-dump`).
    pub cluster_dump: Option<PathBuf>,
    /// The version the user states (`--k8s-version`); wins over detection.
    pub k8s_version: Option<String>,
    /// Read the cluster objects from the live API server instead (`--kube-api`).
    pub api: Option<super::kube_api::KubeApiOptions>,
}

/// Collect the Kubernetes facts of the host under `fs`.
pub fn collect(
    fs: &FsRoot,
    processes: Option<&Observed<Vec<ProcessFact>>>,
    opts: &KubeOptions,
) -> KubeFacts {
    let mut kube = KubeFacts::default();
    let procs: &[ProcessFact] = match processes {
        Some(Observed::Seen(list)) => list,
        Some(Observed::Unavailable(u)) => {
            kube.searched
                .push(format!("/proc (unreadable: {})", u.reason));
            &[]
        }
        None => &[],
    };
    if !matches!(processes, Some(Observed::Unavailable(_))) {
        kube.searched.push("/proc".into());
    }
    from_processes(&mut kube, procs);
    kubelet_from_systemd(fs, &mut kube);
    kubelet_config(fs, &mut kube);
    static_pods(fs, &mut kube);
    kubelet_from_default_config(fs, &mut kube);
    proxy(fs, &mut kube);
    apiserver_configs(fs, &mut kube);
    apply_options(&mut kube, opts);
    kube
}

/// Read the cluster dump and settle the version; also used on a loaded facts bundle.
pub fn apply_options(kube: &mut KubeFacts, opts: &KubeOptions) {
    if let Some(dir) = &opts.cluster_dump {
        kube.cluster = Some(super::kube_dump::read_dump(dir));
    }
    kube.version = version(kube, opts);
}

fn from_processes(kube: &mut KubeFacts, procs: &[ProcessFact]) {
    for p in procs {
        let name = p.exe_name();
        if let Some(kind) = ComponentKind::from_name(name) {
            if let Some(existing) = kube.components.iter_mut().find(|c| c.kind == kind) {
                existing
                    .notes
                    .push(format!("another {name} process runs as pid {}", p.pid));
                continue;
            }
            kube.components.push(ComponentFact {
                kind,
                source: ComponentSource::Process {
                    pid: p.pid,
                    exe: p.exe.clone(),
                },
                args: p.argv.get(1..).unwrap_or(&[]).to_vec(),
                env: BTreeMap::new(),
                manifest: None,
                notes: vec![],
            });
        } else if matches!(name, "k3s" | "k3s-server" | "k3s-agent") {
            wrapper(kube, p, "k3s");
        }
    }
}

/// k3s runs the components inside its own process; the flags visible are the ones passed with
/// `--kube-apiserver-arg` and friends. k3s sets its own values for many others.
fn wrapper(kube: &mut KubeFacts, p: &ProcessFact, wrapper: &str) {
    let args = p.argv.get(1..).unwrap_or(&[]);
    let role_agent =
        p.exe_name().ends_with("agent") || args.first().map(String::as_str) == Some("agent");
    let mut kinds = vec![ComponentKind::Kubelet, ComponentKind::KubeProxy];
    if !role_agent {
        kinds.extend([
            ComponentKind::KubeApiserver,
            ComponentKind::KubeControllerManager,
            ComponentKind::KubeScheduler,
        ]);
        if args
            .iter()
            .any(|a| a == "--cluster-init" || a.starts_with("--etcd-arg"))
        {
            kinds.push(ComponentKind::Etcd);
        }
    }
    let arg_flag = |k: ComponentKind| match k {
        ComponentKind::KubeApiserver => "kube-apiserver-arg",
        ComponentKind::KubeControllerManager => "kube-controller-manager-arg",
        ComponentKind::KubeScheduler => "kube-scheduler-arg",
        ComponentKind::Etcd => "etcd-arg",
        ComponentKind::Kubelet => "kubelet-arg",
        ComponentKind::KubeProxy => "kube-proxy-arg",
    };
    let parsed = crate::facts::kube::Flags::parse(args);
    for kind in kinds {
        if kube.components.iter().any(|c| c.kind == kind) {
            continue;
        }
        let passed: Vec<String> = parsed
            .args
            .iter()
            .filter(|f| f.name == arg_flag(kind))
            .filter_map(|f| f.value.as_ref())
            .map(|v| format!("--{v}"))
            .collect();
        kube.components.push(ComponentFact {
            kind,
            source: ComponentSource::Wrapper {
                pid: p.pid,
                wrapper: wrapper.to_string(),
            },
            args: passed,
            env: BTreeMap::new(),
            manifest: None,
            notes: vec![format!(
                "{} runs inside {wrapper} (pid {}); only flags passed with --{} are visible",
                kind.name(),
                p.pid,
                arg_flag(kind)
            )],
        });
    }
}

fn kubelet_from_systemd(fs: &FsRoot, kube: &mut KubeFacts) {
    let Some(unit) = systemd::load_service(fs, "kubelet.service") else {
        kube.searched.push("the kubelet.service unit".into());
        return;
    };
    kube.searched.push(unit.unit.clone());
    kube.kubelet_units = std::iter::once(unit.unit.clone())
        .chain(unit.drop_ins.iter().cloned())
        .collect();
    kube.problems.extend(unit.problems.iter().cloned());
    if kube.component(ComponentKind::Kubelet).is_some() {
        return;
    }
    let Some(argv) = unit.argv else {
        kube.problems
            .push(format!("{}: no ExecStart= for kubelet", unit.unit));
        return;
    };
    kube.components.push(ComponentFact {
        kind: ComponentKind::Kubelet,
        source: ComponentSource::Systemd {
            unit: unit.unit,
            drop_ins: unit.drop_ins,
            env_files: unit.env_files,
        },
        args: argv.get(1..).unwrap_or(&[]).to_vec(),
        env: BTreeMap::new(),
        manifest: None,
        notes: vec![
            "no kubelet process visible in /proc: flags rebuilt from the unit's ExecStart with its drop-ins and environment files".into(),
        ],
    });
}

/// Read and parse a YAML or JSON file; `NotFound` when absent.
fn read_doc(fs: &FsRoot, path: &str) -> Observed<Value> {
    match read_text(fs, path) {
        Observed::Seen(text) => parse_yaml(path, &text),
        Observed::Unavailable(u) => Observed::Unavailable(u),
    }
}

fn read_text(fs: &FsRoot, path: &str) -> Observed<String> {
    match fs.observe(&FileRequest::read(path)).observed {
        Observed::Seen(stat) if stat.kind != FileKind::File => Observed::unavailable(
            UnavailableKind::Malformed,
            format!("{path}: not a regular file"),
        ),
        Observed::Seen(stat) => match stat.content {
            Some(text) => text,
            None => Observed::unavailable(UnavailableKind::Error, format!("{path}: not read")),
        },
        Observed::Unavailable(u) => Observed::Unavailable(u),
    }
}

fn parse_yaml(path: &str, text: &str) -> Observed<Value> {
    match serde_saphyr::from_str::<Value>(text) {
        Ok(v) => Observed::Seen(v),
        Err(e) => Observed::unavailable(
            UnavailableKind::Malformed,
            format!("{path}: invalid YAML/JSON: {}", first_line(&e.to_string())),
        ),
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

fn kubelet_config(fs: &FsRoot, kube: &mut KubeFacts) {
    let Some(kubelet) = kube.component(ComponentKind::Kubelet) else {
        return;
    };
    let flags = kubelet.flags();
    let (path, named_by) = match flags.last("config") {
        Some(f) => (
            f.value.clone().unwrap_or_default(),
            format!("`{}` of kubelet ({})", f.written, kubelet.source.describe()),
        ),
        None if kubelet.is_wrapped() => return,
        None => {
            let note = format!(
                "kubelet has no --config ({}): it runs on command-line defaults",
                kubelet.source.describe()
            );
            if let Some(k) = kube
                .components
                .iter_mut()
                .find(|c| c.kind == ComponentKind::Kubelet)
            {
                k.notes.push(note);
            }
            return;
        }
    };
    if path.is_empty() {
        return;
    }
    kube.kubelet_config = Some(ConfigDoc {
        doc: read_doc(fs, &path),
        path,
        named_by,
    });
}

/// A snapshot may hold the kubelet's kubeadm config file but neither its process nor its unit:
/// when other components were found, use that file and say the flags are unknown.
fn kubelet_from_default_config(fs: &FsRoot, kube: &mut KubeFacts) {
    if kube.component(ComponentKind::Kubelet).is_some() || !kube.any_component() {
        return;
    }
    let doc = read_doc(fs, KUBEADM_KUBELET_CONFIG);
    if matches!(&doc, Observed::Unavailable(u) if u.kind == UnavailableKind::NotFound) {
        return;
    }
    kube.components.push(ComponentFact {
        kind: ComponentKind::Kubelet,
        source: ComponentSource::ConfigOnly {
            config: KUBEADM_KUBELET_CONFIG.into(),
        },
        args: vec![],
        env: BTreeMap::new(),
        manifest: None,
        notes: vec![],
    });
    kube.kubelet_config = Some(ConfigDoc {
        path: KUBEADM_KUBELET_CONFIG.into(),
        named_by: "kubeadm default path (kubelet flags not visible)".into(),
        doc,
    });
}

#[derive(Deserialize)]
struct Pod {
    #[serde(default)]
    spec: Option<PodSpec>,
}

#[derive(Deserialize)]
struct PodSpec {
    #[serde(default)]
    containers: Vec<Container>,
    #[serde(default)]
    volumes: Vec<Volume>,
}

#[derive(Deserialize)]
struct Container {
    #[serde(default)]
    name: String,
    #[serde(default)]
    image: Option<String>,
    #[serde(default)]
    command: Vec<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    env: Vec<EnvVar>,
    #[serde(default, rename = "volumeMounts")]
    volume_mounts: Vec<VolumeMount>,
}

#[derive(Deserialize)]
struct EnvVar {
    name: String,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Deserialize)]
struct VolumeMount {
    name: String,
    #[serde(rename = "mountPath")]
    mount_path: String,
}

#[derive(Deserialize)]
struct Volume {
    name: String,
    #[serde(default, rename = "hostPath")]
    host_path: Option<HostPathSource>,
}

#[derive(Deserialize)]
struct HostPathSource {
    path: String,
}

fn base_name(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// Which component a static pod container runs: by its command, name or image.
fn container_kind(c: &Container) -> Option<ComponentKind> {
    if let Some(cmd) = c.command.first()
        && let Some(k) = ComponentKind::from_name(base_name(cmd))
    {
        return Some(k);
    }
    if let Some(k) = ComponentKind::from_name(&c.name) {
        return Some(k);
    }
    let image = c.image.as_deref()?;
    let repo = image.split('@').next().unwrap_or(image);
    let repo = match repo.rsplit_once(':') {
        Some((r, tag)) if !tag.contains('/') => r,
        _ => repo,
    };
    ComponentKind::from_name(base_name(repo))
}

fn static_pods(fs: &FsRoot, kube: &mut KubeFacts) {
    let mut dirs: Vec<String> = Vec::new();
    if let Some(k) = kube.component(ComponentKind::Kubelet)
        && let Some(p) = k.flags().value("pod-manifest-path")
    {
        dirs.push(p);
    }
    if let Some(Observed::Seen(doc)) = kube.kubelet_config.as_ref().map(|c| &c.doc)
        && let Some(p) = config_path(doc, "staticPodPath").and_then(Value::as_str)
    {
        dirs.push(p.to_string());
    }
    dirs.push(DEFAULT_MANIFEST_DIR.to_string());
    dirs.push("/var/lib/rancher/rke2/agent/pod-manifests".into());
    dirs.dedup();
    let mut seen_dirs = Vec::new();
    for dir in dirs {
        if seen_dirs.contains(&dir) {
            continue;
        }
        seen_dirs.push(dir.clone());
        let entries = match fs.observe(&FileRequest::list(&dir)).observed {
            Observed::Seen(stat) => stat.entries.unwrap_or_default(),
            Observed::Unavailable(u) => {
                if u.kind != UnavailableKind::NotFound {
                    kube.problems.push(u.reason);
                }
                if dir == DEFAULT_MANIFEST_DIR {
                    kube.searched.push(dir.clone());
                }
                continue;
            }
        };
        kube.searched.push(dir.clone());
        for entry in entries {
            // The kubelet ignores hidden files in the static pod directory.
            if entry.starts_with('.') {
                continue;
            }
            let path = format!("{}/{entry}", dir.trim_end_matches('/'));
            let text = read_text(fs, &path);
            let doc = match &text {
                Observed::Seen(t) => parse_yaml(&path, t),
                Observed::Unavailable(u) => Observed::Unavailable(u.clone()),
            };
            let doc = match doc {
                Observed::Seen(v) => v,
                Observed::Unavailable(u) => {
                    if u.kind != UnavailableKind::Malformed
                        || entry.ends_with(".yaml")
                        || entry.ends_with(".yml")
                        || entry.ends_with(".json")
                    {
                        kube.problems.push(u.reason);
                    }
                    continue;
                }
            };
            let pod: Pod = match serde_json::from_value(doc) {
                Ok(p) => p,
                Err(e) => {
                    kube.problems
                        .push(format!("{path}: not a Pod manifest: {e}"));
                    continue;
                }
            };
            let Some(spec) = pod.spec else { continue };
            for c in &spec.containers {
                let Some(kind) = container_kind(c) else {
                    continue;
                };
                let lines = match &text {
                    Observed::Seen(t) => crate::facts::kube::flag_lines(t),
                    Observed::Unavailable(_) => BTreeMap::new(),
                };
                attach_manifest(kube, kind, &path, c, &spec.volumes, lines);
                break;
            }
        }
    }
}

fn attach_manifest(
    kube: &mut KubeFacts,
    kind: ComponentKind,
    path: &str,
    c: &Container,
    volumes: &[Volume],
    flag_lines: BTreeMap<String, usize>,
) {
    let mounts: Vec<HostMount> = c
        .volume_mounts
        .iter()
        .filter_map(|m| {
            let v = volumes.iter().find(|v| v.name == m.name)?;
            Some(HostMount {
                container_path: m.mount_path.clone(),
                host_path: v.host_path.as_ref()?.path.clone(),
            })
        })
        .collect();
    let manifest = ManifestRef {
        path: path.to_string(),
        container: c.name.clone(),
        image: c.image.clone(),
        mounts,
        flag_lines,
    };
    let mut args: Vec<String> = c.command.iter().skip(1).cloned().collect();
    args.extend(c.args.iter().cloned());
    let env: BTreeMap<String, String> = c
        .env
        .iter()
        .filter(|e| e.name.starts_with("ETCD_"))
        .filter_map(|e| Some((e.name.clone(), e.value.clone()?)))
        .collect();
    match kube.components.iter_mut().find(|x| x.kind == kind) {
        Some(existing) => {
            if existing.manifest.is_none() {
                existing.manifest = Some(manifest);
                if existing.env.is_empty() {
                    existing.env = env;
                }
            } else {
                existing
                    .notes
                    .push(format!("another static pod manifest also runs {}: {path}", kind.name()));
            }
        }
        None => kube.components.push(ComponentFact {
            kind,
            source: ComponentSource::StaticPod {
                manifest: path.to_string(),
                container: c.name.clone(),
            },
            args,
            env,
            manifest: Some(manifest),
            notes: vec![format!(
                "no {} process visible in /proc (not running, or this scan cannot see host processes: run with hostPID); flags read from the manifest",
                kind.name()
            )],
        }),
    }
}

fn proxy(fs: &FsRoot, kube: &mut KubeFacts) {
    let Some(p) = kube.component(ComponentKind::KubeProxy) else {
        return;
    };
    let flags = p.flags();
    let pid = match &p.source {
        ComponentSource::Process { pid, .. } => Some(*pid),
        _ => None,
    };
    let live = fs.root() == Path::new("/");
    // A path the process sees: through /proc/PID/root on a live host (kube-proxy usually runs in
    // a DaemonSet pod whose files are not on the host), else the host path.
    let process_view = |path: &str| match (live, pid) {
        (true, Some(pid)) => format!("/proc/{pid}/root{path}"),
        _ => path.to_string(),
    };
    if let Some(f) = flags.last("config") {
        let path = f.value.clone().unwrap_or_default();
        let read_at = process_view(&path);
        kube.proxy_config = Some(ConfigDoc {
            doc: read_doc(fs, &read_at),
            named_by: format!("`{}` of kube-proxy ({})", f.written, p.source.describe()),
            path: read_at,
        });
    }
    let named = match flags.last("kubeconfig") {
        Some(f) => Some((
            f.value.clone().unwrap_or_default(),
            format!("`{}`", f.written),
        )),
        None => kube
            .proxy_config
            .as_ref()
            .and_then(|c| c.doc.seen())
            .and_then(|d| config_path(d, "clientConnection.kubeconfig"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(|s| {
                (
                    s.to_string(),
                    "clientConnection.kubeconfig in its --config file".to_string(),
                )
            }),
    };
    if let Some((path, named_by)) = named {
        let on_host = matches!(
            fs.observe(&FileRequest::stat(&path)).observed,
            Observed::Seen(_)
        );
        kube.proxy_kubeconfig = Some(ProxyKubeconfig {
            host_path: on_host.then(|| path.clone()),
            path,
            named_by,
        });
    }
}

/// Keys whose values are key material in an EncryptionConfiguration.
const SECRET_KEYS: &[&str] = &["secret"];

fn redact(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if SECRET_KEYS.contains(&k.as_str()) {
                    *val = Value::String("<redacted>".into());
                } else {
                    redact(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

fn apiserver_configs(fs: &FsRoot, kube: &mut KubeFacts) {
    let Some(api) = kube.component(ComponentKind::KubeApiserver) else {
        return;
    };
    let flags = api.flags();
    let mut docs = BTreeMap::new();
    for (role, flag) in [
        ("encryption", "encryption-provider-config"),
        ("admission", "admission-control-config-file"),
        ("audit-policy", "audit-policy-file"),
        ("authentication", "authentication-config"),
        ("authorization", "authorization-config"),
    ] {
        let Some(f) = flags.last(flag) else { continue };
        let path = api.host_path(f.value.as_deref().unwrap_or(""));
        let mut doc = read_doc(fs, &path);
        if role == "encryption"
            && let Observed::Seen(v) = &mut doc
        {
            redact(v);
        }
        docs.insert(
            role.to_string(),
            ConfigDoc {
                path,
                named_by: format!("`{}` of kube-apiserver", f.written),
                doc,
            },
        );
    }
    // EventRateLimit's own configuration, when the admission config points at a file.
    if let Some(admission) = docs.get("admission")
        && let Some(doc) = admission.doc.seen()
    {
        let plugin = doc
            .get("plugins")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|p| p.get("name").and_then(Value::as_str) == Some("EventRateLimit"));
        if let Some(rel) = plugin.and_then(|p| p.get("path")).and_then(Value::as_str) {
            let path = if rel.starts_with('/') {
                api.host_path(rel)
            } else {
                let base = Path::new(&admission.path)
                    .parent()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                format!("{base}/{rel}")
            };
            let doc = read_doc(fs, &path);
            docs.insert(
                "event-rate-limit".into(),
                ConfigDoc {
                    path,
                    named_by: format!("EventRateLimit path in {}", admission.path),
                    doc,
                },
            );
        }
    }
    kube.apiserver_configs = docs;
}

fn image_tag(image: &str) -> Option<String> {
    let without_digest = image.split('@').next().unwrap_or(image);
    let (_, tag) = without_digest.rsplit_once(':')?;
    (!tag.contains('/') && tag.starts_with('v')).then(|| tag.to_string())
}

pub(crate) fn version(kube: &KubeFacts, opts: &KubeOptions) -> VersionFact {
    let mut seen: Vec<(String, String)> = Vec::new();
    if let Some(Observed::Seen(cluster)) = &kube.cluster {
        for o in &cluster.objects {
            if o.get("kind").and_then(Value::as_str) == Some("ServerVersion")
                && let Some(v) = o.get("gitVersion").and_then(Value::as_str)
            {
                let at = if cluster.dir.starts_with("http") {
                    format!("API server /version at {}", cluster.dir)
                } else {
                    format!("API server /version in the cluster dump {}", cluster.dir)
                };
                seen.push((v.to_string(), at));
            }
        }
        for node in cluster.of_kind("Node") {
            if let Some(v) = node
                .pointer("/status/nodeInfo/kubeletVersion")
                .and_then(Value::as_str)
            {
                let name = node
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or("?");
                seen.push((
                    v.to_string(),
                    format!("kubelet version of node {name} in the cluster dump"),
                ));
            }
        }
    }
    for kind in [
        ComponentKind::KubeApiserver,
        ComponentKind::KubeControllerManager,
        ComponentKind::KubeScheduler,
        ComponentKind::KubeProxy,
    ] {
        if let Some(c) = kube.component(kind)
            && let Some(m) = &c.manifest
            && let Some(tag) = m.image.as_deref().and_then(image_tag)
        {
            seen.push((
                tag,
                format!("image {} in {}", m.image.as_deref().unwrap_or(""), m.path),
            ));
        }
    }
    let other = |skip: usize| -> Vec<String> {
        seen.iter()
            .skip(skip)
            .map(|(v, s)| format!("{v} ({s})"))
            .collect()
    };
    if let Some(v) = &opts.k8s_version {
        return VersionFact {
            version: Some(v.clone()),
            source: "--k8s-version".into(),
            other: other(0),
        };
    }
    match seen.first() {
        Some((v, source)) => VersionFact {
            version: Some(v.clone()),
            source: source.clone(),
            other: other(1),
        },
        None => VersionFact {
            version: None,
            source: "unknown: no cluster dump version, no static pod image tag; pass --k8s-version"
                .into(),
            other: vec![],
        },
    }
}

/// Host files the Kubernetes checks read (stat only: kubeconfigs and keys are never read),
/// with every parent directory, and the PKI and CNI trees walked as far as seen so far.
pub fn wanted_files(facts: &Facts) -> Vec<FileRequest> {
    let kube = &facts.kube;
    if !kube.any_component() {
        return vec![];
    }
    let mut stat: Vec<String> = Vec::new();
    let mut list: Vec<String> = Vec::new();
    for c in &kube.components {
        if let Some(m) = &c.manifest {
            stat.push(m.path.clone());
        }
    }
    for p in crate::facts::kube::named_files(kube) {
        stat.push(p);
    }
    if kube.has_control_plane() {
        stat.extend(ADMIN_KUBECONFIGS.iter().map(|s| s.to_string()));
        list.push(PKI_DIR.to_string());
    }
    list.extend(crate::facts::kube::CNI_DIRS.iter().map(|s| s.to_string()));
    // Walk listed trees one level per collection round.
    let mut walked = Vec::new();
    for root in &list {
        walk(facts, root, &mut walked, 0);
    }
    list.extend(walked);
    let mut out: Vec<FileRequest> = Vec::new();
    let mut parents: Vec<String> = Vec::new();
    for p in stat.iter().chain(list.iter()) {
        let mut cur = Path::new(p).parent();
        while let Some(d) = cur {
            let s = d.display().to_string();
            if s.is_empty() {
                break;
            }
            parents.push(s);
            cur = d.parent();
        }
    }
    out.extend(stat.into_iter().map(FileRequest::stat));
    out.extend(list.into_iter().map(FileRequest::list));
    out.extend(parents.into_iter().map(FileRequest::stat));
    out
}

fn walk(facts: &Facts, dir: &str, out: &mut Vec<String>, depth: usize) {
    if depth > 3 {
        return;
    }
    let Observed::Seen(stat) = facts.host.file(dir) else {
        return;
    };
    for e in stat.entries.iter().flatten() {
        let child = format!("{}/{e}", dir.trim_end_matches('/'));
        out.push(child.clone());
        walk(facts, &child, out, depth + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_tags_give_versions() {
        assert_eq!(
            image_tag("registry.k8s.io/kube-apiserver:v1.33.1").as_deref(),
            Some("v1.33.1")
        );
        assert_eq!(image_tag("localhost:5000/kube-apiserver"), None);
        assert_eq!(image_tag("registry.k8s.io/kube-apiserver@sha256:abc"), None);
    }

    #[test]
    fn encryption_secrets_are_redacted() {
        let mut v: Value = serde_json::json!({"resources":[{"providers":[{"aescbc":{"keys":[{"name":"k","secret":"c2VjcmV0"}]}}]}]});
        redact(&mut v);
        assert!(!v.to_string().contains("c2VjcmV0"));
    }
}
