//! Section 1.2: API server flags.

use super::*;
use crate::checks::{
    Assessment::*, Check, Component, Context, Doc, Evaluate, Level::*, Outcome, Severity::*,
};

pub const CHECKS: &[Check] = &[
    Check {
        slug: "k8s-apiserver-anonymous-auth-disabled",
        ids: &[(K112, "1.2.1")],
        title: "API server rejects anonymous requests",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that unauthenticated requests to the API server are not treated as the anonymous user.",
            why: "Anonymous requests reach the API as system:anonymous; RBAC then decides, so one mistaken binding exposes the cluster to anyone who reaches it.",
            evidence: "`--anonymous-auth` (default true), or the `anonymous` block of the `--authentication-config` file.",
            remediation: "Set `--anonymous-auth=false`, or (1.32+) an AuthenticationConfiguration whose `anonymous` block allows only the health endpoints (`/livez`, `/readyz`, `/healthz`) that probes need.",
            references: "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-authenticator-configuration",
        },
        evaluate: Evaluate::Context(anonymous_auth),
    },
    Check {
        slug: "k8s-apiserver-no-token-auth-file",
        ids: &[(K112, "1.2.2")],
        title: "Static token file not used",
        level: One,
        assessment: Automated,
        severity: High,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the API server does not accept long-lived static bearer tokens from a CSV file.",
            why: "Static tokens never expire and change only with an API server restart.",
            evidence: "`--token-auth-file` on kube-apiserver.",
            remediation: "Remove `--token-auth-file`; use OIDC, client certificates or service-account tokens.",
            references: "",
        },
        evaluate: Evaluate::Context(token_auth_file),
    },
    Check {
        slug: "k8s-apiserver-deny-service-external-ips",
        ids: &[(K112, "1.2.3")],
        title: "DenyServiceExternalIPs admission enabled",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that new Services cannot claim arbitrary externalIPs, which can be used to intercept traffic.",
            why: "Without it, anyone who can create a Service can set externalIPs and intercept traffic to those addresses (CVE-2020-8554).",
            evidence: "`--enable-admission-plugins` (the plugin is off by default).",
            remediation: "Add `DenyServiceExternalIPs` to `--enable-admission-plugins`.",
            references: "https://github.com/kubernetes/kubernetes/issues/97076",
        },
        evaluate: Evaluate::Context(deny_external_ips),
    },
    Check {
        slug: "k8s-apiserver-kubelet-client-cert",
        ids: &[(K112, "1.2.4")],
        title: "API server authenticates to kubelets with a client certificate",
        level: One,
        assessment: Automated,
        severity: High,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the API server presents a client certificate when it calls kubelet APIs.",
            why: "Without a client certificate the API server cannot authenticate to kubelets, so kubelets must allow unauthenticated calls.",
            evidence: "`--kubelet-client-certificate` and `--kubelet-client-key`.",
            remediation: "Set both flags to the apiserver-kubelet-client certificate and key.",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_client_cert),
    },
    Check {
        slug: "k8s-apiserver-kubelet-ca",
        ids: &[(K112, "1.2.5")],
        title: "API server verifies kubelet serving certificates",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the API server validates the kubelet's serving certificate against a CA, preventing man-in-the-middle on exec, logs and port-forward.",
            why: "Without it the API server does not verify kubelet serving certificates, so exec, logs and port-forward traffic can be intercepted.",
            evidence: "`--kubelet-certificate-authority` (unset by default and on kubeadm).",
            remediation: "Enable kubelet serving certificates signed by the cluster CA (`serverTLSBootstrap: true`), then set `--kubelet-certificate-authority`.",
            references: "",
        },
        evaluate: Evaluate::Context(kubelet_ca),
    },
    Check {
        slug: "k8s-apiserver-authz-not-always-allow",
        ids: &[(K112, "1.2.6")],
        title: "API server authorization is not AlwaysAllow",
        level: One,
        assessment: Automated,
        severity: Critical,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the API server does not authorize every authenticated request.",
            why: "AlwaysAllow authorises every authenticated request: no RBAC at all.",
            evidence: "The authorizers from `--authorization-mode` (default AlwaysAllow) or the `--authorization-config` file, parsed as a list.",
            remediation: "Set `--authorization-mode=Node,RBAC` (or authorizers Node and RBAC in the AuthorizationConfiguration).",
            references: "",
        },
        evaluate: Evaluate::Context(authz_not_always_allow),
    },
    Check {
        slug: "k8s-apiserver-authz-node",
        ids: &[(K112, "1.2.7")],
        title: "Node authorizer enabled",
        level: One,
        assessment: Automated,
        severity: High,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the Node authorizer restricts each kubelet to objects related to its own node.",
            why: "The Node authorizer limits each kubelet to the objects of its own pods; without it a compromised node reads every Secret.",
            evidence: "The authorizers in use, parsed as a list (not a substring match).",
            remediation: "Include `Node` in `--authorization-mode`.",
            references: "",
        },
        evaluate: Evaluate::Context(authz_node),
    },
    Check {
        slug: "k8s-apiserver-authz-rbac",
        ids: &[(K112, "1.2.8")],
        title: "RBAC authorizer enabled",
        level: One,
        assessment: Automated,
        severity: Critical,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that role-based access control is used to authorize API requests.",
            why: "Without RBAC, access cannot be limited per user and service account.",
            evidence: "The authorizers in use, parsed as a list.",
            remediation: "Include `RBAC` in `--authorization-mode`.",
            references: "",
        },
        evaluate: Evaluate::Context(authz_rbac),
    },
    Check {
        slug: "k8s-apiserver-admission-event-rate-limit",
        ids: &[(K112, "1.2.9")],
        title: "EventRateLimit admission enabled",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the API server rate-limits Event objects so a noisy or hostile client cannot flood it.",
            why: "Without event rate limits, a client can flood the API server and etcd with events (denial of service).",
            evidence: "`--enable-admission-plugins`, the `--admission-control-config-file` it needs, and the EventRateLimit configuration (limits with qps and burst).",
            remediation: "Add `EventRateLimit` to `--enable-admission-plugins` and configure its limits in an AdmissionConfiguration passed with `--admission-control-config-file`.",
            references: "https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#eventratelimit",
        },
        evaluate: Evaluate::Context(event_rate_limit),
    },
    Check {
        slug: "k8s-apiserver-admission-no-always-admit",
        ids: &[(K112, "1.2.10")],
        title: "AlwaysAdmit admission not enabled",
        level: One,
        assessment: Automated,
        severity: High,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the admission chain is not short-circuited by the allow-everything plugin.",
            why: "AlwaysAdmit admits every request, bypassing admission control.",
            evidence: "`--enable-admission-plugins`, parsed as a list.",
            remediation: "Remove `AlwaysAdmit` from `--enable-admission-plugins`.",
            references: "",
        },
        evaluate: Evaluate::Context(no_always_admit),
    },
    Check {
        slug: "k8s-apiserver-admission-always-pull-images",
        ids: &[(K112, "1.2.11")],
        title: "AlwaysPullImages admission enabled",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that images are re-pulled with the pod's own credentials so one tenant cannot run another tenant's cached private image.",
            why: "Without it, a pod on a node can use a private image another tenant pulled there, without credentials.",
            evidence: "`--enable-admission-plugins`, parsed as a list.",
            remediation: "Add `AlwaysPullImages` to `--enable-admission-plugins` (mind the registry dependency it adds).",
            references: "",
        },
        evaluate: Evaluate::Context(always_pull_images),
    },
    Check {
        slug: "k8s-apiserver-admission-service-account",
        ids: &[(K112, "1.2.12")],
        title: "ServiceAccount admission not disabled",
        level: Two,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the ServiceAccount admission plugin, which assigns and validates pod service accounts, is not disabled.",
            why: "The ServiceAccount plugin binds pods to service accounts; without it tokens are not managed.",
            evidence: "`--disable-admission-plugins`, parsed as a list (the plugin is on by default).",
            remediation: "Remove `ServiceAccount` from `--disable-admission-plugins`.",
            references: "",
        },
        evaluate: Evaluate::Context(service_account_plugin),
    },
    Check {
        slug: "k8s-apiserver-admission-namespace-lifecycle",
        ids: &[(K112, "1.2.13")],
        title: "NamespaceLifecycle admission not disabled",
        level: Two,
        assessment: Automated,
        severity: Low,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that objects cannot be created in terminating or non-existent namespaces.",
            why: "NamespaceLifecycle stops objects being created in terminating or missing namespaces.",
            evidence: "`--disable-admission-plugins`, parsed as a list.",
            remediation: "Remove `NamespaceLifecycle` from `--disable-admission-plugins`.",
            references: "",
        },
        evaluate: Evaluate::Context(namespace_lifecycle),
    },
    Check {
        slug: "k8s-apiserver-admission-node-restriction",
        ids: &[(K112, "1.2.14")],
        title: "NodeRestriction admission enabled",
        level: Two,
        assessment: Automated,
        severity: High,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that kubelets may only modify their own Node object and pods bound to them.",
            why: "NodeRestriction stops a kubelet from changing other nodes or pods not bound to it.",
            evidence: "`--enable-admission-plugins`, parsed as a list (the plugin is not on by default).",
            remediation: "Add `NodeRestriction` to `--enable-admission-plugins` (kubeadm does).",
            references: "",
        },
        evaluate: Evaluate::Context(node_restriction),
    },
    Check {
        slug: "k8s-apiserver-profiling-disabled",
        ids: &[(K112, "1.2.15")],
        title: "API server profiling endpoints disabled",
        level: One,
        assessment: Automated,
        severity: Low,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the pprof profiling handlers are switched off on the API server.",
            why: "Profiling endpoints reveal program internals and can be used to load the server.",
            evidence: "`--profiling` (default true).",
            remediation: "Set `--profiling=false`.",
            references: "",
        },
        evaluate: Evaluate::Context(apiserver_profiling),
    },
    Check {
        slug: "k8s-apiserver-audit-log-path",
        ids: &[(K112, "1.2.16")],
        title: "API audit log enabled",
        level: One,
        assessment: Automated,
        severity: High,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the API server writes an audit log.",
            why: "Without an audit log, API actions cannot be traced afterwards (repudiation).",
            evidence: "`--audit-log-path`.",
            remediation: "Set `--audit-log-path=/var/log/kubernetes/audit/audit.log` and an `--audit-policy-file`.",
            references: "",
        },
        evaluate: Evaluate::Context(audit_log_path),
    },
    Check {
        slug: "k8s-apiserver-audit-log-maxage",
        ids: &[(K112, "1.2.17")],
        title: "Audit logs kept at least 30 days",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that rotated audit log files are kept for at least 30 days.",
            why: "Audit records must survive long enough to investigate an incident.",
            evidence: "`--audit-log-maxage` (default 0: no age-based retention setting).",
            remediation: "Set `--audit-log-maxage=30` or more.",
            references: "",
        },
        evaluate: Evaluate::Context(audit_log_maxage),
    },
    Check {
        slug: "k8s-apiserver-audit-log-maxbackup",
        ids: &[(K112, "1.2.18")],
        title: "At least 10 rotated audit logs kept",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that at least 10 rotated audit log files are retained.",
            why: "Too few rotated files lose audit history.",
            evidence: "`--audit-log-maxbackup` (default 0).",
            remediation: "Set `--audit-log-maxbackup=10` or more.",
            references: "",
        },
        evaluate: Evaluate::Context(audit_log_maxbackup),
    },
    Check {
        slug: "k8s-apiserver-audit-log-maxsize",
        ids: &[(K112, "1.2.19")],
        title: "Audit log rotation size at least 100 MB",
        level: One,
        assessment: Automated,
        severity: Low,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the audit log rotates only after reaching an adequate size.",
            why: "Rotation size decides how much history each file keeps.",
            evidence: "`--audit-log-maxsize` in MB (default 0).",
            remediation: "Set `--audit-log-maxsize=100` or more.",
            references: "",
        },
        evaluate: Evaluate::Context(audit_log_maxsize),
    },
    Check {
        slug: "k8s-apiserver-request-timeout",
        ids: &[(K112, "1.2.20")],
        title: "API request timeout appropriate",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Manual review of the global API request timeout so long requests cannot tie up the server.",
            why: "Long request timeouts let slow clients hold server resources.",
            evidence: "`--request-timeout` (default 1m0s).",
            remediation: "Keep the default, or set `--request-timeout` to what the site needs.",
            references: "",
        },
        evaluate: Evaluate::Context(request_timeout),
    },
    Check {
        slug: "k8s-apiserver-service-account-lookup",
        ids: &[(K112, "1.2.21")],
        title: "Service-account tokens checked against etcd",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that tokens of deleted service accounts are rejected because the API server looks each account up.",
            why: "Without lookup, tokens of deleted service accounts stay valid until they expire.",
            evidence: "`--service-account-lookup` (default true).",
            remediation: "Remove `--service-account-lookup=false`.",
            references: "",
        },
        evaluate: Evaluate::Context(service_account_lookup),
    },
    Check {
        slug: "k8s-apiserver-service-account-key-file",
        ids: &[(K112, "1.2.22")],
        title: "Service-account verification key configured",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that a dedicated public key is configured to verify service-account tokens.",
            why: "The API server needs the public key to verify service-account tokens; falling back to the TLS key couples two secrets.",
            evidence: "`--service-account-key-file`.",
            remediation: "Set `--service-account-key-file` to the public half of the service-account signing key.",
            references: "",
        },
        evaluate: Evaluate::Context(service_account_key_file),
    },
    Check {
        slug: "k8s-apiserver-etcd-client-cert",
        ids: &[(K112, "1.2.23")],
        title: "API server uses a client certificate for etcd",
        level: One,
        assessment: Automated,
        severity: High,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the API server authenticates to etcd with a TLS client certificate.",
            why: "Without a client certificate, etcd cannot tell the API server from any other client.",
            evidence: "`--etcd-certfile` and `--etcd-keyfile`.",
            remediation: "Set both to the apiserver-etcd-client certificate and key.",
            references: "",
        },
        evaluate: Evaluate::Context(etcd_client_cert),
    },
    Check {
        slug: "k8s-apiserver-tls-cert",
        ids: &[(K112, "1.2.24")],
        title: "API server serves TLS with a configured certificate",
        level: One,
        assessment: Automated,
        severity: High,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the API server serves HTTPS with an explicitly configured certificate and key.",
            why: "A configured certificate lets clients verify the API server; a self-signed one invites clients to skip verification.",
            evidence: "`--tls-cert-file` and `--tls-private-key-file`.",
            remediation: "Set both flags.",
            references: "",
        },
        evaluate: Evaluate::Context(tls_cert),
    },
    Check {
        slug: "k8s-apiserver-client-ca",
        ids: &[(K112, "1.2.25")],
        title: "Client-certificate authentication CA configured",
        level: One,
        assessment: Automated,
        severity: High,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the API server has a CA for verifying client certificates.",
            why: "Without a client CA, client-certificate authentication is off and kubelets and controllers cannot authenticate with certificates.",
            evidence: "`--client-ca-file`.",
            remediation: "Set `--client-ca-file` to the cluster CA.",
            references: "",
        },
        evaluate: Evaluate::Context(client_ca),
    },
    Check {
        slug: "k8s-apiserver-etcd-ca",
        ids: &[(K112, "1.2.26")],
        title: "API server verifies etcd with a CA",
        level: One,
        assessment: Automated,
        severity: High,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the API server validates etcd's serving certificate against a CA.",
            why: "Without a CA, the API server cannot verify it talks to the real etcd.",
            evidence: "`--etcd-cafile`.",
            remediation: "Set `--etcd-cafile` to the etcd CA.",
            references: "",
        },
        evaluate: Evaluate::Context(etcd_ca),
    },
    Check {
        slug: "k8s-apiserver-encryption-config",
        ids: &[(K112, "1.2.27")],
        title: "Encryption at rest configured",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::KubeSecrets,
        doc: Doc {
            what: "Checks that an encryption configuration is in place so Secrets are encrypted before being written to etcd.",
            why: "Without encryption at rest, Secrets are stored in plain text in etcd and its backups.",
            evidence: "`--encryption-provider-config` and whether the file it names can be read.",
            remediation: "Write an EncryptionConfiguration (aescbc, secretbox or KMS v2 for `secrets`) and pass it with `--encryption-provider-config`.",
            references: "https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/",
        },
        evaluate: Evaluate::Context(encryption_config),
    },
    Check {
        slug: "k8s-apiserver-encryption-provider-strong",
        ids: &[(K112, "1.2.28")],
        title: "Encryption providers are strong",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::KubeSecrets,
        doc: Doc {
            what: "Checks that the first, write-side provider in the encryption configuration is a real cipher rather than identity.",
            why: "The first provider encrypts new writes; `identity` first means Secrets are still written in plain text.",
            evidence: "The EncryptionConfiguration file (key material redacted): for the resources that cover `secrets`, the first provider.",
            remediation: "Put `kms` (v2), `aescbc` or `secretbox` first for `secrets`; keep `identity` only last, for reading old data; then rewrite all Secrets.",
            references: "",
        },
        evaluate: Evaluate::Context(encryption_provider),
    },
    Check {
        slug: "k8s-apiserver-tls-strong-ciphers",
        ids: &[(K112, "1.2.29")],
        title: "API server restricted to strong TLS ciphers",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that the API server only negotiates AEAD/ECDHE cipher suites.",
            why: "Weak cipher suites allow downgrade and decryption of API traffic.",
            evidence: "`--tls-cipher-suites`, each suite checked against the strong list.",
            remediation: "Set `--tls-cipher-suites` to AEAD ECDHE suites only (e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256).",
            references: "",
        },
        evaluate: Evaluate::Context(apiserver_ciphers),
    },
    Check {
        slug: "k8s-apiserver-sa-token-expiration-not-extended",
        ids: &[(K112, "1.2.30")],
        title: "Service-account token lifetime not silently extended",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeApiserver,
        doc: Doc {
            what: "Checks that projected service-account tokens are not issued with an extended lifetime beyond what was requested.",
            why: "Extended tokens stay valid for a year even when issued for an hour, widening the window for a stolen token.",
            evidence: "`--service-account-extend-token-expiration` (default true).",
            remediation: "Set `--service-account-extend-token-expiration=false`.",
            references: "",
        },
        evaluate: Evaluate::Context(sa_token_expiration),
    },
];

use serde_json::Value;

use crate::checks::Verdict;

/// Plugins kube-apiserver enables by default (1.32–1.34, `kube-apiserver --help`);
/// `--enable-admission-plugins` adds to these, `--disable-admission-plugins` removes.
pub(crate) const DEFAULT_ADMISSION_PLUGINS: &str = "NamespaceLifecycle,LimitRanger,ServiceAccount,TaintNodesByCondition,PodSecurity,Priority,DefaultTolerationSeconds,DefaultStorageClass,StorageObjectInUseProtection,PersistentVolumeClaimResize,RuntimeClass,CertificateApproval,CertificateSigning,ClusterTrustBundleAttest,CertificateSubjectRestriction,DefaultIngressClass,MutatingAdmissionWebhook,ValidatingAdmissionPolicy,ValidatingAdmissionWebhook,ResourceQuota";

fn rule(
    flag: &'static str,
    expect: Expect,
    default: Option<&'static str>,
    otherwise: Verdict,
) -> FlagRule {
    FlagRule {
        kind: API,
        flag,
        expect,
        default,
        otherwise,
    }
}

fn anonymous_auth(ctx: &Context) -> Outcome {
    let c = match component(ctx, API) {
        Ok(c) => c,
        Err(o) => return o,
    };
    if let Some(doc) = apiserver_doc(ctx, "authentication") {
        if let Some(o) = unreadable(doc) {
            return o;
        }
        let anon = doc.doc.seen().and_then(|d| d.get("anonymous"));
        let enabled = anon
            .and_then(|a| a.get("enabled"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if anon.is_some() {
            let paths: Vec<String> = anon
                .and_then(|a| a.get("conditions"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|c| c.get("path").and_then(Value::as_str).map(str::to_string))
                .collect();
            let health_only = !paths.is_empty()
                && paths
                    .iter()
                    .all(|p| matches!(p.as_str(), "/livez" | "/readyz" | "/healthz"));
            return if !enabled {
                Outcome::pass(format!(
                    "anonymous.enabled: false in {} {}",
                    doc.path,
                    from(c)
                ))
            } else if health_only {
                Outcome::pass(format!(
                    "anonymous allowed only for {} in {} {}",
                    paths.join(", "),
                    doc.path,
                    from(c)
                ))
            } else {
                Outcome::warn(format!(
                    "anonymous.enabled: true in {} for {} {}",
                    doc.path,
                    if paths.is_empty() {
                        "every path".to_string()
                    } else {
                        paths.join(", ")
                    },
                    from(c)
                ))
            };
        }
    }
    flag_rule(
        ctx,
        rule(
            "anonymous-auth",
            Expect::Bool(false),
            Some("true"),
            Verdict::Warn,
        ),
    )
}

fn token_auth_file(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule("token-auth-file", Expect::Unset, None, Verdict::Fail),
    )
}

fn deny_external_ips(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule(
            "enable-admission-plugins",
            Expect::Contains("DenyServiceExternalIPs"),
            Some(DEFAULT_ADMISSION_PLUGINS),
            Verdict::Warn,
        ),
    )
}

fn kubelet_client_cert(ctx: &Context) -> Outcome {
    all_set(
        ctx,
        API,
        &["kubelet-client-certificate", "kubelet-client-key"],
        Verdict::Fail,
    )
}

fn kubelet_ca(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule(
            "kubelet-certificate-authority",
            Expect::Set,
            None,
            Verdict::Fail,
        ),
    )
}

/// The authorizers in use: from `--authorization-config` when given, else
/// `--authorization-mode` (default AlwaysAllow), with evidence text.
fn authorizers(ctx: &Context) -> Result<(Vec<String>, String), Outcome> {
    let c = component(ctx, API)?;
    if let Some(doc) = apiserver_doc(ctx, "authorization") {
        if let Some(o) = unreadable(doc) {
            return Err(o);
        }
        let types: Vec<String> = doc
            .doc
            .seen()
            .and_then(|d| d.get("authorizers"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|a| a.get("type").and_then(Value::as_str).map(str::to_string))
            .collect();
        return Ok((
            types.clone(),
            format!(
                "authorizers [{}] in {} {}",
                types.join(", "),
                doc.path,
                from(c)
            ),
        ));
    }
    let flags = c.flags();
    match flags.list("authorization-mode") {
        Some(list) => Ok((
            list,
            format!(
                "`{}` {}",
                flags.written("authorization-mode").unwrap_or_default(),
                from(c)
            ),
        )),
        None if c.is_wrapped() => Err(Outcome::warn(format!(
            "--authorization-mode not passed; the wrapper sets its own, review {}",
            from(c)
        ))),
        None => Ok((
            vec!["AlwaysAllow".into()],
            format!(
                "--authorization-mode not set: default AlwaysAllow ({DEFAULTS_OF}) {}",
                from(c)
            ),
        )),
    }
}

fn authz_has(ctx: &Context, mode: &str, want: bool) -> Outcome {
    match authorizers(ctx) {
        Ok((list, ev)) => {
            let has = list.iter().any(|m| m == mode);
            Outcome::pass_if(has == want, ev)
        }
        Err(o) => o,
    }
}

fn authz_not_always_allow(ctx: &Context) -> Outcome {
    authz_has(ctx, "AlwaysAllow", false)
}

fn authz_node(ctx: &Context) -> Outcome {
    authz_has(ctx, "Node", true)
}

fn authz_rbac(ctx: &Context) -> Outcome {
    authz_has(ctx, "RBAC", true)
}

fn event_rate_limit(ctx: &Context) -> Outcome {
    let c = match component(ctx, API) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let flags = c.flags();
    let enabled = flags
        .list("enable-admission-plugins")
        .unwrap_or_default()
        .iter()
        .any(|p| p == "EventRateLimit");
    if !enabled {
        return Outcome::fail(format!(
            "EventRateLimit not in --enable-admission-plugins ({}) {}",
            flags
                .written("enable-admission-plugins")
                .unwrap_or_else(|| "flag not set: not a default plugin".into()),
            from(c)
        ));
    }
    let Some(admission) = apiserver_doc(ctx, "admission") else {
        return Outcome::fail(format!(
            "EventRateLimit enabled but --admission-control-config-file not set: the plugin has no configuration and the API server will not start with it {}",
            from(c)
        ));
    };
    if let Some(o) = unreadable(admission) {
        return o;
    }
    let plugin = admission
        .doc
        .seen()
        .and_then(|d| d.get("plugins"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|p| p.get("name").and_then(Value::as_str) == Some("EventRateLimit"));
    let Some(plugin) = plugin else {
        return Outcome::fail(format!(
            "{} has no EventRateLimit plugin entry {}",
            admission.path,
            from(c)
        ));
    };
    let (config, where_) = match (
        plugin.get("configuration"),
        apiserver_doc(ctx, "event-rate-limit"),
    ) {
        (Some(inline), _) => (inline.clone(), format!("inline in {}", admission.path)),
        (None, Some(doc)) => {
            if let Some(o) = unreadable(doc) {
                return o;
            }
            (
                doc.doc.seen().cloned().unwrap_or(Value::Null),
                doc.path.clone(),
            )
        }
        (None, None) => {
            return Outcome::fail(format!(
                "EventRateLimit entry in {} has neither a path nor a configuration {}",
                admission.path,
                from(c)
            ));
        }
    };
    let limits: Vec<String> = config
        .get("limits")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|l| {
            l.get("qps").and_then(Value::as_i64).unwrap_or(0) > 0
                && l.get("burst").and_then(Value::as_i64).unwrap_or(0) > 0
        })
        .map(|l| {
            format!(
                "{} qps={} burst={}",
                l.get("type").and_then(Value::as_str).unwrap_or("?"),
                l.get("qps").map(value_text).unwrap_or_default(),
                l.get("burst").map(value_text).unwrap_or_default()
            )
        })
        .collect();
    if limits.is_empty() {
        Outcome::fail(format!(
            "EventRateLimit configuration ({where_}) has no limit with qps > 0 and burst > 0 {}",
            from(c)
        ))
    } else {
        Outcome::pass(format!(
            "EventRateLimit enabled with limits {} ({where_}) {}",
            limits.join("; "),
            from(c)
        ))
    }
}

fn no_always_admit(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule(
            "enable-admission-plugins",
            Expect::Lacks("AlwaysAdmit"),
            Some(DEFAULT_ADMISSION_PLUGINS),
            Verdict::Fail,
        ),
    )
}

fn always_pull_images(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule(
            "enable-admission-plugins",
            Expect::Contains("AlwaysPullImages"),
            Some(DEFAULT_ADMISSION_PLUGINS),
            Verdict::Warn,
        ),
    )
}

fn service_account_plugin(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule(
            "disable-admission-plugins",
            Expect::Lacks("ServiceAccount"),
            None,
            Verdict::Fail,
        ),
    )
}

fn namespace_lifecycle(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule(
            "disable-admission-plugins",
            Expect::Lacks("NamespaceLifecycle"),
            None,
            Verdict::Fail,
        ),
    )
}

fn node_restriction(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule(
            "enable-admission-plugins",
            Expect::Contains("NodeRestriction"),
            Some(DEFAULT_ADMISSION_PLUGINS),
            Verdict::Fail,
        ),
    )
}

fn apiserver_profiling(ctx: &Context) -> Outcome {
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

fn audit_log_path(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule("audit-log-path", Expect::Set, None, Verdict::Fail),
    )
}

fn audit_log_maxage(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule(
            "audit-log-maxage",
            Expect::AtLeast(30),
            Some("0"),
            Verdict::Fail,
        ),
    )
}

fn audit_log_maxbackup(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule(
            "audit-log-maxbackup",
            Expect::AtLeast(10),
            Some("0"),
            Verdict::Fail,
        ),
    )
}

fn audit_log_maxsize(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule(
            "audit-log-maxsize",
            Expect::AtLeast(100),
            Some("0"),
            Verdict::Fail,
        ),
    )
}

fn request_timeout(ctx: &Context) -> Outcome {
    let c = match component(ctx, API) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let value = c
        .flags()
        .written("request-timeout")
        .map(|w| format!("`{w}`"))
        .unwrap_or_else(|| format!("--request-timeout not set: default 1m0s ({DEFAULTS_OF})"));
    Outcome::warn(format!(
        "{value}: confirm it suits the site (long timeouts let slow clients hold connections) {}",
        from(c)
    ))
}

fn service_account_lookup(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule(
            "service-account-lookup",
            Expect::Bool(true),
            Some("true"),
            Verdict::Fail,
        ),
    )
}

fn service_account_key_file(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule("service-account-key-file", Expect::Set, None, Verdict::Fail),
    )
}

fn etcd_client_cert(ctx: &Context) -> Outcome {
    all_set(ctx, API, &["etcd-certfile", "etcd-keyfile"], Verdict::Fail)
}

fn tls_cert(ctx: &Context) -> Outcome {
    all_set(
        ctx,
        API,
        &["tls-cert-file", "tls-private-key-file"],
        Verdict::Fail,
    )
}

fn client_ca(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule("client-ca-file", Expect::Set, None, Verdict::Fail),
    )
}

fn etcd_ca(ctx: &Context) -> Outcome {
    flag_rule(ctx, rule("etcd-cafile", Expect::Set, None, Verdict::Fail))
}

fn encryption_config(ctx: &Context) -> Outcome {
    let o = flag_rule(
        ctx,
        rule(
            "encryption-provider-config",
            Expect::Set,
            None,
            Verdict::Fail,
        ),
    );
    if o.verdict != Verdict::Pass {
        return o;
    }
    match apiserver_doc(ctx, "encryption").and_then(unreadable) {
        Some(err) => err,
        None => o,
    }
}

/// Providers that encrypt with a key the benchmark accepts (CIS v1.12 1.2.28).
const STRONG_PROVIDERS: &[&str] = &["aescbc", "kms", "secretbox"];

fn covers_secrets(resources: &[String]) -> bool {
    resources
        .iter()
        .any(|r| matches!(r.as_str(), "secrets" | "*.*" | "*."))
}

fn encryption_provider(ctx: &Context) -> Outcome {
    let c = match component(ctx, API) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let Some(doc) = apiserver_doc(ctx, "encryption") else {
        return Outcome::fail(format!(
            "--encryption-provider-config not set: Secrets are stored unencrypted {}",
            from(c)
        ));
    };
    if let Some(o) = unreadable(doc) {
        return o;
    }
    let entries = doc
        .doc
        .seen()
        .and_then(|d| d.get("resources"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    // The first entry whose resources match decides (the API server uses the first match).
    for entry in &entries {
        let resources: Vec<String> = entry
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(str::to_string))
            .collect();
        if !covers_secrets(&resources) {
            continue;
        }
        let first = entry
            .get("providers")
            .and_then(Value::as_array)
            .and_then(|p| p.first())
            .and_then(Value::as_object)
            .and_then(|o| o.keys().next().cloned())
            .unwrap_or_else(|| "(none)".into());
        let ev = format!(
            "first provider for [{}] is {first} in {} {}",
            resources.join(", "),
            doc.path,
            from(c)
        );
        return Outcome::pass_if(STRONG_PROVIDERS.contains(&first.as_str()), ev);
    }
    Outcome::fail(format!(
        "no resources entry in {} covers secrets: Secrets are stored unencrypted {}",
        doc.path,
        from(c)
    ))
}

/// Cipher suites the benchmark accepts for the API server (CIS v1.12 1.2.29).
const STRONG_API_CIPHERS: &[&str] = &[
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

/// Judge a cipher list against an allowed set: pass when every suite is allowed.
pub(crate) fn ciphers_outcome(
    list: Option<Vec<String>>,
    allowed: &[&str],
    source: String,
) -> Outcome {
    match list {
        None => Outcome::warn(format!(
            "no cipher suites configured: the Go runtime defaults apply, review {source}"
        )),
        Some(list) => {
            let weak: Vec<&String> = list
                .iter()
                .filter(|s| !allowed.contains(&s.as_str()))
                .collect();
            if weak.is_empty() {
                Outcome::pass(format!("{} suites, all strong {source}", list.len()))
            } else {
                Outcome::warn(format!(
                    "suites outside the strong list: {} {source}",
                    weak.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        }
    }
}

fn apiserver_ciphers(ctx: &Context) -> Outcome {
    let c = match component(ctx, API) {
        Ok(c) => c,
        Err(o) => return o,
    };
    ciphers_outcome(
        c.flags().list("tls-cipher-suites"),
        STRONG_API_CIPHERS,
        from(c),
    )
}

fn sa_token_expiration(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        rule(
            "service-account-extend-token-expiration",
            Expect::Bool(false),
            Some("true"),
            Verdict::Fail,
        ),
    )
}
