//! The one module that knows the YAML library.
//!
//! It parses a spec into a [`Node`] tree in which every value and every key
//! carries its line and column. The structural check walks that tree (so it
//! can report every problem, not just serde's first), and semantic checks use
//! [`Node::locate`] to turn a spec path back into a position.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::diagnostics::Loc;

/// A YAML value with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub kind: NodeKind,
    /// Where the value starts in the spec file.
    pub loc: Loc,
}

/// The YAML value kinds a spec uses (tags and anchors are resolved away by the parser).
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// `null`, `~` or an empty value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer scalar that fits `i64`.
    Int(i64),
    /// A scalar YAML reads as a floating-point number.
    Float(f64),
    /// Any other scalar, quoted or plain.
    Str(String),
    /// A sequence, in document order.
    Seq(Vec<Node>),
    /// Entries in document order; keys carry their own positions.
    Map(Vec<(Key, Node)>),
}

/// A mapping key with its own position.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key's text.
    pub name: String,
    /// Where the key itself stands (diagnostics about a key point here, not at its value).
    pub loc: Loc,
}

/// A YAML syntax error (or an error deserializing the typed model).
#[derive(Debug, Clone)]
pub struct YamlError {
    /// Where the parser stopped.
    pub loc: Loc,
    /// The parser's message, or `invalid YAML` when it gave none.
    pub message: String,
}

/// Deepest nesting a spec may use. Real specs need about 10 levels; the limit
/// keeps recursive decoding far from the stack's end on any thread.
pub const MAX_DEPTH: usize = 24;

/// How much YAML a spec may be. The defaults admit specs far larger than any vendor document
/// (a synthetic 2,000-operation spec is 4 MB and 300,000 nodes) while keeping the guards
/// against alias bombs: few aliases, each expansion bounded by the parser's anchor budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest spec file, in bytes (checked before parsing).
    pub max_bytes: usize,
    /// Most YAML nodes (mappings, sequences, scalars), aliases expanded.
    pub max_nodes: usize,
    /// Most alias references (`*name`).
    pub max_aliases: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 64 * 1024 * 1024,
            max_nodes: 5_000_000,
            max_aliases: 10_000,
        }
    }
}

impl Limits {
    /// The defaults with another size limit.
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// The defaults with another node limit.
    pub fn with_max_nodes(mut self, max_nodes: usize) -> Self {
        self.max_nodes = max_nodes;
        self
    }

    /// The defaults with another alias limit.
    pub fn with_max_aliases(mut self, max_aliases: usize) -> Self {
        self.max_aliases = max_aliases;
        self
    }

    fn options(&self) -> serde_saphyr::Options {
        serde_saphyr::options! {
            budget: serde_saphyr::budget! {
                max_depth: MAX_DEPTH,
                max_reader_input_bytes: Some(self.max_bytes),
                max_total_scalar_bytes: self.max_bytes,
                max_nodes: self.max_nodes,
                // Every node is at most two events (start and end).
                max_events: self.max_nodes.saturating_mul(2),
                max_aliases: self.max_aliases,
            },
            // `y`, `no`, `on` stay strings (YAML 1.2), as the typed model reads them.
            strict_booleans: true,
        }
    }
}

/// Parses YAML text into a located tree.
pub fn parse(source: &str, limits: &Limits) -> Result<Node, YamlError> {
    if source.len() > limits.max_bytes {
        return Err(YamlError {
            loc: Loc::default(),
            message: format!(
                "the spec is {} bytes, more than the limit of {} (raise it with `Config::limits`)",
                source.len(),
                limits.max_bytes
            ),
        });
    }
    serde_saphyr::from_str_with_options::<Node>(source, limits.options()).map_err(to_yaml_error)
}

/// Deserializes the typed model. Only called once the structural check passed,
/// so an error here is rare (e.g. a value out of a numeric type's range).
pub fn from_str<T: for<'de> Deserialize<'de>>(
    source: &str,
    limits: &Limits,
) -> Result<T, YamlError> {
    serde_saphyr::from_str_with_options::<T>(source, limits.options()).map_err(to_yaml_error)
}

fn to_yaml_error(err: serde_saphyr::Error) -> YamlError {
    let loc = err
        .location()
        .map(|l| Loc {
            line: l.line(),
            column: l.column(),
        })
        .unwrap_or_default();
    // The library's message may carry its own snippet; keep only the first line,
    // our renderer adds the source line.
    let text = err.without_snippet().to_string();
    let message = plain_message(text.lines().next().unwrap_or("invalid YAML"));
    YamlError { loc, message }
}

/// The library's message without its own position (ours is in front of every
/// diagnostic) and without advice about the library's API.
fn plain_message(text: &str) -> String {
    if text.contains("budget breached") && text.contains("Depth") {
        return format!("nesting is deeper than {MAX_DEPTH} levels");
    }
    if text.contains("budget breached") {
        return "the document has more nodes or aliases than the limits allow (raise them with `Config::limits`)".to_owned();
    }
    let mut message = text.to_owned();
    if let Some(at) = message.find(" at line ") {
        message.truncate(at);
    }
    for advice in [
        "DuplicateKeyPolicy",
        "from_str_multiple",
        "recursion types",
        "Options",
    ] {
        if let Some(at) = message.find(advice) {
            let cut = message[..at].rfind([',', ';', '(']).unwrap_or(at);
            message.truncate(cut);
        }
    }
    let message = message.trim_end_matches([' ', ':', ',', ';']).to_owned();
    if message.is_empty() {
        "invalid YAML".to_owned()
    } else {
        message
    }
}

impl Node {
    /// The kind as a diagnostic names it (`a string`, `a mapping`, …).
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Int(_) => "an integer",
            NodeKind::Float(_) => "a number",
            NodeKind::Str(_) => "a string",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }

    /// The value under `key` when this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            NodeKind::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn key_loc(&self, key: &str) -> Option<Loc> {
        match &self.kind {
            NodeKind::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.name == key)
                .map(|(k, _)| k.loc),
            _ => None,
        }
    }

    /// The position of the value at `path` (dotted keys, `[n]` for list items);
    /// the deepest existing ancestor's position when the path does not exist.
    /// A trailing `@key` asks for the position of the key itself.
    pub fn locate(&self, path: &str) -> Loc {
        let mut node = self;
        let mut segments = split_path(path).peekable();
        while let Some(seg) = segments.next() {
            let next = match seg {
                Segment::Key(k) if segments.peek().is_none() && k.starts_with('@') => {
                    return node.key_loc(&k[1..]).unwrap_or(node.loc);
                }
                Segment::Key(k) => node.get(k),
                Segment::Index(i) => match &node.kind {
                    NodeKind::Seq(items) => items.get(i),
                    _ => None,
                },
            };
            match next {
                Some(n) => node = n,
                None => return node.loc,
            }
        }
        node.loc
    }
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

fn split_path(path: &str) -> impl Iterator<Item = Segment<'_>> {
    path.split('.').filter(|s| !s.is_empty()).flat_map(|part| {
        // `codes[3]` → Key("codes"), Index(3)
        let mut out = Vec::new();
        let (head, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !head.is_empty() {
            out.push(Segment::Key(head));
        }
        while let Some(end) = rest.find(']') {
            if let Ok(i) = rest[1..end].parse() {
                out.push(Segment::Index(i));
            }
            rest = &rest[end + 1..];
        }
        out
    })
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<NodeKind>::deserialize(d)?;
        Ok(Node {
            kind: spanned.value,
            loc: Loc {
                line: spanned.referenced.line(),
                column: spanned.referenced.column(),
            },
        })
    }
}

impl<'de> Deserialize<'de> for NodeKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = NodeKind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<NodeKind, E> {
        Ok(NodeKind::Null)
    }
    fn visit_none<E>(self) -> Result<NodeKind, E> {
        Ok(NodeKind::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<NodeKind, D::Error> {
        NodeKind::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<NodeKind, E> {
        Ok(NodeKind::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<NodeKind, E> {
        Ok(NodeKind::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<NodeKind, E> {
        i64::try_from(v)
            .map(NodeKind::Int)
            .map_err(|_| E::custom(format!("integer {v} is too large")))
    }
    fn visit_f64<E>(self, v: f64) -> Result<NodeKind, E> {
        Ok(NodeKind::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<NodeKind, E> {
        Ok(NodeKind::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<NodeKind, E> {
        Ok(NodeKind::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NodeKind, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(NodeKind::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeKind, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let value = map.next_value::<Node>()?;
            let loc = Loc {
                line: key.referenced.line(),
                column: key.referenced.column(),
            };
            entries.push((
                Key {
                    name: key.value,
                    loc,
                },
                value,
            ));
        }
        Ok(NodeKind::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_carry_positions() {
        let node = parse("a:\n  b: [1, x]\n  c: true\n", &Limits::default()).unwrap();
        assert_eq!(
            node.locate("a.b[1]"),
            Loc {
                line: 2,
                column: 10
            }
        );
        assert_eq!(node.locate("a.@c"), Loc { line: 3, column: 3 });
        assert_eq!(node.locate("a.c"), Loc { line: 3, column: 6 });
        // A missing path falls back to its deepest existing ancestor.
        assert_eq!(node.locate("a.missing.deeper"), node.locate("a"));
    }

    #[test]
    fn syntax_errors_are_located() {
        let err = parse("a: [1, 2\nb: 3\n", &Limits::default()).unwrap_err();
        assert!(err.loc.line >= 1, "{err:?}");
        assert!(!err.message.is_empty());
    }
}
