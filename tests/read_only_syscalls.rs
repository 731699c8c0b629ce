//! Read-only, proven at the system-call level: the analysing commands run under `strace -f`
//! (Debian's `strace`), against the private test daemon when there is one (DOCKER_HOST from
//! scripts/test) and against a kubeadm control-plane root with a cluster dump, and the test
//! fails on any call that could change a file: a write-mode `open`/`openat`/`creat`, `unlink`,
//! `rename`, `mkdir`, `rmdir`, `link`, `symlink`, `chmod`, `chown`, `truncate` or `mount`,
//! except on the output file named with `-o` (written atomically: a temporary file beside it,
//! renamed over it) and character devices such as /dev/null. Calls that failed count too: an
//! attempt is already a bug.
//!
//! Without `strace` the test says so and passes on a developer machine, and fails in CI (`CI`
//! set), where `.ci/run` installs it; where strace is installed but may not trace (ptrace
//! denied in a container), it says so and passes.

mod common_kube;

use std::path::Path;
use std::process::Command;

/// The calls that change files, by path argument.
const CHANGING: &[&str] = &[
    "open",
    "openat",
    "openat2",
    "creat",
    "unlink",
    "unlinkat",
    "rename",
    "renameat",
    "renameat2",
    "mkdir",
    "mkdirat",
    "rmdir",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "chmod",
    "fchmodat",
    "fchmodat2",
    "chown",
    "lchown",
    "fchownat",
    "truncate",
    "mount",
];

fn strace_installed() -> bool {
    Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether strace can trace here (a container without CAP_SYS_PTRACE cannot).
fn strace_works() -> bool {
    Command::new("strace")
        .args(["-f", "-qq", "-o", "/dev/null", "true"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The quoted path arguments of one strace line (`"..."`, with strace's escapes left as is).
fn quoted(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find('"') {
        let after = &rest[start + 1..];
        let mut end = None;
        let mut escaped = false;
        for (i, c) in after.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = Some(i);
                    break;
                }
                _ => escaped = false,
            }
        }
        let Some(end) = end else { break };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    out
}

/// Whether one traced call could change a file other than the allowed ones.
fn violation(line: &str, allowed: &dyn Fn(&str) -> bool) -> bool {
    // `12345 openat(AT_FDCWD, "/etc/x", O_RDONLY|O_CLOEXEC) = 3`
    let call = line
        .split_once(' ')
        .map(|(_, c)| c)
        .unwrap_or(line)
        .trim_start();
    let Some(name) = call.split('(').next() else {
        return false;
    };
    if !CHANGING.contains(&name) {
        return false;
    }
    if name.starts_with("open") {
        let writes = ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND"]
            .iter()
            .any(|f| call.contains(f));
        if !writes {
            return false;
        }
    }
    let paths = quoted(call);
    paths.is_empty() || !paths.iter().all(|p| allowed(p))
}

fn traced(log: &Path, cwd: &Path, env: &[(&str, &str)], args: &[&str]) -> Vec<String> {
    let bin = assert_cmd::cargo::cargo_bin!("threatbench");
    let mut cmd = Command::new("strace");
    cmd.args(["-f", "-qq", "-s", "4096", "-e"])
        // `?`: a call this strace does not know (fchmodat2 before 6.6) is not an error.
        .arg(format!(
            "trace={}",
            CHANGING
                .iter()
                .map(|c| format!("?{c}"))
                .collect::<Vec<_>>()
                .join(",")
        ))
        .arg("-o")
        .arg(log)
        .arg(bin)
        .args(args)
        .current_dir(cwd)
        .env_remove("DOCKER_HOST");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1 | 3)),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(log)
        .unwrap_or_else(|e| {
            panic!(
                "{args:?}: no strace log ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn analysing_commands_make_no_file_changing_call() {
    if !strace_installed() {
        assert!(
            std::env::var_os("CI").is_none(),
            "strace is not installed: .ci/run must install it"
        );
        eprintln!("strace is not installed: skipping the system-call proof of read-only");
        return;
    }
    if !strace_works() {
        // Installed but not allowed to trace (ptrace denied): the proof cannot run on this
        // machine, which is not a fault of the code under test.
        eprintln!("strace cannot trace here (ptrace denied): skipping the system-call proof");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let cwd = work.path().join("cwd");
    std::fs::create_dir(&cwd).unwrap();
    let out_dir = work.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let output = out_dir.join("report.json");
    let output_text = output.to_str().unwrap().to_string();
    let state_dir = work.path().join("state");
    let docker_host = std::env::var("DOCKER_HOST")
        .ok()
        .filter(|_| std::env::var("TB_DOCKERD").as_deref() == Ok("1"))
        .unwrap_or_else(|| "unix:///nonexistent/docker.sock".into());
    let node = common_kube::NodeRoot::kubeadm_control_plane();
    let dump = tempfile::tempdir().unwrap();
    common_kube::cluster::dump(dump.path());
    let root = node.path().to_str().unwrap();
    let dump_dir = dump.path().to_str().unwrap();
    // The history store is threatbench's own data, the one write besides the report: exactly
    // its directory and the SQLite file with its journal, WAL and shared-memory siblings.
    let xdg = work.path().join("xdg");
    let store_dir = xdg.join("threatbench");
    let store = store_dir.join("history.db").display().to_string();
    let env = [
        ("DOCKER_HOST", docker_host.as_str()),
        ("THREATBENCH_STATE_DIR", state_dir.to_str().unwrap()),
        ("XDG_DATA_HOME", xdg.to_str().unwrap()),
    ];
    let out_prefix = format!("{}/", out_dir.display());
    let store_files = [
        store.clone(),
        format!("{store}-journal"),
        format!("{store}-wal"),
        format!("{store}-shm"),
    ];
    let store_dirs = [xdg.display().to_string(), store_dir.display().to_string()];
    let allowed = |path: &str| {
        // The output file and its temporary sibling; devices (stdout as /dev/stdout, /dev/null);
        // the store.
        path == output_text
            || (path.starts_with(&out_prefix) && path.contains(".report.json.tmp-"))
            || path.starts_with("/dev/")
            || store_files.iter().any(|f| f == path)
            || store_dirs.iter().any(|d| d == path)
    };
    let runs: Vec<Vec<&str>> = vec![
        vec!["scan"],
        vec!["scan", "--format", "json", "-o", &output_text],
        vec!["collect", "-o", &output_text],
        vec!["threats"],
        vec!["threats", "--format", "markdown"],
        vec!["harden"],
        vec!["harden", "--format", "json"],
        vec!["scan", "--root", root, "--cluster-dump", dump_dir],
        vec![
            "threats",
            "--root",
            root,
            "--cluster-dump",
            dump_dir,
            "--format",
            "json",
        ],
        vec!["harden", "--root", root, "--cluster-dump", dump_dir],
        vec!["lint", root],
        vec!["report", "--format", "html", "-o", &output_text],
        vec![
            "report",
            "--root",
            root,
            "--cluster-dump",
            dump_dir,
            "--format",
            "json",
            "-o",
            &output_text,
        ],
    ];
    let mut bad = Vec::new();
    for (i, args) in runs.iter().enumerate() {
        let log = work.path().join(format!("strace-{i}.log"));
        let lines = traced(&log, &cwd, &env, args);
        assert!(
            lines.iter().any(|l| l.contains("open")),
            "{args:?}: strace saw no open at all; is it tracing? {lines:?}"
        );
        bad.extend(
            lines
                .iter()
                .filter(|l| violation(l, &allowed))
                .map(|l| format!("{args:?}: {l}")),
        );
    }
    assert!(bad.is_empty(), "file-changing calls:\n{}", bad.join("\n"));
    assert!(
        Path::new(&store).exists(),
        "the scans were recorded in the store (the allowance is used)"
    );
    assert!(
        !state_dir.exists(),
        "the harden state directory was created"
    );
}

#[test]
fn the_trace_reader_tells_writes_from_reads() {
    let allow_none = |_: &str| false;
    let allow_out = |p: &str| p == "/out/report.json";
    assert!(!violation(
        r#"12 openat(AT_FDCWD, "/etc/docker/daemon.json", O_RDONLY|O_CLOEXEC) = 3"#,
        &allow_none
    ));
    assert!(violation(
        r#"12 openat(AT_FDCWD, "/etc/docker/daemon.json", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = 3"#,
        &allow_none
    ));
    assert!(violation(
        r#"12 openat(AT_FDCWD, "/root/x", O_RDWR|O_CLOEXEC) = -1 ENOENT (No such file or directory)"#,
        &allow_none
    ));
    assert!(!violation(
        r#"12 openat(AT_FDCWD, "/out/report.json", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = 3"#,
        &allow_out
    ));
    assert!(violation(
        r#"12 unlink("/var/run/docker.pid") = 0"#,
        &allow_none
    ));
    assert!(violation(
        r#"13 renameat2(AT_FDCWD, "/out/a", AT_FDCWD, "/etc/b", 0) = 0"#,
        &allow_out
    ));
    assert!(!violation(
        r#"12 statx(AT_FDCWD, "/etc/x", 0) = 0"#,
        &allow_none
    ));
    assert_eq!(quoted(r#"x("a\"b", "c")"#), [r#"a\"b"#, "c"]);
}
