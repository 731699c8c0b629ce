//! Shared helpers for the integration tests that run against a real Docker Engine: the private
//! dockerd `scripts/test` starts (`DOCKER_HOST`, `TB_TEST_IMAGE`), extra daemons started through
//! `scripts/docker-test-env` with the options under test, containers made with the docker CLI
//! (`--pull never`, a unique name per container, removed on drop), and the threatbench binary run
//! through assert_cmd with its JSON report parsed.
//!
//! Every test that needs Docker starts with `let Some(d) = Daemon::main("name") else { return };`
//! so that it skips, saying why, when no private daemon is available (`TB_DOCKERD` is not 1).
#![allow(dead_code)] // each test binary uses a different part of this module

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// A command that keeps a container running without doing anything.
pub const SLEEP: &[&str] = &["sleep", "100000"];

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A name no other test (in this or a concurrent run) uses: `tb-<tag>-<pid>-<n>`.
pub fn unique_name(tag: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tag: String = tag
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(24)
        .collect();
    format!("tb-{tag}-{}-{n}", std::process::id())
}

/// The busybox image the test daemon imported.
pub fn image() -> String {
    std::env::var("TB_TEST_IMAGE").unwrap_or_else(|_| "threatbench-test/busybox:1".into())
}

/// Whether privileged containers can run here (see scripts/docker-test-env).
pub fn privileged_ok() -> bool {
    std::env::var("TB_PRIVILEGED_OK").as_deref() == Ok("1")
}

fn env_script() -> PathBuf {
    std::env::var_os("TB_TEST_DOCKER_ENV_SCRIPT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/docker-test-env"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A Docker daemon the tests talk to: the shared test daemon, or an extra one this test started
/// (stopped and removed on drop).
pub struct Daemon {
    /// `DOCKER_HOST` for this daemon.
    pub host: String,
    /// The dockerd process id.
    pub pid: Option<u32>,
    /// Its `TB_TEST_DIR` (socket, data root, daemon.json, logs).
    pub dir: PathBuf,
    started_here: bool,
}

impl Daemon {
    /// The daemon `scripts/test` started, or `None` (after saying why) when there is none.
    pub fn main(test: &str) -> Option<Daemon> {
        if std::env::var("TB_DOCKERD").as_deref() != Ok("1") {
            eprintln!(
                "skipping {test}: no private dockerd (TB_DOCKERD is not 1; run scripts/test)"
            );
            return None;
        }
        let host = std::env::var("DOCKER_HOST").expect("TB_DOCKERD=1 but DOCKER_HOST unset");
        Some(Daemon {
            host,
            pid: std::env::var("TB_DOCKERD_PID")
                .ok()
                .and_then(|p| p.parse().ok()),
            dir: std::env::var_os("TB_TEST_DIR")
                .map(PathBuf::from)
                .unwrap_or_default(),
            started_here: false,
        })
    }

    /// Start an extra private daemon with `args` appended to the script's dockerd flags (later
    /// flags win). `netns`: run it in its own network namespace (needed for iptables and bridges).
    /// Err carries the script's output (dockerd's log) when the daemon does not come up.
    pub fn start(tag: &str, netns: bool, args: &[&str]) -> Result<Daemon, String> {
        let dir = Self::fresh_dir(tag);
        Self::start_in(dir, netns, args)
    }

    /// A directory for an extra daemon (not created): short, since unix socket paths are.
    pub fn fresh_dir(tag: &str) -> PathBuf {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tag: String = tag
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(12)
            .collect();
        PathBuf::from(format!("/tmp/tbx-{}-{n}-{tag}", std::process::id()))
    }

    /// Like [`Daemon::start`], in a chosen directory (e.g. one the test wrote a daemon.json into).
    pub fn start_in(dir: PathBuf, netns: bool, args: &[&str]) -> Result<Daemon, String> {
        let out = Command::new("bash")
            .arg(env_script())
            .arg("start")
            .arg("--")
            .args(args)
            .env("TB_TEST_DIR", &dir)
            .env("TB_DOCKERD_NETNS", if netns { "1" } else { "0" })
            .output()
            .map_err(|e| format!("running docker-test-env: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "docker-test-env start {args:?} failed ({}):\n{}",
                out.status,
                text(&out.stderr)
            ));
        }
        let env = std::fs::read_to_string(dir.join("env"))
            .map_err(|e| format!("{}/env: {e}", dir.display()))?;
        let var = |name: &str| {
            env.lines()
                .filter_map(|l| l.strip_prefix("export "))
                .find_map(|l| l.strip_prefix(&format!("{name}=")))
                .map(str::to_string)
        };
        Ok(Daemon {
            host: var("DOCKER_HOST").ok_or("env lacks DOCKER_HOST")?,
            pid: var("TB_DOCKERD_PID").and_then(|p| p.parse().ok()),
            dir,
            started_here: true,
        })
    }

    /// Run the docker CLI against this daemon.
    pub fn docker(&self, args: &[&str]) -> Output {
        Command::new("docker")
            .arg("-H")
            .arg(&self.host)
            .args(args)
            .output()
            .expect("running the docker CLI")
    }

    /// Run the docker CLI and return its trimmed stdout; panics with its stderr on failure.
    pub fn docker_ok(&self, args: &[&str]) -> String {
        let out = self.docker(args);
        assert!(
            out.status.success(),
            "docker {args:?} failed: {}",
            text(&out.stderr)
        );
        text(&out.stdout).trim().to_string()
    }

    fn container(&self, verb: &str, tag: &str, opts: &[&str], cmd: &[&str]) -> Container {
        let name = unique_name(tag);
        let image = image();
        let mut args = vec![verb];
        if verb == "run" {
            args.push("-d");
        }
        args.extend(["--pull", "never", "--name", &name]);
        args.extend(opts);
        args.push(&image);
        args.extend(cmd);
        let out = self.docker(&args);
        let container = Container {
            name: name.clone(),
            id: text(&out.stdout).trim().to_string(),
            host: self.host.clone(),
        };
        assert!(
            out.status.success(),
            "docker {args:?} failed: {}",
            text(&out.stderr)
        );
        container
    }

    /// `docker run -d` a container running `cmd`, removed when the value is dropped.
    pub fn run_cmd(&self, tag: &str, opts: &[&str], cmd: &[&str]) -> Container {
        self.container("run", tag, opts, cmd)
    }

    /// `docker run -d` a container that sleeps.
    pub fn run(&self, tag: &str, opts: &[&str]) -> Container {
        self.container("run", tag, opts, SLEEP)
    }

    /// `docker create` a container that would sleep (scan it with `--all-containers`).
    pub fn create(&self, tag: &str, opts: &[&str]) -> Container {
        self.container("create", tag, opts, SLEEP)
    }

    /// A privileged container: running where the machine allows it, else only created.
    /// Returns it and whether scans need `--all-containers` to see it.
    pub fn privileged(&self, tag: &str, opts: &[&str]) -> (Container, bool) {
        let mut all = vec!["--privileged"];
        all.extend(opts);
        if privileged_ok() {
            (self.run(tag, &all), false)
        } else {
            (self.create(tag, &all), true)
        }
    }

    /// The threatbench binary, pointed at this daemon, with a clean environment.
    pub fn threatbench(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("threatbench");
        cmd.env("DOCKER_HOST", &self.host)
            .env_remove("DOCKER_CONTENT_TRUST")
            .env("NO_COLOR", "1");
        cmd
    }

    /// `threatbench scan --format json ARGS` against this daemon.
    pub fn scan(&self, args: &[&str]) -> Scan {
        let out = self
            .threatbench()
            .arg("scan")
            .args(["--format", "json"])
            .args(args)
            .output()
            .expect("running threatbench");
        Scan::from_output(&out)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if !self.started_here {
            return;
        }
        let out = Command::new("bash")
            .arg(env_script())
            .arg("stop")
            .env("TB_TEST_DIR", &self.dir)
            .output();
        match out {
            Ok(o) if o.status.success() => {}
            Ok(o) => eprintln!(
                "stopping daemon in {} failed: {}",
                self.dir.display(),
                text(&o.stderr)
            ),
            Err(e) => eprintln!("stopping daemon in {}: {e}", self.dir.display()),
        }
    }
}

/// A container made for one test; removed (with its anonymous volumes) on drop.
pub struct Container {
    pub name: String,
    pub id: String,
    host: String,
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["-H", &self.host, "rm", "-f", "-v", &self.name])
            .output();
    }
}

/// A parsed `threatbench/scan/v1` report and how the process ended.
pub struct Scan {
    pub json: Value,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Scan {
    pub fn from_output(out: &Output) -> Scan {
        let stdout = text(&out.stdout);
        let stderr = text(&out.stderr);
        let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!("scan output is not JSON ({e}); stdout:\n{stdout}\nstderr:\n{stderr}")
        });
        Scan {
            json,
            code: out.status.code().unwrap_or(-1),
            stdout,
            stderr,
        }
    }

    pub fn results(&self) -> &[Value] {
        self.json["results"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// A check's result by id (under the report's numbering) or slug.
    pub fn result(&self, id: &str) -> &Value {
        self.results()
            .iter()
            .find(|r| r["id"] == id || r["slug"] == id)
            .unwrap_or_else(|| panic!("no result for {id} in the report"))
    }

    pub fn verdict(&self, id: &str) -> &str {
        self.result(id)["verdict"].as_str().unwrap_or("")
    }

    pub fn evidence(&self, id: &str) -> &str {
        self.result(id)["evidence"].as_str().unwrap_or("")
    }

    /// The outcome of check `id` on one container.
    pub fn object(&self, id: &str, container: &Container) -> &Value {
        let r = self.result(id);
        r["objects"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|o| o["name"] == container.name.as_str())
            .unwrap_or_else(|| {
                panic!(
                    "{id}: container {} not among the objects; result: {r:#}",
                    container.name
                )
            })
    }

    pub fn object_evidence(&self, id: &str, container: &Container) -> &str {
        self.object(id, container)["evidence"]
            .as_str()
            .unwrap_or("")
    }

    /// Assert the verdict of check `id` on `container`; the message shows the evidence.
    pub fn expect(&self, id: &str, container: &Container, verdict: &str) {
        let o = self.object(id, container);
        assert_eq!(
            o["verdict"], verdict,
            "{id} on container {}: evidence {:?}",
            container.name, o["evidence"]
        );
    }

    /// Assert the overall verdict of check `id`.
    pub fn expect_check(&self, id: &str, verdict: &str) {
        let r = self.result(id);
        assert_eq!(r["verdict"], verdict, "{id}: evidence {:?}", r["evidence"]);
    }
}
