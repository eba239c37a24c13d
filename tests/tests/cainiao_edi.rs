//! The generated `cainiao_edi` client end to end, over real HTTP on loopback, against the strict
//! Python fake of the Cainiao express EDI (`tests/vendor6/fake_cainiao_edi.py`), which recomputes
//! `data_digest` with Python's `hashlib` and insists on Java's `URLEncoder` form encoding.
//!
//! Everything the caller passes is typed: records for the business document (never a JSON
//! string), no message type (the cancel operation sends its constant itself).

use generated_client::cainiao_edi::{
    CancelInstruction, CancelOrderRequest, Client, CreateWaybillRequest, Credentials, ErrorCode,
    ExtendsFeature, GoodsItem, ItemInfo, PackageInfo, Receiver, Sender, UpdateWaybillRequest,
    Waybill, WaybillUpdate,
};
use generated_client::runtime::{self as rt, ErrorClass, RawCode};
use integration_tests::python_fake::{self, PythonFake};
use integration_tests::raw_http::RawRequest;
use serde_json::{Value, json};

const PROVIDER: &str = "edi_test_o2o_json";
const SECRET: &str = "secret key*~ 密钥";

async fn client(fake: &PythonFake, secret: &str) -> Client {
    Client::builder(Credentials::new(PROVIDER, secret))
        .base_url(&fake.base_url())
        .build()
        .await
        .expect("client builds")
}

/// What the fake received, in order: path, the decoded form fields (digest masked), raw body.
async fn received(fake: &PythonFake) -> Vec<Value> {
    let response = RawRequest::get("/__fake/requests")
        .send(&fake.base_url())
        .await
        .expect("the fake answers");
    match response.json() {
        Value::Array(items) => items,
        other => panic!("request log: {other}"),
    }
}

fn waybill() -> Waybill {
    Waybill::new(
        Receiver::new(
            "张 三*~",
            "13800000000",
            "浙江省",
            "文一西路 969号 (西溪*首座~) 100%",
        ),
        Sender::new("李四", "139-0000-0000", "上海", "明珠路 1+1 号"),
        PackageInfo::new(vec![GoodsItem::new("毛衣 M*L~", 2)], 500, 1),
    )
}

fn cancel(out_order_code: &str) -> CancelOrderRequest {
    CancelOrderRequest::new(
        CancelInstruction::new(
            vec![
                ExtendsFeature::new("customerCode", PROVIDER),
                ExtendsFeature::new("outOrderCode", out_order_code),
            ],
            "不想要了 a*b~c",
        )
        .biz_no(""),
    )
}

#[tokio::test]
async fn a_typed_waybill_with_spaces_star_tilde_and_chinese_gets_its_mail_number() {
    let fake = python_fake::cainiao_edi(PROVIDER, SECRET);
    let client = client(&fake, SECRET).await;
    let mail_no = client
        .create_waybill(&CreateWaybillRequest::new(waybill()))
        .await
        .expect("the fake accepts the digest and the document");
    assert_eq!(mail_no, "CN000000000001");

    let log = received(&fake).await;
    assert_eq!(log.len(), 1);
    let fields = &log[0]["fields"];
    let sent: Value =
        serde_json::from_str(fields["logistics_interface"].as_str().unwrap()).unwrap();
    assert_eq!(
        sent,
        json!({
            "receiver": { "receiverName": "张 三*~", "receiverMobile": "13800000000", "receiverProvince": "浙江省", "receiverAddress": "文一西路 969号 (西溪*首座~) 100%" },
            "sender": { "senderName": "李四", "senderMobile": "139-0000-0000", "senderProvince": "上海", "senderAddress": "明珠路 1+1 号" },
            "packageInfo": { "goodsItems": [{ "itemName": "毛衣 M*L~", "itemNum": 2 }], "weight": 500, "packageNums": 1 },
        })
    );
    let mut names: Vec<&str> = fields
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["data_digest", "logistic_provider_id", "logistics_interface"],
        "a b2c operation sends no msg_type"
    );
    // The raw form body, as Java's URLEncoder writes it: space `+`, `*` kept, `~` as `%7E`.
    let body = log[0]["body"].as_str().unwrap();
    assert!(body.contains("%E5%BC%A0+%E4%B8%89*%7E"), "{body}");
}

#[tokio::test]
async fn the_cancel_operation_sends_its_message_type_and_a_second_cancel_is_a_typed_business_failure()
 {
    let fake = python_fake::cainiao_edi(PROVIDER, SECRET);
    let client = client(&fake, SECRET).await;
    let answer = client
        .cancel_order(&cancel("test181224001"))
        .await
        .expect("first cancel");
    assert_eq!(answer, Value::Null, "the success answer carries no payload");

    let err = client
        .cancel_order(&cancel("test181224001"))
        .await
        .expect_err("a second cancel of the same order is refused");
    assert_eq!(err.code(), Some(&ErrorCode::SysError), "{err}");
    assert_eq!(err.class(), ErrorClass::Vendor);
    let rt::Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}");
    };
    assert_eq!(
        api.status, 200,
        "the failure is inside a success HTTP answer"
    );
    assert_eq!(api.raw_code, Some(RawCode::Str("SYS_ERROR".into())));
    assert_eq!(api.message.as_deref(), Some("系统错误"));

    let log = received(&fake).await;
    assert_eq!(log.len(), 2, "a vendor refusal is not retried");
    for entry in &log {
        assert_eq!(
            entry["fields"]["msg_type"], "TOM_TIMELINESS_WAYBILL_INSTRUCTION",
            "{entry}"
        );
        let sent: Value =
            serde_json::from_str(entry["fields"]["logistics_interface"].as_str().unwrap()).unwrap();
        assert_eq!(
            sent,
            json!({
                "extendsFeatures": [
                    { "key": "customerCode", "value": PROVIDER },
                    { "key": "outOrderCode", "value": "test181224001" },
                ],
                "remark": "不想要了 a*b~c",
                "bizNo": "",
            })
        );
    }
}

#[tokio::test]
async fn an_update_of_an_unknown_waybill_is_a_typed_failure_keeping_need_retry() {
    let fake = python_fake::cainiao_edi(PROVIDER, SECRET);
    let client = client(&fake, SECRET).await;
    let mail_no = client
        .create_waybill(&CreateWaybillRequest::new(waybill()))
        .await
        .unwrap();
    let update = |mail: &str| {
        UpdateWaybillRequest::new(
            WaybillUpdate::new()
                .mail_no(mail)
                .remark("改 约*~")
                .expected_got_start_date("2026-12-03 09:00:00")
                .expected_got_end_date("2026-12-03 18:30:00")
                .goods_items(vec![
                    ItemInfo::new()
                        .sc_item_name("毛衣")
                        .quantity("1")
                        .check_items("false"),
                ]),
        )
    };
    client
        .update_waybill(&update(&mail_no))
        .await
        .expect("the waybill the fake issued");
    let log = received(&fake).await;
    let sent: Value =
        serde_json::from_str(log[1]["fields"]["logistics_interface"].as_str().unwrap()).unwrap();
    assert_eq!(
        sent["expectedGotStartDate"], "2026-12-03 09:00:00",
        "{sent}"
    );
    assert_eq!(sent["expectedGotEndDate"], "2026-12-03 18:30:00", "{sent}");
    assert!(
        sent.get("outBizCode").is_none(),
        "unset options are left out: {sent}"
    );

    let err = client
        .update_waybill(&update("CN999999999999"))
        .await
        .expect_err("a waybill the fake never issued");
    assert_eq!(err.code(), Some(&ErrorCode::SysError), "{err}");
    let rt::Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}");
    };
    assert_eq!(api.extra.get("needRetry"), Some(&json!(false)));
}

#[tokio::test]
async fn a_wrong_secret_key_is_refused_as_the_typed_signature_code_and_never_shown() {
    let fake = python_fake::cainiao_edi(PROVIDER, SECRET);
    let wrong = "secret key*~ 密钥!";
    let client = client(&fake, wrong).await;
    let err = client
        .cancel_order(&cancel("o2o-wrong-secret"))
        .await
        .expect_err("the fake recomputes the digest with its own secret");
    assert_eq!(err.code(), Some(&ErrorCode::SignCheckFailure), "{err}");
    assert_eq!(err.class(), ErrorClass::Auth);
    let rt::Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}");
    };
    assert_eq!(api.message.as_deref(), Some("Illegal request"));
    for shown in [format!("{err}"), format!("{err:?}"), format!("{client:?}")] {
        assert!(!shown.contains(wrong) && !shown.contains(SECRET), "{shown}");
    }
    assert_eq!(
        received(&fake).await.len(),
        1,
        "an auth refusal is not retried"
    );
}

/// Many business documents built from the characters encodings disagree on: each is signed and
/// sent by the client and re-verified by the fake's own digest and Java-encoding check.
#[tokio::test]
async fn every_tricky_text_is_signed_over_exactly_what_is_sent() {
    const ALPHABET: &[char] = &[
        ' ', '*', '~', '+', '%', '&', '=', '/', '?', '#', '"', '\\', '\n', '\t', '.', '-', '_',
        'a', 'Z', '0', '中', '文', 'é', '😀', '\u{3000}',
    ];
    let fake = python_fake::cainiao_edi(PROVIDER, SECRET);
    let client = client(&fake, SECRET).await;
    // A fixed linear congruential sequence: the same 64 texts on every run.
    let mut state: u64 = 0x5eed;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    for case in 0..64 {
        let len = 1 + next() % 24;
        let remark: String = (0..len)
            .map(|_| ALPHABET[next() % ALPHABET.len()])
            .collect();
        let request = CancelOrderRequest::new(CancelInstruction::new(
            vec![
                ExtendsFeature::new("customerCode", PROVIDER),
                ExtendsFeature::new("outOrderCode", format!("tricky-{case}")),
            ],
            remark.clone(),
        ));
        client
            .cancel_order(&request)
            .await
            .unwrap_or_else(|e| panic!("case {case}, remark {remark:?}: {e}"));
    }
    assert_eq!(received(&fake).await.len(), 64);
}
