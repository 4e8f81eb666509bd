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
use crate::i18n::Lang;
use crate::matrix::outgoing::send::{self, PostError, Txns};
use crate::matrix::store::RoomRole;
use crate::matrix::texts::refusals::phase;
use crate::matrix::texts::rich::Text;
use crate::matrix::Bot;
use crate::tr;

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
            let lang = self.lang_of(s.user.as_str());
            request.name = Some(lang.t("supervisor-room-name"));
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
            let welcome = tr!(
                lang,
                "supervisor-welcome",
                watched = watched(&lang, s),
                help = commands::help(&lang)
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
        let lang = self.lang_of(supervisor.user.as_str());
        let answers: Vec<Text> = match commands::parse(body, &lang) {
            Err(why) => vec![Text::from(why.to_string())],
            Ok(SupervisorCommand::Language { tag }) => {
                vec![Text::from(
                    self.language_answer(supervisor.user.as_str(), tag.as_deref()),
                )]
            }
            Ok(command) => self.supervisor_command(supervisor, &lang, command).await?,
        };
        for (i, text) in answers.into_iter().enumerate() {
            send::notice(room, text, Some(txns.part(&format!("answer.{i}")))).await?;
        }
        Ok(())
    }

    async fn supervisor_command(
        &self,
        s: &SupervisorConfig,
        lang: &Lang,
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
            SupervisorCommand::Help | SupervisorCommand::Language { .. } => vec![Text::listing(commands::help(lang))],
            SupervisorCommand::Stats { queue } => {
                let shown: Vec<QueueName> = match &queue {
                    Some(q) if queues.iter().any(|w| w.as_str() == q) => vec![QueueName::from(q.as_str())],
                    Some(q) => {
                        return Ok(vec![Text::from(tr!(
                            lang,
                            "supervisor-not-watched-queue",
                            queue = q.as_str(),
                            queues = names(&queues)
                        ))])
                    }
                    None => queues,
                };
                let figures = self
                    .app
                    .read(move |e| smsdesk_core::figures::all(e.state(), Some(&shown), now))
                    .await?;
                vec![answers::stats(lang, &figures)]
            }
            SupervisorCommand::Agents { filter } => {
                let filter = (!filter.is_empty()).then(|| filter.join(" "));
                let lang = lang.clone();
                vec![
                    self.app
                        .read(move |e| answers::agents(&lang, e.state(), &queues, filter.as_deref(), now))
                        .await?,
                ]
            }
            SupervisorCommand::History { target } => self.history(lang, &queues, &target).await?,
            SupervisorCommand::Monitor { id } => vec![self.monitor(s, lang, &queues, ConversationId(id)).await?],
            SupervisorCommand::Canned { queue } => {
                let queues: Vec<QueueName> = queues
                    .into_iter()
                    .filter(|q| queue.as_deref().is_none_or(|w| w == q.as_str()))
                    .collect();
                vec![Text::listing(answers::canned(lang, &self.app.config.canned, &queues))]
            }
        })
    }

    /// `!history`: a conversation by number, or a customer's latest three.
    async fn history(&self, lang: &Lang, queues: &[QueueName], target: &str) -> Result<Vec<Text>, PostError> {
        let target = target.trim_start_matches('#');
        let ids: Vec<ConversationId> = match target.parse::<u64>() {
            Ok(n) if !target.starts_with('+') => vec![ConversationId(n)],
            _ => {
                let customer = CustomerNumber::from(target);
                let mut ids = self
                    .app
                    .read_store(move |s| layout::conversations_of(s, &customer))
                    .await??;
                ids.reverse();
                ids.truncate(3);
                ids
            }
        };
        let mut out = Vec::new();
        for id in ids {
            let found = self.app.read(move |e| crate::export::transcript(e, id)).await??;
            match found {
                (Some(c), records, zone) if queues.contains(&c.queue) => {
                    let zone = zone.unwrap_or(jiff::tz::TimeZone::UTC);
                    out.extend(answers::history(lang, &c, &records, &zone).into_iter().map(Text::from));
                }
                (Some(c), _, _) => out.push(Text::from(not_watched(lang, id, &c.queue))),
                (None, _, _) => {}
            }
        }
        if out.is_empty() {
            out.push(Text::from(tr!(
                lang,
                "supervisor-no-such-history",
                target = target,
                queues = names(queues)
            )));
        }
        Ok(out)
    }

    /// `!monitor`: invites the supervisor to the conversation's room.
    async fn monitor(
        &self,
        s: &SupervisorConfig,
        lang: &Lang,
        queues: &[QueueName],
        id: ConversationId,
    ) -> Result<Text, PostError> {
        let c = self.app.read_store(move |s| layout::conversation(s, id)).await??;
        let Some(c) = c else {
            return Ok(Text::from(tr!(lang, "supervisor-no-conversation", id = id.to_string())));
        };
        if !queues.contains(&c.queue) {
            return Ok(Text::from(not_watched(lang, id, &c.queue)));
        }
        let Some(room) = self.conversation_room(id)? else {
            return Ok(Text::from(tr!(
                lang,
                "supervisor-no-room",
                id = id.to_string(),
                phase = phase(lang, c.phase.label())
            )));
        };
        if let Err(error) = room.invite_user_by_id(&s.user).await {
            tracing::debug!(supervisor = %s.user, %error, "cannot invite a supervisor (already in the room?)");
        }
        Ok(Text::from(tr!(
            lang,
            "supervisor-invited",
            id = id.to_string(),
            customer = c.customer.to_string(),
            queue = c.queue.to_string()
        )))
    }
}

fn names(queues: &[QueueName]) -> String {
    queues.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

fn watched(lang: &Lang, s: &SupervisorConfig) -> String {
    if s.queues.is_empty() {
        lang.t("supervisor-watches-all")
    } else {
        tr!(lang, "supervisor-watches", queues = names(&s.queues))
    }
}

fn not_watched(lang: &Lang, id: ConversationId, queue: &QueueName) -> String {
    tr!(
        lang,
        "supervisor-not-watched-conversation",
        id = id.to_string(),
        queue = queue.to_string()
    )
}
