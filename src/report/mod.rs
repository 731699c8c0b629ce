//! Renderers. Each renders the same [`ScanReport`]; none recomputes anything.

pub mod diff;
pub mod fleet;
pub mod harden_json;
pub mod harden_markdown;
pub mod harden_text;
pub mod history;
pub mod html;
pub mod json;
pub mod junit;
pub mod lint;
pub mod markdown;
pub mod sanitize;
pub mod scan_sarif;
pub mod table;
pub mod threats_catalog;
pub mod threats_discovered;
pub mod threats_json;
pub mod threats_markdown;
pub mod threats_paths;
pub mod threats_sarif;
pub mod threats_table;

use serde::Serialize;

use crate::checks::{Benchmark, CheckResult, Verdict};
use crate::facts::Facts;

pub const SCAN_SCHEMA: &str = "threatbench/scan/v1";

/// Everything a scan found, ready to render.
pub struct ScanReport<'a> {
    pub facts: &'a Facts,
    pub results: Vec<CheckResult>,
    /// Edition whose numbers are shown (Docker checks; and what bare `--select` ids mean).
    pub numbering: Benchmark,
    /// The Docker and Kubernetes editions in use and why; Kubernetes checks show their ids.
    pub editions: crate::checks::editions::Editions,
    pub duration_ms: u128,
    /// Lint findings of the project files given with `scan --path`, if any.
    pub lint: Option<crate::lint::LintReport>,
    /// The threat model over these results, when it was assessed: renderers name the threats
    /// each failed check leaves exposed.
    pub threats: Option<crate::threats::Assessment>,
}

/// Counts of verdicts.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub pass: usize,
    pub fail: usize,
    pub warn: usize,
    pub info: usize,
    pub skip: usize,
    pub error: usize,
}

impl Summary {
    pub fn add(&mut self, v: Verdict) {
        match v {
            Verdict::Pass => self.pass += 1,
            Verdict::Fail => self.fail += 1,
            Verdict::Warn => self.warn += 1,
            Verdict::Info => self.info += 1,
            Verdict::Skip => self.skip += 1,
            Verdict::Error => self.error += 1,
        }
    }
}

impl ScanReport<'_> {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for r in &self.results {
            s.add(r.outcome.verdict);
        }
        s
    }

    /// The id shown for a check under the chosen numbering (its primary id when the edition
    /// lacks the item), with the benchmark it belongs to.
    pub fn display_id(&self, r: &CheckResult) -> (&'static str, Benchmark) {
        let edition = if crate::checks::editions::is_kubernetes_check(r.check) {
            self.editions.kubernetes
        } else {
            self.numbering
        };
        match r.check.id_in(edition) {
            Some(id) => (id, edition),
            None => (r.check.id(), r.check.benchmark()),
        }
    }

    /// Reasons the scan could not see everything; empty when complete.
    pub fn incomplete_reasons(&self) -> Vec<String> {
        let mut reasons = Vec::new();
        let ran = |b: Benchmark| self.results.iter().any(|r| r.check.id_in(b).is_some());
        // The Docker API matters only when Docker checks ran (not for `--benchmark
        // cis-kubernetes-1.12` on a node without dockerd).
        if ran(Benchmark::CisDocker160)
            || ran(Benchmark::CisDocker131)
            || ran(Benchmark::CisDocker180)
        {
            if let Some(u) = self.facts.docker.as_result().err() {
                reasons.push(u.reason.clone());
            }
            if let Some(d) = self.facts.docker.seen() {
                reasons.extend(d.partial.iter().cloned());
            }
        }
        if ran(Benchmark::CisKubernetes112) {
            let kube = &self.facts.kube;
            reasons.extend(kube.problems.iter().cloned());
            match &kube.cluster {
                Some(crate::facts::Observed::Seen(c)) => reasons.extend(c.problems.iter().cloned()),
                Some(crate::facts::Observed::Unavailable(u)) => reasons.push(u.reason.clone()),
                None => {}
            }
        }
        let errors = self
            .results
            .iter()
            .filter(|r| r.outcome.verdict == Verdict::Error)
            .count();
        if errors > 0 {
            reasons.push(format!(
                "{errors} check(s) could not be evaluated (verdict error)"
            ));
        }
        if let Some(lint) = &self.lint {
            let failed = lint.errors().count();
            if failed > 0 {
                reasons.push(format!("{failed} project file(s) could not be linted"));
            }
        }
        reasons
    }
}

/// The section of a check id (`5` of `5.12`, `k8s` of `k8s.2`).
pub fn section_of(id: &str) -> &str {
    id.split('.').next().unwrap_or("")
}

/// `CIS Docker Benchmark v1.6.0 5 Container runtime`: a section named in full.
pub fn section_label(benchmark: Benchmark, section: &str) -> String {
    format!(
        "{} {section} {}",
        benchmark.title(),
        section_title(benchmark, section)
    )
    .trim_end()
    .to_string()
}

/// Walking results in order: which of them open a new benchmark or section (the table and the
/// Markdown report print a heading there).
#[derive(Default)]
pub(crate) struct SectionWalk {
    current: Option<(Benchmark, String)>,
}

/// What a result opens as the walk reaches it.
pub(crate) enum Opens {
    Nothing,
    Section,
    /// A new benchmark, and its first section.
    Benchmark,
}

impl SectionWalk {
    pub fn step(&mut self, benchmark: Benchmark, section: &str) -> Opens {
        match &self.current {
            Some((b, s)) if *b == benchmark && s == section => Opens::Nothing,
            current => {
                let new_benchmark = current.as_ref().map(|c| c.0) != Some(benchmark);
                self.current = Some((benchmark, section.to_string()));
                if new_benchmark {
                    Opens::Benchmark
                } else {
                    Opens::Section
                }
            }
        }
    }

    /// Forget the position (a collapsed block was printed in between).
    pub fn reset(&mut self) {
        self.current = None;
    }
}

/// Section titles for the terminal grouping.
pub fn section_title(benchmark: Benchmark, section: &str) -> &'static str {
    match (benchmark, section) {
        (b, s) if b.is_docker() => match s {
            "1" => "Host configuration",
            "2" => "Docker daemon configuration",
            "3" => "Docker daemon configuration files",
            "4" => "Container images and build files",
            "5" => "Container runtime",
            "6" => "Docker security operations",
            "7" => "Docker swarm configuration",
            _ => "",
        },
        (b, s) if b.is_kubernetes() => match s {
            "1" => "Control plane components",
            "2" => "etcd",
            "3" => "Control plane configuration",
            "4" => "Worker nodes",
            "5" => "Policies",
            _ => "",
        },
        (Benchmark::Threatbench, "k8s") => "Kubernetes (no CIS item covers these)",
        (Benchmark::Threatbench, "docker") => "Docker (no CIS item covers these)",
        _ => "",
    }
}

/// A scan report of every check over `facts` (the threat model too when `threats`), for the
/// renderers' tests.
#[cfg(test)]
pub(crate) fn test_report(facts: &Facts, threats: bool) -> ScanReport<'_> {
    let results = crate::checks::run(facts, &crate::checks::Selection::default());
    let threats = threats.then(|| crate::threats::assess(facts, &results, None));
    ScanReport {
        facts,
        results,
        numbering: Benchmark::CisDocker160,
        editions: Default::default(),
        duration_ms: 0,
        threats,
        lint: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table, the threat-model document and docs/checks group checks under these titles:
    /// a section without one shows as a bare `k8s` heading.
    #[test]
    fn every_check_section_has_a_title() {
        for c in crate::checks::all() {
            for (benchmark, id) in c.ids {
                let section = section_of(id);
                assert!(
                    !section_title(*benchmark, section).is_empty(),
                    "{} {id} ({}): section {section:?} has no title",
                    benchmark.title(),
                    c.slug
                );
            }
        }
    }
}
