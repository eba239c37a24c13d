//! `cargo xtask drift SPEC --was OLD_DOCUMENT | --since GIT_REV`: the changes
//! between the document revision a spec transcribes and its current
//! `source:`, each with the spec entries it touches (`codegen::audit::drift`).

use std::path::{Path, PathBuf};
use std::process::Command;

use codegen::audit::drift::{self, Change};
use codegen::document::{self, SourceDocument};

pub fn run(args: &[&str]) -> Result<(), String> {
    let (spec_file, old_path, old_text) = match args {
        [spec, "--was", old] => {
            let text =
                std::fs::read_to_string(old).map_err(|e| format!("cannot read {old}: {e}"))?;
            (*spec, PathBuf::from(old), text)
        }
        [spec, "--since", rev] => {
            let loaded = codegen::spec::load(Path::new(spec)).map_err(|d| d.to_string())?;
            let source = document::source_path(&loaded);
            let text = git_show(rev, &source)?;
            (
                *spec,
                PathBuf::from(format!("{rev}:{}", source.display())),
                text,
            )
        }
        _ => {
            return Err(
                "usage: cargo xtask drift SPEC --was OLD_DOCUMENT | --since GIT_REV".into(),
            );
        }
    };
    let loaded = codegen::spec::load(Path::new(spec_file)).map_err(|d| d.to_string())?;
    let new = document::load_source(&loaded).map_err(|d| d.to_string())?;
    let old = SourceDocument::new(old_path.clone(), &old_text);
    let hunks = drift::drift(&loaded, &old, &new);
    for h in &hunks {
        let range = |r: &std::ops::Range<usize>| match r.len() {
            0 => format!("after line {}", r.start - 1),
            1 => format!("line {}", r.start),
            _ => format!("lines {}-{}", r.start, r.end - 1),
        };
        let columns = |c: &std::ops::Range<usize>| format!(", columns {}-{}", c.start, c.end - 1);
        let (new_columns, old_columns) = match &h.columns {
            Some((was, now)) => (columns(now), columns(was)),
            None => (String::new(), String::new()),
        };
        println!(
            "{}: {}{new_columns} (was {}{old_columns} of {})",
            new.path.display(),
            range(&h.new_lines),
            range(&h.old_lines),
            old_path.display()
        );
        println!("  {}", h.change.describe());
        for l in &h.removed {
            println!("  - {l}");
        }
        for l in &h.added {
            println!("  + {l}");
        }
        if h.cited.is_empty() {
            println!("  no spec entry cites it");
        }
        for c in &h.cited {
            println!(
                "  {}:{}:{}: {}",
                spec_file, c.loc.line, c.loc.column, c.spec_path
            );
        }
        println!("  to do: {}", drift::advice(h));
        if h.change == Change::Added && !h.cited.is_empty() {
            println!("  (cited because an entry now matches the added lines)");
        }
        println!();
    }
    if hunks.is_empty() {
        eprintln!("{spec_file}: the document has not changed");
        Ok(())
    } else {
        let uncited = hunks.iter().filter(|h| h.cited.is_empty()).count();
        Err(format!(
            "{} changed hunk(s) to review ({uncited} cited by no spec entry)",
            hunks.len()
        ))
    }
}

fn git_show(rev: &str, path: &Path) -> Result<String, String> {
    let path = std::fs::canonicalize(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let top = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .current_dir(dir)
        .output()
        .map_err(|e| format!("git: {e}"))?;
    let top = PathBuf::from(String::from_utf8_lossy(&top.stdout).trim());
    let rel = path
        .strip_prefix(&top)
        .map_err(|_| format!("{} is not in the git tree", path.display()))?;
    let out = Command::new("git")
        .arg("show")
        .arg(format!("{rev}:{}", rel.display()))
        .current_dir(&top)
        .output()
        .map_err(|e| format!("git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git show {rev}:{}: {}",
            rel.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("{rev}:{}: not UTF-8: {e}", rel.display()))
}
