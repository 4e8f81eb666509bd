//! A reply an agent sent from the desk page (`/desk`), shown in the
//! conversation room: a notice under the agent's name, which then carries
//! the reply's delivery reactions as the agent's own message would. So
//! whoever follows the conversation in Matrix sees what the desk sent.

use std::sync::Arc;

use smsdesk_core::{Event, EventRecord};

use crate::matrix::outgoing::send::{self, PostError, Txns};
use crate::matrix::store::ReplyRef;
use crate::matrix::Bot;
use crate::tr;

impl Bot {
    pub(in crate::matrix) async fn echo_desk_reply(
        self: &Arc<Self>,
        record: &EventRecord,
        txns: &Txns,
    ) -> Result<(), PostError> {
        let Event::ReplyAccepted {
            conversation,
            message_id,
            agent,
            body,
            ..
        } = &record.event
        else {
            return Ok(());
        };
        let Some(room) = self.conversation_room(*conversation)? else {
            return Ok(());
        };
        let name = self.app.config.agent(agent).map_or(agent.as_str(), |a| a.name());
        let lang = self.room_lang(*conversation).await?;
        let line = tr!(lang, "from-desk", name = name, body = body.as_str());
        let event = send::notice(&room, line.as_str(), Some(txns.part("desk-reply"))).await?;
        let reply = ReplyRef {
            room: room.room_id().to_owned(),
            event,
        };
        self.store.set_reply_event(*message_id, &reply);
        Ok(())
    }
}
