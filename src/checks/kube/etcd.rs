//! Section 2: etcd flags (or their ETCD_* variables).

use super::*;
use crate::checks::{
    Assessment::*, Check, Component, Context, Doc, Evaluate, Level::*, Outcome, Severity::*,
};

pub const CHECKS: &[Check] = &[
    Check {
        slug: "k8s-etcd-tls-cert",
        ids: &[(K112, "2.1")],
        title: "etcd serves clients over TLS",
        level: One,
        assessment: Automated,
        severity: Critical,
        component: Component::Etcd,
        doc: Doc {
            what: "Checks that etcd's client endpoint is protected with TLS.",
            why: "Without TLS, the API server's traffic to etcd (every object and Secret) crosses the network in plain text.",
            evidence: "`--cert-file` and `--key-file` of etcd, or ETCD_CERT_FILE/ETCD_KEY_FILE; a flag wins over the variable.",
            remediation: "Set `--cert-file` and `--key-file`.",
            references: "",
        },
        evaluate: Evaluate::Context(etcd_tls),
    },
    Check {
        slug: "k8s-etcd-client-cert-auth",
        ids: &[(K112, "2.2")],
        title: "etcd requires client certificates",
        level: One,
        assessment: Automated,
        severity: Critical,
        component: Component::Etcd,
        doc: Doc {
            what: "Checks that etcd only accepts clients presenting a certificate signed by its trusted CA.",
            why: "Without client-certificate authentication anyone who reaches etcd reads and writes the cluster state.",
            evidence: "`--client-cert-auth` (default false) or ETCD_CLIENT_CERT_AUTH.",
            remediation: "Set `--client-cert-auth=true`.",
            references: "",
        },
        evaluate: Evaluate::Context(etcd_client_cert_auth),
    },
    Check {
        slug: "k8s-etcd-no-auto-tls",
        ids: &[(K112, "2.3")],
        title: "etcd does not use self-signed client TLS",
        level: One,
        assessment: Automated,
        severity: High,
        component: Component::Etcd,
        doc: Doc {
            what: "Checks that etcd is not generating throw-away self-signed certificates for client connections.",
            why: "Self-signed automatic certificates cannot be verified by clients.",
            evidence: "`--auto-tls` (default false) or ETCD_AUTO_TLS.",
            remediation: "Remove `--auto-tls` or set it false.",
            references: "",
        },
        evaluate: Evaluate::Context(etcd_auto_tls),
    },
    Check {
        slug: "k8s-etcd-peer-tls-cert",
        ids: &[(K112, "2.4")],
        title: "etcd peer traffic uses TLS",
        level: One,
        assessment: Automated,
        severity: High,
        component: Component::Etcd,
        doc: Doc {
            what: "Checks that traffic between etcd members is encrypted.",
            why: "Without TLS, peer replication traffic carries the cluster state in plain text.",
            evidence: "`--peer-cert-file` and `--peer-key-file`.",
            remediation: "Set `--peer-cert-file` and `--peer-key-file`.",
            references: "",
        },
        evaluate: Evaluate::Context(etcd_peer_tls),
    },
    Check {
        slug: "k8s-etcd-peer-client-cert-auth",
        ids: &[(K112, "2.5")],
        title: "etcd peers authenticate with certificates",
        level: One,
        assessment: Automated,
        severity: High,
        component: Component::Etcd,
        doc: Doc {
            what: "Checks that etcd members must present a valid certificate to join or talk to the cluster.",
            why: "Without peer certificate authentication any host can join the etcd cluster.",
            evidence: "`--peer-client-cert-auth` (default false).",
            remediation: "Set `--peer-client-cert-auth=true`.",
            references: "",
        },
        evaluate: Evaluate::Context(etcd_peer_client_cert_auth),
    },
    Check {
        slug: "k8s-etcd-no-peer-auto-tls",
        ids: &[(K112, "2.6")],
        title: "etcd peers do not use self-signed TLS",
        level: One,
        assessment: Automated,
        severity: High,
        component: Component::Etcd,
        doc: Doc {
            what: "Checks that etcd is not generating self-signed certificates for peer connections.",
            why: "Self-signed peer certificates cannot be verified.",
            evidence: "`--peer-auto-tls` (default false).",
            remediation: "Remove `--peer-auto-tls` or set it false.",
            references: "",
        },
        evaluate: Evaluate::Context(etcd_peer_auto_tls),
    },
    Check {
        slug: "k8s-etcd-unique-ca",
        ids: &[(K112, "2.7")],
        title: "etcd uses its own CA",
        level: Two,
        assessment: Manual,
        severity: Medium,
        component: Component::Etcd,
        doc: Doc {
            what: "Checks that etcd trusts a CA dedicated to etcd, so certificates issued for Kubernetes clients cannot reach etcd.",
            why: "If etcd trusts the cluster CA, every client certificate of the cluster (kubelets, users) can talk to etcd directly.",
            evidence: "etcd `--trusted-ca-file` compared with kube-apiserver `--client-ca-file`.",
            remediation: "Use a separate CA for etcd (kubeadm: /etc/kubernetes/pki/etcd/ca.crt).",
            references: "",
        },
        evaluate: Evaluate::Context(etcd_unique_ca),
    },
];

use crate::checks::Verdict;

fn rule(flag: &'static str, expect: Expect, default: Option<&'static str>) -> FlagRule {
    FlagRule {
        kind: ETCD,
        flag,
        expect,
        default,
        otherwise: Verdict::Fail,
    }
}

fn etcd_tls(ctx: &Context) -> Outcome {
    all_set(ctx, ETCD, &["cert-file", "key-file"], Verdict::Fail)
}

fn etcd_client_cert_auth(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule("client-cert-auth", Expect::Bool(true), Some("false")),
    )
}

fn etcd_auto_tls(ctx: &Context) -> Outcome {
    flag_rule(ctx, rule("auto-tls", Expect::Bool(false), Some("false")))
}

fn etcd_peer_tls(ctx: &Context) -> Outcome {
    all_set(
        ctx,
        ETCD,
        &["peer-cert-file", "peer-key-file"],
        Verdict::Fail,
    )
}

fn etcd_peer_client_cert_auth(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule("peer-client-cert-auth", Expect::Bool(true), Some("false")),
    )
}

fn etcd_peer_auto_tls(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule("peer-auto-tls", Expect::Bool(false), Some("false")),
    )
}

fn etcd_unique_ca(ctx: &Context) -> Outcome {
    let c = match component(ctx, ETCD) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let Some(etcd_ca) = ctx.facts.kube.flag_file(ETCD, "trusted-ca-file") else {
        return Outcome::warn(format!(
            "--trusted-ca-file not set: etcd verifies no client CA {}",
            from(c)
        ));
    };
    match ctx.facts.kube.flag_file(API, "client-ca-file") {
        Some(api_ca) if api_ca.path == etcd_ca.path => Outcome::warn(format!(
            "etcd trusts the same CA file as the API server's clients: {} ({}, {})",
            etcd_ca.path, etcd_ca.named_by, api_ca.named_by
        )),
        Some(api_ca) => Outcome::pass(format!(
            "etcd CA {} ({}) differs from the cluster client CA {} ({}); file contents not compared",
            etcd_ca.path, etcd_ca.named_by, api_ca.path, api_ca.named_by
        )),
        None => Outcome::warn(format!(
            "etcd trusts {} ({}); the API server's client CA is not known on this host, compare them",
            etcd_ca.path, etcd_ca.named_by
        )),
    }
}
