//! Benchmark editions: how the newer CIS editions number the items threatbench checks, what
//! else they change, and which edition a scan uses and why.
//!
//! Only the differences are written down; every check keeps one slug and lists its ids in the
//! editions it was written against (v1.6.0 and v1.3.1, Kubernetes v1.12):
//!
//! - **CIS Docker v1.7.0** keeps v1.6.0's 117 ids. 1.1.9 names the `docker.sock` socket instead
//!   of the `docker.socket` unit; threatbench still audits the unit under every edition (a known
//!   gap, stated in 1.1.9's docs).
//! - **CIS Docker v1.8.0** adds 2.7 (the devicemapper storage driver is not used) and renumbers
//!   v1.6.0's 2.7–2.18 as 2.8–2.19; sections 1 and 3–7 keep their ids.
//! - v1.7.0 and v1.8.0 mark 1.1.4 Manual (v1.6.0: Automated) and 1.1.15, 1.1.17 and 1.1.18
//!   Automated (v1.6.0: Manual). One generated source shows these flips: low confidence, said in
//!   the generated docs.
//! - **CIS Kubernetes v2.0** (Kubernetes 1.34–1.35) has v1.12's 131 ids, titles and
//!   Automated/Manual flags; only the remediation of 1.2.29 and 3.2.2 changed.
//!
//! Defaults: Docker stays on v1.6.0, whose ids are docker-bench-security's, so the two can be
//! compared; Kubernetes follows the detected version as kube-bench does (v2.0 from 1.34 on,
//! v1.12 below or when unknown). An explicit `--benchmark` always wins, then `--numbering`
//! (Docker), then `.threatbench.yaml`'s `benchmark:`.

use serde::Serialize;

use super::{Assessment, Benchmark, Check};

/// The first Kubernetes minor version CIS Kubernetes v2.0(.1) covers; below it, v1.12.
pub const KUBERNETES_2_0_FROM_MINOR: u32 = 34;

/// An id the edition does not list on the check but derives from the edition it follows.
pub(crate) fn derived_id(check: &Check, edition: Benchmark) -> Option<&'static str> {
    match edition {
        Benchmark::CisDocker170 => check.listed_id(Benchmark::CisDocker160),
        Benchmark::CisDocker180 => check.listed_id(Benchmark::CisDocker160).map(v160_to_v180),
        Benchmark::CisKubernetes20 => check.listed_id(Benchmark::CisKubernetes112),
        _ => None,
    }
}

/// v1.8.0 inserts 2.7, so v1.6.0's 2.7–2.18 move down by one.
fn v160_to_v180(id: &'static str) -> &'static str {
    match id {
        "2.7" => "2.8",
        "2.8" => "2.9",
        "2.9" => "2.10",
        "2.10" => "2.11",
        "2.11" => "2.12",
        "2.12" => "2.13",
        "2.13" => "2.14",
        "2.14" => "2.15",
        "2.15" => "2.16",
        "2.16" => "2.17",
        "2.17" => "2.18",
        "2.18" => "2.19",
        other => other,
    }
}

/// Automated or Manual as the edition marks the item.
pub fn assessment_in(check: &Check, edition: Benchmark) -> Assessment {
    if matches!(edition, Benchmark::CisDocker170 | Benchmark::CisDocker180) {
        match check.listed_id(Benchmark::CisDocker160) {
            Some("1.1.4") => return Assessment::Manual,
            Some("1.1.15" | "1.1.17" | "1.1.18") => return Assessment::Automated,
            _ => {}
        }
    }
    check.assessment
}

/// Whether the edition's Automated/Manual flag differs from v1.6.0's on a single, unconfirmed
/// source (the generated docs say so).
pub fn assessment_changed(check: &Check, edition: Benchmark) -> bool {
    assessment_in(check, edition) != check.assessment
}

/// The remediation as the edition words it (our words; CIS text is not copied).
pub fn remediation_in(check: &Check, edition: Benchmark) -> &'static str {
    if edition == Benchmark::CisKubernetes20 {
        match check.listed_id(Benchmark::CisKubernetes112) {
            Some("1.2.29") => {
                return "Set `--tls-cipher-suites` on the API server to strong AEAD suites: the ones v1.12 lists, or the suite set your organisation has approved (v2.0 allows that explicitly).";
            }
            Some("3.2.2") => {
                return "Extend the audit policy to the key concerns v1.12 names (Secrets, ConfigMaps and TokenReviews at Metadata level, pod exec/attach/portforward, RBAC changes) and, new in v2.0, CertificateSigningRequest use and the ServiceAccount `token` sub-resource; exempt routine system traffic (e.g. kube-proxy watches, node status updates) to keep the log useful.";
            }
            _ => {}
        }
    }
    check.doc.remediation
}

/// Whether a check belongs to the Docker or Kubernetes family, for checks numbered by CIS and
/// for threatbench's own (by the component they guard).
pub fn is_kubernetes_check(check: &Check) -> bool {
    match check.benchmark() {
        Benchmark::Threatbench => {
            check.component.as_str().starts_with("kube")
                || check.component == super::Component::Etcd
        }
        b => b.is_kubernetes(),
    }
}

/// A check that a later edition added runs only when that edition is in use (v1.8.0's 2.7
/// under the default v1.6.0 would collide with v1.6.0's 2.7).
pub fn in_edition(check: &Check, editions: &Editions) -> bool {
    let added_later = check.benchmark() == Benchmark::CisDocker180;
    !added_later || check.id_in(editions.docker).is_some()
}

/// The editions a scan uses, and why: the report header and the JSON `benchmark_choice` say so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editions {
    pub docker: Benchmark,
    pub kubernetes: Benchmark,
    pub choice: Vec<Choice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub edition: Benchmark,
    pub reason: String,
}

impl Default for Editions {
    fn default() -> Self {
        Editions {
            docker: Benchmark::CisDocker160,
            kubernetes: Benchmark::CisKubernetes112,
            choice: Vec::new(),
        }
    }
}

/// Where an edition was asked for, strongest first.
#[derive(Debug, Clone, Default)]
pub struct Requested {
    /// `--benchmark`.
    pub benchmark: Option<Benchmark>,
    /// `--numbering` (Docker editions only pick the Docker edition).
    pub numbering: Option<Benchmark>,
    /// `.threatbench.yaml` `benchmark:` and the file it came from.
    pub config: Vec<Benchmark>,
    pub config_file: Option<String>,
}

impl Editions {
    /// Choose the Docker and Kubernetes editions. `kubernetes_version` is the detected
    /// (major, minor) and where it came from.
    pub fn choose(req: &Requested, kubernetes_version: Option<((u32, u32), &str)>) -> Editions {
        let config_reason = || {
            format!(
                "benchmark: in {}",
                req.config_file.as_deref().unwrap_or(".threatbench.yaml")
            )
        };
        let docker = if let Some(b) = req.benchmark.filter(|b| b.is_docker()) {
            Choice {
                edition: b,
                reason: "--benchmark".into(),
            }
        } else if let Some(b) = req.numbering.filter(|b| b.is_docker()) {
            Choice {
                edition: b,
                reason: "--numbering".into(),
            }
        } else if let Some(b) = req.config.iter().copied().find(|b| b.is_docker()) {
            Choice {
                edition: b,
                reason: config_reason(),
            }
        } else {
            Choice {
                edition: Benchmark::CisDocker160,
                reason: "default: docker-bench-security numbers items as v1.6.0; CIS Docker v1.8.0 is available with --benchmark cis-docker-1.8.0".into(),
            }
        };
        let kubernetes = if let Some(b) = req.benchmark.filter(|b| b.is_kubernetes()) {
            Choice {
                edition: b,
                reason: "--benchmark".into(),
            }
        } else if let Some(b) = req.config.iter().copied().find(|b| b.is_kubernetes()) {
            Choice {
                edition: b,
                reason: config_reason(),
            }
        } else {
            match kubernetes_version {
                Some(((1, minor), source)) if minor >= KUBERNETES_2_0_FROM_MINOR => Choice {
                    edition: Benchmark::CisKubernetes20,
                    reason: format!(
                        "Kubernetes 1.{minor} ({source}): v2.0 covers 1.34–1.35 (v1.12 below 1.34)"
                    ),
                },
                Some(((major, minor), source)) => Choice {
                    edition: Benchmark::CisKubernetes112,
                    reason: format!(
                        "Kubernetes {major}.{minor} ({source}): v1.12 below 1.34 (v2.0 from 1.34)"
                    ),
                },
                None => Choice {
                    edition: Benchmark::CisKubernetes112,
                    reason: "Kubernetes version unknown: v1.12 (pass --k8s-version or --benchmark cis-kubernetes-2.0 for 1.34 and later)".into(),
                },
            }
        };
        Editions {
            docker: docker.edition,
            kubernetes: kubernetes.edition,
            choice: vec![docker, kubernetes],
        }
    }

    /// The edition whose numbers a check is shown with.
    pub fn for_check(&self, check: &Check) -> Benchmark {
        if is_kubernetes_check(check) {
            self.kubernetes
        } else {
            self.docker
        }
    }

    /// Keep only the choices of the families that ran.
    pub fn retain_families(&mut self, docker_ran: bool, kubernetes_ran: bool) {
        self.choice.retain(|c| {
            (c.edition.is_docker() && docker_ran) || (c.edition.is_kubernetes() && kubernetes_ran)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{all, by_slug};

    #[test]
    fn v180_renumbers_section_2_after_the_new_2_7() {
        let tls = by_slug("daemon-tls-on-tcp").unwrap();
        assert_eq!(tls.id_in(Benchmark::CisDocker160), Some("2.7"));
        assert_eq!(tls.id_in(Benchmark::CisDocker170), Some("2.7"));
        assert_eq!(tls.id_in(Benchmark::CisDocker180), Some("2.8"));
        let aufs = by_slug("daemon-no-aufs").unwrap();
        assert_eq!(aufs.id_in(Benchmark::CisDocker180), Some("2.6"));
        let dm = by_slug("daemon-no-devicemapper").unwrap();
        assert_eq!(dm.id_in(Benchmark::CisDocker180), Some("2.7"));
        assert_eq!(dm.id_in(Benchmark::CisDocker160), None);
        assert_eq!(dm.id_in(Benchmark::CisDocker170), None);
    }

    #[test]
    fn v180_ids_are_unique_and_count_118_in_sections_1_to_7() {
        let ids: Vec<&str> = all()
            .iter()
            .filter_map(|c| c.id_in(Benchmark::CisDocker180))
            .collect();
        let unique: std::collections::BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(ids.len(), unique.len(), "duplicate v1.8.0 ids");
        let v160 = all()
            .iter()
            .filter(|c| c.id_in(Benchmark::CisDocker160).is_some())
            .count();
        assert_eq!(ids.len(), v160 + 1, "v1.8.0 has one item more than v1.6.0");
        for s in ["2.19", "2.8", "2.7", "3.24", "5.32"] {
            assert!(unique.contains(s), "{s} missing");
        }
    }

    #[test]
    fn kubernetes_2_0_keeps_the_ids_and_changes_two_remediations() {
        for c in all() {
            assert_eq!(
                c.id_in(Benchmark::CisKubernetes20),
                c.id_in(Benchmark::CisKubernetes112),
                "{}",
                c.slug
            );
        }
        let changed: Vec<&str> = all()
            .iter()
            .filter(|c| {
                remediation_in(c, Benchmark::CisKubernetes20)
                    != remediation_in(c, Benchmark::CisKubernetes112)
            })
            .filter_map(|c| c.id_in(Benchmark::CisKubernetes20))
            .collect();
        assert_eq!(changed, ["1.2.29", "3.2.2"]);
    }

    #[test]
    fn assessment_flips_in_1_1() {
        let flipped: Vec<&str> = all()
            .iter()
            .filter(|c| assessment_changed(c, Benchmark::CisDocker180))
            .filter_map(|c| c.id_in(Benchmark::CisDocker180))
            .collect();
        let mut flipped = flipped;
        flipped.sort();
        assert_eq!(flipped, ["1.1.15", "1.1.17", "1.1.18", "1.1.4"]);
        assert!(
            all()
                .iter()
                .all(|c| !assessment_changed(c, Benchmark::CisDocker160))
        );
    }

    #[test]
    fn choice_order_and_kubernetes_by_version() {
        let none = Requested::default();
        let e = Editions::choose(&none, Some(((1, 34), "version.json")));
        assert_eq!(e.docker, Benchmark::CisDocker160);
        assert_eq!(e.kubernetes, Benchmark::CisKubernetes20);
        assert!(e.choice[0].reason.contains("--benchmark cis-docker-1.8.0"));
        assert!(e.choice[1].reason.contains("1.34"), "{:?}", e.choice);
        let e = Editions::choose(&none, Some(((1, 33), "kubelet")));
        assert_eq!(e.kubernetes, Benchmark::CisKubernetes112);
        let e = Editions::choose(&none, None);
        assert_eq!(e.kubernetes, Benchmark::CisKubernetes112);
        assert!(e.choice[1].reason.contains("unknown"));

        let config = Requested {
            config: vec![Benchmark::CisDocker180, Benchmark::CisKubernetes112],
            config_file: Some("proj/.threatbench.yaml".into()),
            ..Requested::default()
        };
        let e = Editions::choose(&config, Some(((1, 35), "x")));
        assert_eq!(
            (e.docker, e.kubernetes),
            (Benchmark::CisDocker180, Benchmark::CisKubernetes112)
        );
        assert!(e.choice[0].reason.contains("proj/.threatbench.yaml"));

        let explicit = Requested {
            benchmark: Some(Benchmark::CisDocker170),
            numbering: Some(Benchmark::CisDocker131),
            ..config
        };
        let e = Editions::choose(&explicit, None);
        assert_eq!(e.docker, Benchmark::CisDocker170);
        assert_eq!(e.choice[0].reason, "--benchmark");
    }
}
