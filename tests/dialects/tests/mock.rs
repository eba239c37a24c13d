//! The dialect clients against the spec-driven mock server: the mock recomputes every
//! signature (canonical strings over query and body, form and JSON targets, formatted times,
//! RSA) with the runtime's interpreter from the spec alone, accepts what the generated clients
//! send, and refuses a client that signs with the wrong secret.

use std::path::PathBuf;

use dialect_tests::{
    alipay_rsa2, json_body_hmac, kuaidi100, pinduoduo, sf_express, taobao_hmac, taobao_md5,
    wechatpay_v2_hmac, wechatpay_v2_md5,
};
use spec_mock::{MockConfig, MockServer};
use spec_runtime::RetryPolicy;

const CALLS: usize = 20;

async fn mock(dialect: &str, credentials: &[(&str, &str)]) -> MockServer {
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../codegen/tests/dialects")
        .join(format!("{dialect}.yaml"));
    let mut config = MockConfig::new(spec);
    for (name, value) in credentials {
        config = config.credential(name, value);
    }
    MockServer::start(config).await.expect("the mock starts")
}

/// Builds a client of `$module` against `$mock`, calls `$call` `CALLS` times with the right
/// credentials (every call accepted) and once with `$wrong` credentials (refused).
macro_rules! accepted_then_refused {
    ($module:ident, $mock:expr, $right:expr, $wrong:expr, |$c:ident, $i:ident| $call:expr) => {{
        let mock = $mock;
        let build = |creds| {
            $module::Client::builder(creds)
                .base_url(&mock.base_url())
                .allow_plain_http(true)
                .retry_policy(RetryPolicy::disabled())
                .build()
        };
        let $c = build($right).await.unwrap();
        for $i in 0..CALLS {
            $call
                .await
                .unwrap_or_else(|e| panic!("call {} refused: {e}", $i));
        }
        let $c = build($wrong).await.unwrap();
        let $i = CALLS;
        assert!($call.await.is_err(), "a wrong secret is refused");
        assert_eq!(mock.received().len(), CALLS + 1);
    }};
}

fn text(i: usize) -> String {
    ["", "中文 参数", "a+b=c&d", "x", "emoji 😀"][i % 5].to_owned()
}

#[tokio::test]
async fn taobao_md5_and_hmac() {
    let creds = [("app_key", "k1"), ("app_secret", "s1"), ("session", "sess")];
    accepted_then_refused!(
        taobao_md5,
        mock("taobao_md5", &creds).await,
        taobao_md5::Credentials::new("k1", "s1", "sess"),
        taobao_md5::Credentials::new("k1", "wrong", "sess"),
        |c, i| c.item_seller_get(
            &taobao_md5::ItemSellerGetRequest::new("taobao.item.seller.get", text(i), i as i64)
                .a(text(i + 1))
                .zh(text(i + 2))
        )
    );
    accepted_then_refused!(
        taobao_hmac,
        mock("taobao_hmac", &creds).await,
        taobao_hmac::Credentials::new("k1", "s1", "sess"),
        taobao_hmac::Credentials::new("k1", "wrong", "sess"),
        |c, i| c.item_seller_get(
            &taobao_hmac::ItemSellerGetRequest::new("taobao.item.seller.get", text(i), 7)
                .a1(text(i + 3))
        )
    );
}

#[tokio::test]
async fn pinduoduo_and_kuaidi100() {
    let creds = [
        ("client_id", "c"),
        ("client_secret", "s"),
        ("access_token", "t"),
    ];
    accepted_then_refused!(
        pinduoduo,
        mock("pinduoduo", &creds).await,
        pinduoduo::Credentials::new("c", "s", "t"),
        pinduoduo::Credentials::new("c", "wrong", "t"),
        |c, i| c.order_number_list_get(
            &pinduoduo::OrderNumberListGetRequest::new("pdd.order.number.list.get", 1).a_b(text(i))
        )
    );
    accepted_then_refused!(
        kuaidi100,
        mock("kuaidi100", &[("customer", "C"), ("key", "K")]).await,
        kuaidi100::Credentials::new("C", "K"),
        kuaidi100::Credentials::new("C", "wrong"),
        |c, i| c.query(&kuaidi100::QueryRequest::new(
            serde_json::json!({ "com": "yuantong", "num": text(i) }).to_string()
        ))
    );
}

#[tokio::test]
async fn wechatpay_v2_md5_and_hmac() {
    let creds = [("appid", "wx1"), ("mch_id", "m1"), ("key", "K")];
    accepted_then_refused!(
        wechatpay_v2_md5,
        mock("wechatpay_v2_md5", &creds).await,
        wechatpay_v2_md5::Credentials::new("wx1", "m1", "K"),
        wechatpay_v2_md5::Credentials::new("wx1", "m1", "wrong"),
        |c, i| c.unifiedorder(
            &wechatpay_v2_md5::UnifiedorderRequest::new(text(i), format!("nonce{i}"))
                .device_info(text(i + 1))
        )
    );
    accepted_then_refused!(
        wechatpay_v2_hmac,
        mock("wechatpay_v2_hmac", &creds).await,
        wechatpay_v2_hmac::Credentials::new("wx1", "m1", "K"),
        wechatpay_v2_hmac::Credentials::new("wx1", "m1", "wrong"),
        |c, i| c.unifiedorder(&wechatpay_v2_hmac::UnifiedorderRequest::new(text(i)).zh(text(i)))
    );
}

#[tokio::test]
async fn alipay_rsa2_and_json_body_hmac() {
    let key = include_str!("rsa_test_key.pem");
    let other_key = include_str!("rsa_other_key.pem");
    accepted_then_refused!(
        alipay_rsa2,
        mock(
            "alipay_rsa2",
            &[("app_id", "2014"), ("app_private_key", key)]
        )
        .await,
        alipay_rsa2::Credentials::new("2014", key),
        alipay_rsa2::Credentials::new("2014", other_key),
        |c, i| c.trade_query(&alipay_rsa2::TradeQueryRequest::new(
            "alipay.trade.query",
            serde_json::json!({ "out_trade_no": text(i) }).to_string()
        ))
    );
    accepted_then_refused!(
        json_body_hmac,
        mock("json_body_hmac", &[("app_id", "a"), ("secret", "s")]).await,
        json_body_hmac::Credentials::new("a", "s"),
        json_body_hmac::Credentials::new("a", "wrong"),
        |c, i| c.create_shipment(
            &json_body_hmac::CreateShipmentRequest::new(text(i)).note(text(i + 1))
        )
    );
}

/// SF Express through the mock: two operations at one path told apart by their fixed
/// `serviceCode`, the digest over form-urlencoded text recomputed from the spec, the answer's
/// business result nested (as JSON inside a string) in the success envelope and decoded typed;
/// a business failure there is the typed code, never `Ok`.
#[tokio::test]
async fn sf_express_gateway_with_nested_results() {
    use sf_express::{
        CargoDetail, ContactInfo, CreateOrder, CreateOrderRequest, SearchOrder, SearchOrderRequest,
    };
    let order = |i: usize| {
        CreateOrder::new(
            "zh-CN",
            format!("QIAO-{i} {}", text(i)),
            vec![ContactInfo::new(1, text(i + 1)).tel("138 0000 0000")],
            vec![CargoDetail::new(text(i + 2))],
        )
    };
    accepted_then_refused!(
        sf_express,
        mock(
            "sf_express",
            &[("partner_id", "P1"), ("check_word", "cw *~")]
        )
        .await,
        sf_express::Credentials::new("P1", "cw *~"),
        sf_express::Credentials::new("P1", "wrong"),
        |c, i| c.create_order(&CreateOrderRequest::new(order(i)))
    );

    let mock = mock("sf_express", &[("partner_id", "P1"), ("check_word", "cw")]).await;
    let client = sf_express::Client::builder(sf_express::Credentials::new("P1", "cw"))
        .base_url(&mock.base_url())
        .allow_plain_http(true)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .await
        .unwrap();
    let found = client
        .search_order(&SearchOrderRequest::new(SearchOrder::new("QIAO-1")))
        .await
        .expect("accepted as search_order, not create_order");
    assert!(!found.order_id.is_empty());
    assert_eq!(mock.received_for("search_order").len(), 1);

    // 8016 重复下单 inside a successful envelope.
    mock.next("create_order").respond(serde_json::json!({
        "apiResultCode": "A1000",
        "apiErrorMsg": "",
        "apiResponseID": "r-1",
        "apiResultData": serde_json::json!({
            "success": false, "errorCode": "8016", "errorMsg": "重复下单", "msgData": null
        }).to_string(),
    }));
    let err = client
        .create_order(&CreateOrderRequest::new(order(1)))
        .await
        .expect_err("a nested business failure is an error");
    assert_eq!(
        err.code(),
        Some(&sf_express::ErrorCode::DuplicateOrder),
        "{err:?}"
    );
}
