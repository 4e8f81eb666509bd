//! SMS keywords (docs/configuration.md, `[compliance]`): a whole message, trimmed, in any case,
//! that opts a customer out, back in, or asks for help. The lists are
//! configurable; these are the defaults US carriers expect. Pure.

use serde::{Deserialize, Serialize};

pub const DEFAULT_OPT_OUT: &[&str] = &[
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
];
pub const DEFAULT_OPT_IN: &[&str] = &["START", "YES", "UNSTOP"];
pub const DEFAULT_HELP: &[&str] = &["HELP", "INFO"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Keyword {
    OptOut,
    OptIn,
    Help,
}

/// Who answers keywords with a confirmation text (per entry point).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeywordMode {
    /// The carrier already answers (long codes and toll-free, by default).
    Carrier,
    /// smsdesk sends the confirmation and help texts (short codes, by default).
    Smsdesk,
}

impl KeywordMode {
    pub fn label(self) -> &'static str {
        match self {
            KeywordMode::Carrier => "carrier",
            KeywordMode::Smsdesk => "smsdesk",
        }
    }
}

/// The three keyword lists, stored upper-case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keywords {
    pub opt_out: Vec<String>,
    pub opt_in: Vec<String>,
    pub help: Vec<String>,
}

impl Default for Keywords {
    fn default() -> Self {
        let own = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect();
        Self {
            opt_out: own(DEFAULT_OPT_OUT),
            opt_in: own(DEFAULT_OPT_IN),
            help: own(DEFAULT_HELP),
        }
    }
}

impl Keywords {
    /// Lists as configured (any case).
    pub fn new(opt_out: Vec<String>, opt_in: Vec<String>, help: Vec<String>) -> Self {
        let upper = |l: Vec<String>| l.into_iter().map(|s| s.trim().to_uppercase()).collect();
        Self {
            opt_out: upper(opt_out),
            opt_in: upper(opt_in),
            help: upper(help),
        }
    }

    /// The keyword a whole message is, if any.
    pub fn classify(&self, body: &str) -> Option<Keyword> {
        let word = body.trim().to_uppercase();
        let is = |list: &[String]| list.contains(&word);
        if is(&self.opt_out) {
            Some(Keyword::OptOut)
        } else if is(&self.opt_in) {
            Some(Keyword::OptIn)
        } else if is(&self.help) {
            Some(Keyword::Help)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_message_trimmed_any_case() {
        let k = Keywords::default();
        for (body, expected) in [
            ("STOP", Some(Keyword::OptOut)),
            ("  stop\n", Some(Keyword::OptOut)),
            ("Unsubscribe", Some(Keyword::OptOut)),
            ("optout", Some(Keyword::OptOut)),
            ("start", Some(Keyword::OptIn)),
            ("UNSTOP", Some(Keyword::OptIn)),
            ("Help", Some(Keyword::Help)),
            ("info", Some(Keyword::Help)),
            ("please stop", None),
            ("STOP!", None),
            ("", None),
            ("yes please", None),
        ] {
            assert_eq!(k.classify(body), expected, "{body:?}");
        }
    }

    #[test]
    fn lists_are_configurable() {
        let k = Keywords::new(vec!["arret".into()], vec!["Go".into()], vec![]);
        assert_eq!(k.classify("ARRET"), Some(Keyword::OptOut));
        assert_eq!(k.classify("stop"), None);
        assert_eq!(k.classify("go"), Some(Keyword::OptIn));
        assert_eq!(k.classify("help"), None);
    }
}
