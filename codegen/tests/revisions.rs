//! Vendor revisions of the documents, planted in a copy of each document and
//! audited against the *unchanged* spec: each revision must be reported, at
//! the spec entry it touches (or naming the document's new identifier).
//!
//! The same revisions go through `audit::drift` (old document → revised): a
//! revision that inserts lines must be listed as new material (an added hunk
//! no spec entry cites, or citing the entry the audit names), any other must
//! be attributed to the spec entry the audit reports (or the item holding it).
//!
//! A revision is `(from, to)` applied to the document text (`from` must occur
//! exactly once, so a revision cannot silently miss) and what the audit must say.

use std::path::{Path, PathBuf};

use codegen::document::SourceDocument;
use codegen::{audit, spec, validate};

fn specs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs")
}

/// What a revision's finding must show.
enum Expect {
    /// A finding at this spec path.
    At(&'static str),
    /// A finding whose message names this new document identifier.
    Names(&'static str),
}

struct Revision {
    what: &'static str,
    from: &'static str,
    to: &'static str,
    /// Replace every occurrence (a renamed path is renamed everywhere).
    all: bool,
    expect: Expect,
}

const fn rev(what: &'static str, from: &'static str, to: &'static str, expect: Expect) -> Revision {
    Revision {
        what,
        from,
        to,
        all: false,
        expect,
    }
}

/// Audits `specs/<name>.yaml` against its document revised by `r`, and runs
/// drift from the original to the revised document.
fn findings_after(
    name: &str,
    r: &Revision,
) -> (
    Vec<codegen::diagnostics::Diagnostic>,
    Vec<audit::drift::Hunk>,
) {
    let path = specs_dir().join(format!("{name}.yaml"));
    let loaded = spec::load(&path).expect("the spec loads");
    validate::validate(&loaded).expect("the spec is valid");
    let original = codegen::document::load_source(&loaded).expect("the document is found");
    let text = original.lines().join("\n");
    let n = text.matches(r.from).count();
    assert!(
        if r.all { n >= 1 } else { n == 1 },
        "{name}: revision {:?}: {:?} occurs {n} times",
        r.what,
        r.from
    );
    let revised = if r.all {
        text.replace(r.from, r.to)
    } else {
        text.replacen(r.from, r.to, 1)
    };
    let doc = SourceDocument::new(original.path.clone(), &revised);
    let hunks = audit::drift::drift(&loaded, &original, &doc);
    (audit::audit(&loaded, &doc).into_iter().collect(), hunks)
}

fn check(name: &str, revisions: &[Revision]) {
    let mut missed = Vec::new();
    for r in revisions {
        let (findings, hunks) = findings_after(name, r);
        let hit = findings.iter().any(|f| match r.expect {
            Expect::At(p) => f.path == p,
            Expect::Names(id) => f.message.contains(&format!("`{id}`")),
        });
        if !hit {
            missed.push(format!("audit, {}: {findings:#?}", r.what));
        }
        let inserts = r.to.starts_with(&format!("{}\n", r.from));
        let attributed = hunks.iter().any(|h| {
            let related = |p: &str| match r.expect {
                Expect::At(e) => e == p || e.starts_with(&format!("{p}.")),
                Expect::Names(_) => false,
            };
            let cites = h.cited.iter().any(|c| related(&c.spec_path));
            if inserts {
                // New material: an added hunk holding the inserted text, cited by nothing or
                // by the entry the revision concerns.
                h.change == audit::drift::Change::Added
                    && h.added.iter().any(|l| r.to.contains(l.as_str()))
                    && (h.cited.is_empty() || cites)
            } else {
                cites
            }
        });
        if !attributed {
            missed.push(format!("drift, {}: {hunks:#?}", r.what));
        }
    }
    assert!(
        missed.is_empty(),
        "{name}: revisions not reported or not attributed:\n{}",
        missed.join("\n")
    );
}

#[test]
fn erp_revisions_are_reported() {
    check(
        "erp",
        &[
            rev(
                "a code added (`code | text` row)",
                "invalid_client | 客户端凭据无效 |",
                "invalid_client | 客户端凭据无效 |\nserver_busy | 服务繁忙 |",
                Expect::Names("server_busy"),
            ),
            rev(
                "a message extended",
                "invalid_client | 客户端凭据无效 |",
                "invalid_client | 客户端凭据无效或已被禁用 |",
                Expect::At("error_codes.oauth2.codes[1].message"),
            ),
            rev(
                "a message reworded",
                "invalid_client | 客户端凭据无效 |",
                "invalid_client | 客户端认证失败 |",
                Expect::At("error_codes.oauth2.codes[1].message"),
            ),
            rev(
                "a parameter added to the token table",
                "client_secret | 客户端密钥(请妥善保管) |",
                "client_secret | 客户端密钥(请妥善保管) |\ntenant_code | 租户编码 |",
                Expect::Names("tenant_code"),
            ),
            rev(
                "a token lifetime changed in prose",
                "expires_in | 有效期(秒),默认 3600 即 1 小时 |",
                "expires_in | 有效期(秒),默认 7200 即 2 小时 |",
                Expect::At("auth.token.response.default_lifetime_seconds"),
            ),
            rev(
                "an endpoint added",
                "| 销售出库单查询接口 | https://httpsAPI/public/outbound.php |",
                "| 销售出库单查询接口 | https://httpsAPI/public/outbound.php |\n| 退货单查询接口 | https://httpsAPI/public/refund.php |",
                Expect::Names("/public/refund.php"),
            ),
            Revision {
                all: true,
                ..rev(
                    "a path renamed",
                    "/public/worehouse.php",
                    "/public/warehouse.php",
                    Expect::At("endpoints.query_inventory.path"),
                )
            },
        ],
    );
}

#[test]
fn jfwms_revisions_are_reported() {
    check(
        "jfwms",
        &[
            rev(
                "a code added (enum line)",
                "SIGN_CANNOT_NULL(10021, \"SIGN 不能为空\"),",
                "SIGN_CANNOT_NULL(10021, \"SIGN 不能为空\"),\nORDER_LOCKED(10050, \"Order is locked\"),",
                Expect::Names("10050"),
            ),
            rev(
                "an enum message reworded",
                "REQUEST_PARAMS_ERROR(10001, \"Request parameter error\"),",
                "REQUEST_PARAMS_ERROR(10001, \"Request parameter is invalid\"),",
                Expect::At("error_codes.common.codes[1].message"),
            ),
            rev(
                "an enum message extended",
                "REQUEST_PARAMS_ERROR(10001, \"Request parameter error\"),",
                "REQUEST_PARAMS_ERROR(10001, \"Request parameter error, see details\"),",
                Expect::At("error_codes.common.codes[1].message"),
            ),
        ],
    );
}

#[test]
fn niumall_revisions_are_reported() {
    check(
        "niumall",
        &[
            rev(
                "a code added (markdown table)",
                "| 201 | 创建成功 |",
                "| 201 | 创建成功 |\n| 209 | 部分成功 |",
                Expect::Names("209"),
            ),
            rev(
                "a parameter added to one endpoint",
                "| status | string | 否 | 订单状态筛选 |",
                "| status | string | 否 | 订单状态筛选 |\n| keyword | string | 否 | 关键词 |",
                Expect::Names("keyword"),
            ),
            rev(
                "a parameter added whose name is a response field elsewhere",
                "| status | string | 否 | 订单状态筛选 |",
                "| status | string | 否 | 订单状态筛选 |\n| order_no | string | 否 | 订单号 |",
                Expect::At("endpoints.list_orders.params"),
            ),
            rev(
                "a parameter added whose name is another endpoint's parameter",
                "| status | string | 否 | 订单状态筛选 |",
                "| status | string | 否 | 订单状态筛选 |\n| supplier_id | integer | 否 | 供应商ID |",
                Expect::At("endpoints.list_orders.params"),
            ),
        ],
    );
}

#[test]
fn zhiyun_revisions_are_reported() {
    check(
        "zhiyun",
        &[
            rev(
                "a code added (`code | text` row)",
                "100023 | 授权用户非法持有授权码 |",
                "100023 | 授权用户非法持有授权码 |\n100024 | 授权码已被撤销 |",
                Expect::Names("100024"),
            ),
            rev(
                "a message extended",
                "100008 | 该client_id 不存在 |",
                "100008 | 该client_id 不存在或已停用 |",
                Expect::At("error_codes.auth.codes[1].message"),
            ),
            rev(
                "an example value changed",
                "Basic MTEwMjA4NDI5NDpha3U4aEN5WEJkOVNxWWtU",
                "Basic MTEwMjA4NDI5NDpha3U4aEN5WEJkOVNxWWtV",
                Expect::At("examples.basic_header_sample.text"),
            ),
        ],
    );
}

#[test]
fn cainiao_edi_revisions_are_reported() {
    check(
        "cainiao_edi",
        &[rev(
            "a message reworded (JSON example)",
            "{\"result\":{\"errorCode\":\"sign-check-failure\",\"errorMsg\":\"Illegal request\"},\"success\":\"false\"}",
            "{\"result\":{\"errorCode\":\"sign-check-failure\",\"errorMsg\":\"Illegal signature\"},\"success\":\"false\"}",
            Expect::At("error_codes.gateway.codes[0].message"),
        )],
    );
}

#[test]
fn supercarrier8_revisions_are_reported() {
    check(
        "supercarrier8",
        &[Revision {
            all: true,
            ..rev(
                "a path renamed (flattened page)",
                "/cncop/demo",
                "/cncop/demo2",
                Expect::At("endpoints.demo.path"),
            )
        }],
    );
}
