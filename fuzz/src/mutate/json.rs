//! JSON-aware mutations: edit the parsed tree (replace a value by another kind,
//! huge/negative/fractional numbers, deep nesting, deleted/added/renamed keys,
//! copied subtrees), write it back with an optional duplicated key or a raw
//! number no JSON library would produce, then maybe damage the text (truncate,
//! invalid UTF-8, a byte-level edit). Input that is not JSON gets byte-level edits.

use rand::RngExt;
use serde_json::{Map, Number, Value};

use super::{bytes, pick, stack_depth};
use crate::harness::Rng;

/// Strings that exercise lenient numbers, decimals, dates and odd text.
const STRINGS: &[&str] = &[
    "",
    "0",
    "5",
    "-1",
    " 5",
    "5 ",
    "1.00000000",
    "-0.0",
    "1e5",
    "0x10",
    "1_000",
    "NaN",
    "Infinity",
    "true",
    "null",
    "79228162514264337593543950335",
    "79228162514264337593543950336",
    "-79228162514264337593543950336",
    "0.0000000000000000000000000001",
    "1.0000000000000000000000000000001",
    "9223372036854775808",
    "2026-05-08",
    "2026-05-08 14:30:08.573131",
    "2025-02-07T08:07:56.908",
    "2024-01-20T12:00:00Z",
    "9999-12-31 23:59:59.999999999",
    "-009999-01-01",
    "2026-02-30",
    "2026-05-08 24:00:00",
    "0000-00-00 00:00:00",
    "١٢٣",
    "科勒集团",
    "\u{202e}abc",
    "\u{0}",
    "\u{feff}",
    "😀",
];

/// Numbers at the edges of i64, u64, f64 and timestamps.
fn interesting_number(rng: &mut Rng) -> Number {
    let ints: &[i64] = &[
        0,
        1,
        -1,
        i64::MAX,
        i64::MIN,
        4_294_967_296,
        1_700_000_000_000,
        253_402_300_800,
        -62_135_596_801,
        9_007_199_254_740_993,
    ];
    match rng.random_range(0..4u32) {
        0 => Number::from(u64::MAX),
        1 => {
            let floats = [1.5, -0.5, 1e300, -1e300, 5e-324, 0.1, -0.0, 1e15 + 0.3];
            Number::from_f64(*pick(rng, &floats)).unwrap_or_else(|| Number::from(0))
        }
        _ => Number::from(*pick(rng, ints)),
    }
}

/// Number texts written verbatim: out of every type's range, or not JSON at all.
const RAW_NUMBERS: &[&str] = &[
    "1e400",
    "-1e400",
    "1e-400",
    "18446744073709551616",
    "-9223372036854775809",
    "123456789012345678901234567890123456789",
    "0.00000000000000000000000000000000000001",
    "-0",
    "00",
    "01",
    "1.",
    ".5",
    "+1",
    "NaN",
    "Infinity",
    "0x1F",
];

/// A string starting with this marker is written as raw text, not as a JSON string.
const RAW: char = '\u{1}';

/// Applies one to four JSON-aware mutations (or byte-level ones if `input` is not JSON).
pub fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let Ok(mut tree) = serde_json::from_slice::<Value>(input) else {
        let mut data = input.to_vec();
        for _ in 0..stack_depth(rng) {
            bytes::mutate(rng, &mut data, other);
        }
        return data;
    };
    for _ in 0..stack_depth(rng) {
        mutate_tree(rng, &mut tree, other);
    }
    let mut out = Vec::with_capacity(input.len() + 64);
    let duplicate_in = (rng.random_range(0..8u32) == 0).then(|| rng.random_range(0..4usize));
    let mut objects_seen = 0;
    write(rng, &tree, &mut out, duplicate_in, &mut objects_seen);
    match rng.random_range(0..16u32) {
        0 if !out.is_empty() => out.truncate(rng.random_range(0..out.len())),
        1 => {
            let bytes = *pick(rng, INVALID_UTF8);
            insert_in_string(rng, &mut out, bytes);
        }
        2 => bytes::mutate(rng, &mut out, other),
        _ => {}
    }
    out
}

const INVALID_UTF8: &[&[u8]] = &[
    b"\xff",
    b"\xc3\x28",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\x80",
    b"\\ud800",
    b"\\udc00\\ud800",
];

fn mutate_tree(rng: &mut Rng, tree: &mut Value, other: &[u8]) {
    let count = count_nodes(tree);
    let donor = pick_node(rng, tree, count).clone();
    let Some(node) = nth_mut(tree, &mut rng.random_range(0..count)) else {
        return;
    };
    match rng.random_range(0..11u32) {
        0 => *node = other_kind(rng, node),
        1 => *node = Value::String((*pick(rng, STRINGS)).to_owned()),
        2 => *node = Value::String(format!("{RAW}{}", pick(rng, RAW_NUMBERS))),
        3 => *node = Value::Number(interesting_number(rng)),
        4 => {
            // Deep nesting: mostly shallow, sometimes past serde_json's limit of 128.
            let depth = if rng.random_bool(0.8) {
                rng.random_range(1..=8)
            } else {
                rng.random_range(100..=300)
            };
            for _ in 0..depth {
                let inner = std::mem::take(node);
                *node = if rng.random_bool(0.5) {
                    Value::Array(vec![inner])
                } else {
                    Value::Object(Map::from_iter([("a".to_owned(), inner)]))
                };
            }
        }
        5 => match node {
            Value::Object(map) if !map.is_empty() => {
                let key = nth_key(rng, map);
                map.remove(&key);
            }
            Value::Array(items) if !items.is_empty() => {
                items.remove(rng.random_range(0..items.len()));
            }
            _ => *node = Value::Null,
        },
        6 => match node {
            Value::Object(map) => {
                let key = if map.is_empty() || rng.random_bool(0.3) {
                    (*pick(rng, STRINGS)).to_owned()
                } else {
                    let k = nth_key(rng, map);
                    format!("{k}{}", pick(rng, &["_", "x", "科", ""]))
                };
                map.insert(key, donor);
            }
            Value::Array(items) => items.push(donor),
            _ => *node = donor,
        },
        7 => *node = donor,
        8 => {
            if let Ok(other_tree) = serde_json::from_slice::<Value>(other) {
                let n = count_nodes(&other_tree);
                *node = pick_node(rng, &other_tree, n).clone();
            }
        }
        9 => tweak_scalar(rng, node),
        _ => {
            if let Value::Object(map) = node
                && !map.is_empty()
            {
                let key = nth_key(rng, map);
                if let Some(value) = map.remove(&key) {
                    map.insert(rename(rng, &key), value);
                }
            } else {
                *node = other_kind(rng, node);
            }
        }
    }
}

/// A value of a different kind than `node`.
fn other_kind(rng: &mut Rng, node: &Value) -> Value {
    loop {
        let candidate = match rng.random_range(0..7u32) {
            0 => Value::Null,
            1 => Value::Bool(rng.random()),
            2 => Value::Number(interesting_number(rng)),
            3 => Value::String((*pick(rng, STRINGS)).to_owned()),
            4 => Value::Array(Vec::new()),
            5 => Value::Object(Map::new()),
            _ => Value::Array(vec![node.clone()]),
        };
        if std::mem::discriminant(&candidate) != std::mem::discriminant(node) {
            return candidate;
        }
    }
}

/// Small edits of a scalar: negate, scale, make fractional, stretch a string.
fn tweak_scalar(rng: &mut Rng, node: &mut Value) {
    match node {
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(0.0);
            let edits = [-x, x * 1e10, x + 0.5, x / 3.0, x * -1e300];
            *node = Value::Number(
                Number::from_f64(*pick(rng, &edits)).unwrap_or_else(|| Number::from(-1)),
            );
        }
        Value::String(s) => match rng.random_range(0..4u32) {
            0 => s.push_str(&"字".repeat(rng.random_range(1..=200))),
            1 => s.insert(0, '-'),
            2 => {
                let keep = rng.random_range(0..=s.len());
                let mut cut = keep;
                while !s.is_char_boundary(cut) {
                    cut -= 1;
                }
                s.truncate(cut);
            }
            _ => s.push_str(pick::<&str>(
                rng,
                &[".5", "e3", "Z", "+08:00", " ", "\n", "\""],
            )),
        },
        Value::Bool(b) => *b = !*b,
        _ => *node = other_kind(rng, node),
    }
}

fn rename(rng: &mut Rng, key: &str) -> String {
    match rng.random_range(0..4u32) {
        0 => key.to_uppercase(),
        1 => format!("{key}\u{200b}"),
        2 => key.chars().rev().collect(),
        _ => String::new(),
    }
}

fn nth_key(rng: &mut Rng, map: &Map<String, Value>) -> String {
    let i = rng.random_range(0..map.len());
    map.keys().nth(i).cloned().unwrap_or_default()
}

fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(map) => map.values().map(count_nodes).sum(),
        _ => 0,
    }
}

fn pick_node<'a>(rng: &mut Rng, tree: &'a Value, count: usize) -> &'a Value {
    nth(tree, &mut rng.random_range(0..count.max(1))).unwrap_or(tree)
}

/// The `n`-th node in pre-order.
fn nth<'a>(v: &'a Value, n: &mut usize) -> Option<&'a Value> {
    if *n == 0 {
        return Some(v);
    }
    *n -= 1;
    match v {
        Value::Array(items) => items.iter().find_map(|item| nth(item, n)),
        Value::Object(map) => map.values().find_map(|item| nth(item, n)),
        _ => None,
    }
}

fn nth_mut<'a>(v: &'a mut Value, n: &mut usize) -> Option<&'a mut Value> {
    if *n == 0 {
        return Some(v);
    }
    *n -= 1;
    match v {
        Value::Array(items) => items.iter_mut().find_map(|item| nth_mut(item, n)),
        Value::Object(map) => map.values_mut().find_map(|item| nth_mut(item, n)),
        _ => None,
    }
}

/// Compact JSON; in the `duplicate_in`-th object one entry is written twice (once with
/// another value), which no `Value` can hold; raw-marked strings are written verbatim.
fn write(
    rng: &mut Rng,
    v: &Value,
    out: &mut Vec<u8>,
    duplicate_in: Option<usize>,
    objects_seen: &mut usize,
) {
    match v {
        Value::String(s) if s.starts_with(RAW) => out.extend_from_slice(&s.as_bytes()[1..]),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(rng, item, out, duplicate_in, objects_seen);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let this = *objects_seen;
            *objects_seen += 1;
            out.push(b'{');
            for (i, (key, value)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(key, out);
                out.push(b':');
                write(rng, value, out, duplicate_in, objects_seen);
            }
            if duplicate_in == Some(this)
                && let Some((key, value)) = map.iter().next()
            {
                out.push(b',');
                write_str(key, out);
                out.push(b':');
                let second = if rng.random_bool(0.5) {
                    value.clone()
                } else {
                    other_kind(rng, value)
                };
                write(rng, &second, out, None, objects_seen);
            }
            out.push(b'}');
        }
        scalar => {
            // Writing a scalar `Value` to a Vec cannot fail.
            let _ = serde_json::to_writer(&mut *out, scalar);
        }
    }
}

fn write_str(s: &str, out: &mut Vec<u8>) {
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Inserts `bytes` right after a random `"` (inside a string, most of the time).
fn insert_in_string(rng: &mut Rng, out: &mut Vec<u8>, bytes: &[u8]) {
    let quotes: Vec<usize> = out
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'"')
        .map(|(i, _)| i + 1)
        .collect();
    if quotes.is_empty() {
        out.extend_from_slice(bytes);
        return;
    }
    let at = *pick(rng, &quotes);
    out.splice(at..at, bytes.iter().copied());
}
