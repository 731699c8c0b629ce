//! The history store on a real PostgreSQL server (Debian's `postgresql`, started on loopback by
//! scripts/test through scripts/postgres-test-env, URL in TB_POSTGRES_URL): many hosts' scans
//! written at once lose nothing and `fleet` lists every host; a store left at schema version 1
//! is migrated with its scans intact; `diff` reads the same rows as on SQLite; TLS is used
//! and the server's certificate verified (the test server's CA from TB_POSTGRES_CA, given to
//! threatbench as THREATBENCH_STORE_CA). Each test makes a database of its own. Without TB_POSTGRES_URL the tests say so and pass, except in CI.

mod common_kube;

use std::path::Path;
use std::process::Output;

use serde_json::Value;

fn server() -> Option<String> {
    match std::env::var("TB_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "TB_POSTGRES_URL is needed in CI (scripts/test starts PostgreSQL)"
            );
            eprintln!("skipped: no PostgreSQL (TB_POSTGRES_URL unset; scripts/test starts one)");
            None
        }
    }
}

/// A new, empty database on the server; its URL.
fn database(server: &str, name: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(server, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        // One statement each: a multi-statement batch is one transaction, which these refuse.
        for sql in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name}"),
        ] {
            client.batch_execute(&sql).await.unwrap();
        }
    });
    let base = server.rsplit_once('/').unwrap().0;
    format!("{base}/{name}")
}

/// The test server's CA, for threatbench to verify its certificate.
fn ca() -> String {
    std::env::var("TB_POSTGRES_CA").unwrap_or_default()
}

fn tb(args: &[&str]) -> Output {
    assert_cmd::cargo::cargo_bin_cmd!("threatbench")
        .env_remove("DOCKER_HOST")
        .env_remove("THREATBENCH_STORE")
        .env("THREATBENCH_STORE_CA", ca())
        .args(args)
        .output()
        .unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn node(name: &str) -> common_kube::NodeRoot {
    let n = common_kube::NodeRoot::kubeadm_control_plane();
    n.write("/etc/hostname", 0o644, &format!("{name}\n"));
    n
}

fn scan_cmd(root: &Path, url: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_threatbench"));
    cmd.env_remove("DOCKER_HOST")
        .env_remove("THREATBENCH_STORE")
        .env("THREATBENCH_STORE_CA", ca())
        .args(["scan", "--format", "json", "--root"])
        .arg(root)
        .args(["--store", url]);
    cmd
}

/// Sixteen hosts, four scans each, all 64 started at once (a DaemonSet's pods after a
/// rollout) against a server that takes 10 connections: the first writers migrate the empty
/// database under the lock, the others wait for a connection, and every scan is recorded.
#[test]
fn concurrent_hosts_lose_nothing_and_appear_in_fleet() {
    let Some(server) = server() else { return };
    let url = database(&server, "tb_fleet");
    let nodes: Vec<_> = (0..16).map(|i| node(&format!("pg-node-{i:02}"))).collect();
    let children: Vec<_> = (0..4)
        .flat_map(|_| nodes.iter())
        .map(|n| {
            scan_cmd(n.path(), &url)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("recorded as scan"), "{err}");
        assert!(!err.contains("warning: store"), "{err}");
    }
    let history = json(&tb(&[
        "history", "--limit", "100", "--format", "json", "--store", &url,
    ]));
    assert_eq!(history["scans"].as_array().unwrap().len(), 64);
    let fleet = json(&tb(&["fleet", "--format", "json", "--store", &url]));
    let hosts: Vec<&str> = fleet["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["host"].as_str().unwrap())
        .collect();
    assert_eq!(
        hosts,
        (0..16)
            .map(|i| format!("pg-node-{i:02}"))
            .collect::<Vec<_>>()
    );
    assert!(
        fleet["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["hosts_failing"] == 16),
        "{fleet}"
    );
}

/// A database an older threatbench left at schema version 1 (no `changes` table) is brought to
/// the current version by the next scan; its scans stay.
#[test]
fn a_version_1_database_is_migrated_with_its_scans() {
    let Some(server) = server() else { return };
    let url = database(&server, "tb_migrate");
    // SAFETY: set before any thread of this test reads the environment.
    unsafe { std::env::set_var("THREATBENCH_STORE_CA", ca()) };
    {
        let mut old = threatbench::store::postgres::Postgres::open_at(&url, 1).unwrap();
        use threatbench::store::Backend as _;
        assert_eq!(old.version().unwrap(), 1);
    }
    let n = node("pg-old");
    let first = scan_cmd(n.path(), &url).output().unwrap();
    assert!(String::from_utf8_lossy(&first.stderr).contains("recorded as scan 1"));
    let mut db = threatbench::store::postgres::Postgres::open(&url).unwrap();
    use threatbench::store::Backend as _;
    assert_eq!(
        db.version().unwrap(),
        threatbench::store::migrations::CURRENT
    );
    assert_eq!(db.scans(Some("pg-old"), None).unwrap().len(), 1);
    // A second scan with the API server's profiling turned off: diff names the fix.
    let mut flags = common_kube::apiserver_flags();
    flags.retain(|f| !f.starts_with("--profiling"));
    flags.push("--profiling=true".into());
    n.manifest("kube-apiserver", &flags);
    scan_cmd(n.path(), &url).output().unwrap();
    flags.pop();
    flags.push("--profiling=false".into());
    n.manifest("kube-apiserver", &flags);
    scan_cmd(n.path(), &url).output().unwrap();
    let diff = json(&tb(&[
        "diff", "--host", "pg-old", "--format", "json", "--store", &url,
    ]));
    assert!(
        diff["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| { f["slug"] == "k8s-apiserver-profiling-disabled" && f["change"] == "fixed" }),
        "{diff}"
    );
}

/// `sslmode=require`: the connection is TLS, and a server whose CA is not trusted is refused
/// with a warning naming the store (the scan report is still written).
#[test]
fn tls_is_required_and_the_certificate_verified() {
    let Some(server) = server() else { return };
    assert!(
        !ca().is_empty(),
        "TB_POSTGRES_CA: scripts/postgres-test-env exports the test server's CA with its URL"
    );
    let url = format!("{}?sslmode=require", database(&server, "tb_tls"));
    let n = node("pg-tls");
    let trusted = scan_cmd(n.path(), &url).output().unwrap();
    let err = String::from_utf8_lossy(&trusted.stderr);
    assert!(err.contains("recorded as scan 1"), "{err}");
    let untrusted = scan_cmd(n.path(), &url)
        .env("THREATBENCH_STORE_CA", "")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&untrusted.stderr);
    assert!(
        err.contains("warning: store postgres://postgres@127.0.0.1"),
        "{err}"
    );
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    assert_eq!(untrusted.status.code(), trusted.status.code());
    assert!(serde_json::from_slice::<Value>(&untrusted.stdout).is_ok());
}
