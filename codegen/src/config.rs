//! The public entry point: a small builder in the style of `prost-build`.

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostics;
use crate::spec::Limits;
use crate::{audit, document, emit, ir, spec, validate};

/// What went wrong while generating.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One or more specs are invalid; every problem is listed with its position.
    #[error("{rendered}")]
    Spec {
        /// Every problem of every spec, sorted by file and position.
        diagnostics: Diagnostics,
        /// The diagnostics rendered with source lines, ready to print.
        rendered: String,
    },
    /// Writing the output failed: making the output directory or writing a module. (A spec
    /// that cannot be read is an [`Error::Spec`] diagnostic, like any other spec problem.)
    #[error("{path}: {source}")]
    Io {
        /// The directory or file being written.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// A [`Config`] option has an unusable value.
    #[error("Config::{option}: {message}")]
    Option {
        /// The setter's name, e.g. `runtime_path`.
        option: &'static str,
        /// What is wrong with the value.
        message: String,
    },
    /// The generator produced code that does not parse (a generator bug).
    #[error("{spec}: {message}")]
    Emit {
        /// The spec being generated, as its generated header shows it.
        spec: PathBuf,
        /// What failed: the parse error of the generated code, or that the generator panicked.
        message: String,
    },
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
    /// The spec's `module:`, the name of the generated Rust module.
    pub module: String,
    /// Which file it is, and so which directory it belongs in.
    pub kind: GeneratedKind,
    /// File name relative to its output directory (`erp.rs` for both kinds).
    pub file_name: String,
    /// The whole file, starting with the `// @generated` header.
    pub contents: String,
}

/// Configures and runs code generation, in the manner of `prost_build::Config`: set options
/// with the `&mut self` setters, then run [`compile`](Self::compile) from a `build.rs`
/// ([`generate`](Self::generate), [`write`](Self::write), [`check`](Self::check) and
/// [`lower`](Self::lower) for tools). Every option is optional; the defaults suit a
/// consumer's `build.rs`.
#[derive(Debug, Clone, Default)]
pub struct Config {
    out_dir: Option<PathBuf>,
    spec_root: Option<PathBuf>,
    require_sources: bool,
    runtime_path: Option<String>,
    limits: Limits,
}

impl Config {
    /// A configuration with every option at its default.
    pub fn new() -> Self {
        Self::default()
    }

    /// Where [`Config::compile`] and [`Config::write`] put the vendor modules (default: `$OUT_DIR`).
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

    /// The path generated code names the runtime by (default `::spec_runtime`, the `spec-runtime` crate),
    /// in the manner of prost's `extern_path`: set it when the runtime is re-exported
    /// elsewhere (`"::my_platform::api_runtime"`). Everything else generated code uses
    /// (serde, jiff, reqwest...) is reached through the runtime's re-exports, so the crate
    /// that includes the code needs no other dependency.
    pub fn runtime_path(&mut self, path: impl Into<String>) -> &mut Self {
        self.runtime_path = Some(path.into());
        self
    }

    /// How large a spec may be (bytes, YAML nodes, aliases); see [`Limits`] for the defaults.
    pub fn limits(&mut self, limits: Limits) -> &mut Self {
        self.limits = limits;
        self
    }

    /// Loads and validates every spec without generating anything. All problems of all
    /// specs are reported together, located.
    pub fn check(&self, specs: &[impl AsRef<Path>]) -> Result<(), Error> {
        self.lower_all(specs).map(drop)
    }

    /// What [`check`](Self::check) finds, plus the warnings of specs that are valid (a
    /// failure kind no error code answers in the spec mock, see `validate::refusals`). A
    /// warning never fails a build.
    pub fn warnings(&self, specs: &[impl AsRef<Path>]) -> Result<Diagnostics, Error> {
        self.check(specs)?;
        let mut warnings = Diagnostics::default();
        for path in specs {
            if let Ok(loaded) = spec::load_within(path.as_ref(), &self.limits) {
                warnings.extend(validate::refusals::warnings(&loaded));
            }
        }
        Ok(warnings.sorted())
    }

    /// Loads, validates and generates every spec, in memory. All problems of all
    /// specs are reported together.
    pub fn generate(&self, specs: &[impl AsRef<Path>]) -> Result<Vec<GeneratedFile>, Error> {
        let apis = self.lower_all(specs)?;
        let options = self.emit_options()?;
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
                contents: emit::emit_module(api, &options).map_err(emit_err)?,
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

    /// Generates the vendor modules into the output directory, for `build.rs`: also tells
    /// cargo to rerun when a spec changes. Include a module with
    /// `include!(concat!(env!("OUT_DIR"), "/my_vendor.rs"))`.
    pub fn compile(&self, specs: &[impl AsRef<Path>]) -> Result<(), Error> {
        for path in specs {
            println!("cargo:rerun-if-changed={}", path.as_ref().display());
        }
        self.write(specs).map(drop)
    }

    /// Generates the vendor modules into the output directory and returns the paths
    /// written. Nothing is written unless every spec is valid.
    pub fn write(&self, specs: &[impl AsRef<Path>]) -> Result<Vec<PathBuf>, Error> {
        let out_dir = match &self.out_dir {
            Some(d) => d.clone(),
            None => PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()),
        };
        let files = self.generate(specs)?;
        // Like `cargo new`: the output folder is made when missing (its parents too).
        std::fs::create_dir_all(&out_dir).map_err(|source| Error::Io {
            path: out_dir.clone(),
            source,
        })?;
        let mut written = Vec::new();
        for file in files
            .into_iter()
            .filter(|f| f.kind == GeneratedKind::Module)
        {
            let path = out_dir.join(&file.file_name);
            std::fs::write(&path, file.contents).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            written.push(path);
        }
        Ok(written)
    }

    /// One spec loaded, validated and lowered to the [`ir::Api`] the emitter reads, for tools
    /// that interpret a spec rather than generate code from it (the spec mock server).
    pub fn lower(&self, spec: impl AsRef<Path>) -> Result<ir::Api, Error> {
        let spec = spec.as_ref();
        self.lower_all(&[spec])?.pop().ok_or_else(|| Error::Spec {
            diagnostics: Diagnostics::default(),
            rendered: format!("{}: nothing lowered", spec.display()),
        })
    }

    /// Every spec loaded, validated and lowered, or every problem of every spec.
    fn lower_all(&self, specs: &[impl AsRef<Path>]) -> Result<Vec<ir::Api>, Error> {
        let mut diagnostics = Diagnostics::default();
        let mut apis = Vec::new();
        for path in specs {
            let path = path.as_ref();
            let lowered = spec::load_within(path, &self.limits).and_then(|loaded| {
                // Docs are composed first: validation and lowering never read them.
                let loaded = self.with_generated_docs(loaded)?;
                let valid = validate::validate(&loaded)?;
                ir::lower(&valid, &self.display_path(path))
            });
            match lowered {
                Ok(api) => apis.push(api),
                Err(d) => diagnostics.extend(d),
            }
        }
        if diagnostics.is_empty() {
            return Ok(apis);
        }
        let diagnostics = diagnostics.sorted();
        let rendered = diagnostics.render(|p| std::fs::read_to_string(p).ok())
            + &format!("{} error(s)", diagnostics.len());
        Err(Error::Spec {
            diagnostics,
            rendered,
        })
    }

    fn emit_options(&self) -> Result<emit::Options, Error> {
        let mut options = emit::Options::default();
        if let Some(text) = &self.runtime_path {
            syn::parse_str::<syn::Path>(text).map_err(|e| Error::Option {
                option: "runtime_path",
                message: format!("`{text}` is not a Rust path: {e}"),
            })?;
            options.runtime_path.clone_from(text);
        }
        Ok(options)
    }

    fn display_path(&self, path: &Path) -> String {
        let shown = match &self.spec_root {
            Some(root) => path.strip_prefix(root).unwrap_or(path),
            None => path,
        };
        shown.to_string_lossy().replace('\\', "/")
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn erp() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/erp.yaml")
    }

    #[test]
    fn runtime_path_names_the_runtime_everywhere() {
        let files = Config::new()
            .runtime_path("crate::vendored::runtime")
            .generate(&[erp()])
            .expect("generates");
        let module = &files[0].contents;
        assert!(module.contains("use crate::vendored::runtime as rt;"));
        assert!(
            !module.contains("generated_client"),
            "no other path to the runtime"
        );
    }

    #[test]
    fn a_runtime_path_that_is_not_a_path_is_a_config_error() {
        let err = Config::new()
            .runtime_path("not a path")
            .generate(&[erp()])
            .expect_err("rejected");
        assert!(
            matches!(
                err,
                Error::Option {
                    option: "runtime_path",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    /// `include!` rejects inner attributes and inner doc comments (E0753).
    #[test]
    fn modules_have_no_inner_attributes() {
        let files = Config::new().generate(&[erp()]).expect("generates");
        let module = &files[0].contents;
        assert!(!module.contains("//!") && !module.contains("#!["));
    }
}
