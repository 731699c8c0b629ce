//! Section 4.2: kubelet settings, the command line over the config file, with the kubelet's own defaults.

use super::*;
use crate::checks::{
    Assessment::*, Check, Component, Context, Doc, Evaluate, Level::*, Outcome, Severity::*,
};

pub const CHECKS: &[Check] = &[
    Check {
        slug: "k8s-kubelet-anonymous-auth-disabled",
        ids: &[(K112, "4.2.1")],
        title: "kubelet rejects anonymous requests",
        level: One,
        assessment: Automated,
        severity: Critical,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that unauthenticated callers cannot use the kubelet API.",
            why: "Anonymous access to the kubelet API lets anyone on the network list pods, read logs, and with a permissive authorizer run commands in containers.",
            evidence: "`--anonymous-auth` flag (wins) or `authentication.anonymous.enabled` in the config file; defaults differ: true for flags only, false with a config file.",
            remediation: "Set `authentication.anonymous.enabled: false` in the kubelet config (or `--anonymous-auth=false`) and restart the kubelet.",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_anonymous),
    },
    Check {
        slug: "k8s-kubelet-authz-not-always-allow",
        ids: &[(K112, "4.2.2")],
        title: "kubelet authorization is not AlwaysAllow",
        level: One,
        assessment: Automated,
        severity: Critical,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that the kubelet delegates authorization of its API to the API server.",
            why: "AlwaysAllow lets every caller of the kubelet API exec into containers.",
            evidence: "`--authorization-mode` flag or `authorization.mode` (defaults: AlwaysAllow for flags only, Webhook with a config file).",
            remediation: "Set `authorization.mode: Webhook` in the kubelet config.",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_authz),
    },
    Check {
        slug: "k8s-kubelet-client-ca",
        ids: &[(K112, "4.2.3")],
        title: "kubelet client-certificate CA configured",
        level: One,
        assessment: Automated,
        severity: High,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that the kubelet can verify client certificates presented by the API server and other callers.",
            why: "Without a client CA the kubelet cannot authenticate the API server's client certificate.",
            evidence: "`--client-ca-file` or `authentication.x509.clientCAFile`.",
            remediation: "Set `authentication.x509.clientCAFile` to the cluster CA.",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_client_ca),
    },
    Check {
        slug: "k8s-kubelet-read-only-port-disabled",
        ids: &[(K112, "4.2.4")],
        title: "kubelet read-only port disabled",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that the unauthenticated read-only kubelet port is switched off.",
            why: "The read-only port serves pod and node information without authentication.",
            evidence: "`--read-only-port` or `readOnlyPort` (defaults: 10255 for flags only, 0 with a config file).",
            remediation: "Set `readOnlyPort: 0`.",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_read_only_port),
    },
    Check {
        slug: "k8s-kubelet-streaming-idle-timeout",
        ids: &[(K112, "4.2.5")],
        title: "Streaming connections time out when idle",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that idle exec, attach and port-forward streams are eventually closed.",
            why: "Idle exec and port-forward streams left open hold resources and sessions.",
            evidence: "`--streaming-connection-idle-timeout` or `streamingConnectionIdleTimeout` (a `0s` in the config file means the 4h default; 0 on the command line disables the timeout).",
            remediation: "Keep the default or set e.g. `streamingConnectionIdleTimeout: 5m`.",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_streaming_timeout),
    },
    Check {
        slug: "k8s-kubelet-iptables-util-chains",
        ids: &[(K112, "4.2.6")],
        title: "kubelet manages its iptables utility chains",
        level: One,
        assessment: Automated,
        severity: Low,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that the kubelet is allowed to maintain the iptables chains it relies on.",
            why: "Without its utility chains the kubelet's iptables rules can drift from what the network needs.",
            evidence: "`--make-iptables-util-chains` or `makeIPTablesUtilChains` (default true).",
            remediation: "Remove `makeIPTablesUtilChains: false`.",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_iptables_chains),
    },
    Check {
        slug: "k8s-kubelet-no-hostname-override",
        ids: &[(K112, "4.2.7")],
        title: "kubelet hostname not overridden",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that the kubelet does not report a node name different from the host name, which can break TLS identity checks.",
            why: "An overridden hostname can break TLS between the kubelet and the API server and confuse node identity.",
            evidence: "`--hostname-override` on the kubelet's command line.",
            remediation: "Remove `--hostname-override` (unless the cloud provider requires it).",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_hostname_override),
    },
    Check {
        slug: "k8s-kubelet-event-qps",
        ids: &[(K112, "4.2.8")],
        title: "kubelet event rate captures enough events",
        level: Two,
        assessment: Manual,
        severity: Low,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that the kubelet's event rate limit is set deliberately so important events are neither dropped nor used to flood the API server.",
            why: "Too low an event rate drops events an investigation needs.",
            evidence: "`--event-qps` or `eventRecordQPS` (default 50; 0 means unlimited).",
            remediation: "Set `eventRecordQPS` to a level that captures the events the site needs.",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_event_qps),
    },
    Check {
        slug: "k8s-kubelet-tls-cert",
        ids: &[(K112, "4.2.9")],
        title: "kubelet serves TLS with a configured certificate",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that the kubelet serves its API with a proper certificate rather than a self-signed one.",
            why: "A self-signed kubelet serving certificate cannot be verified by the API server.",
            evidence: "`--tls-cert-file`/`--tls-private-key-file` or `tlsCertFile`/`tlsPrivateKeyFile`, or `serverTLSBootstrap`.",
            remediation: "Set `serverTLSBootstrap: true` (and approve the CSRs) or give `tlsCertFile` and `tlsPrivateKeyFile`.",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_tls_cert),
    },
    Check {
        slug: "k8s-kubelet-rotate-certificates",
        ids: &[(K112, "4.2.10")],
        title: "kubelet client-certificate rotation enabled",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that the kubelet renews its client certificate automatically before it expires.",
            why: "Without rotation, the kubelet's client certificate expires or must be replaced by hand, tempting long-lived certificates.",
            evidence: "`--rotate-certificates` or `rotateCertificates` (default false).",
            remediation: "Set `rotateCertificates: true` (kubeadm does).",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_rotate_certificates),
    },
    Check {
        slug: "k8s-kubelet-rotate-server-cert",
        ids: &[(K112, "4.2.11")],
        title: "kubelet serving-certificate rotation enabled",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that the kubelet has not disabled rotation of its serving certificate.",
            why: "Serving certificates that are not rotated stay valid for long.",
            evidence: "The RotateKubeletServerCertificate feature gate (flag or `featureGates`) and `serverTLSBootstrap`, without which the kubelet requests no serving certificate at all.",
            remediation: "Set `serverTLSBootstrap: true` and keep the RotateKubeletServerCertificate gate on.",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_rotate_server_cert),
    },
    Check {
        slug: "k8s-kubelet-tls-strong-ciphers",
        ids: &[(K112, "4.2.12")],
        title: "kubelet restricted to strong TLS ciphers",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that the kubelet only negotiates AEAD/ECDHE cipher suites.",
            why: "Weak cipher suites allow downgrade attacks on kubelet traffic.",
            evidence: "`--tls-cipher-suites` or `tlsCipherSuites`, each suite checked.",
            remediation: "Set `tlsCipherSuites` to strong AEAD ECDHE suites.",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_ciphers),
    },
    Check {
        slug: "k8s-kubelet-pod-pids-limit",
        ids: &[(K112, "4.2.13")],
        title: "Per-pod PID limit set",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that each pod is limited in the number of processes it can create, preventing fork bombs from exhausting the node.",
            why: "Without a per-pod PID limit, one pod can fork-bomb the node.",
            evidence: "`--pod-max-pids` or `podPidsLimit` (default -1: unlimited).",
            remediation: "Set `podPidsLimit` (e.g. 4096).",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_pod_pids),
    },
    Check {
        slug: "k8s-kubelet-seccomp-default",
        ids: &[(K112, "4.2.14")],
        title: "RuntimeDefault seccomp profile applied by default",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::Kubelet,
        doc: Doc {
            what: "Checks that the kubelet gives every container the runtime's default seccomp profile unless a pod asks otherwise.",
            why: "Without it, containers without a seccomp profile run unconfined.",
            evidence: "`--seccomp-default` or `seccompDefault` (default false).",
            remediation: "Set `seccompDefault: true`.",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_seccomp_default),
    },
];

use serde_json::Value;

use crate::checks::Verdict;
use crate::facts::kube::parse_go_bool;

const ANONYMOUS: KubeletKey = KubeletKey {
    flag: "anonymous-auth",
    key: "authentication.anonymous.enabled",
    flag_default: Some("true"),
    file_default: Some("false"),
};
const AUTHZ: KubeletKey = KubeletKey {
    flag: "authorization-mode",
    key: "authorization.mode",
    flag_default: Some("AlwaysAllow"),
    file_default: Some("Webhook"),
};
const CLIENT_CA: KubeletKey = KubeletKey {
    flag: "client-ca-file",
    key: "authentication.x509.clientCAFile",
    flag_default: None,
    file_default: None,
};
const READ_ONLY_PORT: KubeletKey = KubeletKey {
    flag: "read-only-port",
    key: "readOnlyPort",
    flag_default: Some("10255"),
    file_default: Some("0"),
};
const STREAMING: KubeletKey = KubeletKey {
    flag: "streaming-connection-idle-timeout",
    key: "streamingConnectionIdleTimeout",
    flag_default: Some("4h0m0s"),
    file_default: Some("4h0m0s"),
};
const IPTABLES: KubeletKey = KubeletKey {
    flag: "make-iptables-util-chains",
    key: "makeIPTablesUtilChains",
    flag_default: Some("true"),
    file_default: Some("true"),
};
const EVENT_QPS: KubeletKey = KubeletKey {
    flag: "event-qps",
    key: "eventRecordQPS",
    flag_default: Some("50"),
    file_default: Some("50"),
};
const TLS_CERT: KubeletKey = KubeletKey {
    flag: "tls-cert-file",
    key: "tlsCertFile",
    flag_default: None,
    file_default: None,
};
const TLS_KEY: KubeletKey = KubeletKey {
    flag: "tls-private-key-file",
    key: "tlsPrivateKeyFile",
    flag_default: None,
    file_default: None,
};
const SERVER_TLS_BOOTSTRAP: KubeletKey = KubeletKey {
    flag: "rotate-server-certificates",
    key: "serverTLSBootstrap",
    flag_default: Some("false"),
    file_default: Some("false"),
};
const ROTATE: KubeletKey = KubeletKey {
    flag: "rotate-certificates",
    key: "rotateCertificates",
    flag_default: Some("false"),
    file_default: Some("false"),
};
const CIPHERS: KubeletKey = KubeletKey {
    flag: "tls-cipher-suites",
    key: "tlsCipherSuites",
    flag_default: None,
    file_default: None,
};
const POD_PIDS: KubeletKey = KubeletKey {
    flag: "pod-max-pids",
    key: "podPidsLimit",
    flag_default: Some("-1"),
    file_default: Some("-1"),
};
const SECCOMP_DEFAULT: KubeletKey = KubeletKey {
    flag: "seccomp-default",
    key: "seccompDefault",
    flag_default: Some("false"),
    file_default: Some("false"),
};

fn kubelet_anonymous(ctx: &Context) -> Outcome {
    kubelet_rule(ctx, &ANONYMOUS, Expect::Bool(false), Verdict::Fail)
}

fn kubelet_authz(ctx: &Context) -> Outcome {
    kubelet_rule(ctx, &AUTHZ, Expect::Lacks("AlwaysAllow"), Verdict::Fail)
}

fn kubelet_client_ca(ctx: &Context) -> Outcome {
    kubelet_rule(ctx, &CLIENT_CA, Expect::Set, Verdict::Fail)
}

fn kubelet_read_only_port(ctx: &Context) -> Outcome {
    let (c, v) = match kubelet_value(ctx, &READ_ONLY_PORT) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let port = v.text().unwrap_or_default();
    let closed = port.trim() == "0";
    Outcome::new(
        if closed { Verdict::Pass } else { Verdict::Warn },
        format!(
            "{}{}{} {}",
            v.describe(),
            if closed {
                ""
            } else {
                ": unauthenticated read-only API open on this port"
            },
            flags_caveat(c),
            from(c)
        ),
    )
}

/// Go duration text to seconds (`4h0m0s`, `5m`, `0s`, `0`).
fn duration_secs(s: &str) -> Option<f64> {
    let s = s.trim();
    if s == "0" {
        return Some(0.0);
    }
    let mut total = 0.0;
    let mut num = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let mut unit = c.to_string();
        if (c == 'm' || c == 'u' || c == 'n') && chars.peek() == Some(&'s') {
            unit.push(chars.next()?);
        }
        let n: f64 = num.parse().ok()?;
        num.clear();
        total += n * match unit.as_str() {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            "us" | "µs" => 0.000_001,
            "ns" => 0.000_000_001,
            _ => return None,
        };
    }
    num.is_empty().then_some(total)
}

fn kubelet_streaming_timeout(ctx: &Context) -> Outcome {
    let (c, v) = match kubelet_value(ctx, &STREAMING) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let text = v.text().unwrap_or_default();
    let secs = duration_secs(&text);
    let in_file = matches!(v, KubeletValue::File { .. });
    match secs {
        // In the config file a zero duration is "unset": the 4h default is applied.
        Some(s) if s == 0.0 && in_file => Outcome::pass(format!(
            "{}: a zero duration in the config file means the default 4h0m0s{} {}",
            v.describe(),
            flags_caveat(c),
            from(c)
        )),
        Some(0.0) => Outcome::warn(format!(
            "{}: idle streaming connections never time out {}",
            v.describe(),
            from(c)
        )),
        Some(_) => Outcome::pass(format!("{}{} {}", v.describe(), flags_caveat(c), from(c))),
        None => Outcome::warn(format!("{}: not a duration {}", v.describe(), from(c))),
    }
}

fn kubelet_iptables_chains(ctx: &Context) -> Outcome {
    kubelet_rule(ctx, &IPTABLES, Expect::Bool(true), Verdict::Fail)
}

fn kubelet_hostname_override(ctx: &Context) -> Outcome {
    let c = match component(ctx, KUBELET) {
        Ok(c) => c,
        Err(o) => return o,
    };
    if matches!(
        c.source,
        crate::facts::kube::ComponentSource::ConfigOnly { .. }
    ) {
        return Outcome::warn(format!(
            "the kubelet's command line is not visible, so --hostname-override cannot be checked {}",
            from(c)
        ));
    }
    match c.flags().written("hostname-override") {
        Some(w) => Outcome::warn(format!(
            "`{w}`: confirm the cloud provider needs it and TLS names still match {}",
            from(c)
        )),
        None => Outcome::pass(format!("--hostname-override not set {}", from(c))),
    }
}

fn kubelet_event_qps(ctx: &Context) -> Outcome {
    let (c, v) = match kubelet_value(ctx, &EVENT_QPS) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let text = v.text().unwrap_or_default();
    match text.trim().parse::<i64>() {
        Ok(n) if n >= 0 => Outcome::pass(format!(
            "{}{}{} {}",
            v.describe(),
            if n == 0 {
                ": no limit, every event kept"
            } else {
                ""
            },
            flags_caveat(c),
            from(c)
        )),
        _ => Outcome::warn(format!("{}: not a rate >= 0 {}", v.describe(), from(c))),
    }
}

fn kubelet_tls_cert(ctx: &Context) -> Outcome {
    let cert = kubelet_value(ctx, &TLS_CERT);
    let key = kubelet_value(ctx, &TLS_KEY);
    let boot = kubelet_value(ctx, &SERVER_TLS_BOOTSTRAP);
    let (c, cert, key, boot) = match (cert, key, boot) {
        (Ok((c, a)), Ok((_, b)), Ok((_, d))) => (c, a, b, d),
        (Err(o), _, _) | (_, Err(o), _) | (_, _, Err(o)) => return o,
    };
    let has = |v: &KubeletValue| v.text().is_some_and(|t| !t.trim().is_empty());
    let bootstrap = boot.text().and_then(|t| parse_go_bool(&t)) == Some(true);
    let ev = format!(
        "tlsCertFile {}; tlsPrivateKeyFile {}; serverTLSBootstrap {}{} {}",
        cert.describe(),
        key.describe(),
        boot.describe(),
        flags_caveat(c),
        from(c)
    );
    if (has(&cert) && has(&key)) || bootstrap {
        Outcome::pass(ev)
    } else {
        Outcome::warn(format!("self-signed serving certificate: {ev}"))
    }
}

fn kubelet_rotate_certificates(ctx: &Context) -> Outcome {
    kubelet_rule(ctx, &ROTATE, Expect::Bool(true), Verdict::Fail)
}

fn kubelet_rotate_server_cert(ctx: &Context) -> Outcome {
    let c = match component(ctx, KUBELET) {
        Ok(c) => c,
        Err(o) => return o,
    };
    // Feature gates: the config file's map, then the flag's pairs on top.
    let mut gate: Option<(String, String)> = None;
    if let Some(Some(doc)) = ctx.facts.kube.kubelet_config.as_ref().map(|d| d.doc.seen())
        && let Some(v) = doc.pointer("/featureGates/RotateKubeletServerCertificate")
    {
        gate = Some((value_text(v), "featureGates in the config file".into()));
    }
    if let Some(v) = c
        .flags()
        .feature_gates()
        .get("RotateKubeletServerCertificate")
    {
        gate = Some((v.clone(), "--feature-gates".into()));
    }
    if let Some((v, source)) = &gate
        && parse_go_bool(v) == Some(false)
    {
        return Outcome::warn(format!(
            "RotateKubeletServerCertificate={v} ({source}) {}",
            from(c)
        ));
    }
    let gate_text = match &gate {
        Some((v, source)) => format!("RotateKubeletServerCertificate={v} ({source})"),
        None => format!("RotateKubeletServerCertificate on by default ({DEFAULTS_OF})"),
    };
    match kubelet_value(ctx, &SERVER_TLS_BOOTSTRAP) {
        Ok((_, boot)) if boot.text().and_then(|t| parse_go_bool(&t)) == Some(true) => {
            Outcome::pass(format!(
                "{gate_text}; serverTLSBootstrap {} {}",
                boot.describe(),
                from(c)
            ))
        }
        Ok((_, boot)) => Outcome::warn(format!(
            "{gate_text}, but serverTLSBootstrap {}: the kubelet requests no serving certificate, so nothing rotates {}",
            boot.describe(),
            from(c)
        )),
        Err(o) => o,
    }
}

/// Suites the benchmark accepts for the kubelet (CIS v1.12 4.2.12).
const STRONG_KUBELET_CIPHERS: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

fn kubelet_ciphers(ctx: &Context) -> Outcome {
    let (c, v) = match kubelet_value(ctx, &CIPHERS) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let list = match &v {
        KubeletValue::Flag { value, .. } => Some(split_list(value)),
        KubeletValue::File { value, .. } => Some(match value {
            Value::Array(items) => items.iter().map(value_text).collect(),
            other => split_list(&value_text(other)),
        }),
        KubeletValue::Default { .. } => None,
    };
    super::apiserver::ciphers_outcome(
        list,
        STRONG_KUBELET_CIPHERS,
        format!("({}){} {}", v.describe(), flags_caveat(c), from(c)),
    )
}

fn kubelet_pod_pids(ctx: &Context) -> Outcome {
    let (c, v) = match kubelet_value(ctx, &POD_PIDS) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let n = v.text().and_then(|t| t.trim().parse::<i64>().ok());
    match n {
        Some(n) if n > 0 => {
            Outcome::pass(format!("{}{} {}", v.describe(), flags_caveat(c), from(c)))
        }
        _ => Outcome::warn(format!(
            "{}: no per-pod PID limit {}",
            v.describe(),
            from(c)
        )),
    }
}

fn kubelet_seccomp_default(ctx: &Context) -> Outcome {
    kubelet_rule(ctx, &SECCOMP_DEFAULT, Expect::Bool(true), Verdict::Warn)
}
