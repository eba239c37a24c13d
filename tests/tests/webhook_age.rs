//! `verify_and_parse_max_age`: the signature is checked first, then the delivery time.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use generated_client::jfwms::{verify_and_parse, verify_and_parse_max_age};
use generated_client::runtime::WebhookError;
use integration_tests::fakes::jfwms::sign_webhook;
use secrecy::SecretString;

const SECRET: &str = "webhook-secret";
const DATA: &str = r#"{"userId":"1","erpNo":"A-1","skuList":[]}"#;

fn delivery(timestamp_ms: i64) -> (String, String) {
    let body = format!(r#"{{"timestamp":{timestamp_ms},"type":"futureKind","data":{DATA}}}"#);
    (body, sign_webhook(DATA, SECRET))
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as i64
}

#[test]
fn deliveries_older_than_the_maximum_age_are_rejected() {
    let secret = SecretString::from(SECRET);
    let max_age = Duration::from_secs(300);
    let (fresh, sig) = delivery(now_ms() - 10_000);
    verify_and_parse_max_age(fresh.as_bytes(), &sig, &secret, max_age).expect("fresh");

    let (old, sig) = delivery(now_ms() - 600_000);
    let err = verify_and_parse_max_age(old.as_bytes(), &sig, &secret, max_age).unwrap_err();
    assert!(matches!(err, WebhookError::Stale { .. }), "{err:?}");
    // Without the age check the same delivery is accepted: the time is not signed.
    verify_and_parse(old.as_bytes(), &sig, &secret).expect("signature covers data only");

    // The signature is checked before the age.
    let err = verify_and_parse_max_age(fresh.as_bytes(), "00", &secret, max_age).unwrap_err();
    assert!(matches!(err, WebhookError::BadSignature), "{err:?}");
}
