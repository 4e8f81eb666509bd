//! Internal notes: what agents write to each other about a conversation,
//! never to the customer. A message in a thread of a conversation room is
//! one (a rich reply to a thread's first message too), and so is `!note`
//! for clients without threads; a supervisor who watches the queue may
//! write them while monitoring. The engine keeps each in the history with
//! its author; the feed confirms it quietly (`outgoing::notes`).

use matrix_sdk::room::Room;
use matrix_sdk::ruma::events::room::message::{Relation, RoomMessageEventContent};
use matrix_sdk::ruma::OwnedEventId;
use smsdesk_core::{AgentId, Command, ConversationId};
use smsdesk_engine::store::layout;

use super::inbound::{answer, Incoming};
use crate::config::SupervisorConfig;
use crate::matrix::outgoing::send::{PostError, Txns};
use crate::matrix::store::ReplyRef;
use crate::matrix::{texts::notices, Bot};

/// Where the bot's store remembers that an event starts a thread.
fn root_key(event: &matrix_sdk::ruma::EventId) -> String {
    format!("thread-root/{event}")
}

impl Bot {
    /// `incoming` as a note when it belongs to a thread: a thread's root
    /// is remembered, so a rich reply to it in the main timeline is a note
    /// too (a client without threads answering inside one).
    pub(super) fn thread_aware(&self, content: &RoomMessageEventContent, incoming: Incoming) -> Incoming {
        match (&content.relates_to, incoming) {
            (Some(Relation::Thread(thread)), incoming) => {
                self.store.put(&root_key(&thread.event_id), &true);
                incoming
            }
            (Some(Relation::Reply(reply)), Incoming::Text(body))
                if matches!(
                    self.store.get::<bool>(&root_key(&reply.in_reply_to.event_id)),
                    Ok(Some(true))
                ) =>
            {
                Incoming::Note(body)
            }
            (_, incoming) => incoming,
        }
    }

    /// Hands a note to the engine; a refusal is said, a note is confirmed
    /// by the feed.
    pub(super) async fn add_note(
        &self,
        room: &Room,
        author: AgentId,
        id: ConversationId,
        body: &str,
        event_id: &OwnedEventId,
        supervisor: bool,
    ) -> Result<(), PostError> {
        let lang = self.lang_of(author.as_str());
        let note = Command::AddNote {
            author,
            conversation: id,
            body: body.to_owned(),
            // Room and event: the confirmation lands on this message, and
            // the same message handed in again is one note.
            reference: Some(
                ReplyRef {
                    room: room.room_id().to_owned(),
                    event: event_id.clone(),
                }
                .to_reference(),
            ),
            supervisor,
        };
        if let Err(rejection) = self.app.execute(note).await.map_err(PostError::retry)? {
            answer(
                room,
                &Txns::for_answer(event_id),
                &self.shown_text(&notices::command_refused(&lang, &rejection)),
            )
            .await?;
        }
        Ok(())
    }

    /// A note by a supervisor monitoring conversation `id`: kept if they
    /// watch its queue.
    pub(super) async fn supervisor_note(
        &self,
        room: &Room,
        s: &SupervisorConfig,
        id: ConversationId,
        body: &str,
        event_id: &OwnedEventId,
        txns: &Txns,
    ) -> Result<(), PostError> {
        let c = self.app.read_store(move |s| layout::conversation(s, id)).await??;
        if !c.is_some_and(|c| s.watches(&c.queue)) {
            let lang = self.lang_of(s.user.as_str());
            return answer(room, txns, &lang.t("supervisor-not-your-queue-note")).await;
        }
        let author = AgentId::new(s.user.to_string());
        self.add_note(room, author, id, body, event_id, true).await
    }
}
