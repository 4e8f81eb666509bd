//! Keywords and opt-outs (`decide/compliance.rs`), in the engine: STOP in every
//! state, START, HELP, who sends the confirmations, the carrier's own
//! opt-out answer, and that an opt-out survives a restart.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use common::*;
use smsdesk_core::command::SendOutcome;
use smsdesk_core::model::{AutoText, Delivery, OptOutHow, Phase};
use smsdesk_core::routing::Routers;
use smsdesk_core::setup::{Compliance, Setup};
use smsdesk_core::*;
use smsdesk_engine::store::{layout, MemoryStore};
use smsdesk_engine::*;

const T0: Timestamp = Timestamp(1_700_000_000_000);
const HELP: &str = "Acme: help at acme.example/help. Reply STOP to opt out.";
const BYE: &str = "You are unsubscribed from Acme. Reply START to resubscribe.";
const WELCOME: &str = "You are resubscribed to Acme.";

fn texts() -> Setup {
    let mut s = setup();
    s.compliance = Compliance {
        help_reply: Some(HELP.into()),
        opt_out_reply: Some(BYE.into()),
        opt_in_reply: Some(WELCOME.into()),
        ..Compliance::default()
    };
    s
}

fn open(store: &MemoryStore) -> Desk<MemoryStore> {
    let mut d = Desk::open(store.clone(), T0);
    d.engine = Engine::open(store.clone(), texts(), Routers::default()).unwrap();
    d
}

fn desk() -> Desk<MemoryStore> {
    open(&MemoryStore::new())
}

fn sms(d: &mut Desk<impl smsdesk_engine::store::KvStore>, to: &str, body: &str) -> Vec<Event> {
    let sid = format!("SM{}-{}", d.state().counters.next_seq, body.len());
    d.sms_with_id(CUST, to, body, &sid)
        .records
        .into_iter()
        .map(|r| r.event)
        .collect()
}

fn reply(agent: &AgentId, c: ConversationId, body: &str) -> Command {
    Command::Reply {
        agent: agent.clone(),
        conversation: c,
        body: body.to_owned(),
        reference: None,
        media: Vec::new(),
        canned: None,
    }
}

/// Everything waiting in the outbox, as (to, body).
fn outbox(d: &Desk<impl smsdesk_engine::store::KvStore>) -> Vec<(String, String)> {
    layout::pending_sms(d.engine.store(), 100)
        .unwrap()
        .into_iter()
        .map(|s| (s.to.to_string(), s.body))
        .collect()
}

#[test]
fn stop_while_waiting_closes_the_conversation_and_no_offer_follows() {
    let mut d = desk();
    let c = d.sms(CUST, LONG, "my bill is wrong");
    let events = sms(&mut d, LONG, "stop");
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::MessageReceived { sms, .. } if sms.body == "stop")));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::OptedOut { how: OptOutHow::Keyword { word }, conversation: Some(x), .. } if word == "STOP" && *x == c
    )));
    assert!(matches!(d.phase(c), Phase::Closed { .. }) || d.state().conversation(c).is_none());
    let record = layout::conversation(d.engine.store(), c).unwrap().unwrap();
    assert!(matches!(record.phase, Phase::Closed { ref reason, .. } if reason == "opted out"));
    // An agent coming available gets nothing; the STOP is in the history.
    let offered = d.available(&bob());
    assert!(
        !offered.iter().any(|e| matches!(e, Event::Offered { .. })),
        "{offered:?}"
    );
    let history = d.engine.history(c).unwrap();
    assert!(history
        .iter()
        .any(|r| matches!(&r.event, Event::MessageReceived { sms, .. } if sms.body == "stop")));
    // A long code: the carrier confirms, smsdesk sends nothing.
    assert!(outbox(&d).is_empty());
}

#[test]
fn stop_while_offered_voids_the_offer() {
    let mut d = desk();
    d.available(&bob());
    let c = d.sms(CUST, LONG, "hi");
    assert_eq!(d.offered_to(c), Some(bob()));
    let events = sms(&mut d, LONG, "STOP");
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Abandoned { offered_to: Some(a), .. } if *a == bob()
    )));
    assert_eq!(d.state().load(&bob()), 0, "the seat is free again");
}

#[test]
fn stop_while_active_refuses_the_next_reply_and_fails_what_waits_in_the_outbox() {
    let mut d = desk();
    let c = d.active_with(&bob());
    d.ok(reply(&bob(), c, "let me check"));
    assert_eq!(outbox(&d).len(), 1);
    let events = sms(&mut d, LONG, "Stop");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::SmsFailed { reason, .. } if reason.contains("opted out"))),
        "the reply still in the outbox is failed, not sent: {events:?}"
    );
    assert!(outbox(&d).is_empty());
    assert_eq!(d.owner(c), Some(bob()), "it stays with its agent");
    let refusal = d.refused(reply(&bob(), c, "are you there?"));
    assert!(matches!(refusal, Rejection::OptedOut { .. }));
    let text = refusal.to_string();
    assert!(
        text.starts_with(
            "not sent: +15557770001 opted out of texts from +15550001111 at 2023-11-14 22:13 UTC (texted STOP)"
        ),
        "{text}"
    );
    // The agent can still end and wrap up.
    d.ok(Command::End {
        agent: bob(),
        conversation: c,
    });
}

#[test]
fn start_lifts_the_opt_out_and_replies_go_out_again() {
    let mut d = desk();
    let c = d.active_with(&bob());
    sms(&mut d, LONG, "STOP");
    d.refused(reply(&bob(), c, "hello?"));
    let events = sms(&mut d, LONG, "start");
    assert!(events.iter().any(|e| matches!(e, Event::OptedIn { .. })));
    assert!(d
        .state()
        .opt_out(&EntryNumber::parse(LONG).unwrap(), &CUST.into())
        .is_none());
    assert_eq!(d.ok(reply(&bob(), c, "welcome back")).len(), 1);
    assert_eq!(outbox(&d), vec![(CUST.to_owned(), "welcome back".to_owned())]);
}

#[test]
fn yes_from_a_customer_who_never_opted_out_is_just_an_answer() {
    let mut d = desk();
    let c = d.active_with(&bob());
    let events = sms(&mut d, LONG, "yes");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(d.owner(c), Some(bob()));
}

#[test]
fn smsdesk_sends_confirmations_exactly_once_on_a_short_code_and_never_on_a_long_code() {
    let mut d = desk();
    // SHORT is a short code: keywords = "smsdesk" by default.
    let first = sms(&mut d, SHORT, "STOP");
    assert_eq!(auto_texts(&first), vec![(AutoText::OptOutConfirmation, BYE.to_owned())]);
    let again = sms(&mut d, SHORT, "STOP");
    assert!(
        auto_texts(&again).is_empty(),
        "already opted out: no second confirmation"
    );
    // A carrier retry of the same STOP is a duplicate: nothing at all.
    let sid = "SMretried";
    d.sms_with_id(CUST2, SHORT, "stop", sid);
    assert!(d.sms_with_id(CUST2, SHORT, "stop", sid).duplicate);
    let to_cust2: Vec<_> = outbox(&d).into_iter().filter(|(to, _)| to == CUST2).collect();
    assert_eq!(to_cust2, vec![(CUST2.to_owned(), BYE.to_owned())]);
    // The confirmation goes out although the customer just opted out.
    assert_eq!(outbox(&d).iter().filter(|(_, b)| b == BYE).count(), 2);
    let back = sms(&mut d, SHORT, "START");
    assert_eq!(
        auto_texts(&back),
        vec![(AutoText::OptInConfirmation, WELCOME.to_owned())]
    );
    // The same words on a long code: the carrier answers, smsdesk does not.
    assert!(auto_texts(&sms(&mut d, LONG, "STOP")).is_empty());
    assert!(auto_texts(&sms(&mut d, LONG, "START")).is_empty());
    assert!(auto_texts(&sms(&mut d, LONG, "HELP")).is_empty());
}

#[test]
fn help_is_answered_once_with_help_reply_and_the_conversation_waits_for_an_agent() {
    let mut d = desk();
    let events = sms(&mut d, SHORT, "help");
    assert_eq!(auto_texts(&events), vec![(AutoText::Help, HELP.to_owned())]);
    let c = events.iter().find_map(Event::conversation).unwrap();
    assert!(matches!(d.phase(c), Phase::Queued { .. }), "a human may be needed");
    let history = d.engine.history(c).unwrap();
    let auto: Vec<_> = history
        .iter()
        .filter(|r| matches!(r.event, Event::AutoReplied { .. }))
        .collect();
    assert_eq!(auto.len(), 1);
    assert_eq!(auto[0].actor.to_string(), "smsdesk");
}

#[test]
fn keyword_modes_default_by_entry_kind_and_can_be_set() {
    let s = texts();
    use smsdesk_core::keywords::KeywordMode;
    let mode = |n: &str| s.entry_points[&EntryNumber::parse(n).unwrap()].keywords;
    assert_eq!(mode(SHORT), KeywordMode::Smsdesk);
    assert_eq!(mode(LONG), KeywordMode::Carrier);
    assert_eq!(mode(TOLLFREE), KeywordMode::Carrier);
    // Set to smsdesk on the long code: it now confirms.
    let store = MemoryStore::new();
    let mut setup = texts();
    setup
        .entry_points
        .get_mut(&EntryNumber::parse(LONG).unwrap())
        .unwrap()
        .keywords = KeywordMode::Smsdesk;
    let mut d = Desk::open(store.clone(), T0);
    d.engine = Engine::open(store, setup, Routers::default()).unwrap();
    assert_eq!(auto_texts(&sms(&mut d, LONG, "STOP")).len(), 1);
}

#[test]
fn a_carrier_opt_out_answer_opts_the_pair_out_and_fails_the_rest() {
    let mut d = desk();
    let c = d.active_with(&bob());
    let first = match d.ok(reply(&bob(), c, "one")).as_slice() {
        [Event::ReplyAccepted { message_id, .. }] => *message_id,
        other => panic!("{other:?}"),
    };
    d.ok(reply(&bob(), c, "two"));
    let events = d.ok(Command::RecordSendOutcome {
        message: first,
        outcome: SendOutcome::OptedOut {
            code: Some("21610".into()),
            reason: "Attempt to send to unsubscribed recipient".into(),
        },
    });
    assert!(events.iter().any(|e| matches!(
        e,
        Event::OptedOut { how: OptOutHow::Carrier { code: Some(code) }, .. } if code == "21610"
    )));
    assert_eq!(
        events.iter().filter(|e| matches!(e, Event::SmsFailed { .. })).count(),
        2,
        "the refused one and the one behind it: {events:?}"
    );
    assert!(outbox(&d).is_empty());
    assert_eq!(
        d.engine.delivery(first).unwrap().unwrap().outbound.status,
        Delivery::Failed
    );
    assert!(matches!(
        d.refused(reply(&bob(), c, "three")),
        Rejection::OptedOut { .. }
    ));
}

#[test]
fn an_opt_out_survives_a_restart() {
    let store = MemoryStore::new();
    let mut d = open(&store);
    let c = d.active_with(&bob());
    sms(&mut d, LONG, "UNSUBSCRIBE");
    drop(d);
    let mut d = open(&store);
    let o = d
        .state()
        .opt_out(&EntryNumber::parse(LONG).unwrap(), &CUST.into())
        .cloned()
        .unwrap();
    assert!(matches!(o.how, OptOutHow::Keyword { ref word } if word == "UNSUBSCRIBE"));
    assert!(matches!(d.refused(reply(&bob(), c, "hi")), Rejection::OptedOut { .. }));
    // Another entry point is another pair.
    assert!(d
        .state()
        .opt_out(&EntryNumber::parse(SHORT).unwrap(), &CUST.into())
        .is_none());
}
