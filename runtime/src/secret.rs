//! Small helpers that keep secrets out of `Debug` output while still letting token state be
//! persisted on purpose.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serializer};

/// What `Debug` prints instead of a secret.
pub(crate) const REDACTED: &str = "[redacted]";

/// `Debug` as [`REDACTED`], for use in hand-written `Debug` impls.
pub(crate) struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

/// `#[serde(with = ...)]` for a `SecretString`. `secrecy` deliberately does not serialize
/// strings; token state is the one place the application asks for exactly that.
pub(crate) mod string {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &SecretString, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.expose_secret())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SecretString, D::Error> {
        String::deserialize(d).map(SecretString::from)
    }
}

/// `#[serde(with = ...)]` for an `Option<SecretString>`.
pub(crate) mod option {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        v: &Option<SecretString>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_some(v.expose_secret()),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<SecretString>, D::Error> {
        Option::<String>::deserialize(d).map(|o| o.map(SecretString::from))
    }
}

/// Text a vendor sends that is itself a credential (the access token in a login answer),
/// the Rust type of the spec's `secret` type. `Debug` never shows it, equality is
/// constant-time, and reading it takes an explicit [`SecretText::expose_secret`].
/// It serializes as the plain string, so a response re-encoded on purpose keeps it.
#[derive(Clone)]
pub struct SecretText(SecretString);

impl SecretText {
    /// The text itself.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl From<String> for SecretText {
    fn from(text: String) -> Self {
        SecretText(SecretString::from(text))
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

impl PartialEq for SecretText {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.expose_secret()
            .as_bytes()
            .ct_eq(other.expose_secret().as_bytes())
            .into()
    }
}

impl Eq for SecretText {}

impl serde::Serialize for SecretText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.expose_secret())
    }
}

impl<'de> Deserialize<'de> for SecretText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(SecretText::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_text_hides_itself_but_round_trips() {
        let t: SecretText = serde_json::from_str(r#""tok-123""#).unwrap();
        assert_eq!(format!("{t:?}"), REDACTED);
        assert_eq!(t.expose_secret(), "tok-123");
        assert_eq!(serde_json::to_string(&t).unwrap(), r#""tok-123""#);
        assert_eq!(t, SecretText::from("tok-123".to_owned()));
        assert_ne!(t, SecretText::from("tok-124".to_owned()));
    }
}
