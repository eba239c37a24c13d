//! `cargo xtask audit SPEC...`: check each spec against its source document
//! (logic and findings in `codegen::audit`; this only prints).

use std::path::Path;

pub fn run(files: &[&str]) -> Result<(), String> {
    let mut findings = 0;
    for file in files {
        match codegen::audit::audit_file(Path::new(file)) {
            Ok(()) => eprintln!("{file}: faithful to its document"),
            Err(diags) => {
                findings += diags.len();
                eprint!("{}", diags.render(|p| std::fs::read_to_string(p).ok()));
            }
        }
    }
    if findings == 0 {
        Ok(())
    } else {
        Err(format!("{findings} finding(s)"))
    }
}
