//! Bad input to every command: each gives a clear message naming the input, a nonzero exit code
//! when the job cannot be done (2: usage, 3: incomplete), and never a panic. No Docker needed:
//! the daemon is pointed at a socket that does not exist.

use std::path::Path;
use std::time::Duration;

fn threatbench(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("threatbench");
    cmd.current_dir(dir)
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(120));
    cmd
}

/// Exit code 2 and a message on stderr that contains every `needle`; no panic.
fn usage_error(cmd: &mut assert_cmd::Command, needles: &[&str]) {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for n in needles {
        assert!(stderr.contains(n), "{n:?} not in: {stderr}");
    }
}

#[test]
fn facts_bundles_that_cannot_be_used_are_named_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("empty.json"), "").unwrap();
    std::fs::write(d.join("malformed.json"), "{\"schema\": ").unwrap();
    std::fs::write(d.join("scan.json"), "{\"schema\": \"threatbench/scan/v1\"}").unwrap();
    std::fs::write(d.join("list.json"), "[1, 2]").unwrap();
    std::fs::write(
        d.join("fields.json"),
        "{\"schema\": \"threatbench/facts/v1\", \"host\": 3}",
    )
    .unwrap();
    for (file, reason) in [
        ("missing.json", "No such file"),
        ("empty.json", "empty file"),
        ("malformed.json", "not a JSON object"),
        ("scan.json", "schema \"threatbench/scan/v1\""),
        ("list.json", "not a JSON object"),
        ("fields.json", "fields do not match"),
        (".", "Is a directory"),
    ] {
        usage_error(
            threatbench(d).args(["scan", "--facts", file]),
            &[file, reason],
        );
    }
}
