//! What instances share besides the engine's records: the webhooks any of
//! them acknowledged (grouped inserts, in order, and a notification for
//! the leader), appservice transactions (kept once per id, whichever
//! instance took them) and agents' attachments (served by any of them).
//! Each connection here stands for another instance.

use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator as _;
use smsdesk_pgstore::testing::Postgres;
use smsdesk_pgstore::{appservice, inbox, media, Conn};

#[test]
fn shared_inbox_rows_keep_their_order_and_wake_the_leader() {
    let pg = Postgres::start();
    let url = pg.url("inbox");
    let (standby, leader) = (Conn::new(&url), Conn::new(&url));
    let mut listening = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    // The table exists once any connection was made.
    leader.with_session(|c| inbox::pending(c, 1, &[])).unwrap();
    listening.batch_execute(&format!("LISTEN {}", inbox::CHANNEL)).unwrap();

    let rows: Vec<String> = ["first", "second", "third"].map(str::to_owned).to_vec();
    standby.with_session(|c| inbox::push(c, &rows)).unwrap();
    let heard = listening
        .notifications()
        .timeout_iter(Duration::from_secs(5))
        .next()
        .unwrap()
        .expect("the leader is told of new rows");
    assert_eq!(heard.channel(), inbox::CHANNEL);

    let pending = leader.with_session(|c| inbox::pending(c, 10, &[])).unwrap();
    let texts: Vec<&str> = pending.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(texts, ["first", "second", "third"], "one group, in order");
    // A row the leader cannot read is skipped, the others still come.
    let unreadable = pending[1].0;
    let others = leader.with_session(|c| inbox::pending(c, 10, &[unreadable])).unwrap();
    assert_eq!(
        others.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>(),
        ["first", "third"]
    );
    let ids: Vec<i64> = others.iter().map(|(id, _)| *id).collect();
    leader.with_session(|c| inbox::done(c, &ids)).unwrap();
    let left = leader.with_session(|c| inbox::pending(c, 10, &[])).unwrap();
    assert_eq!(
        left,
        vec![(unreadable, "second".to_owned())],
        "only what was not committed stays"
    );
}

#[test]
fn an_appservice_transaction_is_kept_once_whichever_instance_takes_it() {
    let pg = Postgres::start();
    let url = pg.url("appservice");
    let (a, b) = (Conn::new(&url), Conn::new(&url));
    assert!(a.with(|c| appservice::accept(c, "txn1", "one")).unwrap());
    // The homeserver retried at the other instance: known, not queued again.
    assert!(!b.with(|c| appservice::accept(c, "txn1", "one")).unwrap());
    assert!(b.with(|c| appservice::accept(c, "txn2", "two")).unwrap());
    let pending = a.with(|c| appservice::pending(c, 10)).unwrap();
    let bodies: Vec<&str> = pending.iter().map(|(_, _, b)| b.as_str()).collect();
    assert_eq!(bodies, ["one", "two"]);
    assert_eq!(pending[0].1, "txn1");

    a.with(|c| appservice::done(c, pending[0].0)).unwrap();
    let pending = a.with(|c| appservice::pending(c, 10)).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].1, "txn2");
    // Handled, its id is still known; forgotten by a sweep once old enough
    // (here at once), while one not handled yet is never swept.
    assert!(!b.with(|c| appservice::accept(c, "txn1", "one")).unwrap());
    assert_eq!(a.with(|c| appservice::sweep(c, Duration::from_secs(3600))).unwrap(), 0);
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(a.with(|c| appservice::sweep(c, Duration::ZERO)).unwrap(), 1);
    assert_eq!(a.with(|c| appservice::pending(c, 10)).unwrap().len(), 1);
}

#[test]
fn an_attachment_is_served_by_any_instance_until_swept() {
    let pg = Postgres::start();
    let url = pg.url("media");
    let (leader, standby) = (Conn::new(&url), Conn::new(&url));
    let kept = media::Media {
        content_type: "image/png".to_owned(),
        name: "form.png".to_owned(),
        body: b"\x89PNG and more".to_vec(),
        expires_at_ms: 1_000,
    };
    leader.with(|c| media::put(c, "token-1", &kept)).unwrap();
    assert_eq!(standby.with(|c| media::get(c, "token-1")).unwrap(), Some(kept.clone()));
    assert_eq!(standby.with(|c| media::get(c, "token-2")).unwrap(), None);
    // A retried reply pushes the expiry on, never back.
    assert!(leader.with(|c| media::keep_until(c, "token-1", 5_000)).unwrap());
    assert!(leader.with(|c| media::keep_until(c, "token-1", 2_000)).unwrap());
    assert_eq!(
        standby
            .with(|c| media::get(c, "token-1"))
            .unwrap()
            .map(|m| m.expires_at_ms),
        Some(5_000)
    );
    assert!(!leader.with(|c| media::keep_until(c, "token-2", 5_000)).unwrap());
    assert_eq!(leader.with(|c| media::sweep(c, 5_000)).unwrap(), 0);
    assert_eq!(leader.with(|c| media::sweep(c, 5_001)).unwrap(), 1);
    assert_eq!(standby.with(|c| media::get(c, "token-1")).unwrap(), None);
}

#[test]
fn a_leaders_gate_is_shut_while_the_shared_inbox_holds_a_row_it_does_not_pass_over() {
    use smsdesk_engine::store::{KvStore, WriteSet};
    use std::sync::Arc;
    let pg = Postgres::start();
    let url = pg.url("gate");
    let passed_over = Arc::new(inbox::PassedOver::default());
    let store = smsdesk_pgstore::PgStore::connect(&url)
        .unwrap()
        .gated(passed_over.clone());
    let plain = smsdesk_pgstore::PgStore::connect(&url).unwrap();
    let mut writes = WriteSet::default();
    writes.put(b"d/a".to_vec(), b"seen".to_vec());
    store.commit(&writes).unwrap();
    let keys = vec![b"d/a".to_vec(), b"d/b".to_vec()];
    let values = vec![Some(b"seen".to_vec()), None];

    assert_eq!(
        store.get_many_gated(&keys).unwrap(),
        (values.clone(), true),
        "an empty inbox"
    );
    assert_eq!(
        store.get_many_gated(&[]).unwrap(),
        (Vec::new(), true),
        "no keys: the gate alone"
    );

    let standby = Conn::new(&url);
    standby.with_session(|c| inbox::push(c, &["[]".to_owned()])).unwrap();
    assert_eq!(
        store.get_many_gated(&keys).unwrap(),
        (values.clone(), false),
        "a standby's row waits"
    );
    assert_eq!(store.get_many_gated(&[]).unwrap(), (Vec::new(), false));
    assert_eq!(
        plain.get_many_gated(&keys).unwrap(),
        (values.clone(), true),
        "a store without a gate is always open"
    );

    let id = standby.with_session(|c| inbox::pending(c, 10, &[])).unwrap()[0].0;
    passed_over.add(id);
    assert_eq!(
        store.get_many_gated(&keys).unwrap(),
        (values.clone(), true),
        "an unreadable row is passed over"
    );
    standby.with_session(|c| inbox::push(c, &["[]".to_owned()])).unwrap();
    assert!(!store.get_many_gated(&keys).unwrap().1, "but not a new one");
}
