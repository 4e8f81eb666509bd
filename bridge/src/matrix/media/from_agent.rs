//! An agent's picture or file in a conversation room, sent to the customer
//! as MMS. Checked before anything is fetched (the agent may write in this
//! conversation now, the entry point and carrier can send media, the
//! declared type and size pass `media::policy`), downloaded from the
//! homeserver (`media::download`: authenticated media, never past the 5 MB
//! cap, however large the file is or says it is; an encrypted room's file
//! then decrypted with its key and checked against its hash), kept durably under an unguessable token
//! (`media::outgoing`), and only then handed to the engine as one reply
//! whose body is the caption. Any refusal is one notice in the room and
//! nothing reaches the customer: never a caption without its picture.

use matrix_sdk::room::Room;
use matrix_sdk::ruma::events::room::MediaSource;
use smsdesk_core::setup::EntryKind;
use smsdesk_core::{AgentId, Command, ConversationId};

use crate::i18n::Lang;
use crate::matrix::media::download;
use crate::matrix::outgoing::send::{self, PostError, Txns};
use crate::matrix::store::ReplyRef;
use crate::matrix::{texts::notices, Bot};
use crate::media::policy;
use crate::tr;

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
    pub(in crate::matrix) async fn relay_attachment(
        &self,
        room: &Room,
        agent: AgentId,
        id: ConversationId,
        attachment: Attachment,
        reference: ReplyRef,
        txns: &Txns,
    ) -> Result<(), PostError> {
        let lang = self.lang_of(agent.as_str());
        let lang = &lang;
        let refuse = |why: String| async move {
            self.app.metrics.media("agent_refused");
            // A homeserver's or a store's error may quote a number.
            let text = self.shown_text(&notices::attachment_refused(lang, &why));
            send::notice(room, &text, Some(txns.part("answer"))).await?;
            Ok(())
        };
        // Everything that can refuse the file is decided before any byte
        // of it is downloaded: whose conversation, which file, what size.
        if let Err(why) = self.may_send_media(&agent, id).await? {
            return refuse(why.text(lang)).await;
        }
        // An encrypted room's file: downloaded (the cap holds for the
        // ciphertext, which is as long), then decrypted with its key.
        let (mxc, key) = match &attachment.source {
            MediaSource::Plain(mxc) => (mxc, None),
            MediaSource::Encrypted(file) => (&file.url, Some(file)),
        };
        // A client that sends no type: the file name's extension says it.
        let declared = attachment
            .mimetype
            .as_deref()
            .or_else(|| policy::type_of_name(&attachment.name))
            .unwrap_or_default();
        let (content_type, _, ext) = match policy::check_type(declared) {
            Ok(t) => t,
            Err(why) => return refuse(why.text(lang)).await,
        };
        if let Some(Err(why)) = attachment.size.map(policy::check_size) {
            return refuse(why.text(lang)).await;
        }
        let Some(token) = self.client.access_token() else {
            return refuse(lang.t("media-not-signed-in")).await;
        };
        let homeserver = self.client.homeserver();
        let bytes = match download::download(&self.http, &homeserver, &token, mxc, policy::MAX_BYTES).await {
            Ok(b) => b,
            Err(error) => return refuse(error.text(lang)).await,
        };
        let bytes = match key {
            None => bytes,
            Some(file) => match download::decrypt(bytes, file) {
                Ok(clear) => clear,
                Err(error) => return refuse(error.text(lang)).await,
            },
        };
        let name = if attachment.name.trim().is_empty() {
            format!("attachment.{ext}")
        } else {
            attachment.name.clone()
        };
        let store = self.app.media.clone();
        let expires = smsdesk_engine::clock::now().plus(self.app.config.media_lifetime).0;
        let kept = tokio::task::spawn_blocking(move || store.put(&bytes, &content_type, &name, expires)).await;
        let token = match kept {
            Ok(Ok(token)) => token,
            Ok(Err(error)) => return refuse(tr!(lang, "media-not-kept", error = error.to_string())).await,
            Err(error) => return refuse(tr!(lang, "media-not-kept", error = error.to_string())).await,
        };
        self.app.metrics.media("agent_kept");
        let reply = Command::Reply {
            agent,
            conversation: id,
            body: attachment.caption,
            reference: Some(reference.to_reference()),
            media: vec![token],
            canned: None,
        };
        if let Err(rejection) = self.app.execute(reply).await.map_err(PostError::retry)? {
            send::notice(
                room,
                &self.shown_text(&notices::reply_refused(lang, &rejection)),
                Some(txns.part("answer")),
            )
            .await?;
        }
        Ok(())
    }

    /// Whether `agent` can send pictures in conversation `id`: one they may
    /// write in now (its owner, or a conference agent who joined), not from
    /// a short code, and through a carrier whose plugin can send media
    /// (interface 0.2.0 on).
    async fn may_send_media(
        &self,
        agent: &AgentId,
        id: ConversationId,
    ) -> Result<Result<(), MediaNotAllowed>, PostError> {
        let Some(c) = self
            .app
            .read_store(move |s| smsdesk_engine::store::layout::conversation(s, id))
            .await??
        else {
            return Ok(Err(MediaNotAllowed::Unknown { id }));
        };
        if !c.may_write(agent) {
            return Ok(Err(MediaNotAllowed::NotYours { id }));
        }
        let entry = self.app.config.entry_points.iter().find(|e| e.entry.number == c.entry);
        if entry.is_some_and(|e| e.entry.kind == EntryKind::ShortCode) {
            return Ok(Err(MediaNotAllowed::ShortCode { entry: c.entry }));
        }
        match self.app.carriers.get(c.carrier.as_str()) {
            None => Ok(Err(MediaNotAllowed::CarrierGone { carrier: c.carrier })),
            Some(w) if w.get().info().version == "0.1.0" => Ok(Err(MediaNotAllowed::OldPlugin { carrier: c.carrier })),
            Some(_) => Ok(Ok(())),
        }
    }
}

/// Why an agent may not send an attachment in a conversation (see
/// `may_send_media`); the text is the agent's notice.
#[derive(Debug, thiserror::Error)]
enum MediaNotAllowed {
    #[error("conversation #{id} is not known")]
    Unknown { id: ConversationId },
    #[error("conversation #{id} is not yours to write in now (only its owner, or a conference agent who joined)")]
    NotYours { id: ConversationId },
    #[error("{entry} is a short code, which cannot send pictures or files (MMS)")]
    ShortCode { entry: smsdesk_core::EntryNumber },
    #[error("carrier {carrier} is no longer configured")]
    CarrierGone { carrier: smsdesk_core::CarrierName },
    #[error(
        "carrier {carrier}'s plugin is built for interface 0.1.0, which cannot send pictures; rebuild it for {}",
        smsdesk_plugins::INTERFACE_VERSION
    )]
    OldPlugin { carrier: smsdesk_core::CarrierName },
}

impl MediaNotAllowed {
    /// Why, for the agent, in `lang`.
    fn text(&self, lang: &Lang) -> String {
        match self {
            Self::Unknown { id } => tr!(lang, "media-unknown-conversation", id = id.to_string()),
            Self::NotYours { id } => tr!(lang, "media-not-yours", id = id.to_string()),
            Self::ShortCode { entry } => tr!(lang, "media-short-code", entry = entry.to_string()),
            Self::CarrierGone { carrier } => tr!(lang, "media-carrier-gone", carrier = carrier.to_string()),
            Self::OldPlugin { carrier } => tr!(
                lang,
                "media-old-plugin",
                carrier = carrier.to_string(),
                version = smsdesk_plugins::INTERFACE_VERSION
            ),
        }
    }
}
