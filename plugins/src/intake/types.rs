//! What an intake bot is handed and answers, in host types, and the
//! bounds its answers are checked against.

use serde::{Deserialize, Serialize};

/// The most state a bot may keep per conversation.
pub const MAX_STATE: usize = 4096;
/// The most texts one turn may send, and the longest text.
pub const MAX_TEXTS: usize = 5;
pub const MAX_TEXT_CHARS: usize = 1600;
/// The most fields, and the longest field name and value.
pub const MAX_FIELDS: usize = 32;
pub const MAX_FIELD_CHARS: usize = 512;

/// One customer SMS as the bot sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeRequest {
    pub conversation: u64,
    pub entry: String,
    pub customer: String,
    pub body: String,
    #[serde(default)]
    pub media_urls: Vec<String>,
    /// 1 for the first SMS.
    pub turn: u32,
    /// What the bot answered as state last turn.
    #[serde(default)]
    pub state: Vec<u8>,
    pub received_at_ms: u64,
}

/// Where the conversation goes after this turn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Next {
    Wait,
    Queue {
        /// `None`: the entry point's own queue.
        queue: Option<String>,
        skills: Vec<String>,
        fields: Vec<(String, String)>,
    },
    Close(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeAnswer {
    pub texts: Vec<String>,
    pub state: Vec<u8>,
    pub next: Next,
}
