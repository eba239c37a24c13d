//! The `build.rs` front door: `Config::compile` writes vendor modules to a
//! directory and reports invalid specs as one located, printable error.

use std::path::PathBuf;

fn spec(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../specs")
        .join(name)
}

fn out_dir(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn compile_writes_the_vendor_module() {
    let out = out_dir("compile_writes_the_vendor_module");
    codegen::Config::new()
        .out_dir(&out)
        .compile(&[spec("erp.yaml")])
        .expect("compiles");
    let module = std::fs::read_to_string(out.join("erp.rs")).expect("erp.rs written");
    // The header names the generator, not a command of this repository.
    let generator = format!(
        "{}{} from `",
        codegen::emit::MARK,
        env!("CARGO_PKG_VERSION")
    );
    assert!(
        module.starts_with(&generator),
        "{:?}",
        module.lines().next()
    );
    assert!(module.contains("pub struct Client"));
    // Only modules: example tests belong to this repository's own test suite.
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}

#[test]
fn an_invalid_spec_is_one_error_listing_every_problem() {
    let out = out_dir("an_invalid_spec_is_one_error_listing_every_problem");
    let broken =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/broken_specs/many_errors.yaml");
    let err = codegen::Config::new()
        .out_dir(&out)
        .compile(&[spec("erp.yaml"), broken])
        .expect_err("rejected");
    let codegen::Error::Spec {
        diagnostics,
        rendered,
    } = &err
    else {
        panic!("expected a spec error, got {err:?}")
    };
    assert!(diagnostics.len() >= 5, "{rendered}");
    assert!(
        diagnostics
            .iter()
            .all(|d| d.loc.line > 0 && d.loc.column > 0)
    );
    assert!(rendered.contains("many_errors.yaml:"), "{rendered}");
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        0,
        "nothing is written when any spec is invalid"
    );
}
