//! Validation of the embedded catalogue: ids, STRIDE-per-element, linked checks, and coverage of
//! every threat the product brief asks for.

use std::collections::HashSet;

use super::catalog::{Role, Stride, Surface, builtin};

#[test]
fn catalogue_has_enough_threats_with_unique_well_formed_ids() {
    let cat = builtin();
    assert!(cat.threats.len() >= 60, "{} threats", cat.threats.len());
    assert!(
        cat.attack_version.contains("ATT&CK v"),
        "{}",
        cat.attack_version
    );
    let mut ids = HashSet::new();
    for t in &cat.threats {
        assert!(ids.insert(t.id.as_str()), "duplicate id {}", t.id);
        let parts: Vec<&str> = t.id.split('-').collect();
        assert_eq!(parts.len(), 3, "{}", t.id);
        let family = if t.component.is_kubernetes() {
            "K8S"
        } else {
            "DKR"
        };
        assert_eq!(
            parts[0], family,
            "{}: family does not match component",
            t.id
        );
        assert_eq!(
            parts[1],
            t.stride.letter().to_string(),
            "{}: letter does not match {:?}",
            t.id,
            t.stride
        );
        assert!(
            parts[2].len() == 2 && parts[2].chars().all(|c| c.is_ascii_digit()),
            "{}",
            t.id
        );
        assert!(!t.attack.is_empty(), "{} has no ATT&CK technique", t.id);
        assert!(!t.mitigations.is_empty(), "{} has no mitigation", t.id);
        assert!(
            t.mitigations.iter().any(|m| m.role == Role::Primary),
            "{} has no primary mitigation",
            t.id
        );
    }
}

#[test]
fn every_threat_respects_stride_per_element() {
    let problems: Vec<String> = builtin()
        .threats
        .iter()
        .flat_map(|t| t.problems())
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_component_and_category_is_covered() {
    let cat = builtin();
    for s in Surface::ALL {
        assert!(
            cat.threats.iter().any(|t| t.component == s),
            "no threat for {}",
            s.as_str()
        );
    }
    for st in Stride::ALL {
        for docker in [true, false] {
            assert!(
                cat.threats
                    .iter()
                    .any(|t| t.stride == st && t.component.is_kubernetes() != docker),
                "no {} threat for {}",
                st.as_str(),
                if docker { "Docker" } else { "Kubernetes" }
            );
        }
    }
}

/// Every linked slug must be a check in the registry (catches typos and renamed checks).
#[test]
fn every_linked_check_is_registered() {
    let mut unknown = Vec::new();
    for t in &builtin().threats {
        for slug in t.check_slugs() {
            if crate::checks::by_slug(slug).is_none() {
                unknown.push(format!("{}: {slug}", t.id));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "linked slugs that are no registered check:\n{}",
        unknown.join("\n")
    );
}

/// The brief's threats: (requirement, threat ids, STRIDE, component, slugs that must be linked).
type BriefRow = (
    &'static str,
    &'static [&'static str],
    Stride,
    Surface,
    &'static [&'static str],
);
const BRIEF: &[BriefRow] = &[
    (
        "Docker client <-> daemon traffic not encrypted (spoofing)",
        &["DKR-S-01"],
        Stride::Spoofing,
        Surface::DockerClient,
        &["daemon-tls-on-tcp", "file-tls-server-key-mode"],
    ),
    (
        "compromised client alters the Dockerfile (tampering, host)",
        &["DKR-T-01"],
        Stride::Tampering,
        Surface::DockerHost,
        &[
            "image-content-trust-enabled",
            "image-trusted-base",
            "daemon-authorization-plugin",
        ],
    ),
    (
        "registry images and dependencies tampered with",
        &["DKR-T-02"],
        Stride::Tampering,
        Surface::Registry,
        &[
            "image-content-trust-enabled",
            "daemon-no-insecure-registries",
            "image-verified-packages",
        ],
    ),
    (
        "changes on behalf of another user through a compromised client (repudiation)",
        &["DKR-R-01"],
        Stride::Repudiation,
        Surface::DockerClient,
        &["daemon-authorization-plugin", "audit-rule-dockerd"],
    ),
    (
        "changes on behalf of other users through the registry (repudiation)",
        &["DKR-R-02"],
        Stride::Repudiation,
        Surface::Registry,
        &["image-content-trust-enabled"],
    ),
    (
        "over-broad file permissions on the host (disclosure)",
        &["DKR-I-01"],
        Stride::InformationDisclosure,
        Surface::DockerHost,
        &[
            "file-tls-server-key-mode",
            "file-docker-sock-mode",
            "file-daemon-json-mode",
        ],
    ),
    (
        "secrets hard-coded in client configuration (disclosure)",
        &["DKR-I-02"],
        Stride::InformationDisclosure,
        Surface::DockerClient,
        &["swarm-secrets"],
    ),
    (
        "secrets hard-coded in images (disclosure)",
        &["DKR-I-03"],
        Stride::InformationDisclosure,
        Surface::Image,
        &["image-no-secrets"],
    ),
    (
        "unbounded process creation (denial of service, pids limit)",
        &["DKR-D-01"],
        Stride::DenialOfService,
        Surface::Container,
        &["container-pids-limit"],
    ),
    (
        "containers running as root or --privileged (elevation)",
        &["DKR-E-01", "DKR-E-02"],
        Stride::ElevationOfPrivilege,
        Surface::Container,
        &["container-privileged", "container-user-not-root"],
    ),
    (
        "Kubernetes client <-> API server unencrypted",
        &["K8S-S-01"],
        Stride::Spoofing,
        Surface::KubeApiserver,
        &["k8s-apiserver-tls-cert", "k8s-apiserver-client-ca"],
    ),
    (
        "etcd data modified",
        &["K8S-T-01"],
        Stride::Tampering,
        Surface::Etcd,
        &["k8s-etcd-client-cert-auth", "k8s-etcd-tls-cert"],
    ),
    (
        "unaudited API calls",
        &["K8S-R-01"],
        Stride::Repudiation,
        Surface::KubeApiserver,
        &["k8s-apiserver-audit-log-path", "k8s-apiserver-audit-policy"],
    ),
    (
        "unauthorised API calls",
        &["K8S-S-02", "K8S-E-02"],
        Stride::Spoofing,
        Surface::KubeApiserver,
        &["k8s-apiserver-anonymous-auth-disabled"],
    ),
    (
        "kube-proxy kubeconfig exposure",
        &["K8S-I-01"],
        Stride::InformationDisclosure,
        Surface::KubeProxy,
        &[
            "k8s-file-proxy-kubeconfig-mode",
            "k8s-file-proxy-kubeconfig-owner",
        ],
    ),
    (
        "etcd secrets unencrypted at rest or in transit",
        &["K8S-I-02", "K8S-I-03"],
        Stride::InformationDisclosure,
        Surface::Etcd,
        &["k8s-apiserver-encryption-config", "k8s-etcd-tls-cert"],
    ),
    (
        "API server request flooding",
        &["K8S-D-01"],
        Stride::DenialOfService,
        Surface::KubeApiserver,
        &["k8s-apiserver-admission-event-rate-limit"],
    ),
    (
        "CPU/memory over-allocation",
        &["K8S-D-02", "K8S-D-05"],
        Stride::DenialOfService,
        Surface::Kubelet,
        &[
            "k8s-kubelet-pod-pids-limit",
            "k8s-namespace-pod-security-enforced",
            "k8s-namespace-resource-limits",
        ],
    ),
    (
        "kubelet privilege escalation through permissive RBAC or root containers",
        &["K8S-E-01", "K8S-E-06", "K8S-E-09"],
        Stride::ElevationOfPrivilege,
        Surface::Kubelet,
        &[
            "k8s-rbac-cluster-admin-binding",
            "k8s-rbac-nodes-proxy",
            "k8s-pod-run-as-root",
            "k8s-kubelet-anonymous-auth-disabled",
        ],
    ),
];

#[test]
fn every_brief_threat_is_in_the_catalogue_and_linked_to_checks() {
    let cat = builtin();
    for (requirement, ids, stride, component, slugs) in BRIEF {
        let threats: Vec<_> = ids
            .iter()
            .map(|id| {
                cat.find(id)
                    .unwrap_or_else(|| panic!("{requirement}: {id} missing"))
            })
            .collect();
        let first = threats[0];
        assert_eq!(first.stride, *stride, "{requirement}: {}", first.id);
        assert_eq!(first.component, *component, "{requirement}: {}", first.id);
        for t in &threats {
            assert!(t.brief.is_some(), "{}: not tagged as a brief threat", t.id);
        }
        let linked: HashSet<&str> = threats.iter().flat_map(|t| t.check_slugs()).collect();
        for slug in *slugs {
            assert!(
                linked.contains(slug),
                "{requirement}: {slug} is not linked to {ids:?}"
            );
        }
    }
    // And nothing is tagged as a brief threat without being in the table above.
    let listed: HashSet<&str> = BRIEF.iter().flat_map(|b| b.1.iter().copied()).collect();
    for t in cat.threats.iter().filter(|t| t.brief.is_some()) {
        assert!(
            listed.contains(t.id.as_str()),
            "{} tagged brief but not listed",
            t.id
        );
    }
}
