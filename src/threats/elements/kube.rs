//! Kubernetes elements: the node's components as `facts.kube` found them (processes, static pod
//! manifests, the kubelet's unit and config file), the flows between them with the flags that
//! protect each, their stores (etcd's data directory, Secrets, kubeconfigs), and from a cluster
//! dump (`--cluster-dump`) the namespaces with their workloads and service accounts.
//!
//! Boundaries: the cluster (inside the network) holds this host when a component runs here
//! (the host is then a Kubernetes node), the control plane (inside the host when its
//! components run here) and one boundary per namespace.
//!
//! Per-object checks over the dump list only what they flag (see [`Unlisted`]); elements carry
//! references to the pods, service accounts, bindings and roles that are theirs, named exactly
//! as the checks name their objects, so that each instance takes its own verdict.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::*;
use crate::checks::kube::policies::{self, SYSTEM_NAMESPACES};
use crate::facts::Observed;
use crate::facts::kube::{
    ADMIN_KUBECONFIGS, ClusterFacts, ComponentFact, ComponentKind, Flags, KubeFacts,
};

/// Every element kind this source owns.
const KUBE_KINDS: &[ElementKind] = &[
    ElementKind::Kubectl,
    ElementKind::KubeApiFlow,
    ElementKind::KubeApiserver,
    ElementKind::Etcd,
    ElementKind::EtcdServer,
    ElementKind::EtcdFlow,
    ElementKind::KubeSecrets,
    ElementKind::Kubeconfig,
    ElementKind::KubeScheduler,
    ElementKind::KubeControllerManager,
    ElementKind::Kubelet,
    ElementKind::KubeletFlow,
    ElementKind::KubeProxy,
    ElementKind::KubeProxyKubeconfig,
    ElementKind::StoreAccess,
    ElementKind::Pod,
    ElementKind::PodNetwork,
    ElementKind::NamespaceWorkloads,
    ElementKind::ServiceAccount,
];

/// The kinds only a cluster dump shows.
const DUMP_KINDS: &[ElementKind] = &[
    ElementKind::Pod,
    ElementKind::NamespaceWorkloads,
    ElementKind::ServiceAccount,
];

const DUMP_HINT: &str = "pass --kube-api (read-only lists from the API server), or --cluster-dump DIR with `kubectl get <resources> -A -o json` dumps (the README names them)";

/// Kubernetes from `facts.kube`; from host processes alone for facts bundles collected without
/// Kubernetes facts.
pub(super) fn kubernetes_elements(d: &Discovery, m: &mut SystemModel) {
    let kube = &d.facts.kube;
    if kube.searched.is_empty() && !kube.any_component() && kube.cluster.is_none() {
        from_processes_only(d, m);
        return;
    }
    let proc_unreadable = kube
        .searched
        .iter()
        .find(|s| s.starts_with("/proc (unreadable"))
        .cloned();
    if !kube.any_component() && kube.cluster.is_none() {
        let looked = kube.searched.join(", ");
        match proc_unreadable {
            Some(p) => m.absent(
                KUBE_KINDS,
                true,
                &format!(
                    "no Kubernetes component found in the files looked at ({looked}), and processes could not be read: {p}"
                ),
            ),
            None => m.absent(
                KUBE_KINDS,
                false,
                &format!(
                    "component not present: no Kubernetes component on this host (looked in {looked}) and no cluster dump (--cluster-dump)"
                ),
            ),
        }
        return;
    }
    m.boundary(
        CLUSTER,
        BoundaryKind::Cluster,
        "Kubernetes cluster",
        Some(NETWORK),
    );
    if kube.any_component() {
        // This host runs cluster components: it is a node, inside the cluster.
        if let Some(h) = m.boundaries.iter_mut().find(|b| b.id == HOST) {
            h.parent = Some(CLUSTER.into());
            if !h.label.contains("Kubernetes node") {
                h.label.push_str(" (Kubernetes node)");
            }
        }
        node_components(d, m, proc_unreadable.as_deref());
    } else {
        let node_kinds: Vec<ElementKind> = KUBE_KINDS
            .iter()
            .copied()
            .filter(|k| !DUMP_KINDS.contains(k))
            .collect();
        m.absent(
            &node_kinds,
            false,
            &format!(
                "component not present on this host: no Kubernetes node component found (looked in {}); cluster objects come from the dump",
                kube.searched.join(", ")
            ),
        );
    }
    match &kube.cluster {
        Some(Observed::Seen(c)) => cluster_objects(c, m),
        Some(Observed::Unavailable(u)) => {
            m.gaps.push(format!(
                "the cluster objects could not be read: {}",
                u.reason
            ));
            m.absent(
                DUMP_KINDS,
                true,
                &format!("the cluster objects could not be read: {}", u.reason),
            );
        }
        None => {
            m.gaps.push(format!(
                "Kubernetes cluster objects (namespaces, workloads, service accounts, RBAC bindings) not visible: {DUMP_HINT}"
            ));
            m.absent(
                DUMP_KINDS,
                true,
                &format!("workloads, namespaces and service accounts are not visible: {DUMP_HINT}"),
            );
        }
    }
    m.absent(
        KUBE_KINDS,
        false,
        "component not present on this node (see the model)",
    );
}

// ---- Node components --------------------------------------------------------------------------

/// A flag as evidence: how it was written, or that it is not set and what that means.
fn flag_text(c: &ComponentFact, flags: &Flags, name: &str, unset: &str) -> String {
    match flags.written(name) {
        Some(w) => format!("`{w}`"),
        None if c.is_wrapped() => {
            format!("--{name} not passed (the wrapper applies its own value)")
        }
        None => format!("--{name} not set ({unset})"),
    }
}

/// Boundaries containing `b`, innermost first (`b` included).
fn chain(m: &SystemModel, b: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = Some(b.to_string());
    while let Some(id) = cur {
        if out.contains(&id) {
            break;
        }
        cur = m
            .boundaries
            .iter()
            .find(|x| x.id == id)
            .and_then(|x| x.parent.clone());
        out.push(id);
    }
    out
}

/// The trust boundaries a flow between two boundaries crosses (left on one side or entered on
/// the other), innermost first.
fn crossing(m: &SystemModel, from: &str, to: &str) -> Vec<String> {
    let a = chain(m, from);
    let b = chain(m, to);
    a.iter()
        .filter(|x| !b.contains(x))
        .chain(b.iter().filter(|x| !a.contains(x)))
        .cloned()
        .collect()
}

/// The boundary of an element, or where it would be when it is not on this host: `default`
/// when that boundary exists here (the control plane on a control-plane node), else the cluster.
fn boundary_of<'a>(m: &'a SystemModel, id: &str, default: &'a str) -> &'a str {
    match m.element(id) {
        Some(e) => &e.boundary,
        None if m.boundaries.iter().any(|b| b.id == default) => default,
        None => CLUSTER,
    }
}

/// A flow element from the element `from` to `to` (which may be off this host), crossing what
/// lies between their boundaries.
fn flow(
    m: &SystemModel,
    id: &str,
    kind: ElementKind,
    label: &str,
    from: (&str, &str),
    to: (&str, &str),
) -> Element {
    let fb = boundary_of(m, from.0, from.1).to_string();
    let tb = boundary_of(m, to.0, to.1).to_string();
    let crosses = crossing(m, &fb, &tb);
    let refs: Vec<&str> = crosses.iter().map(String::as_str).collect();
    Element::new(id, kind, label)
        .flow(from.0, to.0, &refs)
        .in_boundary(&fb)
}

/// A local read/write edge between a process and its store (no threats of its own).
fn store_access(m: &mut SystemModel, from: &str, to: &str, label: &str) {
    let e = flow(
        m,
        &format!("flow:{}->{to}", short(from)),
        ElementKind::StoreAccess,
        label,
        (from, HOST),
        (to, HOST),
    );
    m.add(e);
}

/// `process:kube-apiserver` → `kube-apiserver`, for flow ids (`flow:etcd->store:etcd`).
fn short(id: &str) -> &str {
    id.split_once(':').map(|(_, rest)| rest).unwrap_or(id)
}

/// A file's mode and owner as the host facts saw it, for a store's properties.
fn file_props(d: &Discovery, e: Element, path: &str) -> Element {
    let host = &d.facts.host;
    match host.file(path) {
        Observed::Seen(s) => e.prop(
            "file",
            format!("{path} {} {}", s.mode_octal(), host.owner_text(s)),
        ),
        Observed::Unavailable(u) => e.prop("file", format!("{path}: {}", u.reason)),
    }
}

/// A kubeconfig store, and the edge from the process that reads it.
fn kubeconfig(
    d: &Discovery,
    m: &mut SystemModel,
    path: &str,
    named_by: &str,
    reader: &str,
    boundary: &str,
) {
    let file = path.rsplit('/').next().unwrap_or(path);
    let id = format!("store:kubeconfig:{file}");
    let e = Element::new(&id, ElementKind::Kubeconfig, format!("kubeconfig {file}"))
        .in_boundary(boundary)
        .prop("named_by", named_by);
    m.add(as_file(file_props(d, e, path), path));
    store_access(m, reader, &id, &format!("reads its credential from {file}"));
}

/// A store that is one host file: file checks judging several files (admin.conf and
/// super-admin.conf, say) give it its own file's verdict, and skip it when they judge others.
fn as_file(mut e: Element, path: &str) -> Element {
    e.objects.push(object_ref("file", path));
    e.unlisted.push(unlisted(
        "file",
        Verdict::Skip,
        format!("the check examines other files, not {path}"),
    ));
    e
}

/// Providers configured for Secrets in an EncryptionConfiguration, in order.
fn secret_providers(doc: &Value) -> Vec<String> {
    doc.get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| {
            r.get("resources")
                .and_then(Value::as_array)
                .is_some_and(|l| l.iter().any(|x| x == "secrets" || x == "*.*"))
        })
        .flat_map(|r| {
            r.get("providers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .filter_map(|p| p.as_object()?.keys().next().cloned())
        .collect()
}

fn component_element(c: &ComponentFact, id: &str, kind: ElementKind, boundary: &str) -> Element {
    let mut e = Element::new(id, kind, c.kind.name())
        .in_boundary(boundary)
        .prop("source", c.source.describe());
    if let Some(image) = c.manifest.as_ref().and_then(|mf| mf.image.clone()) {
        e = e.prop("image", image);
    }
    if !c.notes.is_empty() {
        e = e.prop("notes", c.notes.join("; "));
    }
    e
}

fn node_components(d: &Discovery, m: &mut SystemModel, proc_unreadable: Option<&str>) {
    let kube = &d.facts.kube;
    if kube.has_control_plane() {
        m.boundary(
            CONTROL_PLANE,
            BoundaryKind::ControlPlane,
            "control plane (on this node)",
            Some(HOST),
        );
    }
    let apiserver = kube.component(ComponentKind::KubeApiserver);
    if let Some(c) = apiserver {
        apiserver_elements(d, m, c);
    }
    etcd_elements(d, m, kube, apiserver);
    for (kind, ek) in [
        (ComponentKind::KubeScheduler, ElementKind::KubeScheduler),
        (
            ComponentKind::KubeControllerManager,
            ElementKind::KubeControllerManager,
        ),
    ] {
        let Some(c) = kube.component(kind) else {
            continue;
        };
        let id = format!("process:{}", kind.name());
        let flags = c.flags();
        let e = component_element(c, &id, ek, CONTROL_PLANE)
            .prop(
                "bind_address",
                flag_text(c, &flags, "bind-address", "default 0.0.0.0"),
            )
            .prop(
                "profiling",
                flag_text(c, &flags, "profiling", "default true"),
            );
        m.add(e);
        if let Some(f) = kube.kubeconfig_file(kind) {
            kubeconfig(d, m, &f.path, &f.named_by, &id, CONTROL_PLANE);
        }
    }
    if let Some(c) = kube.component(ComponentKind::Kubelet) {
        kubelet_elements(d, m, c, apiserver);
    }
    match kube.component(ComponentKind::KubeProxy) {
        Some(c) => proxy_elements(d, m, c),
        None => {
            let (unknown, reason) = match proc_unreadable {
                Some(p) => (
                    true,
                    format!("kube-proxy not found, and processes could not be read ({p})"),
                ),
                None => (
                    false,
                    "component not present: kube-proxy does not run on this node as a process (kubeadm runs it as a DaemonSet pod, visible in /proc only with hostPID; its kubeconfig is then in ConfigMap kube-system/kube-proxy)".to_string(),
                ),
            };
            m.absent(
                &[ElementKind::KubeProxy, ElementKind::KubeProxyKubeconfig],
                unknown,
                &reason,
            );
        }
    }
}

fn apiserver_elements(d: &Discovery, m: &mut SystemModel, c: &ComponentFact) {
    let kube = &d.facts.kube;
    let flags = c.flags();
    let f = |name: &str, unset: &str| flag_text(c, &flags, name, unset);
    m.add(
        component_element(
            c,
            "process:kube-apiserver",
            ElementKind::KubeApiserver,
            CONTROL_PLANE,
        )
        .prop(
            "authorization_mode",
            f(
                "authorization-mode",
                "default AlwaysAllow unless --authorization-config",
            ),
        )
        .prop(
            "admission_plugins",
            f("enable-admission-plugins", "the default set only"),
        )
        .prop("audit_log", f("audit-log-path", "no audit log")),
    );

    // Clients outside the cluster, and the API they call.
    m.add(
        Element::new(
            "ee:kubectl",
            ElementKind::Kubectl,
            "kubectl and API clients",
        )
        .in_boundary(NETWORK),
    );
    let port = flags.value("secure-port").unwrap_or_else(|| "6443".into());
    let api = flow(
        m,
        "flow:kubectl->kube-apiserver",
        ElementKind::KubeApiFlow,
        &format!("Kubernetes API (HTTPS {port})"),
        ("ee:kubectl", NETWORK),
        ("process:kube-apiserver", CONTROL_PLANE),
    )
    .prop(
        "serving_certificate",
        f(
            "tls-cert-file",
            "a self-signed certificate is generated at start",
        ),
    )
    .prop(
        "client_certificates",
        f("client-ca-file", "client certificates are not verified"),
    )
    .prop("anonymous_auth", f("anonymous-auth", "default true"))
    .prop("token_auth_file", f("token-auth-file", "none"));
    m.add(api);
    for path in ADMIN_KUBECONFIGS {
        if matches!(d.facts.host.file(path), Observed::Seen(_)) {
            kubeconfig(
                d,
                m,
                path,
                "kubeadm's administrator kubeconfig",
                "ee:kubectl",
                CONTROL_PLANE,
            );
        }
    }

    // Secrets, kept in etcd through the API server.
    let mut at_rest = f(
        "encryption-provider-config",
        "Secrets are stored unencrypted (base64) in etcd",
    );
    if let Some(doc) = kube.apiserver_configs.get("encryption") {
        match &doc.doc {
            Observed::Seen(v) => {
                let providers = secret_providers(v);
                if !providers.is_empty() {
                    at_rest.push_str(&format!(
                        "; providers for secrets, first is used: {}",
                        providers.join(", ")
                    ));
                }
            }
            Observed::Unavailable(u) => at_rest.push_str(&format!("; {}", u.reason)),
        }
    }
    m.add(
        Element::new(
            "store:kube-secrets",
            ElementKind::KubeSecrets,
            "Kubernetes Secrets (kept in etcd)",
        )
        .in_boundary(CONTROL_PLANE)
        .prop("encryption_at_rest", at_rest),
    );
    store_access(
        m,
        "process:kube-apiserver",
        "store:kube-secrets",
        "reads and writes Secrets",
    );
}

fn etcd_elements(
    d: &Discovery,
    m: &mut SystemModel,
    kube: &KubeFacts,
    apiserver: Option<&ComponentFact>,
) {
    let etcd = kube.component(ComponentKind::Etcd);
    let servers = apiserver.and_then(|c| c.flags().value("etcd-servers"));
    match etcd {
        Some(c) => {
            let flags = c.flags();
            let f = |name: &str, unset: &str| flag_text(c, &flags, name, unset);
            m.add(
                component_element(c, "process:etcd", ElementKind::EtcdServer, CONTROL_PLANE)
                    .prop(
                        "client_cert_auth",
                        f("client-cert-auth", "default false: any client is accepted"),
                    )
                    .prop(
                        "listen_client_urls",
                        f("listen-client-urls", "default http://localhost:2379"),
                    )
                    .prop(
                        "peer_client_cert_auth",
                        f("peer-client-cert-auth", "default false"),
                    ),
            );
            let mut store = Element::new(
                "store:etcd",
                ElementKind::Etcd,
                "etcd data (cluster state and Secrets)",
            )
            .in_boundary(CONTROL_PLANE);
            if let Some(dir) = kube.etcd_data_dir() {
                store = file_props(d, store.prop("data_dir_named_by", dir.named_by), &dir.path);
            }
            m.add(store);
            store_access(m, "process:etcd", "store:etcd", "writes its data directory");
        }
        None if servers.is_some() => {
            // External etcd: the API server names it; its flags and files are not visible.
            let servers = servers.unwrap_or_default();
            m.add(
                Element::new("process:etcd", ElementKind::EtcdServer, "etcd (external)")
                    .in_boundary(CLUSTER)
                    .prop(
                        "location",
                        format!("not on this node: the API server uses --etcd-servers={servers}"),
                    ),
            );
            m.add(
                Element::new(
                    "store:etcd",
                    ElementKind::Etcd,
                    "etcd data (cluster state and Secrets)",
                )
                .in_boundary(CLUSTER)
                .prop("location", "on the external etcd hosts (not visible here)"),
            );
            store_access(m, "process:etcd", "store:etcd", "writes its data directory");
        }
        None => {}
    }
    if let Some(c) = apiserver {
        let flags = c.flags();
        let f = |name: &str, unset: &str| flag_text(c, &flags, name, unset);
        let e = flow(
            m,
            "flow:kube-apiserver->etcd",
            ElementKind::EtcdFlow,
            "API server to etcd (2379) and etcd peers (2380)",
            ("process:kube-apiserver", CONTROL_PLANE),
            ("process:etcd", CLUSTER),
        )
        .prop("etcd_servers", f("etcd-servers", "none"))
        .prop(
            "client_certificate",
            f(
                "etcd-certfile",
                "the API server presents no client certificate to etcd",
            ),
        )
        .prop(
            "etcd_ca",
            f("etcd-cafile", "etcd's serving certificate is not verified"),
        );
        m.add(e);
    }
}

fn kubelet_elements(
    d: &Discovery,
    m: &mut SystemModel,
    c: &ComponentFact,
    apiserver: Option<&ComponentFact>,
) {
    let kube = &d.facts.kube;
    let mut e = component_element(c, "process:kubelet", ElementKind::Kubelet, HOST);
    if let Some(cfg) = &kube.kubelet_config {
        e = e.prop(
            "config",
            match &cfg.doc {
                Observed::Seen(_) => format!("{} ({})", cfg.path, cfg.named_by),
                Observed::Unavailable(u) => format!("{}: {}", cfg.path, u.reason),
            },
        );
    }
    m.add(e);
    if let Some(f) = kube.kubeconfig_file(ComponentKind::Kubelet) {
        kubeconfig(d, m, &f.path, &f.named_by, "process:kubelet", HOST);
    }
    let mut flow_e = flow(
        m,
        "flow:kube-apiserver->kubelet",
        ElementKind::KubeletFlow,
        "API server to kubelet (10250): exec, logs, port-forward",
        ("process:kube-apiserver", CONTROL_PLANE),
        ("process:kubelet", HOST),
    );
    if apiserver.is_none() {
        // The API server is elsewhere: the flow enters this node from the cluster.
        flow_e = Element::new(
            "flow:kube-apiserver->kubelet",
            ElementKind::KubeletFlow,
            "API server to kubelet (10250): exec, logs, port-forward",
        )
        .flow("process:kube-apiserver", "process:kubelet", &[HOST])
        .in_boundary(CLUSTER);
    }
    if let Some(a) = apiserver {
        let flags = a.flags();
        flow_e = flow_e
            .prop(
                "kubelet_ca",
                flag_text(
                    a,
                    &flags,
                    "kubelet-certificate-authority",
                    "kubelet serving certificates are not verified",
                ),
            )
            .prop(
                "client_certificate",
                flag_text(
                    a,
                    &flags,
                    "kubelet-client-certificate",
                    "the API server presents no client certificate to kubelets",
                ),
            );
    }
    m.add(flow_e);
    m.add(
        Element::new(
            "flow:pod-network",
            ElementKind::PodNetwork,
            "pod-to-pod network (CNI)",
        )
        .flow("process:kubelet", "process:kubelet", &[])
        .in_boundary(CLUSTER),
    );
}

fn proxy_elements(d: &Discovery, m: &mut SystemModel, c: &ComponentFact) {
    let kube = &d.facts.kube;
    m.add(component_element(
        c,
        "process:kube-proxy",
        ElementKind::KubeProxy,
        HOST,
    ));
    let mut store = Element::new(
        "store:kube-proxy-kubeconfig",
        ElementKind::KubeProxyKubeconfig,
        "kube-proxy kubeconfig",
    );
    match &kube.proxy_kubeconfig {
        Some(k) => {
            store = store.prop("path", format!("{} ({})", k.path, k.named_by));
            store = match &k.host_path {
                Some(host) => as_file(file_props(d, store, host), host),
                None => store.prop(
                    "file",
                    "not a file on this host (mounted from a ConfigMap into the kube-proxy pod)",
                ),
            };
        }
        None => store = store.prop("path", "not named by kube-proxy's flags or config file"),
    }
    m.add(store);
    store_access(
        m,
        "process:kube-proxy",
        "store:kube-proxy-kubeconfig",
        "reads its credential",
    );
    let mut api = flow(
        m,
        "flow:kube-proxy->kube-apiserver",
        ElementKind::KubeApiFlow,
        "kube-proxy watches Services and Endpoints",
        ("process:kube-proxy", HOST),
        ("process:kube-apiserver", CONTROL_PLANE),
    );
    if api.crosses.is_empty() {
        api.crosses = vec![HOST.into()];
    }
    if let Some(k) = &kube.proxy_kubeconfig {
        api = api.prop("kubeconfig", k.path.clone());
    }
    m.add(api);
}

// ---- Cluster objects --------------------------------------------------------------------------

fn s<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

fn ns_boundary(ns: &str) -> String {
    format!("namespace:{ns}")
}

/// The boundary of a namespace, made when an element first goes in it (system namespaces with
/// nothing modelled get none).
fn namespace_boundary(m: &mut SystemModel, ns: &str) {
    m.boundary(
        &ns_boundary(ns),
        BoundaryKind::Namespace,
        &format!("namespace {ns}"),
        Some(CLUSTER),
    );
}

fn unlisted(kind: &'static str, verdict: Verdict, reason: String) -> Unlisted {
    Unlisted {
        kind,
        verdict,
        reason,
    }
}

fn object_ref(kind: &str, name: impl Into<String>) -> ObjectRef {
    ObjectRef {
        kind: kind.into(),
        name: name.into(),
        id: None,
    }
}

/// One workload element: what a person edits (a Deployment, a CronJob, a bare pod), with the
/// object name the per-pod checks report for it.
struct Workload<'a> {
    id: String,
    /// `deployment shop/web`: also the object name the per-pod checks report for it.
    label: String,
    namespace: &'a str,
    /// `3 pods`, `no pod running`.
    replicas: String,
    service_account: String,
    images: BTreeSet<String>,
    note: Option<String>,
    owner_not_dumped: Option<&'a str>,
}

fn workloads(c: &ClusterFacts) -> Vec<Workload<'_>> {
    policies::workloads(c)
        .into_iter()
        .map(|w| {
            let id = match w.kind.as_str() {
                "pod" => format!("pod:{}/{}", w.namespace, w.own_name),
                kind => format!("workload:{}/{kind}/{}", w.namespace, w.own_name),
            };
            let spec = w.spec().unwrap_or(&Value::Null);
            let mut images = BTreeSet::new();
            for o in w.judged_objects() {
                let spec = policies::template_spec(o).unwrap_or(&Value::Null);
                for k in ["containers", "initContainers", "ephemeralContainers"] {
                    for ctr in spec.get(k).and_then(Value::as_array).into_iter().flatten() {
                        let image = s(ctr, "/image");
                        if !image.is_empty() {
                            images.insert(image.to_string());
                        }
                    }
                }
            }
            Workload {
                id,
                replicas: w.replicas(),
                label: w.name,
                namespace: w.namespace,
                service_account: crate::checks::evaluators::kube_workload::service_account_name(
                    spec,
                )
                .to_string(),
                images,
                note: w.note,
                owner_not_dumped: w.owner_not_dumped,
            }
        })
        .collect()
}

/// The first `n` names and how many more (`a, b and 3 more`).
fn first_of(names: &[&str], n: usize) -> String {
    let shown = names.iter().take(n).copied().collect::<Vec<_>>().join(", ");
    match names.len().saturating_sub(n) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// `ns/name` of every ServiceAccount subject of a binding.
fn sa_subjects(b: &Value) -> Vec<(String, String)> {
    b.get("subjects")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|sub| s(sub, "/kind") == "ServiceAccount")
        .map(|sub| {
            let ns = match s(sub, "/namespace") {
                "" => s(b, "/metadata/namespace"),
                ns => ns,
            };
            (ns.to_string(), s(sub, "/name").to_string())
        })
        .collect()
}

fn cluster_objects(c: &ClusterFacts, m: &mut SystemModel) {
    let workloads = workloads(c);
    // Said once: owners of a kind the dump does not list (no `replicasets.json`) name the
    // workloads their pods are grouped under.
    let undumped: BTreeSet<&str> = workloads
        .iter()
        .filter_map(|w| w.owner_not_dumped)
        .collect();
    if !undumped.is_empty() {
        let kinds: Vec<&str> = undumped.into_iter().collect();
        m.gaps.push(format!(
            "the cluster dump {} lists no {}: pods are grouped under the owner their ownerReferences name, not followed further (add `kubectl get replicasets,deployments,jobs,cronjobs -A -o json`)",
            c.dir,
            kinds.join(", ")
        ));
    }
    let mut in_namespace: HashMap<&str, Vec<&Workload>> = HashMap::new();
    let mut users_of: HashMap<(&str, &str), Vec<&str>> = HashMap::new();
    for w in &workloads {
        in_namespace.entry(w.namespace).or_default().push(w);
        users_of
            .entry((w.namespace, w.service_account.as_str()))
            .or_default()
            .push(w.label.as_str());
    }
    let bindings: Vec<&Value> = policies::bindings(c).collect();
    let mut bindings_of: BTreeMap<(String, String), Vec<&Value>> = BTreeMap::new();
    for b in &bindings {
        for sa in sa_subjects(b) {
            bindings_of.entry(sa).or_default().push(b);
        }
    }

    // Namespaces: those the dump lists, and those its objects live in.
    let mut namespaces: BTreeSet<&str> = c
        .of_kind("Namespace")
        .map(|n| s(n, "/metadata/name"))
        .filter(|n| !n.is_empty())
        .collect();
    namespaces.extend(workloads.iter().map(|w| w.namespace));
    namespaces.extend(
        c.of_kind("ServiceAccount")
            .map(|sa| s(sa, "/metadata/namespace")),
    );
    namespaces.remove("");

    // Workloads.
    for w in &workloads {
        namespace_boundary(m, w.namespace);
        let system = policies::is_system_ns(w.namespace);
        let mut e = Element::new(&w.id, ElementKind::Pod, &w.label)
            .in_boundary(&ns_boundary(w.namespace))
            .prop("service_account", w.service_account.clone())
            .prop("pods", w.replicas.clone());
        let images: Vec<&str> = w.images.iter().map(String::as_str).take(5).collect();
        if !images.is_empty() {
            e = e.prop("images", images.join(", "));
        }
        if let Some(note) = &w.note {
            e = e.prop("owner", note.clone());
        }
        e.objects = vec![object_ref("pod", w.label.clone())];
        e.objects.push(object_ref(
            "serviceaccount",
            format!("{}/{}", w.namespace, w.service_account),
        ));
        e.objects.push(object_ref("namespace", w.namespace));
        e.unlisted = vec![
            unlisted(
                "pod",
                Verdict::Pass,
                format!("{} is not among the pods this check flags", w.label),
            ),
            unlisted(
                "serviceaccount",
                Verdict::Pass,
                format!(
                    "its service account {}/{} is not among those this check flags",
                    w.namespace, w.service_account
                ),
            ),
            if system {
                unlisted(
                    "namespace",
                    Verdict::Skip,
                    format!("system namespace {}: the check exempts it", w.namespace),
                )
            } else {
                unlisted(
                    "namespace",
                    Verdict::Error,
                    format!(
                        "namespace {} was not among those this check evaluated",
                        w.namespace
                    ),
                )
            },
        ];
        m.add(e);
    }

    // Service accounts of the user namespaces: ServiceAccount objects, binding subjects and
    // the accounts pods run as.
    let mut accounts: BTreeSet<(String, String)> = c
        .of_kind("ServiceAccount")
        .map(|sa| {
            (
                s(sa, "/metadata/namespace").to_string(),
                s(sa, "/metadata/name").to_string(),
            )
        })
        .collect();
    accounts.extend(bindings_of.keys().cloned());
    accounts.extend(
        workloads
            .iter()
            .map(|w| (w.namespace.to_string(), w.service_account.clone())),
    );
    let mut system_accounts = 0;
    for (ns, name) in accounts {
        if ns.is_empty() || name.is_empty() {
            continue;
        }
        if policies::is_system_ns(&ns) {
            system_accounts += 1;
            continue;
        }
        // (A binding may name an account in a namespace the dump does not show.)
        namespace_boundary(m, &ns);
        let qualified = format!("{ns}/{name}");
        let mut e = Element::new(
            format!("sa:{qualified}"),
            ElementKind::ServiceAccount,
            format!("service account {qualified}"),
        )
        .in_boundary(&ns_boundary(&ns));
        e.objects.push(object_ref("serviceaccount", &qualified));
        let mut grants = Vec::new();
        let key = (ns.clone(), name.clone());
        for b in bindings_of.get(&key).into_iter().flatten() {
            let bkind = s(b, "/kind");
            e.objects.push(object_ref(
                policies::object_kind(bkind),
                policies::qualified(b),
            ));
            if let Some(role) = policies::role_of(c, b) {
                e.objects.push(object_ref(
                    policies::object_kind(s(role, "/kind")),
                    policies::qualified(role),
                ));
            }
            grants.push(format!(
                "{bkind} {} → {} {}",
                policies::qualified(b),
                s(b, "/roleRef/kind"),
                s(b, "/roleRef/name")
            ));
        }
        let users = users_of
            .get(&(ns.as_str(), name.as_str()))
            .map(Vec::as_slice)
            .unwrap_or_default();
        e = e
            .prop(
                "bindings",
                if grants.is_empty() {
                    "none".to_string()
                } else {
                    grants.join("; ")
                },
            )
            .prop(
                "used_by",
                if users.is_empty() {
                    "no workload in the dump".to_string()
                } else {
                    first_of(users, 10)
                },
            );
        let reason =
            format!("service account {qualified}: none of its bindings or roles is flagged");
        e.unlisted = ["clusterrolebinding", "rolebinding", "clusterrole", "role"]
            .into_iter()
            .map(|k| unlisted(k, Verdict::Pass, reason.clone()))
            .chain([unlisted(
                "serviceaccount",
                Verdict::Pass,
                format!("service account {qualified} is not among those this check flags"),
            )])
            .collect();
        m.add(e);
    }
    if system_accounts > 0 {
        m.gaps.push(format!(
            "{system_accounts} service accounts of the system namespaces ({}) are not modelled one by one: the RBAC checks exempt the control plane's own identities",
            SYSTEM_NAMESPACES.join(", ")
        ));
    }

    // The workloads of each user namespace, judged by the namespace-level policies.
    for ns in namespaces.iter().filter(|n| !policies::is_system_ns(n)) {
        namespace_boundary(m, ns);
        let mut e = Element::new(
            format!("namespace:{ns}"),
            ElementKind::NamespaceWorkloads,
            format!("workloads of namespace {ns}"),
        )
        .in_boundary(&ns_boundary(ns));
        let count = |kind: &str| c.in_namespace(kind, ns).count();
        let here = in_namespace.get(ns).map(Vec::as_slice).unwrap_or_default();
        e = e.prop("workloads", here.len().to_string()).prop(
            "limits",
            format!(
                "{} LimitRange, {} ResourceQuota",
                count("LimitRange"),
                count("ResourceQuota")
            ),
        );
        if let Some(n) = c.get("Namespace", "", ns) {
            let level = s(n, "/metadata/labels/pod-security.kubernetes.io~1enforce");
            e = e.prop(
                "pod_security",
                if level.is_empty() {
                    "no enforce label".to_string()
                } else {
                    format!("enforce={level}")
                },
            );
        }
        e.objects.push(object_ref("namespace", *ns));
        e.objects
            .extend(here.iter().map(|w| object_ref("pod", w.label.clone())));
        e.objects.extend(
            c.in_namespace("ServiceAccount", ns)
                .map(|sa| object_ref("serviceaccount", policies::qualified(sa))),
        );
        e.unlisted = vec![
            unlisted(
                "pod",
                Verdict::Pass,
                format!("no pod of namespace {ns} is among the pods this check flags"),
            ),
            unlisted(
                "serviceaccount",
                Verdict::Pass,
                format!("no service account of namespace {ns} is among those this check flags"),
            ),
        ];
        m.add(e);
    }

    // Why a dump kind has no element.
    let listed = |kinds: &[&str]| kinds.iter().any(|k| c.is_listed(k));
    let pod_kinds = [
        "Pod",
        "Deployment",
        "DaemonSet",
        "StatefulSet",
        "ReplicaSet",
        "Job",
        "CronJob",
    ];
    let why = |kinds: &[&str], none: &str, add: &str| -> (bool, String) {
        if listed(kinds) {
            (false, format!("{none} in the cluster dump {}", c.dir))
        } else {
            (
                true,
                format!(
                    "the cluster dump {} holds no {add}: add `kubectl get {add} -A -o json`",
                    c.dir
                ),
            )
        }
    };
    let (u, r) = why(&pod_kinds, "no pods or workloads", "pods");
    m.absent(&[ElementKind::Pod], u, &r);
    let (u, r) = why(
        &["Namespace"],
        "no namespace besides the system ones",
        "namespaces",
    );
    m.absent(&[ElementKind::NamespaceWorkloads], u, &r);
    let (u, r) = why(
        &["ServiceAccount", "ClusterRoleBinding", "RoleBinding"],
        "no service account outside the system namespaces",
        "serviceaccounts",
    );
    m.absent(&[ElementKind::ServiceAccount], u, &r);
}

// ---- Facts bundles without Kubernetes facts -----------------------------------------------------

const KUBE_PROCESSES: &[&str] = &[
    "kube-apiserver",
    "etcd",
    "kube-scheduler",
    "kube-controller-manager",
    "kubelet",
    "kube-proxy",
    "k3s",
    "k3s-server",
    "k3s-agent",
    "rke2",
];

/// Kubernetes components seen only as host processes: a facts bundle written without Kubernetes
/// facts. Their checks cannot be evaluated, so their threats stay unknown.
fn from_processes_only(d: &Discovery, m: &mut SystemModel) {
    let running = |name: &str| -> Result<bool, String> {
        d.facts
            .host
            .processes_named(name)
            .map(|p| !p.is_empty())
            .map_err(|u| u.reason)
    };
    let mut seen: Vec<&str> = Vec::new();
    for name in KUBE_PROCESSES {
        match running(name) {
            Ok(true) => seen.push(name),
            Ok(false) => {}
            Err(reason) => {
                m.absent(
                    KUBE_KINDS,
                    true,
                    &format!("host processes could not be read ({reason}), so Kubernetes components are not visible"),
                );
                return;
            }
        }
    }
    if seen.is_empty() {
        m.absent(
            KUBE_KINDS,
            false,
            "component not present: no Kubernetes process (kube-apiserver, etcd, kubelet, kube-proxy, k3s, rke2) runs on this host",
        );
        return;
    }
    let bundled_server = seen
        .iter()
        .any(|n| matches!(*n, "k3s" | "k3s-server" | "rke2"));
    let bundled_agent = bundled_server || seen.contains(&"k3s-agent");
    let has = |n: &str| seen.contains(&n);
    m.boundary(
        CLUSTER,
        BoundaryKind::Cluster,
        "Kubernetes cluster",
        Some(NETWORK),
    );
    let process = |id: &str, kind: ElementKind, name: &str, boundary: &str| -> Element {
        let e = Element::new(id, kind, name).in_boundary(boundary);
        match d.facts.host.processes_named(name).as_deref() {
            Ok([p]) => e.prop("command_line", p.command_line()),
            _ => e,
        }
    };
    if has("kube-apiserver") || bundled_server {
        m.add(process(
            "process:kube-apiserver",
            ElementKind::KubeApiserver,
            "kube-apiserver",
            CLUSTER,
        ));
        m.add(
            Element::new(
                "ee:kubectl",
                ElementKind::Kubectl,
                "kubectl and API clients",
            )
            .in_boundary(NETWORK),
        );
        m.add(
            Element::new(
                "flow:kubectl->kube-apiserver",
                ElementKind::KubeApiFlow,
                "Kubernetes API (HTTPS 6443)",
            )
            .flow("ee:kubectl", "process:kube-apiserver", &[CLUSTER])
            .in_boundary(NETWORK),
        );
        m.add(
            Element::new(
                "store:kube-secrets",
                ElementKind::KubeSecrets,
                "Kubernetes Secrets (kept in etcd)",
            )
            .in_boundary(CLUSTER),
        );
    }
    if has("etcd") || bundled_server {
        m.add(process(
            "process:etcd",
            ElementKind::EtcdServer,
            "etcd",
            CLUSTER,
        ));
        m.add(
            Element::new(
                "store:etcd",
                ElementKind::Etcd,
                "etcd data (cluster state and Secrets)",
            )
            .in_boundary(CLUSTER),
        );
        m.add(
            Element::new(
                "flow:kube-apiserver->etcd",
                ElementKind::EtcdFlow,
                "API server to etcd (2379) and etcd peers (2380)",
            )
            .flow("process:kube-apiserver", "process:etcd", &[])
            .in_boundary(CLUSTER),
        );
    }
    for (name, kind) in [
        ("kube-scheduler", ElementKind::KubeScheduler),
        (
            "kube-controller-manager",
            ElementKind::KubeControllerManager,
        ),
    ] {
        if has(name) || bundled_server {
            m.add(process(&format!("process:{name}"), kind, name, CLUSTER));
        }
    }
    if has("kubelet") || bundled_agent {
        m.add(process(
            "process:kubelet",
            ElementKind::Kubelet,
            "kubelet",
            HOST,
        ));
        m.add(
            Element::new(
                "flow:kube-apiserver->kubelet",
                ElementKind::KubeletFlow,
                "API server to kubelet (10250)",
            )
            .flow("process:kube-apiserver", "process:kubelet", &[HOST])
            .in_boundary(CLUSTER),
        );
        m.add(
            Element::new(
                "flow:pod-network",
                ElementKind::PodNetwork,
                "pod-to-pod network (CNI)",
            )
            .flow("process:kubelet", "process:kubelet", &[])
            .in_boundary(CLUSTER),
        );
    }
    if has("kube-proxy") || bundled_agent {
        m.add(process(
            "process:kube-proxy",
            ElementKind::KubeProxy,
            "kube-proxy",
            HOST,
        ));
        m.add(Element::new(
            "store:kube-proxy-kubeconfig",
            ElementKind::KubeProxyKubeconfig,
            "kube-proxy kubeconfig",
        ));
    }
    let why = "Kubernetes node facts were not collected (a facts bundle without them): components are seen as processes only and their checks cannot be evaluated";
    m.gaps.push(format!(
        "Kubernetes processes seen ({}), but {}",
        seen.join(", "),
        why.trim_start_matches("Kubernetes ")
    ));
    m.absent(DUMP_KINDS, true, &format!("not visible: {why}"));
    m.absent(
        KUBE_KINDS,
        false,
        "component not present: its process does not run on this host",
    );
}
