//! The spec's value language, defined once.
//!
//! A vendor's auth is data: [`Step`]s whose [`Value`]s are templates over credentials, tokens,
//! request facts and parameters, times, nonces, canonical strings, digests, MACs, RSA
//! signatures, encodings and arithmetic. This crate is the single definition of that data and
//! of what is known about it statically (the variables a value reads, whether it reads the
//! request, whether it is text or bytes, which steps a token request carries). Everyone uses it
//! directly:
//!
//! - codegen's validator parses the spec's YAML into it and reports misuse with its analyses;
//! - codegen's emitter writes it out as Rust expressions through its `Serialize` impls, so a new
//!   operation needs no emitter change;
//! - generated code builds it; the runtime evaluates it ([`Value::eval`], feature `eval`);
//! - the spec mock verifies requests with the same evaluation.
//!
//! The enums are exhaustive on purpose: a new operation is a compile error in every place that
//! interprets it (the interpreter, the validator, the mock), never a silent fallback.
//!
//! Names and literals are [`Text`] (`Cow<'static, str>`): generated code borrows literals, the
//! mock owns what it read from a spec.

mod step;
mod value;
mod vocab;

#[cfg(feature = "eval")]
mod eval;

pub use step::{Step, Target, token_free};
pub use value::{
    Canonical, Case, Collection, DigestAlg, Expr, Kind, Op, Operand, PARAM_PREFIX, Piece, SortBy,
    TextEncoding, TimeUnit, UuidFormat, Value,
};
pub use vocab::{ErrorClass, HttpMethod};

#[cfg(feature = "md5")]
pub use eval::md5_hex;
#[cfg(feature = "eval")]
pub use eval::{EvalError, Scope, encode_text, random};

/// A name or literal of the language: borrowed in generated code, owned where read at run time.
pub type Text = std::borrow::Cow<'static, str>;
