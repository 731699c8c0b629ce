//! Entry points for the fuzz targets in `fuzz/` (see `fuzz/README.md`): one function per parser
//! of untrusted text, taking raw bytes and running them through the same code a scan or a lint
//! does. They live in the library, not in `fuzz/`, so that a change to a parser's types breaks
//! this file in the normal build (and its tests), never only the separate fuzz crate.
//!
//! Every function must return normally for any input: an `Err` or an `error` verdict is a
//! correct answer; a panic, a hang or unbounded memory is a bug.

use std::path::Path;

use crate::checks::{self, Selection};
use crate::collect::{self, CollectOptions};
use crate::facts::Facts;
use crate::lint::{self, Kind};

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

fn lint_as(kind: Kind, name: &str, data: &[u8]) {
    let opts = lint::Options {
        config: lint::Config::default(),
        kind: Some(kind),
    };
    let _ = lint::lint_bytes(name, data.to_vec(), &opts);
}

/// The Dockerfile parser and every Dockerfile rule.
pub fn dockerfile(data: &[u8]) {
    let _ = collect::dockerfile::parse(&text(data));
    lint_as(Kind::Dockerfile, "Dockerfile", data);
}

/// YAML → compose model and the compose rules.
pub fn compose(data: &[u8]) {
    lint_as(Kind::Compose, "compose.yaml", data);
}

/// YAML → Kubernetes objects, the workload and RBAC rules.
pub fn kubernetes_manifest(data: &[u8]) {
    lint_as(Kind::Kubernetes, "manifest.yaml", data);
}

/// systemd unit files and drop-ins, environment files and `ExecStart=` expansion.
pub fn systemd_unit(data: &[u8]) {
    let unit = text(data);
    let env = collect::systemd::parse_env_file(&unit);
    for d in collect::systemd::parse_unit(&unit) {
        let _ = collect::systemd::expand_exec(&d.value, &env);
        let _ = collect::systemd::split_words(&d.value);
    }
}

/// Audit rules files (`-w PATH -p wa -k KEY`, `-a always,exit -F path=...`).
pub fn audit_rules(data: &[u8]) {
    let _ = crate::facts::audit::parse("audit.rules", &text(data));
}

/// `/proc/<pid>/mountinfo`.
pub fn mountinfo(data: &[u8]) {
    let _ = crate::facts::mountinfo::parse(&text(data));
}

/// `threatmodel.yaml` against the built-in catalogue.
pub fn threat_model(data: &[u8]) {
    let _ = crate::threats::modelfile::ModelFile::parse(
        &text(data),
        crate::threats::catalog::builtin(),
    );
}

/// `.threatbench.yaml`.
pub fn lint_config(data: &[u8]) {
    let _ = lint::Config::parse(&text(data));
}

/// A facts bundle as `scan --facts` reads it, then every check and the threat model over it.
pub fn facts_bundle(data: &[u8]) {
    let Ok(facts) = serde_json::from_slice::<Facts>(data) else {
        return;
    };
    let results = checks::run(&facts, &Selection::default());
    let _ = crate::threats::assess(&facts, &results, None);
}

/// daemon.json and dockerd's flags merged: the first line holds dockerd's arguments, the rest is
/// daemon.json, both laid out in a host root that is collected and checked as `--root` does.
pub fn daemon_json(data: &[u8]) {
    let input = text(data);
    let (flags, json) = input.split_once('\n').unwrap_or((&input, ""));
    let _ = crate::facts::daemon_config::parse_config_text(json);
    let mut argv = vec!["/usr/bin/dockerd".to_string()];
    argv.extend(flags.split(' ').filter(|a| !a.is_empty()).map(String::from));
    scan_root(&[
        ("proc/812/cmdline", cmdline(&argv)),
        ("etc/docker/daemon.json", json.as_bytes().to_vec()),
    ]);
}

/// The kubelet's config file merged with its flags: the first line holds the kubelet's
/// arguments (after `--config=/var/lib/kubelet/config.yaml`), the rest is the config file.
pub fn kubelet_config(data: &[u8]) {
    let input = text(data);
    let (flags, config) = input.split_once('\n').unwrap_or((&input, ""));
    let mut argv = vec![
        "/usr/bin/kubelet".to_string(),
        "--config=/var/lib/kubelet/config.yaml".to_string(),
    ];
    argv.extend(flags.split(' ').filter(|a| !a.is_empty()).map(String::from));
    scan_root(&[
        ("proc/900/cmdline", cmdline(&argv)),
        ("var/lib/kubelet/config.yaml", config.as_bytes().to_vec()),
    ]);
}

fn cmdline(argv: &[String]) -> Vec<u8> {
    let mut raw = argv.join("\0").into_bytes();
    raw.push(0);
    raw
}

/// Write `files` under a fresh temporary root, collect it offline and run every check.
fn scan_root(files: &[(&str, Vec<u8>)]) {
    let Ok(dir) = tempfile_dir() else {
        return;
    };
    for (rel, bytes) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(&path, bytes);
    }
    let opts = CollectOptions {
        root: dir.clone(),
        no_docker: true,
        ..CollectOptions::default()
    };
    if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        let facts = rt.block_on(collect::collect(&opts));
        let _ = checks::run(&facts, &Selection::default());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A new private directory under the system temp dir (no extra dependency for this alone).
fn tempfile_dir() -> std::io::Result<std::path::PathBuf> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let base = std::env::temp_dir();
    let dir = Path::new(&base).join(format!(
        "threatbench-fuzz-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    /// Each entry point takes empty, binary and hostile input without panicking.
    #[test]
    fn every_entry_point_survives_awkward_input() {
        let inputs: [&[u8]; 5] = [
            b"",
            b"\xff\xfe\x00garbage",
            b"FROM alpine\nRUN <<EOF\nunterminated",
            b"a: &a [*a, *a]\nb: *a\n",
            b"--config-file=/etc/docker/../../x -H tcp://0.0.0.0:2375\n{\"hosts\": [1, null], \"storage-driver\": {}}",
        ];
        for data in inputs {
            super::dockerfile(data);
            super::compose(data);
            super::kubernetes_manifest(data);
            super::systemd_unit(data);
            super::audit_rules(data);
            super::mountinfo(data);
            super::threat_model(data);
            super::lint_config(data);
            super::facts_bundle(data);
            super::daemon_json(data);
            super::kubelet_config(data);
        }
    }
}
