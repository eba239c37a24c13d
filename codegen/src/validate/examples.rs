//! The `examples:` section: the document's examples parse as the types they claim, after
//! their `normalize` edits.

use super::*;

impl Checker<'_> {
    pub(super) fn check_examples(&mut self) {
        let spec = &self.loaded.spec;
        let grants: BTreeSet<&str> = spec
            .auth
            .token
            .iter()
            .flat_map(|t| t.grants.keys().map(String::as_str))
            .collect();
        for (name, ex) in &spec.examples {
            if !is_snake_case_ident(name) || is_keyword(name) {
                self.err(&format!("examples.@{name}"), format!("example name `{name}` must be a snake_case identifier that is not a Rust keyword (it names a test)"));
            }
            let path = format!("examples.{name}.parses_as");
            let Some(target) = &ex.parses_as else {
                continue;
            };
            let missing = match target {
                ParsesAs::Response(e) | ParsesAs::Request(e) => {
                    (!spec.endpoints.contains_key(e)).then(|| format!("endpoint `{e}`"))
                }
                ParsesAs::Type(t) => (!spec.types.contains_key(t)).then(|| format!("type `{t}`")),
                ParsesAs::TokenResponse(g) | ParsesAs::TokenError(g) => {
                    (!grants.contains(g.as_str())).then(|| format!("grant `{g}`"))
                }
                ParsesAs::ErrorResponse => {
                    spec.envelope.is_none().then(|| "an `envelope`".to_owned())
                }
                ParsesAs::Webhook | ParsesAs::WebhookAck => {
                    spec.webhooks.is_none().then(|| "`webhooks`".to_owned())
                }
            };
            if let Some(what) = missing {
                self.err(&path, format!("{what} is not defined"));
            }
            if let ParsesAs::Request(e) = target
                && spec
                    .endpoints
                    .get(e)
                    .is_some_and(|ep| ep.body != Some(BodyEncoding::Json))
            {
                self.err(&path, format!("endpoint `{e}` has no JSON body"));
            }
            let text = normalized_example(ex);
            if let Err(err) = serde_json::from_str::<serde_json::Value>(&text) {
                self.err(
                    &format!("examples.{name}.text"),
                    format!("not valid JSON after `normalize`: {err}"),
                );
            }
        }
    }
}

/// An example's text after its `normalize` edits.
pub fn normalized_example(ex: &Example) -> String {
    let mut text = ex.text.clone();
    for step in &ex.normalize {
        text = match step {
            Normalize::StripLineComments => strip_line_comments(&text),
            Normalize::Replace { from, to } => text.replace(from.as_str(), to),
        };
    }
    text
}

/// Removes `// …` to the end of each line. Inside a string value the comment
/// runs to the closing quote, which is kept: `"5 // 良品数量",` → `"5",`.
/// `//` directly after `:` inside a string (a URL scheme such as `http://`) is not a comment.
fn strip_line_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_string = false;
        let mut result = String::new();
        let mut chars = line.char_indices().peekable();
        let mut prev = '\0';
        while let Some((i, c)) = chars.next() {
            if c == '"' && prev != '\\' {
                in_string = !in_string;
                result.push(c);
            } else if c == '/'
                && chars.peek().map(|(_, n)| *n) == Some('/')
                && !(in_string && prev == ':')
            {
                if in_string {
                    // Drop the comment up to the closing quote and keep the rest of the line.
                    let rest = &line[i..];
                    if let Some(q) = rest.find('"') {
                        let trimmed = result.trim_end().len();
                        result.truncate(trimmed);
                        result.push('"');
                        result.push_str(strip_line_comments(&rest[q + 1..]).trim_end_matches('\n'));
                    }
                } else {
                    let trimmed = result.trim_end().len();
                    result.truncate(trimmed);
                }
                break;
            } else {
                result.push(c);
            }
            prev = c;
        }
        out.push_str(&result);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_comments_inside_and_outside_strings() {
        let cases = [
            (r#""num": "5 // 良品数量","#, r#""num": "5","#),
            (r#""sku": "2309-1Bei",// sku"#, r#""sku": "2309-1Bei","#),
            (r#""userId": 1, // oms用户id"#, r#""userId": 1,"#),
            (
                r#""avatar": "http://avatar.x/1""#,
                r#""avatar": "http://avatar.x/1""#,
            ),
            (
                r#""nonGoodChange": null // 次品变动数量"#,
                r#""nonGoodChange": null"#,
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(strip_line_comments(input).trim_end(), expected, "{input}");
        }
    }
}
