//! The attack surfaces of the threat model (the brief's five areas), and which one a check guards.

use serde::Serialize;

use crate::checks::{Check, Component};
use crate::threats::{self, Threat};

/// One of the five attack surfaces the threat model is organised by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttackSurface {
    DockerClient,
    DockerHost,
    Registry,
    KubernetesControlPlane,
    KubernetesNode,
}

impl AttackSurface {
    pub const ALL: [AttackSurface; 5] = [
        AttackSurface::DockerClient,
        AttackSurface::DockerHost,
        AttackSurface::Registry,
        AttackSurface::KubernetesControlPlane,
        AttackSurface::KubernetesNode,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttackSurface::DockerClient => "docker-client",
            AttackSurface::DockerHost => "docker-host",
            AttackSurface::Registry => "registry",
            AttackSurface::KubernetesControlPlane => "kubernetes-control-plane",
            AttackSurface::KubernetesNode => "kubernetes-node",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            AttackSurface::DockerClient => "Docker client",
            AttackSurface::DockerHost => "Docker host",
            AttackSurface::Registry => "Docker registry",
            AttackSurface::KubernetesControlPlane => "Kubernetes control plane",
            AttackSurface::KubernetesNode => "Kubernetes node",
        }
    }
}

/// Catalogue threats the brief files under another area than their component: it lists root
/// and `--privileged` containers under "Elevation of privilege: Docker client" (the flags are
/// given by whoever runs the client), although the evidence is a container's settings.
const BRIEF_AREAS: &[(&str, AttackSurface)] = &[(
    "docker-container-root-privileged",
    AttackSurface::DockerClient,
)];

/// The surface a threat belongs to: the brief's area when the brief names it, else its component's.
pub fn of_threat(threat: &Threat) -> AttackSurface {
    let brief = threat.brief.as_deref();
    if let Some((_, s)) = BRIEF_AREAS.iter().find(|(tag, _)| Some(*tag) == brief) {
        return *s;
    }
    of_threat_component(threat.component)
}

/// The surface of a threat-matrix row.
pub fn of_threat_component(component: threats::Surface) -> AttackSurface {
    use threats::Surface::*;
    match component {
        DockerClient => AttackSurface::DockerClient,
        DockerDaemon | Containerd | DockerHost | Container => AttackSurface::DockerHost,
        Registry | Image => AttackSurface::Registry,
        KubeApiserver | Etcd | KubeScheduler | KubeControllerManager | KubeRbac => {
            AttackSurface::KubernetesControlPlane
        }
        Kubelet | KubeProxy | KubeWorkload | KubeNetwork => AttackSurface::KubernetesNode,
    }
}

/// The surface of a check that acts on no threat instance here: the first catalogue threat it
/// mitigates, else the component it guards.
pub fn of_check(check: &Check) -> AttackSurface {
    threats::builtin()
        .threats
        .iter()
        .find(|t| t.check_slugs().contains(&check.slug))
        .map(of_threat)
        .unwrap_or_else(|| of_component(check.component))
}

/// The surface of a check's component.
pub fn of_component(component: Component) -> AttackSurface {
    use Component::*;
    match component {
        DockerClient => AttackSurface::DockerClient,
        DockerHost | DockerDaemon | Containerd | Container | Swarm => AttackSurface::DockerHost,
        Registry | Image => AttackSurface::Registry,
        KubeApiserver
        | Etcd
        | KubeScheduler
        | KubeControllerManager
        | KubeRbac
        | KubeSecrets
        | KubePolicy => AttackSurface::KubernetesControlPlane,
        Kubelet | KubeProxy | KubeWorkload | KubeNetwork => AttackSurface::KubernetesNode,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threats_and_components_map_to_the_five_surfaces() {
        assert_eq!(
            of_component(Component::Container),
            AttackSurface::DockerHost
        );
        assert_eq!(
            of_component(Component::Etcd),
            AttackSurface::KubernetesControlPlane
        );
        assert_eq!(
            of_component(Component::Kubelet),
            AttackSurface::KubernetesNode
        );
        let threat = |id: &str| threats::builtin().find(id).unwrap();
        // The brief files privileged containers under the Docker client; DoS stays on the host.
        assert_eq!(of_threat(threat("DKR-E-01")), AttackSurface::DockerClient);
        assert_eq!(of_threat(threat("DKR-D-01")), AttackSurface::DockerHost);
        assert_eq!(of_threat(threat("DKR-T-02")), AttackSurface::Registry);
        assert_eq!(
            of_threat(threat("K8S-T-01")),
            AttackSurface::KubernetesControlPlane
        );
        assert_eq!(of_threat(threat("K8S-E-01")), AttackSurface::KubernetesNode);
        // A check with no instance takes its first catalogue threat's surface, else its component's.
        let privileged = crate::checks::find("container-privileged").unwrap();
        assert_eq!(of_check(privileged), AttackSurface::DockerClient);
        let iptables = crate::checks::find("daemon-iptables-enabled").unwrap();
        assert_eq!(of_check(iptables), AttackSurface::DockerHost);
    }
}
