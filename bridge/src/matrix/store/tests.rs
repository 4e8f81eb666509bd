//! The bot store's promises: rebuilt when it belongs to another event log,
//! older layouts taken over, staged writes readable before and after a flush.

use super::*;
use matrix_sdk::ruma::{owned_event_id, owned_room_id};

/// Opens the store (a dropped one's sled lock is waited for by the store
/// itself: `SledStore::open_with_cache`).
fn open(dir: &Path, identity: &str, next_seq: u64) -> (BotStore, Adopted) {
    BotStore::open(dir, identity, next_seq).expect("open")
}

#[test]
fn a_store_of_another_event_log_is_rebuilt_not_trusted() {
    let dir = tempfile::tempdir().expect("tmp");
    let (store, adopted) = open(dir.path(), "log-a", 0);
    assert_eq!(adopted, Adopted::New);
    store.set_cursor(40);
    store.set_conversation_room(ConversationId(3), &owned_room_id!("!c:hs"));
    store.set_desk_room(&AgentId::from("@a:hs"), &owned_room_id!("!d:hs"));
    store.set_sync_token("s72");
    store.flush_blocking().expect("flush");
    drop(store);

    // The same log, further on: kept as it is.
    let (store, adopted) = open(dir.path(), "log-a", 50);
    assert_eq!(adopted, Adopted::Same);
    assert_eq!(store.cursor().expect("cursor"), 40);
    drop(store);

    // A wiped storage.path (a new log) with the old bot store: rebuilt.
    let (store, adopted) = open(dir.path(), "log-b", 0);
    assert!(matches!(adopted, Adopted::Rebuilt { .. }), "{adopted:?}");
    assert_eq!(store.cursor().expect("cursor"), 0);
    assert_eq!(store.conversation_room(ConversationId(3)).expect("read"), None);
    assert_eq!(store.role(&owned_room_id!("!c:hs")).expect("read"), None);
    // Matrix-side facts stay.
    assert_eq!(
        store.desk_room(&AgentId::from("@a:hs")).expect("read"),
        Some(owned_room_id!("!d:hs"))
    );
    assert_eq!(store.sync_token().expect("read").as_deref(), Some("s72"));
}

#[test]
fn a_cursor_past_the_log_is_rebuilt_and_an_unreadable_one_is_an_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let (store, _) = open(dir.path(), "log-a", 0);
    store.set_cursor(90);
    store.flush_blocking().expect("flush");
    drop(store);
    let (store, adopted) = open(dir.path(), "log-a", 10);
    assert!(matches!(adopted, Adopted::Rebuilt { .. }), "{adopted:?}");
    assert_eq!(store.cursor().expect("cursor"), 10);
    // A corrupt cursor is an error, not 0.
    store.put(CURSOR, &"not a number");
    assert!(store.cursor().is_err());
}

#[test]
fn an_older_store_beside_the_storage_is_taken_over_with_its_raw_values() {
    let dir = tempfile::tempdir().expect("tmp");
    {
        let kv = SledStore::open(dir.path()).expect("sled");
        let mut w = WriteSet::default();
        for (k, v) in [
            ("cursor", "12"),
            ("sync_token", "s9_1"),
            ("desk/@a:hs", "!d:hs"),
            ("room/!d:hs", "{\"desk\":\"@a:hs\"}"),
            ("reply/4", "!c:hs $e"),
            ("history/3", "1"),
        ] {
            w.put(k.as_bytes().to_vec(), v.as_bytes().to_vec());
        }
        kv.commit(&w).expect("commit");
    }
    let (store, adopted) = open(dir.path(), "log-a", 20);
    assert_eq!(adopted, Adopted::Legacy);
    assert_eq!(store.cursor().expect("cursor"), 12);
    assert_eq!(store.sync_token().expect("token").as_deref(), Some("s9_1"));
    assert_eq!(
        store.desk_room(&AgentId::from("@a:hs")).expect("desk"),
        Some(owned_room_id!("!d:hs"))
    );
    assert_eq!(
        store.role(&owned_room_id!("!d:hs")).expect("role"),
        Some(RoomRole::Desk(AgentId::from("@a:hs")))
    );
    assert_eq!(
        store.reply_event(MessageId(4)).expect("reply"),
        Some(ReplyRef {
            room: owned_room_id!("!c:hs"),
            event: owned_event_id!("$e")
        })
    );
    assert!(store.history_posted(ConversationId(3)).expect("history"));
}

#[test]
fn staged_writes_are_seen_before_and_kept_after_a_flush() {
    let dir = tempfile::tempdir().expect("tmp");
    let (store, _) = open(dir.path(), "log-a", 0);
    let reply = ReplyRef {
        room: owned_room_id!("!r:hs"),
        event: owned_event_id!("$e"),
    };
    store.set_reply_event(MessageId(7), &reply);
    assert_eq!(store.reply_event(MessageId(7)).expect("read"), Some(reply.clone()));
    store.flush_blocking().expect("flush");
    drop(store);
    let (store, _) = open(dir.path(), "log-a", 0);
    assert_eq!(store.reply_event(MessageId(7)).expect("read"), Some(reply.clone()));
    assert_eq!(ReplyRef::parse(&reply.to_reference()), Some(reply));
    assert_eq!(ReplyRef::parse("not a reference"), None);
}

#[test]
fn ghosts_keep_their_key_across_a_rebuild_and_a_deactivated_one_is_forgotten_whole() {
    use matrix_sdk::ruma::owned_user_id;
    let dir = tempfile::tempdir().expect("tmp");
    let (store, _) = open(dir.path(), "log-a", 0);
    assert!(store.ghost_key().expect("read").is_none());
    let key = store.ensure_ghost_key().expect("key");
    store.set_opaque_ghosts();
    let ghost = owned_user_id!("@sms_abc:hs");
    let record = GhostRecord {
        customer: "tag".into(),
        generation: 2,
        last_active: smsdesk_core::Timestamp(5),
    };
    store.set_ghost_record(&ghost, &record);
    store.set_ghost_generation("tag", 2);
    store.put(&format!("ghost/{ghost}"), &"+1 555-***-0001".to_owned());
    store.put(&format!("ghost-in/!r:hs/{ghost}"), &true);
    store.put("ghost-in/!r:hs/@sms_other:hs", &true);
    store.flush_blocking().expect("flush");
    drop(store);

    // Rebuilt for another event log: the key (so every ghost's name), the
    // generations and the ghosts in use stay.
    let (store, adopted) = open(dir.path(), "log-b", 0);
    assert!(matches!(adopted, Adopted::Rebuilt { .. }), "{adopted:?}");
    let again = store.ghost_key().expect("read").expect("kept");
    assert_eq!(
        again.opaque_localpart("sms_", "+1555", "+1666", 0),
        key.opaque_localpart("sms_", "+1555", "+1666", 0)
    );
    assert!(store.opaque_ghosts().expect("read"));
    assert_eq!(store.ghost_generation("tag").expect("read"), 2);
    assert_eq!(store.ghost_records().expect("read"), vec![(ghost.clone(), record)]);
    assert_eq!(store.named_ghosts().expect("read"), vec![ghost.clone()]);

    // Forgotten: its name, record and rooms; another ghost's room stays.
    store.forget_ghost(&ghost).expect("forget");
    store.flush_blocking().expect("flush");
    assert!(store.ghost_records().expect("read").is_empty());
    assert!(store.named_ghosts().expect("read").is_empty());
    assert_eq!(
        store.durable_keys("ghost-in/").expect("read"),
        ["ghost-in/!r:hs/@sms_other:hs"]
    );
    // A key that does not read is an error, never a new key.
    store.put("ghost-key", &"short".to_owned());
    assert!(store.ghost_key().is_err() && store.ensure_ghost_key().is_err());
}

#[test]
fn language_choices_are_listed_for_the_pages_and_outlive_a_rebuild() {
    let dir = tempfile::tempdir().expect("tmp");
    let (store, _) = open(dir.path(), "log-a", 0);
    store.set_language("@a:hs", &crate::i18n::Lang::new("de".to_owned()));
    store.set_language("@sup:hs", &crate::i18n::Lang::new("en".to_owned()));
    store.flush_blocking().expect("flush");
    drop(store);
    // A choice is the person's, not the event log's: a rebuild keeps it.
    let (store, adopted) = open(dir.path(), "log-b", 0);
    assert!(matches!(adopted, Adopted::Rebuilt { .. }), "{adopted:?}");
    let all = store.languages().expect("languages");
    let all: Vec<(&str, &str)> = all.iter().map(|(u, l)| (u.as_str(), l.as_str())).collect();
    assert_eq!(all, vec![("@a:hs", "de"), ("@sup:hs", "en")]);
}
