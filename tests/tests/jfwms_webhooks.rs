//! `jfwms` webhook deliveries: md5 signature over the raw `data` bytes (verified with the fake's
//! independent `sign_webhook`), typed events for every documented kind, and the acknowledgement
//! bodies.

use std::path::Path;

use codegen::spec::model::ParsesAs;
use generated_client::jfwms::{
    WEBHOOK_ACK_SUCCESS, Webhook, WebhookEvent, verify_and_parse, webhook_ack_failure,
};
use generated_client::runtime::WebhookError;
use generated_client::runtime::secrecy::SecretString;
use integration_tests::fakes::jfwms::{JfwmsConfig, sign_webhook};
use jiff::civil::DateTime;
use proptest::prelude::*;
use serde_json::{Value, json};

fn secret_text() -> String {
    JfwmsConfig::default().client_secret
}

fn secret() -> SecretString {
    secret_text().into()
}

/// The raw text of a body's `data` value, found by hand (independently of the runtime's JSON
/// scanner): in every delivery of the document `data` is the last key.
fn raw_data(body: &str) -> &str {
    let at = body.find("\"data\"").expect("a `data` key") + "\"data\"".len();
    let rest = body[at..]
        .trim_start()
        .strip_prefix(':')
        .expect("`:` after `data`");
    let raw = rest
        .trim_end()
        .strip_suffix('}')
        .expect("the body ends with `}`")
        .trim();
    serde_json::from_str::<Value>(raw).expect("the extracted `data` is JSON");
    raw
}

/// The ten delivery examples of 三、Webhook, made valid JSON by the spec's own `normalize`
/// edits (comments stripped, 时间戳 → 1700000000000), as (kind, body).
fn document_deliveries() -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/jfwms.yaml");
    let loaded = codegen::spec::load(&path).unwrap_or_else(|d| panic!("{d}"));
    loaded
        .spec
        .examples
        .values()
        .filter(|ex| matches!(ex.parses_as, Some(ParsesAs::Webhook)))
        .map(|ex| {
            let body = codegen::validate::normalized_example(ex);
            let kind =
                serde_json::from_str::<Value>(&body).expect("normalized example is JSON")["type"]
                    .as_str()
                    .expect("a `type`")
                    .to_owned();
            (kind, body)
        })
        .collect()
}

fn signed(body: &str) -> String {
    sign_webhook(raw_data(body), &secret_text())
}

fn dt(s: &str) -> DateTime {
    s.parse().unwrap()
}

fn delivery(kind: &str, data: &str) -> String {
    format!(r#"{{"timestamp":1700000000000,"type":"{kind}","data":{data}}}"#)
}

// ------------------------------------------------------------------ every kind

#[test]
fn every_documented_event_kind_verifies_and_decodes() {
    let deliveries = document_deliveries();
    let kinds: Vec<&str> = deliveries.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "order",
            "storage",
            "return",
            "orderIntercept",
            "inventoryCount",
            "adjust",
            "move",
            "orderCreate",
            "orderCancel",
            "convert"
        ]
    );
    for (kind, body) in &deliveries {
        let webhook = verify_and_parse(body.as_bytes(), &signed(body), &secret())
            .unwrap_or_else(|e| panic!("{kind}: {e:?}\n{body}"));
        assert_eq!(webhook.event.kind(), kind);
        assert_eq!(
            webhook.meta.timestamp, 1_700_000_000_000,
            "{kind}: quoted or bare"
        );
        // Same result as parsing without the signature check.
        assert_eq!(Webhook::parse(body.as_bytes()).unwrap(), webhook);
        check_event(kind, &webhook);
    }
}

fn check_event(kind: &str, webhook: &Webhook) {
    let last_finish = dt("2025-02-07T09:10:03.951");
    match &webhook.event {
        WebhookEvent::Order(e) => {
            assert_eq!(
                (e.user_id, e.erp_no.as_str()),
                (1, "123123"),
                "\"1 // oms用户id\" → 1"
            );
            assert_eq!(
                (e.warehouse_code.as_str(), e.status.as_str()),
                ("xxx", "Shipped")
            );
            let line = &e.sku_list[0];
            assert_eq!(line.sku, "2309-1Bei");
            assert_eq!(
                (
                    line.total,
                    line.locked,
                    line.available,
                    line.non_good,
                    line.total_change
                ),
                (26, 0, 26, 0, -1)
            );
            assert_eq!(line.locked_change, None, "absent in the order example");
        }
        WebhookEvent::Storage(e) => {
            assert_eq!((e.user_id, e.erp_no.as_str()), (24, "Lucky1704360185"));
            assert_eq!(e.putaway_no, "P11240104100153");
            assert_eq!(e.finish_time, dt("2024-01-04T09:23:26.729"));
            assert_eq!(
                e.status.as_deref(),
                Some("null"),
                "the example's text, comment stripped"
            );
            let (a, b) = (&e.sku_list[0], &e.sku_list[1]);
            assert_eq!(
                (a.sku_code.as_str(), a.num, a.bad_num, a.this_time_num),
                ("BUG_more898", 10, 0, 10)
            );
            assert_eq!(
                (b.sku_code.as_str(), b.num, b.bad_num, b.this_time_num),
                ("BUG_more899", 5, 0, 5),
                "\"5\" → 5"
            );
        }
        WebhookEvent::Return(e) => {
            assert_eq!(
                webhook.meta.finish_time.as_deref(),
                Some("完成时间"),
                "top-level finishTime"
            );
            assert_eq!(
                (e.user_id, e.erp_no.as_str(), e.status.as_str()),
                (1, "ERP单号", "FINISH")
            );
            let line = &e.sku_list[0];
            assert_eq!((line.sku.as_str(), line.num, line.bad_num), ("sku", 1, 0));
        }
        WebhookEvent::OrderIntercept(e) => {
            assert_eq!(
                (e.user_id, e.erp_no.as_str(), e.status.as_str()),
                (1, "123123", "success")
            );
        }
        WebhookEvent::InventoryCount(e) => {
            assert_eq!(
                (e.warehouse_code.as_str(), e.document_no.as_str(), e.user_id),
                ("xxx", "xx", 1)
            );
            assert_eq!(e.finish_time, dt("2025-02-07T08:07:56.908"));
            let line = &e.sku_list[0];
            assert_eq!((line.total, line.total_change), (26, -1));
            assert_eq!(
                (
                    line.locked_change,
                    line.available_change,
                    line.non_good_change
                ),
                (None, None, None)
            );
        }
        WebhookEvent::Adjust(e) => {
            assert_eq!(
                (e.warehouse_code.as_str(), e.document_no.as_str(), e.user_id),
                ("01", "ADSE02620", 1)
            );
            assert_eq!(e.finish_time, last_finish);
            assert_eq!(e.sku_list[0].sku, "819-Dark GL");
        }
        WebhookEvent::Move(e) => {
            assert_eq!(
                (e.warehouse_code.as_str(), e.document_no.as_str(), e.user_id),
                ("A", "MOL703", 3256)
            );
            assert_eq!(
                e.finish_time, last_finish,
                "duplicate finishTime: the last wins"
            );
        }
        WebhookEvent::OrderCreate(e) => {
            assert_eq!(
                (e.warehouse_code.as_str(), e.document_no.as_str(), e.user_id),
                ("YK", "BSZ1AF0608", 3256)
            );
            assert_eq!(
                e.finish_time, last_finish,
                "duplicate finishTime: the last wins"
            );
        }
        WebhookEvent::OrderCancel(e) => {
            assert_eq!(
                (e.warehouse_code.as_str(), e.document_no.as_str(), e.user_id),
                ("YK", "BSZ1AF0608", 3256)
            );
            assert_eq!(
                e.finish_time, last_finish,
                "duplicate finishTime: the last wins"
            );
        }
        WebhookEvent::Convert(e) => {
            assert_eq!(
                (e.warehouse_code.as_str(), e.document_no.as_str(), e.user_id),
                ("A", "MOL703", 3256)
            );
            assert_eq!(
                e.finish_time, last_finish,
                "duplicate finishTime: the last wins"
            );
            assert_eq!(e.sku_list[0].total, 1);
        }
        other => panic!("{kind}: unexpected {other:?}"),
    }
}

// ------------------------------------------------------------------ rejections

#[test]
fn a_tampered_byte_of_data_is_a_bad_signature() {
    for (kind, body) in document_deliveries() {
        let signature = signed(&body);
        // Change one byte inside `data` (the last digit of the first number, or else one letter).
        let data_at = body.find(raw_data(&body)).unwrap();
        let offset = body[data_at..]
            .bytes()
            .position(|b| b.is_ascii_digit())
            .expect("a digit in data");
        let mut tampered = body.clone().into_bytes();
        let at = data_at + offset;
        tampered[at] = if tampered[at] == b'9' {
            b'8'
        } else {
            tampered[at] + 1
        };
        assert!(
            matches!(
                verify_and_parse(&tampered, &signature, &secret()),
                Err(WebhookError::BadSignature)
            ),
            "{kind}"
        );
    }
}

#[test]
fn the_wrong_secret_is_a_bad_signature() {
    let (_, body) = document_deliveries().swap_remove(0);
    let wrong = sign_webhook(raw_data(&body), "not-the-secret");
    assert!(matches!(
        verify_and_parse(body.as_bytes(), &wrong, &secret()),
        Err(WebhookError::BadSignature)
    ));
    let right = signed(&body);
    assert!(matches!(
        verify_and_parse(body.as_bytes(), &right, &"not-the-secret".into()),
        Err(WebhookError::BadSignature)
    ));
    for garbage in ["", "zz", &right[..31], "0123456789abcdef0123456789abcdef"] {
        assert!(matches!(
            verify_and_parse(body.as_bytes(), garbage, &secret()),
            Err(WebhookError::BadSignature)
        ));
    }
    // Hex case does not matter.
    verify_and_parse(body.as_bytes(), &right.to_uppercase(), &secret()).expect("uppercase hex");
}

#[test]
fn the_signature_covers_the_raw_bytes_of_data() {
    // Keys reordered relative to what was signed: same JSON value, other bytes.
    let signed_data = r#"{"userId":"1","erpNo":"123123","status":"success"}"#;
    let sent_data = r#"{"erpNo":"123123","userId":"1","status":"success"}"#;
    let body = delivery("orderIntercept", sent_data);
    let signature = sign_webhook(signed_data, &secret_text());
    assert!(matches!(
        verify_and_parse(body.as_bytes(), &signature, &secret()),
        Err(WebhookError::BadSignature)
    ));
    assert!(
        Webhook::parse(body.as_bytes()).is_ok(),
        "only the signature is wrong"
    );

    // Whitespace inside data is kept exactly as received and verified as such.
    let spaced = "{ \"userId\" : \"1\" ,\n  \"erpNo\":\"123123\",\t\"status\": \"success\"  }";
    let body = delivery("orderIntercept", spaced);
    let webhook = verify_and_parse(
        body.as_bytes(),
        &sign_webhook(spaced, &secret_text()),
        &secret(),
    )
    .expect("signed over the spaced text");
    let WebhookEvent::OrderIntercept(e) = &webhook.event else {
        panic!("{webhook:?}")
    };
    assert_eq!(
        (e.user_id, e.erp_no.as_str(), e.status.as_str()),
        (1, "123123", "success")
    );
    let compact = r#"{"userId":"1","erpNo":"123123","status":"success"}"#;
    assert!(matches!(
        verify_and_parse(
            body.as_bytes(),
            &sign_webhook(compact, &secret_text()),
            &secret()
        ),
        Err(WebhookError::BadSignature)
    ));

    // A repeated top-level `data`: the last occurrence is both what is verified and what is
    // parsed, so an unsigned first copy cannot smuggle a payload past the check.
    let evil = r#"{"userId":"666","erpNo":"evil","status":"success"}"#;
    let signature = sign_webhook(compact, &secret_text());
    let body =
        format!(r#"{{"timestamp":1,"type":"orderIntercept","data":{evil},"data":{compact}}}"#);
    let webhook = verify_and_parse(body.as_bytes(), &signature, &secret())
        .expect("the last `data` is signed");
    let WebhookEvent::OrderIntercept(e) = &webhook.event else {
        panic!("{webhook:?}")
    };
    assert_eq!(e.erp_no, "123123");
    let body =
        format!(r#"{{"timestamp":1,"type":"orderIntercept","data":{compact},"data":{evil}}}"#);
    assert!(matches!(
        verify_and_parse(body.as_bytes(), &signature, &secret()),
        Err(WebhookError::BadSignature)
    ));
}

/// The document signs only `data`: `timestamp` and `type` are outside the signature
/// (doc_gaps.webhook_signature_data_form). A consequence applications should know: orderCreate
/// and orderCancel carry the same payload shape, so a signed delivery's `type` can be switched
/// without breaking its signature.
#[test]
fn timestamp_and_type_are_not_covered_by_the_signature() {
    let deliveries = document_deliveries();
    let (_, create) = deliveries.iter().find(|(k, _)| k == "orderCreate").unwrap();
    let signature = signed(create);
    let switched = create
        .replace("\"orderCreate\"", "\"orderCancel\"")
        .replace("1700000000000", "42");
    let webhook =
        verify_and_parse(switched.as_bytes(), &signature, &secret()).expect("still verifies");
    assert!(
        matches!(webhook.event, WebhookEvent::OrderCancel(_)),
        "{webhook:?}"
    );
    assert_eq!(webhook.meta.timestamp, 42);
}

#[test]
fn an_unknown_kind_keeps_its_payload() {
    let data = r#"{"foo":[1,2.50,"x"],"bar":{"baz":null}}"#;
    let body = delivery("inventoryAlert", data);
    let webhook = verify_and_parse(
        body.as_bytes(),
        &sign_webhook(data, &secret_text()),
        &secret(),
    )
    .unwrap();
    assert_eq!(webhook.event.kind(), "inventoryAlert");
    let WebhookEvent::Unknown { kind, payload } = &webhook.event else {
        panic!("{webhook:?}")
    };
    assert_eq!(kind, "inventoryAlert");
    assert_eq!(
        payload,
        &json!({ "foo": [1, 2.5, "x"], "bar": { "baz": null } })
    );
}

#[test]
fn malformed_deliveries_are_typed_errors() {
    let sig = "0123456789abcdef0123456789abcdef";
    let missing_data = br#"{"timestamp":1700000000000,"type":"order"}"#;
    assert!(matches!(
        verify_and_parse(missing_data, sig, &secret()),
        Err(WebhookError::MissingField("data"))
    ));
    assert!(matches!(
        Webhook::parse(missing_data),
        Err(WebhookError::MissingField("data"))
    ));

    for not_json in [
        &b"not json"[..],
        b"",
        b"{\"data\":",
        b"[1,2]",
        b"\"data\"",
        b"\xff\xfe",
        b"{\"data\":{}}}",
    ] {
        let result = verify_and_parse(not_json, sig, &secret());
        assert!(
            matches!(result, Err(WebhookError::Malformed(_))),
            "{:?}: {result:?}",
            String::from_utf8_lossy(not_json)
        );
        assert!(Webhook::parse(not_json).is_err());
    }

    // Correctly signed, but no `type`.
    let data = r#"{"erpNo":"1"}"#;
    let body = format!(r#"{{"timestamp":1,"data":{data}}}"#);
    let result = verify_and_parse(
        body.as_bytes(),
        &sign_webhook(data, &secret_text()),
        &secret(),
    );
    assert!(
        matches!(result, Err(WebhookError::MissingField("type"))),
        "{result:?}"
    );

    // Correctly signed, but the payload does not fit the kind's type.
    let data = r#"{"userId":"1","erpNo":"123123"}"#;
    let body = delivery("order", data);
    let result = verify_and_parse(
        body.as_bytes(),
        &sign_webhook(data, &secret_text()),
        &secret(),
    );
    assert!(matches!(result, Err(WebhookError::Decode(_))), "{result:?}");

    // A timestamp that is not a number.
    let data = r#"{"userId":"1","erpNo":"123123","status":"success"}"#;
    let body = format!(r#"{{"timestamp":"时间戳","type":"orderIntercept","data":{data}}}"#);
    let result = verify_and_parse(
        body.as_bytes(),
        &sign_webhook(data, &secret_text()),
        &secret(),
    );
    assert!(matches!(result, Err(WebhookError::Decode(_))), "{result:?}");
}

// ------------------------------------------------------------------ property

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,16}".prop_map(Value::from),
    ]
}

fn json_object() -> impl Strategy<Value = Value> {
    let value = json_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("\\PC{0,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop::collection::btree_map("\\PC{0,12}", value, 0..6)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

proptest! {
    /// For any printable payload object (compact or pretty-printed), signing its exact text
    /// verifies and the payload comes back intact; changing any single byte of it fails.
    #[test]
    fn sign_then_verify_and_any_flipped_byte_fails(
        payload in json_object(),
        pretty in any::<bool>(),
        secret in "[A-Za-z0-9]{1,40}",
        index in any::<prop::sample::Index>(),
        mask in 1u8..=255,
    ) {
        let data = if pretty {
            serde_json::to_string_pretty(&payload).unwrap()
        } else {
            serde_json::to_string(&payload).unwrap()
        };
        let body = delivery("propertyTest", &data);
        let signature = sign_webhook(&data, &secret);
        let key: SecretString = secret.clone().into();
        let webhook = verify_and_parse(body.as_bytes(), &signature, &key).expect("verifies");
        prop_assert_eq!(webhook.event, WebhookEvent::Unknown { kind: "propertyTest".into(), payload });

        let data_at = body.find(&data).unwrap();
        let at = data_at + index.index(data.len());
        let mut flipped = body.clone().into_bytes();
        flipped[at] ^= mask;
        let result = verify_and_parse(&flipped, &signature, &key);
        prop_assert!(result.is_err(), "byte {} ^ {:#x} accepted", at, mask);
        // Still a JSON object with `data`: then it is the signature that refuses it.
        let still_json = serde_json::from_slice::<Value>(&flipped).ok().is_some_and(|v| v.get("data").is_some());
        if still_json {
            prop_assert!(matches!(result, Err(WebhookError::BadSignature)), "{:?}", result);
        }
    }
}

// ------------------------------------------------------------------ acknowledgements

#[test]
fn acknowledgement_bodies() {
    assert_eq!(WEBHOOK_ACK_SUCCESS, r#"{"code":"0","msg":""}"#);
    let ok: Value = serde_json::from_str(WEBHOOK_ACK_SUCCESS).unwrap();
    assert_eq!(ok, json!({ "code": "0", "msg": "" }));

    let failure = webhook_ack_failure("bad \"sig\"");
    let parsed: Value = serde_json::from_str(&failure).expect("valid JSON");
    assert_eq!(parsed, json!({ "code": "1", "msg": "bad \"sig\"" }));
    assert_eq!(failure, r#"{"code":"1","msg":"bad \"sig\""}"#);

    for message in [
        "签名错误",
        "line\nbreak\\ and \u{0001} control",
        "",
        "{message}",
    ] {
        let parsed: Value =
            serde_json::from_str(&webhook_ack_failure(message)).expect("valid JSON");
        assert_eq!(parsed["msg"], message);
        assert_eq!(parsed["code"], "1");
    }
}
