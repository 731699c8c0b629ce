use bollard::models::{ContainerConfig, HealthConfig, ImageConfig};

use super::*;
use crate::checks::docker::test_support::{container, docker_facts, facts, image};
use crate::facts::image_scan::{DeepScanFacts, ImageFileScan, SpecialFile};
use crate::facts::{Facts, Observed, UnavailableKind};

fn run(check_slug: &str, f: &Facts) -> Outcome {
    let check = CHECKS.iter().find(|c| c.slug == check_slug).unwrap();
    check.run(&Context::new(f))
}

fn config_user(user: &str) -> ImageConfig {
    ImageConfig {
        user: Some(user.into()),
        ..Default::default()
    }
}

fn verdict_of<'a>(o: &'a Outcome, name: &str) -> &'a ObjectOutcome {
    o.objects
        .iter()
        .find(|x| x.name == name)
        .unwrap_or_else(|| panic!("no object {name} in {o:?}"))
}

#[test]
fn every_uid_zero_form_is_root() {
    for value in [
        "",
        "0",
        "00",
        "root",
        "0:0",
        "root:root",
        "0:1000",
        "root:app",
        " 0 ",
    ] {
        assert!(
            matches!(classify_user(value), UserKind::Root(_)),
            "{value:?} should be root"
        );
    }
    assert_eq!(classify_user("1000"), UserKind::Uid("1000".into()));
    assert_eq!(classify_user("1000:0"), UserKind::Uid("1000".into()));
    assert_eq!(classify_user("app:app"), UserKind::Name("app".into()));
    // Linux user names are case-sensitive: ROOT is another user.
    assert_eq!(classify_user("ROOT"), UserKind::Name("ROOT".into()));
}

#[test]
fn user_check_fails_root_containers_and_images_and_explains_names() {
    let mut d = docker_facts();
    d.images = vec![
        image("sha256:a", "root00:1", config_user("0:0"), &[]),
        image("sha256:b", "named:1", config_user("app"), &[]),
        image("sha256:c", "uid:1", config_user("10001:10001"), &[]),
    ];
    d.containers = vec![
        container(
            "web",
            "sha256:c",
            ContainerConfig {
                user: Some("10001".into()),
                ..Default::default()
            },
        ),
        container(
            "db",
            "sha256:c",
            ContainerConfig {
                user: Some("root:root".into()),
                ..Default::default()
            },
        ),
    ];
    let o = run("container-user-not-root", &facts(d));
    assert_eq!(o.verdict, Verdict::Fail);
    // docker-bench counts 0:0 as non-root; it is UID 0.
    assert_eq!(verdict_of(&o, "root00:1").verdict, Verdict::Fail);
    assert_eq!(verdict_of(&o, "db").verdict, Verdict::Fail);
    assert_eq!(verdict_of(&o, "web").verdict, Verdict::Pass);
    assert_eq!(verdict_of(&o, "uid:1").verdict, Verdict::Pass);
    let named = verdict_of(&o, "named:1");
    assert_eq!(named.verdict, Verdict::Pass);
    assert!(named.evidence.contains("/etc/passwd"), "{}", named.evidence);
    assert_eq!(
        o.evidence,
        "2 of 5 containers and images fail: db, root00:1"
    );
}

#[test]
fn unreadable_image_is_an_error_and_no_docker_is_an_error() {
    let mut d = docker_facts();
    let mut img = image("sha256:a", "x:1", config_user("1000"), &[]);
    img.inspect = Observed::unavailable(UnavailableKind::Error, "inspect image sha256:a: gone");
    d.images = vec![img];
    let o = run("image-healthcheck", &facts(d));
    assert_eq!(o.verdict, Verdict::Error);

    let mut f = facts(docker_facts());
    f.docker = Observed::unavailable(UnavailableKind::Unreachable, "daemon down");
    for c in CHECKS
        .iter()
        .filter(|c| c.slug != "image-content-trust-enabled")
    {
        assert_eq!(
            c.run(&Context::new(&f)).verdict,
            Verdict::Error,
            "{}",
            c.slug
        );
    }
}

#[test]
fn no_images_is_skip() {
    let o = run("image-healthcheck", &facts(docker_facts()));
    assert_eq!(o.verdict, Verdict::Skip);
}

#[test]
fn healthcheck_missing_disabled_and_present() {
    let hc = |test: &[&str]| ImageConfig {
        healthcheck: Some(HealthConfig {
            test: Some(test.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut d = docker_facts();
    d.images = vec![
        image("sha256:a", "none:1", ImageConfig::default(), &[]),
        image("sha256:b", "off:1", hc(&["NONE"]), &[]),
        image("sha256:c", "ok:1", hc(&["CMD-SHELL", "true"]), &[]),
    ];
    let o = run("image-healthcheck", &facts(d));
    assert_eq!(o.verdict, Verdict::Fail);
    assert_eq!(verdict_of(&o, "none:1").verdict, Verdict::Fail);
    assert_eq!(verdict_of(&o, "off:1").verdict, Verdict::Fail);
    assert_eq!(verdict_of(&o, "ok:1").verdict, Verdict::Pass);
}

#[test]
fn lone_update_steps_fail_and_combined_ones_pass() {
    let mut d = docker_facts();
    d.images = vec![
        image(
            "sha256:a",
            "lone:1",
            ImageConfig::default(),
            &[
                "/bin/sh -c apt-get install -y curl",
                "/bin/sh -c apt-get update",
                "/bin/sh -c #(nop) ADD file:abc in / ",
            ],
        ),
        image(
            "sha256:b",
            "combined:1",
            ImageConfig::default(),
            &["RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit"],
        ),
        image(
            "sha256:c",
            "apk:1",
            ImageConfig::default(),
            &["RUN /bin/sh -c apk update # buildkit"],
        ),
    ];
    let o = run("image-no-standalone-update", &facts(d));
    assert_eq!(o.verdict, Verdict::Fail);
    let lone = verdict_of(&o, "lone:1");
    assert_eq!(lone.verdict, Verdict::Fail);
    assert!(
        lone.evidence.contains("step 2: RUN apt-get update"),
        "{}",
        lone.evidence
    );
    assert_eq!(verdict_of(&o, "combined:1").verdict, Verdict::Pass);
    assert_eq!(verdict_of(&o, "apk:1").verdict, Verdict::Fail);
}

#[test]
fn add_of_local_file_fails_archives_pass_urls_and_legacy_files_warn() {
    let mut d = docker_facts();
    d.images = vec![
        image(
            "sha256:a",
            "bk-file:1",
            ImageConfig::default(),
            &[
                "ADD config.yaml /etc/app/ # buildkit",
                "ADD alpine-minirootfs-3.20.3-x86_64.tar.gz / # buildkit",
            ],
        ),
        image(
            "sha256:b",
            "bk-archive:1",
            ImageConfig::default(),
            &["ADD --chown=1:1 app.tar.gz /opt/ # buildkit"],
        ),
        image(
            "sha256:c",
            "bk-url:1",
            ImageConfig::default(),
            &["ADD https://example.com/tool /usr/bin/tool # buildkit"],
        ),
        image(
            "sha256:d",
            "legacy:1",
            ImageConfig::default(),
            &[
                "/bin/sh -c #(nop) ADD file:2cc6f752 in /a.txt ",
                "/bin/sh -c #(nop) ADD file:37a76ec1 in / ",
            ],
        ),
        image(
            "sha256:e",
            "legacy-dir:1",
            ImageConfig::default(),
            &["/bin/sh -c #(nop) ADD dir:99aa in /app "],
        ),
        image(
            "sha256:f",
            "copy:1",
            ImageConfig::default(),
            &[
                "COPY app /app # buildkit",
                "/bin/sh -c #(nop) ADD file:37a76ec1 in / ",
            ],
        ),
    ];
    let o = run("image-copy-not-add", &facts(d));
    assert_eq!(o.verdict, Verdict::Fail);
    let file = verdict_of(&o, "bk-file:1");
    assert_eq!(file.verdict, Verdict::Fail);
    assert!(
        file.evidence.contains("config.yaml is a local file"),
        "{}",
        file.evidence
    );
    assert_eq!(verdict_of(&o, "bk-archive:1").verdict, Verdict::Pass);
    assert_eq!(verdict_of(&o, "bk-url:1").verdict, Verdict::Warn);
    let legacy = verdict_of(&o, "legacy:1");
    assert_eq!(legacy.verdict, Verdict::Warn);
    assert!(
        legacy.evidence.starts_with("step 2:"),
        "{}",
        legacy.evidence
    );
    assert_eq!(verdict_of(&o, "legacy-dir:1").verdict, Verdict::Fail);
    // The base root file system added to / as the first step is not a finding.
    assert_eq!(verdict_of(&o, "copy:1").verdict, Verdict::Pass);
}

#[test]
fn secrets_in_image_env_history_and_container_env_are_masked() {
    let mut d = docker_facts();
    d.images = vec![
        image(
            "sha256:a",
            "leaky:1",
            ImageConfig {
                env: Some(vec!["PATH=/usr/bin".into(), "PASSWORD=s3cretvalue".into()]),
                ..Default::default()
            },
            &[
                "|1 TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789 /bin/sh -c echo update",
                "/bin/sh -c #(nop)  ENV PASSWORD=s3cretvalue",
            ],
        ),
        image(
            "sha256:b",
            "clean:1",
            ImageConfig {
                env: Some(vec![
                    "PATH=/usr/bin".into(),
                    "DB_PASSWORD_FILE=/run/secrets/db".into(),
                ]),
                ..Default::default()
            },
            &["/bin/sh -c #(nop)  ENV DB_PASSWORD_FILE=/run/secrets/db"],
        ),
    ];
    d.containers = vec![
        container(
            "inherits",
            "sha256:a",
            ContainerConfig {
                env: Some(vec!["PATH=/usr/bin".into(), "PASSWORD=s3cretvalue".into()]),
                ..Default::default()
            },
        ),
        container(
            "runtime-secret",
            "sha256:b",
            ContainerConfig {
                env: Some(vec![
                    "PATH=/usr/bin".into(),
                    "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
                ]),
                ..Default::default()
            },
        ),
    ];
    let o = run("image-no-secrets", &facts(d));
    assert_eq!(o.verdict, Verdict::Fail);
    let leaky = verdict_of(&o, "leaky:1");
    assert_eq!(leaky.verdict, Verdict::Fail);
    assert_eq!(
        leaky.evidence,
        "Config.Env PASSWORD=s3…(11 chars) (name looks like a credential); \
         step 2 (RUN) TOKEN=gh…(40 chars) (value looks like a GitHub token)"
    );
    assert_eq!(verdict_of(&o, "clean:1").verdict, Verdict::Pass);
    // The container's PASSWORD comes from its image: reported there, not twice.
    assert_eq!(verdict_of(&o, "inherits").verdict, Verdict::Pass);
    let rt = verdict_of(&o, "runtime-secret");
    assert_eq!(rt.verdict, Verdict::Fail);
    assert!(
        rt.evidence.contains("AWS_SECRET_ACCESS_KEY=wJ…(40 chars)"),
        "{}",
        rt.evidence
    );
    let all = serde_json::to_string(&o).unwrap();
    for secret in ["s3cretvalue", "ghp_abcdefghij", "wJalrXUtnFEMI"] {
        assert!(!all.contains(secret), "{secret} leaked into the outcome");
    }
}

#[test]
fn setuid_needs_deep_and_reports_files() {
    let mut d = docker_facts();
    d.images = vec![
        image("sha256:a", "suid:1", ImageConfig::default(), &[]),
        image("sha256:b", "clean:1", ImageConfig::default(), &[]),
        image("sha256:c", "cut:1", ImageConfig::default(), &[]),
    ];
    let o = run("image-no-setuid-setgid", &facts(d.clone()));
    assert_eq!(o.verdict, Verdict::Warn);
    assert!(o.evidence.contains("--deep"));

    let scan = |files: Vec<SpecialFile>, complete: bool| {
        Observed::Seen(ImageFileScan {
            setuid_files: files,
            layers_read: 1,
            bytes_read: 1000,
            complete,
            notes: if complete {
                vec![]
            } else {
                vec!["size limit of 1000 bytes reached".into()]
            },
        })
    };
    let su = SpecialFile {
        path: "/bin/su".into(),
        mode: 0o4755,
        uid: 0,
        gid: 0,
        layer: "l1/layer.tar".into(),
    };
    let mut deep = DeepScanFacts {
        timeout_secs: 60,
        max_bytes: 1000,
        ..Default::default()
    };
    deep.images.insert("sha256:a".into(), scan(vec![su], true));
    deep.images.insert("sha256:b".into(), scan(vec![], true));
    deep.images.insert("sha256:c".into(), scan(vec![], false));
    d.deep = Some(deep);
    let o = run("image-no-setuid-setgid", &facts(d));
    assert_eq!(o.verdict, Verdict::Fail);
    assert_eq!(
        verdict_of(&o, "suid:1").evidence,
        "1 setuid/setgid files: /bin/su 4755 0:0 (setuid)"
    );
    assert_eq!(verdict_of(&o, "clean:1").verdict, Verdict::Pass);
    let cut = verdict_of(&o, "cut:1");
    assert_eq!(cut.verdict, Verdict::Error);
    assert!(cut.evidence.contains("size limit"), "{}", cut.evidence);
}

#[test]
fn content_trust_reads_the_scanner_environment() {
    let mut f = facts(docker_facts());
    let o = run("image-content-trust-enabled", &f);
    assert_eq!(o.verdict, Verdict::Fail);
    assert!(
        o.evidence.contains("scanner's environment"),
        "{}",
        o.evidence
    );
    f.scanner_env.docker_content_trust = Some("1".into());
    assert_eq!(
        run("image-content-trust-enabled", &f).verdict,
        Verdict::Pass
    );
    f.scanner_env.docker_content_trust = Some("0".into());
    assert_eq!(
        run("image-content-trust-enabled", &f).verdict,
        Verdict::Fail
    );
}

#[test]
fn unverified_installs_fail_else_review() {
    let mut d = docker_facts();
    d.images = vec![
        image(
            "sha256:a",
            "insecure:1",
            ImageConfig::default(),
            &[
                "RUN /bin/sh -c curl -fsSLk https://x/install.sh | sh # buildkit",
                "/bin/sh -c apt-get install -y --allow-unauthenticated foo",
            ],
        ),
        image(
            "sha256:b",
            "fine:1",
            ImageConfig::default(),
            &["/bin/sh -c apt-get update && apt-get install -y curl"],
        ),
    ];
    let o = run("image-verified-packages", &facts(d));
    assert_eq!(o.verdict, Verdict::Fail);
    let bad = verdict_of(&o, "insecure:1");
    assert!(
        bad.evidence.contains("apt without signature check"),
        "{}",
        bad.evidence
    );
    assert!(
        bad.evidence.contains("curl without TLS verification"),
        "{}",
        bad.evidence
    );
    assert!(
        bad.evidence.contains("download piped into a shell"),
        "{}",
        bad.evidence
    );
    assert_eq!(verdict_of(&o, "fine:1").verdict, Verdict::Warn);
}

#[test]
fn review_items_warn_with_evidence() {
    let mut d = docker_facts();
    let mut pulled = image("sha256:a", "alpine:3.20", ImageConfig::default(), &[]);
    if let Observed::Seen(i) = &mut pulled.inspect {
        i.repo_digests = Some(vec!["alpine@sha256:beef".into()]);
    }
    d.images = vec![
        pulled,
        image(
            "sha256:b",
            "local:1",
            ImageConfig::default(),
            &["/bin/sh -c apt-get update && apt-get install -y vim curl"],
        ),
    ];
    let f = facts(d);
    let o = run("image-trusted-base", &f);
    assert_eq!(o.verdict, Verdict::Warn);
    assert!(
        verdict_of(&o, "alpine:3.20")
            .evidence
            .contains("alpine@sha256:beef")
    );
    assert!(
        verdict_of(&o, "local:1")
            .evidence
            .contains("no registry digest")
    );

    let o = run("image-minimal-packages", &f);
    assert!(
        verdict_of(&o, "local:1")
            .evidence
            .contains("apt-get install -y vim curl"),
        "{o:?}"
    );
    let o = run("image-scanned-rebuilt", &f);
    assert!(
        verdict_of(&o, "local:1")
            .evidence
            .contains("30 days before the scan"),
        "{o:?}"
    );
    let o = run("image-signed-artifacts-verified", &f);
    assert_eq!(o.verdict, Verdict::Warn);
    assert!(
        o.evidence.contains("with a registry digest: alpine:3.20"),
        "{}",
        o.evidence
    );
}
