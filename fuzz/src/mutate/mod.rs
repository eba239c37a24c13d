//! Mutators: byte-level ones for any input, and structure-aware ones that keep
//! JSON or YAML mostly well-formed so the code behind the parser is reached.

pub mod bytes;
pub mod json;
pub mod yaml;

use rand::RngExt;

use crate::harness::Rng;

/// Picks one element (the slice must not be empty).
pub fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// How many mutations to stack: 1 half of the time, up to 4.
pub fn stack_depth(rng: &mut Rng) -> usize {
    // 1 most of the time, up to 4: deep stacks mostly produce garbage the parser rejects early.
    1 + (rng.random_range(0..8u32).trailing_zeros() as usize).min(3)
}
