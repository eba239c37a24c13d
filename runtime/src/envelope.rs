//! The vendor's response wrapper: where success, code, message and payload live.
//!
//! The body is parsed once into borrowed `&RawValue`s, so the payload is later deserialized from
//! its exact bytes (decimals keep their scale, keys keep their order).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::de::Error as _;
use serde_json::value::RawValue;

use super::error::{FieldError, RawCode, for_logs};

/// How a successful response is recognised.
#[derive(Clone, Debug)]
pub enum Success {
    /// The `code` field equals one of these (`200` and `"200"` match each other).
    CodeIn(Vec<RawCode>),
    /// This boolean field (dotted path) is `true`.
    FieldTrue(&'static str),
}

/// Per-field error details as the spec names them: the list at `path`, each entry's field name
/// under `field` and its message under `message`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DetailsSpec {
    /// Dotted path of the list (`error.details`).
    pub path: &'static str,
    /// Key of an entry's field name.
    pub field: &'static str,
    /// Key of an entry's message.
    pub message: &'static str,
}

/// Where code, message and data live in every business response. Paths are dotted (`error.code`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EnvelopeSpec {
    /// How success is recognised.
    pub success: Success,
    /// Path of the vendor's result code.
    pub code: Option<&'static str>,
    /// Paths of the message; the first present non-null wins.
    pub message: Vec<&'static str>,
    /// Path of the payload.
    pub data: &'static str,
    /// Where per-field details are and what their entries' keys are called.
    pub details: Option<DetailsSpec>,
    /// Further fields kept on errors (`requestId`, `traceId`), by path.
    pub extra: Vec<&'static str>,
    /// The payload is itself a result with its own success rule, code, message and data (a
    /// business result inside a success envelope); its failure is the call's failure.
    pub nested: Option<Box<Nested>>,
}

/// A result inside the envelope's payload ([`EnvelopeSpec::nested`]).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Nested {
    /// The payload is a JSON document inside a string.
    pub json_text: bool,
    /// Where the nested result's success, code, message and data live (paths inside the
    /// payload).
    pub result: EnvelopeSpec,
}

/// A JSON object's top-level members, borrowed from the body. A repeated key: the last wins, as
/// in most JSON parsers.
pub(crate) struct Fields<'a>(BTreeMap<String, &'a RawValue>);

impl<'a> Fields<'a> {
    /// Errors when the text is not a JSON object.
    pub(crate) fn parse(body: &'a [u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(body).map(Fields)
    }

    /// The value at a dotted path; `None` when absent or when an inner step is not an object.
    pub(crate) fn get(&self, path: &str) -> Option<&'a RawValue> {
        let mut segments = path.split('.');
        let mut current: &'a RawValue = self.0.get(segments.next()?).copied()?;
        for segment in segments {
            let inner: BTreeMap<String, &'a RawValue> = serde_json::from_str(current.get()).ok()?;
            current = inner.get(segment).copied()?;
        }
        Some(current)
    }

    /// A top-level member by its exact name (which may contain dots).
    pub(crate) fn get_top(&self, name: &str) -> Option<&'a RawValue> {
        self.0.get(name).copied()
    }

    /// The value at a path unless absent or `null`.
    pub(crate) fn get_present(&self, path: &str) -> Option<&'a RawValue> {
        self.get(path).filter(|v| v.get() != "null")
    }
}

/// A JSON string's text, or the raw text of any other value (numbers, objects).
pub(crate) fn text_of(raw: &RawValue) -> String {
    serde_json::from_str::<String>(raw.get()).unwrap_or_else(|_| raw.get().to_owned())
}

/// A decoded envelope.
pub(crate) enum Outcome<'a> {
    /// The payload's exact JSON text (`null` when the payload field is absent); owned when it
    /// came out of a JSON string (a nested result in `json_text`).
    Success(Cow<'a, str>),
    /// The vendor reported an error.
    Failure(Failure),
}

/// The vendor's error, as far as the envelope carries it.
#[derive(Debug, Default)]
pub(crate) struct Failure {
    pub(crate) raw_code: Option<RawCode>,
    pub(crate) message: Option<String>,
    pub(crate) details: Vec<FieldError>,
    pub(crate) extra: BTreeMap<String, serde_json::Value>,
}

impl EnvelopeSpec {
    /// Decodes a body. Errors when it is not this vendor's envelope (not a JSON object, or the
    /// success indicator is missing).
    pub(crate) fn decode<'a>(&self, body: &'a [u8]) -> Result<Outcome<'a>, serde_json::Error> {
        let fields = Fields::parse(body)?;
        let raw_code = self
            .code
            .and_then(|p| fields.get_present(p))
            .and_then(RawCode::from_json);
        let ok = match &self.success {
            Success::CodeIn(codes) => {
                let path = self.code.unwrap_or("code");
                if fields.get(path).is_none() {
                    return Err(serde_json::Error::custom(format!("`{path}` is missing")));
                }
                raw_code
                    .as_ref()
                    .is_some_and(|c| codes.iter().any(|s| s.same_as(c)))
            }
            Success::FieldTrue(path) => match fields.get(path).map(RawValue::get) {
                Some("true") => true,
                Some("false") => false,
                _ => {
                    return Err(serde_json::Error::custom(format!(
                        "`{path}` is not a boolean"
                    )));
                }
            },
        };
        if ok {
            let data = fields.get(self.data).unwrap_or(RawValue::NULL);
            return match &self.nested {
                None => Ok(Outcome::Success(Cow::Borrowed(data.get()))),
                Some(nested) => nested.decode(data),
            };
        }
        Ok(Outcome::Failure(Failure {
            raw_code,
            message: self
                .message
                .iter()
                .find_map(|p| fields.get_present(p))
                .map(|m| for_logs(&text_of(m))),
            details: self
                .details
                .and_then(|d| Some((d, fields.get(d.path)?)))
                .map(|(d, raw)| details(d, raw))
                .unwrap_or_default(),
            extra: self.extras(&fields),
        }))
    }

    fn extras(&self, fields: &Fields<'_>) -> BTreeMap<String, serde_json::Value> {
        self.extra
            .iter()
            .filter_map(|p| {
                let v = serde_json::from_str(fields.get(p)?.get()).ok()?;
                Some(((*p).to_owned(), v))
            })
            .collect()
    }
}

impl Nested {
    /// The nested result inside the outer payload: its data, or its failure.
    fn decode(&self, payload: &RawValue) -> Result<Outcome<'static>, serde_json::Error> {
        let text: Cow<'_, str> = if self.json_text {
            Cow::Owned(serde_json::from_str::<String>(payload.get()).map_err(|_| {
                serde_json::Error::custom("the payload is not a string holding a JSON document")
            })?)
        } else {
            Cow::Borrowed(payload.get())
        };
        Ok(match self.result.decode(text.as_bytes())? {
            Outcome::Success(data) => Outcome::Success(Cow::Owned(data.into_owned())),
            Outcome::Failure(f) => Outcome::Failure(f),
        })
    }
}

/// A list of objects keyed as `spec` says; entries of another shape are skipped rather than
/// failing the error.
fn details(spec: DetailsSpec, raw: &RawValue) -> Vec<FieldError> {
    let items: Vec<&RawValue> = serde_json::from_str(raw.get()).unwrap_or_default();
    items
        .into_iter()
        .filter_map(|item| {
            let f = Fields::parse(item.get().as_bytes()).ok()?;
            Some(FieldError {
                field: f
                    .get_present(spec.field)
                    .map(|t| for_logs(&text_of(t)))
                    .unwrap_or_default(),
                message: f
                    .get_present(spec.message)
                    .map(|t| for_logs(&text_of(t)))
                    .unwrap_or_default(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use serde::Deserialize;

    fn code_envelope() -> EnvelopeSpec {
        EnvelopeSpec {
            success: Success::CodeIn(vec![RawCode::Int(0)]),
            code: Some("code"),
            message: vec!["message", "msg"],
            data: "data",
            details: None,
            extra: vec!["requestId"],
            nested: None,
        }
    }

    fn field_true_envelope() -> EnvelopeSpec {
        EnvelopeSpec {
            success: Success::FieldTrue("success"),
            code: Some("error.code"),
            message: vec!["error.message", "message"],
            data: "data",
            details: Some(DetailsSpec {
                path: "error.details",
                field: "field",
                message: "message",
            }),
            extra: vec!["timestamp"],
            nested: None,
        }
    }

    fn failure(spec: &EnvelopeSpec, body: &str) -> Failure {
        match spec.decode(body.as_bytes()).unwrap() {
            Outcome::Failure(f) => f,
            Outcome::Success(d) => panic!("expected failure, got data {d}"),
        }
    }

    #[test]
    fn success_keeps_exact_data_bytes() {
        #[derive(Deserialize)]
        struct Item<'a> {
            inventory_cnt: String,
            #[serde(borrow)]
            price: &'a RawValue,
        }
        let body = r#"{"code":0,"message":"ok","data":{"inventory_cnt":"1.00000000","price":28.50,"b":1,"a":2}}"#;
        let Outcome::Success(data) = code_envelope().decode(body.as_bytes()).unwrap() else {
            panic!("not success")
        };
        assert_eq!(
            &*data,
            r#"{"inventory_cnt":"1.00000000","price":28.50,"b":1,"a":2}"#
        );
        let item: Item = serde_json::from_str(&data).unwrap();
        let cnt: Decimal = item.inventory_cnt.parse().unwrap();
        assert_eq!((cnt.to_string().as_str(), cnt.scale()), ("1.00000000", 8));
        // A number keeps its written scale too (an f64 round trip would print 28.5).
        let price: Decimal = item.price.get().parse().unwrap();
        assert_eq!((price.to_string().as_str(), price.scale()), ("28.50", 2));
    }

    #[test]
    fn success_codes_match_int_or_string_and_missing_data_is_null() {
        let spec = EnvelopeSpec {
            success: Success::CodeIn(vec![RawCode::Int(200)]),
            ..code_envelope()
        };
        for body in [r#"{"code":200}"#, r#"{"code":"200","data":null}"#] {
            let Outcome::Success(d) = spec.decode(body.as_bytes()).unwrap() else {
                panic!("{body}")
            };
            assert_eq!(d, "null");
        }
    }

    /// SF Express style: a success envelope whose payload is a JSON string holding a result of
    /// its own; a failure there is the call's failure with the nested code and message.
    fn nested_envelope(json_text: bool) -> EnvelopeSpec {
        EnvelopeSpec::new(
            Success::CodeIn(vec![RawCode::Str("A1000".into())]),
            "apiResultData",
        )
        .with_code("apiResultCode")
        .with_message(&["apiErrorMsg"])
        .with_nested(
            json_text,
            EnvelopeSpec::new(Success::FieldTrue("success"), "msgData")
                .with_code("errorCode")
                .with_message(&["errorMsg"]),
        )
    }

    #[test]
    fn nested_results_decode_their_data_or_their_failure() {
        let ok = r#"{"apiResultCode":"A1000","apiErrorMsg":"","apiResultData":"{\"success\":true,\"errorCode\":\"S0000\",\"msgData\":{\"orderId\":\"QIAO-1\",\"note\":\"a b\"}}"}"#;
        let Outcome::Success(data) = nested_envelope(true).decode(ok.as_bytes()).unwrap() else {
            panic!("not success")
        };
        assert_eq!(data, r#"{"orderId":"QIAO-1","note":"a b"}"#);

        let failed = r#"{"apiResultCode":"A1000","apiResultData":"{\"success\":false,\"errorCode\":\"8016\",\"errorMsg\":\"重复下单\",\"msgData\":null}"}"#;
        let f = failure(&nested_envelope(true), failed);
        assert_eq!(f.raw_code, Some(RawCode::Str("8016".into())));
        assert_eq!(f.message.as_deref(), Some("重复下单"));

        // The outer failure still wins when the envelope itself fails.
        let outer =
            r#"{"apiResultCode":"A1001","apiErrorMsg":"必传参数不可为空","apiResultData":null}"#;
        let f = failure(&nested_envelope(true), outer);
        assert_eq!(f.raw_code, Some(RawCode::Str("A1001".into())));

        // Without `json_text` the payload is an object.
        let object = r#"{"apiResultCode":"A1000","apiResultData":{"success":false,"errorCode":"8016","errorMsg":"x"}}"#;
        let f = failure(&nested_envelope(false), object);
        assert_eq!(f.raw_code, Some(RawCode::Str("8016".into())));

        // A payload that is not the promised shape is a decode error, never success.
        for body in [
            r#"{"apiResultCode":"A1000","apiResultData":{"success":true}}"#,
            r#"{"apiResultCode":"A1000","apiResultData":"not json"}"#,
            r#"{"apiResultCode":"A1000","apiResultData":"{\"errorCode\":\"1\"}"}"#,
        ] {
            assert!(
                nested_envelope(true).decode(body.as_bytes()).is_err(),
                "{body}"
            );
        }
    }

    #[test]
    fn vendor_error_keeps_code_message_and_extras() {
        let f = failure(
            &code_envelope(),
            r#"{"code":50017,"message":"The order was not found in the warehouse!","data":null,"requestId":"7bb5ddef9aed415a88163e5d39b41691"}"#,
        );
        assert_eq!(f.raw_code, Some(RawCode::Int(50017)));
        assert_eq!(
            f.message.as_deref(),
            Some("The order was not found in the warehouse!")
        );
        assert_eq!(
            f.extra.get("requestId"),
            Some(&serde_json::json!("7bb5ddef9aed415a88163e5d39b41691"))
        );
    }

    #[test]
    fn field_true_error_with_nested_code_and_details() {
        let f = failure(
            &field_true_envelope(),
            r#"{"success":false,"error":{"code":"VALIDATION_ERROR","message":"请求参数验证失败","details":[{"field":"cattle_count","message":"牛只数量必须大于0"},42]},"timestamp":"2024-01-20T12:00:00Z"}"#,
        );
        assert_eq!(f.raw_code, Some(RawCode::Str("VALIDATION_ERROR".into())));
        assert_eq!(f.message.as_deref(), Some("请求参数验证失败"));
        assert_eq!(
            f.details,
            vec![FieldError {
                field: "cattle_count".into(),
                message: "牛只数量必须大于0".into()
            }]
        );
        assert_eq!(
            f.extra.get("timestamp"),
            Some(&serde_json::json!("2024-01-20T12:00:00Z"))
        );
    }

    #[test]
    fn details_are_read_under_the_keys_the_spec_names() {
        let mut env = field_true_envelope();
        env.details = Some(DetailsSpec {
            path: "error.errors",
            field: "param",
            message: "reason",
        });
        let f = failure(
            &env,
            r#"{"success":false,"error":{"code":"E","errors":[{"param":"page","reason":"too big","field":"x","message":"y"}]}}"#,
        );
        assert_eq!(
            f.details,
            vec![FieldError {
                field: "page".into(),
                message: "too big".into()
            }]
        );
    }

    #[test]
    fn message_falls_back_to_next_path() {
        let f = failure(
            &code_envelope(),
            r#"{"code":1,"message":null,"msg":"busy"}"#,
        );
        assert_eq!(f.message.as_deref(), Some("busy"));
    }

    #[test]
    fn not_an_envelope() {
        let cases: &[(&EnvelopeSpec, &str)] = &[
            (&code_envelope(), "<html>502 Bad Gateway</html>"),
            (&code_envelope(), ""),
            (&code_envelope(), "[1,2]"),
            (&code_envelope(), r#"{"status":404,"error":"Not Found"}"#),
            (&field_true_envelope(), r#"{"success":"yes"}"#),
            (&field_true_envelope(), r#"{"data":{}}"#),
        ];
        for (spec, body) in cases {
            assert!(spec.decode(body.as_bytes()).is_err(), "{body}");
        }
    }

    #[test]
    fn dotted_paths_and_duplicates() {
        let f = Fields::parse(br#"{"a":{"b":{"c":7}},"d":1,"d":2,"s":"x\"y"}"#).unwrap();
        assert_eq!(f.get("a.b.c").map(RawValue::get), Some("7"));
        assert_eq!(f.get("d").map(RawValue::get), Some("2"));
        assert!(f.get("a.x").is_none());
        assert!(f.get("d.e").is_none());
        assert_eq!(f.get("s").map(text_of).as_deref(), Some("x\"y"));
    }
}
