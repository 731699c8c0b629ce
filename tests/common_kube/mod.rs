//! Kubernetes node fixtures: host roots written by test code into temp dirs, for
//! `threatbench scan --root`. Kubernetes cannot run in CI, so these reproduce what kubeadm
//! writes, from its documented defaults:
//!
//! - Static pod flags: kubeadm v1.33 `cmd/kubeadm/app/phases/controlplane/manifests.go`
//!   (`getAPIServerCommand`, `getControllerManagerCommand`, `getSchedulerCommand`) and
//!   `phases/etcd/local.go` (`getEtcdCommand`); images `registry.k8s.io/<component>:v1.33.1`.
//! - Modes: manifests 0600 (`staticpod.WriteStaticPodToDisk`), manifest dir 0700; kubeconfigs
//!   0600 (client-go `clientcmd.WriteToFile`); certificates 0644 and keys 0600 (client-go
//!   `certutil.WriteCert`, `keyutil.WriteKey`); `/var/lib/etcd` 0700; `/var/lib/kubelet` 0700
//!   with `config.yaml` 0644 (`kubelet.writeConfigBytesToDisk`); everything root:root.
//! - Kubelet config: kubeadm `componentconfigs/kubelet.go` defaults (anonymous off, Webhook
//!   authn/authz, clientCAFile, rotateCertificates, staticPodPath; zero durations as `0s`).
//! - Systemd: the pkgs.k8s.io kubelet package's `kubelet.service` and kubeadm's drop-in
//!   `/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf`, both 0644, with
//!   `/etc/default/kubelet` (KUBELET_EXTRA_ARGS) and kubeadm's `/var/lib/kubelet/kubeadm-flags.env`.
//! - kube-proxy runs as a DaemonSet pod: no host files (its config and kubeconfig come from
//!   ConfigMap kube-system/kube-proxy).

#![allow(dead_code)]

pub mod cluster;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use threatbench::checks::{self, Outcome, Selection, Verdict};
use threatbench::collect::{CollectOptions, collect};
use threatbench::facts::Facts;

pub const VERSION: &str = "v1.33.1";
pub const NODE_IP: &str = "192.168.56.10";

/// kubeadm v1.33 kube-apiserver flags (advertise address and service CIDR are the defaults).
pub fn apiserver_flags() -> Vec<String> {
    [
        format!("--advertise-address={NODE_IP}"),
        "--allow-privileged=true".into(),
        "--authorization-mode=Node,RBAC".into(),
        "--client-ca-file=/etc/kubernetes/pki/ca.crt".into(),
        "--enable-admission-plugins=NodeRestriction".into(),
        "--enable-bootstrap-token-auth=true".into(),
        "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt".into(),
        "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt".into(),
        "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key".into(),
        "--etcd-servers=https://127.0.0.1:2379".into(),
        "--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt".into(),
        "--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key".into(),
        "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname".into(),
        "--proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt".into(),
        "--proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key".into(),
        "--requestheader-allowed-names=front-proxy-client".into(),
        "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt".into(),
        "--requestheader-extra-headers-prefix=X-Remote-Extra-".into(),
        "--requestheader-group-headers=X-Remote-Group".into(),
        "--requestheader-username-headers=X-Remote-User".into(),
        "--secure-port=6443".into(),
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local".into(),
        "--service-account-key-file=/etc/kubernetes/pki/sa.pub".into(),
        "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key".into(),
        "--service-cluster-ip-range=10.96.0.0/12".into(),
        "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt".into(),
        "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key".into(),
    ]
    .to_vec()
}

pub fn controller_manager_flags() -> Vec<String> {
    [
        "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--bind-address=127.0.0.1",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        "--cluster-name=kubernetes",
        "--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt",
        "--cluster-signing-key-file=/etc/kubernetes/pki/ca.key",
        "--controllers=*,bootstrapsigner,tokencleaner",
        "--kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--leader-elect=true",
        "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
        "--root-ca-file=/etc/kubernetes/pki/ca.crt",
        "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
        "--use-service-account-credentials=true",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

pub fn scheduler_flags() -> Vec<String> {
    [
        "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
        "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf",
        "--bind-address=127.0.0.1",
        "--kubeconfig=/etc/kubernetes/scheduler.conf",
        "--leader-elect=true",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

pub fn etcd_flags() -> Vec<String> {
    [
        format!("--advertise-client-urls=https://{NODE_IP}:2379"),
        "--cert-file=/etc/kubernetes/pki/etcd/server.crt".into(),
        "--client-cert-auth=true".into(),
        "--data-dir=/var/lib/etcd".into(),
        "--experimental-initial-corrupt-check=true".into(),
        format!("--initial-advertise-peer-urls=https://{NODE_IP}:2380"),
        format!("--initial-cluster=cp1=https://{NODE_IP}:2380"),
        "--key-file=/etc/kubernetes/pki/etcd/server.key".into(),
        format!("--listen-client-urls=https://127.0.0.1:2379,https://{NODE_IP}:2379"),
        "--listen-metrics-urls=http://127.0.0.1:2381".into(),
        format!("--listen-peer-urls=https://{NODE_IP}:2380"),
        "--name=cp1".into(),
        "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt".into(),
        "--peer-client-cert-auth=true".into(),
        "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key".into(),
        "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt".into(),
        "--snapshot-count=10000".into(),
        "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt".into(),
    ]
    .to_vec()
}

/// A static pod manifest in kubeadm's shape: one container, command = binary + flags,
/// hostPath volumes mounted at the same paths.
pub fn static_pod(name: &str, image: &str, flags: &[String], mounts: &[(&str, &str)]) -> String {
    let mut y = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    component: {name}\n    tier: control-plane\n  name: {name}\n  namespace: kube-system\nspec:\n  containers:\n  - command:\n    - {name}\n"
    );
    for f in flags {
        y.push_str(&format!("    - {f}\n"));
    }
    y.push_str(&format!(
        "    image: {image}\n    imagePullPolicy: IfNotPresent\n    name: {name}\n    volumeMounts:\n"
    ));
    for (vol, path) in mounts {
        y.push_str(&format!("    - mountPath: {path}\n      name: {vol}\n"));
    }
    y.push_str("  hostNetwork: true\n  priorityClassName: system-node-critical\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n  volumes:\n");
    for (vol, path) in mounts {
        y.push_str(&format!(
            "  - hostPath:\n      path: {path}\n      type: DirectoryOrCreate\n    name: {vol}\n"
        ));
    }
    y.push_str("status: {}\n");
    y
}

/// kubeadm v1.33's KubeletConfiguration (the fields it sets; zero durations as `0s`).
pub const KUBEADM_KUBELET_CONFIG: &str = "apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 0s
    cacheUnauthorizedTTL: 0s
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
containerRuntimeEndpoint: \"\"
cpuManagerReconcilePeriod: 0s
evictionPressureTransitionPeriod: 0s
fileCheckFrequency: 0s
healthzBindAddress: 127.0.0.1
healthzPort: 10248
httpCheckFrequency: 0s
imageMaximumGCAge: 0s
imageMinimumGCAge: 0s
kind: KubeletConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: \"0\"
  verbosity: 0
memorySwap: {}
nodeStatusReportFrequency: 0s
nodeStatusUpdateFrequency: 0s
rotateCertificates: true
runtimeRequestTimeout: 0s
shutdownGracePeriod: 0s
shutdownGracePeriodCriticalPods: 0s
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
";

/// pkgs.k8s.io `kubelet.service`.
pub const KUBELET_SERVICE: &str = "[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
";

/// kubeadm's drop-in as the .deb package installs it (EnvironmentFile /etc/default/kubelet).
pub const KUBEADM_DROP_IN: &str = "# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment=\"KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf\"
Environment=\"KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml\"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
";

pub const KUBEADM_FLAGS_ENV: &str = "KUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10\"\n";

/// A kubeconfig without credentials (the checks only stat these files).
const KUBECONFIG: &str = "apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n";

/// A host root under a temp dir.
pub struct NodeRoot {
    pub dir: tempfile::TempDir,
}

impl NodeRoot {
    pub fn empty() -> NodeRoot {
        let n = NodeRoot {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        std::fs::set_permissions(n.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        n.write(
            "/etc/passwd",
            0o644,
            "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/:/usr/sbin/nologin\n",
        );
        n.write("/etc/group", 0o644, "root:x:0:\nnogroup:x:65534:\n");
        n
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn host(&self, path: &str) -> PathBuf {
        self.path().join(path.trim_start_matches('/'))
    }

    /// Create parent directories 0755 (0700 where kubeadm makes them private).
    fn mkdirs(&self, dir: &str) {
        let mut cur = String::new();
        for part in dir
            .trim_start_matches('/')
            .split('/')
            .filter(|p| !p.is_empty())
        {
            cur.push('/');
            cur.push_str(part);
            let p = self.host(&cur);
            if !p.exists() {
                std::fs::create_dir(&p).unwrap();
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
    }

    pub fn dir(&self, path: &str, mode: u32) {
        self.mkdirs(path);
        std::fs::set_permissions(self.host(path), std::fs::Permissions::from_mode(mode)).unwrap();
    }

    pub fn write(&self, path: &str, mode: u32, text: &str) {
        if let Some(parent) = Path::new(path).parent() {
            self.mkdirs(&parent.display().to_string());
        }
        let p = self.host(path);
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    pub fn chmod(&self, path: &str, mode: u32) {
        std::fs::set_permissions(self.host(path), std::fs::Permissions::from_mode(mode)).unwrap();
    }

    /// Change the owner (needs root; returns false when not permitted).
    pub fn chown(&self, path: &str, uid: u32, gid: u32) -> bool {
        std::os::unix::fs::chown(self.host(path), Some(uid), Some(gid)).is_ok()
    }

    pub fn remove(&self, path: &str) {
        let p = self.host(path);
        if p.is_dir() {
            std::fs::remove_dir_all(p).unwrap();
        } else {
            std::fs::remove_file(p).unwrap();
        }
    }

    /// A process visible in /proc (as with hostPID): its cmdline only, like a snapshot.
    pub fn process(&self, pid: u32, argv: &[String]) {
        let mut raw = Vec::new();
        for a in argv {
            raw.extend_from_slice(a.as_bytes());
            raw.push(0);
        }
        let dir = self.host(&format!("/proc/{pid}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("cmdline"), raw).unwrap();
    }

    /// The static pod manifest of a control-plane component with these flags.
    pub fn manifest(&self, name: &str, flags: &[String]) {
        let mounts: &[(&str, &str)] = match name {
            "etcd" => &[
                ("etcd-data", "/var/lib/etcd"),
                ("etcd-certs", "/etc/kubernetes/pki/etcd"),
            ],
            "kube-apiserver" => &[
                ("ca-certs", "/etc/ssl/certs"),
                ("k8s-certs", "/etc/kubernetes/pki"),
            ],
            "kube-controller-manager" => &[
                ("ca-certs", "/etc/ssl/certs"),
                ("k8s-certs", "/etc/kubernetes/pki"),
                ("kubeconfig", "/etc/kubernetes/controller-manager.conf"),
            ],
            _ => &[("kubeconfig", "/etc/kubernetes/scheduler.conf")],
        };
        let image = if name == "etcd" {
            "registry.k8s.io/etcd:3.5.21-0".to_string()
        } else {
            format!("registry.k8s.io/{name}:{VERSION}")
        };
        self.write(
            &format!("/etc/kubernetes/manifests/{name}.yaml"),
            0o600,
            &static_pod(name, &image, flags, mounts),
        );
    }

    /// Files every kubeadm node has: kubelet unit, drop-in, env files, kubelet config and
    /// kubeconfig, the cluster CA.
    fn kubeadm_node_base(&self) {
        self.write(
            "/usr/lib/systemd/system/kubelet.service",
            0o644,
            KUBELET_SERVICE,
        );
        self.write(
            "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
            0o644,
            KUBEADM_DROP_IN,
        );
        self.write("/etc/default/kubelet", 0o644, "KUBELET_EXTRA_ARGS=\n");
        self.dir("/var/lib/kubelet", 0o700);
        self.write(
            "/var/lib/kubelet/config.yaml",
            0o644,
            KUBEADM_KUBELET_CONFIG,
        );
        self.write(
            "/var/lib/kubelet/kubeadm-flags.env",
            0o644,
            KUBEADM_FLAGS_ENV,
        );
        self.dir("/etc/kubernetes/manifests", 0o700);
        self.write("/etc/kubernetes/kubelet.conf", 0o600, KUBECONFIG);
        self.dir("/etc/kubernetes/pki", 0o755);
        self.write("/etc/kubernetes/pki/ca.crt", 0o644, "CERT\n");
    }

    /// A kubeadm v1.33 control-plane node, seen as a snapshot (no /proc: no hostPID).
    pub fn kubeadm_control_plane() -> NodeRoot {
        let n = NodeRoot::empty();
        n.kubeadm_node_base();
        n.manifest("kube-apiserver", &apiserver_flags());
        n.manifest("kube-controller-manager", &controller_manager_flags());
        n.manifest("kube-scheduler", &scheduler_flags());
        n.manifest("etcd", &etcd_flags());
        for conf in ["admin", "super-admin", "controller-manager", "scheduler"] {
            n.write(&format!("/etc/kubernetes/{conf}.conf"), 0o600, KUBECONFIG);
        }
        for pair in [
            "ca",
            "apiserver",
            "apiserver-kubelet-client",
            "apiserver-etcd-client",
            "front-proxy-ca",
            "front-proxy-client",
            "etcd/ca",
            "etcd/server",
            "etcd/peer",
            "etcd/healthcheck-client",
        ] {
            n.write(&format!("/etc/kubernetes/pki/{pair}.crt"), 0o644, "CERT\n");
            n.write(&format!("/etc/kubernetes/pki/{pair}.key"), 0o600, "KEY\n");
        }
        n.write("/etc/kubernetes/pki/sa.key", 0o600, "KEY\n");
        n.write("/etc/kubernetes/pki/sa.pub", 0o644, "PUB\n");
        n.dir("/var/lib/etcd", 0o700);
        n.dir("/var/lib/etcd/member", 0o700);
        n
    }

    /// A kubeadm v1.33 worker node, seen as a snapshot.
    pub fn kubeadm_worker() -> NodeRoot {
        let n = NodeRoot::empty();
        n.kubeadm_node_base();
        n
    }

    /// The kubelet command line systemd starts on a kubeadm node.
    pub fn kubelet_argv(extra: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = [
            "/usr/bin/kubelet",
            "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf",
            "--kubeconfig=/etc/kubernetes/kubelet.conf",
            "--config=/var/lib/kubelet/config.yaml",
            "--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock",
            "--pod-infra-container-image=registry.k8s.io/pause:3.10",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    }

    /// Collect facts as `scan --root` does (no Docker).
    pub fn facts(&self) -> Facts {
        self.facts_with(|_| {})
    }

    pub fn facts_with(&self, tweak: impl FnOnce(&mut CollectOptions)) -> Facts {
        let mut opts = CollectOptions {
            root: self.path().to_path_buf(),
            no_docker: true,
            ..Default::default()
        };
        tweak(&mut opts);
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(collect(&opts))
    }
}

/// Run every check and key the outcomes by id (Kubernetes ids) or slug.
pub fn outcomes(facts: &Facts) -> BTreeMap<String, Outcome> {
    checks::run(facts, &Selection::default())
        .into_iter()
        .filter(|r| {
            r.check.id_in(checks::Benchmark::CisKubernetes112).is_some()
                || r.check.slug.starts_with("k8s-")
        })
        .map(|r| {
            let key = r
                .check
                .id_in(checks::Benchmark::CisKubernetes112)
                .map(str::to_string)
                .unwrap_or_else(|| r.check.slug.to_string());
            (key, r.outcome)
        })
        .collect()
}

/// Assert verdicts, printing the evidence of every mismatch at once.
pub fn expect(outcomes: &BTreeMap<String, Outcome>, want: &[(&str, Verdict)]) {
    let mut bad = Vec::new();
    for (id, v) in want {
        match outcomes.get(*id) {
            Some(o) if o.verdict == *v => {}
            Some(o) => bad.push(format!(
                "{id}: want {:?}, got {:?}: {}",
                v, o.verdict, o.evidence
            )),
            None => bad.push(format!("{id}: no such check")),
        }
    }
    assert!(bad.is_empty(), "\n{}", bad.join("\n"));
}

/// Whether this process can chown (root): owner tests need it.
pub fn can_chown() -> bool {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("x");
    std::fs::write(&f, "").unwrap();
    std::os::unix::fs::chown(&f, Some(1), Some(1)).is_ok()
}
