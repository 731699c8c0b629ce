//! Section 5: cluster policies, evaluated over `kubectl get -o json` dumps (`--cluster-dump`):
//! RBAC, pod security, network policies, secrets. Plus threatbench's own Kubernetes checks:
//! the benchmark version in use, and namespaces without resource limits (no CIS item covers
//! over-allocation of CPU and memory).
//!
//! Objects in system namespaces (kube-system, kube-public, kube-node-lease) and built-in RBAC
//! objects are reviewed (`warn`) rather than failed: the control plane needs some of what the
//! benchmark discourages (kube-proxy runs privileged on the host network).

use serde_json::Value;

use super::*;
use crate::checks::{
    Assessment::*, Check, Component, Context, Doc, Evaluate, Level::*, ObjectOutcome, Outcome,
    Severity::*, Verdict,
};
use crate::facts::Observed;
use crate::facts::kube::ClusterFacts;

pub const CHECKS: &[Check] = &[
    Check {
        slug: "k8s-rbac-cluster-admin-binding",
        ids: &[(K112, "5.1.1")],
        title: "cluster-admin bound only where required",
        level: One,
        assessment: Manual,
        severity: Critical,
        component: Component::KubeRbac,
        doc: Doc {
            what: "Flags bindings that grant the cluster-admin role to subjects beyond the built-in ones.",
            why: "cluster-admin is every right on every object; each extra binding is a subject that owns the cluster.",
            evidence: "ClusterRoleBindings and RoleBindings whose roleRef is the ClusterRole cluster-admin, with their subjects; the built-in binding (group system:masters) is expected, kubeadm's kubeadm:cluster-admins is flagged for review.",
            remediation: "Bind users to narrower roles; `kubectl delete clusterrolebinding <name>` for bindings that are not needed.",
            references: "",
        },
        evaluate: Evaluate::Context(cluster_admin_bindings),
    },
    Check {
        slug: "k8s-rbac-secrets-access",
        ids: &[(K112, "5.1.2")],
        title: "Access to Secrets minimised",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::KubeRbac,
        doc: Doc {
            what: "Flags roles and bindings that allow reading Secrets.",
            why: "Reading Secrets yields service-account tokens and credentials, an escalation path to everything they unlock.",
            evidence: "Bindings (not built-in) whose role grants get, list or watch on secrets to non-system subjects.",
            remediation: "Remove secret read rights from roles that do not need them; scope them to named secrets with resourceNames.",
            references: "",
        },
        evaluate: Evaluate::Context(secrets_access),
    },
    Check {
        slug: "k8s-rbac-wildcard",
        ids: &[(K112, "5.1.3")],
        title: "No wildcards in Roles and ClusterRoles",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::KubeRbac,
        doc: Doc {
            what: "Flags RBAC rules that use \"*\" and so grant access to present and future resources.",
            why: "Wildcards grant rights to resources and verbs that do not exist yet, including future sensitive ones.",
            evidence: "Roles and ClusterRoles (not built-in) with `*` in apiGroups, resources or verbs.",
            remediation: "Replace `*` with the explicit groups, resources and verbs needed.",
            references: "",
        },
        evaluate: Evaluate::Context(rbac_wildcards),
    },
    Check {
        slug: "k8s-rbac-pod-create",
        ids: &[(K112, "5.1.4")],
        title: "Pod creation rights minimised",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::KubeRbac,
        doc: Doc {
            what: "Flags who can create pods, which implies access to any secret, service account and node-level feature admitted in that namespace.",
            why: "Creating pods lets a subject run any image with any service account of the namespace, and mount host paths where admission allows.",
            evidence: "Bindings (not built-in) whose role grants create on pods or workload controllers to non-system subjects.",
            remediation: "Limit pod creation to deploy pipelines and operators; review bindings to edit/admin.",
            references: "",
        },
        evaluate: Evaluate::Context(pod_create),
    },
    Check {
        slug: "k8s-sa-default-used",
        ids: &[(K112, "5.1.5")],
        title: "Default service accounts not used",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeRbac,
        doc: Doc {
            what: "Flags default service accounts that auto-mount tokens or are granted permissions.",
            why: "Pods without a service account get `default`; rights bound to it reach every such pod.",
            evidence: "Each namespace's `default` ServiceAccount: automountServiceAccountToken, and bindings naming it.",
            remediation: "`kubectl patch serviceaccount default -p '{\"automountServiceAccountToken\": false}'` in each namespace; bind rights to dedicated service accounts.",
            references: "",
        },
        evaluate: Evaluate::Context(default_service_accounts),
    },
    Check {
        slug: "k8s-sa-token-automount",
        ids: &[(K112, "5.1.6")],
        title: "Service-account tokens mounted only where needed",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeRbac,
        doc: Doc {
            what: "Flags pods that mount an API token they do not need.",
            why: "A mounted token lets anyone who compromises the pod call the API as its service account.",
            evidence: "Pods (outside kube-system) whose service-account token is mounted: the pod's automountServiceAccountToken, else its ServiceAccount's, else true.",
            remediation: "Set `automountServiceAccountToken: false` on pods and service accounts that do not call the API.",
            references: "",
        },
        evaluate: Evaluate::Context(token_automount),
    },
    Check {
        slug: "k8s-rbac-system-masters",
        ids: &[(K112, "5.1.7")],
        title: "system:masters group not used",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::KubeRbac,
        doc: Doc {
            what: "Manual review that the unrevocable, RBAC-bypassing system:masters group is not used by people or tools.",
            why: "system:masters bypasses RBAC entirely and cannot be revoked short of rotating the CA.",
            evidence: "Bindings naming the group system:masters (besides the built-in cluster-admin binding). Certificates issued with that group are not in the dump.",
            remediation: "Remove bindings to system:masters; issue no client certificates with O=system:masters except break-glass (super-admin.conf).",
            references: "",
        },
        evaluate: Evaluate::Context(system_masters),
    },
    Check {
        slug: "k8s-rbac-bind-escalate-impersonate",
        ids: &[(K112, "5.1.8")],
        title: "bind, escalate and impersonate verbs limited",
        level: One,
        assessment: Manual,
        severity: Critical,
        component: Component::KubeRbac,
        doc: Doc {
            what: "Flags roles that let a subject grant itself more rights or act as another user.",
            why: "bind and escalate let a subject grant itself rights it lacks; impersonate lets it act as anyone.",
            evidence: "Bindings (not built-in) whose role grants bind, escalate or impersonate to non-system subjects.",
            remediation: "Remove these verbs from roles held by anyone but cluster administrators.",
            references: "",
        },
        evaluate: Evaluate::Context(bind_escalate_impersonate),
    },
    Check {
        slug: "k8s-rbac-pv-create",
        ids: &[(K112, "5.1.9")],
        title: "PersistentVolume creation limited",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::KubeRbac,
        doc: Doc {
            what: "Flags roles that allow creating PersistentVolumes, which can expose host paths.",
            why: "Creating PersistentVolumes can point a volume at any host path.",
            evidence: "Bindings (not built-in) whose role grants create on persistentvolumes.",
            remediation: "Limit PersistentVolume creation to storage administrators; use StorageClasses.",
            references: "",
        },
        evaluate: Evaluate::Context(pv_create),
    },
    Check {
        slug: "k8s-rbac-nodes-proxy",
        ids: &[(K112, "5.1.10")],
        title: "nodes/proxy access limited",
        level: One,
        assessment: Manual,
        severity: Critical,
        component: Component::KubeRbac,
        doc: Doc {
            what: "Flags roles that allow the nodes/proxy sub-resource, which reaches the kubelet API directly.",
            why: "nodes/proxy reaches the kubelet API, which runs commands in any pod of the node and bypasses audit.",
            evidence: "Bindings (not built-in) whose role grants access to nodes/proxy.",
            remediation: "Remove nodes/proxy from roles except monitoring that truly needs it.",
            references: "",
        },
        evaluate: Evaluate::Context(nodes_proxy),
    },
    Check {
        slug: "k8s-rbac-csr-approval",
        ids: &[(K112, "5.1.11")],
        title: "CSR approval rights limited",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::KubeRbac,
        doc: Doc {
            what: "Flags roles that can approve certificate signing requests and so mint credentials.",
            why: "Approving CSRs mints client certificates, including for system:masters.",
            evidence: "Bindings (not built-in) whose role grants update on certificatesigningrequests/approval.",
            remediation: "Limit CSR approval to the controller manager and cluster administrators.",
            references: "",
        },
        evaluate: Evaluate::Context(csr_approval),
    },
    Check {
        slug: "k8s-rbac-webhook-config",
        ids: &[(K112, "5.1.12")],
        title: "Webhook configuration write access limited",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::KubeRbac,
        doc: Doc {
            what: "Flags roles that can add or change admission webhooks, which see and can alter every request.",
            why: "Whoever writes admission webhooks sees or changes every object the API server admits.",
            evidence: "Bindings (not built-in) whose role grants create, update, patch or delete on validating/mutating webhook configurations.",
            remediation: "Limit webhook configuration writes to cluster administrators.",
            references: "",
        },
        evaluate: Evaluate::Context(webhook_config),
    },
    Check {
        slug: "k8s-rbac-sa-token-create",
        ids: &[(K112, "5.1.13")],
        title: "Service-account token creation limited",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::KubeRbac,
        doc: Doc {
            what: "Flags roles that can issue tokens for service accounts.",
            why: "Creating serviceaccounts/token mints tokens for any service account of the namespace.",
            evidence: "Bindings (not built-in) whose role grants create on serviceaccounts/token.",
            remediation: "Limit token creation to the components that need it.",
            references: "",
        },
        evaluate: Evaluate::Context(sa_token_create),
    },
    Check {
        slug: "k8s-namespace-pod-security-enforced",
        ids: &[(K112, "5.2.1")],
        title: "A policy control mechanism is active",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::KubePolicy,
        doc: Doc {
            what: "Checks that some admission policy mechanism restricts what pods may request.",
            why: "Without an enforcing policy, any subject that can create pods can create privileged ones.",
            evidence: "Namespaces (other than kube-system, kube-public, kube-node-lease) and their pod-security.kubernetes.io/enforce label; policy-engine webhooks (Kyverno, Gatekeeper) and ValidatingAdmissionPolicies seen in the dump.",
            remediation: "Label namespaces `pod-security.kubernetes.io/enforce=baseline` (or `restricted`), or enforce an equivalent policy engine.",
            references: "https://kubernetes.io/docs/concepts/security/pod-security-admission/",
        },
        evaluate: Evaluate::Context(pod_security_admission),
    },
    Check {
        slug: "k8s-pod-privileged",
        ids: &[(K112, "5.2.2")],
        title: "No privileged containers",
        level: One,
        assessment: Manual,
        severity: Critical,
        component: Component::KubeWorkload,
        doc: Doc {
            what: "Flags pods with privileged containers.",
            why: "A privileged container has every capability and all host devices: escaping to the node is trivial.",
            evidence: "securityContext.privileged of every container, init container and ephemeral container of every pod.",
            remediation: "Remove `privileged: true`; grant the specific capability instead.",
            references: "",
        },
        evaluate: Evaluate::Context(privileged),
    },
    Check {
        slug: "k8s-pod-host-pid",
        ids: &[(K112, "5.2.3")],
        title: "Host PID namespace not shared",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::KubeWorkload,
        doc: Doc {
            what: "Flags pods that share the node's process namespace.",
            why: "Sharing the host PID namespace lets the pod see and signal every process on the node.",
            evidence: "spec.hostPID of every pod.",
            remediation: "Remove `hostPID: true`.",
            references: "",
        },
        evaluate: Evaluate::Context(host_pid),
    },
    Check {
        slug: "k8s-pod-host-ipc",
        ids: &[(K112, "5.2.4")],
        title: "Host IPC namespace not shared",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeWorkload,
        doc: Doc {
            what: "Flags pods that share the node's IPC namespace.",
            why: "Sharing the host IPC namespace exposes shared memory of host processes.",
            evidence: "spec.hostIPC of every pod.",
            remediation: "Remove `hostIPC: true`.",
            references: "",
        },
        evaluate: Evaluate::Context(host_ipc),
    },
    Check {
        slug: "k8s-pod-host-network",
        ids: &[(K112, "5.2.5")],
        title: "Host network namespace not shared",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::KubeWorkload,
        doc: Doc {
            what: "Flags pods that share the node's network namespace.",
            why: "Host networking lets the pod bind host ports, sniff node traffic and reach node-local services.",
            evidence: "spec.hostNetwork of every pod.",
            remediation: "Remove `hostNetwork: true`.",
            references: "",
        },
        evaluate: Evaluate::Context(host_network),
    },
    Check {
        slug: "k8s-pod-privilege-escalation",
        ids: &[(K112, "5.2.6")],
        title: "allowPrivilegeEscalation off",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeWorkload,
        doc: Doc {
            what: "Flags containers that may gain more privileges than their parent process, for example via setuid binaries.",
            why: "Without allowPrivilegeEscalation: false, setuid binaries in the container can gain privileges.",
            evidence: "securityContext.allowPrivilegeEscalation of every container (unset means allowed).",
            remediation: "Set `allowPrivilegeEscalation: false` in each container's securityContext.",
            references: "",
        },
        evaluate: Evaluate::Context(privilege_escalation),
    },
    Check {
        slug: "k8s-pod-run-as-root",
        ids: &[(K112, "5.2.7")],
        title: "Containers do not run as root",
        level: Two,
        assessment: Manual,
        severity: High,
        component: Component::KubeWorkload,
        doc: Doc {
            what: "Flags containers that may run as UID 0.",
            why: "A process running as root in the container is root on the host after any escape.",
            evidence: "runAsNonRoot and runAsUser of each container, falling back to the pod's securityContext; unset means the image's USER, which the API does not show.",
            remediation: "Set `runAsNonRoot: true` and a non-zero `runAsUser`.",
            references: "",
        },
        evaluate: Evaluate::Context(run_as_root),
    },
    Check {
        slug: "k8s-pod-net-raw",
        ids: &[(K112, "5.2.8")],
        title: "NET_RAW capability dropped",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeWorkload,
        doc: Doc {
            what: "Flags containers that keep the NET_RAW capability, which allows packet crafting and spoofing.",
            why: "NET_RAW allows spoofed packets and ARP attacks on the pod network.",
            evidence: "securityContext.capabilities.drop/add of every container.",
            remediation: "Add `capabilities: {drop: [\"ALL\"]}` (or at least NET_RAW).",
            references: "",
        },
        evaluate: Evaluate::Context(net_raw),
    },
    Check {
        slug: "k8s-pod-capabilities-added",
        ids: &[(K112, "5.2.9")],
        title: "No added capabilities",
        level: Two,
        assessment: Manual,
        severity: High,
        component: Component::KubeWorkload,
        doc: Doc {
            what: "Flags containers that add Linux capabilities beyond the runtime default.",
            why: "Added capabilities widen what a compromised container can do to the node.",
            evidence: "securityContext.capabilities.add of every container (NET_BIND_SERVICE is the one the restricted profile allows).",
            remediation: "Remove added capabilities; drop ALL and add only what is needed.",
            references: "",
        },
        evaluate: Evaluate::Context(added_capabilities),
    },
    Check {
        slug: "k8s-pod-windows-hostprocess",
        ids: &[(K112, "5.2.10")],
        title: "No Windows HostProcess containers",
        level: One,
        assessment: Manual,
        severity: Critical,
        component: Component::KubeWorkload,
        doc: Doc {
            what: "Flags Windows pods that run as HostProcess containers with node-level access.",
            why: "A HostProcess container runs as a process on the Windows node, with host access.",
            evidence: "securityContext.windowsOptions.hostProcess of pods and containers.",
            remediation: "Remove `hostProcess: true`.",
            references: "",
        },
        evaluate: Evaluate::Context(windows_host_process),
    },
    Check {
        slug: "k8s-pod-host-path",
        ids: &[(K112, "5.2.11")],
        title: "No hostPath volumes",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::KubeWorkload,
        doc: Doc {
            what: "Flags pods that mount directories from the node file system.",
            why: "hostPath volumes expose node files (the container runtime socket, /etc) to the pod.",
            evidence: "spec.volumes[].hostPath of every pod.",
            remediation: "Replace hostPath volumes with PersistentVolumes, ConfigMaps or emptyDir.",
            references: "",
        },
        evaluate: Evaluate::Context(host_path),
    },
    Check {
        slug: "k8s-pod-host-port",
        ids: &[(K112, "5.2.12")],
        title: "No hostPort use",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::KubeWorkload,
        doc: Doc {
            what: "Flags containers that bind a port directly on the node.",
            why: "hostPort binds node ports, bypassing NetworkPolicies and service routing.",
            evidence: "ports[].hostPort of every container.",
            remediation: "Remove hostPort; expose through a Service.",
            references: "",
        },
        evaluate: Evaluate::Context(host_port),
    },
    Check {
        slug: "k8s-cni-network-policy-support",
        ids: &[(K112, "5.3.1")],
        title: "CNI enforces NetworkPolicy",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeNetwork,
        doc: Doc {
            what: "Manual review that the cluster network plugin actually enforces NetworkPolicy objects.",
            why: "A CNI plugin that ignores NetworkPolicy makes every policy a no-op.",
            evidence: "CNI configuration files on this node (their plugin type), for review.",
            remediation: "Use a CNI plugin that enforces NetworkPolicy (Calico, Cilium, ...).",
            references: "",
        },
        evaluate: Evaluate::Context(cni_network_policy),
    },
    Check {
        slug: "k8s-namespace-network-policy",
        ids: &[(K112, "5.3.2")],
        title: "Every namespace has NetworkPolicies",
        level: Two,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeNetwork,
        doc: Doc {
            what: "Flags namespaces without any NetworkPolicy.",
            why: "Without a NetworkPolicy every pod can reach every other pod: one compromised pod probes the whole cluster.",
            evidence: "NetworkPolicies per namespace (kube-system, kube-public and kube-node-lease excluded).",
            remediation: "Add a default-deny NetworkPolicy to every namespace and allow the needed flows.",
            references: "",
        },
        evaluate: Evaluate::Context(namespace_network_policy),
    },
    Check {
        slug: "k8s-secrets-as-env",
        ids: &[(K112, "5.4.1")],
        title: "Secrets mounted as files, not env vars",
        level: Two,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeSecrets,
        doc: Doc {
            what: "Flags containers that receive Secrets through environment variables, which leak into logs, crash dumps and child processes.",
            why: "Secrets in environment variables leak through logs, crash dumps and child processes.",
            evidence: "env[].valueFrom.secretKeyRef and envFrom[].secretRef of every container.",
            remediation: "Mount Secrets as files (volumes) instead of environment variables.",
            references: "",
        },
        evaluate: Evaluate::Context(secrets_as_env),
    },
    Check {
        slug: "k8s-secrets-external-store",
        ids: &[(K112, "5.4.2")],
        title: "External secret storage considered",
        level: Two,
        assessment: Manual,
        severity: Low,
        component: Component::KubeSecrets,
        doc: Doc {
            what: "Manual review of whether an external secret manager should back sensitive secrets.",
            why: "Kubernetes Secrets are only base64 in etcd unless encrypted; an external store adds rotation and audit.",
            evidence: "Nothing automatic: a design review.",
            remediation: "Consider an external secret store (Vault, a cloud KMS-backed store) for sensitive secrets.",
            references: "",
        },
        evaluate: Evaluate::Context(external_secrets),
    },
    Check {
        slug: "k8s-image-provenance-policy",
        ids: &[(K112, "5.5.1")],
        title: "Image provenance enforced at admission",
        level: Two,
        assessment: Manual,
        severity: Medium,
        component: Component::KubePolicy,
        doc: Doc {
            what: "Checks that only images meeting provenance rules (registry, signature) are admitted.",
            why: "Without image verification at admission, any image (tampered, unsigned) can run.",
            evidence: "kube-apiserver's ImagePolicyWebhook admission plugin, or admission webhooks of known image verifiers (Kyverno, sigstore policy-controller, Connaisseur, Ratify) in the dump.",
            remediation: "Enforce image signatures or provenance at admission (ImagePolicyWebhook or a policy engine).",
            references: "",
        },
        evaluate: Evaluate::Context(image_provenance),
    },
    Check {
        slug: "k8s-namespace-boundaries",
        ids: &[(K112, "5.6.1")],
        title: "Namespaces used as administrative boundaries",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::KubePolicy,
        doc: Doc {
            what: "Manual review that namespaces separate resources of different owners or trust levels.",
            why: "Without namespaces per team or trust level, RBAC and policies cannot separate workloads.",
            evidence: "The namespaces in the dump and how many pods each runs, for review.",
            remediation: "Create namespaces per team or application and bind rights per namespace.",
            references: "",
        },
        evaluate: Evaluate::Context(namespace_boundaries),
    },
    Check {
        slug: "k8s-pod-seccomp-profile",
        ids: &[(K112, "5.6.2")],
        title: "Pods use a seccomp profile",
        level: Two,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeWorkload,
        doc: Doc {
            what: "Flags pods and containers without a seccomp profile.",
            why: "Without a seccomp profile a container can use every system call, including rare ones with kernel bugs.",
            evidence: "seccompProfile.type of each container, else its pod's (unset means Unconfined unless the kubelet's seccompDefault is on).",
            remediation: "Set `seccompProfile: {type: RuntimeDefault}` in the pod securityContext.",
            references: "",
        },
        evaluate: Evaluate::Context(seccomp_profile),
    },
    Check {
        slug: "k8s-pod-security-context",
        ids: &[(K112, "5.6.3")],
        title: "SecurityContext applied to pods and containers",
        level: Two,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeWorkload,
        doc: Doc {
            what: "Flags pods and containers that carry no security context.",
            why: "Pods without a securityContext run with every default, none of them restrictive.",
            evidence: "Whether each pod or its containers set a securityContext with a hardening field.",
            remediation: "Set runAsNonRoot, readOnlyRootFilesystem, allowPrivilegeEscalation: false, capabilities drop ALL, and a seccomp profile.",
            references: "",
        },
        evaluate: Evaluate::Context(security_context),
    },
    Check {
        slug: "k8s-namespace-default-used",
        ids: &[(K112, "5.6.4")],
        title: "default namespace not used",
        level: Two,
        assessment: Manual,
        severity: Low,
        component: Component::KubeWorkload,
        doc: Doc {
            what: "Flags workloads deployed into the default namespace.",
            why: "Workloads in `default` share one boundary with everything else put there by accident.",
            evidence: "Pods in the default namespace.",
            remediation: "Move workloads to dedicated namespaces.",
            references: "",
        },
        evaluate: Evaluate::Context(default_namespace),
    },
    Check {
        slug: "k8s-benchmark-version",
        ids: &[(OWN, "k8s.1")],
        title: "Kubernetes version covered by the benchmark in use",
        level: One,
        assessment: Automated,
        severity: Low,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "The Kubernetes version of this node or cluster is known and within CIS Kubernetes Benchmark v1.12 (Kubernetes 1.32–1.34).",
            why: "Checks and defaults differ between versions; judging a cluster with the wrong benchmark gives wrong verdicts silently (kube-bench falls back to an old version without saying so).",
            evidence: "The version and where it was learnt: --k8s-version, the API server version in the cluster dump, node kubelet versions, or the static pod image tag.",
            remediation: "Pass `--k8s-version` when the version cannot be detected; upgrade clusters older than 1.32.",
            references: "",
        },
        evaluate: Evaluate::Context(benchmark_version),
    },
    Check {
        slug: "k8s-namespace-resource-limits",
        ids: &[(OWN, "k8s.2")],
        title: "Namespaces limit CPU and memory (LimitRange or ResourceQuota)",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubePolicy,
        doc: Doc {
            what: "Every namespace (system ones excluded) has a LimitRange or a ResourceQuota.",
            why: "Without limits, one workload can take all CPU and memory of the nodes it lands on (denial of service for its neighbours); no CIS item covers over-allocation.",
            evidence: "LimitRange and ResourceQuota objects per namespace in the cluster dump.",
            remediation: "Add a LimitRange with default requests and limits, and a ResourceQuota, to each namespace.",
            references: "https://kubernetes.io/docs/concepts/policy/limit-range/",
        },
        evaluate: Evaluate::Context(namespace_resource_limits),
    },
];

pub(crate) const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

/// How to get each kind into a dump, for skip reasons.
fn plural(kind: &str) -> String {
    crate::facts::kube::DUMP_RESOURCES
        .iter()
        .find(|(_, k)| *k == kind)
        .map(|(p, _)| p.to_string())
        .unwrap_or_else(|| format!("{}s", kind.to_lowercase()))
}

/// The cluster objects. On a host that runs Kubernetes components but was scanned without them,
/// the policy is unexamined, not absent: `warn` (a person must supply or review the evidence),
/// so the threat model keeps the linked threats unknown rather than mitigated.
fn cluster<'a>(ctx: &'a Context) -> Result<&'a ClusterFacts, Outcome> {
    const HOW: &str =
        "pass --kube-api, or --cluster-dump DIR with `kubectl get <resources> -A -o json` dumps";
    match &ctx.facts.kube.cluster {
        None if ctx.facts.kube.any_component() => Err(Outcome::warn(format!(
            "cluster objects not examined on this Kubernetes node: {HOW}"
        ))),
        None => Err(Outcome::skip(format!("no cluster objects: {HOW}"))),
        Some(Observed::Unavailable(u)) => Err(Outcome::error(u.reason.clone())),
        Some(Observed::Seen(c)) => Ok(c),
    }
}

/// Why a kind could not be read when the API server refused or failed to list it (`--kube-api`
/// records `<resource>: <reason>`): such a kind is unknown, not absent.
fn not_read<'a>(c: &'a ClusterFacts, kind: &str) -> Option<&'a str> {
    if c.is_listed(kind) {
        return None;
    }
    let prefix = format!("{}: ", plural(kind));
    c.problems
        .iter()
        .find(|p| p.starts_with(&prefix))
        .map(String::as_str)
}

/// The cluster facts with their pods listed: an error naming the reason when the API server
/// refused the pod list (the workload templates alone would hide the running pods).
fn cluster_pods<'a>(ctx: &'a Context) -> Result<&'a ClusterFacts, Outcome> {
    let c = cluster(ctx)?;
    match not_read(c, "Pod") {
        Some(reason) => Err(Outcome::error(format!(
            "could not list from {}: {reason}",
            c.dir
        ))),
        None => Ok(c),
    }
}

/// The cluster facts, with every kind in `kinds` present in the dump.
fn cluster_with<'a>(ctx: &'a Context, kinds: &[&str]) -> Result<&'a ClusterFacts, Outcome> {
    let c = cluster(ctx)?;
    let refused: Vec<&str> = kinds.iter().filter_map(|k| not_read(c, k)).collect();
    if !refused.is_empty() {
        return Err(Outcome::error(format!(
            "could not list from {}: {}",
            c.dir,
            refused.join("; ")
        )));
    }
    let missing: Vec<String> = kinds
        .iter()
        .filter(|k| !c.is_listed(k))
        .map(|k| plural(k))
        .collect();
    if missing.is_empty() {
        Ok(c)
    } else {
        // The cluster has these objects (or their absence matters): unexamined, not absent.
        Err(Outcome::warn(format!(
            "the cluster dump {} holds no {} (add `kubectl get {} -A -o json`)",
            c.dir,
            missing.join(", "),
            missing.join(",")
        )))
    }
}

fn s<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

fn strs(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

fn namespace(o: &Value) -> &str {
    s(o, "/metadata/namespace")
}

pub(crate) fn qualified(o: &Value) -> String {
    match namespace(o) {
        "" => s(o, "/metadata/name").to_string(),
        ns => format!("{ns}/{}", s(o, "/metadata/name")),
    }
}

pub(crate) fn is_system_ns(ns: &str) -> bool {
    SYSTEM_NAMESPACES.contains(&ns)
}

fn object(kind: &'static str, name: String, verdict: Verdict, evidence: String) -> ObjectOutcome {
    ObjectOutcome {
        kind,
        name,
        id: None,
        verdict,
        evidence,
    }
}

// ---- RBAC -----------------------------------------------------------------------------------

/// Built-in RBAC objects (the API server's bootstrap policy, `system:` names).
fn builtin(o: &Value) -> bool {
    s(o, "/metadata/labels/kubernetes.io~1bootstrapping") == "rbac-defaults"
        || s(o, "/metadata/name").starts_with("system:")
}

fn system_subject(sub: &Value) -> bool {
    let name = s(sub, "/name");
    name.starts_with("system:")
        || (s(sub, "/kind") == "ServiceAccount" && is_system_ns(s(sub, "/namespace")))
}

fn subject_text(sub: &Value) -> String {
    match s(sub, "/kind") {
        "ServiceAccount" => format!(
            "ServiceAccount {}/{}",
            s(sub, "/namespace"),
            s(sub, "/name")
        ),
        k => format!("{k} {}", s(sub, "/name")),
    }
}

pub(crate) fn bindings(c: &ClusterFacts) -> impl Iterator<Item = &Value> {
    c.of_kind("ClusterRoleBinding")
        .chain(c.of_kind("RoleBinding"))
}

pub(crate) fn role_of<'a>(c: &'a ClusterFacts, binding: &Value) -> Option<&'a Value> {
    let name = s(binding, "/roleRef/name");
    match s(binding, "/roleRef/kind") {
        "ClusterRole" => c
            .of_kind("ClusterRole")
            .find(|r| s(r, "/metadata/name") == name),
        _ => c
            .of_kind("Role")
            .find(|r| s(r, "/metadata/name") == name && namespace(r) == namespace(binding)),
    }
}

/// What a rule must allow: `None` means any.
struct Grant {
    groups: Option<&'static [&'static str]>,
    resources: Option<&'static [&'static str]>,
    verbs: &'static [&'static str],
    what: &'static str,
}

fn rule_allows(rule: &Value, g: &Grant) -> bool {
    let any = |list: &[&str], wanted: Option<&[&str]>| match wanted {
        None => !list.is_empty(),
        Some(w) => list.iter().any(|x| *x == "*" || w.contains(x)),
    };
    any(&strs(rule.get("apiGroups")), g.groups)
        && any(&strs(rule.get("resources")), g.resources)
        && any(&strs(rule.get("verbs")), Some(g.verbs))
}

fn role_allows(role: &Value, g: &Grant) -> bool {
    role.get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|r| rule_allows(r, g))
}

/// Bindings (other than built-in ones) that give non-system subjects a right.
fn grant_check(ctx: &Context, g: &Grant) -> Outcome {
    let c = match cluster_with(ctx, &["ClusterRole", "ClusterRoleBinding"]) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let mut objects = Vec::new();
    let mut checked = 0;
    for b in bindings(c).filter(|b| !builtin(b)) {
        checked += 1;
        let Some(role) = role_of(c, b) else { continue };
        if !role_allows(role, g) {
            continue;
        }
        let subjects: Vec<String> = b
            .get("subjects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|sub| !system_subject(sub))
            .map(subject_text)
            .collect();
        if subjects.is_empty() {
            continue;
        }
        // kubeadm's own binding for admin.conf is reviewed, as in 5.1.1.
        let review =
            is_system_ns(namespace(b)) || s(b, "/metadata/name") == "kubeadm:cluster-admins";
        object_push(
            &mut objects,
            s(b, "/kind"),
            qualified(b),
            if review { Verdict::Warn } else { Verdict::Fail },
            format!(
                "gives {} the {} {}, which can {}",
                subjects.join(", "),
                s(b, "/roleRef/kind"),
                s(b, "/roleRef/name"),
                g.what
            ),
        );
    }
    if objects.is_empty() {
        return Outcome::pass(format!(
            "no binding outside the built-in ones gives a non-system subject the right to {} ({checked} bindings checked)",
            g.what
        ));
    }
    objects_outcome("bindings", objects)
}

/// Per-object outcomes combined, naming the objects behind the verdict (at most ten).
fn objects_outcome(plural: &str, objects: Vec<ObjectOutcome>) -> Outcome {
    let mut o = Outcome::from_objects(plural, objects);
    let names: Vec<&str> = o
        .objects
        .iter()
        .filter(|x| x.verdict == o.verdict)
        .map(|x| x.name.as_str())
        .collect();
    let shown = names
        .iter()
        .take(10)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let more = if names.len() > 10 {
        format!(" and {} more", names.len() - 10)
    } else {
        String::new()
    };
    o.evidence = format!(
        "{} of {} {plural} {}: {shown}{more}",
        names.len(),
        o.objects.len(),
        o.verdict.as_str()
    );
    o
}

fn object_push(out: &mut Vec<ObjectOutcome>, kind: &str, name: String, v: Verdict, ev: String) {
    let kind: &'static str = match kind {
        "ClusterRoleBinding" => "clusterrolebinding",
        "RoleBinding" => "rolebinding",
        "ClusterRole" => "clusterrole",
        "Role" => "role",
        _ => "object",
    };
    out.push(object(kind, name, v, ev));
}

fn cluster_admin_bindings(ctx: &Context) -> Outcome {
    let c = match cluster_with(ctx, &["ClusterRoleBinding"]) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let mut objects = Vec::new();
    for b in bindings(c) {
        if s(b, "/roleRef/kind") != "ClusterRole" || s(b, "/roleRef/name") != "cluster-admin" {
            continue;
        }
        let name = s(b, "/metadata/name");
        if builtin(b) && name == "cluster-admin" {
            continue;
        }
        let subjects: Vec<String> = b
            .get("subjects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(subject_text)
            .collect();
        let (verdict, note) = if name == "kubeadm:cluster-admins" {
            (
                Verdict::Warn,
                "kubeadm's binding for admin.conf; review who holds admin.conf",
            )
        } else if builtin(b) {
            (Verdict::Warn, "built-in binding; review")
        } else {
            (Verdict::Fail, "")
        };
        object_push(
            &mut objects,
            s(b, "/kind"),
            qualified(b),
            verdict,
            format!(
                "cluster-admin for {}{}{note}",
                subjects.join(", "),
                if note.is_empty() { "" } else { ": " }
            ),
        );
    }
    if objects.is_empty() {
        return Outcome::pass(
            "only the built-in cluster-admin binding (group system:masters) uses cluster-admin",
        );
    }
    objects_outcome("bindings", objects)
}

fn secrets_access(ctx: &Context) -> Outcome {
    grant_check(
        ctx,
        &Grant {
            groups: Some(&[""]),
            resources: Some(&["secrets"]),
            verbs: &["get", "list", "watch"],
            what: "read Secrets",
        },
    )
}

fn rbac_wildcards(ctx: &Context) -> Outcome {
    let c = match cluster_with(ctx, &["ClusterRole"]) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let mut objects = Vec::new();
    let mut checked = 0;
    for role in c
        .of_kind("ClusterRole")
        .chain(c.of_kind("Role"))
        .filter(|r| !builtin(r))
    {
        checked += 1;
        let mut where_ = Vec::new();
        for rule in role
            .get("rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for field in ["apiGroups", "resources", "verbs"] {
                if strs(rule.get(field)).contains(&"*") && !where_.contains(&field) {
                    where_.push(field);
                }
            }
        }
        if !where_.is_empty() {
            let system = is_system_ns(namespace(role));
            object_push(
                &mut objects,
                s(role, "/kind"),
                qualified(role),
                if system { Verdict::Warn } else { Verdict::Fail },
                format!("`*` in {}", where_.join(", ")),
            );
        }
    }
    if objects.is_empty() {
        return Outcome::pass(format!(
            "no wildcard in {checked} roles outside the built-in ones"
        ));
    }
    objects_outcome("roles", objects)
}

fn pod_create(ctx: &Context) -> Outcome {
    grant_check(
        ctx,
        &Grant {
            groups: Some(&["", "apps", "batch"]),
            resources: Some(&[
                "pods",
                "deployments",
                "daemonsets",
                "statefulsets",
                "replicasets",
                "jobs",
                "cronjobs",
                "replicationcontrollers",
            ]),
            verbs: &["create"],
            what: "create pods or workloads",
        },
    )
}

fn default_service_accounts(ctx: &Context) -> Outcome {
    let c = match cluster_with(ctx, &["ServiceAccount"]) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let mut objects = Vec::new();
    for sa in c
        .of_kind("ServiceAccount")
        .filter(|sa| s(sa, "/metadata/name") == "default")
    {
        let ns = namespace(sa);
        let automount = sa
            .get("automountServiceAccountToken")
            .and_then(Value::as_bool);
        let bound: Vec<String> = bindings(c)
            .filter(|b| {
                b.get("subjects")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .any(|sub| {
                        s(sub, "/kind") == "ServiceAccount"
                            && s(sub, "/name") == "default"
                            && s(sub, "/namespace") == ns
                    })
            })
            .map(qualified)
            .collect();
        let mut problems = Vec::new();
        if automount != Some(false) {
            problems.push(format!(
                "automountServiceAccountToken {}",
                automount.map_or("unset (true)".to_string(), |b| b.to_string())
            ));
        }
        if !bound.is_empty() {
            problems.push(format!("bound by {}", bound.join(", ")));
        }
        let verdict = match (problems.is_empty(), is_system_ns(ns)) {
            (true, _) => Verdict::Pass,
            (false, true) => Verdict::Warn,
            (false, false) => Verdict::Fail,
        };
        let ev = if problems.is_empty() {
            "automountServiceAccountToken false, no bindings".to_string()
        } else {
            problems.join("; ")
        };
        objects.push(object("serviceaccount", qualified(sa), verdict, ev));
    }
    if objects.is_empty() {
        return Outcome::skip("no default ServiceAccount in the dump");
    }
    objects_outcome("default service accounts", objects)
}

// ---- Pods -----------------------------------------------------------------------------------

/// A pod the checks judge: a Pod object, or a workload controller's pod template when the dump
/// holds no pods. `name` is the `pod` object name every per-pod check reports (`pod ns/name`,
/// `deployment ns/name`), so the threat model can match its elements to these outcomes.
pub(crate) struct PodSpec<'a> {
    pub name: String,
    pub namespace: &'a str,
    /// The Pod or controller object.
    pub object: &'a Value,
    pub spec: &'a Value,
}

/// Pods to judge: Pod objects, else the pod templates of workload controllers.
pub(crate) fn pods(c: &ClusterFacts) -> Vec<PodSpec<'_>> {
    let mut out: Vec<PodSpec> = c
        .of_kind("Pod")
        .filter_map(|p| {
            Some(PodSpec {
                name: format!("pod {}", qualified(p)),
                namespace: namespace(p),
                object: p,
                spec: p.get("spec")?,
            })
        })
        .collect();
    if out.is_empty() {
        for kind in [
            "Deployment",
            "DaemonSet",
            "StatefulSet",
            "ReplicaSet",
            "Job",
            "ReplicationController",
        ] {
            for o in c.of_kind(kind) {
                if let Some(spec) = o.pointer("/spec/template/spec") {
                    out.push(PodSpec {
                        name: format!("{} {}", kind.to_lowercase(), qualified(o)),
                        namespace: namespace(o),
                        object: o,
                        spec,
                    });
                }
            }
        }
        for o in c.of_kind("CronJob") {
            if let Some(spec) = o.pointer("/spec/jobTemplate/spec/template/spec") {
                out.push(PodSpec {
                    name: format!("cronjob {}", qualified(o)),
                    namespace: namespace(o),
                    object: o,
                    spec,
                });
            }
        }
    }
    out
}

/// Pods to judge as (object name, namespace, pod spec).
fn pod_specs(c: &ClusterFacts) -> Vec<(String, &str, &Value)> {
    pods(c)
        .into_iter()
        .map(|p| (p.name, p.namespace, p.spec))
        .collect()
}

fn containers(spec: &Value) -> impl Iterator<Item = &Value> {
    ["containers", "initContainers", "ephemeralContainers"]
        .into_iter()
        .flat_map(move |k| spec.get(k).and_then(Value::as_array).into_iter().flatten())
}

fn cname(c: &Value) -> &str {
    s(c, "/name")
}

/// Run a per-pod rule (returns a verdict and evidence when the pod is not compliant; a failure
/// in a system namespace becomes a review).
fn each_pod(ctx: &Context, what: &str, rule: fn(&Value) -> Option<(Verdict, String)>) -> Outcome {
    let c = match cluster_pods(ctx) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let pods = pod_specs(c);
    if pods.is_empty() {
        return Outcome::skip(format!(
            "the cluster dump {} holds no pods or workloads (add `kubectl get pods -A -o json`)",
            c.dir
        ));
    }
    let total = pods.len();
    let mut objects = Vec::new();
    for (name, ns, spec) in pods {
        if let Some((mut v, ev)) = rule(spec) {
            if v == Verdict::Fail && is_system_ns(ns) {
                v = Verdict::Warn;
            }
            objects.push(object("pod", name, v, ev));
        }
    }
    if objects.is_empty() {
        return Outcome::pass(format!("none of {total} pods {what}"));
    }
    let mut o = objects_outcome("pods", objects);
    o.evidence = format!("{} (of {total} pods)", o.evidence);
    o
}

fn flag_containers(spec: &Value, test: fn(&Value) -> Option<String>) -> Option<(Verdict, String)> {
    let hits: Vec<String> = containers(spec)
        .filter_map(|c| test(c).map(|t| format!("{}: {t}", cname(c))))
        .collect();
    (!hits.is_empty()).then(|| (Verdict::Fail, hits.join("; ")))
}

fn privileged(ctx: &Context) -> Outcome {
    each_pod(ctx, "run privileged containers", |spec| {
        flag_containers(spec, |c| {
            (c.pointer("/securityContext/privileged") == Some(&Value::Bool(true)))
                .then(|| "privileged: true".into())
        })
    })
}

fn pod_flag(spec: &Value, key: &str) -> Option<(Verdict, String)> {
    (spec.get(key) == Some(&Value::Bool(true))).then(|| (Verdict::Fail, format!("{key}: true")))
}

fn host_pid(ctx: &Context) -> Outcome {
    each_pod(ctx, "share the host PID namespace", |spec| {
        pod_flag(spec, "hostPID")
    })
}

fn host_ipc(ctx: &Context) -> Outcome {
    each_pod(ctx, "share the host IPC namespace", |spec| {
        pod_flag(spec, "hostIPC")
    })
}

fn host_network(ctx: &Context) -> Outcome {
    each_pod(ctx, "use the host network", |spec| {
        pod_flag(spec, "hostNetwork")
    })
}

fn privilege_escalation(ctx: &Context) -> Outcome {
    each_pod(ctx, "allow privilege escalation", |spec| {
        let mut explicit = Vec::new();
        let mut unset = Vec::new();
        for c in containers(spec) {
            match c.pointer("/securityContext/allowPrivilegeEscalation") {
                Some(Value::Bool(false)) => {}
                Some(Value::Bool(true)) => explicit.push(cname(c).to_string()),
                _ => unset.push(cname(c).to_string()),
            }
        }
        if !explicit.is_empty() {
            Some((
                Verdict::Fail,
                format!("allowPrivilegeEscalation: true in {}", explicit.join(", ")),
            ))
        } else if !unset.is_empty() {
            Some((
                Verdict::Warn,
                format!(
                    "allowPrivilegeEscalation unset (allowed) in {}",
                    unset.join(", ")
                ),
            ))
        } else {
            None
        }
    })
}

fn run_as_root(ctx: &Context) -> Outcome {
    each_pod(ctx, "run containers as root", |spec| {
        let pod_nonroot = spec
            .pointer("/securityContext/runAsNonRoot")
            .and_then(Value::as_bool);
        let pod_user = spec
            .pointer("/securityContext/runAsUser")
            .and_then(Value::as_i64);
        let mut root = Vec::new();
        let mut unknown = Vec::new();
        for c in containers(spec) {
            let user = c
                .pointer("/securityContext/runAsUser")
                .and_then(Value::as_i64)
                .or(pod_user);
            let nonroot = c
                .pointer("/securityContext/runAsNonRoot")
                .and_then(Value::as_bool)
                .or(pod_nonroot);
            match (user, nonroot) {
                (Some(0), _) => root.push(format!("{} (runAsUser 0)", cname(c))),
                (Some(_), _) | (None, Some(true)) => {}
                (None, _) => unknown.push(cname(c).to_string()),
            }
        }
        if !root.is_empty() {
            Some((Verdict::Fail, root.join(", ")))
        } else if !unknown.is_empty() {
            Some((
                Verdict::Warn,
                format!(
                    "no runAsNonRoot/runAsUser for {}: runs as the image's user",
                    unknown.join(", ")
                ),
            ))
        } else {
            None
        }
    })
}

fn caps(c: &Value, which: &str) -> Vec<String> {
    strs(c.pointer(&format!("/securityContext/capabilities/{which}")))
        .into_iter()
        .map(|s| s.trim_start_matches("CAP_").to_uppercase())
        .collect()
}

fn net_raw(ctx: &Context) -> Outcome {
    each_pod(ctx, "keep NET_RAW", |spec| {
        let mut added = Vec::new();
        let mut kept = Vec::new();
        for c in containers(spec) {
            if caps(c, "add").iter().any(|x| x == "NET_RAW" || x == "ALL") {
                added.push(cname(c).to_string());
            } else if !caps(c, "drop").iter().any(|x| x == "NET_RAW" || x == "ALL") {
                kept.push(cname(c).to_string());
            }
        }
        if !added.is_empty() {
            Some((
                Verdict::Fail,
                format!("NET_RAW added in {}", added.join(", ")),
            ))
        } else if !kept.is_empty() {
            Some((
                Verdict::Fail,
                format!("NET_RAW not dropped in {}", kept.join(", ")),
            ))
        } else {
            None
        }
    })
}

fn added_capabilities(ctx: &Context) -> Outcome {
    each_pod(ctx, "add capabilities", |spec| {
        let mut hits = Vec::new();
        let mut only_bind = true;
        for c in containers(spec) {
            let add = caps(c, "add");
            if !add.is_empty() {
                only_bind &= add.iter().all(|x| x == "NET_BIND_SERVICE");
                hits.push(format!("{}: {}", cname(c), add.join(", ")));
            }
        }
        (!hits.is_empty()).then(|| {
            (
                if only_bind {
                    Verdict::Warn
                } else {
                    Verdict::Fail
                },
                format!("added {}", hits.join("; ")),
            )
        })
    })
}

fn windows_host_process(ctx: &Context) -> Outcome {
    each_pod(ctx, "run Windows HostProcess containers", |spec| {
        let pod =
            spec.pointer("/securityContext/windowsOptions/hostProcess") == Some(&Value::Bool(true));
        let hit = pod
            || containers(spec).any(|c| {
                c.pointer("/securityContext/windowsOptions/hostProcess") == Some(&Value::Bool(true))
            });
        hit.then(|| (Verdict::Fail, "windowsOptions.hostProcess: true".into()))
    })
}

fn host_path(ctx: &Context) -> Outcome {
    each_pod(ctx, "mount hostPath volumes", |spec| {
        let paths: Vec<String> = spec
            .get("volumes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.pointer("/hostPath/path").and_then(Value::as_str))
            .map(str::to_string)
            .collect();
        (!paths.is_empty()).then(|| (Verdict::Fail, format!("hostPath {}", paths.join(", "))))
    })
}

fn host_port(ctx: &Context) -> Outcome {
    each_pod(ctx, "use host ports", |spec| {
        flag_containers(spec, |c| {
            let ports: Vec<String> = c
                .get("ports")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| p.get("hostPort").and_then(Value::as_i64))
                .filter(|p| *p != 0)
                .map(|p| p.to_string())
                .collect();
            (!ports.is_empty()).then(|| format!("hostPort {}", ports.join(", ")))
        })
    })
}

fn secrets_as_env(ctx: &Context) -> Outcome {
    each_pod(ctx, "take Secrets as environment variables", |spec| {
        flag_containers(spec, |c| {
            let mut names: Vec<String> = c
                .get("env")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|e| {
                    e.pointer("/valueFrom/secretKeyRef/name")
                        .and_then(Value::as_str)
                        .map(|sec| format!("{}={sec}", s(e, "/name")))
                })
                .collect();
            names.extend(
                c.get("envFrom")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e.pointer("/secretRef/name").and_then(Value::as_str))
                    .map(|sec| format!("envFrom {sec}")),
            );
            (!names.is_empty()).then(|| format!("Secret env {}", names.join(", ")))
        })
    })
}

fn seccomp_profile(ctx: &Context) -> Outcome {
    each_pod(ctx, "run without a seccomp profile", |spec| {
        let pod = s(spec, "/securityContext/seccompProfile/type");
        let mut unconfined = Vec::new();
        let mut unset = Vec::new();
        for c in containers(spec) {
            let t = match s(c, "/securityContext/seccompProfile/type") {
                "" => pod,
                t => t,
            };
            match t {
                "RuntimeDefault" | "Localhost" => {}
                "Unconfined" => unconfined.push(cname(c).to_string()),
                _ => unset.push(cname(c).to_string()),
            }
        }
        if !unconfined.is_empty() {
            Some((
                Verdict::Fail,
                format!("Unconfined: {}", unconfined.join(", ")),
            ))
        } else if !unset.is_empty() {
            Some((
                Verdict::Warn,
                format!(
                    "no seccompProfile for {} (Unconfined unless the kubelet's seccompDefault is on)",
                    unset.join(", ")
                ),
            ))
        } else {
            None
        }
    })
}

fn security_context(ctx: &Context) -> Outcome {
    each_pod(ctx, "lack a securityContext", |spec| {
        const HARDENING: &[&str] = &[
            "runAsNonRoot",
            "runAsUser",
            "readOnlyRootFilesystem",
            "allowPrivilegeEscalation",
            "capabilities",
            "seccompProfile",
        ];
        let has = |sc: Option<&Value>| {
            sc.and_then(Value::as_object)
                .is_some_and(|m| HARDENING.iter().any(|k| m.contains_key(*k)))
        };
        let pod = has(spec.get("securityContext"));
        let bare: Vec<String> = containers(spec)
            .filter(|c| !pod && !has(c.get("securityContext")))
            .map(|c| cname(c).to_string())
            .collect();
        (!bare.is_empty()).then(|| {
            (
                Verdict::Warn,
                format!("no hardening securityContext: {}", bare.join(", ")),
            )
        })
    })
}

fn default_namespace(ctx: &Context) -> Outcome {
    let c = match cluster_pods(ctx) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let pods = pod_specs(c);
    if pods.is_empty() {
        return Outcome::skip(format!(
            "the cluster dump {} holds no pods or workloads",
            c.dir
        ));
    }
    let objects: Vec<ObjectOutcome> = pods
        .iter()
        .filter(|(_, ns, _)| *ns == "default")
        .map(|(name, _, _)| {
            object(
                "pod",
                name.clone(),
                Verdict::Fail,
                "runs in namespace default".into(),
            )
        })
        .collect();
    if objects.is_empty() {
        return Outcome::pass(format!("no pod in namespace default ({} pods)", pods.len()));
    }
    objects_outcome("pods", objects)
}

fn token_automount(ctx: &Context) -> Outcome {
    let c = match cluster_with(ctx, &["Pod", "ServiceAccount"]) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let mut objects = Vec::new();
    let mut total = 0;
    for p in c.of_kind("Pod").filter(|p| !is_system_ns(namespace(p))) {
        total += 1;
        let sa_name = match s(p, "/spec/serviceAccountName") {
            "" => "default",
            n => n,
        };
        let pod_value = p
            .pointer("/spec/automountServiceAccountToken")
            .and_then(Value::as_bool);
        let sa_value = c
            .of_kind("ServiceAccount")
            .find(|sa| s(sa, "/metadata/name") == sa_name && namespace(sa) == namespace(p))
            .and_then(|sa| sa.get("automountServiceAccountToken"))
            .and_then(Value::as_bool);
        let (mounted, why) = match (pod_value, sa_value) {
            (Some(v), _) => (v, "pod"),
            (None, Some(v)) => (v, "service account"),
            (None, None) => (true, "default"),
        };
        if mounted {
            objects.push(object(
                "pod",
                format!("pod {}", qualified(p)),
                Verdict::Warn,
                format!("token of service account {sa_name} mounted ({why}); confirm the pod calls the API"),
            ));
        }
    }
    if objects.is_empty() {
        return Outcome::pass(format!(
            "no pod outside the system namespaces mounts a token ({total} pods)"
        ));
    }
    objects_outcome("pods", objects)
}

fn system_masters(ctx: &Context) -> Outcome {
    let c = match cluster_with(ctx, &["ClusterRoleBinding"]) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let mut objects = Vec::new();
    for b in bindings(c).filter(|b| !(builtin(b) && s(b, "/metadata/name") == "cluster-admin")) {
        let hit = b
            .get("subjects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|sub| s(sub, "/kind") == "Group" && s(sub, "/name") == "system:masters");
        if hit {
            object_push(
                &mut objects,
                s(b, "/kind"),
                qualified(b),
                Verdict::Fail,
                format!("binds group system:masters to {}", s(b, "/roleRef/name")),
            );
        }
    }
    if objects.is_empty() {
        return Outcome::pass(
            "no binding names system:masters besides the built-in cluster-admin binding (client certificates issued with that group are not visible in a dump)",
        );
    }
    objects_outcome("bindings", objects)
}

fn bind_escalate_impersonate(ctx: &Context) -> Outcome {
    grant_check(
        ctx,
        &Grant {
            groups: None,
            resources: None,
            verbs: &["bind", "escalate", "impersonate"],
            what: "bind, escalate or impersonate",
        },
    )
}

fn pv_create(ctx: &Context) -> Outcome {
    grant_check(
        ctx,
        &Grant {
            groups: Some(&[""]),
            resources: Some(&["persistentvolumes"]),
            verbs: &["create"],
            what: "create PersistentVolumes",
        },
    )
}

fn nodes_proxy(ctx: &Context) -> Outcome {
    grant_check(
        ctx,
        &Grant {
            groups: Some(&[""]),
            resources: Some(&["nodes/proxy"]),
            verbs: &["get", "create", "update", "patch", "delete", "*"],
            what: "use nodes/proxy",
        },
    )
}

fn csr_approval(ctx: &Context) -> Outcome {
    grant_check(
        ctx,
        &Grant {
            groups: Some(&["certificates.k8s.io"]),
            resources: Some(&["certificatesigningrequests/approval"]),
            verbs: &["update", "patch"],
            what: "approve CSRs",
        },
    )
}

fn webhook_config(ctx: &Context) -> Outcome {
    grant_check(
        ctx,
        &Grant {
            groups: Some(&["admissionregistration.k8s.io"]),
            resources: Some(&[
                "validatingwebhookconfigurations",
                "mutatingwebhookconfigurations",
            ]),
            verbs: &["create", "update", "patch", "delete"],
            what: "change admission webhooks",
        },
    )
}

fn sa_token_create(ctx: &Context) -> Outcome {
    grant_check(
        ctx,
        &Grant {
            groups: Some(&[""]),
            resources: Some(&["serviceaccounts/token"]),
            verbs: &["create"],
            what: "create service-account tokens",
        },
    )
}

// ---- Namespaces -----------------------------------------------------------------------------

fn user_namespaces(c: &ClusterFacts) -> Vec<&Value> {
    c.of_kind("Namespace")
        .filter(|n| !is_system_ns(s(n, "/metadata/name")))
        .collect()
}

/// Known policy engines' webhooks, by name.
fn policy_engines(c: &ClusterFacts) -> Vec<String> {
    c.of_kind("ValidatingWebhookConfiguration")
        .chain(c.of_kind("MutatingWebhookConfiguration"))
        .map(|w| s(w, "/metadata/name").to_string())
        .filter(|n| {
            ["kyverno", "gatekeeper", "kubewarden", "policy"]
                .iter()
                .any(|k| n.contains(k))
        })
        .collect()
}

fn pod_security_admission(ctx: &Context) -> Outcome {
    let c = match cluster_with(ctx, &["Namespace"]) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let engines = policy_engines(c);
    let vap = c.of_kind("ValidatingAdmissionPolicyBinding").count();
    let objects: Vec<ObjectOutcome> = user_namespaces(c)
        .into_iter()
        .map(|n| {
            let level = s(n, "/metadata/labels/pod-security.kubernetes.io~1enforce");
            let name = s(n, "/metadata/name").to_string();
            match level {
                "baseline" | "restricted" => {
                    object("namespace", name, Verdict::Pass, format!("enforce={level}"))
                }
                other => {
                    let what = if other.is_empty() { "no enforce label".to_string() } else { format!("enforce={other}") };
                    if engines.is_empty() && vap == 0 {
                        object("namespace", name, Verdict::Fail, what)
                    } else {
                        object(
                            "namespace",
                            name,
                            Verdict::Warn,
                            format!("{what}; review the policy engine ({}{} ValidatingAdmissionPolicyBindings)", if engines.is_empty() { String::new() } else { format!("{}, ", engines.join(", ")) }, vap),
                        )
                    }
                }
            }
        })
        .collect();
    if objects.is_empty() {
        return Outcome::skip("no namespace outside the system ones");
    }
    objects_outcome("namespaces", objects)
}

fn namespace_network_policy(ctx: &Context) -> Outcome {
    let c = match cluster_with(ctx, &["Namespace", "NetworkPolicy"]) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let objects: Vec<ObjectOutcome> = user_namespaces(c)
        .into_iter()
        .map(|n| {
            let name = s(n, "/metadata/name");
            let policies: Vec<&str> = c
                .of_kind("NetworkPolicy")
                .filter(|p| namespace(p) == name)
                .map(|p| s(p, "/metadata/name"))
                .collect();
            if policies.is_empty() {
                object(
                    "namespace",
                    name.to_string(),
                    Verdict::Fail,
                    "no NetworkPolicy: all pod traffic allowed".into(),
                )
            } else {
                object(
                    "namespace",
                    name.to_string(),
                    Verdict::Pass,
                    format!("NetworkPolicies: {}", policies.join(", ")),
                )
            }
        })
        .collect();
    if objects.is_empty() {
        return Outcome::skip("no namespace outside the system ones");
    }
    objects_outcome("namespaces", objects)
}

fn namespace_resource_limits(ctx: &Context) -> Outcome {
    let c = match cluster_with(ctx, &["Namespace", "LimitRange", "ResourceQuota"]) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let objects: Vec<ObjectOutcome> = user_namespaces(c)
        .into_iter()
        .map(|n| {
            let name = s(n, "/metadata/name");
            let count = |kind: &str| c.of_kind(kind).filter(|o| namespace(o) == name).count();
            let (lr, rq) = (count("LimitRange"), count("ResourceQuota"));
            let v = if lr + rq > 0 {
                Verdict::Pass
            } else {
                Verdict::Fail
            };
            object(
                "namespace",
                name.to_string(),
                v,
                format!("{lr} LimitRange, {rq} ResourceQuota"),
            )
        })
        .collect();
    if objects.is_empty() {
        return Outcome::skip("no namespace outside the system ones");
    }
    objects_outcome("namespaces", objects)
}

fn namespace_boundaries(ctx: &Context) -> Outcome {
    let c = match cluster_with(ctx, &["Namespace"]) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let pods = pod_specs(c);
    let list: Vec<String> = user_namespaces(c)
        .into_iter()
        .map(|n| {
            let name = s(n, "/metadata/name");
            format!(
                "{name} ({} pods)",
                pods.iter().filter(|(_, ns, _)| *ns == name).count()
            )
        })
        .collect();
    Outcome::warn(format!(
        "namespaces: {}; review that teams and trust levels are separated",
        if list.is_empty() {
            "none besides the system ones".into()
        } else {
            list.join(", ")
        }
    ))
}

// ---- Review items and own checks ------------------------------------------------------------

fn cni_network_policy(ctx: &Context) -> Outcome {
    let cni: Vec<String> = ctx
        .facts
        .host
        .files
        .keys()
        .filter(|p| p.starts_with("/etc/cni/net.d/"))
        .cloned()
        .collect();
    let node = if cni.is_empty() {
        "no CNI configuration seen on this node".to_string()
    } else {
        format!("CNI configuration on this node: {}", cni.join(", "))
    };
    review(
        ctx,
        None,
        &format!("{node}; confirm the CNI plugin enforces NetworkPolicy (plain flannel does not)"),
    )
}

fn external_secrets(ctx: &Context) -> Outcome {
    review(
        ctx,
        None,
        "review whether sensitive secrets belong in an external store (Vault, a cloud KMS-backed store) rather than only in Kubernetes Secrets",
    )
}

fn image_provenance(ctx: &Context) -> Outcome {
    if let Some(api) = ctx.facts.kube.component(API)
        && api
            .flags()
            .list("enable-admission-plugins")
            .unwrap_or_default()
            .iter()
            .any(|p| p == "ImagePolicyWebhook")
    {
        return Outcome::pass(format!(
            "ImagePolicyWebhook admission plugin enabled {}",
            from(api)
        ));
    }
    let verifiers: Vec<String> = match &ctx.facts.kube.cluster {
        Some(Observed::Seen(c)) => c
            .of_kind("ValidatingWebhookConfiguration")
            .chain(c.of_kind("MutatingWebhookConfiguration"))
            .map(|w| s(w, "/metadata/name").to_string())
            .filter(|n| {
                [
                    "kyverno",
                    "policy.sigstore",
                    "connaisseur",
                    "ratify",
                    "image",
                ]
                .iter()
                .any(|k| n.contains(k))
            })
            .collect(),
        _ => vec![],
    };
    if !verifiers.is_empty() {
        return Outcome::warn(format!(
            "admission webhooks that may verify images: {}; confirm they enforce signatures or provenance",
            verifiers.join(", ")
        ));
    }
    review(
        ctx,
        None,
        "no ImagePolicyWebhook plugin and no image-verification webhook seen; review how image provenance is enforced",
    )
}

fn benchmark_version(ctx: &Context) -> Outcome {
    let kube = &ctx.facts.kube;
    if !kube.any_component() && kube.cluster.is_none() {
        return Outcome::skip(no_kubernetes(kube));
    }
    let v = &kube.version;
    let other = if v.other.is_empty() {
        String::new()
    } else {
        format!("; also seen: {}", v.other.join(", "))
    };
    match (v.version.as_deref(), v.in_cis_1_12()) {
        (Some(ver), Some(true)) => Outcome::pass(format!(
            "{ver} ({}) is covered by CIS Kubernetes Benchmark v1.12 (1.32–1.34){other}",
            v.source
        )),
        (Some(ver), _) => Outcome::warn(format!(
            "{ver} ({}) is outside CIS Kubernetes Benchmark v1.12 (1.32–1.34): its checks ran with the v1.12 rules and 1.32–1.34 defaults{other}",
            v.source
        )),
        (None, _) => Outcome::warn(format!(
            "Kubernetes version unknown ({}); checks ran with the CIS v1.12 rules and 1.32–1.34 defaults",
            v.source
        )),
    }
}
