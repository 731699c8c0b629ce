//! `--kube-api`: section 5 from a live API server through kube-rs. No Kubernetes runs here, so a
//! small fake API server (plain HTTP/1.1 on 127.0.0.1, no auth) answers `/version` and the list
//! endpoints from the same objects common_kube::cluster writes as a `kubectl get -o json` dump,
//! shaped as the real API server returns them: `<Kind>List` pages of at most two items linked
//! by `continue` tokens, items without kind/apiVersion but with managedFields, 403 Status
//! bodies for refused resources.
#![cfg(feature = "k8s")]

mod common_kube;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use common_kube::NodeRoot;
use serde_json::{Value, json};

/// Items per page, far below the client's limit=500, so pagination is exercised.
const PAGE: usize = 2;

/// Resources, group/version and kind as the API server serves them (the ones the dump has).
const RESOURCES: &[(&str, &str, &str)] = &[
    ("/api/v1/namespaces", "v1", "Namespace"),
    ("/api/v1/pods", "v1", "Pod"),
    ("/api/v1/serviceaccounts", "v1", "ServiceAccount"),
    ("/api/v1/limitranges", "v1", "LimitRange"),
    ("/api/v1/resourcequotas", "v1", "ResourceQuota"),
    ("/api/v1/nodes", "v1", "Node"),
    (
        "/apis/rbac.authorization.k8s.io/v1/clusterroles",
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
    ),
    (
        "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
        "rbac.authorization.k8s.io/v1",
        "ClusterRoleBinding",
    ),
    (
        "/apis/rbac.authorization.k8s.io/v1/roles",
        "rbac.authorization.k8s.io/v1",
        "Role",
    ),
    (
        "/apis/rbac.authorization.k8s.io/v1/rolebindings",
        "rbac.authorization.k8s.io/v1",
        "RoleBinding",
    ),
    (
        "/apis/networking.k8s.io/v1/networkpolicies",
        "networking.k8s.io/v1",
        "NetworkPolicy",
    ),
    ("/apis/apps/v1/deployments", "apps/v1", "Deployment"),
    ("/apis/apps/v1/daemonsets", "apps/v1", "DaemonSet"),
    ("/apis/apps/v1/statefulsets", "apps/v1", "StatefulSet"),
    ("/apis/apps/v1/replicasets", "apps/v1", "ReplicaSet"),
    ("/apis/batch/v1/jobs", "batch/v1", "Job"),
    ("/apis/batch/v1/cronjobs", "batch/v1", "CronJob"),
    (
        "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
    ),
    (
        "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
    ),
];

struct FakeApi {
    port: u16,
    /// Every request line received (method and target).
    requests: Arc<Mutex<Vec<String>>>,
}

impl FakeApi {
    /// Serve the objects of the dump in `dump`; list paths ending in one of `forbidden` get 403.
    fn start(dump: &Path, forbidden: &[&str]) -> FakeApi {
        let mut routes: BTreeMap<String, (String, String, Vec<Value>)> = BTreeMap::new();
        for (path, api_version, kind) in RESOURCES {
            let plural = path.rsplit('/').next().unwrap();
            let file = dump.join(format!("{plural}.json"));
            let items: Vec<Value> = match std::fs::read(&file) {
                Ok(text) => {
                    let list: Value = serde_json::from_slice(&text).unwrap();
                    list["items"].as_array().cloned().unwrap_or_default()
                }
                Err(_) => vec![],
            };
            // As the API server returns list items: no kind/apiVersion, with managedFields and
            // kubectl's last-applied annotation (both must be dropped on the way in).
            let items = items
                .into_iter()
                .map(|mut o| {
                    let m = o.as_object_mut().unwrap();
                    m.remove("kind");
                    m.remove("apiVersion");
                    m["metadata"]["managedFields"] =
                        json!([{"manager": "kubectl", "operation": "Update"}]);
                    m["metadata"]["annotations"]
                        ["kubectl.kubernetes.io/last-applied-configuration"] =
                        json!("{\"secret-ish\":\"LAST-APPLIED\"}");
                    o
                })
                .collect();
            routes.insert(
                path.to_string(),
                (api_version.to_string(), kind.to_string(), items),
            );
        }
        let version: Value =
            serde_json::from_slice::<Value>(&std::fs::read(dump.join("version.json")).unwrap())
                .unwrap()["serverVersion"]
                .clone();
        let forbidden: BTreeSet<String> = forbidden.iter().map(|s| s.to_string()).collect();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let state = Arc::new((routes, version, forbidden, requests.clone()));
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { return };
                let state = state.clone();
                std::thread::spawn(move || {
                    let (routes, version, forbidden, requests) = &*state;
                    serve(conn, routes, version, forbidden, requests);
                });
            }
        });
        FakeApi { port, requests }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

type Routes = BTreeMap<String, (String, String, Vec<Value>)>;

/// One keep-alive HTTP/1.1 connection: GET requests without bodies, JSON answers.
fn serve(
    conn: TcpStream,
    routes: &Routes,
    version: &Value,
    forbidden: &BTreeSet<String>,
    requests: &Mutex<Vec<String>>,
) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut out = conn;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        // Skip the headers; the client sends no body on GET.
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                break;
            }
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        requests.lock().unwrap().push(format!("{method} {target}"));
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let param = |name: &str| {
            query
                .split('&')
                .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                .map(str::to_string)
        };
        let plural = path.rsplit('/').next().unwrap_or("");
        let (status, body) = if method != "GET" {
            (405, status_body(405, "MethodNotAllowed", "read-only fake"))
        } else if path == "/version" {
            (200, version.clone())
        } else if forbidden.contains(plural) && routes.contains_key(path) {
            let group = path
                .split('/')
                .nth(2)
                .filter(|_| path.starts_with("/apis/"));
            (
                403,
                status_body(
                    403,
                    "Forbidden",
                    &format!(
                        "{plural}{} is forbidden: User \"system:serviceaccount:audit:threatbench\" cannot list resource \"{plural}\" in API group \"{}\" at the cluster scope",
                        group.map(|g| format!(".{g}")).unwrap_or_default(),
                        group.unwrap_or("")
                    ),
                ),
            )
        } else if let Some((api_version, kind, items)) = routes.get(path) {
            let start: usize = param("continue").and_then(|c| c.parse().ok()).unwrap_or(0);
            let end = (start + PAGE).min(items.len());
            let mut metadata = json!({"resourceVersion": "4242"});
            if end < items.len() {
                metadata["continue"] = json!(end.to_string());
            }
            (
                200,
                json!({"kind": format!("{kind}List"), "apiVersion": api_version,
                       "metadata": metadata, "items": items[start..end]}),
            )
        } else {
            (
                404,
                status_body(
                    404,
                    "NotFound",
                    "the server could not find the requested resource",
                ),
            )
        };
        let body = serde_json::to_vec(&body).unwrap();
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        if out.write_all(head.as_bytes()).is_err() || out.write_all(&body).is_err() {
            return;
        }
    }
}

fn status_body(code: u16, reason: &str, message: &str) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
           "message": message, "reason": reason, "code": code})
}

/// A kubeconfig whose current context points at a closed port and whose `fake` context points
/// at `server` (no user credentials: the fake needs none).
fn kubeconfig(dir: &Path, server: &str, current: &str) -> PathBuf {
    let closed = closed_port();
    let text = format!(
        "apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: {server}
- name: gone
  cluster:
    server: http://127.0.0.1:{closed}
contexts:
- name: fake
  context:
    cluster: fake
    user: auditor
- name: gone
  context:
    cluster: gone
    user: auditor
current-context: {current}
users:
- name: auditor
  user: {{}}
"
    );
    let path = dir.join("kubeconfig");
    std::fs::write(&path, text).unwrap();
    path
}

/// A local port nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn threatbench(args: &[&str], extra: &[&Path]) -> std::process::Output {
    let tmp_home = tempfile::tempdir().unwrap();
    Command::cargo_bin("threatbench")
        .unwrap()
        .args(args)
        .args(extra)
        .env_remove("DOCKER_HOST")
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env("HOME", tmp_home.path())
        .output()
        .unwrap()
}

fn scan(node: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["scan", "--root", node.to_str().unwrap()];
    all.extend_from_slice(&["--benchmark", "cis-kubernetes-1.12", "--format", "json"]);
    all.extend_from_slice(args);
    threatbench(&all, &[])
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Section 5 and threatbench's own Kubernetes checks: id (or slug) → (verdict, evidence).
fn section_5(doc: &Value) -> BTreeMap<String, (String, String)> {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["id"].as_str().is_some_and(|id| id.starts_with("5."))
                || r["slug"].as_str().is_some_and(|s| s.starts_with("k8s-"))
        })
        .map(|r| {
            let key = r["id"]
                .as_str()
                .filter(|id| id.starts_with("5."))
                .or(r["slug"].as_str())
                .unwrap()
                .to_string();
            (
                key,
                (
                    r["verdict"].as_str().unwrap().to_string(),
                    r["evidence"].as_str().unwrap_or("").to_string(),
                ),
            )
        })
        .collect()
}

#[test]
fn kube_api_gives_the_same_section_5_verdicts_as_the_dump_of_the_same_objects() {
    let node = NodeRoot::kubeadm_control_plane();
    let dump = tempfile::tempdir().unwrap();
    common_kube::cluster::dump(dump.path());
    let api = FakeApi::start(dump.path(), &[]);
    let cfg = tempfile::tempdir().unwrap();
    // The current context is unreachable: --kube-context must choose the fake one.
    let kubeconfig = kubeconfig(cfg.path(), &api.url(), "gone");

    let from_dump = scan(
        node.path(),
        &["--cluster-dump", dump.path().to_str().unwrap()],
    );
    let from_api = scan(
        node.path(),
        &[
            "--kube-api",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "--kube-context",
            "fake",
        ],
    );
    assert_eq!(
        from_api.status.code(),
        from_dump.status.code(),
        "{}",
        String::from_utf8_lossy(&from_api.stderr)
    );
    let (d, a) = (json(&from_dump), json(&from_api));
    assert_eq!(a["complete"], true, "{}", a["incomplete"]);
    let (d5, a5) = (section_5(&d), section_5(&a));
    assert!(d5.len() >= 34, "{d5:?}");
    let differ: Vec<String> = d5
        .iter()
        .filter(|(id, (v, _))| a5.get(*id).map(|x| &x.0) != Some(v))
        .map(|(id, (v, ev))| format!("{id}: dump {v} ({ev}) / api {:?}", a5.get(id)))
        .collect();
    assert!(differ.is_empty(), "\n{}", differ.join("\n"));
    // The verdicts are real ones, not a uniform "unexamined".
    assert_eq!(a5["5.1.1"].0, "fail");
    assert_eq!(a5["5.3.2"].0, "fail");
    assert_eq!(a5["5.2.4"].0, "pass");
    assert!(a5["5.1.1"].1.contains("alice-admin"), "{}", a5["5.1.1"].1);
    // Only GETs, every list paginated through the continue tokens.
    let requests = api.requests();
    assert!(
        requests.iter().all(|r| r.starts_with("GET ")),
        "{requests:?}"
    );
    assert!(
        requests.contains(&"GET /version".to_string()),
        "{requests:?}"
    );
    let pod_pages = requests
        .iter()
        .filter(|r| r.starts_with("GET /api/v1/pods?"))
        .count();
    assert_eq!(pod_pages, 2, "4 pods in pages of 2: {requests:?}");
    assert!(
        !requests.iter().any(|r| r.contains("secrets")),
        "{requests:?}"
    );
}

#[test]
fn kube_api_facts_carry_the_server_version_and_no_managed_fields() {
    let node = NodeRoot::kubeadm_control_plane();
    let dump = tempfile::tempdir().unwrap();
    common_kube::cluster::dump(dump.path());
    // A version different from the node's static pod image tags, to see where it came from.
    common_kube::cluster::write(
        dump.path(),
        "version.json",
        json!({"serverVersion": {"gitVersion": "v1.34.2", "major": "1", "minor": "34"}}),
    );
    let api = FakeApi::start(dump.path(), &[]);
    let cfg = tempfile::tempdir().unwrap();
    let kubeconfig = kubeconfig(cfg.path(), &api.url(), "fake");
    let out = threatbench(
        &[
            "collect",
            "--root",
            node.path().to_str().unwrap(),
            "--kube-api",
            "--kubeconfig",
        ],
        &[&kubeconfig],
    );
    let facts = json(&out);
    let kube = &facts["kube"];
    assert_eq!(kube["version"]["version"], "v1.34.2", "{}", kube["version"]);
    let source = kube["version"]["source"].as_str().unwrap();
    assert!(
        source.contains(&format!("/version at {}", api.url())),
        "{source}"
    );
    let cluster = &kube["cluster"]["seen"];
    assert!(cluster["dir"].as_str().unwrap().starts_with(&api.url()));
    assert_eq!(cluster["problems"], json!([]));
    let text = cluster.to_string();
    assert!(!text.contains("managedFields"), "managedFields kept");
    assert!(
        !text.contains("LAST-APPLIED"),
        "last-applied annotation kept"
    );
    let objects = cluster["objects"].as_array().unwrap();
    let pods: Vec<&Value> = objects.iter().filter(|o| o["kind"] == "Pod").collect();
    assert_eq!(pods.len(), 4);
    assert_eq!(pods[0]["apiVersion"], "v1");
    // Resources the cluster has none of are listed (empty), so "none exist" is known.
    let listed: Vec<&str> = cluster["listed"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(listed.contains(&"ResourceQuota"), "{listed:?}");
    assert!(listed.contains(&"Deployment"), "{listed:?}");
}

#[test]
fn a_refused_resource_makes_its_checks_errors_naming_it_and_others_still_evaluate() {
    let node = NodeRoot::kubeadm_control_plane();
    let dump = tempfile::tempdir().unwrap();
    common_kube::cluster::dump(dump.path());
    let api = FakeApi::start(dump.path(), &["networkpolicies", "pods"]);
    let cfg = tempfile::tempdir().unwrap();
    let kubeconfig = kubeconfig(cfg.path(), &api.url(), "fake");
    let out = scan(
        node.path(),
        &["--kube-api", "--kubeconfig", kubeconfig.to_str().unwrap()],
    );
    // Incomplete: a section-5 check could not be evaluated.
    assert_eq!(out.status.code(), Some(3));
    let doc = json(&out);
    assert_eq!(doc["complete"], false);
    let incomplete = doc["incomplete"].to_string();
    assert!(
        incomplete.contains(
            "networkpolicies: GET /apis/networking.k8s.io/v1/networkpolicies: 403 Forbidden"
        ),
        "{incomplete}"
    );
    let r = section_5(&doc);
    // 5.3.2: every namespace has a NetworkPolicy — unknown, not "none exist".
    let (v, ev) = &r["5.3.2"];
    assert_eq!(v, "error", "{ev}");
    assert!(ev.contains("networkpolicies") && ev.contains("403"), "{ev}");
    assert!(ev.contains("cannot list resource"), "{ev}");
    // Pod checks (5.2.x) are errors naming pods, even though workload templates could stand in.
    let (v, ev) = &r["5.2.2"];
    assert_eq!(v, "error", "{ev}");
    assert!(ev.contains("pods: ") && ev.contains("403"), "{ev}");
    // RBAC, service accounts and namespaces still evaluate.
    assert_eq!(r["5.1.1"].0, "fail", "{}", r["5.1.1"].1);
    assert_eq!(r["5.1.5"].0, "fail", "{}", r["5.1.5"].1);
    assert_eq!(r["k8s-namespace-resource-limits"].0, "fail");
}

#[test]
fn an_unreachable_api_server_is_a_clear_error_and_exit_3() {
    let node = NodeRoot::kubeadm_control_plane();
    let cfg = tempfile::tempdir().unwrap();
    let port = closed_port();
    let server = format!("http://127.0.0.1:{port}");
    let kubeconfig = kubeconfig(cfg.path(), &server, "fake");
    let out = scan(
        node.path(),
        &["--kube-api", "--kubeconfig", kubeconfig.to_str().unwrap()],
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out);
    let r = section_5(&doc);
    let (v, ev) = &r["5.1.1"];
    assert_eq!(v, "error", "{ev}");
    assert!(
        ev.contains(&format!("Kubernetes API {server}/: GET /version failed")),
        "{ev}"
    );
    // Node checks are unaffected.
    let node_verdict = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "1.2.15")
        .unwrap()["verdict"]
        .clone();
    assert_eq!(node_verdict, "fail");
}

#[test]
fn kube_api_flag_errors_are_usage_errors() {
    let out = threatbench(
        &[
            "scan",
            "--kube-api",
            "--kubeconfig",
            "/nonexistent/kubeconfig",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--kubeconfig /nonexistent/kubeconfig"));
    let out = threatbench(&["scan", "--kube-api", "--cluster-dump", "/tmp"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let out = threatbench(&["scan", "--kubeconfig", "/tmp"], &[]);
    assert_eq!(out.status.code(), Some(2), "--kubeconfig needs --kube-api");
}

/// Threat instance → status from `threats --format json`.
fn threat_statuses(doc: &Value) -> BTreeMap<String, String> {
    doc["threats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["instance"].as_str().unwrap().to_string(),
                t["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_threat_model_from_the_api_matches_the_one_from_the_dump() {
    let node = NodeRoot::kubeadm_control_plane();
    let dump = tempfile::tempdir().unwrap();
    common_kube::cluster::dump(dump.path());
    let api = FakeApi::start(dump.path(), &[]);
    let cfg = tempfile::tempdir().unwrap();
    let kubeconfig = kubeconfig(cfg.path(), &api.url(), "fake");
    let root = node.path().to_str().unwrap();
    let base = ["threats", "--root", root, "--no-model", "--format", "json"];
    let from_dump = threatbench(
        &[
            &base[..],
            &["--cluster-dump", dump.path().to_str().unwrap()],
        ]
        .concat(),
        &[],
    );
    let from_api = threatbench(
        &[&base[..], &["--kube-api", "--kubeconfig"]].concat(),
        &[&kubeconfig],
    );
    let (d, a) = (
        threat_statuses(&json(&from_dump)),
        threat_statuses(&json(&from_api)),
    );
    // Per-namespace and per-service-account instances come from the cluster objects.
    assert!(
        a.keys().any(|k| k.contains("namespace:lab")),
        "{:?}",
        a.keys()
    );
    assert_eq!(a, d);
}

/// Pods reached through paged lists are grouped under their Deployment as from a dump: the
/// ReplicaSets and Deployments are listed too, and three replicas span two pages.
#[test]
fn kube_api_groups_pods_under_their_deployment_like_the_dump() {
    let node = NodeRoot::kubeadm_control_plane();
    let dump = tempfile::tempdir().unwrap();
    common_kube::cluster::dump(dump.path());
    let owned = |kind: &str, owner: &str| json!([{"apiVersion": "apps/v1", "kind": kind, "name": owner, "uid": format!("uid-{owner}"), "controller": true}]);
    let spec = json!({"containers": [{"name": "cart", "image": "registry.example/cart:2",
        "securityContext": {"privileged": true}}]});
    let pods_file = dump.path().join("pods.json");
    let mut pods: Value = serde_json::from_slice(&std::fs::read(&pods_file).unwrap()).unwrap();
    for i in 0..3 {
        pods["items"]
            .as_array_mut()
            .unwrap()
            .push(json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("cart-6d4c-{i}"), "namespace": "shop",
                "ownerReferences": owned("ReplicaSet", "cart-6d4c")},
            "spec": spec}));
    }
    common_kube::cluster::write(dump.path(), "pods.json", pods);
    common_kube::cluster::write(
        dump.path(),
        "replicasets.json",
        common_kube::cluster::list(vec![json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": "cart-6d4c", "namespace": "shop", "ownerReferences": owned("Deployment", "cart")},
            "spec": {"replicas": 3, "template": {"spec": spec}}})]),
    );
    common_kube::cluster::write(
        dump.path(),
        "deployments.json",
        common_kube::cluster::list(vec![json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "cart", "namespace": "shop"},
            "spec": {"replicas": 3, "template": {"spec": spec}}})]),
    );
    let api = FakeApi::start(dump.path(), &[]);
    let cfg = tempfile::tempdir().unwrap();
    let kubeconfig = kubeconfig(cfg.path(), &api.url(), "fake");
    let privileged = |out: &std::process::Output| -> Vec<(String, String)> {
        json(out)["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["slug"] == "k8s-pod-privileged")
            .unwrap()["objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["name"].as_str().unwrap().to_string(),
                    o["evidence"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let select = ["--select", "k8s-pod-privileged"];
    let from_dump = privileged(&scan(
        node.path(),
        &[
            &["--cluster-dump", dump.path().to_str().unwrap()][..],
            &select,
        ]
        .concat(),
    ));
    let from_api = privileged(&scan(
        node.path(),
        &[
            &["--kube-api", "--kubeconfig", kubeconfig.to_str().unwrap()][..],
            &select,
        ]
        .concat(),
    ));
    assert_eq!(from_api, from_dump);
    let cart = from_api
        .iter()
        .find(|(name, _)| name == "deployment shop/cart")
        .unwrap_or_else(|| panic!("{from_api:?}"));
    assert!(cart.1.ends_with("(template and all 3 pods)"), "{cart:?}");
    let requests = api.requests();
    for list in [
        "/apis/apps/v1/deployments",
        "/apis/apps/v1/replicasets",
        "/api/v1/pods",
    ] {
        assert!(
            requests.iter().any(|r| r.contains(list)),
            "{list} not listed: {requests:?}"
        );
    }
    assert!(
        requests
            .iter()
            .any(|r| r.contains("/api/v1/pods") && r.contains("continue=")),
        "the pods came in pages: {requests:?}"
    );
}
