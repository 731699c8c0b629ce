use bollard::models::{
    Network, Secret, SecretSpec, Service, ServiceSpec, SwarmInfo, TaskSpec, TaskSpecContainerSpec,
};

use super::*;
use crate::checks::Verdict;
use crate::checks::docker::test_support::{docker_facts, facts};
use crate::facts::swarm::SwarmFacts;
use crate::facts::{Facts, FileFact, FileKind, FileStat};

/// `docker info --format '{{json .Swarm}}'` right after `docker swarm init --advertise-addr
/// 127.0.0.1` on dockerd 20.10.24 (Debian 12), TLS material shortened.
const SWARM_INFO: &str = r#"{"NodeID":"0kaxxhse5ucqsd13p7p38k52e","NodeAddr":"127.0.0.1","LocalNodeState":"active","ControlAvailable":true,"Error":"","RemoteManagers":[{"NodeID":"0kaxxhse5ucqsd13p7p38k52e","Addr":"127.0.0.1:2377"}],"Nodes":1,"Managers":1,"Cluster":{"ID":"y4f1jpilxy24qdkjzl8l8jkcr","Version":{"Index":10},"CreatedAt":"2026-11-26T22:39:00.95841871Z","UpdatedAt":"2026-11-26T22:39:01.515700243Z","Spec":{"Name":"default","Labels":{},"Orchestration":{"TaskHistoryRetentionLimit":5},"Raft":{"SnapshotInterval":10000,"KeepOldSnapshots":0,"LogEntriesForSlowFollowers":500,"ElectionTick":10,"HeartbeatTick":1},"Dispatcher":{"HeartbeatPeriod":5000000000},"CAConfig":{"NodeCertExpiry":7776000000000000},"TaskDefaults":{},"EncryptionConfig":{"AutoLockManagers":false}},"TLSInfo":{"TrustRoot":"-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n","CertIssuerSubject":"MBMxETAPBgNVBAMTCHN3YXJtLWNh","CertIssuerPublicKey":"MFkw"},"RootRotationInProgress":false,"DefaultAddrPool":null,"SubnetSize":24,"DataPathPort":4789}}"#;

/// `<data-root>/swarm/docker-state.json` written by the same `docker swarm init`.
const NODE_STATE: &str = r#"{"LocalAddr":"127.0.0.1","RemoteAddr":"","ListenAddr":"0.0.0.0:2377","AdvertiseAddr":"127.0.0.1:2377","DataPathAddr":"","DefaultAddressPool":[],"SubnetSize":24,"DataPathPort":4789,"JoinInProgress":false}"#;

const ROOT: &str = "/var/lib/docker";

fn swarm_facts(info_json: &str, node_state: Option<&str>) -> Facts {
    let mut d = docker_facts();
    d.info.swarm = Some(serde_json::from_str::<SwarmInfo>(info_json).unwrap());
    d.info.docker_root_dir = Some(ROOT.into());
    d.swarm = Some(SwarmFacts {
        secrets: Observed::Seen(vec![]),
        services: Observed::Seen(vec![]),
    });
    let mut f = facts(d);
    if let Some(text) = node_state {
        f.host.files.insert(
            node_state_path(ROOT),
            FileFact {
                observed: Observed::Seen(FileStat {
                    kind: FileKind::File,
                    mode: 0o600,
                    uid: 0,
                    gid: 0,
                    size: text.len() as u64,
                    link_target: None,
                    content: Some(Observed::Seen(text.into())),
                    entries: None,
                }),
            },
        );
    }
    f
}

fn active() -> Facts {
    swarm_facts(SWARM_INFO, Some(NODE_STATE))
}

fn run(slug: &str, f: &Facts) -> Outcome {
    CHECKS
        .iter()
        .find(|c| c.slug == slug)
        .unwrap()
        .run(&Context::new(f))
}

fn docker_mut(f: &mut Facts) -> &mut DockerFacts {
    match &mut f.docker {
        Observed::Seen(d) => d,
        _ => unreachable!(),
    }
}

#[test]
fn without_swarm_every_item_is_skip_not_pass() {
    let mut d = docker_facts();
    d.info.swarm = Some(SwarmInfo {
        local_node_state: Some(LocalNodeState::INACTIVE),
        ..Default::default()
    });
    let f = facts(d);
    for c in CHECKS {
        let o = c.run(&Context::new(&f));
        assert_eq!(o.verdict, Verdict::Skip, "{}", c.slug);
        assert!(
            o.evidence.contains("not active") || o.evidence.contains("no overlay"),
            "{}",
            o.evidence
        );
    }
}

#[test]
fn fresh_single_manager_swarm() {
    let f = active();
    let expect = [
        ("swarm-manager-count", Verdict::Pass),
        ("swarm-bind-interface", Verdict::Fail),
        ("swarm-overlay-encrypted", Verdict::Skip),
        ("swarm-secrets", Verdict::Warn),
        ("swarm-autolock", Verdict::Fail),
        ("swarm-autolock-key-rotation", Verdict::Skip),
        ("swarm-node-cert-rotation", Verdict::Pass),
        ("swarm-ca-cert-rotation", Verdict::Warn),
        ("swarm-plane-separation", Verdict::Fail),
    ];
    for (slug, verdict) in expect {
        let o = run(slug, &f);
        assert_eq!(o.verdict, verdict, "{slug}: {}", o.evidence);
    }
    assert_eq!(
        run("swarm-bind-interface", &f).evidence,
        "ListenAddr=\"0.0.0.0:2377\" in /var/lib/docker/swarm/docker-state.json (Swarm.NodeAddr 127.0.0.1, AdvertiseAddr \"127.0.0.1:2377\"): listens on all interfaces"
    );
    assert!(
        run("swarm-node-cert-rotation", &f)
            .evidence
            .starts_with("CAConfig.NodeCertExpiry=2160h (90 days)")
    );
    assert!(
        run("swarm-manager-count", &f)
            .evidence
            .starts_with("1 managers of 1 nodes")
    );
}

#[test]
fn hardened_swarm_passes() {
    let info = SWARM_INFO
        .replace("\"AutoLockManagers\":false", "\"AutoLockManagers\":true")
        .replace(
            "\"NodeCertExpiry\":7776000000000000",
            "\"NodeCertExpiry\":172800000000000",
        );
    let state = NODE_STATE
        .replace(
            "\"ListenAddr\":\"0.0.0.0:2377\"",
            "\"ListenAddr\":\"10.0.0.5:2377\"",
        )
        .replace("\"DataPathAddr\":\"\"", "\"DataPathAddr\":\"192.168.50.5\"")
        .replace(
            "\"AdvertiseAddr\":\"127.0.0.1:2377\"",
            "\"AdvertiseAddr\":\"10.0.0.5:2377\"",
        );
    let mut f = swarm_facts(&info, Some(&state));
    let d = docker_mut(&mut f);
    d.swarm = Some(SwarmFacts {
        secrets: Observed::Seen(vec![Secret {
            spec: Some(SecretSpec {
                name: Some("db_password".into()),
                ..Default::default()
            }),
            ..Default::default()
        }]),
        services: Observed::Seen(vec![service(
            "db",
            &["POSTGRES_PASSWORD_FILE=/run/secrets/db_password"],
        )]),
    });
    d.networks = vec![overlay("app", true)];
    for slug in [
        "swarm-bind-interface",
        "swarm-overlay-encrypted",
        "swarm-secrets",
        "swarm-autolock",
        "swarm-node-cert-rotation",
        "swarm-plane-separation",
    ] {
        let o = run(slug, &f);
        assert_eq!(o.verdict, Verdict::Pass, "{slug}: {}", o.evidence);
    }
    assert_eq!(
        run("swarm-autolock-key-rotation", &f).verdict,
        Verdict::Warn
    );
}

fn service(name: &str, env: &[&str]) -> Service {
    Service {
        spec: Some(ServiceSpec {
            name: Some(name.into()),
            task_template: Some(TaskSpec {
                container_spec: Some(TaskSpecContainerSpec {
                    env: Some(env.iter().map(|s| s.to_string()).collect()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn overlay(name: &str, encrypted: bool) -> Network {
    Network {
        name: Some(name.into()),
        id: Some(format!("{name}0123456789abc")),
        driver: Some("overlay".into()),
        options: Some(if encrypted {
            [("encrypted".to_string(), String::new())].into()
        } else {
            Default::default()
        }),
        ..Default::default()
    }
}

#[test]
fn service_env_credentials_fail_and_are_masked() {
    let mut f = active();
    docker_mut(&mut f).swarm = Some(SwarmFacts {
        secrets: Observed::Seen(vec![]),
        services: Observed::Seen(vec![service("api", &["API_TOKEN=abcdef123456"])]),
    });
    let o = run("swarm-secrets", &f);
    assert_eq!(o.verdict, Verdict::Fail);
    assert!(
        o.evidence.contains("api: API_TOKEN=ab…(12 chars)"),
        "{}",
        o.evidence
    );
    assert!(!o.evidence.contains("abcdef123456"));
}

#[test]
fn unencrypted_overlays_fail_even_without_swarm() {
    let mut d = docker_facts();
    d.networks = vec![overlay("plain", false), overlay("secure", true)];
    let o = run("swarm-overlay-encrypted", &facts(d));
    assert_eq!(o.verdict, Verdict::Fail);
    assert_eq!(o.evidence, "1 of 2 overlay networks fail: plain");
}

#[test]
fn workers_and_locked_nodes() {
    let worker = SWARM_INFO.replace("\"ControlAvailable\":true", "\"ControlAvailable\":false");
    let f = swarm_facts(&worker, Some(NODE_STATE));
    assert_eq!(run("swarm-autolock", &f).verdict, Verdict::Skip);
    assert!(run("swarm-manager-count", &f).evidence.contains("worker"));
    // Node-level items still run on a worker.
    assert_eq!(run("swarm-bind-interface", &f).verdict, Verdict::Fail);

    let locked = r#"{"NodeID":"","NodeAddr":"","LocalNodeState":"locked","ControlAvailable":false,"Error":"","RemoteManagers":null}"#;
    let f = swarm_facts(locked, Some(NODE_STATE));
    assert_eq!(run("swarm-autolock", &f).verdict, Verdict::Pass);
    assert_eq!(run("swarm-node-cert-rotation", &f).verdict, Verdict::Error);
}

#[test]
fn missing_node_state_file_is_an_error() {
    let f = swarm_facts(SWARM_INFO, None);
    let o = run("swarm-bind-interface", &f);
    assert_eq!(o.verdict, Verdict::Error);
    assert!(
        o.evidence.contains("not reported by the API"),
        "{}",
        o.evidence
    );
    assert_eq!(run("swarm-plane-separation", &f).verdict, Verdict::Error);
}

#[test]
fn even_manager_counts_fail() {
    let info = SWARM_INFO.replace("\"Nodes\":1,\"Managers\":1", "\"Nodes\":6,\"Managers\":4");
    let o = run("swarm-manager-count", &swarm_facts(&info, None));
    assert_eq!(o.verdict, Verdict::Fail);
    assert!(
        o.evidence.contains("no more failures than 3"),
        "{}",
        o.evidence
    );
}

#[test]
fn listen_address_forms() {
    assert_eq!(host_of("0.0.0.0:2377"), "0.0.0.0");
    assert_eq!(host_of("[::]:2377"), "::");
    assert_eq!(host_of("eth0:2377"), "eth0");
    assert_eq!(host_of("10.0.0.5"), "10.0.0.5");
    assert!(is_wildcard(host_of(":2377")));
}
