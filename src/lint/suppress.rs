//! Inline suppressions: `# threatbench:ignore SLUG[,SLUG...] -- reason`, in Dockerfiles and YAML,
//! either at the end of the offending line or on a comment line of its own, where it applies to
//! the next line that is not blank or a comment (so several can be stacked).
//!
//! A suppression with no reason after `--` still applies, but is itself reported
//! (`suppression-without-reason`): an accepted risk needs its why written down. A slug that names
//! no rule is reported too (`suppression-unknown-rule`), since it silences nothing.
//!
//! Findings are placed on the line of the offending key or on the first line of the offending
//! instruction; for a Dockerfile instruction spread over several lines, put the comment on the
//! line above it.

use crate::checks::artifact::{SUPPRESSION_UNKNOWN_RULE, SUPPRESSION_WITHOUT_REASON};
use crate::checks::rule::{self, Finding};
use crate::collect::yaml::Pos;

use super::Kind;

const MARKER: &str = "threatbench:ignore";

#[derive(Debug, Clone, PartialEq)]
struct Mark {
    /// The line whose findings it silences.
    target: usize,
    slugs: Vec<String>,
    reason: Option<String>,
}

/// A problem with a suppression comment itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub pos: Pos,
    pub finding: Finding,
}

#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    marks: Vec<Mark>,
    problems: Vec<Problem>,
}

impl Suppressions {
    pub fn parse(text: &str, _kind: Kind) -> Self {
        let lines: Vec<&str> = text.lines().collect();
        let mut s = Suppressions::default();
        for (i, line) in lines.iter().enumerate() {
            let Some((hash, rest)) = find_marker(line) else {
                continue;
            };
            let line_no = i + 1;
            let pos = Pos::new(line_no, line[..hash].chars().count() + 1);
            let (names, reason) = match rest.split_once("--") {
                Some((n, r)) => (n, Some(r.trim().to_string()).filter(|r| !r.is_empty())),
                None => (rest, None),
            };
            let slugs: Vec<String> = names
                .split([',', ' ', '\t'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            let own_line = line[..hash].trim().is_empty();
            let target = if own_line {
                lines
                    .iter()
                    .enumerate()
                    .skip(i + 1)
                    .find(|(_, l)| {
                        let t = l.trim();
                        !t.is_empty() && !t.starts_with('#')
                    })
                    .map(|(j, _)| j + 1)
                    .unwrap_or(line_no)
            } else {
                line_no
            };
            if reason.is_none() {
                s.problems.push(Problem {
                    pos,
                    finding: Finding::of(
                        &SUPPRESSION_WITHOUT_REASON,
                        format!("/line/{line_no}"),
                        format!(
                            "suppression of {} gives no reason (add `-- <reason>`)",
                            if slugs.is_empty() {
                                "nothing".to_string()
                            } else {
                                slugs.join(", ")
                            }
                        ),
                    ),
                });
            }
            if slugs.is_empty() {
                s.problems.push(Problem {
                    pos,
                    finding: Finding::of(
                        &SUPPRESSION_UNKNOWN_RULE,
                        format!("/line/{line_no}"),
                        "suppression names no rule: write `# threatbench:ignore SLUG -- reason`",
                    ),
                });
            }
            for slug in &slugs {
                if rule::find(slug).is_none() {
                    s.problems.push(Problem {
                        pos,
                        finding: Finding::of(
                            &SUPPRESSION_UNKNOWN_RULE,
                            format!("/line/{line_no}"),
                            format!("suppression names unknown rule {slug:?}"),
                        ),
                    });
                }
            }
            s.marks.push(Mark {
                target,
                slugs,
                reason,
            });
        }
        s
    }

    /// `Some(reason)` when a comment silences `slug` on `line`.
    pub fn suppresses(&self, line: usize, slug: &str) -> Option<Option<String>> {
        self.marks
            .iter()
            .find(|m| m.target == line && m.slugs.iter().any(|s| s == slug))
            .map(|m| m.reason.clone())
    }

    pub fn problems(&self) -> Vec<Problem> {
        self.problems.clone()
    }
}

/// The byte offset of the `#` that starts a suppression comment, and the text after the marker.
fn find_marker(line: &str) -> Option<(usize, &str)> {
    let mut from = 0;
    while let Some(rel) = line[from..].find('#') {
        let hash = from + rel;
        let after = line[hash + 1..].trim_start();
        if let Some(rest) = after.strip_prefix(MARKER)
            && (rest.is_empty() || rest.starts_with(char::is_whitespace))
        {
            return Some((hash, rest));
        }
        from = hash + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_line_comments_apply_to_the_next_code_line_and_stack() {
        let text = "spec:\n  # threatbench:ignore k8s-pod-host-pid -- debugging agent\n  # threatbench:ignore k8s-pod-host-network -- needs node network\n\n  hostPID: true\n";
        let s = Suppressions::parse(text, Kind::Kubernetes);
        assert_eq!(
            s.suppresses(5, "k8s-pod-host-pid"),
            Some(Some("debugging agent".into()))
        );
        assert!(s.suppresses(5, "k8s-pod-host-network").is_some());
        assert_eq!(s.suppresses(5, "k8s-pod-privileged"), None);
        assert_eq!(s.suppresses(2, "k8s-pod-host-pid"), None);
        assert!(s.problems().is_empty());
    }

    #[test]
    fn end_of_line_comments_apply_to_their_line() {
        let text = "RUN curl -fsSL https://x/install.sh | sh # threatbench:ignore dockerfile-curl-pipe-shell,dockerfile-sudo -- vendor script, pinned by TLS\n";
        let s = Suppressions::parse(text, Kind::Dockerfile);
        assert!(s.suppresses(1, "dockerfile-curl-pipe-shell").is_some());
        assert!(s.suppresses(1, "dockerfile-sudo").is_some());
    }

    #[test]
    fn missing_reason_and_unknown_slugs_are_reported_but_still_apply() {
        let text = "# threatbench:ignore image-healthcheck\nFROM x\n#threatbench:ignore no-such-rule -- typo\nUSER 0\n";
        let s = Suppressions::parse(text, Kind::Dockerfile);
        assert_eq!(s.suppresses(2, "image-healthcheck"), Some(None));
        let p = s.problems();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].finding.slug, "suppression-without-reason");
        assert_eq!(p[0].pos, Pos::new(1, 1));
        assert_eq!(p[1].finding.slug, "suppression-unknown-rule");
        assert_eq!(p[1].pos.line, 3);
    }

    #[test]
    fn lookalikes_are_not_suppressions() {
        let text = "# threatbench:ignored x -- y\nkey: value # not threatbench:ignore x -- y\n";
        let s = Suppressions::parse(text, Kind::Kubernetes);
        assert!(s.marks.is_empty() && s.problems.is_empty());
    }
}
