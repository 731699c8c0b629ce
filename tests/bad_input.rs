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

#[test]
fn docker_endpoints_threatbench_cannot_speak_to_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    for host in [
        "foo://x",
        "",
        "/var/run/docker.sock",
        "unix://relative",
        "tcp://",
    ] {
        for cmd in ["scan", "collect", "threats", "harden"] {
            usage_error(
                threatbench(dir.path()).args([cmd, "--docker-host", host]),
                &[&format!("--docker-host {host:?}"), "expected unix:///PATH"],
            );
        }
    }
    usage_error(
        threatbench(dir.path())
            .env("DOCKER_HOST", "foo://x")
            .arg("scan"),
        &["DOCKER_HOST \"foo://x\"", "unsupported scheme \"foo\""],
    );
}

/// A valid endpoint with nothing behind it: the scan runs, says why Docker items are `error`
/// (with the cause, not only the HTTP client's "client error (Connect)"), and exits 3.
#[test]
fn an_endpoint_with_no_daemon_behind_it_is_incomplete_with_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_socket = dir.path().join("docker.sock");
    std::fs::write(&not_a_socket, "").unwrap();
    for (host, cause) in [
        (
            "tcp://127.0.0.1:1".to_string(),
            "Connection refused".to_string(),
        ),
        (
            format!("unix://{}", not_a_socket.display()),
            format!("{} is not a socket", not_a_socket.display()),
        ),
    ] {
        let out = threatbench(dir.path())
            .env("DOCKER_HOST", &host)
            .args(["scan", "--select", "2.15"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(3), "{stdout}");
        assert!(
            stdout.contains(&format!("Docker daemon at {host} not reachable"))
                && stdout.contains(&cause),
            "{cause:?} not in:\n{stdout}"
        );
        // Said once at the top and once in the incomplete list, not under every check.
        assert_eq!(stdout.matches(&cause).count(), 2, "{stdout}");
        assert!(stdout.contains("Docker API not reachable (the reason is on the Docker line"));
    }
}

/// Files the linter cannot use: each is named with why, the run goes on and ends incomplete
/// (3) for the unreadable and unparseable ones; skipped ones are counted and listed with -v.
#[test]
fn lint_names_each_file_it_cannot_use_and_never_hangs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let status = std::process::Command::new("mkfifo")
        .arg(d.join("Dockerfile.fifo"))
        .status()
        .unwrap();
    assert!(status.success());
    std::os::unix::fs::symlink("/nonexistent", d.join("Dockerfile.dangling")).unwrap();
    std::fs::write(d.join("Dockerfile.bin"), b"FROM x\0\x01\x02").unwrap();
    std::fs::write(
        d.join("compose.yaml"),
        "services:\n  web:\n    image: x\n     privileged: true\n",
    )
    .unwrap();
    let out = threatbench(d)
        .timeout(Duration::from_secs(60))
        .args([
            "lint",
            "Dockerfile.fifo",
            "Dockerfile.dangling",
            "Dockerfile.bin",
            "compose.yaml",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    for line in [
        "Dockerfile.fifo: error: could not lint: a FIFO or device with nothing to read (no writer)",
        "Dockerfile.dangling: error: could not lint: No such file or directory",
        "compose.yaml:4:16: error: could not lint:",
        "1 skipped (--verbose lists them), 3 could not be linted",
    ] {
        assert!(stdout.contains(line), "{line:?} not in:\n{stdout}");
    }
    let verbose = threatbench(d)
        .args(["lint", "-v", "Dockerfile.bin"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&verbose.stdout)
            .contains("Dockerfile.bin: skipped: binary file (NUL bytes)")
    );
}

/// A typo in --select or --ignore is named, instead of running nothing or ignoring nothing.
#[test]
fn select_and_ignore_tokens_that_name_no_check_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["scan", "--select", "nonexistent"][..],
        &["scan", "--ignore", "5.11,container-memroy-limit"],
        &[
            "scan",
            "--numbering",
            "cis-docker-1.3.1",
            "--select",
            "5.32",
        ],
        &["harden", "--select", "nonexistent"],
        &["harden", "--at-least-one-beyond", "nonexistent"],
    ] {
        let typo = args.last().unwrap().split(',').next_back().unwrap();
        usage_error(
            threatbench(dir.path()).args(args),
            &[typo, "no check has this id"],
        );
    }
}

/// A report that cannot be written is refused before any work is done, naming the flag.
#[test]
fn output_into_a_missing_directory_is_refused_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/dir/report.txt");
    let missing = missing.to_str().unwrap();
    for args in [
        &["scan", "--output", missing][..],
        &["collect", "-o", missing],
        &["threats", "-o", missing],
        &["threats", "--write-discovered", missing],
        &["threats", "catalog", "-o", missing],
        &["harden", "-o", missing],
        &["lint", "-o", missing, "."],
    ] {
        usage_error(
            threatbench(dir.path()).args(args),
            &[missing, "does not exist"],
        );
    }
    usage_error(
        threatbench(dir.path()).args(["scan", "-o", "."]),
        &["--output .: is a directory"],
    );
    assert!(!dir.path().join("no").exists());
}

/// A model file that does not parse is named with the line, for scan, threats and harden.
#[test]
fn a_malformed_model_file_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.yaml"), "scope: [\n").unwrap();
    std::fs::write(
        dir.path().join("threatmodel.yaml"),
        "decisions:\n  - threat: NOPE\n",
    )
    .unwrap();
    for cmd in ["scan", "threats", "harden"] {
        let mut with_flag = threatbench(dir.path());
        with_flag.args([cmd, "--model", "bad.yaml"]);
        usage_error(&mut with_flag, &["model file bad.yaml", "--> bad.yaml:1:8"]);
        // ./threatmodel.yaml is read by default.
        usage_error(
            threatbench(dir.path()).arg(cmd),
            &[
                "model file threatmodel.yaml",
                "line 2",
                "unknown field `threat`",
            ],
        );
    }
    usage_error(
        threatbench(dir.path()).args(["model", "check", "bad.yaml"]),
        &["bad.yaml:1:8"],
    );
}

#[test]
fn host_roots_that_are_missing_empty_or_looping() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("file"), "").unwrap();
    for root in ["missing", "file"] {
        usage_error(
            threatbench(d).args(["scan", "--root", root]),
            &[&format!("--root {root}: not a directory")],
        );
    }
    // An empty root: every file is absent, the Docker API is not queried: incomplete (3).
    std::fs::create_dir(d.join("empty")).unwrap();
    let out = threatbench(d)
        .args(["scan", "--root", "empty", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["complete"], false);
    // A symlink loop in etc/docker: the files in it are errors naming the loop, not absent.
    let etc = d.join("loop/etc/docker");
    std::fs::create_dir_all(&etc).unwrap();
    std::os::unix::fs::symlink("daemon.json", etc.join("daemon.json")).unwrap();
    let out = threatbench(d)
        .args([
            "scan", "--root", "loop", "--select", "3.17,2.2", "--format", "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for r in report["results"].as_array().unwrap() {
        assert_eq!(r["verdict"], "error", "{r}");
        assert!(
            r["evidence"]
                .as_str()
                .unwrap()
                .contains("/etc/docker/daemon.json: too many levels of symbolic links"),
            "{r}"
        );
    }
}
