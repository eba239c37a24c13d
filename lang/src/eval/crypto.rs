//! Digests, MACs, RSA signatures and text encodings, each from a well-kept crate (RustCrypto's
//! `md-5`/`sha1`/`sha2`/`hmac`, `ring` for RSA, `base64`, `percent-encoding`, `hex`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest as _, Md5};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;
use sha1::Sha1;
use sha2::Sha256;

use super::EvalError;
use crate::{DigestAlg, TextEncoding};

/// RFC 3986 §2.3: everything but `ALPHA / DIGIT / "-" / "." / "_" / "~"` is encoded.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub(super) fn digest(alg: DigestAlg, data: &[u8]) -> Vec<u8> {
    match alg {
        DigestAlg::Md5 => Md5::digest(data).to_vec(),
        DigestAlg::Sha1 => Sha1::digest(data).to_vec(),
        DigestAlg::Sha256 => Sha256::digest(data).to_vec(),
    }
}

pub(super) fn hmac(alg: DigestAlg, key: &[u8], data: &[u8]) -> Vec<u8> {
    fn run<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
        // HMAC takes keys of any length (long keys are hashed first), so `new_from_slice`
        // cannot fail; the empty fallback only avoids a panic path.
        match <M as KeyInit>::new_from_slice(key) {
            Ok(mut mac) => {
                mac.update(data);
                mac.finalize().into_bytes().to_vec()
            }
            Err(_) => Vec::new(),
        }
    }
    match alg {
        DigestAlg::Md5 => run::<Hmac<Md5>>(key, data),
        DigestAlg::Sha1 => run::<Hmac<Sha1>>(key, data),
        DigestAlg::Sha256 => run::<Hmac<Sha256>>(key, data),
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
pub fn md5_hex(data: &[u8]) -> String {
    hex::encode(Md5::digest(data))
}
