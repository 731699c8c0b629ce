//! `threatbench threats --format markdown`: the threat-model document a reviewer reads. Scope and
//! assumptions, the system with a Mermaid data-flow diagram and trust boundaries, the threats per
//! STRIDE category and component with status, evidence and linked checks, the benchmark summary,
//! the hardening order, risk decisions, residual risk and the model's gaps.
//!
//! Deterministic: the same facts, results and model file give the same document (no clock read;
//! the collection time and the decision day come from the inputs).

use std::collections::BTreeMap;
use std::fmt::Write;

use super::ScanReport;
use super::sanitize::terminal;
use crate::checks::Verdict;
use crate::threats::elements::{Boundary, DfdType, Element};
use crate::threats::model::LinkVerdict;
use crate::threats::{Assessment, Instance, Status, Stride, Surface};

/// Text from the facts (names, evidence) made safe for a Markdown table cell or paragraph.
pub fn md(text: &str) -> String {
    terminal(text)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "'")
        .replace(['\n', '\r'], " ")
}

/// An id in a code span.
fn code(text: &str) -> String {
    format!("`{}`", terminal(text).replace('`', "'"))
}

/// A label inside a Mermaid quoted string.
pub(crate) fn mermaid_label(text: &str) -> String {
    let clean: String = terminal(text)
        .chars()
        .map(|c| match c {
            '"' => '\'',
            '<' | '>' | '{' | '}' | '[' | ']' | '|' | '#' | ';' | '`' => ' ',
            c => c,
        })
        .collect();
    let clean = clean.trim();
    if clean.chars().count() > 60 {
        clean.chars().take(57).collect::<String>() + "..."
    } else {
        clean.to_string()
    }
}

pub fn render(report: &ScanReport, a: &Assessment) -> String {
    let mut out = String::new();
    let facts = report.facts;
    let host = facts.host.hostname.as_deref().unwrap_or("unknown host");
    let title = a
        .scope
        .title
        .clone()
        .unwrap_or_else(|| format!("Docker host {host}"));
    let _ = writeln!(out, "# Threat model: {}\n", md(&title));
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(
        out,
        "| Target | {} (file-system root {}) |",
        md(host),
        code(&facts.host.root)
    );
    let _ = writeln!(out, "| Facts collected | {} |", md(&facts.collected_at));
    match facts.docker.as_result() {
        Ok(d) => {
            let _ = writeln!(
                out,
                "| Docker | {} (API {}) at {} |",
                md(d.version.version.as_deref().unwrap_or("?")),
                md(&d.api_version),
                code(&d.endpoint)
            );
        }
        Err(u) => {
            let _ = writeln!(out, "| Docker | not visible: {} |", md(&u.reason));
        }
    }
    let _ = writeln!(out, "| Tool | threatbench {} |", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(
        out,
        "| Threat catalogue | {} threats; {} |",
        crate::threats::builtin().threats.len(),
        md(&a.attack_version)
    );
    let _ = writeln!(
        out,
        "| Benchmark numbering | {} |",
        report.numbering.title()
    );
    for choice in &report.editions.choice {
        let _ = writeln!(
            out,
            "| Benchmark edition | {} ({}) |",
            choice.edition.title(),
            md(&choice.reason)
        );
    }
    let _ = writeln!(
        out,
        "| Model file | {} |",
        if a.model_applied {
            "applied (threatmodel.yaml)"
        } else {
            "none (discovered model only)"
        }
    );
    if let Some(owner) = a.scope.owner.as_deref().filter(|o| !o.is_empty()) {
        let _ = writeln!(out, "| Owner | {} |", md(owner));
    }
    let _ = writeln!(out, "| Decisions judged on | {} |", a.today);

    scope(&mut out, a);
    system(&mut out, a);
    summary(&mut out, a);
    threats(&mut out, a);
    benchmark(&mut out, report, a);
    fix_first(&mut out, a);
    decisions(&mut out, a);
    residual(&mut out, a);
    gaps(&mut out, report, a);
    brief(&mut out, a);
    out
}

fn scope(out: &mut String, a: &Assessment) {
    let _ = writeln!(out, "\n## 1. Scope and assumptions\n");
    if let Some(d) = a.scope.description.as_deref().filter(|d| !d.is_empty()) {
        let _ = writeln!(out, "{}\n", md(d));
    }
    let mut present: BTreeMap<Surface, usize> = BTreeMap::new();
    for i in &a.instances {
        *present.entry(i.component()).or_default() += 1;
    }
    let _ = writeln!(out, "**In scope** (components seen on this host):\n");
    if present.is_empty() {
        let _ = writeln!(out, "- none: no Docker or Kubernetes component was visible");
    }
    for (s, n) in &present {
        let _ = writeln!(out, "- {} ({n} threat instances)", s.title());
    }
    let _ = writeln!(out, "\n**Out of scope or not present:**\n");
    let mut absent_surfaces: BTreeMap<Surface, &str> = BTreeMap::new();
    for t in &a.absent {
        if !present.contains_key(&t.component) {
            absent_surfaces.entry(t.component).or_insert(&t.reason);
        }
    }
    if absent_surfaces.is_empty() && a.scope.out_of_scope.is_empty() {
        let _ = writeln!(out, "- nothing");
    }
    for (s, reason) in absent_surfaces {
        let _ = writeln!(out, "- {}: {}", s.title(), md(reason));
    }
    for o in &a.scope.out_of_scope {
        let _ = writeln!(
            out,
            "- {} (model file): {}",
            code(&o.element),
            md(&o.reason)
        );
    }
    let _ = writeln!(out, "\n**Assumptions:**\n");
    for text in &a.scope.assumptions {
        let _ = writeln!(out, "- {}", md(text));
    }
    for text in [
        "The scan only reads: what it reports is what the scanning user could see on the host, in /proc and through the Docker Engine API.",
        "The Docker client is an external entity: users and CI systems that can reach the daemon's API. Its own machine is not scanned.",
        "Registries are outside the host; only the daemon's view of them (secure or insecure transport) is known.",
        "Kubernetes components are detected from host processes, static pod manifests and the kubelet unit; pods, RBAC and policies are visible only through a cluster dump (`--cluster-dump`: `kubectl get ... -o json` files).",
        "Risk is likelihood × impact on four levels; each passing mitigation lowers likelihood or impact by whole levels (see Methodology).",
    ] {
        let _ = writeln!(out, "- {text}");
    }
}

fn dfd_name(t: DfdType) -> &'static str {
    match t {
        DfdType::ExternalEntity => "external entity",
        DfdType::Process => "process",
        DfdType::DataStore => "data store",
        DfdType::DataFlow => "data flow",
    }
}

fn system(out: &mut String, a: &Assessment) {
    let _ = writeln!(out, "\n## 2. System description\n");
    let _ = writeln!(
        out,
        "Elements discovered from the facts (STRIDE-per-element: external entity S,R; process S,T,R,I,D,E; data store T,I,D, +R for logs; data flow T,I,D, +S across a trust boundary).\n"
    );
    let _ = writeln!(
        out,
        "| Element | Type | Description | Boundary | Observed |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    for e in &a.system.elements {
        let props: Vec<String> = e
            .properties
            .iter()
            .map(|(k, v)| format!("{k}: {}", md(v)))
            .collect();
        let owner = a
            .annotations
            .iter()
            .find(|(p, _)| crate::threats::modelfile::glob(p, &e.id))
            .map(|(_, n)| {
                [n.owner.as_deref(), n.notes.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .filter(|s| !s.is_empty())
            .map(|s| format!(" (annotation: {})", md(&s)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| {} | {} | {}{} | {} | {} |",
            code(&e.id),
            dfd_name(e.dfd),
            md(&e.label),
            owner,
            code(&e.boundary),
            props.join("<br>")
        );
    }
    let _ = writeln!(out, "\n### Data-flow diagram\n");
    let _ = writeln!(
        out,
        "Boxes are trust boundaries; rounded nodes are processes, cylinders data stores, rectangles external entities; arrows are data flows. Elements with an exposed threat are outlined in red.\n"
    );
    mermaid(out, a);
    let _ = writeln!(out, "\n### Trust boundaries\n");
    for b in &a.system.boundaries {
        let crossing: Vec<String> = a
            .system
            .elements
            .iter()
            .filter(|e| e.crosses.contains(&b.id))
            .map(|e| code(&e.id))
            .collect();
        let _ = writeln!(
            out,
            "- {} ({:?}{}): {}{}",
            code(&b.id),
            b.kind,
            b.parent
                .as_deref()
                .map(|p| format!(", inside {}", code(p)))
                .unwrap_or_default(),
            md(&b.label),
            if crossing.is_empty() {
                String::new()
            } else {
                format!("; crossed by {}", crossing.join(", "))
            }
        );
    }
}

fn mermaid(out: &mut String, a: &Assessment) {
    let elements = &a.system.elements;
    let node = |id: &str| -> Option<String> {
        elements
            .iter()
            .position(|e| e.id == id)
            .map(|n| format!("n{n}"))
    };
    let exposed: Vec<&str> = a
        .instances
        .iter()
        .filter(|i| i.status == Status::Exposed)
        .map(|i| i.element.as_str())
        .collect();
    let _ = writeln!(out, "```mermaid\nflowchart LR");
    fn shape(e: &Element, label: &str) -> String {
        match e.dfd {
            DfdType::ExternalEntity => format!("[\"{label}\"]"),
            DfdType::Process => format!("([\"{label}\"])"),
            DfdType::DataStore => format!("[(\"{label}\")]"),
            DfdType::DataFlow => format!("[\"{label}\"]"),
        }
    }
    fn boundary(
        out: &mut String,
        b: &Boundary,
        all: &[Boundary],
        elements: &[Element],
        depth: usize,
    ) {
        let pad = "  ".repeat(depth);
        let bn = all.iter().position(|x| x.id == b.id).unwrap_or(0);
        let _ = writeln!(out, "{pad}subgraph b{bn}[\"{}\"]", mermaid_label(&b.label));
        for (n, e) in elements.iter().enumerate() {
            if e.boundary == b.id && e.dfd != DfdType::DataFlow {
                let _ = writeln!(out, "{pad}  n{n}{}", shape(e, &mermaid_label(&e.label)));
            }
        }
        for child in all.iter().filter(|c| c.parent.as_deref() == Some(&b.id)) {
            boundary(out, child, all, elements, depth + 1);
        }
        let _ = writeln!(out, "{pad}end");
    }
    for root in a.system.boundaries.iter().filter(|b| b.parent.is_none()) {
        boundary(out, root, &a.system.boundaries, elements, 1);
    }
    for e in elements.iter().filter(|e| e.dfd == DfdType::DataFlow) {
        if let (Some(f), Some(t)) = (
            e.from.as_deref().and_then(node),
            e.to.as_deref().and_then(node),
        ) {
            let _ = writeln!(out, "  {f} -- \"{}\" --> {t}", mermaid_label(&e.label));
        }
    }
    let _ = writeln!(out, "  classDef exposed stroke:#d33,stroke-width:3px");
    let mut marked: Vec<String> = Vec::new();
    for id in exposed {
        // An exposed flow marks both ends.
        let targets: Vec<&str> = match elements.iter().find(|e| e.id == id) {
            Some(e) if e.dfd == DfdType::DataFlow => [e.from.as_deref(), e.to.as_deref()]
                .into_iter()
                .flatten()
                .collect(),
            Some(e) => vec![e.id.as_str()],
            None => vec![],
        };
        for t in targets {
            if let Some(n) = node(t).filter(|n| !marked.contains(n)) {
                marked.push(n);
            }
        }
    }
    if !marked.is_empty() {
        let _ = writeln!(out, "  class {} exposed", marked.join(","));
    }
    let _ = writeln!(out, "```");
}

fn summary(out: &mut String, a: &Assessment) {
    let _ = writeln!(out, "\n## 3. Summary\n");
    let counts = a.status_counts();
    let get = |s: Status| counts.get(&s).copied().unwrap_or(0);
    let _ = writeln!(
        out,
        "{} threat instances on {} elements: **{} exposed**, {} unknown, {} mitigated, {} accepted, {} not applicable. {} catalogue threats have no element here (section 9).\n",
        a.instances.len(),
        a.system.elements.len(),
        get(Status::Exposed),
        get(Status::Unknown),
        get(Status::Mitigated),
        get(Status::Accepted),
        get(Status::NotApplicable),
        a.absent.len()
    );
    let _ = writeln!(
        out,
        "Attack surfaces × STRIDE: open (exposed + unknown) / total instances, and the worst current risk among the open ones.\n"
    );
    let _ = write!(out, "| Component |");
    for s in Stride::ALL {
        let _ = write!(out, " {} |", s.title());
    }
    let _ = writeln!(out, "\n|---|---|---|---|---|---|---|");
    for (surface, cells) in a.matrix() {
        let _ = write!(out, "| {} |", surface.title());
        for c in cells {
            let text = if c.total == 0 {
                "·".to_string()
            } else {
                match c.worst_open {
                    Some(l) => format!("{}/{} {}", c.exposed + c.unknown, c.total, l),
                    None => format!("0/{}", c.total),
                }
            };
            let _ = write!(out, " {text} |");
        }
        let _ = writeln!(out);
    }
    let top: Vec<&Instance> = a
        .instances
        .iter()
        .filter(|i| i.status == Status::Exposed)
        .take(10)
        .collect();
    if !top.is_empty() {
        let _ = writeln!(out, "\nMost urgent exposed threats:\n");
        for i in top {
            let _ = writeln!(
                out,
                "1. {} ({} now, {} once fixed): {}",
                code(&i.id),
                i.risk.current.level,
                i.risk.projected.level,
                i.threat.title
            );
        }
    }
    let _ = writeln!(
        out,
        "\n**Methodology.** Threats come from the catalogue (`threatbench threats catalog`), one instance per element of the kind a threat applies to (STRIDE-per-element; spoofing on a flow only when it crosses a trust boundary). Status comes from the linked checks' verdicts for that element: *exposed* when one fails, *mitigated* when every primary mitigation's checks pass, *unknown* when evidence is missing. Risk = likelihood × impact (weights 1–4); the product bands into low (1–2), medium (3–5), high (6–9) and critical (12–16). *Inherent* is the catalogue default (or the model file's override); *current* subtracts the mitigations in place; *projected* also subtracts the mitigations whose checks fail today, i.e. the risk after fixing them."
    );
    super::threats_paths::markdown_section(out, a);
}

fn instance_block(out: &mut String, i: &Instance) {
    let _ = writeln!(out, "\n##### {} — {}\n", code(&i.id), md(&i.threat.title));
    let r = &i.risk;
    let _ = writeln!(
        out,
        "- **Status:** {}{}",
        i.status.as_str(),
        if i.status != i.computed_status {
            format!(" (evidence says {})", i.computed_status.as_str())
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        out,
        "- **Risk:** inherent {} ({} × {}), current {} ({} × {}), projected {} ({} × {})",
        r.inherent.level,
        r.inherent.likelihood,
        r.inherent.impact,
        r.current.level,
        r.current.likelihood,
        r.current.impact,
        r.projected.level,
        r.projected.likelihood,
        r.projected.impact
    );
    let _ = writeln!(
        out,
        "- **Element:** {} ({})",
        md(&i.element_label),
        code(&i.element)
    );
    let _ = writeln!(out, "- **Scenario:** {}", md(&i.threat.scenario));
    let _ = writeln!(out, "- **Evidence:** {}", md(&i.why));
    let _ = writeln!(out, "- **ATT&CK:** {}", i.threat.attack.join(", "));
    if let Some(reason) = &i.override_reason {
        let _ = writeln!(out, "- **Re-rated:** {}", md(reason));
    }
    if let Some(d) = &i.decision {
        let _ = writeln!(
            out,
            "- **Decision** ({}): {}{}{}",
            d.source,
            md(&d.justification),
            d.decided_by
                .as_deref()
                .map(|b| format!(", by {}", md(b)))
                .unwrap_or_default(),
            d.expires
                .as_deref()
                .map(|e| format!(", until {}", md(e)))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(out, "\n| Mitigation | Role | State | Checks |");
    let _ = writeln!(out, "|---|---|---|---|");
    for (n, m) in i.mitigations.iter().enumerate() {
        let checks: Vec<String> = i
            .checks
            .iter()
            .filter(|c| c.mitigation == n)
            .map(|c| {
                let name = if c.id.is_empty() {
                    code(&c.slug)
                } else {
                    format!("{} {}", c.id, code(&c.slug))
                };
                match c.verdict {
                    LinkVerdict::Fail => format!("{name} **fail**"),
                    v => format!("{name} {}", v.as_str()),
                }
            })
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            md(&m.text),
            if m.role == crate::threats::catalog::Role::Supporting {
                "supporting"
            } else {
                "primary"
            },
            match m.state {
                crate::threats::model::MitigationState::InPlace => "in place",
                crate::threats::model::MitigationState::Missing => "missing",
                crate::threats::model::MitigationState::Unknown => "unknown",
                crate::threats::model::MitigationState::NotApplicable => "not applicable",
            },
            checks.join("<br>")
        );
    }
}

fn threats(out: &mut String, a: &Assessment) {
    let _ = writeln!(out, "\n## 4. Threats by STRIDE category\n");
    let _ = writeln!(
        out,
        "Each threat instance with its status, risk, the evidence that decided it and the checks that implement its mitigations. Instances are ordered most urgent first within each component."
    );
    for stride in Stride::ALL {
        let _ = writeln!(out, "\n### {}\n", stride.title());
        let in_cat: Vec<&Instance> = a
            .instances
            .iter()
            .filter(|i| i.stride() == stride)
            .collect();
        if in_cat.is_empty() {
            let _ = writeln!(out, "No instance on this system.");
            continue;
        }
        let mut by_surface: BTreeMap<Surface, Vec<&Instance>> = BTreeMap::new();
        for i in in_cat {
            by_surface.entry(i.component()).or_default().push(i);
        }
        for (surface, list) in by_surface {
            let _ = writeln!(out, "#### {}", surface.title());
            // Instances on a namespace's elements (a cluster's workloads and accounts) go in
            // one table per namespace and threat: thousands of workloads stay readable.
            let mut namespaced: BTreeMap<&str, Vec<&Instance>> = BTreeMap::new();
            for i in list {
                match a
                    .system
                    .element(&i.element)
                    .and_then(|e| e.boundary.strip_prefix("namespace:"))
                {
                    Some(ns) => namespaced.entry(ns).or_default().push(i),
                    None => instance_block(out, i),
                }
            }
            for (ns, list) in namespaced {
                namespace_table(out, ns, &list);
            }
        }
    }
}

/// A namespace's instances, per threat: the scenario once, then one row per element with its
/// status, risk, evidence and the failing checks.
fn namespace_table(out: &mut String, ns: &str, list: &[&Instance]) {
    let _ = writeln!(
        out,
        "\n##### Namespace {} ({} instances)",
        code(ns),
        list.len()
    );
    let mut threats: Vec<(&str, Vec<&Instance>)> = Vec::new();
    for i in list {
        match threats.iter_mut().find(|(id, _)| *id == i.threat.id) {
            Some((_, v)) => v.push(i),
            None => threats.push((&i.threat.id, vec![i])),
        }
    }
    for (id, instances) in threats {
        let t = &instances[0].threat;
        let _ = writeln!(
            out,
            "\n**{} — {}** ({}; ATT&CK {}). {}\n",
            code(id),
            md(&t.title),
            t.stride.title(),
            t.attack.join(", "),
            md(&t.scenario)
        );
        let _ = writeln!(out, "| Element | Status | Current risk | Evidence | Fix |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for i in instances {
            let fix: Vec<String> = i
                .failing_links()
                .iter()
                .map(|c| format!("{} {}", c.id, code(&c.slug)))
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                md(&i.element_label),
                i.status.as_str(),
                i.risk.current.level,
                md(&i.why),
                fix.join("<br>")
            );
        }
    }
}

fn benchmark(out: &mut String, report: &ScanReport, a: &Assessment) {
    let _ = writeln!(out, "\n## 5. Benchmark summary\n");
    let _ = writeln!(
        out,
        "| Benchmark section | pass | fail | warn | info | skip | error |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    let mut rows: Vec<(String, [usize; 6])> = Vec::new();
    for r in &report.results {
        let (id, bench) = report.display_id(r);
        let label = super::section_label(bench, super::section_of(id));
        let col = Verdict::ALL
            .iter()
            .position(|v| *v == r.outcome.verdict)
            .unwrap_or(0);
        match rows.iter_mut().find(|(l, _)| *l == label) {
            Some((_, counts)) => counts[col] += 1,
            None => {
                let mut counts = [0; 6];
                counts[col] += 1;
                rows.push((label, counts));
            }
        }
    }
    for (label, c) in &rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            label, c[0], c[1], c[2], c[3], c[4], c[5]
        );
    }
    let failed: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.outcome.verdict == Verdict::Fail)
        .collect();
    if failed.is_empty() {
        let _ = writeln!(out, "\nNo check failed.");
        return;
    }
    let _ = writeln!(out, "\nFailed checks and the threats they leave exposed:\n");
    let _ = writeln!(out, "| Check | Severity | Evidence | Threats exposed |");
    let _ = writeln!(out, "|---|---|---|---|");
    for r in failed {
        let (id, _) = report.display_id(r);
        let exposed: Vec<String> = a
            .exposed_by(r.check.slug)
            .iter()
            .map(|i| code(&i.id))
            .collect();
        let _ = writeln!(
            out,
            "| {id} {} — {} | {} | {} | {} |",
            code(r.check.slug),
            md(r.check.title),
            r.severity().as_str(),
            md(&r.outcome.evidence),
            if exposed.is_empty() {
                "none linked".to_string()
            } else {
                exposed.join(", ")
            }
        );
    }
}

fn fix_first(out: &mut String, a: &Assessment) {
    let _ = writeln!(out, "\n## 6. Hardening priorities\n");
    let fixes = a.fix_first();
    if fixes.is_empty() {
        let _ = writeln!(out, "No failing check leaves a threat exposed.");
        return;
    }
    let _ = writeln!(
        out,
        "Failing checks ordered by the current risk that fixing each removes (sum over the instances it leaves exposed of current − after-fix risk score).\n"
    );
    let _ = writeln!(out, "| # | Check | Risk removed | Threat instances |");
    let _ = writeln!(out, "|---|---|---|---|");
    for (n, f) in fixes.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} {} | {} | {} |",
            n + 1,
            f.id,
            code(&f.slug),
            f.risk_removed,
            f.instances
                .iter()
                .map(|i| code(i))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

fn decisions(out: &mut String, a: &Assessment) {
    let _ = writeln!(out, "\n## 7. Risk decisions\n");
    let decided: Vec<&Instance> = a
        .instances
        .iter()
        .filter(|i| i.decision.is_some())
        .collect();
    if decided.is_empty() && a.expired.is_empty() && a.suppressed.is_empty() {
        let _ = writeln!(out, "No decision recorded (add them to threatmodel.yaml).");
        return;
    }
    if !decided.is_empty() {
        let _ = writeln!(
            out,
            "| Instance | Status | Justification | By | Until | Source |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for i in decided {
            let d = i.decision.as_ref().expect("filtered");
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                code(&i.id),
                d.status.as_str(),
                md(&d.justification),
                md(d.decided_by.as_deref().unwrap_or("")),
                md(d.expires.as_deref().unwrap_or("")),
                d.source
            );
        }
    }
    if !a.expired.is_empty() {
        let _ = writeln!(out, "\n**Expired decisions** (no longer applied):\n");
        for n in &a.expired {
            let _ = writeln!(out, "- {}: {}", md(&n.entry), md(&n.message));
        }
    }
    if !a.suppressed.is_empty() {
        let _ = writeln!(out, "\n**Suppressed instances:**\n");
        for s in &a.suppressed {
            let _ = writeln!(
                out,
                "- {} ({}): {}",
                code(&s.instance),
                s.source,
                md(&s.reason)
            );
        }
    }
}

fn residual(out: &mut String, a: &Assessment) {
    let _ = writeln!(out, "\n## 8. Residual risk\n");
    let open: Vec<&Instance> = a
        .instances
        .iter()
        .filter(|i| {
            matches!(
                i.status,
                Status::Exposed | Status::Unknown | Status::Accepted
            )
        })
        .collect();
    let mut now: BTreeMap<crate::threats::Level, usize> = BTreeMap::new();
    let mut after: BTreeMap<crate::threats::Level, usize> = BTreeMap::new();
    for i in &open {
        *now.entry(i.risk.current.level).or_default() += 1;
        *after.entry(i.risk.projected.level).or_default() += 1;
    }
    let _ = writeln!(
        out,
        "Open and accepted instances by risk level, now and after every failing linked check is fixed:\n"
    );
    let _ = writeln!(out, "| Risk | current | projected |\n|---|---|---|");
    for l in crate::threats::Level::ALL.iter().rev() {
        let _ = writeln!(
            out,
            "| {l} | {} | {} |",
            now.get(l).copied().unwrap_or(0),
            after.get(l).copied().unwrap_or(0)
        );
    }
    let stubborn: Vec<&&Instance> = open
        .iter()
        .filter(|i| i.risk.projected.level >= crate::threats::Level::High)
        .collect();
    if !stubborn.is_empty() {
        let _ = writeln!(
            out,
            "\nStill high or critical after the fixes (need a mitigation outside the benchmark, more evidence, or a decision):\n"
        );
        for i in stubborn {
            let _ = writeln!(
                out,
                "- {} ({}, projected {}): {}",
                code(&i.id),
                i.status.as_str(),
                i.risk.projected.level,
                i.threat.title
            );
        }
    }
}

fn gaps(out: &mut String, report: &ScanReport, a: &Assessment) {
    let _ = writeln!(out, "\n## 9. Model gaps\n");
    let review: Vec<String> = report
        .results
        .iter()
        .filter(|r| matches!(r.outcome.verdict, Verdict::Warn | Verdict::Error))
        .map(|r| {
            let (id, _) = report.display_id(r);
            format!(
                "{id} {} ({})",
                code(r.check.slug),
                r.outcome.verdict.as_str()
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "- **Checks needing a person or missing evidence** ({}): {}",
        review.len(),
        if review.is_empty() {
            "none".to_string()
        } else {
            review.join(", ")
        }
    );
    let _ = writeln!(
        out,
        "- **Linked checks not in this build** ({}): threats that rely on them stay unknown. {}",
        a.unavailable_checks.len(),
        a.unavailable_checks
            .iter()
            .map(|s| code(s))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for g in &a.system.gaps {
        let _ = writeln!(out, "- **Not visible:** {}", md(g));
    }
    let mut by_reason: BTreeMap<(Status, &str), Vec<&str>> = BTreeMap::new();
    for t in &a.absent {
        by_reason
            .entry((t.status, t.reason.as_str()))
            .or_default()
            .push(&t.threat);
    }
    for ((status, reason), ids) in by_reason {
        let _ = writeln!(
            out,
            "- **{}** — {}: {}",
            status.as_str(),
            md(reason),
            ids.join(", ")
        );
    }
    for n in &a.orphaned {
        let _ = writeln!(
            out,
            "- **Orphaned model-file entry** {}: {}",
            md(&n.entry),
            md(&n.message)
        );
    }
    for r in report.incomplete_reasons() {
        let _ = writeln!(out, "- **Scan incomplete:** {}", md(&r));
    }
}

fn brief(out: &mut String, a: &Assessment) {
    let _ = writeln!(out, "\n## Appendix: threats required by the brief\n");
    let _ = writeln!(
        out,
        "| Requirement | Threat | Instances (status, current risk) |"
    );
    let _ = writeln!(out, "|---|---|---|");
    for t in crate::threats::builtin()
        .threats
        .iter()
        .filter(|t| t.brief.is_some())
    {
        let insts: Vec<String> = a
            .instances
            .iter()
            .filter(|i| i.threat.id == t.id)
            .map(|i| {
                format!(
                    "{} ({}, {})",
                    code(&i.id),
                    i.status.as_str(),
                    i.risk.current.level
                )
            })
            .collect();
        let text = if insts.is_empty() {
            a.absent
                .iter()
                .find(|x| x.threat == t.id)
                .map(|x| format!("{}: {}", x.status.as_str(), md(&x.reason)))
                .unwrap_or_default()
        } else {
            insts.join(", ")
        };
        let _ = writeln!(
            out,
            "| {} | {} {} | {} |",
            t.brief.as_deref().unwrap_or(""),
            t.id,
            md(&t.title),
            text
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::{self, Benchmark, Selection};
    use crate::report::ScanReport;
    use crate::threats::{ModelFile, assess_on, builtin};

    /// The document for the fixture host (see threats::tests) with a model file. Only the checks
    /// of Docker sections 2 and 5 run, so the snapshot does not change as other sections land.
    #[test]
    fn threat_model_document_snapshot() {
        let facts = crate::threats::tests::fixture_facts();
        let select: Vec<String> = checks::all()
            .iter()
            .filter(|c| {
                (c.benchmark() == Benchmark::CisDocker160
                    && (c.id().starts_with("2.") || c.id().starts_with("5.")))
                    || (c.benchmark() == Benchmark::Threatbench
                        && !crate::checks::editions::is_kubernetes_check(c))
            })
            .map(|c| c.slug.to_string())
            .collect();
        let results = checks::run(
            &facts,
            &Selection {
                select,
                ..Selection::default()
            },
        );
        let model = ModelFile::parse(crate::threats::tests::MODEL, builtin()).unwrap();
        let mut a = assess_on(
            &facts,
            &results,
            Some(&model),
            "2026-11-20".parse().unwrap(),
        );
        // Which linked checks exist depends on what else is in the build; keep it out.
        a.unavailable_checks.clear();
        let report = ScanReport {
            facts: &facts,
            results,
            numbering: Benchmark::CisDocker160,
            editions: Default::default(),
            duration_ms: 0,
            threats: None,
            lint: None,
        };
        let doc = super::render(&report, &a);
        assert!(doc.contains("```mermaid\nflowchart LR"));
        assert!(doc.contains("## 4. Threats by STRIDE category"));
        insta::assert_snapshot!("threat_model_document", doc);
    }

    #[test]
    fn hostile_names_are_escaped() {
        // Control characters become visible escapes first (report::sanitize), then Markdown.
        assert_eq!(super::md("a|b\n<script>`x`"), "a\\|b\\\\n&lt;script&gt;'x'");
        assert_eq!(super::mermaid_label("x\"]; click"), "x'   click");
    }
}
