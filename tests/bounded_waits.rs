//! Bounded waits: a Docker daemon or Kubernetes API server that accepts connections and never
//! answers ends the scan within `--timeout` plus a margin, with `error` verdicts naming the
//! bound, instead of hanging. The margin is generous (the machine may be busy); what the test
//! tells apart is "about the bound" from "the 30-second default" or "forever".

mod common_kube;

use std::net::TcpListener;
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Well under the 30 s default, well over the 2 s bound the tests set.
const MARGIN: Duration = Duration::from_secs(15);

/// Accept every connection and keep it open without a byte of answer.
fn silent<L: Send + 'static, S: Send + 'static>(listener: L, accept: fn(&L) -> std::io::Result<S>) {
    std::thread::spawn(move || {
        let mut held = Vec::new();
        while let Ok(s) = accept(&listener) {
            held.push(s);
        }
    });
}

fn scan(args: &[&str]) -> (Value, Duration, Option<i32>) {
    let started = Instant::now();
    let out = assert_cmd::cargo::cargo_bin_cmd!("threatbench")
        .env_remove("DOCKER_HOST")
        .env_remove("KUBECONFIG")
        .args(["scan", "--format", "json", "--timeout", "2s"])
        .args(args)
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    (doc, elapsed, out.status.code())
}

fn errors(doc: &Value) -> Vec<String> {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["verdict"] == "error")
        .map(|r| r["evidence"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_docker_daemon_that_never_answers_ends_the_scan_within_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("silent.sock");
    silent(UnixListener::bind(&socket).unwrap(), |l| {
        l.accept().map(|(s, _)| s)
    });
    let host = format!("unix://{}", socket.display());
    let (doc, elapsed, code) = scan(&["--docker-host", &host]);
    assert!(
        elapsed < Duration::from_secs(2) + MARGIN,
        "took {elapsed:?}"
    );
    assert_eq!(code, Some(3), "incomplete: the daemon was not read");
    let errors = errors(&doc);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("no answer within 2s (--timeout)")),
        "{errors:?}"
    );
}

#[test]
fn a_kubernetes_api_server_that_never_answers_ends_the_scan_within_the_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    silent(listener, |l| l.accept().map(|(s, _)| s));
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("config");
    write_kubeconfig(&kubeconfig, &format!("http://127.0.0.1:{port}"));
    let node = common_kube::NodeRoot::kubeadm_control_plane();
    let (doc, elapsed, code) = scan(&[
        "--root",
        node.path().to_str().unwrap(),
        "--kube-api",
        "--kubeconfig",
        kubeconfig.to_str().unwrap(),
    ]);
    assert!(
        elapsed < Duration::from_secs(2) + MARGIN,
        "took {elapsed:?}"
    );
    assert_eq!(code, Some(3));
    let errors = errors(&doc);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("no answer within 2s (--timeout)")),
        "{errors:?}"
    );
}

fn write_kubeconfig(path: &Path, server: &str) {
    std::fs::write(
        path,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: silent\n  cluster:\n    server: {server}\ncontexts:\n- name: silent\n  context:\n    cluster: silent\n    user: nobody\ncurrent-context: silent\nusers:\n- name: nobody\n  user:\n    token: not-a-real-token\n"
        ),
    )
    .unwrap();
}
