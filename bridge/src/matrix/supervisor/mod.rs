//! Supervisor rooms (docs/supervisor-guide.md): one direct room with the bot per
//! `[[supervisors]]` entry, created at start and checked every 30 s like
//! desk rooms. Commands there (`commands`): `!stats [queue]`, `!agents
//! [filter]`, `!history <customer | id>`, `!monitor <id>`, `!help`;
//! answers are tables or transcripts (`answers`), one answer per message.
//! A supervisor sees only the queues they watch (all if none are listed).
//!
//! `!monitor` invites the supervisor to a conversation's room; what they
//! write there is never relayed (`inbound` asks `is_supervisor`), and the
//! room is told so the first time they write.

pub mod answers;
mod commands;

use matrix_sdk::room::Room;
use matrix_sdk::ruma::api::client::room::create_room::v3::{Request as CreateRoomRequest, RoomPreset};
use matrix_sdk::ruma::OwnedEventId;
use smsdesk_core::{ConversationId, CustomerNumber, QueueName};
use smsdesk_engine::store::layout;

use self::commands::SupervisorCommand;
use crate::config::SupervisorConfig;
use crate::matrix::outgoing::send::{self, PostError, Txns};
use crate::matrix::store::RoomRole;
use crate::matrix::texts::rich::Text;
use crate::matrix::Bot;

/// What a supervisor who writes in a conversation room is told (once per room).
pub const NOT_RELAYED: &str =
    "You are monitoring this conversation as a supervisor: what you write here stays in this room and never reaches the customer.";

impl Bot {
    /// The `[[supervisors]]` entry of `user`, if any.
    pub(super) fn supervisor(&self, user: &str) -> Option<&SupervisorConfig> {
        self.app.config.supervisors.iter().find(|s| s.user.as_str() == user)
    }

    /// Creates the supervisor rooms that are missing.
    pub(super) async fn ensure_supervisor_rooms(&self) {
        for s in &self.app.config.supervisors {
            if matches!(self.store.supervisor_room(s.user.as_str()), Ok(Some(r)) if self.room(&r).is_some()) {
                continue;
            }
            let mut request = CreateRoomRequest::new();
            request.invite = vec![s.user.clone()];
            request.is_direct = true;
            request.preset = Some(RoomPreset::PrivateChat);
            request.power_level_content_override = Some(crate::matrix::rooms::guard::power_levels());
            request.initial_state = self.initial_state(&RoomRole::Supervisor(s.user.to_string()), None);
            request.name = Some("smsdesk supervisor".to_owned());
            let room = match self.client.create_room(request).await {
                Ok(room) => room,
                Err(error) => {
                    tracing::warn!(supervisor = %s.user, %error, "cannot create the supervisor room yet");
                    continue;
                }
            };
            self.store.set_supervisor_room(s.user.as_str(), room.room_id());
            if let Err(error) = self.store.flush().await {
                tracing::error!(supervisor = %s.user, %error, "cannot save the new supervisor room");
            }
            let room = self.just_made(room).await;
            let welcome = format!(
                "Hello! This is your smsdesk supervisor room, for {}. {}",
                watched(s),
                commands::help()
            );
            if let Err(error) = send::notice(&room, Text::listing(welcome), None).await {
                tracing::warn!(supervisor = %s.user, %error, "cannot greet in the new supervisor room");
            }
            tracing::info!(supervisor = %s.user, room = %room.room_id(), "supervisor room created");
        }
    }

    /// A message from the supervisor in their room: one answer.
    pub(super) async fn supervisor_message(
        &self,
        room: &Room,
        supervisor: &SupervisorConfig,
        body: &str,
        event: &OwnedEventId,
    ) -> Result<(), PostError> {
        let txns = Txns::for_answer(event);
        let answers: Vec<Text> = match commands::parse(body) {
            Err(why) => vec![Text::from(why.to_string())],
            Ok(command) => self.supervisor_command(supervisor, command).await?,
        };
        for (i, text) in answers.into_iter().enumerate() {
            send::notice(room, text, Some(txns.part(&format!("answer.{i}")))).await?;
        }
        Ok(())
    }

    async fn supervisor_command(
        &self,
        s: &SupervisorConfig,
        command: SupervisorCommand,
    ) -> Result<Vec<Text>, PostError> {
        let queues: Vec<QueueName> = self
            .app
            .config
            .queues
            .iter()
            .map(|q| q.setup.name.clone())
            .filter(|q| s.watches(q))
            .collect();
        let now = smsdesk_engine::clock::now();
        Ok(match command {
            SupervisorCommand::Help => vec![Text::listing(commands::help())],
            SupervisorCommand::Stats { queue } => {
                let shown: Vec<QueueName> = match &queue {
                    Some(q) if queues.iter().any(|w| w.as_str() == q) => vec![QueueName::from(q.as_str())],
                    Some(q) => {
                        return Ok(vec![Text::from(format!(
                            "You do not watch a queue {q:?}; your queues: {}",
                            names(&queues)
                        ))])
                    }
                    None => queues,
                };
                let figures = self
                    .app
                    .read(move |e| smsdesk_core::figures::all(e.state(), Some(&shown), now))
                    .await?;
                vec![answers::stats(&figures)]
            }
            SupervisorCommand::Agents { filter } => {
                let filter = (!filter.is_empty()).then(|| filter.join(" "));
                vec![
                    self.app
                        .read(move |e| answers::agents(e.state(), &queues, filter.as_deref(), now))
                        .await?,
                ]
            }
            SupervisorCommand::History { target } => self.history(&queues, &target).await?,
            SupervisorCommand::Monitor { id } => vec![self.monitor(s, &queues, ConversationId(id)).await?],
            SupervisorCommand::Canned { queue } => {
                let queues: Vec<QueueName> = queues
                    .into_iter()
                    .filter(|q| queue.as_deref().is_none_or(|w| w == q.as_str()))
                    .collect();
                vec![Text::listing(answers::canned(&self.app.config.canned, &queues))]
            }
        })
    }

    /// `!history`: a conversation by number, or a customer's latest three.
    async fn history(&self, queues: &[QueueName], target: &str) -> Result<Vec<Text>, PostError> {
        let target = target.trim_start_matches('#');
        let ids: Vec<ConversationId> = match target.parse::<u64>() {
            Ok(n) if !target.starts_with('+') => vec![ConversationId(n)],
            _ => {
                let customer = CustomerNumber::from(target);
                let mut ids = self
                    .app
                    .read(move |e| layout::conversations_of(e.store(), &customer))
                    .await??;
                ids.reverse();
                ids.truncate(3);
                ids
            }
        };
        let mut out = Vec::new();
        for id in ids {
            let found = self
                .app
                .read(move |e| {
                    let c = layout::conversation(e.store(), id)?;
                    let records = layout::history(e.store(), id)?;
                    let zone = c
                        .as_ref()
                        .and_then(|c| e.state().setup.queue(&c.queue))
                        .map(|q| q.timezone.clone());
                    Ok::<_, smsdesk_engine::store::StoreError>((c, records, zone))
                })
                .await??;
            match found {
                (Some(c), records, zone) if queues.contains(&c.queue) => {
                    let zone = zone.unwrap_or(jiff::tz::TimeZone::UTC);
                    out.extend(answers::history(&c, &records, &zone).into_iter().map(Text::from));
                }
                (Some(c), _, _) => out.push(Text::from(format!(
                    "Conversation #{id} is in queue {}, which you do not watch.",
                    c.queue
                ))),
                (None, _, _) => {}
            }
        }
        if out.is_empty() {
            out.push(Text::from(format!(
                "No conversation {target:?} in your queues ({}). Give a conversation number or a customer's number like +15557770001.",
                names(queues)
            )));
        }
        Ok(out)
    }

    /// `!monitor`: invites the supervisor to the conversation's room.
    async fn monitor(&self, s: &SupervisorConfig, queues: &[QueueName], id: ConversationId) -> Result<Text, PostError> {
        let c = self.app.read(move |e| layout::conversation(e.store(), id)).await??;
        let Some(c) = c else {
            return Ok(Text::from(format!("There is no conversation #{id}.")));
        };
        if !queues.contains(&c.queue) {
            return Ok(Text::from(format!(
                "Conversation #{id} is in queue {}, which you do not watch.",
                c.queue
            )));
        }
        let Some(room) = self.conversation_room(id)? else {
            return Ok(Text::from(format!(
                "Conversation #{id} has no room (it is {}): a room exists from the first accept until it is closed.",
                c.phase.label()
            )));
        };
        if let Err(error) = room.invite_user_by_id(&s.user).await {
            tracing::debug!(supervisor = %s.user, %error, "cannot invite a supervisor (already in the room?)");
        }
        Ok(Text::from(format!(
            "Invited you to conversation #{id} ({}, queue {}). What you write there never reaches the customer.",
            c.customer, c.queue
        )))
    }
}

fn names(queues: &[QueueName]) -> String {
    queues.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

fn watched(s: &SupervisorConfig) -> String {
    if s.queues.is_empty() {
        "all queues".to_owned()
    } else {
        format!("queues {}", names(&s.queues))
    }
}
