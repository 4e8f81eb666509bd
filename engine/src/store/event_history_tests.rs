//! Histories as chains: linking, unlinking, a replay, what does not fit,
//! and the heads a crash gets back.

use super::*;

fn setup(seqs: std::ops::Range<u64>) -> (tempfile::TempDir, NumberedFile, History) {
    let dir = tempfile::tempdir().expect("tmp");
    let events = NumberedFile::open(dir.path(), "events", None).expect("events");
    let values: Vec<(u64, Vec<u8>)> = seqs.map(|s| (s, format!("event {s}").into_bytes())).collect();
    let refs: Vec<(u64, &[u8])> = values.iter().map(|(s, v)| (*s, v.as_slice())).collect();
    events.put_many(&refs).expect("put");
    let history = History::open(dir.path()).expect("history");
    (dir, events, history)
}

#[test]
fn two_conversations_interleaved_keep_their_own_histories() {
    let (_dir, events, history) = setup(100..120);
    for seq in 100..120 {
        let c = if seq % 3 == 0 { 7 } else { 8 };
        assert!(history.link(&events, c, seq).expect("link"), "{seq}");
    }
    let sevens: Vec<u64> = (100..120).filter(|s| s % 3 == 0).collect();
    let eights: Vec<u64> = (100..120).filter(|s| s % 3 != 0).collect();
    assert_eq!(history.chain(&events, 7).expect("chain"), sevens);
    assert_eq!(history.chain(&events, 8).expect("chain"), eights);
    assert_eq!(history.chain(&events, 9).expect("chain"), Vec::<u64>::new());
    // A replayed link changes nothing; another conversation's event is not ours.
    assert!(history.link(&events, 7, 102).expect("again"));
    assert_eq!(history.chain(&events, 7).expect("chain"), sevens);
    assert!(!history.unlink(&events, 7, 101).expect("not ours"));
    // Out of the middle, then the newest: the head moves back.
    assert!(history.unlink(&events, 7, 108).expect("unlink"));
    assert!(history.unlink(&events, 7, 117).expect("unlink"));
    assert_eq!(history.chain(&events, 7).expect("chain"), vec![102, 105, 111, 114]);
    // A new event after that links behind the new head.
    events.put_many(&[(120, b"event 120".as_slice())]).expect("put");
    assert!(history.link(&events, 7, 120).expect("link"));
    assert_eq!(history.chain(&events, 7).expect("chain"), vec![102, 105, 111, 114, 120]);
    for seq in [102, 105, 111, 114, 120] {
        assert!(history.unlink(&events, 7, seq).expect("unlink"));
    }
    assert_eq!(history.chain(&events, 7).expect("chain"), Vec::<u64>::new());
    assert_eq!(history.chain(&events, 8).expect("chain"), eights, "untouched");
}

#[test]
fn what_does_not_fit_is_left_to_sled() {
    let (_dir, events, history) = setup(10..20);
    assert!(!history.link(&events, 1, 9).expect("link"), "an event not in the file");
    assert!(history.link(&events, 1, 15).expect("link"));
    assert!(
        !history.link(&events, 1, 12).expect("link"),
        "before the head: out of order"
    );
    assert!(
        !history.link(&events, 1 + 2 * SLACK, 16).expect("link"),
        "a conversation id far out"
    );
    assert!(history.link(&events, 0, 16).expect("link"), "a lower id than the first");
    assert_eq!(history.chain(&events, 1).expect("chain"), vec![15]);
}

#[test]
fn after_a_crash_the_heads_of_the_last_checkpoint_come_back() {
    let (dir, events, history) = setup(0..10);
    for seq in 0..5 {
        history.link(&events, 3, seq).expect("link");
    }
    events.sync().expect("sync");
    history.checkpoint().expect("checkpoint");
    for seq in 5..8 {
        history.link(&events, 3, seq).expect("link");
    }
    // A power cut kept the head's new value but lost two links.
    for seq in [6, 7] {
        let lost = Entry {
            linked: false,
            conversation: 0,
            previous: None,
            ..events.entry_of(seq).expect("entry")
        };
        events.set_link(seq, lost).expect("lose");
    }
    drop(history);
    let history = History::open(dir.path()).expect("reopen");
    assert!(history.chain(&events, 3).is_err(), "the head leads to a lost link");
    history.restore(&BTreeSet::from([3])).expect("restore");
    assert_eq!(history.chain(&events, 3).expect("chain"), vec![0, 1, 2, 3, 4]);
    // The write-ahead log's replay links them again, in order.
    for seq in 5..8 {
        assert!(history.link(&events, 3, seq).expect("relink"), "{seq}");
    }
    assert_eq!(history.chain(&events, 3).expect("chain"), (0..8).collect::<Vec<_>>());
}

#[test]
fn a_file_that_is_not_a_history_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(dir.path().join("events")).expect("dir");
    std::fs::write(dir.path().join("events/heads"), b"something else entirely").expect("write");
    let error = History::open(dir.path()).expect_err("refused");
    assert!(error.to_string().contains("not an smsdesk history file"), "{error}");
}
