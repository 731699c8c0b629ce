//! Discovery, status, risk arithmetic and model-file merging over a fixed facts bundle.
//!
//! The fixture mirrors what the private test daemon (Debian docker.io 20.10.24, see
//! scripts/docker-test-env) reports through `docker inspect` / `docker info` for a privileged
//! container with a PIDs limit and a plain container without one, on a dockerd started with an
//! extra `-H tcp://127.0.0.1:2375` and `--insecure-registry registry.local:5000`. Only the fields
//! the checks and discovery read are kept. The live version of these tests is
//! tests/threats_live.rs.

use serde_json::json;

use super::model::{LinkVerdict, MitigationState};
use super::*;
use crate::checks::{self, Selection};
use crate::facts::Facts;

pub(crate) fn fixture_facts() -> Facts {
    let container = |id: &str, name: &str, privileged: bool, pids: Option<i64>| {
        json!({
            "Id": id,
            "Name": format!("/{name}"),
            "Image": "sha256:170490cc1c40d67b38c45c09eeb44cfb579ca7787aad58be5ad91786a12942ab",
            "AppArmorProfile": "",
            "State": {"Running": true, "Status": "running"},
            "Config": {"Image": "threatbench-test/busybox:1", "User": ""},
            "HostConfig": {
                "Privileged": privileged,
                "PidsLimit": pids,
                "NetworkMode": "default",
                "IpcMode": "private",
                "PidMode": "",
                "UTSMode": "",
                "UsernsMode": "",
                "Memory": 0,
                "CpuShares": 0,
                "SecurityOpt": if privileged { json!(["label=disable"]) } else { json!(null) },
                "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0}
            },
            "Mounts": [],
            "NetworkSettings": {"Networks": {"bridge": {}}}
        })
    };
    serde_json::from_value(json!({
        "schema": "threatbench/facts/v1",
        "tool_version": "0.1.0",
        "collected_at": "2026-11-20T10:00:00Z",
        "host": {
            "root": "/",
            "hostname": "build-01",
            "processes": {"seen": [{
                "pid": 4242,
                "exe": "/usr/sbin/dockerd",
                "argv": ["dockerd", "-H", "unix:///var/run/docker.sock", "-H", "tcp://127.0.0.1:2375",
                         "--insecure-registry", "registry.local:5000"]
            }]},
            "files": {
                "/etc/docker/daemon.json": {"unavailable": {"kind": "not_found", "reason": "/etc/docker/daemon.json: No such file or directory"}}
            }
        },
        "docker": {"seen": {
            "endpoint": "unix:///var/run/docker.sock",
            "api_version": "1.41",
            "version": {"Version": "20.10.24+dfsg1"},
            "info": {
                "Name": "build-01",
                "KernelVersion": "6.1.0-18-amd64",
                "OperatingSystem": "Debian GNU/Linux 12 (bookworm)",
                "DockerRootDir": "/var/lib/docker",
                "LoggingDriver": "json-file",
                "SecurityOptions": ["name=seccomp,profile=default"],
                "LiveRestoreEnabled": false,
                "Driver": "overlay2",
                "Plugins": {"Authorization": null},
                "Swarm": {"LocalNodeState": "inactive"},
                "RegistryConfig": {
                    "IndexConfigs": {
                        "docker.io": {"Name": "docker.io", "Mirrors": [], "Secure": true, "Official": true},
                        "registry.local:5000": {"Name": "registry.local:5000", "Mirrors": [], "Secure": false, "Official": false}
                    },
                    "InsecureRegistryCIDRs": ["127.0.0.0/8"]
                }
            },
            "all_containers": false,
            "containers": [
                container("4cb93b3561d790dac978216c0368f955b11c8153c9c71926c1219fcfb31df424", "priv", true, Some(100)),
                container("9f0e6b2a6b2d4c5f8e1a3b7c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7a8b9c0", "api", false, None)
            ],
            "image_list": [{
                "Id": "sha256:170490cc1c40d67b38c45c09eeb44cfb579ca7787aad58be5ad91786a12942ab",
                "ParentId": "", "RepoTags": ["threatbench-test/busybox:1"], "RepoDigests": [],
                "Created": 0, "Size": 0, "SharedSize": -1, "Labels": {}, "Containers": 2
            }],
            "processes": {}
        }},
        "scanner_env": {"docker_host": "unix:///var/run/docker.sock"}
    }))
    .expect("fixture facts deserialize")
}

fn day(s: &str) -> jiff::civil::Date {
    s.parse().expect("date")
}

fn assessed(model: Option<&ModelFile>) -> (Facts, Assessment) {
    let facts = fixture_facts();
    let results = checks::run(&facts, &Selection::default());
    let a = assess_on(&facts, &results, model, day("2026-11-20"));
    (facts, a)
}

fn inst<'a>(a: &'a Assessment, id: &str) -> &'a Instance {
    a.instance(id).unwrap_or_else(|| {
        panic!(
            "no instance {id}; have: {:?}",
            a.instances.iter().map(|i| &i.id).collect::<Vec<_>>()
        )
    })
}

#[test]
fn discovers_flows_processes_and_boundaries_from_docker_facts() {
    let (_, a) = assessed(None);
    let s = &a.system;
    let api = s.element("flow:docker-client->dockerd").expect("api flow");
    assert_eq!(api.properties["encrypted"], "no");
    assert_eq!(api.properties["authenticated"], "no");
    assert!(api.properties["listeners"].contains("tcp://127.0.0.1:2375"));
    assert_eq!(api.crosses, vec!["host".to_string()]);
    // A TCP listener puts the client outside the host.
    assert_eq!(s.element("ee:docker-client").unwrap().boundary, "network");
    let c = s.element("container:api").expect("container api");
    assert_eq!(c.boundary, "container:api");
    assert_eq!(c.properties["pids_limit"], "unlimited");
    assert!(
        s.boundaries
            .iter()
            .any(|b| b.id == "container:priv" && b.parent.as_deref() == Some("host"))
    );
    let insecure = s
        .element("flow:dockerd->registry:registry.local:5000")
        .expect("registry flow");
    assert!(insecure.properties["transport"].starts_with("insecure"));
    assert!(s.element("process:registry:docker.io").is_some());
    assert!(s.element("image:threatbench-test/busybox:1").is_some());
    // No socket mount: the flow kind is absent and says why.
    assert!(
        s.absent[&ElementKind::ContainerSocketFlow]
            .reason
            .contains("no container mounts")
    );
}

#[test]
fn per_object_checks_decide_each_container_separately() {
    let (_, a) = assessed(None);
    let priv_e = inst(&a, "DKR-E-01@container:priv");
    assert_eq!(priv_e.status, Status::Exposed);
    assert!(priv_e.why.contains("Privileged=true"), "{}", priv_e.why);
    assert!(
        priv_e
            .why
            .contains("check 5.5 (container-privileged) fails"),
        "{}",
        priv_e.why
    );
    assert_eq!(priv_e.failing_checks()[0], "container-privileged");
    let api_e = inst(&a, "DKR-E-01@container:api");
    assert_ne!(api_e.status, Status::Exposed, "{}", api_e.why);
    assert!(api_e.failing_checks().is_empty());

    let api_d = inst(&a, "DKR-D-01@container:api");
    assert_eq!(api_d.status, Status::Exposed);
    assert!(api_d.why.contains("PidsLimit"), "{}", api_d.why);
    assert!(
        api_d.why.contains("5.29 (container-pids-limit) fails"),
        "{}",
        api_d.why
    );
    let priv_d = inst(&a, "DKR-D-01@container:priv");
    assert_eq!(priv_d.status, Status::Mitigated, "{}", priv_d.why);
}

#[test]
fn risk_is_inherent_current_and_projected() {
    let (_, a) = assessed(None);
    // DKR-D-01: high × high = 9 (high). The PIDs limit (−2 likelihood) fails; the supporting
    // ulimit mitigation needs review, so it counts in neither current nor projected.
    let d = inst(&a, "DKR-D-01@container:api");
    assert_eq!(
        (d.risk.inherent.score, d.risk.inherent.level),
        (9, Level::High)
    );
    assert_eq!(d.risk.current, d.risk.inherent);
    assert_eq!(
        (
            d.risk.projected.likelihood,
            d.risk.projected.impact,
            d.risk.projected.level
        ),
        (Level::Low, Level::High, Level::Medium)
    );
    assert_eq!(d.mitigations[0].state, MitigationState::Missing);
    // Mitigated: the PIDs limit passes on `priv`, so current already has it.
    let m = inst(&a, "DKR-D-01@container:priv");
    assert_eq!(m.risk.current.likelihood, Level::Low);
    assert_eq!(m.risk.current, m.risk.projected);
    // Fixing 5.29 removes 9 − 3 = 6 points on `api`.
    let fix = a
        .fix_first()
        .into_iter()
        .find(|f| f.slug == "container-pids-limit")
        .unwrap();
    assert_eq!(fix.risk_removed, 6);
    assert_eq!(fix.instances, vec!["DKR-D-01@container:api".to_string()]);
    // The register is ordered: exposed first, by current risk.
    let first_unknown = a
        .instances
        .iter()
        .position(|i| i.status != Status::Exposed)
        .unwrap();
    assert!(
        a.instances[..first_unknown]
            .windows(2)
            .all(|w| w[0].risk.current.score >= w[1].risk.current.score)
    );
}

#[test]
fn registry_flows_are_judged_per_registry() {
    let (_, a) = assessed(None);
    let bad = inst(&a, "DKR-S-05@flow:dockerd->registry:registry.local:5000");
    assert_eq!(bad.status, Status::Exposed);
    assert!(
        bad.why
            .contains("registry.local:5000 is an insecure registry"),
        "{}",
        bad.why
    );
    let hub = inst(&a, "DKR-T-02@process:registry:docker.io");
    assert!(
        !hub.failing_checks()
            .contains(&"daemon-no-insecure-registries")
    );
    // Other controls (content trust, image checks) may fail for docker.io; the insecure-registry
    // check must not, since it is judged per registry.
    let good = inst(&a, "DKR-T-03@flow:dockerd->registry:docker.io");
    assert!(
        !good
            .failing_checks()
            .contains(&"daemon-no-insecure-registries"),
        "{}",
        good.why
    );
}

#[test]
fn tcp_listener_without_tls_exposes_client_spoofing() {
    let (_, a) = assessed(None);
    let s = inst(&a, "DKR-S-01@flow:docker-client->dockerd");
    assert_eq!(s.status, Status::Exposed);
    assert!(s.why.contains("tcp://127.0.0.1:2375"), "{}", s.why);
    assert!(s.why.contains("2.7 (daemon-tls-on-tcp) fails"), "{}", s.why);
    assert_eq!(s.risk.inherent.level, Level::Critical);
}

#[test]
fn kubernetes_threats_are_not_applicable_without_kubernetes() {
    let (_, a) = assessed(None);
    let k: Vec<&AbsentThreat> = a
        .absent
        .iter()
        .filter(|t| t.component.is_kubernetes())
        .collect();
    assert_eq!(
        k.len(),
        builtin()
            .threats
            .iter()
            .filter(|t| t.component.is_kubernetes())
            .count()
    );
    assert!(k.iter().all(
        |t| t.status == Status::NotApplicable && t.reason.starts_with("component not present")
    ));
}

/// The fixture host plus a kubelet as `collect` records one seen in /proc (pid 900) whose
/// config file allows anonymous requests and authorises everything.
fn with_insecure_kubelet() -> Facts {
    let mut facts = fixture_facts();
    let argv = vec![
        "/usr/bin/kubelet".to_string(),
        "--config=/var/lib/kubelet/config.yaml".to_string(),
    ];
    if let Some(crate::facts::Observed::Seen(list)) = &mut facts.host.processes {
        list.push(crate::facts::ProcessFact {
            pid: 900,
            exe: Some("/usr/bin/kubelet".into()),
            argv: argv.clone(),
        });
    }
    facts.kube = serde_json::from_value(json!({
        "searched": ["/proc", "/etc/kubernetes/manifests"],
        "components": [{
            "kind": "kubelet",
            "source": {"type": "process", "pid": 900, "exe": "/usr/bin/kubelet"},
            "args": argv[1..],
        }],
        "kubelet_config": {
            "path": "/var/lib/kubelet/config.yaml",
            "named_by": "`--config=/var/lib/kubelet/config.yaml` of kubelet",
            "doc": {"seen": {
                "kind": "KubeletConfiguration",
                "authentication": {"anonymous": {"enabled": true}, "webhook": {"enabled": false}},
                "authorization": {"mode": "AlwaysAllow"}
            }}
        },
        "version": {"version": "v1.33.1", "source": "test"}
    }))
    .expect("kube facts deserialize");
    facts
}

#[test]
fn kubernetes_components_come_from_node_facts_with_real_verdicts() {
    let facts = with_insecure_kubelet();
    let results = checks::run(&facts, &Selection::default());
    let a = assess_on(&facts, &results, None, day("2026-11-20"));
    // The kubelet's own checks decide its threats now.
    let e = inst(&a, "K8S-E-01@process:kubelet");
    assert_eq!(e.status, Status::Exposed, "{}", e.why);
    assert!(
        e.why
            .contains("check 4.2.1 (k8s-kubelet-anonymous-auth-disabled) fails"),
        "{}",
        e.why
    );
    assert!(
        e.why
            .contains("authentication.anonymous.enabled: true in /var/lib/kubelet/config.yaml"),
        "{}",
        e.why
    );
    let s = inst(&a, "K8S-S-06@flow:kube-apiserver->kubelet");
    assert_eq!(s.status, Status::Exposed, "{}", s.why);
    assert!(s.why.contains("AlwaysAllow"), "{}", s.why);
    // The host is a Kubernetes node, inside the cluster boundary; the kubelet sits on it.
    let host = a.system.boundaries.iter().find(|b| b.id == "host").unwrap();
    assert_eq!(host.parent.as_deref(), Some("cluster"));
    assert_eq!(
        a.system.element("process:kubelet").unwrap().boundary,
        "host"
    );
    // Workloads need cluster objects: unknown, naming the flag that brings them.
    let pods = a.absent.iter().find(|t| t.threat == "K8S-E-06").unwrap();
    assert_eq!(pods.status, Status::Unknown);
    assert!(pods.reason.contains("--cluster-dump"), "{}", pods.reason);
    // No control plane on this node: its threats do not apply here.
    let etcd = a.absent.iter().find(|t| t.threat == "K8S-T-01").unwrap();
    assert_eq!(etcd.status, Status::NotApplicable);
}

#[test]
fn bundles_without_kubernetes_facts_fall_back_to_processes_and_stay_unknown() {
    let mut facts = fixture_facts();
    if let Some(crate::facts::Observed::Seen(list)) = &mut facts.host.processes {
        list.push(crate::facts::ProcessFact {
            pid: 900,
            exe: Some("/usr/bin/kubelet".into()),
            argv: vec![
                "/usr/bin/kubelet".into(),
                "--config=/var/lib/kubelet/config.yaml".into(),
            ],
        });
    }
    let results = checks::run(&facts, &Selection::default());
    let a = assess_on(&facts, &results, None, day("2026-11-20"));
    let e = inst(&a, "K8S-E-01@process:kubelet");
    assert_eq!(e.status, Status::Unknown);
    // The bundle has a kubelet process but no Kubernetes node facts: no linked check can see
    // its evidence, so none may pass or fail.
    assert!(!e.checks.is_empty());
    assert!(
        e.checks
            .iter()
            .all(|c| !matches!(c.verdict, LinkVerdict::Pass | LinkVerdict::Fail))
    );
    let pods = a.absent.iter().find(|t| t.threat == "K8S-E-06").unwrap();
    assert_eq!(pods.status, Status::Unknown);
    assert!(pods.reason.contains("not collected"), "{}", pods.reason);
    let etcd = a.absent.iter().find(|t| t.threat == "K8S-T-01").unwrap();
    assert_eq!(etcd.status, Status::NotApplicable);
}

#[test]
fn unreadable_processes_make_kubernetes_unknown_not_absent() {
    let mut facts = fixture_facts();
    facts.host.processes = Some(crate::facts::Observed::unavailable(
        crate::facts::UnavailableKind::PermissionDenied,
        "/proc: permission denied",
    ));
    let results = checks::run(&facts, &Selection::default());
    let a = assess_on(&facts, &results, None, day("2026-11-20"));
    let k = a.absent.iter().find(|t| t.threat == "K8S-S-01").unwrap();
    assert_eq!(k.status, Status::Unknown);
    assert!(k.reason.contains("permission denied"));
}

pub(crate) const MODEL: &str = r#"
schema: threatbench/threatmodel/v1
scope:
  title: Build host build-01
  owner: platform-security
  assumptions:
    - The TCP listener is firewalled to the CI subnet.
  out_of_scope:
    - element: "image:*"
      reason: images are scanned in CI
annotations:
  "container:api":
    owner: payments
    impact: critical
  "container:ghost":
    notes: removed last year
decisions:
  - instance: "DKR-E-01@container:priv"
    status: accepted
    justification: needs raw device access; host dedicated to it
    decided_by: J. Doe
    expires: 2027-01-31
  - instance: "DKR-S-01@flow:docker-client->dockerd"
    status: accepted
    justification: firewalled
    expires: 2026-11-01
  - instance: "DKR-D-01@container:ghost"
    status: not-applicable
    justification: gone
suppressions:
  - threat: DKR-S-08
    reason: no image ships sshd
overrides:
  - threat: DKR-D-02
    element: "container:priv"
    likelihood: low
    reason: batch job, runs at night
custom_threats:
  - id: ORG-T-01
    component: registry
    element: registry
    stride: tampering
    title: Internal chart repository compromised
    scenario: An attacker with write access to the chart repository changes a chart's image.
    likelihood: medium
    impact: high
    attack: [T1195.002]
    applies_to: ["process:registry:registry.local*"]
    mitigations:
      - text: Pull only over verified TLS
        checks: [daemon-no-insecure-registries]
        reduces: {likelihood: 1}
"#;

#[test]
fn model_file_decisions_expiry_orphans_suppressions_and_overrides() {
    let model = ModelFile::parse(MODEL, builtin()).expect("model parses");
    let (_, a) = assessed(Some(&model));
    assert!(a.model_applied);

    let accepted = inst(&a, "DKR-E-01@container:priv");
    assert_eq!(accepted.status, Status::Accepted);
    assert_eq!(accepted.computed_status, Status::Exposed);
    assert_eq!(accepted.decision.as_ref().unwrap().source, "decisions[0]");

    // Expired on 2026-11-01: reported, not applied.
    let expired = inst(&a, "DKR-S-01@flow:docker-client->dockerd");
    assert_eq!(expired.status, Status::Exposed);
    assert!(
        a.expired
            .iter()
            .any(|n| n.entry.starts_with("decisions[1]") && n.message.contains("2026-11-01"))
    );

    // Orphans: a decision and an annotation for an element that is not there.
    assert!(
        a.orphaned
            .iter()
            .any(|n| n.entry.starts_with("decisions[2]"))
    );
    assert!(
        a.orphaned
            .iter()
            .any(|n| n.entry.contains("container:ghost") && n.entry.starts_with("annotations"))
    );

    // Suppressed: gone from the register, counted.
    assert!(a.instances.iter().all(|i| i.threat.id != "DKR-S-08"));
    assert_eq!(a.suppressed.len(), 2);

    // Override and annotation re-rate.
    let o = inst(&a, "DKR-D-02@container:priv");
    assert_eq!(o.risk.inherent.likelihood, Level::Low);
    assert_eq!(
        o.override_reason.as_deref(),
        Some("batch job, runs at night")
    );
    let ann = inst(&a, "DKR-D-01@container:api");
    assert_eq!(ann.risk.inherent.impact, Level::Critical);

    // Out of scope.
    let img = inst(&a, "DKR-I-03@image:threatbench-test/busybox:1");
    assert_eq!(img.status, Status::NotApplicable);
    assert!(
        img.decision
            .as_ref()
            .unwrap()
            .justification
            .starts_with("out of scope")
    );

    // Custom threat only on the matching registry.
    let custom = inst(&a, "ORG-T-01@process:registry:registry.local:5000");
    assert_eq!(custom.status, Status::Exposed);
    assert!(custom.why.contains("insecure registry"), "{}", custom.why);
    assert!(a.instance("ORG-T-01@process:registry:docker.io").is_none());

    // Accepted instances do not feed the fix-first list.
    assert!(
        a.fix_first()
            .iter()
            .all(|f| !f.instances.contains(&"DKR-E-01@container:priv".to_string()))
    );
}

#[test]
fn decision_valid_through_its_expiry_day() {
    let model = ModelFile::parse(
        "decisions:\n  - instance: \"DKR-D-01@container:api\"\n    status: accepted\n    justification: test box\n    expires: 2026-11-20\n",
        builtin(),
    )
    .unwrap();
    let facts = fixture_facts();
    let results = checks::run(&facts, &Selection::default());
    let on = assess_on(&facts, &results, Some(&model), day("2026-11-20"));
    assert_eq!(inst(&on, "DKR-D-01@container:api").status, Status::Accepted);
    let after = assess_on(&facts, &results, Some(&model), day("2026-11-21"));
    assert_eq!(
        inst(&after, "DKR-D-01@container:api").status,
        Status::Exposed
    );
    assert_eq!(after.expired.len(), 1);
}

#[test]
fn instance_ids_are_stable_across_runs() {
    let (_, a) = assessed(None);
    let (_, b) = assessed(None);
    let ids = |x: &Assessment| x.instances.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));
    assert!(
        a.instances
            .iter()
            .all(|i| i.id == format!("{}@{}", i.threat.id, i.element))
    );
}

#[test]
fn unmatched_object_is_unknown_not_pass() {
    use crate::checks::{CheckResult, ObjectOutcome, Outcome, Verdict};
    let check = checks::find("container-pids-limit").unwrap();
    let result = CheckResult {
        check,
        outcome: Outcome::from_objects(
            "containers",
            vec![ObjectOutcome {
                kind: "container",
                name: "other".into(),
                id: Some("0123456789ab".into()),
                verdict: Verdict::Pass,
                evidence: "PidsLimit=10".into(),
            }],
        ),
    };
    let (_, a) = assessed(None);
    let element = a.system.element("container:api").unwrap();
    let (v, why) = elements::verdict_for(element, &result);
    assert_eq!(v, Verdict::Error);
    assert!(why.contains("not among"), "{why}");
}

#[test]
fn checks_that_list_only_what_they_flag_pass_unlisted_objects() {
    use crate::checks::{CheckResult, ObjectOutcome, Outcome, Verdict};
    use elements::{Element, ObjectRef, Unlisted};
    let check = checks::find("k8s-pod-privileged").unwrap();
    let pod = |name: &str, verdict: Verdict| ObjectOutcome {
        kind: "pod",
        name: name.into(),
        id: None,
        verdict,
        evidence: "c: privileged: true".into(),
    };
    let result = |objects: Vec<ObjectOutcome>| CheckResult {
        check,
        outcome: Outcome::from_objects("pods", objects),
    };
    let mut e = Element::new("pod:shop/web", ElementKind::Pod, "pod shop/web");
    e.objects.push(ObjectRef {
        kind: "pod".into(),
        name: "pod shop/web".into(),
        id: None,
    });
    e.unlisted.push(Unlisted {
        kind: "pod",
        verdict: Verdict::Pass,
        reason: "pod shop/web is not among the pods this check flags".into(),
    });
    // Another pod is flagged: this one passes, and the evidence says why.
    let (v, why) = elements::verdict_for(&e, &result(vec![pod("pod lab/debug", Verdict::Fail)]));
    assert_eq!(v, Verdict::Pass);
    assert!(
        why.contains("not among the pods") && why.contains("(the check: 1 of its 1 objects fail)"),
        "{why}"
    );
    // Its own object decides when listed.
    let (v, why) = elements::verdict_for(
        &e,
        &result(vec![
            pod("pod lab/debug", Verdict::Fail),
            pod("pod shop/web", Verdict::Warn),
        ]),
    );
    assert_eq!(v, Verdict::Warn);
    assert_eq!(why, "pod shop/web: c: privileged: true");
    // Without the rule, an unlisted object was not evaluated: never a pass.
    e.unlisted.clear();
    let (v, _) = elements::verdict_for(&e, &result(vec![pod("pod lab/debug", Verdict::Fail)]));
    assert_eq!(v, Verdict::Error);
}

/// A container started with `--user 65534` from an image without USER does not run as root:
/// the container's own 4.1 verdict decides its instance, not its image's.
#[test]
fn a_containers_own_user_overrides_its_images() {
    let mut facts = fixture_facts();
    let image_id = "sha256:170490cc1c40d67b38c45c09eeb44cfb579ca7787aad58be5ad91786a12942ab";
    let mut value = serde_json::to_value(&facts).unwrap();
    let docker = &mut value["docker"]["seen"];
    docker["containers"][1]["Config"]["User"] = json!("65534");
    docker["images"] = json!([{
        "id": image_id,
        "inspect": {"seen": {"Id": image_id, "RepoTags": ["threatbench-test/busybox:1"], "Config": {"User": ""}}},
        "history": {"seen": []}
    }]);
    facts = serde_json::from_value(value).unwrap();
    let results = checks::run(&facts, &Selection::default());
    let user = results
        .iter()
        .find(|r| r.check.slug == "container-user-not-root")
        .unwrap();
    // The image itself still fails 4.1, and so does the container that keeps its user.
    assert_eq!(user.outcome.verdict, crate::checks::Verdict::Fail);
    let a = assess_on(&facts, &results, None, day("2026-11-20"));
    let api = inst(&a, "DKR-E-02@container:api");
    assert!(
        !api.failing_checks().contains(&"container-user-not-root"),
        "{}",
        api.why
    );
    let privileged = inst(&a, "DKR-E-02@container:priv");
    assert!(
        privileged
            .failing_checks()
            .contains(&"container-user-not-root"),
        "{}",
        privileged.why
    );
}

/// DKR-S-07 needs a bridge: on a daemon whose networks were listed and include no bridge-driver
/// network the container is on, the instance is not applicable, and says why.
#[test]
fn bridge_neighbour_spoofing_needs_a_bridge() {
    let with_networks = |networks: serde_json::Value| {
        let mut facts = fixture_facts();
        let crate::facts::Observed::Seen(d) = &mut facts.docker else {
            panic!("fixture has Docker facts")
        };
        d.networks = serde_json::from_value(networks).unwrap();
        d.networks_listed = true;
        let results = checks::run(&facts, &Selection::default());
        let a = assess_on(&facts, &results, None, day("2026-11-20"));
        inst(&a, "DKR-S-07@container:api").clone()
    };
    let on_bridge = with_networks(json!([{"Name": "bridge", "Driver": "bridge"}]));
    assert_ne!(on_bridge.status, Status::NotApplicable, "{}", on_bridge.why);
    let no_bridge = with_networks(json!([{"Name": "host", "Driver": "host"}]));
    assert_eq!(no_bridge.status, Status::NotApplicable);
    assert!(
        no_bridge
            .why
            .contains("no network of this daemon with the bridge driver"),
        "{}",
        no_bridge.why
    );
}
