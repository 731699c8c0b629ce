//! `threatbench scan --format markdown`: the benchmark report as a document to attach to a ticket
//! or a review: what was scanned, the counts, then one table per benchmark section with every
//! check's verdict and evidence (the objects that decide it named), the threats a failed check
//! leaves exposed, and the incomplete parts. Text from the facts goes through
//! [`super::threats_markdown::md`] (terminal escapes, table pipes and HTML made inert).

use std::fmt::Write;

use super::threats_markdown::md;
use super::{Opens, ScanReport, SectionWalk, section_of, section_title};
use crate::checks::Verdict;

/// Objects named per check at most; the rest are counted.
const NAMED: usize = 10;

pub fn render(report: &ScanReport) -> String {
    let mut out = String::new();
    let facts = report.facts;
    let _ = writeln!(
        out,
        "# threatbench scan of {}\n",
        md(facts.host.hostname.as_deref().unwrap_or("(unknown host)"))
    );
    let _ = writeln!(
        out,
        "Collected {} from root `{}` by threatbench {}.",
        md(&facts.collected_at),
        md(&facts.host.root),
        env!("CARGO_PKG_VERSION")
    );
    for c in &report.editions.choice {
        let _ = writeln!(out, "- {}: {}", c.edition.title(), md(&c.reason));
    }
    let s = report.summary();
    let _ = writeln!(
        out,
        "\n**{} checks:** {} pass, **{} fail**, {} warn, {} info, {} skip, {} error.",
        report.results.len(),
        s.pass,
        s.fail,
        s.warn,
        s.info,
        s.skip,
        s.error
    );
    let reasons = report.incomplete_reasons();
    if !reasons.is_empty() {
        let _ = writeln!(out, "\n**Incomplete:**\n");
        for r in reasons {
            let _ = writeln!(out, "- {}", md(&r));
        }
    }
    let mut walk = SectionWalk::default();
    for r in &report.results {
        let (id, benchmark) = report.display_id(r);
        let section = section_of(id);
        let opens = walk.step(benchmark, section);
        if matches!(opens, Opens::Benchmark) {
            let _ = writeln!(out, "\n## {}", benchmark.title());
        }
        if !matches!(opens, Opens::Nothing) {
            let _ = writeln!(
                out,
                "\n### {section} {}\n\n| Id | Check | Verdict | Severity | Evidence | Threats exposed |\n|---|---|---|---|---|---|",
                section_title(benchmark, section)
            );
        }
        let verdict = r.outcome.verdict;
        let exposed: Vec<String> = report
            .threats
            .as_ref()
            .filter(|_| verdict == Verdict::Fail)
            .map(|a| {
                a.exposed_by(r.check.slug)
                    .iter()
                    .map(|i| format!("`{}`", md(&i.id)))
                    .collect()
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| {id} | {} (`{}`) | {} | {} | {} | {} |",
            md(r.check.title),
            r.check.slug,
            if verdict == Verdict::Fail {
                "**fail**"
            } else {
                verdict.as_str()
            },
            r.severity().as_str(),
            evidence(r),
            exposed.join(", ")
        );
    }
    out
}

/// The check's evidence and the objects that carry its verdict, for one table cell.
fn evidence(r: &crate::checks::CheckResult) -> String {
    let o = &r.outcome;
    let deciding: Vec<String> = o
        .objects
        .iter()
        .filter(|x| x.verdict == o.verdict && o.verdict != Verdict::Pass)
        .map(|x| format!("{} {}: {}", x.kind, md(&x.name), md(&x.evidence)))
        .collect();
    let mut cell = md(&o.evidence);
    if !deciding.is_empty() {
        cell.push_str("<br>");
        cell.push_str(&deciding[..deciding.len().min(NAMED)].join("<br>"));
        if deciding.len() > NAMED {
            let _ = write!(cell, "<br>… and {} more", deciding.len() - NAMED);
        }
    }
    cell
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_is_a_row_and_failures_name_their_objects_and_threats() {
        let facts = crate::threats::tests::fixture_facts();
        let report = super::super::test_report(&facts, true);
        let doc = render(&report);
        assert!(doc.starts_with("# threatbench scan of build-01"), "{doc}");
        let rows = doc
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| Id "))
            .count();
        assert_eq!(rows, report.results.len());
        let privileged = doc
            .lines()
            .find(|l| l.contains("(`container-privileged`)"))
            .expect("5.5 has a row");
        assert!(privileged.contains("**fail**"), "{privileged}");
        assert!(privileged.contains("container priv"), "{privileged}");
        assert!(
            privileged.contains("`DKR-E-01@container:priv`"),
            "{privileged}"
        );
        assert!(doc.contains("### 5 Container runtime"), "{doc}");
    }
}
