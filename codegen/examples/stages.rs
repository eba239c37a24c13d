use std::time::Instant;
fn main() {
    let p = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    let t = Instant::now();
    let src = std::fs::read_to_string(&p).unwrap();
    let node = codegen::spec::yaml::parse(&src, &Default::default()).unwrap();
    eprintln!("parse node {:?}", t.elapsed());
    let t = Instant::now();
    let probs = codegen::spec::schema::check(&node, codegen::spec::schema::spec_schema());
    eprintln!("schema {:?} {}", t.elapsed(), probs.len());
    let t = Instant::now();
    let loaded = codegen::spec::load(&p).unwrap();
    eprintln!("load total {:?}", t.elapsed());
    let t = Instant::now();
    codegen::validate::validate(&loaded).unwrap();
    eprintln!("validate {:?}", t.elapsed());
    let t = Instant::now();
    let api = codegen::ir::lower(&loaded, "x");
    eprintln!("lower {:?}", t.elapsed());
    let t = Instant::now();
    let out = codegen::emit::emit_module(&api, &Default::default()).unwrap();
    eprintln!("emit {:?} {}", t.elapsed(), out.len());
}
