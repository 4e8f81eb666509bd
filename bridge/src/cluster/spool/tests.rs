//! The spool on its own (no database): what survives a restart, a torn
//! tail, the limit, the lock, and the drained mark.
#![allow(clippy::unwrap_used)]

use std::io::Write as _;
use std::sync::Arc;

use super::Spool;
use crate::metrics::Metrics;

fn open(dir: &std::path::Path, mib: u64) -> anyhow::Result<Arc<Spool>> {
    Spool::open(dir, mib, Arc::new(Metrics::new()))
}

fn row(i: usize) -> String {
    format!("[{{\"row\":{i}}}]")
}

#[tokio::test]
async fn what_was_acknowledged_survives_a_restart_and_a_torn_tail_is_cut() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), 1).unwrap();
    for i in 0..3 {
        spool.append(row(i)).await.unwrap();
    }
    let kept = spool.status();
    assert_eq!(kept.depth, 3);
    drop(spool);
    // The process died in the middle of the next append.
    let mut log = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.path().join("spool/log"))
        .unwrap();
    log.write_all(&[200, 0, 0, 0, 1, 2]).unwrap();
    drop(log);
    let spool = open(dir.path(), 1).unwrap();
    let status = spool.status();
    assert_eq!((status.depth, status.bytes), (3, kept.bytes));
    let (rows, _) = spool.next_batch().unwrap();
    assert_eq!(rows, vec![row(0), row(1), row(2)]);
    // Appends go on after the cut.
    spool.append(row(3)).await.unwrap();
    assert_eq!(spool.next_batch().unwrap().0.len(), 4);
}

#[tokio::test]
async fn a_full_spool_refuses_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), 1).unwrap();
    let big = "x".repeat(600 * 1024);
    spool.append(big.clone()).await.unwrap();
    let refused = spool.append(big).await.unwrap_err();
    assert!(matches!(refused, super::SpoolError::Full { mib: 1 }), "{refused:?}");
    assert!(
        refused
            .to_string()
            .contains("spool is full (storage.spool_mib = 1 MiB)"),
        "{refused}"
    );
    assert_eq!(spool.status().depth, 1);
    // A small one still fits.
    spool.append(row(0)).await.unwrap();
}

#[test]
fn a_second_instance_cannot_share_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let first = open(dir.path(), 1).unwrap();
    let second = open(dir.path(), 1).unwrap_err().to_string();
    assert!(second.contains("another smsdesk runs with storage.path"), "{second}");
    drop(first);
    open(dir.path(), 1).unwrap();
}

#[tokio::test]
async fn entries_are_moved_in_order_once_marked_and_the_log_empties() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), 16).unwrap();
    for i in 0..300 {
        spool.append(row(i)).await.unwrap();
    }
    let (rows, to) = spool.next_batch().unwrap();
    assert_eq!(rows.len(), super::BATCH);
    assert_eq!((rows[0].clone(), rows[255].clone()), (row(0), row(255)));
    // Stored in the inbox but not marked (a crash in between): moved again.
    drop(spool);
    let spool = open(dir.path(), 16).unwrap();
    assert_eq!(spool.status().depth, 300);
    assert_eq!(spool.next_batch().unwrap(), (rows, to));
    spool.moved(256, to).unwrap();
    drop(spool);
    // Marked: not moved again, after a restart too.
    let spool = open(dir.path(), 16).unwrap();
    assert_eq!(spool.status().depth, 44);
    let (rest, end) = spool.next_batch().unwrap();
    assert_eq!((rest.len(), rest[0].clone()), (44, row(256)));
    spool.moved(44, end).unwrap();
    let status = spool.status();
    assert_eq!((status.depth, status.bytes, status.accepting), (0, 0, true));
    assert!(spool.is_empty());
    drop(spool);
    assert_eq!(open(dir.path(), 16).unwrap().status().depth, 0);
}

#[tokio::test]
async fn a_spool_drained_while_webhooks_keep_coming_never_fills_up() {
    // Each drain sees a new entry arrive before it marks its batch, so the
    // log is never empty when drained: 25 MiB pass through a 8 MiB spool.
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), 8).unwrap();
    let big = |i: usize| format!("[{{\"row\":{i},\"pad\":\"{}\"}}]", "x".repeat(64 * 1024));
    let mut next = 0;
    spool.append(big(next)).await.unwrap();
    next += 1;
    let mut moved = Vec::new();
    for _ in 0..200 {
        let (rows, to) = spool.next_batch().unwrap();
        spool
            .append(big(next))
            .await
            .expect("the spool filled up while being drained");
        next += 1;
        moved.extend(rows.iter().map(|r| r[..20].to_owned()));
        spool.moved(rows.len() as u64, to).unwrap();
    }
    let log = std::fs::metadata(dir.path().join("spool/log")).unwrap().len();
    assert!(log < 8 * 1024 * 1024, "the log grew to {log} bytes");
    // In order, none lost, none twice; the rest survives a restart.
    let expected: Vec<String> = (0..moved.len()).map(|i| big(i)[..20].to_owned()).collect();
    assert_eq!(moved, expected);
    drop(spool);
    let spool = open(dir.path(), 8).unwrap();
    let (rest, _) = spool.next_batch().unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0][..20], big(next - 1)[..20]);
}

#[tokio::test]
async fn a_damaged_record_with_acknowledged_ones_after_it_stops_the_start_and_cuts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let spool = open(dir.path(), 1).unwrap();
    for i in 0..3 {
        spool.append(row(i)).await.unwrap();
    }
    drop(spool);
    let path = dir.path().join("spool/log");
    let mut bytes = std::fs::read(&path).unwrap();
    let size = bytes.len();
    bytes[10] ^= 0xff; // inside the first record's payload
    std::fs::write(&path, &bytes).unwrap();
    let refused = open(dir.path(), 1).unwrap_err().to_string();
    assert!(
        refused.contains("is damaged") && refused.contains("does not cut them"),
        "{refused}"
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().len() as usize,
        size,
        "acknowledged entries were cut"
    );
}
