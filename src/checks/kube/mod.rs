//! CIS Kubernetes Benchmark v1.12 (Kubernetes 1.32–1.34), one file per benchmark section, and
//! the evaluators they share: a component flag against an expectation (with the component's
//! real default when the flag is unset), a kubelet setting (flag over config file), file mode
//! and owner.

pub mod apiserver;
pub mod control_plane_config;
pub mod controller_manager;
pub mod etcd;
pub mod files;
pub mod kubelet;
pub mod policies;
pub mod proxy;
pub mod scheduler;

use serde_json::Value;

use super::evaluators::file_perms::{self, FileRule, FileTarget};
use super::{Benchmark, Check, Context, ObjectOutcome, Outcome, Verdict};
use crate::facts::kube::{
    ComponentFact, ComponentKind, ComponentSource, ConfigDoc, Flags, KubeFacts, NamedFile,
    config_path, parse_go_bool, value_text,
};
use crate::facts::{HostFacts, Observed, UnavailableKind};

/// Every Kubernetes section's checks.
pub const SECTIONS: &[&[Check]] = &[
    files::CHECKS,
    apiserver::CHECKS,
    controller_manager::CHECKS,
    scheduler::CHECKS,
    etcd::CHECKS,
    control_plane_config::CHECKS,
    kubelet::CHECKS,
    proxy::CHECKS,
    policies::CHECKS,
];

pub(crate) const K112: Benchmark = Benchmark::CisKubernetes112;
#[allow(dead_code)]
pub(crate) const OWN: Benchmark = Benchmark::Threatbench;

pub(crate) const API: ComponentKind = ComponentKind::KubeApiserver;
pub(crate) const KCM: ComponentKind = ComponentKind::KubeControllerManager;
pub(crate) const SCHED: ComponentKind = ComponentKind::KubeScheduler;
pub(crate) const ETCD: ComponentKind = ComponentKind::Etcd;
pub(crate) const KUBELET: ComponentKind = ComponentKind::Kubelet;
pub(crate) const PROXY: ComponentKind = ComponentKind::KubeProxy;

/// The versions whose defaults the checks encode.
pub(crate) const DEFAULTS_OF: &str = "Kubernetes 1.32–1.34";

/// Why nothing Kubernetes was found, for the skip of every node check.
pub(crate) fn no_kubernetes(kube: &KubeFacts) -> String {
    let places = if kube.searched.is_empty() {
        "/proc and /etc/kubernetes/manifests".to_string()
    } else {
        join_and(&kube.searched)
    };
    format!("no Kubernetes component found on this host (looked in {places})")
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The component, or the `skip` outcome that says why it is not on this node.
pub(crate) fn component<'a>(
    ctx: &'a Context,
    kind: ComponentKind,
) -> Result<&'a ComponentFact, Outcome> {
    let kube = &ctx.facts.kube;
    if let Some(c) = kube.component(kind) {
        return Ok(c);
    }
    if !kube.any_component() {
        return Err(Outcome::skip(no_kubernetes(kube)));
    }
    let role = if kube.has_control_plane() {
        "this control-plane node"
    } else {
        "this worker node (no control-plane component)"
    };
    let hint = match kind {
        ComponentKind::KubeProxy => {
            "; kube-proxy usually runs as a DaemonSet pod, visible in /proc only with hostPID"
        }
        ComponentKind::Etcd => "; etcd may run on separate hosts (external etcd)",
        _ => "",
    };
    Err(Outcome::skip(format!(
        "{} not found on {role} (looked in {}){hint}",
        kind.name(),
        join_and(&kube.searched)
    )))
}

/// `[source]` suffix for evidence.
pub(crate) fn from(c: &ComponentFact) -> String {
    format!("[{}]", c.source.describe())
}

/// What a flag must be.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Expect {
    /// Present with a non-empty value.
    Set,
    /// Absent.
    Unset,
    /// A boolean flag with this value.
    Bool(bool),
    /// A comma-separated list containing this element.
    Contains(&'static str),
    /// A comma-separated list without this element.
    Lacks(&'static str),
    /// An integer at least this large.
    AtLeast(i64),
    /// A listen address on the loopback interface (`127.0.0.1`, `::1`, `localhost`).
    Loopback,
}

impl Expect {
    fn describe(self, flag: &str) -> String {
        match self {
            Expect::Set => format!("--{flag} set"),
            Expect::Unset => format!("--{flag} not set"),
            Expect::Bool(b) => format!("--{flag}={b}"),
            Expect::Contains(x) => format!("--{flag} containing {x}"),
            Expect::Lacks(x) => format!("--{flag} without {x}"),
            Expect::AtLeast(n) => format!("--{flag} >= {n}"),
            Expect::Loopback => format!("--{flag} on 127.0.0.1"),
        }
    }

    /// Whether an explicit value meets the expectation (`Err` with why it cannot be read).
    fn holds(self, value: &str) -> Result<bool, String> {
        match self {
            Expect::Set => Ok(!value.trim().is_empty()),
            Expect::Unset => Ok(false),
            Expect::Bool(want) => parse_go_bool(value)
                .map(|b| b == want)
                .ok_or_else(|| format!("{value:?} is not a boolean")),
            Expect::Contains(x) => Ok(split_list(value).iter().any(|v| v == x)),
            Expect::Lacks(x) => Ok(!split_list(value).iter().any(|v| v == x)),
            Expect::AtLeast(n) => value
                .trim()
                .parse::<i64>()
                .map(|v| v >= n)
                .map_err(|_| format!("{value:?} is not an integer")),
            Expect::Loopback => Ok(is_loopback(value)),
        }
    }
}

pub(crate) fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// `127.0.0.1`, `127.0.0.1:10249`, `[::1]:10249`, `localhost:x`.
pub(crate) fn is_loopback(addr: &str) -> bool {
    let a = addr.trim();
    let host = if let Some(rest) = a.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else if a.matches(':').count() == 1 {
        a.split(':').next().unwrap_or("")
    } else {
        a
    };
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

/// A component flag rule: the flag, what it must be, and the component's default when unset.
pub(crate) struct FlagRule {
    pub kind: ComponentKind,
    pub flag: &'static str,
    pub expect: Expect,
    /// The component's default value when the flag is not given (`None`: nothing, e.g. no file).
    pub default: Option<&'static str>,
    /// Verdict when the expectation does not hold: `Fail` for automated items, `Warn` for
    /// manual ones.
    pub otherwise: Verdict,
}

/// Evaluate a component flag rule, naming the value, where it was read and any default.
pub(crate) fn flag_rule(ctx: &Context, rule: FlagRule) -> Outcome {
    let c = match component(ctx, rule.kind) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let flags = c.flags();
    let verdict = |ok: bool| if ok { Verdict::Pass } else { rule.otherwise };
    let want = rule.expect.describe(rule.flag);
    // List flags gather every occurrence; scalars keep the last.
    let list_like = matches!(rule.expect, Expect::Contains(_) | Expect::Lacks(_));
    let value = if list_like {
        flags.list(rule.flag).map(|l| l.join(","))
    } else {
        flags.value(rule.flag)
    };
    let outcome = match value {
        Some(v) => {
            let written = flags.written(rule.flag).unwrap_or_default();
            match rule.expect.holds(&v) {
                Ok(ok) => Outcome::new(
                    verdict(ok),
                    format!("`{written}` (want {want}) {}", from(c)),
                ),
                Err(why) => Outcome::new(
                    rule.otherwise,
                    format!("`{written}`: {why} (want {want}) {}", from(c)),
                ),
            }
        }
        None if c.is_wrapped() => Outcome::warn(format!(
            "--{} not passed; the wrapper applies its own value, review it (want {want}) {}",
            rule.flag,
            from(c)
        )),
        None => match (rule.expect, rule.default) {
            (Expect::Unset, _) => Outcome::pass(format!("--{} not set {}", rule.flag, from(c))),
            (_, Some(d)) => {
                let ok = rule.expect.holds(d).unwrap_or(false);
                Outcome::new(
                    verdict(ok),
                    format!(
                        "--{} not set: {} default is {d} ({DEFAULTS_OF}) (want {want}) {}",
                        rule.flag,
                        rule.kind.name(),
                        from(c)
                    ),
                )
            }
            (Expect::Lacks(_), None) => {
                Outcome::pass(format!("--{} not set (want {want}) {}", rule.flag, from(c)))
            }
            (_, None) => Outcome::new(
                rule.otherwise,
                format!(
                    "--{} not set, no default (want {want}) {}",
                    rule.flag,
                    from(c)
                ),
            ),
        },
    };
    at_flag(c, rule.flag, outcome)
}

/// Where a component's flag is written: its static pod manifest, else its systemd unit (the
/// running process's command line is no file to open).
pub(crate) fn at_flag(c: &ComponentFact, flag: &str, outcome: Outcome) -> Outcome {
    let key = format!("--{flag}");
    match (&c.manifest, &c.source) {
        (Some(m), _) => {
            let mut outcome = outcome.at(&m.path, Some(&key));
            if let Some(source) = &mut outcome.source {
                source.line = m.flag_lines.get(flag).copied();
            }
            outcome
        }
        (None, ComponentSource::StaticPod { manifest, .. }) => outcome.at(manifest, Some(&key)),
        (None, ComponentSource::Systemd { unit, .. }) => outcome.at(unit, Some(&key)),
        _ => outcome,
    }
}

/// Every flag of `names` must be set (e.g. a certificate and its key).
pub(crate) fn all_set(
    ctx: &Context,
    kind: ComponentKind,
    names: &[&str],
    otherwise: Verdict,
) -> Outcome {
    let c = match component(ctx, kind) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let flags = c.flags();
    let mut seen = Vec::new();
    let mut missing = Vec::new();
    for n in names {
        match flags.last(n) {
            Some(f) if f.value.as_deref().is_some_and(|v| !v.is_empty()) => {
                seen.push(format!("`{}`", f.written))
            }
            _ => missing.push(format!("--{n}")),
        }
    }
    if missing.is_empty() {
        Outcome::pass(format!("{} {}", seen.join(", "), from(c)))
    } else if c.is_wrapped() {
        Outcome::warn(format!(
            "{} not passed; the wrapper may set them itself, review {}",
            missing.join(", "),
            from(c)
        ))
    } else {
        let mut ev = format!("{} not set", missing.join(", "));
        if !seen.is_empty() {
            ev.push_str(&format!(" (set: {})", seen.join(", ")));
        }
        Outcome::new(otherwise, format!("{ev} {}", from(c)))
    }
}

/// A manual item: always a review, with what to look at and the evidence at hand.
pub(crate) fn review(ctx: &Context, kind: Option<ComponentKind>, what: &str) -> Outcome {
    match kind {
        Some(k) => match component(ctx, k) {
            Ok(c) => Outcome::warn(format!("{what} {}", from(c))),
            Err(o) => o,
        },
        None if !ctx.facts.kube.any_component() && ctx.facts.kube.cluster.is_none() => {
            Outcome::skip(no_kubernetes(&ctx.facts.kube))
        }
        None => Outcome::warn(what.to_string()),
    }
}

/// Where an effective kubelet setting came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum KubeletValue {
    /// A command-line flag (wins over the file).
    Flag { value: String, written: String },
    /// The config file.
    File {
        value: Value,
        path: String,
        key: String,
    },
    /// Neither: the default applies.
    Default {
        value: Option<&'static str>,
        basis: String,
    },
}

impl KubeletValue {
    pub fn text(&self) -> Option<String> {
        match self {
            KubeletValue::Flag { value, .. } => Some(value.clone()),
            KubeletValue::File { value, .. } => Some(value_text(value)),
            KubeletValue::Default { value, .. } => value.map(str::to_string),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            KubeletValue::Flag { written, .. } => {
                format!("`{written}` (flag, overrides the config file)")
            }
            KubeletValue::File { value, path, key } => {
                format!("{key}: {} in {path}", value_text(value))
            }
            KubeletValue::Default { value, basis } => match value {
                Some(v) => format!("not set: default {v} ({basis})"),
                None => format!("not set ({basis})"),
            },
        }
    }
}

/// A kubelet setting: its flag, its config-file key, and the defaults for each mode (the
/// kubelet applies different defaults when it runs without a config file).
pub(crate) struct KubeletKey {
    pub flag: &'static str,
    pub key: &'static str,
    /// Default when the kubelet runs on command-line flags only.
    pub flag_default: Option<&'static str>,
    /// Default when a KubeletConfiguration file is used.
    pub file_default: Option<&'static str>,
}

/// The kubelet and its effective value for a setting, or the outcome that says why not.
pub(crate) fn kubelet_value<'a>(
    ctx: &'a Context,
    k: &KubeletKey,
) -> Result<(&'a ComponentFact, KubeletValue), Outcome> {
    let c = component(ctx, KUBELET)?;
    let flags = c.flags();
    if let Some(f) = flags.last(k.flag) {
        return Ok((
            c,
            KubeletValue::Flag {
                value: f.value.clone().unwrap_or_else(|| "true".into()),
                written: f.written.clone(),
            },
        ));
    }
    let cfg: Option<&ConfigDoc> = ctx.facts.kube.kubelet_config.as_ref();
    match cfg.map(|c| &c.doc) {
        Some(Observed::Seen(doc)) => {
            let cfg = cfg.expect("checked above");
            match config_path(doc, k.key).filter(|v| !v.is_null()) {
                Some(v) => Ok((
                    c,
                    KubeletValue::File {
                        value: v.clone(),
                        path: cfg.path.clone(),
                        key: k.key.to_string(),
                    },
                )),
                None => Ok((
                    c,
                    KubeletValue::Default {
                        value: k.file_default,
                        basis: format!(
                            "--{} not given and {} absent from {}: KubeletConfiguration default, {DEFAULTS_OF}",
                            k.flag, k.key, cfg.path
                        ),
                    },
                )),
            }
        }
        Some(Observed::Unavailable(u)) => {
            let cfg = cfg.expect("checked above");
            Err(Outcome::error(format!(
                "--{} not given and the kubelet config file cannot be read: {} (named by {}) {}",
                k.flag,
                u.reason,
                cfg.named_by,
                from(c)
            )))
        }
        None if c.is_wrapped() => Err(Outcome::warn(format!(
            "--{} not passed; the wrapper writes its own kubelet configuration, review {} {}",
            k.flag,
            k.key,
            from(c)
        ))),
        None => Ok((
            c,
            KubeletValue::Default {
                value: k.flag_default,
                basis: format!(
                    "--{} not given and no config file: command-line default, {DEFAULTS_OF}",
                    k.flag
                ),
            },
        )),
    }
}

/// Evaluate a kubelet setting against an expectation.
pub(crate) fn kubelet_rule(
    ctx: &Context,
    k: &KubeletKey,
    expect: Expect,
    otherwise: Verdict,
) -> Outcome {
    let (c, v) = match kubelet_value(ctx, k) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let want = expect.describe(k.flag);
    let caveat = flags_caveat(c);
    let source = match &v {
        KubeletValue::File { path, key, .. } => Some((path.clone(), Some(key.clone()))),
        KubeletValue::Default { .. } => ctx
            .facts
            .kube
            .kubelet_config
            .as_ref()
            .map(|cfg| (cfg.path.clone(), None)),
        _ => None,
    };
    let outcome = match v.text() {
        None => {
            let ok = matches!(expect, Expect::Unset | Expect::Lacks(_));
            Outcome::new(
                if ok { Verdict::Pass } else { otherwise },
                format!("{} (want {want}){caveat} {}", v.describe(), from(c)),
            )
        }
        Some(text) => match expect.holds(&text) {
            Ok(ok) => Outcome::new(
                if ok { Verdict::Pass } else { otherwise },
                format!("{} (want {want}){caveat} {}", v.describe(), from(c)),
            ),
            Err(why) => Outcome::new(
                otherwise,
                format!("{}: {why} (want {want}) {}", v.describe(), from(c)),
            ),
        },
    };
    match source {
        Some((path, key)) => outcome.at(&path, key.as_deref()),
        None => at_flag(c, k.flag, outcome),
    }
}

/// When the kubelet's flags are unknown, a flag could override what the file says.
pub(crate) fn flags_caveat(c: &ComponentFact) -> &'static str {
    if matches!(c.source, ComponentSource::ConfigOnly { .. }) {
        "; kubelet flags not visible, a flag could override this"
    } else {
        ""
    }
}

/// What to conclude when a file does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WhenMissing {
    /// The file is optional here (a default path, a file some versions do not write).
    Skip,
    /// A flag names the file, so its absence is itself something to look at.
    Error,
}

/// A file to examine and why.
#[derive(Debug, Clone)]
pub(crate) struct Target<'a> {
    pub path: &'a str,
    /// What names the file (a flag, a default path), for evidence.
    pub named_by: &'a str,
    pub missing: WhenMissing,
}

/// A file named by the node's configuration, as a check target.
pub(crate) fn target(f: &NamedFile, missing: WhenMissing) -> Target<'_> {
    Target {
        path: &f.path,
        named_by: &f.named_by,
        missing,
    }
}

/// Ancestors of a path, nearest first (`/a/b/c` → `/a/b`, `/a`, `/`).
pub(crate) fn ancestors(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = std::path::Path::new(path).parent();
    while let Some(d) = cur {
        let s = d.display().to_string();
        if s.is_empty() {
            break;
        }
        out.push(s);
        cur = d.parent();
    }
    out
}

/// Parent directories through which others can replace the file whatever its own mode:
/// writable by others (no sticky bit), by a non-root group, or owned by a non-root user.
fn writable_parents(host: &HostFacts, path: &str) -> Vec<String> {
    ancestors(path)
        .into_iter()
        .filter_map(|d| match host.file(&d) {
            Observed::Seen(s) => {
                let sticky = s.mode & 0o1000 != 0;
                let other_w = s.mode & 0o002 != 0 && !sticky;
                let group_w = s.mode & 0o020 != 0 && s.gid != 0 && !sticky;
                (other_w || group_w || s.uid != 0)
                    .then(|| format!("{d} {} {}", s.mode_octal(), host.owner_text(s)))
            }
            _ => None,
        })
        .collect()
}

/// The nearest parent that keeps other users out (root's, no search bit for others).
fn shielding_parent(host: &HostFacts, path: &str) -> Option<String> {
    ancestors(path)
        .into_iter()
        .find_map(|d| match host.file(&d) {
            Observed::Seen(s) if s.mode & 0o001 == 0 && s.uid == 0 => {
                Some(format!("{d} {} {}", s.mode_octal(), host.owner_text(s)))
            }
            _ => None,
        })
}

fn parent_text(host: &HostFacts, path: &str) -> String {
    match ancestors(path).first() {
        Some(d) => match host.file(d) {
            Observed::Seen(s) => format!("; parent {d} {} {}", s.mode_octal(), host.owner_text(s)),
            Observed::Unavailable(u) => format!("; parent {d}: {}", u.reason),
        },
        None => String::new(),
    }
}

/// Judge one file with the shared evaluator, then add what the parent directories change:
/// the parent in the evidence, a parent that shields a too-open file, and a parent through
/// which others could replace a file whose own mode is fine.
pub(crate) fn judge_file(host: &HostFacts, t: &Target, rule: FileRule) -> ObjectOutcome {
    let o = file_perms::judge_one(host, &FileTarget::new(t.path, t.named_by), rule);
    let mut verdict = o.verdict;
    let mut evidence = o.evidence;
    if verdict == Verdict::Skip && t.missing == WhenMissing::Error {
        verdict = Verdict::Error;
    }
    if matches!(verdict, Verdict::Pass | Verdict::Fail) {
        evidence.push_str(&parent_text(host, t.path));
        if let FileRule::ModeAtMost(_) = rule {
            let writable = writable_parents(host, t.path);
            if verdict == Verdict::Fail {
                if let Some(shield) = shielding_parent(host, t.path) {
                    evidence.push_str(&format!(
                        "; other users cannot reach it through {shield}, which limits the exposure"
                    ));
                }
            } else if !writable.is_empty() {
                verdict = Verdict::Fail;
                evidence.push_str(&format!(
                    "; but a parent directory lets others replace it: {}",
                    writable.join(", ")
                ));
            }
        }
    }
    ObjectOutcome {
        kind: "file",
        name: t.path.to_string(),
        id: None,
        verdict,
        evidence,
    }
}

/// Combine per-file outcomes; no file at all is a skip with `none`.
pub(crate) fn files_outcome(objects: Vec<ObjectOutcome>, none: &str) -> Outcome {
    if objects.is_empty() {
        return Outcome::skip(none.to_string());
    }
    // One file: its evidence (which names it) is the check's, with no repeated object line.
    if let [only] = objects.as_slice() {
        return Outcome::new(only.verdict, only.evidence.clone());
    }
    Outcome::from_objects("files", objects)
}

/// Mode check over files, with the verdict on failure given (`Warn` for manual items).
pub(crate) fn modes(
    ctx: &Context,
    targets: &[Target],
    max: u32,
    otherwise: Verdict,
    none: &str,
) -> Outcome {
    let objects = targets
        .iter()
        .map(|t| {
            soften(
                judge_file(&ctx.facts.host, t, FileRule::ModeAtMost(max)),
                otherwise,
            )
        })
        .collect();
    files_outcome(objects, none)
}

/// Owner check over files.
pub(crate) fn owners(
    ctx: &Context,
    targets: &[Target],
    user: &str,
    group: &str,
    otherwise: Verdict,
    none: &str,
) -> Outcome {
    let objects = targets
        .iter()
        .map(|t| {
            soften(
                judge_file(&ctx.facts.host, t, FileRule::Owner { user, group }),
                otherwise,
            )
        })
        .collect();
    files_outcome(objects, none)
}

fn soften(mut o: ObjectOutcome, otherwise: Verdict) -> ObjectOutcome {
    if o.verdict == Verdict::Fail {
        o.verdict = otherwise;
    }
    o
}

/// Parsed flags of a component, when it is on this node.
#[allow(dead_code)]
pub(crate) fn flags_of(ctx: &Context, kind: ComponentKind) -> Option<Flags> {
    ctx.facts.kube.component(kind).map(ComponentFact::flags)
}

/// A config document named by kube-apiserver (`encryption`, `admission`, ...).
pub(crate) fn apiserver_doc<'a>(ctx: &'a Context, role: &str) -> Option<&'a ConfigDoc> {
    ctx.facts.kube.apiserver_configs.get(role)
}

/// Error outcome for an unreadable config document.
pub(crate) fn unreadable(doc: &ConfigDoc) -> Option<Outcome> {
    match &doc.doc {
        Observed::Seen(_) => None,
        Observed::Unavailable(u) => Some(Outcome::error(format!(
            "{} (named by {}){}",
            u.reason,
            doc.named_by,
            if u.kind == UnavailableKind::NotFound {
                ": the flag names a file the host does not have"
            } else {
                ""
            }
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_addresses() {
        assert!(is_loopback("127.0.0.1"));
        assert!(is_loopback("127.0.0.1:10249"));
        assert!(is_loopback("[::1]:10249"));
        assert!(is_loopback("localhost:10249"));
        assert!(!is_loopback("0.0.0.0:10249"));
        assert!(!is_loopback("0.0.0.0"));
        assert!(!is_loopback(""));
    }

    #[test]
    fn list_expectations_parse_elements_not_substrings() {
        assert_eq!(Expect::Contains("RBAC").holds("Node,RBAC"), Ok(true));
        assert_eq!(Expect::Contains("RBAC").holds("Node,NotRBAC"), Ok(false));
        assert_eq!(
            Expect::Lacks("AlwaysAllow").holds("Node, AlwaysAllow"),
            Ok(false)
        );
        assert_eq!(Expect::AtLeast(30).holds("30"), Ok(true));
        assert!(Expect::AtLeast(30).holds("thirty").is_err());
        assert_eq!(Expect::Bool(false).holds("False"), Ok(true));
    }
}
