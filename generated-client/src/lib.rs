//! Typed clients for five vendor APIs, generated from `specs/` by `codegen`.
//!
//! Each vendor is a module behind a cargo feature of the same name (all on by
//! default). The modules are generated (`cargo xtask codegen`) and never edited
//! by hand; everything they share lives in the hand-written [`runtime`].

pub mod runtime;
pub mod wire;
