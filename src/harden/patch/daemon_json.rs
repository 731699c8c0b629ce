//! daemon.json patches: a minimal textual edit of the file as it is, so every unrelated key, its
//! order, the indentation style and the surrounding whitespace stay exactly as the person wrote
//! them. The edit is validated by parsing the result and comparing it with the intended
//! configuration, and checked against the dockerd command line (a key set both as a flag and in
//! the file makes dockerd refuse to start).
//!
//! Own scanner rather than a JSON library: serde_json (even with preserve_order) re-serialises the
//! whole document, losing the author's indentation and spacing; no maintained crate edits JSON
//! text in place. The scanner only needs the spans of the top-level members.

use serde_json::{Map, Value};

use crate::facts::ProcessFact;
use crate::facts::daemon_config::{ConfigFile, DaemonConfig};
use crate::harden::patch::shell;

/// One change to a top-level daemon.json key.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    Set(String, Value),
    Remove(String),
}

impl Edit {
    pub fn key(&self) -> &str {
        match self {
            Edit::Set(k, _) | Edit::Remove(k) => k,
        }
    }

    /// `key=value` or `remove key`, for summaries.
    pub fn describe(&self) -> String {
        match self {
            Edit::Set(k, v) => format!("\"{k}\": {v}"),
            Edit::Remove(k) => format!("remove \"{k}\""),
        }
    }
}

/// Options dockerd re-reads on SIGHUP (`configuration reload behavior` in the dockerd
/// reference); every other key needs a restart.
pub const RELOADABLE_KEYS: &[&str] = &[
    "debug",
    "labels",
    "live-restore",
    "max-concurrent-downloads",
    "max-concurrent-uploads",
    "max-download-attempts",
    "shutdown-timeout",
    "insecure-registries",
    "registry-mirrors",
    "authorization-plugins",
    "default-runtime",
    "runtimes",
    "features",
    "allow-nondistributable-artifacts",
];

pub fn is_reloadable(key: &str) -> bool {
    RELOADABLE_KEYS.contains(&key)
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    #[error("invalid JSON: {0}")]
    Invalid(String),
    #[error("the top level is not a JSON object")]
    NotAnObject,
    #[error("key \"{0}\" appears more than once at the top level; fix the file by hand first")]
    DuplicateKey(String),
    #[error("internal error: the edited text does not parse to the intended configuration")]
    Verification,
}

/// A top-level member's spans in the text.
#[derive(Debug, Clone)]
struct Member {
    key: String,
    key_start: usize,
    value_start: usize,
    value_end: usize,
}

#[derive(Debug)]
struct Layout {
    open: usize,
    close: usize,
    members: Vec<Member>,
}

/// Apply `edits` to daemon.json text (`None`: the file does not exist). The result keeps the
/// original bytes outside the edited members.
pub fn merge(original: Option<&str>, edits: &[Edit]) -> Result<String, MergeError> {
    let text = original.unwrap_or("");
    let mut intended: Map<String, Value> = if text.trim().is_empty() {
        Map::new()
    } else {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err(MergeError::NotAnObject),
            Err(e) => return Err(MergeError::Invalid(e.to_string())),
        }
    };
    for edit in edits {
        match edit {
            Edit::Set(k, v) => {
                intended.insert(k.clone(), v.clone());
            }
            Edit::Remove(k) => {
                intended.shift_remove(k);
            }
        }
    }
    let out = if text.trim().is_empty() {
        fresh(edits)
    } else {
        edit_text(text, edits)?
    };
    match serde_json::from_str::<Value>(&out) {
        Ok(Value::Object(m)) if m == intended => Ok(out),
        _ => Err(MergeError::Verification),
    }
}

/// A new file: two-space indentation, as Docker's documentation writes daemon.json.
fn fresh(edits: &[Edit]) -> String {
    let members: Vec<String> = edits
        .iter()
        .filter_map(|e| match e {
            Edit::Set(k, v) => Some(format!(
                "  {}: {}",
                Value::String(k.clone()),
                render(v, "  ", "  ")
            )),
            Edit::Remove(_) => None,
        })
        .collect();
    if members.is_empty() {
        return "{}\n".into();
    }
    format!("{{\n{}\n}}\n", members.join(",\n"))
}

fn edit_text(text: &str, edits: &[Edit]) -> Result<String, MergeError> {
    let layout = scan(text)?;
    for edit in edits {
        if layout
            .members
            .iter()
            .filter(|m| m.key == edit.key())
            .count()
            > 1
        {
            return Err(MergeError::DuplicateKey(edit.key().to_string()));
        }
    }
    let multiline = text[layout.open..layout.close].contains('\n');
    let first = layout.members.first();
    // The member indentation and the key/value separator as the author wrote them.
    let indent = first
        .map(|m| {
            let line_start = text[..m.key_start].rfind('\n').map_or(0, |i| i + 1);
            let lead = &text[line_start..m.key_start];
            if lead.trim().is_empty() && line_start > layout.open {
                lead.to_string()
            } else {
                "  ".to_string()
            }
        })
        .unwrap_or_else(|| "  ".into());
    let separator = first
        .map(|m| {
            let key_end = m.key_start + string_len(&text[m.key_start..]);
            text[key_end..m.value_start].to_string()
        })
        .unwrap_or_else(|| ": ".into());
    let unit = indent.clone();

    // Replacements as (start, end, text), applied from the end so offsets stay valid.
    let mut replacements: Vec<(usize, usize, String)> = Vec::new();
    let mut appended: Vec<String> = Vec::new();
    let mut removed: Vec<usize> = Vec::new();
    for edit in edits {
        let idx = layout.members.iter().position(|m| m.key == edit.key());
        match (edit, idx) {
            (Edit::Set(_, v), Some(i)) => {
                let m = &layout.members[i];
                let value = if multiline {
                    render(v, &indent, &unit)
                } else {
                    v.to_string()
                };
                replacements.push((m.value_start, m.value_end, value));
            }
            (Edit::Set(k, v), None) => {
                let value = if multiline {
                    render(v, &indent, &unit)
                } else {
                    v.to_string()
                };
                appended.push(format!("{}{separator}{value}", Value::String(k.clone())));
            }
            (Edit::Remove(_), Some(i)) => removed.push(i),
            (Edit::Remove(_), None) => {}
        }
    }
    let first_kept = (0..layout.members.len()).find(|i| !removed.contains(i));
    match first_kept {
        None if !removed.is_empty() => {
            replacements.push((layout.open + 1, layout.close, String::new()))
        }
        None => {}
        Some(first_kept) => {
            for &i in &removed {
                let span = if i < first_kept {
                    // Before any kept member: up to the next member's key, comma included.
                    (layout.members[i].key_start, layout.members[i + 1].key_start)
                } else {
                    // After a kept member: from the previous member's end, dropping the comma.
                    (layout.members[i - 1].value_end, layout.members[i].value_end)
                };
                replacements.push((span.0, span.1, String::new()));
            }
        }
    }
    let remaining = layout.members.len() - removed.len();
    if !appended.is_empty() {
        let insert_at = layout
            .members
            .iter()
            .enumerate()
            .rev()
            .find(|(i, _)| !removed.contains(i))
            .map(|(_, m)| m.value_end);
        let (at, piece) = match (insert_at, multiline || remaining == 0) {
            (Some(end), true) => (
                end,
                appended
                    .iter()
                    .map(|a| format!(",\n{indent}{a}"))
                    .collect::<String>(),
            ),
            (Some(end), false) => (
                end,
                appended
                    .iter()
                    .map(|a| format!(", {a}"))
                    .collect::<String>(),
            ),
            (None, _) => {
                // No member left: fill the braces, keeping what follows the closing brace.
                let body = appended
                    .iter()
                    .map(|a| format!("{indent}{a}"))
                    .collect::<Vec<_>>()
                    .join(",\n");
                replacements.retain(|r| !(r.0 == layout.open + 1 && r.1 == layout.close));
                (layout.open + 1, format!("\n{body}\n"))
            }
        };
        if insert_at.is_none() {
            replacements.push((layout.open + 1, layout.close, piece));
        } else {
            replacements.push((at, at, piece));
        }
    }
    replacements.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let mut out = text.to_string();
    for (start, end, piece) in replacements {
        out.replace_range(start..end, &piece);
    }
    Ok(out)
}

/// Pretty-print a value placed after `indent` (objects and arrays span lines, indented by `unit`).
fn render(v: &Value, indent: &str, unit: &str) -> String {
    match v {
        Value::Array(a) if !a.is_empty() => pretty(v, indent, unit),
        Value::Object(o) if !o.is_empty() => pretty(v, indent, unit),
        other => other.to_string(),
    }
}

fn pretty(v: &Value, indent: &str, unit: &str) -> String {
    use serde::Serialize;
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(unit.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    if v.serialize(&mut ser).is_err() {
        return v.to_string();
    }
    let text = String::from_utf8(buf).unwrap_or_else(|_| v.to_string());
    text.replace('\n', &format!("\n{indent}"))
}

/// Length in bytes of the JSON string literal at the start of `s`.
fn string_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Find the top-level object and its members' spans. The text is known to be valid JSON.
fn scan(text: &str) -> Result<Layout, MergeError> {
    let bytes = text.as_bytes();
    let skip_ws = |mut i: usize| {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        i
    };
    let open = skip_ws(0);
    if bytes.get(open) != Some(&b'{') {
        return Err(MergeError::NotAnObject);
    }
    let mut members = Vec::new();
    let mut i = skip_ws(open + 1);
    if bytes.get(i) == Some(&b'}') {
        return Ok(Layout {
            open,
            close: i,
            members,
        });
    }
    loop {
        if bytes.get(i) != Some(&b'"') {
            return Err(MergeError::Invalid(format!("expected a key at byte {i}")));
        }
        let key_start = i;
        let key_len = string_len(&text[i..]);
        let key: String = serde_json::from_str(&text[i..i + key_len])
            .map_err(|e| MergeError::Invalid(e.to_string()))?;
        i = skip_ws(i + key_len);
        if bytes.get(i) != Some(&b':') {
            return Err(MergeError::Invalid(format!("expected ':' at byte {i}")));
        }
        let value_start = skip_ws(i + 1);
        // Walk the value to the ',' or '}' that ends it at depth 0.
        let mut depth = 0i32;
        let mut j = value_start;
        let mut last_non_ws = value_start;
        while j < bytes.len() {
            match bytes[j] {
                b'"' => {
                    j += string_len(&text[j..]);
                    last_non_ws = j;
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth > 0 => depth -= 1,
                b',' | b'}' if depth == 0 => break,
                _ => {}
            }
            if !matches!(bytes[j], b' ' | b'\t' | b'\n' | b'\r') {
                last_non_ws = j + 1;
            }
            j += 1;
        }
        members.push(Member {
            key,
            key_start,
            value_start,
            value_end: last_non_ws,
        });
        match bytes.get(j) {
            Some(b',') => i = skip_ws(j + 1),
            Some(b'}') => {
                return Ok(Layout {
                    open,
                    close: j,
                    members,
                });
            }
            _ => return Err(MergeError::Invalid("unterminated object".into())),
        }
    }
}

/// A unified diff of two texts, with `path` in the headers; empty when they are equal.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a{path}"), &format!("b{path}"))
        .to_string()
}

/// A daemon.json key that also appears on the dockerd command line: the two sources conflict.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagConflict {
    pub key: String,
    /// The flag as written on the command line.
    pub arg: String,
}

/// Keys of `edits` that dockerd already gets as flags (editing daemon.json would stop it from
/// starting).
pub fn flag_conflicts(daemon: &DaemonConfig, edits: &[Edit]) -> Vec<FlagConflict> {
    edits
        .iter()
        .filter_map(|e| {
            daemon
                .flags
                .iter()
                .find(|f| f.key == e.key())
                .map(|f| FlagConflict {
                    key: f.key.clone(),
                    arg: f.arg.clone(),
                })
        })
        .collect()
}

/// The current daemon.json text, or why it cannot be patched.
pub fn current_text(
    daemon: &DaemonConfig,
    facts_text: Option<&str>,
) -> Result<Option<String>, String> {
    match &daemon.config_file {
        ConfigFile::Absent => Ok(None),
        ConfigFile::Parsed(_) => Ok(facts_text.map(str::to_string)),
        ConfigFile::Invalid(e) => Err(format!(
            "{} is not valid ({e}); dockerd would not start with it either: fix it by hand first",
            daemon.config_path
        )),
        ConfigFile::Unreadable(e) => Err(format!("{} cannot be read: {e}", daemon.config_path)),
    }
}

/// dockerd flag spelling of the daemon.json keys threatbench edits: (key, long flag, short, bool).
const FLAG_SPELLING: &[(&str, &str, Option<char>, bool)] = &[
    ("icc", "icc", None, true),
    ("live-restore", "live-restore", None, true),
    ("no-new-privileges", "no-new-privileges", None, true),
    ("userland-proxy", "userland-proxy", None, true),
    ("userns-remap", "userns-remap", None, false),
    ("log-level", "log-level", Some('l'), false),
    ("debug", "debug", Some('D'), true),
    ("experimental", "experimental", None, true),
    ("iptables", "iptables", None, true),
    ("insecure-registries", "insecure-registry", None, false),
    ("seccomp-profile", "seccomp-profile", None, false),
];

/// The dockerd argument vector with the options of `edits` changed on the command line: for
/// options that live there (a daemon.json entry would conflict). `None` when a key has no known
/// flag spelling.
pub fn edit_command_line(argv: &[String], edits: &[Edit]) -> Option<Vec<String>> {
    let mut out: Vec<String> = argv.first().cloned().into_iter().collect();
    let specs: Vec<_> = edits
        .iter()
        .map(|e| FLAG_SPELLING.iter().find(|s| s.0 == e.key()).copied())
        .collect::<Option<Vec<_>>>()?;
    let mut i = 1;
    while i < argv.len() {
        let arg = &argv[i];
        let hit = specs.iter().find(|(_, long, short, _)| {
            arg == &format!("--{long}")
                || arg.starts_with(&format!("--{long}="))
                || short
                    .is_some_and(|c| arg.starts_with(&format!("-{c}")) && !arg.starts_with("--"))
        });
        match hit {
            Some((_, long, short, is_bool)) => {
                let inline = arg.contains('=')
                    || short.is_some_and(|c| arg.len() > 2 && arg.starts_with(&format!("-{c}")));
                let _ = long;
                i += if !*is_bool && !inline { 2 } else { 1 };
            }
            None => {
                out.push(arg.clone());
                i += 1;
            }
        }
    }
    for (edit, (_, long, _, is_bool)) in edits.iter().zip(&specs) {
        match edit {
            Edit::Set(_, Value::Bool(b)) if *is_bool => out.push(format!("--{long}={b}")),
            Edit::Set(_, Value::Array(items)) => {
                for item in items {
                    out.push(format!("--{long}={}", value_text(item)));
                }
            }
            Edit::Set(_, v) => out.push(format!("--{long}={}", value_text(v))),
            Edit::Remove(_) => {}
        }
    }
    Some(out)
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A systemd drop-in that replaces dockerd's command line, for options given as flags.
pub fn systemd_dropin(process: &ProcessFact, edits: &[Edit]) -> Option<String> {
    let argv = edit_command_line(&process.argv, edits)?;
    if argv.iter().any(|a| a.chars().any(char::is_control)) {
        return None;
    }
    Some(format!(
        "# /etc/systemd/system/docker.service.d/threatbench.conf\n\
         # dockerd gets these options as flags, so daemon.json must not repeat them.\n\
         [Service]\n\
         ExecStart=\n\
         ExecStart={}\n",
        shell::join(&argv)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set(k: &str, v: Value) -> Edit {
        Edit::Set(k.into(), v)
    }

    #[test]
    fn insertion_keeps_unrelated_keys_and_their_formatting() {
        let original = "{\n    \"log-driver\":  \"json-file\",\n    \"log-opts\": {\"max-size\": \"10m\"},\n    \"labels\": [\"a=b\"]\n}\n";
        let out = merge(Some(original), &[set("live-restore", json!(true))]).unwrap();
        assert_eq!(
            out,
            "{\n    \"log-driver\":  \"json-file\",\n    \"log-opts\": {\"max-size\": \"10m\"},\n    \"labels\": [\"a=b\"],\n    \"live-restore\":  true\n}\n"
        );
        let diff = unified_diff("/etc/docker/daemon.json", original, &out);
        assert!(diff.contains("-    \"labels\": [\"a=b\"]\n+    \"labels\": [\"a=b\"],\n+    \"live-restore\":  true\n"), "{diff}");
        assert!(diff.starts_with("--- a/etc/docker/daemon.json\n+++ b/etc/docker/daemon.json\n"));
    }

    #[test]
    fn replacement_changes_only_the_value() {
        let original = "{\n\t\"icc\": true,\n\t\"debug\": false\n}";
        let out = merge(Some(original), &[set("icc", json!(false))]).unwrap();
        assert_eq!(out, "{\n\t\"icc\": false,\n\t\"debug\": false\n}");
    }

    #[test]
    fn single_line_and_empty_objects() {
        assert_eq!(
            merge(Some("{\"debug\":false}"), &[set("icc", json!(false))]).unwrap(),
            "{\"debug\":false, \"icc\":false}"
        );
        assert_eq!(
            merge(Some("{}\n"), &[set("icc", json!(false))]).unwrap(),
            "{\n  \"icc\": false\n}\n"
        );
        assert_eq!(
            merge(
                None,
                &[set("live-restore", json!(true)), set("icc", json!(false))]
            )
            .unwrap(),
            "{\n  \"live-restore\": true,\n  \"icc\": false\n}\n"
        );
        assert_eq!(
            merge(Some("  \n"), &[set("icc", json!(false))]).unwrap(),
            "{\n  \"icc\": false\n}\n"
        );
    }

    #[test]
    fn nested_values_follow_the_file_indentation() {
        let original = "{\n  \"debug\": false\n}\n";
        let out = merge(
            Some(original),
            &[set(
                "default-ulimits",
                json!({"nofile": {"Name": "nofile", "Hard": 64000}}),
            )],
        )
        .unwrap();
        assert_eq!(
            out,
            "{\n  \"debug\": false,\n  \"default-ulimits\": {\n    \"nofile\": {\n      \"Name\": \"nofile\",\n      \"Hard\": 64000\n    }\n  }\n}\n"
        );
    }

    #[test]
    fn removal_takes_the_member_and_its_comma() {
        let original = "{\n  \"insecure-registries\": [\"reg:5000\"],\n  \"debug\": false\n}\n";
        let first = merge(
            Some(original),
            &[Edit::Remove("insecure-registries".into())],
        )
        .unwrap();
        assert_eq!(first, "{\n  \"debug\": false\n}\n");
        let original = "{\n  \"debug\": false,\n  \"insecure-registries\": [\"reg:5000\"]\n}\n";
        let last = merge(
            Some(original),
            &[Edit::Remove("insecure-registries".into())],
        )
        .unwrap();
        assert_eq!(last, "{\n  \"debug\": false\n}\n");
        let only = merge(
            Some("{ \"insecure-registries\": [] }"),
            &[Edit::Remove("insecure-registries".into())],
        )
        .unwrap();
        assert_eq!(only, "{}");
    }

    #[test]
    fn strings_with_braces_and_escapes_do_not_confuse_the_scanner() {
        let original = "{\"labels\": [\"x={,}\\\"\"], \"data-root\": \"/srv/d}\"}";
        let out = merge(Some(original), &[set("icc", json!(false))]).unwrap();
        assert_eq!(
            out,
            "{\"labels\": [\"x={,}\\\"\"], \"data-root\": \"/srv/d}\", \"icc\": false}"
        );
    }

    #[test]
    fn invalid_and_duplicate_inputs_are_refused() {
        assert!(matches!(
            merge(Some("{\"icc\": tru}"), &[]),
            Err(MergeError::Invalid(_))
        ));
        assert_eq!(merge(Some("[1]"), &[]), Err(MergeError::NotAnObject));
        assert_eq!(
            merge(
                Some("{\"icc\": true, \"icc\": true}"),
                &[set("icc", json!(false))]
            ),
            Err(MergeError::DuplicateKey("icc".into()))
        );
    }

    #[test]
    fn command_line_edit_replaces_the_flag() {
        let argv: Vec<String> = "/usr/bin/dockerd -H fd:// --icc=true --log-level debug --containerd=/run/containerd/containerd.sock"
            .split(' ')
            .map(str::to_string)
            .collect();
        let out = edit_command_line(
            &argv,
            &[set("icc", json!(false)), set("log-level", json!("info"))],
        )
        .unwrap();
        assert_eq!(
            out.join(" "),
            "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock --icc=false --log-level=info"
        );
        let p = ProcessFact {
            pid: 1,
            exe: None,
            argv,
        };
        let dropin = systemd_dropin(&p, &[set("icc", json!(false))]).unwrap();
        assert!(dropin.contains("ExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --log-level debug --containerd=/run/containerd/containerd.sock --icc=false\n"), "{dropin}");
    }
}
