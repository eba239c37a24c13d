//! A consumer of the generator, as the README describes one: `build.rs` generates the client
//! of `specs/bookshop.yaml` (an invented API, not one of the five vendor documents) into
//! `OUT_DIR`, and this file includes it. The crate's only dependency is the runtime, `spec-runtime`;
//! serde, jiff, rust_decimal and the rest are reached through its runtime's re-exports.

pub mod bookshop {
    include!(concat!(env!("OUT_DIR"), "/bookshop.rs"));
}
