//! CIS Kubernetes 1.12 node checks against kubeadm-like host roots (see common_kube for where
//! each fixture file comes from). Verdicts are what a careful auditor gives on these nodes.

mod common_kube;

use common_kube::*;
use threatbench::checks::Verdict::{self, *};
use threatbench::facts::kube::{ComponentKind, ComponentSource};

/// A default kubeadm v1.33 control-plane node: what is compliant out of the box and what is not.
const KUBEADM_CONTROL_PLANE: &[(&str, Verdict)] = &[
    ("1.1.1", Pass),
    ("1.1.2", Pass),
    ("1.1.3", Pass),
    ("1.1.4", Pass),
    ("1.1.5", Pass),
    ("1.1.6", Pass),
    ("1.1.7", Pass),
    ("1.1.8", Pass),
    ("1.1.9", Skip),
    ("1.1.10", Skip),
    ("1.1.11", Pass),
    ("1.1.12", Fail),
    ("1.1.13", Pass),
    ("1.1.14", Pass),
    ("1.1.15", Pass),
    ("1.1.16", Pass),
    ("1.1.17", Pass),
    ("1.1.18", Pass),
    ("1.1.19", Pass),
    ("1.1.20", Pass),
    ("1.1.21", Pass),
    ("1.2.1", Warn),
    ("1.2.2", Pass),
    ("1.2.3", Warn),
    ("1.2.4", Pass),
    ("1.2.5", Fail),
    ("1.2.6", Pass),
    ("1.2.7", Pass),
    ("1.2.8", Pass),
    ("1.2.9", Fail),
    ("1.2.10", Pass),
    ("1.2.11", Warn),
    ("1.2.12", Pass),
    ("1.2.13", Pass),
    ("1.2.14", Pass),
    ("1.2.15", Fail),
    ("1.2.16", Fail),
    ("1.2.17", Fail),
    ("1.2.18", Fail),
    ("1.2.19", Fail),
    ("1.2.20", Warn),
    ("1.2.21", Pass),
    ("1.2.22", Pass),
    ("1.2.23", Pass),
    ("1.2.24", Pass),
    ("1.2.25", Pass),
    ("1.2.26", Pass),
    ("1.2.27", Fail),
    ("1.2.28", Fail),
    ("1.2.29", Warn),
    ("1.2.30", Fail),
    ("1.3.1", Warn),
    ("1.3.2", Fail),
    ("1.3.3", Pass),
    ("1.3.4", Pass),
    ("1.3.5", Pass),
    ("1.3.6", Pass),
    ("1.3.7", Pass),
    ("1.4.1", Fail),
    ("1.4.2", Pass),
    ("2.1", Pass),
    ("2.2", Pass),
    ("2.3", Pass),
    ("2.4", Pass),
    ("2.5", Pass),
    ("2.6", Pass),
    ("2.7", Pass),
    ("3.1.1", Warn),
    ("3.1.2", Warn),
    ("3.1.3", Warn),
    ("3.2.1", Fail),
    ("3.2.2", Fail),
    ("4.1.1", Fail),
    ("4.1.2", Pass),
    ("4.1.3", Skip),
    ("4.1.4", Skip),
    ("4.1.5", Pass),
    ("4.1.6", Pass),
    ("4.1.7", Pass),
    ("4.1.8", Pass),
    ("4.1.9", Fail),
    ("4.1.10", Pass),
    ("4.2.1", Pass),
    ("4.2.2", Pass),
    ("4.2.3", Pass),
    ("4.2.4", Pass),
    ("4.2.5", Pass),
    ("4.2.6", Pass),
    ("4.2.7", Pass),
    ("4.2.8", Pass),
    ("4.2.9", Warn),
    ("4.2.10", Pass),
    ("4.2.11", Warn),
    ("4.2.12", Warn),
    ("4.2.13", Warn),
    ("4.2.14", Warn),
    ("4.3.1", Skip),
];

#[test]
fn kubeadm_control_plane_snapshot_gets_an_auditors_verdicts() {
    let n = NodeRoot::kubeadm_control_plane();
    let facts = n.facts();
    let o = outcomes(&facts);
    expect(&o, KUBEADM_CONTROL_PLANE);
    // Every automated item of sections 1-4 is evaluated here (none errors).
    let sections_1_to_4 = o
        .keys()
        .filter(|k| !k.starts_with('5') && !k.starts_with("k8s"))
        .count();
    assert_eq!(sections_1_to_4, KUBEADM_CONTROL_PLANE.len());
    // Evidence says where flags came from and what default applied.
    assert!(
        o["1.2.15"].evidence.contains("default is true"),
        "{}",
        o["1.2.15"].evidence
    );
    assert!(
        o["1.2.15"]
            .evidence
            .contains("static pod manifest /etc/kubernetes/manifests/kube-apiserver.yaml")
    );
    assert!(o["4.2.1"].evidence.contains("/var/lib/kubelet/config.yaml"));
    assert!(
        o["4.2.1"].evidence.contains("systemd unit"),
        "{}",
        o["4.2.1"].evidence
    );
    // The kubelet config is 0644 inside a 0700 directory: still a failure, with the parent named.
    assert!(
        o["4.1.9"].evidence.contains("0644"),
        "{}",
        o["4.1.9"].evidence
    );
    assert!(
        o["4.1.9"].evidence.contains("/var/lib/kubelet 0700"),
        "{}",
        o["4.1.9"].evidence
    );
    // kubeadm's drop-in is found on the pkgs.k8s.io path, not only /etc/systemd/system.
    assert_eq!(
        facts.kube.kubelet_units,
        vec![
            "/usr/lib/systemd/system/kubelet.service",
            "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf"
        ]
    );
    assert_eq!(facts.kube.version.version.as_deref(), Some(VERSION));
    assert!(facts.kube.version.source.contains("kube-apiserver.yaml"));
}

#[test]
fn kubelet_flags_are_rebuilt_from_the_unit_drop_ins_and_env_files() {
    let n = NodeRoot::kubeadm_worker();
    n.write(
        "/etc/default/kubelet",
        0o644,
        "KUBELET_EXTRA_ARGS=\"--anonymous-auth=true --hostname-override=node-a\"\n",
    );
    let facts = n.facts();
    let kubelet = facts.kube.component(ComponentKind::Kubelet).unwrap();
    let ComponentSource::Systemd { env_files, .. } = &kubelet.source else {
        panic!("{:?}", kubelet.source)
    };
    assert_eq!(
        env_files,
        &vec!["/var/lib/kubelet/kubeadm-flags.env", "/etc/default/kubelet"]
    );
    let o = outcomes(&facts);
    expect(&o, &[("4.2.1", Fail), ("4.2.7", Warn)]);
    assert!(
        o["4.2.1"].evidence.contains("--anonymous-auth=true"),
        "{}",
        o["4.2.1"].evidence
    );
    assert!(o["4.2.1"].evidence.contains("overrides the config file"));
}

#[test]
fn a_drop_in_in_etc_masks_the_packaged_one() {
    let n = NodeRoot::kubeadm_worker();
    n.write(
        "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
        0o600,
        "[Service]\nExecStart=\nExecStart=/usr/bin/kubelet --config=/etc/kubelet-custom.yaml --kubeconfig=/etc/kubernetes/kubelet.conf\n",
    );
    n.write("/etc/kubelet-custom.yaml", 0o600, "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthorization:\n  mode: AlwaysAllow\n");
    let facts = n.facts();
    assert_eq!(
        facts.kube.kubelet_units,
        vec![
            "/usr/lib/systemd/system/kubelet.service",
            "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf"
        ]
    );
    let o = outcomes(&facts);
    // The file the kubelet really reads is judged, not the kubeadm default path.
    expect(&o, &[("4.2.2", Fail), ("4.2.1", Pass), ("4.1.9", Pass)]);
    assert!(
        o["4.1.9"].evidence.contains("/etc/kubelet-custom.yaml"),
        "{}",
        o["4.1.9"].evidence
    );
    assert!(
        o["4.2.2"]
            .evidence
            .contains("AlwaysAllow in /etc/kubelet-custom.yaml")
    );
}

#[test]
fn worker_node_skips_control_plane_checks_with_the_reason() {
    let n = NodeRoot::kubeadm_worker();
    let o = outcomes(&n.facts());
    expect(
        &o,
        &[
            ("1.1.1", Skip),
            ("1.2.1", Skip),
            ("1.3.2", Skip),
            ("1.4.1", Skip),
            ("2.1", Skip),
            ("3.2.1", Skip),
            ("1.1.13", Skip),
            ("1.1.19", Skip),
            ("4.1.1", Fail),
            ("4.1.5", Pass),
            ("4.1.9", Fail),
            ("4.2.1", Pass),
            ("4.2.2", Pass),
        ],
    );
    assert!(
        o["1.2.1"].evidence.contains("worker node"),
        "{}",
        o["1.2.1"].evidence
    );
}

#[test]
fn host_without_kubernetes_skips_every_kubernetes_check() {
    let n = NodeRoot::empty();
    n.process(1, &["/sbin/init".into()]);
    let o = outcomes(&n.facts());
    assert!(o.len() > 90);
    for (id, out) in &o {
        assert_eq!(out.verdict, Skip, "{id}: {}", out.evidence);
    }
    assert!(
        o["1.2.1"]
            .evidence
            .starts_with("no Kubernetes component found on this host (looked in /proc"),
        "{}",
        o["1.2.1"].evidence
    );
    assert!(o["1.2.1"].evidence.contains("/etc/kubernetes/manifests"));
}

#[test]
fn visible_processes_are_authoritative_over_manifests() {
    let n = NodeRoot::kubeadm_control_plane();
    // The running apiserver was started with --profiling=false; the manifest on disk differs
    // (e.g. edited but not yet picked up). The process wins and the manifest is still checked.
    let mut argv = vec!["kube-apiserver".to_string()];
    argv.extend(apiserver_flags());
    argv.push("--profiling=false".into());
    n.process(4242, &argv);
    n.process(100, &NodeRoot::kubelet_argv(&[]));
    let facts = n.facts();
    let api = facts.kube.component(ComponentKind::KubeApiserver).unwrap();
    assert!(matches!(
        api.source,
        ComponentSource::Process { pid: 4242, .. }
    ));
    assert!(api.manifest.is_some());
    let o = outcomes(&facts);
    expect(
        &o,
        &[
            ("1.2.15", Pass),
            ("1.1.1", Pass),
            ("1.3.2", Fail),
            ("4.2.1", Pass),
        ],
    );
    assert!(
        o["1.2.15"].evidence.contains("process 4242"),
        "{}",
        o["1.2.15"].evidence
    );
    assert!(
        o["4.2.1"].evidence.contains("process 100"),
        "{}",
        o["4.2.1"].evidence
    );
}

#[test]
fn kubelet_flag_overrides_the_config_file() {
    let n = NodeRoot::kubeadm_worker();
    n.process(
        77,
        &NodeRoot::kubelet_argv(&[
            "--anonymous-auth=true",
            "--authorization-mode=AlwaysAllow",
            "--read-only-port=10255",
        ]),
    );
    let o = outcomes(&n.facts());
    expect(
        &o,
        &[
            ("4.2.1", Fail),
            ("4.2.2", Fail),
            ("4.2.4", Warn),
            ("4.2.3", Pass),
        ],
    );
    assert!(
        o["4.2.2"]
            .evidence
            .contains("`--authorization-mode=AlwaysAllow` (flag, overrides the config file)"),
        "{}",
        o["4.2.2"].evidence
    );
}

#[test]
fn insecure_kubelet_config_file_fails() {
    let n = NodeRoot::kubeadm_worker();
    n.write(
        "/var/lib/kubelet/config.yaml",
        0o600,
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: true\n  webhook:\n    enabled: false\nauthorization:\n  mode: AlwaysAllow\nreadOnlyPort: 10255\nmakeIPTablesUtilChains: false\nstreamingConnectionIdleTimeout: 0s\n",
    );
    let o = outcomes(&n.facts());
    expect(
        &o,
        &[
            ("4.2.1", Fail),
            ("4.2.2", Fail),
            ("4.2.3", Fail),
            ("4.2.4", Warn),
            ("4.2.6", Fail),
            ("4.2.10", Fail),
            ("4.1.9", Pass),
        ],
    );
}

#[test]
fn kubelet_without_config_file_runs_on_command_line_defaults() {
    let n = NodeRoot::kubeadm_worker();
    n.process(
        9,
        &[
            "/usr/bin/kubelet".into(),
            "--kubeconfig=/etc/kubernetes/kubelet.conf".into(),
        ],
    );
    let o = outcomes(&n.facts());
    expect(
        &o,
        &[
            ("4.2.1", Fail),
            ("4.2.2", Fail),
            ("4.2.4", Warn),
            ("4.1.9", Skip),
            ("4.1.5", Pass),
        ],
    );
    assert!(
        o["4.2.1"].evidence.contains("command-line default"),
        "{}",
        o["4.2.1"].evidence
    );
}

#[test]
fn hardened_kubelet_config_passes_the_manual_items_too() {
    let n = NodeRoot::kubeadm_worker();
    let hardened = format!(
        "{KUBEADM_KUBELET_CONFIG}podPidsLimit: 4096\nseccompDefault: true\nserverTLSBootstrap: true\nprotectKernelDefaults: true\ntlsCipherSuites:\n- TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n- TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\n"
    );
    n.write("/var/lib/kubelet/config.yaml", 0o600, &hardened);
    n.chmod("/usr/lib/systemd/system/kubelet.service", 0o600);
    n.chmod(
        "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
        0o600,
    );
    let o = outcomes(&n.facts());
    expect(
        &o,
        &[
            ("4.1.1", Pass),
            ("4.1.9", Pass),
            ("4.2.9", Pass),
            ("4.2.11", Pass),
            ("4.2.12", Pass),
            ("4.2.13", Pass),
            ("4.2.14", Pass),
        ],
    );
    // A weak suite is named.
    n.write(
        "/var/lib/kubelet/config.yaml",
        0o600,
        &format!("{hardened}- TLS_RSA_WITH_AES_128_CBC_SHA\n"),
    );
    let o = outcomes(&n.facts());
    expect(&o, &[("4.2.12", Warn)]);
    assert!(
        o["4.2.12"]
            .evidence
            .contains("TLS_RSA_WITH_AES_128_CBC_SHA")
    );
}

#[test]
fn unreadable_or_malformed_inputs_are_named_not_passed() {
    let n = NodeRoot::kubeadm_worker();
    n.write(
        "/var/lib/kubelet/config.yaml",
        0o600,
        "authentication: [unclosed\n",
    );
    n.write(
        "/etc/kubernetes/manifests/broken.yaml",
        0o600,
        "kind: Pod\nspec: {containers: [\n",
    );
    let facts = n.facts();
    assert!(
        facts
            .kube
            .problems
            .iter()
            .any(|p| p.contains("broken.yaml")),
        "{:?}",
        facts.kube.problems
    );
    let o = outcomes(&facts);
    expect(&o, &[("4.2.1", Error), ("4.2.2", Error), ("4.2.7", Pass)]);
    assert!(
        o["4.2.1"].evidence.contains("/var/lib/kubelet/config.yaml"),
        "{}",
        o["4.2.1"].evidence
    );
}

#[test]
fn file_modes_owners_and_parent_directories() {
    let n = NodeRoot::kubeadm_control_plane();
    n.chmod("/etc/kubernetes/manifests/kube-apiserver.yaml", 0o644);
    n.chmod("/etc/kubernetes/pki/ca.key", 0o644);
    n.chmod("/etc/kubernetes/manifests", 0o777);
    n.chmod("/var/lib/etcd", 0o755);
    let root = can_chown();
    if root {
        n.chown("/etc/kubernetes/manifests/kube-scheduler.yaml", 1000, 1000);
        n.chown("/etc/kubernetes/pki/etcd/peer.key", 1000, 0);
    }
    let o = outcomes(&n.facts());
    // The etcd manifest itself is 0600, but its directory is world-writable.
    expect(
        &o,
        &[
            ("1.1.1", Fail),
            ("1.1.7", Fail),
            ("1.1.21", Warn),
            ("1.1.11", Fail),
        ],
    );
    assert!(
        o["1.1.7"].evidence.contains("replace"),
        "{}",
        o["1.1.7"].evidence
    );
    if root {
        expect(&o, &[("1.1.6", Fail), ("1.1.19", Fail)]);
        assert!(
            o["1.1.6"].evidence.contains("1000:1000"),
            "{}",
            o["1.1.6"].evidence
        );
    } else {
        eprintln!("not root: owner assertions skipped");
    }
}

#[test]
fn etcd_data_dir_follows_the_flag_and_the_hostpath_mount() {
    let n = NodeRoot::kubeadm_control_plane();
    let mut flags: Vec<String> = etcd_flags()
        .into_iter()
        .filter(|f| !f.starts_with("--data-dir"))
        .collect();
    flags.push("--data-dir=/var/lib/etcd".into());
    // The manifest mounts host /data/etcd at /var/lib/etcd.
    let yaml = static_pod(
        "etcd",
        "registry.k8s.io/etcd:3.5.21-0",
        &flags,
        &[
            ("etcd-data", "/var/lib/etcd"),
            ("etcd-certs", "/etc/kubernetes/pki/etcd"),
        ],
    )
    .replace("      path: /var/lib/etcd\n", "      path: /data/etcd\n");
    n.write("/etc/kubernetes/manifests/etcd.yaml", 0o600, &yaml);
    n.dir("/data/etcd", 0o750);
    let o = outcomes(&n.facts());
    expect(&o, &[("1.1.11", Fail)]);
    assert!(
        o["1.1.11"].evidence.starts_with("/data/etcd"),
        "{}",
        o["1.1.11"].evidence
    );
}

const ENCRYPTION: &str = "apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources:
  - secrets
  providers:
  - aescbc:
      keys:
      - name: key1
        secret: c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/Cg==
  - identity: {}
";

const AUDIT_POLICY: &str = "apiVersion: audit.k8s.io/v1
kind: Policy
omitStages:
- RequestReceived
rules:
- level: None
  users: [\"system:kube-proxy\"]
  verbs: [\"watch\"]
- level: Metadata
  resources:
  - group: \"\"
    resources: [\"secrets\", \"configmaps\"]
  - group: authentication.k8s.io
    resources: [\"tokenreviews\"]
- level: RequestResponse
  resources:
  - group: \"\"
    resources: [\"pods/exec\", \"pods/attach\", \"pods/portforward\"]
- level: Metadata
";

const ADMISSION: &str = "apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: EventRateLimit
  path: eventconfig.yaml
";

const EVENT_LIMITS: &str = "apiVersion: eventratelimit.admission.k8s.io/v1alpha1
kind: Configuration
limits:
- type: Namespace
  qps: 50
  burst: 100
  cacheSize: 2000
- type: User
  qps: 10
  burst: 50
";

/// The control plane after applying the benchmark's remediations.
fn hardened_control_plane() -> NodeRoot {
    let n = NodeRoot::kubeadm_control_plane();
    let mut api: Vec<String> = apiserver_flags()
        .into_iter()
        .map(|f| {
            if f.starts_with("--enable-admission-plugins") {
                "--enable-admission-plugins=NodeRestriction,EventRateLimit,AlwaysPullImages,DenyServiceExternalIPs".into()
            } else {
                f
            }
        })
        .collect();
    api.extend(
        [
            "--anonymous-auth=false",
            "--profiling=false",
            "--audit-log-path=/var/log/kubernetes/audit/audit.log",
            "--audit-log-maxage=30",
            "--audit-log-maxbackup=10",
            "--audit-log-maxsize=100",
            "--audit-policy-file=/etc/kubernetes/audit/policy.yaml",
            "--admission-control-config-file=/etc/kubernetes/admission/admission.yaml",
            "--encryption-provider-config=/etc/kubernetes/enc/enc.yaml",
            "--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt",
            "--service-account-extend-token-expiration=false",
            "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "--request-timeout=60s",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    n.manifest("kube-apiserver", &api);
    let mut kcm = controller_manager_flags();
    kcm.extend([
        "--profiling=false".to_string(),
        "--terminated-pod-gc-threshold=10".to_string(),
    ]);
    n.manifest("kube-controller-manager", &kcm);
    let mut sched = scheduler_flags();
    sched.push("--profiling=false".into());
    n.manifest("kube-scheduler", &sched);
    n.write("/etc/kubernetes/enc/enc.yaml", 0o600, ENCRYPTION);
    n.write("/etc/kubernetes/audit/policy.yaml", 0o600, AUDIT_POLICY);
    n.write("/etc/kubernetes/admission/admission.yaml", 0o600, ADMISSION);
    n.write(
        "/etc/kubernetes/admission/eventconfig.yaml",
        0o600,
        EVENT_LIMITS,
    );
    n
}

#[test]
fn hardened_control_plane_passes_sections_1_2_and_3() {
    let n = hardened_control_plane();
    let facts = n.facts();
    // Key material from the encryption config never reaches the facts.
    let bundle = serde_json::to_string(&facts).unwrap();
    assert!(
        !bundle.contains("c2VjcmV0IGlz"),
        "encryption key leaked into facts"
    );
    let o = outcomes(&facts);
    expect(
        &o,
        &[
            ("1.2.1", Pass),
            ("1.2.3", Pass),
            ("1.2.5", Pass),
            ("1.2.9", Pass),
            ("1.2.11", Pass),
            ("1.2.15", Pass),
            ("1.2.16", Pass),
            ("1.2.17", Pass),
            ("1.2.18", Pass),
            ("1.2.19", Pass),
            ("1.2.20", Warn),
            ("1.2.27", Pass),
            ("1.2.28", Pass),
            ("1.2.29", Pass),
            ("1.2.30", Pass),
            ("1.3.1", Pass),
            ("1.3.2", Pass),
            ("1.4.1", Pass),
            ("3.2.1", Pass),
        ],
    );
    assert!(
        o["1.2.9"].evidence.contains("Namespace qps=50 burst=100"),
        "{}",
        o["1.2.9"].evidence
    );
    assert!(
        o["1.2.28"]
            .evidence
            .contains("first provider for [secrets] is aescbc")
    );
    // RBAC and CSR approval changes fall to the catch-all Metadata rule: covered.
    expect(&o, &[("3.2.2", Pass)]);
}

#[test]
fn weak_encryption_audit_and_event_configs_fail_with_the_reason() {
    let n = hardened_control_plane();
    n.write(
        "/etc/kubernetes/enc/enc.yaml",
        0o600,
        &ENCRYPTION.replace("  - aescbc:\n      keys:\n      - name: key1\n        secret: c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/Cg==\n  - identity: {}\n", "  - identity: {}\n  - aescbc:\n      keys:\n      - name: key1\n        secret: c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/Cg==\n"),
    );
    // Secrets logged with their bodies, exec not audited.
    n.write(
        "/etc/kubernetes/audit/policy.yaml",
        0o600,
        "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n  resources:\n  - group: \"\"\n    resources: [\"secrets\"]\n- level: None\n  resources:\n  - group: \"\"\n    resources: [\"pods/exec\"]\n- level: Metadata\n",
    );
    n.write(
        "/etc/kubernetes/admission/eventconfig.yaml",
        0o600,
        "kind: Configuration\nlimits: []\n",
    );
    let o = outcomes(&n.facts());
    expect(
        &o,
        &[
            ("1.2.27", Pass),
            ("1.2.28", Fail),
            ("3.2.1", Pass),
            ("3.2.2", Fail),
            ("1.2.9", Fail),
        ],
    );
    assert!(
        o["1.2.28"].evidence.contains("is identity"),
        "{}",
        o["1.2.28"].evidence
    );
    assert!(
        o["3.2.2"]
            .evidence
            .contains("get secrets logged at RequestResponse"),
        "{}",
        o["3.2.2"].evidence
    );
    assert!(
        o["3.2.2"]
            .evidence
            .contains("create pods/exec not audited (rule 2)"),
        "{}",
        o["3.2.2"].evidence
    );
    // A flag naming a file the host does not have is an error, not a pass.
    n.remove("/etc/kubernetes/enc/enc.yaml");
    let o = outcomes(&n.facts());
    expect(&o, &[("1.2.27", Error), ("1.2.28", Error)]);
}

#[test]
fn authorization_config_file_replaces_the_mode_flag() {
    let n = NodeRoot::kubeadm_control_plane();
    let api: Vec<String> = apiserver_flags()
        .into_iter()
        .filter(|f| !f.starts_with("--authorization-mode"))
        .chain(["--authorization-config=/etc/kubernetes/authz.yaml".to_string()])
        .collect();
    n.manifest("kube-apiserver", &api);
    n.write(
        "/etc/kubernetes/authz.yaml",
        0o600,
        "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers:\n- type: Node\n  name: node\n- type: RBAC\n  name: rbac\n",
    );
    let o = outcomes(&n.facts());
    expect(&o, &[("1.2.6", Pass), ("1.2.7", Pass), ("1.2.8", Pass)]);
    // Without either, the API server's default is AlwaysAllow.
    let api: Vec<String> = apiserver_flags()
        .into_iter()
        .filter(|f| !f.starts_with("--authorization-mode"))
        .collect();
    n.manifest("kube-apiserver", &api);
    let o = outcomes(&n.facts());
    expect(&o, &[("1.2.6", Fail), ("1.2.7", Fail), ("1.2.8", Fail)]);
    assert!(o["1.2.6"].evidence.contains("default AlwaysAllow"));
}

#[test]
fn kube_proxy_flags_config_and_host_kubeconfig() {
    let n = NodeRoot::kubeadm_worker();
    n.write(
        "/etc/kubernetes/proxy.yaml",
        0o644,
        "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmetricsBindAddress: 0.0.0.0:10249\nclientConnection:\n  kubeconfig: /etc/kubernetes/proxy.conf\n",
    );
    n.write(
        "/etc/kubernetes/proxy.conf",
        0o644,
        "apiVersion: v1\nkind: Config\n",
    );
    n.process(
        300,
        &[
            "/usr/local/bin/kube-proxy".into(),
            "--config=/etc/kubernetes/proxy.yaml".into(),
        ],
    );
    let o = outcomes(&n.facts());
    expect(&o, &[("4.3.1", Fail), ("4.1.3", Fail), ("4.1.4", Pass)]);
    assert!(
        o["4.3.1"].evidence.contains("0.0.0.0:10249"),
        "{}",
        o["4.3.1"].evidence
    );
    assert!(
        o["4.1.3"].evidence.contains("clientConnection.kubeconfig"),
        "{}",
        o["4.1.3"].evidence
    );
    // The flag wins over the file; kubeadm's empty value means the loopback default.
    n.process(
        300,
        &[
            "/usr/local/bin/kube-proxy".into(),
            "--config=/etc/kubernetes/proxy.yaml".into(),
            "--metrics-bind-address=127.0.0.1:10249".into(),
        ],
    );
    expect(&outcomes(&n.facts()), &[("4.3.1", Pass)]);
    n.write(
        "/etc/kubernetes/proxy.yaml",
        0o644,
        "kind: KubeProxyConfiguration\nmetricsBindAddress: \"\"\n",
    );
    n.process(
        300,
        &[
            "/usr/local/bin/kube-proxy".into(),
            "--config=/etc/kubernetes/proxy.yaml".into(),
        ],
    );
    let o = outcomes(&n.facts());
    expect(&o, &[("4.3.1", Pass), ("4.1.3", Skip)]);
    assert!(o["4.3.1"].evidence.contains("default 127.0.0.1:10249"));
}

#[test]
fn k3s_wrapper_flags_are_read_and_unpassed_ones_are_reviewed() {
    let n = NodeRoot::empty();
    n.process(
        55,
        &[
            "/usr/local/bin/k3s".into(),
            "server".into(),
            "--kube-apiserver-arg=profiling=false".into(),
            "--kubelet-arg=anonymous-auth=true".into(),
        ],
    );
    let facts = n.facts();
    assert!(
        facts
            .kube
            .component(ComponentKind::KubeApiserver)
            .is_some_and(|c| c.is_wrapped())
    );
    let o = outcomes(&facts);
    // Passed flags are judged; what k3s sets itself is left to review, never assumed.
    expect(
        &o,
        &[
            ("1.2.15", Pass),
            ("1.2.16", Warn),
            ("4.2.1", Fail),
            ("4.2.2", Warn),
            ("2.1", Skip),
        ],
    );
    assert!(
        o["1.2.15"].evidence.contains("k3s process 55"),
        "{}",
        o["1.2.15"].evidence
    );
}
