//! `cargo xtask audit`: the six specs are faithful to their documents, and
//! problems planted in a copy of `specs/erp.yaml` are reported at the right
//! spec position (and document line).

use std::path::{Path, PathBuf};

use codegen::diagnostics::Diagnostic;
use codegen::{audit, document, spec, validate};

fn specs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs")
}

fn erp_text() -> String {
    std::fs::read_to_string(specs_dir().join("erp.yaml")).expect("specs/erp.yaml")
}

/// Audits spec text as if it were a file in `specs/` (so `source:` resolves).
fn audit_text(text: &str) -> Vec<Diagnostic> {
    let path = specs_dir().join("planted.yaml");
    let loaded = spec::load_str(&path, text.to_owned()).expect("the planted spec loads");
    validate::validate(&loaded).expect("the planted spec is valid");
    let doc = document::load_source(&loaded).expect("the source document is found");
    audit::audit(&loaded, &doc).into_iter().collect()
}

/// 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> u64 {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the spec"));
    text[..at].lines().count() as u64 + u64::from(text[..at].ends_with('\n'))
}

/// Replaces exactly one occurrence, so a planted change cannot silently miss.
fn plant(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    text.replacen(from, to, 1)
}

#[test]
fn all_six_specs_are_faithful_to_their_documents() {
    for name in [
        "erp",
        "jfwms",
        "niumall",
        "supercarrier8",
        "zhiyun",
        "cainiao_edi",
    ] {
        let path = specs_dir().join(format!("{name}.yaml"));
        if let Err(findings) = audit::audit_file(&path) {
            panic!("{name}: {findings}");
        }
    }
}

#[test]
fn an_invented_title_is_reported_at_the_title() {
    let text = plant(&erp_text(), "title: 库存查询接口", "title: 库存盘点接口");
    let findings = audit_text(&text);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f.path, "endpoints.query_inventory.title");
    assert_eq!(f.loc.line, line_of(&text, "title: 库存盘点接口"));
    assert!(f.message.contains("库存盘点接口"), "{}", f.message);
}

#[test]
fn a_deleted_field_is_reported_at_its_type_with_the_document_line() {
    // The examples in the spec still show `warehouse_id`: that must not count.
    let text = plant(
        &erp_text(),
        "      warehouse_id: { type: string, note: 仓库编号 }\n",
        "",
    );
    assert!(text.contains("\"warehouse_id\": \"0001\""));
    let findings = audit_text(&text);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f.path, "types.InventoryItem.fields");
    assert_eq!(
        f.loc.line,
        line_of(&text, "  InventoryItem:\n") + 3,
        "at the type's `fields`"
    );
    assert!(
        f.message.contains("`warehouse_id`") && f.message.contains("document line 144"),
        "{}",
        f.message
    );
}

#[test]
fn an_invented_error_message_is_reported_at_the_message() {
    let text = plant(
        &erp_text(),
        "message: 客户端凭据无效,",
        "message: 客户端凭据已失效,",
    );
    let findings = audit_text(&text);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].path, "error_codes.oauth2.codes[1].message");
    assert_eq!(findings[0].loc.line, line_of(&text, "客户端凭据已失效"));
}

#[test]
fn an_unstated_bound_and_a_stale_acknowledgement_are_reported() {
    let text = plant(
        &erp_text(),
        "        default: 1\n",
        "        default: 1\n        minimum: 1\n",
    );
    let text = plant(
        &text,
        "    names: [token_type]\n",
        "    names: [token_type, no_such_name]\n",
    );
    let findings = audit_text(&text);
    let paths: Vec<&str> = findings.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths[..3],
        [
            "endpoints.query_inventory.params.page.minimum",
            "endpoints.query_orders.params.page.minimum",
            "endpoints.query_outbound.params.page.minimum",
        ]
    );
    assert_eq!(findings.len(), 4, "{findings:#?}");
    let stale = &findings[3];
    assert!(
        stale.path.starts_with("doc_gaps[") && stale.path.ends_with("].names[1]"),
        "{stale:?}"
    );
    assert_eq!(stale.loc.line, line_of(&text, "no_such_name"));
    assert!(
        stale.message.contains("acknowledges nothing"),
        "{}",
        stale.message
    );
}

#[test]
fn a_missing_source_document_is_a_located_error() {
    let text = plant(
        &erp_text(),
        "source: sources/000_a6c41a1029071ef4.txt",
        "source: sources/missing.txt",
    );
    let path = specs_dir().join("planted.yaml");
    let loaded = spec::load_str(&path, text.clone()).expect("loads");
    let err = document::load_source(&loaded).expect_err("the document is missing");
    let d = err.iter().next().expect("one diagnostic");
    assert_eq!(
        (d.path.as_str(), d.loc.line),
        ("source", line_of(&text, "source: sources/"))
    );
    assert!(d.message.contains("missing.txt"), "{}", d.message);
}

#[test]
fn provenance_points_at_the_documents_rows() {
    let loaded = spec::load(&specs_dir().join("erp.yaml")).expect("loads");
    let doc = document::load_source(&loaded).expect("source");
    let prov = audit::provenance(&loaded, &doc);
    // 库存查询接口 is the heading on line 119, its path row line 123;
    // `page_size` is row 131 of its parameter table; -1 is row 652.
    assert_eq!(prov.lines("endpoints.query_inventory"), &[119, 123]);
    assert_eq!(
        prov.lines("endpoints.query_inventory.params.page_size"),
        &[131]
    );
    assert_eq!(
        prov.lines("types.InventoryItem.fields.warehouse_id"),
        &[144]
    );
    assert_eq!(prov.lines("error_codes.business.codes[1]"), &[652]);
}

#[test]
fn provenance_inside_a_one_line_document_names_the_column() {
    // supercarrier8's document is a flattened web page: line 173 has 5,800 characters.
    let loaded = spec::load(&specs_dir().join("supercarrier8.yaml")).expect("loads");
    let doc = document::load_source(&loaded).expect("source");
    let prov = audit::provenance(&loaded, &doc);
    let row = prov.positions("error_codes.token.codes[1]")[0];
    let line = &doc.lines()[row.line - 1];
    let at: String = line.chars().skip(row.column - 1).take(21).collect();
    assert_eq!(at, "21184031 | 应用账号或密钥不正确");
    assert_eq!(
        prov.describe("error_codes.token.codes[1]"),
        Some(format!("Document line 173 (column {}).", row.column).as_str())
    );
    // Short lines are named by line only.
    let erp = spec::load(&specs_dir().join("erp.yaml")).expect("loads");
    let erp_doc = document::load_source(&erp).expect("source");
    let erp_prov = audit::provenance(&erp, &erp_doc);
    assert_eq!(
        erp_prov.describe("endpoints.query_inventory"),
        Some("Document lines 119, 123.")
    );
}
