//! Internal notes: what agents (and supervisors who watch the queue)
//! write to each other about a conversation. A note is never sent to the
//! customer; it is kept in the conversation's history with its author.

use crate::event::Event;
use crate::ids::{AgentId, ConversationId};
use crate::rejection::Rejection;
use crate::setup::MAX_NOTE_CHARS;
use crate::state::State;

use super::conversation;

pub(super) fn add(
    state: &State,
    author: &AgentId,
    id: ConversationId,
    body: &str,
    reference: Option<&str>,
    supervisor: bool,
) -> Result<Vec<Event>, Rejection> {
    let c = conversation(state, id)?;
    // The same note handed in again (a front end replaying after a crash).
    if reference.is_some_and(|r| c.note_refs.contains(r)) {
        return Ok(Vec::new());
    }
    let holds = c.phase.holders().contains(&author) || c.phase.owner() == Some(author);
    if !holds && !supervisor {
        return Err(Rejection::NotYourConversation(id));
    }
    let body = body.trim();
    if body.is_empty() {
        return Err(Rejection::EmptyNote);
    }
    let chars = body.chars().count();
    if chars > MAX_NOTE_CHARS {
        return Err(Rejection::NoteTooLong { chars });
    }
    Ok(vec![Event::NoteAdded {
        conversation: id,
        author: author.clone(),
        body: body.to_owned(),
        reference: reference.map(str::to_owned),
    }])
}
