//! Kubernetes workload rules: CIS Kubernetes Benchmark v1.12 section 5.2 (pod security), 5.1.6,
//! 5.4.1 and 5.6, and the Pod Security Standards (baseline and restricted profiles), evaluated
//! over one object as JSON, the shape `kubectl get -o json` and a parsed manifest share.
//!
//! The entry point is [`evaluate`]: give it a Pod, any workload that holds a pod template
//! (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob,
//! PodTemplate, or a custom resource with `spec.template.spec.containers`), or a `List` of them,
//! and it returns findings with JSON pointers into that object. This is the one implementation
//! of these controls: `threatbench lint` turns the pointers into file positions, and the cluster
//! scan's section-5 checks ([`super::kube::policies`]) turn the findings of each pod of a
//! `--cluster-dump` into per-pod verdicts, so a privileged container is the same finding whether
//! it runs or is only written down.
//!
//! Semantics follow the kubelet and the container runtime: a container's `securityContext`
//! field overrides the pod's (`runAsUser`, `runAsNonRoot`, `seccompProfile`, `seLinuxOptions`,
//! `appArmorProfile`, `windowsOptions`); init and ephemeral containers are containers too; a
//! privileged container holds every capability whatever `capabilities.drop` says (the runtime
//! applies add and drop only to unprivileged containers); and a field that is unset takes the
//! default (escalation allowed, NET_RAW kept, no seccomp filter, root if the image says so),
//! which is why unset fails where the safe value must be explicit.
//!
//! A finding is marked for review ([`Finding::review`]) where the object alone does not show
//! the control broken: nothing says which user runs (the image's USER decides), no seccomp
//! profile is set (each kubelet's seccompDefault decides), a service-account token is mounted
//! (only a person knows whether the pod calls the API), or only NET_BIND_SERVICE is added (the
//! restricted profile allows it). Everything else the object shows outright.

use serde_json::Value;

use crate::checks::rule::{Finding, Rule, pointer_token};
use crate::checks::{Benchmark, Component, Doc, Severity};

const K8S: Benchmark = Benchmark::CisKubernetes112;

macro_rules! rule {
    ($name:ident, $slug:literal, $id:expr, $title:literal, $sev:ident,
     what: $what:literal, why: $why:literal, evidence: $ev:literal, fix: $fix:literal,
     refs: $refs:literal) => {
        rule!($name, $slug, $id, $title, $sev, component: KubeWorkload, what: $what, why: $why,
            evidence: $ev, fix: $fix, refs: $refs);
    };
    ($name:ident, $slug:literal, $id:expr, $title:literal, $sev:ident, component: $component:ident,
     what: $what:literal, why: $why:literal, evidence: $ev:literal, fix: $fix:literal,
     refs: $refs:literal) => {
        pub const $name: Rule = Rule {
            slug: $slug,
            ids: $id,
            title: $title,
            severity: Severity::$sev,
            component: Component::$component,
            doc: Doc {
                what: $what,
                why: $why,
                evidence: $ev,
                remediation: $fix,
                references: $refs,
            },
        };
    };
}

rule!(PRIVILEGED, "k8s-pod-privileged", &[(K8S, "5.2.2")], "No privileged containers", Critical,
    what: "No container, init container or ephemeral container sets `securityContext.privileged: true`.",
    why: "A privileged container has every capability and all host devices: root on the node, and from there every pod and secret on it.",
    evidence: "`securityContext.privileged` of each container.",
    fix: "Remove `privileged: true`; add only the capabilities the container needs.",
    refs: "Pod Security Standards: baseline (Privileged Containers).");
rule!(HOST_PID, "k8s-pod-host-pid", &[(K8S, "5.2.3")], "Host PID namespace not shared", High,
    what: "The pod does not set `hostPID: true`.",
    why: "In the node's PID namespace a container sees every process on the node, can signal them and read their environments.",
    evidence: "`spec.hostPID`.",
    fix: "Remove `hostPID: true`.",
    refs: "Pod Security Standards: baseline (Host Namespaces).");
rule!(HOST_IPC, "k8s-pod-host-ipc", &[(K8S, "5.2.4")], "Host IPC namespace not shared", Medium,
    what: "The pod does not set `hostIPC: true`.",
    why: "The node's IPC namespace exposes shared memory of host processes to the container.",
    evidence: "`spec.hostIPC`.",
    fix: "Remove `hostIPC: true`.",
    refs: "Pod Security Standards: baseline (Host Namespaces).");
rule!(HOST_NETWORK, "k8s-pod-host-network", &[(K8S, "5.2.5")], "Host network namespace not shared", High,
    what: "The pod does not set `hostNetwork: true`.",
    why: "On the node's network a pod bypasses network policies, can bind node ports and reach services listening on localhost (the kubelet, etcd).",
    evidence: "`spec.hostNetwork`.",
    fix: "Remove `hostNetwork: true`; expose the pod through a Service.",
    refs: "Pod Security Standards: baseline (Host Namespaces).");
rule!(PRIVILEGE_ESCALATION, "k8s-pod-privilege-escalation", &[(K8S, "5.2.6")], "allowPrivilegeEscalation off", Medium,
    what: "Every container sets `securityContext.allowPrivilegeEscalation: false`; unset means allowed, and fails too.",
    why: "With escalation allowed, a setuid binary or file capability lets a process gain more privileges than its parent (no_new_privs is not set).",
    evidence: "`securityContext.allowPrivilegeEscalation` of each container.",
    fix: "Set `securityContext.allowPrivilegeEscalation: false` on every container.",
    refs: "Pod Security Standards: restricted (Privilege Escalation).");
rule!(RUN_AS_ROOT, "k8s-pod-run-as-root", &[(K8S, "5.2.7")], "Containers do not run as root", High,
    what: "Each container runs as a non-root user: `runAsNonRoot: true` or `runAsUser` above 0, on the container or inherited from the pod. `runAsUser: 0` fails; nothing set leaves it to the image's USER, which the objects do not show, so a cluster scan asks for review.",
    why: "Root in a container is root on the node for every kernel bug or mount that escapes the container.",
    evidence: "`runAsNonRoot` and `runAsUser` of the container, else of the pod's `securityContext`.",
    fix: "Set `securityContext.runAsNonRoot: true` and a `runAsUser` above 0 (pod or container), and build the image with a non-root USER.",
    refs: "Pod Security Standards: restricted (Running as Non-root, Running as Non-root user).");
rule!(NET_RAW, "k8s-pod-net-raw", &[(K8S, "5.2.8")], "NET_RAW capability dropped", Medium,
    what: "Each container drops NET_RAW (or ALL), does not add it back, and is not privileged (a privileged container holds every capability whatever it drops).",
    why: "NET_RAW lets a container craft packets: ARP and DNS spoofing of its neighbours on the node.",
    evidence: "`securityContext.capabilities.drop` and `add`, and `privileged`, of each container; unset keeps NET_RAW (it is in containerd's and Docker's default set).",
    fix: "`securityContext.capabilities.drop: [\"ALL\"]` (or at least NET_RAW).",
    refs: "");
rule!(CAPABILITIES_ADDED, "k8s-pod-capabilities-added", &[(K8S, "5.2.9")], "No added capabilities", High,
    what: "No container adds Linux capabilities. Capabilities outside the Pod Security Standards baseline set (SYS_ADMIN, NET_ADMIN, ALL, ...) are high; baseline ones medium; NET_BIND_SERVICE, the only one the restricted profile allows, low and a review rather than a failure.",
    why: "Capabilities such as SYS_ADMIN, SYS_PTRACE or NET_ADMIN are the usual container-escape paths.",
    evidence: "`securityContext.capabilities.add` of each container.",
    fix: "Remove the added capabilities the container does not need; drop ALL and add back only what is needed.",
    refs: "Pod Security Standards: baseline and restricted (Capabilities).");
rule!(DROP_ALL, "k8s-pod-drop-all-capabilities", &[], "Containers drop all capabilities", Low,
    what: "Each container sets `securityContext.capabilities.drop: [\"ALL\"]`, as the restricted profile requires.",
    why: "The runtime's default capability set (CHOWN, DAC_OVERRIDE, SETUID, NET_RAW, ...) is more than most services need.",
    evidence: "`securityContext.capabilities.drop` of each container.",
    fix: "Add `capabilities: {drop: [\"ALL\"]}` and add back only NET_BIND_SERVICE if needed.",
    refs: "Pod Security Standards: restricted (Capabilities). CIS Kubernetes 5.2.10 in editions before 1.8.");
rule!(WINDOWS_HOST_PROCESS, "k8s-pod-windows-hostprocess", &[(K8S, "5.2.10")], "No Windows HostProcess containers", Critical,
    what: "No pod or container sets `windowsOptions.hostProcess: true`.",
    why: "A HostProcess container runs directly on the Windows node with the node's privileges.",
    evidence: "`securityContext.windowsOptions.hostProcess` of the pod and each container.",
    fix: "Remove `hostProcess: true`.",
    refs: "Pod Security Standards: baseline (HostProcess).");
rule!(HOST_PATH, "k8s-pod-host-path", &[(K8S, "5.2.11")], "No hostPath volumes", High,
    what: "The pod mounts no hostPath volume; node system paths (/, /etc, /proc, /var/run/docker.sock, /var/lib/kubelet, ...) are critical.",
    why: "A hostPath volume reaches the node's file system: container runtime sockets, kubelet credentials and host configuration.",
    evidence: "`spec.volumes[].hostPath.path`.",
    fix: "Use a PersistentVolumeClaim, configMap, secret or emptyDir volume instead.",
    refs: "Pod Security Standards: baseline (HostPath Volumes).");
rule!(HOST_PORT, "k8s-pod-host-port", &[(K8S, "5.2.12")], "No hostPort use", Low,
    what: "No container port sets `hostPort`; a privileged host port (below 1024) is medium.",
    why: "A hostPort binds the node's interface directly, bypassing Services and often network policies.",
    evidence: "`ports[].hostPort` of each container.",
    fix: "Remove `hostPort`; publish through a Service (NodePort or LoadBalancer) if needed.",
    refs: "Pod Security Standards: baseline (Host Ports).");
rule!(SECRETS_AS_ENV, "k8s-secrets-as-env", &[(K8S, "5.4.1")], "Secrets mounted as files, not env vars", Medium,
    component: KubeSecrets,
    what: "No container receives a Secret through `env[].valueFrom.secretKeyRef` or `envFrom[].secretRef`.",
    why: "Environment variables leak into logs, crash dumps, `/proc/<pid>/environ` and child processes.",
    evidence: "`env[].valueFrom.secretKeyRef` and `envFrom[].secretRef` of each container.",
    fix: "Mount the Secret as a volume and read it from the file.",
    refs: "");
rule!(ENV_LITERAL_SECRET, "k8s-env-literal-secret", &[], "No literal secrets in manifests", High,
    what: "No container `env[].value` holds a literal credential (a credential-like name with a value, a known token format, or a long random string).",
    why: "A secret written in a manifest is in version control and readable to everyone who can read the workload.",
    evidence: "`env[].value` of each container (values are masked in the report).",
    fix: "Move the value into a Secret (or an external secret store) and mount it as a file.",
    refs: "Related: CIS Kubernetes 5.4.1.");
rule!(SA_TOKEN_AUTOMOUNT, "k8s-sa-token-automount", &[(K8S, "5.1.6")], "Service-account tokens mounted only where needed", Medium,
    component: KubeRbac,
    what: "The pod, or else its ServiceAccount, sets `automountServiceAccountToken: false`. A mounted token is always a review: only a person knows whether the pod calls the API (a pod that does says so with `true`).",
    why: "An auto-mounted token lets any code in the pod call the Kubernetes API with the service account's rights.",
    evidence: "`spec.automountServiceAccountToken`, else that of the ServiceAccount the pod runs as when the cluster dump holds it (unset on both: mounted).",
    fix: "Set `automountServiceAccountToken: false` on pods that do not call the API, or on their ServiceAccount.",
    refs: "");
rule!(SECCOMP, "k8s-pod-seccomp-profile", &[(K8S, "5.6.2")], "Pods use a seccomp profile", Medium,
    what: "Each container runs with seccomp type RuntimeDefault or Localhost, set on the container or the pod; Unconfined is high. Unset everywhere leaves it to each kubelet's seccompDefault (off unless configured), so a cluster scan asks for review.",
    why: "Without a seccomp filter every system call is open to exploit kernel bugs for an escape.",
    evidence: "`securityContext.seccompProfile.type` of the container, else the pod (and the legacy seccomp annotations).",
    fix: "Set `securityContext.seccompProfile: {type: RuntimeDefault}` on the pod.",
    refs: "Pod Security Standards: baseline (Unconfined forbidden), restricted (profile required).");
rule!(SECURITY_CONTEXT, "k8s-pod-security-context", &[(K8S, "5.6.3")], "SecurityContext applied to pods and containers", Medium,
    what: "Each container has a hardening setting in its `securityContext` or the pod's: runAsNonRoot, runAsUser, allowPrivilegeEscalation, readOnlyRootFilesystem, capabilities or seccompProfile.",
    why: "Without one every hardening setting takes the permissive default.",
    evidence: "`spec.securityContext` and `securityContext` of each container.",
    fix: "Add a securityContext with runAsNonRoot, allowPrivilegeEscalation: false, capabilities drop ALL and seccompProfile RuntimeDefault.",
    refs: "");
rule!(DEFAULT_NAMESPACE, "k8s-namespace-default-used", &[(K8S, "5.6.4")], "default namespace not used", Low,
    what: "Workloads name a namespace other than `default`. A manifest without a namespace goes wherever the applying context points, usually default.",
    why: "Everything in default shares one set of RBAC bindings, policies and quotas, so one compromise reaches all of it.",
    evidence: "`metadata.namespace`.",
    fix: "Set `metadata.namespace` to the application's own namespace.",
    refs: "");
rule!(RESOURCE_LIMITS, "k8s-pod-resource-limits", &[], "Containers have memory and CPU limits", Medium,
    what: "Each container sets `resources.limits.memory` (medium when missing) and `resources.limits.cpu` (low).",
    why: "A container without limits can starve its node of memory or CPU: denial of service for every pod there.",
    evidence: "`resources.limits` of each container.",
    fix: "Set `resources.limits.memory` and `resources.limits.cpu` (or a LimitRange in the namespace).",
    refs: "Same control as CIS Docker 5.11/5.12 for containers.");
rule!(RESOURCE_REQUESTS, "k8s-pod-resource-requests", &[], "Containers have resource requests", Low,
    what: "Each container sets `resources.requests.memory` and `resources.requests.cpu`.",
    why: "Without requests the scheduler overcommits nodes and the pod is first to be evicted under pressure.",
    evidence: "`resources.requests` of each container.",
    fix: "Set `resources.requests` to the container's normal usage.",
    refs: "");
rule!(READ_ONLY_ROOTFS, "k8s-pod-read-only-rootfs", &[], "Read-only root file system", Low,
    what: "Each container sets `securityContext.readOnlyRootFilesystem: true`.",
    why: "A writable root file system lets an attacker drop tools and persist changes in the container.",
    evidence: "`securityContext.readOnlyRootFilesystem` of each container.",
    fix: "Set `readOnlyRootFilesystem: true` and mount emptyDir volumes where the program writes.",
    refs: "Same control as CIS Docker 5.13.");
rule!(IMAGE_PINNED, "k8s-pod-image-pinned", &[], "Images pinned by digest", Medium,
    what: "Each container image names a digest (`@sha256:...`). No tag or `latest` is medium; another tag without a digest is low.",
    why: "A tag can be moved to other content (by the publisher or whoever controls the registry), so what runs is not what was reviewed.",
    evidence: "`image` of each container.",
    fix: "Reference images as `name:tag@sha256:<digest>`.",
    refs: "");
rule!(PROC_MOUNT, "k8s-pod-proc-mount", &[], "Default /proc mask kept", High,
    what: "No container sets `securityContext.procMount` other than `Default`.",
    why: "An unmasked /proc exposes kernel interfaces that the default mask hides from containers.",
    evidence: "`securityContext.procMount` of each container.",
    fix: "Remove `procMount` (or set `Default`).",
    refs: "Pod Security Standards: baseline (/proc Mount Type).");
rule!(UNSAFE_SYSCTLS, "k8s-pod-unsafe-sysctls", &[], "Only safe sysctls set", High,
    what: "The pod sets only the sysctls the Pod Security Standards list as safe.",
    why: "Other sysctls are not namespaced, or not isolated, and change the whole node's kernel.",
    evidence: "`spec.securityContext.sysctls[].name`.",
    fix: "Remove unsafe sysctls; tune the node instead.",
    refs: "Pod Security Standards: baseline (Sysctls).");
rule!(SELINUX, "k8s-pod-selinux-options", &[], "SELinux options not overridden", High,
    what: "`seLinuxOptions` sets no user or role, and a type only from container_t, container_init_t, container_kvm_t and container_engine_t.",
    why: "A custom SELinux type or user can lift the confinement that separates the container from the node.",
    evidence: "`seLinuxOptions` of the pod and each container.",
    fix: "Remove the custom `seLinuxOptions` user, role and type.",
    refs: "Pod Security Standards: baseline (SELinux).");
rule!(APPARMOR, "k8s-pod-apparmor-unconfined", &[], "AppArmor not disabled", High,
    what: "No pod or container runs with AppArmor `Unconfined` (field or legacy annotation).",
    why: "Unconfined removes the runtime's default AppArmor profile, which blocks mounts and writes to sensitive /proc and /sys files.",
    evidence: "`appArmorProfile.type` of the pod and containers, and `container.apparmor.security.beta.kubernetes.io/*` annotations.",
    fix: "Remove the Unconfined profile (RuntimeDefault applies).",
    refs: "Pod Security Standards: baseline (AppArmor).");

/// Every workload rule, for metadata lookups and `--list-rules`.
pub const RULES: &[Rule] = &[
    PRIVILEGED,
    HOST_PID,
    HOST_IPC,
    HOST_NETWORK,
    PRIVILEGE_ESCALATION,
    RUN_AS_ROOT,
    NET_RAW,
    CAPABILITIES_ADDED,
    DROP_ALL,
    WINDOWS_HOST_PROCESS,
    HOST_PATH,
    HOST_PORT,
    SECRETS_AS_ENV,
    ENV_LITERAL_SECRET,
    SA_TOKEN_AUTOMOUNT,
    SECCOMP,
    SECURITY_CONTEXT,
    DEFAULT_NAMESPACE,
    RESOURCE_LIMITS,
    RESOURCE_REQUESTS,
    READ_ONLY_ROOTFS,
    IMAGE_PINNED,
    PROC_MOUNT,
    UNSAFE_SYSCTLS,
    SELINUX,
    APPARMOR,
];

/// Capabilities the Pod Security Standards baseline profile allows to be added.
pub const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Sysctls the Pod Security Standards baseline profile allows.
pub const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

/// Node paths whose hostPath mount is as good as node access.
pub const SENSITIVE_HOST_PATHS: &[&str] = &[
    "/",
    "/etc",
    "/root",
    "/home",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/usr",
    "/lib",
    "/bin",
    "/sbin",
    "/var",
    "/var/run",
    "/run",
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd",
    "/run/containerd",
    "/var/run/crio",
    "/run/crio",
    "/var/lib/kubelet",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/etcd",
    "/etc/kubernetes",
    "/var/log",
];

/// Kinds whose pod template is at a known place, with that place.
pub fn pod_spec_pointer(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "Pod" => "/spec",
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => "/spec/template/spec",
        "CronJob" => "/spec/jobTemplate/spec/template/spec",
        "PodTemplate" => "/template/spec",
        _ => return None,
    })
}

/// The objects in a value: itself, or the items of a `List` (`kind: List`, `PodList`, ...),
/// each with its pointer.
pub fn objects(value: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    collect_objects(value, String::new(), &mut out, 0);
    out
}

fn collect_objects<'a>(
    value: &'a Value,
    at: String,
    out: &mut Vec<(String, &'a Value)>,
    depth: u8,
) {
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
    match value.get("items").and_then(Value::as_array) {
        Some(items) if kind.ends_with("List") && depth < 4 => {
            for (i, item) in items.iter().enumerate() {
                collect_objects(item, format!("{at}/items/{i}"), out, depth + 1);
            }
        }
        _ => out.push((at, value)),
    }
}

/// `kind/name` (with `namespace/` when set) of an object, for messages and reports.
pub fn object_label(obj: &Value) -> String {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("?");
    let meta = obj.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .or_else(|| {
            meta.and_then(|m| m.get("generateName"))
                .and_then(Value::as_str)
        })
        .unwrap_or("?");
    match meta
        .and_then(|m| m.get("namespace"))
        .and_then(Value::as_str)
    {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    }
}

/// What the objects around a workload say that the workload does not. A linter reading one
/// file knows none of it; a cluster dump holds the pod's ServiceAccount.
#[derive(Debug, Clone, Copy, Default)]
pub struct Surroundings {
    /// `automountServiceAccountToken` of the ServiceAccount the pod runs as, when that object
    /// was seen and sets it.
    pub service_account_automount: Option<bool>,
}

/// Evaluate every workload rule on one object (a List is expanded). Objects that hold no pod
/// template give no findings.
pub fn evaluate(obj: &Value) -> Vec<Finding> {
    evaluate_with(obj, Surroundings::default())
}

/// [`evaluate`] with what the surrounding objects say (the same for every item of a List).
pub fn evaluate_with(obj: &Value, around: Surroundings) -> Vec<Finding> {
    let mut out = Vec::new();
    for (at, o) in objects(obj) {
        let before = out.len();
        evaluate_one(o, around, &mut out);
        for f in &mut out[before..] {
            f.pointer.insert_str(0, &at);
        }
    }
    out
}

fn evaluate_one(obj: &Value, around: Surroundings, out: &mut Vec<Finding>) {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let spec_ptr = match pod_spec_pointer(kind) {
        Some(p) => p.to_string(),
        // Custom workloads (Argo Rollout, OpenKruise CloneSet, ...) with a standard pod template.
        None if obj
            .pointer("/spec/template/spec/containers")
            .is_some_and(Value::is_array) =>
        {
            "/spec/template/spec".to_string()
        }
        None => return,
    };
    let Some(spec) = obj.pointer(&spec_ptr).filter(|s| s.is_object()) else {
        return;
    };
    let meta_ptr = spec_ptr
        .strip_suffix("/spec")
        .map(|p| format!("{p}/metadata"))
        .unwrap_or_else(|| "/metadata".into());
    let pod = Pod {
        spec,
        at: spec_ptr,
        annotations: obj.pointer(&format!("{meta_ptr}/annotations")),
        windows: spec.pointer("/os/name").and_then(Value::as_str) == Some("windows"),
        around,
    };
    namespace(obj, kind, out);
    pod.evaluate(out);
}

fn namespace(obj: &Value, kind: &str, out: &mut Vec<Finding>) {
    if kind == "PodTemplate" && obj.pointer("/metadata").is_none() {
        return;
    }
    match obj.pointer("/metadata/namespace").and_then(Value::as_str) {
        Some("default") => out.push(Finding::of(
            &DEFAULT_NAMESPACE,
            "/metadata/namespace",
            format!("{kind} is in the default namespace"),
        )),
        Some(_) => {}
        None => out.push(
            Finding::of(
                &DEFAULT_NAMESPACE,
                "/metadata",
                format!(
                    "{kind} names no namespace: it goes to the applying context's namespace, usually default"
                ),
            )
            .with_fix("Set metadata.namespace to the application's namespace."),
        ),
    }
}

/// A container with where it is.
struct Container<'a> {
    v: &'a Value,
    at: String,
    name: String,
    /// `containers`, `initContainers` or `ephemeralContainers`.
    list: &'static str,
}

impl<'a> Container<'a> {
    fn sc(&self, field: &str) -> Option<&'a Value> {
        self.v.get("securityContext").and_then(|s| s.get(field))
    }
    fn sc_ptr(&self, field: &str) -> String {
        format!("{}/securityContext/{field}", self.at)
    }
    fn label(&self) -> String {
        match self.list {
            "containers" => format!("container {:?}", self.name),
            "initContainers" => format!("init container {:?}", self.name),
            _ => format!("ephemeral container {:?}", self.name),
        }
    }
}

struct Pod<'a> {
    spec: &'a Value,
    at: String,
    annotations: Option<&'a Value>,
    windows: bool,
    around: Surroundings,
}

/// The service account a pod spec runs as (`default` when it names none).
pub fn service_account_name(spec: &Value) -> &str {
    ["serviceAccountName", "serviceAccount"]
        .iter()
        .filter_map(|k| spec.get(*k).and_then(Value::as_str))
        .find(|n| !n.is_empty())
        .unwrap_or("default")
}

/// What a container or the pod leaves open, for [`Pod::per_container_or_pod`].
struct Gap {
    at: String,
    message: String,
    severity: Severity,
    review: bool,
}

impl Gap {
    fn new(at: String, message: impl Into<String>, severity: Severity) -> Option<Gap> {
        Some(Gap {
            at,
            message: message.into(),
            severity,
            review: false,
        })
    }

    fn for_review(at: String, message: impl Into<String>, severity: Severity) -> Option<Gap> {
        Gap::new(at, message, severity).map(|g| Gap { review: true, ..g })
    }
}

/// The `securityContext` fields that harden a container (5.6.3): one of them, on the container
/// or the pod, is a security context applied.
const HARDENING_FIELDS: &[&str] = &[
    "runAsNonRoot",
    "runAsUser",
    "allowPrivilegeEscalation",
    "readOnlyRootFilesystem",
    "capabilities",
    "seccompProfile",
];

fn is_true(v: Option<&Value>) -> bool {
    v.and_then(Value::as_bool) == Some(true)
}

fn strings(v: Option<&Value>) -> Vec<(usize, String)> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .enumerate()
                .filter_map(|(i, s)| s.as_str().map(|s| (i, s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn cap_name(cap: &str) -> String {
    cap.trim()
        .to_ascii_uppercase()
        .trim_start_matches("CAP_")
        .to_string()
}

fn as_i64(v: &Value) -> Option<i64> {
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

impl<'a> Pod<'a> {
    fn containers(&self) -> Vec<Container<'a>> {
        let mut out = Vec::new();
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            if let Some(items) = self.spec.get(list).and_then(Value::as_array) {
                for (i, c) in items.iter().enumerate() {
                    out.push(Container {
                        v: c,
                        at: format!("{}/{list}/{i}", self.at),
                        name: c
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or("?")
                            .to_string(),
                        list,
                    });
                }
            }
        }
        out
    }

    fn psc(&self, field: &str) -> Option<&'a Value> {
        self.spec.get("securityContext").and_then(|s| s.get(field))
    }

    fn psc_ptr(&self, field: &str) -> String {
        format!("{}/securityContext/{field}", self.at)
    }

    /// The effective value of a field that the pod sets and a container may override, with the
    /// pointer of whichever set it.
    fn effective(&self, c: &Container<'a>, field: &str) -> Option<(&'a Value, String)> {
        match c.sc(field) {
            Some(v) if !v.is_null() => Some((v, c.sc_ptr(field))),
            _ => self
                .psc(field)
                .filter(|v| !v.is_null())
                .map(|v| (v, self.psc_ptr(field))),
        }
    }

    fn evaluate(&self, out: &mut Vec<Finding>) {
        self.host_namespaces(out);
        self.host_paths(out);
        self.token_automount(out);
        self.sysctls(out);
        let containers = self.containers();
        self.security_context(&containers, out);
        self.seccomp(&containers, out);
        self.run_as_root(&containers, out);
        self.windows_host_process(&containers, out);
        self.selinux(&containers, out);
        self.apparmor(&containers, out);
        for c in &containers {
            self.container(c, out);
        }
    }

    fn host_namespaces(&self, out: &mut Vec<Finding>) {
        for (field, rule, what) in [
            ("hostPID", &HOST_PID, "the node's process namespace"),
            ("hostIPC", &HOST_IPC, "the node's IPC namespace"),
            ("hostNetwork", &HOST_NETWORK, "the node's network namespace"),
        ] {
            if is_true(self.spec.get(field)) {
                out.push(Finding::of(
                    rule,
                    format!("{}/{field}", self.at),
                    format!("{field}: true shares {what}"),
                ));
            }
        }
    }

    fn host_paths(&self, out: &mut Vec<Finding>) {
        let Some(volumes) = self.spec.get("volumes").and_then(Value::as_array) else {
            return;
        };
        for (i, vol) in volumes.iter().enumerate() {
            let Some(hp) = vol.get("hostPath") else {
                continue;
            };
            let path = hp.get("path").and_then(Value::as_str).unwrap_or("");
            let name = vol.get("name").and_then(Value::as_str).unwrap_or("?");
            let at = format!("{}/volumes/{i}/hostPath", self.at);
            if is_sensitive_host_path(path) {
                out.push(
                    Finding::of(
                        &HOST_PATH,
                        at,
                        format!("volume {name:?} mounts the node's {path} (hostPath): node access"),
                    )
                    .with_severity(Severity::Critical),
                );
            } else {
                out.push(Finding::of(
                    &HOST_PATH,
                    at,
                    format!("volume {name:?} mounts node path {path:?} (hostPath)"),
                ));
            }
        }
    }

    /// The pod's own setting wins over its ServiceAccount's, as the admission plugin applies them.
    fn token_automount(&self, out: &mut Vec<Finding>) {
        let account = service_account_name(self.spec);
        let pod = self
            .spec
            .get("automountServiceAccountToken")
            .and_then(Value::as_bool);
        let finding = match (pod, self.around.service_account_automount) {
            (Some(false), _) | (None, Some(false)) => return,
            (Some(true), _) => Finding::of(
                &SA_TOKEN_AUTOMOUNT,
                format!("{}/automountServiceAccountToken", self.at),
                format!("automountServiceAccountToken: true mounts the token of service account {account}: confirm the pod calls the API"),
            )
            .with_severity(Severity::Low),
            (None, Some(true)) => Finding::of(
                &SA_TOKEN_AUTOMOUNT,
                self.at.clone(),
                format!("service account {account} sets automountServiceAccountToken: true and the pod does not say false: its token is mounted in every container"),
            ),
            (None, None) => Finding::of(
                &SA_TOKEN_AUTOMOUNT,
                self.at.clone(),
                format!("automountServiceAccountToken is not false: the token of service account {account} is mounted in every container (unless the ServiceAccount says false)"),
            ),
        };
        out.push(finding.for_review());
    }

    /// 5.6.3: a container without a hardening field of its own is covered by one on the pod. A
    /// pod where nothing is set is reported once, naming its containers.
    fn security_context(&self, containers: &[Container], out: &mut Vec<Finding>) {
        let hardens = |sc: Option<&Value>| {
            sc.and_then(Value::as_object).is_some_and(|m| {
                HARDENING_FIELDS
                    .iter()
                    .any(|k| m.get(*k).is_some_and(|v| !v.is_null()))
            })
        };
        if hardens(self.spec.get("securityContext")) {
            return;
        }
        let bare: Vec<&Container> = containers
            .iter()
            .filter(|c| !hardens(c.v.get("securityContext")))
            .collect();
        if bare.is_empty() {
            return;
        }
        if bare.len() == containers.len() {
            let names: Vec<String> = bare.iter().map(|c| c.label()).collect();
            out.push(Finding::of(
                &SECURITY_CONTEXT,
                self.at.clone(),
                format!(
                    "neither the pod nor its containers ({}) set a hardening securityContext field ({})",
                    names.join(", "),
                    HARDENING_FIELDS.join(", ")
                ),
            ));
            return;
        }
        for c in bare {
            let at = if c.v.get("securityContext").is_some() {
                format!("{}/securityContext", c.at)
            } else {
                c.at.clone()
            };
            out.push(Finding::of(
                &SECURITY_CONTEXT,
                at,
                format!(
                    "{}: no hardening securityContext field, on it or the pod",
                    c.label()
                ),
            ));
        }
    }

    fn sysctls(&self, out: &mut Vec<Finding>) {
        let Some(list) = self.psc("sysctls").and_then(Value::as_array) else {
            return;
        };
        for (i, s) in list.iter().enumerate() {
            let name = s.get("name").and_then(Value::as_str).unwrap_or("");
            if !SAFE_SYSCTLS.contains(&name) {
                out.push(Finding::of(
                    &UNSAFE_SYSCTLS,
                    format!("{}/{i}", self.psc_ptr("sysctls")),
                    format!("sysctl {name:?} is not in the safe set"),
                ));
            }
        }
    }

    /// Judge a field the pod sets and containers may override. A gap that comes from the pod
    /// (its own value, or nothing set anywhere) is reported once at the pod, naming the
    /// containers it affects; a container's own value is reported at the container.
    fn per_container_or_pod(
        &self,
        containers: &[Container],
        bad: impl Fn(&Container) -> Option<Gap>,
        rule: &Rule,
        pod_message: impl Fn(&[String]) -> String,
        out: &mut Vec<Finding>,
    ) {
        let container_prefixes: Vec<String> =
            ["containers", "initContainers", "ephemeralContainers"]
                .iter()
                .map(|l| format!("{}/{l}/", self.at))
                .collect();
        let finding = |gap: &Gap, message: String| {
            let f = Finding::new(rule.slug, gap.severity, gap.at.clone(), message);
            if gap.review { f.for_review() } else { f }
        };
        // Pod-level gaps with the containers they affect, in order.
        let mut at_pod: Vec<(Gap, Vec<String>)> = Vec::new();
        for c in containers {
            let Some(gap) = bad(c) else {
                continue;
            };
            if container_prefixes.iter().any(|p| gap.at.starts_with(p)) {
                out.push(finding(&gap, format!("{}: {}", c.label(), gap.message)));
            } else if let Some(entry) = at_pod
                .iter_mut()
                .find(|(g, _)| g.at == gap.at && g.message == gap.message)
            {
                entry.1.push(c.label());
            } else {
                at_pod.push((gap, vec![c.label()]));
            }
        }
        for (gap, names) in at_pod {
            let message = if gap.at == self.at {
                pod_message(&names)
            } else {
                format!(
                    "{} (pod setting, affects {})",
                    gap.message,
                    names.join(", ")
                )
            };
            out.push(finding(&gap, message));
        }
    }

    fn seccomp(&self, containers: &[Container], out: &mut Vec<Finding>) {
        if self.windows {
            return;
        }
        let pod_annotation = self.annotation("seccomp.security.alpha.kubernetes.io/pod");
        self.per_container_or_pod(
            containers,
            |c| {
                let container_annotation = self.annotation(&format!(
                    "container.seccomp.security.alpha.kubernetes.io/{}",
                    c.name
                ));
                let (kind, ptr) = match self.effective(c, "seccompProfile") {
                    Some((v, p)) => (
                        v.get("type").and_then(Value::as_str).unwrap_or("").to_string(),
                        format!("{p}/type"),
                    ),
                    None => match container_annotation.or(pod_annotation.clone()) {
                        Some((value, p)) => (
                            match value.as_str() {
                                "runtime/default" | "docker/default" => "RuntimeDefault".into(),
                                "unconfined" => "Unconfined".into(),
                                v if v.starts_with("localhost/") => "Localhost".into(),
                                v => v.to_string(),
                            },
                            p,
                        ),
                        None => (String::new(), self.at.clone()),
                    },
                };
                match kind.as_str() {
                    "RuntimeDefault" | "Localhost" => None,
                    "Unconfined" => Gap::new(
                        ptr,
                        "seccomp profile Unconfined: every system call is allowed",
                        Severity::High,
                    ),
                    "" => Gap::for_review(
                        ptr,
                        "no seccomp profile (Unconfined unless the kubelet sets seccompDefault)",
                        SECCOMP.severity,
                    ),
                    other => Gap::new(
                        ptr,
                        format!("seccomp profile type {other:?} is not RuntimeDefault or Localhost"),
                        SECCOMP.severity,
                    ),
                }
            },
            &SECCOMP,
            |names| {
                format!(
                    "no seccomp profile on the pod or its containers ({}): Unconfined unless the kubelet sets seccompDefault",
                    names.join(", ")
                )
            },
            out,
        );
    }

    fn annotation(&self, key: &str) -> Option<(String, String)> {
        let v = self.annotations?.get(key)?.as_str()?;
        let base = self
            .at
            .strip_suffix("/spec")
            .map(|p| format!("{p}/metadata/annotations"))
            .unwrap_or_else(|| "/metadata/annotations".into());
        Some((v.to_string(), format!("{base}/{}", pointer_token(key))))
    }

    fn run_as_root(&self, containers: &[Container], out: &mut Vec<Finding>) {
        if self.windows {
            return;
        }
        self.per_container_or_pod(
            containers,
            |c| {
                let user = self.effective(c, "runAsUser");
                let non_root = self.effective(c, "runAsNonRoot");
                if let Some((v, p)) = &user
                    && as_i64(v) == Some(0)
                {
                    return Gap::new(p.clone(), "runAsUser: 0 runs as root", Severity::High);
                }
                if user.as_ref().and_then(|(v, _)| as_i64(v)).is_some_and(|u| u > 0) {
                    return None;
                }
                // Without a UID, the image's USER decides: not in the object.
                match non_root {
                    Some((v, _)) if v.as_bool() == Some(true) => None,
                    Some((_, p)) => Gap::for_review(
                        p,
                        "runAsNonRoot: false and no runAsUser: the image's USER decides (often root)",
                        Severity::High,
                    ),
                    None => Gap::for_review(
                        self.at.clone(),
                        "neither runAsNonRoot nor runAsUser is set: the image's USER decides (often root)",
                        Severity::High,
                    ),
                }
            },
            &RUN_AS_ROOT,
            |names| {
                format!(
                    "neither runAsNonRoot nor runAsUser is set on the pod or its containers ({}): the image's USER decides (often root)",
                    names.join(", ")
                )
            },
            out,
        );
    }

    fn windows_host_process(&self, containers: &[Container], out: &mut Vec<Finding>) {
        if let Some(v) = self
            .psc("windowsOptions")
            .and_then(|w| w.get("hostProcess"))
            && v.as_bool() == Some(true)
        {
            out.push(Finding::of(
                &WINDOWS_HOST_PROCESS,
                format!("{}/hostProcess", self.psc_ptr("windowsOptions")),
                "windowsOptions.hostProcess: true runs the pod as a process on the Windows node",
            ));
        }
        for c in containers {
            if is_true(c.sc("windowsOptions").and_then(|w| w.get("hostProcess"))) {
                out.push(Finding::of(
                    &WINDOWS_HOST_PROCESS,
                    format!("{}/hostProcess", c.sc_ptr("windowsOptions")),
                    format!("{}: windowsOptions.hostProcess: true", c.label()),
                ));
            }
        }
    }

    fn selinux(&self, containers: &[Container], out: &mut Vec<Finding>) {
        let judge = |opts: &Value, at: String, who: &str, out: &mut Vec<Finding>| {
            let ty = opts.get("type").and_then(Value::as_str).unwrap_or("");
            if !matches!(
                ty,
                "" | "container_t" | "container_init_t" | "container_kvm_t" | "container_engine_t"
            ) {
                out.push(Finding::of(
                    &SELINUX,
                    format!("{at}/type"),
                    format!("{who}: seLinuxOptions.type {ty:?} is not a container type"),
                ));
            }
            for field in ["user", "role"] {
                if let Some(v) = opts
                    .get(field)
                    .and_then(Value::as_str)
                    .filter(|v| !v.is_empty())
                {
                    out.push(Finding::of(
                        &SELINUX,
                        format!("{at}/{field}"),
                        format!("{who}: seLinuxOptions.{field} {v:?} is set"),
                    ));
                }
            }
        };
        if let Some(opts) = self.psc("seLinuxOptions") {
            judge(opts, self.psc_ptr("seLinuxOptions"), "pod", out);
        }
        for c in containers {
            if let Some(opts) = c.sc("seLinuxOptions") {
                judge(opts, c.sc_ptr("seLinuxOptions"), &c.label(), out);
            }
        }
    }

    fn apparmor(&self, containers: &[Container], out: &mut Vec<Finding>) {
        let unconfined = |v: &Value| v.get("type").and_then(Value::as_str) == Some("Unconfined");
        if self.psc("appArmorProfile").is_some_and(unconfined) {
            out.push(Finding::of(
                &APPARMOR,
                format!("{}/type", self.psc_ptr("appArmorProfile")),
                "pod appArmorProfile: Unconfined",
            ));
        }
        for c in containers {
            if c.sc("appArmorProfile").is_some_and(unconfined) {
                out.push(Finding::of(
                    &APPARMOR,
                    format!("{}/type", c.sc_ptr("appArmorProfile")),
                    format!("{}: appArmorProfile Unconfined", c.label()),
                ));
            }
            if let Some((v, p)) = self.annotation(&format!(
                "container.apparmor.security.beta.kubernetes.io/{}",
                c.name
            )) && v == "unconfined"
            {
                out.push(Finding::of(
                    &APPARMOR,
                    p,
                    format!("{}: AppArmor annotation unconfined", c.label()),
                ));
            }
        }
    }

    fn container(&self, c: &Container, out: &mut Vec<Finding>) {
        let who = c.label();
        let privileged = is_true(c.sc("privileged"));
        if privileged {
            out.push(Finding::of(
                &PRIVILEGED,
                c.sc_ptr("privileged"),
                format!("{who} is privileged"),
            ));
        }
        match c.sc("allowPrivilegeEscalation").and_then(Value::as_bool) {
            Some(false) => {}
            Some(true) => out.push(Finding::of(
                &PRIVILEGE_ESCALATION,
                c.sc_ptr("allowPrivilegeEscalation"),
                format!("{who}: allowPrivilegeEscalation: true"),
            )),
            None => out.push(Finding::of(
                &PRIVILEGE_ESCALATION,
                c.at.clone(),
                format!("{who}: allowPrivilegeEscalation is not set to false (the default allows escalation)"),
            )),
        }
        if !self.windows {
            self.capabilities(c, privileged, out);
        }
        if let Some(pm) = c.sc("procMount").and_then(Value::as_str)
            && pm != "Default"
        {
            out.push(Finding::of(
                &PROC_MOUNT,
                c.sc_ptr("procMount"),
                format!("{who}: procMount {pm:?}"),
            ));
        }
        if c.list != "ephemeralContainers"
            && c.sc("readOnlyRootFilesystem").and_then(Value::as_bool) != Some(true)
        {
            let at = if c.sc("readOnlyRootFilesystem").is_some() {
                c.sc_ptr("readOnlyRootFilesystem")
            } else {
                c.at.clone()
            };
            out.push(Finding::of(
                &READ_ONLY_ROOTFS,
                at,
                format!("{who}: root file system is writable (readOnlyRootFilesystem not true)"),
            ));
        }
        self.host_ports(c, out);
        if c.list != "ephemeralContainers" {
            self.resources(c, out);
        }
        self.env(c, out);
        self.image(c, out);
    }

    fn capabilities(&self, c: &Container, privileged: bool, out: &mut Vec<Finding>) {
        let who = c.label();
        let caps = c.sc("capabilities");
        let add = strings(caps.and_then(|k| k.get("add")));
        let drop = strings(caps.and_then(|k| k.get("drop")));
        let caps_ptr = c.sc_ptr("capabilities");
        for (i, cap) in &add {
            let name = cap_name(cap);
            let severity = if name == "NET_BIND_SERVICE" {
                Severity::Low
            } else if BASELINE_CAPABILITIES.contains(&name.as_str()) {
                Severity::Medium
            } else {
                Severity::High
            };
            let f = Finding::of(
                &CAPABILITIES_ADDED,
                format!("{caps_ptr}/add/{i}"),
                format!("{who} adds capability {name}"),
            )
            .with_severity(severity);
            // The restricted profile allows NET_BIND_SERVICE: whether it is needed is a judgement.
            out.push(if name == "NET_BIND_SERVICE" {
                f.for_review()
            } else {
                f
            });
        }
        let drops = |name: &str| drop.iter().any(|(_, d)| cap_name(d) == name);
        let drop_at = if caps.and_then(|k| k.get("drop")).is_some() {
            format!("{caps_ptr}/drop")
        } else {
            c.at.clone()
        };
        if privileged {
            out.push(
                Finding::of(
                    &NET_RAW,
                    c.sc_ptr("privileged"),
                    format!("{who} is privileged: it holds every capability, NET_RAW included, whatever it drops"),
                )
                .with_fix("Remove `privileged: true` and drop ALL capabilities: a privileged container ignores `capabilities.drop`."),
            );
        } else if let Some((i, _)) = add
            .iter()
            .find(|(_, a)| matches!(cap_name(a).as_str(), "NET_RAW" | "ALL"))
        {
            out.push(Finding::of(
                &NET_RAW,
                format!("{caps_ptr}/add/{i}"),
                format!("{who} adds NET_RAW back"),
            ));
        } else if !drops("NET_RAW") && !drops("ALL") {
            out.push(Finding::of(
                &NET_RAW,
                drop_at.clone(),
                format!("{who} keeps NET_RAW (drop neither NET_RAW nor ALL)"),
            ));
        }
        if !drops("ALL") {
            out.push(Finding::of(
                &DROP_ALL,
                drop_at,
                format!("{who} does not drop ALL capabilities"),
            ));
        }
    }

    fn host_ports(&self, c: &Container, out: &mut Vec<Finding>) {
        let Some(ports) = c.v.get("ports").and_then(Value::as_array) else {
            return;
        };
        for (i, p) in ports.iter().enumerate() {
            let Some(hp) = p.get("hostPort").and_then(as_i64).filter(|n| *n > 0) else {
                continue;
            };
            let f = Finding::of(
                &HOST_PORT,
                format!("{}/ports/{i}/hostPort", c.at),
                format!("{} binds node port {hp}", c.label()),
            );
            out.push(if hp < 1024 {
                f.with_severity(Severity::Medium)
            } else {
                f
            });
        }
    }

    fn resources(&self, c: &Container, out: &mut Vec<Finding>) {
        let res = c.v.get("resources");
        let has = |section: &str, key: &str| {
            res.and_then(|r| r.get(section))
                .and_then(|s| s.get(key))
                .is_some_and(|v| !v.is_null())
        };
        let at_of = |section: &str| {
            if res.and_then(|r| r.get(section)).is_some() {
                format!("{}/resources/{section}", c.at)
            } else if res.is_some() {
                format!("{}/resources", c.at)
            } else {
                c.at.clone()
            }
        };
        let missing_limits: Vec<&str> = ["memory", "cpu"]
            .into_iter()
            .filter(|k| !has("limits", k))
            .collect();
        if !missing_limits.is_empty() {
            let severity = if missing_limits.contains(&"memory") {
                Severity::Medium
            } else {
                Severity::Low
            };
            out.push(
                Finding::of(
                    &RESOURCE_LIMITS,
                    at_of("limits"),
                    format!("{}: no {} limit", c.label(), missing_limits.join(" or ")),
                )
                .with_severity(severity),
            );
        }
        let missing_requests: Vec<&str> = ["memory", "cpu"]
            .into_iter()
            .filter(|k| !has("requests", k) && !has("limits", k))
            .collect();
        if !missing_requests.is_empty() {
            out.push(Finding::of(
                &RESOURCE_REQUESTS,
                at_of("requests"),
                format!(
                    "{}: no {} request",
                    c.label(),
                    missing_requests.join(" or ")
                ),
            ));
        }
    }

    fn env(&self, c: &Container, out: &mut Vec<Finding>) {
        if let Some(env) = c.v.get("env").and_then(Value::as_array) {
            for (i, e) in env.iter().enumerate() {
                let name = e.get("name").and_then(Value::as_str).unwrap_or("");
                if let Some(r) = e.pointer("/valueFrom/secretKeyRef") {
                    let secret = r.get("name").and_then(Value::as_str).unwrap_or("?");
                    out.push(Finding::of(
                        &SECRETS_AS_ENV,
                        format!("{}/env/{i}/valueFrom/secretKeyRef", c.at),
                        format!("{}: env {name} comes from Secret {secret:?}", c.label()),
                    ));
                }
                if let Some(value) = e.get("value").and_then(Value::as_str)
                    && let Some(s) = crate::checks::secrets::check_assignment(name, value)
                {
                    out.push(Finding::of(
                        &ENV_LITERAL_SECRET,
                        format!("{}/env/{i}/value", c.at),
                        format!("{}: env {s}", c.label()),
                    ));
                }
            }
        }
        if let Some(env_from) = c.v.get("envFrom").and_then(Value::as_array) {
            for (i, e) in env_from.iter().enumerate() {
                if let Some(r) = e.get("secretRef") {
                    let secret = r.get("name").and_then(Value::as_str).unwrap_or("?");
                    out.push(Finding::of(
                        &SECRETS_AS_ENV,
                        format!("{}/envFrom/{i}/secretRef", c.at),
                        format!(
                            "{}: every key of Secret {secret:?} becomes an env var",
                            c.label()
                        ),
                    ));
                }
            }
        }
    }

    fn image(&self, c: &Container, out: &mut Vec<Finding>) {
        let at = format!("{}/image", c.at);
        let Some(image) = c.v.get("image").and_then(Value::as_str) else {
            return;
        };
        match super::image_ref::pinning(image) {
            super::image_ref::Pinning::Digest => {}
            super::image_ref::Pinning::Latest => out.push(Finding::of(
                &IMAGE_PINNED,
                at,
                format!("{}: image {image:?} uses the latest tag", c.label()),
            )),
            super::image_ref::Pinning::NoTag => out.push(Finding::of(
                &IMAGE_PINNED,
                at,
                format!("{}: image {image:?} has no tag (latest)", c.label()),
            )),
            super::image_ref::Pinning::Tag(tag) => out.push(
                Finding::of(
                    &IMAGE_PINNED,
                    at,
                    format!(
                        "{}: image {image:?} is pinned by tag {tag:?}, not by digest",
                        c.label()
                    ),
                )
                .with_severity(Severity::Low),
            ),
            super::image_ref::Pinning::Variable => {}
        }
    }
}

/// Whether a hostPath reaches node-level secrets or control.
pub fn is_sensitive_host_path(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    let p = if p.is_empty() { "/" } else { p };
    SENSITIVE_HOST_PATHS.contains(&p)
        || [
            "/etc/",
            "/proc/",
            "/sys/",
            "/dev/",
            "/boot/",
            "/root/",
            "/var/lib/kubelet/",
            "/var/lib/docker/",
            "/var/lib/containerd/",
            "/var/lib/etcd/",
            "/etc/kubernetes/",
            "/run/containerd/",
            "/var/run/containerd/",
        ]
        .iter()
        .any(|prefix| p.starts_with(prefix))
        || p.ends_with("docker.sock")
        || p.ends_with("containerd.sock")
        || p.ends_with("crio.sock")
}

#[cfg(test)]
mod tests;
