//! What becomes of a joined room the bot's store does not know, decided
//! from its marker and what the engine and the store say (`judge`), and
//! the texts said in such rooms. Pure: no I/O, unit-tested.

use matrix_sdk::ruma::RoomId;
use smsdesk_core::model::{Conversation, Phase};
use smsdesk_core::ConversationId;

use crate::i18n::Lang;
use crate::matrix::rooms::marker::Marker;
use crate::matrix::store::RoomRole;
use crate::matrix::texts::rich::Text;
use crate::tr;

/// What is done with a joined room the bot's store does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Ours: recorded with this role.
    Adopt(RoomRole),
    /// The role already has a room in use (`Followup::Leave` points to it).
    Duplicate(RoomRole),
    /// A conversation this engine store does not know (another store, an
    /// older backup, or the same number for another conversation).
    UnknownConversation(ConversationId),
    /// A conversation that is closed here.
    Closed(ConversationId),
    /// A conversation no agent has accepted here yet (an older backup):
    /// it gets a room of its own when one does.
    NotAccepted(ConversationId),
    /// Not for this desk to decide (someone no longer configured): left as it is.
    Keep,
}

/// What the bot knows about a marker's role, for `judge`.
#[derive(Debug)]
pub struct Here<'a> {
    /// This engine store's identity.
    pub store: &'a str,
    /// The role already has a joined room in the bot's store.
    pub taken: bool,
    /// The marker's agent is on the roster, or its supervisor configured.
    pub configured: bool,
    /// The engine's conversation with the marker's number, if any.
    pub conversation: Option<&'a Conversation>,
}

/// What to do with a room marked `marker`.
pub fn judge(marker: &Marker, here: &Here<'_>) -> Verdict {
    let role = marker.role();
    match marker {
        Marker::Desk { .. } | Marker::Supervisor { .. } if !here.configured => Verdict::Keep,
        Marker::Desk { .. } | Marker::Supervisor { .. } if here.taken => Verdict::Duplicate(role),
        Marker::Desk { .. } | Marker::Supervisor { .. } => Verdict::Adopt(role),
        Marker::Conversation {
            conversation,
            opened_at,
            store,
        } => {
            let id = ConversationId(*conversation);
            match here.conversation {
                _ if store != here.store => Verdict::UnknownConversation(id),
                Some(c) if c.opened_at.0 != *opened_at => Verdict::UnknownConversation(id),
                None => Verdict::UnknownConversation(id),
                Some(c) if matches!(c.phase, Phase::Closed { .. }) => Verdict::Closed(id),
                Some(c) if c.first_accepted_at.is_none() => Verdict::NotAccepted(id),
                Some(_) if here.taken => Verdict::Duplicate(role),
                Some(_) => Verdict::Adopt(role),
            }
        }
    }
}

/// What is said (and done) in a room once the rooms are known.
#[derive(Clone, Debug)]
pub enum Followup {
    /// Taken up again: say so (and for a conversation, set its members right).
    Adopted(RoomRole),
    /// Not ours any more: say this, and leave.
    Leave(Text),
}

/// Said in a desk room taken up again (`status`: the agent's, in `lang`).
pub fn desk_adopted(lang: &Lang, status: &str, available: bool) -> String {
    let said = tr!(lang, "adopted-desk", status = status);
    if available {
        said
    } else {
        format!("{said} {}", lang.t("adopted-desk-hint"))
    }
}

/// Said in a conversation room taken up again (`phase`: its state, in `lang`).
pub fn conversation_adopted(lang: &Lang, id: ConversationId, phase: &str) -> String {
    tr!(lang, "adopted-conversation", id = id.to_string(), phase = phase)
}

/// Said in a room the bot leaves because it is not (or no longer) one of its rooms.
pub fn leaving(lang: &Lang, verdict: &Verdict, in_use: Option<&RoomId>) -> Text {
    let why = match verdict {
        Verdict::UnknownConversation(id) => tr!(lang, "leaving-unknown-conversation", id = id.to_string()),
        Verdict::Closed(id) => tr!(lang, "leaving-closed", id = id.to_string()),
        Verdict::NotAccepted(id) => tr!(lang, "leaving-not-accepted", id = id.to_string()),
        Verdict::Duplicate(_) => lang.t("leaving-duplicate"),
        Verdict::Adopt(_) | Verdict::Keep => lang.t("leaving-unknown-room"),
    };
    pointing(lang, &why, in_use)
}

/// `why`, then where to go instead, and that the bot leaves.
fn pointing(lang: &Lang, why: &str, in_use: Option<&RoomId>) -> Text {
    let leave = lang.t("leaving-bot-leaves");
    match in_use {
        Some(room) => Text::rich(
            tr!(
                lang,
                "leaving-your-room",
                why = why,
                room = format!("https://matrix.to/#/{room}"),
                leave = leave.as_str()
            ),
            tr!(
                lang,
                "leaving-your-room",
                why = crate::matrix::texts::rich::escape(why),
                room = crate::matrix::texts::rich::mention(room.as_str()),
                leave = crate::matrix::texts::rich::escape(&leave)
            ),
        ),
        None => format!("{why} {leave}").into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use matrix_sdk::ruma::OwnedRoomId;
    use smsdesk_core::AgentId;
    use smsdesk_core::{CarrierName, CustomerNumber, EntryNumber, QueueName, Timestamp};

    fn conversation(opened_at: u64, phase: Phase) -> Conversation {
        Conversation {
            id: ConversationId(3),
            entry: EntryNumber::parse("+15550001111").expect("entry"),
            customer: CustomerNumber::from("+15557770001"),
            carrier: CarrierName::from("twilio"),
            queue: QueueName::from("support"),
            opened_at: Timestamp(opened_at),
            skills: Default::default(),
            phase,
            declined_by: Default::default(),
            last_agent: None,
            inbound_count: 1,
            outbound_count: 0,
            outbound: Default::default(),
            busy_at: None,
            inactive_at: None,
            fields: Vec::new(),
            queued_at: None,
            first_accepted_at: Some(Timestamp(opened_at + 1)),
            ended_at: None,
            notes: 0,
            note_refs: Default::default(),
            sticky: None,
        }
    }

    fn here<'a>(conversation: Option<&'a Conversation>, taken: bool) -> Here<'a> {
        Here {
            store: "s1",
            taken,
            configured: true,
            conversation,
        }
    }

    #[test]
    fn a_desk_room_is_taken_up_unless_one_is_in_use_or_the_agent_left_the_roster() {
        let alice = AgentId::new("@alice:hs");
        let marker = Marker::for_role(&RoomRole::Desk(alice.clone()), "old-store", None).expect("desk");
        // Another store's desk room is still her desk room.
        assert_eq!(
            judge(&marker, &here(None, false)),
            Verdict::Adopt(RoomRole::Desk(alice.clone()))
        );
        assert_eq!(
            judge(&marker, &here(None, true)),
            Verdict::Duplicate(RoomRole::Desk(alice))
        );
        let gone = Here {
            configured: false,
            ..here(None, false)
        };
        assert_eq!(judge(&marker, &gone), Verdict::Keep);
    }

    #[test]
    fn a_conversation_room_is_taken_up_only_for_the_same_open_conversation() {
        let id = ConversationId(3);
        let marker = Marker::for_role(&RoomRole::Conversation(id), "s1", Some(Timestamp(100))).expect("marker");
        let active = conversation(
            100,
            Phase::Active {
                owner: AgentId::new("@alice:hs"),
                since: Timestamp(200),
                conference: Default::default(),
            },
        );
        assert_eq!(
            judge(&marker, &here(Some(&active), false)),
            Verdict::Adopt(RoomRole::Conversation(id))
        );
        assert_eq!(
            judge(&marker, &here(Some(&active), true)),
            Verdict::Duplicate(RoomRole::Conversation(id))
        );
        // An older backup: not known yet, or the number is another conversation's.
        assert_eq!(judge(&marker, &here(None, false)), Verdict::UnknownConversation(id));
        let other = conversation(999, active.phase.clone());
        assert_eq!(
            judge(&marker, &here(Some(&other), false)),
            Verdict::UnknownConversation(id)
        );
        // Another store's number means nothing here.
        let foreign = Marker::for_role(&RoomRole::Conversation(id), "s2", Some(Timestamp(100))).expect("marker");
        assert_eq!(
            judge(&foreign, &here(Some(&active), false)),
            Verdict::UnknownConversation(id)
        );
        let closed = conversation(
            100,
            Phase::Closed {
                at: Timestamp(300),
                reason: "Resolved".into(),
            },
        );
        assert_eq!(judge(&marker, &here(Some(&closed), false)), Verdict::Closed(id));
        let waiting = Conversation {
            first_accepted_at: None,
            ..conversation(
                100,
                Phase::Queued {
                    head: false,
                    since: Timestamp(100),
                },
            )
        };
        assert_eq!(judge(&marker, &here(Some(&waiting), false)), Verdict::NotAccepted(id));
    }

    #[test]
    fn a_room_left_points_to_the_room_in_use() {
        let room = OwnedRoomId::try_from("!desk:hs").expect("room");
        let en = Lang::default();
        let text = leaving(&en, &Verdict::Keep, Some(&room));
        assert!(
            text.plain.contains("nothing written here reaches anyone"),
            "{}",
            text.plain
        );
        assert!(text.plain.contains("https://matrix.to/#/!desk:hs"), "{}", text.plain);
        assert!(text.plain.ends_with("The bot leaves this room."), "{}", text.plain);
        assert!(text
            .html
            .expect("html")
            .contains("<a href=\"https://matrix.to/#/!desk:hs\">"));
        let text = leaving(&en, &Verdict::UnknownConversation(ConversationId(4)), None);
        assert!(text.plain.contains("does not know conversation #4"), "{}", text.plain);
        assert_eq!(text.html, None);
    }

    #[test]
    fn an_adopted_desk_says_the_status_and_how_to_get_offers() {
        let en = Lang::default();
        assert!(desk_adopted(&en, "offline", false)
            .ends_with("Your status is now offline. Say !available here when you want offers."));
        assert!(desk_adopted(&en, "available", true).ends_with("Your status is now available."));
        let de = Lang::new("de");
        assert!(desk_adopted(&de, "abgemeldet", false).contains("Dein Status ist jetzt abgemeldet."));
    }
}
