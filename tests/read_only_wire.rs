//! Read-only, proven at the wire: `DOCKER_HOST` points at a logging proxy, a unix socket this
//! test serves and forwards to the private test daemon, and the analysing commands (`scan`,
//! `collect` with and without `--deep`, `threats`, `harden` without `--apply`) run through it
//! against a running container. Every request must be a GET or HEAD on a path of the read-only
//! allow-list below: nothing under `/exec`, `/attach`, `/containers/create`, `/build`, ...
//! (The Kubernetes side, `--kube-api` against a fake API server, is held to GET in
//! `tests/kube_api.rs`.)

mod common;

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

use common::Daemon;

/// Engine API paths a scan may read (the API version prefix removed), by segment: `*` is any
/// one segment (a container or image id, a network name).
const ALLOWED: &[&str] = &[
    "/_ping",
    "/version",
    "/info",
    "/containers/json",
    "/containers/*/json",
    "/containers/*/top",
    "/images/json",
    "/images/*/json",
    "/images/*/history",
    "/images/*/get",
    "/networks",
    "/networks/*",
    "/volumes",
    "/plugins",
    "/swarm",
    "/nodes",
    "/services",
    "/system/df",
];

fn matches(pattern: &str, path: &str) -> bool {
    let (p, q): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    p.len() == q.len()
        && p.iter()
            .zip(&q)
            .all(|(p, q)| *p == "*" && !q.is_empty() || p == q)
}

/// A proxy from `listen` to the daemon at `upstream`, logging every request line a client
/// sends (`GET /v1.47/info HTTP/1.1`).
fn proxy(listen: &Path, upstream: String) -> Arc<Mutex<Vec<String>>> {
    let listener = UnixListener::bind(listen).unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let requests = log.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            let Ok(daemon) = UnixStream::connect(&upstream) else {
                continue;
            };
            let log = requests.clone();
            let (mut from_client, mut to_daemon) =
                (client.try_clone().unwrap(), daemon.try_clone().unwrap());
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                let mut buf = [0u8; 65536];
                loop {
                    let n = match from_client.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    seen.extend_from_slice(&buf[..n]);
                    // Request lines are whole lines: log each complete one.
                    while let Some(end) = seen.windows(2).position(|w| w == b"\r\n") {
                        let line = String::from_utf8_lossy(&seen[..end]).to_string();
                        if line.contains(" HTTP/1.") {
                            log.lock().unwrap().push(line);
                        }
                        seen.drain(..end + 2);
                    }
                    if to_daemon.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = to_daemon.shutdown(std::net::Shutdown::Write);
            });
            let (mut from_daemon, mut to_client) = (daemon, client);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut from_daemon, &mut to_client);
                let _ = to_client.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    log
}

/// Why a logged request line is not a read on the allow-list, if it is not.
fn refused(line: &str) -> Option<String> {
    let mut parts = line.split(' ');
    let (method, target) = (parts.next()?, parts.next()?);
    if method != "GET" && method != "HEAD" {
        return Some(format!("{method} is not a read: {line}"));
    }
    let path = target.split('?').next().unwrap_or(target);
    // `/v1.47/info` → `/info`
    let path = match path.strip_prefix("/v").and_then(|p| p.split_once('/')) {
        Some((version, rest)) if version.chars().all(|c| c.is_ascii_digit() || c == '.') => {
            format!("/{rest}")
        }
        _ => path.to_string(),
    };
    if ALLOWED.iter().any(|p| matches(p, &path)) {
        None
    } else {
        Some(format!("{path} is not on the read-only allow-list: {line}"))
    }
}

#[test]
fn analysing_commands_only_read_the_engine_api() {
    let Some(d) = Daemon::main("analysing_commands_only_read_the_engine_api") else {
        return;
    };
    let upstream = d
        .host
        .strip_prefix("unix://")
        .expect("the test daemon listens on a unix socket")
        .to_string();
    let _running = d.run("wire", &[]);
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("proxy.sock");
    let log = proxy(&socket, upstream);
    let host = format!("unix://{}", socket.display());
    let state = dir.path().join("state");
    for args in [
        &["scan"][..],
        &["scan", "--format", "json"],
        &["collect"],
        &["collect", "--deep"],
        &["threats"],
        &["threats", "--format", "json"],
        &["harden"],
        &["harden", "--format", "json"],
        &["report", "--format", "json"],
    ] {
        let before = log.lock().unwrap().len();
        let out = assert_cmd::cargo::cargo_bin_cmd!("threatbench")
            .env("DOCKER_HOST", &host)
            .env("THREATBENCH_STATE_DIR", &state)
            .args(args)
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1 | 3)),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines = log.lock().unwrap()[before..].to_vec();
        assert!(
            lines.iter().any(|l| l.contains("/containers/json")),
            "{args:?} did not list containers through the proxy: {lines:?}"
        );
        let bad: Vec<String> = lines.iter().filter_map(|l| refused(l)).collect();
        assert!(bad.is_empty(), "{args:?}:\n{}", bad.join("\n"));
    }
}

#[test]
fn the_allow_list_refuses_writes_and_exec() {
    assert_eq!(refused("GET /v1.47/containers/abc/json HTTP/1.1"), None);
    assert_eq!(refused("GET /_ping HTTP/1.1"), None);
    for line in [
        "POST /v1.47/containers/create HTTP/1.1",
        "POST /v1.47/containers/abc/exec HTTP/1.1",
        "GET /v1.47/containers/abc/attach/ws HTTP/1.1",
        "DELETE /v1.47/containers/abc HTTP/1.1",
        "GET /v1.47/exec/abc/json HTTP/1.1",
        "POST /v1.47/build HTTP/1.1",
        "GET /v1.47/containers/abc/logs HTTP/1.1",
        "GET /v1.47/containers//json HTTP/1.1",
    ] {
        assert!(refused(line).is_some(), "{line}");
    }
}
