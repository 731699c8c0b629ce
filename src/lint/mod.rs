//! `threatbench lint`: static checks of Dockerfiles, compose files and Kubernetes manifests.
//!
//! The pipeline is the scan's in small: collect (walk and read the files,
//! [`crate::collect::artifacts`]), parse (Dockerfile parser, spanned YAML), evaluate (the pure
//! rules in [`crate::checks`], shared with the live scan), then locate each finding in its file,
//! apply inline suppressions and the project's configuration. A file that cannot be parsed is
//! reported with the parser's message and position and the run goes on.

pub mod config;
pub mod kind;
pub mod suppress;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::checks::evaluators::kube_workload::{object_label, objects};
use crate::checks::evaluators::{kube_rbac, kube_workload};
use crate::checks::rule::{self, Finding};
use crate::checks::{Severity, artifact};
use crate::collect::artifacts::{self, Candidate, ReadError};
use crate::collect::yaml::{self, Pos};

pub use config::Config;
pub use kind::Kind;

/// The schema name of `--format json`.
pub const LINT_SCHEMA: &str = "threatbench/lint/v1";

/// What the linter saw of one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub path: String,
    pub kind: Kind,
    /// Why the file could not be linted (unreadable or unparseable), with the position the
    /// parser gave; `null` when it was linted.
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_column: Option<usize>,
    /// Why the file was passed over (not a known kind, binary, too large, a template).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// Kubernetes objects, compose services or Dockerfile stages examined.
    pub objects: usize,
}

impl FileReport {
    fn new(path: &str, kind: Kind) -> Self {
        FileReport {
            path: path.to_string(),
            kind,
            error: None,
            error_line: None,
            error_column: None,
            skipped: None,
            objects: 0,
        }
    }
}

/// One finding placed in a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LintFinding {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub slug: &'static str,
    /// The benchmark id (`4.1`, `5.2.2`), when a benchmark numbers the control.
    pub id: Option<&'static str>,
    pub severity: Severity,
    pub message: String,
    /// The concrete change.
    pub fix: String,
    /// The Kubernetes object (`Deployment/shop/web`) or compose service the finding is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// JSON pointer into the object (YAML) or the instruction (Dockerfile).
    pub pointer: String,
}

/// A finding silenced by an inline comment, kept for SARIF and the counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuppressedFinding {
    #[serde(flatten)]
    pub finding: LintFinding,
    pub reason: Option<String>,
}

/// Everything one lint run found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LintReport {
    pub files: Vec<FileReport>,
    pub findings: Vec<LintFinding>,
    pub suppressed: Vec<SuppressedFinding>,
    /// Files a directory walk passed over because of their names.
    pub not_candidates: usize,
}

impl LintReport {
    /// Files that could not be read or parsed: the run is incomplete.
    pub fn errors(&self) -> impl Iterator<Item = &FileReport> {
        self.files.iter().filter(|f| f.error.is_some())
    }

    pub fn is_complete(&self) -> bool {
        self.errors().next().is_none()
    }

    pub fn linted(&self) -> usize {
        self.files
            .iter()
            .filter(|f| f.error.is_none() && f.skipped.is_none())
            .count()
    }

    pub fn skipped(&self) -> usize {
        self.files.iter().filter(|f| f.skipped.is_some()).count() + self.not_candidates
    }

    /// The highest severity among the findings.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// How to lint.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub config: Config,
    /// Treat stdin (and files named explicitly) as this kind instead of detecting it.
    pub kind: Option<Kind>,
}

/// Lint files and directories.
pub fn lint_paths(paths: &[PathBuf], opts: &Options) -> LintReport {
    let skip = |p: &Path| opts.config.skips(p);
    let discovery = artifacts::discover(paths, &skip);
    let mut report = LintReport {
        not_candidates: discovery.not_candidates,
        ..Default::default()
    };
    for (path, err) in &discovery.errors {
        let mut f = FileReport::new(&display(path), Kind::Unknown);
        f.error = Some(err.clone());
        report.files.push(f);
    }
    let progress = crate::progress::bar(discovery.candidates.len(), "linting");
    let results = parallel_map(&discovery.candidates, |c| {
        let result = lint_candidate(c, opts);
        progress.inc(1);
        result
    });
    progress.finish_and_clear();
    for (c, result) in discovery.candidates.iter().zip(results) {
        // A parser bug must not cost the rest of the run, nor pass silently.
        let (file, findings, suppressed) = result.unwrap_or_else(|| {
            let mut f = FileReport::new(&display(&c.path), Kind::Unknown);
            f.error = Some("internal error while linting this file (please report it)".into());
            (f, vec![], vec![])
        });
        report.files.push(file);
        report.findings.extend(findings);
        report.suppressed.extend(suppressed);
    }
    report
}

/// Lint text read from stdin (or any buffer) under a display name.
pub fn lint_text(name: &str, text: &str, opts: &Options) -> LintReport {
    let (file, findings, suppressed) = lint_one(name, text, opts.kind, opts);
    LintReport {
        files: vec![file],
        findings,
        suppressed,
        not_candidates: 0,
    }
}

/// Lint bytes (stdin) under a display name, with the same binary and size limits as files.
pub fn lint_bytes(name: &str, bytes: Vec<u8>, opts: &Options) -> LintReport {
    match artifacts::text_from_bytes(bytes) {
        Ok(text) => lint_text(name, &text, opts),
        Err(e) => {
            let mut f = FileReport::new(name, opts.kind.unwrap_or(Kind::Unknown));
            match e {
                ReadError::Skipped(r) => f.skipped = Some(r),
                ReadError::Failed(r) => f.error = Some(r),
            }
            LintReport {
                files: vec![f],
                ..Default::default()
            }
        }
    }
}

type Linted = (FileReport, Vec<LintFinding>, Vec<SuppressedFinding>);

fn display(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn lint_candidate(c: &Candidate, opts: &Options) -> Linted {
    let name = display(&c.path);
    match artifacts::read_text(&c.path) {
        Ok(text) => {
            let forced = if c.explicit { opts.kind } else { None };
            let hinted = forced.or(match c.hint {
                artifacts::NameHint::Dockerfile => Some(Kind::Dockerfile),
                artifacts::NameHint::Compose => Some(Kind::Compose),
                _ => None,
            });
            lint_one(&name, &text, hinted, opts)
        }
        Err(ReadError::Skipped(reason)) => {
            let mut f = FileReport::new(&name, Kind::Unknown);
            f.skipped = Some(reason);
            (f, vec![], vec![])
        }
        Err(ReadError::Failed(reason)) => {
            let mut f = FileReport::new(&name, Kind::Unknown);
            f.error = Some(reason);
            (f, vec![], vec![])
        }
    }
}

/// Lint one text whose kind is known from its name (or forced), or detected from its content.
fn lint_one(name: &str, text: &str, hinted: Option<Kind>, opts: &Options) -> Linted {
    let (mut file, raw) = match hinted {
        Some(Kind::Dockerfile) => lint_dockerfile(name, text),
        Some(kind) => lint_yaml(name, text, Some(kind)),
        None => lint_yaml(name, text, None),
    };
    let (findings, suppressed) = finish(name, text, file.kind, raw, opts);
    if file.error.is_none() && file.skipped.is_none() && file.kind == Kind::Unknown {
        file.skipped = Some("not a Dockerfile, compose file or Kubernetes manifest".into());
    }
    (file, findings, suppressed)
}

/// A finding with its position, before suppressions and configuration.
struct Placed {
    pos: Pos,
    finding: Finding,
    object: Option<String>,
}

fn lint_dockerfile(name: &str, text: &str) -> (FileReport, Vec<Placed>) {
    let mut file = FileReport::new(name, Kind::Dockerfile);
    match crate::collect::dockerfile::parse(text) {
        Ok(df) => {
            file.objects = df.stages.len();
            let placed = artifact::dockerfile::evaluate(&df)
                .into_iter()
                .map(|f| Placed {
                    pos: artifact::dockerfile::locate(&df, &f.pointer),
                    object: None,
                    finding: f,
                })
                .collect();
            (file, placed)
        }
        Err(e) => {
            file.error = Some(e.message.clone());
            file.error_line = Some(e.line);
            file.error_column = Some(e.column);
            (file, vec![])
        }
    }
}

fn lint_yaml(name: &str, text: &str, hinted: Option<Kind>) -> (FileReport, Vec<Placed>) {
    let mut file = FileReport::new(name, hinted.unwrap_or(Kind::Unknown));
    // Most YAML and JSON in a project tree is neither kind: skip those without parsing.
    if hinted.is_none() && !kind::may_be_structured_artifact(text) {
        return (file, vec![]);
    }
    let docs = match yaml::parse_stream(text) {
        Ok(docs) => docs,
        Err(e) => {
            if text.contains("{{") {
                file.skipped =
                    Some("a template ({{ ... }}): render it first (helm template, ...)".into());
            } else {
                file.error = Some(e.message);
                file.error_line = e.pos.map(|p| p.line);
                file.error_column = e.pos.map(|p| p.column);
            }
            return (file, vec![]);
        }
    };
    let kind = hinted.unwrap_or_else(|| kind::detect_structured(docs.iter().map(|d| &d.value)));
    file.kind = kind;
    let mut placed = Vec::new();
    if kind == Kind::Unknown {
        return (file, placed);
    }
    for doc in &docs {
        for dup in &doc.duplicates {
            placed.push(Placed {
                pos: dup.repeated,
                finding: Finding::of(
                    &artifact::DUPLICATE_KEY,
                    format!("{}/{}", dup.parent, rule::pointer_token(&dup.key)),
                    format!(
                        "key {:?} repeated (first at line {}): the later value wins",
                        dup.key, dup.first.line
                    ),
                ),
                object: None,
            });
        }
        match kind {
            Kind::Compose => {
                file.objects += doc
                    .value
                    .get("services")
                    .and_then(|s| s.as_object())
                    .map_or(0, |s| s.len());
                // Compose messages name their service; no separate object label.
                for f in artifact::compose::evaluate(&doc.value) {
                    placed.push(Placed {
                        pos: doc.locate(&f.pointer),
                        finding: f,
                        object: None,
                    });
                }
            }
            Kind::Kubernetes => {
                for (at, obj) in objects(&doc.value) {
                    if obj.get("kind").and_then(|k| k.as_str()).is_none() {
                        continue;
                    }
                    file.objects += 1;
                    let label = object_label(obj);
                    let mut found = kube_workload::evaluate(obj);
                    found.extend(kube_rbac::evaluate(obj));
                    for mut f in found {
                        f.pointer.insert_str(0, &at);
                        placed.push(Placed {
                            pos: doc.locate(&f.pointer),
                            finding: f,
                            object: Some(label.clone()),
                        });
                    }
                }
            }
            Kind::Dockerfile | Kind::Unknown => {}
        }
    }
    (file, placed)
}

/// Apply inline suppressions and the configuration, and resolve rule metadata.
fn finish(
    name: &str,
    text: &str,
    kind: Kind,
    raw: Vec<Placed>,
    opts: &Options,
) -> (Vec<LintFinding>, Vec<SuppressedFinding>) {
    let marks = if raw.is_empty() && !text.contains("threatbench:ignore") {
        suppress::Suppressions::default()
    } else {
        suppress::Suppressions::parse(text, kind)
    };
    let mut findings = Vec::new();
    let mut suppressed = Vec::new();
    let mut all = raw;
    for p in marks.problems() {
        all.push(Placed {
            pos: p.pos,
            finding: p.finding,
            object: None,
        });
    }
    for p in all {
        let Some(meta) = rule::find(p.finding.slug) else {
            continue;
        };
        if !opts.config.selects(&meta) {
            continue;
        }
        let severity = opts
            .config
            .severity_override(p.finding.slug)
            .unwrap_or(p.finding.severity);
        let lf = LintFinding {
            path: name.to_string(),
            line: p.pos.line.max(1),
            column: p.pos.column.max(1),
            slug: p.finding.slug,
            id: meta.id(),
            severity,
            message: p.finding.message,
            fix: p
                .finding
                .fix
                .unwrap_or_else(|| meta.doc.remediation.to_string()),
            object: p.object,
            pointer: p.finding.pointer,
        };
        match marks.suppresses(lf.line, lf.slug) {
            Some(reason) => suppressed.push(SuppressedFinding {
                finding: lf,
                reason,
            }),
            None => findings.push(lf),
        }
    }
    findings.sort_by(|a, b| (a.line, a.column, a.slug).cmp(&(b.line, b.column, b.slug)));
    findings.dedup();
    (findings, suppressed)
}

/// Map `f` over `items` on every available core, keeping the order. An item whose `f` panics
/// gives `None`.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<Option<R>> {
    let guarded =
        |item: &T| std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(item))).ok();
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8)
        .min(items.len().max(1));
    if workers <= 1 || items.len() < 8 {
        return items.iter().map(guarded).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(usize, Option<R>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, guarded(item)));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    let mut out: Vec<Option<R>> = Vec::with_capacity(items.len());
    let mut results = results.into_iter().peekable();
    for i in 0..items.len() {
        match results.peek() {
            Some((j, _)) if *j == i => out.push(results.next().and_then(|(_, r)| r)),
            _ => out.push(None),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("apiVersion: v1\n".to_string()),
            Just("kind: Pod\n".to_string()),
            Just("kind: List\nitems:\n".to_string()),
            Just("spec:\n  containers:\n  - name: a\n".to_string()),
            Just("    securityContext: {privileged: yes, runAsUser: 0}\n".to_string()),
            Just("  hostPath: {path: /}\n".to_string()),
            Just("services:\n  web:\n    ports: [\"80:80\", 9000]\n".to_string()),
            Just("---\n".to_string()),
            Just("  - &a x\n  - *a\n".to_string()),
            Just("<<: *a\n".to_string()),
            Just("# threatbench:ignore k8s-pod-privileged\n".to_string()),
            Just("FROM x AS y\nUSER $U\nRUN a | sh\n".to_string()),
            "[ -~\n]{0,30}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Hostile input never panics the linter, whatever kind it is taken for, and every
        /// finding lands on a line of the input.
        #[test]
        fn linting_never_panics(parts in proptest::collection::vec(fragment(), 0..30)) {
            let text = parts.concat();
            let lines = text.lines().count().max(1);
            for kind in [None, Some(Kind::Dockerfile), Some(Kind::Compose), Some(Kind::Kubernetes)] {
                let opts = Options { kind, ..Options::default() };
                let report = lint_text("t", &text, &opts);
                for f in report.findings.iter().chain(report.suppressed.iter().map(|s| &s.finding)) {
                    prop_assert!(f.line >= 1 && f.line <= lines + 1, "{f:?}");
                }
            }
        }
    }

    #[test]
    fn a_template_that_does_not_parse_is_skipped_not_an_error() {
        let r = lint_text(
            "t.yaml",
            "apiVersion: v1\nkind: Pod\nspec:\n  {{- if .Values.x }}\n  hostPID: true\n",
            &Options::default(),
        );
        assert!(r.is_complete());
        assert!(r.files[0].skipped.as_deref().unwrap().contains("template"));
    }
}
