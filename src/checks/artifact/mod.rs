//! Rules over build and deploy files: Dockerfiles (CIS Docker section 4 and threatbench's own
//! `dockerfile-*` rules) and docker-compose files (section 5, with the live checks' slugs), plus
//! the linter's own rules about the files themselves (duplicate YAML keys, suppressions).
//! Kubernetes manifests use [`super::evaluators::kube_workload`] and [`super::evaluators::kube_rbac`], shared with the
//! live cluster scan.

pub mod compose;
pub mod dockerfile;

use super::rule::Rule;
use super::{Benchmark, Component, Doc, Severity};

const V160: Benchmark = Benchmark::CisDocker160;
const V131: Benchmark = Benchmark::CisDocker131;

macro_rules! rule {
    ($name:ident, $slug:literal, $ids:expr, $title:literal, $sev:ident, $comp:ident,
     what: $what:literal, why: $why:literal, evidence: $ev:literal, fix: $fix:literal,
     refs: $refs:literal) => {
        pub const $name: Rule = Rule {
            slug: $slug,
            ids: $ids,
            title: $title,
            severity: Severity::$sev,
            component: Component::$comp,
            doc: Doc {
                what: $what,
                why: $why,
                evidence: $ev,
                remediation: $fix,
                references: $refs,
            },
        };
    };
}

rule!(USER_NOT_ROOT, "container-user-not-root", &[(V160, "4.1"), (V131, "4.1")],
    "Containers run as a non-root user", High, Image,
    what: "The final stage of a Dockerfile sets USER to a non-root user (not 0, root, 0:0, nor a variable that resolves to them); a compose service does not set user: root.",
    why: "A container that runs as root is one kernel bug or mis-mount away from root on the host.",
    evidence: "The last USER instruction of the final stage (inherited from an earlier stage it builds on), with ARG/ENV expanded; compose `user:`.",
    fix: "Create a user and switch to it: `RUN useradd -r -u 10001 app` then `USER 10001`.",
    refs: "");
rule!(HEALTHCHECK, "image-healthcheck", &[(V160, "4.6"), (V131, "4.6")],
    "Images define a HEALTHCHECK", Low, Image,
    what: "The final stage defines a HEALTHCHECK (not HEALTHCHECK NONE), directly or from the stage it builds on.",
    why: "Without a health check a hung or hijacked service keeps receiving traffic and is never restarted.",
    evidence: "HEALTHCHECK instructions of the final stage.",
    fix: "Add `HEALTHCHECK CMD <probe>` (for example `curl -f http://localhost/ || exit 1`).",
    refs: "");
rule!(STANDALONE_UPDATE, "image-no-standalone-update", &[(V160, "4.7"), (V131, "4.7")],
    "Package-index update not on its own line", Low, Image,
    what: "No RUN updates a package index (`apt-get update`, `apk update`, `yum makecache`, ...) without installing in the same RUN.",
    why: "The update layer is cached: later builds install from a stale index and miss security fixes.",
    evidence: "The RUN instruction's command.",
    fix: "Update and install in one RUN: `RUN apt-get update && apt-get install -y --no-install-recommends pkg`.",
    refs: "");
rule!(SETUID, "image-no-setuid-setgid", &[(V160, "4.8"), (V131, "4.8")],
    "No setuid/setgid bits added", Medium, Image,
    what: "No RUN sets the setuid or setgid bit (`chmod u+s`, `g+s`, `4755`, ...).",
    why: "A setuid binary runs with its owner's privileges: a local path to root inside the container.",
    evidence: "The chmod command in the RUN instruction.",
    fix: "Do not add setuid/setgid bits; strip existing ones with `find / -perm /6000 -type f -exec chmod a-s {} +`.",
    refs: "");
rule!(COPY_NOT_ADD, "image-copy-not-add", &[(V160, "4.9"), (V131, "4.9")],
    "COPY used instead of ADD", Low, Image,
    what: "ADD is used only to unpack a local archive. ADD of local files is low (use COPY); ADD of a URL without `--checksum` is medium.",
    why: "ADD fetches URLs and unpacks archives implicitly: content from outside the build context lands in the image unverified.",
    evidence: "The ADD instruction and its sources.",
    fix: "Use COPY for local files; for downloads use `ADD --checksum=sha256:...` or `RUN curl` with a checksum check.",
    refs: "");
rule!(NO_SECRETS, "image-no-secrets", &[(V160, "4.10"), (V131, "4.10")],
    "No secrets in Dockerfiles", High, Image,
    what: "No ENV, ARG or RUN carries a credential: a credential-like name with a value, a known token format, or a long random string. An ARG or ENV with a credential name and no value is medium (the value is passed at build time and stays in the image history).",
    why: "Everything in a Dockerfile is in version control, and ENV, ARG and RUN values stay in the image's layers and history for anyone who pulls it.",
    evidence: "The instruction and the variable name; values are masked (first two characters and length).",
    fix: "Use BuildKit secrets: `RUN --mount=type=secret,id=token ...` and `docker build --secret id=token,src=...`; pass runtime secrets at run time.",
    refs: "");
rule!(VERIFIED_PACKAGES, "image-verified-packages", &[(V160, "4.11"), (V131, "4.11")],
    "Only verified packages installed", Medium, Image,
    what: "No RUN turns off signature or TLS verification: `curl -k`, `wget --no-check-certificate`, `apt-get --allow-unauthenticated`, `apk --allow-untrusted`, `--nogpgcheck`, `pip --trusted-host`, `npm config set strict-ssl false`, `GIT_SSL_NO_VERIFY`.",
    why: "Without verification a network attacker or a compromised mirror can replace what is installed.",
    evidence: "The option in the RUN instruction.",
    fix: "Remove the option; import the repository's signing key or CA instead.",
    refs: "");
rule!(BASE_IMAGE_PINNED, "dockerfile-base-image-pinned", &[],
    "Base images pinned by digest", Medium, Image,
    what: "Every FROM names its image by digest (`@sha256:...`). No tag or `latest` is medium; another tag without a digest is low. Stages built FROM an earlier stage and `scratch` pass.",
    why: "A tag is mutable: a rebuild can pull different content than was reviewed, including a compromised upstream image.",
    evidence: "The FROM instruction's image, with ARGs expanded.",
    fix: "Pin by digest: `FROM debian:12-slim@sha256:<digest>` (Renovate or Dependabot keep it current).",
    refs: "Related: CIS Docker 4.2 (trusted base images) and 5.28.");
rule!(CURL_PIPE_SHELL, "dockerfile-curl-pipe-shell", &[],
    "No remote scripts piped into a shell", High, Image,
    what: "No RUN downloads a script and runs it unverified: `curl ... | sh`, `wget -O- ... | bash`, `bash <(curl ...)`, `sh -c \"$(curl ...)\"`.",
    why: "Whoever controls the URL (or the network path to it) runs code in the build with no checksum or signature.",
    evidence: "The pipeline in the RUN instruction.",
    fix: "Download to a file, verify its checksum or signature, then run it.",
    refs: "");
rule!(SUDO, "dockerfile-sudo", &[],
    "sudo not used", Medium, Image,
    what: "No RUN uses sudo, and no image installs it.",
    why: "sudo in an image gives the container user a path to root and unpredictable TTY/signal behaviour; builds already run as root.",
    evidence: "The RUN instruction.",
    fix: "Run the step as root before USER, or use gosu/su-exec to drop privileges at start.",
    refs: "");
rule!(SSHD, "dockerfile-sshd", &[],
    "No SSH server in images", Medium, Image,
    what: "The image does not install or start an SSH server, and does not EXPOSE 22.",
    why: "sshd in a container is one more remote entry point with its own credentials; `docker exec` and `kubectl exec` do the job.",
    evidence: "The EXPOSE, RUN, CMD or ENTRYPOINT instruction.",
    fix: "Remove openssh-server and EXPOSE 22; use `docker exec` for access.",
    refs: "Related: CIS Docker 5.7 (container-no-sshd).");
rule!(COMPOSE_LITERAL_SECRET, "compose-env-literal-secret", &[],
    "No literal secrets in compose files", High, Container,
    what: "No service `environment` entry holds a literal credential (a credential-like name with a value, a known token format, or a long random string).",
    why: "A secret written in a compose file is in version control and in `docker inspect` of the container.",
    evidence: "The environment entry; values are masked.",
    fix: "Use compose `secrets:` (mounted as files) or an env_file kept out of version control.",
    refs: "Related: CIS Docker 4.10.");
rule!(DUPLICATE_KEY, "yaml-duplicate-key", &[],
    "No duplicate YAML keys", Medium, KubeWorkload,
    what: "No mapping in a YAML file repeats a key.",
    why: "With a repeated key the last one silently wins in most tools: `privileged: false` above can hide `privileged: true` below from a reviewer.",
    evidence: "Both positions of the key.",
    fix: "Remove one of the two keys.",
    refs: "");
rule!(SUPPRESSION_WITHOUT_REASON, "suppression-without-reason", &[],
    "Suppressions say why", Low, Image,
    what: "Every `# threatbench:ignore SLUG -- reason` comment gives a reason after `--`.",
    why: "A suppression without a reason cannot be reviewed later: nobody knows whether the risk was accepted or just silenced.",
    evidence: "The suppression comment.",
    fix: "Add ` -- <why this is acceptable here>` to the comment.",
    refs: "");
rule!(SUPPRESSION_UNKNOWN_RULE, "suppression-unknown-rule", &[],
    "Suppressions name existing rules", Low, Image,
    what: "Every slug in a `# threatbench:ignore` comment is a known rule.",
    why: "A misspelt slug suppresses nothing while looking as if it did.",
    evidence: "The suppression comment.",
    fix: "Use a slug from `threatbench lint --list-rules`.",
    refs: "");

/// Rules defined here (CIS Docker section 4 items are shared with the image checks by slug).
pub const RULES: &[Rule] = &[
    USER_NOT_ROOT,
    HEALTHCHECK,
    STANDALONE_UPDATE,
    SETUID,
    COPY_NOT_ADD,
    NO_SECRETS,
    VERIFIED_PACKAGES,
    BASE_IMAGE_PINNED,
    CURL_PIPE_SHELL,
    SUDO,
    SSHD,
    COMPOSE_LITERAL_SECRET,
    DUPLICATE_KEY,
    SUPPRESSION_WITHOUT_REASON,
    SUPPRESSION_UNKNOWN_RULE,
];

/// Live checks whose slugs the compose rules report under.
pub const SHARED_CHECK_SLUGS: &[&str] = compose::SLUGS;
