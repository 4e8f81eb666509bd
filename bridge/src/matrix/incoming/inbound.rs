//! Messages agents write in the bot's rooms: classified (`Incoming`), then
//! relayed to the customer (plain text in a conversation room, from a
//! roster agent; a picture or file goes through `media::from_agent`) or dispatched
//! as a command (`commands`). A command that
//! changes something is answered by the event feed (`show`), so one action
//! gets one answer; here only refusals, "nothing to change" and the
//! read-only commands are answered, each at most once per message (the
//! answer's transaction id comes from the message's event id).

use std::sync::Weak;

use matrix_sdk::event_handler::Ctx;
use matrix_sdk::room::Room;
use matrix_sdk::ruma::events::room::message::sanitize::remove_plain_reply_fallback;
use matrix_sdk::ruma::events::room::message::{
    MessageType, OriginalSyncRoomMessageEvent, Relation, RoomMessageEventContent,
};
use matrix_sdk::ruma::{OwnedEventId, UserId};
use smsdesk_core::{AgentId, Command};

use crate::matrix::incoming::commands::{self, Action, Room as CmdRoom};
pub use crate::matrix::media::from_agent::Attachment;
use crate::matrix::outgoing::send::{self, PostError, Txns};
use crate::matrix::store::{ReplyRef, RoomRole};
use crate::matrix::texts::rich::Text;
use crate::matrix::{texts::answers, texts::notices, Bot};

/// What an agent's message means for the customer.
#[derive(Debug, PartialEq, Eq)]
pub enum Incoming {
    /// Plain text (a rich reply's quoted fallback removed): a reply or a command.
    Text(String),
    /// Text in a thread (`m.thread`): an internal note, or a command.
    Note(String),
    /// An edit of an earlier message: an SMS cannot be changed.
    Edit,
    /// A picture or file (`m.image`, `m.file`): sent as MMS.
    Attachment(Attachment),
    /// Something SMS cannot carry; says what, for the refusal.
    Unsupported(&'static str),
}

impl Incoming {
    /// `None` for what the bot leaves alone: notices (other bots) and
    /// message types it does not know.
    pub fn classify(content: &RoomMessageEventContent) -> Option<Self> {
        if matches!(content.relates_to, Some(Relation::Replacement(_))) {
            return Some(Self::Edit);
        }
        // In a thread: a note for colleagues. Never anything for the customer.
        if matches!(content.relates_to, Some(Relation::Thread(_))) {
            return Some(match &content.msgtype {
                MessageType::Text(text) => Self::Note(remove_plain_reply_fallback(&text.body).to_owned()),
                MessageType::Notice(_) => return None,
                _ => Self::Unsupported("unsupported-thread-file"),
            });
        }
        Some(match &content.msgtype {
            MessageType::Text(text) => {
                let body = if matches!(content.relates_to, Some(Relation::Reply(_))) {
                    remove_plain_reply_fallback(&text.body)
                } else {
                    &text.body
                };
                Self::Text(body.to_owned())
            }
            MessageType::Emote(_) => Self::Unsupported("unsupported-emote"),
            MessageType::Image(image) => Self::Attachment(Attachment {
                source: image.source.clone(),
                mimetype: image.info.as_ref().and_then(|i| i.mimetype.clone()),
                size: image.info.as_ref().and_then(|i| i.size).map(u64::from),
                name: image.filename().to_owned(),
                caption: image.caption().unwrap_or_default().to_owned(),
            }),
            MessageType::File(file) => Self::Attachment(Attachment {
                source: file.source.clone(),
                mimetype: file.info.as_ref().and_then(|i| i.mimetype.clone()),
                size: file.info.as_ref().and_then(|i| i.size).map(u64::from),
                name: file.filename().to_owned(),
                caption: file.caption().unwrap_or_default().to_owned(),
            }),
            MessageType::Audio(_) => Self::Unsupported("unsupported-audio"),
            MessageType::Video(_) => Self::Unsupported("unsupported-video"),
            MessageType::Location(_) => Self::Unsupported("unsupported-location"),
            _ => return None,
        })
    }
}

pub(in crate::matrix) async fn on_message(event: OriginalSyncRoomMessageEvent, room: Room, Ctx(bot): Ctx<Weak<Bot>>) {
    // The login ended (its Bot is gone): nothing to do.
    let Some(bot) = bot.upgrade() else {
        return;
    };
    let Some(incoming) = Incoming::classify(&event.content) else {
        return;
    };
    let incoming = bot.thread_aware(&event.content, incoming);
    if let Err(error) = bot.handle(room, &event.sender, incoming, event.event_id.clone()).await {
        tracing::warn!(%error, "handling a Matrix message failed");
    }
}

impl Bot {
    /// A message in one of our rooms: the room's role decides who may
    /// write there; a writer off the roster is told so; what SMS cannot
    /// carry is refused; plain text is relayed (`relay_text`), a command
    /// dispatched (`run_command`).
    pub(in crate::matrix) async fn handle(
        &self,
        room: Room,
        sender: &UserId,
        incoming: Incoming,
        event_id: OwnedEventId,
    ) -> Result<(), PostError> {
        if self.is_us(sender) {
            return Ok(());
        }
        let role = match self.store.role(room.room_id())? {
            Some(role) => role,
            // Never silent: a room the store lost is taken up, or the
            // writer is told where to go.
            None => match self.stranger_room(&room, sender).await? {
                Some(role) => role,
                None => return Ok(()),
            },
        };
        let agent = AgentId::new(sender.to_string());
        let cmd_room = match &role {
            RoomRole::Desk(owner) if owner != &agent => return Ok(()),
            RoomRole::Desk(_) => CmdRoom::Desk,
            RoomRole::Conversation(id) => CmdRoom::Conversation(*id),
            RoomRole::Supervisor(owner) => {
                return match (self.supervisor(owner), incoming) {
                    (Some(s), Incoming::Text(body)) if owner == sender.as_str() => {
                        self.supervisor_message(&room, s, &body, &event_id).await
                    }
                    _ => Ok(()),
                };
            }
        };
        let txns = Txns::for_answer(&event_id);
        if self.app.config.agent(&agent).is_none() {
            return self
                .off_roster(&room, sender, cmd_room, incoming, &event_id, &txns)
                .await;
        }
        let body = match (incoming, cmd_room) {
            (Incoming::Note(body), CmdRoom::Conversation(id)) if !commands::is_command(&body) => {
                return self.add_note(&room, agent, id, &body, &event_id, false).await;
            }
            (Incoming::Text(body) | Incoming::Note(body), _) => body,
            (Incoming::Attachment(attachment), CmdRoom::Conversation(id)) => {
                let reference = ReplyRef {
                    room: room.room_id().to_owned(),
                    event: event_id.clone(),
                };
                return self
                    .relay_attachment(&room, agent, id, attachment, reference, &txns)
                    .await;
            }
            (Incoming::Edit | Incoming::Unsupported(_) | Incoming::Attachment(_), CmdRoom::Desk) => return Ok(()),
            (Incoming::Edit, CmdRoom::Conversation(_)) => {
                return answer(&room, &txns, &self.lang_of(agent.as_str()).t("edit-refused")).await;
            }
            (Incoming::Unsupported(what), CmdRoom::Conversation(_)) => {
                return answer(&room, &txns, &notices::unsupported(&self.lang_of(agent.as_str()), what)).await;
            }
        };
        if let (Some(text), CmdRoom::Conversation(id)) = (commands::note_text(&body), cmd_room) {
            return self.add_note(&room, agent, id, text, &event_id, false).await;
        }
        if commands::is_command(&body) {
            self.run_command(&room, agent, cmd_room, &body, &txns).await
        } else {
            self.relay_text(&room, agent, cmd_room, body, &event_id, &txns).await
        }
    }

    /// A writer who is not on the roster: a supervisor monitoring a
    /// conversation is never relayed (said once per room), and may write
    /// notes; anyone else is told they are not on the roster.
    async fn off_roster(
        &self,
        room: &Room,
        sender: &UserId,
        cmd_room: CmdRoom,
        incoming: Incoming,
        event_id: &OwnedEventId,
        txns: &Txns,
    ) -> Result<(), PostError> {
        if let (CmdRoom::Conversation(id), Some(s)) = (cmd_room, self.supervisor(sender.as_str())) {
            let note = match &incoming {
                Incoming::Note(body) if !commands::is_command(body) => Some(body.as_str()),
                Incoming::Text(body) | Incoming::Note(body) => commands::note_text(body),
                _ => None,
            };
            if let Some(note) = note {
                return self.supervisor_note(room, s, id, note, event_id, txns).await;
            }
            // Monitoring: never relayed; said once per room.
            if self
                .store
                .first_sight(&format!("monitor/{}/{sender}", room.room_id()))?
            {
                let lang = self.lang_of(sender.as_str());
                answer(room, txns, &lang.t("supervisor-not-relayed")).await?;
            }
            return Ok(());
        }
        let lang = self.lang_of(sender.as_str());
        answer(room, txns, &notices::not_on_roster(&lang, sender.as_str())).await
    }

    /// Plain text from a roster agent: to the customer in a conversation
    /// room; in the desk, a hint that only commands work there.
    async fn relay_text(
        &self,
        room: &Room,
        agent: AgentId,
        cmd_room: CmdRoom,
        body: String,
        event_id: &OwnedEventId,
        txns: &Txns,
    ) -> Result<(), PostError> {
        let CmdRoom::Conversation(id) = cmd_room else {
            return answer(room, txns, notices::desk_plain_text(&self.lang_of(agent.as_str()))).await;
        };
        tracing::debug!(%event_id, conversation = %id, "relaying an agent's message");
        let writer = agent.clone();
        let reply = Command::Reply {
            agent,
            conversation: id,
            body,
            // Room and event, so delivery reactions land on this message.
            reference: Some(
                ReplyRef {
                    room: room.room_id().to_owned(),
                    event: event_id.clone(),
                }
                .to_reference(),
            ),
            media: Vec::new(),
            canned: None,
        };
        if let Err(rejection) = self.app.execute(reply).await.map_err(PostError::retry)? {
            let lang = self.lang_of(writer.as_str());
            answer(room, txns, &self.shown_text(&notices::reply_refused(&lang, &rejection))).await?;
        }
        Ok(())
    }

    /// A command: one that changes something is answered by the feed; here
    /// refusals, "nothing to change" and the read-only commands' answers.
    async fn run_command(
        &self,
        room: &Room,
        agent: AgentId,
        cmd_room: CmdRoom,
        body: &str,
        txns: &Txns,
    ) -> Result<(), PostError> {
        let lang = self.lang_of(agent.as_str());
        let parsed = commands::parse_in(body, &lang).and_then(|c| commands::action(c, &agent, cmd_room));
        let text = match parsed {
            Err(why) => why.to_string(),
            Ok(Action::Engine(command)) => match self.app.execute(command).await.map_err(PostError::retry)? {
                // Shown by the feed: that is the answer.
                Ok(done) if !done.records.is_empty() => return Ok(()),
                Ok(_) => notices::nothing_to_change(&self.lang_of(agent.as_str())),
                Err(rejection) => self.shown_text(&notices::command_refused(&self.lang_of(agent.as_str()), &rejection)),
            },
            Ok(Action::Help { topic }) => commands::help(topic.as_deref(), &lang),
            Ok(Action::CannedList { conversation, filter }) => {
                return self
                    .list_canned(room, &agent, conversation, filter.as_deref(), txns)
                    .await;
            }
            Ok(Action::CannedSend { conversation, name }) => {
                return self.send_canned_by_name(room, agent, conversation, &name, txns).await;
            }
            Ok(Action::Language { tag }) => return self.choose_language(room, &agent, tag.as_deref(), txns).await,
            Ok(Action::Status) => {
                let mask = self.app.config.supervisor.mask_customer_numbers;
                let lang = lang.clone();
                self.app
                    .read(move |e| answers::status(&lang, e.state(), &agent, mask))
                    .await?
            }
            Ok(Action::Queues) => {
                let lang = lang.clone();
                self.app.read(move |e| answers::queues(&lang, e.state())).await?
            }
            Ok(Action::Optouts { filter }) => {
                let mask = self.app.config.supervisor.mask_customer_numbers;
                let lang = lang.clone();
                self.app
                    .read(move |e| answers::optouts(&lang, e.state(), filter.as_deref(), mask))
                    .await?
            }
            Ok(Action::Agents { filter }) => {
                let lang = lang.clone();
                self.app
                    .read(move |e| answers::agents(&lang, e.state(), filter.as_deref()))
                    .await?
            }
        };
        // Multi-line answers (status, queues, agents, help...) read at a glance as lists.
        let text = if text.contains('\n') {
            Text::listing(text)
        } else {
            Text::from(text)
        };
        answer(room, txns, text).await
    }
}

pub(super) async fn answer(room: &Room, txns: &Txns, text: impl Into<Text>) -> Result<(), PostError> {
    send::notice(room, text, Some(txns.part("answer"))).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use matrix_sdk::ruma::events::relation::Reply;
    use matrix_sdk::ruma::events::room::message::{ImageMessageEventContent, ReplacementMetadata};
    use matrix_sdk::ruma::{owned_event_id, owned_mxc_uri};

    #[test]
    fn plain_text_is_a_reply_or_a_command() {
        let c = RoomMessageEventContent::text_plain("Hello there\n> not a fallback");
        assert_eq!(
            Incoming::classify(&c),
            Some(Incoming::Text("Hello there\n> not a fallback".into()))
        );
    }

    #[test]
    fn a_rich_reply_loses_its_quoted_fallback() {
        let mut c = RoomMessageEventContent::text_plain("> <@smsdesk:hs> customer: refund please\n\nSure, one moment");
        c.relates_to = Some(Relation::Reply(Reply::with_event_id(owned_event_id!("$customer"))));
        assert_eq!(Incoming::classify(&c), Some(Incoming::Text("Sure, one moment".into())));
        // A quote that is not a reply stays as typed.
        let c = RoomMessageEventContent::text_plain("> <@x:hs> quoted\n\nmine");
        assert_eq!(
            Incoming::classify(&c),
            Some(Incoming::Text("> <@x:hs> quoted\n\nmine".into()))
        );
    }

    #[test]
    fn edits_attachments_and_notices_are_not_replies() {
        let edit = RoomMessageEventContent::text_plain("fixed")
            .make_replacement(ReplacementMetadata::new(owned_event_id!("$first"), None));
        assert_eq!(Incoming::classify(&edit), Some(Incoming::Edit));
        let image = RoomMessageEventContent::new(MessageType::Image(ImageMessageEventContent::plain(
            "cat.png".into(),
            owned_mxc_uri!("mxc://hs/cat"),
        )));
        assert!(matches!(
            Incoming::classify(&image),
            Some(Incoming::Attachment(Attachment { ref name, ref caption, .. })) if name == "cat.png" && caption.is_empty()
        ));
        let video = RoomMessageEventContent::new(MessageType::Video(
            matrix_sdk::ruma::events::room::message::VideoMessageEventContent::plain(
                "clip.mp4".into(),
                owned_mxc_uri!("mxc://hs/clip"),
            ),
        ));
        assert_eq!(
            Incoming::classify(&video),
            Some(Incoming::Unsupported("unsupported-video"))
        );
        assert_eq!(
            Incoming::classify(&RoomMessageEventContent::notice_plain("bot talk")),
            None
        );
    }
}
