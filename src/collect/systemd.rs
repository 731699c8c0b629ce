//! Enough of systemd's unit-file rules to rebuild a service's command line when its process is
//! not visible (`facts::systemd::locate` finds a unit's files from collected listings; this reads
//! and applies them at collection time): the unit search path, drop-ins, `Environment=`/`EnvironmentFile=`, and the
//! variable expansion of `ExecStart=`. Our own code because no maintained crate handles repeated
//! keys, the empty `ExecStart=` reset and `\` continuations (see research/crates.md).

use std::collections::BTreeMap;

use super::fsroot::{FileRequest, FsRoot};
use crate::facts::{FileKind, Observed};

/// System unit directories, highest priority first (shared with the unit locator).
pub use crate::facts::systemd::UNIT_SEARCH_PATH as UNIT_DIRS;

/// One `Key=value` line of a unit file, with its section.
#[derive(Debug, Clone, PartialEq)]
pub struct Directive {
    pub section: String,
    pub key: String,
    pub value: String,
}

/// Parse unit-file text: sections, comments, `\` line continuations.
pub fn parse_unit(text: &str) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut pending = String::new();
    for raw in text.lines() {
        let line = raw.trim_end();
        if pending.is_empty() {
            let t = line.trim_start();
            if t.starts_with('#') || t.starts_with(';') {
                continue;
            }
        }
        if let Some(body) = line.strip_suffix('\\') {
            pending.push_str(body);
            pending.push(' ');
            continue;
        }
        pending.push_str(line);
        let full = std::mem::take(&mut pending);
        let t = full.trim();
        if t.is_empty() {
            continue;
        }
        if t.starts_with('[') && t.ends_with(']') {
            section = t[1..t.len() - 1].to_string();
            continue;
        }
        if let Some((k, v)) = t.split_once('=') {
            out.push(Directive {
                section: section.clone(),
                key: k.trim().to_string(),
                value: v.trim().to_string(),
            });
        }
    }
    out
}

/// Split a command line or `Environment=` value into words: whitespace separates, `"..."` and
/// `'...'` group, `\` escapes the next character.
pub fn split_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (_, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    in_word = true;
                }
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// Parse an environment file (`KEY=value` lines, quotes, comments, continuations).
pub fn parse_env_file(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut pending = String::new();
    for raw in text.lines() {
        if let Some(body) = raw.strip_suffix('\\') {
            pending.push_str(body);
            continue;
        }
        pending.push_str(raw);
        let line = std::mem::take(&mut pending);
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        let t = t.strip_prefix("export ").unwrap_or(t);
        if let Some((k, v)) = t.split_once('=') {
            let v = v.trim();
            let value = if (v.starts_with('"') && v.ends_with('"') && v.len() >= 2)
                || (v.starts_with('\'') && v.ends_with('\'') && v.len() >= 2)
            {
                v[1..v.len() - 1].to_string()
            } else {
                v.to_string()
            };
            out.insert(k.trim().to_string(), value);
        }
    }
    out
}

/// Expand `$VAR` (split into words) and `${VAR}` (kept in one word) in an `ExecStart=` line,
/// as systemd.service(5) describes, then split into argv.
pub fn expand_exec(line: &str, env: &BTreeMap<String, String>) -> Vec<String> {
    // Strip the special executable prefixes (-, @, :, +, !).
    let line = line.trim_start_matches(['-', '@', ':', '+', '!']);
    let mut argv = Vec::new();
    for word in split_words(line) {
        if let Some(name) = word.strip_prefix('$').filter(|n| is_var_name(n)) {
            let value = env.get(name).map(String::as_str).unwrap_or("");
            argv.extend(value.split_whitespace().map(str::to_string));
            continue;
        }
        argv.push(expand_braced(&word, env));
    }
    argv
}

fn is_var_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn expand_braced(word: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                out.push_str(env.get(&after[..end]).map(String::as_str).unwrap_or(""));
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A service rebuilt from its unit files.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceUnit {
    /// The main unit file.
    pub unit: String,
    /// Drop-ins applied, in order.
    pub drop_ins: Vec<String>,
    /// Environment files read (missing optional ones left out).
    pub env_files: Vec<String>,
    /// The final `ExecStart=` expanded into argv; `None` when no ExecStart is set.
    pub argv: Option<Vec<String>>,
    /// Problems met (unreadable files), named.
    pub problems: Vec<String>,
}

fn read_text(fs: &FsRoot, path: &str) -> Result<Option<String>, String> {
    match fs.observe(&FileRequest::read(path)).observed {
        Observed::Seen(stat) if stat.kind == FileKind::File => match stat.content {
            Some(Observed::Seen(text)) => Ok(Some(text)),
            Some(Observed::Unavailable(u)) => Err(u.reason),
            None => Ok(None),
        },
        Observed::Seen(_) => Ok(None),
        Observed::Unavailable(u) if u.kind == crate::facts::UnavailableKind::NotFound => Ok(None),
        Observed::Unavailable(u) => Err(u.reason),
    }
}

/// Find `name` (e.g. `kubelet.service`) on the unit search path and rebuild its command line.
/// `None` when no unit file exists (or it is masked).
pub fn load_service(fs: &FsRoot, name: &str) -> Option<ServiceUnit> {
    let mut problems = Vec::new();
    let mut unit: Option<(String, String)> = None;
    for dir in UNIT_DIRS {
        let path = format!("{dir}/{name}");
        // A unit linked to /dev/null is masked: systemd will not run it.
        if let Observed::Seen(stat) = fs.observe(&FileRequest::stat(&path)).observed
            && stat.link_target.as_deref() == Some("/dev/null")
        {
            return None;
        }
        match read_text(fs, &path) {
            Ok(Some(text)) => {
                unit = Some((path, text));
                break;
            }
            Ok(None) => {}
            Err(e) => problems.push(e),
        }
    }
    let (unit_path, unit_text) = unit?;
    // Drop-ins: one per file name, the highest-priority directory wins, applied by name.
    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    for dir in UNIT_DIRS.iter().rev() {
        let d = format!("{dir}/{name}.d");
        if let Observed::Seen(stat) = fs.observe(&FileRequest::list(&d)).observed {
            for entry in stat.entries.unwrap_or_default() {
                if entry.ends_with(".conf") {
                    by_name.insert(entry.clone(), format!("{d}/{entry}"));
                }
            }
        }
    }
    let mut directives = parse_unit(&unit_text);
    let mut drop_ins = Vec::new();
    for path in by_name.into_values() {
        match read_text(fs, &path) {
            Ok(Some(text)) => {
                directives.extend(parse_unit(&text));
                drop_ins.push(path);
            }
            Ok(None) => {}
            Err(e) => problems.push(e),
        }
    }
    let mut env = BTreeMap::new();
    let mut file_env = BTreeMap::new();
    let mut env_files = Vec::new();
    let mut exec: Option<String> = None;
    for d in directives.iter().filter(|d| d.section == "Service") {
        match d.key.as_str() {
            "Environment" => {
                if d.value.is_empty() {
                    env.clear();
                }
                for assignment in split_words(&d.value) {
                    if let Some((k, v)) = assignment.split_once('=') {
                        env.insert(k.to_string(), v.to_string());
                    }
                }
            }
            "EnvironmentFile" => {
                if d.value.is_empty() {
                    continue;
                }
                let (optional, path) = match d.value.strip_prefix('-') {
                    Some(p) => (true, p.trim()),
                    None => (false, d.value.as_str()),
                };
                match read_text(fs, path) {
                    Ok(Some(text)) => {
                        file_env.extend(parse_env_file(&text));
                        env_files.push(path.to_string());
                    }
                    Ok(None) if optional => {}
                    Ok(None) => problems.push(format!("{path}: required EnvironmentFile missing")),
                    Err(e) => problems.push(e),
                }
            }
            "ExecStart" => {
                exec = (!d.value.is_empty()).then(|| d.value.clone());
            }
            _ => {}
        }
    }
    // Variables from environment files override Environment= (systemd.exec(5)).
    env.extend(file_env);
    Some(ServiceUnit {
        unit: unit_path,
        drop_ins,
        env_files,
        argv: exec.map(|line| expand_exec(&line, &env)),
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_start_expands_split_and_braced_variables() {
        let mut env = BTreeMap::new();
        env.insert("A".to_string(), "--x=1   --y=2".to_string());
        env.insert("B".to_string(), "v".to_string());
        let argv = expand_exec("/usr/bin/kubelet $A ${B}z $UNSET --c", &env);
        assert_eq!(
            argv,
            vec!["/usr/bin/kubelet", "--x=1", "--y=2", "vz", "--c"]
        );
    }

    #[test]
    fn continuation_lines_and_comments() {
        let d = parse_unit("# c\n[Service]\nExecStart=/bin/a \\\n  --b\n; x\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].value, "/bin/a    --b");
    }

    #[test]
    fn env_file_quotes() {
        let e = parse_env_file("A=\"--a=1 --b\"\n# no\nB='x'\nC=plain\n");
        assert_eq!(e["A"], "--a=1 --b");
        assert_eq!(e["B"], "x");
        assert_eq!(e["C"], "plain");
    }

    #[test]
    fn drop_ins_reset_exec_start_and_files_override_environment() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        let w = |p: &str, t: &str| {
            let full = r.join(p.trim_start_matches('/'));
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, t).unwrap();
        };
        w(
            "/usr/lib/systemd/system/kubelet.service",
            "[Service]\nExecStart=/usr/bin/kubelet\n",
        );
        w(
            "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
            "[Service]\nEnvironment=\"X=--config=/a\" \"E=--from-env\"\nEnvironmentFile=-/etc/default/kubelet\nEnvironmentFile=-/missing\nExecStart=\nExecStart=/usr/bin/kubelet $X $E\n",
        );
        w("/etc/default/kubelet", "E=--from-file\n");
        let fs = FsRoot::new(r);
        let s = load_service(&fs, "kubelet.service").unwrap();
        assert_eq!(
            s.argv.unwrap(),
            vec!["/usr/bin/kubelet", "--config=/a", "--from-file"]
        );
        assert_eq!(s.env_files, vec!["/etc/default/kubelet"]);
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert!(load_service(&fs, "nothing.service").is_none());
    }
}
