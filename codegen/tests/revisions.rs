//! Vendor revisions of the documents, planted in a copy of each document and
//! audited against the *unchanged* spec: each revision must be reported, at
//! the spec entry it touches (or naming the document's new identifier).
//!
//! The same revisions go through `audit::drift` (old document → revised): a
//! revision that inserts lines must be listed as new material (an added hunk
//! no spec entry cites, or citing the entry the audit names), any other must
//! be attributed to the spec entry the audit reports (or the item holding it);
//! a new identifier inside an existing line (the flattened page) must be in a
//! reworded hunk.
//!
//! A revision is `(from, to)` applied to the document text (`from` must occur
//! exactly once, so a revision cannot silently miss) and what the audit must say.
//!
//! Each document has the kinds of revision the issue lists (a parameter added
//! to one endpoint, a limit changed in one endpoint only, a field added and
//! one removed, a code added in each code style the document uses, a message
//! reworded and one extended, a prose lifetime or rate limit changed, an
//! endpoint added, a path renamed, an example value changed); where a
//! document has no instance of a kind, a comment in its list says so.

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
    /// Further `(from, to)` replacements of the same revision (a field removed
    /// from both the example and the table of a page), each occurring once.
    more: &'static [(&'static str, &'static str)],
    expect: Expect,
}

const fn rev(what: &'static str, from: &'static str, to: &'static str, expect: Expect) -> Revision {
    Revision {
        what,
        from,
        to,
        all: false,
        more: &[],
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
    let mut revised = if r.all {
        text.replace(r.from, r.to)
    } else {
        text.replacen(r.from, r.to, 1)
    };
    for (from, to) in r.more {
        let n = revised.matches(from).count();
        assert_eq!(
            n, 1,
            "{name}: revision {:?}: {from:?} occurs {n} times",
            r.what
        );
        revised = revised.replacen(from, to, 1);
    }
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
            if let (false, Expect::Names(id)) = (inserts, &r.expect) {
                // A new identifier inside an existing line (a flattened page's
                // one line): the reworded hunk holding it.
                h.change == audit::drift::Change::Reworded && h.added.iter().any(|l| l.contains(id))
            } else if inserts {
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
            rev(
                "a limit changed in one endpoint's table only",
                "如:2026-05-06 |\npage | int | 否 | 1 | 页码 |\npage_size | int | 否 | 20 | 每页数量,最大 100 |",
                "如:2026-05-06 |\npage | int | 否 | 1 | 页码 |\npage_size | int | 否 | 20 | 每页数量,最大 50 |",
                Expect::At("endpoints.query_orders.params.page_size.doc"),
            ),
            rev(
                "a field added to a response example",
                "\"salesperson_code\": \"03\",",
                "\"salesperson_code\": \"03\",\n\"salesperson_name\": \"张三\",",
                Expect::Names("salesperson_name"),
            ),
            rev(
                "a field removed from one response example (still in another)",
                "\"receiver_cit\": null,\n\"receiver_area\": null,",
                "\"receiver_cit\": null,",
                Expect::At("types.SalesOrder.fields.receiver_area"),
            ),
            rev(
                "a token example value changed (the first of two equal copies)",
                "接收 Access Token\n200 成功响应:\n{\n\"access_token\": \"8843534fa0deed...064c0ca20329d4acc4062\",",
                "接收 Access Token\n200 成功响应:\n{\n\"access_token\": \"8843534fa0deed...064c0ca20329d4acc4063\",",
                Expect::At("examples.authorization_code_token_response.text"),
            ),
            rev(
                "a token example value changed (the second of two equal copies)",
                "-d \"grant_type=client_credentials\"\n200 成功响应:\n{\n\"access_token\": \"8843534fa0deed...064c0ca20329d4acc4062\",\n\"token_type\": \"Bearer\",\n\"expires_in\": 3600",
                "-d \"grant_type=client_credentials\"\n200 成功响应:\n{\n\"access_token\": \"8843534fa0deed...064c0ca20329d4acc4062\",\n\"token_type\": \"Bearer\",\n\"expires_in\": 7200",
                Expect::At("examples.client_credentials_token_response.text"),
            ),
            rev(
                "a key added to a token example",
                "\"expires_in\": 3600\n}\n二、调用业务接口",
                "\"expires_in\": 3600,\n\"scope\": \"read\"\n}\n二、调用业务接口",
                Expect::At("examples.client_credentials_token_response.text"),
            ),
            rev(
                "a parameter added to one endpoint whose name is a response field",
                "day | string | 否 | 1 | 查询日期,如:2026-05-06 |",
                "day | string | 否 | 1 | 查询日期,如:2026-05-06 |\nsku_id | string | 否 |  | 商品编码 |",
                Expect::At("endpoints.query_orders.params"),
            ),
            rev(
                "a code added (JSON error example)",
                "\"message\": \"Access token expired\",\n\"data\": null\n}",
                "\"message\": \"Access token expired\",\n\"data\": null\n}\n参数错误响应 400\n{\n\"code\": -2,\n\"message\": \"Invalid parameter\",\n\"data\": null\n}",
                Expect::Names("-2"),
            ),
            rev(
                "a token lifetime changed in one of the row's two units",
                "expires_in | 有效期(秒),默认 3600 即 1 小时 |",
                "expires_in | 有效期(秒),默认 3600 即 2 小时 |",
                Expect::At("auth.token.response.default_lifetime_seconds"),
            ),
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
            rev(
                "a token lifetime changed in prose",
                "accessToken为短效token(有效期24小时)",
                "accessToken为短效token(有效期12小时)",
                // Compared as a number (24 hours = 86400 s), not only as the text `auth.doc` quotes.
                Expect::At("auth.token.response.default_lifetime_seconds"),
            ),
            rev(
                "a limit changed (enum message)",
                "OT_ORDER_query_max(50028,\"Query up to 100 pieces of data at once\"),",
                "OT_ORDER_query_max(50028,\"Query up to 50 pieces of data at once\"),",
                Expect::At("error_codes.common.codes[80].message"),
            ),
            rev(
                "a field added to a webhook example",
                "\"putawayNo\": \"P11240104100153 // 入库单号\",",
                "\"putawayNo\": \"P11240104100153 // 入库单号\",\n\"batchNo\": \"B001 // 批次号\",",
                Expect::Names("batchNo"),
            ),
            rev(
                "a field removed from one webhook example (the type's other examples keep it)",
                "\"status\": \"Shipped\",\n\"skuList\": [{\n\"sku\": \"2309-1Bei\",// sku\n\"total\": 26,// 库存总数\n\"locked\": 0,// 已锁数量\n\"available\": 26,// 可用数量\n\"nonGood\": 0,// 不良品数量\n",
                "\"status\": \"Shipped\",\n\"skuList\": [{\n\"sku\": \"2309-1Bei\",// sku\n\"total\": 26,// 库存总数\n\"locked\": 0,// 已锁数量\n\"available\": 26,// 可用数量\n",
                Expect::At("examples.webhook_order.text"),
            ),
            rev(
                "a field removed from a webhook example (its only one)",
                "\"putawayNo\": \"P11240104100153 // 入库单号\",\n",
                "",
                Expect::At("types.StorageEvent.fields.putawayNo"),
            ),
            rev(
                "an example value changed",
                "\"totalChange\": -1// 库存变动数量",
                "\"totalChange\": -2// 库存变动数量",
                Expect::At("examples.webhook_order.text"),
            ),
            Revision {
                all: true,
                ..rev(
                    "a path renamed",
                    "/api/order/get",
                    "/api/order/query",
                    Expect::At("endpoints.get_order.path"),
                )
            },
            rev(
                "a parameter added to the call example's request body",
                "{\"erpNo\":\"123\"}",
                "{\"erpNo\":\"123\",\"warehouseCode\":\"W1\"}",
                // The body has no parameter table: the call example that shows it is the entry.
                Expect::At("examples.get_order_call.text"),
            ),
            rev(
                "an endpoint added",
                "https://test.jfwms.com/api/order/get",
                "https://test.jfwms.com/api/order/get\nhttps://test.jfwms.com/api/order/cancel",
                Expect::Names("/api/order/cancel"),
            ),
            rev(
                "a refresh token lifetime changed in prose",
                "refreshToken为长效token(有效期1年)",
                "refreshToken为长效token(有效期2年)",
                Expect::At("auth.token.response.refresh_token_lifetime_seconds"),
            ),
            rev(
                "a code added (JSON answer of the call example)",
                "\"code\": 50017,\n\"message\": \"The order was not found in the warehouse!\",",
                "\"code\": 50030,\n\"message\": \"The order has been archived\",",
                Expect::Names("50030"),
            ),
            // One endpoint (/api/order/get) and no parameter table: the limit
            // revision is the enum message that states it (50028), and the
            // parameter added is in the call example's body.
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
            rev(
                "a limit changed in one endpoint's table",
                "| limit | integer | 否 | 每页数量,默认20 |",
                "| limit | integer | 否 | 每页数量,默认50 |",
                Expect::At("endpoints.list_orders.params.limit.doc"),
            ),
            rev(
                "a field added to a response example",
                "\"supplier_name\": \"山东畜牧合作社\",",
                "\"supplier_name\": \"山东畜牧合作社\",\n\"supplier_phone\": \"0531-1234567\",",
                Expect::Names("supplier_phone"),
            ),
            rev(
                "a field removed from a response example",
                "\"supplier_name\": \"山东畜牧合作社\",\n",
                "",
                Expect::At("types.Order.fields.supplier_name"),
            ),
            rev(
                "a token example value changed",
                "\"expires_in\": 3600,",
                "\"expires_in\": 7200,",
                Expect::At("examples.login_response.text"),
            ),
            rev(
                "a key added to the token example",
                "\"token_type\": \"Bearer\",",
                "\"token_type\": \"Bearer\",\n\"scope\": \"all\",",
                Expect::At("examples.login_response.text"),
            ),
            Revision {
                all: true,
                ..rev(
                    "a path renamed",
                    "https://api.niumall.com/v1/orders",
                    "https://api.niumall.com/v1/purchase-orders",
                    Expect::At("endpoints.list_orders.path"),
                )
            },
            rev(
                "a message reworded (markdown table)",
                "| 404 | 资源不存在 |",
                "| 404 | 资源未找到 |",
                Expect::At("error_codes.http_status.codes[5].message"),
            ),
            rev(
                "a message extended (markdown table)",
                "| 403 | 禁止访问,权限不足 |",
                "| 403 | 禁止访问,权限不足或账号已停用 |",
                Expect::At("error_codes.http_status.codes[4].message"),
            ),
            rev(
                "a message extended (JSON error example)",
                "\"message\": \"请求参数验证失败\",",
                "\"message\": \"请求参数验证失败,请检查输入\",",
                Expect::At("error_codes.error_codes.codes[0].message"),
            ),
            rev(
                "a code added (JSON error example)",
                "\"message\": \"牛只数量必须大于0\"\n}\n]\n},\n\"timestamp\": \"2024-01-20T12:00:00Z\"\n}",
                "\"message\": \"牛只数量必须大于0\"\n}\n]\n},\n\"timestamp\": \"2024-01-20T12:00:00Z\"\n}\n{\n\"success\": false,\n\"error\": {\n\"code\": \"RATE_LIMITED\",\n\"message\": \"请求过于频繁\"\n},\n\"timestamp\": \"2024-01-20T12:00:00Z\"\n}",
                Expect::Names("RATE_LIMITED"),
            ),
            rev(
                "an endpoint added",
                "-H \"Content-Type: application/json\"",
                "-H \"Content-Type: application/json\"\ncurl -X GET \"https://api.niumall.com/v1/suppliers\" \\\n-H \"Authorization: Bearer YOUR_ACCESS_TOKEN\"",
                Expect::Names("/v1/suppliers"),
            ),
            rev(
                "a field removed from the order example (the create-order table still names it)",
                "\"cattle_count\": 50,\n",
                "",
                Expect::At("types.Order.fields.cattle_count"),
            ),
            // No prose lifetime or rate limit: the document states the token's
            // lifetime only in the login example (`expires_in`, planted above).
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
            Revision {
                all: true,
                ..rev(
                    "a token lifetime changed in prose (every row)",
                    "过期时间3个月 |",
                    "过期时间1个月 |",
                    Expect::At("auth.apply[3].doc"),
                )
            },
            rev(
                "a field added to a response example",
                "\"avatar\": \"http://avatar.xxx.dev.com/000/00/11/52_avatar_small\",",
                "\"avatar\": \"http://avatar.xxx.dev.com/000/00/11/52_avatar_small\",\n\"email\": \"li**@example.com\",",
                Expect::Names("email"),
            ),
            rev(
                "a field removed from a response example",
                "\"username\": \"li******40\",\n\"truename\": \"李**\",",
                "\"username\": \"li******40\",",
                Expect::At("types.UserInfo.fields.truename"),
            ),
            rev(
                "a token (auth code) example value changed",
                "\"auth_code\": \"c3a8ad070c745db455e30a51511dca819b607bf7\"",
                "\"auth_code\": \"c3a8ad070c745db455e30a51511dca819b607bf8\"",
                Expect::At("examples.authorize_response.text"),
            ),
            Revision {
                all: true,
                ..rev(
                    "a path renamed",
                    "/apis/rest/userService/getUserInfo/json",
                    "/apis/rest/userService/getUserDetail/json",
                    Expect::At("endpoints.get_user_info.path"),
                )
            },
            rev(
                "an endpoint added",
                "url | http://auth.xxxx.dev.com/apis/rest/userService/getUserInfo/json |",
                "url | http://auth.xxxx.dev.com/apis/rest/userService/getUserInfo/json |\nurl | http://auth.xxxx.dev.com/apis/rest/userService/getUserList/json |",
                Expect::Names("/apis/rest/userService/getUserList/json"),
            ),
            rev(
                "a message reworded",
                "100009 | HTTP协议头认证非法 |",
                "100009 | HTTP协议头认证失败 |",
                Expect::At("error_codes.auth.codes[2].message"),
            ),
            rev(
                "a parameter added to one endpoint's table",
                "getCompanyInfo/json?access_token=*************\n&client_id=**********\n&auth_code=**********\n&t_=1422339152058&p_=8519\n参含义数 | 含义 |\n---|---|\naccess_token | 通过致云桌面软件登陆会生成访问Token,过期时间3个月 |\nclient_id | 由开放平台颁发 |\nauth_code | 由授权接口生成 |",
                "getCompanyInfo/json?access_token=*************\n&client_id=**********\n&auth_code=**********\n&t_=1422339152058&p_=8519\n参含义数 | 含义 |\n---|---|\naccess_token | 通过致云桌面软件登陆会生成访问Token,过期时间3个月 |\nclient_id | 由开放平台颁发 |\nauth_code | 由授权接口生成 |\ncompany_id | 企业ID |",
                Expect::Names("company_id"),
            ),
            rev(
                "a limit changed in one endpoint's table only",
                "getCompanyInfo/json?access_token=*************\n&client_id=**********\n&auth_code=**********\n&t_=1422339152058&p_=8519\n参含义数 | 含义 |\n---|---|\naccess_token | 通过致云桌面软件登陆会生成访问Token,过期时间3个月 |",
                "getCompanyInfo/json?access_token=*************\n&client_id=**********\n&auth_code=**********\n&t_=1422339152058&p_=8519\n参含义数 | 含义 |\n---|---|\naccess_token | 通过致云桌面软件登陆会生成访问Token,过期时间6个月 |",
                Expect::At("auth.apply[3].doc"),
            ),
            rev(
                "a code added (JSON response example)",
                "\"auth_code\": \"c3a8ad070c745db455e30a51511dca819b607bf7\"\n},\n\"code\": 200,",
                "\"auth_code\": \"c3a8ad070c745db455e30a51511dca819b607bf7\"\n},\n\"code\": 202,",
                Expect::Names("202"),
            ),
        ],
    );
}

#[test]
fn cainiao_edi_revisions_are_reported() {
    check(
        "cainiao_edi",
        &[
            rev(
                "a message reworded (JSON example)",
                "{\"result\":{\"errorCode\":\"sign-check-failure\",\"errorMsg\":\"Illegal request\"},\"success\":\"false\"}",
                "{\"result\":{\"errorCode\":\"sign-check-failure\",\"errorMsg\":\"Illegal signature\"},\"success\":\"false\"}",
                Expect::At("error_codes.gateway.codes[0].message"),
            ),
            rev(
                "a field removed from a type's table",
                "商品品类 leafCategoryName String 小毛衣\n",
                "",
                Expect::At("types.ItemInfo.fields.leafCategoryName"),
            ),
            rev(
                "a field added to a request example",
                "\"remark\": \"不想要了\",",
                "\"remark\": \"不想要了\",\n\"reasonCode\": \"01\",",
                Expect::Names("reasonCode"),
            ),
            rev(
                "an example value changed",
                "\"remark\": \"不想要了\",",
                "\"remark\": \"不要了\",",
                Expect::At("examples.cancel_order_request.text"),
            ),
            Revision {
                all: true,
                ..rev(
                    "a path renamed",
                    "/ext/gateway/ediStandardWaybillUpdateAllPlugin/api",
                    "/ext/gateway/ediStandardWaybillUpdateAllPluginV2/api",
                    Expect::At("endpoints.update_waybill.path"),
                )
            },
            rev(
                "a message extended (JSON error example)",
                "\"errorMsg\":\"Illegal request\"}",
                "\"errorMsg\":\"Illegal request signature\"}",
                Expect::At("error_codes.gateway.codes[0].message"),
            ),
            rev(
                "a code added (JSON error example)",
                "{\"result\":{\"errorCode\":\"sign-check-failure\",\"errorMsg\":\"Illegal request\"},\"success\":\"false\"}",
                "{\"result\":{\"errorCode\":\"sign-check-failure\",\"errorMsg\":\"Illegal request\"},\"success\":\"false\"}\n{\"result\":{\"errorCode\":\"param-check-failure\",\"errorMsg\":\"Illegal parameter\"},\"success\":\"false\"}",
                Expect::Names("param-check-failure"),
            ),
            rev(
                "a parameter added to one endpoint (space-separated table)",
                "业务报文 logistics_interface String JSON",
                "业务报文 logistics_interface String JSON\n合作伙伴编码 partner_code String 否 双方约定",
                Expect::Names("partner_code"),
            ),
            rev(
                "a field added to a type's table (space-separated)",
                "备注 remark String",
                "备注 remark String\n优先级 priority String",
                Expect::Names("priority"),
            ),
            rev(
                "a field's description changed in one table only (space-separated row)",
                "商品名称 scItemName String 毛衣",
                "商品名 scItemName String 毛衣",
                Expect::At("types.ItemInfo.fields.scItemName.doc"),
            ),
            rev(
                "an endpoint added",
                "http://edi-daily.xpm.cainiao.com/ext/gateway/ediStandardWaybillUpdateAllPlugin/api",
                "http://edi-daily.xpm.cainiao.com/ext/gateway/ediStandardWaybillUpdateAllPlugin/api\nhttp://edi-daily.xpm.cainiao.com/ext/gateway/ediStandardWaybillCancelPlugin/api",
                Expect::Names("/ext/gateway/ediStandardWaybillCancelPlugin/api"),
            ),
            rev(
                "a parameter added whose name is another endpoint's (space-separated table)",
                "业务报文 logistics_interface String JSON",
                "业务报文 logistics_interface String JSON\n消息类型 msg_type String 是 接口名称",
                Expect::At("endpoints.update_waybill.params"),
            ),
            rev(
                "a parameter added whose name is a field elsewhere (markdown, name in the 2nd column)",
                "| 业务报文 | logistics_interface | String | 是 | JSON/XML都可以 |",
                "| 业务报文 | logistics_interface | String | 是 | JSON/XML都可以 |\n| 运单号 | mailNo | String | 否 | 运单号 |",
                Expect::At("endpoints.cancel_order.params"),
            ),
            rev(
                "a field added to a type's table (markdown, name in the 2nd column)",
                "| 客户编码 | TomTimelinessWaybillInstructionRequest-->extendsFeatures(customerCode) | String | 是 |",
                "| 客户编码 | TomTimelinessWaybillInstructionRequest-->extendsFeatures(customerCode) | String | 是 |\n| 取消类型 | TomTimelinessWaybillInstructionRequest-->cancelType | String | 否 |",
                Expect::Names("cancelType"),
            ),
            rev(
                "a field's description changed (markdown, name in the 2nd column)",
                "| 取消原因 | TomTimelinessWaybillInstructionRequest-->remark | String | 是 |",
                "| 取消说明 | TomTimelinessWaybillInstructionRequest-->remark | String | 是 |",
                Expect::At("types.CancelInstruction.fields.remark.doc"),
            ),
            rev(
                "a limit changed in one table only (a String(n) length)",
                "waybill->receiver->receiverName String(40) 收件人姓名",
                "waybill->receiver->receiverName String(64) 收件人姓名",
                Expect::At("types.Receiver.fields.receiverName.document_type"),
            ),
            // No token, so no lifetime or rate limit in prose.
        ],
    );
}

#[test]
fn supercarrier8_revisions_are_reported() {
    check(
        "supercarrier8",
        &[
            Revision {
                all: true,
                ..rev(
                    "a path renamed (flattened page)",
                    "/cncop/demo",
                    "/cncop/demo2",
                    Expect::At("endpoints.demo.path"),
                )
            },
            rev(
                "a rate limit changed in prose (flattened page)",
                "1分钟内获取1次",
                "1分钟内获取2次",
                Expect::At("auth.token.policy.min_interval_seconds"),
            ),
            rev(
                "a token example value changed (flattened page)",
                "\"tokenTtlSeconds\": 28800",
                "\"tokenTtlSeconds\": 14400",
                Expect::At("examples.get_token_response.text"),
            ),
            rev(
                "a message extended (code row on the flattened page)",
                "| 21184032 | 应用账号被禁用 |",
                "| 21184032 | 应用账号被禁用或已冻结 |",
                Expect::At("error_codes.token.codes[2].message"),
            ),
            rev(
                "a message reworded (code row on the flattened page)",
                "| 21184033 | 应用账号不存在 |",
                "| 21184033 | 应用账号未注册 |",
                Expect::At("error_codes.token.codes[3].message"),
            ),
            rev(
                "a code added (code row on the flattened page)",
                "| 21185002 | 获取Token超出频率限制 |",
                "| 21185002 | 获取Token超出频率限制 | | 21185003 | 应用账号已过期 |",
                Expect::Names("21185003"),
            ),
            rev(
                "a field added to the token response example (flattened page)",
                "\"tokenTtlSeconds\": 28800 }",
                "\"tokenTtlSeconds\": 28800, \"refreshToken\": \"xxxx\" }",
                Expect::Names("refreshToken"),
            ),
            Revision {
                more: &[(
                    "| tokenTtl | String | PT8H | TOKEN有效时长,ISO-8601格式。Java应用参考java.time.Duration |",
                    "",
                )],
                ..rev(
                    "a field removed from the response example and its table (flattened page)",
                    "\"tokenTtl\": \"PT8H\" ,",
                    "",
                    Expect::At("types.AccessToken.fields.tokenTtl"),
                )
            },
            rev(
                "a parameter added to the token request body (flattened page)",
                "{ \"accessKey\": \"xxxx\", \"secretKeySign\": \"xxxxx\" }",
                "{ \"accessKey\": \"xxxx\", \"secretKeySign\": \"xxxxx\", \"nonce\": \"xxxx\" }",
                Expect::Names("nonce"),
            ),
            rev(
                "an endpoint added (flattened page)",
                "**GET** **https://sapi.supercarrier8.com/cncop/demo**",
                "**GET** **https://sapi.supercarrier8.com/cncop/demo** **POST** **https://sapi.supercarrier8.com/cncop/order/create**",
                Expect::Names("/cncop/order/create"),
            ),
            // No limit of one endpoint: the one business endpoint (/cncop/demo)
            // has no parameters; the token's rate limit is planted above.
            rev(
                "a code added (JSON response example, flattened page)",
                "\"code\": 200, \"message\": \"success\"",
                "\"code\": 201, \"message\": \"success\"",
                Expect::Names("201"),
            ),
            rev(
                "a parameter added to the token request's table (flattened page)",
                "应用秘钥使用`MD5`生成`32位`小写签名。 |",
                "应用秘钥使用`MD5`生成`32位`小写签名。 | | nonce | String | 否 | 12 | 随机数 |",
                Expect::Names("nonce"),
            ),
        ],
    );
}

/// On the flattened one-line page, drift shows the changed segment (the
/// change and the words around it) and cites only the entries inside it, not
/// every entry of the page's one line.
#[test]
fn flattened_page_drift_shows_the_changed_segment() {
    let r = rev(
        "a message extended (code row on the flattened page)",
        "| 21184032 | 应用账号被禁用 |",
        "| 21184032 | 应用账号被禁用或已冻结 |",
        Expect::At("error_codes.token.codes[2].message"),
    );
    let (_, hunks) = findings_after("supercarrier8", &r);
    assert_eq!(hunks.len(), 1, "{hunks:#?}");
    let h = &hunks[0];
    let (was, now) = h.columns.clone().expect("a segment of the long line");
    assert!(now.len() < 120 && was.len() < 120, "{h:#?}");
    assert!(h.added[0].contains("应用账号被禁用或已冻结"), "{h:#?}");
    assert!(!h.removed[0].contains("或已冻结"), "{h:#?}");
    let cited: Vec<&str> = h.cited.iter().map(|c| c.spec_path.as_str()).collect();
    assert!(cited.contains(&"error_codes.token.codes[2]"), "{cited:?}");
    for far in [
        "endpoints.demo",
        "examples.get_token_response.text",
        "auth.token.policy.min_interval_seconds",
    ] {
        assert!(
            !cited.contains(&far),
            "{far} is not near the change: {cited:?}"
        );
    }
}
