//! The threat catalogue: data, not code. `catalog.yaml` is embedded in the binary; a user's model
//! file may add threats of the same shape (`custom_threats`).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::elements::{DfdType, ElementKind};

/// The embedded catalogue text.
pub const CATALOG_YAML: &str = include_str!("catalog.yaml");

/// A linked check's benchmark and id, from the registry.
pub fn linked_check(slug: &str) -> Option<(&'static str, &'static str)> {
    crate::checks::by_slug(slug).map(|c| (c.benchmark().as_str(), c.id()))
}

/// The four-level scale shared by likelihood, impact and risk.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    #[default]
    Low,
    Medium,
    High,
    Critical,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Low, Level::Medium, Level::High, Level::Critical];

    /// 1 (low) to 4 (critical).
    pub fn weight(self) -> u8 {
        self as u8 + 1
    }

    pub fn from_weight(w: i32) -> Level {
        match w {
            i32::MIN..=1 => Level::Low,
            2 => Level::Medium,
            3 => Level::High,
            _ => Level::Critical,
        }
    }

    /// This level lowered by `steps` (never below low).
    pub fn lowered(self, steps: u8) -> Level {
        Level::from_weight(self.weight() as i32 - steps as i32)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A STRIDE category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stride {
    Spoofing,
    Tampering,
    Repudiation,
    InformationDisclosure,
    DenialOfService,
    ElevationOfPrivilege,
}

impl Stride {
    pub const ALL: [Stride; 6] = [
        Stride::Spoofing,
        Stride::Tampering,
        Stride::Repudiation,
        Stride::InformationDisclosure,
        Stride::DenialOfService,
        Stride::ElevationOfPrivilege,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stride::Spoofing => "spoofing",
            Stride::Tampering => "tampering",
            Stride::Repudiation => "repudiation",
            Stride::InformationDisclosure => "information-disclosure",
            Stride::DenialOfService => "denial-of-service",
            Stride::ElevationOfPrivilege => "elevation-of-privilege",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Stride::Spoofing => "Spoofing",
            Stride::Tampering => "Tampering",
            Stride::Repudiation => "Repudiation",
            Stride::InformationDisclosure => "Information disclosure",
            Stride::DenialOfService => "Denial of service",
            Stride::ElevationOfPrivilege => "Elevation of privilege",
        }
    }

    /// The letter used in threat ids and the matrix header.
    pub fn letter(self) -> char {
        match self {
            Stride::Spoofing => 'S',
            Stride::Tampering => 'T',
            Stride::Repudiation => 'R',
            Stride::InformationDisclosure => 'I',
            Stride::DenialOfService => 'D',
            Stride::ElevationOfPrivilege => 'E',
        }
    }
}

/// The attack surfaces: rows of the threat matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Surface {
    DockerClient,
    DockerDaemon,
    Containerd,
    DockerHost,
    Registry,
    Image,
    Container,
    KubeApiserver,
    Etcd,
    KubeScheduler,
    KubeControllerManager,
    Kubelet,
    KubeProxy,
    KubeWorkload,
    KubeRbac,
    KubeNetwork,
}

impl Surface {
    pub const ALL: [Surface; 16] = [
        Surface::DockerClient,
        Surface::DockerDaemon,
        Surface::Containerd,
        Surface::DockerHost,
        Surface::Registry,
        Surface::Image,
        Surface::Container,
        Surface::KubeApiserver,
        Surface::Etcd,
        Surface::KubeScheduler,
        Surface::KubeControllerManager,
        Surface::Kubelet,
        Surface::KubeProxy,
        Surface::KubeWorkload,
        Surface::KubeRbac,
        Surface::KubeNetwork,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Surface::DockerClient => "docker-client",
            Surface::DockerDaemon => "docker-daemon",
            Surface::Containerd => "containerd",
            Surface::DockerHost => "docker-host",
            Surface::Registry => "registry",
            Surface::Image => "image",
            Surface::Container => "container",
            Surface::KubeApiserver => "kube-apiserver",
            Surface::Etcd => "etcd",
            Surface::KubeScheduler => "kube-scheduler",
            Surface::KubeControllerManager => "kube-controller-manager",
            Surface::Kubelet => "kubelet",
            Surface::KubeProxy => "kube-proxy",
            Surface::KubeWorkload => "kube-workload",
            Surface::KubeRbac => "kube-rbac",
            Surface::KubeNetwork => "kube-network",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Surface::DockerClient => "Docker client",
            Surface::DockerDaemon => "Docker daemon",
            Surface::Containerd => "containerd / runc",
            Surface::DockerHost => "Docker host",
            Surface::Registry => "Registry",
            Surface::Image => "Images / Dockerfiles",
            Surface::Container => "Containers",
            Surface::KubeApiserver => "Kubernetes API server",
            Surface::Etcd => "etcd",
            Surface::KubeScheduler => "kube-scheduler",
            Surface::KubeControllerManager => "kube-controller-manager",
            Surface::Kubelet => "kubelet",
            Surface::KubeProxy => "kube-proxy",
            Surface::KubeWorkload => "Kubernetes workloads",
            Surface::KubeRbac => "RBAC / identity",
            Surface::KubeNetwork => "Kubernetes network",
        }
    }

    pub fn is_kubernetes(self) -> bool {
        self >= Surface::KubeApiserver
    }
}

/// Whether a mitigation is the direct control or a supporting one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    Primary,
    Supporting,
}

/// How much risk a mitigation removes when its checks pass, in levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Reduction {
    #[serde(default)]
    pub likelihood: u8,
    #[serde(default)]
    pub impact: u8,
}

/// One countermeasure and the checks that show it is in place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mitigation {
    pub text: String,
    #[serde(default)]
    pub role: Role,
    /// Check slugs; the mitigation is in place when all of them pass.
    pub checks: Vec<String>,
    /// Those of `checks` whose `warn` is a review that does not weaken the mitigation: with the
    /// other checks passing, the mitigation is in place and the review named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<String>,
    #[serde(default)]
    pub reduces: Reduction,
}

/// One threat of the catalogue (or a user's custom threat).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threat {
    pub id: String,
    pub component: Surface,
    /// The kind of element an instance attaches to.
    pub element: ElementKind,
    /// On a data flow: a spoofing (or repudiation) threat of the flow's source, raised only when
    /// the flow crosses a trust boundary (STRIDE-per-interaction).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interaction: bool,
    pub stride: Stride,
    pub title: String,
    pub scenario: String,
    pub likelihood: Level,
    pub impact: Level,
    #[serde(default)]
    pub attack: Vec<String>,
    #[serde(default)]
    pub mitigations: Vec<Mitigation>,
    /// The product-brief requirement this threat answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brief: Option<String>,
    /// Custom threats only: element ids (with `*` wildcards) the threat applies to, in addition
    /// to every element of `element` kind when this is empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<String>,
    /// An element property the threat needs: on an element whose property reads `none: why`,
    /// the instance is not applicable, for that reason (a container on no bridge network
    /// cannot spoof bridge neighbours).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<String>,
}

impl Threat {
    /// Every linked check slug, in catalogue order, without repeats.
    pub fn check_slugs(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for m in &self.mitigations {
            for c in &m.checks {
                if !out.contains(&c.as_str()) {
                    out.push(c);
                }
            }
        }
        out
    }

    /// Problems with this entry: STRIDE-per-element, id shape, empty fields.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let dfd = self.element.dfd();
        let allowed = dfd.allows(self.stride, self.element.is_log())
            || (self.interaction
                && dfd == DfdType::DataFlow
                && matches!(self.stride, Stride::Spoofing | Stride::Repudiation));
        if !allowed {
            out.push(format!(
                "{}: {} does not apply to a {} ({}) under STRIDE-per-element",
                self.id,
                self.stride.as_str(),
                dfd.as_str(),
                self.element.as_str()
            ));
        }
        if self.interaction && dfd != DfdType::DataFlow {
            out.push(format!(
                "{}: `interaction` is only meaningful on a data flow",
                self.id
            ));
        }
        if self.title.trim().is_empty() || self.scenario.trim().is_empty() {
            out.push(format!("{}: title and scenario are required", self.id));
        }
        for m in &self.mitigations {
            if m.checks.is_empty() {
                out.push(format!(
                    "{}: mitigation {:?} links no check",
                    self.id, m.text
                ));
            }
            for r in m.reviews.iter().filter(|r| !m.checks.contains(r)) {
                out.push(format!(
                    "{}: mitigation {:?} reviews {r}, which it does not link",
                    self.id, m.text
                ));
            }
            if !m.checks.is_empty() && m.checks.iter().all(|c| m.reviews.contains(c)) {
                out.push(format!(
                    "{}: mitigation {:?} is all reviews: a review stands beside a check that decides",
                    self.id, m.text
                ));
            }
        }
        for t in &self.attack {
            let ok = t.starts_with('T')
                && t[1..]
                    .split('.')
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            if !ok {
                out.push(format!("{}: {t:?} is not an ATT&CK technique id", self.id));
            }
        }
        out
    }
}

/// The catalogue file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// The ATT&CK release the technique ids refer to.
    pub attack_version: String,
    pub threats: Vec<Threat>,
}

impl Catalog {
    pub fn parse(text: &str) -> Result<Catalog, String> {
        serde_saphyr::from_str(text).map_err(|e| e.to_string())
    }

    pub fn find(&self, id: &str) -> Option<&Threat> {
        self.threats.iter().find(|t| t.id == id)
    }
}

static BUILTIN: LazyLock<Catalog> = LazyLock::new(|| {
    // The embedded file is validated by the catalogue tests; a parse failure is a build defect.
    Catalog::parse(CATALOG_YAML).unwrap_or_else(|e| panic!("embedded catalog.yaml: {e}"))
});

/// The embedded catalogue.
pub fn builtin() -> &'static Catalog {
    &BUILTIN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_lower_and_clamp() {
        assert_eq!(Level::Critical.lowered(2), Level::Medium);
        assert_eq!(Level::Medium.lowered(5), Level::Low);
        assert_eq!(Level::High.lowered(0), Level::High);
    }

    #[test]
    fn malformed_catalog_is_an_error_naming_the_place() {
        let err = Catalog::parse("attack_version: x\nthreats:\n  - id: A\n    stride: sideways\n")
            .unwrap_err();
        assert!(err.contains("line") || err.contains("sideways"), "{err}");
    }
}
