//! Every JSON example of every vendor document decodes into the generated
//! types. The vendor modules are generated from the specs' `examples`
//! (`cargo xtask codegen`); this file and `support.rs` are hand-written.

mod support;

#[cfg(feature = "erp")]
#[rustfmt::skip]
mod erp;
#[cfg(feature = "jfwms")]
#[rustfmt::skip]
mod jfwms;
#[cfg(feature = "niumall")]
#[rustfmt::skip]
mod niumall;
#[cfg(feature = "supercarrier8")]
#[rustfmt::skip]
mod supercarrier8;
#[cfg(feature = "zhiyun")]
#[rustfmt::skip]
mod zhiyun;
