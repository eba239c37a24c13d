//! Typed clients for five vendor APIs, generated from `specs/` by `codegen`.
//!
//! Each vendor is a module behind a cargo feature of the same name (all on by
//! default). The modules are generated (`cargo xtask codegen`) and never edited
//! by hand; everything they share lives in the hand-written [`runtime`].

pub mod runtime;

// Crates whose types appear in the generated API, re-exported so applications use the
// same versions without naming them in their own manifests.
pub use jiff;
pub use reqwest;
pub use rust_decimal;
pub use secrecy;
#[doc(hidden)]
pub mod wire;

#[cfg(feature = "erp")]
#[rustfmt::skip]
pub mod erp;
#[cfg(feature = "jfwms")]
#[rustfmt::skip]
pub mod jfwms;
#[cfg(feature = "niumall")]
#[rustfmt::skip]
pub mod niumall;
#[cfg(feature = "supercarrier8")]
#[rustfmt::skip]
pub mod supercarrier8;
#[cfg(feature = "zhiyun")]
#[rustfmt::skip]
pub mod zhiyun;
