//! The README's "Consumer quick start" must compile as written.
//!
//! trybuild runs every `pass` case, and the README's `main` would contact
//! `https://erp.example.com`: the example is therefore included verbatim
//! from `tests/readme/quick_start.rs` (which the `readme_quick_start_is_verbatim`
//! test keeps identical to README.md) into a module that is type-checked but
//! never called.

#[allow(dead_code)]
mod readme {
    include!("../readme/quick_start.rs");
}

fn main() {}
