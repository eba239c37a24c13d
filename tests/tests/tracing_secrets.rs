//! No secret ever reaches a trace: every vendor's flows run against the strict fakes with
//! sentinel credentials under a subscriber recording everything at TRACE, and none of the
//! sentinels — nor any token the fakes handed out, nor any signature or credential the client
//! sent — appears in the output. The output must also hold the spans and events the runtime
//! promises, so the test cannot pass by recording nothing.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::TryStreamExt;
use generated_client::runtime::TokenState;
use generated_client::runtime::secrecy::ExposeSecret;
use generated_client::{erp, jfwms, niumall, supercarrier8, zhiyun};
use integration_tests::fakes::{self, RecordedRequest};
use secrecy::SecretString;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buffer lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Buffer {
        self.clone()
    }
}

/// Values that must never be traced: the sentinels, then whatever the run adds.
#[derive(Default)]
struct Secrets(Vec<(String, String)>);

impl Secrets {
    fn add(&mut self, what: impl Into<String>, value: impl Into<String>) {
        let value = value.into();
        // Short values (`1`, `admin`) are not secrets and would match by accident.
        if value.len() >= 12 {
            self.0.push((what.into(), value));
        }
    }

    fn token(&mut self, vendor: &str, state: Option<TokenState>) {
        let state = state.unwrap_or_else(|| panic!("{vendor}: no token state"));
        self.add(
            format!("{vendor} access token"),
            state.access_token.expose_secret(),
        );
        if let Some(r) = &state.refresh_token {
            self.add(format!("{vendor} refresh token"), r.expose_secret());
        }
    }

    /// Every credential-bearing value the client sent: auth headers, signatures, form fields,
    /// query values (some vendors sign in the query).
    fn sent(&mut self, vendor: &str, requests: &[RecordedRequest]) {
        const BENIGN: [&str; 6] = [
            "host",
            "user-agent",
            "content-type",
            "accept",
            "content-length",
            "accept-encoding",
        ];
        assert!(!requests.is_empty(), "{vendor}: the fake saw nothing");
        for r in requests {
            for (name, value) in &r.headers {
                if !BENIGN.contains(&name.as_str()) {
                    self.add(format!("{vendor} header {name}"), value.clone());
                }
            }
            for (name, value) in r.form_pairs().into_iter().chain(r.query_pairs()) {
                // The OAuth2 grant type names the protocol step (`client_credentials`), which
                // token-renewal events report on purpose; it is not a credential.
                if name == "grant_type" {
                    continue;
                }
                self.add(format!("{vendor} field {name}"), value);
            }
        }
    }
}

fn sentinel(name: &str) -> String {
    format!("SENTINEL-{name}-7f3a9c")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_token_or_signature_in_traces_at_trace_level() {
    let buffer = Buffer::default();
    tracing_subscriber::fmt()
        .with_writer(buffer.clone())
        .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .init();

    let mut secrets = Secrets::default();
    erp_flows(&mut secrets).await;
    jfwms_flows(&mut secrets).await;
    niumall_flows(&mut secrets).await;
    supercarrier8_flows(&mut secrets).await;
    zhiyun_flows(&mut secrets).await;

    let output = String::from_utf8_lossy(&buffer.0.lock().expect("buffer lock")).into_owned();
    // Not vacuous: the runtime's spans and events are there, with their fields.
    assert!(output.len() > 1000, "too little traced:\n{output}");
    for vendor in ["erp", "jfwms", "niumall", "supercarrier8", "zhiyun"] {
        assert!(
            output.contains(&format!("call{{vendor=\"{vendor}\"")),
            "no call span for {vendor}:\n{output}"
        );
    }
    for expected in [
        "endpoint=/public/worehouse.php",
        "method=POST",
        "attempt{n=1}",
        "attempts=",
        "status=200",
        "duration_ms=",
        "retrying",
        "reason=\"renew_token\"",
        "error_class=",
        "webhook rejected",
        "reason=\"bad_signature\"",
    ] {
        assert!(
            output.contains(expected),
            "`{expected}` not traced:\n{output}"
        );
    }
    assert!(
        secrets.0.len() >= 20,
        "too few secrets collected: {}",
        secrets.0.len()
    );
    for (what, value) in &secrets.0 {
        assert!(
            !output.contains(value.as_str()),
            "{what} appears in the traces"
        );
    }
}

async fn erp_flows(secrets: &mut Secrets) {
    let config = fakes::erp::ErpConfig {
        client_id: sentinel("erp-client-id"),
        client_secret: sentinel("erp-client-secret"),
        ..Default::default()
    };
    secrets.add("erp client secret", &config.client_secret);
    let fake = fakes::erp::start(config).await;
    let credentials = erp::Credentials::new(
        fake.config().client_id.clone(),
        fake.config().client_secret.clone(),
    );
    let client = erp::Client::builder(credentials.clone())
        .base_url(&fake.base_url)
        .build()
        .await
        .expect("erp client");
    client
        .query_inventory(&erp::QueryInventoryRequest::new())
        .await
        .expect("inventory");
    let _: Vec<_> = client
        .query_orders_pages(erp::QueryOrdersRequest::new().page_size(20))
        .try_collect()
        .await
        .expect("orders");
    secrets.token("erp", client.token_state().await);
    // A rejected token: renewed, and the call sent again (a traced retry).
    fake.expire_all_tokens();
    client
        .query_outbound(&erp::QueryOutboundRequest::new())
        .await
        .expect("outbound after renewal");
    secrets.token("erp", client.token_state().await);

    // The authorization-code flow.
    let redirect = fake.config().redirect_uris[0].clone();
    let code = fake.issue_authorization_code(&redirect);
    secrets.add("erp authorization code", &code);
    let state = generated_client::erp::Client::new_state();
    secrets.add("erp state", &state);
    let authorized = erp::Client::builder(credentials)
        .base_url(&fake.base_url)
        .build()
        .await
        .expect("erp client");
    authorized.authorize_url(&redirect, &state).expect("url");
    authorized
        .exchange_authorization_code(&code, &redirect)
        .await
        .expect("code exchange");
    authorized
        .query_orders(&erp::QueryOrdersRequest::new())
        .await
        .expect("orders");
    secrets.token("erp", authorized.token_state().await);
    secrets.sent("erp", &fake.requests());
}

async fn jfwms_flows(secrets: &mut Secrets) {
    let mut config = fakes::jfwms::JfwmsConfig {
        client_id: sentinel("jfwms-client-id"),
        client_secret: sentinel("jfwms-client-secret"),
        ..Default::default()
    };
    config
        .orders
        .insert("123123".into(), serde_json::json!({ "erpNo": "123123" }));
    secrets.add("jfwms client secret", &config.client_secret);
    let fake = fakes::jfwms::start(config).await;
    let client = jfwms::Client::builder(jfwms::Credentials::new(
        fake.config().client_id.clone(),
        fake.config().client_secret.clone(),
    ))
    .base_url(&fake.base_url)
    .grant_path("authorization_code", &fake.config().token_path)
    .grant_path("refresh_token", &fake.config().refresh_path)
    .build()
    .await
    .expect("jfwms client");
    let code = fake.issue_authorization_code();
    secrets.add("jfwms authorization code", &code);
    client
        .exchange_authorization_code(&code)
        .await
        .expect("code exchange");
    secrets.token("jfwms", client.token_state().await);
    client
        .get_order(&jfwms::GetOrderRequest::new("123123"))
        .await
        .expect("order");
    // An expired access token: refreshed with the refresh token, then the call again.
    fake.expire_all_access_tokens();
    client
        .get_order(&jfwms::GetOrderRequest::new("123123"))
        .await
        .expect("order after refresh");
    secrets.token("jfwms", client.token_state().await);
    secrets.sent("jfwms", &fake.requests());

    // Webhooks: one accepted, one rejected for its signature.
    let secret = SecretString::from(fake.config().client_secret.clone());
    let data = r#"{"userId":"1","erpNo":"123123","skuList":[]}"#;
    let body = format!(r#"{{"timestamp":1700000000000,"type":"newKind","data":{data}}}"#);
    let signature = fakes::jfwms::sign_webhook(data, &fake.config().client_secret);
    secrets.add("jfwms webhook signature", &signature);
    jfwms::verify_and_parse(body.as_bytes(), &signature, &secret).expect("signed delivery");
    let forged = fakes::jfwms::sign_webhook(data, &sentinel("wrong-secret"));
    secrets.add("forged webhook signature", &forged);
    jfwms::verify_and_parse(body.as_bytes(), &forged, &secret).expect_err("forged delivery");
}

async fn niumall_flows(secrets: &mut Secrets) {
    let config = fakes::niumall::NiumallConfig {
        username: "admin@example.com".into(),
        password: sentinel("niumall-password"),
        ..Default::default()
    };
    secrets.add("niumall password", &config.password);
    let fake = fakes::niumall::start(config).await;
    let client = niumall::Client::builder(niumall::Credentials::new(
        fake.config().username.clone(),
        fake.config().password.clone(),
    ))
    .base_url(&format!("{}/v1", fake.base_url))
    .grant_path("login", "/auth/login")
    .build()
    .await
    .expect("niumall client");
    client
        .list_orders(&niumall::ListOrdersRequest::new())
        .await
        .expect("orders");
    let request = niumall::CreateOrderRequest::new(
        101,
        "西门塔尔",
        30,
        "15000".parse().expect("decimal"),
        "28.5".parse().expect("decimal"),
    );
    client.create_order(&request).await.expect("created");
    secrets.token("niumall", client.token_state().await);
    secrets.sent("niumall", &fake.requests());
}

async fn supercarrier8_flows(secrets: &mut Secrets) {
    let config = fakes::supercarrier8::Supercarrier8Config {
        access_key: sentinel("sc8-access-key"),
        secret_key: sentinel("sc8-secret-key"),
        ..Default::default()
    };
    secrets.add("supercarrier8 secret key", &config.secret_key);
    secrets.add(
        "supercarrier8 secretKeySign",
        fakes::supercarrier8::secret_key_sign(&config.secret_key),
    );
    let fake = fakes::supercarrier8::start(config).await;
    let client = supercarrier8::Client::builder(supercarrier8::Credentials::new(
        fake.config().access_key.clone(),
        fake.config().secret_key.clone(),
    ))
    .base_url(&fake.base_url)
    .deadline(Duration::from_secs(10))
    .build()
    .await
    .expect("supercarrier8 client");
    client.demo().await.expect("demo");
    secrets.token("supercarrier8", client.token_state().await);
    secrets.sent("supercarrier8", &fake.requests());
}

async fn zhiyun_flows(secrets: &mut Secrets) {
    let config = fakes::zhiyun::ZhiyunConfig {
        client_secret: sentinel("zhiyun-client-secret"),
        access_tokens: vec![sentinel("zhiyun-desktop-token")],
        ..Default::default()
    };
    secrets.add("zhiyun client secret", &config.client_secret);
    secrets.add("zhiyun desktop token", &config.access_tokens[0]);
    let fake = fakes::zhiyun::start(config).await;
    let client = zhiyun::Client::builder(zhiyun::Credentials::new(
        fake.config().client_id.clone(),
        fake.config().client_secret.clone(),
        fake.config().access_tokens[0].clone(),
    ))
    .base_url(&fake.base_url)
    .build()
    .await
    .expect("zhiyun client");
    client.get_user_info().await.expect("user info");
    client.get_company_info().await.expect("company info");
    secrets.sent("zhiyun", &fake.requests());
}
