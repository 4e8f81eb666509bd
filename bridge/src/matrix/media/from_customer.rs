//! A customer's attachments (MMS) in the conversation room: each is
//! fetched from the carrier (`media::fetch`), uploaded to the homeserver
//! once, and posted as `m.image` (pictures) or `m.file` (PDF, vCard) after
//! the customer's text. Where it was uploaded is remembered
//! (`CustomerMedia`, by event and index), so the history shown to a later
//! owner posts the same pictures again without fetching them. An
//! attachment that cannot be shown (host not allowed, type, size, gone at
//! the carrier) is a notice saying why; the carrier's URL stays in the
//! engine's history either way.
//!
//! Fetching happens off the event feed, so a slow carrier never holds up
//! offers and notices: the feed records a `PendingMedia` (made durable with
//! its cursor) and starts a task of the login; the task posts with the
//! same transaction ids whenever it runs, and removes the record when
//! done. Records left by a crash or a re-login are resumed at start.

use std::sync::Arc;
use std::time::Duration;

use matrix_sdk::room::Room;
use matrix_sdk::ruma::events::room::message::{
    FileInfo, FileMessageEventContent, ImageMessageEventContent, MessageType, RoomMessageEventContent,
};
use matrix_sdk::ruma::events::room::ImageInfo;
use matrix_sdk::ruma::UInt;
use smsdesk_core::InboundSms;

use serde::{Deserialize, Serialize};

use crate::matrix::outgoing::send::{self, PostError, Txns};
use crate::matrix::{texts::notices, Bot};
use crate::media::fetch::{self, FetchError};
use crate::media::Kind;
use crate::tr;

/// Tries per attachment when the carrier fails (not when it refuses).
const FETCH_TRIES: u32 = 4;
const FETCH_BACKOFF: Duration = Duration::from_secs(2);
/// Longest wait between tries when the homeserver cannot take a post.
const POST_BACKOFF_MAX: Duration = Duration::from_secs(60);

/// A customer's attachment as the homeserver holds it (uploaded once, then
/// shown again from here in later history), or why it cannot be shown.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CustomerMedia {
    Uploaded {
        mxc: matrix_sdk::ruma::OwnedMxcUri,
        /// In an encrypted room the file is uploaded encrypted: its key
        /// (and `mxc` is the ciphertext's). Older records have none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<Box<matrix_sdk::ruma::events::room::EncryptedFile>>,
        content_type: String,
        name: String,
        size: u64,
        image: bool,
    },
    Refused {
        why: String,
    },
}

/// Attachments still to be shown in a room: the message (event `seq`),
/// where, and the transaction ids to post them with.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingMedia {
    pub room: matrix_sdk::ruma::OwnedRoomId,
    pub seq: u64,
    pub sms: InboundSms,
    /// The event whose writes these are (`Txns::for_event`), and the part prefix.
    pub txn_seq: u64,
    pub txn_at: smsdesk_core::Timestamp,
    pub prefix: String,
}

fn media_key(seq: u64, k: usize) -> String {
    format!("media/{seq}/{k}")
}

fn pending_key(p: &PendingMedia) -> String {
    format!("media-pending/{:020}/{}", p.txn_seq, p.prefix)
}

impl Bot {
    /// Shows `pending` in the background: recorded first (durable with the
    /// feed's next save), then posted by a task of this login.
    pub(in crate::matrix) fn show_media_later(self: &Arc<Self>, pending: PendingMedia) {
        if pending.sms.media.is_empty() {
            return;
        }
        self.store.put(&pending_key(&pending), &pending);
        let bot = self.clone();
        self.spawn(async move { bot.show_pending(pending).await });
    }

    /// Resumes what a crash or a re-login left to show.
    pub(in crate::matrix) async fn resume_media(self: Arc<Self>) {
        let keys = match self.store.durable_keys("media-pending/") {
            Ok(k) => k,
            Err(error) => {
                tracing::error!(%error, "cannot read the attachments left to show");
                return;
            }
        };
        for key in keys {
            match self.store.get::<PendingMedia>(&key) {
                Ok(Some(p)) => {
                    let bot = self.clone();
                    self.spawn(async move { bot.show_pending(p).await });
                }
                Ok(None) => {}
                Err(error) => tracing::error!(%key, %error, "an attachment left to show cannot be read"),
            }
        }
    }

    /// Posts until done (a homeserver outage waits), then forgets the record.
    async fn show_pending(self: Arc<Self>, p: PendingMedia) {
        let txns = Txns::for_event(&self.app.store_identity, p.txn_seq, p.txn_at);
        let mut backoff = crate::backoff::Backoff::new(FETCH_BACKOFF, POST_BACKOFF_MAX);
        loop {
            let Some(room) = self.room(&p.room) else {
                break; // the bot left the room: the conversation is closed
            };
            match self
                .post_customer_media(&room, (p.seq, p.txn_at), &p.sms, &txns, &p.prefix)
                .await
            {
                Ok(()) => break,
                Err(PostError::Skip(error)) => {
                    tracing::error!(room = %p.room, error = %format!("{error:#}"), "the homeserver refused a customer's attachment; skipping it");
                    break;
                }
                Err(PostError::Retry(error)) => {
                    tracing::warn!(room = %p.room, error = %format!("{error:#}"), ?backoff, "cannot post a customer's attachment yet; will retry");
                    backoff.sleep().await;
                }
            }
        }
        self.store.delete(&pending_key(&p));
        if let Err(error) = self.store.flush().await {
            tracing::warn!(%error, "cannot save that an attachment was shown (it may be shown again, once)");
        }
    }

    /// Posts the attachments of `sms` (shown by event `seq`, at `at`) in
    /// `room`; `part` prefixes the writes' transaction ids.
    pub(in crate::matrix) async fn post_customer_media(
        &self,
        room: &Room,
        (seq, at): (u64, smsdesk_core::Timestamp),
        sms: &InboundSms,
        txns: &Txns,
        part: &str,
    ) -> Result<(), PostError> {
        for (k, url) in sms.media.iter().enumerate() {
            let media = match self.store.get::<CustomerMedia>(&media_key(seq, k))? {
                Some(m) => m,
                None => {
                    let m = self.upload_customer_media(room, sms, url, k + 1).await?;
                    self.store.put(&media_key(seq, k), &m);
                    m
                }
            };
            let txn = txns.part(&format!("{part}media.{k}"));
            match media {
                CustomerMedia::Uploaded {
                    mxc,
                    file,
                    content_type,
                    name,
                    size,
                    image,
                } => {
                    let size = UInt::new(size);
                    // A caption or file name may quote the customer's number.
                    let name = self.shown_about(sms.from.as_str(), &name);
                    let msgtype = if image {
                        let mut info = ImageInfo::new();
                        info.mimetype = Some(content_type);
                        info.size = size;
                        let content = match file {
                            Some(file) => ImageMessageEventContent::encrypted(name, *file),
                            None => ImageMessageEventContent::plain(name, mxc),
                        };
                        MessageType::Image(content.info(Some(Box::new(info))))
                    } else {
                        let mut info = FileInfo::new();
                        info.mimetype = Some(content_type);
                        info.size = size;
                        let content = match file {
                            Some(file) => FileMessageEventContent::encrypted(name, *file),
                            None => FileMessageEventContent::plain(name, mxc),
                        };
                        MessageType::File(content.info(Some(Box::new(info))))
                    };
                    self.customer_posts(room, sms, RoomMessageEventContent::new(msgtype), &txn, at)
                        .await?;
                }
                CustomerMedia::Refused { why } => {
                    let lang = self.language_of_room(room.room_id()).await;
                    let text =
                        self.shown_about(sms.from.as_str(), &notices::customer_media_refused(&lang, k + 1, &why));
                    send::notice(room, &text, Some(txn)).await?;
                }
            }
        }
        Ok(())
    }

    /// Fetches attachment `index` (from 1) and uploads it (encrypted, for an
    /// encrypted `room`: the homeserver never holds it in the clear); a refusal or a
    /// carrier that keeps failing is `Refused` (shown as a notice), a
    /// homeserver that cannot take the upload is retried by the feed.
    async fn upload_customer_media(
        &self,
        room: &Room,
        sms: &InboundSms,
        url: &str,
        index: usize,
    ) -> Result<CustomerMedia, PostError> {
        let Some(carrier) = self.app.config.carriers.iter().find(|c| c.name == sms.carrier) else {
            let lang = self.language_of_room(room.room_id()).await;
            return Ok(refused(tr!(lang, "media-carrier-gone", carrier = sms.carrier.as_str())));
        };
        let mut tries = 0;
        let fetched = loop {
            tries += 1;
            match fetch::fetch(&self.http, carrier, url, index).await {
                Ok(f) => break f,
                Err(FetchError::NotAllowed(why)) => {
                    self.app.metrics.media("customer_refused");
                    tracing::warn!(carrier = %sms.carrier, %why, "a customer's attachment is refused");
                    let lang = self.language_of_room(room.room_id()).await;
                    return Ok(refused(why.text(&lang)));
                }
                Err(FetchError::Refused(why)) => {
                    self.app.metrics.media("customer_refused");
                    tracing::warn!(carrier = %sms.carrier, %why, "a customer's attachment is refused");
                    return Ok(refused(why));
                }
                Err(FetchError::Failed(why)) if tries >= FETCH_TRIES => {
                    self.app.metrics.media("customer_refused");
                    tracing::warn!(carrier = %sms.carrier, %why, tries, "cannot fetch a customer's attachment; giving up");
                    let lang = self.language_of_room(room.room_id()).await;
                    return Ok(refused(tr!(lang, "media-not-delivered", tries = tries, why = why)));
                }
                Err(FetchError::Failed(why)) => {
                    tracing::info!(carrier = %sms.carrier, %why, "cannot fetch a customer's attachment yet; trying again");
                    tokio::time::sleep(FETCH_BACKOFF * tries).await;
                }
            }
        };
        let mime: mime::Mime = fetched.content_type.parse().unwrap_or(mime::APPLICATION_OCTET_STREAM);
        let size = fetched.bytes.len() as u64;
        let (mxc, file) = if room.latest_encryption_state().await?.is_encrypted() {
            let mut reader = std::io::Cursor::new(fetched.bytes);
            let file = self.client.upload_encrypted_file(&mut reader).await?;
            (file.url.clone(), Some(Box::new(file)))
        } else {
            let uploaded = self.client.media().upload(&mime, fetched.bytes, None).await?;
            (uploaded.content_uri, None)
        };
        self.app.metrics.media("customer_shown");
        Ok(CustomerMedia::Uploaded {
            mxc,
            file,
            content_type: fetched.content_type,
            name: fetched.name,
            size,
            image: fetched.kind == Kind::Image,
        })
    }
}

fn refused(why: String) -> CustomerMedia {
    CustomerMedia::Refused { why }
}
