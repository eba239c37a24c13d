//! Stage 1: read a spec file into the [`model`], reporting every problem with its position.
//!
//! YAML → located [`yaml::Node`] tree → structural check against the derived
//! JSON Schema ([`schema`]) → typed [`model::Spec`]. Semantic checks come next,
//! in [`crate::validate`].

mod from_node;
pub mod model;
pub mod schema;
pub mod yaml;

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostics;
use model::Spec;
pub use yaml::Limits;
use yaml::Node;

/// A spec with everything needed to point back into its file.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// Path used in messages (as given by the caller).
    pub path: PathBuf,
    /// The file's text, for the excerpts diagnostics print.
    pub source: String,
    /// The YAML tree with positions, where semantic checks locate a spec path.
    pub node: Node,
    /// The typed model the later stages read.
    pub spec: Spec,
}

/// Reads and structurally checks one spec file, within the default [`Limits`].
pub fn load(path: &Path) -> Result<LoadedSpec, Diagnostics> {
    load_within(path, &Limits::default())
}

/// Reads and structurally checks one spec file within `limits`.
pub fn load_within(path: &Path, limits: &Limits) -> Result<LoadedSpec, Diagnostics> {
    match std::fs::read_to_string(path) {
        Ok(source) => load_str_within(path, source, limits),
        Err(err) => {
            let mut d = Diagnostics::default();
            d.push(
                path,
                Default::default(),
                "",
                format!("cannot read spec: {err}"),
            );
            Err(d)
        }
    }
}

/// Parses and structurally checks spec text; `path` is used in messages only.
pub fn load_str(path: &Path, source: String) -> Result<LoadedSpec, Diagnostics> {
    load_str_within(path, source, &Limits::default())
}

/// [`load_str`] within `limits`.
pub fn load_str_within(
    path: &Path,
    source: String,
    limits: &Limits,
) -> Result<LoadedSpec, Diagnostics> {
    let mut diags = Diagnostics::default();
    let node = match yaml::parse(&source, limits) {
        Ok(node) => node,
        Err(err) => {
            diags.push(path, err.loc, "", err.message);
            return Err(diags);
        }
    };
    for problem in schema::check(&node, schema::spec_schema()) {
        diags.push(path, problem.loc, problem.path, problem.message);
    }
    if !diags.is_empty() {
        return Err(diags.sorted());
    }
    match from_node::from_node::<Spec>(&node) {
        Ok(spec) => Ok(LoadedSpec {
            path: path.to_path_buf(),
            source,
            node,
            spec,
        }),
        Err(err) => {
            diags.push(path, err.loc, "", err.message);
            Err(diags)
        }
    }
}
