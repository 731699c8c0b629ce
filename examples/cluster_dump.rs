//! A deterministic cluster of N pods for `bench/cluster.sh`: a `kubectl get <resource> -A -o json`
//! dump (the README's dump command, one file per resource) and the host root of a kubeadm
//! control-plane node (tests/common_kube), for `threatbench scan --root ROOT --cluster-dump DUMP`.
//!
//! ```sh
//! cargo run --release --example cluster_dump -- 10000 /tmp/cluster-10k   # writes dump/ and root/
//! ```
//!
//! Shape: 100 namespaces `team-000`..`team-099` sharing the pods; in each, Deployments (3
//! replicas; a current and an old, scaled-down ReplicaSet each; one Deployment scaled to 0),
//! StatefulSets, DaemonSets, CronJobs with their Jobs (one CronJob between runs), a Job of its own
//! and bare pods; one pod whose ReplicaSet is missing from the dump. Pods carry
//! `ownerReferences` as the API server writes them (`controller: true`, the owner's uid), a
//! projected service-account token volume and a status. Per namespace: a default and two named
//! ServiceAccounts, two Roles and three RoleBindings; NetworkPolicies in every other namespace,
//! LimitRanges in every third, ResourceQuotas in every fourth. Cluster-wide: kubeadm's built-in
//! ClusterRoles and bindings, kube-system's workloads (kube-proxy on every node, CoreDNS),
//! one Node per 30 pods and `version.json`. Security settings vary per workload with a fixed
//! hash of its position, so every run writes the same bytes.

// The generator's builders take every field of the object they write.
#![allow(clippy::too_many_arguments)]

#[path = "../tests/common_kube/mod.rs"]
#[allow(unused_imports)]
mod common_kube;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

const NAMESPACES: usize = 100;
const VERSION: &str = "v1.33.1";
const CREATED: &str = "2026-11-02T09:14:07Z";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(n), Some(out)) = (
        args.first()
            .and_then(|a| a.replace('_', "").parse::<usize>().ok()),
        args.get(1),
    ) else {
        eprintln!("usage: cluster_dump PODS OUTDIR   (writes OUTDIR/dump and OUTDIR/root)");
        std::process::exit(2);
    };
    let out = PathBuf::from(out);
    let dump = out.join("dump");
    std::fs::create_dir_all(&dump).expect("create OUTDIR/dump");
    let stats = write_dump(&dump, n).expect("write the dump");
    let root = out.join("root");
    if !root.exists() {
        let node = common_kube::NodeRoot::kubeadm_control_plane();
        copy_tree(node.path(), &root).expect("copy the kubeadm root");
    }
    println!(
        "{} pods ({} in user namespaces), {} workloads, {} nodes: {} and {}",
        stats.pods,
        n,
        stats.workloads,
        stats.nodes,
        dump.display(),
        root.display()
    );
}

/// Copy a directory tree with its modes (the checks read file modes).
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    std::fs::set_permissions(to, std::fs::metadata(from)?.permissions())?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    std::fs::set_permissions(to, std::fs::metadata(from)?.permissions())
}

/// A fixed hash of a position (splitmix64), for settings that vary but never between runs.
fn mix(a: u64, b: u64) -> u64 {
    let mut z = a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_add(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `len` lowercase alphanumerics from a hash, as the API server's generated names.
fn suffix(h: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h = h;
    (0..len)
        .map(|_| {
            let c = ALPHABET[(h % ALPHABET.len() as u64) as usize] as char;
            h = (h / ALPHABET.len() as u64) ^ mix(h, 7);
            c
        })
        .collect()
}

fn uid(h: u64) -> String {
    let a = mix(h, 1);
    let b = mix(h, 2);
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        (b >> 52) & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

/// A `kubectl get -A -o json` list, written item by item (100,000 pods never sit in memory).
struct ListFile {
    out: BufWriter<File>,
    count: usize,
}

impl ListFile {
    fn create(dir: &Path, resource: &str) -> std::io::Result<ListFile> {
        let mut out = BufWriter::new(File::create(dir.join(format!("{resource}.json")))?);
        out.write_all(b"{\n    \"apiVersion\": \"v1\",\n    \"items\": [")?;
        Ok(ListFile { out, count: 0 })
    }

    fn push(&mut self, item: &Value) -> std::io::Result<()> {
        self.out
            .write_all(if self.count == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer_pretty(&mut self.out, item)?;
        self.count += 1;
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<()> {
        self.out.write_all(
            b"\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n",
        )?;
        self.out.flush()
    }
}

struct Files {
    namespaces: ListFile,
    pods: ListFile,
    deployments: ListFile,
    replicasets: ListFile,
    daemonsets: ListFile,
    statefulsets: ListFile,
    jobs: ListFile,
    cronjobs: ListFile,
    serviceaccounts: ListFile,
    roles: ListFile,
    rolebindings: ListFile,
    clusterroles: ListFile,
    clusterrolebindings: ListFile,
    networkpolicies: ListFile,
    limitranges: ListFile,
    resourcequotas: ListFile,
    nodes: ListFile,
}

#[derive(Default)]
struct Stats {
    pods: usize,
    workloads: usize,
    nodes: usize,
}

/// What a controller is, for its object and its pods' owner references.
struct Owner {
    api_version: &'static str,
    kind: &'static str,
    name: String,
    uid: String,
}

impl Owner {
    fn reference(&self) -> Value {
        json!({"apiVersion": self.api_version, "kind": self.kind, "name": self.name,
               "uid": self.uid, "controller": true, "blockOwnerDeletion": true})
    }
}

fn metadata(name: &str, ns: &str, h: u64, labels: Value, owner: Option<&Owner>) -> Value {
    let mut m = json!({
        "creationTimestamp": CREATED,
        "labels": labels,
        "name": name,
        "namespace": ns,
        "resourceVersion": (mix(h, 3) % 90_000_000 + 1_000_000).to_string(),
        "uid": uid(h),
    });
    if let Some(o) = owner {
        m["ownerReferences"] = json!([o.reference()]);
    }
    m
}

/// One of a few security postures, by a workload's hash: most hardened or plain defaults, a
/// few with the findings people actually ship (root, hostPath logs, secrets in env, host
/// network, privileged).
fn container(app: &str, h: u64, image_tag: &str) -> Value {
    let posture = mix(h, 11) % 20;
    let mut c = json!({
        "name": app,
        "image": format!("registry.example.com/{app}:{image_tag}"),
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
        "env": [{"name": "LOG_LEVEL", "value": "info"},
                {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}],
        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": true}],
    });
    match posture {
        0..=9 => {
            c["securityContext"] = json!({"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
                "runAsNonRoot": true, "runAsUser": 10001, "capabilities": {"drop": ["ALL"]}});
        }
        10..=14 => {
            c.as_object_mut().unwrap().remove("resources");
        }
        15 | 16 => {
            c["env"]
                .as_array_mut()
                .unwrap()
                .push(json!({"name": "DB_PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": format!("{app}-db"), "key": "password"}}}));
            c["securityContext"] = json!({"runAsUser": 0});
        }
        17 => {
            c["securityContext"] = json!({"capabilities": {"add": ["NET_ADMIN"]}});
        }
        18 => {
            c["securityContext"] = json!({"privileged": true});
        }
        _ => {
            c["image"] = json!(format!("registry.example.com/{app}:latest"));
        }
    }
    c
}

fn pod_spec(app: &str, sa: &str, h: u64, image_tag: &str, restart: &str) -> Value {
    let mut spec = json!({
        "containers": [container(app, h, image_tag)],
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": true,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "restartPolicy": restart,
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "serviceAccount": sa,
        "serviceAccountName": sa,
        "terminationGracePeriodSeconds": 30,
        "tolerations": [
            {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300}],
        "volumes": [{"name": "kube-api-access", "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
            {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}, "path": "namespace"}]}}]}}],
    });
    if mix(h, 11) % 20 < 10 {
        spec["securityContext"] = json!({"seccompProfile": {"type": "RuntimeDefault"}});
        spec["automountServiceAccountToken"] = json!(false);
    }
    if mix(h, 13).is_multiple_of(25) {
        spec["volumes"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "varlog", "hostPath": {"path": "/var/log", "type": "Directory"}}));
    }
    spec
}

/// The pod template of a controller, without the fields the API server adds to pods.
fn template(app: &str, sa: &str, h: u64, image_tag: &str, restart: &str) -> Value {
    let mut spec = pod_spec(app, sa, h, image_tag, restart);
    let s = spec.as_object_mut().unwrap();
    s.remove("serviceAccount");
    s.remove("preemptionPolicy");
    s.remove("priority");
    s.remove("tolerations");
    s.remove("enableServiceLinks");
    s.remove("volumes");
    if let Some(c) = s["containers"][0].as_object_mut() {
        c.remove("volumeMounts");
    }
    json!({"metadata": {"labels": {"app": app}}, "spec": spec})
}

struct Cluster {
    files: Files,
    stats: Stats,
    nodes: Vec<String>,
}

impl Cluster {
    fn pod(
        &mut self,
        name: &str,
        ns: &str,
        app: &str,
        sa: &str,
        h: u64,
        owner: Option<&Owner>,
        restart: &str,
    ) -> std::io::Result<()> {
        let ph = mix(h, name.len() as u64 ^ mix(self.stats.pods as u64, 5));
        let node = &self.nodes[(ph % self.nodes.len() as u64) as usize];
        let mut spec = pod_spec(app, sa, h, "1.8.2", restart);
        spec["nodeName"] = json!(node);
        let ip = |n: u64| {
            format!(
                "10.{}.{}.{}",
                244 + (n >> 16) % 8,
                (n >> 8) % 256,
                n % 254 + 1
            )
        };
        let status = json!({
            "phase": if restart == "Never" { "Succeeded" } else { "Running" },
            "conditions": [
                {"lastProbeTime": null, "lastTransitionTime": CREATED, "status": "True", "type": "Initialized"},
                {"lastProbeTime": null, "lastTransitionTime": CREATED, "status": "True", "type": "Ready"},
                {"lastProbeTime": null, "lastTransitionTime": CREATED, "status": "True", "type": "PodScheduled"}],
            "containerStatuses": [{"containerID": format!("containerd://{:016x}{:016x}", mix(ph, 8), mix(ph, 9)),
                "image": format!("registry.example.com/{app}:1.8.2"),
                "imageID": format!("registry.example.com/{app}@sha256:{:016x}{:016x}{:016x}{:016x}", mix(h, 1), mix(h, 2), mix(h, 3), mix(h, 4)),
                "lastState": {}, "name": app, "ready": true, "restartCount": 0, "started": true,
                "state": {"running": {"startedAt": CREATED}}}],
            "hostIP": ip(mix(ph, 20)),
            "podIP": ip(mix(ph, 21)),
            "qosClass": "Burstable",
            "startTime": CREATED,
        });
        let pod = json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": metadata(name, ns, ph, json!({"app": app, "pod-template-hash": suffix(h, 10)}), owner),
            "spec": spec,
            "status": status,
        });
        self.stats.pods += 1;
        self.files.pods.push(&pod)
    }

    /// A controller object of `kind` with `spec` (its template inside), returned as an owner.
    fn controller(
        &mut self,
        kind: &'static str,
        name: &str,
        ns: &str,
        h: u64,
        spec: Value,
        status: Value,
        owner: Option<&Owner>,
    ) -> std::io::Result<Owner> {
        let api_version = match kind {
            "Job" | "CronJob" => "batch/v1",
            _ => "apps/v1",
        };
        let app = name.to_string();
        let obj = json!({
            "apiVersion": api_version,
            "kind": kind,
            "metadata": metadata(name, ns, h, json!({"app": app}), owner),
            "spec": spec,
            "status": status,
        });
        let file = match kind {
            "Deployment" => &mut self.files.deployments,
            "ReplicaSet" => &mut self.files.replicasets,
            "StatefulSet" => &mut self.files.statefulsets,
            "DaemonSet" => &mut self.files.daemonsets,
            "Job" => &mut self.files.jobs,
            _ => &mut self.files.cronjobs,
        };
        file.push(&obj)?;
        if owner.is_none() {
            self.stats.workloads += 1;
        }
        Ok(Owner {
            api_version,
            kind,
            name: name.to_string(),
            uid: uid(h),
        })
    }

    fn deployment(
        &mut self,
        ns: &str,
        app: &str,
        sa: &str,
        h: u64,
        replicas: usize,
    ) -> std::io::Result<()> {
        let selector = json!({"matchLabels": {"app": app}});
        let dep = self.controller(
            "Deployment",
            app,
            ns,
            h,
            json!({"replicas": replicas, "revisionHistoryLimit": 10, "selector": selector,
                   "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
                   "template": template(app, sa, h, "1.8.2", "Always")}),
            json!({"availableReplicas": replicas, "readyReplicas": replicas, "replicas": replicas, "updatedReplicas": replicas}),
            None,
        )?;
        // The previous revision, scaled down, and the current one.
        let old = format!("{app}-{}", suffix(mix(h, 31), 10));
        self.controller(
            "ReplicaSet",
            &old,
            ns,
            mix(h, 31),
            json!({"replicas": 0, "selector": selector, "template": template(app, sa, h, "1.8.1", "Always")}),
            json!({"replicas": 0}),
            Some(&dep),
        )?;
        let rs_name = format!("{app}-{}", suffix(h, 10));
        let rs = self.controller(
            "ReplicaSet",
            &rs_name,
            ns,
            mix(h, 32),
            json!({"replicas": replicas, "selector": selector, "template": template(app, sa, h, "1.8.2", "Always")}),
            json!({"availableReplicas": replicas, "readyReplicas": replicas, "replicas": replicas}),
            Some(&dep),
        )?;
        for i in 0..replicas {
            let name = format!("{rs_name}-{}", suffix(mix(h, 100 + i as u64), 5));
            self.pod(&name, ns, app, sa, h, Some(&rs), "Always")?;
        }
        Ok(())
    }

    fn statefulset(
        &mut self,
        ns: &str,
        app: &str,
        sa: &str,
        h: u64,
        replicas: usize,
    ) -> std::io::Result<()> {
        let sts = self.controller(
            "StatefulSet",
            app,
            ns,
            h,
            json!({"replicas": replicas, "serviceName": app, "selector": {"matchLabels": {"app": app}},
                   "template": template(app, sa, h, "1.8.2", "Always")}),
            json!({"availableReplicas": replicas, "readyReplicas": replicas, "replicas": replicas}),
            None,
        )?;
        for i in 0..replicas {
            self.pod(&format!("{app}-{i}"), ns, app, sa, h, Some(&sts), "Always")?;
        }
        Ok(())
    }

    fn daemonset(
        &mut self,
        ns: &str,
        app: &str,
        sa: &str,
        h: u64,
        pods: usize,
    ) -> std::io::Result<()> {
        let ds = self.controller(
            "DaemonSet",
            app,
            ns,
            h,
            json!({"selector": {"matchLabels": {"app": app}}, "template": template(app, sa, h, "1.8.2", "Always")}),
            json!({"currentNumberScheduled": pods, "desiredNumberScheduled": pods, "numberReady": pods}),
            None,
        )?;
        for i in 0..pods {
            let name = format!("{app}-{}", suffix(mix(h, 200 + i as u64), 5));
            self.pod(&name, ns, app, sa, h, Some(&ds), "Always")?;
        }
        Ok(())
    }

    /// A CronJob and, unless it is between runs, its last Job with one pod.
    fn cronjob(
        &mut self,
        ns: &str,
        app: &str,
        sa: &str,
        h: u64,
        with_job: bool,
    ) -> std::io::Result<usize> {
        let job_template = json!({"spec": {"backoffLimit": 2, "template": template(app, sa, h, "1.8.2", "Never")}});
        let cj = self.controller(
            "CronJob",
            app,
            ns,
            h,
            json!({"schedule": "17 * * * *", "concurrencyPolicy": "Forbid", "jobTemplate": job_template}),
            json!({"lastScheduleTime": CREATED}),
            None,
        )?;
        if !with_job {
            return Ok(0);
        }
        let job_name = format!("{app}-{}", 29_000_000 + mix(h, 40) % 1_000_000);
        let job = self.job(ns, &job_name, app, sa, h, Some(&cj))?;
        self.pod(
            &format!("{job_name}-{}", suffix(mix(h, 41), 5)),
            ns,
            app,
            sa,
            h,
            Some(&job),
            "Never",
        )?;
        Ok(1)
    }

    fn job(
        &mut self,
        ns: &str,
        name: &str,
        app: &str,
        sa: &str,
        h: u64,
        owner: Option<&Owner>,
    ) -> std::io::Result<Owner> {
        self.controller(
            "Job",
            name,
            ns,
            mix(h, 42),
            json!({"backoffLimit": 2, "completions": 1, "parallelism": 1,
                   "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": uid(mix(h, 42))}},
                   "template": template(app, sa, h, "1.8.2", "Never")}),
            json!({"succeeded": 1, "completionTime": CREATED, "startTime": CREATED}),
            owner,
        )
    }

    /// One team namespace with `budget` pods and its policy objects.
    fn namespace(&mut self, i: usize, budget: usize) -> std::io::Result<()> {
        let ns = format!("team-{i:03}");
        let nh = mix(i as u64, 1000);
        let mut labels = json!({"kubernetes.io/metadata.name": ns});
        if i.is_multiple_of(2) {
            labels["pod-security.kubernetes.io/enforce"] = json!("baseline");
        }
        self.files.namespaces.push(&json!({"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"creationTimestamp": CREATED, "labels": labels, "name": ns, "resourceVersion": "1200", "uid": uid(nh)},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}))?;
        let accounts = ["default", "app", "ci"];
        for (k, sa) in accounts.iter().enumerate() {
            let mut o = json!({"apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": metadata(sa, &ns, mix(nh, k as u64), json!({}), None)});
            if *sa == "app" || (*sa == "default" && i.is_multiple_of(3)) {
                o["automountServiceAccountToken"] = json!(false);
            }
            self.files.serviceaccounts.push(&o)?;
        }
        self.files.roles.push(&json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": metadata("developer", &ns, mix(nh, 10), json!({}), None),
            "rules": [{"apiGroups": [""], "resources": ["pods", "pods/log", "configmaps"], "verbs": ["get", "list", "watch"]},
                      {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch", "update", "patch"]}]}))?;
        self.files.roles.push(&json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": metadata("deployer", &ns, mix(nh, 11), json!({}), None),
            "rules": [{"apiGroups": ["", "apps", "batch"], "resources": ["pods", "deployments", "jobs", "secrets"],
                       "verbs": if i.is_multiple_of(10) { json!(["*"]) } else { json!(["get", "list", "create", "update", "patch", "delete"]) }}]}))?;
        let rb = |name: &str, h: u64, role_kind: &str, role: &str, subject: Value| {
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": metadata(name, &ns, h, json!({}), None),
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
                "subjects": [subject]})
        };
        self.files.rolebindings.push(&rb("developers", mix(nh, 12), "Role", "developer",
            json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": format!("{ns}-developers")})))?;
        self.files.rolebindings.push(&rb(
            "ci-deployer",
            mix(nh, 13),
            "Role",
            "deployer",
            json!({"kind": "ServiceAccount", "name": "ci", "namespace": ns}),
        ))?;
        self.files.rolebindings.push(&rb("app-view", mix(nh, 14), "ClusterRole", if i.is_multiple_of(7) { "edit" } else { "view" },
            json!({"kind": "ServiceAccount", "name": if i.is_multiple_of(7) { "default" } else { "app" }, "namespace": ns})))?;
        if i.is_multiple_of(2) {
            self.files.networkpolicies.push(
                &json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": metadata("default-deny", &ns, mix(nh, 20), json!({}), None),
                "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}),
            )?;
            self.files.networkpolicies.push(&json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": metadata("allow-http", &ns, mix(nh, 21), json!({}), None),
                "spec": {"podSelector": {}, "ingress": [{"ports": [{"port": 8080, "protocol": "TCP"}]}], "policyTypes": ["Ingress"]}}))?;
        }
        if i.is_multiple_of(3) {
            self.files.limitranges.push(&json!({"apiVersion": "v1", "kind": "LimitRange",
                "metadata": metadata("defaults", &ns, mix(nh, 22), json!({}), None),
                "spec": {"limits": [{"default": {"cpu": "500m", "memory": "256Mi"}, "defaultRequest": {"cpu": "100m", "memory": "128Mi"}, "type": "Container"}]}}))?;
        }
        if i.is_multiple_of(4) {
            self.files.resourcequotas.push(&json!({"apiVersion": "v1", "kind": "ResourceQuota",
                "metadata": metadata("compute", &ns, mix(nh, 23), json!({}), None),
                "spec": {"hard": {"limits.cpu": "200", "limits.memory": "400Gi", "pods": "2000"}}}))?;
        }
        // Template-only workloads: a Deployment scaled to 0 and a CronJob between runs.
        let idle = mix(nh, 30);
        self.controller("Deployment", "batch-ui", &ns, idle,
            json!({"replicas": 0, "selector": {"matchLabels": {"app": "batch-ui"}}, "template": template("batch-ui", "default", idle, "2.0.0", "Always")}),
            json!({}), None)?;
        self.cronjob(&ns, "nightly-report", "default", mix(nh, 31), false)?;

        let mut left = budget;
        if i == 0 && left > 0 {
            // A pod whose ReplicaSet is not in the dump (deleted, or not dumped).
            let gone = Owner {
                api_version: "apps/v1",
                kind: "ReplicaSet",
                name: "legacy-7f9c6d8b5".into(),
                uid: uid(mix(nh, 50)),
            };
            self.pod(
                "legacy-7f9c6d8b5-q2x7w",
                &ns,
                "legacy",
                "default",
                mix(nh, 50),
                Some(&gone),
                "Always",
            )?;
            left -= 1;
        }
        if i == 1 && left > 0 {
            let job = self.job(&ns, "db-migrate", "db-migrate", "ci", mix(nh, 51), None)?;
            self.pod(
                "db-migrate-k8w2x",
                &ns,
                "db-migrate",
                "ci",
                mix(nh, 51),
                Some(&job),
                "Never",
            )?;
            left -= 1;
        }
        let mut k = 0u64;
        while left > 0 {
            let h = mix(nh, 100 + k);
            let app = format!("w{k}");
            let sa = accounts[(mix(h, 60) % 3) as usize];
            match k % 20 {
                0..=11 => {
                    let r = left.min(3);
                    self.deployment(&ns, &app, sa, h, r)?;
                    left -= r;
                }
                12..=14 => {
                    let r = left.min(2);
                    self.statefulset(&ns, &app, sa, h, r)?;
                    left -= r;
                }
                15 | 16 => {
                    let r = left.min(3);
                    self.daemonset(&ns, &app, sa, h, r)?;
                    left -= r;
                }
                17 | 18 => {
                    left -= self.cronjob(&ns, &app, sa, h, true)?;
                }
                _ => {
                    self.pod(&app, &ns, &app, sa, h, None, "Always")?;
                    left -= 1;
                }
            }
            k += 1;
        }
        Ok(())
    }

    /// kube-system: kube-proxy on every node and CoreDNS, with their accounts and bindings.
    fn system(&mut self) -> std::io::Result<()> {
        for (k, ns) in ["default", "kube-system", "kube-public", "kube-node-lease"]
            .iter()
            .enumerate()
        {
            self.files.namespaces.push(&json!({"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"creationTimestamp": CREATED, "labels": {"kubernetes.io/metadata.name": ns}, "name": ns, "uid": uid(mix(k as u64, 900))},
                "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}))?;
            self.files
                .serviceaccounts
                .push(&json!({"apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": metadata("default", ns, mix(k as u64, 901), json!({}), None)}))?;
        }
        for (k, sa) in ["kube-proxy", "coredns"].iter().enumerate() {
            self.files
                .serviceaccounts
                .push(&json!({"apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": metadata(sa, "kube-system", mix(k as u64, 902), json!({}), None)}))?;
        }
        let h = mix(1, 910);
        let mut tmpl = json!({"metadata": {"labels": {"k8s-app": "kube-proxy"}}, "spec": {
            "containers": [{"name": "kube-proxy", "image": format!("registry.k8s.io/kube-proxy:{VERSION}"),
                "command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"],
                "securityContext": {"privileged": true}}],
            "hostNetwork": true, "priorityClassName": "system-node-critical", "serviceAccountName": "kube-proxy",
            "volumes": [{"name": "lib-modules", "hostPath": {"path": "/lib/modules", "type": ""}},
                        {"name": "xtables-lock", "hostPath": {"path": "/run/xtables.lock", "type": "FileOrCreate"}}]}});
        let nodes = self.nodes.clone();
        let ds = self.controller("DaemonSet", "kube-proxy", "kube-system", h,
            json!({"selector": {"matchLabels": {"k8s-app": "kube-proxy"}}, "template": tmpl.clone()}),
            json!({"desiredNumberScheduled": nodes.len()}), None)?;
        for (i, node) in nodes.iter().enumerate() {
            let name = format!("kube-proxy-{}", suffix(mix(h, i as u64), 5));
            tmpl["spec"]["nodeName"] = json!(node);
            let pod = json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": metadata(&name, "kube-system", mix(h, 1000 + i as u64), json!({"k8s-app": "kube-proxy"}), Some(&ds)),
                "spec": tmpl["spec"], "status": {"phase": "Running", "hostIP": "192.168.56.10"}});
            self.files.pods.push(&pod)?;
            self.stats.pods += 1;
        }
        self.deployment("kube-system", "coredns", "coredns", mix(2, 910), 2)?;
        Ok(())
    }

    /// kubeadm's built-in ClusterRoles and bindings (label rbac-defaults), and a few of the
    /// cluster's own.
    fn cluster_rbac(&mut self) -> std::io::Result<()> {
        let builtin = |name: &str| {
            json!({"name": name, "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
            "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}})
        };
        let role = |meta: Value, rules: Value| json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": meta, "rules": rules});
        let all = json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}]);
        self.files
            .clusterroles
            .push(&role(builtin("cluster-admin"), all))?;
        self.files.clusterroles.push(&role(builtin("edit"), json!([
            {"apiGroups": [""], "resources": ["pods", "pods/attach", "pods/exec", "secrets", "services", "configmaps", "serviceaccounts"], "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]},
            {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets", "daemonsets", "replicasets"], "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]}])))?;
        self.files.clusterroles.push(&role(builtin("view"), json!([
            {"apiGroups": ["", "apps", "batch"], "resources": ["pods", "services", "deployments", "jobs", "configmaps"], "verbs": ["get", "list", "watch"]}])))?;
        for k in 0..60 {
            self.files.clusterroles.push(&role(builtin(&format!("system:controller:c{k:02}")), json!([
                {"apiGroups": [""], "resources": ["pods", "events"], "verbs": ["get", "list", "watch", "create", "update"]}])))?;
        }
        self.files.clusterroles.push(&role(
            json!({"name": "platform-readonly"}),
            json!([
            {"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"]}]),
        ))?;
        let crb = |meta: Value, role: &str, subject: Value| {
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": meta, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role}, "subjects": [subject]})
        };
        self.files.clusterrolebindings.push(&crb(builtin("cluster-admin"), "cluster-admin",
            json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"})))?;
        self.files.clusterrolebindings.push(&crb(json!({"name": "kubeadm:cluster-admins"}), "cluster-admin",
            json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "kubeadm:cluster-admins"})))?;
        for k in 0..60 {
            self.files.clusterrolebindings.push(&crb(builtin(&format!("system:controller:c{k:02}")), &format!("system:controller:c{k:02}"),
                json!({"kind": "ServiceAccount", "name": format!("c{k:02}-controller"), "namespace": "kube-system"})))?;
        }
        self.files.clusterrolebindings.push(&crb(json!({"name": "platform-readonly"}), "platform-readonly",
            json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "platform-team"})))?;
        self.files.clusterrolebindings.push(&crb(
            json!({"name": "team-003-ci-admin"}),
            "cluster-admin",
            json!({"kind": "ServiceAccount", "name": "ci", "namespace": "team-003"}),
        ))?;
        Ok(())
    }
}

fn write_dump(dir: &Path, n: usize) -> std::io::Result<Stats> {
    let file = |r: &str| ListFile::create(dir, r);
    let files = Files {
        namespaces: file("namespaces")?,
        pods: file("pods")?,
        deployments: file("deployments")?,
        replicasets: file("replicasets")?,
        daemonsets: file("daemonsets")?,
        statefulsets: file("statefulsets")?,
        jobs: file("jobs")?,
        cronjobs: file("cronjobs")?,
        serviceaccounts: file("serviceaccounts")?,
        roles: file("roles")?,
        rolebindings: file("rolebindings")?,
        clusterroles: file("clusterroles")?,
        clusterrolebindings: file("clusterrolebindings")?,
        networkpolicies: file("networkpolicies")?,
        limitranges: file("limitranges")?,
        resourcequotas: file("resourcequotas")?,
        nodes: file("nodes")?,
    };
    let node_count = (n / 30).max(3);
    let nodes: Vec<String> = (0..node_count).map(|i| format!("node-{i:04}")).collect();
    let mut c = Cluster {
        files,
        stats: Stats {
            nodes: node_count,
            ..Default::default()
        },
        nodes,
    };
    for (i, name) in c.nodes.clone().iter().enumerate() {
        c.files.nodes.push(&json!({"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}, "uid": uid(mix(i as u64, 700))},
            "spec": {"podCIDR": format!("10.244.{}.0/24", i % 256)},
            "status": {"nodeInfo": {"kubeletVersion": VERSION, "containerRuntimeVersion": "containerd://1.7.27",
                "kernelVersion": "6.1.0-37-amd64", "osImage": "Debian GNU/Linux 12 (bookworm)", "architecture": "amd64"}}}))?;
    }
    c.system()?;
    c.cluster_rbac()?;
    for i in 0..NAMESPACES {
        let budget = n / NAMESPACES + usize::from(i < n % NAMESPACES);
        c.namespace(i, budget)?;
    }
    let Cluster { files, stats, .. } = c;
    for f in [
        files.namespaces,
        files.pods,
        files.deployments,
        files.replicasets,
        files.daemonsets,
        files.statefulsets,
        files.jobs,
        files.cronjobs,
        files.serviceaccounts,
        files.roles,
        files.rolebindings,
        files.clusterroles,
        files.clusterrolebindings,
        files.networkpolicies,
        files.limitranges,
        files.resourcequotas,
        files.nodes,
    ] {
        f.finish()?;
    }
    std::fs::write(
        dir.join("version.json"),
        serde_json::to_string_pretty(&json!({
            "clientVersion": {"gitVersion": VERSION, "major": "1", "minor": "33"},
            "serverVersion": {"gitVersion": VERSION, "major": "1", "minor": "33", "platform": "linux/amd64"}}))
        .expect("version json"),
    )?;
    Ok(stats)
}
