//! Section 4.3: kube-proxy.

use super::*;
use crate::checks::{
    Assessment::*, Check, Component, Context, Doc, Evaluate, Level::*, Outcome, Severity::*,
};

pub const CHECKS: &[Check] = &[Check {
    slug: "k8s-proxy-metrics-bind-localhost",
    ids: &[(K112, "4.3.1")],
    title: "kube-proxy metrics bound to localhost",
    level: One,
    assessment: Automated,
    severity: Low,
    component: Component::KubeProxy,
    doc: Doc {
        what: "Checks that kube-proxy's unauthenticated metrics endpoint is reachable only from the node itself.",
        why: "Metrics on all interfaces expose node and service details to the network.",
        evidence: "`--metrics-bind-address` or `metricsBindAddress` in kube-proxy's `--config` file (default 127.0.0.1:10249; empty means the default).",
        remediation: "Set `metricsBindAddress: 127.0.0.1:10249` in the kube-proxy configuration (ConfigMap kube-system/kube-proxy on kubeadm).",
        references: "",
    },
    evaluate: Evaluate::Context(proxy_metrics_bind),
}];

use crate::facts::Observed;
use crate::facts::kube::config_path;

fn proxy_metrics_bind(ctx: &Context) -> Outcome {
    let c = match component(ctx, PROXY) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let flags = c.flags();
    if let Some(f) = flags.last("metrics-bind-address") {
        let v = f.value.clone().unwrap_or_default();
        return Outcome::pass_if(is_loopback(&v), format!("`{}` {}", f.written, from(c)));
    }
    let Some(cfg) = &ctx.facts.kube.proxy_config else {
        if c.is_wrapped() {
            return Outcome::warn(format!(
                "--metrics-bind-address not passed; the wrapper sets its own, review {}",
                from(c)
            ));
        }
        return Outcome::pass(format!(
            "--metrics-bind-address not set and no --config: default 127.0.0.1:10249 ({DEFAULTS_OF}) {}",
            from(c)
        ));
    };
    match &cfg.doc {
        Observed::Seen(doc) => {
            let v = config_path(doc, "metricsBindAddress")
                .and_then(|v| v.as_str())
                .unwrap_or("");
            if v.is_empty() {
                Outcome::pass(format!(
                    "metricsBindAddress empty in {}: default 127.0.0.1:10249 ({DEFAULTS_OF}) {}",
                    cfg.path,
                    from(c)
                ))
            } else {
                Outcome::pass_if(
                    is_loopback(v),
                    format!("metricsBindAddress: {v} in {} {}", cfg.path, from(c)),
                )
            }
        }
        Observed::Unavailable(u) => Outcome::error(format!(
            "kube-proxy config unreadable: {} (named by {}); on kubeadm it lives in ConfigMap kube-system/kube-proxy",
            u.reason, cfg.named_by
        )),
    }
}
