//! One bot account, one engine store. The bot's account data
//! (`org.smsdesk.store`, global) names the engine store it serves, written
//! at its first start. A later start from another store — a new, empty
//! database or storage directory, or a second deployment given the same
//! account — would otherwise make a second desk room for every agent and
//! answer in the first one's rooms; it is refused before the bot does
//! anything, naming both stores and the way out (`smsdesk run
//! --adopt-account` takes the account over deliberately). A backup of the
//! same store restored keeps the store's identity, so it starts.

use matrix_sdk::ruma::api::client::config::{get_global_account_data, set_global_account_data};
use matrix_sdk::ruma::events::{AnyGlobalAccountDataEventContent, GlobalAccountDataEventType};
use matrix_sdk::ruma::serde::Raw;
use matrix_sdk::ruma::UserId;
use matrix_sdk::Client;
use serde::{Deserialize, Serialize};

/// The account data type that names the store.
pub const EVENT_TYPE: &str = "org.smsdesk.store";

/// The account data's content.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Owner {
    store: String,
}

/// The bot account belongs to another store, and no take-over was asked.
#[derive(Debug, thiserror::Error)]
#[error(
    "the bot account {user} belongs to another smsdesk store ({theirs}; this store is {ours}). \
     Each store needs a bot account of its own: two stores on one account would both answer in its rooms. \
     If this store replaces the other one (the storage was wiped, or a new database was set up on purpose), \
     start once with `smsdesk run --adopt-account`: it takes the account and its rooms over. \
     Otherwise give this deployment another bot account (matrix.user). \
     (Restoring a backup of the same store needs neither.)"
)]
pub struct Owned {
    pub user: String,
    pub theirs: String,
    pub ours: String,
}

/// Why the account could not be claimed.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    #[error(transparent)]
    Owned(#[from] Owned),
    /// The homeserver could not say (retry).
    #[error("cannot read or write the bot account's data: {0}")]
    Http(#[from] matrix_sdk::HttpError),
}

/// How the claim went.
#[derive(Debug, PartialEq, Eq)]
pub enum Claimed {
    /// The account already served this store.
    Same,
    /// The account served no store yet (or an older smsdesk): it is ours now.
    First,
    /// It served another store, taken over as asked (`--adopt-account`).
    TakenOver { from: String },
}

/// Claims the bot account `me` for the store `ours`, taking it over from
/// another store only if `take_over`.
pub async fn claim(client: &Client, me: &UserId, ours: &str, take_over: bool) -> Result<Claimed, ClaimError> {
    let kind = GlobalAccountDataEventType::from(EVENT_TYPE);
    let request = get_global_account_data::v3::Request::new(me.to_owned(), kind.clone());
    let theirs = match client.send(request).await {
        // Present but unreadable (written by hand, or by something else):
        // not "unclaimed", or anything could take the account silently.
        Ok(response) => Some(
            serde_json::from_str::<Owner>(response.account_data.json().get())
                .map_or_else(|_| "(unreadable account data)".to_owned(), |o| o.store),
        ),
        Err(error) if error.client_api_error_kind() == Some(&matrix_sdk::ruma::api::error::ErrorKind::NotFound) => None,
        Err(error) => return Err(error.into()),
    };
    let claimed = match theirs {
        Some(theirs) if theirs == ours => return Ok(Claimed::Same),
        Some(theirs) if !take_over => {
            return Err(Owned {
                user: me.to_string(),
                theirs,
                ours: ours.to_owned(),
            }
            .into())
        }
        Some(theirs) => Claimed::TakenOver { from: theirs },
        None => Claimed::First,
    };
    let content = Owner { store: ours.to_owned() };
    let raw: Raw<AnyGlobalAccountDataEventContent> =
        Raw::from_json(serde_json::value::to_raw_value(&content).expect("a JSON object serializes"));
    client
        .send(set_global_account_data::v3::Request::new_raw(me.to_owned(), kind, raw))
        .await?;
    Ok(claimed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_names_both_stores_and_the_ways_out() {
        let text = Owned {
            user: "@smsdesk:hs".into(),
            theirs: "aaaa".into(),
            ours: "bbbb".into(),
        }
        .to_string();
        for needle in [
            "@smsdesk:hs",
            "aaaa",
            "bbbb",
            "smsdesk run --adopt-account",
            "matrix.user",
        ] {
            assert!(text.contains(needle), "{needle} missing from: {text}");
        }
    }
}
