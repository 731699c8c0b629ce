//! Long jobs show an indicatif progress bar on stderr when it is a terminal, and nothing
//! otherwise: `lint` of a tree of 60 Dockerfiles, once with stderr a pipe (no bar, no carriage
//! return, no escape sequence) and once on a real pseudo-terminal made by util-linux `script`
//! (the bar and its count are drawn).

use std::process::Command;

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..60 {
        std::fs::write(
            dir.path().join(format!("Dockerfile.{i}")),
            format!("FROM debian:12\nUSER {}\n", 1000 + i),
        )
        .unwrap();
    }
    dir
}

#[test]
fn a_pipe_gets_no_progress() {
    let dir = tree();
    let out = assert_cmd::cargo::cargo_bin_cmd!("threatbench")
        .arg("lint")
        .arg(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("linting"), "{err}");
    assert!(!err.contains('\r') && !err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn a_terminal_gets_a_bar() {
    if Command::new("script").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "util-linux `script` is needed in CI"
        );
        eprintln!("skipped: no `script` to make a terminal");
        return;
    }
    let dir = tree();
    let bin = env!("CARGO_BIN_EXE_threatbench");
    let inner = format!("{bin} lint {} >/dev/null", dir.path().display());
    // A terminal that can move the cursor (indicatif draws nothing on TERM=dumb or unset).
    let out = Command::new("script")
        .env("TERM", "xterm-256color")
        .args(["-qfec", &inner, "/dev/null"])
        .output()
        .unwrap();
    let drawn = String::from_utf8_lossy(&out.stdout);
    assert!(drawn.contains("linting"), "{drawn:?}");
    assert!(drawn.contains("/60"), "{drawn:?}");
}
