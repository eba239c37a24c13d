//! Turns vendor API specs (`specs/*.yaml`) into typed Rust clients.
//!
//! The pipeline, one module per stage:
//!
//! 1. [`spec`] — read YAML into the [`spec::model`], reporting every structural
//!    problem with its file, line and column;
//! 2. [`validate`] — semantic checks (references, names, templates, codes);
//! 3. [`ir`] — lower to resolved Rust names and parsed types;
//! 4. [`emit`] — generate tokens with `quote` and format them with `prettyplease`.
//!
//! [`Config`] drives the pipeline, from `cargo xtask codegen` or from a
//! consumer's own `build.rs`:
//!
//! ```no_run
//! // In build.rs:
//! let out = std::env::var("OUT_DIR").unwrap();
//! codegen::Config::new()
//!     .out_dir(&out)
//!     .compile(&["specs/my_vendor.yaml"])
//!     .unwrap_or_else(|e| panic!("{e}"));
//! ```

#![warn(missing_docs)]

pub mod audit;
pub mod diagnostics;
pub mod document;
pub mod emit;
pub mod ir;
pub mod markdown;
pub mod openapi;
pub mod spec;
pub mod validate;

mod config;

pub use config::{Config, Error, GeneratedFile, GeneratedKind};
pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use spec::Limits;
