use super::*;

fn p(src: &str) -> Dockerfile {
    match parse(src) {
        Ok(df) => df,
        Err(e) => panic!("parse failed: {e}"),
    }
}

fn shell(s: &str) -> Args {
    Args::Shell(s.to_string())
}

fn exec(v: &[&str]) -> Args {
    Args::Exec(v.iter().map(|s| s.to_string()).collect())
}

fn flag(name: &str, value: Option<&str>, line: usize, column: usize) -> Flag {
    Flag {
        name: name.to_string(),
        value: value.map(str::to_string),
        line,
        column,
    }
}

fn pos(i: &Instruction) -> (usize, usize, usize) {
    (i.line, i.column, i.end_line)
}

// ---------------------------------------------------------------------------
// Basics
// ---------------------------------------------------------------------------

#[test]
fn empty_file() {
    let df = p("");
    assert!(df.instructions.is_empty());
    assert!(df.stages.is_empty());
    assert!(df.directives.is_empty());
    assert!(df.comments.is_empty());
    assert_eq!(df.escape, '\\');
}

#[test]
fn only_blank_lines_and_comments() {
    let df = p("\n   \n# just a comment\n\t# indented\n");
    assert!(df.instructions.is_empty());
    assert_eq!(
        df.comments,
        vec![
            Comment {
                line: 3,
                column: 1,
                text: "just a comment".into()
            },
            Comment {
                line: 4,
                column: 2,
                text: "indented".into()
            },
        ]
    );
}

#[test]
fn simple_positions() {
    let df = p("FROM alpine:3.20\n\n  RUN echo hi\nCMD [\"sh\"]\n");
    let [from, run, cmd] = &df.instructions[..] else {
        panic!("expected 3 instructions")
    };
    assert_eq!((from.keyword.as_str(), pos(from)), ("FROM", (1, 1, 1)));
    assert_eq!(from.args, shell("alpine:3.20"));
    assert_eq!((run.keyword.as_str(), pos(run)), ("RUN", (3, 3, 3)));
    assert_eq!(run.args, shell("echo hi"));
    assert_eq!(run.original, "RUN echo hi");
    assert_eq!(run.args_position(), (3, 7));
    assert_eq!((cmd.keyword.as_str(), pos(cmd)), ("CMD", (4, 1, 4)));
    assert_eq!(cmd.args, exec(&["sh"]));
    assert_eq!(run.stage, Some(0));
}

#[test]
fn lowercase_and_mixed_case_keywords() {
    let df = p("from alpine as Base\nRun echo hi\nworkdir /app\n");
    let kws: Vec<_> = df
        .instructions
        .iter()
        .map(|i| (i.keyword.as_str(), i.raw_keyword.as_str()))
        .collect();
    assert_eq!(
        kws,
        vec![("FROM", "from"), ("RUN", "Run"), ("WORKDIR", "workdir")]
    );
    assert_eq!(df.stages[0].name.as_deref(), Some("Base"));
    assert_eq!(df.stage_by_name("base"), Some(0));
}

#[test]
fn unknown_instruction_is_kept() {
    let df = p("FROM a\nFROBNICATE --x=1 the thing\n");
    let i = &df.instructions[1];
    assert_eq!(i.keyword, "FROBNICATE");
    assert_eq!(i.flags, vec![flag("x", Some("1"), 2, 12)]);
    assert_eq!(i.args, shell("the thing"));
    assert_eq!(i.stage, Some(0));
}

#[test]
fn crlf_and_bom() {
    let src = "\u{feff}# syntax=docker/dockerfile:1\r\nFROM alpine\r\nRUN echo a \\\r\n  && echo b\r\n\r\nCOPY <<EOF /x\r\nhello\r\nEOF\r\n";
    let df = p(src);
    assert_eq!(
        df.directives,
        vec![Directive {
            name: "syntax".into(),
            value: "docker/dockerfile:1".into(),
            line: 1
        }]
    );
    let run = &df.instructions[1];
    assert_eq!(pos(run), (3, 1, 4));
    assert_eq!(run.args, shell("echo a   && echo b"));
    assert_eq!(run.original, "RUN echo a \\\n  && echo b");
    let copy = &df.instructions[2];
    assert_eq!(pos(copy), (6, 1, 8));
    assert_eq!(copy.heredocs[0].content, "hello\n");
    assert_eq!(copy.heredocs[0].line, 7);
    assert_eq!(copy.heredocs[0].end_line, 8);
}

#[test]
fn bom_only_on_first_line_and_columns_count_characters() {
    let df = p("\u{feff}FROM a\nLABEL é=\"ü\" x=1\n");
    assert_eq!(pos(&df.instructions[0]), (1, 1, 1));
    let label = &df.instructions[1];
    // "LABEL é=\"ü\" " is 12 characters; `x` is the 13th.
    let off = label.logical.find("x=1").unwrap();
    assert_eq!(label.position(off), (2, 13));
}

// ---------------------------------------------------------------------------
// Directives
// ---------------------------------------------------------------------------

#[test]
fn directives_parsed_case_insensitively_and_not_comments() {
    let df = p(
        "# Syntax = docker/dockerfile:1.7\n#ESCAPE=`\n#  check=skip=JSONArgsRecommended;error=true\nFROM a\n",
    );
    let d: Vec<_> = df
        .directives
        .iter()
        .map(|d| (d.name.as_str(), d.value.as_str(), d.line))
        .collect();
    assert_eq!(
        d,
        vec![
            ("syntax", "docker/dockerfile:1.7", 1),
            ("escape", "`", 2),
            ("check", "skip=JSONArgsRecommended;error=true", 3)
        ]
    );
    assert_eq!(df.escape, '`');
    assert!(df.comments.is_empty());
}

#[test]
fn directives_stop_at_blank_line_comment_or_instruction() {
    // A blank line ends directives: the escape line is an ordinary comment.
    let df = p("# syntax=x\n\n# escape=`\nFROM a\n");
    assert_eq!(df.directives.len(), 1);
    assert_eq!(df.escape, '\\');
    assert_eq!(df.comments[0].text, "escape=`");

    // A non-directive comment ends directives.
    let df = p("# hello\n# escape=`\nFROM a\n");
    assert!(df.directives.is_empty());
    assert_eq!(df.escape, '\\');
    assert_eq!(df.comments.len(), 2);

    // An unknown directive ends directives (and is a comment).
    let df = p("# foo=bar\n# escape=`\nFROM a\n");
    assert!(df.directives.is_empty());
    assert_eq!(df.escape, '\\');

    // After an instruction, nothing is a directive.
    let df = p("FROM a\n# escape=`\n");
    assert!(df.directives.is_empty());
    assert_eq!(df.comments[0].line, 2);
}

#[test]
fn invalid_and_repeated_escape_directives_are_tolerated() {
    let df = p("# escape=x\nFROM a\n");
    assert_eq!(df.escape, '\\');
    assert_eq!(df.directives[0].value, "x");

    let df = p("# escape=`\n# escape=\\\nFROM a\n");
    assert_eq!(df.directives.len(), 2);
    assert_eq!(df.escape, '`');
}

// ---------------------------------------------------------------------------
// Line continuations
// ---------------------------------------------------------------------------

#[test]
fn continuation_skips_comments_and_blank_lines() {
    let src = "FROM debian\nRUN apt-get update \\\n    # install things\n    && apt-get install -y \\\n\n        curl \\\n  # another\n        git\nUSER app\n";
    let df = p(src);
    let run = &df.instructions[1];
    assert_eq!(pos(run), (2, 1, 8));
    assert_eq!(
        run.args,
        shell("apt-get update     && apt-get install -y         curl         git")
    );
    assert_eq!(run.empty_continuation_lines, vec![5]);
    assert_eq!(
        df.comments
            .iter()
            .map(|c| (c.line, c.column))
            .collect::<Vec<_>>(),
        vec![(3, 5), (7, 3)]
    );
    assert!(
        run.original
            .starts_with("RUN apt-get update \\\n    # install things\n")
    );
    assert!(run.original.ends_with("        git"));
    // Positions inside the joined text map back to their lines.
    let off = run.logical.find("curl").unwrap();
    assert_eq!(run.position(off), (6, 9));
    let off = run.logical.find("git").unwrap();
    assert_eq!(run.position(off), (8, 9));
    let user = &df.instructions[2];
    assert_eq!(pos(user), (9, 1, 9));
}

#[test]
fn continuation_allows_trailing_whitespace_after_escape() {
    let df = p("RUN a \\  \t\n  b\n");
    assert_eq!(df.instructions.len(), 1);
    assert_eq!(df.instructions[0].args, shell("a   b"));
    assert_eq!(df.instructions[0].end_line, 2);
}

#[test]
fn doubled_escape_is_not_a_continuation() {
    let df = p("RUN echo a\\\\\nRUN echo b\n");
    assert_eq!(df.instructions.len(), 2);
    assert_eq!(df.instructions[0].args, shell("echo a\\\\"));
}

#[test]
fn continuation_at_end_of_file_and_lone_backslash() {
    let df = p("FROM a\nRUN echo \\");
    assert_eq!(df.instructions[1].args, shell("echo"));
    assert_eq!(df.instructions[1].end_line, 2);

    let df = p("RUN echo \\\n# trailing comment\n");
    assert_eq!(df.instructions[0].end_line, 2);

    let df = p("\\");
    assert!(df.instructions.is_empty());

    // A lone escape line joins the next line; the keyword position is exact.
    let df = p("\\\n  RUN x\n");
    assert_eq!(pos(&df.instructions[0]), (2, 3, 2));
}

#[test]
fn continuation_swallows_next_instruction_after_blank_line_like_buildkit() {
    let df = p("RUN a \\\n\nRUN b\n");
    assert_eq!(df.instructions.len(), 1);
    assert_eq!(df.instructions[0].args, shell("a RUN b"));
    assert_eq!(df.instructions[0].empty_continuation_lines, vec![2]);
}

#[test]
fn backtick_escape_with_windows_paths() {
    let src = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir C:\\ `\n    && echo C:\\Windows\\\nCOPY C:\\src\\app.exe C:\\app\\\nWORKDIR C:\\app\n";
    let df = p(src);
    assert_eq!(df.escape, '`');
    let [_, run, copy, workdir] = &df.instructions[..] else {
        panic!("expected 4 instructions")
    };
    assert_eq!(pos(run), (3, 1, 4));
    assert_eq!(run.args, shell("dir C:\\     && echo C:\\Windows\\"));
    assert_eq!(pos(copy), (5, 1, 5));
    assert_eq!(copy.words(), vec!["C:\\src\\app.exe", "C:\\app\\"]);
    assert_eq!(workdir.args, shell("C:\\app"));
    assert_eq!(df.resolve_in_stage(0, 3, "C:\\app"), "C:\\app");
}

#[test]
fn backtick_escape_exec_form_and_flags() {
    let src = "# escape=`\nFROM a\nSHELL [\"powershell\", \"-Command\", \"$ErrorActionPreference = 'Stop';\"]\nRUN --mount=type=bind,source=C:\\x `\n    Write-Host C:\\x\n";
    let df = p(src);
    assert_eq!(
        df.instructions[1].args,
        exec(&["powershell", "-Command", "$ErrorActionPreference = 'Stop';"])
    );
    let run = &df.instructions[2];
    assert_eq!(
        run.flags,
        vec![flag("mount", Some("type=bind,source=C:\\x"), 4, 5)]
    );
    assert_eq!(run.args, shell("Write-Host C:\\x"));
    assert_eq!(run.args_position(), (5, 5));
}

// ---------------------------------------------------------------------------
// Exec form
// ---------------------------------------------------------------------------

#[test]
fn exec_form_json_escapes() {
    let df = p(
        r#"CMD ["echo", "a \"quoted\" word", "tab\there", "\u00e9\ud83d\ude00", "back\\slash", "\/"]"#,
    );
    assert_eq!(
        df.instructions[0].args,
        exec(&[
            "echo",
            "a \"quoted\" word",
            "tab\there",
            "é😀",
            "back\\slash",
            "/"
        ])
    );
    assert_eq!(
        df.instructions[0].shell_text(),
        "echo a \"quoted\" word tab\there é😀 back\\slash /"
    );
}

#[test]
fn exec_form_invalid_json_falls_back_to_shell() {
    for (src, args) in [
        ("CMD [echo, hi]", "[echo, hi]"),
        ("CMD ['echo', 'hi']", "['echo', 'hi']"),
        ("CMD [\"a\",]", "[\"a\",]"),
        ("CMD [\"a\"] trailing", "[\"a\"] trailing"),
        ("CMD [1, 2]", "[1, 2]"),
        ("CMD [\"bad \\q escape\"]", "[\"bad \\q escape\"]"),
        ("ENTRYPOINT [\"unterminated", "[\"unterminated"),
    ] {
        let df = p(src);
        assert_eq!(df.instructions[0].args, shell(args), "{src}");
    }
    let df = p("RUN []\nVOLUME [\"/data\", \"/logs\"]\nCOPY [\"a b\", \"/dst/\"]\n");
    assert_eq!(df.instructions[0].args, exec(&[]));
    assert_eq!(df.instructions[1].args, exec(&["/data", "/logs"]));
    assert_eq!(df.instructions[2].args, exec(&["a b", "/dst/"]));
    // Only some instructions have an exec form.
    let df = p("USER [\"root\"]\n");
    assert_eq!(df.instructions[0].args, shell("[\"root\"]"));
}

#[test]
fn exec_form_across_continuation_lines() {
    let df = p("ENTRYPOINT [\"/bin/sh\", \\\n  \"-c\", \\\n  \"run\"]\n");
    let i = &df.instructions[0];
    assert_eq!(i.args, exec(&["/bin/sh", "-c", "run"]));
    assert_eq!(pos(i), (1, 1, 3));
    assert!(i.is_exec_form());
}

// ---------------------------------------------------------------------------
// Flags
// ---------------------------------------------------------------------------

#[test]
fn copy_flags_with_positions() {
    let df = p(
        "FROM a AS builder\nFROM b\nCOPY --from=builder --chown=1000:1000 --chmod=755 --link /src /dst\n",
    );
    let copy = &df.instructions[2];
    assert_eq!(
        copy.flags,
        vec![
            flag("from", Some("builder"), 3, 6),
            flag("chown", Some("1000:1000"), 3, 21),
            flag("chmod", Some("755"), 3, 39),
            flag("link", None, 3, 51),
        ]
    );
    assert_eq!(copy.args, shell("/src /dst"));
    assert_eq!(copy.args_position(), (3, 58));
    assert_eq!(
        copy.flag("chown").and_then(|f| f.value.as_deref()),
        Some("1000:1000")
    );
    assert_eq!(df.resolve_stage_ref("builder", 1), Some(0));
    assert_eq!(df.resolve_stage_ref("0", 1), Some(0));
    assert_eq!(df.resolve_stage_ref("1", 1), None);
    assert_eq!(df.resolve_stage_ref("nope", 1), None);
}

#[test]
fn run_mount_flags_repeat_and_span_lines() {
    let src = "FROM a\nRUN --mount=type=cache,target=/root/.cache \\\n    --mount=type=secret,id=npmrc \\\n    --network=none --security=insecure \\\n    pip install -r requirements.txt\n";
    let df = p(src);
    let run = &df.instructions[1];
    assert_eq!(
        run.flags,
        vec![
            flag("mount", Some("type=cache,target=/root/.cache"), 2, 5),
            flag("mount", Some("type=secret,id=npmrc"), 3, 5),
            flag("network", Some("none"), 4, 5),
            flag("security", Some("insecure"), 4, 20),
        ]
    );
    assert_eq!(
        run.flag_values("mount").collect::<Vec<_>>(),
        vec!["type=cache,target=/root/.cache", "type=secret,id=npmrc"]
    );
    assert_eq!(run.args, shell("pip install -r requirements.txt"));
    assert_eq!(run.args_position(), (5, 5));
}

#[test]
fn flags_only_at_start_quotes_and_double_dash() {
    let df = p(
        "RUN echo --not-a-flag\nCOPY --chown=\"app user\" a b\nCOPY -- --weird b\nADD --checksum=sha256:abc --keep-git-dir=true https://x/y /z\nCOPY --link=false a b\n",
    );
    let i = &df.instructions;
    assert!(i[0].flags.is_empty());
    assert_eq!(i[0].args, shell("echo --not-a-flag"));
    assert_eq!(i[1].flags, vec![flag("chown", Some("app user"), 2, 6)]);
    assert_eq!(i[1].args, shell("a b"));
    assert!(i[2].flags.is_empty());
    assert_eq!(i[2].args, shell("--weird b"));
    assert_eq!(
        i[3].flags
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        vec!["checksum", "keep-git-dir"]
    );
    assert_eq!(i[4].flags, vec![flag("link", Some("false"), 5, 6)]);
}

#[test]
fn from_platform_flag() {
    let df = p("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n");
    let from = &df.instructions[0];
    assert_eq!(
        from.flags,
        vec![flag("platform", Some("$BUILDPLATFORM"), 1, 6)]
    );
    assert_eq!(df.stages[0].platform.as_deref(), Some("$BUILDPLATFORM"));
    assert_eq!(df.stages[0].base, "golang:1.22");
    assert_eq!(df.stages[0].name.as_deref(), Some("build"));
}

// ---------------------------------------------------------------------------
// Heredocs
// ---------------------------------------------------------------------------

#[test]
fn heredoc_single() {
    let src = "FROM alpine\nRUN <<EOF\napk add curl\necho done\nEOF\nUSER app\n";
    let df = p(src);
    let run = &df.instructions[1];
    assert_eq!(pos(run), (2, 1, 5));
    assert_eq!(run.args, shell("<<EOF"));
    assert_eq!(
        run.heredocs,
        vec![Heredoc {
            delimiter: "EOF".into(),
            strip_tabs: false,
            quoted_delimiter: false,
            content: "apk add curl\necho done\n".into(),
            line: 3,
            end_line: 5,
        }]
    );
    assert_eq!(run.original, "RUN <<EOF\napk add curl\necho done\nEOF");
    assert_eq!(pos(&df.instructions[2]), (6, 1, 6));
}

#[test]
fn heredoc_multiple_in_one_instruction() {
    let src = "RUN <<A cat >x <<B\nfirst\nA\nsecond\nB\nCMD x\n";
    let df = p(src);
    let run = &df.instructions[0];
    let h: Vec<_> = run
        .heredocs
        .iter()
        .map(|h| (h.delimiter.as_str(), h.content.as_str(), h.line, h.end_line))
        .collect();
    assert_eq!(h, vec![("A", "first\n", 2, 3), ("B", "second\n", 4, 5)]);
    assert_eq!(run.end_line, 5);
    assert_eq!(df.instructions[1].line, 6);
}

#[test]
fn heredoc_terminators_are_exact() {
    // `X` and `Y` appear as content of the other heredoc.
    let src = "COPY <<X <<Y /dest/\nY\nX\nX\nY\n";
    let df = p(src);
    let h = &df.instructions[0].heredocs;
    assert_eq!(
        (h[0].content.as_str(), h[1].content.as_str()),
        ("Y\n", "X\n")
    );
    // Indented terminator does not end a plain heredoc; trailing space neither.
    let df = p("RUN <<EOF\n  EOF\nEOF \nEOF\n");
    assert_eq!(df.instructions[0].heredocs[0].content, "  EOF\nEOF \n");
}

#[test]
fn heredoc_strip_tabs() {
    let src = "RUN <<-EOT sh\n\techo one\n\t\techo two\n    echo spaces\n\tEOT\n";
    let df = p(src);
    let h = &df.instructions[0].heredocs[0];
    assert!(h.strip_tabs);
    assert_eq!(h.delimiter, "EOT");
    assert_eq!(h.content, "echo one\necho two\n    echo spaces\n");
    assert_eq!(h.end_line, 5);
    assert_eq!(df.instructions[0].args, shell("<<-EOT sh"));
}

#[test]
fn heredoc_quoted_delimiters() {
    let src = "RUN <<\"EOF\"\necho $HOME\nEOF\nRUN <<'END'\nx\nEND\nRUN <<E\"O\"F\ny\nEOF\nRUN <<-\"T\"\n\tz\n\tT\n";
    let df = p(src);
    let h: Vec<_> = df
        .instructions
        .iter()
        .map(|i| {
            let h = &i.heredocs[0];
            (
                h.delimiter.as_str(),
                h.quoted_delimiter,
                h.strip_tabs,
                h.content.as_str(),
            )
        })
        .collect();
    assert_eq!(
        h,
        vec![
            ("EOF", true, false, "echo $HOME\n"),
            ("END", true, false, "x\n"),
            ("EOF", true, false, "y\n"),
            ("T", true, true, "z\n"),
        ]
    );
}

#[test]
fn heredoc_copy_with_destination() {
    let src = "FROM a\nCOPY --chmod=644 <<EOF /etc/app.conf\nkey=value\n# not a comment\nEOF\n";
    let df = p(src);
    let copy = &df.instructions[1];
    assert_eq!(copy.flags, vec![flag("chmod", Some("644"), 2, 6)]);
    assert_eq!(copy.args, shell("<<EOF /etc/app.conf"));
    assert_eq!(copy.heredocs[0].content, "key=value\n# not a comment\n");
    assert!(df.comments.is_empty());
}

#[test]
fn heredoc_followed_by_comment() {
    // hadolint fails on this shape (real files in the corpus have it).
    let src = "FROM a\nRUN <<EOF\napt-get update\nEOF\n# install Docker tools (cli, buildx, compose)\nCOPY --from=b /x /y\n";
    let df = p(src);
    assert_eq!(df.instructions.len(), 3);
    assert_eq!(pos(&df.instructions[1]), (2, 1, 4));
    assert_eq!(
        df.comments,
        vec![Comment {
            line: 5,
            column: 1,
            text: "install Docker tools (cli, buildx, compose)".into()
        }]
    );
    assert_eq!(pos(&df.instructions[2]), (6, 1, 6));
}

#[test]
fn heredoc_content_that_looks_like_instructions() {
    let src = "FROM alpine AS one\nCOPY <<EOF /Dockerfile.inner\nFROM scratch\nRUN echo not an instruction \\\nEOF\nRUN true\n";
    let df = p(src);
    assert_eq!(df.instructions.len(), 3);
    assert_eq!(df.stages.len(), 1);
    assert_eq!(
        df.instructions[1].heredocs[0].content,
        "FROM scratch\nRUN echo not an instruction \\\n"
    );
    assert_eq!(pos(&df.instructions[2]), (6, 1, 6));
}

#[test]
fn heredoc_markers_inside_quotes_are_not_heredocs() {
    let df = p(
        "RUN echo \"<<EOF\"\nRUN echo '<<EOF' && echo x\nRUN echo \\<<EOF\nRUN cat<<EOF\nCMD <<EOF\nRUN [\"<<EOF\"]\n",
    );
    assert_eq!(df.instructions.len(), 6);
    assert!(df.instructions.iter().all(|i| i.heredocs.is_empty()));
}

#[test]
fn heredoc_after_continuation_and_with_flags() {
    let src = "RUN --mount=type=cache,target=/var/cache/apt \\\n    <<EOF bash\nset -e\nEOF\n";
    let df = p(src);
    let run = &df.instructions[0];
    assert_eq!(pos(run), (1, 1, 4));
    assert_eq!(run.flags.len(), 1);
    assert_eq!(run.heredocs[0].content, "set -e\n");
    assert_eq!(run.heredocs[0].line, 3);
}

#[test]
fn heredoc_with_space_and_fd_prefix() {
    let df = p("RUN <<  EOF\na\nEOF\nRUN 3<<EOF cat /dev/fd/3\nb\nEOF\n");
    assert_eq!(df.instructions[0].heredocs[0].delimiter, "EOF");
    assert_eq!(df.instructions[1].heredocs[0].content, "b\n");
}

#[test]
fn heredoc_empty_body() {
    let df = p("RUN <<EOF\nEOF\n");
    let h = &df.instructions[0].heredocs[0];
    assert_eq!((h.content.as_str(), h.line, h.end_line), ("", 2, 2));
}

#[test]
fn unterminated_heredoc_is_an_error() {
    let err = parse("FROM a\nRUN echo hi && cat <<EOF\nline\n").unwrap_err();
    assert_eq!((err.line, err.column), (2, 20));
    assert!(
        err.message.contains("unterminated heredoc"),
        "{}",
        err.message
    );
    assert!(err.to_string().starts_with("line 2, column 20: "));
}

// ---------------------------------------------------------------------------
// ONBUILD and HEALTHCHECK
// ---------------------------------------------------------------------------

#[test]
fn onbuild_wraps_an_instruction() {
    let df = p(
        "FROM a\nONBUILD RUN --mount=type=cache,target=/c make \\\n    install\nONBUILD COPY <<EOF /x\nhi\nEOF\n",
    );
    let ob = &df.instructions[1];
    assert_eq!(ob.keyword, "ONBUILD");
    assert_eq!(
        ob.args,
        shell("RUN --mount=type=cache,target=/c make     install")
    );
    let sub = ob.sub.as_deref().unwrap();
    assert_eq!(
        (sub.keyword.as_str(), sub.line, sub.column, sub.end_line),
        ("RUN", 2, 9, 3)
    );
    assert_eq!(
        sub.flags,
        vec![flag("mount", Some("type=cache,target=/c"), 2, 13)]
    );
    assert_eq!(sub.args, shell("make     install"));
    assert_eq!(
        sub.original,
        "RUN --mount=type=cache,target=/c make \\\n    install"
    );
    assert_eq!(sub.stage, Some(0));

    let ob2 = &df.instructions[2];
    assert_eq!(ob2.end_line, 6);
    assert_eq!(ob2.heredocs[0].content, "hi\n");
    let sub2 = ob2.sub.as_deref().unwrap();
    assert_eq!(sub2.keyword, "COPY");
    assert_eq!(sub2.heredocs, ob2.heredocs);
}

#[test]
fn healthcheck_none_and_cmd() {
    let src = "FROM a\nHEALTHCHECK NONE\nHEALTHCHECK --interval=30s --timeout=3s \\\n  CMD curl -f http://localhost/ || exit 1\nHEALTHCHECK CMD [\"curl\", \"-f\", \"http://x\"]\n";
    let df = p(src);
    let none = &df.instructions[1];
    assert_eq!(none.args, shell("NONE"));
    assert!(none.sub.is_none());

    let hc = &df.instructions[2];
    assert_eq!(pos(hc), (3, 1, 4));
    assert_eq!(
        hc.flags,
        vec![
            flag("interval", Some("30s"), 3, 13),
            flag("timeout", Some("3s"), 3, 28)
        ]
    );
    let cmd = hc.sub.as_deref().unwrap();
    assert_eq!((cmd.keyword.as_str(), cmd.line, cmd.column), ("CMD", 4, 3));
    assert_eq!(cmd.args, shell("curl -f http://localhost/ || exit 1"));
    assert_eq!(cmd.args_position(), (4, 7));
    assert_eq!(cmd.shell_text(), "curl -f http://localhost/ || exit 1");

    let hc2 = &df.instructions[3];
    assert_eq!(
        hc2.sub.as_deref().unwrap().args,
        exec(&["curl", "-f", "http://x"])
    );
}

// ---------------------------------------------------------------------------
// Stages
// ---------------------------------------------------------------------------

#[test]
fn multi_stage_build() {
    let src = "\
ARG GO_VERSION=1.22
ARG BASE=debian
FROM golang:${GO_VERSION} AS Build
WORKDIR /src
RUN go build -o /app
FROM build as test
RUN go test ./...
FROM ${BASE}:bookworm-slim
COPY --from=BUILD /app /usr/local/bin/app
FROM scratch
COPY --from=2 / /
";
    let df = p(src);
    assert_eq!(df.instructions[0].stage, None);
    assert_eq!(df.instructions[1].stage, None);
    let s: Vec<_> = df
        .stages
        .iter()
        .map(|s| {
            (
                s.index,
                s.name.as_deref(),
                s.base.as_str(),
                s.line,
                s.from_stage,
                s.instructions.clone(),
            )
        })
        .collect();
    assert_eq!(
        s,
        vec![
            (0, Some("Build"), "golang:${GO_VERSION}", 3, None, 2..5),
            (1, Some("test"), "build", 6, Some(0), 5..7),
            (2, None, "${BASE}:bookworm-slim", 8, None, 7..9),
            (3, None, "scratch", 10, None, 9..11),
        ]
    );
    assert_eq!(df.instructions[6].stage, Some(1));
    let copy = &df.instructions[8];
    let from = copy.flag("from").unwrap().value.as_deref().unwrap();
    assert_eq!(df.resolve_stage_ref(from, copy.stage.unwrap()), Some(0));
    assert_eq!(df.resolve_stage_ref("2", 3), Some(2));
    assert_eq!(df.stage_instructions(1).len(), 2);
    assert!(df.stage_instructions(9).is_empty());
    assert!(df.stages[3].image_ref().unwrap().is_scratch());
    assert!(df.stages[1].image_ref().is_none());
    // FROM lines see global ARGs.
    assert_eq!(
        expand(&df.stages[2].base, &|n: &str| df.global_scope().get(n)),
        "debian:bookworm-slim"
    );
}

#[test]
fn from_stage_resolves_through_global_args() {
    let df = p("ARG STAGE=builder\nFROM alpine AS builder\nFROM ${STAGE}\n");
    assert_eq!(df.stages[1].from_stage, Some(0));
    // A stage cannot name itself or a later stage.
    let df = p("FROM later AS first\nFROM alpine AS later\n");
    assert_eq!(df.stages[0].from_stage, None);
}

// ---------------------------------------------------------------------------
// Variables
// ---------------------------------------------------------------------------

#[test]
fn user_resolved_through_arg_and_env() {
    let src = "\
ARG UID=1000
ARG GID=1000
FROM alpine AS base
ARG UID
ENV APP_USER=$UID HOME=\"/home/app user\" \\
    GID=${GID:-100}
USER $UID:$GID
FROM base
ENV LEGACY some value with spaces
USER ${APP_USER}
ARG GID
USER $GID
";
    let df = p(src);
    let user1 = 5;
    assert_eq!(df.instructions[user1].keyword, "USER");
    assert_eq!(df.resolve_in_stage(0, user1, "$UID:$GID"), "1000:100");
    assert_eq!(df.resolve_in_stage(0, user1, "$HOME"), "/home/app user");
    // The global ARG is not visible in the stage until re-declared.
    assert_eq!(df.resolve_in_stage(0, 3, "${UID}"), "");
    assert_eq!(df.resolve_in_stage(0, 4, "${UID}"), "1000");

    // ENV is inherited by `FROM base`; ARGs are not.
    let user2 = 8;
    assert_eq!(df.instructions[user2].keyword, "USER");
    assert_eq!(df.resolve_in_stage(1, user2, "${APP_USER}"), "1000");
    assert_eq!(
        df.resolve_in_stage(1, user2, "$LEGACY"),
        "some value with spaces"
    );
    assert_eq!(df.resolve_in_stage(1, user2, "${UID:-none}"), "none");
    // ENV wins over a later ARG of the same name.
    assert_eq!(df.instructions[10].keyword, "USER");
    assert_eq!(df.resolve_in_stage(1, 10, "$GID"), "100");

    let scope = df.scope_at(1, user2);
    assert!(!scope.is_declared("UID"));
    assert_eq!(scope.get("HOME").as_deref(), Some("/home/app user"));
    // Unknown variables can be kept visible.
    assert_eq!(
        expand_partial("$UID/$HOME", '\\', &|n: &str| scope.get(n)),
        "$UID//home/app user"
    );
}

#[test]
fn env_values_in_one_instruction_see_the_previous_scope() {
    let df = p("FROM a\nENV A=1\nENV A=2 B=$A\nRUN x\n");
    assert_eq!(df.resolve_in_stage(0, 3, "$A$B"), "21");
}

#[test]
fn arg_without_default_and_scope_end() {
    let df = p("FROM a\nARG VERSION\nARG FLAVOR=slim\nRUN x\n");
    let scope = df.scope_at(0, usize::MAX);
    assert!(scope.is_declared("VERSION"));
    assert_eq!(scope.get("VERSION"), None);
    assert_eq!(scope.get("FLAVOR").as_deref(), Some("slim"));
    assert_eq!(df.resolve_in_stage(0, 1, "$FLAVOR"), "");
    assert_eq!(
        df.resolve_in_stage(0, 3, "img-${VERSION:-latest}-$FLAVOR"),
        "img-latest-slim"
    );
    // Out-of-range stage: global scope.
    assert_eq!(df.resolve_in_stage(7, 0, "${FLAVOR:-x}"), "x");
}

#[test]
fn expand_forms() {
    let vars = |n: &str| match n {
        "A" => Some("hello".to_string()),
        "E" => Some(String::new()),
        "V" => Some("1.22.3".to_string()),
        "P" => Some("/usr/local/bin".to_string()),
        _ => None,
    };
    let cases = [
        ("$A", "hello"),
        ("${A}", "hello"),
        ("x${A}y", "xhelloy"),
        ("$A-$B.", "hello-."),
        ("${B:-def}", "def"),
        ("${E:-def}", "def"),
        ("${E-def}", ""),
        ("${A:-def}", "hello"),
        ("${A:+alt}", "alt"),
        ("${E:+alt}", ""),
        ("${E+alt}", "alt"),
        ("${B:+alt}", ""),
        ("${B:-${A}}", "hello"),
        ("\\$A", "$A"),
        ("'$A'", "$A"),
        ("\"$A\"", "hello"),
        ("\"\\$A\"", "$A"),
        ("\"a b\"", "a b"),
        ("a\\ b", "a b"),
        ("${V%.*}", "1.22"),
        ("${V%%.*}", "1"),
        ("${V#*.}", "22.3"),
        ("${V##*.}", "3"),
        ("${P/local/opt}", "/usr/opt/bin"),
        ("${P//\\//:}", ":usr:local:bin"),
        ("$", "$"),
        ("${", "${"),
        ("${}", "${}"),
        ("${A", "${A"),
        ("${A:-unterminated", "${A:-unterminated"),
        ("trailing\\", "trailing"),
        ("$1x", "x"),
    ];
    for (input, want) in cases {
        assert_eq!(expand(input, &vars), want, "expand({input:?})");
    }
    // Backtick escape: backslashes are literal.
    assert_eq!(expand_with_escape("C:\\$A`$A", '`', &vars), "C:\\hello$A");
    // Partial expansion keeps unknown references as written.
    assert_eq!(
        expand_partial("$A ${B:-x} $B ${B}", '\\', &vars),
        "hello ${B:-x} $B ${B}"
    );
    assert_eq!(unquote("\"a b\"'c'\\d$X", '\\'), "a bcd$X");
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

#[test]
fn words_and_shell_text() {
    let df = p("RUN echo \"a b\" 'c d' e\\ f\nCMD [\"a\", \"b c\"]\nCOPY a   b\n");
    assert_eq!(
        df.instructions[0].words(),
        vec!["echo", "a b", "c d", "e f"]
    );
    assert_eq!(df.instructions[0].shell_text(), "echo \"a b\" 'c d' e\\ f");
    assert_eq!(df.instructions[1].words(), vec!["a", "b c"]);
    assert_eq!(df.instructions[1].shell_text(), "a b c");
    assert_eq!(df.instructions[2].words(), vec!["a", "b"]);
}

#[test]
fn key_values_of_env_label_arg() {
    let df = p(
        "ENV A=1 B=\"two words\" C=x\\ y\nENV OLD value with  spaces\nLABEL \"com.example.k\"=\"v\" maintainer='me'\nARG X\nARG Y=\"d\"\nRUN x\n",
    );
    let kv = |i: usize| -> Vec<(String, Option<String>)> {
        df.instructions[i]
            .key_values()
            .into_iter()
            .map(|k| (k.key, k.value))
            .collect()
    };
    let s = |k: &str, v: &str| (k.to_string(), Some(v.to_string()));
    assert_eq!(kv(0), vec![s("A", "1"), s("B", "two words"), s("C", "x y")]);
    assert_eq!(kv(1), vec![s("OLD", "value with  spaces")]);
    assert_eq!(kv(2), vec![s("com.example.k", "v"), s("maintainer", "me")]);
    assert_eq!(kv(3), vec![("X".to_string(), None)]);
    assert_eq!(kv(4), vec![s("Y", "d")]);
    assert_eq!(
        df.instructions[4].key_values()[0].raw_value.as_deref(),
        Some("\"d\"")
    );
    assert!(kv(5).is_empty());
}

#[test]
fn image_refs() {
    let r = |s: &str| {
        let i = parse_image_ref(s);
        (i.registry, i.repository, i.tag, i.digest)
    };
    let o = |s: &str| Some(s.to_string());
    assert_eq!(r("ubuntu"), (None, "ubuntu".into(), None, None));
    assert_eq!(r("ubuntu:22.04"), (None, "ubuntu".into(), o("22.04"), None));
    assert_eq!(
        r("library/ubuntu:22.04"),
        (None, "library/ubuntu".into(), o("22.04"), None)
    );
    assert_eq!(
        r("registry:5000/ns/img:tag"),
        (o("registry:5000"), "ns/img".into(), o("tag"), None)
    );
    assert_eq!(
        r("localhost/img"),
        (o("localhost"), "img".into(), None, None)
    );
    assert_eq!(
        r("ghcr.io/org/app"),
        (o("ghcr.io"), "org/app".into(), None, None)
    );
    assert_eq!(
        r("img@sha256:abcd"),
        (None, "img".into(), None, o("sha256:abcd"))
    );
    assert_eq!(
        r("quay.io/a/b:1.0@sha256:ef"),
        (o("quay.io"), "a/b".into(), o("1.0"), o("sha256:ef"))
    );
    assert_eq!(
        r("registry:5000/img"),
        (o("registry:5000"), "img".into(), None, None)
    );
    assert_eq!(r("Upper/img"), (o("Upper"), "img".into(), None, None));
    assert_eq!(
        r("MyImage:Latest"),
        (None, "MyImage".into(), o("Latest"), None)
    );
    assert_eq!(r(""), (None, String::new(), None, None));
    assert!(parse_image_ref("scratch").is_scratch());
    assert!(!parse_image_ref("scratch2").is_scratch());
    assert_eq!(
        parse_image_ref("ubuntu:22.04").full_name(),
        "docker.io/library/ubuntu"
    );
    assert_eq!(
        parse_image_ref("bitnami/redis").full_name(),
        "docker.io/bitnami/redis"
    );
    assert_eq!(parse_image_ref("ghcr.io/o/a:1").full_name(), "ghcr.io/o/a");
}

#[test]
fn original_text_covers_continuations_comments_and_heredocs() {
    let src = "  RUN a \\\n# c\n  b && cat <<EOF\nbody\nEOF\n";
    let df = p(src);
    let i = &df.instructions[0];
    assert_eq!(pos(i), (1, 3, 5));
    assert_eq!(i.original, "RUN a \\\n# c\n  b && cat <<EOF\nbody\nEOF");
    assert_eq!(i.logical, "RUN a   b && cat <<EOF");
    assert_eq!(i.keyword_offset, 0);
}

#[test]
fn garbage_does_not_panic() {
    let inputs = [
        "\\",
        "`",
        "\\\n\\\n\\",
        "RUN \\",
        "# escape=`\nRUN `",
        "RUN <<",
        "RUN <<-",
        "RUN <<'EOF",
        "RUN <<\"",
        "RUN ${",
        "RUN \"${A:-\"",
        "RUN <<EOF${A:-x}\nEOF${A:-x}\n",
        "COPY [\"\\ud800\"]",
        "CMD [\"\\u12\"]",
        "ONBUILD",
        "ONBUILD ONBUILD ONBUILD ONBUILD RUN x",
        "HEALTHCHECK",
        "HEALTHCHECK CMD",
        "FROM",
        "FROM AS",
        "FROM a AS",
        "ENV",
        "ENV A",
        "ARG =",
        "LABEL =x",
        "\u{0}\u{1}\u{7f}RUN\u{85}x",
        "RUN \u{a0}--flag\u{a0}x",
        "--",
        "-- --",
        "RUN --",
        "RUN --=",
        "RUN --\"",
        "\r\r\r\n\r",
        "\u{feff}",
        "\u{feff}\u{feff}FROM a",
    ];
    for src in inputs {
        let _ = parse(src);
    }
    let df = p("ONBUILD ONBUILD ONBUILD ONBUILD RUN x");
    assert!(df.instructions[0].sub.is_some());
    for w in [
        "${",
        "${A:-${B:-${C",
        "\\",
        "\"",
        "'",
        "${A/",
        "${A//x",
        "${A#[",
        "${A%[!a-",
    ] {
        let _ = expand(w, &|_: &str| Some("v".into()));
        let _ = expand_partial(w, '`', &|_: &str| None);
    }
    let deep = "${A:-".repeat(200) + &"}".repeat(200);
    let _ = expand(&deep, &|_: &str| None);
}

// ---------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------

mod prop {
    use super::super::*;
    use proptest::prelude::*;

    /// Structural invariants every successful parse must satisfy.
    fn check_invariants(src: &str, df: &Dockerfile) {
        let n_lines = src.lines().count().max(1);
        for (idx, ins) in df.instructions.iter().enumerate() {
            assert!(ins.line >= 1 && ins.column >= 1, "{ins:?}");
            assert!(
                ins.line <= ins.end_line && ins.end_line <= n_lines,
                "{ins:?}"
            );
            assert!(ins.args_offset <= ins.logical.len());
            assert!(ins.logical.is_char_boundary(ins.args_offset));
            for f in &ins.flags {
                assert!(f.line >= ins.line && f.line <= ins.end_line);
            }
            for h in &ins.heredocs {
                assert!(h.line > ins.line && h.end_line <= ins.end_line);
            }
            if let Some(s) = ins.stage {
                assert!(df.stages[s].instructions.contains(&idx));
            }
            let _ = ins.words();
            let _ = ins.shell_text();
            let _ = ins.key_values();
        }
        for w in df.instructions.windows(2) {
            assert!(w[0].end_line < w[1].line);
        }
        for (i, s) in df.stages.iter().enumerate() {
            assert_eq!(s.index, i);
            assert_eq!(df.instructions[s.instructions.start].keyword, "FROM");
            assert!(s.from_stage.is_none_or(|f| f < i));
            let _ = df.resolve_in_stage(i, usize::MAX, "${A:-$B}");
        }
    }

    const FRAGMENTS: &[&str] = &[
        "FROM ",
        "from a AS b",
        "RUN ",
        "COPY ",
        "ADD ",
        "ONBUILD ",
        "HEALTHCHECK ",
        "CMD ",
        "ENV ",
        "ARG ",
        "\\",
        "\\\n",
        "`",
        "\n",
        "\r\n",
        " ",
        "\t",
        "<<EOF",
        "<<-EOF",
        "<<\"EOF\"",
        "<<'EOF'",
        "\nEOF\n",
        "\n\tEOF\n",
        "\"",
        "'",
        "#",
        "# escape=`\n",
        "[\"a\", \"b\"]",
        "[",
        "--mount=type=cache",
        "--from=0",
        "${A:-b}",
        "$",
        "=",
        "a",
        "z",
        "\u{e9}",
        "\u{a0}",
    ];

    fn fragment() -> impl Strategy<Value = String> {
        prop::sample::select(FRAGMENTS).prop_map(str::to_string)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn parse_never_panics_on_arbitrary_strings(src in any::<String>()) {
            if let Ok(df) = parse(&src) {
                check_invariants(&src, &df);
            }
        }

        #[test]
        fn parse_never_panics_on_dockerfile_like_input(parts in proptest::collection::vec(fragment(), 0..60)) {
            let src: String = parts.concat();
            match parse(&src) {
                Ok(df) => check_invariants(&src, &df),
                Err(e) => prop_assert!(e.message.contains("heredoc") && e.line >= 1 && e.column >= 1),
            }
        }

        #[test]
        fn expand_and_image_ref_never_panic(s in any::<String>(), frags in proptest::collection::vec(fragment(), 0..20)) {
            let _ = expand(&s, &|n: &str| (n.len() > 1).then(|| n.to_string()));
            let _ = expand_partial(&frags.concat(), '`', &|_: &str| None);
            let _ = parse_image_ref(&s);
        }
    }
}
