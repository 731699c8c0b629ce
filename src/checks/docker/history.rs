//! Reading `docker history` lines (`CreatedBy`) back into Dockerfile steps, and the shell
//! commands inside `RUN` steps. Both builders' forms are understood:
//!
//! | builder | `CreatedBy` |
//! |---|---|
//! | legacy, non-RUN | `/bin/sh -c #(nop)  ENV A=b`, `/bin/sh -c #(nop) ADD file:<sha> in /x` |
//! | legacy, RUN | `/bin/sh -c apt-get update`, `\|1 TOKEN=x /bin/sh -c make` (build args) |
//! | BuildKit | `RUN /bin/sh -c make # buildkit`, `ADD app.tar.gz /opt # buildkit`, `ENV A=b` |
//!
//! `docker import` and `docker commit` layers carry an empty or free-form `CreatedBy`: those are
//! [`Step::Unknown`] or a bare command.

/// One history entry as a build step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Upper-case instruction (`RUN`, `ADD`, `ENV`, ...), or empty when unknown.
    pub instruction: String,
    /// Everything after the instruction (for RUN: the shell command, without `/bin/sh -c`).
    pub args: String,
    /// Build arguments recorded with a RUN step (`|1 TOKEN=x ...`), as `NAME=VALUE`.
    pub build_args: Vec<String>,
    /// Written by BuildKit (its ADD/COPY keep the source names).
    pub buildkit: bool,
}

const INSTRUCTIONS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

const SHELL_PREFIXES: &[&str] = &["/bin/sh -c ", "/bin/bash -c ", "cmd /S /C ", "sh -c "];

/// Parse one `CreatedBy` value.
pub fn parse(created_by: &str) -> Step {
    let mut text = created_by.trim();
    let buildkit = text.ends_with("# buildkit");
    if buildkit {
        text = text.trim_end_matches("# buildkit").trim_end();
    }
    let mut step = Step {
        instruction: String::new(),
        args: String::new(),
        build_args: Vec::new(),
        buildkit,
    };
    if text.is_empty() {
        return step;
    }
    // Legacy non-RUN instructions.
    for prefix in SHELL_PREFIXES {
        if let Some(rest) = text.strip_prefix(prefix)
            && let Some(nop) = rest.trim_start().strip_prefix("#(nop)")
        {
            let (instruction, args) = split_instruction(nop.trim());
            step.instruction = instruction;
            step.args = args;
            return step;
        }
    }
    // BuildKit: the instruction comes first.
    let (first, rest) = split_word(text);
    if INSTRUCTIONS.contains(&first) {
        step.instruction = first.to_string();
        if first == "RUN" {
            let (build_args, command) = split_build_args(rest);
            step.build_args = build_args;
            step.args = strip_shell(command).to_string();
        } else {
            step.args = rest.to_string();
        }
        return step;
    }
    // Legacy RUN, with or without recorded build args; or a `docker commit` command.
    let (build_args, command) = split_build_args(text);
    step.instruction = "RUN".into();
    step.build_args = build_args;
    step.args = strip_shell(command).to_string();
    step
}

fn split_word(text: &str) -> (&str, &str) {
    match text.split_once(char::is_whitespace) {
        Some((a, b)) => (a, b.trim_start()),
        None => (text, ""),
    }
}

fn split_instruction(text: &str) -> (String, String) {
    let (first, rest) = split_word(text);
    (first.to_ascii_uppercase(), rest.trim_end().to_string())
}

/// `|2 A=1 B=2 /bin/sh -c cmd` → (["A=1", "B=2"], "/bin/sh -c cmd").
fn split_build_args(text: &str) -> (Vec<String>, &str) {
    let Some(count) = text
        .strip_prefix('|')
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse::<usize>().ok())
    else {
        return (Vec::new(), text);
    };
    let mut rest = split_word(text).1;
    let mut args = Vec::new();
    for _ in 0..count {
        let (word, after) = split_word(rest);
        if word.is_empty() {
            break;
        }
        args.push(word.to_string());
        rest = after;
    }
    (args, rest)
}

fn strip_shell(command: &str) -> &str {
    SHELL_PREFIXES
        .iter()
        .find_map(|p| command.strip_prefix(p))
        .unwrap_or(command)
        .trim()
}

/// The simple commands of a shell line, each as its words: split on `&&`, `||`, `;`, `|` and
/// new lines; leading `VAR=value` assignments and `sudo`/`env` are dropped. Quoting is not
/// interpreted: this is for recognising package-manager calls, not for running anything.
pub fn simple_commands(shell: &str) -> Vec<Vec<&str>> {
    shell
        .split(['\n', ';', '|', '&'])
        .map(|part| {
            let words: Vec<&str> = part
                .split_whitespace()
                .map(|w| w.trim_matches(['(', ')', '{', '}', '\\']))
                .filter(|w| !w.is_empty())
                .collect();
            let start = words
                .iter()
                .position(|w| {
                    let assignment = w.contains('=') && !w.starts_with('-');
                    !assignment && !matches!(*w, "sudo" | "env" | "exec")
                })
                .unwrap_or(words.len());
            words[start..].to_vec()
        })
        .filter(|words| !words.is_empty())
        .collect()
}

/// What a package-manager call does to the package index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageAction {
    /// Refreshes the index or upgrades what is installed (`apt-get update`, `yum update`).
    Update,
    /// Installs named packages (`apt-get install`, `apk add`).
    Install,
}

/// The package-manager action of one simple command, if it is one.
pub fn package_action(words: &[&str]) -> Option<PackageAction> {
    let tool = words.first()?.rsplit('/').next()?;
    let rest = &words[1..];
    let sub = rest.iter().find(|w| !w.starts_with('-')).copied();
    match tool {
        "apt-get" | "apt" | "aptitude" => match sub? {
            "update" | "upgrade" | "dist-upgrade" | "full-upgrade" => Some(PackageAction::Update),
            "install" => Some(PackageAction::Install),
            _ => None,
        },
        "apk" => match sub? {
            "update" | "upgrade" => Some(PackageAction::Update),
            "add" => Some(PackageAction::Install),
            _ => None,
        },
        "yum" | "dnf" | "microdnf" | "tdnf" => match sub? {
            "update" | "upgrade" | "makecache" | "check-update" | "distro-sync" => {
                Some(PackageAction::Update)
            }
            "install" | "reinstall" => Some(PackageAction::Install),
            _ => None,
        },
        "zypper" => match sub? {
            "refresh" | "ref" | "update" | "up" | "dist-upgrade" | "dup" => {
                Some(PackageAction::Update)
            }
            "install" | "in" => Some(PackageAction::Install),
            _ => None,
        },
        "pacman" => {
            let flags = rest.iter().find(|w| w.starts_with("-S"))?;
            if sub.is_some() {
                Some(PackageAction::Install)
            } else if flags.contains('y') || flags.contains('u') {
                Some(PackageAction::Update)
            } else {
                None
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_non_run_steps() {
        // From `docker history --no-trunc` of an image built by dockerd 20.10's legacy builder.
        let s = parse("/bin/sh -c #(nop)  ENV PASSWORD=s3cretvalue");
        assert_eq!(
            (s.instruction.as_str(), s.args.as_str()),
            ("ENV", "PASSWORD=s3cretvalue")
        );
        let s = parse("/bin/sh -c #(nop) ADD file:ea6123 in /x/ ");
        assert_eq!(
            (s.instruction.as_str(), s.args.as_str()),
            ("ADD", "file:ea6123 in /x/")
        );
        assert!(!s.buildkit);
    }

    #[test]
    fn legacy_run_steps_with_build_args() {
        let s = parse("|1 TOKEN=ghp_x /bin/sh -c echo update");
        assert_eq!(s.instruction, "RUN");
        assert_eq!(s.build_args, vec!["TOKEN=ghp_x".to_string()]);
        assert_eq!(s.args, "echo update");
        let s = parse("/bin/sh -c apt-get update");
        assert_eq!(
            (s.instruction.as_str(), s.args.as_str()),
            ("RUN", "apt-get update")
        );
    }

    #[test]
    fn buildkit_steps() {
        let s = parse("RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit");
        assert_eq!(s.instruction, "RUN");
        assert_eq!(s.args, "apt-get update && apt-get install -y curl");
        assert!(s.buildkit);
        let s = parse("RUN |2 A=1 B=2 /bin/sh -c make # buildkit");
        assert_eq!(s.build_args, vec!["A=1".to_string(), "B=2".to_string()]);
        assert_eq!(s.args, "make");
        let s = parse("ADD alpine-minirootfs-3.20.3-x86_64.tar.gz / # buildkit");
        assert_eq!(
            (s.instruction.as_str(), s.args.as_str()),
            ("ADD", "alpine-minirootfs-3.20.3-x86_64.tar.gz /")
        );
        let s = parse("CMD [\"/bin/sh\"]");
        assert_eq!(s.instruction, "CMD");
    }

    #[test]
    fn imported_layers_are_unknown() {
        assert_eq!(parse("").instruction, "");
    }

    #[test]
    fn package_actions() {
        let actions = |line: &str| -> Vec<Option<PackageAction>> {
            simple_commands(line)
                .iter()
                .map(|w| package_action(w))
                .collect()
        };
        use PackageAction::*;
        assert_eq!(
            actions("apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y curl"),
            vec![Some(Update), Some(Install)]
        );
        assert_eq!(actions("apk --update add curl"), vec![Some(Install)]);
        assert_eq!(actions("apk add --no-cache curl"), vec![Some(Install)]);
        assert_eq!(actions("sudo yum -y update"), vec![Some(Update)]);
        assert_eq!(actions("pacman -Syu --noconfirm"), vec![Some(Update)]);
        assert_eq!(actions("pacman -S --noconfirm git"), vec![Some(Install)]);
        assert_eq!(
            actions("set -eux; /usr/bin/apt update"),
            vec![None, Some(Update)]
        );
        assert_eq!(actions("echo update"), vec![None]);
    }
}
