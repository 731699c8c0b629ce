//! `.threatbench.yaml`: the project's lint settings, found in the current directory or named with
//! `--config`.
//!
//! ```yaml
//! select: [k8s-, "5.2", container-privileged]   # only these (slugs, ids, id sections, slug* prefixes)
//! ignore: [image-healthcheck, "k8s-pod-resource-*"]
//! severity:                                      # per-rule overrides
//!   k8s-namespace-default-used: medium
//! skip:                                          # paths not linted (globs; a bare name matches anywhere)
//!   - vendor
//!   - "charts/**/templates/**"
//! benchmark: [cis-docker-1.8.0]                  # scan's default editions (one or a list; --benchmark wins)
//! ```
//!
//! `--select` on the command line replaces the file's `select`; `--ignore` adds to its `ignore`.
//! Unknown keys, unknown severities and unknown slugs in `severity` are errors, so a typo cannot
//! silently turn a rule off.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::checks::rule::{self, Rule};
use crate::checks::{Benchmark, Severity};

/// The default file name looked for in the current directory.
pub const CONFIG_FILE: &str = ".threatbench.yaml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    select: Vec<String>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, String>,
    #[serde(default, alias = "exclude")]
    skip: Vec<String>,
    #[serde(default)]
    benchmark: OneOrMany,
}

/// `benchmark: cis-docker-1.8.0` or `benchmark: [cis-docker-1.8.0, cis-kubernetes-2.0]`.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

/// The effective lint configuration (file and command line merged).
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
    pub skip: Vec<String>,
    skip_set: GlobSet,
    /// Directory of the config file: skip patterns are relative to it.
    base: Option<PathBuf>,
    /// `benchmark:`: the editions `scan` uses unless `--benchmark` says otherwise.
    pub benchmarks: Vec<Benchmark>,
    /// The file these settings came from, for evidence.
    pub file: Option<PathBuf>,
}

fn parse_severity(s: &str) -> Option<Severity> {
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        "critical" => Severity::Critical,
        _ => return None,
    })
}

impl Config {
    /// Read a config file.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let mut c = Config::parse(&text).with_context(|| format!("{}", path.display()))?;
        c.base = path.parent().map(Path::to_path_buf);
        c.file = Some(path.to_path_buf());
        Ok(c)
    }

    /// `--config FILE`, else `.threatbench.yaml` in the current directory if present.
    pub fn discover(explicit: Option<&Path>) -> anyhow::Result<Config> {
        match explicit {
            Some(p) => Config::load(p),
            None if Path::new(CONFIG_FILE).is_file() => Config::load(Path::new(CONFIG_FILE)),
            None => Ok(Config::default()),
        }
    }

    pub fn parse(text: &str) -> anyhow::Result<Config> {
        let file: File = if text.trim().is_empty() {
            File::default()
        } else {
            serde_saphyr::from_str(text).map_err(|e| anyhow::anyhow!("{e}"))?
        };
        let mut severity = BTreeMap::new();
        for (slug, level) in file.severity {
            if rule::find(&slug).is_none() {
                bail!("severity: unknown rule {slug:?} (see `threatbench lint --list-rules`)");
            }
            let Some(level) = parse_severity(&level) else {
                bail!("severity: {slug}: {level:?} is not low, medium, high or critical");
            };
            severity.insert(slug, level);
        }
        let names = match file.benchmark {
            OneOrMany::None => vec![],
            OneOrMany::One(b) => vec![b],
            OneOrMany::Many(list) => list,
        };
        let mut benchmarks = Vec::new();
        for name in names {
            match Benchmark::parse(name.trim()).filter(|b| b.is_docker() || b.is_kubernetes()) {
                Some(b) => benchmarks.push(b),
                None => bail!(
                    "benchmark: unknown edition {name:?} (one of cis-docker-1.6.0, cis-docker-1.7.0, cis-docker-1.8.0, cis-docker-1.3.1, cis-kubernetes-1.12, cis-kubernetes-2.0)"
                ),
            }
        }
        let mut c = Config {
            select: file.select,
            ignore: file.ignore,
            severity,
            skip: Vec::new(),
            skip_set: GlobSet::empty(),
            base: None,
            benchmarks,
            file: None,
        };
        c.set_skip(file.skip)?;
        Ok(c)
    }

    fn set_skip(&mut self, patterns: Vec<String>) -> anyhow::Result<()> {
        let mut b = GlobSetBuilder::new();
        for p in &patterns {
            let p = p.trim().trim_start_matches("./").trim_end_matches('/');
            // A pattern without a slash names a file or directory anywhere, as in .gitignore.
            let full = if p.contains('/') {
                p.to_string()
            } else {
                format!("**/{p}")
            };
            b.add(
                GlobBuilder::new(&full)
                    .literal_separator(true)
                    .build()
                    .with_context(|| format!("skip: bad pattern {p:?}"))?,
            );
        }
        self.skip_set = b.build()?;
        self.skip = patterns;
        Ok(())
    }

    /// Apply `--select` (replaces) and `--ignore` (adds) from the command line.
    pub fn with_cli(mut self, select: &[String], ignore: &[String]) -> Config {
        if !select.is_empty() {
            self.select = select.to_vec();
        }
        self.ignore.extend(ignore.iter().cloned());
        self
    }

    /// Whether the path (as walked) is to be skipped.
    pub fn skips(&self, path: &Path) -> bool {
        if self.skip.is_empty() {
            return false;
        }
        let shown = path.strip_prefix("./").unwrap_or(path);
        if self.skip_set.is_match(shown) {
            return true;
        }
        match &self.base {
            Some(base) if !base.as_os_str().is_empty() => path
                .strip_prefix(base)
                .is_ok_and(|rel| self.skip_set.is_match(rel)),
            _ => false,
        }
    }

    /// Whether the rule is selected and not ignored.
    pub fn selects(&self, rule: &Rule) -> bool {
        let hit = |t: &String| token_matches(t, rule);
        (self.select.is_empty() || self.select.iter().any(hit)) && !self.ignore.iter().any(hit)
    }

    pub fn severity_override(&self, slug: &str) -> Option<Severity> {
        self.severity.get(slug).copied()
    }
}

/// A `--select`/`--ignore` token matches a rule by slug, by `prefix*` (or a prefix ending in
/// `-`), by exact benchmark id, or as a section prefix of an id (`5.2` matches `5.2.3`, not
/// `5.20`).
pub fn token_matches(token: &str, rule: &Rule) -> bool {
    let t = token.trim();
    if t.is_empty() {
        return false;
    }
    if t == rule.slug {
        return true;
    }
    if let Some(prefix) = t.strip_suffix('*') {
        return rule.slug.starts_with(prefix);
    }
    if t.ends_with('-') && rule.slug.starts_with(t) {
        return true;
    }
    rule.ids
        .iter()
        .any(|(_, id)| *id == t || id.starts_with(&format!("{t}.")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(slug: &str) -> Rule {
        rule::find(slug).unwrap()
    }

    #[test]
    fn parses_and_applies_selection_severity_and_skips() {
        let c = Config::parse(
            "select: [k8s-, \"4.1\"]\nignore: [\"k8s-pod-resource-*\", \"5.2.3\"]\nseverity:\n  k8s-namespace-default-used: HIGH\nskip: [vendor, \"deploy/**/*.json\"]\n",
        )
        .unwrap();
        assert!(c.selects(&rule("k8s-pod-privileged")));
        assert!(c.selects(&rule("container-user-not-root")), "4.1");
        assert!(
            !c.selects(&rule("k8s-pod-resource-limits")),
            "ignored by prefix"
        );
        assert!(!c.selects(&rule("k8s-pod-host-pid")), "ignored by id 5.2.3");
        assert!(!c.selects(&rule("image-healthcheck")), "not selected");
        assert_eq!(
            c.severity_override("k8s-namespace-default-used"),
            Some(Severity::High)
        );
        assert!(c.skips(Path::new("vendor")));
        assert!(c.skips(Path::new("a/vendor")));
        assert!(c.skips(Path::new("./deploy/x/y.json")));
        assert!(!c.skips(Path::new("deploy/x/y.yaml")));
        assert!(!c.skips(Path::new("vendored/Dockerfile")));
    }

    #[test]
    fn benchmark_default_one_or_a_list_and_typos_refused() {
        let one = Config::parse("benchmark: cis-docker-1.8.0\n").unwrap();
        assert_eq!(one.benchmarks, [Benchmark::CisDocker180]);
        let many = Config::parse("benchmark: [cis-docker-1.7.0, cis-kubernetes-2.0]\n").unwrap();
        assert_eq!(
            many.benchmarks,
            [Benchmark::CisDocker170, Benchmark::CisKubernetes20]
        );
        let err = Config::parse("benchmark: cis-docker-9\n").unwrap_err();
        assert!(err.to_string().contains("cis-docker-9"), "{err}");
    }

    #[test]
    fn section_prefixes_do_not_match_longer_numbers() {
        assert!(token_matches("5.2", &rule("k8s-pod-privileged")));
        assert!(
            !token_matches("5.2", &rule("container-read-only-rootfs")),
            "5.13"
        );
        assert!(token_matches("5", &rule("container-read-only-rootfs")));
    }

    #[test]
    fn typos_are_errors() {
        assert!(Config::parse("selct: [x]\n").is_err());
        assert!(Config::parse("severity: {no-such-rule: high}\n").is_err());
        assert!(Config::parse("severity: {image-healthcheck: urgent}\n").is_err());
        assert!(Config::parse("").unwrap().select.is_empty());
    }

    #[test]
    fn command_line_select_replaces_and_ignore_adds() {
        let c = Config::parse("select: [k8s-]\nignore: [image-healthcheck]\n")
            .unwrap()
            .with_cli(&["4".into()], &["dockerfile-sudo".into()]);
        assert_eq!(c.select, ["4"]);
        assert_eq!(c.ignore, ["image-healthcheck", "dockerfile-sudo"]);
    }
}
