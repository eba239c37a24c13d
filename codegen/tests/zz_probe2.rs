#[test]
fn wide() {
    let src = std::fs::read_to_string("/tmp/probe/wide.yaml").unwrap();
    let p = std::path::Path::new("x");
    let t = std::time::Instant::now();
    let loaded = codegen::spec::load_str(p, src.clone()).unwrap();
    eprintln!("load {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let d = codegen::validate::validate(&loaded).unwrap_err();
    eprintln!("validate {:?} {}", t.elapsed(), d.len());
    let t = std::time::Instant::now();
    let _ = d.render(|_| Some(src.clone()));
    eprintln!("render {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let _ = d.render(|_| None);
    eprintln!("render-nosrc {:?}", t.elapsed());
}
