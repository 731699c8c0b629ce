//! Section 1.3: controller manager flags.

use super::*;
use crate::checks::{
    Assessment::*, Check, Component, Context, Doc, Evaluate, Level::*, Outcome, Severity::*,
};

pub const CHECKS: &[Check] = &[
    Check {
        slug: "k8s-controller-manager-terminated-pod-gc",
        ids: &[(K112, "1.3.1")],
        title: "Terminated-pod garbage collection threshold set",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::KubeControllerManager,
        doc: Doc {
            what: "Checks that a threshold is configured for garbage-collecting terminated pods so they do not accumulate.",
            why: "Without a sensible threshold terminated pods accumulate and load etcd.",
            evidence: "`--terminated-pod-gc-threshold` (default 12500).",
            remediation: "Set `--terminated-pod-gc-threshold` to a value fitting the cluster (e.g. 10).",
            references: "",
        },
        evaluate: Evaluate::Context(terminated_pod_gc),
    },
    Check {
        slug: "k8s-controller-manager-profiling-disabled",
        ids: &[(K112, "1.3.2")],
        title: "Controller manager profiling disabled",
        level: One,
        assessment: Automated,
        severity: Low,
        component: Component::KubeControllerManager,
        doc: Doc {
            what: "Checks that the pprof profiling handlers are switched off on the controller manager.",
            why: "Profiling endpoints reveal program internals.",
            evidence: "`--profiling` of kube-controller-manager (default true).",
            remediation: "Set `--profiling=false`.",
            references: "",
        },
        evaluate: Evaluate::Context(controller_manager_profiling),
    },
    Check {
        slug: "k8s-controller-manager-sa-credentials",
        ids: &[(K112, "1.3.3")],
        title: "Controllers use individual service-account credentials",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeControllerManager,
        doc: Doc {
            what: "Checks that each controller acts under its own service account so its permissions are scoped and attributable.",
            why: "With shared credentials every controller acts with the controller manager's full rights; per-controller service accounts limit each to its role.",
            evidence: "`--use-service-account-credentials` (default false).",
            remediation: "Set `--use-service-account-credentials=true` (kubeadm does).",
            references: "",
        },
        evaluate: Evaluate::Context(use_sa_credentials),
    },
    Check {
        slug: "k8s-controller-manager-sa-private-key",
        ids: &[(K112, "1.3.4")],
        title: "Service-account signing key configured",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeControllerManager,
        doc: Doc {
            what: "Checks that the controller manager has a private key to sign service-account tokens.",
            why: "Without a signing key, service-account tokens cannot be issued and rotated safely.",
            evidence: "`--service-account-private-key-file`.",
            remediation: "Set `--service-account-private-key-file` to the service-account signing key.",
            references: "",
        },
        evaluate: Evaluate::Context(sa_private_key),
    },
    Check {
        slug: "k8s-controller-manager-root-ca",
        ids: &[(K112, "1.3.5")],
        title: "Root CA published to service-account token secrets",
        level: One,
        assessment: Automated,
        severity: Low,
        component: Component::KubeControllerManager,
        doc: Doc {
            what: "Checks that pods receive the cluster CA so they can verify the API server.",
            why: "Pods need the root CA to verify the API server instead of trusting any certificate.",
            evidence: "`--root-ca-file`.",
            remediation: "Set `--root-ca-file` to the cluster CA.",
            references: "",
        },
        evaluate: Evaluate::Context(root_ca),
    },
    Check {
        slug: "k8s-controller-manager-rotate-kubelet-server-cert",
        ids: &[(K112, "1.3.6")],
        title: "Kubelet serving-certificate rotation not disabled",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeControllerManager,
        doc: Doc {
            what: "Checks that the controller manager has not switched off approval support for rotated kubelet serving certificates.",
            why: "Without serving-certificate rotation, kubelet certificates are long-lived and must be replaced by hand.",
            evidence: "`RotateKubeletServerCertificate` in `--feature-gates` (default on).",
            remediation: "Remove `RotateKubeletServerCertificate=false` from `--feature-gates`.",
            references: "",
        },
        evaluate: Evaluate::Context(rotate_kubelet_server_cert),
    },
    Check {
        slug: "k8s-controller-manager-bind-localhost",
        ids: &[(K112, "1.3.7")],
        title: "Controller manager listens on localhost only",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeControllerManager,
        doc: Doc {
            what: "Checks that the controller manager's secure port is not exposed beyond the node.",
            why: "Listening on all interfaces exposes the controller manager's endpoints to the network.",
            evidence: "`--bind-address` (default 0.0.0.0).",
            remediation: "Set `--bind-address=127.0.0.1`.",
            references: "",
        },
        evaluate: Evaluate::Context(controller_manager_bind),
    },
];

use crate::checks::Verdict;

fn rule(
    flag: &'static str,
    expect: Expect,
    default: Option<&'static str>,
    otherwise: Verdict,
) -> FlagRule {
    FlagRule {
        kind: KCM,
        flag,
        expect,
        default,
        otherwise,
    }
}

fn terminated_pod_gc(ctx: &Context) -> Outcome {
    let c = match component(ctx, KCM) {
        Ok(c) => c,
        Err(o) => return o,
    };
    match c.flags().written("terminated-pod-gc-threshold") {
        Some(w) => Outcome::pass(format!("`{w}` {}", from(c))),
        None => Outcome::warn(format!(
            "--terminated-pod-gc-threshold not set: default 12500 terminated pods kept ({DEFAULTS_OF}); set a threshold that fits the cluster {}",
            from(c)
        )),
    }
}

fn controller_manager_profiling(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule(
            "profiling",
            Expect::Bool(false),
            Some("true"),
            Verdict::Fail,
        ),
    )
}

fn use_sa_credentials(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule(
            "use-service-account-credentials",
            Expect::Bool(true),
            Some("false"),
            Verdict::Fail,
        ),
    )
}

fn sa_private_key(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule(
            "service-account-private-key-file",
            Expect::Set,
            None,
            Verdict::Fail,
        ),
    )
}

fn root_ca(ctx: &Context) -> Outcome {
    flag_rule(ctx, rule("root-ca-file", Expect::Set, None, Verdict::Fail))
}

fn rotate_kubelet_server_cert(ctx: &Context) -> Outcome {
    let c = match component(ctx, KCM) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let gates = c.flags().feature_gates();
    match gates.get("RotateKubeletServerCertificate") {
        Some(v) => Outcome::pass_if(
            crate::facts::kube::parse_go_bool(v) != Some(false),
            format!(
                "--feature-gates RotateKubeletServerCertificate={v} {}",
                from(c)
            ),
        ),
        None => Outcome::pass(format!(
            "RotateKubeletServerCertificate not in --feature-gates: default on ({DEFAULTS_OF}) {}",
            from(c)
        )),
    }
}

fn controller_manager_bind(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule(
            "bind-address",
            Expect::Loopback,
            Some("0.0.0.0"),
            Verdict::Fail,
        ),
    )
}
