//! docs/checks/ is generated from the check registry: regenerate it into a temporary directory
//! with the real command and compare, so a check added or changed without refreshing the docs
//! fails here with the command that fixes it.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;

fn markdown_files(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn docs_checks_is_up_to_date() {
    let tmp = tempfile::tempdir().unwrap();
    Command::cargo_bin("threatbench")
        .unwrap()
        .args(["checks", "docs", "--output"])
        .arg(tmp.path())
        .assert()
        .success();
    let fresh = markdown_files(tmp.path());
    let committed = markdown_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/checks"));
    let refresh = threatbench::cli::checks_docs::REFRESH_COMMAND;
    let missing: Vec<&String> = fresh
        .keys()
        .filter(|k| !committed.contains_key(*k))
        .collect();
    let stale: Vec<&String> = committed
        .keys()
        .filter(|k| !fresh.contains_key(*k))
        .collect();
    let changed: Vec<&String> = fresh
        .iter()
        .filter(|(k, v)| committed.get(*k).is_some_and(|c| c != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        missing.is_empty() && stale.is_empty() && changed.is_empty(),
        "docs/checks is out of date (missing: {missing:?}, stale: {stale:?}, changed: {changed:?}).\n\
         Refresh it with `{refresh}` and commit the result."
    );
    assert!(fresh.contains_key("README.md"));
}

#[test]
fn docs_command_removes_pages_of_checks_that_no_longer_exist() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("old-check.md"), "# gone\n").unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "kept\n").unwrap();
    Command::cargo_bin("threatbench")
        .unwrap()
        .args(["checks", "docs", "--output"])
        .arg(tmp.path())
        .assert()
        .success()
        .stderr(predicates::str::contains("removed stale"));
    assert!(!tmp.path().join("old-check.md").exists());
    assert!(tmp.path().join("notes.txt").exists());
    assert!(tmp.path().join("container-user-not-root.md").exists());
}
