//! Shell quoting for the commands a plan shows. Container names, labels, environment values and
//! commands are hostile input: every word is quoted so that pasting the line runs exactly the
//! intended argv, and no control character reaches the terminal raw.
//!
//! Own code rather than `shlex::try_quote`: shlex single-quotes control characters as they are
//! (a name with ESC or a newline would then drive the terminal or split the pasted line) and
//! refuses NUL. Here words with control characters use bash's `$'…'` form with `\xHH` escapes.

/// Quote one word for a POSIX shell (bash for words holding control characters).
pub fn quote(word: &str) -> String {
    if !word.is_empty() && word.chars().all(is_plain) {
        return word.to_string();
    }
    if word.chars().any(char::is_control) {
        let mut out = String::from("$'");
        for c in word.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                c if c.is_control() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("\\x{b:02x}"));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('\'');
        return out;
    }
    format!("'{}'", word.replace('\'', "'\\''"))
}

/// Quote every word and join them with spaces.
pub fn join<S: AsRef<str>>(words: &[S]) -> String {
    words
        .iter()
        .map(|w| quote(w.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':' | '=' | ',' | '@' | '+')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_stay_bare() {
        assert_eq!(quote("on-failure:5"), "on-failure:5");
        assert_eq!(quote("/var/run/docker.sock"), "/var/run/docker.sock");
    }

    #[test]
    fn shell_metacharacters_are_single_quoted() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("$(rm -rf /)"), "'$(rm -rf /)'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("x;y|z&`w`"), "'x;y|z&`w`'");
    }

    #[test]
    fn control_characters_use_ansi_c_quoting() {
        assert_eq!(quote("web\u{1b}[31m"), "$'web\\x1b[31m'");
        assert_eq!(quote("a\nb'c\\"), "$'a\\x0ab\\'c\\\\'");
    }

    /// The quoted text, run through a real shell, gives back the original word.
    #[test]
    fn quoting_round_trips_through_bash() {
        let words = [
            "plain",
            "with space",
            "it's",
            "$(touch /tmp/pwned)",
            "tab\there",
            "esc\u{1b}[2J",
            "nl\nx",
            "back\\slash'",
            "ünïcode",
        ];
        for w in words {
            let out = std::process::Command::new("bash")
                .arg("-c")
                .arg(format!("printf %s {}", quote(w)))
                .output()
                .expect("bash runs");
            assert_eq!(String::from_utf8_lossy(&out.stdout), w, "word {w:?}");
        }
    }
}
