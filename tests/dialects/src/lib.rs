//! Signing dialects of other open platforms, generated from `codegen/tests/dialects/*.yaml`
//! by `build.rs`: proof that a new vendor's signing rules need YAML and no Rust. Their tests
//! (`tests/signatures.rs`) check every signature against published examples and an
//! independent Python computation.

macro_rules! dialect {
    ($($module:ident),* $(,)?) => {$(
        #[allow(missing_docs)]
        pub mod $module {
            include!(concat!(env!("OUT_DIR"), "/", stringify!($module), ".rs"));
        }
    )*};
}

dialect!(
    alipay_rsa2,
    json_body_hmac,
    kuaidi100,
    pinduoduo,
    sf_express,
    taobao_hmac,
    taobao_md5,
    wechatpay_v2_hmac,
    wechatpay_v2_md5,
);
