//! The intake bot's part of the engine (`decide/intake.rs`), with the bot's
//! answers handed in as the driver would: a new conversation waits for the
//! bot instead of an agent; answers carry texts and state; only the turn
//! due is taken; the bot's choice of queue, skills and fields is applied;
//! a failure, an unknown queue or a silent customer queue the conversation
//! to the entry point's queue; the greeting comes once queued; state and
//! turns survive a restart.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use smsdesk_core::command::IntakeNext;
use smsdesk_core::event::IntakeEnd;
use smsdesk_core::model::{AutoText, Phase};
use smsdesk_core::routing::Routers;
use smsdesk_core::setup::Setup;
use smsdesk_core::*;
use smsdesk_engine::store::MemoryStore;
use smsdesk_engine::*;

/// The long code has an intake bot with a 5-minute timeout; billing greets.
fn with_intake() -> Setup {
    let mut s = setup();
    let entry = s.entry_points.get_mut(&EntryNumber::parse(LONG).unwrap()).unwrap();
    entry.intake_timeout = Some(Duration::from_secs(300));
    s.queues.get_mut(&QueueName::from("billing")).unwrap().greeting = Some("Thanks for texting Acme.".into());
    s.queues.get_mut(&QueueName::from("support")).unwrap().greeting = Some("Support here.".into());
    s.agents.get_mut(&carol()).unwrap().skills.insert("es".into());
    s
}

fn desk(store: &MemoryStore) -> Desk<MemoryStore> {
    let mut d = Desk::open(store.clone(), Timestamp(1_700_000_000_000));
    d.engine = Engine::open(store.clone(), with_intake(), Routers::default()).unwrap();
    d
}

fn answer(c: ConversationId, turn: u32, texts: &[&str], state: &[u8], next: IntakeNext) -> Command {
    Command::IntakeAnswer {
        conversation: c,
        turn,
        texts: texts.iter().map(|t| (*t).to_owned()).collect(),
        state: state.to_vec(),
        next,
    }
}

fn auto_texts(events: &[Event]) -> Vec<(AutoText, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::AutoReplied { kind, body, .. } => Some((*kind, body.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_new_conversation_waits_for_the_bot_not_an_agent() {
    let store = MemoryStore::new();
    let mut d = desk(&store);
    d.available(&alice());
    let c = d.sms(CUST, LONG, "hello");
    assert!(matches!(d.phase(c), Phase::Intake { turn: 0, .. }), "{:?}", d.phase(c));
    assert_eq!(d.label(c), "intake");
    assert_eq!(d.offered_to(c), None, "no offer while the bot talks");
    assert_eq!(d.state().intake_due(), vec![(c, 1)]);
    // No greeting yet: the bot speaks first.
    assert!(d.state().conversation(c).unwrap().outbound.is_empty());
    // Another entry point without a bot: straight to its queue, as before.
    let other = d.sms(CUST2, TOLLFREE, "hi");
    assert_eq!(d.offered_to(other), Some(alice()));
}

#[test]
fn turns_carry_texts_and_state_and_only_the_due_turn_is_taken() {
    let store = MemoryStore::new();
    let mut d = desk(&store);
    let c = d.sms(CUST, LONG, "hello");
    let events = d.ok(answer(c, 1, &["Reply 1 or 2.", "Or 3."], b"menu", IntakeNext::Wait));
    assert_eq!(
        auto_texts(&events),
        vec![
            (AutoText::Intake, "Reply 1 or 2.".to_owned()),
            (AutoText::Intake, "Or 3.".to_owned())
        ]
    );
    let Phase::Intake { turn, state, .. } = d.phase(c) else {
        panic!()
    };
    assert_eq!((turn, state.as_slice()), (1, b"menu".as_slice()));
    assert!(
        d.state().intake_due().is_empty(),
        "nothing due until the customer writes"
    );
    // A repeated or early answer is refused and changes nothing.
    assert_eq!(
        d.refused(answer(c, 1, &["again"], b"", IntakeNext::Wait)),
        Rejection::IntakeTurnNotDue(c, 1)
    );
    assert_eq!(
        d.refused(answer(c, 2, &["early"], b"", IntakeNext::Wait)),
        Rejection::IntakeTurnNotDue(c, 2)
    );
    d.sms(CUST, LONG, "2");
    assert_eq!(d.state().intake_due(), vec![(c, 2)]);
    // The state survives a restart, and so does the turn due.
    let d2 = desk(&store);
    let Phase::Intake { state, .. } = d2.phase(c) else {
        panic!()
    };
    assert_eq!(state, b"menu");
    assert_eq!(d2.state().intake_due(), vec![(c, 2)]);
}

#[test]
fn the_bots_queue_skills_and_fields_are_applied_and_then_the_queue_greets() {
    let store = MemoryStore::new();
    let mut d = desk(&store);
    let c = d.sms(CUST, LONG, "hello");
    let next = IntakeNext::Queue {
        queue: Some(QueueName::from("support")),
        skills: vec!["es".into()],
        fields: vec![("account".into(), "4455".into())],
    };
    // Silent bot: the queue's greeting goes out once queued.
    let events = d.ok(answer(c, 1, &[], b"", next));
    assert_eq!(
        auto_texts(&events),
        vec![(AutoText::Greeting, "Support here.".to_owned())]
    );
    let conv = d.state().conversation(c).unwrap();
    assert_eq!(conv.queue, QueueName::from("support"));
    assert!(conv.skills.contains("es"));
    assert_eq!(conv.fields, vec![("account".to_owned(), "4455".to_owned())]);
    assert!(matches!(conv.phase, Phase::Queued { .. }));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::IntakeFinished {
            how: IntakeEnd::Bot,
            ..
        }
    )));
}

#[test]
fn a_skill_no_agent_has_is_dropped_and_said_so_and_an_opted_out_customer_is_not_greeted() {
    let store = MemoryStore::new();
    let mut d = desk(&store);
    let c = d.sms(CUST, LONG, "hello");
    let next = IntakeNext::Queue {
        queue: None,
        skills: vec!["es".into(), "klingon".into()],
        fields: vec![],
    };
    let events = d.ok(answer(c, 1, &[], b"", next));
    let conv = d.state().conversation(c).unwrap();
    assert!(
        conv.skills.contains("es") && !conv.skills.contains("klingon"),
        "{:?}",
        conv.skills
    );
    assert!(events.iter().any(
        |e| matches!(e, Event::IntakeFinished { how: IntakeEnd::Failed { reason }, .. }
        if reason == "the bot asked for skills no agent has: klingon")
    ));

    // Opted out during intake (the carrier refused the bot's text): the
    // intake ends without the queue's greeting.
    let c2 = d.sms(CUST2, LONG, "hi");
    let events = d.ok(answer(c2, 1, &["Reply 1 or 2."], b"m", IntakeNext::Wait));
    let Some(Event::AutoReplied { message_id, .. }) = events.iter().find(|e| matches!(e, Event::AutoReplied { .. }))
    else {
        panic!("{events:?}")
    };
    d.ok(Command::RecordSendOutcome {
        message: *message_id,
        outcome: smsdesk_core::command::SendOutcome::OptedOut {
            code: Some("21610".into()),
            reason: "unsubscribed".into(),
        },
    });
    assert!(d
        .state()
        .opt_out(&EntryNumber::parse(LONG).unwrap(), &CustomerNumber::from(CUST2))
        .is_some());
    d.sms(CUST2, LONG, "1");
    let events = d.ok(Command::IntakeFailed {
        conversation: c2,
        turn: 2,
        reason: "x".into(),
    });
    assert!(auto_texts(&events).is_empty(), "{events:?}");
    assert!(matches!(d.phase(c2), Phase::Queued { .. }));
}

#[test]
fn a_bot_that_spoke_is_not_followed_by_the_greeting() {
    let store = MemoryStore::new();
    let mut d = desk(&store);
    let c = d.sms(CUST, LONG, "hello");
    let next = IntakeNext::Queue {
        queue: None,
        skills: vec![],
        fields: vec![],
    };
    let events = d.ok(answer(c, 1, &["An agent will be with you."], b"", next));
    assert_eq!(
        auto_texts(&events),
        vec![(AutoText::Intake, "An agent will be with you.".to_owned())]
    );
    assert_eq!(d.state().conversation(c).unwrap().queue, QueueName::from("billing"));
}

#[test]
fn failure_unknown_queue_and_silence_all_end_in_the_entry_points_queue() {
    let store = MemoryStore::new();
    let mut d = desk(&store);
    let failed = d.sms(CUST, LONG, "hello");
    let events = d.ok(Command::IntakeFailed {
        conversation: failed,
        turn: 1,
        reason: "plugin trapped".into(),
    });
    assert!(events.iter().any(
        |e| matches!(e, Event::IntakeFinished { how: IntakeEnd::Failed { reason }, queue, .. }
        if reason == "plugin trapped" && queue.as_str() == "billing")
    ));
    assert!(matches!(d.phase(failed), Phase::Queued { .. }));

    let lost = d.sms(CUST2, LONG, "hello");
    let next = IntakeNext::Queue {
        queue: Some(QueueName::from("nowhere")),
        skills: vec![],
        fields: vec![("topic".into(), "x".into())],
    };
    let events = d.ok(answer(lost, 1, &[], b"", next));
    let Some(Event::IntakeFinished { queue, how, fields, .. }) =
        events.iter().find(|e| matches!(e, Event::IntakeFinished { .. }))
    else {
        panic!("{events:?}")
    };
    assert_eq!(queue.as_str(), "billing");
    assert_eq!(fields, &vec![("topic".to_owned(), "x".to_owned())]);
    assert!(matches!(how, IntakeEnd::Failed { reason } if reason.contains("queue nowhere")));

    let silent = d.sms("+15557770009", LONG, "hello");
    d.ok(answer(silent, 1, &["Your name?"], b"asked", IntakeNext::Wait));
    assert!(d
        .advance(299)
        .iter()
        .all(|e| !matches!(e, Event::IntakeFinished { .. })));
    let events = d.advance(2);
    assert!(events.iter().any(|e| matches!(
        e,
        Event::IntakeFinished {
            how: IntakeEnd::TimedOut,
            ..
        }
    )));
    assert!(matches!(d.phase(silent), Phase::Queued { .. }));
}

#[test]
fn the_bot_can_close_and_never_texts_an_opted_out_customer() {
    let store = MemoryStore::new();
    let mut d = desk(&store);
    let c = d.sms(CUST, LONG, "hello");
    d.ok(answer(
        c,
        1,
        &["Bye."],
        b"",
        IntakeNext::Close {
            reason: "wrong number".into(),
        },
    ));
    assert_eq!(d.label(c), "closed");
    // A customer who texts STOP during intake: the conversation closes, as
    // one waiting for an agent would, and the bot's late answer is refused.
    let c2 = d.sms(CUST2, LONG, "hi");
    d.ok(answer(c2, 1, &["Reply 1 or 2."], b"m", IntakeNext::Wait));
    d.sms(CUST2, LONG, "STOP");
    assert_eq!(d.label(c2), "closed");
    assert_eq!(
        d.refused(answer(c2, 2, &["Reply 1 or 2."], b"m", IntakeNext::Wait)),
        Rejection::UnknownConversation(c2)
    );
}
