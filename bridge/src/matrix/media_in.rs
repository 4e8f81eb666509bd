//! A customer's attachments (MMS) in the conversation room: each is
//! fetched from the carrier (`media::fetch`), uploaded to the homeserver
//! once, and posted as `m.image` (pictures) or `m.file` (PDF, vCard) right
//! after the customer's text. Where it was uploaded is remembered
//! (`CustomerMedia`, by event and index), so the history shown to a later
//! owner posts the same pictures again without fetching them. An
//! attachment that cannot be shown (host not allowed, type, size, gone at
//! the carrier) is a notice saying why; the carrier's URL stays in the
//! engine's history either way.

use std::time::Duration;

use matrix_sdk::room::Room;
use matrix_sdk::ruma::events::room::message::{
    FileInfo, FileMessageEventContent, ImageMessageEventContent, MessageType, RoomMessageEventContent,
};
use matrix_sdk::ruma::events::room::ImageInfo;
use matrix_sdk::ruma::UInt;
use smsdesk_core::InboundSms;

use super::send::{self, PostError, Txns};
use super::store::CustomerMedia;
use super::{notices, Bot};
use crate::media::fetch::{self, FetchError};
use crate::media::Kind;

/// Tries per attachment when the carrier fails (not when it refuses).
const FETCH_TRIES: u32 = 3;
const FETCH_BACKOFF: Duration = Duration::from_millis(500);

impl Bot {
    /// Posts the attachments of `sms` (shown by event `seq`) in `room`;
    /// `part` prefixes the writes' transaction ids.
    pub(super) async fn post_customer_media(
        &self,
        room: &Room,
        seq: u64,
        sms: &InboundSms,
        txns: &Txns,
        part: &str,
    ) -> Result<(), PostError> {
        for (k, url) in sms.media.iter().enumerate() {
            let media = match self.store.customer_media(seq, k)? {
                Some(m) => m,
                None => {
                    let m = self.upload_customer_media(sms, url, k + 1).await?;
                    self.store.set_customer_media(seq, k, &m);
                    m
                }
            };
            let txn = txns.part(&format!("{part}media.{k}"));
            match media {
                CustomerMedia::Uploaded {
                    mxc,
                    content_type,
                    name,
                    size,
                    image,
                } => {
                    let size = UInt::new(size);
                    let msgtype = if image {
                        let mut info = ImageInfo::new();
                        info.mimetype = Some(content_type);
                        info.size = size;
                        MessageType::Image(ImageMessageEventContent::plain(name, mxc).info(Some(Box::new(info))))
                    } else {
                        let mut info = FileInfo::new();
                        info.mimetype = Some(content_type);
                        info.size = size;
                        MessageType::File(FileMessageEventContent::plain(name, mxc).info(Some(Box::new(info))))
                    };
                    room.send(RoomMessageEventContent::new(msgtype))
                        .with_transaction_id(txn)
                        .await?;
                }
                CustomerMedia::Refused { why } => {
                    send::notice(room, &notices::customer_media_refused(k + 1, &why), Some(txn)).await?;
                }
            }
        }
        Ok(())
    }

    /// Fetches attachment `index` (from 1) and uploads it; a refusal or a
    /// carrier that keeps failing is `Refused` (shown as a notice), a
    /// homeserver that cannot take the upload is retried by the feed.
    async fn upload_customer_media(
        &self,
        sms: &InboundSms,
        url: &str,
        index: usize,
    ) -> Result<CustomerMedia, PostError> {
        let Some(carrier) = self.app.config.carriers.iter().find(|c| c.name == sms.carrier) else {
            return Ok(refused(format!("carrier {} is no longer configured", sms.carrier)));
        };
        let mut tries = 0;
        let fetched = loop {
            tries += 1;
            match fetch::fetch(&self.carrier_http, carrier, url, index).await {
                Ok(f) => break f,
                Err(FetchError::Refused(why)) => {
                    self.app.metrics.media("customer_refused");
                    tracing::warn!(carrier = %sms.carrier, %why, "a customer's attachment is refused");
                    return Ok(refused(why));
                }
                Err(FetchError::Failed(why)) if tries >= FETCH_TRIES => {
                    self.app.metrics.media("customer_refused");
                    tracing::warn!(carrier = %sms.carrier, %why, tries, "cannot fetch a customer's attachment; giving up");
                    return Ok(refused(format!(
                        "the carrier did not deliver it after {tries} tries ({why})"
                    )));
                }
                Err(FetchError::Failed(why)) => {
                    tracing::info!(carrier = %sms.carrier, %why, "cannot fetch a customer's attachment yet; trying again");
                    tokio::time::sleep(FETCH_BACKOFF * tries).await;
                }
            }
        };
        let mime: mime::Mime = fetched.content_type.parse().unwrap_or(mime::APPLICATION_OCTET_STREAM);
        let size = fetched.bytes.len() as u64;
        let uploaded = self.client.media().upload(&mime, fetched.bytes, None).await?;
        self.app.metrics.media("customer_shown");
        Ok(CustomerMedia::Uploaded {
            mxc: uploaded.content_uri,
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
