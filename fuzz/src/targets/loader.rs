//! Target `loader`: the spec front end as `cargo xtask check-spec` runs it — YAML → located
//! tree → schema check → model (`spec::load_str`), semantic checks (`validate`), the
//! rendered diagnostics (which slice the source at reported lines and columns), and, for
//! specs that validate, lowering to the IR (`ir::lower`).
//!
//! Inputs are small: the minimal spec with one section of a real spec swapped in (see
//! `seeds::loader_seeds`), not whole 400–1,300-line specs, so that 10 M executions fit
//! in a session.

use std::path::Path;

use super::normalize_message;
use crate::harness::{Rng, Target};
use crate::mutate::yaml;

pub struct Loader {
    seeds: Vec<Vec<u8>>,
}

impl Loader {
    pub fn new(root: &Path) -> Loader {
        Loader {
            seeds: crate::seeds::loader_seeds(root),
        }
    }
}

impl Target for Loader {
    fn name(&self) -> &'static str {
        "loader"
    }

    fn seeds(&self) -> Vec<Vec<u8>> {
        self.seeds.clone()
    }

    fn mutate(&self, rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
        yaml::mutate(rng, input, other)
    }

    fn max_len(&self) -> usize {
        4 * 1024
    }

    fn run(&self, input: &[u8]) -> String {
        // The loader takes text: invalid UTF-8 is the file reader's business (`load`
        // reports it); here it is replaced, as a lossy read would.
        let source = String::from_utf8_lossy(input).into_owned();
        let path = Path::new("fuzz.yaml");
        let lowered = codegen::spec::load_str(path, source.clone()).and_then(|loaded| {
            let valid = codegen::validate::validate(&loaded)?;
            codegen::ir::lower(&valid, "fuzz.yaml")
        });
        match lowered {
            Ok(api) => {
                std::hint::black_box(api);
                "ok".to_owned()
            }
            Err(diags) => {
                let rendered = diags.render(|_| Some(source.clone()));
                std::hint::black_box(rendered);
                let first = diags
                    .iter()
                    .next()
                    .map(|d| normalize_message(&d.message))
                    .unwrap_or_default();
                format!("err/{}: {first}", diags.len().min(4))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_include_specs_that_validate_and_specs_that_do_not() {
        let target = Loader::new(&crate::seeds::workspace_root());
        let seeds = target.seeds();
        assert!(seeds.len() >= 40, "{} seeds", seeds.len());
        let ok = seeds.iter().filter(|s| target.run(s) == "ok").count();
        assert!(ok >= 10, "only {ok} of {} seeds validate", seeds.len());
        assert!(ok < seeds.len(), "the broken specs must not validate");
    }
}
