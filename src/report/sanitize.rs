//! Container names, labels and file contents are hostile input: a name can carry terminal
//! escape sequences. Everything untrusted goes through here before reaching a terminal.

/// Replace control characters (ESC, CR, BEL, C1 controls, ...) and the invisible formatting
/// characters that reorder or hide text (bidi overrides and isolates, zero-width characters;
/// "Trojan Source", CVE-2021-42574) with visible escapes.
pub fn terminal(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if needs_escape(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

pub(crate) fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' // Arabic letter mark
                | '\u{200b}'..='\u{200f}' // zero-width space/joiners, LRM, RLM
                | '\u{2028}'..='\u{202e}' // line/paragraph separators, bidi embeddings and overrides
                | '\u{2060}'..='\u{2069}' // word joiner, invisible operators, bidi isolates
                | '\u{feff}' // zero-width no-break space
        )
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_control_characters() {
        assert_eq!(super::terminal("web\u{1b}[31m\n"), "web\\u{1b}[31m\\n");
        assert_eq!(super::terminal("plain name"), "plain name");
    }

    #[test]
    fn escapes_bidi_and_invisible_characters() {
        assert_eq!(
            super::terminal("a\u{202e}b\u{2066}c\u{200b}d\u{85}"),
            "a\\u{202e}b\\u{2066}c\\u{200b}d\\u{85}"
        );
        assert_eq!(super::terminal("grüße, 東京"), "grüße, 東京");
    }
}
