//! A fuzz harness that runs on stable Rust (`cargo xtask fuzz`).
//!
//! `cargo fuzz` needs nightly, which these machines do not have. This crate is a
//! small libFuzzer-style loop instead: seeded, deterministic structured mutation
//! ([`mutate`]), panics caught and saved ([`harness`]), memory watched ([`rss`]),
//! and the outcome kinds of each target (`ok`, each error kind) as a crude coverage
//! signal: an input that produces a kind not seen before joins the corpus.
//! Targets ([`targets`]): the spec loader, every generated `decode_response`, the
//! token-response decoder and the jfwms webhook `verify_and_parse`.

pub mod harness;
pub mod mutate;
pub mod rss;
pub mod seeds;
pub mod targets;
