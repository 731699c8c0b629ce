//! The effective dockerd configuration: the daemon's command-line flags merged with the
//! daemon.json it reads, each value with its source.
//!
//! dockerd refuses to start when one option is set both as a flag and in daemon.json, so for a
//! running daemon at most one source holds any key; a conflict found here means the file was
//! edited after the daemon started (it will not restart) and is reported as such.

use serde_json::{Map, Value};

use super::{Facts, Observed, ProcessFact};

/// Default daemon.json location when `--config-file` is not given.
pub const DEFAULT_CONFIG_FILE: &str = "/etc/docker/daemon.json";
/// Default API socket when no `-H` is given.
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum FlagKind {
    Bool,
    Value,
    /// Repeatable; daemon.json holds an array.
    List,
}

/// dockerd flags and the daemon.json keys they set.
const FLAGS: &[(&str, Option<char>, &str, FlagKind)] = &[
    ("host", Some('H'), "hosts", FlagKind::List),
    ("icc", None, "icc", FlagKind::Bool),
    ("log-level", Some('l'), "log-level", FlagKind::Value),
    ("debug", Some('D'), "debug", FlagKind::Bool),
    ("iptables", None, "iptables", FlagKind::Bool),
    ("ip-forward", None, "ip-forward", FlagKind::Bool),
    ("ip-masq", None, "ip-masq", FlagKind::Bool),
    (
        "insecure-registry",
        None,
        "insecure-registries",
        FlagKind::List,
    ),
    ("registry-mirror", None, "registry-mirrors", FlagKind::List),
    (
        "storage-driver",
        Some('s'),
        "storage-driver",
        FlagKind::Value,
    ),
    ("storage-opt", None, "storage-opts", FlagKind::List),
    ("tls", None, "tls", FlagKind::Bool),
    ("tlsverify", None, "tlsverify", FlagKind::Bool),
    ("tlscacert", None, "tlscacert", FlagKind::Value),
    ("tlscert", None, "tlscert", FlagKind::Value),
    ("tlskey", None, "tlskey", FlagKind::Value),
    ("default-ulimit", None, "default-ulimits", FlagKind::List),
    ("userns-remap", None, "userns-remap", FlagKind::Value),
    ("cgroup-parent", None, "cgroup-parent", FlagKind::Value),
    (
        "authorization-plugin",
        None,
        "authorization-plugins",
        FlagKind::List,
    ),
    ("log-driver", None, "log-driver", FlagKind::Value),
    ("log-opt", None, "log-opts", FlagKind::List),
    (
        "no-new-privileges",
        None,
        "no-new-privileges",
        FlagKind::Bool,
    ),
    ("live-restore", None, "live-restore", FlagKind::Bool),
    ("userland-proxy", None, "userland-proxy", FlagKind::Bool),
    ("seccomp-profile", None, "seccomp-profile", FlagKind::Value),
    ("experimental", None, "experimental", FlagKind::Bool),
    ("selinux-enabled", None, "selinux-enabled", FlagKind::Bool),
    ("data-root", None, "data-root", FlagKind::Value),
    ("exec-root", None, "exec-root", FlagKind::Value),
    ("pidfile", Some('p'), "pidfile", FlagKind::Value),
    ("bridge", Some('b'), "bridge", FlagKind::Value),
    ("group", Some('G'), "group", FlagKind::Value),
    ("containerd", None, "containerd", FlagKind::Value),
    ("default-runtime", None, "default-runtime", FlagKind::Value),
    ("exec-opt", None, "exec-opts", FlagKind::List),
    ("config-file", None, "config-file", FlagKind::Value),
    ("ip", None, "ip", FlagKind::Value),
];

/// One flag as given on the command line, mapped to its daemon.json key.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagValue {
    pub key: String,
    pub value: Value,
    /// The argument(s) as written, for evidence.
    pub arg: String,
}

/// Parse a dockerd argument vector (without argv\[0\]) into daemon.json-keyed values.
/// Repeated list flags are merged into one array; unknown flags keep their own name as key.
pub fn parse_flags(args: &[String]) -> Vec<FlagValue> {
    let mut out: Vec<FlagValue> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        let (spec, inline, written) = if let Some(long) = arg.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let spec = FLAGS.iter().find(|f| f.0 == name).copied();
            let spec = spec.unwrap_or(("", None, "", FlagKind::Value));
            let spec = if spec.0.is_empty() {
                // Unknown long flag: a value only when written with `=`.
                let kind = if inline.is_some() {
                    FlagKind::Value
                } else {
                    FlagKind::Bool
                };
                (name, None, name, kind)
            } else {
                spec
            };
            (spec, inline, arg.clone())
        } else if let Some(short) = arg.strip_prefix('-').filter(|s| !s.is_empty()) {
            let letter = short.chars().next().unwrap_or('-');
            let Some(spec) = FLAGS.iter().find(|f| f.1 == Some(letter)).copied() else {
                continue;
            };
            let rest = &short[letter.len_utf8()..];
            let inline = match rest.strip_prefix('=') {
                Some(v) => Some(v.to_string()),
                None if !rest.is_empty() => Some(rest.to_string()),
                None => None,
            };
            (spec, inline, arg.clone())
        } else {
            continue;
        };
        let (_, _, key, kind) = spec;
        let (value, written) = match kind {
            FlagKind::Bool => {
                let v = match inline.as_deref() {
                    None => true,
                    Some(s) => !matches!(s.to_ascii_lowercase().as_str(), "false" | "0" | "f"),
                };
                (Value::Bool(v), written)
            }
            FlagKind::Value | FlagKind::List => match inline {
                Some(v) => (Value::String(v), written),
                None if i < args.len() => {
                    let v = args[i].clone();
                    i += 1;
                    (Value::String(v.clone()), format!("{written} {v}"))
                }
                None => (Value::String(String::new()), written),
            },
        };
        if kind == FlagKind::List {
            if let Some(existing) = out.iter_mut().find(|f| f.key == key) {
                if let Value::Array(items) = &mut existing.value {
                    items.push(value);
                }
                existing.arg = format!("{} {written}", existing.arg);
                continue;
            }
            out.push(FlagValue {
                key: key.to_string(),
                value: Value::Array(vec![value]),
                arg: written,
            });
        } else {
            out.retain(|f| f.key != key);
            out.push(FlagValue {
                key: key.to_string(),
                value,
                arg: written,
            });
        }
    }
    out
}

/// The daemon.json path a dockerd process reads.
pub fn config_file_path(process: Option<&ProcessFact>) -> String {
    process
        .map(|p| parse_flags(p.argv.get(1..).unwrap_or(&[])))
        .and_then(|flags| flags.into_iter().find(|f| f.key == "config-file"))
        .and_then(|f| f.value.as_str().map(str::to_string))
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| DEFAULT_CONFIG_FILE.to_string())
}

/// Where a setting's value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Setting<'a> {
    /// Given on the dockerd command line.
    Flag { value: Value, arg: String, pid: u32 },
    /// Set in daemon.json.
    File { value: &'a Value, path: &'a str },
    /// Seen in neither place: dockerd's default applies.
    Unset { basis: String },
    /// Could not be determined (process not visible, config unreadable).
    Unknown { reason: String },
}

impl Setting<'_> {
    /// The explicit value, if one was set.
    pub fn value(&self) -> Option<&Value> {
        match self {
            Setting::Flag { value, .. } => Some(value),
            Setting::File { value, .. } => Some(value),
            _ => None,
        }
    }

    /// Where the value was found, for evidence.
    pub fn source(&self) -> String {
        match self {
            Setting::Flag { arg, pid, .. } => format!("flag `{arg}` of dockerd (pid {pid})"),
            Setting::File { path, .. } => path.to_string(),
            Setting::Unset { basis } => basis.clone(),
            Setting::Unknown { reason } => reason.clone(),
        }
    }

    /// The setting as a boolean, with `default` when unset; `None` when unknown or not a bool.
    pub fn as_bool(&self, default: bool) -> Option<bool> {
        match self {
            Setting::Unset { .. } => Some(default),
            Setting::Unknown { .. } => None,
            _ => match self.value()? {
                Value::Bool(b) => Some(*b),
                Value::String(s) => match s.as_str() {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                },
                _ => None,
            },
        }
    }

    /// String values of the setting (one for a scalar, several for an array).
    pub fn strings(&self) -> Vec<String> {
        match self.value() {
            Some(Value::Array(items)) => items.iter().map(value_text).collect(),
            Some(Value::Object(map)) => map.keys().cloned().collect(),
            Some(v) => vec![value_text(v)],
            None => vec![],
        }
    }

    /// `key=value (source)` for evidence.
    pub fn describe(&self, key: &str) -> String {
        match self {
            Setting::Flag { value, .. } => {
                format!("{key}={} ({})", value_text(value), self.source())
            }
            Setting::File { value, .. } => {
                format!("{key}={} ({})", value_text(value), self.source())
            }
            Setting::Unset { basis } => format!("{key} not set ({basis})"),
            Setting::Unknown { reason } => format!("{key} unknown: {reason}"),
        }
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// State of the daemon.json file.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigFile {
    Absent,
    Parsed(Map<String, Value>),
    Invalid(String),
    Unreadable(String),
}

/// dockerd's command line and config file, merged.
#[derive(Debug, Clone)]
pub struct DaemonConfig {
    /// The dockerd process serving the scanned endpoint, if it could be identified.
    pub process: Option<ProcessFact>,
    /// Why the process is not known, when it is not.
    pub process_note: Option<String>,
    pub flags: Vec<FlagValue>,
    pub config_path: String,
    pub config_file: ConfigFile,
    /// Keys set both as a flag and in the file (dockerd refuses to start with these).
    pub conflicts: Vec<String>,
    /// Why the Docker API could not be reached, when it could not: with the serving process
    /// also unknown, no setting can be attributed to the daemon that was meant.
    pub api_unreachable: Option<String>,
}

impl DaemonConfig {
    /// Build from facts: pick the dockerd serving the scanned endpoint, read its flags and file.
    pub fn from_facts(facts: &Facts) -> DaemonConfig {
        let (process, process_note) = select_dockerd(facts);
        let flags = process
            .as_ref()
            .map(|p| parse_flags(p.argv.get(1..).unwrap_or(&[])))
            .unwrap_or_default();
        let config_path = config_file_path(process.as_ref());
        let config_file = match facts.host.file_text(&config_path) {
            Observed::Seen(text) => parse_config_text(text),
            Observed::Unavailable(u) if u.kind == super::UnavailableKind::NotFound => {
                ConfigFile::Absent
            }
            Observed::Unavailable(u) => ConfigFile::Unreadable(u.reason),
        };
        let conflicts = match &config_file {
            ConfigFile::Parsed(map) => flags
                .iter()
                .filter(|f| map.contains_key(&f.key))
                .map(|f| f.key.clone())
                .collect(),
            _ => vec![],
        };
        let api_unreachable = match facts.docker.as_result() {
            Err(u) if u.kind == super::UnavailableKind::Unreachable => Some(u.reason.clone()),
            _ => None,
        };
        DaemonConfig {
            process,
            process_note,
            flags,
            config_path,
            config_file,
            conflicts,
            api_unreachable,
        }
    }

    /// When `key` is set both on the command line and in the config file: the note for the
    /// evidence. The running daemon uses the flag (it would not have started with both, so the
    /// file was edited later), and its next start will fail.
    pub fn conflict(&self, key: &str) -> Option<String> {
        if !self.conflicts.iter().any(|k| k == key) {
            return None;
        }
        let ConfigFile::Parsed(map) = &self.config_file else {
            return None;
        };
        let value = map.get(key).map(value_text).unwrap_or_default();
        Some(format!(
            "{key} is also set in {} ({key}={value}): dockerd refuses to start with an option \
             both as a flag and in the file, so the daemon will not start again until one is removed",
            self.config_path
        ))
    }

    /// Look up one daemon.json key, with its source. A flag wins when both are set (see module docs).
    pub fn get(&self, key: &str) -> Setting<'_> {
        if let (None, Some(api)) = (&self.process, &self.api_unreachable) {
            return Setting::Unknown {
                reason: format!(
                    "{api}; dockerd flags and config file unknown: {}",
                    self.process_note
                        .as_deref()
                        .unwrap_or("process not visible")
                ),
            };
        }
        if let (Some(p), Some(flag)) = (&self.process, self.flags.iter().find(|f| f.key == key)) {
            return Setting::Flag {
                value: flag.value.clone(),
                arg: flag.arg.clone(),
                pid: p.pid,
            };
        }
        match &self.config_file {
            ConfigFile::Parsed(map) => {
                if let Some(v) = map.get(key) {
                    return Setting::File {
                        value: v,
                        path: &self.config_path,
                    };
                }
            }
            ConfigFile::Invalid(e) => {
                return Setting::Unknown {
                    reason: format!("{}: {e}", self.config_path),
                };
            }
            // The read error names the file already.
            ConfigFile::Unreadable(e) => {
                return Setting::Unknown { reason: e.clone() };
            }
            ConfigFile::Absent => {}
        }
        match &self.process {
            Some(p) => Setting::Unset {
                basis: format!(
                    "not on dockerd command line (pid {}) nor in {}",
                    p.pid,
                    self.config_file_label()
                ),
            },
            None => Setting::Unknown {
                reason: format!(
                    "not in {}, and dockerd flags are unknown: {}",
                    self.config_file_label(),
                    self.process_note
                        .as_deref()
                        .unwrap_or("process not visible")
                ),
            },
        }
    }

    fn config_file_label(&self) -> String {
        match self.config_file {
            ConfigFile::Absent => format!("{} (absent)", self.config_path),
            _ => self.config_path.clone(),
        }
    }

    /// The API listeners: every `hosts` entry, or the default socket when none is given.
    pub fn hosts(&self) -> Setting<'_> {
        self.get("hosts")
    }
}

/// Parse daemon.json text; an empty file is an empty configuration.
pub fn parse_config_text(text: &str) -> ConfigFile {
    if text.trim().is_empty() {
        return ConfigFile::Parsed(Map::new());
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => ConfigFile::Parsed(map),
        Ok(other) => ConfigFile::Invalid(format!("expected a JSON object, found {other}")),
        Err(e) => ConfigFile::Invalid(format!("invalid JSON: {e}")),
    }
}

/// Choose the dockerd serving the scanned endpoint: the one whose `-H` (or default socket)
/// matches the endpoint, or whose `--data-root` matches the API's DockerRootDir. Never a guess:
/// several candidates with no match leave the process unknown.
fn select_dockerd(facts: &Facts) -> (Option<ProcessFact>, Option<String>) {
    let candidates = match facts.host.processes_named("dockerd") {
        Ok(list) => list,
        Err(u) => return (None, Some(u.reason)),
    };
    if candidates.is_empty() {
        return (None, Some("no dockerd process visible on this host".into()));
    }
    let endpoint = facts
        .docker
        .seen()
        .map(|d| d.endpoint.as_str())
        .or(facts.scanner_env.docker_host.as_deref());
    let root_dir = facts
        .docker
        .seen()
        .and_then(|d| d.info.docker_root_dir.as_deref());
    let matching: Vec<&ProcessFact> = candidates
        .iter()
        .copied()
        .filter(|p| {
            let flags = parse_flags(p.argv.get(1..).unwrap_or(&[]));
            let hosts: Vec<String> = flags
                .iter()
                .find(|f| f.key == "hosts")
                .map(|f| Setting::Flag {
                    value: f.value.clone(),
                    arg: String::new(),
                    pid: 0,
                })
                .map(|s| s.strings())
                .unwrap_or_default();
            let data_root = flags
                .iter()
                .find(|f| f.key == "data-root")
                .and_then(|f| f.value.as_str().map(str::to_string))
                .unwrap_or_else(|| "/var/lib/docker".into());
            let host_match = endpoint.is_some_and(|e| endpoint_matches(e, &hosts));
            let root_match = root_dir.is_some_and(|r| r == data_root);
            host_match || root_match
        })
        .collect();
    match matching.as_slice() {
        [one] => (Some((*one).clone()), None),
        // Nothing to match against (a --root scan without the API): the only dockerd is the one.
        [] if candidates.len() == 1 && endpoint.is_none() && root_dir.is_none() => {
            (Some(candidates[0].clone()), None)
        }
        [] if candidates.len() == 1 => (
            None,
            Some(format!(
                "the visible dockerd (pid {}) does not serve {} (different socket and data root)",
                candidates[0].pid,
                endpoint.unwrap_or("the scanned endpoint")
            )),
        ),
        _ => (
            None,
            Some(format!(
                "{} dockerd processes visible, cannot tell which serves {}",
                candidates.len(),
                endpoint.unwrap_or("the scanned endpoint")
            )),
        ),
    }
}

fn endpoint_matches(endpoint: &str, hosts: &[String]) -> bool {
    let socket_of = |h: &str| -> Option<String> {
        h.strip_prefix("unix://").map(|p| {
            if p.is_empty() {
                DEFAULT_SOCKET.to_string()
            } else {
                p.to_string()
            }
        })
    };
    let norm = |p: String| {
        let p = p.replace("//", "/");
        match p.strip_prefix("/run/") {
            Some(rest) => format!("/var/run/{rest}"),
            None => p,
        }
    };
    let endpoint_socket = socket_of(endpoint).map(norm);
    if (hosts.is_empty() || hosts.iter().any(|h| h.starts_with("fd://")))
        && endpoint_socket.as_deref() == Some(DEFAULT_SOCKET)
    {
        return true;
    }
    hosts
        .iter()
        .any(|h| match (&endpoint_socket, socket_of(h)) {
            (Some(e), Some(s)) => *e == norm(s),
            _ => {
                let strip = |x: &str| {
                    x.trim_start_matches("tcp://")
                        .trim_start_matches("http://")
                        .trim_start_matches("https://")
                        .to_string()
                };
                strip(h) == strip(endpoint)
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn parses_bool_value_and_list_flags() {
        let flags = parse_flags(&args(
            "-H fd:// -H=tcp://0.0.0.0:2375 --icc=false --live-restore --log-level debug --insecure-registry a:5000 --insecure-registry b:5000 -lwarn",
        ));
        let get = |k: &str| flags.iter().find(|f| f.key == k).map(|f| f.value.clone());
        assert_eq!(
            get("hosts"),
            Some(serde_json::json!(["fd://", "tcp://0.0.0.0:2375"]))
        );
        assert_eq!(get("icc"), Some(Value::Bool(false)));
        assert_eq!(get("live-restore"), Some(Value::Bool(true)));
        assert_eq!(get("log-level"), Some(Value::String("warn".into())));
        assert_eq!(
            get("insecure-registries"),
            Some(serde_json::json!(["a:5000", "b:5000"]))
        );
    }

    #[test]
    fn config_file_flag_is_honoured() {
        let p = ProcessFact {
            pid: 7,
            exe: Some("/usr/sbin/dockerd".into()),
            argv: args("dockerd --config-file /srv/d.json"),
        };
        assert_eq!(config_file_path(Some(&p)), "/srv/d.json");
        assert_eq!(config_file_path(None), DEFAULT_CONFIG_FILE);
    }

    #[test]
    fn multi_line_config_with_hosts_array() {
        let text = "{\n  \"hosts\": [\n    \"unix:///var/run/docker.sock\",\n    \"tcp://127.0.0.1:2375\"\n  ],\n  \"icc\": false\n}\n";
        let ConfigFile::Parsed(map) = parse_config_text(text) else {
            panic!("must parse");
        };
        assert_eq!(map["hosts"][1], "tcp://127.0.0.1:2375");
        assert!(matches!(
            parse_config_text("{ \"icc\": fals }"),
            ConfigFile::Invalid(_)
        ));
        assert_eq!(parse_config_text(""), ConfigFile::Parsed(Map::new()));
    }

    /// An unreadable daemon.json is named once in the reason (the read error carries its path).
    #[test]
    fn unreadable_config_file_is_named_once() {
        let reason = "/etc/docker/daemon.json: too many levels of symbolic links";
        let cfg = DaemonConfig {
            process: Some(ProcessFact {
                pid: 7,
                exe: Some("/usr/sbin/dockerd".into()),
                argv: args("dockerd"),
            }),
            process_note: None,
            flags: vec![],
            config_path: "/etc/docker/daemon.json".into(),
            config_file: ConfigFile::Unreadable(reason.into()),
            conflicts: vec![],
            api_unreachable: None,
        };
        let Setting::Unknown { reason: got } = cfg.get("icc") else {
            panic!("an unreadable file leaves the setting unknown");
        };
        assert_eq!(got, reason);
    }

    #[test]
    fn endpoint_matching() {
        assert!(endpoint_matches("unix:///var/run/docker.sock", &[]));
        assert!(endpoint_matches(
            "unix:///run/docker.sock",
            &["fd://".to_string()]
        ));
        assert!(endpoint_matches(
            "unix:///tmp/x/docker.sock",
            &["unix:///tmp/x/docker.sock".to_string()]
        ));
        assert!(!endpoint_matches(
            "unix:///tmp/x/docker.sock",
            &["unix:///tmp/y/docker.sock".to_string()]
        ));
        assert!(endpoint_matches(
            "tcp://127.0.0.1:2375",
            &["tcp://127.0.0.1:2375".to_string()]
        ));
    }
}
