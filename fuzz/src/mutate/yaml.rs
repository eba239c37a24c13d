//! YAML-aware mutations on lines: delete, duplicate, swap and re-indent lines;
//! rename keys; replace scalars by other kinds (null, booleans of YAML 1.1,
//! huge numbers, flow collections, block scalars); anchors and aliases
//! (including an alias bomb); deep nesting; unicode and odd line breaks;
//! YAML directives and tags; lines spliced from another input. Some results
//! also get byte-level edits.

use rand::RngExt;

use super::{bytes, pick, stack_depth};
use crate::harness::Rng;

/// Values of other kinds than the spec expects, and values YAML reads surprisingly.
const SCALARS: &[&str] = &[
    "~",
    "null",
    "",
    "true",
    "yes",
    "no",
    "on",
    "0",
    "-1",
    "0x1F",
    "0o17",
    "1_000",
    "1e999",
    "-1e999",
    ".inf",
    "-.inf",
    ".nan",
    "99999999999999999999999999999",
    "-9223372036854775809",
    "18446744073709551616",
    "9223372036854775807",
    "0.1",
    "-0.0",
    "[]",
    "{}",
    "[a, b, [c, {d: e}]]",
    "{a: 1, a: 2}",
    "\"\"",
    "''",
    "\"\\u0000\\ud800\"",
    "'it''s'",
    "|",
    ">-",
    "|+2",
    "!!binary aGVsbG8=",
    "!custom tag",
    "!!int \"12\"",
    "2026-05-08",
    "12:30:45",
    "科勒集团",
    "\u{202e}txt",
    "😀",
    "\"{client_id}\"",
    "\"{\"",
    "\"{a}{b}{{c}}\"",
    "{ md5_hex: \"{x}\" }",
    "{ arithmetic: \"(t_ % 0) / 0 - 9223372036854775807 * 2\" }",
    "{ random_digits: 99999 }",
    "{ now: centuries }",
    "list<list<map<Missing>>>",
    "map<",
    "[GET, GET, PATCH]",
    "*undefined_alias",
];

/// Keys the spec format uses, to create duplicates and misplaced keys.
const KEYS: &[&str] = &[
    "type",
    "fields",
    "doc",
    "in",
    "name",
    "value",
    "path",
    "methods",
    "response",
    "params",
    "required",
    "minimum",
    "maximum",
    "nullable",
    "optional",
    "lenient",
    "wire",
    "rust_name",
    "code",
    "class",
    "parses_as",
    "text",
    "language",
    "normalize",
    "<<",
    "? complex",
];

/// Applies one to four YAML-aware mutations (and sometimes a byte-level one).
pub fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(input) else {
        let mut data = input.to_vec();
        bytes::mutate(rng, &mut data, other);
        return data;
    };
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for _ in 0..stack_depth(rng) {
        mutate_lines(rng, &mut lines, other);
    }
    let mut out = lines.join("\n").into_bytes();
    out.push(b'\n');
    if rng.random_range(0..8u32) == 0 {
        bytes::mutate(rng, &mut out, other);
    }
    out
}

fn mutate_lines(rng: &mut Rng, lines: &mut Vec<String>, other: &[u8]) {
    if lines.is_empty() {
        lines.push(format!("{}: {}", pick(rng, KEYS), pick(rng, SCALARS)));
        return;
    }
    let i = rng.random_range(0..lines.len());
    match rng.random_range(0..14u32) {
        0 => {
            lines.remove(i);
        }
        1 => {
            // Duplicate a line: a repeated key, or a repeated list item.
            let line = lines[i].clone();
            lines.insert(i, line);
        }
        2 => {
            let j = rng.random_range(0..lines.len());
            lines.swap(i, j);
        }
        3 => {
            // Move a block of lines elsewhere (changes which mapping they belong to).
            let end = (i + rng.random_range(1..=6)).min(lines.len());
            let block: Vec<String> = lines.drain(i..end).collect();
            let at = rng.random_range(0..=lines.len());
            lines.splice(at..at, block);
        }
        4 => reindent(rng, &mut lines[i]),
        5 | 6 => replace_scalar(rng, &mut lines[i]),
        7 => rename_key(rng, &mut lines[i]),
        8 => add_alias(rng, lines),
        9 => deep_nesting(rng, lines, i),
        10 => {
            let at = rng.random_range(0..=lines[i].len());
            let mut at = at;
            while !lines[i].is_char_boundary(at) {
                at -= 1;
            }
            let odd = pick(
                rng,
                &[
                    "科", "\u{202e}", "\u{200b}", "\u{85}", "\u{2028}", "\t", "\r", "\u{feff}",
                    "\u{0}", "😀", "#", ": ", "- ", "&", "*", "!", "%", "@", "`",
                ],
            );
            lines[i].insert_str(at, odd);
        }
        11 => {
            let header = pick(
                rng,
                &[
                    "---",
                    "...",
                    "%YAML 1.1",
                    "%TAG ! tag:x,2000:",
                    "--- !!map",
                    "<<: {}",
                ],
            );
            lines.insert(i, (*header).to_owned());
        }
        12 => {
            // Splice lines from another input.
            let Ok(other) = std::str::from_utf8(other) else {
                return;
            };
            let donor: Vec<&str> = other.lines().collect();
            if donor.is_empty() {
                return;
            }
            let start = rng.random_range(0..donor.len());
            let end = (start + rng.random_range(1..=8)).min(donor.len());
            let at = rng.random_range(0..=lines.len());
            lines.splice(at..at, donor[start..end].iter().map(|s| (*s).to_owned()));
        }
        _ => {
            // Insert a key the format knows, at the indentation of this line.
            let indent = indentation(&lines[i]);
            let line = format!(
                "{}{}: {}",
                " ".repeat(indent),
                pick(rng, KEYS),
                pick(rng, SCALARS)
            );
            lines.insert(i, line);
        }
    }
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn reindent(rng: &mut Rng, line: &mut String) {
    let indent = indentation(line);
    let body = line[indent..].to_owned();
    let new_indent = match rng.random_range(0..4u32) {
        0 => indent + 1,
        1 => indent.saturating_sub(2),
        2 => indent + 2,
        _ => {
            *line = format!("\t{}", line);
            return;
        }
    };
    *line = format!("{}{body}", " ".repeat(new_indent));
}

/// The byte offset where a `key: value` line's value starts, if it has one.
fn value_start(line: &str) -> Option<usize> {
    let colon = line.find(": ")?;
    Some(colon + 2)
}

fn replace_scalar(rng: &mut Rng, line: &mut String) {
    let scalar = pick(rng, SCALARS);
    if let Some(at) = value_start(line) {
        line.truncate(at);
        line.push_str(scalar);
    } else if line.trim_start().starts_with("- ") {
        let indent = line.len() - line.trim_start().len();
        *line = format!("{}- {scalar}", " ".repeat(indent));
    } else {
        line.push_str(": ");
        line.push_str(scalar);
    }
}

fn rename_key(rng: &mut Rng, line: &mut String) {
    let indent = indentation(line);
    let Some(colon) = line[indent..].find(':').map(|c| c + indent) else {
        return;
    };
    let new_key = match rng.random_range(0..5u32) {
        0 => (*pick(rng, KEYS)).to_owned(),
        1 => line[indent..colon].to_uppercase(),
        2 => format!("{}科", &line[indent..colon]),
        3 => "\"\"".to_owned(),
        _ => format!(
            "{}{}",
            &line[indent..colon],
            pick(rng, &["s", "_", "x", "2"])
        ),
    };
    line.replace_range(indent..colon, &new_key);
}

/// Anchors a value and refers to it elsewhere; sometimes builds an alias bomb
/// (each level refers to the previous one nine times). Bombs are mostly small: one of
/// 6+ levels makes the YAML library expand ~250,000 nodes before its budget stops it
/// (about 0.5 s), and even 4 levels (6,561 nodes) would dominate the run time if frequent.
fn add_alias(rng: &mut Rng, lines: &mut Vec<String>) {
    if rng.random_range(0..6u32) == 0 {
        let levels = if rng.random_range(0..512u32) == 0 {
            rng.random_range(5..=9)
        } else {
            rng.random_range(2..=3)
        };
        let mut bomb = vec!["bomb_0: &b0 [x, x, x, x, x, x, x, x, x]".to_owned()];
        for l in 1..levels {
            let p = l - 1;
            let refs = vec![format!("*b{p}"); 9].join(", ");
            bomb.push(format!("bomb_{l}: &b{l} [{refs}]"));
        }
        let at = rng.random_range(0..=lines.len());
        lines.splice(at..at, bomb);
        return;
    }
    let i = rng.random_range(0..lines.len());
    let j = rng.random_range(0..lines.len());
    let Some(at) = value_start(&lines[i]) else {
        // A mapping key line: anchor the mapping below it.
        if lines[i].trim_end().ends_with(':') {
            lines[i].push_str(" &m");
            if let Some(at) = value_start(&lines[j]) {
                lines[j].truncate(at);
                lines[j].push_str(pick::<&str>(rng, &["*m", "{ <<: *m }"]));
            }
        }
        return;
    };
    lines[i].insert_str(at, "&a ");
    if let Some(at) = value_start(&lines[j]) {
        lines[j].truncate(at);
        lines[j].push_str("*a");
    } else {
        let indent = indentation(&lines[j]);
        lines.insert(j, format!("{}alias_key: *a", " ".repeat(indent)));
    }
}

fn deep_nesting(rng: &mut Rng, lines: &mut Vec<String>, i: usize) {
    let depth = if rng.random_bool(0.7) {
        rng.random_range(1..=10)
    } else {
        rng.random_range(20..=200)
    };
    match rng.random_range(0..3u32) {
        0 => {
            let nested = format!("{}x{}", "[".repeat(depth), "]".repeat(depth));
            replace_value(&mut lines[i], &nested);
        }
        1 => {
            let nested = format!("{}x: 1{}", "{a: ".repeat(depth), "}".repeat(depth));
            replace_value(&mut lines[i], &nested);
        }
        _ => {
            // Block-style nesting below this line's indentation.
            let base = indentation(&lines[i]);
            let block: Vec<String> = (1..=depth.min(60))
                .map(|d| format!("{}k{d}:", " ".repeat(base + 2 * d)))
                .collect();
            lines.splice(i + 1..i + 1, block);
        }
    }
}

fn replace_value(line: &mut String, value: &str) {
    match value_start(line) {
        Some(at) => {
            line.truncate(at);
            line.push_str(value);
        }
        None => line.push_str(&format!(": {value}")),
    }
}
