//! The public entry point: a small builder in the style of `prost-build`.

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostics;
use crate::{audit, document, emit, ir, spec, validate};

/// What went wrong while generating.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One or more specs are invalid; every problem is listed with its position.
    #[error("{rendered}")]
    Spec {
        diagnostics: Diagnostics,
        /// The diagnostics rendered with source lines, ready to print.
        rendered: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The generator produced code that does not parse (a generator bug).
    #[error("{spec}: {message}")]
    Emit { spec: PathBuf, message: String },
}

/// Which kind of file a [`GeneratedFile`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeneratedKind {
    /// The vendor module.
    Module,
    /// The example fixture tests.
    ExampleTests,
}

/// One generated file, in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub module: String,
    pub kind: GeneratedKind,
    /// File name relative to its output directory (`erp.rs` for both kinds).
    pub file_name: String,
    pub contents: String,
}

/// Configures and runs code generation.
#[derive(Debug, Clone, Default)]
pub struct Config {
    out_dir: Option<PathBuf>,
    spec_root: Option<PathBuf>,
    require_sources: bool,
}

impl Config {
    pub fn new() -> Self {
        Self::default()
    }

    /// Where [`Config::compile`] writes the vendor modules (default: `$OUT_DIR`).
    pub fn out_dir(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Spec paths in generated headers are shown relative to this directory
    /// (default: as given), so output does not depend on where it was generated.
    pub fn spec_root(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.spec_root = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Fail, at the spec's `source:`, when a spec's source document cannot be
    /// read (default: generate without document lines in the docs).
    pub fn require_sources(&mut self, yes: bool) -> &mut Self {
        self.require_sources = yes;
        self
    }

    /// Composes each item's generated docs: the document's text, the
    /// maintainer's note, and the document lines it comes from.
    fn with_generated_docs(
        &self,
        mut loaded: spec::LoadedSpec,
    ) -> Result<spec::LoadedSpec, Diagnostics> {
        let provenance = match document::load_source(&loaded) {
            Ok(doc) => Some(audit::provenance(&loaded, &doc)),
            Err(d) if self.require_sources => return Err(d),
            Err(_) => None,
        };
        audit::compose_docs(&mut loaded.spec, provenance.as_ref());
        Ok(loaded)
    }

    /// Loads, validates and generates every spec, in memory. All problems of all
    /// specs are reported together.
    pub fn generate(&self, specs: &[impl AsRef<Path>]) -> Result<Vec<GeneratedFile>, Error> {
        let mut diagnostics = Diagnostics::default();
        let mut apis = Vec::new();
        for path in specs {
            let path = path.as_ref();
            match spec::load(path)
                .and_then(|loaded| validate::validate(&loaded).map(|()| loaded))
                .and_then(|loaded| self.with_generated_docs(loaded))
            {
                Ok(loaded) => apis.push(ir::lower(&loaded, &self.display_path(path))),
                Err(d) => diagnostics.extend(d),
            }
        }
        if !diagnostics.is_empty() {
            let diagnostics = diagnostics.sorted();
            let rendered = diagnostics.render(|p| std::fs::read_to_string(p).ok())
                + &format!("{} error(s)", diagnostics.len());
            return Err(Error::Spec {
                diagnostics,
                rendered,
            });
        }
        let mut files = Vec::new();
        for api in &apis {
            let emit_err = |message| Error::Emit {
                spec: PathBuf::from(&api.spec_path),
                message,
            };
            files.push(GeneratedFile {
                module: api.module.clone(),
                kind: GeneratedKind::Module,
                file_name: format!("{}.rs", api.module),
                contents: emit::emit_module(api).map_err(emit_err)?,
            });
            if let Some(contents) = emit::emit_example_tests(api).map_err(emit_err)? {
                files.push(GeneratedFile {
                    module: api.module.clone(),
                    kind: GeneratedKind::ExampleTests,
                    file_name: format!("{}.rs", api.module),
                    contents,
                });
            }
        }
        Ok(files)
    }

    /// Generates the vendor modules into the output directory (for `build.rs`).
    /// Include them with `include!(concat!(env!("OUT_DIR"), "/my_vendor.rs"))`.
    pub fn compile(&self, specs: &[impl AsRef<Path>]) -> Result<(), Error> {
        let out_dir = match &self.out_dir {
            Some(d) => d.clone(),
            None => PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()),
        };
        for path in specs {
            println!("cargo:rerun-if-changed={}", path.as_ref().display());
        }
        for file in self
            .generate(specs)?
            .into_iter()
            .filter(|f| f.kind == GeneratedKind::Module)
        {
            let path = out_dir.join(&file.file_name);
            std::fs::write(&path, file.contents).map_err(|source| Error::Io { path, source })?;
        }
        Ok(())
    }

    fn display_path(&self, path: &Path) -> String {
        let shown = match &self.spec_root {
            Some(root) => path.strip_prefix(root).unwrap_or(path),
            None => path,
        };
        shown.to_string_lossy().replace('\\', "/")
    }
}
