//! Reactions as buttons (docs/agent-guide.md). The bot puts ✅ and ❌ on each
//! open offer card (routed offers, transfers, conference invitations) and
//! 1️⃣…🔟 on a conversation's wrap-up list and on a `!canned` list. The
//! offered agent's ✅ accepts and ❌ declines; the owner's number picks
//! that wrap-up reason; the lister's number sends that canned reply. Anyone
//! else's reaction is ignored, and no reaction ever reaches a customer. A
//! reaction on a card that is no longer open is answered once, saying what
//! became of the offer. Typed commands keep working.
//!
//! Pure: what each button is (stored with its message) and what a press
//! does (`press`); `reactions` wires it to Matrix and the engine.

use serde::{Deserialize, Serialize};
use smsdesk_core::{AgentId, Command, ConversationId};

use crate::matrix::texts::notices;

pub const ACCEPT: &str = "✅";
pub const DECLINE: &str = "❌";
/// Wrap-up reasons beyond ten are picked by typing `!wrapup <n>`.
pub const NUMBERS: [&str; 10] = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟"];

/// A bot message that takes reactions, stored under its event id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Button {
    /// An offer card for `agent`; `closed` says how it ended, once it has.
    Card {
        conversation: ConversationId,
        agent: AgentId,
        #[serde(default)]
        closed: Option<String>,
    },
    /// A conversation's wrap-up list, for its owner.
    Wrapup {
        conversation: ConversationId,
        owner: AgentId,
    },
    /// A `!canned` list for `agent`: its choices, name and text as shown.
    Canned {
        conversation: ConversationId,
        agent: AgentId,
        choices: Vec<(String, String)>,
    },
}

/// What a reaction asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Pressed {
    Engine(Command),
    /// Send the canned reply `name` (its `text` as listed) to the customer.
    Canned {
        conversation: ConversationId,
        name: String,
        text: String,
    },
    Answer(String),
    Ignore,
}

/// Keys compare without the emoji variation selector (clients differ).
fn same(key: &str, button: &str) -> bool {
    let bare = |s: &str| s.replace('\u{fe0f}', "");
    bare(key) == bare(button)
}

/// What `sender`'s reaction `key` on `button` does.
pub fn press(button: &Button, sender: &AgentId, key: &str, lang: &crate::i18n::Lang) -> Pressed {
    match button {
        Button::Card { agent, .. } | Button::Wrapup { owner: agent, .. } | Button::Canned { agent, .. }
            if agent != sender =>
        {
            Pressed::Ignore
        }
        Button::Canned {
            conversation, choices, ..
        } => match NUMBERS.iter().position(|n| same(key, n)).and_then(|i| choices.get(i)) {
            Some((name, text)) => Pressed::Canned {
                conversation: *conversation,
                name: name.clone(),
                text: text.clone(),
            },
            None => Pressed::Ignore,
        },
        Button::Card {
            conversation,
            closed: Some(outcome),
            ..
        } if same(key, ACCEPT) || same(key, DECLINE) => {
            Pressed::Answer(notices::card_no_longer_open(lang, *conversation, outcome))
        }
        Button::Card { conversation, .. } if same(key, ACCEPT) => Pressed::Engine(Command::Accept {
            agent: sender.clone(),
            conversation: Some(*conversation),
        }),
        Button::Card { conversation, .. } if same(key, DECLINE) => Pressed::Engine(Command::Decline {
            agent: sender.clone(),
            conversation: Some(*conversation),
        }),
        Button::Wrapup { conversation, .. } => match NUMBERS.iter().position(|n| same(key, n)) {
            Some(i) => Pressed::Engine(Command::Wrapup {
                agent: sender.clone(),
                conversation: *conversation,
                choice: Some((i + 1).to_string()),
            }),
            None => Pressed::Ignore,
        },
        Button::Card { .. } => Pressed::Ignore,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> AgentId {
        AgentId::from("@alice:hs")
    }

    fn card(closed: Option<&str>) -> Button {
        Button::Card {
            conversation: ConversationId(3),
            agent: alice(),
            closed: closed.map(str::to_owned),
        }
    }

    #[test]
    fn the_offered_agent_accepts_or_declines_and_no_one_else_can() {
        assert_eq!(
            press(&card(None), &alice(), "✅", &crate::i18n::Lang::default()),
            Pressed::Engine(Command::Accept {
                agent: alice(),
                conversation: Some(ConversationId(3))
            })
        );
        assert_eq!(
            press(&card(None), &alice(), "❌\u{fe0f}", &crate::i18n::Lang::default()),
            Pressed::Engine(Command::Decline {
                agent: alice(),
                conversation: Some(ConversationId(3))
            })
        );
        assert_eq!(
            press(
                &card(None),
                &AgentId::from("@mallory:hs"),
                "✅",
                &crate::i18n::Lang::default()
            ),
            Pressed::Ignore
        );
        assert_eq!(
            press(&card(None), &alice(), "👍", &crate::i18n::Lang::default()),
            Pressed::Ignore
        );
    }

    #[test]
    fn the_lister_sends_a_canned_reply_by_number() {
        let list = Button::Canned {
            conversation: ConversationId(3),
            agent: alice(),
            choices: vec![("thanks".into(), "Thanks Ann!".into()), ("bye".into(), "Bye!".into())],
        };
        assert_eq!(
            press(&list, &alice(), "2️⃣", &crate::i18n::Lang::default()),
            Pressed::Canned {
                conversation: ConversationId(3),
                name: "bye".into(),
                text: "Bye!".into()
            }
        );
        assert_eq!(
            press(&list, &alice(), "3️⃣", &crate::i18n::Lang::default()),
            Pressed::Ignore
        );
        assert_eq!(
            press(&list, &AgentId::from("@bob:hs"), "1️⃣", &crate::i18n::Lang::default()),
            Pressed::Ignore
        );
    }

    #[test]
    fn a_closed_card_says_what_became_of_the_offer() {
        assert_eq!(
            press(
                &card(Some("not answered in time")),
                &alice(),
                "✅",
                &crate::i18n::Lang::default()
            ),
            Pressed::Answer("Offer #3 is no longer open: not answered in time.".to_owned())
        );
    }

    #[test]
    fn the_owner_picks_a_wrapup_reason_by_number() {
        let list = Button::Wrapup {
            conversation: ConversationId(3),
            owner: alice(),
        };
        for (key, n) in [("2️⃣", "2"), ("2\u{20e3}", "2"), ("🔟", "10")] {
            assert_eq!(
                press(&list, &alice(), key, &crate::i18n::Lang::default()),
                Pressed::Engine(Command::Wrapup {
                    agent: alice(),
                    conversation: ConversationId(3),
                    choice: Some(n.to_owned())
                })
            );
        }
        assert_eq!(
            press(&list, &AgentId::from("@bob:hs"), "1️⃣", &crate::i18n::Lang::default()),
            Pressed::Ignore
        );
        assert_eq!(
            press(&list, &alice(), "✅", &crate::i18n::Lang::default()),
            Pressed::Ignore
        );
    }
}
