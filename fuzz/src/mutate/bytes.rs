//! Byte-level mutations (in the spirit of libFuzzer's): flips, inserts, deletes,
//! copies, splices and "interesting" tokens such as invalid UTF-8 and huge numbers.

use rand::RngExt;

use super::pick;
use crate::harness::Rng;

/// Byte sequences parsers tend to mishandle.
const INTERESTING: &[&[u8]] = &[
    b"\x00",
    b"\xff",
    b"\x80",
    b"\xc3\x28",         // invalid 2-byte sequence
    b"\xed\xa0\x80",     // UTF-8-encoded surrogate (invalid)
    b"\xf4\x90\x80\x80", // above U+10FFFF
    b"\xef\xbb\xbf",     // BOM
    "\u{2028}".as_bytes(),
    "\u{85}".as_bytes(), // NEL: a line break for YAML
    "科勒".as_bytes(),
    "😀".as_bytes(),
    b"\\u0000",
    b"\\ud800",
    b"\\",
    b"\"",
    b"'",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b",",
    b"\n",
    b"\r\n",
    b"\t",
    b"-1",
    b"0",
    b"-0",
    b"1e400",
    b"-1e400",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"79228162514264337593543950336",
    b"0.0000000000000000000000000000001",
    b"null",
    b"true",
];

/// Applies one random byte-level mutation.
pub fn mutate(rng: &mut Rng, data: &mut Vec<u8>, other: &[u8]) {
    let len = data.len();
    match rng.random_range(0..10u32) {
        0 if len > 0 => {
            let i = rng.random_range(0..len);
            data[i] ^= 1 << rng.random_range(0..8u32);
        }
        1 if len > 0 => {
            let i = rng.random_range(0..len);
            data[i] = rng.random();
        }
        2 => {
            let at = rng.random_range(0..=len);
            let token = pick(rng, INTERESTING);
            data.splice(at..at, token.iter().copied());
        }
        3 if len > 0 => {
            let (a, b) = range(rng, len, 16);
            data.drain(a..b);
        }
        4 if len > 0 => {
            // Duplicate a chunk somewhere else.
            let (a, b) = range(rng, len, 64);
            let chunk = data[a..b].to_vec();
            let at = rng.random_range(0..=len);
            data.splice(at..at, chunk);
        }
        5 if len > 0 => {
            data.truncate(rng.random_range(0..len));
        }
        6 if !other.is_empty() => {
            // Splice: our head, the other input's tail.
            let cut = rng.random_range(0..=len);
            let from = rng.random_range(0..other.len());
            data.truncate(cut);
            data.extend_from_slice(&other[from..]);
        }
        7 if len > 0 => {
            // Overwrite a byte with a structural character.
            let i = rng.random_range(0..len);
            data[i] = *pick(rng, b"{}[]:,\"'\\-#&*!|>%@` \n\t0");
        }
        8 => {
            let at = rng.random_range(0..=len);
            let n = rng.random_range(1..=8);
            let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
            data.splice(at..at, bytes);
        }
        _ if len > 1 => {
            let i = rng.random_range(0..len);
            let j = rng.random_range(0..len);
            data.swap(i, j);
        }
        _ => data.extend_from_slice(pick::<&[u8]>(rng, INTERESTING)),
    }
}

/// A non-empty range `a..b` inside `0..len` (len > 0), at most `max` long.
fn range(rng: &mut Rng, len: usize, max: usize) -> (usize, usize) {
    let a = rng.random_range(0..len);
    let b = (a + rng.random_range(1..=max)).min(len);
    (a, b)
}
