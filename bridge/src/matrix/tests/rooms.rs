//! Rooms: offer cards posted and closed with their outcome, agents'
//! messages relayed, refused or left to the feed, and desk rooms only for
//! agents whose account exists.

use super::*;

#[tokio::test(flavor = "multi_thread")]
async fn an_offer_card_is_posted_and_edited_with_its_outcome_and_nothing_else() {
    let d = desk().await;
    d.run(Command::SetAvailable { agent: alice() }).await;
    d.start_feed();
    d.customer_texts("SM1", "refund please").await;
    let sent =
        d.hs.wait_for("the offer card", |s| {
            bodies(s, ALICE_DESK).iter().any(|b| b.starts_with("Offer #1"))
        })
        .await;
    let card = bodies(&sent, ALICE_DESK)
        .into_iter()
        .find(|b| b.starts_with("Offer #1"))
        .expect("card");
    for needle in [
        "queue billing",
        "customer +15557770001",
        "to +15550001111 (long code)",
        "!accept 1",
    ] {
        assert!(card.contains(needle), "{card}");
    }
    d.run(Command::Decline {
        agent: alice(),
        conversation: Some(ConversationId(1)),
    })
    .await;
    let sent =
        d.hs.wait_for("the closing edit", |s| {
            s.iter().any(|m| {
                m.content["m.new_content"]["body"]
                    .as_str()
                    .is_some_and(|b| b.ends_with("— declined."))
            })
        })
        .await;
    let edit = sent
        .iter()
        .find(|m| {
            m.content["m.new_content"]["body"]
                .as_str()
                .is_some_and(|b| b.ends_with("— declined."))
        })
        .expect("edit");
    assert_eq!(edit.room, ALICE_DESK);
    assert_eq!(edit.content["m.relates_to"]["rel_type"], "m.replace");
    let fallback = edit.content["body"].as_str().expect("body");
    assert!(
        fallback.starts_with("* Offer #1") && fallback.ends_with("— declined."),
        "{fallback}"
    );
    // The decline is answered by the edit alone: no further notice.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let notices = bodies(&d.hs.sent(), ALICE_DESK);
    assert!(
        notices
            .iter()
            .all(|b| b == "You are now available." || b.starts_with("Offer #1") || b.starts_with("* Offer #1")),
        "{notices:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn agents_messages_are_relayed_refused_or_left_to_the_feed() {
    let d = desk().await;
    d.customer_texts("SM1", "hello").await;
    d.run(Command::SetAvailable { agent: alice() }).await;
    d.run(Command::Accept {
        agent: alice(),
        conversation: Some(ConversationId(1)),
    })
    .await;
    let room = conversation_room(&d).await;
    assert_eq!(
        d.bot.store.role(&room).expect("role"),
        Some(RoomRole::Conversation(ConversationId(1)))
    );
    let joined = d.bot.room(&room).expect("joined");

    // Someone not on the roster: refused, nothing reaches the engine.
    let mallory = owned_user_id!("@mallory:hs");
    let ev = owned_event_id!("$m1");
    d.bot
        .handle(
            joined.clone(),
            &mallory,
            Incoming::Text("send money".into()),
            ev.clone(),
        )
        .await
        .expect("handled");
    let refusal = d.hs.messages_in("!conv:hs");
    assert_eq!(refusal.len(), 1);
    assert_eq!(
        refusal[0].body(),
        "@mallory:hs is not on the agent roster: nothing was sent."
    );
    assert_eq!(refusal[0].txn, "smsdesk.answer.$m1.answer");

    // Alice's plain text is a reply, carrying where it came from.
    let alice_user = owned_user_id!("@alice:hs");
    d.bot
        .handle(
            joined.clone(),
            &alice_user,
            Incoming::Text("Hi there".into()),
            owned_event_id!("$a1"),
        )
        .await
        .expect("handled");
    let history = d
        .app
        .read(|e| e.history(ConversationId(1)))
        .await
        .expect("engine")
        .expect("history");
    let reply = history.iter().find_map(|r| match &r.event {
        smsdesk_core::Event::ReplyAccepted { body, reference, .. } => Some((body.clone(), reference.clone())),
        _ => None,
    });
    assert_eq!(reply, Some(("Hi there".into(), Some("!conv:hs $a1".into()))));
    assert_eq!(d.hs.messages_in("!conv:hs").len(), 1, "a reply gets no notice");

    // A command that changes something is answered by the feed, not here.
    d.bot
        .handle(
            joined.clone(),
            &alice_user,
            Incoming::Text("!end".into()),
            owned_event_id!("$a2"),
        )
        .await
        .expect("handled");
    assert_eq!(d.hs.messages_in("!conv:hs").len(), 1, "no answer from the handler");
    // A refused one is answered, once per message.
    for _ in 0..2 {
        d.bot
            .handle(
                joined.clone(),
                &alice_user,
                Incoming::Text("!end".into()),
                owned_event_id!("$a3"),
            )
            .await
            .expect("handled");
    }
    let answers: Vec<Sent> = d.hs.messages_in("!conv:hs").into_iter().skip(1).collect();
    assert_eq!(answers.len(), 2);
    assert!(answers[0].body().starts_with("Refused: "), "{}", answers[0].body());
    assert_eq!(answers[0].txn, answers[1].txn, "the same answer to the same message");
    // An edit is refused with a notice.
    d.bot
        .handle(joined, &alice_user, Incoming::Edit, owned_event_id!("$a4"))
        .await
        .expect("handled");
    assert!(d
        .hs
        .messages_in("!conv:hs")
        .last()
        .expect("notice")
        .body()
        .contains("edits do not reach the customer"));
    assert!(
        d.hs.other_calls().is_empty(),
        "unexpected calls: {:?}",
        d.hs.other_calls()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_without_an_account_gets_no_desk_room_and_a_warning_once() {
    let d = desk().await;
    for _ in 0..2 {
        d.bot.ensure_desk_rooms().await;
    }
    let missing: Vec<String> = d
        .bot
        .missing_agents
        .lock()
        .expect("lock")
        .iter()
        .map(|a| a.to_string())
        .collect();
    assert_eq!(missing, ["@ghost:hs"]);
    assert_eq!(d.bot.store.desk_room(&AgentId::from("@ghost:hs")).expect("read"), None);
    assert_eq!(d.hs.rooms_created(), 0, "a room for an account that does not exist");
}
