//! An HTML writer that cannot forget to escape: markup comes only from `&'static str` (the
//! program's own text), and every value from the facts goes through [`Html::text`] or an
//! attribute value, which escape it. Container names, labels, image names, file paths and YAML
//! keys are hostile input; with this, a value can only ever be text.
//!
//! Decision: our own writer rather than a template engine (minijinja's auto-escaping would do
//! the same for the values): the page is loops over the assessment and an SVG computed in Rust,
//! which read more plainly as code than as a template with most of its markup built outside it.

use std::fmt::Write as _;

/// Text made safe for HTML text and quoted attribute values: `& < > " '` as entities, and
/// control, bidi and invisible characters as visible `\u{..}` escapes (as on a terminal), except
/// newlines and tabs, which a `<pre>` keeps.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if crate::report::sanitize::needs_escape(c) => {
                out.push_str(&c.escape_default().to_string())
            }
            c => out.push(c),
        }
    }
    out
}

#[derive(Default)]
pub struct Html {
    out: String,
}

impl Html {
    /// The program's own markup (tags, CSS, script): never a value from the facts.
    pub fn raw(&mut self, markup: &'static str) -> &mut Self {
        self.out.push_str(markup);
        self
    }

    /// Escaped text.
    pub fn text(&mut self, text: &str) -> &mut Self {
        self.out.push_str(&escape(text));
        self
    }

    /// A number or other value whose `Display` is not from the facts.
    pub fn num(&mut self, n: impl std::fmt::Display) -> &mut Self {
        self.text(&n.to_string())
    }

    /// `<tag a="v" ...>` with every value escaped.
    pub fn open(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) -> &mut Self {
        self.out.push('<');
        self.out.push_str(tag);
        for (name, value) in attrs {
            let _ = write!(self.out, " {name}=\"{}\"", escape(value));
        }
        self.out.push('>');
        self
    }

    pub fn close(&mut self, tag: &'static str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    /// `<tag attrs>text</tag>`.
    pub fn el(
        &mut self,
        tag: &'static str,
        attrs: &[(&'static str, &str)],
        text: &str,
    ) -> &mut Self {
        self.open(tag, attrs).text(text).close(tag)
    }

    /// A self-closing SVG element (`<rect .../>`).
    pub fn void(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) -> &mut Self {
        self.open(tag, attrs);
        self.out.pop();
        self.out.push_str("/>");
        self
    }

    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_become_text_and_controls_become_visible() {
        assert_eq!(
            escape("<script>\"x\"&'y'</style>"),
            "&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/style&gt;"
        );
        assert_eq!(
            escape("a\u{1b}[31mb\u{202e}c\nd"),
            "a\\u{1b}[31mb\\u{202e}c\nd"
        );
    }

    #[test]
    fn attributes_cannot_be_broken_out_of() {
        let mut h = Html::default();
        h.el(
            "td",
            &[("title", "\" onmouseover=\"alert(1)")],
            "</td><script>",
        );
        assert_eq!(
            h.finish(),
            "<td title=\"&quot; onmouseover=&quot;alert(1)\">&lt;/td&gt;&lt;script&gt;</td>"
        );
    }
}
