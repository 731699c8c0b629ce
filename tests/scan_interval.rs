//! `scan --interval`: the scan repeats, printing each report as one JSON line, until stopped.
//! Runs on an empty `--root` (no Docker endpoint), so it needs no daemon: the reports are
//! incomplete (exit code 3 for a single scan), which must not stop the loop.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// Stops the looping scan however the test ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn scan_with_an_interval_prints_one_json_report_per_line_again_and_again() {
    let root = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_threatbench"))
        .args([
            "scan",
            "--format",
            "json",
            "--select",
            "3",
            "--interval",
            "50ms",
        ])
        .arg("--root")
        .arg(root.path())
        .env("NO_COLOR", "1")
        .env_remove("DOCKER_HOST")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("running threatbench");
    let mut running = Running(child);
    let stdout = running.0.stdout.take().unwrap();
    let reports: Vec<serde_json::Value> = BufReader::new(stdout)
        .lines()
        .take(3)
        .map(|line| {
            let line = line.expect("reading the scan's output");
            serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("a report line is not JSON ({e}): {line}"))
        })
        .collect();
    assert_eq!(reports.len(), 3, "the scan stopped before its third report");
    for report in &reports {
        assert_eq!(report["schema"], "threatbench/scan/v1");
        assert!(!report["results"].as_array().unwrap().is_empty());
    }
    // Three separate scans, not one report printed thrice.
    let times: std::collections::BTreeSet<String> = reports
        .iter()
        .map(|r| r["target"]["collected_at"].to_string())
        .collect();
    assert_eq!(times.len(), 3, "collection times: {times:?}");
    assert!(
        running.0.try_wait().unwrap().is_none(),
        "the scan exited instead of repeating"
    );
}

#[test]
fn a_bad_interval_is_a_usage_error_naming_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_threatbench"))
        .args(["scan", "--interval", "soon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--interval") && stderr.contains("\"soon\""),
        "{stderr}"
    );
}
