//! Pass/fail cases for every workload rule. The hardened pod below passes every rule; each test
//! changes one thing and expects exactly the rule that guards it to fire, at the right place.

use serde_json::Value;

use super::*;

/// A pod that satisfies CIS 5.2 and the restricted Pod Security Standard (written for these
/// tests after the examples in the Kubernetes "Pod Security Standards" and "Configure a
/// Security Context" documentation).
const HARDENED: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: app
      image: registry.example/app:1.4@sha256:4b1e2d8f0c0a9c4f3c5d7c1f1b0d1c2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: ["ALL"]
      resources:
        requests: {cpu: 100m, memory: 64Mi}
        limits: {cpu: 500m, memory: 128Mi}
"#;

fn yaml(text: &str) -> Value {
    crate::collect::yaml::parse_stream(text)
        .expect("test YAML parses")
        .remove(0)
        .value
}

/// The evaluator's findings, checked to be the same on the object as a cluster scan keeps it
/// ([`crate::collect::kube_dump::trim_object`] drops fields no rule reads): every test here is
/// also a test that trimming loses no finding.
fn evaluate(obj: &Value) -> Vec<Finding> {
    let full = super::evaluate(obj);
    let mut trimmed = obj.clone();
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    if let Value::Object(m) = &mut trimmed
        && kind != "List"
    {
        crate::collect::kube_dump::trim_object(kind, m);
    }
    assert_eq!(
        super::evaluate(&trimmed),
        full,
        "trimming {kind} changed the findings"
    );
    full
}

fn slugs(findings: &[Finding]) -> Vec<&'static str> {
    let mut s: Vec<&str> = findings.iter().map(|f| f.slug).collect();
    s.sort();
    s.dedup();
    s
}

/// The hardened pod with one edit applied to its JSON.
fn hardened_with(edit: impl FnOnce(&mut Value)) -> Vec<Finding> {
    let mut v = yaml(HARDENED);
    edit(&mut v);
    evaluate(&v)
}

fn only(findings: &[Finding], slug: &str) -> Vec<Finding> {
    findings
        .iter()
        .filter(|f| f.slug == slug)
        .cloned()
        .collect()
}

#[test]
fn the_hardened_pod_passes_every_rule() {
    let findings = evaluate(&yaml(HARDENED));
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn privileged_container_fails_at_the_key() {
    let f = hardened_with(|v| {
        v["spec"]["containers"][0]["securityContext"]["privileged"] = true.into()
    });
    let p = only(&f, "k8s-pod-privileged");
    assert_eq!(p.len(), 1);
    assert_eq!(
        p[0].pointer,
        "/spec/containers/0/securityContext/privileged"
    );
    assert_eq!(p[0].severity, Severity::Critical);
}

#[test]
fn yaml_1_1_yes_is_privileged_like_the_api_server_reads_it() {
    let text = HARDENED.replace(
        "        allowPrivilegeEscalation: false",
        "        allowPrivilegeEscalation: false\n        privileged: yes",
    );
    // A privileged container keeps NET_RAW although it drops ALL: the runtime ignores drop.
    assert_eq!(
        slugs(&evaluate(&yaml(&text))),
        ["k8s-pod-net-raw", "k8s-pod-privileged"]
    );
}

#[test]
fn a_privileged_container_holds_net_raw_whatever_it_drops() {
    let f = hardened_with(|v| {
        v["spec"]["containers"][0]["securityContext"]["privileged"] = true.into()
    });
    let n = only(&f, "k8s-pod-net-raw");
    assert_eq!(n.len(), 1);
    assert_eq!(
        n[0].pointer,
        "/spec/containers/0/securityContext/privileged"
    );
    assert!(!n[0].review);
}

#[test]
fn findings_the_object_cannot_decide_are_marked_for_review() {
    let review = |f: &[Finding], slug: &str| -> Vec<bool> {
        only(f, slug).iter().map(|f| f.review).collect()
    };
    // No user anywhere: the image decides. runAsUser 0: the object decides.
    let f = hardened_with(|v| {
        let sc = v["spec"]["securityContext"].as_object_mut().unwrap();
        sc.remove("runAsNonRoot");
        sc.remove("runAsUser");
    });
    assert_eq!(review(&f, "k8s-pod-run-as-root"), [true]);
    let f =
        hardened_with(|v| v["spec"]["containers"][0]["securityContext"]["runAsUser"] = 0.into());
    assert_eq!(review(&f, "k8s-pod-run-as-root"), [false]);
    // No seccomp profile: each kubelet's seccompDefault decides. Unconfined: the object does.
    let f = hardened_with(|v| {
        v["spec"]["securityContext"]
            .as_object_mut()
            .unwrap()
            .remove("seccompProfile");
    });
    assert_eq!(review(&f, "k8s-pod-seccomp-profile"), [true]);
    let f = hardened_with(|v| {
        v["spec"]["securityContext"]["seccompProfile"]["type"] = "Unconfined".into()
    });
    assert_eq!(review(&f, "k8s-pod-seccomp-profile"), [false]);
    // NET_BIND_SERVICE is allowed by the restricted profile; SYS_ADMIN is not.
    let f = hardened_with(|v| {
        v["spec"]["containers"][0]["securityContext"]["capabilities"]["add"] =
            serde_json::json!(["NET_BIND_SERVICE", "SYS_ADMIN"])
    });
    assert_eq!(review(&f, "k8s-pod-capabilities-added"), [true, false]);
    // Unset escalation is allowed escalation: shown by the object.
    let f = hardened_with(|v| {
        v["spec"]["containers"][0]["securityContext"]
            .as_object_mut()
            .unwrap()
            .remove("allowPrivilegeEscalation");
    });
    assert_eq!(review(&f, "k8s-pod-privilege-escalation"), [false]);
}

#[test]
fn token_automount_follows_the_pod_then_its_service_account() {
    let unset = |around: Surroundings| {
        let mut v = yaml(HARDENED);
        v["spec"]
            .as_object_mut()
            .unwrap()
            .remove("automountServiceAccountToken");
        v["spec"]["serviceAccountName"] = "api".into();
        only(&evaluate_with(&v, around), "k8s-sa-token-automount")
    };
    let f = unset(Surroundings::default());
    assert_eq!(f.len(), 1);
    assert!(f[0].review, "whether the pod calls the API is a judgement");
    assert!(
        f[0].message.contains("service account api"),
        "{}",
        f[0].message
    );
    let said = |automount| Surroundings {
        service_account_automount: Some(automount),
    };
    assert!(
        unset(said(false)).is_empty(),
        "the ServiceAccount says false"
    );
    assert_eq!(unset(said(true)).len(), 1);
    // The pod's false wins over its ServiceAccount's true.
    let f = evaluate_with(&yaml(HARDENED), said(true));
    assert!(only(&f, "k8s-sa-token-automount").is_empty());
}

#[test]
fn security_context_needs_a_hardening_field_on_the_container_or_the_pod() {
    let strip = |v: &mut Value| {
        v["spec"].as_object_mut().unwrap().remove("securityContext");
        v["spec"]["containers"][0]
            .as_object_mut()
            .unwrap()
            .remove("securityContext");
    };
    let f = hardened_with(strip);
    let s = only(&f, "k8s-pod-security-context");
    assert_eq!((s.len(), s[0].pointer.as_str()), (1, "/spec"));
    // Only privileged set: a securityContext, but none that hardens.
    let f = hardened_with(|v| {
        strip(v);
        v["spec"]["containers"][0]["securityContext"] = serde_json::json!({"privileged": true});
    });
    assert_eq!(only(&f, "k8s-pod-security-context").len(), 1);
    // A pod-level hardening field covers every container.
    let f = hardened_with(|v| {
        strip(v);
        v["spec"]["securityContext"] = serde_json::json!({"runAsNonRoot": true});
    });
    assert!(only(&f, "k8s-pod-security-context").is_empty());
    // One container hardened, a sidecar bare: the sidecar is named at its own place.
    let f = hardened_with(|v| {
        v["spec"].as_object_mut().unwrap().remove("securityContext");
        v["spec"]["containers"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"name": "sidecar", "image": "x@sha256:aa"}));
    });
    let s = only(&f, "k8s-pod-security-context");
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].pointer, "/spec/containers/1");
    assert!(s[0].message.contains("\"sidecar\""), "{}", s[0].message);
}

#[test]
fn host_namespaces_fail_each_on_its_own_rule() {
    for (field, slug) in [
        ("hostPID", "k8s-pod-host-pid"),
        ("hostIPC", "k8s-pod-host-ipc"),
        ("hostNetwork", "k8s-pod-host-network"),
    ] {
        let f = hardened_with(|v| v["spec"][field] = true.into());
        assert_eq!(slugs(&f), [slug], "{field}");
        assert_eq!(f[0].pointer, format!("/spec/{field}"));
        let f = hardened_with(|v| v["spec"][field] = false.into());
        assert!(f.is_empty(), "{field}: false passes");
    }
}

#[test]
fn privilege_escalation_unset_or_true_fails() {
    let f = hardened_with(|v| {
        v["spec"]["containers"][0]["securityContext"]
            .as_object_mut()
            .unwrap()
            .remove("allowPrivilegeEscalation");
    });
    assert_eq!(slugs(&f), ["k8s-pod-privilege-escalation"]);
    assert_eq!(f[0].pointer, "/spec/containers/0");
    let f = hardened_with(|v| {
        v["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = true.into()
    });
    assert_eq!(
        f[0].pointer,
        "/spec/containers/0/securityContext/allowPrivilegeEscalation"
    );
}

#[test]
fn run_as_root_follows_container_over_pod_precedence() {
    // The container overrides the pod's non-root user with root.
    let f =
        hardened_with(|v| v["spec"]["containers"][0]["securityContext"]["runAsUser"] = 0.into());
    let r = only(&f, "k8s-pod-run-as-root");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].pointer, "/spec/containers/0/securityContext/runAsUser");
    // The pod says root, the container overrides with a non-root UID: passes.
    let f = hardened_with(|v| {
        v["spec"]["securityContext"]["runAsUser"] = 0.into();
        v["spec"]["securityContext"]
            .as_object_mut()
            .unwrap()
            .remove("runAsNonRoot");
        v["spec"]["containers"][0]["securityContext"]["runAsUser"] = 1000.into();
    });
    assert!(only(&f, "k8s-pod-run-as-root").is_empty(), "{f:#?}");
    // Neither set anywhere: one finding at the pod, naming the containers.
    let f = hardened_with(|v| {
        let sc = v["spec"]["securityContext"].as_object_mut().unwrap();
        sc.remove("runAsNonRoot");
        sc.remove("runAsUser");
    });
    let r = only(&f, "k8s-pod-run-as-root");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].pointer, "/spec");
    assert!(
        r[0].message.contains("container \"app\""),
        "{}",
        r[0].message
    );
}

#[test]
fn init_and_ephemeral_containers_are_checked() {
    let f = hardened_with(|v| {
        v["spec"]["initContainers"] = serde_json::json!([{
            "name": "setup", "image": "busybox@sha256:aa",
            "securityContext": {"privileged": true, "allowPrivilegeEscalation": false,
                                "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}},
            "resources": {"requests": {"cpu": "1", "memory": "1Mi"}, "limits": {"cpu": "1", "memory": "1Mi"}}
        }]);
        v["spec"]["ephemeralContainers"] = serde_json::json!([{
            "name": "debug", "image": "busybox@sha256:aa",
            "securityContext": {"capabilities": {"add": ["SYS_PTRACE"], "drop": ["ALL"]},
                                "allowPrivilegeEscalation": false}
        }]);
    });
    assert_eq!(
        only(&f, "k8s-pod-privileged")[0].pointer,
        "/spec/initContainers/0/securityContext/privileged"
    );
    let caps = only(&f, "k8s-pod-capabilities-added");
    assert_eq!(
        caps[0].pointer,
        "/spec/ephemeralContainers/0/securityContext/capabilities/add/0"
    );
    assert_eq!(caps[0].severity, Severity::High);
}

#[test]
fn capabilities_net_raw_and_drop_all() {
    // Dropping only NET_RAW satisfies 5.2.8 but not the restricted profile's drop ALL.
    let f = hardened_with(|v| {
        v["spec"]["containers"][0]["securityContext"]["capabilities"]["drop"] =
            serde_json::json!(["NET_RAW"])
    });
    assert_eq!(slugs(&f), ["k8s-pod-drop-all-capabilities"]);
    // Dropping nothing fails both.
    let f = hardened_with(|v| {
        v["spec"]["containers"][0]["securityContext"]
            .as_object_mut()
            .unwrap()
            .remove("capabilities");
    });
    assert_eq!(
        slugs(&f),
        ["k8s-pod-drop-all-capabilities", "k8s-pod-net-raw"]
    );
    // Adding NET_RAW back after drop ALL fails 5.2.8 at the add entry.
    let f = hardened_with(|v| {
        v["spec"]["containers"][0]["securityContext"]["capabilities"]["add"] =
            serde_json::json!(["NET_BIND_SERVICE", "NET_RAW"])
    });
    let net_raw = only(&f, "k8s-pod-net-raw");
    assert_eq!(
        net_raw[0].pointer,
        "/spec/containers/0/securityContext/capabilities/add/1"
    );
    let added = only(&f, "k8s-pod-capabilities-added");
    assert_eq!(added.len(), 2);
    assert_eq!(added[0].severity, Severity::Low, "NET_BIND_SERVICE");
    assert_eq!(
        added[1].severity,
        Severity::High,
        "NET_RAW is outside the baseline set"
    );
}

#[test]
fn host_path_any_fails_and_sensitive_paths_are_critical() {
    let f = hardened_with(|v| {
        v["spec"]["volumes"] = serde_json::json!([
            {"name": "data", "hostPath": {"path": "/srv/data"}},
            {"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}},
            {"name": "cfg", "configMap": {"name": "x"}}
        ])
    });
    let hp = only(&f, "k8s-pod-host-path");
    assert_eq!(hp.len(), 2);
    assert_eq!(hp[0].severity, Severity::High);
    assert_eq!(hp[1].severity, Severity::Critical);
    assert_eq!(hp[1].pointer, "/spec/volumes/1/hostPath");
}

#[test]
fn host_port_fails_and_privileged_host_port_is_medium() {
    let f = hardened_with(|v| {
        v["spec"]["containers"][0]["ports"] = serde_json::json!([
            {"containerPort": 8080},
            {"containerPort": 8443, "hostPort": 8443},
            {"containerPort": 80, "hostPort": 80}
        ])
    });
    let hp = only(&f, "k8s-pod-host-port");
    assert_eq!(hp.len(), 2);
    assert_eq!(hp[0].pointer, "/spec/containers/0/ports/1/hostPort");
    assert_eq!(
        (hp[0].severity, hp[1].severity),
        (Severity::Low, Severity::Medium)
    );
}

#[test]
fn seccomp_unconfined_unset_and_container_override() {
    let f = hardened_with(|v| {
        v["spec"]["securityContext"]["seccompProfile"]["type"] = "Unconfined".into()
    });
    let s = only(&f, "k8s-pod-seccomp-profile");
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].severity, Severity::High);
    assert_eq!(s[0].pointer, "/spec/securityContext/seccompProfile/type");
    assert!(s[0].message.contains("Unconfined"));
    // Pod Unconfined, container RuntimeDefault: the container wins.
    let f = hardened_with(|v| {
        v["spec"]["securityContext"]["seccompProfile"]["type"] = "Unconfined".into();
        v["spec"]["containers"][0]["securityContext"]["seccompProfile"] =
            serde_json::json!({"type": "RuntimeDefault"});
    });
    assert!(only(&f, "k8s-pod-seccomp-profile").is_empty());
    // Unset everywhere: one finding at the pod.
    let f = hardened_with(|v| {
        v["spec"]["securityContext"]
            .as_object_mut()
            .unwrap()
            .remove("seccompProfile");
    });
    let s = only(&f, "k8s-pod-seccomp-profile");
    assert_eq!((s.len(), s[0].pointer.as_str()), (1, "/spec"));
    // The legacy annotation still counts.
    let f = hardened_with(|v| {
        v["spec"]["securityContext"]
            .as_object_mut()
            .unwrap()
            .remove("seccompProfile");
        v["metadata"]["annotations"] =
            serde_json::json!({"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"});
    });
    assert!(only(&f, "k8s-pod-seccomp-profile").is_empty());
}

#[test]
fn secrets_in_env_by_reference_and_literal() {
    let f = hardened_with(|v| {
        v["spec"]["containers"][0]["env"] = serde_json::json!([
            {"name": "LOG_LEVEL", "value": "debug"},
            {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}},
            {"name": "API_TOKEN", "value": "s3cr3t-Value-xyz"},
            // A reference to a secret store's entry, not a secret.
            {"name": "ALLOYDB_SECRET_NAME", "value": "alloydb-password"},
            {"name": "PASSWORD_FILE", "value": "db-password"}
        ]);
        v["spec"]["containers"][0]["envFrom"] = serde_json::json!([{"secretRef": {"name": "all"}}]);
    });
    let refs = only(&f, "k8s-secrets-as-env");
    assert_eq!(refs.len(), 2);
    assert_eq!(
        refs[0].pointer,
        "/spec/containers/0/env/1/valueFrom/secretKeyRef"
    );
    assert_eq!(refs[1].pointer, "/spec/containers/0/envFrom/0/secretRef");
    let lit = only(&f, "k8s-env-literal-secret");
    assert_eq!(lit.len(), 1);
    assert_eq!(lit[0].pointer, "/spec/containers/0/env/2/value");
    assert!(
        !lit[0].message.contains("s3cr3t-Value-xyz"),
        "masked: {}",
        lit[0].message
    );
}

#[test]
fn token_automount_resources_rootfs_and_image() {
    let f = hardened_with(|v| {
        v["spec"]
            .as_object_mut()
            .unwrap()
            .remove("automountServiceAccountToken");
    });
    assert_eq!(slugs(&f), ["k8s-sa-token-automount"]);
    let f = hardened_with(|v| {
        v["spec"]["containers"][0]
            .as_object_mut()
            .unwrap()
            .remove("resources");
    });
    assert_eq!(
        slugs(&f),
        ["k8s-pod-resource-limits", "k8s-pod-resource-requests"]
    );
    let f = hardened_with(|v| {
        v["spec"]["containers"][0]["resources"]["limits"]
            .as_object_mut()
            .unwrap()
            .remove("cpu");
    });
    let l = only(&f, "k8s-pod-resource-limits");
    assert_eq!(
        (l[0].severity, l[0].pointer.as_str()),
        (Severity::Low, "/spec/containers/0/resources/limits")
    );
    let f = hardened_with(|v| {
        v["spec"]["containers"][0]["securityContext"]["readOnlyRootFilesystem"] = false.into()
    });
    assert_eq!(slugs(&f), ["k8s-pod-read-only-rootfs"]);
    for (image, sev) in [
        ("nginx", Some(Severity::Medium)),
        ("nginx:latest", Some(Severity::Medium)),
        ("nginx:1.27", Some(Severity::Low)),
        ("nginx@sha256:abc", None),
    ] {
        let f = hardened_with(|v| v["spec"]["containers"][0]["image"] = image.into());
        assert_eq!(f.first().map(|f| f.severity), sev, "{image}");
    }
}

#[test]
fn pss_baseline_extras() {
    let f = hardened_with(|v| {
        v["spec"]["securityContext"]["sysctls"] = serde_json::json!([
            {"name": "net.ipv4.tcp_syncookies", "value": "1"},
            {"name": "kernel.msgmax", "value": "65536"}
        ]);
        v["spec"]["containers"][0]["securityContext"]["procMount"] = "Unmasked".into();
        v["spec"]["containers"][0]["securityContext"]["seLinuxOptions"] =
            serde_json::json!({"type": "spc_t"});
        v["spec"]["containers"][0]["securityContext"]["appArmorProfile"] =
            serde_json::json!({"type": "Unconfined"});
        v["spec"]["containers"][0]["securityContext"]["windowsOptions"] =
            serde_json::json!({"hostProcess": true});
    });
    assert_eq!(
        slugs(&f),
        [
            "k8s-pod-apparmor-unconfined",
            "k8s-pod-proc-mount",
            "k8s-pod-selinux-options",
            "k8s-pod-unsafe-sysctls",
            "k8s-pod-windows-hostprocess"
        ]
    );
    assert_eq!(
        only(&f, "k8s-pod-unsafe-sysctls")[0].pointer,
        "/spec/securityContext/sysctls/1"
    );
}

#[test]
fn default_namespace_explicit_or_missing() {
    let f = hardened_with(|v| v["metadata"]["namespace"] = "default".into());
    assert_eq!(f[0].pointer, "/metadata/namespace");
    let f = hardened_with(|v| {
        v["metadata"].as_object_mut().unwrap().remove("namespace");
    });
    assert_eq!(
        (f[0].slug, f[0].pointer.as_str()),
        ("k8s-namespace-default-used", "/metadata")
    );
}

#[test]
fn every_workload_kind_is_found_through_its_pod_template() {
    let pod = yaml(HARDENED);
    let mut spec = pod["spec"].clone();
    spec["hostPID"] = true.into();
    let template = serde_json::json!({"metadata": {"labels": {"a": "b"}}, "spec": spec});
    let meta = serde_json::json!({"name": "w", "namespace": "shop"});
    let cases = [
        (
            "Deployment",
            serde_json::json!({"template": template}),
            "/spec/template/spec/hostPID",
        ),
        (
            "StatefulSet",
            serde_json::json!({"template": template}),
            "/spec/template/spec/hostPID",
        ),
        (
            "DaemonSet",
            serde_json::json!({"template": template}),
            "/spec/template/spec/hostPID",
        ),
        (
            "ReplicaSet",
            serde_json::json!({"template": template}),
            "/spec/template/spec/hostPID",
        ),
        (
            "ReplicationController",
            serde_json::json!({"template": template}),
            "/spec/template/spec/hostPID",
        ),
        (
            "Job",
            serde_json::json!({"template": template}),
            "/spec/template/spec/hostPID",
        ),
        (
            "CronJob",
            serde_json::json!({"schedule": "* * * * *", "jobTemplate": {"spec": {"template": template}}}),
            "/spec/jobTemplate/spec/template/spec/hostPID",
        ),
        (
            "Rollout",
            serde_json::json!({"template": template}),
            "/spec/template/spec/hostPID",
        ),
    ];
    for (kind, spec, pointer) in cases {
        let obj =
            serde_json::json!({"apiVersion": "x", "kind": kind, "metadata": meta, "spec": spec});
        let f = evaluate(&obj);
        assert_eq!(slugs(&f), ["k8s-pod-host-pid"], "{kind}");
        assert_eq!(f[0].pointer, pointer, "{kind}");
    }
}

#[test]
fn lists_are_expanded_with_item_pointers() {
    let mut pod = yaml(HARDENED);
    pod["spec"]["hostNetwork"] = true.into();
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}},
        pod
    ]});
    let f = evaluate(&list);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].pointer, "/items/1/spec/hostNetwork");
}

#[test]
fn objects_without_pod_templates_give_nothing() {
    for obj in [
        serde_json::json!({"kind": "Service", "spec": {"ports": [{"port": 80}]}}),
        serde_json::json!({"kind": "ConfigMap", "data": {"a": "b"}}),
        serde_json::json!({"kind": "Deployment", "spec": {"replicas": 2}}),
        serde_json::json!("not an object"),
    ] {
        assert!(evaluate(&obj).is_empty(), "{obj}");
    }
}

#[test]
fn windows_pods_skip_linux_only_rules() {
    let f = hardened_with(|v| {
        v["spec"]["os"] = serde_json::json!({"name": "windows"});
        let sc = v["spec"]["securityContext"].as_object_mut().unwrap();
        sc.remove("seccompProfile");
        sc.remove("runAsNonRoot");
        sc.remove("runAsUser");
        v["spec"]["containers"][0]["securityContext"]
            .as_object_mut()
            .unwrap()
            .remove("capabilities");
    });
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn rule_metadata_is_complete() {
    for r in RULES {
        assert!(r.slug.starts_with("k8s-"), "{}", r.slug);
        for text in [
            r.doc.what,
            r.doc.why,
            r.doc.evidence,
            r.doc.remediation,
            r.title,
        ] {
            assert!(!text.trim().is_empty(), "{}", r.slug);
        }
    }
}

#[test]
fn a_pod_level_gap_is_reported_once_for_all_containers() {
    let f = hardened_with(|v| {
        let second = v["spec"]["containers"][0].clone();
        v["spec"]["containers"].as_array_mut().unwrap().push(second);
        v["spec"]["containers"][1]["name"] = "sidecar".into();
        v["spec"]["securityContext"]["seccompProfile"]["type"] = "Unconfined".into();
    });
    let s = only(&f, "k8s-pod-seccomp-profile");
    assert_eq!(s.len(), 1, "{s:#?}");
    assert!(s[0].message.contains("\"app\"") && s[0].message.contains("\"sidecar\""));
}
