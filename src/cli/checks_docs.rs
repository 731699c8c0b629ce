//! `threatbench checks docs --output DIR`: the reference documentation of every check, generated
//! from the registry (one Markdown file per check, `explain`'s text, and an index README.md).
//! `docs/checks/` in the repository is this output; a test fails when it is out of date.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;

use crate::checks::{self, Benchmark, Check, Level};
use crate::report::section_title;

/// The command that refreshes `docs/checks/`, named in the index and in the test's message.
pub const REFRESH_COMMAND: &str = "cargo run -- checks docs --output docs/checks";

/// File name of a check's page.
pub fn page_name(check: &Check) -> String {
    format!("{}.md", check.slug)
}

/// Every generated file as (file name, content), the index first.
pub fn generate() -> Vec<(String, String)> {
    let mut files = vec![("README.md".to_string(), index())];
    for c in checks::all() {
        files.push((page_name(c), super::checks::explain(c)));
    }
    files
}

fn index() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Checks\n");
    let _ = writeln!(
        out,
        "Generated from the check registry by `{REFRESH_COMMAND}`; do not edit by hand.\n"
    );
    let _ = writeln!(
        out,
        "Editions: CIS Docker v1.7.0 keeps v1.6.0's ids; v1.8.0 adds 2.7 (devicemapper) and numbers v1.6.0's 2.7–2.18 as 2.8–2.19 (column v1.8.0). CIS Kubernetes v2.0 (Kubernetes 1.34–1.35) keeps v1.12's ids; two remediations changed (1.2.29, 3.2.2). Each page's Editions section lists what changes for its item.\n\nDefault editions: Docker v1.6.0 (docker-bench-security's ids; `--benchmark cis-docker-1.8.0` or `benchmark:` in .threatbench.yaml for v1.8.0). Kubernetes by the detected version, as kube-bench does: v2.0 for 1.34 and later (1.34 is in both v1.12's 1.32–1.34 and v2.0.1's 1.34–1.35; the newer edition wins; 1.36+ also gets v2.0, with a warning that it is outside its scope), v1.12 for 1.33 and earlier or an unknown version. The 1.1.4/1.1.15/1.1.17/1.1.18 Automated/Manual changes of v1.7.0/v1.8.0 come from one generated source: low confidence.\n"
    );
    let mut current: Option<(Benchmark, String)> = None;
    for c in checks::all() {
        let section = c.id().split('.').next().unwrap_or("").to_string();
        let key = (c.benchmark(), section.clone());
        if current.as_ref() != Some(&key) {
            if current.as_ref().map(|(b, _)| *b) != Some(c.benchmark()) {
                let _ = writeln!(out, "## {}\n", c.benchmark().title());
            }
            let title = section_title(c.benchmark(), &section);
            let _ = writeln!(out, "### {section} {title}\n");
            let _ = writeln!(
                out,
                "| id | v1.3.1 | v1.8.0 | check | level | assessment | severity | title |\n|---|---|---|---|---|---|---|---|"
            );
            current = Some(key);
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | [{}]({}) | {} | {} | {} | {} |",
            c.id(),
            c.id_in(Benchmark::CisDocker131).unwrap_or("—"),
            c.id_in(Benchmark::CisDocker180).unwrap_or("—"),
            c.slug,
            page_name(c),
            if c.level == Level::One { 1 } else { 2 },
            format!("{:?}", c.assessment).to_lowercase(),
            c.severity.as_str(),
            c.title.replace('|', "\\|")
        );
        // A blank line closes the table before the next section heading.
        let next_section = checks::all()
            .iter()
            .skip_while(|x| x.slug != c.slug)
            .nth(1)
            .map(|n| {
                (
                    n.benchmark(),
                    n.id().split('.').next().unwrap_or("").to_string(),
                )
            });
        if next_section.as_ref() != current.as_ref() {
            out.push('\n');
        }
    }
    out
}

/// Write the documentation into `dir`, making its Markdown files exactly the generated set:
/// pages of checks that no longer exist are removed. Returns the names removed.
pub fn write(dir: &Path) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let files = generate();
    for (name, text) in &files {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let mut removed = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") && !files.iter().any(|(n, _)| *n == name) {
            std::fs::remove_file(dir.join(&name))
                .with_context(|| format!("removing stale {}", dir.join(&name).display()))?;
            removed.push(name);
        }
    }
    Ok(removed)
}
