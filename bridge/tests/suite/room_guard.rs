//! Outsiders stay out of the bot's rooms, against Synapse: an agent cannot
//! invite anyone to a conversation room (only the bot invites); in a room
//! whose levels still let members invite (made by an older smsdesk), an
//! outsider who joins is removed at once with a notice, and a restart
//! restores the bot-only invitations in such rooms.

use crate::common;

use std::time::{Duration, Instant};

use common::desk::AliceAtWork;
use common::matrix::User;
use matrix_sdk::ruma::{OwnedRoomId, UserId};
use serde_json::{json, Value};

/// The bot's own access token, from a second login of its account (a test
/// playing the part of an older smsdesk that made the room).
async fn bot_token(http: &reqwest::Client, homeserver: &str) -> String {
    let login: Value = http
        .post(format!("{homeserver}/_matrix/client/v3/login"))
        .json(&json!({
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": "smsdesk"},
            "password": "bot-password",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    login["access_token"].as_str().expect("a token").to_owned()
}

fn levels_url(homeserver: &str, room: &OwnedRoomId) -> String {
    format!("{homeserver}/_matrix/client/v3/rooms/{room}/state/m.room.power_levels/")
}

async fn power_levels(http: &reqwest::Client, homeserver: &str, token: &str, room: &OwnedRoomId) -> Value {
    http.get(levels_url(homeserver, room))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Lowers the room's invitation level to 0, as rooms made with the
/// private-chat preset alone had it.
async fn let_members_invite(http: &reqwest::Client, homeserver: &str, token: &str, room: &OwnedRoomId) {
    let mut levels = power_levels(http, homeserver, token, room).await;
    levels["invite"] = json!(0);
    let put = http
        .put(levels_url(homeserver, room))
        .bearer_auth(token)
        .json(&levels)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.text().await.unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn outsiders_cannot_be_brought_into_a_conversation_room() {
    let mut w = AliceAtWork::boot_with(|c| c, false, true, &[("mallory", "mallory-password")]).await;
    let homeserver = w._synapse.url();
    let mallory_id = UserId::parse("@mallory:localhost").unwrap();
    let mallory = User::login(&homeserver, "mallory", "mallory-password").await;

    // 1. Only the bot invites: Alice's invitation is refused by the homeserver.
    let room = w.alice.joined(&w.room).await;
    let refused = room.invite_user_by_id(&mallory_id).await;
    assert!(refused.is_err(), "an agent invited an outsider to a conversation room");
    let token = bot_token(&w.http, &homeserver).await;
    let levels = power_levels(&w.http, &homeserver, &token, &w.room).await;
    assert_eq!(levels["invite"], json!(100), "{levels}");
    let desk_levels = power_levels(&w.http, &homeserver, &token, &w.desk).await;
    assert_eq!(desk_levels["invite"], json!(100), "{desk_levels}");

    // 2. A room that still lets members invite: Mallory gets in, and is
    // removed at once, with a notice; invitations are the bot's again.
    let_members_invite(&w.http, &homeserver, &token, &w.room).await;
    room.invite_user_by_id(&mallory_id)
        .await
        .expect("members may invite here");
    let removed = w.alice.wait_for("@mallory:localhost has no role in this room").await;
    assert_eq!(removed.room, w.room);
    mallory.wait_out_of(&w.room).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while power_levels(&w.http, &homeserver, &token, &w.room).await["invite"] != json!(100) {
        assert!(Instant::now() < deadline, "the invitation level was not raised again");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Alice herself, the room's owner, was left alone.
    assert!(w
        .alice
        .client
        .get_room(&w.room)
        .is_some_and(|r| r.state() == matrix_sdk::RoomState::Joined));

    // 3. Rooms made by an older smsdesk get bot-only invitations at start.
    let_members_invite(&w.http, &homeserver, &token, &w.room).await;
    let_members_invite(&w.http, &homeserver, &token, &w.desk).await;
    w.reconfigure(|c| c);
    let deadline = Instant::now() + Duration::from_secs(30);
    for room in [&w.room, &w.desk] {
        while power_levels(&w.http, &homeserver, &token, room).await["invite"] != json!(100) {
            assert!(
                Instant::now() < deadline,
                "{room}: the restart did not restrict invitations"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
