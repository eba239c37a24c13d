//! Randomness from the operating system through `ring`, which every client already links for
//! TLS and RSA: nonces, request ids, OAuth `state`, lock owners and retry jitter need no second
//! random-number crate (`rand` cost a consumer four packages).
//!
//! Like `rand::random`, these panic only if the operating system cannot supply randomness at
//! all, which no request could recover from.

use ring::rand::{SecureRandom, SystemRandom};

/// `N` random bytes.
pub fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0; N];
    SystemRandom::new()
        .fill(&mut out)
        .expect("the operating system supplies no randomness");
    out
}

/// A uniform number in `[0, 1)` (53 random bits, the resolution of an `f64`).
pub fn unit() -> f64 {
    (u64::from_le_bytes(bytes()) >> 11) as f64 / (1u64 << 53) as f64
}

/// `n` uniform decimal digits (bytes ≥ 250 are redrawn so each digit is equally likely).
pub fn digits(n: usize) -> String {
    let mut out = String::with_capacity(n);
    while out.len() < n {
        for b in bytes::<32>() {
            if b < 250 && out.len() < n {
                out.push(char::from(b'0' + b % 10));
            }
        }
    }
    out
}

/// A random (version 4) UUID in lowercase hex, `8-4-4-4-12` when `hyphenated`. RFC 9562
/// §5.4: 122 random bits, the version nibble `4` and the variant bits `10`. (Eight lines do
/// not earn a dependency; the tests check them against the `uuid` crate.)
pub fn uuid_v4(hyphenated: bool) -> String {
    let mut b: [u8; 16] = bytes();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex::encode(b);
    if !hyphenated {
        return hex;
    }
    let groups = [
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..],
    ];
    groups.join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_4_in_both_forms() {
        for _ in 0..200 {
            let text = uuid_v4(true);
            let parsed = uuid::Uuid::parse_str(&text).expect("a UUID");
            assert_eq!(parsed.get_version_num(), 4, "{text}");
            assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122, "{text}");
            assert_eq!(parsed.hyphenated().to_string(), text);
            let simple = uuid_v4(false);
            let parsed = uuid::Uuid::parse_str(&simple).expect("a UUID");
            assert_eq!(parsed.get_version_num(), 4, "{simple}");
            assert_eq!(parsed.simple().to_string(), simple);
        }
        assert_ne!(uuid_v4(true), uuid_v4(true));
    }

    #[test]
    fn unit_stays_below_one_and_varies() {
        let draws: Vec<f64> = (0..1000).map(|_| unit()).collect();
        assert!(draws.iter().all(|x| (0.0..1.0).contains(x)));
        assert!(draws.iter().any(|x| *x < 0.25) && draws.iter().any(|x| *x > 0.75));
    }

    #[test]
    fn every_digit_occurs_and_the_length_is_exact() {
        let text = digits(2000);
        assert_eq!(text.len(), 2000);
        for d in '0'..='9' {
            let count = text.chars().filter(|c| *c == d).count();
            // Expected 200 each; 100..300 fails with probability far below 1e-9.
            assert!((100..300).contains(&count), "{d}: {count}");
        }
    }
}
