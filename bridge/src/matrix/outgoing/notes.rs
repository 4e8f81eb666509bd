//! A note shown: the engine kept an internal note (`incoming::notes`). The
//! agent's own message in the room is the note, so the bot confirms it
//! quietly, with a 📝 reaction on it (no message, no sound); a note from
//! elsewhere (no message of its own in the room) is shown as a notice.
//! When a conversation changes hands in its room, the new owner is shown
//! the notes so far (they may not see the room's past).

use std::sync::Arc;

use matrix_sdk::room::Room;
use smsdesk_core::{ConversationId, Event, EventRecord};
use smsdesk_engine::store::layout;

use crate::matrix::outgoing::send::{self, PostError, Txns};
use crate::matrix::store::ReplyRef;
use crate::matrix::{texts::notices, Bot};
use crate::tr;

impl Bot {
    pub(in crate::matrix) async fn show_note(
        self: &Arc<Self>,
        record: &EventRecord,
        txns: &Txns,
    ) -> Result<(), PostError> {
        let Event::NoteAdded {
            conversation,
            author,
            body,
            reference,
        } = &record.event
        else {
            return Ok(());
        };
        let Some(room) = self.conversation_room(*conversation)? else {
            return Ok(());
        };
        match reference.as_deref().and_then(ReplyRef::parse) {
            Some(r) if r.room == room.room_id() => {
                send::react(&room, r.event, notices::NOTED, txns.part("noted")).await?;
            }
            _ => {
                let lang = self.room_lang(*conversation).await?;
                let line = notices::note_line(&lang, author.as_str(), body);
                send::notice(&room, line.as_str(), Some(txns.part("note"))).await?;
            }
        }
        Ok(())
    }

    /// The notes of conversation `id` before event `upto`, as notices for
    /// a new owner; nothing when there are none.
    pub(in crate::matrix) async fn post_notes(
        &self,
        room: &Room,
        id: ConversationId,
        upto: u64,
        txns: &Txns,
    ) -> Result<(), PostError> {
        let history = self.app.read_store(move |s| layout::history(s, id)).await??;
        let lang = self.room_lang(id).await?;
        let lines: Vec<String> = history
            .iter()
            .filter(|r| r.seq < upto && matches!(r.event, Event::NoteAdded { .. }))
            .filter_map(|r| notices::history_line(&lang, &r.event))
            .collect();
        if lines.is_empty() {
            return Ok(());
        }
        let header = tr!(lang, "notes-so-far", id = id.to_string());
        let texts = notices::chunked(
            header,
            &tr!(lang, "notes-continued", id = id.to_string()),
            &lines,
            notices::HISTORY_NOTICE_BYTES,
        );
        for (i, text) in texts.iter().enumerate() {
            send::notice(room, text.as_str(), Some(txns.part(&format!("notes.{i}")))).await?;
        }
        Ok(())
    }
}
