//! Engine tests against a loopback HTTP server.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;

use super::*;
use crate::builder::EngineBuilder;
use crate::envelope::Success;
use crate::test_support::{Recorded, Reply, TestCode, TestServer};
use crate::token::AuthorizeSpec;
use crate::token::RefreshPolicy;
use spec_lang::{Expr, Op, Piece, TimeUnit, Value};

type E = Error<TestCode>;

fn var(name: &'static str) -> Value {
    Value::Template(vec![Piece::Var(name.into())])
}

fn lit(s: &'static str) -> Value {
    Value::Template(vec![Piece::Lit(s.into())])
}

fn code_envelope() -> EnvelopeSpec {
    EnvelopeSpec {
        success: Success::CodeIn(vec![RawCode::Int(0)]),
        code: Some("code"),
        message: vec!["message"],
        data: "data",
        details: None,
        extra: vec!["requestId"],
        nested: None,
    }
}

fn grant(name: &'static str, path: Option<&'static str>) -> Grant {
    Grant {
        name,
        method: reqwest::Method::POST,
        path,
        encoding: Encoding::Form,
        fields: vec![("grant_type", lit("client_credentials"))],
        client_auth: vec![ClientAuth::Form, ClientAuth::Basic],
        inputs: vec![],
        send_auth_steps: false,
    }
}

fn oauth_response() -> TokenResponseSpec {
    TokenResponseSpec {
        enveloped: false,
        access_token: "access_token",
        expires_in: Some("expires_in"),
        default_lifetime: Some(Duration::from_secs(3600)),
        refresh_token: None,
        refresh_token_lifetime: None,
        extra: vec![],
        error: Some(("error", Some("error_description"))),
    }
}

/// OAuth2 client credentials + `Authorization: Bearer`, code envelope, renew on 401.
fn oauth_spec() -> ApiSpec<TestCode> {
    ApiSpec::new(
        Some(code_envelope()),
        vec![Step::Header {
            name: "Authorization".into(),
            value: Value::Template(vec![
                Piece::Lit("Bearer ".into()),
                Piece::Var("access_token".into()),
            ]),
        }],
        Some(TokenSpec {
            grants: vec![grant("client_credentials", Some("/token"))],
            automatic: Some("client_credentials"),
            refresh_with: None,
            interchangeable_grants: Vec::new(),
            authorize: Some(AuthorizeSpec {
                path: "/authorize",
                params: vec![
                    ("response_type", lit("code")),
                    ("client_id", var("client_id")),
                    ("redirect_uri", var("redirect_uri")),
                    ("state", var("state")),
                ],
            }),
            response: oauth_response(),
            policy: RefreshPolicy {
                renew_on_http_status: vec![401],
                ..Default::default()
            },
        }),
        false,
    )
}

fn creds() -> Credentials {
    Credentials::new()
        .plain("client_id", "cid")
        .secret("client_secret", "s3cr3t-value")
}

async fn engine_for(spec: ApiSpec<TestCode>, server: &TestServer) -> Engine<TestCode> {
    EngineBuilder::engine(spec, "https://unused.example")
        .base_url(&server.url())
        .credentials(creds())
        .build()
        .await
        .unwrap()
}

fn get(path: &'static str) -> Request {
    Request {
        method: reqwest::Method::GET,
        path: Cow::Borrowed(path),
        query: vec![("page", "1".into())],
        headers: vec![],
        body: Body::None,
        authenticated: true,
        idempotent: false,
    }
}

fn form(r: &Recorded) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(r.body.as_bytes())
        .into_owned()
        .collect()
}

/// Issues `tok-1`, `tok-2`, ...; `/data` accepts only the token the server considers current.
struct TokenServer {
    issued: AtomicUsize,
    accept_from: usize,
}

impl TokenServer {
    fn handle(&self, r: &Recorded) -> Reply {
        match r.path.as_str() {
            "/token" => {
                let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
                Reply {
                    delay: Duration::from_millis(150),
                    ..Reply::json(
                        200,
                        json!({"access_token": format!("tok-{n}"), "expires_in": 3600}).to_string(),
                    )
                }
            }
            "/data" => {
                let ok = r
                    .header("authorization")
                    .and_then(|h| h.strip_prefix("Bearer tok-"))
                    .and_then(|n| n.parse::<usize>().ok())
                    .is_some_and(|n| n >= self.accept_from);
                if ok {
                    Reply::json(
                        200,
                        r#"{"code":0,"message":"ok","data":{"n":"1.00000000"}}"#,
                    )
                } else {
                    Reply::json(
                        200,
                        r#"{"code":10002,"message":"Invalid ACCESS TOKEN","data":null}"#,
                    )
                }
            }
            "/always401" => Reply::json(401, "<html>Unauthorized</html>"),
            _ => Reply::json(404, "{}"),
        }
    }
}

async fn token_server(accept_from: usize) -> TestServer {
    let state = Arc::new(TokenServer {
        issued: AtomicUsize::new(0),
        accept_from,
    });
    TestServer::start(move |r| state.handle(r)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_cold_start_sends_one_token_request() {
    let server = token_server(1).await;
    let engine = engine_for(oauth_spec(), &server).await;
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let engine = engine.clone();
            tokio::spawn(async move { engine.send::<serde_json::Value>(get("/data")).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), json!({"n": "1.00000000"}));
    }
    assert_eq!(server.count("/token"), 1);
    assert_eq!(server.count("/data"), 40);
    let token_req = &server.requests()[0];
    assert_eq!(
        form(token_req),
        BTreeMap::from([
            ("grant_type".into(), "client_credentials".into()),
            ("client_id".into(), "cid".into()),
            ("client_secret".into(), "s3cr3t-value".into()),
        ])
    );
    assert!(
        token_req.header("authorization").is_none(),
        "form OR basic, never both"
    );
}

#[tokio::test]
async fn rejected_token_is_renewed_and_the_call_retried_once() {
    let server = token_server(2).await;
    let engine = engine_for(oauth_spec(), &server).await;
    let v: serde_json::Value = engine.send(get("/data")).await.unwrap();
    assert_eq!(v["n"], "1.00000000");
    assert_eq!((server.count("/token"), server.count("/data")), (2, 2));

    // A server that never accepts: renewed once, then the error is returned.
    let server = token_server(usize::MAX).await;
    let engine = engine_for(oauth_spec(), &server).await;
    let err = engine
        .send::<serde_json::Value>(get("/data"))
        .await
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::RenewToken);
    assert_eq!((server.count("/token"), server.count("/data")), (2, 2));

    // renew_on_http_status: a bare 401 renews too.
    let err = engine
        .send::<serde_json::Value>(get("/always401"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::HttpStatus { status: 401, .. }),
        "{err:?}"
    );
    assert_eq!(server.count("/always401"), 2);
}

#[tokio::test]
async fn vendor_error_keeps_code_message_extras_and_body() {
    let server = TestServer::start(|r| match r.path.as_str() {
        "/token" => Reply::json(200, r#"{"access_token":"t","expires_in":"3600"}"#),
        _ => Reply::json(
            200,
            r#"{"code":50017,"message":"The order was not found in the warehouse!","data":null,"requestId":"7bb5dd"}"#,
        ),
    })
    .await;
    let engine = engine_for(oauth_spec(), &server).await;
    let err = engine.send_raw(get("/api/order/get")).await.unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.raw_code, Some(RawCode::Int(50017)));
    assert_eq!(api.code.class(), ErrorClass::Vendor);
    assert_eq!(api.extra("requestId"), Some(&json!("7bb5dd")));
    assert_eq!(
        err.to_string(),
        "vendor error 50017 (HTTP 200): The order was not found in the warehouse!"
    );
    assert!(
        err.raw_body()
            .is_some_and(|b| b.as_str().contains("requestId"))
    );
}

#[tokio::test]
async fn token_endpoint_error_and_basic_client_auth() {
    let server = TestServer::start(|r| {
        let basic = r.header("authorization").unwrap_or_default().to_owned();
        if basic == auth::basic_header("cid", "s3cr3t-value")
            && !form(r).contains_key("client_secret")
        {
            Reply::json(
                400,
                r#"{"error":"invalid_grant","error_description":"Authorization code expired"}"#,
            )
        } else {
            Reply::json(500, "unexpected")
        }
    })
    .await;
    let engine = EngineBuilder::engine(oauth_spec(), "https://unused.example")
        .base_url(&server.url())
        .credentials(creds())
        .client_auth(ClientAuth::Basic)
        .build()
        .await
        .unwrap();
    let err = engine.send_raw(get("/data")).await.unwrap_err();
    let Error::Auth(auth) = &err else {
        panic!("{err:?}")
    };
    let AuthError::TokenEndpoint {
        grant,
        status,
        raw_code,
        message,
        ..
    } = &**auth
    else {
        panic!("{auth:?}")
    };
    assert_eq!((*grant, *status), ("client_credentials", 400));
    assert_eq!(raw_code, &Some(RawCode::Str("invalid_grant".into())));
    assert_eq!(message.as_deref(), Some("Authorization code expired"));
    assert_eq!(err.class(), ErrorClass::Reauthorize);
    assert!(!format!("{err:?}{err}").contains("s3cr3t"));
}

/// HTTP Basic + `t_`/`p_` + a credential on every call; the token is an auth code fetched by a
/// GET whose only parameters come from the token-free steps.
#[tokio::test]
async fn token_free_steps_go_on_grant_requests_that_ask_for_them() {
    let server = TestServer::start(|r| match r.path.as_str() {
        "/authorize/json" => Reply::json(
            200,
            r#"{"data":{"auth_code":"code-1"},"code":200,"message":"ok"}"#,
        ),
        _ => Reply::json(
            200,
            r#"{"data":{"username":"li"},"code":200,"message":"ok"}"#,
        ),
    })
    .await;
    let p_ = Value::Arithmetic(Expr::bin(
        Expr::bin(
            Expr::bin(Expr::Var("t_".into()), Op::Rem, Expr::Int(10000)),
            Op::Mul,
            Expr::Int(3),
        ),
        Op::Add,
        Expr::Int(2345),
    ));
    let spec = ApiSpec::<TestCode>::new(
        Some(EnvelopeSpec {
            success: Success::CodeIn(vec![RawCode::Int(200)]),
            ..code_envelope()
        }),
        vec![
            Step::Basic {
                username: var("client_id"),
                password: var("client_secret"),
            },
            Step::Query {
                name: "t_".into(),
                value: Value::Now(TimeUnit::Millis),
            },
            Step::Query {
                name: "p_".into(),
                value: p_,
            },
            Step::Query {
                name: "access_token".into(),
                value: var("desktop_token"),
            },
            Step::Query {
                name: "auth_code".into(),
                value: var("access_token"),
            },
        ],
        Some(TokenSpec {
            grants: vec![Grant {
                method: reqwest::Method::GET,
                encoding: Encoding::Query,
                fields: vec![],
                client_auth: vec![],
                send_auth_steps: true,
                ..grant("authorize", Some("/authorize/json"))
            }],
            automatic: Some("authorize"),
            refresh_with: None,
            interchangeable_grants: Vec::new(),
            authorize: None,
            response: TokenResponseSpec {
                enveloped: true,
                access_token: "auth_code",
                expires_in: None,
                error: None,
                ..oauth_response()
            },
            policy: RefreshPolicy::default(),
        }),
        true,
    );
    let engine = EngineBuilder::engine(spec, "https://unused.example")
        .base_url(&server.url())
        .credentials(creds().secret("desktop_token", "desk-tok"))
        .build()
        .await
        .unwrap();
    let v = engine.send_raw(get("/user")).await.unwrap();
    assert_eq!(v, json!({"username": "li"}));
    let reqs = server.requests();
    let basic = auth::basic_header("cid", "s3cr3t-value");
    for r in &reqs {
        assert_eq!(
            r.header("authorization"),
            Some(basic.as_str()),
            "{}",
            r.path
        );
        let t: i64 = r.query_param("t_").unwrap().parse().unwrap();
        assert_eq!(
            r.query_param("p_"),
            Some(((t % 10000) * 3 + 2345).to_string())
        );
        assert_eq!(r.query_param("access_token").as_deref(), Some("desk-tok"));
    }
    assert_eq!(reqs[0].method, "GET");
    assert_eq!(reqs[0].query_param("auth_code"), None);
    assert_eq!(reqs[1].query_param("auth_code").as_deref(), Some("code-1"));
    assert_eq!(reqs[1].query_param("page").as_deref(), Some("1"));
}

/// Signed headers over the token's extras; code exchange to an application-configured path.
#[tokio::test]
async fn signed_headers_after_code_exchange() {
    let server = TestServer::start(|r| match r.path.as_str() {
        "/oauth/token" => Reply::json(
            200,
            r#"{"code":0,"message":"success","data":{"accessToken":"at-1","refreshToken":"rt-1","userId":8,"expiresIn":86400},"requestId":"x"}"#,
        ),
        _ => {
            let h = |n: &str| r.header(n).unwrap_or_default().to_owned();
            let mut pairs = [
                format!("accessToken={}", h("accesstoken")),
                format!("clientId={}", h("clientid")),
                "method=post".to_owned(),
                format!("nonce={}", h("nonce")),
                format!("timestamp={}", h("timestamp")),
                format!("url={}", r.path),
                format!("userId={}", h("userid")),
            ];
            pairs.sort();
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"s3cr3t-value").unwrap();
            mac.update(pairs.join("&").as_bytes());
            let ok = hex::encode(mac.finalize().into_bytes()) == h("sign")
                && h("userid") == "8"
                && h("nonce").len() == 2;
            Reply::json(200, if ok { r#"{"code":0,"data":{"erpNo":"1"}}"# } else { r#"{"code":10021}"# })
        }
    })
    .await;
    let sign = Value::hmac_sha256_hex(
        var("client_secret"),
        Value::sorted_pairs(
            "&",
            vec![
                ("accessToken".into(), var("access_token")),
                ("clientId".into(), var("client_id")),
                ("method".into(), var("method")),
                ("nonce".into(), var("nonce")),
                ("timestamp".into(), var("timestamp")),
                ("url".into(), var("path")),
                ("userId".into(), var("user_id")),
            ],
        ),
    );
    let spec = ApiSpec::<TestCode>::new(
        Some(code_envelope()),
        vec![
            Step::Header {
                name: "accessToken".into(),
                value: var("access_token"),
            },
            Step::Header {
                name: "clientId".into(),
                value: var("client_id"),
            },
            Step::Header {
                name: "timestamp".into(),
                value: Value::Now(TimeUnit::Millis),
            },
            Step::Header {
                name: "nonce".into(),
                value: Value::RandomDigits(2),
            },
            Step::Header {
                name: "userId".into(),
                value: var("user_id"),
            },
            Step::Header {
                name: "sign".into(),
                value: sign,
            },
        ],
        Some(TokenSpec {
            grants: vec![Grant {
                encoding: Encoding::Json,
                fields: vec![
                    ("clientId", var("client_id")),
                    ("clientSecret", var("client_secret")),
                    ("code", var("code")),
                ],
                client_auth: vec![],
                inputs: vec!["code"],
                ..grant("authorization_code", None)
            }],
            automatic: None,
            refresh_with: None,
            interchangeable_grants: Vec::new(),
            authorize: None,
            response: TokenResponseSpec {
                enveloped: true,
                access_token: "accessToken",
                expires_in: Some("expiresIn"),
                refresh_token: Some("refreshToken"),
                refresh_token_lifetime: Some(Duration::from_secs(365 * 86400)),
                extra: vec![("user_id", "userId")],
                error: None,
                ..oauth_response()
            },
            policy: RefreshPolicy::default(),
        }),
        false,
    );
    let build = |path: Option<&str>| {
        let mut b = EngineBuilder::engine(spec.clone(), "https://unused.example")
            .base_url(&server.url())
            .credentials(creds());
        if let Some(p) = path {
            b = b.grant_path("authorization_code", p);
        }
        b.build()
    };
    // Without a configured path the exchange says what is missing.
    let unconfigured = build(None).await.unwrap();
    let err = unconfigured
        .exchange("authorization_code", &[("code", "c")])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("grant_path"), "{err}");
    // Before any token, calls need a person to authorize.
    let err = unconfigured
        .send_raw(post("/api/order/get"))
        .await
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Reauthorize);

    let engine = build(Some("/oauth/token")).await.unwrap();
    let missing = engine
        .exchange("authorization_code", &[])
        .await
        .unwrap_err();
    assert!(
        matches!(missing, Error::InvalidRequest { field: "code", .. }),
        "{missing:?}"
    );
    let state = engine
        .exchange("authorization_code", &[("code", "c-1")])
        .await
        .unwrap();
    assert_eq!(state.extra.get("user_id").map(String::as_str), Some("8"));
    assert!(state.refresh_expires_at.is_some());
    let token_req = &server.requests()[0];
    assert_eq!(
        token_req.body,
        r#"{"clientId":"cid","clientSecret":"s3cr3t-value","code":"c-1"}"#
    );
    assert_eq!(token_req.header("content-type"), Some("application/json"));
    assert!(
        token_req.header("clientid").is_none(),
        "send_auth_steps is off"
    );

    let v = engine.send_raw(post("/api/order/get")).await.unwrap();
    assert_eq!(v, json!({"erpNo": "1"}));
    assert_eq!(server.requests()[1].body, r#"{"erpNo":"1"}"#);
}

fn post(path: &'static str) -> Request {
    Request {
        method: reqwest::Method::POST,
        path: Cow::Borrowed(path),
        query: vec![],
        headers: vec![],
        body: Body::Json(json!({"erpNo": "1"})),
        authenticated: true,
        idempotent: false,
    }
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = TestServer::start(|_| Reply {
        headers: vec![("Location", "http://127.0.0.1:9/steal".into())],
        ..Reply::json(302, "")
    })
    .await;
    let engine = EngineBuilder::engine(
        ApiSpec::new(None, vec![], None, false),
        "https://unused.example",
    )
    .base_url(&server.url())
    .build()
    .await
    .unwrap();
    let err: E = engine
        .send::<serde_json::Value>(get("/x"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::HttpStatus { status: 302, .. }),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn transport_errors_never_show_query_or_secrets() {
    let port = {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap().port()
    };
    let spec = ApiSpec::<TestCode>::new(
        None,
        vec![Step::Query {
            name: "access_token".into(),
            value: var("client_secret"),
        }],
        None,
        false,
    );
    let engine: Engine<TestCode> = EngineBuilder::engine(spec.clone(), "https://unused.example")
        .base_url(&format!("http://127.0.0.1:{port}/v1"))
        .credentials(creds())
        .connect_timeout(Duration::from_secs(2))
        .build()
        .await
        .unwrap();
    // Nothing listens on the port: the connection is refused.
    let refused = engine.send_raw(get("/data")).await.unwrap_err();
    assert!(matches!(refused, Error::Transport { .. }), "{refused:?}");

    // A server that answers too late: the request times out.
    let server = TestServer::start(|_| Reply {
        delay: Duration::from_secs(30),
        ..Reply::json(200, "{}")
    })
    .await;
    let engine: Engine<TestCode> = EngineBuilder::engine(spec, "https://unused.example")
        .base_url(&format!("{}/v1", server.url()))
        .credentials(creds())
        .timeout(Duration::from_millis(200))
        .build()
        .await
        .unwrap();
    let timed_out = engine.send_raw(get("/data")).await.unwrap_err();
    assert!(matches!(timed_out, Error::Timeout { .. }), "{timed_out:?}");
    let request = &server.requests()[0];
    assert_eq!(
        request.query_param("access_token").as_deref(),
        Some("s3cr3t-value"),
        "the secret really was in the query"
    );

    for (err, url) in [
        (refused, format!("127.0.0.1:{port}/v1/data")),
        (timed_out, format!("{}/v1/data", server.addr)),
    ] {
        let mut text = format!("{err} {err:?}");
        let mut source = std::error::Error::source(&err);
        while let Some(s) = source {
            text.push_str(&format!(" {s} {s:?}"));
            source = s.source();
        }
        assert!(text.contains(&url), "{text}");
        assert!(
            !text.contains("s3cr3t") && !text.contains("page=") && !text.contains('?'),
            "{text}"
        );
    }
}

#[tokio::test]
async fn base_url_rules_at_build() {
    let build = |url: &str, spec_allows: bool, opt_in: Option<bool>| {
        let mut b = EngineBuilder::engine(
            ApiSpec::<TestCode>::new(None, vec![], None, spec_allows),
            "https://x",
        )
        .base_url(url);
        if let Some(yes) = opt_in {
            b = b.allow_plain_http(yes);
        }
        b.build()
    };
    let cases: &[(&str, bool, Option<bool>, &str)] = &[
        ("https://api.example.com/v1", false, None, "ok"),
        ("http://127.0.0.1:1", false, None, "ok"),
        ("http://localhost:1", false, None, "ok"),
        ("http://[::1]:1", false, None, "ok"),
        ("http://auth.xx.dev.com", false, None, "insecure"),
        ("http://auth.xx.dev.com", true, None, "ok"),
        ("http://auth.xx.dev.com", false, Some(true), "ok"),
        ("http://auth.xx.dev.com", true, Some(false), "insecure"),
        ("https://u:p@example.com", false, None, "config"),
        ("ftp://example.com", true, None, "config"),
    ];
    for (url, spec_allows, opt_in, want) in cases {
        let got = match build(url, *spec_allows, *opt_in).await {
            Ok(_) => "ok",
            Err(Error::InsecureUrl { .. }) => "insecure",
            Err(Error::Config(_)) => "config",
            Err(e) => panic!("{url}: {e:?}"),
        };
        assert_eq!(got, *want, "{url} {spec_allows} {opt_in:?}");
    }
    let err = EngineBuilder::engine(oauth_spec(), "https://x")
        .grant_path("nope", "/t")
        .build()
        .await;
    assert!(matches!(err, Err(Error::Config(_))));
}

#[tokio::test]
async fn paths_cannot_leave_the_base_url() {
    let server = TestServer::start(|_| Reply::json(200, "{}")).await;
    let engine = EngineBuilder::engine(
        ApiSpec::<TestCode>::new(None, vec![], None, false),
        "https://x",
    )
    .base_url(&format!("{}/v1", server.url()))
    .build()
    .await
    .unwrap();
    // A path built at run time, and a static one (joined once, then served from the cache):
    // each sent twice, so that a cached URL is checked as well.
    let sends = |path: &'static str| {
        [
            Cow::Owned(path.to_owned()),
            Cow::Borrowed(path),
            Cow::Borrowed(path),
        ]
        .map(|path| engine.send_raw(Request { path, ..get("/") }))
    };
    // Looks like another host, but stays a path below `/v1` on this server.
    for (path, seen) in [
        ("//evil.example/x", "/v1/evil.example/x"),
        ("https://evil.example/x", "/v1/https://evil.example/x"),
        ("/orders", "/v1/orders"),
    ] {
        for send in sends(path) {
            let before = server.requests().len();
            send.await.unwrap();
            let requests = server.requests();
            assert_eq!(requests.len(), before + 1, "{path}");
            assert_eq!(requests[before].path, seen, "{path}");
        }
    }
    // Navigation is refused before anything is sent, in every spelling.
    for path in [
        "/../../x",
        "/../x",
        "/v1/../x",
        "/%2e%2e/x",
        "/..%2f..%2fx",
        "/..\\x",
    ] {
        for send in sends(path) {
            let before = server.requests().len();
            let err = send.await.unwrap_err();
            assert!(
                matches!(&err, E::Config(m) if m.contains("`.` or `..` segment")),
                "{path}: {err:?}"
            );
            assert_eq!(err.class(), ErrorClass::Caller, "{path}");
            assert_eq!(server.requests().len(), before, "{path} reached the server");
        }
    }
    // Only the static paths that formed a URL are cached.
    let mut cached: Vec<_> = engine
        .inner
        .endpoints
        .read()
        .unwrap()
        .keys()
        .copied()
        .collect();
    cached.sort();
    assert_eq!(
        cached,
        ["//evil.example/x", "/orders", "https://evil.example/x"]
    );
}

#[tokio::test]
async fn fetch_on_start_and_token_state_round_trip() {
    let server = token_server(1).await;
    let mut spec = oauth_spec();
    if let Some(t) = &mut spec.token {
        t.policy.fetch_on_start = true;
    }
    let engine = engine_for(spec, &server).await;
    assert_eq!(server.count("/token"), 1);
    let state = engine.token_state().await.unwrap();
    assert_eq!(state.access_token.expose_secret(), "tok-1");
    let restored = EngineBuilder::engine(oauth_spec(), "https://x")
        .base_url(&server.url())
        .build()
        .await
        .unwrap();
    restored.set_token_state(state).await;
    restored.send_raw(get("/data")).await.unwrap();
    assert_eq!(server.count("/token"), 1);
}

#[tokio::test]
async fn authorize_url_and_state() {
    let engine = EngineBuilder::engine(oauth_spec(), "https://auth.example/public")
        .credentials(creds())
        .build()
        .await
        .unwrap();
    let state = new_state();
    assert_eq!(state.len(), 32);
    assert!(state.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(state, new_state());
    let url = engine
        .authorize_url("https://app.example/cb?x=1", &state)
        .unwrap();
    assert_eq!(
        url,
        format!(
            "https://auth.example/public/authorize?response_type=code&client_id=cid&redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1&state={state}"
        )
    );
    assert!(check_state(&state, &state).is_ok());
    assert_eq!(check_state(&state, "x"), Err(StateMismatch));
    assert_eq!(check_state(&state, &state[..31]), Err(StateMismatch));
    assert!(check_state("", "").is_err());
    let err: E = check_state(&state, "x").unwrap_err().into();
    assert!(matches!(&err, Error::Auth(a) if matches!(**a, AuthError::StateMismatch)));
}

#[test]
fn decode_response_cases() {
    let env = code_envelope();
    let ok: serde_json::Value =
        decode_response::<_, TestCode>(Some(&env), 200, br#"{"code":0,"data":[1]}"#).unwrap();
    assert_eq!(ok, json!([1]));

    let malformed =
        decode_response::<serde_json::Value, TestCode>(Some(&env), 200, b"{\"code\":0,")
            .unwrap_err();
    let Error::Decode {
        status: 200, body, ..
    } = &malformed
    else {
        panic!("{malformed:?}")
    };
    assert_eq!(body.as_bytes(), b"{\"code\":0,");

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Typed {
        n: i64,
    }
    let wrong_type =
        decode_response::<Typed, TestCode>(Some(&env), 200, br#"{"code":0,"data":{"n":"x"}}"#)
            .unwrap_err();
    assert!(
        matches!(
            wrong_type,
            Error::Decode {
                what: "response data",
                ..
            }
        ),
        "{wrong_type:?}"
    );

    let gateway =
        decode_response::<serde_json::Value, TestCode>(Some(&env), 502, b"<html>").unwrap_err();
    assert!(matches!(gateway, Error::HttpStatus { status: 502, .. }));

    let niumall = EnvelopeSpec {
        success: Success::FieldTrue("success"),
        code: Some("error.code"),
        message: vec!["error.message", "message"],
        data: "data",
        details: Some(crate::envelope::DetailsSpec {
            path: "error.details",
            field: "field",
            message: "message",
        }),
        extra: vec![],
        nested: None,
    };
    let err = decode_response::<serde_json::Value, TestCode>(
        Some(&niumall),
        400,
        r#"{"success":false,"error":{"code":"VALIDATION_ERROR","message":"请求参数验证失败","details":[{"field":"cattle_count","message":"牛只数量必须大于0"}]}}"#.as_bytes(),
    )
    .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((api.status, api.code.class()), (400, ErrorClass::Unknown));
    assert_eq!(api.details[0].field, "cattle_count");

    // No envelope: the whole body, and an empty 2xx body is `null`.
    let unit: () = decode_response::<(), TestCode>(None, 204, b"").unwrap();
    assert_eq!(unit, ());
}

#[test]
fn decode_token_response_cases() {
    let spec = oauth_spec();
    let s = decode_token_response(
        &spec,
        200,
        br#"{"access_token":"abc","token_type":"Bearer","expires_in":"60"}"#,
    )
    .unwrap();
    assert_eq!(s.access_token.expose_secret(), "abc");
    assert_eq!(
        s.expires_at
            .unwrap()
            .duration_since(s.obtained_at)
            .as_secs(),
        60
    );

    let err = decode_token_response(&spec, 200, br#"{"access_token":"","refresh":"SECRET-R"}"#)
        .unwrap_err();
    assert!(
        matches!(&err, Error::Auth(a) if matches!(**a, AuthError::Decode { .. })),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains("SECRET"));

    let err = decode_token_response(
        &spec,
        200,
        br#"{"access_token":"SECRET-A","expires_in":"soon"}"#,
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::Auth(a) if matches!(**a, AuthError::Decode { .. })),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains("SECRET"), "{err:?}");

    let err = decode_token_response(&spec, 401, b"").unwrap_err();
    assert!(
        matches!(&err, Error::Auth(a) if matches!(**a, AuthError::TokenEndpoint { status: 401, .. }))
    );
}

#[test]
fn debug_redacts_credentials() {
    let c = creds();
    let dbg = format!("{c:?}");
    assert!(dbg.contains("cid") && !dbg.contains("s3cr3t"), "{dbg}");
    let b = EngineBuilder::engine(oauth_spec(), "https://x").credentials(creds());
    let dbg = format!("{b:?}");
    assert!(dbg.contains("cid") && !dbg.contains("s3cr3t"), "{dbg}");
}

#[test]
fn send_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    fn check(e: &Engine<TestCode>) {
        assert_send(&e.send::<serde_json::Value>(get("/")));
        assert_send(&e.exchange("g", &[]));
        assert_send(&crate::__private::pages::<TestPage, TestCode, _, _>(
            1,
            |_| async { Ok::<_, E>(TestPage) },
        ));
    }
    struct TestPage;
    impl crate::__private::Page for TestPage {
        type Item = ();
        fn into_items(self) -> Vec<()> {
            vec![]
        }
        fn total_pages(&self) -> i64 {
            0
        }
    }
    let _ = check;
}
