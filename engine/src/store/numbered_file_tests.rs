//! A numbered file on its own: round trip, replay, erasure (zeros and
//! holes), a damaged record.

use super::*;
use std::os::unix::fs::MetadataExt;

fn value(seq: u64) -> Vec<u8> {
    format!(
        "{{\"seq\":{seq},\"body\":\"customer text number {seq:06} {}\"}}",
        "x".repeat(200)
    )
    .into_bytes()
}

fn put(file: &NumberedFile, seqs: std::ops::Range<u64>) {
    put_with(file, seqs, value);
}

/// Puts `make(seq)` for every number of `seqs`, in one call.
fn put_with(file: &NumberedFile, seqs: std::ops::Range<u64>, make: fn(u64) -> Vec<u8>) {
    let values: Vec<(u64, Vec<u8>)> = seqs.map(|s| (s, make(s))).collect();
    let refs: Vec<(u64, &[u8])> = values.iter().map(|(s, v)| (*s, v.as_slice())).collect();
    file.put_many(&refs).expect("put");
}

fn log_len(dir: &Path) -> u64 {
    std::fs::metadata(dir.join("events/log")).expect("log").len()
}

#[test]
fn events_come_back_after_a_reopen_and_a_replay_writes_nothing_twice() {
    let dir = tempfile::tempdir().expect("tmp");
    {
        let file = NumberedFile::open(dir.path(), "events", None).expect("open");
        put(&file, 5..105);
        file.sync().expect("sync");
    }
    let file = NumberedFile::open(dir.path(), "events", None).expect("reopen");
    assert_eq!(file.get(5).expect("get"), Some(value(5)));
    assert_eq!(file.get(104).expect("get"), Some(value(104)));
    assert_eq!(file.get(4).expect("get"), None, "below the first");
    assert_eq!(file.get(105).expect("get"), None, "past the last");
    let len = log_len(dir.path());
    put(&file, 50..105);
    assert_eq!(log_len(dir.path()), len, "a replayed commit appends nothing");
    let page = file.range(10, 3, |_| true).expect("range");
    assert_eq!(page.iter().map(|(s, _)| *s).collect::<Vec<_>>(), vec![10, 11, 12]);
    assert_eq!(page[0].1, value(10));
    let bounded = file.range(100, 50, |s| s < 102).expect("range");
    assert_eq!(bounded.len(), 2);
    // A new value for a sequence number (never done by the engine) wins.
    file.put_many(&[(7, b"other".as_slice())]).expect("put");
    assert_eq!(file.get(7).expect("get"), Some(b"other".to_vec()));
}

#[test]
fn where_events_belong() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = NumberedFile::open(dir.path(), "events", None).expect("open");
    assert!(file.takes(1_000), "an empty file takes its first event wherever it is");
    put(&file, 1_000..1_010);
    assert!(!file.takes(999), "older events stay in sled");
    assert!(file.takes(1_010));
    assert!(file.takes(1_010 + SLACK - 1));
    assert!(!file.takes(1_010 + SLACK + 1), "a jump past the slack goes to sled");
}

#[test]
fn an_erased_event_is_gone_from_the_disk_and_its_blocks_are_given_back() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = NumberedFile::open(dir.path(), "events", None).expect("open");
    put(&file, 0..400);
    file.sync().expect("sync");
    let blocks_before = std::fs::metadata(dir.path().join("events/log")).expect("log").blocks();
    for seq in 0..300 {
        assert!(file.erase(seq).expect("erase"), "event {seq} was here");
    }
    assert!(file.erase(0).expect("erase again"), "an erased event was here");
    assert!(
        !file.erase(10_000).expect("erase absent"),
        "never here: the caller looks in sled"
    );
    assert_eq!(file.get(42).expect("get"), None);
    assert_eq!(
        file.range(0, 10, |_| true).expect("range")[0].0,
        300,
        "scans skip erased events"
    );
    let log = std::fs::read(dir.path().join("events/log")).expect("log");
    let text = String::from_utf8_lossy(&log);
    assert!(!text.contains("number 000042"), "an erased event's text is not on disk");
    assert!(text.contains("number 000342"), "the others are");
    let blocks_after = std::fs::metadata(dir.path().join("events/log")).expect("log").blocks();
    assert!(
        blocks_after * 2 < blocks_before,
        "three quarters erased: {blocks_before} blocks before, {blocks_after} after"
    );
    // Put again (a replayed commit from before the erasure): back, then erased again.
    put(&file, 42..43);
    assert_eq!(file.get(42).expect("get"), Some(value(42)));
}

#[test]
fn a_damaged_record_is_an_error_naming_the_event() {
    let dir = tempfile::tempdir().expect("tmp");
    {
        let file = NumberedFile::open(dir.path(), "events", None).expect("open");
        put(&file, 0..3);
        file.sync().expect("sync");
    }
    let path = dir.path().join("events/log");
    let mut log = std::fs::read(&path).expect("log");
    let at = log.len() - 5;
    log[at] ^= 0x55;
    std::fs::write(&path, &log).expect("write");
    let file = NumberedFile::open(dir.path(), "events", None).expect("reopen");
    assert_eq!(file.get(0).expect("intact"), Some(value(0)));
    let error = file.get(2).expect_err("damaged");
    assert!(error.to_string().contains("events/log (record 2)"), "{error}");
    // The commit replayed at open writes it again.
    put(&file, 2..3);
    assert_eq!(file.get(2).expect("rewritten"), Some(value(2)));
}

#[test]
fn a_file_that_is_not_an_index_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(dir.path().join("events")).expect("dir");
    std::fs::write(
        dir.path().join("events/index"),
        b"something else entirely, longer than a header",
    )
    .expect("write");
    let error = NumberedFile::open(dir.path(), "events", None).expect_err("refused");
    assert!(error.to_string().contains("not an smsdesk record index"), "{error}");
}

fn copies_of(dir: &Path, text: &str) -> usize {
    let log = std::fs::read(dir.join("events/log")).expect("log");
    String::from_utf8_lossy(&log).matches(text).count()
}

#[test]
fn what_was_written_after_the_last_sync_is_cut_at_open_and_appended_once_by_the_replay() {
    let dir = tempfile::tempdir().expect("tmp");
    {
        let file = NumberedFile::open(dir.path(), "events", None).expect("open");
        put(&file, 0..10);
        file.sync().expect("sync");
        // Written after the checkpoint (their write sets are in the
        // write-ahead log), then a crash.
        put(&file, 10..20);
    }
    let file = NumberedFile::open(dir.path(), "events", None).expect("reopen");
    assert_eq!(file.get(5).expect("durable"), Some(value(5)));
    assert!(file.get(15).is_err(), "cut at open: the replay writes it again");
    // The write-ahead log's replay: the durable ones are found, the cut ones appended.
    put(&file, 0..20);
    for seq in [3, 15] {
        assert_eq!(file.get(seq).expect("get"), Some(value(seq)));
        assert_eq!(
            copies_of(dir.path(), &format!("number {seq:06}")),
            1,
            "one copy of {seq} on disk"
        );
    }
}

#[test]
fn an_erasure_replayed_zeros_again() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = NumberedFile::open(dir.path(), "events", None).expect("open");
    put(&file, 0..3);
    file.sync().expect("sync");
    let before = std::fs::read(dir.path().join("events/log")).expect("log");
    assert!(file.erase(1).expect("erase"));
    assert_eq!(copies_of(dir.path(), "number 000001"), 0);
    // A power cut kept the mark in the index but not the zeros.
    std::fs::write(dir.path().join("events/log"), &before).expect("write");
    assert_eq!(copies_of(dir.path(), "number 000001"), 1);
    assert!(file.erase(1).expect("erase again"), "was here");
    assert_eq!(copies_of(dir.path(), "number 000001"), 0, "zeroed again");
    assert_eq!(file.get(0).expect("get"), Some(value(0)), "its neighbours stay");
    assert_eq!(file.get(2).expect("get"), Some(value(2)));
}

fn event(seq: u64) -> Vec<u8> {
    format!(
        r#"{{"seq":{seq},"at":1800000000{seq:03},"actor":{{"kind":"system"}},"event":{{"event":"sms-sent","conversation":{},"message_id":{seq},"provider_id":"SM{seq:032x}"}}}}"#,
        seq % 7
    )
    .into_bytes()
}

fn put_events(file: &NumberedFile, seqs: std::ops::Range<u64>) {
    put_with(file, seqs, event);
}

fn packed(dir: &Path) -> NumberedFile {
    NumberedFile::open(dir, "events", Some(Arc::new(Packer::events().expect("packer")))).expect("open")
}

#[test]
fn packed_events_take_less_than_half_their_size_and_come_back_whole() {
    let dir = tempfile::tempdir().expect("tmp");
    {
        let file = packed(dir.path());
        put_events(&file, 0..100);
        file.sync().expect("sync");
    }
    let file = packed(dir.path());
    assert_eq!(file.get(42).expect("get"), Some(event(42)));
    let plain: u64 = (0..100).map(|s| event(s).len() as u64 + RECORD_HEADER).sum();
    let len = log_len(dir.path());
    assert!(len * 2 < plain, "{len} bytes on disk for {plain} plain");
    put_events(&file, 0..100);
    assert_eq!(log_len(dir.path()), len, "a replayed commit appends nothing");
    let page = file.range(10, 2, |_| true).expect("range");
    assert_eq!(page, vec![(10, event(10)), (11, event(11))]);
    // What does not shrink is kept as is, beside packed records.
    file.put_many(&[(100, b"x".as_slice())]).expect("put");
    assert_eq!(file.get(100).expect("get"), Some(b"x".to_vec()));
}

#[test]
fn a_file_written_plain_is_read_and_carried_on_packed() {
    let dir = tempfile::tempdir().expect("tmp");
    {
        let file = NumberedFile::open(dir.path(), "events", None).expect("open");
        put_events(&file, 0..10);
        file.sync().expect("sync");
    }
    let magic = || std::fs::read(dir.path().join("events/index")).expect("index")[..8].to_vec();
    assert_eq!(magic(), b"smsdrec1");
    let file = packed(dir.path());
    // Marked before any packed record: a version that cannot read them refuses the file.
    assert_eq!(magic(), b"smsdrec2");
    put_events(&file, 10..20);
    for seq in [3, 15] {
        assert_eq!(file.get(seq).expect("get"), Some(event(seq)));
    }
    file.sync().expect("sync");
    drop(file);
    let plain = NumberedFile::open(dir.path(), "events", None).expect("open");
    plain.sync().expect("sync");
    assert_eq!(magic(), b"smsdrec2", "still marked");
    assert_eq!(plain.get(3).expect("plain"), Some(event(3)));
    let error = plain.get(15).expect_err("packed");
    assert!(error.to_string().contains("events/log (record 15)"), "{error}");
    assert!(error.to_string().contains("packs none"), "{error}");
}

#[test]
fn an_erased_packed_event_leaves_no_bytes_and_a_damaged_one_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = packed(dir.path());
    put_events(&file, 0..3);
    file.sync().expect("sync");
    let entry = file.entry_of(1).expect("entry");
    let (offset, len) = (entry.offset.expect("here"), u64::from(entry.len));
    let log = std::fs::read(dir.path().join("events/log")).expect("log");
    let record = &log[(offset + RECORD_HEADER) as usize..(offset + RECORD_HEADER + len) as usize];
    assert!(record.len() > 8, "{} bytes", record.len());
    let record = record.to_vec();
    assert!(file.erase(1).expect("erase"));
    let log = std::fs::read(dir.path().join("events/log")).expect("log");
    assert!(
        !log.windows(record.len()).any(|w| w == record),
        "its packed bytes are gone"
    );
    let last = file.entry_of(2).expect("entry");
    let at = (last.offset.expect("here") + RECORD_HEADER + u64::from(last.len) - 2) as usize;
    let mut damaged = log;
    damaged[at] ^= 0x55;
    std::fs::write(dir.path().join("events/log"), &damaged).expect("write");
    let error = file.get(2).expect_err("damaged");
    assert!(error.to_string().contains("events/log (record 2)"), "{error}");
    assert_eq!(file.get(0).expect("intact"), Some(event(0)));
    // The packed flag flipped: a damaged record, not its packed bytes handed out as the value.
    let first = file.entry_of(0).expect("entry").offset.expect("here") as usize;
    damaged[first + 3] &= 0x7f;
    std::fs::write(dir.path().join("events/log"), &damaged).expect("write");
    let error = file.get(0).expect_err("flag flipped");
    assert!(error.to_string().contains("checksum"), "{error}");
}
