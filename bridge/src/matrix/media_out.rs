//! An agent's picture or file in a conversation room, sent to the customer
//! as MMS. Checked before anything is fetched (the entry point and carrier
//! can send media, the declared type and size pass `media::policy`),
//! downloaded from the homeserver (authenticated media), checked again on
//! what arrived, kept durably under an unguessable token
//! (`media::outgoing`), and only then handed to the engine as one reply
//! whose body is the caption. Any refusal is one notice in the room and
//! nothing reaches the customer: never a caption without its picture.

use matrix_sdk::media::{MediaFormat, MediaRequestParameters};
use matrix_sdk::room::Room;
use matrix_sdk::ruma::events::room::MediaSource;
use smsdesk_core::setup::EntryKind;
use smsdesk_core::{AgentId, Command, ConversationId};

use super::send::{self, PostError, Txns};
use super::store::ReplyRef;
use super::{notices, Bot};
use crate::media::policy;

/// A picture or file an agent posted, as the Matrix event described it.
#[derive(Clone, Debug)]
pub struct Attachment {
    pub source: MediaSource,
    /// The declared content type (`info.mimetype`), if any.
    pub mimetype: Option<String>,
    /// The declared size (`info.size`), if any.
    pub size: Option<u64>,
    pub name: String,
    /// The text sent with it (MSC2530: a `body` that is not the file name).
    pub caption: String,
}

impl PartialEq for Attachment {
    fn eq(&self, other: &Self) -> bool {
        // `MediaSource` has no equality of its own; its debug form is exact.
        format!("{self:?}") == format!("{other:?}")
    }
}

impl Eq for Attachment {}

impl Bot {
    /// Sends `attachment` as an MMS reply in conversation `id`, or says in
    /// `room` why not.
    pub(super) async fn relay_attachment(
        &self,
        room: &Room,
        agent: AgentId,
        id: ConversationId,
        attachment: Attachment,
        reference: ReplyRef,
        txns: &Txns,
    ) -> Result<(), PostError> {
        let refuse = |why: String| async move {
            self.app.metrics.media("agent_refused");
            // A homeserver's or a store's error may quote a number.
            let text = self.shown_text(&notices::attachment_refused(&why));
            send::notice(room, &text, Some(txns.part("answer"))).await?;
            Ok(())
        };
        if let Err(why) = self.can_send_media(id).await? {
            return refuse(why).await;
        }
        // A client that sends no type: the file name's extension says it.
        let declared = attachment
            .mimetype
            .as_deref()
            .or_else(|| policy::type_of_name(&attachment.name))
            .unwrap_or_default();
        let (content_type, _, ext) = match policy::check_type(declared) {
            Ok(t) => t,
            Err(why) => return refuse(why).await,
        };
        if let Some(Err(why)) = attachment.size.map(policy::check_size) {
            return refuse(why).await;
        }
        let request = MediaRequestParameters {
            source: attachment.source.clone(),
            format: MediaFormat::File,
        };
        let bytes = match self.client.media().get_media_content(&request, false).await {
            Ok(b) => b,
            Err(error) => {
                return refuse(format!(
                    "the picture could not be downloaded from the homeserver ({error})"
                ))
                .await
            }
        };
        if let Err(why) = policy::check_size(bytes.len() as u64) {
            return refuse(why).await;
        }
        let name = if attachment.name.trim().is_empty() {
            format!("attachment.{ext}")
        } else {
            attachment.name.clone()
        };
        let store = self.app.media.clone();
        let expires = smsdesk_core::Timestamp::now().plus(self.app.config.media_lifetime).0;
        let kept = tokio::task::spawn_blocking(move || store.put(&bytes, &content_type, &name, expires)).await;
        let token = match kept {
            Ok(Ok(token)) => token,
            Ok(Err(error)) => return refuse(format!("smsdesk could not keep the picture ({error})")).await,
            Err(error) => return refuse(format!("smsdesk could not keep the picture ({error})")).await,
        };
        self.app.metrics.media("agent_kept");
        let reply = Command::Reply {
            agent,
            conversation: id,
            body: attachment.caption,
            reference: Some(reference.to_reference()),
            media: vec![token],
        };
        if let Err(rejection) = self.app.execute(reply).await.map_err(PostError::retry)? {
            send::notice(
                room,
                &self.shown_text(&notices::reply_refused(&rejection)),
                Some(txns.part("answer")),
            )
            .await?;
        }
        Ok(())
    }

    /// Whether conversation `id` can send pictures: not from a short code,
    /// and through a carrier whose plugin can send media (interface 0.2.0 on).
    async fn can_send_media(&self, id: ConversationId) -> Result<Result<(), String>, PostError> {
        let Some(c) = self
            .app
            .read(move |e| smsdesk_core::store::layout::conversation(e.store(), id))
            .await??
        else {
            return Ok(Err(format!("conversation #{id} is not known")));
        };
        let entry = self.app.config.entry_points.iter().find(|e| e.entry.number == c.entry);
        if entry.is_some_and(|e| e.entry.kind == EntryKind::ShortCode) {
            return Ok(Err(format!(
                "{} is a short code, which cannot send pictures or files (MMS)",
                c.entry
            )));
        }
        match self.app.carriers.get(c.carrier.as_str()) {
            None => Ok(Err(format!("carrier {} is no longer configured", c.carrier))),
            Some(w) if w.get().info().version == "0.1.0" => Ok(Err(format!(
                "carrier {}'s plugin is built for interface 0.1.0, which cannot send pictures; rebuild it for {}",
                c.carrier,
                smsdesk_plugins::INTERFACE_VERSION
            ))),
            Some(_) => Ok(Ok(())),
        }
    }
}
