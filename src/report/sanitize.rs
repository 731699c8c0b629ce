//! Container names, labels and file contents are hostile input: a name can carry terminal
//! escape sequences. Everything untrusted goes through here before reaching a terminal.

/// Replace control characters (ESC, CR, BEL, ...) with visible escapes.
pub fn terminal(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_control_characters() {
        assert_eq!(super::terminal("web\u{1b}[31m\n"), "web\\u{1b}[31m\\n");
        assert_eq!(super::terminal("plain name"), "plain name");
    }
}
