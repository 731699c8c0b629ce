//! Section 4: Container images and build files. Judged from each local image's inspect data and
//! history (`docker history`: the build steps), container configuration, and, with `--deep`, the
//! files in the image layers.

use bollard::models::{ImageHistoryResponseItem, ImageInspect};

use super::history::{self, PackageAction, Step};
use super::{V131, V160, docker};
use crate::checks::secrets::{self, Finding};
use crate::checks::{
    Assessment::*, Check, Component, Context, Doc, Evaluate, Level::*, ObjectOutcome, Outcome,
    Severity::*, Verdict,
};
use crate::facts::docker::ContainerView;
use crate::facts::{DockerFacts, ImageFact};

pub const CHECKS: &[Check] = &[
    Check {
        slug: "container-user-not-root",
        ids: &[(V160, "4.1"), (V131, "4.1")],
        title: "Create a user for the container",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::Image,
        doc: Doc {
            what: "Every container in scope, and every local image, runs as a user other than root: `Config.User` is set and is not UID 0 in any form (`\"\"`, `root`, `0`, `00`, `0:0`, `root:root`, `0:<group>`). A user name other than root passes, but is not resolved (that needs the image's /etc/passwd). docker-bench counts `0:0` as non-root; it is root.",
            why: "A process that is root in the container is root on the host if it escapes (kernel bug, runtime bug, bad mount), and can change everything in the container's file system (elevation of privilege).",
            evidence: "`Config.User` per container (the image's user unless `--user` overrides it) and per image.",
            remediation: "Add `RUN useradd -r -u 10001 app` and `USER 10001` (a numeric UID) to the Dockerfile, or run with `--user 10001:10001`.",
            references: "https://docs.docker.com/reference/dockerfile/#user",
        },
        evaluate: Evaluate::Context(user_not_root),
    },
    Check {
        slug: "image-trusted-base",
        ids: &[(V160, "4.2"), (V131, "4.2")],
        title: "Use trusted base images for containers",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::Image,
        doc: Doc {
            what: "Where each local image came from, for a person to confirm its base is trusted: its tags, and its registry digests (an image with none was built or imported locally).",
            why: "An image from an unknown publisher can carry malware or backdoors into every container started from it (tampering, spoofing of the supplier).",
            evidence: "`RepoTags` and `RepoDigests` per image.",
            remediation: "Build only from official or verified publishers or your own registry; pin base images by digest (`FROM image@sha256:...`).",
            references: "",
        },
        evaluate: Evaluate::Context(trusted_base),
    },
    Check {
        slug: "image-minimal-packages",
        ids: &[(V160, "4.3"), (V131, "4.3")],
        title: "Do not install unnecessary packages in the container",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::Image,
        doc: Doc {
            what: "The size and the package installs of each local image, for a person to confirm that every package is needed.",
            why: "Every extra package is attack surface and a source of vulnerabilities (elevation of privilege through a vulnerable tool).",
            evidence: "`Size` per image and the package-install commands found in its history.",
            remediation: "Start from a minimal or distroless base and install only what the workload needs (`apt-get install --no-install-recommends`); use multi-stage builds.",
            references: "",
        },
        evaluate: Evaluate::Context(minimal_packages),
    },
    Check {
        slug: "image-scanned-rebuilt",
        ids: &[(V160, "4.4"), (V131, "4.4")],
        title: "Scan and rebuild images to include security patches",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::Image,
        doc: Doc {
            what: "How old each local image is, for a person to confirm it is scanned for vulnerabilities and rebuilt when fixes come out.",
            why: "Images are frozen: the packages in them keep their known vulnerabilities until the image is rebuilt.",
            evidence: "`Created` per image and its age when the facts were collected.",
            remediation: "Scan images in CI and in the registry (e.g. Trivy, Grype), rebuild with `docker build --pull --no-cache` on a schedule, and redeploy.",
            references: "",
        },
        evaluate: Evaluate::Context(scanned_rebuilt),
    },
    Check {
        slug: "image-content-trust-enabled",
        ids: &[(V160, "4.5"), (V131, "4.5")],
        title: "Enable Content trust for Docker",
        level: Two,
        assessment: Manual,
        severity: Medium,
        component: Component::DockerClient,
        doc: Doc {
            what: "`DOCKER_CONTENT_TRUST=1` is set. Only the environment threatbench itself ran in can be seen, not that of every user, shell or CI job that drives the daemon.",
            why: "Without content trust the client pulls and runs unsigned images, so a tampered or spoofed image in a registry is accepted.",
            evidence: "`DOCKER_CONTENT_TRUST` in the scanner's environment (kept in the facts bundle as `scanner_env`).",
            remediation: "`export DOCKER_CONTENT_TRUST=1` in the profiles and CI jobs that run docker (Docker Content Trust is Notary v1; registries that sign with Notation or cosign need their own verification).",
            references: "https://docs.docker.com/engine/security/trust/",
        },
        evaluate: Evaluate::Context(content_trust),
    },
    Check {
        slug: "image-healthcheck",
        ids: &[(V160, "4.6"), (V131, "4.6")],
        title: "Add HEALTHCHECK instruction to the container image",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::Image,
        doc: Doc {
            what: "Every local image, used or not, declares a HEALTHCHECK that is not `NONE`.",
            why: "Without a health check a hung or hijacked service keeps running and receiving traffic unnoticed (denial of service goes undetected).",
            evidence: "`Config.Healthcheck` per image.",
            remediation: "Add `HEALTHCHECK CMD <command that fails when the service is unhealthy>` to the Dockerfile and rebuild.",
            references: "https://docs.docker.com/reference/dockerfile/#healthcheck",
        },
        evaluate: Evaluate::Context(healthcheck),
    },
    Check {
        slug: "image-no-standalone-update",
        ids: &[(V160, "4.7"), (V131, "4.7")],
        title: "Do not use update instructions alone in the Dockerfile",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::Image,
        doc: Doc {
            what: "No build step refreshes or upgrades packages (`apt-get update`, `apk update`, `yum update`, ...) without installing in the same RUN.",
            why: "A lone update layer is cached and reused by later builds, so packages installed after it come from a stale index and miss security fixes.",
            evidence: "The RUN steps in each image's history (`CreatedBy`), with the layer they made. Steps of the base image are included.",
            remediation: "Combine them: `RUN apt-get update && apt-get install -y --no-install-recommends pkg=version && rm -rf /var/lib/apt/lists/*`.",
            references: "",
        },
        evaluate: Evaluate::Context(standalone_update),
    },
    Check {
        slug: "image-no-setuid-setgid",
        ids: &[(V160, "4.8"), (V131, "4.8")],
        title: "Remove setuid and setgid permissions in the images",
        level: Two,
        assessment: Manual,
        severity: Medium,
        component: Component::Image,
        doc: Doc {
            what: "No file in an image's final file system has the setuid or setgid bit. Needs `--deep`, which reads the image layers through the API (bounded by `--deep-timeout` and `--deep-max-bytes` per image); without it the check warns.",
            why: "setuid and setgid binaries run with their owner's rights: a vulnerable one lets a process in the container become root (elevation of privilege).",
            evidence: "Path, mode, owner and layer of each setuid/setgid file, from the layers as `docker save` exports them (whiteouts and overwrites of upper layers applied).",
            remediation: "In the Dockerfile: `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +` for binaries that are not needed with those rights; or run with `--security-opt no-new-privileges`.",
            references: "",
        },
        evaluate: Evaluate::Context(setuid_setgid),
    },
    Check {
        slug: "image-copy-not-add",
        ids: &[(V160, "4.9"), (V131, "4.9")],
        title: "Use COPY instead of ADD in Dockerfiles",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::Image,
        doc: Doc {
            what: "No build step uses ADD where COPY fits: ADD of a local file or directory that is not an archive fails; ADD of a URL, or an ADD whose source the history does not name (legacy builder `file:<hash>`), needs review. ADD of a tar archive (which COPY cannot unpack) passes, as does the base image's root file system.",
            why: "ADD fetches URLs and unpacks archives implicitly: an unverified download or a crafted archive ends up in the image (tampering).",
            evidence: "The ADD steps in each image's history (`CreatedBy`) with their sources.",
            remediation: "Use `COPY` for local files; download with `curl` and verify a checksum, or `ADD --checksum=sha256:...` for URLs.",
            references: "",
        },
        evaluate: Evaluate::Context(copy_not_add),
    },
    Check {
        slug: "image-no-secrets",
        ids: &[(V160, "4.10"), (V131, "4.10")],
        title: "Do not store secrets in Dockerfiles",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::Image,
        doc: Doc {
            what: "No credential is baked into an image (its environment, or a build step: ENV, build arguments recorded with RUN, commands) or passed to a container in its environment. Credentials are recognised by the variable's name (PASSWORD, SECRET, TOKEN, API_KEY, ...), by known value shapes (AWS keys, GitHub, GitLab and Slack tokens, PEM private keys, URLs with passwords) and by the randomness of long values.",
            why: "Anyone who can pull the image or inspect the container reads the secret: `docker history` and `docker inspect` show it in clear (information disclosure).",
            evidence: "Each suspected secret with its place and the reason, the value masked (first two characters and length). Container findings leave out the variables the container inherits from its image.",
            remediation: "Pass secrets at run time from a secret store (`docker secret`, mounted files with `*_FILE` variables); at build time use `RUN --mount=type=secret`, never ARG or ENV. Rotate any secret that was baked in.",
            references: "https://docs.docker.com/build/building/secrets/",
        },
        evaluate: Evaluate::Context(no_secrets),
    },
    Check {
        slug: "image-verified-packages",
        ids: &[(V160, "4.11"), (V131, "4.11")],
        title: "Install verified packages only",
        level: Two,
        assessment: Manual,
        severity: Medium,
        component: Component::Image,
        doc: Doc {
            what: "Build steps that turn package or download verification off fail (`--allow-unauthenticated`, `--nogpgcheck`, `--allow-untrusted`, `--trusted-host`, `curl -k`, `--no-check-certificate`, piping a download into a shell); otherwise a person must confirm that packages are signature-checked.",
            why: "Unverified packages can be swapped in transit or on a mirror (tampering with the supply chain).",
            evidence: "The RUN steps in each image's history that disable verification, and the content-trust setting.",
            remediation: "Remove the flags that skip verification; import the publisher's GPG key and verify checksums of downloads.",
            references: "",
        },
        evaluate: Evaluate::Context(verified_packages),
    },
    Check {
        slug: "image-signed-artifacts-verified",
        ids: &[(V160, "4.12")],
        title: "Ensure all signed artifacts are validated",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::Image,
        doc: Doc {
            what: "Evidence for a person to confirm that signatures of images and build artifacts are verified before use: the content-trust setting and which images carry a registry digest.",
            why: "A signature nobody checks protects nothing: a tampered artifact is used as if genuine (tampering, spoofing).",
            evidence: "`DOCKER_CONTENT_TRUST` in the scanner's environment; `RepoDigests` per image.",
            remediation: "Verify signatures in the pipeline (`docker trust inspect`, `cosign verify`, `notation verify`) and enforce it at deploy time (admission policy, `DOCKER_CONTENT_TRUST=1`).",
            references: "",
        },
        evaluate: Evaluate::Context(signed_artifacts),
    },
];

// ---------------------------------------------------------------------------------------------
// Images as the checks see them.

/// A readable name for an image: its first tag, else `<none>@<short id>`. Untrusted text.
pub(crate) fn image_label(image: &ImageFact) -> String {
    let tag = image
        .inspect
        .seen()
        .and_then(|i| i.repo_tags.as_ref())
        .and_then(|tags| tags.iter().find(|t| *t != "<none>:<none>"))
        .cloned();
    tag.unwrap_or_else(|| format!("<none>@{}", short_id(&image.id)))
}

pub(crate) fn short_id(id: &str) -> String {
    id.trim_start_matches("sha256:").chars().take(12).collect()
}

fn image_object(image: &ImageFact, o: Outcome) -> ObjectOutcome {
    ObjectOutcome {
        kind: "image",
        name: image_label(image),
        id: Some(short_id(&image.id)),
        verdict: o.verdict,
        evidence: o.evidence,
    }
}

/// One outcome per local image from its inspect data; unreadable inspect data is an error.
fn each_image(ctx: &Context, rule: impl Fn(&ImageFact, &ImageInspect) -> Outcome) -> Outcome {
    let d = match docker(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let objects = d
        .images
        .iter()
        .map(|image| {
            let o = match image.inspect.as_result() {
                Ok(inspect) => rule(image, inspect),
                Err(u) => Outcome::error(u.reason.clone()),
            };
            image_object(image, o)
        })
        .collect();
    Outcome::from_objects("images", objects)
}

/// One outcome per local image from its history, oldest step first, with the step's position.
fn each_image_history(
    ctx: &Context,
    rule: impl Fn(&ImageFact, &[(usize, Step, &ImageHistoryResponseItem)]) -> Outcome,
) -> Outcome {
    let d = match docker(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let objects = d
        .images
        .iter()
        .map(|image| {
            let o = match image.history.as_result() {
                Ok(items) => rule(image, &steps(items)),
                Err(u) => Outcome::error(u.reason.clone()),
            };
            image_object(image, o)
        })
        .collect();
    Outcome::from_objects("images", objects)
}

/// History items oldest first (the API lists newest first), numbered from 1, parsed.
fn steps(items: &[ImageHistoryResponseItem]) -> Vec<(usize, Step, &ImageHistoryResponseItem)> {
    items
        .iter()
        .rev()
        .enumerate()
        .map(|(i, item)| (i + 1, history::parse(&item.created_by), item))
        .collect()
}

/// A build step's text shortened for evidence (history lines can be kilobytes of shell).
fn shorten(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let cut: String = one_line.chars().take(max).collect();
        format!("{cut}…")
    }
}

fn config_user(inspect: &ImageInspect) -> &str {
    inspect
        .config
        .as_ref()
        .and_then(|c| c.user.as_deref())
        .unwrap_or("")
}

fn repo_digests(inspect: &ImageInspect) -> Vec<String> {
    inspect.repo_digests.clone().unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// 4.1

/// Who a `USER` value runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserKind {
    /// UID 0: why (default, name, number).
    Root(&'static str),
    /// A numeric UID other than 0.
    Uid(String),
    /// A name other than root, resolved only by the image's /etc/passwd.
    Name(String),
}

/// Classify `Config.User` (`user`, `user:group`, `uid`, `uid:gid`). The group does not matter:
/// `0:<anything>` and `root:<anything>` are root, `<non-root>:0` is not.
pub fn classify_user(value: &str) -> UserKind {
    let user = value.trim().split(':').next().unwrap_or("").trim();
    if user.is_empty() {
        return UserKind::Root("no user set: root by default");
    }
    if user == "root" {
        return UserKind::Root("user root");
    }
    if user.chars().all(|c| c.is_ascii_digit()) {
        return if user.trim_start_matches('0').is_empty() {
            UserKind::Root("UID 0")
        } else {
            UserKind::Uid(user.to_string())
        };
    }
    UserKind::Name(user.to_string())
}

fn user_outcome(field: &str, value: &str) -> Outcome {
    match classify_user(value) {
        UserKind::Root(why) => Outcome::fail(format!("{field}={value:?}: {why}")),
        UserKind::Uid(uid) => Outcome::pass(format!("{field}={value:?}: UID {uid}")),
        UserKind::Name(name) => Outcome::pass(format!(
            "{field}={value:?}: user name {name:?}, not root by name; its UID comes from the image's /etc/passwd, which threatbench does not read"
        )),
    }
}

fn user_not_root(ctx: &Context) -> Outcome {
    let d = match docker(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let mut objects: Vec<ObjectOutcome> = d
        .containers
        .iter()
        .map(|inspect| {
            let c = ContainerView::new(inspect);
            let o = user_outcome("Config.User", c.user());
            ObjectOutcome {
                kind: "container",
                name: c.name().to_string(),
                id: Some(c.id().chars().take(12).collect()),
                verdict: o.verdict,
                evidence: o.evidence,
            }
        })
        .collect();
    objects.extend(d.images.iter().map(|image| {
        let o = match image.inspect.as_result() {
            Ok(inspect) => user_outcome("image Config.User", config_user(inspect)),
            Err(u) => Outcome::error(u.reason.clone()),
        };
        image_object(image, o)
    }));
    Outcome::from_objects("containers and images", objects)
}

// ---------------------------------------------------------------------------------------------
// 4.2, 4.3, 4.4: review items with the evidence we have.

fn trusted_base(ctx: &Context) -> Outcome {
    each_image(ctx, |_, inspect| {
        let digests = repo_digests(inspect);
        if digests.is_empty() {
            Outcome::warn(
                "no registry digest: built or imported locally; review the base image it was built from",
            )
        } else {
            Outcome::warn(format!(
                "pulled as {}: confirm the publisher is trusted",
                digests.join(", ")
            ))
        }
    })
}

fn minimal_packages(ctx: &Context) -> Outcome {
    let d = match docker(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let objects = d
        .images
        .iter()
        .map(|image| {
            let size = image
                .inspect
                .seen()
                .and_then(|i| i.size)
                .map(|b| format!("{:.1} MB", b as f64 / 1_000_000.0))
                .unwrap_or_else(|| "size unknown".into());
            let o = match image.history.as_result() {
                Ok(items) => {
                    let installs: Vec<String> = steps(items)
                        .iter()
                        .filter(|(_, s, _)| s.instruction == "RUN")
                        .flat_map(|(_, s, _)| {
                            history::simple_commands(&s.args)
                                .into_iter()
                                .filter(|w| {
                                    history::package_action(w) == Some(PackageAction::Install)
                                })
                                .map(|w| shorten(&w.join(" "), 80))
                                .collect::<Vec<_>>()
                        })
                        .collect();
                    Outcome::warn(format!(
                        "{size}, {} build steps; package installs: {}; confirm each package is needed",
                        items.len(),
                        if installs.is_empty() {
                            "none in history".to_string()
                        } else {
                            installs.join("; ")
                        }
                    ))
                }
                Err(u) => Outcome::error(u.reason.clone()),
            };
            image_object(image, o)
        })
        .collect();
    Outcome::from_objects("images", objects)
}

fn scanned_rebuilt(ctx: &Context) -> Outcome {
    let collected: Option<jiff::Timestamp> = ctx.facts.collected_at.parse().ok();
    each_image(ctx, |_, inspect| {
        let created = inspect.created.clone().unwrap_or_default();
        let age = created
            .parse::<jiff::Timestamp>()
            .ok()
            .zip(collected)
            .map(|(c, now)| (now.as_second() - c.as_second()) / 86_400);
        match age {
            Some(days) => Outcome::warn(format!(
                "created {created} ({days} days before the scan): confirm it is scanned and rebuilt with current fixes"
            )),
            None => Outcome::warn(format!(
                "created {created:?} (age unknown): confirm it is scanned and rebuilt with current fixes"
            )),
        }
    })
}

// ---------------------------------------------------------------------------------------------
// 4.5, 4.12

fn content_trust_text(ctx: &Context) -> (bool, String) {
    let value = ctx.facts.scanner_env.docker_content_trust.as_deref();
    let on = value.map(str::trim) == Some("1");
    let shown = match value {
        Some(v) => format!("DOCKER_CONTENT_TRUST={v:?}"),
        None => "DOCKER_CONTENT_TRUST unset".into(),
    };
    (
        on,
        format!(
            "{shown} in the environment threatbench ran in (the scanner's environment, not every user's shell or CI job)"
        ),
    )
}

fn content_trust(ctx: &Context) -> Outcome {
    let (on, text) = content_trust_text(ctx);
    Outcome::pass_if(on, text)
}

fn signed_artifacts(ctx: &Context) -> Outcome {
    let (_, trust) = content_trust_text(ctx);
    let d = match docker(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let (with, without): (Vec<&ImageFact>, Vec<&ImageFact>) = d.images.iter().partition(|i| {
        i.inspect
            .seen()
            .is_some_and(|x| !repo_digests(x).is_empty())
    });
    let names = |v: &[&ImageFact]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.iter()
                .map(|i| image_label(i))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    Outcome::warn(format!(
        "review how image and artifact signatures are verified; {trust}; images with a registry digest: {}; without (local builds or imports): {}",
        names(&with),
        names(&without)
    ))
}

// ---------------------------------------------------------------------------------------------
// 4.6

fn healthcheck(ctx: &Context) -> Outcome {
    each_image(ctx, |_, inspect| {
        let test = inspect
            .config
            .as_ref()
            .and_then(|c| c.healthcheck.as_ref())
            .and_then(|h| h.test.clone())
            .unwrap_or_default();
        match test.first().map(String::as_str) {
            None => Outcome::fail("no HEALTHCHECK (Config.Healthcheck unset)"),
            Some("NONE") => Outcome::fail("HEALTHCHECK NONE: health checks disabled"),
            Some(_) => Outcome::pass(format!("HEALTHCHECK {test:?}")),
        }
    })
}

// ---------------------------------------------------------------------------------------------
// 4.7

fn standalone_update(ctx: &Context) -> Outcome {
    each_image_history(ctx, |_, steps| {
        let lone: Vec<String> = steps
            .iter()
            .filter(|(_, s, _)| s.instruction == "RUN")
            .filter(|(_, s, _)| {
                let actions: Vec<PackageAction> = history::simple_commands(&s.args)
                    .iter()
                    .filter_map(|w| history::package_action(w))
                    .collect();
                actions.contains(&PackageAction::Update)
                    && !actions.contains(&PackageAction::Install)
            })
            .map(|(n, s, _)| format!("step {n}: RUN {}", shorten(&s.args, 100)))
            .collect();
        let runs = steps
            .iter()
            .filter(|(_, s, _)| s.instruction == "RUN")
            .count();
        if lone.is_empty() {
            Outcome::pass(format!(
                "{runs} RUN steps, none updates packages without installing"
            ))
        } else {
            Outcome::fail(format!(
                "update without install in the same layer: {}",
                lone.join("; ")
            ))
        }
    })
}

// ---------------------------------------------------------------------------------------------
// 4.8

fn setuid_setgid(ctx: &Context) -> Outcome {
    let d = match docker(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let Some(deep) = &d.deep else {
        return Outcome::warn(
            "image layers were not read: run with --deep to list setuid/setgid files (or review the images by hand)",
        );
    };
    let objects = d
        .images
        .iter()
        .map(|image| {
            let o = match deep.images.get(&image.id).map(|o| o.as_result()) {
                None => Outcome::error("image was not in the deep scan"),
                Some(Err(u)) => Outcome::error(u.reason.clone()),
                Some(Ok(scan)) => {
                    let partial = if scan.complete {
                        String::new()
                    } else {
                        format!(" (scan incomplete: {})", scan.notes.join("; "))
                    };
                    if !scan.setuid_files.is_empty() {
                        const SHOWN: usize = 20;
                        let mut list: Vec<String> = scan
                            .setuid_files
                            .iter()
                            .take(SHOWN)
                            .map(|f| f.describe())
                            .collect();
                        if scan.setuid_files.len() > SHOWN {
                            list.push(format!("and {} more", scan.setuid_files.len() - SHOWN));
                        }
                        Outcome::fail(format!(
                            "{} setuid/setgid files: {}{partial}",
                            scan.setuid_files.len(),
                            list.join(", ")
                        ))
                    } else if scan.complete {
                        Outcome::pass(format!(
                            "no setuid/setgid files in {} layers ({} bytes read)",
                            scan.layers_read, scan.bytes_read
                        ))
                    } else {
                        Outcome::error(format!(
                            "no setuid/setgid file found, but{partial}; raise --deep-timeout or --deep-max-bytes"
                        ))
                    }
                }
            };
            image_object(image, o)
        })
        .collect();
    Outcome::from_objects("images", objects)
}

// ---------------------------------------------------------------------------------------------
// 4.9

/// Archive names ADD unpacks (by extension: the history keeps names only, so this is the best
/// that can be told from it; Docker itself looks at the content).
const ARCHIVE_SUFFIXES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst", ".tzst",
];

fn is_url(source: &str) -> bool {
    ["http://", "https://", "git@", "git://", "ssh://"]
        .iter()
        .any(|p| source.starts_with(p))
}

fn is_archive(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    ARCHIVE_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

/// How an ADD step is judged.
fn judge_add(step: &Step, position: usize) -> (Verdict, String) {
    let args = step.args.trim();
    if !step.buildkit {
        // Legacy builder: `file:<sha> in <dest>`, `dir:<sha> in <dest>`, `multi:<sha> in <dest>`.
        let (source, dest) = args.split_once(" in ").unwrap_or((args, ""));
        let dest = dest.trim();
        if source.starts_with("dir:") {
            return (
                Verdict::Fail,
                format!("ADD of a local directory to {dest}: COPY fits"),
            );
        }
        if source.starts_with("file:") && position == 1 && dest == "/" {
            return (
                Verdict::Pass,
                "the base root file system (ADD of an archive to /)".into(),
            );
        }
        if is_url(source) {
            return (
                Verdict::Warn,
                format!("ADD of a URL ({}): verify a checksum", shorten(source, 80)),
            );
        }
        return (
            Verdict::Warn,
            format!(
                "ADD {} to {dest}: the legacy builder's history does not say whether the source was an archive (ADD needed) or a plain file (COPY fits)",
                shorten(source, 20)
            ),
        );
    }
    let words: Vec<&str> = args
        .split_whitespace()
        .filter(|w| !w.starts_with("--"))
        .collect();
    let Some((dest, sources)) = words.split_last() else {
        return (
            Verdict::Warn,
            "ADD step without arguments in history".into(),
        );
    };
    let mut verdict = Verdict::Pass;
    let mut notes = Vec::new();
    for source in sources {
        if is_url(source) {
            verdict = Verdict::worst([verdict, Verdict::Warn]).unwrap_or(verdict);
            notes.push(format!("{source} is fetched remotely: verify a checksum"));
        } else if is_archive(source) {
            notes.push(format!("{source} is an archive ADD unpacks"));
        } else {
            verdict = Verdict::Fail;
            notes.push(format!("{source} is a local file: COPY fits"));
        }
    }
    (verdict, format!("ADD to {dest}: {}", notes.join(", ")))
}

fn copy_not_add(ctx: &Context) -> Outcome {
    each_image_history(ctx, |_, steps| {
        let adds: Vec<(Verdict, String)> = steps
            .iter()
            .filter(|(_, s, _)| s.instruction == "ADD")
            .map(|(n, s, _)| {
                let (v, text) = judge_add(s, *n);
                (v, format!("step {n}: {text}"))
            })
            .collect();
        if adds.is_empty() {
            return Outcome::pass("no ADD steps");
        }
        let verdict = Verdict::worst(adds.iter().map(|(v, _)| *v)).unwrap_or(Verdict::Pass);
        let shown: Vec<String> = adds
            .iter()
            .filter(|(v, _)| *v == verdict)
            .map(|(_, t)| t.clone())
            .collect();
        Outcome::new(verdict, shown.join("; "))
    })
}

// ---------------------------------------------------------------------------------------------
// 4.10

fn env_findings(env: &[String]) -> Vec<Finding> {
    env.iter()
        .filter_map(|e| secrets::check_env_entry(e))
        .collect()
}

fn image_secret_findings(image: &ImageFact) -> Result<Vec<String>, String> {
    let inspect = image.inspect.as_result().map_err(|u| u.reason.clone())?;
    let items = image.history.as_result().map_err(|u| u.reason.clone())?;
    let mut out: Vec<String> = Vec::new();
    let env = inspect
        .config
        .as_ref()
        .and_then(|c| c.env.clone())
        .unwrap_or_default();
    for f in env_findings(&env) {
        out.push(format!("Config.Env {f}"));
    }
    for (n, step, item) in steps(items) {
        let mut found: Vec<Finding> = step
            .build_args
            .iter()
            .filter_map(|a| secrets::check_env_entry(a))
            .collect();
        for f in secrets::scan_text(&item.created_by) {
            if !found.contains(&f) {
                found.push(f);
            }
        }
        for f in found {
            let text = format!("step {n} ({}) {f}", step_name(&step));
            // ENV steps repeat what Config.Env already shows.
            let dup =
                step.instruction == "ENV" && out.iter().any(|o| o == &format!("Config.Env {f}"));
            if !dup {
                out.push(text);
            }
        }
    }
    Ok(out)
}

fn step_name(step: &Step) -> &str {
    if step.instruction.is_empty() {
        "unknown step"
    } else {
        &step.instruction
    }
}

fn no_secrets(ctx: &Context) -> Outcome {
    let d = match docker(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let mut objects: Vec<ObjectOutcome> = d
        .images
        .iter()
        .map(|image| {
            let o = match image_secret_findings(image) {
                Err(reason) => Outcome::error(reason),
                Ok(found) if found.is_empty() => {
                    Outcome::pass("no credential-like value in Config.Env or build steps")
                }
                Ok(found) => Outcome::fail(found.join("; ")),
            };
            image_object(image, o)
        })
        .collect();
    objects.extend(d.containers.iter().map(|inspect| {
        let c = ContainerView::new(inspect);
        let o = container_secrets(d, c);
        ObjectOutcome {
            kind: "container",
            name: c.name().to_string(),
            id: Some(c.id().chars().take(12).collect()),
            verdict: o.verdict,
            evidence: o.evidence,
        }
    }));
    Outcome::from_objects("images and containers", objects)
}

/// Secrets in a container's own environment (`-e`, `--env-file`), not those its image carries
/// (reported on the image).
fn container_secrets(d: &DockerFacts, c: ContainerView) -> Outcome {
    let env = c
        .inspect
        .config
        .as_ref()
        .and_then(|cfg| cfg.env.clone())
        .unwrap_or_default();
    let image_env: Option<Vec<String>> = c.inspect.image.as_deref().and_then(|id| {
        d.images
            .iter()
            .find(|i| i.id == id)
            .and_then(|i| i.inspect.seen())
            .map(|i| {
                i.config
                    .as_ref()
                    .and_then(|cfg| cfg.env.clone())
                    .unwrap_or_default()
            })
    });
    let own: Vec<String> = match &image_env {
        Some(inherited) => env.into_iter().filter(|e| !inherited.contains(e)).collect(),
        None => env,
    };
    let found = env_findings(&own);
    let scope = if image_env.is_some() {
        "set on the container"
    } else {
        "in Config.Env (image not inspected: inherited variables included)"
    };
    if found.is_empty() {
        Outcome::pass(format!("no credential-like environment variable {scope}"))
    } else {
        Outcome::fail(format!(
            "environment {scope}: {}",
            found
                .iter()
                .map(Finding::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// 4.11

/// Flags and idioms that turn off package or download verification.
const UNVERIFIED: &[(&str, &str)] = &[
    ("--allow-unauthenticated", "apt without signature check"),
    (
        "--allow-insecure-repositories",
        "apt with unsigned repositories",
    ),
    ("[trusted=yes]", "apt repository marked trusted"),
    ("AllowUnauthenticated", "apt without signature check"),
    ("--nogpgcheck", "yum/dnf without GPG check"),
    ("gpgcheck=0", "yum/dnf repository without GPG check"),
    ("--allow-untrusted", "apk without signature check"),
    ("--trusted-host", "pip without TLS verification"),
    ("--no-check-certificate", "wget without TLS verification"),
    ("--insecure", "download without TLS verification"),
    ("--nosignature", "rpm without signature check"),
    ("strict-ssl false", "npm without TLS verification"),
];

fn unverified_reasons(command: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = UNVERIFIED
        .iter()
        .filter(|(needle, _)| command.contains(needle))
        .map(|(_, why)| *why)
        .collect();
    for words in history::simple_commands(command) {
        let tool = words[0].rsplit('/').next().unwrap_or("");
        if tool == "curl"
            && words.iter().any(|w| {
                *w == "-k" || (w.starts_with('-') && !w.starts_with("--") && w.contains('k'))
            })
        {
            out.push("curl without TLS verification");
        }
    }
    // `curl ... | sh`: the downloaded script runs unverified.
    let piped_shell = command.split('|').skip(1).any(|part| {
        matches!(
            part.split_whitespace().next(),
            Some("sh" | "bash" | "/bin/sh" | "/bin/bash" | "sudo")
        )
    }) && (command.contains("curl") || command.contains("wget"));
    if piped_shell {
        out.push("download piped into a shell");
    }
    out.dedup();
    out
}

fn verified_packages(ctx: &Context) -> Outcome {
    let (_, trust) = content_trust_text(ctx);
    each_image_history(ctx, |_, steps| {
        let bad: Vec<String> = steps
            .iter()
            .filter(|(_, s, _)| s.instruction == "RUN")
            .filter_map(|(n, s, _)| {
                let why = unverified_reasons(&s.args);
                (!why.is_empty())
                    .then(|| format!("step {n}: {} ({})", why.join(", "), shorten(&s.args, 80)))
            })
            .collect();
        if bad.is_empty() {
            Outcome::warn(format!(
                "no build step turns verification off; confirm packages are signature-checked ({trust})"
            ))
        } else {
            Outcome::fail(bad.join("; "))
        }
    })
}

#[cfg(test)]
mod tests;
