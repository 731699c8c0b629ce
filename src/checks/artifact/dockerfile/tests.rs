//! Pass/fail cases for every Dockerfile rule. The hardened file passes them all; each test
//! changes it and expects the rule that guards the change to fire on the right line.

use super::*;
use crate::collect::dockerfile::parse;

const HARDENED: &str = "\
# syntax=docker/dockerfile:1
ARG BASE=debian:12-slim@sha256:5f7d5664eae4a192c2d2d6cb67fc3f3c7891a8722cd2903cc35aa649a12b0c8d
FROM golang:1.22@sha256:1a2b3c4d5e6f70819a2b3c4d5e6f70819a2b3c4d5e6f70819a2b3c4d5e6f7081 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app ./cmd/app

FROM ${BASE}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends ca-certificates \\
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/app /usr/local/bin/app
ADD vendor/rootfs.tar.gz /
ARG APP_UID=10001
RUN useradd -r -u ${APP_UID} app
USER ${APP_UID}:${APP_UID}
EXPOSE 8080
HEALTHCHECK --interval=30s CMD [\"/usr/local/bin/app\", \"health\"]
ENTRYPOINT [\"/usr/local/bin/app\"]
";

fn lint(text: &str) -> Vec<Finding> {
    evaluate(&parse(text).expect("test Dockerfile parses"))
}

fn lines(text: &str, slug: &str) -> Vec<usize> {
    let df = parse(text).unwrap();
    evaluate(&df)
        .iter()
        .filter(|f| f.slug == slug)
        .map(|f| locate(&df, &f.pointer).line)
        .collect()
}

fn slugs(f: &[Finding]) -> Vec<&'static str> {
    let mut s: Vec<&str> = f.iter().map(|f| f.slug).collect();
    s.sort();
    s.dedup();
    s
}

fn with(from: &str, to: &str) -> String {
    assert!(HARDENED.contains(from), "{from}");
    HARDENED.replacen(from, to, 1)
}

#[test]
fn the_hardened_dockerfile_passes_every_rule() {
    let f = lint(HARDENED);
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn user_root_in_every_spelling_fails_on_the_user_line() {
    for user in ["root", "0", "0:0", "root:root", "$UID", "${UID}:0"] {
        let text = with(
            "USER ${APP_UID}:${APP_UID}",
            &format!("ARG UID=0\nUSER {user}"),
        );
        let f: Vec<Finding> = lint(&text)
            .into_iter()
            .filter(|f| f.slug == "container-user-not-root")
            .collect();
        assert_eq!(f.len(), 1, "{user}");
        assert_eq!(lines(&text, "container-user-not-root"), [17], "{user}");
        assert_eq!(f[0].severity, Severity::High, "{user}");
    }
    // ENV resolves too.
    let text = with("USER ${APP_UID}:${APP_UID}", "ENV RUNAS=root\nUSER $RUNAS");
    assert!(
        lint(&text)[0].message.contains("= root"),
        "{:?}",
        lint(&text)
    );
    // Non-root user names and uids pass.
    for user in ["app", "10001", "nobody:nogroup", "1000:0"] {
        let text = with("USER ${APP_UID}:${APP_UID}", &format!("USER {user}"));
        assert!(lint(&text).is_empty(), "{user}");
    }
}

#[test]
fn missing_user_fails_at_the_final_from_and_root_in_a_builder_stage_is_fine() {
    let text = with("USER ${APP_UID}:${APP_UID}\n", "");
    assert_eq!(lines(&text, "container-user-not-root"), [8]);
    let text = with("WORKDIR /src\n", "WORKDIR /src\nUSER root\n");
    assert!(lint(&text).is_empty());
}

#[test]
fn a_final_stage_built_from_an_earlier_stage_inherits_its_user_and_healthcheck() {
    let text = "FROM alpine:3.20@sha256:aa AS base\nUSER 1000\nHEALTHCHECK CMD true\nFROM base\nRUN echo hi\n";
    assert!(lint(text).is_empty(), "{:?}", lint(text));
    let text =
        "FROM alpine:3.20@sha256:aa AS base\nUSER 1000\nHEALTHCHECK CMD true\nFROM base\nUSER 0\n";
    assert_eq!(slugs(&lint(text)), ["container-user-not-root"]);
}

#[test]
fn unresolvable_user_is_medium() {
    let text = with("USER ${APP_UID}:${APP_UID}", "ARG RUNAS\nUSER $RUNAS");
    let f = lint(&text);
    assert_eq!(slugs(&f), ["container-user-not-root"]);
    assert_eq!(f[0].severity, Severity::Medium);
}

#[test]
fn healthcheck_missing_or_none() {
    let text = with(
        "HEALTHCHECK --interval=30s CMD [\"/usr/local/bin/app\", \"health\"]\n",
        "",
    );
    assert_eq!(lines(&text, "image-healthcheck"), [8]);
    let text = with(
        "HEALTHCHECK --interval=30s CMD [\"/usr/local/bin/app\", \"health\"]",
        "HEALTHCHECK NONE",
    );
    assert_eq!(lines(&text, "image-healthcheck"), [18]);
}

#[test]
fn update_alone_fails_and_update_with_install_passes() {
    for run in [
        "RUN apt-get update",
        "RUN apk update",
        "RUN [\"apt-get\", \"update\"]",
        "RUN yum makecache",
    ] {
        let text = with("EXPOSE 8080", &format!("{run}\nEXPOSE 8080"));
        assert_eq!(slugs(&lint(&text)), ["image-no-standalone-update"], "{run}");
    }
    let text = with(
        "EXPOSE 8080",
        "RUN apk update && apk add --no-cache curl\nEXPOSE 8080",
    );
    assert!(lint(&text).is_empty());
    // A heredoc script is one RUN.
    let text = with(
        "EXPOSE 8080",
        "RUN <<EOF\nset -e\napt-get update\napt-get install -y curl\nEOF\nEXPOSE 8080",
    );
    assert!(lint(&text).is_empty(), "{:?}", lint(&text));
}

#[test]
fn add_local_url_and_archive() {
    let text = with("ADD vendor/rootfs.tar.gz /", "ADD config.json /etc/app/");
    let f = lint(&text);
    assert_eq!(slugs(&f), ["image-copy-not-add"]);
    assert_eq!(f[0].severity, Severity::Low);
    let text = with(
        "ADD vendor/rootfs.tar.gz /",
        "ADD https://example.com/tool.tgz /opt/",
    );
    let f = lint(&text);
    assert_eq!(f[0].severity, Severity::Medium);
    let text = with(
        "ADD vendor/rootfs.tar.gz /",
        "ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tgz /opt/",
    );
    assert!(lint(&text).is_empty());
}

#[test]
fn secrets_in_env_arg_and_run_are_masked() {
    let text = with(
        "EXPOSE 8080",
        "ENV DB_PASSWORD=hunter2hunter2\nARG GITHUB_TOKEN\nARG NPM_TOKEN=npm_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nRUN curl -H \"Authorization: token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB\" https://api.github.com\nEXPOSE 8080",
    );
    let df = parse(&text).unwrap();
    let f: Vec<(usize, Severity, String)> = evaluate(&df)
        .into_iter()
        .filter(|f| f.slug == "image-no-secrets")
        .map(|f| (locate(&df, &f.pointer).line, f.severity, f.message))
        .collect();
    assert_eq!(f.len(), 4, "{f:#?}");
    assert_eq!((f[0].0, f[0].1), (17, Severity::High));
    assert_eq!((f[1].0, f[1].1), (18, Severity::Medium));
    assert_eq!((f[2].0, f[2].1), (19, Severity::High));
    assert_eq!((f[3].0, f[3].1), (20, Severity::High));
    for (_, _, msg) in &f {
        assert!(
            !msg.contains("hunter2hunter2") && !msg.contains("ghp_0123456789abcdef"),
            "{msg}"
        );
    }
    // Names that point at files, and empty or boolean values, are not secrets.
    let text = with(
        "EXPOSE 8080",
        "ENV MYSQL_PASSWORD_FILE=/run/secrets/db MYSQL_ALLOW_EMPTY_PASSWORD=yes\nEXPOSE 8080",
    );
    assert!(lint(&text).is_empty(), "{:?}", lint(&text));
}

#[test]
fn base_image_pinning() {
    for (from, sev) in [
        ("FROM debian", Some(Severity::Medium)),
        ("FROM debian:latest", Some(Severity::Medium)),
        ("FROM debian:12", Some(Severity::Low)),
        ("FROM scratch", None),
        ("FROM build", None),
    ] {
        let text = with("FROM ${BASE}", from);
        let f: Vec<Finding> = lint(&text)
            .into_iter()
            .filter(|f| f.slug == "dockerfile-base-image-pinned")
            .collect();
        assert_eq!(f.first().map(|f| f.severity), sev, "{from}");
    }
    // Global ARGs resolve: the BASE arg above pins by digest; an unpinned one is reported
    // with both spellings.
    let text = with(
        "ARG BASE=debian:12-slim@sha256:5f7d5664eae4a192c2d2d6cb67fc3f3c7891a8722cd2903cc35aa649a12b0c8d",
        "ARG BASE=debian",
    );
    let f = lint(&text);
    assert!(f[0].message.contains("(= \"debian\")"), "{}", f[0].message);
    assert_eq!(lines(&text, "dockerfile-base-image-pinned"), [8]);
}

#[test]
fn remote_scripts_into_a_shell() {
    for run in [
        "RUN curl -fsSL https://get.example.com | sh",
        "RUN wget -qO- https://x/install.sh | sudo -E bash -",
        "RUN bash <(curl -s https://x/i.sh)",
        "RUN sh -c \"$(curl -fsSL https://x/i.sh)\"",
        "RUN set -eux; curl -L https://x | python3 -",
    ] {
        let text = with("EXPOSE 8080", &format!("{run}\nEXPOSE 8080"));
        assert!(
            slugs(&lint(&text)).contains(&"dockerfile-curl-pipe-shell"),
            "{run}: {:?}",
            lint(&text)
        );
    }
    for run in [
        "RUN curl -fsSLo /tmp/i.sh https://x/i.sh && sha256sum -c sums && sh /tmp/i.sh",
        "RUN curl -s https://x/data.json | jq .",
        "RUN test -f /x || curl -o /x https://x",
    ] {
        let text = with("EXPOSE 8080", &format!("{run}\nEXPOSE 8080"));
        assert!(lint(&text).is_empty(), "{run}: {:?}", lint(&text));
    }
}

#[test]
fn sudo_sshd_setuid_and_verification() {
    let cases = [
        ("RUN sudo apt-get install -y curl", "dockerfile-sudo"),
        (
            "RUN apt-get update && apt-get install -y sudo",
            "dockerfile-sudo",
        ),
        (
            "RUN apt-get update && apt-get install -y openssh-server",
            "dockerfile-sshd",
        ),
        ("EXPOSE 22/tcp", "dockerfile-sshd"),
        ("RUN chmod u+s /usr/bin/tool", "image-no-setuid-setgid"),
        ("RUN chmod 4755 /usr/bin/tool", "image-no-setuid-setgid"),
        ("RUN curl -fsSLk https://x -o /x", "image-verified-packages"),
        (
            "RUN wget --no-check-certificate https://x",
            "image-verified-packages",
        ),
        (
            "RUN apk add --allow-untrusted /tmp/x.apk",
            "image-verified-packages",
        ),
        (
            "RUN pip install --trusted-host pypi.example x",
            "image-verified-packages",
        ),
    ];
    for (line, slug) in cases {
        let text = with("EXPOSE 8080", &format!("{line}\nEXPOSE 8080"));
        assert_eq!(slugs(&lint(&text)), [slug], "{line}");
        assert_eq!(lines(&text, slug), [17], "{line}");
    }
    let text = with(
        "ENTRYPOINT [\"/usr/local/bin/app\"]",
        "CMD [\"/usr/sbin/sshd\", \"-D\"]",
    );
    assert_eq!(slugs(&lint(&text)), ["dockerfile-sshd"]);
    // chmod without special bits, and curl with -o (not -k), pass.
    let text = with(
        "EXPOSE 8080",
        "RUN chmod 0755 /x && chmod -R g+w /y && curl -fsSLo /z https://x\nEXPOSE 8080",
    );
    assert!(lint(&text).is_empty(), "{:?}", lint(&text));
}

#[test]
fn findings_point_at_the_word_on_continuation_lines() {
    let text = with(
        "RUN useradd -r -u ${APP_UID} app",
        "RUN set -eux \\\n    && apt-get update \\\n    && sudo useradd app",
    );
    let df = parse(&text).unwrap();
    let f: Vec<Pos> = evaluate(&df)
        .iter()
        .filter(|f| f.slug == "dockerfile-sudo")
        .map(|f| locate(&df, &f.pointer))
        .collect();
    assert_eq!(f, [Pos::new(17, 8)]);
}

#[test]
fn shell_splitting() {
    let c = commands(
        "set -e; FOO=1 sudo -u app env X=y cmd 'a b' \"c\\\"d\" && other | more # note\nlast",
    );
    let words: Vec<Vec<&str>> = c
        .iter()
        .map(|w| w.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        words,
        vec![
            vec!["set", "-e"],
            vec![
                "FOO=1", "sudo", "-u", "app", "env", "X=y", "cmd", "a b", "c\"d"
            ],
            vec!["other"],
            vec!["more"],
            vec!["last"],
        ]
    );
    let (cmd, args, sudo) = command_word(&c[1]);
    assert_eq!((cmd, args.len(), sudo), (Some("cmd"), 2, true));
}
