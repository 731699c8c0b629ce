//! Attack paths over the threat-model fixture host (threats::tests: dockerd with an extra
//! `-H tcp://127.0.0.1:2375` and an insecure `registry.local:5000`, a privileged container `priv`
//! and a plain one `api`), plus containers added here for each edge kind, as the test daemon
//! reports them in `docker inspect`.

use serde_json::{Value, json};

use super::*;
use crate::checks::{self, Selection};
use crate::facts::Facts;
use crate::threats::{Assessment, ModelFile, assess_on, builtin, tests::fixture_facts};

const IMAGE_ID: &str = "sha256:170490cc1c40d67b38c45c09eeb44cfb579ca7787aad58be5ad91786a12942ab";
const APP_IMAGE_ID: &str =
    "sha256:5a1e9d5c4b3a29180716f5e4d3c2b1a0f9e8d7c6b5a49382716f5e4d3c2b1a09";

/// A container as `docker inspect` shows it, with `host_config` merged over plain defaults.
fn container(
    n: usize,
    name: &str,
    image: (&str, &str),
    host_config: Value,
    mounts: Value,
) -> Value {
    let mut hc = json!({
        "Privileged": false, "PidsLimit": 100, "NetworkMode": "default", "IpcMode": "private",
        "PidMode": "", "UTSMode": "", "UsernsMode": "", "Memory": 0, "CpuShares": 0,
        "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0}
    });
    for (k, v) in host_config.as_object().unwrap() {
        hc[k] = v.clone();
    }
    json!({
        "Id": format!("{n:04}{}", "f".repeat(60)),
        "Name": format!("/{name}"),
        "Image": image.0,
        "AppArmorProfile": "",
        "State": {"Running": true, "Status": "running"},
        "Config": {"Image": image.1, "User": ""},
        "HostConfig": hc,
        "Mounts": mounts,
        "NetworkSettings": {"Networks": {"bridge": {}}}
    })
}

const BUSYBOX: (&str, &str) = (IMAGE_ID, "threatbench-test/busybox:1");

/// The fixture plus one container per Docker edge kind and an image from the insecure registry.
fn docker_facts(extra: impl FnOnce(&mut Vec<Value>)) -> Facts {
    let mut v = serde_json::to_value(fixture_facts()).unwrap();
    let docker = &mut v["docker"]["seen"];
    let bind = |src: &str, dst: &str, rw: bool| json!({"Type": "bind", "Source": src, "Destination": dst, "RW": rw});
    let containers = docker["containers"].as_array_mut().unwrap();
    containers.push(container(
        1,
        "proxy",
        BUSYBOX,
        json!({"Privileged": true, "NetworkMode": "host"}),
        json!([bind("/var/run/docker.sock", "/var/run/docker.sock", true)]),
    ));
    containers.push(container(
        2,
        "mounter",
        BUSYBOX,
        json!({"CapAdd": ["SYS_ADMIN"]}),
        json!([]),
    ));
    containers.push(container(
        3,
        "tracer",
        BUSYBOX,
        json!({"PidMode": "host", "CapAdd": ["CAP_SYS_PTRACE"]}),
        json!([]),
    ));
    containers.push(container(
        4,
        "etcwriter",
        BUSYBOX,
        json!({}),
        json!([
            bind("/etc", "/host/etc", true),
            bind("/usr", "/host/usr", false)
        ]),
    ));
    containers.push(container(
        5,
        "app",
        (APP_IMAGE_ID, "registry.local:5000/app:1"),
        json!({"NetworkMode": "host"}),
        json!([]),
    ));
    containers.push(container(
        6,
        "hostnet",
        BUSYBOX,
        json!({"NetworkMode": "host"}),
        json!([]),
    ));
    extra(containers);
    docker["image_list"].as_array_mut().unwrap().push(json!({
        "Id": APP_IMAGE_ID, "ParentId": "", "RepoTags": ["registry.local:5000/app:1"],
        "RepoDigests": [], "Created": 0, "Size": 0, "SharedSize": -1, "Labels": {}, "Containers": 1
    }));
    serde_json::from_value(v).unwrap()
}

fn assess(facts: &Facts, model: Option<&ModelFile>) -> Assessment {
    let results = checks::run(facts, &Selection::default());
    assess_on(facts, &results, model, "2026-11-20".parse().unwrap())
}

fn path<'a>(a: &'a Assessment, id: &str) -> &'a AttackPath {
    a.paths
        .paths
        .iter()
        .find(|p| p.id == id)
        .unwrap_or_else(|| {
            panic!(
                "no path {id}; have: {:?}",
                a.paths.paths.iter().map(|p| &p.id).collect::<Vec<_>>()
            )
        })
}

/// The hops of a path as `from -> to (instance)`.
fn hops(p: &AttackPath) -> Vec<String> {
    p.hops
        .iter()
        .map(|h| {
            format!(
                "{} -> {} ({})",
                h.from,
                h.to,
                h.instance.as_deref().unwrap_or("-")
            )
        })
        .collect()
}

#[test]
fn each_docker_edge_kind_is_carried_by_its_instance_and_checks() {
    let a = assess(&docker_facts(|_| {}), None);
    let one = |id: &str, want: &str, slug: &str, evidence: &str| {
        let p = path(&a, id);
        assert_eq!(hops(p), vec![want.to_string()], "{id}");
        let h = &p.hops[0];
        assert!(
            h.checks
                .iter()
                .any(|c| c.slug == slug && c.verdict == LinkVerdict::Fail),
            "{id}: {:?}",
            h.checks
        );
        assert!(h.evidence.contains(evidence), "{id}: {}", h.evidence);
    };
    one(
        "container:proxy->process:dockerd",
        "container:proxy -> process:dockerd (DKR-E-08@container:proxy)",
        "container-docker-socket-mount",
        "mounts the Docker socket",
    );
    one(
        "container:priv->process:host",
        "container:priv -> process:host (DKR-E-01@container:priv)",
        "container-privileged",
        "Privileged=true",
    );
    one(
        "container:mounter->process:host",
        "container:mounter -> process:host (DKR-E-07@container:mounter)",
        "container-capabilities-restricted",
        "CAP_SYS_ADMIN",
    );
    one(
        "container:tracer->process:host",
        "container:tracer -> process:host (DKR-I-09@container:tracer)",
        "container-host-pid",
        "CAP_SYS_PTRACE",
    );
    one(
        "container:etcwriter->process:host",
        "container:etcwriter -> process:host (DKR-T-11@container:etcwriter)",
        "container-no-writable-host-mounts",
        "host /etc mounted writable",
    );
    // The ptrace hop rests on both conditions.
    let tracer = &path(&a, "container:tracer->process:host").hops[0];
    assert_eq!(
        tracer
            .checks
            .iter()
            .map(|c| c.slug.as_str())
            .collect::<Vec<_>>(),
        ["container-host-pid", "container-capabilities-restricted"]
    );
    // The read-only /usr mount is not a write path.
    let condition = &path(&a, "container:etcwriter->process:host").hops[0].evidence;
    assert!(
        !condition.split(';').next().unwrap().contains("/usr"),
        "{condition}"
    );

    // The socket leads on to host root through dockerd.
    let proxy = path(&a, "container:proxy->process:host");
    assert_eq!(proxy.hops.len(), 1, "privileged: one hop beats two");
    // A loopback TCP listener without TLS: local users and host-network containers reach it.
    assert_eq!(
        hops(path(&a, "container:hostnet->process:host")),
        [
            "container:hostnet -> process:dockerd (DKR-S-01@flow:docker-client->dockerd)",
            "process:dockerd -> process:host (DKR-E-03@process:dockerd)"
        ]
    );
    let local = path(&a, "entry:local-user->process:dockerd");
    assert!(local.hops[0].evidence.contains("tcp://127.0.0.1:2375"));
    assert!(
        local.hops[0]
            .evidence
            .contains("check 2.7 (daemon-tls-on-tcp) fails")
    );
    // Containers on the bridge do not reach a loopback listener.
    assert!(!a.paths.paths.iter().any(|p| p.entry == "container:api"));
    // No network entry: nothing listens beyond loopback.
    assert!(!a.paths.paths.iter().any(|p| p.entry == "entry:network"));

    // The insecure registry: tampered image, then every container from it.
    let reg = path(&a, "process:registry:registry.local:5000->process:host");
    assert_eq!(
        hops(reg)[..2],
        [
            "process:registry:registry.local:5000 -> image:registry.local:5000/app:1 (DKR-T-03@flow:dockerd->registry:registry.local:5000)",
            "image:registry.local:5000/app:1 -> container:app (DKR-T-02@process:registry:registry.local:5000)"
        ]
    );
    // docker.io is used over verified TLS: no path from it.
    assert!(!a.paths.paths.iter().any(|p| p.entry.ends_with("docker.io")));
}

#[test]
fn paths_are_ranked_by_risk_then_length_one_per_pair() {
    let a = assess(&docker_facts(|_| {}), None);
    let p = &a.paths.paths;
    assert!(!p.is_empty());
    for w in p.windows(2) {
        let key = |x: &AttackPath| (std::cmp::Reverse(x.risk.score), x.hops.len());
        assert!(key(&w[0]) <= key(&w[1]), "{} before {}", w[0].id, w[1].id);
    }
    let mut ids: Vec<&str> = p.iter().map(|x| x.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), p.len(), "one path per entry-target pair");
    // A path's risk: its least likely hop times the target's impact.
    for x in p {
        assert_eq!(x.risk.impact, x.target_kind.impact());
        let least = x
            .hops
            .iter()
            .filter_map(|h| h.instance.as_deref())
            .map(|i| a.instance(i).unwrap().risk.current.likelihood)
            .min()
            .unwrap();
        assert_eq!(x.risk.likelihood, least, "{}", x.id);
        assert_eq!(x.hops.first().unwrap().from, x.entry);
        assert_eq!(x.hops.last().unwrap().to, x.target);
    }
    let counted: usize = a.paths.by_target.iter().map(|c| c.total).sum();
    assert_eq!(counted, a.paths.total);
}

#[test]
fn paths_are_bounded_in_number_and_all_counted() {
    let a = assess(
        &docker_facts(|cs| {
            for n in 0..60 {
                cs.push(container(
                    100 + n,
                    &format!("worker{n}"),
                    BUSYBOX,
                    json!({"Privileged": true}),
                    json!([]),
                ));
            }
        }),
        None,
    );
    assert_eq!(a.paths.paths.len(), PATHS_LIMIT);
    assert!(a.paths.total > 60 + 5, "{}", a.paths.total);
    let host = a
        .paths
        .by_target
        .iter()
        .find(|c| c.target == TargetKind::HostRoot)
        .unwrap();
    assert!(host.total >= 60);
}

#[test]
fn decisions_keep_accepted_edges_and_drop_not_applicable_ones() {
    let facts = docker_facts(|_| {});
    let model = ModelFile::parse(
        "decisions:\n  - instance: \"DKR-E-01@container:priv\"\n    status: accepted\n    justification: CI builder\n  - instance: \"DKR-E-07@container:mounter\"\n    status: not-applicable\n    justification: no such capability in the kernel build\n",
        builtin(),
    )
    .unwrap();
    let a = assess(&facts, Some(&model));
    assert!(
        a.paths
            .paths
            .iter()
            .any(|p| p.id == "container:priv->process:host")
    );
    assert!(
        !a.paths
            .paths
            .iter()
            .any(|p| p.id == "container:mounter->process:host")
    );
}

#[test]
fn fixes_break_the_paths_whose_hops_rest_on_them() {
    let a = assess(&docker_facts(|_| {}), None);
    let host = |counts: &[PathCount]| {
        *counts
            .iter()
            .find(|c| c.target == TargetKind::HostRoot)
            .unwrap()
    };
    let total = host(&a.paths.by_target).total;
    // Privileged goes: priv loses its path; proxy still has the socket.
    let after = a.paths.broken_by(&|_, slug| slug == "container-privileged");
    assert_eq!(host(&after).broken, 1, "{after:?}");
    assert_eq!(host(&after).total, total);
    // On proxy alone: privileged and the socket leave it host networking to the loopback
    // listener; with host networking too, its paths are gone.
    let on_proxy = |slugs: &'static [&'static str]| {
        a.paths
            .broken_by(&move |element, slug| element == "container:proxy" && slugs.contains(&slug))
    };
    let two = on_proxy(&["container-privileged", "container-docker-socket-mount"]);
    assert_eq!(host(&two).broken, 0, "{two:?}");
    let three = on_proxy(&[
        "container-privileged",
        "container-docker-socket-mount",
        "container-host-network",
    ]);
    assert_eq!(host(&three).broken, 1, "{three:?}");
    // TLS on the TCP listener: local users, the host-network containers and the registry
    // (through app, on the host's network) lose dockerd; proxy keeps its socket.
    let tls = a.paths.broken_by(&|_, slug| slug == "daemon-tls-on-tcp");
    let dockerd = tls
        .iter()
        .find(|c| c.target == TargetKind::DockerdControl)
        .unwrap();
    assert_eq!((dockerd.broken, dockerd.total), (4, 6), "{tls:?}");
    assert!(
        PathCount {
            target: TargetKind::HostRoot,
            broken: 4,
            total: 6
        }
        .describe()
            == "4 of 6 paths to host root"
    );
    // Nothing rests on an unrelated check.
    assert_eq!(
        a.paths
            .broken_by(&|_, slug| slug == "container-memory-limit"),
        a.paths.by_target
    );
}
