//! Section 5 (cluster policies) and threatbench's own Kubernetes checks over the `kubectl get -o
//! json` dump of common_kube::cluster: a hardened namespace (`shop`), a careless one (`lab`) and
//! kubeadm's system objects.

mod common_kube;

use common_kube::cluster::dump;
use common_kube::*;
use threatbench::checks::Verdict::*;

#[test]
fn cluster_dump_gives_section_5_verdicts_per_object() {
    let node = NodeRoot::kubeadm_control_plane();
    let d = tempfile::tempdir().unwrap();
    dump(d.path());
    let facts = node.facts_with(|o| o.kube.cluster_dump = Some(d.path().to_path_buf()));
    let o = outcomes(&facts);
    expect(
        &o,
        &[
            ("5.1.1", Fail),
            ("5.1.2", Fail),
            ("5.1.3", Fail),
            ("5.1.4", Fail),
            ("5.1.5", Fail),
            ("5.1.6", Warn),
            ("5.1.7", Pass),
            ("5.1.8", Fail),
            // alice holds cluster-admin, so every dangerous right is hers.
            ("5.1.9", Fail),
            ("5.1.10", Fail),
            ("5.1.11", Fail),
            ("5.1.12", Fail),
            ("5.1.13", Fail),
            ("5.2.1", Fail),
            ("5.2.2", Fail),
            ("5.2.3", Fail),
            ("5.2.4", Pass),
            ("5.2.5", Warn),
            // Unset allowPrivilegeEscalation is allowed escalation: shown by the pod, a failure.
            ("5.2.6", Fail),
            ("5.2.7", Fail),
            ("5.2.8", Fail),
            ("5.2.9", Fail),
            ("5.2.10", Pass),
            ("5.2.11", Fail),
            ("5.2.12", Fail),
            ("5.3.1", Warn),
            ("5.3.2", Fail),
            ("5.4.1", Fail),
            ("5.4.2", Warn),
            ("5.5.1", Warn),
            ("5.6.1", Warn),
            ("5.6.2", Warn),
            // default/hello sets no securityContext at all.
            ("5.6.3", Fail),
            ("5.6.4", Fail),
            ("k8s-benchmark-version", Pass),
            ("k8s-namespace-resource-limits", Fail),
        ],
    );
    // Per-object verdicts: the kubeadm binding is a review, alice's binding a failure.
    let admins = &o["5.1.1"].objects;
    let v = |name: &str| admins.iter().find(|x| x.name == name).map(|x| x.verdict);
    assert_eq!(v("kubeadm:cluster-admins"), Some(Warn));
    assert_eq!(v("alice-admin"), Some(Fail));
    assert_eq!(v("cluster-admin"), None, "the built-in binding is expected");
    // Privileged kube-proxy in kube-system is a review; the lab debug pod fails.
    let p = &o["5.2.2"].objects;
    assert_eq!(
        p.iter()
            .find(|x| x.name == "pod kube-system/kube-proxy-x7k2p")
            .unwrap()
            .verdict,
        Warn
    );
    assert_eq!(
        p.iter()
            .find(|x| x.name == "pod lab/debug")
            .unwrap()
            .verdict,
        Fail
    );
    // Namespaces: shop has a policy and a LimitRange; lab and default have neither.
    let np = &o["5.3.2"].objects;
    assert_eq!(np.iter().find(|x| x.name == "shop").unwrap().verdict, Pass);
    assert_eq!(np.iter().find(|x| x.name == "lab").unwrap().verdict, Fail);
    assert!(
        o["5.4.1"].evidence.contains("shop/web-5d9c"),
        "{}",
        o["5.4.1"].evidence
    );
    assert!(
        o["5.1.13"].evidence.contains("ci-tokens"),
        "{}",
        o["5.1.13"].evidence
    );
    let pv = &o["5.1.9"].objects;
    assert_eq!(
        pv.iter()
            .find(|x| x.name == "kubeadm:cluster-admins")
            .unwrap()
            .verdict,
        Warn
    );
    assert_eq!(
        pv.iter().find(|x| x.name == "alice-admin").unwrap().verdict,
        Fail
    );
    // Secret read through the built-in edit role bound to lab's default service account.
    assert!(
        o["5.1.2"]
            .objects
            .iter()
            .any(|x| x.name == "lab/lab-default-edit" && x.verdict == Fail)
    );
    let limits = &o["k8s-namespace-resource-limits"].objects;
    assert_eq!(
        limits.iter().find(|x| x.name == "shop").unwrap().verdict,
        Pass
    );
    assert_eq!(
        limits.iter().find(|x| x.name == "default").unwrap().verdict,
        Fail
    );
    // The API server's version from the dump wins over the image tag.
    assert!(
        facts.kube.version.source.contains("cluster dump"),
        "{}",
        facts.kube.version.source
    );
}

#[test]
fn without_a_dump_section_5_is_unexamined_on_a_node_and_names_the_flag() {
    // A Kubernetes node scanned without cluster objects: the policies exist but were not seen,
    // so they need review (warn), never a silent skip that would count as mitigated.
    let node = NodeRoot::kubeadm_control_plane();
    let o = outcomes(&node.facts());
    for id in ["5.1.1", "5.2.2", "5.3.2", "k8s-namespace-resource-limits"] {
        assert_eq!(o[id].verdict, Warn, "{id}: {}", o[id].evidence);
        assert!(
            o[id].evidence.contains("--cluster-dump"),
            "{}",
            o[id].evidence
        );
    }
}

#[test]
fn a_partial_dump_warns_on_what_it_lacks_and_names_bad_files() {
    let d = tempfile::tempdir().unwrap();
    dump(d.path());
    std::fs::remove_file(d.path().join("networkpolicies.json")).unwrap();
    std::fs::remove_file(d.path().join("resourcequotas.json")).unwrap();
    std::fs::write(d.path().join("broken.json"), "{\"items\": [").unwrap();
    let node = NodeRoot::empty();
    let facts = node.facts_with(|o| o.kube.cluster_dump = Some(d.path().to_path_buf()));
    let o = outcomes(&facts);
    // networkpolicies.json gone: the one NetworkPolicy went with it, so coverage is unknown.
    expect(
        &o,
        &[
            ("5.3.2", Warn),
            ("k8s-namespace-resource-limits", Warn),
            ("5.1.1", Fail),
        ],
    );
    assert!(
        o["5.3.2"].evidence.contains("networkpolicies"),
        "{}",
        o["5.3.2"].evidence
    );
    let Some(threatbench::facts::Observed::Seen(c)) = &facts.kube.cluster else {
        panic!()
    };
    assert!(c.problems.iter().any(|p| p.contains("broken.json")));
    // A cluster dump alone (no node files) still reports the version it holds.
    expect(&o, &[("k8s-benchmark-version", Pass), ("1.2.1", Skip)]);
}

#[test]
fn old_or_unknown_versions_are_stated_never_assumed() {
    let n = NodeRoot::kubeadm_worker();
    let o = outcomes(&n.facts());
    expect(&o, &[("k8s-benchmark-version", Warn)]);
    assert!(
        o["k8s-benchmark-version"].evidence.contains("unknown"),
        "{}",
        o["k8s-benchmark-version"].evidence
    );
    let facts = n.facts_with(|o| o.kube.k8s_version = Some("v1.29.4".into()));
    let o = outcomes(&facts);
    expect(&o, &[("k8s-benchmark-version", Warn), ("4.2.1", Pass)]);
    assert!(
        o["k8s-benchmark-version"]
            .evidence
            .contains("outside CIS Kubernetes Benchmark v1.12")
    );
    assert!(
        o["k8s-benchmark-version"]
            .evidence
            .contains("--k8s-version")
    );
}

/// The slugs of the cluster scan's pod checks that do not pass on a dump holding `pods`, and
/// the slugs of the same checks the linter reports for the same objects written to a file.
fn cluster_and_lint_slugs(pods: Vec<serde_json::Value>) -> (Vec<String>, Vec<String>) {
    use threatbench::checks::evaluators::kube_workload;
    use threatbench::checks::{self, Selection};
    let shared: Vec<&str> = kube_workload::RULES
        .iter()
        .map(|r| r.slug)
        .filter(|slug| checks::all().iter().any(|c| c.slug == *slug))
        .collect();
    let d = tempfile::tempdir().unwrap();
    common_kube::cluster::write(
        d.path(),
        "pods.json",
        common_kube::cluster::list(pods.clone()),
    );
    let facts = NodeRoot::empty().facts_with(|o| o.kube.cluster_dump = Some(d.path().into()));
    let mut cluster: Vec<String> = checks::run(&facts, &Selection::default())
        .into_iter()
        .filter(|r| shared.contains(&r.check.slug) && r.outcome.verdict != Pass)
        .map(|r| r.check.slug.to_string())
        .collect();
    let text = serde_json::to_string_pretty(&common_kube::cluster::list(pods)).unwrap();
    let report = threatbench::lint::lint_text("pods.json", &text, &Default::default());
    assert!(report.is_complete(), "{:?}", report.files);
    let mut lint: Vec<String> = report
        .findings
        .iter()
        .map(|f| f.slug.to_string())
        .filter(|slug| shared.contains(&slug.as_str()))
        .collect();
    cluster.sort();
    lint.sort();
    lint.dedup();
    (cluster, lint)
}

/// One implementation serves both paths: a pod gives the same controls whether it runs (the
/// cluster dump) or is only written down (a manifest the linter reads).
#[test]
fn the_same_pod_gives_the_same_controls_in_the_cluster_and_in_lint() {
    use serde_json::json;
    let risky = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "risky", "namespace": "default"},
        "spec": {
            "hostNetwork": true, "hostIPC": true,
            "securityContext": {"runAsUser": 0, "seccompProfile": {"type": "Unconfined"}},
            "initContainers": [{"name": "init", "image": "busybox",
                "securityContext": {"privileged": true}}],
            "containers": [{"name": "app", "image": "app:1",
                // The container overrides the pod's root user: only init runs as root.
                "securityContext": {"runAsUser": 1000, "allowPrivilegeEscalation": false,
                    "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}},
                "ports": [{"containerPort": 80, "hostPort": 80}],
                "env": [{"name": "PW", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}}]}],
            "ephemeralContainers": [{"name": "debug", "image": "busybox",
                "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}}],
            "volumes": [{"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}}]}});
    let (cluster, lint) = cluster_and_lint_slugs(vec![risky]);
    assert_eq!(cluster, lint);
    for slug in [
        "k8s-pod-privileged",
        "k8s-pod-host-network",
        "k8s-pod-host-ipc",
        "k8s-pod-run-as-root",
        "k8s-pod-net-raw",
        "k8s-pod-capabilities-added",
        "k8s-pod-privilege-escalation",
        "k8s-pod-host-path",
        "k8s-pod-host-port",
        "k8s-pod-seccomp-profile",
        "k8s-secrets-as-env",
        "k8s-sa-token-automount",
        "k8s-namespace-default-used",
    ] {
        assert!(
            cluster.contains(&slug.to_string()),
            "{slug} not in {cluster:?}"
        );
    }
    // A pod that satisfies the restricted profile passes both.
    let hardened = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"automountServiceAccountToken": false,
            "securityContext": {"runAsNonRoot": true, "runAsUser": 10001,
                "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "web", "image": "web:1",
                "securityContext": {"allowPrivilegeEscalation": false,
                    "capabilities": {"drop": ["ALL"]}}}]}});
    assert_eq!(cluster_and_lint_slugs(vec![hardened]), (vec![], vec![]));
}

/// The cluster scan's own judgement over the shared findings: reviews for what a pod cannot
/// show, the control plane's namespaces and names reviewed, subjects that are everyone judged.
#[test]
fn cluster_verdicts_review_what_the_objects_cannot_decide() {
    use common_kube::cluster::{builtin_meta, list, meta, write};
    use serde_json::json;
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "pods.json",
        list(vec![
            // No user anywhere (the image decides) and only NET_BIND_SERVICE added.
            json!({"kind": "Pod", "metadata": meta("maybe-root", Some("shop")),
               "spec": {"automountServiceAccountToken": false, "serviceAccountName": "web",
                        "containers": [{"name": "web", "image": "web:1",
                            "securityContext": {"allowPrivilegeEscalation": false,
                                "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}}}]}}),
            // Its ServiceAccount says false: no token mounted.
            json!({"kind": "Pod", "metadata": meta("quiet", Some("shop")),
               "spec": {"serviceAccountName": "quiet",
                        "securityContext": {"runAsNonRoot": true},
                        "containers": [{"name": "c", "image": "c:1"}]}}),
        ]),
    );
    write(
        d.path(),
        "serviceaccounts.json",
        list(vec![
            json!({"kind": "ServiceAccount", "metadata": meta("quiet", Some("shop")),
                          "automountServiceAccountToken": false}),
        ]),
    );
    write(
        d.path(),
        "clusterroles.json",
        list(vec![
            json!({"kind": "ClusterRole", "metadata": builtin_meta("view"),
                   "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}),
            json!({"kind": "ClusterRole", "metadata": meta("tls-reader", None),
                   "rules": [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["tls"], "verbs": ["get"]}]}),
            json!({"kind": "ClusterRole", "metadata": meta("secret-reader", None),
                   "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]}),
            json!({"kind": "ClusterRole", "metadata": meta("system:addon-everything", None),
                   "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}),
        ]),
    );
    write(
        d.path(),
        "clusterrolebindings.json",
        list(vec![
            json!({"kind": "ClusterRoleBinding", "metadata": meta("ingress-tls", None),
                   "roleRef": {"kind": "ClusterRole", "name": "tls-reader"},
                   "subjects": [{"kind": "ServiceAccount", "name": "ingress", "namespace": "shop"}]}),
            // `system:` names are the control plane's, but everyone is not.
            json!({"kind": "ClusterRoleBinding", "metadata": meta("everyone-reads-secrets", None),
                   "roleRef": {"kind": "ClusterRole", "name": "secret-reader"},
                   "subjects": [{"kind": "Group", "name": "system:authenticated"}]}),
            json!({"kind": "ClusterRoleBinding", "metadata": meta("nodes-read-secrets", None),
                   "roleRef": {"kind": "ClusterRole", "name": "secret-reader"},
                   "subjects": [{"kind": "Group", "name": "system:nodes"}]}),
        ]),
    );
    let facts = NodeRoot::empty().facts_with(|o| o.kube.cluster_dump = Some(d.path().into()));
    let o = outcomes(&facts);
    let verdict = |id: &str, name: &str| {
        o[id]
            .objects
            .iter()
            .find(|x| x.name == name)
            .map(|x| x.verdict)
    };
    expect(&o, &[("5.2.7", Warn), ("5.2.9", Warn), ("5.1.3", Warn)]);
    assert!(
        o["5.2.7"].evidence.contains("maybe-root"),
        "{}",
        o["5.2.7"].evidence
    );
    // 5.1.6: the pod's own false, and the ServiceAccount's false, both pass.
    expect(&o, &[("5.1.6", Pass)]);
    // 5.1.2: named Secrets are a review; everyone reading Secrets fails; nodes are the
    // control plane's own.
    assert_eq!(verdict("5.1.2", "ingress-tls"), Some(Warn));
    assert_eq!(verdict("5.1.2", "everyone-reads-secrets"), Some(Fail));
    assert_eq!(verdict("5.1.2", "nodes-read-secrets"), None);
    // A `system:` role that is not built-in is reviewed, not exempt.
    assert_eq!(verdict("5.1.3", "system:addon-everything"), Some(Warn));
}
