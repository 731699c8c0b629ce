//! Reference documentation of the threat catalogue (`threatbench threats catalog --format
//! markdown`, checked in as docs/threats.md and kept current by a test).

use std::fmt::Write;

use crate::threats::catalog::{Catalog, Role, Surface};

pub fn markdown(cat: &Catalog) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Threat catalogue\n");
    let _ = writeln!(
        out,
        "Generated from `src/threats/catalog.yaml` by `threatbench threats catalog --format markdown`; do not edit by hand.\n"
    );
    let _ = writeln!(
        out,
        "{} threats. ATT&CK technique ids refer to {}. Likelihood and impact are the defaults before any mitigation (low, medium, high, critical); each mitigation lowers them by the levels shown when all its checks pass. *Primary* mitigations decide whether a threat counts as mitigated; *supporting* ones only lower the risk. A check marked \"its warn is a review\" does not weaken its mitigation when it warns: with the other checks passing the mitigation is in place, the review named; any other warn leaves the threat unknown.\n",
        cat.threats.len(),
        cat.attack_version
    );
    let _ = writeln!(out, "| Id | Component | STRIDE | Element | Title |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for t in &cat.threats {
        let _ = writeln!(
            out,
            "| [{}](#{}) | {} | {} | {} | {} |",
            t.id,
            t.id.to_lowercase(),
            t.component.title(),
            t.stride.title(),
            t.element.as_str(),
            t.title
        );
    }
    for surface in Surface::ALL {
        let list: Vec<_> = cat
            .threats
            .iter()
            .filter(|t| t.component == surface)
            .collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n## {}", surface.title());
        for t in list {
            let _ = writeln!(out, "\n### {}\n", t.id);
            let _ = writeln!(out, "**{}**\n", t.title);
            let _ = writeln!(out, "{}\n", t.scenario);
            let _ = writeln!(
                out,
                "- STRIDE: {} · element: `{}` ({}){}",
                t.stride.title(),
                t.element.as_str(),
                t.element.dfd().as_str(),
                if t.interaction {
                    " · raised only where the flow crosses a trust boundary"
                } else {
                    ""
                }
            );
            let _ = writeln!(out, "- Likelihood {} · impact {}", t.likelihood, t.impact);
            let _ = writeln!(out, "- ATT&CK: {}", t.attack.join(", "));
            if let Some(b) = &t.brief {
                let _ = writeln!(out, "- Brief requirement: `{b}`");
            }
            let _ = writeln!(out, "\n| Mitigation | Role | Reduces | Checks |");
            let _ = writeln!(out, "|---|---|---|---|");
            for m in &t.mitigations {
                let mut reduces = Vec::new();
                if m.reduces.likelihood > 0 {
                    reduces.push(format!("likelihood −{}", m.reduces.likelihood));
                }
                if m.reduces.impact > 0 {
                    reduces.push(format!("impact −{}", m.reduces.impact));
                }
                let checks: Vec<String> = m
                    .checks
                    .iter()
                    .map(|s| {
                        let name = match crate::threats::catalog::linked_check(s) {
                            Some((_, id)) => format!("{id} `{s}`"),
                            None => format!("`{s}`"),
                        };
                        if m.reviews.contains(s) {
                            format!("{name} (its warn is a review)")
                        } else {
                            name
                        }
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    m.text,
                    if m.role == Role::Primary {
                        "primary"
                    } else {
                        "supporting"
                    },
                    if reduces.is_empty() {
                        "—".to_string()
                    } else {
                        reduces.join(", ")
                    },
                    checks.join(", ")
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    /// docs/threats.md is generated; this fails when the catalogue changed and the file did not.
    /// Regenerate with `threatbench threats catalog --format markdown -o docs/threats.md`
    /// (or run this test with TB_UPDATE_DOCS=1).
    #[test]
    fn docs_threats_md_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/threats.md");
        let want = super::markdown(crate::threats::builtin());
        if std::env::var("TB_UPDATE_DOCS").as_deref() == Ok("1") {
            std::fs::write(path, &want).expect("write docs/threats.md");
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "docs/threats.md is out of date: run `threatbench threats catalog --format markdown -o docs/threats.md`"
        );
    }
}
