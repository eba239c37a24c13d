//! Compile tests for `generated-client`, run with `cargo test -p compile-tests`.
//!
//! `tests/pass/` holds consumer code that must compile: the README's
//! "Consumer quick start" verbatim, plus the page stream and error
//! classification. `tests/fail/` holds misuse that must not compile — a
//! wrong parameter type, a missing required value or credential, a struct
//! literal of a `#[non_exhaustive]` type, an exhaustive match on `ErrorCode`,
//! a secret used as a `&str` — each with the compiler's message checked in
//! as a `.stderr` file next to it. Regenerate those with
//! `TRYBUILD=overwrite cargo test -p compile-tests` and review the diff.
//!
//! The crate has no code of its own.
