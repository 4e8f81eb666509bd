//! Each agent reads smsdesk in their language, against Synapse: Bob's
//! `language = "de"` gives him German offer cards beside Alice's English
//! ones; `!language` says which and lists the catalogs, and `!language xx`
//! switches to a third language dropped in as `locales/xx/*.ftl` beside the
//! config, without any code change (where it is silent, English).

use crate::common;

use common::desk::AliceAtWork;
use common::matrix::User;

#[tokio::test(flavor = "multi_thread")]
async fn agents_read_their_own_language_and_a_dropped_in_catalog_is_used() {
    let mut w = AliceAtWork::boot_with(
        // Offers wait a minute: on a busy machine none expires mid-test.
        |config| {
            config
                .replacen(
                    "name = \"Bob\"\nqueues = [\"billing\"]\n",
                    "name = \"Bob\"\nqueues = [\"billing\"]\nlanguage = \"de\"\n",
                    1,
                )
                .replacen("offer_timeout = \"8s\"", "offer_timeout = \"60s\"", 1)
        },
        true,
        true,
        &[("bob", "bob-password")],
    )
    .await;
    // A third language, beside the config: read at start.
    let xx = w.server.config.parent().unwrap().join("locales/xx");
    std::fs::create_dir_all(&xx).unwrap();
    std::fs::write(
        xx.join("desk.ftl"),
        "offer-open = XX #{ $id }{ $via } { $queue } { $customer }\noffer-headline = XX #{ $id }{ $via } { $queue } { $customer }\n",
    )
    .unwrap();
    w.reconfigure(|config| config);

    let bob = User::login(&w._synapse.url(), "bob", "bob-password").await;
    let desk = bob.wait_for("Hallo Bob! Das ist dein smsdesk-Desk.").await.room;
    bob.say(&desk, "!available").await;
    bob.wait_for("Du bist jetzt verfügbar.").await;
    // Plain text in the desk, and !available again: German too.
    bob.say(&desk, "hallo?").await;
    bob.wait_for("Das ist dein Desk-Raum: Text geht hier nirgendwohin.")
        .await;
    bob.say(&desk, "!available").await;
    bob.wait_for("Nichts zu ändern.").await;
    bob.say(&desk, "!language").await;
    bob.wait_for("Ich schreibe dir auf de. Sprachen hier: de, en, xx.")
        .await;
    bob.say(&desk, "!status").await;
    bob.wait_for("Du bist verfügbar — 0 von 1 Konversation belegt.").await;
    bob.say(&desk, "!warteschlangen").await;
    let queues = bob.wait_for("Warteschlangen (für !transfer <Warteschlange>):").await;
    assert!(queues.body.contains("billing: 0 wartend"), "{}", queues.body);

    // Alice is full with #1: #2 goes to Bob, in German.
    w.sim.text(&w.http, "+15557770002", "Hallo").await;
    let card = bob.wait_for("Angebot #2").await;
    assert!(
        card.body
            .starts_with("Angebot #2: Warteschlange billing, Kunde +15557770002")
            && card.body.contains("Reagiere mit ✅ zum Annehmen"),
        "{}",
        card.body
    );
    for english in ["Offer", "queue", "customer", "waiting", "React", "accept or"] {
        assert!(!card.body.contains(english), "{english:?} in {}", card.body);
    }
    assert_eq!(w.alice.count("Angebot"), 0, "Alice got a German card");
    for german in ["Angebot", "Du bist", "Hallo", "Nichts"] {
        assert_eq!(w.alice.count(german), 0, "Alice read {german:?}");
    }

    // An unknown language is refused in his language; xx is taken.
    bob.say(&desk, "!language fr").await;
    bob.wait_for("Die Sprache fr gibt es hier nicht; wähle eine aus de, en, xx.")
        .await;
    bob.say(&desk, "!language xx").await;
    // xx is silent on this message: English, never a blank.
    bob.wait_for("From now on I write to you in xx.").await;
    // Declined, #2 comes back to Bob (nobody else has room): now in xx,
    // and the German card says how it ended, in German.
    bob.say(&desk, "!decline 2").await;
    let card = bob.wait_for("XX #2").await;
    bob.wait_for("— abgelehnt.").await;
    assert!(card.body.starts_with("XX #2 billing +15557770002"), "{}", card.body);

    // Back to German: he takes it, and the room speaks German to him.
    bob.say(&desk, "!language de").await;
    bob.wait_for("Ab jetzt schreibe ich dir auf Deutsch (de).").await;
    // His words for the commands: !annehmen is !accept.
    bob.say(&desk, "!hilfe").await;
    bob.wait_for("Desk-Raum (diese gehen in jedem Raum):").await;
    bob.say(&desk, "!annehmen 2").await;
    let history = bob.wait_for("Konversation #2 — bisheriger Verlauf:").await;
    assert!(history.body.contains("Kunde: Hallo"), "{}", history.body);
    let room = history.room.clone();
    bob.joined(&room).await;
    // The engine's refusals, in German too.
    bob.say(&desk, "!accept 9").await;
    bob.wait_for("Abgelehnt: es gibt keine offene Konversation 9").await;
    bob.say(&room, &"x".repeat(1001)).await;
    bob.wait_for("Nicht gesendet: Antwort zu lang: 1001 Zeichen, erlaubt sind 1000; nichts wurde gesendet")
        .await;

    // Alice (English) ends #1 and is free; Bob transfers #2 to her.
    w.alice.say(&w.room, "!end").await;
    w.alice.wait_for("Conversation ended. Wrap up by reacting").await;
    w.alice.say(&w.room, "!wrapup 1").await;
    w.alice.wait_for("closed: Resolved").await;
    bob.say(&room, "!übergeben @alice:localhost").await;
    bob.wait_for("@bob:localhost hat die Konversation an @alice:localhost übertragen")
        .await;
    let offer = w.alice.wait_for("Offer #2 (transfer from @bob:localhost)").await;
    assert!(
        offer.body.contains("queue billing, customer +15557770002"),
        "{}",
        offer.body
    );
    w.alice.say(&w.desk, "!accept 2").await;
    w.alice.wait_for("@alice:localhost now owns this conversation.").await;
    w.alice.joined(&room).await;
    w.alice.say(&room, "!end").await;
    w.alice.wait_for_nth("Conversation ended. Wrap up by reacting", 2).await;
    w.alice.say(&room, "!wrapup 1").await;
    w.alice.wait_for_nth("closed: Resolved", 2).await;

    each_read_their_own_language(&bob, &desk, &w.alice, &w.desk);
}

/// Each read only their own language in their desk room.
fn each_read_their_own_language(
    bob: &User,
    desk: &matrix_sdk::ruma::OwnedRoomId,
    alice: &User,
    alice_desk: &matrix_sdk::ruma::OwnedRoomId,
) {
    let bot = "@smsdesk:localhost";
    let bodies = |u: &User, room: &matrix_sdk::ruma::OwnedRoomId| -> Vec<String> {
        u.seen()
            .into_iter()
            .filter(|s| &s.room == room && s.sender == bot)
            .map(|s| s.body)
            .collect()
    };
    // (The xx card's outcome is English: xx is silent on it.)
    for body in bodies(bob, desk).into_iter().filter(|b| !b.contains("XX #")) {
        for english in [
            "Offer",
            "You are",
            "Nothing to change",
            "desk room",
            "accepted",
            "declined",
        ] {
            assert!(!body.contains(english), "Bob read {english:?}: {body}");
        }
    }
    for body in bodies(alice, alice_desk) {
        for german in [
            "Angebot",
            "Warteschlange",
            "Du bist",
            "Konversation",
            "angenommen",
            "abgelehnt",
        ] {
            assert!(!body.contains(german), "Alice read {german:?}: {body}");
        }
    }
}
