use super::*;
use crate::{
    Canonical, Collection, DigestAlg, Expr, Op, Piece, SortBy, TextEncoding, TimeUnit, UuidFormat,
    Value,
};
use proptest::prelude::*;

fn tpl(pieces: &[Piece]) -> Value {
    Value::Template(pieces.to_vec())
}
fn var(name: &'static str) -> Value {
    tpl(&[Piece::Var(name.into())])
}
fn b(e: Expr) -> Box<Expr> {
    Box::new(e)
}
fn ebin(op: Op, a: Box<Expr>, b: Box<Expr>) -> Expr {
    Expr::Bin(a, op, b)
}
fn now() -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(1_422_339_152_058).unwrap()
}

/// The document's signature vector: sorted `k=v` joined by `&`, HMAC-SHA256 by the secret.
fn jfwms_sign() -> Value {
    Value::hmac_sha256_hex(
        var("client_secret"),
        Value::sorted_pairs(
            "&",
            vec![
                ("url".into(), var("path")),
                ("method".into(), var("method")),
                ("userId".into(), var("userId")),
                ("accessToken".into(), var("accessToken")),
                ("timestamp".into(), var("timestamp")),
                ("clientId".into(), var("client_id")),
                ("nonce".into(), var("nonce")),
            ],
        ),
    )
}

fn jfwms_scope() -> Scope {
    let mut s = Scope::new();
    s.set_secret("client_secret", "4a506ccaf37e400bac4a42d2dc5f600a".into());
    s.set_secret("accessToken", "1b56814f081c432cb82751be145261d3".into());
    s.set("client_id", "fe73489a9b5948dbafd07e7b28d6e268");
    s.set("method", "post");
    s.set("nonce", "14");
    s.set("timestamp", "1692889556000");
    s.set("path", "/api/order/get");
    s.set("userId", "8");
    s
}

#[test]
fn hmac_signature_vector() {
    assert_eq!(
        jfwms_sign().eval(&jfwms_scope(), now()).unwrap(),
        "9bc08ba7552c5dfea4efab6bda78a4a9738010913f2403bd93f09c6bf974b939"
    );
}

#[test]
fn p_from_t() {
    // p_ = (t_ % 10000) * 3 + 2345
    let p = Value::Arithmetic(ebin(
        Op::Add,
        b(ebin(
            Op::Mul,
            b(ebin(
                Op::Rem,
                b(Expr::Var("t_".into())),
                b(Expr::Int(10000)),
            )),
            b(Expr::Int(3)),
        )),
        b(Expr::Int(2345)),
    ));
    let mut s = Scope::new();
    s.set("t_", "1422339152058");
    assert_eq!(p.eval(&s, now()).unwrap(), "8519");
}

#[test]
fn digests_and_time() {
    let s = Scope::new();
    let cases: &[(Value, &str)] = &[
        (Value::md5_hex(tpl(&[])), "d41d8cd98f00b204e9800998ecf8427e"),
        (
            Value::md5_hex(tpl(&[Piece::Lit("abc".into())])),
            "900150983cd24fb0d6963f7d28e17f72",
        ),
        (Value::Now(TimeUnit::Millis), "1422339152058"),
        (Value::Now(TimeUnit::Seconds), "1422339152"),
    ];
    for (v, want) in cases {
        assert_eq!(v.eval(&s, now()).unwrap(), *want, "{v:?}");
    }
}

#[test]
fn arithmetic_rules() {
    let mut s = Scope::new();
    s.set("n", "-7");
    s.set("x", "12a");
    let cases: Vec<(Expr, Result<i64, EvalError>)> = vec![
        (
            ebin(Op::Rem, b(Expr::Var("n".into())), b(Expr::Int(3))),
            Ok(-1),
        ),
        (
            ebin(Op::Div, b(Expr::Var("n".into())), b(Expr::Int(2))),
            Ok(-3),
        ),
        (ebin(Op::Sub, b(Expr::Int(1)), b(Expr::Int(3))), Ok(-2)),
        (
            ebin(Op::Add, b(Expr::Int(i64::MAX)), b(Expr::Int(1))),
            Ok(i64::MIN),
        ),
        (
            ebin(Op::Mul, b(Expr::Int(i64::MAX)), b(Expr::Int(2))),
            Ok(-2),
        ),
        (
            ebin(Op::Div, b(Expr::Int(i64::MIN)), b(Expr::Int(-1))),
            Ok(i64::MIN),
        ),
        (
            ebin(Op::Div, b(Expr::Int(1)), b(Expr::Int(0))),
            Err(EvalError::DivisionByZero),
        ),
        (
            ebin(Op::Rem, b(Expr::Int(1)), b(Expr::Int(0))),
            Err(EvalError::DivisionByZero),
        ),
        (
            Expr::Var("x".into()),
            Err(EvalError::NotAnInteger("x".into())),
        ),
        (
            Expr::Var("nope".into()),
            Err(EvalError::UnknownVariable("nope".into())),
        ),
    ];
    for (e, want) in cases {
        assert_eq!(e.eval(&s), want, "{e:?}");
    }
}

#[test]
fn unknown_variable_names_it_without_values() {
    let mut s = Scope::new();
    s.set_secret("client_secret", "hunter2".into());
    let v = tpl(&[
        Piece::Var("client_secret".into()),
        Piece::Var("user_id".into()),
    ]);
    let err = v.eval(&s, now()).unwrap_err();
    assert_eq!(err.to_string(), "`{user_id}` is unknown");
}

#[test]
fn random_digits_are_digits() {
    for n in [0u8, 1, 2, 40] {
        let v = Value::RandomDigits(n).eval(&Scope::new(), now()).unwrap();
        assert_eq!(v.len(), usize::from(n));
        assert!(v.bytes().all(|c| c.is_ascii_digit()));
    }
}

/// Nonces must be drawn afresh: every digit turns up, and long draws never repeat (a fixed
/// or cached value would fail both; chance failures are below one in 10^40).
#[test]
fn random_digits_are_drawn_afresh() {
    let draw = |n| Value::RandomDigits(n).eval(&Scope::new(), now()).unwrap();
    let seen: std::collections::BTreeSet<String> = (0..1000).map(|_| draw(1)).collect();
    assert_eq!(seen.len(), 10, "{seen:?}");
    assert_ne!(draw(40), draw(40));
}

#[test]
fn scope_debug_redacts_secrets() {
    let mut s = Scope::new();
    s.set("client_id", "visible-id");
    s.set_secret("client_secret", "hunter2".into());
    let dbg = format!("{s:?}");
    assert!(dbg.contains("visible-id"));
    assert!(dbg.contains("[redacted]"));
    assert!(!dbg.contains("hunter2"));
    assert_eq!(s.get("client_secret"), Some("hunter2"));
}

const NAMES: [&str; 8] = [
    "url",
    "method",
    "accessToken",
    "clientId",
    "timestamp",
    "nonce",
    "userId",
    "a=b",
];
const VARS: [&str; 8] = ["v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7"];

proptest! {
    /// Sorting is by the whole `k=v` text, so the input order never matters.
    #[test]
    fn sorted_pairs_ignore_input_order(
        values in proptest::collection::vec("[ -~]{0,8}", NAMES.len()),
        order in Just((0..NAMES.len()).collect::<Vec<_>>()).prop_shuffle(),
        len in 0..=NAMES.len(),
    ) {
        let mut s = Scope::new();
        for (var, v) in VARS.iter().zip(&values) {
            s.set(*var, v.clone());
        }
        let build = |idx: &[usize]| Value::sorted_pairs(
            "&",
            idx.iter().map(|&i| (NAMES[i].into(), var(VARS[i]))).collect(),
        );
        let mut subset: Vec<usize> = order[..len].to_vec();
        let shuffled = build(&subset).eval(&s, now()).unwrap();
        subset.sort_unstable();
        let in_order = build(&subset).eval(&s, now()).unwrap();
        prop_assert_eq!(&shuffled, &in_order);
        let mut expected: Vec<String> =
            subset.iter().map(|&i| format!("{}={}", NAMES[i], values[i])).collect();
        expected.sort();
        prop_assert_eq!(shuffled, expected.join("&"));
    }
}

fn lit(text: &'static str) -> Value {
    tpl(&[Piece::Lit(text.into())])
}

/// Published vectors: RFC 1321/3174/6234 digests of "abc", RFC 2202/4231 HMAC test case 2
/// (key "Jefe"), RFC 4648 base64, RFC 3986 unreserved characters.
#[test]
fn digest_mac_and_encoding_vectors() {
    let jefe = || lit("Jefe");
    let data = || lit("what do ya want for nothing?");
    let hex = |v| Value::encode(TextEncoding::Hex, v);
    let cases: Vec<(Value, &str)> = vec![
        (
            hex(Value::digest(DigestAlg::Md5, lit("abc"))),
            "900150983cd24fb0d6963f7d28e17f72",
        ),
        (
            hex(Value::digest(DigestAlg::Sha1, lit("abc"))),
            "a9993e364706816aba3e25717850c26c9cd0d89d",
        ),
        (
            hex(Value::digest(DigestAlg::Sha256, lit("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        (
            hex(Value::hmac(DigestAlg::Md5, jefe(), data())),
            "750c783e6ab0b503eaa86e310a5db738",
        ),
        (
            hex(Value::hmac(DigestAlg::Sha1, jefe(), data())),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
        ),
        (
            hex(Value::hmac(DigestAlg::Sha256, jefe(), data())),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        (
            Value::hmac_sha256_hex(jefe(), data()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        (
            Value::upper(hex(Value::digest(DigestAlg::Md5, lit("abc")))),
            "900150983CD24FB0D6963F7D28E17F72",
        ),
        (Value::lower(lit("AbC-中")), "abc-中"),
        (
            Value::encode(TextEncoding::Base64, lit("foobar")),
            "Zm9vYmFy",
        ),
        (Value::encode(TextEncoding::Base64, lit("fo")), "Zm8="),
        (
            Value::encode(
                TextEncoding::Base64,
                Value::digest(DigestAlg::Md5, lit("abc")),
            ),
            "kAFQmDzST7DWlj99KOF/cg==",
        ),
        (
            Value::encode(TextEncoding::Url, lit("a b&=中~*-._+/")),
            "a%20b%26%3D%E4%B8%AD~%2A-._%2B%2F",
        ),
        // Java's `URLEncoder.encode(s, "UTF-8")`: `*-._` kept, space as `+`, `~` encoded.
        (
            Value::encode(TextEncoding::FormUrl, lit("a b&=中~*-._+/")),
            "a+b%26%3D%E4%B8%AD%7E*-._%2B%2F",
        ),
        (
            Value::encode(TextEncoding::JsonString, lit("a\"b\\c\n中")),
            "a\\\"b\\\\c\\n中",
        ),
        (
            Value::concat(vec![lit("a"), Value::Now(TimeUnit::Seconds), lit("b")]),
            "a1422339152b",
        ),
    ];
    for (v, want) in cases {
        assert_eq!(v.eval(&Scope::new(), now()).unwrap(), want, "{v:?}");
    }
}

#[test]
fn uuids_are_random_version_4() {
    let draw = |format| Value::Uuid(format).eval(&Scope::new(), now()).unwrap();
    let hyphenated = draw(UuidFormat::Hyphenated);
    let groups: Vec<usize> = hyphenated.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "{hyphenated}");
    let simple = draw(UuidFormat::Simple);
    assert_eq!(simple.len(), 32);
    for id in [hyphenated.replace('-', ""), simple.clone()] {
        assert!(
            id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
            "{id}"
        );
        assert_eq!(&id[12..13], "4", "version 4: {id}");
        assert!("89ab".contains(&id[16..17]), "RFC 9562 variant: {id}");
    }
    assert_ne!(simple, draw(UuidFormat::Simple), "drawn afresh");
}

#[test]
fn bytes_are_not_text_until_encoded() {
    let raw = Value::digest(DigestAlg::Md5, lit("abc"));
    for v in [
        raw.clone(),
        Value::upper(raw.clone()),
        Value::concat(vec![lit("x"), raw]),
    ] {
        assert_eq!(
            v.eval(&Scope::new(), now()),
            Err(EvalError::Binary),
            "{v:?}"
        );
    }
}

/// 1422339152058 ms is 2015-01-27T06:12:32.058Z: 14:12:32 in China, 01:12:32 in New York.
#[test]
fn formatted_time_in_a_named_zone() {
    let cases = [
        ("%Y-%m-%d %H:%M:%S", "Asia/Shanghai", "2015-01-27 14:12:32"),
        ("%Y%m%d%H%M%S", "Asia/Shanghai", "20150127141232"),
        (
            "%Y-%m-%dT%H:%M:%S%:z",
            "America/New_York",
            "2015-01-27T01:12:32-05:00",
        ),
        ("%Y-%m-%dT%H:%M:%SZ", "UTC", "2015-01-27T06:12:32Z"),
    ];
    for (format, zone, want) in cases {
        assert_eq!(
            Value::time(format, zone)
                .eval(&Scope::new(), now())
                .unwrap(),
            want
        );
    }
    assert!(matches!(
        Value::time("%Y", "Mars/Olympus").eval(&Scope::new(), now()),
        Err(EvalError::Time(_))
    ));
}

fn params_scope() -> Scope {
    let mut s = Scope::new();
    let p = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    // `a` sorts before `a1` by name, after it by `k=v` ('=' is 0x3D, '1' is 0x31).
    s.set_params(
        p(&[("sign", "old"), ("a1", "x"), ("b", "")]),
        p(&[("a", "中 文"), ("c", "3")]),
    );
    s
}

#[test]
fn canonical_strings_select_order_and_join() {
    let s = params_scope();
    let c = |c: Canonical| Value::canonical(c).eval(&s, now()).unwrap();
    let all = || Canonical::new(Collection::Params, "=", "&");
    assert_eq!(c(all()), "a=中 文&a1=x&b=&c=3&sign=old");
    assert_eq!(
        c(all().sorted_by(SortBy::Pair)),
        "a1=x&a=中 文&b=&c=3&sign=old"
    );
    assert_eq!(
        c(all().sorted_by(SortBy::AsSent)),
        "sign=old&a1=x&b=&a=中 文&c=3"
    );
    assert_eq!(
        c(all().excluding(&["sign"]).dropping_empty()),
        "a=中 文&a1=x&c=3"
    );
    assert_eq!(c(all().including(&["c", "b"])), "b=&c=3");
    assert_eq!(c(Canonical::new(Collection::Query, "", "")), "a1xbsignold");
    assert_eq!(c(Canonical::new(Collection::Body, ":", ",")), "a:中 文,c:3");
    assert_eq!(s.get("params.a"), Some("中 文"));
    assert_eq!(s.get("params.nope"), None);
}

/// RSASSA-PKCS1-v1_5 is deterministic, so OpenSSL's signature is a fixed vector:
/// `printf '%s' "$MSG" | openssl dgst -sha256 -sign testdata/rsa_test_key.pem | base64 -w0`
/// (OpenSSL 3.0.19). The PKCS#1 spelling of the same key gives the same signature.
#[test]
fn rsa_sha256_matches_openssl() {
    const MSG: &str = "app_id=2014072300007148&biz_content={\"a\":\"中\"}&charset=UTF-8";
    const OPENSSL: &str = "R4MDuLXqVkQF4S1G8XhURTZ1U+k2Z6JMqJAM2krrYLRgYMODda9UwR7OQjZGRDRq7xwICgkm5GHuFp1sXbrN0N7wCyiPHCZB97sv5weHYN/W3tOONoxY9jrC6ZDDiKN+VLd6Y/r+gR1+6sSgBAzGAGLW5hHxHUuIofiq3k0clf826ZTO2y1OEH8NHJSfygxmOptsykZebvi+pHkLWOjkqsya47BUTXuq/z6WeE/yYzGmP5tU+acPcu1Ut73+dfjmN9Dyks/eoz5FGevKsevsPZ6AILMiwktGG1kikMdHmREXyv7OzD/3OHP1lnrolRgw+omfdnBw4WrOLhh5DHKepQ==";
    for pem in [
        include_str!("testdata/rsa_test_key.pem"),
        include_str!("testdata/rsa_test_key_pkcs1.pem"),
    ] {
        let mut s = Scope::new();
        s.set_secret("private_key", pem.into());
        let v = Value::encode(
            TextEncoding::Base64,
            Value::rsa_sha256(var("private_key"), lit(MSG)),
        );
        assert_eq!(v.eval(&s, now()).unwrap(), OPENSSL);
    }
    let mut s = Scope::new();
    s.set_secret(
        "private_key",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".into(),
    );
    let err = Value::rsa_sha256(var("private_key"), lit(MSG))
        .eval(&s, now())
        .unwrap_err();
    assert_eq!(err, EvalError::RsaKey);
    assert!(!err.to_string().contains("AAAA"));
}

/// The examples `specs/README.md` gives for each operation ("The value language"), exactly.
#[test]
fn the_maintainers_guide_examples_hold() {
    let mut s = Scope::new();
    s.set("x", "1");
    let hex = |v| Value::encode(TextEncoding::Hex, v);
    let jefe = |alg| {
        hex(Value::hmac(
            alg,
            lit("Jefe"),
            lit("what do ya want for nothing?"),
        ))
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            Value::concat(vec![lit("a"), Value::Now(TimeUnit::Seconds), var("x")]),
            "a14223391521",
        ),
        (Value::upper(lit("ab-c中")), "AB-C中"),
        (Value::lower(lit("AbC-中")), "abc-中"),
        (
            hex(Value::digest(DigestAlg::Sha1, lit("abc"))),
            "a9993e364706816aba3e25717850c26c9cd0d89d",
        ),
        (jefe(DigestAlg::Md5), "750c783e6ab0b503eaa86e310a5db738"),
        (
            jefe(DigestAlg::Sha1),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
        ),
        (
            Value::encode(
                TextEncoding::Base64,
                Value::digest(DigestAlg::Md5, lit("abc")),
            ),
            "kAFQmDzST7DWlj99KOF/cg==",
        ),
        (
            Value::encode(TextEncoding::JsonString, lit("a\"b\\c")),
            "a\\\"b\\\\c",
        ),
        (
            Value::time("%Y-%m-%d %H:%M:%S", "Asia/Shanghai"),
            "2015-01-27 14:12:32",
        ),
    ];
    for (v, want) in cases {
        assert_eq!(v.eval(&s, now()).unwrap(), want, "{v:?}");
    }
}

#[test]
fn a_scope_over_a_base_reads_through_and_shadows_it() {
    let mut base = Scope::new();
    base.set("client_id", "app");
    base.set_secret("client_secret", "hunter2".into());
    base.set("host", "api.example");
    let base = std::sync::Arc::new(base);
    let mut scope = Scope::over(base.clone());
    scope.set("host", "other.example");
    scope.set("path", "/x");
    assert_eq!(scope.get("client_id"), Some("app"));
    assert_eq!(scope.get("client_secret"), Some("hunter2"));
    assert_eq!(scope.get("host"), Some("other.example"));
    assert_eq!(scope.get("path"), Some("/x"));
    assert_eq!(scope.get("missing"), None);
    // The base is untouched, and a later set replaces rather than duplicates.
    assert_eq!(base.get("host"), Some("api.example"));
    assert_eq!(base.get("path"), None);
    scope.set("path", "/y");
    assert_eq!(scope.get("path"), Some("/y"));
    let shown = format!("{scope:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert_eq!(shown.matches("\"path\"").count(), 1, "{shown}");
}
