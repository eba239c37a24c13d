//! Spec text made safe for rustdoc: what the document says is shown as written, never read as
//! markdown or HTML (`List<ContactInfo>` is not a tag, `[1]` is not a link, a stray backtick
//! opens no code span, an indented line is not a doctest).

/// Characters that make rustdoc read text as code, links or HTML; each is backslash-escaped.
/// (Emphasis marks stay: `*` and `_` cannot break a build, and escaping them would clutter
/// every `snake_case` name in the generated source.)
const SYNTAX: &[char] = &['\\', '`', '[', ']', '<', '>'];

/// Escapes spec text for a doc comment. Bare URLs become `<autolinks>` (rustdoc rejects bare
/// URLs), their characters untouched. Leading spaces are dropped from each line (four would
/// start a code block, which rustdoc compiles as a doctest).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        escape_line(line.trim_start(), &mut out);
    }
    out
}

fn escape_line(line: &str, out: &mut String) {
    let mut rest = line;
    while let Some(at) = [rest.find("http://"), rest.find("https://")]
        .into_iter()
        .flatten()
        .min()
    {
        let (before, from) = rest.split_at(at);
        escape_plain(before, out);
        let len = from
            .find(|c: char| !(c.is_ascii_alphanumeric() || "-._~:/?#@!$&'*+,;=%".contains(c)))
            .unwrap_or(from.len());
        let url = from[..len].trim_end_matches(['.', ',', ';', ':', '!', '?', '\'']);
        out.push('<');
        out.push_str(url);
        out.push('>');
        rest = &from[url.len()..];
    }
    escape_plain(rest, out);
}

fn escape_plain(text: &str, out: &mut String) {
    for c in text.chars() {
        if SYNTAX.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_text_is_shown_as_written() {
        let cases = [
            ("List<ContactInfo>", r"List\<ContactInfo\>"),
            ("see [1] and `x", r"see \[1\] and \`x"),
            ("a_b * c", "a_b * c"),
            ("    indented\n  two", "indented\ntwo"),
            (
                "docs: https://open.sf-express.com/a_b?x=1.",
                "docs: <https://open.sf-express.com/a_b?x=1>.",
            ),
            ("中文（全角）", "中文（全角）"),
        ];
        for (text, expected) in cases {
            assert_eq!(escape(text), expected, "{text}");
        }
    }
}
