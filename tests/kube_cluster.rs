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
            ("5.2.6", Warn),
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
            ("5.6.3", Warn),
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
