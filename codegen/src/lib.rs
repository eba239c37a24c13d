pub mod diagnostics;
pub mod spec;
pub mod validate;
