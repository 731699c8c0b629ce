//! Linux audit rules, parsed from rules files (`/etc/audit/audit.rules`,
//! `/etc/audit/rules.d/*.rules`) or from `auditctl -l` (the rules loaded in the kernel), and the
//! question the benchmark asks of them: does a rule record changes to this path?
//!
//! Pure parsing, no I/O. Written here rather than taken from a crate because no maintained crate
//! parses auditctl rule syntax (the audit crates on crates.io parse audit *log records*).
//!
//! The rule forms understood (see auditctl(8)):
//! - `-w PATH [-p PERMS] [-k KEY]`: a watch; on a directory it covers the whole subtree.
//! - `-a LIST,ACTION ...` / `-A LIST,ACTION ...` (either order, `always,exit` or `exit,always`)
//!   with `-F path=PATH` (that file) or `-F dir=PATH` (the subtree), `-F perm=PERMS`, `-F key=KEY`,
//!   `-S SYSCALLS`, and other `-F` filters. `never` rules suppress auditing of what they match;
//!   the kernel takes the first matching rule of the exit list, so order matters.
//! - `-D` (delete all rules so far), `-W PATH` (remove a watch), control options (`-b`, `-e`,
//!   `-f`, `-r`, `--backlog_wait_time`, `--loginuid-immutable`, `-i`, `-c`).
//! - `#` comments and blank lines. `auditctl -l` prints `No rules` for an empty rule set.

use std::fmt;

use super::{HostFacts, Observed, UnavailableKind};

/// Access kinds a watch records (`-p` / `-F perm=`): read, write, execute, attribute change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Perms {
    pub read: bool,
    pub write: bool,
    pub execute: bool,
    pub attr: bool,
}

impl Perms {
    pub const ALL: Perms = Perms {
        read: true,
        write: true,
        execute: true,
        attr: true,
    };

    /// Parse `rwxa` letters; `None` on any other letter or an empty string.
    pub fn parse(text: &str) -> Option<Perms> {
        if text.is_empty() {
            return None;
        }
        let mut p = Perms {
            read: false,
            write: false,
            execute: false,
            attr: false,
        };
        for c in text.chars() {
            match c {
                'r' => p.read = true,
                'w' => p.write = true,
                'x' => p.execute = true,
                'a' => p.attr = true,
                _ => return None,
            }
        }
        Some(p)
    }

    /// Changes to the file (writes and attribute changes such as chmod/chown) are recorded.
    pub fn records_changes(&self) -> bool {
        self.write && self.attr
    }
}

impl fmt::Display for Perms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (on, c) in [
            (self.read, 'r'),
            (self.write, 'w'),
            (self.execute, 'x'),
            (self.attr, 'a'),
        ] {
            if on {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// Which paths a rule matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `-F path=`: exactly this file.
    Path(String),
    /// `-w PATH` or `-F dir=`: this path and everything below it.
    Tree(String),
}

impl Scope {
    pub fn covers(&self, target: &str) -> bool {
        let target = normalize(target);
        match self {
            Scope::Path(p) => *p == target,
            Scope::Tree(p) => {
                *p == target
                    || p == "/"
                    || target
                        .strip_prefix(p.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            }
        }
    }
}

/// What one line of rules means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// A rule that audits (or, with `audit == false`, suppresses) access to a path.
    File {
        scope: Scope,
        perms: Perms,
        key: Option<String>,
        /// `false` for `never` rules.
        audit: bool,
        /// Added at the head of the list (`-A`) rather than appended.
        prepend: bool,
    },
    /// `-W PATH`: removes the watch on PATH.
    RemoveWatch(String),
    /// `-D`: deletes every rule loaded before it.
    DeleteAll,
    /// A valid rule that does not concern file paths (control options, syscall-only rules,
    /// other filter lists).
    Other,
    /// A line auditctl would reject, with the reason.
    Invalid(String),
}

/// One parsed line, with its position for evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleLine {
    /// The file (or `auditctl -l`) the line came from.
    pub source: String,
    /// 1-based line number in its source.
    pub line: usize,
    pub text: String,
    pub rule: Rule,
}

/// Parse rules text from `source`. Blank lines, comments and `No rules` are dropped; every other
/// line is kept.
pub fn parse(source: &str, text: &str) -> Vec<RuleLine> {
    text.lines()
        .enumerate()
        .filter_map(|(i, raw)| {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line == "No rules" {
                return None;
            }
            Some(RuleLine {
                source: source.to_string(),
                line: i + 1,
                text: line.to_string(),
                rule: parse_line(line),
            })
        })
        .collect()
}

fn parse_line(line: &str) -> Rule {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    match parse_tokens(&tokens) {
        Ok(rule) => rule,
        Err(e) => Rule::Invalid(e),
    }
}

fn parse_tokens(tokens: &[&str]) -> Result<Rule, String> {
    let mut watch: Option<String> = None;
    let mut remove_watch: Option<String> = None;
    let mut list_action: Option<(String, bool)> = None; // (list, prepend)
    let mut perms: Option<Perms> = None;
    let mut key: Option<String> = None;
    let mut path: Option<Scope> = None;
    let mut delete_all = false;
    let mut control = false;
    let mut i = 0;
    let value = |i: usize, opt: &str| -> Result<String, String> {
        tokens
            .get(i + 1)
            .map(|s| s.to_string())
            .ok_or_else(|| format!("option {opt} needs a value"))
    };
    while i < tokens.len() {
        let opt = tokens[i];
        match opt {
            "-w" => {
                watch = Some(value(i, opt)?);
                i += 2;
            }
            "-W" => {
                remove_watch = Some(value(i, opt)?);
                i += 2;
            }
            "-p" => {
                let v = value(i, opt)?;
                perms = Some(Perms::parse(&v).ok_or_else(|| format!("bad permissions {v:?}"))?);
                i += 2;
            }
            "-k" => {
                key = Some(value(i, opt)?);
                i += 2;
            }
            "-a" | "-A" | "-d" => {
                let v = value(i, opt)?;
                if opt == "-d" {
                    // Deleting one rule: not a rule that audits anything.
                    control = true;
                } else {
                    list_action = Some((v, opt == "-A"));
                }
                i += 2;
            }
            "-F" => {
                let v = value(i, opt)?;
                if let Some((name, val)) = v.split_once('=') {
                    // `!=`, `<=`, `>=` leave a trailing operator char on the name.
                    match name {
                        "path" => path = Some(Scope::Path(normalize(val))),
                        "dir" => path = Some(Scope::Tree(normalize(val))),
                        "perm" => {
                            perms = Some(
                                Perms::parse(val)
                                    .ok_or_else(|| format!("bad permissions {val:?}"))?,
                            )
                        }
                        "key" => key = Some(val.to_string()),
                        _ => {}
                    }
                } else if !v.contains(['<', '>', '&']) {
                    return Err(format!("bad field {v:?}"));
                }
                i += 2;
            }
            "-S"
            | "-C"
            | "-b"
            | "-e"
            | "-f"
            | "-r"
            | "--backlog_wait_time"
            | "-t"
            | "-q"
            | "-M"
            | "--reset-lost" => {
                value(i, opt)?;
                if opt != "-S" {
                    control = true;
                }
                i += 2;
            }
            "-D" => {
                delete_all = true;
                i += 1;
            }
            "-i" | "-c" | "--loginuid-immutable" | "--signal" | "-l" | "-s" | "-v" => {
                control = true;
                i += 1;
            }
            other => return Err(format!("unexpected {other:?}")),
        }
    }
    if delete_all {
        return Ok(Rule::DeleteAll);
    }
    if let Some(p) = remove_watch {
        return Ok(Rule::RemoveWatch(normalize(&p)));
    }
    if let Some(w) = watch {
        if list_action.is_some() {
            return Err("-w cannot be combined with -a".into());
        }
        return Ok(Rule::File {
            scope: Scope::Tree(normalize(&w)),
            perms: perms.unwrap_or(Perms::ALL),
            key,
            audit: true,
            prepend: false,
        });
    }
    if let Some((la, prepend)) = list_action {
        let (list, action) = split_list_action(&la)?;
        if list != "exit" {
            return Ok(Rule::Other);
        }
        return Ok(match path {
            Some(scope) => Rule::File {
                scope,
                // A path rule without `perm=` audits every listed syscall on the path.
                perms: perms.unwrap_or(Perms::ALL),
                key,
                audit: action == "always",
                prepend,
            },
            None => Rule::Other,
        });
    }
    if control || key.is_some() || perms.is_some() || path.is_some() {
        return Ok(Rule::Other);
    }
    Err("no rule".into())
}

/// `always,exit` or `exit,always` → (`exit`, `always`).
fn split_list_action(text: &str) -> Result<(&str, &str), String> {
    const LISTS: &[&str] = &[
        "task",
        "exit",
        "user",
        "exclude",
        "filesystem",
        "io_uring",
        "entry",
    ];
    const ACTIONS: &[&str] = &["always", "never"];
    let (a, b) = text
        .split_once(',')
        .ok_or_else(|| format!("bad list,action {text:?}"))?;
    if LISTS.contains(&a) && ACTIONS.contains(&b) {
        Ok((a, b))
    } else if ACTIONS.contains(&a) && LISTS.contains(&b) {
        Ok((b, a))
    } else {
        Err(format!("bad list,action {text:?}"))
    }
}

/// Paths as the kernel compares them: no trailing slash, no doubled slashes.
fn normalize(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for part in p.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(part);
    }
    if out.is_empty() { "/".into() } else { out }
}

/// A set of rules in load order, from one source (a file or `auditctl -l`).
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// Where the rules came from (file path or `auditctl -l`).
    pub source: String,
    pub lines: Vec<RuleLine>,
}

/// How a rule set treats one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage<'a> {
    /// The first matching rule audits the path and records changes.
    Recorded(&'a RuleLine),
    /// The first matching rule audits the path but misses writes or attribute changes.
    Weak(&'a RuleLine, Perms),
    /// The first matching rule is a `never` rule.
    Suppressed(&'a RuleLine),
    /// No rule matches.
    None,
}

impl RuleSet {
    pub fn new(source: impl Into<String>, text: &str) -> Self {
        let source = source.into();
        RuleSet {
            lines: parse(&source, text),
            source,
        }
    }

    /// Several sets loaded one after the other as one list (what augenrules does with
    /// `rules.d/*.rules`): a `-D` or `never` rule in one file affects the files after it.
    pub fn concat(source: impl Into<String>, parts: Vec<RuleSet>) -> Self {
        RuleSet {
            source: source.into(),
            lines: parts.into_iter().flat_map(|p| p.lines).collect(),
        }
    }

    /// Lines auditctl would reject.
    pub fn invalid(&self) -> impl Iterator<Item = &RuleLine> {
        self.lines
            .iter()
            .filter(|l| matches!(l.rule, Rule::Invalid(_)))
    }

    /// The file rules in force after loading every line, in the kernel's evaluation order.
    fn effective(&self) -> Vec<&RuleLine> {
        let mut list: Vec<&RuleLine> = Vec::new();
        for line in &self.lines {
            match &line.rule {
                Rule::DeleteAll => list.clear(),
                Rule::RemoveWatch(p) => list.retain(
                    |l| !matches!(&l.rule, Rule::File { scope: Scope::Tree(s), .. } if s == p),
                ),
                Rule::File { prepend: true, .. } => list.insert(0, line),
                Rule::File { .. } => list.push(line),
                Rule::Other | Rule::Invalid(_) => {}
            }
        }
        list
    }

    /// Whether the rules record changes to `target`: the first matching rule decides.
    pub fn coverage(&self, target: &str) -> Coverage<'_> {
        for line in self.effective() {
            if let Rule::File {
                scope,
                perms,
                audit,
                ..
            } = &line.rule
                && scope.covers(target)
            {
                return if !audit {
                    Coverage::Suppressed(line)
                } else if perms.records_changes() {
                    Coverage::Recorded(line)
                } else {
                    Coverage::Weak(line, *perms)
                };
            }
        }
        Coverage::None
    }
}

/// The rules file auditd loads (generated from `rules.d` by augenrules where that is used).
pub const AUDIT_RULES_FILE: &str = "/etc/audit/audit.rules";
/// Rule fragments augenrules merges into [`AUDIT_RULES_FILE`] when auditd starts.
pub const AUDIT_RULES_DIR: &str = "/etc/audit/rules.d";
/// Where the audit daemon is installed.
pub const AUDITD_BINARIES: &[&str] = &["/sbin/auditd", "/usr/sbin/auditd"];
/// Links that make systemd start auditd at boot.
pub const AUDITD_ENABLED_LINKS: &[&str] = &[
    "/etc/systemd/system/multi-user.target.wants/auditd.service",
    "/etc/systemd/system/sysinit.target.wants/auditd.service",
];

/// The rules files on the host, in the order they are loaded: `rules.d/*.rules` by name, then
/// `audit.rules`. Only names from the collected listing.
pub fn rules_file_paths(host: &HostFacts) -> Vec<String> {
    let mut out: Vec<String> = match host.dir_entries(AUDIT_RULES_DIR) {
        Ok(Some(names)) => names
            .iter()
            .filter(|n| n.ends_with(".rules"))
            .map(|n| format!("{AUDIT_RULES_DIR}/{n}"))
            .collect(),
        _ => vec![],
    };
    out.sort();
    out.push(AUDIT_RULES_FILE.to_string());
    out
}

/// What the host says about auditing: is auditd running, installed, enabled, and which rules
/// are loaded now or will be when it starts.
#[derive(Debug, Clone)]
pub struct AuditState {
    /// `Ok(Some(pid))` running, `Ok(None)` not in the process list, `Err` process list unknown.
    pub running: Result<Option<u32>, String>,
    /// The auditd executable found on the host.
    pub installed: Option<String>,
    /// The systemd link that starts auditd at boot.
    pub enabled: Option<String>,
    /// Rules loaded in the kernel (`auditctl -l`); `None` when not collected.
    pub loaded: Option<Result<RuleSet, String>>,
    /// Rules files that exist (`Err` when one could not be read or listed).
    pub files: Result<Vec<RuleSet>, String>,
}

impl AuditState {
    pub fn from_host(host: &HostFacts) -> AuditState {
        let running = host
            .processes_named("auditd")
            .map(|list| list.first().map(|p| p.pid))
            .map_err(|u| u.reason);
        let exists = |p: &str| matches!(host.file(p), Observed::Seen(_));
        let installed = AUDITD_BINARIES
            .iter()
            .find(|p| exists(p))
            .map(|p| p.to_string());
        let enabled = AUDITD_ENABLED_LINKS
            .iter()
            .find(|p| exists(p))
            .map(|p| p.to_string());
        let loaded = host.audit_rules_loaded.as_ref().map(|o| match o {
            Observed::Seen(text) => Ok(RuleSet::new("auditctl -l", text)),
            Observed::Unavailable(u) => Err(u.reason.clone()),
        });
        let files = (|| {
            host.dir_entries(AUDIT_RULES_DIR)?;
            let mut fragments = Vec::new();
            let mut sets = Vec::new();
            for path in rules_file_paths(host) {
                let set = match host.file_text(&path) {
                    Observed::Seen(text) => RuleSet::new(path.clone(), text),
                    Observed::Unavailable(u) if u.kind == UnavailableKind::NotFound => continue,
                    Observed::Unavailable(u) => return Err(u.reason),
                };
                if path == AUDIT_RULES_FILE {
                    sets.push(set);
                } else {
                    fragments.push(set);
                }
            }
            if !fragments.is_empty() {
                let label = format!("{AUDIT_RULES_DIR}/*.rules ({} files)", fragments.len());
                sets.insert(0, RuleSet::concat(label, fragments));
            }
            Ok(sets)
        })();
        AuditState {
            running,
            installed,
            enabled,
            loaded,
            files,
        }
    }
}

/// The strongest coverage of `target` among several rule sets, with the set it came from.
pub fn best_coverage<'a>(sets: &'a [RuleSet], target: &str) -> (Coverage<'a>, Option<&'a RuleSet>) {
    let rank = |c: &Coverage| match c {
        Coverage::Recorded(_) => 3,
        Coverage::Weak(..) => 2,
        Coverage::Suppressed(_) => 1,
        Coverage::None => 0,
    };
    let mut best = (Coverage::None, None);
    for set in sets {
        let c = set.coverage(target);
        if rank(&c) > rank(&best.0) {
            best = (c, Some(set));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(text: &str) -> Rule {
        parse("t", text).remove(0).rule
    }

    #[test]
    fn watch_rule_with_and_without_perms() {
        assert_eq!(
            first("-w /usr/bin/dockerd -k docker"),
            Rule::File {
                scope: Scope::Tree("/usr/bin/dockerd".into()),
                perms: Perms::ALL,
                key: Some("docker".into()),
                audit: true,
                prepend: false,
            }
        );
        let Rule::File { perms, .. } = first("-w /etc/docker/ -p wa -k docker") else {
            panic!()
        };
        assert_eq!(perms.to_string(), "wa");
    }

    #[test]
    fn syscall_rules_in_either_order() {
        for text in [
            "-a always,exit -F arch=b64 -S all -F path=/usr/bin/runc -F perm=rwxa -F key=docker",
            "-a exit,always -F path=/usr/bin/runc -F perm=wa -k docker",
        ] {
            let set = RuleSet::new("t", text);
            assert!(
                matches!(set.coverage("/usr/bin/runc"), Coverage::Recorded(_)),
                "{text}"
            );
            assert_eq!(set.coverage("/usr/bin/runc2"), Coverage::None, "{text}");
        }
    }

    #[test]
    fn comments_blank_lines_and_no_rules_are_ignored() {
        let set = RuleSet::new(
            "t",
            "# -w /usr/bin/dockerd -k docker\n\n   # indented -w /etc/docker\nNo rules\n-D\n",
        );
        assert_eq!(set.coverage("/usr/bin/dockerd"), Coverage::None);
        assert_eq!(set.coverage("/etc/docker"), Coverage::None);
    }

    #[test]
    fn directory_watch_covers_subtree_but_path_rule_does_not() {
        let set = RuleSet::new("t", "-w /etc/docker -k docker\n");
        assert!(matches!(
            set.coverage("/etc/docker/daemon.json"),
            Coverage::Recorded(_)
        ));
        assert_eq!(set.coverage("/etc/dockerfoo"), Coverage::None);
        let set = RuleSet::new("t", "-a always,exit -F path=/etc/docker -F perm=wa\n");
        assert_eq!(set.coverage("/etc/docker/daemon.json"), Coverage::None);
    }

    #[test]
    fn never_rule_first_suppresses_and_order_matters() {
        let set = RuleSet::new(
            "t",
            "-a never,exit -F dir=/var/lib/docker\n-w /var/lib/docker -k docker\n",
        );
        assert!(matches!(
            set.coverage("/var/lib/docker"),
            Coverage::Suppressed(_)
        ));
        let set = RuleSet::new(
            "t",
            "-w /var/lib/docker -k docker\n-A exit,never -F dir=/var/lib/docker\n",
        );
        assert!(matches!(
            set.coverage("/var/lib/docker"),
            Coverage::Suppressed(_)
        ));
    }

    #[test]
    fn delete_all_and_remove_watch_drop_earlier_rules() {
        let set = RuleSet::new("t", "-w /etc/docker -k d\n-D\n-b 8192\n");
        assert_eq!(set.coverage("/etc/docker"), Coverage::None);
        let set = RuleSet::new("t", "-w /etc/docker -k d\n-W /etc/docker\n");
        assert_eq!(set.coverage("/etc/docker"), Coverage::None);
    }

    #[test]
    fn read_only_watch_is_weak() {
        let set = RuleSet::new("t", "-w /usr/bin/dockerd -p x -k d\n");
        let Coverage::Weak(_, perms) = set.coverage("/usr/bin/dockerd") else {
            panic!()
        };
        assert_eq!(perms.to_string(), "x");
    }

    #[test]
    fn invalid_lines_are_reported_not_counted() {
        let set = RuleSet::new(
            "t",
            "-w /usr/bin/dockerd -p q\n-a sometimes,exit -F path=/x\n-w\n-w /etc/docker -k d # note\n",
        );
        assert_eq!(set.invalid().count(), 4);
        assert_eq!(set.coverage("/usr/bin/dockerd"), Coverage::None);
        assert_eq!(set.coverage("/etc/docker"), Coverage::None);
    }

    #[test]
    fn concatenated_files_share_one_order() {
        let set = RuleSet::concat(
            "rules.d",
            vec![
                RuleSet::new("00-exclude.rules", "-a never,exit -F dir=/var/lib/docker\n"),
                RuleSet::new("docker.rules", "-w /var/lib/docker -k docker\n"),
            ],
        );
        let Coverage::Suppressed(line) = set.coverage("/var/lib/docker/x") else {
            panic!()
        };
        assert_eq!((line.source.as_str(), line.line), ("00-exclude.rules", 1));
    }

    #[test]
    fn trailing_slashes_and_double_slashes_normalize() {
        let set = RuleSet::new("t", "-w //etc//docker/ -k d\n");
        assert!(matches!(
            set.coverage("/etc/docker/"),
            Coverage::Recorded(_)
        ));
    }
}
