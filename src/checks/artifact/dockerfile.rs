//! Dockerfile rules: CIS Docker Benchmark section 4 (container images and build file) and
//! threatbench's own `dockerfile-*` rules, over a parsed [`Dockerfile`].
//!
//! The parsed file is the artifact's facts; it comes from the parser in
//! [`crate::collect::dockerfile`], which has no I/O. Findings point at instructions with
//! pointers of the form `/instructions/I` (the keyword), `/instructions/I/offset/K` (byte `K`
//! of the instruction's logical line, for the exact word) and `/instructions/I/heredocs/H/line/N`
//! (line `N` of a heredoc body); [`locate`] turns them into positions.
//!
//! Shell commands are read with a small splitter ([`commands`]) that knows quotes and the
//! operators `&& || ; | &` and newlines, enough to find a command and its options; it is not a
//! shell parser, and rules err towards naming a command only when it is the command word.

use crate::checks::Severity;
use crate::checks::evaluators::image_ref::{Pinning, pinning};
use crate::checks::rule::{Finding, Rule};
use crate::checks::secrets;
use crate::collect::dockerfile::{Dockerfile, Instruction, expand_partial};
use crate::collect::yaml::Pos;

use super::{
    BASE_IMAGE_PINNED, COPY_NOT_ADD, CURL_PIPE_SHELL, HEALTHCHECK, NO_SECRETS, SETUID, SSHD,
    STANDALONE_UPDATE, SUDO, USER_NOT_ROOT, VERIFIED_PACKAGES,
};

/// Evaluate every Dockerfile rule.
pub fn evaluate(df: &Dockerfile) -> Vec<Finding> {
    let mut out = Vec::new();
    if df.stages.is_empty() {
        return out;
    }
    final_stage_user(df, &mut out);
    final_stage_healthcheck(df, &mut out);
    base_images(df, &mut out);
    for (i, ins) in df.instructions.iter().enumerate() {
        let at = Site { i, ins };
        match ins.keyword.as_str() {
            "RUN" => run(&at, &mut out),
            "ADD" => add(&at, &mut out),
            "ENV" | "ARG" => variables(&at, &mut out),
            "EXPOSE" => expose(&at, &mut out),
            "CMD" | "ENTRYPOINT"
                if ins
                    .words()
                    .iter()
                    .any(|w| w.rsplit('/').next() == Some("sshd")) =>
            {
                out.push(Finding::of(
                    &SSHD,
                    at.ptr(),
                    format!("{} starts sshd", ins.keyword),
                ));
            }
            _ => {}
        }
    }
    out
}

/// The position a finding's pointer names.
pub fn locate(df: &Dockerfile, pointer: &str) -> Pos {
    let parts: Vec<&str> = pointer.split('/').skip(1).collect();
    let index = |k: usize| parts.get(k).and_then(|p| p.parse::<usize>().ok());
    if parts.first() == Some(&"line") {
        return Pos::new(index(1).unwrap_or(1), 1);
    }
    let Some(ins) = index(1).and_then(|i| df.instructions.get(i)) else {
        return Pos::new(1, 1);
    };
    match (parts.get(2).copied(), index(3)) {
        (Some("offset"), Some(k)) => {
            let (l, c) = ins.position(k);
            Pos::new(l, c)
        }
        (Some("heredocs"), Some(h)) => match ins.heredocs.get(h) {
            Some(doc) => Pos::new(doc.line + index(5).unwrap_or(0), 1),
            None => Pos::new(ins.line, ins.column),
        },
        (Some("flags"), Some(f)) => match ins.flags.get(f) {
            Some(flag) => Pos::new(flag.line, flag.column),
            None => Pos::new(ins.line, ins.column),
        },
        (Some("args"), _) => {
            let (l, c) = ins.args_position();
            Pos::new(l, c)
        }
        _ => Pos::new(ins.line, ins.column),
    }
}

/// One instruction with its index, for building pointers.
struct Site<'a> {
    i: usize,
    ins: &'a Instruction,
}

impl Site<'_> {
    fn ptr(&self) -> String {
        format!("/instructions/{}", self.i)
    }

    fn args_ptr(&self) -> String {
        format!("/instructions/{}/args", self.i)
    }

    /// The pointer of the first place `needle` appears: in the logical line, else in a heredoc
    /// body, else the instruction.
    fn ptr_of(&self, needle: &str) -> String {
        if let Some(k) =
            self.ins.logical[self.ins.args_offset.min(self.ins.logical.len())..].find(needle)
        {
            return format!(
                "/instructions/{}/offset/{}",
                self.i,
                self.ins.args_offset + k
            );
        }
        for (h, doc) in self.ins.heredocs.iter().enumerate() {
            if let Some(n) = doc.content.lines().position(|l| l.contains(needle)) {
                return format!("/instructions/{}/heredocs/{h}/line/{n}", self.i);
            }
        }
        self.ptr()
    }

    /// The command text of a RUN: the shell text (or exec words) and heredoc bodies.
    fn script(&self) -> String {
        let mut text = self.ins.shell_text();
        for doc in &self.ins.heredocs {
            text.push('\n');
            text.push_str(&doc.content);
        }
        text
    }
}

/// The stages the final stage builds on, final first (`FROM builder AS final` → final, builder).
fn final_chain(df: &Dockerfile) -> Vec<usize> {
    let mut chain = Vec::new();
    let mut current = df.stages.len().checked_sub(1);
    while let Some(s) = current {
        if chain.contains(&s) {
            break;
        }
        chain.push(s);
        current = df.stages[s].from_stage;
    }
    chain
}

/// The last instruction with `keyword` in the final stage or the stages it builds on.
fn last_in_chain<'a>(df: &'a Dockerfile, keyword: &str) -> Option<(usize, usize, &'a Instruction)> {
    for s in final_chain(df) {
        let range = df.stages[s].instructions.clone();
        if let Some(i) = range.rev().find(|i| df.instructions[*i].keyword == keyword) {
            return Some((s, i, &df.instructions[i]));
        }
    }
    None
}

fn final_from(df: &Dockerfile) -> String {
    let last = df.stages.len() - 1;
    format!("/instructions/{}", df.stages[last].instructions.start)
}

fn final_stage_user(df: &Dockerfile, out: &mut Vec<Finding>) {
    let Some((stage, i, ins)) = last_in_chain(df, "USER") else {
        out.push(
            Finding::of(
                &USER_NOT_ROOT,
                final_from(df),
                "the final stage sets no USER: it runs as the base image's user, root for most images",
            )
            .with_fix("Add `USER <non-root uid>` to the final stage (after creating the user)."),
        );
        return;
    };
    let written = ins.shell_text();
    let word = ins.words().into_iter().next().unwrap_or_default();
    let resolved = df.resolve_in_stage(stage, i, word.trim());
    let user = resolved.split(':').next().unwrap_or("").trim();
    let at = format!("/instructions/{i}");
    if user.is_empty() {
        out.push(
            Finding::of(
                &USER_NOT_ROOT,
                at,
                format!("USER {written} resolves to an empty user unless a build argument sets it"),
            )
            .with_severity(Severity::Medium),
        );
    } else if user == "root" || user.chars().all(|c| c.is_ascii_digit()) && user.parse() == Ok(0u64)
    {
        let shown = if resolved == written.trim() {
            format!("USER {written}")
        } else {
            format!("USER {written} (= {resolved})")
        };
        out.push(Finding::of(
            &USER_NOT_ROOT,
            at,
            format!("the final stage runs as root: {shown}"),
        ));
    }
}

fn final_stage_healthcheck(df: &Dockerfile, out: &mut Vec<Finding>) {
    match last_in_chain(df, "HEALTHCHECK") {
        None => out.push(Finding::of(
            &HEALTHCHECK,
            final_from(df),
            "the final stage has no HEALTHCHECK",
        )),
        Some((_, i, ins)) if ins.sub.is_none() => out.push(Finding::of(
            &HEALTHCHECK,
            format!("/instructions/{i}"),
            "HEALTHCHECK NONE disables the base image's health check",
        )),
        Some(_) => {}
    }
}

fn base_images(df: &Dockerfile, out: &mut Vec<Finding>) {
    let global = df.global_scope();
    for stage in &df.stages {
        if stage.from_stage.is_some() {
            continue;
        }
        let resolved = expand_partial(&stage.base, df.escape, &|n: &str| global.get(n));
        if resolved.eq_ignore_ascii_case("scratch") {
            continue;
        }
        let shown = if resolved == stage.base {
            format!("{:?}", stage.base)
        } else {
            format!("{:?} (= {resolved:?})", stage.base)
        };
        let at = format!("/instructions/{}/args", stage.instructions.start);
        match pinning(&resolved) {
            Pinning::Digest | Pinning::Variable => {}
            Pinning::Latest => out.push(Finding::of(
                &BASE_IMAGE_PINNED,
                at,
                format!("base image {shown} uses the latest tag"),
            )),
            Pinning::NoTag => out.push(Finding::of(
                &BASE_IMAGE_PINNED,
                at,
                format!("base image {shown} has no tag (latest)"),
            )),
            Pinning::Tag(tag) => out.push(
                Finding::of(
                    &BASE_IMAGE_PINNED,
                    at,
                    format!("base image {shown} is pinned by tag {tag:?}, not by digest"),
                )
                .with_severity(Severity::Low),
            ),
        }
    }
}

/// Simple commands of a shell script: words split at unquoted whitespace, commands split at
/// `&& || ; | &`, newlines and parentheses. Quotes are removed from words.
pub fn commands(script: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut cmd: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = script.chars().peekable();
    let end_word = |word: &mut String, in_word: &mut bool, cmd: &mut Vec<String>| {
        if *in_word {
            cmd.push(std::mem::take(word));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                    word.push(d);
                }
            }
            '"' => {
                in_word = true;
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' => {
                            if let Some(e) = chars.next() {
                                word.push(e);
                            }
                        }
                        _ => word.push(d),
                    }
                }
            }
            '\\' => {
                // A line continuation or an escaped character.
                match chars.next() {
                    Some('\n') | None => {}
                    Some(e) => {
                        in_word = true;
                        word.push(e);
                    }
                }
            }
            '#' if !in_word => {
                // A comment runs to the end of the line.
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
                end_word(&mut word, &mut in_word, &mut cmd);
                if !cmd.is_empty() {
                    out.push(std::mem::take(&mut cmd));
                }
            }
            ';' | '&' | '|' | '\n' | '(' | ')' | '`' => {
                end_word(&mut word, &mut in_word, &mut cmd);
                if !cmd.is_empty() {
                    out.push(std::mem::take(&mut cmd));
                }
            }
            c if c.is_whitespace() => end_word(&mut word, &mut in_word, &mut cmd),
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    end_word(&mut word, &mut in_word, &mut cmd);
    if !cmd.is_empty() {
        out.push(cmd);
    }
    out
}

/// The command word and its arguments, past variable assignments and wrappers (`sudo`, `env`,
/// `exec`, ...). The bool says whether sudo was among the wrappers.
fn command_word(words: &[String]) -> (Option<&str>, &[String], bool) {
    let mut i = 0;
    let mut sudo = false;
    while i < words.len() {
        let w = words[i].as_str();
        if w.contains('=') && !w.starts_with('-') && !w.starts_with('=') {
            i += 1;
            continue;
        }
        match w.rsplit('/').next().unwrap_or(w) {
            "sudo" | "doas" => {
                sudo = true;
                i += 1;
                // sudo's own options (`-E`, `-u user`).
                while i < words.len() && words[i].starts_with('-') {
                    if matches!(words[i].as_str(), "-u" | "-g" | "--user" | "--group") {
                        i += 1;
                    }
                    i += 1;
                }
            }
            "env" | "exec" | "nice" | "nohup" | "time" | "command" | "builtin" => i += 1,
            "xargs" => {
                i += 1;
                while i < words.len() && words[i].starts_with('-') {
                    // Options that take a separate value.
                    if matches!(
                        words[i].as_str(),
                        "-n" | "-I" | "-P" | "-L" | "-d" | "-s" | "-a" | "-E"
                    ) {
                        i += 1;
                    }
                    i += 1;
                }
            }
            _ => break,
        }
    }
    match words.get(i) {
        Some(w) => (
            Some(w.rsplit('/').next().unwrap_or(w)),
            &words[i + 1..],
            sudo,
        ),
        None => (None, &[], sudo),
    }
}

/// A package manager's install, with the packages named.
fn installs(cmd: &str, args: &[String]) -> Option<Vec<String>> {
    let sub = args.iter().find(|a| !a.starts_with('-'))?;
    let install = match cmd {
        "apt-get" | "apt" | "aptitude" => sub == "install",
        "apk" => sub == "add",
        "yum" | "dnf" | "microdnf" | "tdnf" => sub == "install",
        "zypper" => sub == "install" || sub == "in",
        _ => false,
    };
    install.then(|| {
        args.iter()
            .skip_while(|a| *a != sub)
            .skip(1)
            .filter(|a| !a.starts_with('-'))
            .cloned()
            .collect()
    })
}

fn updates_index(cmd: &str, args: &[String]) -> bool {
    let sub = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .map(String::as_str);
    matches!(
        (cmd, sub),
        ("apt-get" | "apt" | "aptitude", Some("update"))
            | ("apk", Some("update"))
            | ("yum" | "dnf" | "microdnf", Some("makecache"))
            | ("zypper", Some("refresh" | "ref"))
    )
}

/// Package operations that use the index in the same RUN (so an update with them is fine).
fn uses_index(cmd: &str, args: &[String]) -> bool {
    let sub = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .map(String::as_str);
    installs(cmd, args).is_some()
        || matches!(
            (cmd, sub),
            (
                "apt-get" | "apt",
                Some("upgrade" | "dist-upgrade" | "full-upgrade" | "build-dep" | "source")
            ) | ("apk", Some("upgrade"))
                | ("yum" | "dnf", Some("upgrade" | "update"))
                | ("zypper", Some("update" | "up" | "dist-upgrade" | "dup"))
        )
}

const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "ash",
    "dash",
    "ksh",
    "python",
    "python3",
    "perl",
    "ruby",
    "node",
    "pwsh",
    "powershell",
    "iex",
];

fn run(at: &Site, out: &mut Vec<Finding>) {
    let script = at.script();
    let cmds = commands(&script);
    let mut update: Option<String> = None;
    let mut installs_something = false;
    let mut sudo_reported = false;
    let mut sshd_reported = false;
    for words in &cmds {
        let (cmd, args, sudo) = command_word(words);
        if sudo && !sudo_reported {
            sudo_reported = true;
            out.push(Finding::of(&SUDO, at.ptr_of("sudo"), "RUN uses sudo"));
        }
        let Some(cmd) = cmd else { continue };
        if updates_index(cmd, args) {
            update.get_or_insert(format!("{cmd} {}", args.join(" ")));
        }
        if uses_index(cmd, args) {
            installs_something = true;
        }
        if let Some(pkgs) = installs(cmd, args) {
            if pkgs.iter().any(|p| p == "sudo") && !sudo_reported {
                sudo_reported = true;
                out.push(Finding::of(&SUDO, at.ptr_of("sudo"), "RUN installs sudo"));
            }
            let ssh_server = pkgs.iter().find(|p| {
                p.as_str() == "openssh-server" || (cmd == "apk" && p.as_str() == "openssh")
            });
            if let Some(p) = ssh_server
                && !sshd_reported
            {
                sshd_reported = true;
                out.push(Finding::of(
                    &SSHD,
                    at.ptr_of(p),
                    format!("RUN installs an SSH server ({p})"),
                ));
            }
        }
        setuid(at, cmd, args, out);
        verification(at, cmd, args, out);
    }
    if let Some(u) = update
        && !installs_something
    {
        out.push(Finding::of(
            &STANDALONE_UPDATE,
            at.ptr_of(u.split_whitespace().next().unwrap_or("")),
            format!("`{}` without an install in the same RUN", u.trim()),
        ));
    }
    pipe_to_shell(at, &script, out);
    for s in secrets::scan_text(&script) {
        let needle = s.masked.chars().take(2).collect::<String>();
        let at_ptr = match &s.name {
            Some(n) => at.ptr_of(n),
            None => at.ptr_of(&needle),
        };
        out.push(Finding::of(
            &NO_SECRETS,
            at_ptr,
            format!("RUN contains {s}"),
        ));
    }
}

fn setuid(at: &Site, cmd: &str, args: &[String], out: &mut Vec<Finding>) {
    if cmd != "chmod" {
        return;
    }
    let Some(mode) = args
        .iter()
        .find(|a| !a.starts_with('-') || is_symbolic_mode(a))
    else {
        return;
    };
    let numeric_special = mode.len() == 4
        && mode.chars().all(|c| c.is_ascii_digit() && c < '8')
        && mode
            .chars()
            .next()
            .and_then(|c| c.to_digit(8))
            .is_some_and(|d| d & 0b110 != 0);
    let symbolic_special = is_symbolic_mode(mode)
        && mode.split(',').any(|clause| {
            clause
                .split_once(['+', '='])
                .is_some_and(|(_, perms)| perms.contains('s'))
        });
    if numeric_special || symbolic_special {
        out.push(Finding::of(
            &SETUID,
            at.ptr_of(mode),
            format!("chmod {mode} sets the setuid/setgid bit"),
        ));
    }
}

fn is_symbolic_mode(s: &str) -> bool {
    !s.is_empty()
        && s.contains(['+', '-', '='])
        && s.chars()
            .all(|c| "ugoarwxXstST+-=,".contains(c) || c.is_ascii_digit())
        && !s.starts_with("--")
}

fn verification(at: &Site, cmd: &str, args: &[String], out: &mut Vec<Finding>) {
    let has = |opt: &str| {
        args.iter()
            .any(|a| a == opt || a.starts_with(&format!("{opt}=")))
    };
    let short_flag = |letter: char| {
        args.iter().any(|a| {
            a.starts_with('-') && !a.starts_with("--") && a.len() > 1 && a[1..].contains(letter)
        })
    };
    let hit = match cmd {
        "curl" if has("--insecure") || short_flag('k') => Some("curl -k (TLS verification off)"),
        "wget" if has("--no-check-certificate") => Some("wget --no-check-certificate"),
        "apt-get" | "apt" if has("--allow-unauthenticated") => Some("apt --allow-unauthenticated"),
        "apt-get" | "apt" if has("--allow-insecure-repositories") => {
            Some("apt --allow-insecure-repositories")
        }
        "apt-get" | "apt" if has("--force-yes") => Some("apt --force-yes"),
        "apk" if has("--allow-untrusted") => Some("apk --allow-untrusted"),
        "yum" | "dnf" | "microdnf" | "tdnf" | "zypper"
            if has("--nogpgcheck") || has("--no-gpg-checks") =>
        {
            Some("package signature check disabled (--nogpgcheck)")
        }
        "rpm" if has("--nosignature") || has("--nodigest") => Some("rpm --nosignature"),
        "pip" | "pip3" if has("--trusted-host") => Some("pip --trusted-host"),
        "npm" | "yarn"
            if args
                .windows(2)
                .any(|w| w[0] == "strict-ssl" && w[1] == "false") =>
        {
            Some("npm strict-ssl false")
        }
        "git"
            if args
                .iter()
                .any(|a| a.eq_ignore_ascii_case("http.sslVerify=false"))
                || args
                    .windows(2)
                    .any(|w| w[0].eq_ignore_ascii_case("http.sslVerify") && w[1] == "false") =>
        {
            Some("git http.sslVerify false")
        }
        _ => None,
    };
    if let Some(what) = hit {
        out.push(Finding::of(
            &VERIFIED_PACKAGES,
            at.ptr_of(cmd),
            format!("RUN turns verification off: {what}"),
        ));
    }
}

/// `curl ... | sh`, `bash <(curl ...)`, `sh -c "$(wget -qO- ...)"`.
fn pipe_to_shell(at: &Site, script: &str, out: &mut Vec<Finding>) {
    let fetches = |seg: &str| {
        commands(seg).iter().any(|w| {
            matches!(
                command_word(w).0,
                Some("curl" | "wget" | "fetch" | "iwr" | "Invoke-WebRequest")
            )
        })
    };
    let is_shell = |seg: &str| {
        commands(seg)
            .first()
            .and_then(|w| command_word(w).0.map(str::to_string))
            .is_some_and(|c| SHELLS.contains(&c.as_str()))
    };
    for line in script.split(['\n', ';']).flat_map(|l| l.split("&&")) {
        let segments: Vec<&str> = split_pipes(line);
        for pair in segments.windows(2) {
            if fetches(pair[0]) && is_shell(pair[1]) {
                out.push(Finding::of(
                    &CURL_PIPE_SHELL,
                    at.ptr_of(pair[0].trim()),
                    format!(
                        "a download is piped into a shell: `{} | {}`",
                        pair[0].trim(),
                        pair[1].trim()
                    ),
                ));
                return;
            }
        }
        for marker in ["<(curl", "<(wget", "$(curl", "$(wget", "`curl", "`wget"] {
            if let Some(k) = line.find(marker) {
                let before = &line[..k];
                let shell_before = before
                    .split_whitespace()
                    .any(|w| SHELLS.contains(&w.rsplit('/').next().unwrap_or(w)));
                if shell_before {
                    out.push(Finding::of(
                        &CURL_PIPE_SHELL,
                        at.ptr_of(&marker[1..]),
                        format!("a downloaded script is run by a shell: `{}`", line.trim()),
                    ));
                    return;
                }
            }
        }
    }
}

/// Split at `|` but not `||`, ignoring quoted text.
fn split_pipes(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let mut start = 0;
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None if b == b'|' => {
                if bytes.get(i + 1) == Some(&b'|') {
                    i += 2;
                    continue;
                }
                out.push(&line[start..i]);
                start = i + 1;
            }
            None => {}
        }
        i += 1;
    }
    out.push(&line[start..]);
    out
}

const ARCHIVE_SUFFIXES: &[&str] = &[
    ".tar",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz2",
    ".tbz",
    ".tar.xz",
    ".txz",
    ".tar.zst",
    ".tar.lz",
    ".tar.lzma",
    ".tar.z",
];

fn add(at: &Site, out: &mut Vec<Finding>) {
    let words = at.ins.words();
    let has_checksum = at.ins.flag("checksum").is_some();
    if !at.ins.heredocs.is_empty() {
        out.push(Finding::of(
            &COPY_NOT_ADD,
            at.ptr(),
            "ADD of a heredoc: COPY does the same without ADD's URL and archive behaviour",
        ));
        return;
    }
    if words.len() < 2 {
        return;
    }
    let sources = &words[..words.len() - 1];
    for src in sources {
        let lower = src.to_ascii_lowercase();
        let remote = lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("git@")
            || lower.starts_with("git://")
            || lower.ends_with(".git");
        if remote {
            if !has_checksum {
                out.push(
                    Finding::of(
                        &COPY_NOT_ADD,
                        at.ptr_of(src),
                        format!("ADD downloads {src} without --checksum: its content is not verified"),
                    )
                    .with_severity(Severity::Medium)
                    .with_fix("`ADD --checksum=sha256:<digest> <url> <dest>`, or download in RUN and verify."),
                );
            }
        } else if !ARCHIVE_SUFFIXES.iter().any(|s| lower.ends_with(s)) {
            out.push(
                Finding::of(
                    &COPY_NOT_ADD,
                    at.ptr_of(src),
                    format!("ADD of local {src}: use COPY"),
                )
                .with_fix(format!("COPY {}", at.ins.shell_text())),
            );
        }
    }
}

fn variables(at: &Site, out: &mut Vec<Finding>) {
    let kw = at.ins.keyword.as_str();
    for kv in at.ins.key_values() {
        let name = kv.key.trim();
        match kv.value.as_deref() {
            Some(value) => {
                if let Some(s) = secrets::check_assignment(name, value) {
                    out.push(Finding::of(
                        &NO_SECRETS,
                        at.ptr_of(name),
                        format!("{kw} {s}"),
                    ));
                } else if kw == "ENV"
                    && secrets::is_credential_name(name)
                    && value.trim().starts_with('$')
                {
                    out.push(
                        Finding::of(
                            &NO_SECRETS,
                            at.ptr_of(name),
                            format!("ENV {name}={value} copies a build argument into the image's environment"),
                        )
                        .with_severity(Severity::Medium),
                    );
                }
            }
            None if kw == "ARG" && secrets::is_credential_name(name) => out.push(
                Finding::of(
                    &NO_SECRETS,
                    at.ptr_of(name),
                    format!("ARG {name} passes a credential as a build argument: it stays in the image history"),
                )
                .with_severity(Severity::Medium),
            ),
            None => {}
        }
    }
}

fn expose(at: &Site, out: &mut Vec<Finding>) {
    for w in at.ins.words() {
        let port = w.split('/').next().unwrap_or("");
        if port == "22" {
            out.push(Finding::of(
                &SSHD,
                at.args_ptr(),
                format!("EXPOSE {w}: the SSH port"),
            ));
        }
    }
}

/// Rules this module reports, for tests and documentation.
pub const RULES: &[&Rule] = &[
    &USER_NOT_ROOT,
    &HEALTHCHECK,
    &STANDALONE_UPDATE,
    &SETUID,
    &COPY_NOT_ADD,
    &NO_SECRETS,
    &VERIFIED_PACKAGES,
    &BASE_IMAGE_PINNED,
    &CURL_PIPE_SHELL,
    &SUDO,
    &SSHD,
];

#[cfg(test)]
mod tests;
