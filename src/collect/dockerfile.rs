//! A tolerant, dependency-free Dockerfile parser that follows BuildKit's rules.
//!
//! [`parse`] turns Dockerfile source into a [`Dockerfile`]: parser directives,
//! instructions (with flags, shell/exec-form arguments, heredocs and exact
//! source positions), build stages and comments. The parser mirrors the
//! behaviour of BuildKit's `frontend/dockerfile/parser` package, including the
//! corners that other linters get wrong:
//!
//! * line continuations with the escape character (`\`, or a backtick after
//!   the directive ``# escape=` ``), where comment lines and blank lines inside
//!   a continuation are skipped instead of ending the instruction;
//! * heredocs (`<<EOF`, `<<-EOF`, `<<"EOF"`, several per instruction) on
//!   `RUN`, `COPY` and `ADD` (also behind `ONBUILD`), whose bodies are never
//!   mistaken for instructions or comments;
//! * exec form (a JSON string array) with a fall back to shell form when the
//!   text is not valid JSON;
//! * CRLF line endings and a leading UTF-8 byte-order mark.
//!
//! The parser never panics and only fails on input BuildKit cannot read
//! either (an unterminated heredoc). Where BuildKit would reject a file that
//! is still readable (unknown instruction, `ENV` without a value, a repeated
//! or invalid directive, a JSON array of non-strings), the text is kept as
//! written so that a linter can report on it.
//!
//! Known deliberate differences from BuildKit: a file with no instructions
//! parses (to an empty [`Dockerfile`]); an instruction consisting only of
//! escape characters and blank lines is dropped; heredoc bodies have CRLF
//! normalised to LF and, for `<<-`, their leading tabs already removed;
//! non-ASCII text in flags is kept as UTF-8 (BuildKit reads flags byte-wise).
//!
//! Lines are 1-based. Columns are 1-based and count Unicode scalar values
//! (a tab counts as one column).

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

/// The default escape character, used unless a `# escape=` directive says otherwise.
pub const DEFAULT_ESCAPE: char = '\\';

/// Deepest nesting of `${...}` expansions that [`expand`] evaluates; deeper
/// text is copied through literally (this bounds recursion on hostile input).
const MAX_EXPANSION_DEPTH: usize = 32;

/// Deepest nesting of sub-instructions (`ONBUILD HEALTHCHECK CMD ...`).
const MAX_SUB_DEPTH: usize = 2;

// ---------------------------------------------------------------------------
// Public data model
// ---------------------------------------------------------------------------

/// An error for input that cannot be parsed at all (e.g. an unterminated heredoc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line of the construct that could not be parsed.
    pub line: usize,
    /// 1-based column of the construct that could not be parsed.
    pub column: usize,
    /// Human-readable description.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ParseError {}

/// A parser directive at the top of the file (`# syntax=...`, `# escape=...`, `# check=...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Directive name, lower-cased (`syntax`, `escape` or `check`).
    pub name: String,
    /// Directive value with surrounding whitespace removed.
    pub value: String,
    /// 1-based line of the directive.
    pub line: usize,
}

/// A comment line (a line whose first non-blank character is `#`), outside heredocs.
///
/// Parser directives are not listed as comments. Comment lines inside a line
/// continuation are listed (BuildKit skips them without ending the instruction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// 1-based line of the comment.
    pub line: usize,
    /// 1-based column of the `#`.
    pub column: usize,
    /// Text after the `#`, with surrounding whitespace removed.
    pub text: String,
}

/// A builder flag such as `--from=builder`, `--mount=type=cache,target=/x` or `--link`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Flag name without the leading `--` (e.g. `mount`).
    pub name: String,
    /// Text after the first `=`, with quotes and escapes processed as BuildKit
    /// does; `None` for a flag written without `=` (e.g. `--link`).
    pub value: Option<String>,
    /// 1-based line of the leading `--`.
    pub line: usize,
    /// 1-based column of the leading `--`.
    pub column: usize,
}

/// A heredoc attached to a `RUN`, `COPY` or `ADD` instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// Terminator word, with quotes removed (`EOF` for `<<"EOF"`).
    pub delimiter: String,
    /// `true` for `<<-`: leading tabs are stripped from the body and the terminator.
    pub strip_tabs: bool,
    /// `true` when any part of the delimiter was quoted, which disables variable expansion in the body.
    pub quoted_delimiter: bool,
    /// Body, one `\n`-terminated line per source line (CRLF normalised to LF).
    /// For `<<-` heredocs the leading tabs are already removed.
    pub content: String,
    /// 1-based line of the first body line (the terminator's line when the body is empty).
    pub line: usize,
    /// 1-based line of the terminator.
    pub end_line: usize,
}

/// The arguments of an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Args {
    /// Exec form: a JSON array of strings (`["a", "b"]`), with JSON escapes decoded.
    Exec(Vec<String>),
    /// Shell form: the text after the keyword and flags, continuation lines
    /// joined (the escape character and line break removed), trimmed.
    Shell(String),
}

impl Args {
    /// `true` for exec (JSON array) form.
    pub fn is_exec(&self) -> bool {
        matches!(self, Args::Exec(_))
    }

    /// The exec-form elements, if this is exec form.
    pub fn as_exec(&self) -> Option<&[String]> {
        match self {
            Args::Exec(v) => Some(v),
            Args::Shell(_) => None,
        }
    }

    /// The shell-form text, if this is shell form.
    pub fn as_shell(&self) -> Option<&str> {
        match self {
            Args::Shell(s) => Some(s),
            Args::Exec(_) => None,
        }
    }
}

/// Where a piece of an instruction's [`Instruction::logical`] text comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Byte offset in the logical text where this piece starts.
    pub offset: usize,
    /// 1-based source line of the piece.
    pub line: usize,
    /// 1-based source column of the piece's first character.
    pub column: usize,
}

/// A `KEY=value` pair of `ENV`, `LABEL` or `ARG`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    /// The key (for `ENV`/`LABEL`, with quotes removed).
    pub key: String,
    /// The value with quotes and escapes processed and variables left as
    /// written; `None` for `ARG NAME` without a default.
    pub value: Option<String>,
    /// The value exactly as written (quotes kept); `None` for `ARG NAME`.
    pub raw_value: Option<String>,
}

/// One instruction (a logical line plus any heredoc bodies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Keyword, upper-cased (`RUN`). Unknown keywords are kept as written, upper-cased.
    pub keyword: String,
    /// Keyword exactly as written (`run`).
    pub raw_keyword: String,
    /// 1-based line of the keyword.
    pub line: usize,
    /// 1-based column of the keyword.
    pub column: usize,
    /// Byte offset of the keyword in [`Instruction::logical`].
    pub keyword_offset: usize,
    /// 1-based last line of the instruction (continuations and heredoc terminators included).
    pub end_line: usize,
    /// Builder flags at the start of the arguments, in source order.
    pub flags: Vec<Flag>,
    /// Arguments after the keyword and flags.
    pub args: Args,
    /// Byte offset in [`Instruction::logical`] where the argument text starts.
    pub args_offset: usize,
    /// Source text from the keyword to the end of `end_line`, including
    /// continuation lines, comment lines skipped inside them and heredoc
    /// bodies; lines joined with `\n`.
    pub original: String,
    /// The logical line as BuildKit sees it: continuation lines joined, escape
    /// characters at line ends removed, comment/blank lines inside the
    /// continuation dropped. Offsets in it map to source positions with
    /// [`Instruction::position`].
    pub logical: String,
    /// Source origin of each piece of [`Instruction::logical`].
    pub segments: Vec<Segment>,
    /// Heredocs, in the order their bodies appear.
    pub heredocs: Vec<Heredoc>,
    /// The wrapped instruction of `ONBUILD <instr>`, or the `CMD` of
    /// `HEALTHCHECK [flags] CMD ...` (`None` for `HEALTHCHECK NONE`).
    pub sub: Option<Box<Instruction>>,
    /// Index of the stage the instruction belongs to; `None` before the first `FROM`.
    pub stage: Option<usize>,
    /// Blank lines found inside the line continuation (BuildKit warns about them).
    pub empty_continuation_lines: Vec<usize>,
    /// The escape character in effect (used by [`Instruction::words`] and [`Instruction::key_values`]).
    pub escape: char,
}

/// A build stage: a `FROM` instruction and the instructions up to the next `FROM`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// Index of the stage (0-based, in file order).
    pub index: usize,
    /// Name given with `AS name`, as written (stage names compare case-insensitively).
    pub name: Option<String>,
    /// The image reference text as written (`ubuntu:22.04`, `${BASE}`, `builder`).
    pub base: String,
    /// The `--platform` flag value, if any.
    pub platform: Option<String>,
    /// 1-based line of the `FROM` keyword.
    pub line: usize,
    /// Index of the earlier stage named by `base` (after global `ARG` expansion), if any.
    pub from_stage: Option<usize>,
    /// Indices into [`Dockerfile::instructions`], starting with the `FROM`.
    pub instructions: Range<usize>,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// Parser directives, in order (a repeated directive is listed again; the first one is used).
    pub directives: Vec<Directive>,
    /// The escape character in effect (`\` or `` ` ``).
    pub escape: char,
    /// All top-level instructions, in order.
    pub instructions: Vec<Instruction>,
    /// Build stages, in order.
    pub stages: Vec<Stage>,
    /// Comment lines, in order.
    pub comments: Vec<Comment>,
}

/// Variables visible at some point of a build: `ARG`s (with their default,
/// `None` when declared without one) and `ENV`s. `ENV` wins over `ARG`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Declared build arguments and their values (`None` = declared, no default).
    pub args: BTreeMap<String, Option<String>>,
    /// Environment variables set with `ENV` (including those inherited from a parent stage).
    pub env: BTreeMap<String, String>,
}

impl Scope {
    /// The value of `name`, if it is known (`ENV` first, then `ARG`).
    pub fn get(&self, name: &str) -> Option<String> {
        if let Some(v) = self.env.get(name) {
            return Some(v.clone());
        }
        self.args.get(name).cloned().flatten()
    }

    /// `true` if `name` was declared by `ARG` or `ENV`, even without a value.
    pub fn is_declared(&self, name: &str) -> bool {
        self.env.contains_key(name) || self.args.contains_key(name)
    }
}

/// A parsed image reference (`registry:5000/ns/img:tag@sha256:...`).
///
/// Text is kept as written (Docker rejects upper-case repository names; a
/// linter can compare `repository` with its lower-cased form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry host (with port) if the first path component is one
    /// (contains `.` or `:`, is `localhost`, or has upper-case letters).
    pub registry: Option<String>,
    /// Repository path without registry, tag or digest (`library/ubuntu`, `ubuntu`).
    pub repository: String,
    /// Tag after the last `:` of the last path component.
    pub tag: Option<String>,
    /// Digest after `@` (`sha256:...`).
    pub digest: Option<String>,
}

impl ImageRef {
    /// `true` for the empty base image `scratch`.
    pub fn is_scratch(&self) -> bool {
        self.registry.is_none() && self.repository.eq_ignore_ascii_case("scratch")
    }

    /// The fully qualified name without tag/digest, Docker Hub defaults applied
    /// (`ubuntu` → `docker.io/library/ubuntu`).
    pub fn full_name(&self) -> String {
        let registry = self.registry.as_deref().unwrap_or("docker.io");
        if self.registry.is_none() && !self.repository.contains('/') {
            format!("{registry}/library/{}", self.repository)
        } else {
            format!("{registry}/{}", self.repository)
        }
    }
}

/// Parse an image reference such as `registry:5000/ns/img:tag`, `img@sha256:...` or `scratch`.
///
/// Never fails: text that is not a valid reference is split as well as possible.
pub fn parse_image_ref(s: &str) -> ImageRef {
    let s = s.trim();
    let (rest, digest) = match s.split_once('@') {
        Some((a, d)) => (a, Some(d.to_string())),
        None => (s, None),
    };
    let last_slash = rest.rfind('/');
    let (name, tag) = match rest.rfind(':') {
        Some(i) if last_slash.is_none_or(|j| i > j) => {
            (&rest[..i], Some(rest[i + 1..].to_string()))
        }
        _ => (rest, None),
    };
    let (registry, repository) = match name.split_once('/') {
        Some((first, remainder))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (Some(first.to_string()), remainder.to_string())
        }
        _ => (None, name.to_string()),
    };
    ImageRef {
        registry,
        repository,
        tag,
        digest,
    }
}

// ---------------------------------------------------------------------------
// Instruction helpers
// ---------------------------------------------------------------------------

impl Instruction {
    /// The command text: shell-form text, or the exec-form elements joined with spaces.
    ///
    /// For `RUN <<EOF` the text is `<<EOF`; the script itself is in [`Instruction::heredocs`].
    pub fn shell_text(&self) -> String {
        match &self.args {
            Args::Shell(s) => s.clone(),
            Args::Exec(v) => v.join(" "),
        }
    }

    /// The arguments as words: exec-form elements, or the shell-form text split
    /// at unquoted whitespace with quotes and escapes removed (variables are left as written).
    pub fn words(&self) -> Vec<String> {
        match &self.args {
            Args::Exec(v) => v.clone(),
            Args::Shell(s) => parse_words(s, self.escape)
                .iter()
                .map(|w| unquote(w, self.escape))
                .collect(),
        }
    }

    /// `true` if the arguments are in exec (JSON array) form.
    pub fn is_exec_form(&self) -> bool {
        self.args.is_exec()
    }

    /// The first flag called `name` (without `--`).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }

    /// The values of every flag called `name` (e.g. all `--mount`s), in order.
    pub fn flag_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.flags
            .iter()
            .filter(move |f| f.name == name)
            .map(|f| f.value.as_deref().unwrap_or(""))
    }

    /// Source position (line, column) of a byte offset in [`Instruction::logical`].
    pub fn position(&self, offset: usize) -> (usize, usize) {
        locate(&self.segments, &self.logical, offset)
    }

    /// Source position (line, column) of the first argument character.
    pub fn args_position(&self) -> (usize, usize) {
        self.position(self.args_offset)
    }

    /// The pairs of `ENV`, `LABEL` (`K=V ...` or legacy `K V`) and `ARG`
    /// (`NAME` or `NAME=default`); empty for other instructions.
    pub fn key_values(&self) -> Vec<KeyValue> {
        let esc = self.escape;
        let text = self.args.as_shell().unwrap_or("");
        match self.keyword.as_str() {
            "ENV" | "LABEL" => name_val_pairs(text, esc)
                .into_iter()
                .map(|(k, v)| KeyValue {
                    key: unquote(&k, esc),
                    value: Some(unquote(&v, esc)),
                    raw_value: Some(v),
                })
                .collect(),
            "ARG" => arg_decls(text, esc)
                .into_iter()
                .map(|(k, v)| KeyValue {
                    key: k,
                    value: v.as_deref().map(|v| unquote(v, esc)),
                    raw_value: v,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

// ---------------------------------------------------------------------------
// Dockerfile helpers
// ---------------------------------------------------------------------------

impl Dockerfile {
    /// Index of the stage named `name` (case-insensitive).
    pub fn stage_by_name(&self, name: &str) -> Option<usize> {
        self.stages.iter().position(|s| {
            s.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }

    /// Resolve a `COPY --from=` / `RUN --mount=from=` reference as seen from
    /// stage `current`: the name or numeric index of an earlier stage.
    pub fn resolve_stage_ref(&self, reference: &str, current: usize) -> Option<usize> {
        if let Ok(i) = reference.parse::<usize>() {
            return (i < current.min(self.stages.len())).then_some(i);
        }
        self.stages[..current.min(self.stages.len())]
            .iter()
            .position(|s| {
                s.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(reference))
            })
    }

    /// The instructions of stage `stage` (empty if out of range).
    pub fn stage_instructions(&self, stage: usize) -> &[Instruction] {
        match self.stages.get(stage) {
            Some(s) => self.instructions.get(s.instructions.clone()).unwrap_or(&[]),
            None => &[],
        }
    }

    /// The global scope: `ARG`s declared before the first `FROM` (what `FROM` lines see).
    pub fn global_scope(&self) -> Scope {
        let mut scope = Scope::default();
        for ins in self.instructions.iter().take_while(|i| i.stage.is_none()) {
            if ins.keyword == "ARG" {
                apply_arg(&mut scope, ins, self.escape, None);
            }
        }
        scope
    }

    /// Variables visible to instruction `instr_index` (an index into
    /// [`Dockerfile::instructions`]) of stage `stage`: `ENV`s inherited from a
    /// parent stage (`FROM earlier-stage`), and the `ARG`s and `ENV`s declared in
    /// the stage before that instruction. Global `ARG`s are visible only once
    /// re-declared in the stage (`ARG NAME`), as in Docker. An index past the
    /// stage gives the scope at the stage's end; a stage out of range gives the
    /// [global scope](Dockerfile::global_scope).
    pub fn scope_at(&self, stage: usize, instr_index: usize) -> Scope {
        let global = self.global_scope();
        self.stage_scope(stage, instr_index, &global, 0)
    }

    fn stage_scope(&self, stage: usize, instr_index: usize, global: &Scope, depth: usize) -> Scope {
        let Some(st) = self.stages.get(stage) else {
            return global.clone();
        };
        let mut scope = Scope::default();
        if let Some(parent) = st
            .from_stage
            .filter(|&p| p < stage && depth < self.stages.len())
        {
            scope.env = self.stage_scope(parent, usize::MAX, global, depth + 1).env;
        }
        let end = instr_index.min(st.instructions.end);
        for ins in self
            .instructions
            .get(st.instructions.start + 1..end)
            .unwrap_or(&[])
        {
            match ins.keyword.as_str() {
                "ARG" => apply_arg(&mut scope, ins, self.escape, Some(global)),
                "ENV" => {
                    let text = ins.args.as_shell().unwrap_or("");
                    let pairs = name_val_pairs(text, self.escape);
                    let before = scope.clone();
                    let look = |n: &str| before.get(n);
                    for (k, v) in pairs {
                        let key = expand_with_escape(&k, self.escape, &look);
                        let value = expand_with_escape(&v, self.escape, &look);
                        scope.env.insert(key, value);
                    }
                }
                _ => {}
            }
        }
        scope
    }

    /// Expand `word` (Docker word semantics: variables substituted, quotes and
    /// escapes removed) with the [scope](Dockerfile::scope_at) of instruction
    /// `instr_index` in stage `stage`. Unknown variables expand to the empty
    /// string, as in a build without `--build-arg`s; use [`Dockerfile::scope_at`]
    /// with [`expand_partial`] to keep them visible instead.
    pub fn resolve_in_stage(&self, stage: usize, instr_index: usize, word: &str) -> String {
        let scope = self.scope_at(stage, instr_index);
        expand_with_escape(word, self.escape, &|n: &str| scope.get(n))
    }
}

fn apply_arg(scope: &mut Scope, ins: &Instruction, escape: char, global: Option<&Scope>) {
    let text = ins.args.as_shell().unwrap_or("");
    for (name, default) in arg_decls(text, escape) {
        let value = match default {
            Some(raw) => {
                let current = scope.clone();
                Some(expand_with_escape(&raw, escape, &|n: &str| current.get(n)))
            }
            None => global.and_then(|g| g.args.get(&name).cloned().flatten()),
        };
        scope.args.insert(name, value);
    }
}

// ---------------------------------------------------------------------------
// The parser
// ---------------------------------------------------------------------------

/// Parse Dockerfile source.
///
/// Tolerant: unknown instructions, invalid JSON, bad directives and the like
/// are kept as written. Fails only on an unterminated heredoc.
pub fn parse(src: &str) -> Result<Dockerfile, ParseError> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    // BuildKit trims every trailing `\r` (and the `\n`) from each line.
    let lines: Vec<&str> = src.lines().map(|l| l.trim_end_matches('\r')).collect();

    let mut directives: Vec<Directive> = Vec::new();
    let mut escape = DEFAULT_ESCAPE;
    let mut escape_seen = false;
    let mut directives_done = false;
    let mut comments = Vec::new();
    let mut instructions: Vec<Instruction> = Vec::new();

    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let trimmed = raw.trim_start();
        let lead = raw.len() - trimmed.len();

        if !directives_done {
            if let Some((name, value)) = parse_directive(trimmed) {
                if name == "escape" && !escape_seen {
                    escape_seen = true;
                    match value.as_str() {
                        "`" => escape = '`',
                        "\\" => escape = '\\',
                        _ => {}
                    }
                }
                directives.push(Directive {
                    name,
                    value,
                    line: i + 1,
                });
                i += 1;
                continue;
            }
            directives_done = true;
        }

        if trimmed.starts_with('#') {
            comments.push(make_comment(raw, lead, i + 1));
            i += 1;
            continue;
        }

        let (first, mut cont) = trim_continuation(trimmed, escape);
        if !cont && first.is_empty() {
            i += 1;
            continue;
        }

        let start_line = i;
        let mut logical = String::from(first);
        let mut segs = vec![RawSeg {
            offset: 0,
            line: i,
            byte: lead,
        }];
        let mut end = i;
        let mut empty_cont = Vec::new();
        i += 1;
        while cont && i < lines.len() {
            let raw = lines[i];
            let t = raw.trim_start();
            if t.starts_with('#') {
                comments.push(make_comment(raw, raw.len() - t.len(), i + 1));
            } else if t.is_empty() {
                empty_cont.push(i + 1);
            } else {
                let (text, c) = trim_continuation(raw, escape);
                segs.push(RawSeg {
                    offset: logical.len(),
                    line: i,
                    byte: 0,
                });
                logical.push_str(text);
                cont = c;
            }
            end = i;
            i += 1;
        }

        if logical.trim().is_empty() {
            continue;
        }

        let segments: Vec<Segment> = segs
            .iter()
            .map(|s| Segment {
                offset: s.offset,
                line: s.line + 1,
                column: lines[s.line]
                    .get(..s.byte)
                    .map_or(1, |p| p.chars().count() + 1),
            })
            .collect();
        let ctx = Ctx {
            logical: &logical,
            segments: &segments,
            escape,
        };
        let mut ins = ctx.build(0, 0);

        if can_contain_heredoc(&ins) && logical.contains("<<") {
            let mut heredocs = Vec::new();
            for spec in heredoc_specs(&logical) {
                let body_start = i;
                let mut content = String::new();
                let mut terminated = false;
                while i < lines.len() {
                    let l = lines[i];
                    i += 1;
                    let mut candidate = l.trim_end_matches(['\r', '\n']);
                    if spec.chomp {
                        candidate = candidate.trim_start_matches('\t');
                    }
                    if candidate == spec.name {
                        terminated = true;
                        break;
                    }
                    content.push_str(if spec.chomp {
                        l.trim_start_matches('\t')
                    } else {
                        l
                    });
                    content.push('\n');
                }
                if !terminated {
                    let (line, column) = locate(&segments, &logical, spec.offset);
                    return Err(ParseError {
                        line,
                        column,
                        message: format!(
                            "unterminated heredoc: no line `{}` after the instruction starting on line {}",
                            spec.name,
                            start_line + 1
                        ),
                    });
                }
                end = i - 1;
                heredocs.push(Heredoc {
                    delimiter: spec.name,
                    strip_tabs: spec.chomp,
                    quoted_delimiter: spec.quoted,
                    content,
                    line: body_start + 1,
                    end_line: i,
                });
            }
            if let Some(sub) = ins.sub.as_deref_mut() {
                sub.heredocs = heredocs.clone();
            }
            ins.heredocs = heredocs;
        }

        ins.end_line = end + 1;
        ins.original = source_text(&lines, start_line, lead, end);
        ins.empty_continuation_lines = empty_cont;
        set_end_and_original(&mut ins, &lines, &segs, end);
        instructions.push(ins);
    }

    let stages = build_stages(&mut instructions, escape);
    Ok(Dockerfile {
        directives,
        escape,
        instructions,
        stages,
        comments,
    })
}

/// Source line and byte column of a piece of the logical line (0-based, internal).
struct RawSeg {
    offset: usize,
    line: usize,
    byte: usize,
}

fn make_comment(raw: &str, lead: usize, line: usize) -> Comment {
    let column = raw.get(..lead).map_or(1, |p| p.chars().count() + 1);
    let text = raw[lead..]
        .strip_prefix('#')
        .unwrap_or("")
        .trim()
        .to_string();
    Comment { line, column, text }
}

/// Lines `start..=end` joined with `\n`, the first one starting at byte `first_byte`.
fn source_text(lines: &[&str], start: usize, first_byte: usize, end: usize) -> String {
    let mut out = String::new();
    for (n, l) in lines.iter().enumerate().take(end + 1).skip(start) {
        if n == start {
            out.push_str(l.get(first_byte..).unwrap_or(l));
        } else {
            out.push('\n');
            out.push_str(l);
        }
    }
    out
}

/// Give sub-instructions their end line and source text.
fn set_end_and_original(ins: &mut Instruction, lines: &[&str], segs: &[RawSeg], end: usize) {
    let end_line = ins.end_line;
    if let Some(sub) = ins.sub.as_deref_mut() {
        sub.end_line = end_line;
        if let Some((line, byte)) = source_byte(segs, sub.keyword_offset) {
            sub.original = source_text(lines, line, byte, end);
        }
        set_end_and_original(sub, lines, segs, end);
    }
}

/// Map a logical offset to (0-based source line, byte column).
fn source_byte(segs: &[RawSeg], offset: usize) -> Option<(usize, usize)> {
    let idx = segs
        .partition_point(|s| s.offset <= offset)
        .checked_sub(1)?;
    let s = &segs[idx];
    Some((s.line, s.byte + offset.saturating_sub(s.offset)))
}

/// Map a logical offset to a 1-based (line, column) source position.
fn locate(segments: &[Segment], logical: &str, offset: usize) -> (usize, usize) {
    let Some(idx) = segments
        .partition_point(|s| s.offset <= offset)
        .checked_sub(1)
    else {
        return segments.first().map_or((1, 1), |s| (s.line, s.column));
    };
    let s = &segments[idx];
    let mut end = offset.min(logical.len());
    while !logical.is_char_boundary(end) {
        end -= 1;
    }
    let start = s.offset.min(end);
    (s.line, s.column + logical[start..end].chars().count())
}

/// Recognise a parser directive line (`# name=value`) with leading whitespace already removed.
fn parse_directive(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('#')?.trim_start();
    if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let name_end = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let name = &rest[..name_end];
    let after = rest[name_end..].trim_start_matches(is_re2_space);
    let value = after.strip_prefix('=')?.trim_matches(is_re2_space);
    if value.is_empty() {
        return None;
    }
    let name = name.to_ascii_lowercase();
    if !matches!(name.as_str(), "syntax" | "escape" | "check") {
        return None;
    }
    Some((name, value.to_string()))
}

/// Go RE2's `\s`.
fn is_re2_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0c' | '\r')
}

/// Whitespace as BuildKit's byte-wise loops see it (`unicode.IsSpace(rune(b))`
/// on single bytes): only ASCII whitespace separates flags and the
/// `HEALTHCHECK` type from what follows.
fn is_go_byte_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

/// The separator between keyword and arguments (BuildKit's `[\t\v\f\r ]`).
fn is_split_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\x0b' | '\x0c' | '\r')
}

/// Strip a line-continuation escape (followed only by spaces/tabs) from the
/// end of `line`. Returns the remaining text and whether it continued.
/// Mirrors BuildKit's `([^E])E[ \t]*$|^E[ \t]*$`: a doubled escape is not a continuation.
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let t = line.trim_end_matches([' ', '\t']);
    if let Some(before) = t.strip_suffix(escape)
        && (before.is_empty() || !before.ends_with(escape))
    {
        return (before, true);
    }
    (line, false)
}

/// Parsing context for one logical line.
struct Ctx<'a> {
    logical: &'a str,
    segments: &'a [Segment],
    escape: char,
}

impl Ctx<'_> {
    fn pos(&self, offset: usize) -> (usize, usize) {
        locate(self.segments, self.logical, offset)
    }

    /// Build the instruction whose text starts at byte `start` of the logical line.
    fn build(&self, start: usize, depth: usize) -> Instruction {
        let text = &self.logical[start..];
        let kw_start = start + (text.len() - text.trim_start().len());
        let body_end = start + text.trim_end().len();
        let body = &self.logical[kw_start..body_end.max(kw_start)];
        let kw_len = body.find(is_split_space).unwrap_or(body.len());
        let raw_keyword = &body[..kw_len];
        let keyword = raw_keyword.to_lowercase().to_uppercase();
        let after_kw = &body[kw_len..];
        let rest_start = kw_start
            + kw_len
            + (after_kw.len() - after_kw.trim_start_matches(is_split_space).len());
        let rest = &self.logical[rest_start..body_end.max(rest_start)];

        let (flag_words, args_rel) = extract_flags(rest, self.escape);
        let flags = flag_words
            .into_iter()
            .map(|(word, off)| {
                let (line, column) = self.pos(rest_start + off);
                let w = word.strip_prefix("--").unwrap_or(&word);
                let (name, value) = match w.split_once('=') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (w.to_string(), None),
                };
                Flag {
                    name,
                    value,
                    line,
                    column,
                }
            })
            .collect();
        let args_raw = &rest[args_rel.min(rest.len())..];
        let args_text = args_raw.trim();
        let args_offset = if args_text.is_empty() {
            body_end
        } else {
            rest_start + args_rel + (args_raw.len() - args_raw.trim_start().len())
        };

        let mut sub = None;
        let args = match keyword.as_str() {
            "RUN" | "CMD" | "ENTRYPOINT" | "SHELL" | "ADD" | "COPY" | "VOLUME" => {
                maybe_json(args_text)
            }
            "HEALTHCHECK" => {
                let typ_len = args_text.find(is_go_byte_space).unwrap_or(args_text.len());
                if depth < MAX_SUB_DEPTH && args_text[..typ_len].eq_ignore_ascii_case("CMD") {
                    let after = &args_text[typ_len..];
                    let cmd_text = after.trim_start_matches(is_go_byte_space);
                    let cmd_offset = if cmd_text.is_empty() {
                        body_end
                    } else {
                        args_offset + typ_len + (after.len() - cmd_text.len())
                    };
                    let (line, column) = self.pos(args_offset);
                    sub = Some(Box::new(Instruction {
                        keyword: "CMD".to_string(),
                        raw_keyword: args_text[..typ_len].to_string(),
                        line,
                        column,
                        keyword_offset: args_offset,
                        end_line: 0,
                        flags: Vec::new(),
                        args: maybe_json(cmd_text),
                        args_offset: cmd_offset,
                        original: String::new(),
                        logical: self.logical.to_string(),
                        segments: self.segments.to_vec(),
                        heredocs: Vec::new(),
                        sub: None,
                        stage: None,
                        empty_continuation_lines: Vec::new(),
                        escape: self.escape,
                    }));
                }
                Args::Shell(args_text.to_string())
            }
            "ONBUILD" => {
                if depth < MAX_SUB_DEPTH && !args_text.is_empty() {
                    sub = Some(Box::new(self.build(args_offset, depth + 1)));
                }
                Args::Shell(args_text.to_string())
            }
            _ => Args::Shell(args_text.to_string()),
        };

        let (line, column) = self.pos(kw_start);
        Instruction {
            keyword,
            raw_keyword: raw_keyword.to_string(),
            line,
            column,
            keyword_offset: kw_start,
            end_line: 0,
            flags,
            args,
            args_offset,
            original: String::new(),
            logical: self.logical.to_string(),
            segments: self.segments.to_vec(),
            heredocs: Vec::new(),
            sub,
            stage: None,
            empty_continuation_lines: Vec::new(),
            escape: self.escape,
        }
    }
}

/// Exec form if `text` is a JSON array of strings, shell form otherwise.
fn maybe_json(text: &str) -> Args {
    let t = text.trim_start();
    if t.starts_with('[')
        && let Some(v) = parse_json_string_array(t)
    {
        return Args::Exec(v);
    }
    Args::Shell(text.to_string())
}

fn can_contain_heredoc(ins: &Instruction) -> bool {
    let target = if ins.keyword == "ONBUILD" {
        match ins.sub.as_deref() {
            Some(s) => s,
            None => return false,
        }
    } else {
        ins
    };
    matches!(target.keyword.as_str(), "RUN" | "COPY" | "ADD") && !target.args.is_exec()
}

/// Split builder flags (`--name[=value]`) off the start of `line`
/// (BuildKit's `extractBuilderFlags`). Returns each flag word (quotes and
/// escapes processed) with its byte offset, and the byte offset where the
/// remaining arguments start.
fn extract_flags(line: &str, escape: char) -> (Vec<(String, usize)>, usize) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    // Scans lazily: flags sit at the start of what may be a very long line.
    let char_at = |pos: usize| line[pos..].chars().next();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut buf = String::new();
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut word_start = 0;
    let mut pos = 0;
    loop {
        let Some(ch) = char_at(pos) else {
            if phase != Phase::Spaces && buf != "--" && (blank_ok || !buf.is_empty()) {
                words.push((buf, word_start));
            }
            return (words, line.len());
        };
        let next = pos + ch.len_utf8();
        if phase == Phase::Spaces {
            if is_go_byte_space(ch) {
                pos = next;
                continue;
            }
            if ch != '-' || char_at(next) != Some('-') {
                return (words, pos);
            }
            phase = Phase::Word;
            word_start = pos;
        }
        if phase == Phase::Word {
            if is_go_byte_space(ch) {
                phase = Phase::Spaces;
                if buf == "--" {
                    return (words, pos);
                }
                if blank_ok || !buf.is_empty() {
                    words.push((std::mem::take(&mut buf), word_start));
                }
                buf.clear();
                blank_ok = false;
                pos = next;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
                pos = next;
                continue;
            }
        } else if ch == quote {
            phase = Phase::Word;
            pos = next;
            continue;
        }
        if ch == escape {
            match char_at(next) {
                // An escape at the very end is dropped.
                None => {
                    if phase == Phase::Quote {
                        phase = Phase::Word;
                    }
                    pos = next;
                }
                Some(escaped) => {
                    buf.push(escaped);
                    pos = next + escaped.len_utf8();
                }
            }
            continue;
        }
        buf.push(ch);
        pos = next;
    }
}

/// Split text into words the way BuildKit's `parseWords` does for
/// `ENV`/`LABEL`/`ARG`: whitespace separates words, quotes group them and
/// are kept, escapes are kept.
fn parse_words(rest: &str, escape: char) -> Vec<String> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let chars: Vec<char> = rest.chars().collect();
    let n = chars.len();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut buf = String::new();
    let mut pos = 0;
    while pos <= n {
        if phase == Phase::Spaces {
            if pos == n {
                break;
            }
            if chars[pos].is_whitespace() {
                pos += 1;
                continue;
            }
            phase = Phase::Word;
        }
        if pos == n {
            if blank_ok || !buf.is_empty() {
                words.push(std::mem::take(&mut buf));
            }
            break;
        }
        let mut ch = chars[pos];
        if phase == Phase::Word {
            if ch.is_whitespace() {
                phase = Phase::Spaces;
                if blank_ok || !buf.is_empty() {
                    words.push(std::mem::take(&mut buf));
                }
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if ch == escape {
                if pos + 1 == n {
                    pos += 1;
                    continue;
                }
                buf.push(ch);
                pos += 1;
                ch = chars[pos];
            }
            buf.push(ch);
            pos += 1;
            continue;
        }
        // In quotes.
        if ch == quote {
            phase = Phase::Word;
        }
        if ch == escape && quote != '\'' {
            if pos + 1 == n {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            buf.push(ch);
            pos += 1;
            ch = chars[pos];
        }
        buf.push(ch);
        pos += 1;
    }
    words
}

/// `ENV`/`LABEL` pairs as written (BuildKit's `parseNameVal`): `K=V ...`, or legacy `K V`.
/// Words without `=` in the `K=V` form (a Docker error) are skipped.
fn name_val_pairs(rest: &str, escape: char) -> Vec<(String, String)> {
    let words = parse_words(rest, escape);
    let Some(first) = words.first() else {
        return Vec::new();
    };
    if !first.contains('=') {
        let t = rest.trim_start_matches(is_split_space);
        return match t.find(is_split_space) {
            Some(i) => {
                let value = t[i..].trim_start_matches(is_split_space);
                vec![(t[..i].to_string(), value.to_string())]
            }
            None => Vec::new(),
        };
    }
    words
        .iter()
        .filter_map(|w| w.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// `ARG` declarations as written: `NAME` or `NAME=default`.
fn arg_decls(rest: &str, escape: char) -> Vec<(String, Option<String>)> {
    parse_words(rest, escape)
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (w, None),
        })
        .collect()
}

// ---------------------------------------------------------------------------
// JSON (exec form)
// ---------------------------------------------------------------------------

/// Parse a JSON array of strings (the whole text, surrounding JSON whitespace
/// allowed). `None` if it is not exactly that.
fn parse_json_string_array(text: &str) -> Option<Vec<String>> {
    let b = text.as_bytes();
    let mut p = 0;
    let ws = |p: &mut usize| {
        while *p < b.len() && matches!(b[*p], b' ' | b'\t' | b'\n' | b'\r') {
            *p += 1;
        }
    };
    ws(&mut p);
    if b.get(p) != Some(&b'[') {
        return None;
    }
    p += 1;
    let mut out = Vec::new();
    ws(&mut p);
    if b.get(p) == Some(&b']') {
        p += 1;
    } else {
        loop {
            ws(&mut p);
            if b.get(p) != Some(&b'"') {
                return None;
            }
            let (s, np) = parse_json_string(text, p + 1)?;
            out.push(s);
            p = np;
            ws(&mut p);
            match b.get(p) {
                Some(b',') => p += 1,
                Some(b']') => {
                    p += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    ws(&mut p);
    (p == b.len()).then_some(out)
}

/// Parse a JSON string body starting after the opening quote at byte `p`.
/// Returns the decoded string and the byte offset after the closing quote.
fn parse_json_string(text: &str, mut p: usize) -> Option<(String, usize)> {
    let b = text.as_bytes();
    let mut out = String::new();
    loop {
        let start = p;
        while p < b.len() && b[p] != b'"' && b[p] != b'\\' && b[p] >= 0x20 {
            p += 1;
        }
        out.push_str(text.get(start..p)?);
        match *b.get(p)? {
            b'"' => return Some((out, p + 1)),
            b'\\' => {
                p += 1;
                let c = *b.get(p)?;
                p += 1;
                match c {
                    b'"' => out.push('"'),
                    b'\\' => out.push('\\'),
                    b'/' => out.push('/'),
                    b'b' => out.push('\u{8}'),
                    b'f' => out.push('\u{c}'),
                    b'n' => out.push('\n'),
                    b'r' => out.push('\r'),
                    b't' => out.push('\t'),
                    b'u' => {
                        let hi = hex4(b, p)?;
                        p += 4;
                        if (0xD800..0xDC00).contains(&hi) {
                            // A high surrogate pairs with a following `\uDC00`-`\uDFFF`;
                            // unpaired surrogates become U+FFFD, as in Go.
                            if b.get(p) == Some(&b'\\')
                                && b.get(p + 1) == Some(&b'u')
                                && let Some(lo) =
                                    hex4(b, p + 2).filter(|lo| (0xDC00..0xE000).contains(lo))
                            {
                                p += 6;
                                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                                continue;
                            }
                            out.push('\u{FFFD}');
                        } else {
                            out.push(char::from_u32(hi).unwrap_or('\u{FFFD}'));
                        }
                    }
                    _ => return None,
                }
            }
            _ => return None, // control character
        }
    }
}

fn hex4(b: &[u8], p: usize) -> Option<u32> {
    let s = b.get(p..p + 4)?;
    let mut v = 0u32;
    for &c in s {
        v = v * 16 + (c as char).to_digit(16)?;
    }
    Some(v)
}

// ---------------------------------------------------------------------------
// Heredoc detection
// ---------------------------------------------------------------------------

struct HeredocSpec {
    name: String,
    chomp: bool,
    quoted: bool,
    /// Byte offset of the `<<` word in the logical line.
    offset: usize,
}

/// The heredocs opened on a logical line, as BuildKit finds them: words split
/// by its shell lexer (quotes and escapes kept), each word matching
/// `^\d*<<-?\s*[^<]+$`. A word inside quotes is never a heredoc; a line the
/// lexer rejects (e.g. an unterminated quote) has none.
fn heredoc_specs(line: &str) -> Vec<HeredocSpec> {
    let Some(words) = shell_split(line, '\\', true, true) else {
        return Vec::new();
    };
    words
        .into_iter()
        .filter_map(|(w, offset)| {
            let (name, chomp, quoted) = heredoc_from_word(&w)?;
            Some(HeredocSpec {
                name,
                chomp,
                quoted,
                offset,
            })
        })
        .collect()
}

/// Match one lexed word against BuildKit's heredoc pattern.
fn heredoc_from_word(word: &str) -> Option<(String, bool, bool)> {
    let r = word.trim_start_matches(|c: char| c.is_ascii_digit());
    let r = r.strip_prefix("<<")?;
    let (chomp, r) = match r.strip_prefix('-') {
        Some(x) => (true, x),
        None => (false, r),
    };
    let rest = r.trim_start_matches(is_re2_space);
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let words = shell_split(rest, '\\', false, false)?;
    if words.len() != 1 {
        return None;
    }
    let raw = shell_split(rest, '\\', true, false)?;
    if raw.len() != 1 {
        return None;
    }
    let quotes = |s: &str| s.chars().filter(|&c| c == '\'' || c == '"').count();
    let name = words[0].0.clone();
    let quoted = quotes(&name) != quotes(&raw[0].0);
    Some((name, chomp, quoted))
}

/// Word splitting of BuildKit's shell lexer with an empty environment and
/// unset variables kept (`SkipUnsetEnv`). Returns `None` where the lexer
/// reports an error. Each word comes with the byte offset where it starts.
///
/// Quirk kept for fidelity: BuildKit's lexer drops the part of a word that
/// precedes a `${VAR<op>...}` expansion (its word buffer is shared with the
/// nested scan), which decides whether such a word is a heredoc.
fn shell_split(
    s: &str,
    escape: char,
    raw_quotes: bool,
    raw_escapes: bool,
) -> Option<Vec<(String, usize)>> {
    struct Words {
        words: Vec<(String, usize)>,
        buf: String,
        start: usize,
        in_word: bool,
    }
    impl Words {
        fn raw(&mut self, c: char, off: usize) {
            if self.buf.is_empty() {
                self.start = off;
            }
            self.buf.push(c);
            self.in_word = true;
        }
        fn ch(&mut self, c: char, off: usize) {
            if c.is_whitespace() {
                if self.in_word && !self.buf.is_empty() {
                    self.words.push((std::mem::take(&mut self.buf), self.start));
                    self.in_word = false;
                }
            } else {
                self.raw(c, off);
            }
        }
        fn raw_str(&mut self, text: &[(usize, char)]) {
            for &(o, c) in text {
                self.raw(c, o);
            }
            self.in_word = true;
        }
    }
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let n = chars.len();
    let mut w = Words {
        words: Vec::new(),
        buf: String::new(),
        start: 0,
        in_word: false,
    };
    let mut i = 0;
    while i < n {
        let (off, ch) = chars[i];
        match ch {
            '$' if i + 1 < n && chars[i + 1].1 == '{' => {
                let (end, has_op) = scan_braced(&chars, i, escape, 0)?;
                if has_op {
                    w.buf.clear();
                }
                for &(o, c) in &chars[i..end] {
                    w.ch(c, o);
                }
                i = end;
            }
            '<' => {
                let from = i;
                i += 1;
                if i < n && chars[i].1 == '<' {
                    i += 1;
                    while i < n && matches!(chars[i].1, ' ' | '\t' | '\n' | '\r') {
                        i += 1;
                    }
                }
                w.raw_str(&chars[from..i]);
            }
            '\'' => {
                let from = i;
                i += 1;
                loop {
                    let &(_, c) = chars.get(i)?;
                    i += 1;
                    if c == '\'' {
                        break;
                    }
                }
                let inner = if raw_quotes {
                    &chars[from..i]
                } else {
                    &chars[from + 1..i - 1]
                };
                if inner.is_empty() && w.buf.is_empty() {
                    w.start = off;
                }
                w.raw_str(inner);
            }
            '"' => {
                let mut q: Vec<(usize, char)> = Vec::new();
                if raw_quotes {
                    q.push((off, '"'));
                }
                i += 1;
                loop {
                    let &(o, c) = chars.get(i)?;
                    if c == '"' {
                        i += 1;
                        if raw_quotes {
                            q.push((o, c));
                        }
                        break;
                    }
                    if c == '$' && chars.get(i + 1).is_some_and(|x| x.1 == '{') {
                        let (end, has_op) = scan_braced(&chars, i, escape, 0)?;
                        if has_op {
                            w.buf.clear();
                        }
                        q.extend_from_slice(&chars[i..end]);
                        i = end;
                        continue;
                    }
                    i += 1;
                    if c == escape {
                        if raw_escapes {
                            q.push((o, c));
                        }
                        match chars.get(i) {
                            None => continue,
                            Some(&(o2, c2)) if c2 == '"' || c2 == '$' || c2 == escape => {
                                i += 1;
                                q.push((o2, c2));
                                continue;
                            }
                            Some(_) => {}
                        }
                    }
                    q.push((o, c));
                }
                if q.is_empty() && w.buf.is_empty() {
                    w.start = off;
                }
                w.raw_str(&q);
            }
            c if c == escape => {
                i += 1;
                if raw_escapes {
                    w.raw(c, off);
                }
                let Some(&(o, c2)) = chars.get(i) else {
                    break;
                };
                w.raw(c2, o);
                i += 1;
            }
            c => {
                w.ch(c, off);
                i += 1;
            }
        }
    }
    if !w.buf.is_empty() {
        w.words.push((w.buf, w.start));
    }
    Some(w.words)
}

/// For `${` at `chars[i]`, as BuildKit's lexer scans it: the index after the
/// closing `}` and whether an operator (`:-`, `+`, `#`, `/`, ...) was present.
/// `None` for the lexer's syntax errors (missing `}`, `${}`, `${:x}`, bad modifier,
/// unterminated quotes inside).
fn scan_braced(
    chars: &[(usize, char)],
    i: usize,
    escape: char,
    depth: usize,
) -> Option<(usize, bool)> {
    if depth > MAX_EXPANSION_DEPTH {
        return None;
    }
    let at = |j: usize| chars.get(j).map(|x| x.1);
    let mut j = i + 2;
    if matches!(at(j)?, '{' | '}' | ':') {
        return None;
    }
    // Variable name (digits, one special parameter, or letters/digits/_).
    match at(j)? {
        c if c.is_numeric() => {
            while at(j).is_some_and(char::is_numeric) {
                j += 1;
            }
        }
        '@' | '*' | '#' | '?' | '-' | '$' | '!' => j += 1,
        _ => {
            while at(j).is_some_and(|c| c.is_alphanumeric() || c == '_') {
                j += 1;
            }
        }
    }
    let op = at(j)?;
    j += 1;
    match op {
        '}' => Some((j, false)),
        ':' => {
            if matches!(at(j)?, '#' | '%') {
                return None;
            }
            j += 1;
            Some((scan_to(chars, j, '}', escape, depth)?, true))
        }
        '+' | '-' | '?' | '#' | '%' => Some((scan_to(chars, j, '}', escape, depth)?, true)),
        '/' => {
            if at(j) == Some('/') {
                j += 1;
            }
            let j = scan_to(chars, j, '/', escape, depth)?;
            Some((scan_to(chars, j, '}', escape, depth)?, true))
        }
        _ => None,
    }
}

/// Scan from `j` to just past the next unquoted, unescaped `stop`, skipping
/// quoted text and nested `${...}`. `None` if the text ends first.
fn scan_to(
    chars: &[(usize, char)],
    mut j: usize,
    stop: char,
    escape: char,
    depth: usize,
) -> Option<usize> {
    loop {
        let c = chars.get(j)?.1;
        if c == stop {
            return Some(j + 1);
        }
        match c {
            '$' if chars.get(j + 1).is_some_and(|x| x.1 == '{') => {
                j = scan_braced(chars, j, escape, depth + 1)?.0;
            }
            '\'' => {
                j += 1;
                while chars.get(j)?.1 != '\'' {
                    j += 1;
                }
                j += 1;
            }
            '"' => {
                j += 1;
                loop {
                    let d = chars.get(j)?.1;
                    if d == '"' {
                        j += 1;
                        break;
                    }
                    if d == '$' && chars.get(j + 1).is_some_and(|x| x.1 == '{') {
                        j = scan_braced(chars, j, escape, depth + 1)?.0;
                        continue;
                    }
                    j += if d == escape { 2 } else { 1 };
                }
            }
            c if c == escape => j += 2,
            _ => j += 1,
        }
    }
}

// ---------------------------------------------------------------------------
// Stages
// ---------------------------------------------------------------------------

fn build_stages(instructions: &mut [Instruction], escape: char) -> Vec<Stage> {
    let mut global = Scope::default();
    let mut stages: Vec<Stage> = Vec::new();
    for (idx, ins) in instructions.iter_mut().enumerate() {
        if ins.keyword == "FROM" {
            let text = ins.args.as_shell().unwrap_or("");
            let words: Vec<&str> = text
                .split(is_split_space)
                .filter(|w| !w.is_empty())
                .collect();
            let base = words.first().copied().unwrap_or("").to_string();
            let name = (words.len() >= 3 && words[1].eq_ignore_ascii_case("as"))
                .then(|| words[2].to_string());
            let resolved = expand_partial(&base, escape, &|n: &str| global.get(n));
            let from_stage = stages.iter().position(|s| {
                s.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&resolved))
            });
            stages.push(Stage {
                index: stages.len(),
                name,
                base,
                platform: ins.flag("platform").and_then(|f| f.value.clone()),
                line: ins.line,
                from_stage,
                instructions: idx..idx + 1,
            });
        } else if stages.is_empty() && ins.keyword == "ARG" {
            apply_arg(&mut global, ins, escape, None);
        }
        let current = stages.len().checked_sub(1);
        ins.stage = current;
        if let Some(sub) = ins.sub.as_deref_mut() {
            sub.stage = current;
            if let Some(sub2) = sub.sub.as_deref_mut() {
                sub2.stage = current;
            }
        }
        if let Some(st) = stages.last_mut() {
            st.instructions.end = idx + 1;
        }
    }
    stages
}

impl Stage {
    /// The parsed image reference of `base`, unless the stage builds on an earlier stage.
    pub fn image_ref(&self) -> Option<ImageRef> {
        self.from_stage
            .is_none()
            .then(|| parse_image_ref(&self.base))
    }
}

// ---------------------------------------------------------------------------
// Variable expansion
// ---------------------------------------------------------------------------

/// Expand variables in `word` with Docker's word semantics and `\` as escape:
/// `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`,
/// `${VAR+alt}`, `${VAR:?msg}`, `${VAR#pat}`, `${VAR##pat}`, `${VAR%pat}`,
/// `${VAR%%pat}`, `${VAR/pat/repl}`, `${VAR//pat/repl}`; single quotes
/// prevent expansion, double quotes do not; quotes are removed and `\x`
/// yields `x` (so `\$` is a literal `$`). `vars` returns `None` for an unset
/// variable, which expands to the empty string.
pub fn expand(word: &str, vars: &impl Fn(&str) -> Option<String>) -> String {
    expand_with_escape(word, DEFAULT_ESCAPE, vars)
}

/// [`expand`] with an explicit escape character (use [`Dockerfile::escape`]).
pub fn expand_with_escape(
    word: &str,
    escape: char,
    vars: &impl Fn(&str) -> Option<String>,
) -> String {
    Expander::new(word, escape, vars, false).run()
}

/// Like [`expand_with_escape`], but references to variables for which `vars`
/// returns `None` are left exactly as written (`$UID`, `${UID:-0}`), so a
/// linter can tell resolved values from unknown ones.
pub fn expand_partial(word: &str, escape: char, vars: &impl Fn(&str) -> Option<String>) -> String {
    Expander::new(word, escape, vars, true).run()
}

/// Remove quotes and process escapes as Docker does for a word, leaving
/// variable references as written.
pub fn unquote(word: &str, escape: char) -> String {
    expand_partial(word, escape, &|_: &str| None)
}

struct Expander<'a> {
    chars: Vec<char>,
    pos: usize,
    escape: char,
    vars: &'a dyn Fn(&str) -> Option<String>,
    keep_unknown: bool,
    depth: usize,
}

impl<'a> Expander<'a> {
    fn new(
        word: &str,
        escape: char,
        vars: &'a dyn Fn(&str) -> Option<String>,
        keep_unknown: bool,
    ) -> Self {
        Expander {
            chars: word.chars().collect(),
            pos: 0,
            escape,
            vars,
            keep_unknown,
            depth: 0,
        }
    }

    fn run(mut self) -> String {
        self.until(None, false).0
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    fn literal(&self, start: usize) -> String {
        self.chars[start..self.pos].iter().collect()
    }

    /// Process up to `stop` (consumed) or the end. Returns the text and whether `stop` was found.
    fn until(&mut self, stop: Option<char>, raw_escapes: bool) -> (String, bool) {
        let mut out = String::new();
        while let Some(ch) = self.peek() {
            if Some(ch) == stop {
                self.pos += 1;
                return (out, true);
            }
            match ch {
                '$' if self.depth < MAX_EXPANSION_DEPTH => {
                    let v = self.dollar();
                    out.push_str(&v);
                }
                '\'' => {
                    self.pos += 1;
                    while let Some(c) = self.bump() {
                        if c == '\'' {
                            break;
                        }
                        out.push(c);
                    }
                }
                '"' => {
                    self.pos += 1;
                    self.double_quoted(&mut out, raw_escapes);
                }
                _ => {
                    self.pos += 1;
                    if ch == self.escape {
                        if raw_escapes {
                            out.push(ch);
                        }
                        match self.bump() {
                            Some(c) => out.push(c),
                            None => break,
                        }
                    } else {
                        out.push(ch);
                    }
                }
            }
        }
        (out, stop.is_none())
    }

    fn double_quoted(&mut self, out: &mut String, raw_escapes: bool) {
        while let Some(ch) = self.peek() {
            match ch {
                '"' => {
                    self.pos += 1;
                    return;
                }
                '$' if self.depth < MAX_EXPANSION_DEPTH => {
                    let v = self.dollar();
                    out.push_str(&v);
                }
                _ => {
                    self.pos += 1;
                    let mut c = ch;
                    if ch == self.escape {
                        if raw_escapes {
                            out.push(ch);
                        }
                        match self.peek() {
                            None => continue,
                            Some(n) if n == '"' || n == '$' || n == self.escape => {
                                self.pos += 1;
                                c = n;
                            }
                            Some(_) => {}
                        }
                    }
                    out.push(c);
                }
            }
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && ch.is_numeric() {
                while let Some(d) = self.peek().filter(|c| c.is_numeric()) {
                    name.push(d);
                    self.pos += 1;
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.pos += 1;
                name.push(ch);
                return name;
            }
            if !(ch.is_alphanumeric() || ch == '_') {
                break;
            }
            name.push(ch);
            self.pos += 1;
        }
        name
    }

    fn lookup(&self, name: &str) -> Option<String> {
        (self.vars)(name)
    }

    /// Process a `$` expansion at the current position.
    fn dollar(&mut self) -> String {
        let start = self.pos;
        self.pos += 1;
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return "$".to_string();
            }
            return match self.lookup(&name) {
                Some(v) => v,
                None if self.keep_unknown => self.literal(start),
                None => String::new(),
            };
        }
        self.pos += 1;
        match self.peek() {
            None | Some('{' | '}' | ':') => return self.literal(start),
            _ => {}
        }
        let name = self.name();
        let Some(c) = self.bump() else {
            return self.literal(start);
        };
        match c {
            '}' => match self.lookup(&name) {
                Some(v) => v,
                None if self.keep_unknown => self.literal(start),
                None => String::new(),
            },
            ':' | '-' | '+' | '?' | '#' | '%' => {
                let (op, null_is_unset) = if c == ':' {
                    match self.bump() {
                        Some(o @ ('-' | '+' | '?')) => (o, true),
                        _ => return self.literal(start),
                    }
                } else {
                    (c, false)
                };
                self.depth += 1;
                let (word, ok) = self.until(Some('}'), op == '#' || op == '%');
                self.depth -= 1;
                if !ok {
                    return self.literal(start);
                }
                let value = self.lookup(&name);
                if self.keep_unknown && value.is_none() {
                    return self.literal(start);
                }
                let unset = match &value {
                    None => true,
                    Some(v) => null_is_unset && v.is_empty(),
                };
                match op {
                    '-' => {
                        if unset {
                            word
                        } else {
                            value.unwrap_or_default()
                        }
                    }
                    '+' => {
                        if unset {
                            String::new()
                        } else {
                            word
                        }
                    }
                    '?' => value.unwrap_or_default(),
                    _ => {
                        let greedy = word.starts_with(op);
                        let pat = if greedy {
                            &word[op.len_utf8()..]
                        } else {
                            &word[..]
                        };
                        trim_pattern(&value.unwrap_or_default(), pat, op == '#', greedy)
                    }
                }
            }
            '/' => {
                let all = self.peek() == Some('/');
                if all {
                    self.pos += 1;
                }
                self.depth += 1;
                let (pat, ok1) = self.until(Some('/'), true);
                let (rep, ok2) = if ok1 {
                    self.until(Some('}'), true)
                } else {
                    (String::new(), false)
                };
                self.depth -= 1;
                if !ok2 {
                    return self.literal(start);
                }
                match self.lookup(&name) {
                    Some(v) => replace_pattern(&v, &pat, &rep, all),
                    None if self.keep_unknown => self.literal(start),
                    None => String::new(),
                }
            }
            _ => self.literal(start),
        }
    }
}

/// A compiled shell glob pattern element.
enum Glob {
    Any,
    One,
    Lit(char),
    Class(Vec<(char, char)>, bool),
}

fn compile_glob(pat: &str) -> Vec<Glob> {
    let chars: Vec<char> = pat.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => out.push(Glob::Any),
            '?' => out.push(Glob::One),
            '\\' if i + 1 < chars.len() => {
                i += 1;
                out.push(Glob::Lit(chars[i]));
            }
            '[' => {
                let mut j = i + 1;
                let negated = matches!(chars.get(j), Some('!' | '^'));
                if negated {
                    j += 1;
                }
                let mut ranges = Vec::new();
                let mut first = true;
                let mut closed = false;
                while j < chars.len() {
                    let c = chars[j];
                    if c == ']' && !first {
                        closed = true;
                        break;
                    }
                    first = false;
                    if j + 2 < chars.len() && chars[j + 1] == '-' && chars[j + 2] != ']' {
                        ranges.push((c, chars[j + 2]));
                        j += 3;
                    } else {
                        ranges.push((c, c));
                        j += 1;
                    }
                }
                if closed {
                    out.push(Glob::Class(ranges, negated));
                    i = j;
                } else {
                    out.push(Glob::Lit('['));
                }
            }
            c => out.push(Glob::Lit(c)),
        }
        i += 1;
    }
    out
}

/// For a glob and text, all `e` such that the glob matches `text[start..e]` (as char indices).
fn glob_ends(glob: &[Glob], text: &[char], start: usize) -> Vec<bool> {
    let n = text.len();
    let mut cur = vec![false; n + 1];
    if start <= n {
        cur[start] = true;
    }
    for g in glob {
        let mut next = vec![false; n + 1];
        match g {
            Glob::Any => {
                if let Some(first) = cur.iter().position(|&b| b) {
                    for slot in next.iter_mut().skip(first) {
                        *slot = true;
                    }
                }
            }
            _ => {
                for p in 0..n {
                    if cur[p] {
                        let c = text[p];
                        let ok = match g {
                            Glob::One => true,
                            Glob::Lit(l) => *l == c,
                            Glob::Class(r, neg) => r.iter().any(|&(a, b)| a <= c && c <= b) != *neg,
                            Glob::Any => unreachable!(),
                        };
                        if ok {
                            next[p + 1] = true;
                        }
                    }
                }
            }
        }
        cur = next;
    }
    cur
}

/// `${v#p}`/`${v##p}` (prefix) and `${v%p}`/`${v%%p}` (suffix) removal.
fn trim_pattern(value: &str, pat: &str, prefix: bool, greedy: bool) -> String {
    let glob = compile_glob(pat);
    let text: Vec<char> = value.chars().collect();
    let n = text.len();
    if prefix {
        let ends = glob_ends(&glob, &text, 0);
        let k = if greedy {
            ends.iter().rposition(|&b| b)
        } else {
            ends.iter().position(|&b| b)
        };
        match k {
            Some(k) => text[k..].iter().collect(),
            None => value.to_string(),
        }
    } else {
        let matches_from = |s: usize| glob_ends(&glob, &text, s)[n];
        let k = if greedy {
            (0..=n).find(|&s| matches_from(s))
        } else {
            (0..=n).rev().find(|&s| matches_from(s))
        };
        match k {
            Some(k) => text[..k].iter().collect(),
            None => value.to_string(),
        }
    }
}

/// `${v/p/r}` and `${v//p/r}`: replace the first (or every) leftmost-longest match.
fn replace_pattern(value: &str, pat: &str, rep: &str, all: bool) -> String {
    if pat.is_empty() {
        return value.to_string();
    }
    let glob = compile_glob(pat);
    let text: Vec<char> = value.chars().collect();
    let n = text.len();
    let mut out = String::new();
    let mut p = 0;
    let mut replaced = false;
    while p <= n {
        if !replaced || all {
            let ends = glob_ends(&glob, &text, p);
            if let Some(e) = ends.iter().rposition(|&b| b).filter(|&e| e > p) {
                out.push_str(rep);
                p = e;
                replaced = true;
                continue;
            }
        }
        if p < n {
            out.push(text[p]);
        }
        p += 1;
    }
    out
}

#[cfg(test)]
mod tests;
