//! `PgStore` keeps what the engine commits as the in-memory store does:
//! the same gets, prefix scans and range scans, in the same order, for
//! random write sets; a commit survives a crash of the database; a leader
//! fenced out by a takeover writes nothing; a reader's snapshot reads one
//! moment.

use std::time::Duration;

use smsdesk_engine::store::{KvStore, MemoryStore, StoreError, WriteSet};
use smsdesk_pgstore::lease::Lease;
use smsdesk_pgstore::testing::Postgres;
use smsdesk_pgstore::PgStore;

/// A small deterministic generator (no extra dependency for one test).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }

    fn key(&mut self) -> Vec<u8> {
        let prefixes: [&[u8]; 4] = [b"c/", b"e/", b"q/sms/", &[0xFF, 0x01]];
        let mut key = prefixes[self.next(4) as usize].to_vec();
        for _ in 0..self.next(4) {
            key.push(self.next(256) as u8);
        }
        key
    }
}

#[test]
fn reads_match_the_in_memory_store_for_random_writes() {
    let pg = Postgres::start();
    let store = PgStore::connect(&pg.url("random")).unwrap();
    let memory = MemoryStore::new();
    let mut rng = Lcg(7);
    for _ in 0..200 {
        let mut w = WriteSet::default();
        for _ in 0..rng.next(8) {
            let key = rng.key();
            if rng.next(3) == 0 {
                w.delete(key);
            } else {
                w.put(key, rng.next(1_000_000).to_string().into_bytes());
            }
        }
        store.commit(&w).unwrap();
        memory.commit(&w).unwrap();
    }
    for prefix in [&b""[..], b"c/", b"e/", b"q/sms/", &[0xFF], &[0xFF, 0x01]] {
        assert_eq!(
            store.scan_prefix(prefix).unwrap(),
            memory.scan_prefix(prefix).unwrap(),
            "{prefix:?}"
        );
    }
    for (from, to, limit) in [
        (&b"c/"[..], &b"e0"[..], 5),
        (b"", b"\xff\xff", 1000),
        (b"e/", b"e/\x80", 3),
    ] {
        assert_eq!(
            store.scan_range(from, to, limit).unwrap(),
            memory.scan_range(from, to, limit).unwrap()
        );
    }
    for (key, value) in memory.scan_prefix(b"").unwrap().into_iter().take(20) {
        assert_eq!(store.get(&key).unwrap(), Some(value));
    }
    assert_eq!(store.get(b"never written").unwrap(), None);
}

#[test]
fn a_commit_survives_a_crash_of_the_database() {
    let pg = Postgres::start();
    let url = pg.url("crash");
    let store = PgStore::connect(&url).unwrap();
    let mut w = WriteSet::default();
    w.put(b"e/1".to_vec(), b"committed".to_vec());
    store.commit(&w).unwrap();
    pg.crash();
    // While it is down, a commit fails (and says why); nothing is pretended.
    assert!(matches!(store.commit(&w), Err(StoreError::Database(_))));
    pg.restart();
    let again = PgStore::connect(&url).unwrap();
    assert_eq!(again.get(b"e/1").unwrap(), Some(b"committed".to_vec()));
    // The first store connects again, and prepares its statements anew on
    // the new connection.
    w.put(b"e/2".to_vec(), b"after the crash".to_vec());
    store.commit(&w).unwrap();
    assert_eq!(again.get(b"e/2").unwrap(), Some(b"after the crash".to_vec()));
}

#[test]
fn statements_are_prepared_once_per_connection_and_outlive_a_change_of_the_table() {
    let pg = Postgres::start();
    let url = pg.url("prepared");
    let conn = smsdesk_pgstore::Conn::new(&url);
    let get = "SELECT value FROM smsdesk_kv WHERE key = $1";
    let held = |conn: &smsdesk_pgstore::Conn| {
        conn.with_session(|s| {
            // Unnamed (not prepared), so this query is not among them.
            let rows = s.client().query_typed("SELECT name FROM pg_prepared_statements", &[])?;
            Ok((s.prepared(), rows.len()))
        })
        .unwrap()
    };
    for _ in 0..3 {
        let rows = conn
            .with_session(|s| s.query(get, &[(&b"e/1".as_slice(), postgres::types::Type::BYTEA)]))
            .unwrap();
        assert!(rows.is_empty());
    }
    // One statement, prepared on the server once for the three calls.
    assert_eq!(held(&conn), (1, 1));

    // Its generic plan, made while the table is small (statistics of a
    // few rows), still reads by the primary key: it is kept as the table
    // grows, and a whole-table read per key would stay with it.
    let plan = conn
        .with(|c| {
            c.batch_execute(
                "INSERT INTO smsdesk_kv (key, value) SELECT convert_to('s/' || i, 'UTF8'), 'x' FROM generate_series(1, 5) i; \
                 ANALYZE smsdesk_kv; SET plan_cache_mode = force_generic_plan; \
                 PREPARE lookup (bytea[]) AS SELECT key, value FROM smsdesk_kv WHERE key = ANY($1)",
            )?;
            let rows = c.simple_query("EXPLAIN EXECUTE lookup('{}'); ")?;
            c.batch_execute("DEALLOCATE lookup; RESET plan_cache_mode")?;
            Ok(rows
                .iter()
                .filter_map(|m| match m {
                    postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("\n"))
        })
        .unwrap();
    assert!(plan.contains("smsdesk_kv_pkey") && !plan.contains("Seq Scan"), "{plan}");

    // A store keeps working while another smsdesk changes its table
    // (a newer version's migration): PostgreSQL plans the statements again.
    let store = PgStore::connect(&url).unwrap();
    let mut w = WriteSet::default();
    w.put(b"c/1".to_vec(), b"before".to_vec());
    store.commit(&w).unwrap();
    assert_eq!(store.get(b"c/1").unwrap(), Some(b"before".to_vec()));
    conn.with(|c| {
        c.batch_execute(
            "ALTER TABLE smsdesk_kv ADD COLUMN added_later integer; CREATE INDEX ON smsdesk_kv (added_later)",
        )
    })
    .unwrap();
    w.put(b"c/1".to_vec(), b"after".to_vec());
    store.commit(&w).unwrap();
    assert_eq!(store.get(b"c/1").unwrap(), Some(b"after".to_vec()));
    assert_eq!(
        store.scan_prefix(b"c/").unwrap(),
        vec![(b"c/1".to_vec(), b"after".to_vec())]
    );
}

#[test]
fn migrations_run_once_however_many_instances_start() {
    let pg = Postgres::start();
    let url = pg.url("migrate");
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || PgStore::connect(&url).map(|_| ()))
        })
        .collect();
    for t in threads {
        t.join().unwrap().unwrap();
    }
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let versions: i64 = client
        .query_one("SELECT count(*) FROM smsdesk_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(versions, i64::from(smsdesk_pgstore::migrate::latest()));
}

#[test]
fn a_leader_whose_lease_was_taken_writes_nothing() {
    let pg = Postgres::start();
    let url = pg.url("fence");
    // Each instance has its own connection, as in production (the liveness
    // lock is its session's).
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut client_b = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let _ = PgStore::connect(&url).unwrap(); // the schema
    let ttl = Duration::from_millis(300);
    let (a, b) = (Lease::new("leader", "a", ttl), Lease::new("leader", "b", ttl));
    let fence_a = a.try_acquire(&mut client).unwrap().expect("a leads");
    assert_eq!(
        b.try_acquire(&mut client_b).unwrap(),
        None,
        "b waits while a's lease runs"
    );
    assert!(a.renew(&mut client, &fence_a).unwrap());
    let old_leader = PgStore::connect(&url).unwrap().fenced(fence_a.clone());
    let mut w = WriteSet::default();
    w.put(b"e/1".to_vec(), b"by a".to_vec());
    old_leader.commit(&w).unwrap();

    // a pauses past its lease; b takes over with a higher epoch.
    std::thread::sleep(ttl + Duration::from_millis(200));
    let fence_b = b.try_acquire(&mut client_b).unwrap().expect("b takes over");
    assert!(fence_b.epoch > fence_a.epoch);
    assert!(
        !a.renew(&mut client, &fence_a).unwrap(),
        "a cannot renew a lease it lost"
    );

    let mut stale = WriteSet::default();
    stale.put(b"e/2".to_vec(), b"by a, after the takeover".to_vec());
    stale.delete(b"e/1".to_vec());
    match old_leader.commit(&stale) {
        Err(StoreError::Fenced(why)) => assert!(why.contains("epoch"), "{why}"),
        other => panic!("a stale leader's commit must be fenced: {other:?}"),
    }
    let reader = PgStore::connect(&url).unwrap();
    assert_eq!(reader.get(b"e/1").unwrap(), Some(b"by a".to_vec()));
    assert_eq!(reader.get(b"e/2").unwrap(), None);
    let new_leader = PgStore::connect(&url).unwrap().fenced(fence_b.clone());
    new_leader.commit(&stale).unwrap();

    // A clean resignation frees the lease at once.
    b.resign(&mut client_b, &fence_b).unwrap();
    let fence_a2 = a.try_acquire(&mut client).unwrap().expect("free after b resigned");
    assert!(fence_a2.epoch > fence_b.epoch);
}

#[test]
fn a_transaction_a_frozen_leader_left_open_does_not_block_the_takeover() {
    let pg = Postgres::start();
    let url = pg.url("frozen");
    let mut a = smsdesk_pgstore::conn::open(&url).unwrap();
    smsdesk_pgstore::migrate::run(&mut a).unwrap();
    let ttl = Duration::from_secs(1);
    Lease::new("leader", "a", ttl).try_acquire(&mut a).unwrap().unwrap();
    // A froze in the middle of a commit: the lease row locked by an open
    // transaction, and the lease running out.
    a.batch_execute("BEGIN; UPDATE smsdesk_lease SET epoch = epoch WHERE name = 'leader'")
        .unwrap();
    std::thread::sleep(ttl + Duration::from_millis(200));
    let mut b = smsdesk_pgstore::conn::open(&url).unwrap();
    let started = std::time::Instant::now();
    let taken = Lease::new("leader", "b", ttl).try_acquire(&mut b).unwrap();
    assert!(taken.is_some(), "the standby could not take the lease");
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(8),
        "the takeover waited {waited:?} for the frozen transaction"
    );
    // The server ended A's session: thawed, it cannot finish that commit.
    assert!(a.batch_execute("COMMIT").is_err());
}

#[test]
fn a_dead_leaders_lease_is_taken_at_once_and_a_live_ones_is_not() {
    let pg = Postgres::start();
    let url = pg.url("liveness");
    let _ = PgStore::connect(&url).unwrap(); // the schema
    let ttl = Duration::from_secs(60);
    let (a, b) = (Lease::new("leader", "a", ttl), Lease::new("leader", "b", ttl));
    let mut conn_a = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut conn_b = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let fence_a = a.try_acquire(&mut conn_a).unwrap().expect("a leads");
    // Alive (its session open), a keeps the lease for its whole minute.
    assert_eq!(b.try_acquire(&mut conn_b).unwrap(), None);
    assert_eq!(
        b.try_acquire(&mut conn_b).unwrap(),
        None,
        "b's look did not take a's lock"
    );
    // a dies: its connection closes with it, and the server lets its lock go.
    drop(conn_a);
    let started = std::time::Instant::now();
    let fence_b = loop {
        if let Some(f) = b.try_acquire(&mut conn_b).unwrap() {
            break f;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "b never took the dead leader's lease"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(fence_b.epoch, fence_a.epoch + 1);
    // a third instance finds b alive.
    let mut conn_c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    assert_eq!(Lease::new("leader", "c", ttl).try_acquire(&mut conn_c).unwrap(), None);
    assert!(b.renew(&mut conn_b, &fence_b).unwrap());
}

/// A reader's snapshot sees the store as one moment left it: a commit made
/// meanwhile on another connection shows only after the snapshot; the
/// batch reads (`get_many`) answer each key in order, absent ones too.
#[test]
fn a_snapshot_reads_one_moment_and_get_many_answers_every_key() {
    let pg = Postgres::start();
    let url = pg.url("snapshot");
    let (writer, reader) = (PgStore::connect(&url).unwrap(), PgStore::connect(&url).unwrap());
    let mut w = WriteSet::default();
    w.put(b"h/1".to_vec(), Vec::new());
    w.put(b"e/1".to_vec(), b"first".to_vec());
    writer.commit(&w).unwrap();
    let (inside, after_commit) = reader.snapshot(|r| {
        let before = r.scan_prefix(b"h/").unwrap().len();
        let mut erase = WriteSet::default();
        erase.delete(b"h/1".to_vec());
        erase.delete(b"e/1".to_vec());
        writer.commit(&erase).unwrap();
        (before, r.get(b"e/1").unwrap())
    });
    assert_eq!(inside, 1);
    assert_eq!(after_commit, Some(b"first".to_vec()), "the index and its record agree");
    assert_eq!(reader.get(b"e/1").unwrap(), None, "after the snapshot, the erase shows");
    let mut w = WriteSet::default();
    w.put(b"d/a".to_vec(), b"1".to_vec());
    w.put(b"d/c".to_vec(), b"3".to_vec());
    writer.commit(&w).unwrap();
    let keys = [b"d/c".to_vec(), b"d/b".to_vec(), b"d/a".to_vec(), b"d/c".to_vec()];
    assert_eq!(
        reader.get_many(&keys).unwrap(),
        [Some(b"3".to_vec()), None, Some(b"1".to_vec()), Some(b"3".to_vec())]
    );
}
