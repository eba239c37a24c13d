//! Digests, MACs, RSA signatures and text encodings, each from a well-kept crate: `ring` (SHA-1,
//! SHA-256, their HMACs and RSA; already linked for TLS), RustCrypto's `md-5` and `hmac` for MD5
//! only, behind the `md5` feature so clients whose specs never use MD5 do not compile the
//! RustCrypto digest stack; `base64`, `percent-encoding`, `hex`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use ring::{digest as sha, hmac as mac};
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;

use super::EvalError;
use crate::{DigestAlg, TextEncoding};

/// RFC 3986 §2.3: everything but `ALPHA / DIGIT / "-" / "." / "_" / "~"` is encoded.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub(super) fn digest(alg: DigestAlg, data: &[u8]) -> Result<Vec<u8>, EvalError> {
    let alg = match alg {
        DigestAlg::Md5 => return md5::digest(data),
        DigestAlg::Sha1 => &sha::SHA1_FOR_LEGACY_USE_ONLY,
        DigestAlg::Sha256 => &sha::SHA256,
    };
    Ok(sha::digest(alg, data).as_ref().to_vec())
}

pub(super) fn hmac(alg: DigestAlg, key: &[u8], data: &[u8]) -> Result<Vec<u8>, EvalError> {
    let alg = match alg {
        DigestAlg::Md5 => return md5::hmac(key, data),
        DigestAlg::Sha1 => mac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        DigestAlg::Sha256 => mac::HMAC_SHA256,
    };
    Ok(mac::sign(&mac::Key::new(alg, key), data).as_ref().to_vec())
}

#[cfg(feature = "md5")]
mod md5 {
    use hmac::{Hmac, KeyInit, Mac};
    use md5::{Digest as _, Md5};

    use super::EvalError;

    pub(super) fn digest(data: &[u8]) -> Result<Vec<u8>, EvalError> {
        Ok(Md5::digest(data).to_vec())
    }

    pub(super) fn hmac(key: &[u8], data: &[u8]) -> Result<Vec<u8>, EvalError> {
        // HMAC takes keys of any length (long keys are hashed first), so `new_from_slice`
        // cannot fail; the empty fallback only avoids a panic path.
        Ok(match <Hmac<Md5> as KeyInit>::new_from_slice(key) {
            Ok(mut mac) => {
                mac.update(data);
                mac.finalize().into_bytes().to_vec()
            }
            Err(_) => Vec::new(),
        })
    }
}

#[cfg(not(feature = "md5"))]
mod md5 {
    use super::EvalError;

    const OFF: EvalError = EvalError::FeatureOff {
        operation: "md5",
        feature: "md5",
    };

    pub(super) fn digest(_: &[u8]) -> Result<Vec<u8>, EvalError> {
        Err(OFF)
    }

    pub(super) fn hmac(_: &[u8], _: &[u8]) -> Result<Vec<u8>, EvalError> {
        Err(OFF)
    }
}

pub(super) fn encode(encoding: TextEncoding, data: &[u8]) -> String {
    match encoding {
        TextEncoding::Hex => hex::encode(data),
        TextEncoding::Base64 => BASE64.encode(data),
        TextEncoding::Url => percent_encoding::percent_encode(data, NOT_UNRESERVED).to_string(),
        TextEncoding::FormUrl => url::form_urlencoded::byte_serialize(data).collect(),
        TextEncoding::JsonString => {
            let quoted = serde_json::Value::from(String::from_utf8_lossy(data)).to_string();
            quoted[1..quoted.len() - 1].to_owned()
        }
    }
}

/// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2) by `ring`, the key a PEM `PRIVATE KEY`
/// (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1). Errors never include key material.
pub(super) fn rsa_sha256(pem: &[u8], data: &[u8]) -> Result<Vec<u8>, EvalError> {
    let key = match PrivateKeyDer::from_pem_slice(pem).map_err(|_| EvalError::RsaKey)? {
        PrivateKeyDer::Pkcs8(der) => ring::rsa::KeyPair::from_pkcs8(der.secret_pkcs8_der()),
        PrivateKeyDer::Pkcs1(der) => ring::rsa::KeyPair::from_der(der.secret_pkcs1_der()),
        _ => return Err(EvalError::RsaKey),
    }
    .map_err(|_| EvalError::RsaKey)?;
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        data,
        &mut signature,
    )
    .map_err(|_| EvalError::RsaKey)?;
    Ok(signature)
}

/// Lowercase hex MD5.
#[cfg(feature = "md5")]
pub fn md5_hex(data: &[u8]) -> String {
    use ::md5::{Digest as _, Md5};
    hex::encode(Md5::digest(data))
}
