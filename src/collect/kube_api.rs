//! Kubernetes cluster objects from the live API server (`--kube-api`), through kube-rs: the same
//! resources a `--cluster-dump` holds ([`DUMP_RESOURCES`]), read with list requests only, turned
//! into the same [`ClusterFacts`] so every check and the threat model read them unchanged.
//!
//! Read-only: `GET /version` and one paginated `GET` list per resource; nothing is written,
//! watched or exec'd. A resource the server refuses (403) or fails on is named in `problems` and
//! left out of `listed`, so the checks that need it say it was not read instead of "none exist".

use std::path::PathBuf;

use crate::facts::kube::{ClusterFacts, KubeFacts};
use crate::facts::{Observed, UnavailableKind};

#[cfg(feature = "k8s")]
use crate::facts::kube::DUMP_RESOURCES;

/// Where to find the API server (`--kube-api`, `--kubeconfig`, `--kube-context`).
#[derive(Debug, Clone, Default)]
pub struct KubeApiOptions {
    /// A kubeconfig file; default: `KUBECONFIG`, else `~/.kube/config`, else the in-cluster
    /// service account.
    pub kubeconfig: Option<PathBuf>,
    /// A context of the kubeconfig other than its current one.
    pub context: Option<String>,
    /// The longest wait to connect and for each answer (`--timeout`).
    pub timeout: std::time::Duration,
}

/// Whether this build can talk to a Kubernetes API server (cargo feature `k8s`).
pub const SUPPORTED: bool = cfg!(feature = "k8s");

/// What a build without the `k8s` feature says when asked for `--kube-api`.
pub const UNSUPPORTED: &str = "--kube-api: this threatbench was built without Kubernetes API support (cargo feature `k8s`); use --cluster-dump with `kubectl get <resources> -A -o json` dumps";

/// API group and version of each resource of [`DUMP_RESOURCES`] (all served at v1 by every
/// Kubernetes version CIS 1.12 covers).
pub fn group_version(plural: &str) -> Option<(&'static str, &'static str)> {
    Some(match plural {
        "clusterroles" | "clusterrolebindings" | "roles" | "rolebindings" => {
            ("rbac.authorization.k8s.io", "v1")
        }
        "pods"
        | "serviceaccounts"
        | "namespaces"
        | "limitranges"
        | "resourcequotas"
        | "nodes"
        | "replicationcontrollers" => ("", "v1"),
        "networkpolicies" => ("networking.k8s.io", "v1"),
        "deployments" | "daemonsets" | "statefulsets" | "replicasets" => ("apps", "v1"),
        "jobs" | "cronjobs" => ("batch", "v1"),
        "validatingwebhookconfigurations"
        | "mutatingwebhookconfigurations"
        | "validatingadmissionpolicies"
        | "validatingadmissionpolicybindings" => ("admissionregistration.k8s.io", "v1"),
        _ => return None,
    })
}

/// The list URL of a resource across all namespaces (`/api/v1/pods`, `/apis/apps/v1/deployments`).
pub fn list_path(plural: &str) -> Option<String> {
    let (group, version) = group_version(plural)?;
    Some(match group {
        "" => format!("/api/{version}/{plural}"),
        g => format!("/apis/{g}/{version}/{plural}"),
    })
}

/// Read the cluster objects from the API server and settle the version from its `/version`.
pub async fn apply(kube: &mut KubeFacts, opts: &super::kube::KubeOptions) {
    if let Some(api) = &opts.api {
        kube.cluster = Some(collect(api).await);
        kube.version = super::kube::version(kube, opts);
    }
}

/// The cluster objects from the API server: `Unavailable` when no configuration is found or the
/// server does not answer `/version`; per-resource failures land in `problems`.
#[cfg(not(feature = "k8s"))]
pub async fn collect(_opts: &KubeApiOptions) -> Observed<ClusterFacts> {
    Observed::unavailable(UnavailableKind::NotCollected, UNSUPPORTED)
}

/// The cluster objects from the API server: `Unavailable` when no configuration is found or the
/// server does not answer `/version`; per-resource failures land in `problems`.
#[cfg(feature = "k8s")]
pub async fn collect(opts: &KubeApiOptions) -> Observed<ClusterFacts> {
    let config = match load_config(opts).await {
        Ok(c) => c,
        Err(reason) => return Observed::unavailable(UnavailableKind::NotFound, reason),
    };
    let server = config.cluster_url.to_string();
    let client = match kube::Client::try_from(config) {
        Ok(c) => c,
        Err(e) => {
            return Observed::unavailable(
                UnavailableKind::Error,
                format!("Kubernetes API {server}: {}", error_text(&e)),
            );
        }
    };
    let mut out = ClusterFacts::new(server.clone());
    // /version first: it needs no authorization beyond discovery, so a failure here means the
    // server cannot be reached (or rejects our credentials) and no list would work either.
    let version: serde_json::Value = match client.request(get("/version")).await {
        Ok(v) => v,
        Err(e) => {
            let kind = match &e {
                kube::Error::Api(s) if s.code == 401 || s.code == 403 => {
                    UnavailableKind::PermissionDenied
                }
                _ => UnavailableKind::Error,
            };
            return Observed::unavailable(
                kind,
                format!(
                    "Kubernetes API {server}: GET /version failed: {}",
                    bounded(error_text(&e), opts.timeout)
                ),
            );
        }
    };
    out.files.push(format!("{server}version"));
    super::kube_dump::add_dump_value(
        &mut out.objects,
        serde_json::json!({ "serverVersion": version }),
        None,
    );
    for (plural, kind) in DUMP_RESOURCES {
        match list_all(&client, plural).await {
            Ok((items, api_version)) => {
                let n = items.len();
                for mut item in items {
                    if let serde_json::Value::Object(m) = &mut item {
                        m.entry("apiVersion")
                            .or_insert_with(|| api_version.clone().into());
                    }
                    super::kube_dump::add_dump_value(
                        &mut out.objects,
                        item,
                        Some(&format!("{kind}List")),
                    );
                }
                out.listed.push(kind.to_string());
                out.files.push(format!("{plural} ({n} objects)"));
            }
            Err(reason) => out
                .problems
                .push(format!("{plural}: {}", bounded(reason, opts.timeout))),
        }
    }
    Observed::Seen(out)
}

#[cfg(feature = "k8s")]
async fn load_config(opts: &KubeApiOptions) -> Result<kube::Config, String> {
    use kube::config::{KubeConfigOptions, Kubeconfig};
    let options = KubeConfigOptions {
        context: opts.context.clone(),
        ..Default::default()
    };
    let mut config = match (&opts.kubeconfig, &opts.context) {
        (Some(path), _) => {
            let file = Kubeconfig::read_from(path)
                .map_err(|e| format!("--kubeconfig {}: {}", path.display(), error_text(&e)))?;
            kube::Config::from_custom_kubeconfig(file, &options)
                .await
                .map_err(|e| format!("--kubeconfig {}: {}", path.display(), error_text(&e)))?
        }
        // A named context only exists in a kubeconfig: no in-cluster fallback.
        (None, Some(_)) => kube::Config::from_kubeconfig(&options)
            .await
            .map_err(|e| format!("kubeconfig (KUBECONFIG or ~/.kube/config): {}", error_text(&e)))?,
        (None, None) => kube::Config::infer().await.map_err(|e| {
            format!(
                "no Kubernetes API configuration (KUBECONFIG, ~/.kube/config, in-cluster service account): {}",
                error_text(&e)
            )
        })?,
    };
    // A scan should fail within --timeout on an unreachable or silent server, not wait kube's
    // defaults (30 s to connect, 295 s to read).
    config.connect_timeout = Some(opts.timeout);
    config.read_timeout = Some(opts.timeout);
    Ok(config)
}

#[cfg(feature = "k8s")]
fn get(path: &str) -> http::Request<Vec<u8>> {
    http::Request::get(path)
        .body(Vec::new())
        .expect("a GET with a fixed path is a valid request")
}

/// Page size of list requests, as kubectl uses.
#[cfg(feature = "k8s")]
const PAGE: u32 = 500;

/// Every object of one resource across all namespaces, following `continue` tokens; with the
/// list's apiVersion (list items do not carry it).
#[cfg(feature = "k8s")]
async fn list_all(
    client: &kube::Client,
    plural: &str,
) -> Result<(Vec<serde_json::Value>, String), String> {
    let path = list_path(plural).ok_or_else(|| format!("no API path known for {plural}"))?;
    let mut params = kube::api::ListParams::default().limit(PAGE);
    let mut items = Vec::new();
    let mut api_version = String::new();
    let progress = crate::progress::spinner(format!("listing {plural}"));
    loop {
        let request = kube::core::Request::new(&path)
            .list(&params)
            .map_err(|e| e.to_string())?;
        let mut page: serde_json::Value = client
            .request(request)
            .await
            .map_err(|e| format!("GET {path}: {}", error_text(&e)))?;
        if let Some(v) = page.get("apiVersion").and_then(serde_json::Value::as_str) {
            api_version = v.to_string();
        }
        match page.get_mut("items").map(serde_json::Value::take) {
            Some(serde_json::Value::Array(list)) => {
                items.extend(list);
                progress.set_message(format!("listing {plural}: {}", items.len()));
            }
            Some(serde_json::Value::Null) | None => {}
            Some(_) => return Err(format!("GET {path}: `items` is not a list")),
        }
        let next = page
            .pointer("/metadata/continue")
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty());
        match next {
            Some(token) => params.continue_token = Some(token.to_string()),
            None => {
                progress.finish_and_clear();
                return Ok((items, api_version));
            }
        }
    }
}

/// A failure that was a timeout names the bound and the flag that sets it.
#[cfg(feature = "k8s")]
fn bounded(text: String, timeout: std::time::Duration) -> String {
    if text.contains("timed out") || text.contains("deadline has elapsed") {
        format!(
            "{text} (no answer within {} (--timeout))",
            super::duration_text(timeout)
        )
    } else {
        text
    }
}

/// One line for an error and its causes (kube's own text nests them).
#[cfg(feature = "k8s")]
fn error_text(e: &(dyn std::error::Error + 'static)) -> String {
    if let Some(kube::Error::Api(s)) = e.downcast_ref::<kube::Error>() {
        let reason = if s.reason.is_empty() {
            String::new()
        } else {
            format!(" {}", s.reason)
        };
        return format!("{}{reason}: {}", s.code, s.message);
    }
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(feature = "k8s"))]
    #[test]
    fn without_the_k8s_feature_the_collector_says_so() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        match rt.block_on(collect(&KubeApiOptions::default())) {
            Observed::Unavailable(u) => assert!(u.reason.contains("cargo feature `k8s`")),
            Observed::Seen(_) => panic!("no API support in this build"),
        }
    }

    #[test]
    fn every_dump_resource_has_an_api_path() {
        for (plural, _) in crate::facts::kube::DUMP_RESOURCES {
            assert!(list_path(plural).is_some(), "{plural}");
        }
        assert_eq!(list_path("pods").unwrap(), "/api/v1/pods");
        assert_eq!(
            list_path("networkpolicies").unwrap(),
            "/apis/networking.k8s.io/v1/networkpolicies"
        );
        assert_eq!(list_path("secrets"), None, "secrets are never read");
    }
}
