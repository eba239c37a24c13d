//! The generated cainiao_edi client against the spec mock of `specs/cainiao_edi.yaml`: a
//! `json_text` form field signed by `{params.logistics_interface}`, a `const` message type, and a
//! wrong secret key refused with the code of class `auth`.

mod support;

use generated_client::cainiao_edi::{
    CancelInstruction, CancelOrderRequest, Client, CreateWaybillRequest, Credentials, ErrorCode,
    ExtendsFeature, GoodsItem, PackageInfo, Receiver, Sender, Waybill,
};
use spec_mock::MockServer;
use support::{mock, statuses};

const PROVIDER: &str = "edi_test_o2o_json";
const SECRET: &str = "secret key*~ 密钥";
const CREDS: &[(&str, &str)] = &[("logistic_provider_id", PROVIDER), ("secret_key", SECRET)];

async fn client(mock: &MockServer, secret: &str) -> Client {
    Client::builder(Credentials::new(PROVIDER, secret))
        .base_url(&mock.base_url())
        .build()
        .await
        .expect("client builds")
}

fn cancel() -> CancelOrderRequest {
    CancelOrderRequest::new(CancelInstruction::new(
        vec![
            ExtendsFeature::new("customerCode", PROVIDER),
            ExtendsFeature::new("outOrderCode", "test181224001"),
        ],
        "不想要了 a*b~c",
    ))
}

#[tokio::test]
async fn typed_calls_are_accepted() {
    let mock = mock("cainiao_edi", CREDS).await;
    let client = client(&mock, SECRET).await;
    let waybill = Waybill::new(
        Receiver::new("张 三*~", "13800000000", "浙江省", "文一西路 969号"),
        Sender::new("李四", "13900000000", "上海", "明珠路"),
        PackageInfo::new(vec![GoodsItem::new("毛衣", 1)], 500, 1),
    );
    client
        .create_waybill(&CreateWaybillRequest::new(waybill))
        .await
        .expect("create");
    client.cancel_order(&cancel()).await.expect("cancel");
    assert_eq!(statuses(&mock, "create_waybill"), [200]);
    assert_eq!(statuses(&mock, "cancel_order"), [200]);
}

#[tokio::test]
async fn a_wrong_secret_key_is_refused_with_the_auth_code() {
    let mock = mock("cainiao_edi", CREDS).await;
    let err = client(&mock, "not the secret")
        .await
        .cancel_order(&cancel())
        .await
        .expect_err("refused");
    assert_eq!(err.code(), Some(&ErrorCode::SignCheckFailure), "{err:?}");
}

#[tokio::test]
async fn the_fixed_message_type_is_required_and_checked() {
    let mock = mock("cainiao_edi", CREDS).await;
    client(&mock, SECRET)
        .await
        .cancel_order(&cancel())
        .await
        .expect("accepted");
    let sent = mock.received_for("cancel_order").remove(0);
    let body = String::from_utf8(sent.body.clone()).unwrap();
    assert!(
        body.starts_with("msg_type=TOM_TIMELINESS_WAYBILL_INSTRUCTION&"),
        "{body}"
    );
    let (status, answer) = support::resend_with_body(&mock, &sent, &[], body.as_bytes()).await;
    assert_eq!(
        (status, answer["success"].as_bool()),
        (200, Some(true)),
        "unchanged: {answer}"
    );
    for changed in [
        body.replacen("msg_type=TOM_TIMELINESS_WAYBILL_INSTRUCTION&", "", 1),
        body.replacen(
            "TOM_TIMELINESS_WAYBILL_INSTRUCTION",
            "TMS_WAYBILL_NOTIFY",
            1,
        ),
    ] {
        let (status, answer) =
            support::resend_with_body(&mock, &sent, &[], changed.as_bytes()).await;
        assert_ne!(
            (status, answer["success"].as_bool()),
            (200, Some(true)),
            "{changed} -> {answer}"
        );
    }
}
