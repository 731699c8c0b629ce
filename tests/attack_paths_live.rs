//! Attack paths and bundled picks on real containers: an extra private dockerd (see
//! tests/common) with `-H tcp://127.0.0.1:PORT` (no TLS) and an insecure registry, containers on
//! the host's network, one with the daemon's socket mounted, privileged ones created without
//! start, and one from an image tagged for the insecure registry. Skips when TB_DOCKERD != 1.

mod common;

use common::{Daemon, unique_name};
use serde_json::Value;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

fn run_json(d: &Daemon, args: &[&str]) -> Value {
    let out = d
        .threatbench()
        .args(args)
        .output()
        .expect("threatbench runs");
    assert!(
        matches!(out.status.code(), Some(0) | Some(3)),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn path<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["paths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| {
            let ids: Vec<&Value> = doc["paths"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| &p["id"])
                .collect();
            panic!("no path {id}; have {ids:?}")
        })
}

/// `from -> to (instance)` per hop.
fn hops(p: &Value) -> Vec<String> {
    p["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            format!(
                "{} -> {} ({})",
                h["from"].as_str().unwrap(),
                h["to"].as_str().unwrap(),
                h["instance"].as_str().unwrap_or("-")
            )
        })
        .collect()
}

fn check_verdicts(hop: &Value) -> Vec<(String, String)> {
    hop["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["slug"].as_str().unwrap().to_string(),
                c["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn each_docker_edge_on_real_containers_and_the_bundled_re_create() {
    let Some(_shared) = Daemon::main("each_docker_edge_on_real_containers") else {
        return;
    };
    let port = free_port();
    let tcp = format!("tcp://127.0.0.1:{port}");
    let d = Daemon::start(
        "paths",
        false,
        &["-H", &tcp, "--insecure-registry", "registry.test:5000"],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // An image of its own (a new id), named as pulled from the insecure registry.
    let base = d.create("base", &[]);
    d.docker_ok(&[
        "commit",
        "--change",
        "LABEL app=1",
        &base.name,
        "registry.test:5000/app:1",
    ]);
    let socket = d.dir.join("docker.sock").display().to_string();
    let mount = format!("{socket}:/var/run/docker.sock");

    let hostnet = d.run("hostnet", &["--network=host"]);
    let sock = d.run("sock", &["-v", &mount]);
    let privileged = d.create("priv", &["--privileged"]);
    let proxy = d.create("proxy", &["--privileged", "--network=host", "-v", &mount]);
    let app = unique_name("app");
    d.docker_ok(&[
        "create",
        "--pull",
        "never",
        "--name",
        &app,
        "--cap-add",
        "SYS_ADMIN",
        "registry.test:5000/app:1",
        "sleep",
        "600",
    ]);

    let doc = run_json(
        &d,
        &[
            "threats",
            "--all-containers",
            "--no-model",
            "--format",
            "json",
        ],
    );
    let c = |name: &str| format!("container:{name}");

    // Loopback TCP without TLS: every local user, and host-network containers, reach dockerd.
    let local = path(&doc, "entry:local-user->process:host");
    assert_eq!(
        hops(local),
        [
            "entry:local-user -> process:dockerd (DKR-S-01@flow:docker-client->dockerd)",
            "process:dockerd -> process:host (DKR-E-03@process:dockerd)"
        ]
    );
    let first = &local["hops"][0];
    assert!(
        first["evidence"].as_str().unwrap().contains(&tcp),
        "{first}"
    );
    assert!(check_verdicts(first).contains(&("daemon-tls-on-tcp".into(), "fail".into())));
    let net = path(&doc, &format!("{}->process:dockerd", c(&hostnet.name)));
    let net_hop = &net["hops"][0];
    assert_eq!(net_hop["instance"], "DKR-S-01@flow:docker-client->dockerd");
    assert_eq!(
        check_verdicts(net_hop),
        [
            ("daemon-tls-on-tcp".to_string(), "fail".to_string()),
            ("container-host-network".to_string(), "fail".to_string())
        ]
    );
    assert!(
        net_hop["evidence"]
            .as_str()
            .unwrap()
            .contains("shares the host's network namespace")
    );
    // A bridge container does not reach a loopback listener.
    assert!(
        !doc["paths"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["entry"] == c(&sock.name) && p["hops"][0]["threat"] == "DKR-S-01")
    );

    // The socket: dockerd, then root on the host.
    assert_eq!(
        hops(path(&doc, &format!("{}->process:host", c(&sock.name)))),
        [
            format!(
                "{} -> process:dockerd (DKR-E-08@{})",
                c(&sock.name),
                c(&sock.name)
            ),
            "process:dockerd -> process:host (DKR-E-03@process:dockerd)".to_string()
        ]
    );
    // Privileged, created and never started: root on the host in one hop.
    let p = path(&doc, &format!("{}->process:host", c(&privileged.name)));
    assert_eq!(
        hops(p),
        [format!(
            "{} -> process:host (DKR-E-01@{})",
            c(&privileged.name),
            c(&privileged.name)
        )]
    );
    assert!(
        p["hops"][0]["evidence"]
            .as_str()
            .unwrap()
            .contains("Privileged=true")
    );
    assert_eq!(p["risk"]["level"], "critical");
    // The insecure registry: the tampered image, the container from it, its CAP_SYS_ADMIN.
    let reg = path(&doc, "process:registry:registry.test:5000->process:host");
    assert_eq!(
        hops(reg),
        [
            "process:registry:registry.test:5000 -> image:registry.test:5000/app:1 (DKR-T-03@flow:dockerd->registry:registry.test:5000)".to_string(),
            format!(
                "image:registry.test:5000/app:1 -> {} (DKR-T-02@process:registry:registry.test:5000)",
                c(&app)
            ),
            format!("{} -> process:host (DKR-E-07@{})", c(&app), c(&app)),
        ]
    );
    // Ranked, bounded, counted.
    let summary = &doc["paths_summary"];
    assert!(summary["bound"].as_str().unwrap().contains("shortest path"));
    assert!(summary["total"].as_u64().unwrap() >= doc["paths"].as_array().unwrap().len() as u64);
    let scores: Vec<u64> = doc["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["risk"]["score"].as_u64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");

    // `threats --paths` prints the paths alone, hop by hop with evidence.
    let out = d
        .threatbench()
        .args(["threats", "--all-containers", "--no-model", "--paths"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("Attack paths"), "{text}");
    assert!(
        text.contains(&format!("{}->process:host", c(&privileged.name))),
        "{text}"
    );
    assert!(text.contains("evidence: "), "{text}");
    assert!(!text.contains("Threat register"), "{text}");

    // harden: one re-create of proxy clears its three checks, and says which paths it breaks.
    let plan = run_json(
        &d,
        &[
            "harden",
            "--all-containers",
            "--no-model",
            "--select",
            "container-privileged,container-docker-socket-mount,container-host-network",
            "--top",
            "6",
            "--format",
            "json",
        ],
    );
    let picks = plan["picks"].as_array().unwrap();
    let bundle = picks
        .iter()
        .find(|p| p["bundle"]["container"] == proxy.name.as_str())
        .unwrap_or_else(|| panic!("no bundled pick for proxy: {plan:#}"));
    let mut cleared: Vec<&str> = bundle["clears"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].as_str().unwrap())
        .collect();
    cleared.sort();
    assert_eq!(
        cleared,
        [
            "container-docker-socket-mount",
            "container-host-network",
            "container-privileged"
        ]
    );
    let summary = bundle["bundle"]["summary"].as_str().unwrap();
    assert!(
        summary.starts_with(&format!("re-create `{}` without ", proxy.name)),
        "{summary}"
    );
    for part in ["--privileged", "the Docker socket", "host networking"] {
        assert!(summary.contains(part), "{summary}");
    }
    // Its score is the combined risk its threat instances lose, all on proxy.
    let removed: u64 = bundle["threat_instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert!(t["id"].as_str().unwrap().ends_with(&c(&proxy.name)), "{t}");
            t["before_score"].as_u64().unwrap() - t["after_score"].as_u64().unwrap()
        })
        .sum();
    assert_eq!(removed, bundle["score"].as_u64().unwrap());
    let single_best = picks
        .iter()
        .filter(|p| p["bundle"].is_null())
        .filter_map(|p| {
            p["threat_instances"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| t["id"].as_str().unwrap().ends_with(&c(&proxy.name)))
                .map(|t| t["before_score"].as_u64().unwrap() - t["after_score"].as_u64().unwrap())
                .reduce(|a, b| a + b)
        })
        .max()
        .unwrap_or(0);
    assert!(removed > single_best, "{removed} vs {single_best}");
    // Only the three together break proxy's paths (host networking alone keeps the loopback
    // listener in reach).
    let host_root = bundle["breaks_paths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["target"] == "host-root")
        .unwrap();
    assert!(host_root["broken"].as_u64().unwrap() >= 1, "{host_root}");
    let why = bundle["why"].as_str().unwrap();
    assert!(why.contains("one re-create of"), "{why}");
    assert!(why.contains("paths to host root"), "{why}");
    let commands = bundle["change"]["commands"].as_array().unwrap();
    let run = commands
        .iter()
        .filter_map(Value::as_str)
        .find(|c| c.starts_with("docker run "))
        .expect("a docker run line");
    assert!(
        !run.contains("--privileged") && !run.contains("--network=host"),
        "{run}"
    );
    assert!(!run.contains("docker.sock"), "{run}");
    // Single-check picks clear their one check.
    for p in picks.iter().filter(|p| p["bundle"].is_null()) {
        assert_eq!(p["clears"].as_array().unwrap().len(), 1, "{p}");
        assert_eq!(p["clears"][0]["slug"], p["check"]["slug"]);
    }
    // Removing privileged breaks the privileged containers' paths to host root.
    let privileged_pick = picks
        .iter()
        .find(|p| p["bundle"].is_null() && p["check"]["slug"] == "container-privileged")
        .unwrap();
    assert!(
        privileged_pick["why"]
            .as_str()
            .unwrap()
            .contains("paths to host root"),
        "{privileged_pick}"
    );
    drop((hostnet, sock, privileged, proxy, base));
}
