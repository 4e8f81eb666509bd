//! The sled store: sled's lock at a reopen, and the events and histories
//! kept beside sled, also with an older store's in sled.

use super::super::keys::event_key;
use super::super::{KvStore, WriteSet};
use super::SledStore;

#[test]
fn a_store_open_elsewhere_is_refused_with_sleds_message_after_the_wait() {
    let dir = tempfile::tempdir().expect("tmp");
    let held = SledStore::open(dir.path()).expect("open");
    let started = std::time::Instant::now();
    let error = SledStore::open(dir.path()).expect_err("opened twice");
    assert!(error.to_string().contains("could not acquire lock"), "{error}");
    assert!(started.elapsed() >= super::LOCK_WAIT, "{:?}", started.elapsed());
    drop(held);
    // Closed: opened again at once (or within the wait).
    SledStore::open(dir.path()).expect("reopen after close");
}

#[test]
fn events_an_older_version_kept_in_sled_are_read_beside_the_event_file() {
    let outbox_key = |m: u64| super::super::keys::outbound_key(smsdesk_core::ids::MessageId(m));
    let dir = tempfile::tempdir().expect("tmp");
    {
        // An older smsdesk kept every event in sled's tree.
        let db = sled::open(dir.path()).expect("sled");
        for seq in 0..5u64 {
            db.insert(event_key(seq), format!("old {seq}").as_bytes())
                .expect("insert");
        }
        db.insert(b"c/1", b"conversation".as_slice()).expect("insert");
        db.insert(outbox_key(0), b"old reply".as_slice()).expect("insert");
        // Its write-ahead log, replayed by this version, writes event 8 again.
        db.insert(event_key(8), b"new 8".as_slice()).expect("insert");
        db.flush().expect("flush");
    }
    let store = SledStore::open(dir.path()).expect("open");
    let mut w = WriteSet::default();
    for seq in 5..10u64 {
        w.put(event_key(seq), format!("new {seq}").into_bytes());
    }
    w.put(b"h/1".to_vec(), Vec::new());
    w.put(outbox_key(1), b"new reply".to_vec());
    store.commit(&w).expect("commit");
    let seqs = |rows: Vec<(Vec<u8>, Vec<u8>)>| {
        rows.iter()
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .collect::<Vec<_>>()
    };
    let all = store.scan_range(&event_key(0), b"e0", 100).expect("scan");
    assert_eq!(
        seqs(all),
        (0..10)
            .map(|s| format!("{} {s}", if s < 5 { "old" } else { "new" }))
            .collect::<Vec<_>>()
    );
    assert_eq!(store.scan_range(&event_key(3), b"e0", 4).expect("scan").len(), 4);
    assert_eq!(
        store.scan_range(&event_key(3), &event_key(6), 100).expect("scan").len(),
        3
    );
    let everything: Vec<Vec<u8>> = store
        .scan_prefix(b"")
        .expect("scan")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(everything.len(), 14, "{everything:?}");
    assert!(everything.windows(2).all(|w| w[0] < w[1]), "in key order");
    assert_eq!(store.scan_prefix(b"e/").expect("scan").len(), 10);
    assert_eq!(store.scan_prefix(b"h/").expect("scan").len(), 1);
    assert_eq!(store.get(&event_key(3)).expect("get"), Some(b"old 3".to_vec()));
    assert_eq!(store.get(&event_key(8)).expect("get"), Some(b"new 8".to_vec()));
    let log = std::fs::read(dir.path().join("events/log")).expect("log");
    assert!(
        String::from_utf8_lossy(&log).contains("new 8"),
        "new events are in the event file"
    );
    let outbox = std::fs::read(dir.path().join("outbox/log")).expect("outbox");
    assert!(
        String::from_utf8_lossy(&outbox).contains("new reply"),
        "new replies are in the outbox file"
    );
    let replies: Vec<_> = store
        .scan_prefix(b"o/")
        .expect("scan")
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    assert_eq!(replies, vec![b"old reply".to_vec(), b"new reply".to_vec()]);
    assert_eq!(store.get(&outbox_key(1)).expect("get"), Some(b"new reply".to_vec()));
    // Erasing (retention) reaches both.
    let mut w = WriteSet::default();
    w.delete(event_key(3));
    w.delete(event_key(8));
    store.commit(&w).expect("commit");
    drop(store);
    let store = SledStore::open(dir.path()).expect("reopen");
    assert_eq!(store.get(&event_key(3)).expect("get"), None);
    assert_eq!(store.get(&event_key(8)).expect("get"), None);
    assert_eq!(store.scan_prefix(b"e/").expect("scan").len(), 8);
    let log = std::fs::read(dir.path().join("events/log")).expect("log");
    assert!(
        !String::from_utf8_lossy(&log).contains("new 8"),
        "an erased event's text is not on disk"
    );
}

fn history_key(conversation: u64, seq: u64) -> Vec<u8> {
    let mut k = b"h/".to_vec();
    k.extend_from_slice(&conversation.to_be_bytes());
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

#[test]
fn histories_kept_beside_sled_read_as_keys_also_with_an_older_stores() {
    let dir = tempfile::tempdir().expect("tmp");
    {
        // An older smsdesk kept conversation 1's history in sled.
        let db = sled::open(dir.path()).expect("sled");
        for seq in 0..3u64 {
            db.insert(event_key(seq), b"old".as_slice()).expect("insert");
            db.insert(history_key(1, seq), b"".as_slice()).expect("insert");
        }
        db.flush().expect("flush");
    }
    let store = SledStore::open(dir.path()).expect("open");
    let mut w = WriteSet::default();
    for seq in 3..12u64 {
        w.put(event_key(seq), format!("new {seq}").into_bytes());
        w.put(history_key(1 + seq % 3, seq), Vec::new());
    }
    store.commit(&w).expect("commit");
    let seqs_of = |store: &SledStore, c: u64| -> Vec<u64> {
        let mut prefix = b"h/".to_vec();
        prefix.extend_from_slice(&c.to_be_bytes());
        let rows = store.scan_prefix(&prefix).expect("scan");
        rows.iter()
            .map(|(k, v)| {
                assert!(v.is_empty());
                u64::from_be_bytes(k[10..].try_into().expect("seq"))
            })
            .collect()
    };
    assert_eq!(
        seqs_of(&store, 1),
        vec![0, 1, 2, 3, 6, 9],
        "the older store's and the new, in order"
    );
    assert_eq!(seqs_of(&store, 2), vec![4, 7, 10]);
    assert_eq!(seqs_of(&store, 3), vec![5, 8, 11]);
    assert_eq!(store.get(&history_key(2, 7)).expect("get"), Some(Vec::new()));
    assert_eq!(
        store.get(&history_key(3, 7)).expect("get"),
        None,
        "another conversation's event"
    );
    let all = store.scan_prefix(b"h/").expect("scan");
    assert_eq!(all.len(), 12);
    assert!(all.windows(2).all(|w| w[0].0 < w[1].0), "in key order");
    assert_eq!(
        store
            .scan_range(&history_key(2, 0), &history_key(3, 9), 100)
            .expect("scan")
            .len(),
        5
    );
    assert_eq!(store.scan_range(&history_key(1, 2), b"h0", 4).expect("scan").len(), 4);
    // Erasing conversation 1 (retention): the older keys and the chain alike.
    let mut w = WriteSet::default();
    for seq in [0, 1, 2, 3, 6, 9] {
        w.delete(event_key(seq));
        w.delete(history_key(1, seq));
    }
    store.commit(&w).expect("commit");
    drop(store);
    let store = SledStore::open(dir.path()).expect("reopen");
    assert_eq!(seqs_of(&store, 1), Vec::<u64>::new());
    assert_eq!(seqs_of(&store, 2), vec![4, 7, 10]);
    assert_eq!(
        store.scan_prefix(b"").expect("scan").len(),
        6 + 6,
        "six events and six history keys left"
    );
    // The next event of conversation 2 links behind its head after the reopen.
    let mut w = WriteSet::default();
    w.put(event_key(12), b"new 12".to_vec());
    w.put(history_key(2, 12), Vec::new());
    store.commit(&w).expect("commit");
    assert_eq!(seqs_of(&store, 2), vec![4, 7, 10, 12]);
}
