pub mod diagnostics;
pub mod spec;
