//! Read-only: `scan`, `collect`, `threats` (without --write-discovered) and `harden` (without
//! --apply) write nothing: no log, state or output file appears in the working directory or in
//! the harden state directory. They run against the private test daemon when there is one
//! (DOCKER_HOST from scripts/test), else against a socket that does not exist.

use std::path::Path;

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn analysing_commands_write_nothing() {
    let cwd = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let state_dir = state.path().join("harden");
    let docker_host = std::env::var("DOCKER_HOST")
        .ok()
        .filter(|_| std::env::var("TB_DOCKERD").as_deref() == Ok("1"))
        .unwrap_or_else(|| "unix:///nonexistent/docker.sock".into());
    for args in [
        &["scan"][..],
        &["scan", "--format", "json"],
        &["collect"],
        &["threats"],
        &["threats", "--format", "markdown"],
        &["harden"],
        &["harden", "--format", "markdown"],
    ] {
        let out = assert_cmd::cargo::cargo_bin_cmd!("threatbench")
            .current_dir(cwd.path())
            .env("DOCKER_HOST", &docker_host)
            .env("THREATBENCH_STATE_DIR", &state_dir)
            .args(args)
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 3)),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            entries(cwd.path()).is_empty(),
            "{args:?} wrote into the working directory: {:?}",
            entries(cwd.path())
        );
        assert!(!state_dir.exists(), "{args:?} created the state directory");
    }
}
