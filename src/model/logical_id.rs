//! Validated CloudFormation logical ids.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Longest logical id CloudFormation accepts.
pub const MAX_LOGICAL_ID_LEN: usize = 255;

/// A logical id: 1 to 255 ASCII letters and digits, as CloudFormation requires.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LogicalId(String);

/// Why a string is not a valid logical id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogicalIdError {
    #[error("logical id is empty")]
    Empty,
    #[error("logical id `{0}` is longer than {MAX_LOGICAL_ID_LEN} characters")]
    TooLong(String),
    #[error("logical id `{id}` contains `{ch}`: only ASCII letters and digits are allowed")]
    BadChar { id: String, ch: char },
}

impl LogicalId {
    /// Validates `id`.
    pub fn new(id: impl Into<String>) -> Result<Self, LogicalIdError> {
        let id = id.into();
        if id.is_empty() {
            return Err(LogicalIdError::Empty);
        }
        if id.len() > MAX_LOGICAL_ID_LEN {
            return Err(LogicalIdError::TooLong(id));
        }
        if let Some(ch) = id.chars().find(|c| !c.is_ascii_alphanumeric()) {
            return Err(LogicalIdError::BadChar { id, ch });
        }
        Ok(Self(id))
    }

    /// Builds an id from arbitrary words (`"payment-errors"` -> `PaymentErrors`), dropping
    /// every character that is not allowed. Panics never; an empty result becomes `X`.
    pub fn from_words(words: &str) -> Self {
        let mut out = String::new();
        for word in words.split(|c: char| !c.is_ascii_alphanumeric()) {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                out.push(first.to_ascii_uppercase());
                out.extend(chars);
            }
        }
        if out.is_empty() {
            out.push('X');
        }
        out.truncate(MAX_LOGICAL_ID_LEN);
        Self(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LogicalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for LogicalId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for LogicalId {
    type Err = LogicalIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl Serialize for LogicalId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for LogicalId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        LogicalId::new(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_alphanumeric_and_rejects_the_rest() {
        assert!(LogicalId::new("Bucket1").is_ok());
        assert_eq!(LogicalId::new(""), Err(LogicalIdError::Empty));
        assert!(matches!(LogicalId::new("my-bucket"), Err(LogicalIdError::BadChar { ch: '-', .. })));
        assert!(matches!(LogicalId::new("a".repeat(256)), Err(LogicalIdError::TooLong(_))));
        assert!(LogicalId::new("a".repeat(255)).is_ok());
    }

    #[test]
    fn from_words_camel_cases() {
        assert_eq!(LogicalId::from_words("payment-errors").as_str(), "PaymentErrors");
        assert_eq!(LogicalId::from_words("--").as_str(), "X");
    }
}
