//! What smsdesk does by itself (`decide/automation.rs`), with the clock injected:
//! business hours across a DST change and on a holiday, the closed reply,
//! the greeting, the busy reply with its place in line (also after a
//! restart), and pausing a conversation whose customer went quiet.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use std::time::Duration;

use common::*;
use smsdesk_core::hours::Hours;
use smsdesk_core::model::{AutoText, Phase};
use smsdesk_core::routing::Routers;
use smsdesk_core::setup::Setup;
use smsdesk_core::*;
use smsdesk_engine::store::MemoryStore;
use smsdesk_engine::*;

/// A wall-clock time in New York, as the engine's timestamp.
fn ny(local: &str) -> Timestamp {
    let dt: jiff::civil::DateTime = local.parse().unwrap();
    let z = dt
        .to_zoned(jiff::tz::TimeZone::get("America/New_York").unwrap())
        .unwrap();
    Timestamp(u64::try_from(z.timestamp().as_millisecond()).unwrap())
}

fn office_hours() -> Setup {
    let mut s = setup();
    let billing = s.queues.get_mut(&QueueName::from("billing")).unwrap();
    billing.hours = Some(
        Hours::parse(
            &["mon-fri 09:00-17:00".to_owned()],
            "America/New_York",
            &["2026-12-25".to_owned()],
        )
        .unwrap(),
    );
    billing.closed_reply = Some("We are closed. We open {opens}.".into());
    billing.greeting = Some("Thanks for texting Acme.".into());
    s
}

fn desk_at(store: &MemoryStore, setup: Setup, now: Timestamp) -> Desk<MemoryStore> {
    let mut d = Desk::open(store.clone(), now);
    d.engine = Engine::open(store.clone(), setup, Routers::default()).unwrap();
    d
}

fn sms_events(d: &mut Desk<impl smsdesk_engine::store::KvStore>, body: &str) -> Vec<Event> {
    let sid = format!("SM{}", d.state().counters.next_seq);
    d.sms_with_id(CUST, LONG, body, &sid)
        .records
        .into_iter()
        .map(|r| r.event)
        .collect()
}

/// Moves the desk's clock to `at` and fires what is due.
fn at(d: &mut Desk<impl smsdesk_engine::store::KvStore>, at: Timestamp) -> Vec<Event> {
    let secs = at.since(d.now).as_secs();
    d.advance(secs)
}

#[test]
fn a_closed_queue_answers_once_makes_no_offer_and_opens_across_the_dst_change() {
    let store = MemoryStore::new();
    // Friday 6 March 2026, 18:00 EST: closed until Monday 09:00, which is EDT.
    let mut d = desk_at(&store, office_hours(), ny("2026-03-06T18:00"));
    d.available(&bob());
    let events = sms_events(&mut d, "is anyone there?");
    assert_eq!(
        auto_texts(&events),
        vec![(AutoText::Closed, "We are closed. We open Monday 09:00 EDT.".to_owned())]
    );
    let c = events.iter().find_map(Event::conversation).unwrap();
    assert!(matches!(d.phase(c), Phase::Queued { .. }), "waits, no offer");
    let more = sms_events(&mut d, "hello??");
    assert!(auto_texts(&more).is_empty(), "the closed reply is sent once");
    // Monday 08:59 EDT (12:59 UTC; it would be 13:59 UTC in winter): still closed.
    at(&mut d, ny("2026-03-09T08:59"));
    assert!(matches!(d.phase(c), Phase::Queued { .. }));
    // 09:00 EDT: the queue opens and routing offers it.
    let opened = at(&mut d, ny("2026-03-09T09:00"));
    assert!(
        opened
            .iter()
            .any(|e| matches!(e, Event::Offered { agent, .. } if *agent == bob())),
        "{opened:?}"
    );
}

#[test]
fn a_holiday_is_closed_all_day() {
    let store = MemoryStore::new();
    // Friday 25 December 2026, 11:00: a weekday, within hours, but a holiday.
    let mut d = desk_at(&store, office_hours(), ny("2026-12-25T11:00"));
    d.available(&bob());
    let events = sms_events(&mut d, "refund?");
    assert_eq!(
        auto_texts(&events),
        vec![(AutoText::Closed, "We are closed. We open Monday 09:00 EST.".to_owned())]
    );
    assert!(!events.iter().any(|e| matches!(e, Event::Offered { .. })));
}

#[test]
fn an_open_queue_greets_a_new_conversation_once() {
    let store = MemoryStore::new();
    let mut d = desk_at(&store, office_hours(), ny("2026-12-01T10:00"));
    let events = sms_events(&mut d, "hi");
    assert_eq!(
        auto_texts(&events),
        vec![(AutoText::Greeting, "Thanks for texting Acme.".to_owned())]
    );
    assert!(auto_texts(&sms_events(&mut d, "still there?")).is_empty());
}

fn busy_setup() -> Setup {
    let mut s = setup();
    let billing = s.queues.get_mut(&QueueName::from("billing")).unwrap();
    billing.busy_reply = Some("You are number {position} in line.".into());
    billing.busy_after = Some(Duration::from_secs(120));
    s
}

#[test]
fn the_busy_reply_goes_once_with_the_place_in_line_even_across_a_restart() {
    let store = MemoryStore::new();
    let t0 = Timestamp(1_700_000_000_000);
    let mut d = desk_at(&store, busy_setup(), t0);
    d.sms(CUST2, LONG, "first");
    d.advance(10);
    let c = d.sms(CUST, LONG, "second");
    d.advance(100);
    drop(d);
    // Restarted: the timers come back with the state.
    let mut d = desk_at(&store, busy_setup(), t0.plus(Duration::from_secs(110)));
    let fired = d.advance(15);
    assert_eq!(
        auto_texts(&fired),
        vec![(AutoText::Busy, "You are number 1 in line.".to_owned())],
        "the first customer's reply is due at 120 s"
    );
    let fired = d.advance(10);
    assert_eq!(
        auto_texts(&fired),
        vec![(AutoText::Busy, "You are number 2 in line.".to_owned())]
    );
    assert!(fired.iter().all(|e| e.conversation() == Some(c)));
    assert!(auto_texts(&d.advance(600)).is_empty(), "once per conversation");
}

#[test]
fn an_accepted_conversation_gets_no_busy_reply() {
    let store = MemoryStore::new();
    let mut d = desk_at(&store, busy_setup(), Timestamp(1_700_000_000_000));
    let c = d.sms(CUST, LONG, "hi");
    d.advance(60);
    d.available(&bob());
    d.accept(&bob(), c);
    assert!(auto_texts(&d.advance(600)).is_empty());
}

fn quiet_setup() -> Setup {
    let mut s = setup();
    s.queues.get_mut(&QueueName::from("billing")).unwrap().inactivity = Some(Duration::from_secs(1800));
    s
}

#[test]
fn a_quiet_customer_pauses_the_conversation_and_their_next_sms_brings_it_back() {
    let store = MemoryStore::new();
    let mut d = desk_at(&store, quiet_setup(), Timestamp(1_700_000_000_000));
    let c = d.active_with(&bob());
    assert_eq!(d.state().load(&bob()), 1);
    d.advance(1799);
    assert_eq!(d.label(c), "active");
    let events = d.advance(2);
    assert!(events.iter().any(|e| matches!(e, Event::Paused { .. })), "{events:?}");
    assert_eq!(d.label(c), "paused");
    assert_eq!(d.state().load(&bob()), 0, "the seat is free");
    assert_eq!(d.state().paused_of(&bob()).count(), 1, "!status still shows it");
    // Bob has room: the customer's next SMS brings it back to him.
    let back = sms_events(&mut d, "sorry, I was away");
    assert!(back.iter().any(|e| matches!(e, Event::Resumed { requeued: false, .. })));
    assert_eq!(d.owner(c), Some(bob()));
    assert_eq!(d.state().load(&bob()), 1);
}

#[test]
fn a_paused_conversation_whose_owner_is_full_goes_to_the_head_of_the_queue() {
    let store = MemoryStore::new();
    let mut d = desk_at(&store, quiet_setup(), Timestamp(1_700_000_000_000));
    let c = d.active_with(&bob());
    d.advance(1801);
    assert_eq!(d.label(c), "paused");
    // Bob takes another conversation: his one seat is full.
    let other = d.sms(CUST2, LONG, "new");
    d.accept(&bob(), other);
    let back = sms_events(&mut d, "back now");
    assert!(back.iter().any(|e| matches!(e, Event::Resumed { requeued: true, .. })));
    assert!(matches!(d.phase(c), Phase::Queued { head: true, .. }));
    // Its owner can still end a paused conversation.
    d.advance(1801);
    assert_eq!(d.label(other), "paused");
    d.ok(Command::End {
        agent: bob(),
        conversation: other,
    });
    assert_eq!(d.label(other), "wrapup");
}
