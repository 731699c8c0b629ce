//! `threatbench scan --format junit`: the benchmark results as a JUnit XML report for CI
//! dashboards (written with `quick-junit`, which escapes and strips what XML cannot hold). One
//! testsuite per benchmark section (`CIS Docker Benchmark v1.6.0 5 Container runtime`), one
//! testcase per check named by its id and slug; `fail` is a `failure` with the evidence (the
//! objects it names included), `error` an `error`, `skip` `skipped`. A `warn` (a review item) is
//! `skipped` with its evidence, so it is seen without failing the build (`--fail-on warn` makes
//! the exit code fail it); `pass` and `info` are successes with the evidence as output.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{ScanReport, section_label, section_of};
use crate::checks::Verdict;

/// Failing objects named in a failure message at most; the rest are counted.
const NAMED: usize = 20;

pub fn render(report: &ScanReport) -> String {
    let mut out = Report::new("threatbench scan");
    let mut suites: Vec<((crate::checks::Benchmark, String), TestSuite)> = Vec::new();
    for r in &report.results {
        let (id, benchmark) = report.display_id(r);
        let key = (benchmark, section_of(id).to_string());
        let at = match suites.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                suites.push((
                    key,
                    TestSuite::new(section_label(benchmark, section_of(id))),
                ));
                suites.len() - 1
            }
        };
        let evidence = with_objects(r);
        let status = match r.outcome.verdict {
            Verdict::Pass | Verdict::Info => TestCaseStatus::success(),
            Verdict::Fail => non_success(NonSuccessKind::Failure, "fail", &evidence),
            Verdict::Error => non_success(NonSuccessKind::Error, "error", &evidence),
            Verdict::Skip => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(evidence.clone());
                s
            }
            Verdict::Warn => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(format!("needs review: {evidence}"));
                s
            }
        };
        let mut case = TestCase::new(format!("{id} {} ({})", r.check.title, r.check.slug), status);
        case.set_classname(format!("{}.{}", benchmark.as_str(), r.check.slug));
        if matches!(r.outcome.verdict, Verdict::Pass | Verdict::Info) {
            case.set_system_out(evidence);
        }
        suites[at].1.add_test_case(case);
    }
    out.add_test_suites(suites.into_iter().map(|(_, s)| s));
    out.to_string()
        .unwrap_or_else(|e| format!("<!-- threatbench: JUnit report not written: {e} -->\n"))
}

fn non_success(kind: NonSuccessKind, ty: &str, evidence: &str) -> TestCaseStatus {
    let mut s = TestCaseStatus::non_success(kind);
    s.set_type(ty.to_string());
    s.set_message(evidence.to_string());
    s
}

/// The check's evidence with the objects that carry its verdict (`container web: …`).
fn with_objects(r: &crate::checks::CheckResult) -> String {
    let o = &r.outcome;
    let deciding: Vec<String> = o
        .objects
        .iter()
        .filter(|x| x.verdict == o.verdict)
        .map(|x| format!("{} {}: {}", x.kind, x.name, x.evidence))
        .collect();
    if deciding.is_empty() {
        return o.evidence.clone();
    }
    let more = deciding.len().saturating_sub(NAMED);
    let mut text = format!(
        "{}\n{}",
        o.evidence,
        deciding[..deciding.len().min(NAMED)].join("\n")
    );
    if more > 0 {
        text.push_str(&format!("\n… and {more} more"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_check_is_a_testcase_with_its_verdict() {
        let facts = crate::threats::tests::fixture_facts();
        let report = super::super::test_report(&facts, false);
        let xml = render(&report);
        assert!(xml.starts_with("<?xml"), "{xml}");
        let cases = xml.matches("<testcase ").count();
        assert_eq!(cases, report.results.len());
        let failures = report
            .results
            .iter()
            .filter(|r| r.outcome.verdict == Verdict::Fail)
            .count();
        assert!(failures > 0);
        assert_eq!(xml.matches("<failure ").count(), failures);
        assert!(
            xml.contains("testsuite name=\"CIS Docker Benchmark v1.6.0 5 Container runtime\""),
            "{}",
            &xml[..2000.min(xml.len())]
        );
        // The privileged container of the fixture is named in 5.5's failure.
        let at = xml
            .find("container-privileged)")
            .expect("5.5 is a testcase");
        let failure = &xml[at..at + 1500.min(xml.len() - at)];
        assert!(failure.contains("container priv"), "{failure}");
    }
}
