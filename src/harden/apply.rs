//! `--apply` and `--rollback`: the only code in threatbench that changes a host. It performs the
//! local, reversible actions of the chosen picks (daemon.json edits, chmod/chown, the audit rules
//! file, `docker update` through the Engine API), keeps every old byte and value in the state
//! directory, and records what it did in the journal.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use bollard::Docker;

use super::backup::{self, BackupSet};
use super::journal::{self, Entry, Journal, Record, RecordKind};
use super::patch::audit;
use super::patch::containers::UpdateValues;
use super::patch::daemon_json::{self, Edit};
use super::patch::files::FileChange;
use super::plan::Pick;
use super::remedy::Action;
use crate::collect::fsroot::FsRoot;
use crate::facts::Facts;

/// What to do with dockerd after daemon.json changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DaemonStep {
    None,
    /// SIGHUP: dockerd re-reads the reloadable keys.
    Reload,
    /// `systemctl restart` of dockerd's unit.
    Restart,
}

/// Where the apply happens.
pub struct Target<'a> {
    pub facts: &'a Facts,
    pub state_dir: PathBuf,
    /// The Docker endpoint (the one the facts came from unless overridden).
    pub endpoint: Option<String>,
    /// The dockerd process to reload or restart, when known.
    pub dockerd_pid: Option<u32>,
}

/// The actions of the picks, grouped so that each file is written once and each container
/// updated once.
#[derive(Debug, Default)]
pub struct Batch {
    /// daemon.json path → (text the plan was made on, all edits).
    pub daemon_json: BTreeMap<String, (Option<String>, Vec<Edit>)>,
    pub files: BTreeMap<String, FileChange>,
    pub audit_paths: Vec<String>,
    /// Container id → (name, values).
    pub updates: BTreeMap<String, (String, UpdateValues)>,
    pub checks: Vec<String>,
}

impl Batch {
    pub fn from_picks(picks: &[&Pick]) -> Batch {
        let mut b = Batch::default();
        for p in picks {
            if p.proposal.change.blocked.is_some() || p.proposal.change.actions.is_empty() {
                continue;
            }
            b.checks.push(p.check.slug.to_string());
            for a in &p.proposal.change.actions {
                match a {
                    Action::DaemonJson {
                        path,
                        original,
                        edits,
                    } => {
                        let entry = b
                            .daemon_json
                            .entry(path.clone())
                            .or_insert_with(|| (original.clone(), vec![]));
                        entry.1.extend(edits.iter().cloned());
                    }
                    Action::File(c) => {
                        let e = b.files.entry(c.path.clone()).or_insert_with(|| FileChange {
                            mode: None,
                            uid: None,
                            gid: None,
                            owner_text: None,
                            ..c.clone()
                        });
                        e.mode = e.mode.or(c.mode);
                        if c.uid.is_some() {
                            e.uid = c.uid;
                            e.gid = c.gid;
                            e.owner_text.clone_from(&c.owner_text);
                        }
                    }
                    Action::AuditRules { paths } => {
                        for p in paths {
                            if !b.audit_paths.contains(p) {
                                b.audit_paths.push(p.clone());
                            }
                        }
                    }
                    Action::DockerUpdate { id, name, values } => {
                        let e = b
                            .updates
                            .entry(id.clone())
                            .or_insert_with(|| (name.clone(), UpdateValues::default()));
                        e.1.merge(values);
                    }
                }
            }
        }
        b
    }

    pub fn is_empty(&self) -> bool {
        self.daemon_json.is_empty()
            && self.files.is_empty()
            && self.audit_paths.is_empty()
            && self.updates.is_empty()
    }

    /// The combined daemon.json diffs, as they will be written.
    pub fn daemon_json_diffs(&self) -> Vec<String> {
        self.daemon_json
            .iter()
            .map(
                |(path, (original, edits))| match daemon_json::merge(original.as_deref(), edits) {
                    Ok(new) => {
                        daemon_json::unified_diff(path, original.as_deref().unwrap_or(""), &new)
                    }
                    Err(e) => format!("{path}: {e}\n"),
                },
            )
            .collect()
    }

    /// One line per action, for the confirmation prompt.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (path, (_, edits)) in &self.daemon_json {
            out.push(format!(
                "edit {path}: {}",
                edits
                    .iter()
                    .map(Edit::describe)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        for c in self.files.values() {
            out.extend(c.commands());
        }
        if !self.audit_paths.is_empty() {
            out.push(format!(
                "add watches to {}: {}",
                audit::RULES_FILE,
                self.audit_paths.join(", ")
            ));
        }
        for (name, values) in self.updates.values() {
            out.push(values.command(name));
        }
        out
    }

    pub fn touches_daemon_json(&self) -> bool {
        !self.daemon_json.is_empty()
    }
}

fn local_path(root: &FsRoot, host_path: &str) -> anyhow::Result<PathBuf> {
    root.resolve(host_path)
        .with_context(|| format!("resolving {host_path} under {}", root.root().display()))
}

fn connect(endpoint: &str) -> anyhow::Result<Docker> {
    Ok(Docker::connect_with_host(endpoint)
        .with_context(|| format!("connecting to Docker at {endpoint}"))?
        .with_timeout(Duration::from_secs(60)))
}

/// Perform the batch, journal it, and return the record.
pub async fn apply(
    batch: &Batch,
    target: &Target<'_>,
    daemon_step: DaemonStep,
) -> anyhow::Result<Record> {
    let journal = Journal::open(&target.state_dir)
        .with_context(|| format!("opening the state directory {}", target.state_dir.display()))?;
    let id = journal::new_id();
    let backups = BackupSet::create(&target.state_dir, &id)
        .with_context(|| format!("creating backups in {}", target.state_dir.display()))?;
    let root = FsRoot::new(&target.facts.host.root);
    let mut entries = Vec::new();
    let mut n = 0;
    for (path, (original, edits)) in &batch.daemon_json {
        n += 1;
        entries.push(write_daemon_json(
            &root,
            &backups,
            n,
            path,
            original.as_deref(),
            edits,
        ));
    }
    for c in batch.files.values() {
        entries.push(change_file(&root, c));
    }
    if !batch.audit_paths.is_empty() {
        n += 1;
        entries.push(write_audit_rules(&root, &backups, n, &batch.audit_paths));
    }
    if !batch.updates.is_empty() {
        match &target.endpoint {
            Some(endpoint) => {
                let docker = connect(endpoint)?;
                let docker = docker
                    .negotiate_version()
                    .await
                    .with_context(|| format!("Docker at {endpoint}"))?;
                for (id, (name, values)) in &batch.updates {
                    entries.push(update_container(&docker, id, name, values).await);
                }
            }
            None => anyhow::bail!("no Docker endpoint to apply docker update through"),
        }
    }
    if daemon_step != DaemonStep::None && batch.touches_daemon_json() {
        entries.push(daemon_entry(target, daemon_step).await);
    }
    let record = Record {
        id,
        kind: RecordKind::Apply,
        at: jiff::Timestamp::now().to_string(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        hostname: target.facts.host.hostname.clone(),
        root: target.facts.host.root.clone(),
        docker_endpoint: target.endpoint.clone(),
        checks: batch.checks.clone(),
        rolls_back: None,
        entries,
    };
    journal.append(&record).context("writing the journal")?;
    Ok(record)
}

fn io_outcome<T>(r: anyhow::Result<T>) -> String {
    match r {
        Ok(_) => "done".into(),
        Err(e) => format!("failed: {e:#}"),
    }
}

fn write_daemon_json(
    root: &FsRoot,
    backups: &BackupSet,
    n: usize,
    path: &str,
    original: Option<&str>,
    edits: &[Edit],
) -> Entry {
    let mut entry = Entry::File {
        path: path.into(),
        local_path: String::new(),
        existed: original.is_some(),
        backup: None,
        old_mode: None,
        old_uid: None,
        old_gid: None,
        new_mode: None,
        new_uid: None,
        new_gid: None,
        content_changed: false,
        outcome: String::new(),
    };
    let result = (|| -> anyhow::Result<()> {
        let local = local_path(root, path)?;
        if let Entry::File { local_path, .. } = &mut entry {
            *local_path = local.display().to_string();
        }
        let snap = backup::snapshot(&local).with_context(|| format!("reading {path}"))?;
        let current = snap
            .as_ref()
            .map(|s| String::from_utf8(s.bytes.clone()))
            .transpose()
            .with_context(|| format!("{path} is not UTF-8"))?;
        anyhow::ensure!(
            current.as_deref() == original,
            "{path} changed since the plan was made: run harden again"
        );
        let new =
            daemon_json::merge(current.as_deref(), edits).with_context(|| path.to_string())?;
        let (mode, owner) = match &snap {
            Some(s) => (s.mode, Some((s.uid, s.gid))),
            None => (0o644, None),
        };
        if let Some(s) = &snap {
            let rel = backups.store(n, &s.bytes).context("storing the backup")?;
            if let Entry::File {
                backup,
                old_mode,
                old_uid,
                old_gid,
                ..
            } = &mut entry
            {
                *backup = Some(rel);
                *old_mode = Some(s.mode);
                *old_uid = Some(s.uid);
                *old_gid = Some(s.gid);
            }
        }
        if let Some(parent) = local.parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        backup::write_atomic(&local, new.as_bytes(), mode, owner)
            .with_context(|| format!("writing {path}"))?;
        if let Entry::File {
            content_changed,
            new_mode,
            ..
        } = &mut entry
        {
            *content_changed = true;
            *new_mode = Some(mode);
        }
        Ok(())
    })();
    if let Entry::File { outcome, .. } = &mut entry {
        *outcome = io_outcome(result);
    }
    entry
}

fn write_audit_rules(root: &FsRoot, backups: &BackupSet, n: usize, paths: &[String]) -> Entry {
    let mut entry = Entry::File {
        path: audit::RULES_FILE.into(),
        local_path: String::new(),
        existed: false,
        backup: None,
        old_mode: None,
        old_uid: None,
        old_gid: None,
        new_mode: None,
        new_uid: None,
        new_gid: None,
        content_changed: false,
        outcome: String::new(),
    };
    let result = (|| -> anyhow::Result<()> {
        let local = local_path(root, audit::RULES_FILE)?;
        let snap = backup::snapshot(&local)?;
        let current = snap
            .as_ref()
            .map(|s| String::from_utf8_lossy(&s.bytes).to_string());
        let new = audit::merged_rules(current.as_deref(), paths);
        if let Entry::File {
            local_path,
            existed,
            ..
        } = &mut entry
        {
            *local_path = local.display().to_string();
            *existed = snap.is_some();
        }
        if current.as_deref() == Some(new.as_str()) {
            return Ok(());
        }
        let (mode, owner) = match &snap {
            Some(s) => {
                let rel = backups.store(n, &s.bytes)?;
                if let Entry::File {
                    backup,
                    old_mode,
                    old_uid,
                    old_gid,
                    ..
                } = &mut entry
                {
                    *backup = Some(rel);
                    *old_mode = Some(s.mode);
                    *old_uid = Some(s.uid);
                    *old_gid = Some(s.gid);
                }
                (s.mode, Some((s.uid, s.gid)))
            }
            None => (0o640, None),
        };
        if let Some(parent) = local.parent() {
            fs::create_dir_all(parent)?;
        }
        backup::write_atomic(&local, new.as_bytes(), mode, owner)?;
        if let Entry::File {
            content_changed,
            new_mode,
            ..
        } = &mut entry
        {
            *content_changed = true;
            *new_mode = Some(mode);
        }
        Ok(())
    })();
    if let Entry::File { outcome, .. } = &mut entry {
        *outcome = io_outcome(result);
    }
    entry
}

fn change_file(root: &FsRoot, c: &FileChange) -> Entry {
    let mut entry = Entry::File {
        path: c.path.clone(),
        local_path: String::new(),
        existed: true,
        backup: None,
        old_mode: None,
        old_uid: None,
        old_gid: None,
        new_mode: None,
        new_uid: None,
        new_gid: None,
        content_changed: false,
        outcome: String::new(),
    };
    let result = (|| -> anyhow::Result<()> {
        let local = local_path(root, &c.path)?;
        let meta = fs::metadata(&local).with_context(|| format!("stat {}", c.path))?;
        let old_mode = meta.mode() & 0o7777;
        if let Entry::File {
            local_path,
            old_mode: om,
            old_uid,
            old_gid,
            ..
        } = &mut entry
        {
            *local_path = local.display().to_string();
            *om = Some(old_mode);
            *old_uid = Some(meta.uid());
            *old_gid = Some(meta.gid());
        }
        if let (Some(uid), Some(gid)) = (c.uid, c.gid)
            && (meta.uid(), meta.gid()) != (uid, gid)
        {
            std::os::unix::fs::chown(&local, Some(uid), Some(gid))
                .with_context(|| format!("chown {}", c.path))?;
            if let Entry::File {
                new_uid, new_gid, ..
            } = &mut entry
            {
                *new_uid = Some(uid);
                *new_gid = Some(gid);
            }
        }
        if let Some(mode) = c.mode {
            // Only ever tighten: the planned mode applied to what is there now.
            let new = old_mode & mode;
            if new != old_mode {
                fs::set_permissions(&local, fs::Permissions::from_mode(new))
                    .with_context(|| format!("chmod {}", c.path))?;
                if let Entry::File { new_mode, .. } = &mut entry {
                    *new_mode = Some(new);
                }
            }
        }
        Ok(())
    })();
    if let Entry::File { outcome, .. } = &mut entry {
        *outcome = io_outcome(result);
    }
    entry
}

async fn update_container(docker: &Docker, id: &str, name: &str, values: &UpdateValues) -> Entry {
    let mut old = UpdateValues::default();
    let result: anyhow::Result<()> = async {
        let inspect = docker
            .inspect_container(id, None)
            .await
            .with_context(|| format!("inspecting container {name}"))?;
        old = values.current(&inspect);
        docker
            .update_container(id, values.body())
            .await
            .with_context(|| format!("updating container {name}"))?;
        Ok(())
    }
    .await;
    Entry::DockerUpdate {
        id: id.into(),
        name: name.into(),
        old,
        new: values.clone(),
        outcome: io_outcome(result),
    }
}

async fn daemon_entry(target: &Target<'_>, step: DaemonStep) -> Entry {
    let (action, result) = match step {
        DaemonStep::Reload => ("reload (SIGHUP)", reload_dockerd(target).await),
        DaemonStep::Restart => ("restart", restart_dockerd(target).await),
        DaemonStep::None => ("none", Ok(())),
    };
    Entry::Daemon {
        action: action.into(),
        outcome: io_outcome(result),
    }
}

/// The dockerd pid, only for a live host (a pid under another root is not ours to signal).
fn live_pid(target: &Target<'_>) -> anyhow::Result<u32> {
    anyhow::ensure!(
        target.facts.host.root == "/",
        "dockerd can only be reloaded or restarted on the live host, not under --root"
    );
    target
        .dockerd_pid
        .context("the dockerd serving this endpoint was not identified, so it cannot be reloaded or restarted")
}

pub async fn reload_dockerd(target: &Target<'_>) -> anyhow::Result<()> {
    let pid = live_pid(target)?;
    let pid = i32::try_from(pid).context("pid out of range")?;
    // SAFETY: kill(2) with a valid signal number has no memory-safety preconditions.
    let rc = unsafe { libc::kill(pid, libc::SIGHUP) };
    anyhow::ensure!(
        rc == 0,
        "SIGHUP to dockerd (pid {pid}): {}",
        std::io::Error::last_os_error()
    );
    // dockerd applies the configuration asynchronously; give it a moment before re-checking.
    tokio::time::sleep(Duration::from_millis(800)).await;
    Ok(())
}

/// The systemd unit a process runs in, from /proc/PID/cgroup.
pub fn systemd_unit(pid: u32) -> Option<String> {
    let text = fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    text.lines()
        .filter_map(|l| l.rsplit(':').next())
        .flat_map(|path| path.split('/'))
        .find(|part| part.ends_with(".service"))
        .map(str::to_string)
}

pub async fn restart_dockerd(target: &Target<'_>) -> anyhow::Result<()> {
    let pid = live_pid(target)?;
    let unit = systemd_unit(pid).with_context(|| {
        format!("dockerd (pid {pid}) is not a systemd service: restart it the way it was started")
    })?;
    let status = std::process::Command::new("systemctl")
        .args(["restart", "--", &unit])
        .status()
        .context("running systemctl")?;
    anyhow::ensure!(status.success(), "systemctl restart {unit}: {status}");
    if let Some(endpoint) = &target.endpoint {
        wait_for_api(endpoint, Duration::from_secs(60)).await?;
    }
    Ok(())
}

async fn wait_for_api(endpoint: &str, timeout: Duration) -> anyhow::Result<()> {
    let start = std::time::Instant::now();
    loop {
        if let Ok(d) = connect(endpoint)
            && d.ping().await.is_ok()
        {
            return Ok(());
        }
        anyhow::ensure!(
            start.elapsed() < timeout,
            "dockerd did not answer within {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Undo the latest apply not yet undone: restore file bytes exactly (with their old mode and
/// owner), remove files the apply created, put back old modes/owners, and reverse `docker
/// update` values. Returns the rollback record (already journaled) and notes on what could not
/// be reversed.
pub async fn rollback(
    state_dir: &Path,
    endpoint_override: Option<&str>,
    daemon_step: DaemonStep,
    dockerd_pid: Option<u32>,
    facts_for_daemon: Option<&Facts>,
) -> anyhow::Result<Option<(Record, Record)>> {
    let journal = Journal::open(state_dir)
        .with_context(|| format!("opening the state directory {}", state_dir.display()))?;
    let Some(apply) = journal.last_open_apply()? else {
        return Ok(None);
    };
    let mut entries = Vec::new();
    let mut touched_daemon_json = false;
    let endpoint = endpoint_override
        .map(str::to_string)
        .or_else(|| apply.docker_endpoint.clone());
    let mut docker: Option<Docker> = None;
    for e in apply.entries.iter().rev() {
        if !e.outcome().starts_with("done") {
            continue;
        }
        match e {
            Entry::File {
                path,
                local_path,
                existed,
                backup,
                old_mode,
                old_uid,
                old_gid,
                content_changed,
                new_mode,
                new_uid,
                new_gid,
                ..
            } => {
                let local = PathBuf::from(local_path);
                let result = (|| -> anyhow::Result<()> {
                    if *content_changed {
                        touched_daemon_json |= path != audit::RULES_FILE;
                        if *existed {
                            let rel = backup
                                .as_ref()
                                .context("the backup is missing from the journal")?;
                            let bytes = fs::read(state_dir.join(rel))
                                .with_context(|| format!("reading backup {rel}"))?;
                            backup::write_atomic(
                                &local,
                                &bytes,
                                old_mode.unwrap_or(0o644),
                                old_uid.zip(*old_gid),
                            )?;
                        } else {
                            fs::remove_file(&local).with_context(|| {
                                format!("removing {path}, which the apply created")
                            })?;
                        }
                        return Ok(());
                    }
                    if new_uid.is_some() {
                        std::os::unix::fs::chown(&local, *old_uid, *old_gid)
                            .with_context(|| format!("chown {path}"))?;
                    }
                    if let (Some(_), Some(old)) = (new_mode, old_mode) {
                        fs::set_permissions(&local, fs::Permissions::from_mode(*old))
                            .with_context(|| format!("chmod {path}"))?;
                    }
                    Ok(())
                })();
                entries.push(Entry::File {
                    path: path.clone(),
                    local_path: local_path.clone(),
                    existed: *existed,
                    backup: backup.clone(),
                    old_mode: *new_mode,
                    old_uid: *new_uid,
                    old_gid: *new_gid,
                    new_mode: new_mode.and(*old_mode),
                    new_uid: new_uid.and(*old_uid),
                    new_gid: new_gid.and(*old_gid),
                    content_changed: *content_changed,
                    outcome: io_outcome(result),
                });
            }
            Entry::DockerUpdate {
                id, name, old, new, ..
            } => {
                let (back, notes) = UpdateValues::reversal(old);
                let result: anyhow::Result<()> = async {
                    if docker.is_none() {
                        let ep = endpoint.as_deref().context("no Docker endpoint recorded")?;
                        docker = Some(connect(ep)?.negotiate_version().await?);
                    }
                    if !back.is_empty() {
                        let d = docker.as_ref().context("no Docker connection")?;
                        d.update_container(id, back.body())
                            .await
                            .with_context(|| format!("updating container {name}"))?;
                    }
                    Ok(())
                }
                .await;
                let mut outcome = io_outcome(result);
                if outcome == "done" && !notes.is_empty() {
                    outcome = format!("done, partly: {}", notes.join("; "));
                }
                entries.push(Entry::DockerUpdate {
                    id: id.clone(),
                    name: name.clone(),
                    old: new.clone(),
                    new: back,
                    outcome,
                });
            }
            Entry::Daemon { .. } => {}
        }
    }
    if daemon_step != DaemonStep::None
        && touched_daemon_json
        && let Some(facts) = facts_for_daemon
    {
        let target = Target {
            facts,
            state_dir: state_dir.to_path_buf(),
            endpoint: endpoint.clone(),
            dockerd_pid,
        };
        entries.push(daemon_entry(&target, daemon_step).await);
    }
    let record = Record {
        id: journal::new_id(),
        kind: RecordKind::Rollback,
        at: jiff::Timestamp::now().to_string(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        hostname: apply.hostname.clone(),
        root: apply.root.clone(),
        docker_endpoint: endpoint,
        checks: apply.checks.clone(),
        rolls_back: Some(apply.id.clone()),
        entries,
    };
    journal.append(&record).context("writing the journal")?;
    Ok(Some((apply, record)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systemd_unit_is_read_from_the_cgroup_path() {
        // Our own process: whatever it is, the function must not panic; a unit name ends in .service.
        if let Some(unit) = systemd_unit(std::process::id()) {
            assert!(unit.ends_with(".service"));
        }
    }
}
