//! The attack surfaces of the threat model (the brief's five areas), and which one a check guards.

use serde::Serialize;

use crate::checks::{Check, Component};

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

/// Checks the brief places on another surface than their component suggests: privilege
/// escalation "using the Docker client" (the privileged flag, exec as root) is a client threat
/// even though the evidence is a container's settings.
const SURFACE_OVERRIDES: &[(&str, AttackSurface)] = &[
    ("container-privileged", AttackSurface::DockerClient),
    ("container-no-privileged-exec", AttackSurface::DockerClient),
    ("container-no-root-exec", AttackSurface::DockerClient),
    ("container-user-not-root", AttackSurface::DockerClient),
];

/// The surface a check guards, from its component (and the few overrides above).
pub fn of_check(check: &Check) -> AttackSurface {
    if let Some((_, s)) = SURFACE_OVERRIDES
        .iter()
        .find(|(slug, _)| *slug == check.slug)
    {
        return *s;
    }
    of_component(check.component)
}

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
    fn components_map_to_surfaces_and_overrides_win() {
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
        let privileged = crate::checks::find("container-privileged").unwrap();
        assert_eq!(of_check(privileged), AttackSurface::DockerClient);
        let pids = crate::checks::find("container-pids-limit").unwrap();
        assert_eq!(of_check(pids), AttackSurface::DockerHost);
    }
}
