//! CIS Docker v1.6.0 section 2 (daemon configuration) against extra private daemons started with
//! the options under test (scripts/docker-test-env), each scanned through its own socket while
//! the shared test daemon (and those of concurrent runs) are running too: the effective
//! configuration must come from the dockerd process that serves the scanned endpoint.

mod common;

use common::{Daemon, Scan};

fn start(tag: &str, netns: bool, args: &[&str]) -> Daemon {
    Daemon::start(tag, netns, args).unwrap_or_else(|e| panic!("{e}"))
}

/// A TCP port nobody listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

fn pid_of(d: &Daemon) -> String {
    format!("pid {}", d.pid.expect("the daemon's pid"))
}

fn assert_evidence(s: &Scan, id: &str, needles: &[&str]) {
    let evidence = s.evidence(id);
    for n in needles {
        assert!(evidence.contains(n), "{id}: {n:?} not in {evidence:?}");
    }
}

/// Two differently configured daemons at once: every setting is attributed to the right process.
#[test]
fn hardened_and_loose_daemons_side_by_side() {
    let Some(_shared) = Daemon::main("hardened_and_loose_daemons_side_by_side") else {
        return;
    };
    let port = free_port();
    let tcp = format!("tcp://127.0.0.1:{port}");
    // dockerd 20.10 takes no `unconfined` here, only a profile file.
    let profile_dir = tempfile::tempdir().unwrap();
    let profile = profile_dir.path().join("seccomp.json");
    std::fs::write(&profile, "{\"defaultAction\": \"SCMP_ACT_ERRNO\"}\n").unwrap();
    let hardened = start(
        "hardened",
        false,
        &[
            "--live-restore",
            "--no-new-privileges",
            "--log-driver=local",
            "--userland-proxy=false",
            "--default-ulimit",
            "nofile=1024:2048",
        ],
    );
    let loose = start(
        "loose",
        false,
        &[
            "-H",
            &tcp,
            "--insecure-registry",
            "registry.test:5000",
            "--insecure-registry",
            "10.99.0.0/16",
            "--log-level",
            "debug",
            // The parent every private daemon already uses: a review item, no new cgroup.
            "--cgroup-parent",
            "/docker",
            "--seccomp-profile",
            profile.to_str().unwrap(),
            "--experimental",
            "--log-driver",
            "syslog",
            "--log-opt",
            "syslog-address=udp://192.0.2.10:514",
        ],
    );
    assert_ne!(hardened.pid, loose.pid);

    let h = hardened.scan(&[]);
    for id in ["2.8", "2.14", "2.15", "2.16"] {
        h.expect_check(id, "pass");
    }
    assert_evidence(&h, "2.14", &["--no-new-privileges", &pid_of(&hardened)]);
    assert_evidence(&h, "2.16", &["--userland-proxy=false"]);
    assert_evidence(&h, "2.8", &["nofile=1024:2048"]);
    // docker-bench passes the `local` driver: it keeps the logs on this host.
    h.expect_check("2.13", "fail");
    assert_evidence(&h, "2.13", &["local", "--log-driver=local"]);
    for id in ["2.3", "2.5", "2.7", "2.10", "2.17", "2.18"] {
        h.expect_check(id, "pass");
    }
    // The daemon-wide no-new-privileges covers containers, unless one turns it off.
    let inherits = hardened.run("nnp-daemon", &[]);
    let opts_out = hardened.run("nnp-off", &["--security-opt", "no-new-privileges:false"]);
    let h = hardened.scan(&[]);
    h.expect("5.26", &inherits, "pass");
    assert!(h.object_evidence("5.26", &inherits).contains("daemon-wide"));
    h.expect("5.26", &opts_out, "fail");

    let l = loose.scan(&[]);
    l.expect_check("2.7", "fail");
    assert_evidence(&l, "2.7", &[&tcp, &format!("-H {tcp}"), &pid_of(&loose)]);
    l.expect_check("2.5", "fail");
    assert_evidence(&l, "2.5", &["registry.test:5000", "10.99.0.0/16"]);
    l.expect_check("2.3", "fail");
    assert_evidence(&l, "2.3", &["log-level=debug"]);
    l.expect_check("2.10", "warn");
    l.expect_check("2.17", "pass");
    assert_evidence(
        &l,
        "2.17",
        &["name=seccomp,profile=", profile.to_str().unwrap()],
    );
    l.expect_check("2.18", "fail");
    l.expect_check("2.13", "pass");
    assert_evidence(&l, "2.13", &["syslog-address udp://192.0.2.10:514"]);
    for id in ["2.8", "2.14", "2.15", "2.16"] {
        l.expect_check(id, if id == "2.8" { "warn" } else { "fail" });
    }

    // The same daemon reached through its TCP listener is still matched to its process.
    let out = loose
        .threatbench()
        .env("DOCKER_HOST", &tcp)
        .args(["scan", "--format", "json", "--select", "2"])
        .output()
        .unwrap();
    let t = Scan::from_output(&out);
    t.expect_check("2.7", "fail");
    assert_evidence(&t, "2.7", &[&pid_of(&loose)]);
    assert_eq!(t.json["target"]["docker_endpoint"], tcp.as_str());
}

/// docker-bench misses a TCP listener declared in a daemon.json spread over several lines.
#[test]
fn tcp_listener_in_a_multi_line_daemon_json() {
    let Some(_shared) = Daemon::main("tcp_listener_in_a_multi_line_daemon_json") else {
        return;
    };
    let dir = Daemon::fresh_dir("jsonhosts");
    let config_dir = tempfile::tempdir().unwrap();
    let config = config_dir.path().join("daemon.json");
    let port = free_port();
    std::fs::write(
        &config,
        format!(
            "{{\n  \"hosts\": [\n    \"unix://{}/docker.sock\",\n    \"tcp://127.0.0.1:{port}\"\n  ],\n  \"debug\": true\n}}\n",
            dir.display()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let d =
        Daemon::start_in(dir, false, &["--config-file", config]).unwrap_or_else(|e| panic!("{e}"));
    let s = d.scan(&[]);
    s.expect_check("2.7", "fail");
    assert_evidence(
        &s,
        "2.7",
        &[&format!("tcp://127.0.0.1:{port}"), config, "without TLS"],
    );
    s.expect_check("2.3", "fail");
    assert_evidence(&s, "2.3", &["debug=true", config]);
}

/// icc needs a real bridge and iptables: daemons in their own network namespaces. The bridge
/// daemon also serves the checks that need live port bindings, docker0 and swarm mode.
#[test]
fn icc_ports_docker0_and_swarm_on_a_bridge() {
    let Some(_shared) = Daemon::main("icc_ports_docker0_and_swarm_on_a_bridge") else {
        return;
    };
    let bridge = start("bridge", true, &["--iptables=true", "--bridge="]);
    let icc_off = start(
        "iccoff",
        true,
        &["--iptables=true", "--bridge=", "--icc=false"],
    );
    let s = icc_off.scan(&[]);
    s.expect_check("2.2", "pass");
    assert_evidence(
        &s,
        "2.2",
        &["icc=false", "enable_icc=false", &pid_of(&icc_off)],
    );
    s.expect_check("2.4", "pass");

    bridge.docker_ok(&["network", "create", "tb-user-net"]);
    let on_docker0 = bridge.run("docker0", &["-p", "80:80", "-p", "127.0.0.1:8080:80"]);
    let loopback = bridge.run("loopback", &["-p", "127.0.0.1:8081:81"]);
    let user_net = bridge.run("usernet", &["--network", "tb-user-net"]);
    let no_net = bridge.run("nonet", &["--network", "none"]);
    let s = bridge.scan(&[]);
    s.expect_check("2.2", "fail");
    assert_evidence(&s, "2.2", &["enable_icc=true"]);
    s.expect("5.8", &on_docker0, "fail");
    // Configured ("" = all interfaces) and live (0.0.0.0, and :: with IPv6) bindings, each once.
    let low = s.object_evidence("5.8", &on_docker0);
    assert!(
        low.starts_with("privileged host ports: 0.0.0.0:80->80/tcp"),
        "{low}"
    );
    assert_eq!(low.matches("0.0.0.0:80->80/tcp").count(), 1, "{low}");
    assert!(!low.contains("8080"), "{low}");
    s.expect("5.8", &loopback, "pass");
    s.expect("5.9", &on_docker0, "warn");
    s.expect("5.14", &on_docker0, "fail");
    s.expect("5.14", &loopback, "pass");
    s.expect("5.30", &on_docker0, "fail");
    s.expect("5.30", &user_net, "pass");
    s.expect("5.30", &no_net, "pass");
    s.expect_check("5.1", "pass");

    bridge.docker_ok(&["swarm", "init", "--advertise-addr", "127.0.0.1"]);
    let s = bridge.scan(&["--select", "5.1,2.15"]);
    s.expect_check("5.1", "warn");
    assert_evidence(&s, "5.1", &["active"]);
    s.expect_check("2.15", "skip");
}

#[test]
fn userns_remap() {
    let Some(_shared) = Daemon::main("userns_remap") else {
        return;
    };
    // Adds the `dockremap` user and its subordinate ids to this machine (see docker-test-env).
    let d = match Daemon::start("userns", false, &["--userns-remap=default"]) {
        Ok(d) => d,
        Err(e) => {
            eprintln!(
                "skipping userns_remap: a daemon with --userns-remap=default did not start: {e}"
            );
            return;
        }
    };
    let s = d.scan(&[]);
    s.expect_check("2.9", "pass");
    // The data root moves to data/<uid>.<gid>: the process is matched by its socket.
    assert_evidence(
        &s,
        "2.9",
        &["name=userns", "--userns-remap=default", &pid_of(&d)],
    );
}

/// dockerd refuses an option given both as a flag and in daemon.json. A running daemon can still
/// meet such a file (edited after it started): seen through a facts bundle of the test daemon
/// whose daemon.json content is replaced.
#[test]
fn option_set_as_flag_and_in_daemon_json() {
    let Some(shared) = Daemon::main("option_set_as_flag_and_in_daemon_json") else {
        return;
    };
    let config_dir = tempfile::tempdir().unwrap();
    let config = config_dir.path().join("daemon.json");
    std::fs::write(&config, "{\"live-restore\": true}\n").unwrap();
    let refused = Daemon::start(
        "conflict",
        false,
        &["--config-file", config.to_str().unwrap(), "--live-restore"],
    );
    let log = refused.err().expect("dockerd must refuse to start");
    assert!(
        log.contains("both as a flag and in the configuration file"),
        "{log}"
    );

    let bundle = tempfile::NamedTempFile::new().unwrap();
    shared
        .threatbench()
        .args(["collect", "--output"])
        .arg(bundle.path())
        .assert()
        .success();
    let mut facts: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bundle.path()).unwrap()).unwrap();
    let daemon_json = format!("{}/daemon.json", shared.dir.display());
    let content = &mut facts["host"]["files"][&daemon_json]["seen"]["content"]["seen"];
    assert_eq!(
        content.as_str().map(str::trim),
        Some("{}"),
        "{daemon_json} in the bundle"
    );
    // The test daemon runs with --iptables=false --bridge=none.
    *content = "{\"iptables\": true, \"bridge\": \"docker0\"}\n".into();
    std::fs::write(bundle.path(), facts.to_string()).unwrap();
    let out = shared
        .threatbench()
        .args(["scan", "--format", "json", "--select", "2.2,2.4", "--facts"])
        .arg(bundle.path())
        .output()
        .unwrap();
    let s = Scan::from_output(&out);
    // The flags still rule the running daemon, and the conflict is named.
    s.expect_check("2.4", "fail");
    assert_evidence(
        &s,
        "2.4",
        &["--iptables=false", "also set in", "will not start again"],
    );
    // No bridge passes 2.2 today, but the next start fails: for review.
    s.expect_check("2.2", "warn");
    assert_evidence(&s, "2.2", &["bridge=none", "bridge=docker0"]);
}
