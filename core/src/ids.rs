//! Identifier newtypes and the clock value.
//!
//! Every id that crosses a boundary (Matrix, carrier, store) has its own type
//! so that an agent id can never be passed where a queue name is expected.
//! This module validates the shapes users type (entry numbers); it must not
//! know anything about conversation rules.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value that was already validated (or needs no validation).
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }
    };
}

string_id!(
    /// A roster agent: their Matrix user id, e.g. `@alice:example.com`.
    AgentId
);
string_id!(
    /// A queue's configured name, e.g. `billing`.
    QueueName
);
string_id!(
    /// The configured name of a carrier, e.g. `twilio`; also its webhook path segment.
    CarrierName
);
string_id!(
    /// The carrier's id for one inbound message (Twilio `MessageSid`); the de-duplication key.
    CarrierMessageId
);
string_id!(
    /// The customer's phone number as the carrier reported it (normally E.164).
    CustomerNumber
);

/// A business number: an E.164 long code or toll-free number (`+15550001111`)
/// or a short code of 3–8 digits (`12345`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EntryNumber(String);

/// Why a string is not an entry number; the text is shown to operators as is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not an entry number: expected E.164 like +15550001111 or a short code of 3-8 digits")]
pub struct BadEntryNumber {
    pub value: String,
}

impl EntryNumber {
    pub fn parse(value: &str) -> Result<Self, BadEntryNumber> {
        let digits_only = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let ok = match value.strip_prefix('+') {
            // E.164: up to 15 digits, no leading zero; 7 is the shortest real plan.
            Some(rest) => digits_only(rest) && (7..=15).contains(&rest.len()) && !rest.starts_with('0'),
            None => digits_only(value) && (3..=8).contains(&value.len()),
        };
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(BadEntryNumber {
                value: value.to_owned(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Short codes are digits only; long codes and toll-free numbers are E.164.
    pub fn is_short_code(&self) -> bool {
        !self.0.starts_with('+')
    }
}

impl TryFrom<String> for EntryNumber {
    type Error = BadEntryNumber;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EntryNumber> for String {
    fn from(value: EntryNumber) -> Self {
        value.0
    }
}

impl fmt::Display for EntryNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! number_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

number_id!(
    /// A conversation. Small and numeric because agents type it: `!accept 42`.
    ConversationId
);
number_id!(
    /// One outbound SMS (an agent's reply); also the idempotency key towards the carrier.
    MessageId
);

/// Milliseconds since the Unix epoch. The engine never reads a clock: callers
/// pass `now`, which keeps `decide` deterministic and tests exact.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub u64);

/// UTC to the minute, e.g. `2026-12-02 14:05 UTC`.
impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match i64::try_from(self.0)
            .ok()
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        {
            Some(t) => write!(f, "{}", t.strftime("%Y-%m-%d %H:%M UTC")),
            None => write!(f, "{} ms", self.0),
        }
    }
}

impl Timestamp {
    pub fn plus(self, d: std::time::Duration) -> Self {
        Self(self.0.saturating_add(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)))
    }

    /// Time elapsed from `earlier` to `self`, zero if `earlier` is later.
    pub fn since(self, earlier: Timestamp) -> std::time::Duration {
        std::time::Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_numbers() {
        assert!(EntryNumber::parse("+15550001111").is_ok());
        assert!(EntryNumber::parse("12345").unwrap().is_short_code());
        assert!(EntryNumber::parse("+18005550100").is_ok());
        for bad in [
            "",
            "+",
            "12",
            "123456789",
            "+0155500011",
            "+1555abc1111",
            "5550001111x",
            "+1234567890123456",
        ] {
            let err = EntryNumber::parse(bad).unwrap_err();
            assert!(err.to_string().contains("E.164"), "{bad}: {err}");
        }
    }

    #[test]
    fn timestamps() {
        let t = Timestamp(1_000);
        assert_eq!(t.plus(std::time::Duration::from_secs(2)), Timestamp(3_000));
        assert_eq!(Timestamp(3_000).since(t).as_millis(), 2_000);
        assert_eq!(t.since(Timestamp(3_000)).as_millis(), 0);
    }
}
