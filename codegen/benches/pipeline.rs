//! How long each pipeline stage takes on the real specs (figures in README.md).
//!
//! `cargo bench -p codegen --bench pipeline`

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};

fn specs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("specs/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    specs.sort();
    specs
}

fn pipeline(c: &mut Criterion) {
    let specs = specs();
    let erp = specs
        .iter()
        .find(|p| p.ends_with("erp.yaml"))
        .expect("erp spec")
        .clone();
    let source = std::fs::read_to_string(&erp).expect("read");

    c.bench_function("load erp.yaml (parse + structural check)", |b| {
        b.iter(|| codegen::spec::load_str(&erp, black_box(source.clone())).expect("valid"))
    });
    let loaded = codegen::spec::load_str(&erp, source.clone()).expect("valid");
    c.bench_function("validate erp.yaml", |b| {
        b.iter(|| {
            codegen::validate::validate(black_box(&loaded))
                .map(drop)
                .expect("valid")
        })
    });
    let valid = codegen::validate::validate(&loaded).expect("valid");
    let api = codegen::ir::lower(&valid, "specs/erp.yaml").expect("lowers");
    c.bench_function("emit erp module (quote + prettyplease)", |b| {
        b.iter(|| codegen::emit::emit_module(black_box(&api), &Default::default()).expect("emits"))
    });
    c.bench_function("generate all five specs", |b| {
        b.iter(|| {
            codegen::Config::new()
                .generate(black_box(&specs))
                .expect("generates")
        })
    });
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
