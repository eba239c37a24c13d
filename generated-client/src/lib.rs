//! Typed clients for six vendor APIs, generated from `specs/` by `codegen`.
//!
//! Each vendor is a module behind a cargo feature of the same name (all on by
//! default). The modules are generated (`cargo xtask codegen`) and never edited
//! by hand; everything they share lives in the hand-written [`runtime`] (the `spec-runtime` crate).

/// The runtime every module here runs on, its own crate (`spec-runtime`) so that clients
/// generated from other specs depend on it without these six vendors.
pub use spec_runtime as runtime;

// Crates whose types appear in the generated API, re-exported so applications use the
// same versions without naming them in their own manifests.
pub use spec_runtime::{jiff, reqwest, rust_decimal, secrecy};

/// The Cainiao express EDI; the document's introduction, environments and auth are on [`cainiao_edi::Client`].
#[cfg(feature = "cainiao_edi")]
#[rustfmt::skip]
pub mod cainiao_edi;
/// The ERP inventory/order API; the document's introduction, environments and auth are on [`erp::Client`].
#[cfg(feature = "erp")]
#[rustfmt::skip]
pub mod erp;
/// The JFWMS warehouse API; the document's introduction, environments and auth are on [`jfwms::Client`].
#[cfg(feature = "jfwms")]
#[rustfmt::skip]
pub mod jfwms;
/// The Niumall live-cattle purchasing API; the document's introduction, environments and auth are on [`niumall::Client`].
#[cfg(feature = "niumall")]
#[rustfmt::skip]
pub mod niumall;
/// The SuperCarrier8 SaaS open platform; the document's introduction, environments and auth are on [`supercarrier8::Client`].
#[cfg(feature = "supercarrier8")]
#[rustfmt::skip]
pub mod supercarrier8;
/// The Zhiyun open API; the document's introduction, environments and auth are on [`zhiyun::Client`].
#[cfg(feature = "zhiyun")]
#[rustfmt::skip]
pub mod zhiyun;
