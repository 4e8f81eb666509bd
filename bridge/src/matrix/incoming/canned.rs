//! Canned replies (`[[canned]]`): `!canned [filter]` lists those of the
//! conversation's queue, filled in for this customer and agent, with their
//! SMS segment count and a number button each; `!c <name>` or a press on
//! a number sends one. What is sent is shown to the agent first, as a
//! notice quoting the exact text, and that notice carries the reply's
//! delivery reactions as a typed reply does; a refused one is edited to
//! say why. The engine records which canned reply it was (the export).

use matrix_sdk::room::Room;
use smsdesk_core::{AgentId, Command, ConversationId};
use smsdesk_engine::store::layout;

use super::inbound::answer;
use crate::config::canned::Filling;
use crate::matrix::outgoing::send::{self, PostError, Txns};
use crate::matrix::store::ReplyRef;
use crate::matrix::texts::buttons::{Button, NUMBERS};
use crate::matrix::texts::rich::Text;
use crate::matrix::{texts::notices, Bot};

impl Bot {
    /// Conversation `id`'s canned replies for `agent` (name and filled
    /// text), those matching `filter`; `None` if the conversation is gone.
    async fn canned_for(
        &self,
        agent: &AgentId,
        id: ConversationId,
        filter: Option<&str>,
    ) -> Result<Option<Vec<(String, String)>>, PostError> {
        let Some(c) = self.app.read_store(move |s| layout::conversation(s, id)).await?? else {
            return Ok(None);
        };
        let agent_name = self.app.config.agent(agent).map_or(agent.as_str(), |a| a.name());
        let entry = c.entry.to_string();
        let fill = Filling {
            customer_first_name: Filling::first_name(&c.fields),
            agent: agent_name,
            queue: c.queue.as_str(),
            entry: &entry,
        };
        let filter = filter.map(str::to_lowercase);
        Ok(Some(
            self.app
                .config
                .canned
                .iter()
                .filter(|k| k.for_queue(&c.queue))
                .map(|k| (k.name.clone(), self.shown_about(c.customer.as_str(), &k.render(&fill))))
                .filter(|(name, text)| {
                    filter
                        .as_deref()
                        .is_none_or(|f| name.to_lowercase().contains(f) || text.to_lowercase().contains(f))
                })
                .collect(),
        ))
    }

    /// `!canned [filter]`: the list, with a number button per entry (ten at most).
    pub(super) async fn list_canned(
        &self,
        room: &Room,
        agent: &AgentId,
        id: ConversationId,
        filter: Option<&str>,
        txns: &Txns,
    ) -> Result<(), PostError> {
        let Some(choices) = self.canned_for(agent, id, filter).await? else {
            return answer(
                room,
                txns,
                notices::command_refused(
                    &self.lang_of(agent.as_str()),
                    &smsdesk_core::Rejection::UnknownConversation(id),
                ),
            )
            .await;
        };
        if choices.is_empty() {
            return answer(room, txns, notices::no_canned(&self.lang_of(agent.as_str()), filter)).await;
        }
        let list = Text::listing(notices::canned_list(&self.lang_of(agent.as_str()), &choices));
        let event = send::notice(room, list, Some(txns.part("answer"))).await?;
        let button = Button::Canned {
            conversation: id,
            agent: agent.clone(),
            choices: choices.iter().take(NUMBERS.len()).cloned().collect(),
        };
        let keys = &NUMBERS[..choices.len().min(NUMBERS.len())];
        self.add_buttons(room, &event, &button, keys, &txns.part("numbers"))
            .await
    }

    /// `!c <name>`: that canned reply, if this conversation has it.
    pub(super) async fn send_canned_by_name(
        &self,
        room: &Room,
        agent: AgentId,
        id: ConversationId,
        name: &str,
        txns: &Txns,
    ) -> Result<(), PostError> {
        let choices = self.canned_for(&agent, id, None).await?.unwrap_or_default();
        let Some((name, text)) = choices.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) else {
            let names: Vec<&str> = choices.iter().map(|(n, _)| n.as_str()).collect();
            return answer(
                room,
                txns,
                notices::unknown_canned(&self.lang_of(agent.as_str()), name, &names),
            )
            .await;
        };
        self.send_canned(room, agent, id, (name, text), txns).await
    }

    /// Sends `text` (canned reply `name`): shown first, then replied with
    /// that notice as the reply's place (its delivery reactions land there).
    pub(in crate::matrix) async fn send_canned(
        &self,
        room: &Room,
        agent: AgentId,
        id: ConversationId,
        (name, text): (&str, &str),
        txns: &Txns,
    ) -> Result<(), PostError> {
        let lang = self.lang_of(agent.as_str());
        let shown = send::notice(
            room,
            notices::canned_sending(&lang, name, text),
            Some(txns.part("canned")),
        )
        .await?;
        let reply = Command::Reply {
            agent,
            conversation: id,
            body: text.to_owned(),
            reference: Some(
                ReplyRef {
                    room: room.room_id().to_owned(),
                    event: shown.clone(),
                }
                .to_reference(),
            ),
            media: Vec::new(),
            canned: Some(name.to_owned()),
        };
        if let Err(rejection) = self.app.execute(reply).await.map_err(PostError::retry)? {
            let why = self.shown_text(&notices::reply_refused(&lang, &rejection));
            send::send_edit(
                room,
                shown,
                notices::canned_refused(&lang, name, &why),
                Some(txns.part("canned-refused")),
            )
            .await?;
        }
        Ok(())
    }
}
