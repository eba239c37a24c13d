//! Target `decode`: every vendor's generated `decode_response::<T>` for each endpoint
//! response type `T` (and `serde_json::Value`, which reaches every error path).
//!
//! Input: a header line `<module>/<Type> <status>` and the response body. Decoded values
//! are also written back to JSON and decoded again: a value the client produced that it
//! cannot read back is reported as outcome `ok/reencode-…` (an observation, not a panic).

use rand::RngExt;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{error_kind, render_all};
use crate::harness::{Rng, Target};
use crate::mutate::{json, pick};
use crate::seeds::{self, ExampleSeed};
use codegen::spec::model::Spec;
use generated_client::runtime::VendorCode;

/// One decoding entry point: a vendor module and a response type.
pub struct Decoder {
    pub module: &'static str,
    pub type_name: &'static str,
    pub decode: fn(u16, &[u8]) -> String,
}

fn outcome<T, C>(result: Result<T, generated_client::runtime::Error<C>>) -> String
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
    C: VendorCode,
{
    match result {
        Ok(value) => {
            std::hint::black_box(format!("{value:?}"));
            let again = serde_json::to_string(&value)
                .map_err(|e| format!("serialize: {}", super::normalize_message(&e.to_string())))
                .and_then(|text| {
                    serde_json::from_str::<T>(&text).map_err(|e| {
                        format!("decode: {}", super::normalize_message(&e.to_string()))
                    })
                });
            match again {
                Ok(v) if v == value => "ok".to_owned(),
                Ok(_) => "ok/reencode-differs".to_owned(),
                Err(why) => format!("ok/reencode-fails/{why}"),
            }
        }
        Err(err) => {
            render_all(&err);
            error_kind(&err)
        }
    }
}

macro_rules! decoders {
    ($($module:ident: [$($ty:ident),*];)*) => {
        /// Every decoding entry point, one per vendor module and response type. The test
        /// `every_endpoint_response_type_is_fuzzed` keeps this list complete.
        pub const DECODERS: &[Decoder] = &[
            $(
                Decoder {
                    module: stringify!($module),
                    type_name: "Value",
                    decode: |status, body| {
                        outcome(generated_client::$module::decode_response::<serde_json::Value>(status, body))
                    },
                },
                $(
                    Decoder {
                        module: stringify!($module),
                        type_name: stringify!($ty),
                        decode: |status, body| {
                            outcome(generated_client::$module::decode_response::<generated_client::$module::$ty>(status, body))
                        },
                    },
                )*
            )*
        ];
    };
}

decoders! {
    cainiao_edi: [];
    erp: [InventoryPage, OrderPage, OutboundPage];
    jfwms: [];
    niumall: [OrderList, Order];
    supercarrier8: [];
    zhiyun: [UserInfo, CompanyInfo];
}

const STATUSES: &[u16] = &[
    200, 200, 200, 200, 201, 204, 302, 400, 401, 403, 404, 429, 500, 502, 503, 0, 99, 600, 65535,
];

pub struct Decode {
    examples: Vec<ExampleSeed>,
}

impl Decode {
    pub fn new(specs: &[Spec]) -> Decode {
        Decode {
            examples: seeds::examples(specs),
        }
    }
}

fn header(d: &Decoder, status: u16) -> String {
    format!("{}/{} {status}\n", d.module, d.type_name)
}

/// Splits an input into its decoder, status and body.
fn parse_input(input: &[u8]) -> Option<(&'static Decoder, u16, &[u8])> {
    let newline = input.iter().position(|b| *b == b'\n')?;
    let head = std::str::from_utf8(&input[..newline]).ok()?;
    let (name, status) = head.split_once(' ')?;
    let (module, type_name) = name.split_once('/')?;
    let decoder = DECODERS
        .iter()
        .find(|d| d.module == module && d.type_name == type_name)?;
    Some((decoder, status.parse().ok()?, &input[newline + 1..]))
}

impl Target for Decode {
    fn name(&self) -> &'static str {
        "decode"
    }

    fn seeds(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for ex in &self.examples {
            for d in DECODERS.iter().filter(|d| d.module == ex.module) {
                let mut input = header(d, ex.status.unwrap_or(200)).into_bytes();
                input.extend_from_slice(ex.text.as_bytes());
                out.push(input);
            }
        }
        out
    }

    fn mutate(&self, rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
        let Some((mut decoder, mut status, body)) = parse_input(input) else {
            return input.to_vec();
        };
        let other_body = parse_input(other).map_or(other, |(_, _, b)| b);
        match rng.random_range(0..10u32) {
            0 => decoder = pick(rng, DECODERS),
            1 => status = *pick(rng, STATUSES),
            _ => {}
        }
        let body = if rng.random_range(0..10u32) == 0 {
            // Sometimes only the header changes: the same body against another type or status.
            body.to_vec()
        } else {
            json::mutate(rng, body, other_body)
        };
        let mut out = header(decoder, status).into_bytes();
        out.extend_from_slice(&body);
        out
    }

    fn run(&self, input: &[u8]) -> String {
        match parse_input(input) {
            Some((decoder, status, body)) => (decoder.decode)(status, body),
            None => "bad-header".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codegen::spec::model::Spec;

    /// A named response type of any endpoint of the real specs that the fuzzer would not
    /// reach fails this test: the table above is hand-written (Rust needs the types).
    #[test]
    fn every_endpoint_response_type_is_fuzzed() {
        let specs: Vec<Spec> = seeds::specs(&seeds::workspace_root());
        assert_eq!(specs.len(), 6, "the six specs load");
        let mut missing = Vec::new();
        for spec in &specs {
            for (name, endpoint) in &spec.endpoints {
                let Some(ty) = endpoint.response.as_deref() else {
                    continue;
                };
                if !spec.types.contains_key(ty) {
                    continue; // `json` and the like decode as `Value`, which is in the table.
                }
                let covered = DECODERS
                    .iter()
                    .any(|d| d.module == spec.module && d.type_name == ty);
                if !covered {
                    missing.push(format!("{}::{ty} (endpoint {name})", spec.module));
                }
            }
            assert!(
                DECODERS
                    .iter()
                    .any(|d| d.module == spec.module && d.type_name == "Value"),
                "{} has no `Value` decoder",
                spec.module
            );
        }
        assert!(missing.is_empty(), "add to DECODERS: {missing:?}");
    }

    #[test]
    fn seeds_decode_and_round_trip() {
        let target = Decode::new(&seeds::specs(&seeds::workspace_root()));
        let seeds = target.seeds();
        assert!(seeds.len() >= 20, "{} seeds", seeds.len());
        let ok = seeds.iter().filter(|s| target.run(s) == "ok").count();
        assert!(ok >= 8, "only {ok} seeds decode");
    }
}
