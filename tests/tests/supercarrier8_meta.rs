//! supercarrier8's envelope field `meta` (元数据信息,接口错误码翻译的占位符数据信息: the
//! placeholder data for translating error codes) reaches the caller on an error, as do
//! `exception` and `ext`. A tiny server on 127.0.0.1 answers in the document's envelope;
//! the strict fake (`fakes::supercarrier8`) always sends them as null.

use axum::Router;
use axum::routing::{get, post};
use generated_client::runtime as rt;
use generated_client::supercarrier8::{Client, Credentials, ErrorCode};
use serde_json::{Value, json};

async fn serve() -> String {
    let token = || async {
        axum::Json(json!({
            "code": 200, "message": "success",
            "data": { "accessToken": "t", "tokenTtl": "PT8H", "tokenTtlSeconds": 28800 },
            "timestamp": 1677737429715u64, "traceId": "a", "exception": null, "meta": null, "ext": null
        }))
    };
    let demo = || async {
        axum::Json(json!({
            "code": 21184033, "message": "应用账号不存在", "data": null,
            "timestamp": 1677737429715u64, "traceId": "trace-1",
            "exception": "AccountNotFoundException",
            "meta": { "args": ["eb5e78cc"] },
            "ext": { "hint": "x" }
        }))
    };
    let app = Router::new()
        .route("/cncop/ca/v1/applications/get-token", post(token))
        .route("/cncop/demo", get(demo));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn meta_exception_and_ext_are_kept_on_errors() {
    let base = serve().await;
    let client = Client::builder(Credentials::new("ak", "sk"))
        .base_url(&base)
        .build()
        .await
        .expect("client builds");
    let err = client
        .demo()
        .await
        .expect_err("the server answers an error");
    assert_eq!(err.code(), Some(&ErrorCode::AccountNotFound), "{err}");
    let rt::Error::Api(api) = &err else {
        panic!("expected a vendor error, got {err:?}");
    };
    assert_eq!(api.extra("meta"), Some(&json!({ "args": ["eb5e78cc"] })));
    assert_eq!(
        api.extra("exception"),
        Some(&Value::from("AccountNotFoundException"))
    );
    assert_eq!(api.extra("ext"), Some(&json!({ "hint": "x" })));
    assert_eq!(api.extra("traceId"), Some(&Value::from("trace-1")));
}
