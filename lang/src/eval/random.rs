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

#[cfg(test)]
mod tests {
    use super::*;

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
