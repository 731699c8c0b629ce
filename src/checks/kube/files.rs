//! Sections 1.1 and 4.1: control-plane and worker node configuration files (mode and owner).

use super::*;
use crate::checks::{
    Assessment::*, Check, Component, Context, Doc, Evaluate, Level::*, Outcome, Severity::*,
};

pub const CHECKS: &[Check] = &[
    Check {
        slug: "k8s-file-apiserver-manifest-mode",
        ids: &[(K112, "1.1.1")],
        title: "API server static-pod manifest mode 600 or tighter",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the kube-apiserver static pod manifest is readable and writable by its owner only.",
            why: "Whoever can write the manifest changes the API server's flags and image, and the kubelet restarts it as they wrote it (full cluster takeover).",
            evidence: "Mode of the static pod manifest that runs kube-apiserver (found by parsing the static pod directory), with its parent directory.",
            remediation: "`chmod 600 /etc/kubernetes/manifests/kube-apiserver.yaml`",
            references: "",
        },
        evaluate: Evaluate::Context(apiserver_manifest_mode),
    },
    Check {
        slug: "k8s-file-apiserver-manifest-owner",
        ids: &[(K112, "1.1.2")],
        title: "API server static-pod manifest owned by root:root",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the kube-apiserver static pod manifest is owned by root:root.",
            why: "A non-root owner can rewrite the API server's static pod and so its flags.",
            evidence: "Owner and group of the kube-apiserver manifest, names from the host's /etc/passwd and /etc/group.",
            remediation: "`chown root:root /etc/kubernetes/manifests/kube-apiserver.yaml`",
            references: "",
        },
        evaluate: Evaluate::Context(apiserver_manifest_owner),
    },
    Check {
        slug: "k8s-file-controller-manager-manifest-mode",
        ids: &[(K112, "1.1.3")],
        title: "Controller manager static-pod manifest mode 600 or tighter",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeControllerManager,
        doc: Doc {
            what: "Checks that the kube-controller-manager static pod manifest is readable and writable by its owner only.",
            why: "Writing the manifest changes the controller manager's flags (its service-account signing key, its controllers).",
            evidence: "Mode of the static pod manifest that runs kube-controller-manager.",
            remediation: "`chmod 600 /etc/kubernetes/manifests/kube-controller-manager.yaml`",
            references: "",
        },
        evaluate: Evaluate::Context(controller_manager_manifest_mode),
    },
    Check {
        slug: "k8s-file-controller-manager-manifest-owner",
        ids: &[(K112, "1.1.4")],
        title: "Controller manager static-pod manifest owned by root:root",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeControllerManager,
        doc: Doc {
            what: "Checks that the kube-controller-manager static pod manifest is owned by root:root.",
            why: "A non-root owner can rewrite the controller manager's static pod.",
            evidence: "Owner of the kube-controller-manager manifest.",
            remediation: "`chown root:root /etc/kubernetes/manifests/kube-controller-manager.yaml`",
            references: "",
        },
        evaluate: Evaluate::Context(controller_manager_manifest_owner),
    },
    Check {
        slug: "k8s-file-scheduler-manifest-mode",
        ids: &[(K112, "1.1.5")],
        title: "Scheduler static-pod manifest mode 600 or tighter",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeScheduler,
        doc: Doc {
            what: "Checks that the kube-scheduler static pod manifest is readable and writable by its owner only.",
            why: "Writing the manifest changes the scheduler's flags and image.",
            evidence: "Mode of the static pod manifest that runs kube-scheduler.",
            remediation: "`chmod 600 /etc/kubernetes/manifests/kube-scheduler.yaml`",
            references: "",
        },
        evaluate: Evaluate::Context(scheduler_manifest_mode),
    },
    Check {
        slug: "k8s-file-scheduler-manifest-owner",
        ids: &[(K112, "1.1.6")],
        title: "Scheduler static-pod manifest owned by root:root",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeScheduler,
        doc: Doc {
            what: "Checks that the kube-scheduler static pod manifest is owned by root:root.",
            why: "A non-root owner can rewrite the scheduler's static pod.",
            evidence: "Owner of the kube-scheduler manifest.",
            remediation: "`chown root:root /etc/kubernetes/manifests/kube-scheduler.yaml`",
            references: "",
        },
        evaluate: Evaluate::Context(scheduler_manifest_owner),
    },
    Check {
        slug: "k8s-file-etcd-manifest-mode",
        ids: &[(K112, "1.1.7")],
        title: "etcd static-pod manifest mode 600 or tighter",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::Etcd,
        doc: Doc {
            what: "Checks that the etcd static pod manifest is readable and writable by its owner only.",
            why: "Writing the etcd manifest exposes or replaces the cluster's whole state store.",
            evidence: "Mode of the static pod manifest that runs etcd.",
            remediation: "`chmod 600 /etc/kubernetes/manifests/etcd.yaml`",
            references: "",
        },
        evaluate: Evaluate::Context(etcd_manifest_mode),
    },
    Check {
        slug: "k8s-file-etcd-manifest-owner",
        ids: &[(K112, "1.1.8")],
        title: "etcd static-pod manifest owned by root:root",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::Etcd,
        doc: Doc {
            what: "Checks that the etcd static pod manifest is owned by root:root.",
            why: "A non-root owner can rewrite etcd's static pod.",
            evidence: "Owner of the etcd manifest.",
            remediation: "`chown root:root /etc/kubernetes/manifests/etcd.yaml`",
            references: "",
        },
        evaluate: Evaluate::Context(etcd_manifest_owner),
    },
    Check {
        slug: "k8s-file-cni-config-mode",
        ids: &[(K112, "1.1.9")],
        title: "CNI configuration files mode 600 or tighter",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::KubeNetwork,
        doc: Doc {
            what: "Checks that container network interface config and state files are readable by their owner only.",
            why: "CNI configuration decides how pods are networked; a writable file lets a local user reroute or bridge pod traffic.",
            evidence: "Mode of every file under /etc/cni/net.d and /var/lib/cni/networks.",
            remediation: "`chmod 600` the CNI configuration files (check that the CNI plugin still reads them).",
            references: "",
        },
        evaluate: Evaluate::Context(cni_mode),
    },
    Check {
        slug: "k8s-file-cni-config-owner",
        ids: &[(K112, "1.1.10")],
        title: "CNI configuration files owned by root:root",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::KubeNetwork,
        doc: Doc {
            what: "Checks that container network interface config and state files are owned by root:root.",
            why: "A non-root owner can change pod networking.",
            evidence: "Owner of every file under /etc/cni/net.d and /var/lib/cni/networks.",
            remediation: "`chown root:root` the CNI configuration files.",
            references: "",
        },
        evaluate: Evaluate::Context(cni_owner),
    },
    Check {
        slug: "k8s-file-etcd-data-dir-mode",
        ids: &[(K112, "1.1.11")],
        title: "etcd data directory mode 700 or tighter",
        level: One,
        assessment: Automated,
        severity: High,
        component: Component::Etcd,
        doc: Doc {
            what: "Checks that the etcd data directory, which holds every cluster object including Secrets, is accessible to its owner only.",
            why: "The etcd data directory holds every object of the cluster, Secrets included (unencrypted unless encryption at rest is on).",
            evidence: "Mode of the directory named by etcd's `--data-dir` (or ETCD_DATA_DIR), translated to the host path through the static pod's hostPath mounts.",
            remediation: "`chmod 700 /var/lib/etcd` (the `--data-dir`).",
            references: "",
        },
        evaluate: Evaluate::Context(etcd_data_dir_mode),
    },
    Check {
        slug: "k8s-file-etcd-data-dir-owner",
        ids: &[(K112, "1.1.12")],
        title: "etcd data directory owned by etcd:etcd",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::Etcd,
        doc: Doc {
            what: "Checks that the etcd data directory belongs to a dedicated etcd user and group.",
            why: "Ownership by a dedicated etcd user keeps other accounts, root-run processes aside, from the cluster state.",
            evidence: "Owner of the etcd data directory; whether an `etcd` user exists on the host (kubeadm runs etcd as root and creates none).",
            remediation: "Create an `etcd` user and group, `chown etcd:etcd /var/lib/etcd`, and run etcd as that user (kubeadm: the RootlessControlPlane feature gate, or a securityContext in the manifest).",
            references: "",
        },
        evaluate: Evaluate::Context(etcd_data_dir_owner),
    },
    Check {
        slug: "k8s-file-admin-kubeconfig-mode",
        ids: &[(K112, "1.1.13")],
        title: "Admin kubeconfig files mode 600 or tighter",
        level: One,
        assessment: Automated,
        severity: Critical,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the cluster-admin credential files on the control-plane node are readable by their owner only.",
            why: "admin.conf and super-admin.conf hold cluster-admin credentials (super-admin.conf is in system:masters and bypasses RBAC); reading them is owning the cluster.",
            evidence: "Mode of /etc/kubernetes/admin.conf and /etc/kubernetes/super-admin.conf where they exist. The files are never read.",
            remediation: "`chmod 600 /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf`",
            references: "",
        },
        evaluate: Evaluate::Context(admin_kubeconfig_mode),
    },
    Check {
        slug: "k8s-file-admin-kubeconfig-owner",
        ids: &[(K112, "1.1.14")],
        title: "Admin kubeconfig files owned by root:root",
        level: One,
        assessment: Automated,
        severity: High,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the cluster-admin credential files are owned by root:root.",
            why: "A non-root owner holds cluster-admin credentials.",
            evidence: "Owner of admin.conf and super-admin.conf where they exist.",
            remediation: "`chown root:root /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf`",
            references: "",
        },
        evaluate: Evaluate::Context(admin_kubeconfig_owner),
    },
    Check {
        slug: "k8s-file-scheduler-kubeconfig-mode",
        ids: &[(K112, "1.1.15")],
        title: "scheduler.conf mode 600 or tighter",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeScheduler,
        doc: Doc {
            what: "Checks that the scheduler kubeconfig with its client key is readable by its owner only.",
            why: "The scheduler's kubeconfig holds its client credentials; with them one can impersonate the scheduler.",
            evidence: "Mode of the file named by kube-scheduler's `--kubeconfig` (kubeadm: /etc/kubernetes/scheduler.conf).",
            remediation: "`chmod 600 /etc/kubernetes/scheduler.conf`",
            references: "",
        },
        evaluate: Evaluate::Context(scheduler_kubeconfig_mode),
    },
    Check {
        slug: "k8s-file-scheduler-kubeconfig-owner",
        ids: &[(K112, "1.1.16")],
        title: "scheduler.conf owned by root:root",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeScheduler,
        doc: Doc {
            what: "Checks that the scheduler kubeconfig is owned by root:root.",
            why: "A non-root owner holds the scheduler's credentials.",
            evidence: "Owner of the scheduler's kubeconfig.",
            remediation: "`chown root:root /etc/kubernetes/scheduler.conf`",
            references: "",
        },
        evaluate: Evaluate::Context(scheduler_kubeconfig_owner),
    },
    Check {
        slug: "k8s-file-controller-manager-kubeconfig-mode",
        ids: &[(K112, "1.1.17")],
        title: "controller-manager.conf mode 600 or tighter",
        level: One,
        assessment: Automated,
        severity: High,
        component: Component::KubeControllerManager,
        doc: Doc {
            what: "Checks that the controller manager kubeconfig with its client key is readable by its owner only.",
            why: "The controller manager's kubeconfig holds credentials that can create service-account tokens and read every Secret.",
            evidence: "Mode of the file named by kube-controller-manager's `--kubeconfig` (kubeadm: /etc/kubernetes/controller-manager.conf).",
            remediation: "`chmod 600 /etc/kubernetes/controller-manager.conf`",
            references: "",
        },
        evaluate: Evaluate::Context(controller_manager_kubeconfig_mode),
    },
    Check {
        slug: "k8s-file-controller-manager-kubeconfig-owner",
        ids: &[(K112, "1.1.18")],
        title: "controller-manager.conf owned by root:root",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeControllerManager,
        doc: Doc {
            what: "Checks that the controller manager kubeconfig is owned by root:root.",
            why: "A non-root owner holds the controller manager's credentials.",
            evidence: "Owner of the controller manager's kubeconfig.",
            remediation: "`chown root:root /etc/kubernetes/controller-manager.conf`",
            references: "",
        },
        evaluate: Evaluate::Context(controller_manager_kubeconfig_owner),
    },
    Check {
        slug: "k8s-file-pki-owner",
        ids: &[(K112, "1.1.19")],
        title: "PKI directory and files owned by root:root",
        level: One,
        assessment: Automated,
        severity: High,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the cluster PKI directory and everything in it is owned by root:root.",
            why: "The PKI directory holds the cluster CA keys; whoever owns them can mint any identity.",
            evidence: "Owner of /etc/kubernetes/pki and of every file and directory under it.",
            remediation: "`chown -R root:root /etc/kubernetes/pki/`",
            references: "",
        },
        evaluate: Evaluate::Context(pki_owner),
    },
    Check {
        slug: "k8s-file-pki-cert-mode",
        ids: &[(K112, "1.1.20")],
        title: "PKI certificates mode 644 or tighter",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that cluster certificate files are not writable by group or others.",
            why: "Certificates are public, but a writable one can be swapped for an attacker's CA or server certificate.",
            evidence: "Mode of every `*.crt` under /etc/kubernetes/pki.",
            remediation: "`chmod -R 644 /etc/kubernetes/pki/*.crt` (and pki/etcd/*.crt).",
            references: "",
        },
        evaluate: Evaluate::Context(pki_cert_mode),
    },
    Check {
        slug: "k8s-file-pki-key-mode",
        ids: &[(K112, "1.1.21")],
        title: "PKI private keys mode 600",
        level: One,
        assessment: Manual,
        severity: Critical,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that cluster private keys, including the CA and service-account signing keys, are readable by their owner only.",
            why: "A readable private key (above all ca.key and sa.key) lets its reader mint client certificates or service-account tokens for any identity.",
            evidence: "Mode of every `*.key` under /etc/kubernetes/pki.",
            remediation: "`chmod -R 600 /etc/kubernetes/pki/*.key` (and pki/etcd/*.key).",
            references: "",
        },
        evaluate: Evaluate::Context(pki_key_mode),
    },
    Check {
        slug: "k8s-file-kubelet-service-mode",
        ids: &[(K112, "4.1.1")],
        title: "kubelet systemd unit mode 600 or tighter",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that the kubelet service unit and its drop-in are readable and writable by root only.",
            why: "The kubelet unit and its drop-ins set the kubelet's flags; writing them changes how the node authenticates and authorises callers.",
            evidence: "Mode of kubelet.service and every drop-in systemd applies to it, found on the real unit search path (/etc/systemd/system, /run/systemd/system, /usr/local/lib/systemd/system, /usr/lib/systemd/system, /lib/systemd/system).",
            remediation: "`chmod 600` kubelet.service and its drop-ins (e.g. /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf).",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_service_mode),
    },
    Check {
        slug: "k8s-file-kubelet-service-owner",
        ids: &[(K112, "4.1.2")],
        title: "kubelet systemd unit owned by root:root",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that the kubelet service unit and its drop-in are owned by root:root.",
            why: "A non-root owner can change the kubelet's flags.",
            evidence: "Owner of kubelet.service and its drop-ins.",
            remediation: "`chown root:root` kubelet.service and its drop-ins.",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_service_owner),
    },
    Check {
        slug: "k8s-file-proxy-kubeconfig-mode",
        ids: &[(K112, "4.1.3")],
        title: "kube-proxy kubeconfig mode 600 or tighter",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeProxy,
        doc: Doc {
            what: "Checks that a host-resident kube-proxy kubeconfig, if any, is readable by its owner only.",
            why: "kube-proxy's kubeconfig holds its credentials; readable, it lets a local user act as kube-proxy.",
            evidence: "The kubeconfig named by kube-proxy's `--kubeconfig` or `clientConnection.kubeconfig`, when it is a host file (on kubeadm it is mounted from a ConfigMap, so not applicable).",
            remediation: "`chmod 600` the kube-proxy kubeconfig file.",
            references: "",
        },
        evaluate: Evaluate::Context(proxy_kubeconfig_mode),
    },
    Check {
        slug: "k8s-file-proxy-kubeconfig-owner",
        ids: &[(K112, "4.1.4")],
        title: "kube-proxy kubeconfig owned by root:root",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeProxy,
        doc: Doc {
            what: "Checks that a host-resident kube-proxy kubeconfig, if any, is owned by root:root.",
            why: "A non-root owner holds kube-proxy's credentials.",
            evidence: "Owner of the kube-proxy kubeconfig, when it is a host file.",
            remediation: "`chown root:root` the kube-proxy kubeconfig file.",
            references: "",
        },
        evaluate: Evaluate::Context(proxy_kubeconfig_owner),
    },
    Check {
        slug: "k8s-file-kubelet-kubeconfig-mode",
        ids: &[(K112, "4.1.5")],
        title: "kubelet kubeconfig mode 600 or tighter",
        level: One,
        assessment: Automated,
        severity: High,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that the kubelet's API credentials file is readable by its owner only.",
            why: "The kubelet's kubeconfig holds the node's credentials; with them one can act as the node.",
            evidence: "Mode of the file named by the kubelet's `--kubeconfig` (kubeadm: /etc/kubernetes/kubelet.conf).",
            remediation: "`chmod 600 /etc/kubernetes/kubelet.conf`",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_kubeconfig_mode),
    },
    Check {
        slug: "k8s-file-kubelet-kubeconfig-owner",
        ids: &[(K112, "4.1.6")],
        title: "kubelet kubeconfig owned by root:root",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that the kubelet's API credentials file is owned by root:root.",
            why: "A non-root owner holds the node's credentials.",
            evidence: "Owner of the kubelet's kubeconfig.",
            remediation: "`chown root:root /etc/kubernetes/kubelet.conf`",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_kubeconfig_owner),
    },
    Check {
        slug: "k8s-file-kubelet-client-ca-mode",
        ids: &[(K112, "4.1.7")],
        title: "kubelet client CA file mode 644 or tighter",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that the CA bundle the kubelet uses to authenticate callers cannot be modified by group or others.",
            why: "A writable client CA lets a local user add a CA whose certificates the kubelet then trusts.",
            evidence: "Mode of the file named by `--client-ca-file` or `authentication.x509.clientCAFile`.",
            remediation: "`chmod 644 /etc/kubernetes/pki/ca.crt`",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_client_ca_mode),
    },
    Check {
        slug: "k8s-file-kubelet-client-ca-owner",
        ids: &[(K112, "4.1.8")],
        title: "kubelet client CA file owned by root:root",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that the CA bundle the kubelet uses to authenticate callers is owned by root:root.",
            why: "A non-root owner can replace the kubelet's client CA.",
            evidence: "Owner of the kubelet's client CA file.",
            remediation: "`chown root:root /etc/kubernetes/pki/ca.crt`",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_client_ca_owner),
    },
    Check {
        slug: "k8s-file-kubelet-config-mode",
        ids: &[(K112, "4.1.9")],
        title: "kubelet config file mode 600 or tighter",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that the kubelet configuration file is readable and writable by its owner only.",
            why: "The kubelet config file sets authentication, authorisation and ports; writing it opens the node.",
            evidence: "Mode of the file the kubelet reads with `--config`, with its parent directory (kubeadm: 0644 inside /var/lib/kubelet 0700, which keeps other users out but still differs from the benchmark).",
            remediation: "`chmod 600 /var/lib/kubelet/config.yaml`",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_config_mode),
    },
    Check {
        slug: "k8s-file-kubelet-config-owner",
        ids: &[(K112, "4.1.10")],
        title: "kubelet config file owned by root:root",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that the kubelet configuration file is owned by root:root.",
            why: "A non-root owner can change the kubelet's security settings.",
            evidence: "Owner of the kubelet config file.",
            remediation: "`chown root:root /var/lib/kubelet/config.yaml`",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_config_owner),
    },
];

use crate::checks::Verdict;
use crate::facts::kube::{ADMIN_KUBECONFIGS, CNI_DIRS, NamedFile, PKI_DIR};
use crate::facts::{FileKind, Observed};

/// The static pod manifest of a control-plane component, or why there is none.
fn manifest(ctx: &Context, kind: ComponentKind) -> Result<NamedFile, Outcome> {
    let c = component(ctx, kind)?;
    ctx.facts.kube.manifest_file(kind).ok_or_else(|| {
        Outcome::skip(format!(
            "{} does not run from a static pod manifest {}",
            kind.name(),
            from(c)
        ))
    })
}

fn manifest_mode(ctx: &Context, kind: ComponentKind) -> Outcome {
    match manifest(ctx, kind) {
        Ok(f) => modes(
            ctx,
            &[target(&f, WhenMissing::Error)],
            0o600,
            Verdict::Fail,
            "",
        ),
        Err(o) => o,
    }
}

fn manifest_owner(ctx: &Context, kind: ComponentKind) -> Outcome {
    match manifest(ctx, kind) {
        Ok(f) => owners(
            ctx,
            &[target(&f, WhenMissing::Error)],
            "root",
            "root",
            Verdict::Fail,
            "",
        ),
        Err(o) => o,
    }
}

fn apiserver_manifest_mode(ctx: &Context) -> Outcome {
    manifest_mode(ctx, API)
}
fn apiserver_manifest_owner(ctx: &Context) -> Outcome {
    manifest_owner(ctx, API)
}
fn controller_manager_manifest_mode(ctx: &Context) -> Outcome {
    manifest_mode(ctx, KCM)
}
fn controller_manager_manifest_owner(ctx: &Context) -> Outcome {
    manifest_owner(ctx, KCM)
}
fn scheduler_manifest_mode(ctx: &Context) -> Outcome {
    manifest_mode(ctx, SCHED)
}
fn scheduler_manifest_owner(ctx: &Context) -> Outcome {
    manifest_owner(ctx, SCHED)
}
fn etcd_manifest_mode(ctx: &Context) -> Outcome {
    manifest_mode(ctx, ETCD)
}
fn etcd_manifest_owner(ctx: &Context) -> Outcome {
    manifest_owner(ctx, ETCD)
}

/// Regular files under `root`, walked through the collected directory listings.
fn tree_files(ctx: &Context, root: &str, out: &mut Vec<String>, depth: usize) {
    let Observed::Seen(stat) = ctx.facts.host.file(root) else {
        return;
    };
    if stat.kind != FileKind::Dir || depth > 4 {
        if stat.kind == FileKind::File {
            out.push(root.to_string());
        }
        return;
    }
    for e in stat.entries.iter().flatten() {
        tree_files(
            ctx,
            &format!("{}/{e}", root.trim_end_matches('/')),
            out,
            depth + 1,
        );
    }
}

/// Every path (directories included) under `root`.
fn tree_all(ctx: &Context, root: &str, out: &mut Vec<String>, depth: usize) {
    let Observed::Seen(stat) = ctx.facts.host.file(root) else {
        return;
    };
    out.push(root.to_string());
    if stat.kind == FileKind::Dir && depth <= 4 {
        for e in stat.entries.iter().flatten() {
            tree_all(
                ctx,
                &format!("{}/{e}", root.trim_end_matches('/')),
                out,
                depth + 1,
            );
        }
    }
}

fn cni_files(ctx: &Context) -> Result<Vec<String>, Outcome> {
    if !ctx.facts.kube.any_component() {
        return Err(Outcome::skip(no_kubernetes(&ctx.facts.kube)));
    }
    let mut files = Vec::new();
    for d in CNI_DIRS {
        tree_files(ctx, d, &mut files, 0);
    }
    if files.is_empty() {
        return Err(Outcome::skip(format!(
            "no CNI configuration files under {}",
            CNI_DIRS.join(" or ")
        )));
    }
    Ok(files)
}

fn cni_mode(ctx: &Context) -> Outcome {
    match cni_files(ctx) {
        Ok(files) => {
            let targets: Vec<Target> = files
                .iter()
                .map(|p| Target {
                    path: p,
                    named_by: "CNI configuration",
                    missing: WhenMissing::Skip,
                })
                .collect();
            modes(ctx, &targets, 0o600, Verdict::Warn, "")
        }
        Err(o) => o,
    }
}

fn cni_owner(ctx: &Context) -> Outcome {
    match cni_files(ctx) {
        Ok(files) => {
            let targets: Vec<Target> = files
                .iter()
                .map(|p| Target {
                    path: p,
                    named_by: "CNI configuration",
                    missing: WhenMissing::Skip,
                })
                .collect();
            owners(ctx, &targets, "root", "root", Verdict::Warn, "")
        }
        Err(o) => o,
    }
}

fn etcd_data_dir(ctx: &Context) -> Result<NamedFile, Outcome> {
    let c = component(ctx, ETCD)?;
    ctx.facts.kube.etcd_data_dir().ok_or_else(|| {
        Outcome::error(format!(
            "etcd has no --data-dir and no ETCD_DATA_DIR: its data directory (default <name>.etcd in its working directory) is unknown {}",
            from(c)
        ))
    })
}

fn etcd_data_dir_mode(ctx: &Context) -> Outcome {
    named_file_mode(ctx, etcd_data_dir(ctx), 0o700, Verdict::Fail)
}

fn etcd_data_dir_owner(ctx: &Context) -> Outcome {
    let f = match etcd_data_dir(ctx) {
        Ok(f) => f,
        Err(o) => return o,
    };
    let mut o = owners(
        ctx,
        &[target(&f, WhenMissing::Error)],
        "etcd",
        "etcd",
        Verdict::Fail,
        "",
    );
    let has_etcd_user = ctx
        .facts
        .host
        .file_text("/etc/passwd")
        .seen()
        .is_some_and(|t| t.lines().any(|l| l.starts_with("etcd:")));
    if o.verdict == Verdict::Fail && !has_etcd_user {
        o.evidence.push_str(
            "; no etcd user exists on this host: etcd runs as root (as kubeadm sets it up), so create a dedicated user, chown the directory and run etcd as that user",
        );
    }
    o
}

fn admin_targets() -> Vec<Target<'static>> {
    ADMIN_KUBECONFIGS
        .iter()
        .map(|p| Target {
            path: p,
            named_by: "benchmark-named admin kubeconfig",
            missing: WhenMissing::Skip,
        })
        .collect()
}

fn admin_kubeconfig_mode(ctx: &Context) -> Outcome {
    if let Err(o) = component(ctx, API) {
        return o;
    }
    modes(ctx, &admin_targets(), 0o600, Verdict::Fail, "")
}

fn admin_kubeconfig_owner(ctx: &Context) -> Outcome {
    if let Err(o) = component(ctx, API) {
        return o;
    }
    owners(ctx, &admin_targets(), "root", "root", Verdict::Fail, "")
}

/// A component's kubeconfig: missing is an error when a flag names it, a skip for a default.
fn kubeconfig(ctx: &Context, kind: ComponentKind) -> Result<(NamedFile, WhenMissing), Outcome> {
    component(ctx, kind)?;
    let f = ctx
        .facts
        .kube
        .kubeconfig_file(kind)
        .ok_or_else(|| Outcome::skip(format!("{} names no kubeconfig", kind.name())))?;
    let missing = if f.named_by.contains("default path") {
        WhenMissing::Skip
    } else {
        WhenMissing::Error
    };
    Ok((f, missing))
}

fn kubeconfig_mode(ctx: &Context, kind: ComponentKind) -> Outcome {
    match kubeconfig(ctx, kind) {
        Ok((f, m)) => modes(ctx, &[target(&f, m)], 0o600, Verdict::Fail, ""),
        Err(o) => o,
    }
}

fn kubeconfig_owner(ctx: &Context, kind: ComponentKind) -> Outcome {
    match kubeconfig(ctx, kind) {
        Ok((f, m)) => owners(ctx, &[target(&f, m)], "root", "root", Verdict::Fail, ""),
        Err(o) => o,
    }
}

fn scheduler_kubeconfig_mode(ctx: &Context) -> Outcome {
    kubeconfig_mode(ctx, SCHED)
}
fn scheduler_kubeconfig_owner(ctx: &Context) -> Outcome {
    kubeconfig_owner(ctx, SCHED)
}
fn controller_manager_kubeconfig_mode(ctx: &Context) -> Outcome {
    kubeconfig_mode(ctx, KCM)
}
fn controller_manager_kubeconfig_owner(ctx: &Context) -> Outcome {
    kubeconfig_owner(ctx, KCM)
}

fn pki(ctx: &Context) -> Result<Vec<String>, Outcome> {
    component(ctx, API)?;
    match ctx.facts.host.file(PKI_DIR) {
        Observed::Seen(_) => {
            let mut all = Vec::new();
            tree_all(ctx, PKI_DIR, &mut all, 0);
            Ok(all)
        }
        Observed::Unavailable(u) if u.kind == crate::facts::UnavailableKind::NotFound => Err(
            Outcome::skip(format!("{PKI_DIR} does not exist on this host")),
        ),
        Observed::Unavailable(u) => Err(Outcome::error(u.reason)),
    }
}

fn pki_targets(paths: &[String]) -> Vec<Target<'_>> {
    paths
        .iter()
        .map(|p| Target {
            path: p,
            named_by: "cluster PKI",
            missing: WhenMissing::Skip,
        })
        .collect()
}

fn pki_owner(ctx: &Context) -> Outcome {
    match pki(ctx) {
        Ok(all) => owners(ctx, &pki_targets(&all), "root", "root", Verdict::Fail, ""),
        Err(o) => o,
    }
}

fn pki_suffix_mode(ctx: &Context, suffix: &str, max: u32) -> Outcome {
    match pki(ctx) {
        Ok(all) => {
            let files: Vec<String> = all.into_iter().filter(|p| p.ends_with(suffix)).collect();
            modes(
                ctx,
                &pki_targets(&files),
                max,
                Verdict::Warn,
                &format!("no *{suffix} files under {PKI_DIR}"),
            )
        }
        Err(o) => o,
    }
}

fn pki_cert_mode(ctx: &Context) -> Outcome {
    pki_suffix_mode(ctx, ".crt", 0o644)
}

fn pki_key_mode(ctx: &Context) -> Outcome {
    pki_suffix_mode(ctx, ".key", 0o600)
}

fn kubelet_units(ctx: &Context) -> Result<Vec<String>, Outcome> {
    let c = component(ctx, KUBELET)?;
    if ctx.facts.kube.kubelet_units.is_empty() {
        return Err(Outcome::skip(format!(
            "no kubelet.service unit file on the systemd search path {}",
            from(c)
        )));
    }
    Ok(ctx.facts.kube.kubelet_units.clone())
}

fn unit_targets(paths: &[String]) -> Vec<Target<'_>> {
    paths
        .iter()
        .map(|p| Target {
            path: p,
            named_by: "kubelet.service unit or drop-in",
            missing: WhenMissing::Error,
        })
        .collect()
}

fn kubelet_service_mode(ctx: &Context) -> Outcome {
    match kubelet_units(ctx) {
        Ok(u) => modes(ctx, &unit_targets(&u), 0o600, Verdict::Fail, ""),
        Err(o) => o,
    }
}

fn kubelet_service_owner(ctx: &Context) -> Outcome {
    match kubelet_units(ctx) {
        Ok(u) => owners(ctx, &unit_targets(&u), "root", "root", Verdict::Fail, ""),
        Err(o) => o,
    }
}

fn proxy_kubeconfig(ctx: &Context) -> Result<NamedFile, Outcome> {
    let c = component(ctx, PROXY)?;
    let Some(k) = &ctx.facts.kube.proxy_kubeconfig else {
        return Err(Outcome::skip(format!(
            "kube-proxy names no kubeconfig (no --kubeconfig, no readable clientConnection.kubeconfig) {}",
            from(c)
        )));
    };
    match &k.host_path {
        Some(p) => Ok(NamedFile {
            path: p.clone(),
            named_by: format!("kube-proxy {}", k.named_by),
        }),
        None => Err(Outcome::skip(format!(
            "kube-proxy's kubeconfig {} ({}) is not a file on the host: it is mounted into the kube-proxy pod (kubeadm: ConfigMap kube-system/kube-proxy)",
            k.path, k.named_by
        ))),
    }
}

fn proxy_kubeconfig_mode(ctx: &Context) -> Outcome {
    named_file_mode(ctx, proxy_kubeconfig(ctx), 0o600, Verdict::Fail)
}

fn proxy_kubeconfig_owner(ctx: &Context) -> Outcome {
    named_file_owner(ctx, proxy_kubeconfig(ctx), Verdict::Fail)
}

fn kubelet_kubeconfig_mode(ctx: &Context) -> Outcome {
    kubeconfig_mode(ctx, KUBELET)
}
fn kubelet_kubeconfig_owner(ctx: &Context) -> Outcome {
    kubeconfig_owner(ctx, KUBELET)
}

fn kubelet_client_ca(ctx: &Context) -> Result<NamedFile, Outcome> {
    let c = component(ctx, KUBELET)?;
    ctx.facts.kube.kubelet_client_ca().ok_or_else(|| {
        Outcome::skip(format!(
            "the kubelet names no client CA file (--client-ca-file, authentication.x509.clientCAFile); see 4.2.3 {}",
            from(c)
        ))
    })
}

fn kubelet_client_ca_mode(ctx: &Context) -> Outcome {
    named_file_mode(ctx, kubelet_client_ca(ctx), 0o644, Verdict::Warn)
}

fn kubelet_client_ca_owner(ctx: &Context) -> Outcome {
    named_file_owner(ctx, kubelet_client_ca(ctx), Verdict::Warn)
}

fn kubelet_config_file(ctx: &Context) -> Result<NamedFile, Outcome> {
    let c = component(ctx, KUBELET)?;
    ctx.facts.kube.kubelet_config_file().ok_or_else(|| {
        Outcome::skip(format!(
            "the kubelet reads no config file (no --config) {}",
            from(c)
        ))
    })
}

fn kubelet_config_mode(ctx: &Context) -> Outcome {
    named_file_mode(ctx, kubelet_config_file(ctx), 0o600, Verdict::Fail)
}

fn kubelet_config_owner(ctx: &Context) -> Outcome {
    named_file_owner(ctx, kubelet_config_file(ctx), Verdict::Fail)
}

/// Mode check of one file a component names (its client CA, config, ...); a missing file is an
/// error, since the component was told to read it.
fn named_file_mode(
    ctx: &Context,
    file: Result<NamedFile, Outcome>,
    max_mode: u32,
    on_wider: Verdict,
) -> Outcome {
    match file {
        Ok(f) => modes(
            ctx,
            &[target(&f, WhenMissing::Error)],
            max_mode,
            on_wider,
            "",
        ),
        Err(o) => o,
    }
}

/// Owner check (root:root) of one file a component names.
fn named_file_owner(ctx: &Context, file: Result<NamedFile, Outcome>, on_other: Verdict) -> Outcome {
    match file {
        Ok(f) => owners(
            ctx,
            &[target(&f, WhenMissing::Error)],
            "root",
            "root",
            on_other,
            "",
        ),
        Err(o) => o,
    }
}
