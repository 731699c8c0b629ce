//! The audit rules loaded in the kernel. No file exposes them (audit.rules may be stale), so on a
//! live scan of `/` while auditd runs, `auditctl -l` is run: it only lists, it changes nothing.
//! Never run for `--root` scans: the kernel answering would be this machine's, not the root's.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::facts::{Observed, ProcessFact, UnavailableKind};

/// Fixed locations, never a `PATH` lookup: a scan must not run whatever `auditctl` is first in
/// the caller's `PATH`.
pub const AUDITCTL: &[&str] = &["/usr/sbin/auditctl", "/sbin/auditctl"];

/// `auditctl -l` output when `root` is `/` and auditd is among the processes; else `None`.
pub fn loaded_rules(
    root: &Path,
    processes: &Observed<Vec<ProcessFact>>,
) -> Option<Observed<String>> {
    if root != Path::new("/") {
        return None;
    }
    let running = processes
        .seen()
        .is_some_and(|list| list.iter().any(|p| p.exe_name() == "auditd"));
    if !running {
        return None;
    }
    let Some(binary) = AUDITCTL.iter().find(|p| Path::new(p).is_file()) else {
        return Some(Observed::unavailable(
            UnavailableKind::NotFound,
            format!(
                "auditd runs but auditctl is not at {}: loaded rules not read",
                AUDITCTL.join(" or ")
            ),
        ));
    };
    Some(run(binary))
}

fn run(binary: &str) -> Observed<String> {
    let output = match Command::new(binary).arg("-l").stdin(Stdio::null()).output() {
        Ok(o) => o,
        Err(e) => {
            return Observed::unavailable(UnavailableKind::Error, format!("{binary} -l: {e}"));
        }
    };
    if output.status.success() {
        return match String::from_utf8(output.stdout) {
            Ok(text) => Observed::Seen(text),
            Err(_) => Observed::unavailable(
                UnavailableKind::Malformed,
                format!("{binary} -l: output is not UTF-8"),
            ),
        };
    }
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
    let kind = if stderr.contains("must be root") || stderr.contains("not permitted") {
        UnavailableKind::PermissionDenied
    } else {
        UnavailableKind::Error
    };
    Observed::unavailable(
        kind,
        format!("{binary} -l failed ({}): {stderr}", output.status),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_runs_for_another_root_or_without_auditd() {
        let auditd = Observed::Seen(vec![ProcessFact {
            pid: 9,
            exe: Some("/usr/sbin/auditd".into()),
            argv: vec!["/sbin/auditd".into()],
        }]);
        assert_eq!(loaded_rules(Path::new("/tmp/snapshot"), &auditd), None);
        assert_eq!(loaded_rules(Path::new("/"), &Observed::Seen(vec![])), None);
    }
}
