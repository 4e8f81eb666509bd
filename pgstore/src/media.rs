//! Agents' attachments on a shared store (`smsdesk_media`), so that the
//! carrier's fetch of `/media/{token}` is answered by whichever instance
//! the load balancer picks, and an attachment of a reply the next leader
//! sends is still there. Times are Unix milliseconds, as the caller's.

use postgres::GenericClient;

/// One attachment as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Media {
    pub content_type: String,
    pub name: String,
    pub body: Vec<u8>,
    pub expires_at_ms: i64,
}

/// Keeps `media` under `token`; returns once PostgreSQL has committed it.
/// Tokens are random: one already there is this same attachment, stored
/// by a try whose answer was lost.
pub fn put(client: &mut impl GenericClient, token: &str, media: &Media) -> Result<(), postgres::Error> {
    client.execute(
        "INSERT INTO smsdesk_media (token, content_type, name, body, expires_at_ms) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (token) DO NOTHING",
        &[
            &token,
            &media.content_type,
            &media.name,
            &media.body,
            &media.expires_at_ms,
        ],
    )?;
    Ok(())
}

/// The attachment `token`, expired or not.
pub fn get(client: &mut impl GenericClient, token: &str) -> Result<Option<Media>, postgres::Error> {
    Ok(client
        .query_opt(
            "SELECT content_type, name, body, expires_at_ms FROM smsdesk_media WHERE token = $1",
            &[&token],
        )?
        .map(|r| Media {
            content_type: r.get(0),
            name: r.get(1),
            body: r.get(2),
            expires_at_ms: r.get(3),
        }))
}

/// Pushes the expiry of `token` on to at least `until_ms`; `false` when it is gone.
pub fn keep_until(client: &mut impl GenericClient, token: &str, until_ms: i64) -> Result<bool, postgres::Error> {
    Ok(client.execute(
        "UPDATE smsdesk_media SET expires_at_ms = GREATEST(expires_at_ms, $2) WHERE token = $1",
        &[&token, &until_ms],
    )? == 1)
}

/// Removes attachments that expired before `before_ms`; how many.
pub fn sweep(client: &mut impl GenericClient, before_ms: i64) -> Result<u64, postgres::Error> {
    client.execute("DELETE FROM smsdesk_media WHERE expires_at_ms < $1", &[&before_ms])
}
