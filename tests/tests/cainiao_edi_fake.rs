//! The Cainiao express EDI fake (`tests/vendor6/fake_cainiao_edi.py`) checked with hand-built
//! requests: its digest is the document's recipe, it refuses what the document refuses, and it
//! answers in the document's envelope. The generated client is tested in `cainiao_edi.rs`.

use base64::Engine as _;
use integration_tests::python_fake::{self, PythonFake};
use integration_tests::raw_http::RawRequest;
use md5::{Digest as _, Md5};
use serde_json::{Value, json};

const PROVIDER: &str = "edi_test_o2o_json";
const SECRET: &str = "s3cret key~*中";
const CANCEL: &str = "/ext/gateway/ediStandardTimelinessWaybillInstruction/ediStandardTimelinessWaybillInstruction/api";
const UPDATE: &str = "/ext/gateway/ediStandardWaybillUpdateAllPlugin/api";
const CREATE: &str = "/placeholder/b2c/three-in-one-order";

/// Base64(Md5(content + secretKey)) over UTF-8, computed here with the `md-5` crate.
fn data_digest(content: &str, secret: &str) -> String {
    let hash = Md5::digest(format!("{content}{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(hash)
}

fn fake() -> PythonFake {
    python_fake::cainiao_edi(PROVIDER, SECRET)
}

async fn post(fake: &PythonFake, path: &str, fields: &[(&str, &str)]) -> (u16, Value, String) {
    let response = RawRequest::post(path)
        .form(fields)
        .send(&fake.base_url())
        .await
        .expect("the fake answers");
    (response.status, response.json(), response.text())
}

fn cancel_interface(out_order_code: &str, remark: &str) -> String {
    json!({
        "extendsFeatures": [
            { "key": "customerCode", "value": "edi_test_o2o_json" },
            { "key": "outOrderCode", "value": out_order_code },
        ],
        "remark": remark,
        "bizNo": "",
    })
    .to_string()
}

#[test]
fn self_test_reproduces_the_java_known_answers() {
    let (ok, output) = python_fake::cainiao_edi_self_test();
    assert!(ok, "fake self-test failed:\n{output}");
    assert!(output.contains("self-test: ok"), "{output}");
}

#[test]
fn the_rust_digest_matches_the_java_doc_sign_known_answer() {
    // `java Ref.java` running the document's doSign on its PHP example's content.
    assert_eq!(
        data_digest(
            r#"{"testkey":"testkey","testdata":"testdata"}"#,
            "8026ny111111111111"
        ),
        "ZLOV/XD2b0EmB/fzigfxGg=="
    );
}

#[tokio::test]
async fn accepts_a_correct_digest_over_spaces_star_tilde_and_chinese() {
    let fake = fake();
    let interface = cancel_interface("o2o-0001", "不想要了 a*b~c +1 100%");
    let digest = data_digest(&interface, SECRET);
    let (status, body, text) = post(
        &fake,
        CANCEL,
        &[
            ("msg_type", "TOM_TIMELINESS_WAYBILL_INSTRUCTION"),
            ("logistic_provider_id", PROVIDER),
            ("logistics_interface", &interface),
            ("data_digest", &digest),
        ],
    )
    .await;
    assert_eq!((status, body), (200, json!({ "success": true })), "{text}");
}

#[tokio::test]
async fn a_second_cancel_is_a_business_failure_inside_http_200() {
    let fake = fake();
    let interface = cancel_interface("o2o-0002", "不想要了");
    let digest = data_digest(&interface, SECRET);
    let fields = [
        ("msg_type", "TOM_TIMELINESS_WAYBILL_INSTRUCTION"),
        ("logistic_provider_id", PROVIDER),
        ("logistics_interface", interface.as_str()),
        ("data_digest", digest.as_str()),
    ];
    assert_eq!(
        post(&fake, CANCEL, &fields).await.1,
        json!({ "success": true })
    );
    let (status, body, _) = post(&fake, CANCEL, &fields).await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({ "success": false, "errorCode": "SYS_ERROR", "errorMsg": "系统错误" })
        )
    );
}

#[tokio::test]
async fn refuses_a_digest_made_with_another_secret_or_provider() {
    let fake = fake();
    let interface = cancel_interface("o2o-0003", "不想要了");
    let refused = json!({ "success": false, "errorCode": "sign-check-failure", "errorMsg": "Illegal request" });
    let wrong_secret = data_digest(&interface, "s3cret key~*");
    let (status, body, _) = post(
        &fake,
        CANCEL,
        &[
            ("msg_type", "TOM_TIMELINESS_WAYBILL_INSTRUCTION"),
            ("logistic_provider_id", PROVIDER),
            ("logistics_interface", &interface),
            ("data_digest", &wrong_secret),
        ],
    )
    .await;
    assert_eq!((status, body), (200, refused.clone()));
    let right = data_digest(&interface, SECRET);
    let (_, body, _) = post(
        &fake,
        CANCEL,
        &[
            ("msg_type", "TOM_TIMELINESS_WAYBILL_INSTRUCTION"),
            ("logistic_provider_id", "someone_else"),
            ("logistics_interface", &interface),
            ("data_digest", &right),
        ],
    )
    .await;
    assert_eq!(body, refused);
}

#[tokio::test]
async fn refuses_an_rfc3986_body_and_a_bare_plus_in_the_digest() {
    let fake = fake();
    let interface = cancel_interface("o2o-0004", "a b");
    let digest = data_digest(&interface, SECRET);
    // `%20` for the space: a valid form body, but not what Java's URLEncoder writes.
    let body = format!(
        "msg_type=TOM_TIMELINESS_WAYBILL_INSTRUCTION&logistic_provider_id={PROVIDER}&logistics_interface={}&data_digest={}",
        form_urlencoded::byte_serialize(interface.as_bytes())
            .collect::<String>()
            .replace('+', "%20"),
        form_urlencoded::byte_serialize(digest.as_bytes()).collect::<String>(),
    );
    let response = RawRequest::post(CANCEL)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send(&fake.base_url())
        .await
        .unwrap();
    assert_eq!(response.status, 400, "{}", response.text());
    assert!(
        response.text().contains("URLEncoder"),
        "{}",
        response.text()
    );

    // A digest holding `+` sent without encoding it: the server reads a space, the digest no
    // longer matches (the signing page's warning), and the refusal is the signature's.
    let (interface, digest) = (0..)
        .map(|n| cancel_interface(&format!("o2o-plus-{n}"), "不想要了"))
        .map(|interface| {
            let digest = data_digest(&interface, SECRET);
            (interface, digest)
        })
        .find(|(_, digest)| digest.contains('+'))
        .expect("some digest holds a plus");
    let body = format!(
        "msg_type=TOM_TIMELINESS_WAYBILL_INSTRUCTION&logistic_provider_id={PROVIDER}&logistics_interface={}&data_digest={}",
        form_urlencoded::byte_serialize(interface.as_bytes()).collect::<String>(),
        digest.replace('/', "%2F").replace('=', "%3D"),
    );
    let response = RawRequest::post(CANCEL)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send(&fake.base_url())
        .await
        .unwrap();
    assert_eq!(
        (response.status, response.json()),
        (
            200,
            json!({ "success": false, "errorCode": "sign-check-failure", "errorMsg": "Illegal request" })
        )
    );
}

#[tokio::test]
async fn the_message_type_is_required_where_the_document_names_one_and_refused_elsewhere() {
    let fake = fake();
    let interface = cancel_interface("o2o-0005", "不想要了");
    let digest = data_digest(&interface, SECRET);
    let base = [
        ("logistic_provider_id", PROVIDER),
        ("logistics_interface", interface.as_str()),
        ("data_digest", digest.as_str()),
    ];
    let (status, _, text) = post(&fake, CANCEL, &base).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("msg_type"), "{text}");
    let mut wrong = base.to_vec();
    wrong.push(("msg_type", "TMS_WAYBILL_NOTIFY"));
    let (status, _, text) = post(&fake, CANCEL, &wrong).await;
    assert_eq!(status, 400, "{text}");
    let update = json!({ "mailNo": "CN000000000001" }).to_string();
    let update_digest = data_digest(&update, SECRET);
    let (status, _, text) = post(
        &fake,
        UPDATE,
        &[
            ("msg_type", "TOM_TIMELINESS_WAYBILL_INSTRUCTION"),
            ("logistic_provider_id", PROVIDER),
            ("logistics_interface", &update),
            ("data_digest", &update_digest),
        ],
    )
    .await;
    assert_eq!(status, 400, "{text}");
}

#[tokio::test]
async fn create_then_update_the_waybill_it_issued() {
    let fake = fake();
    let waybill = json!({
        "receiver": { "receiverName": "张 三", "receiverMobile": "13800000000", "receiverProvince": "浙江省", "receiverAddress": "文一西路 969号*~" },
        "sender": { "senderName": "李四", "senderMobile": "13900000000", "senderProvince": "上海", "senderAddress": "明珠路" },
        "packageInfo": { "goodsItems": [{ "itemName": "毛衣", "itemNum": 1 }], "weight": 500, "packageNums": 1 },
    })
    .to_string();
    let create_digest = data_digest(&waybill, SECRET);
    let (status, created, text) = post(
        &fake,
        CREATE,
        &[
            ("logistic_provider_id", PROVIDER),
            ("logistics_interface", &waybill),
            ("data_digest", &create_digest),
        ],
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(created["success"], json!(true), "{text}");
    let mail_no = created["mailNo"].as_str().expect("a mailNo").to_owned();
    for (mail, expected) in [
        (
            mail_no.as_str(),
            json!({ "success": true, "needRetry": false }),
        ),
        (
            "CN999999999999",
            json!({ "success": false, "errorCode": "SYS_ERROR", "errorMsg": "系统错误", "needRetry": false }),
        ),
    ] {
        let update =
            json!({ "mailNo": mail, "remark": "改 地址", "goodsItems": [{ "scItemName": "毛衣", "quantity": "1" }] })
                .to_string();
        let update_digest = data_digest(&update, SECRET);
        let (_, body, text) = post(
            &fake,
            UPDATE,
            &[
                ("logistic_provider_id", PROVIDER),
                ("logistics_interface", &update),
                ("data_digest", &update_digest),
            ],
        )
        .await;
        assert_eq!(body, expected, "{text}");
    }
}
