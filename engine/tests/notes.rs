//! Internal notes: written by those who hold a conversation (or, as the
//! front end vouches, a supervisor who watches its queue), kept in its
//! history with their author, never handed to the outbox, counted, and not
//! added twice when a front end hands the same one in again.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use common::*;
use smsdesk_core::*;
use smsdesk_engine::store::layout;

fn note(author: &AgentId, c: ConversationId, body: &str, reference: Option<&str>, supervisor: bool) -> Command {
    Command::AddNote {
        author: author.clone(),
        conversation: c,
        body: body.to_owned(),
        reference: reference.map(str::to_owned),
        supervisor,
    }
}

#[test]
fn a_note_is_kept_in_the_history_and_never_reaches_the_customer() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    let events = d.ok(note(&bob(), c, "  customer is VIP, be gentle ", Some("$e1"), false));
    let [Event::NoteAdded { author, body, .. }] = events.as_slice() else {
        panic!("one note expected: {events:?}");
    };
    assert_eq!((author, body.as_str()), (&bob(), "customer is VIP, be gentle"));
    assert_eq!(
        events[0].describe(),
        "note by @bob:example.com (not sent to the customer): customer is VIP, be gentle"
    );
    // Nothing for the carrier.
    assert!(layout::pending_sms(d.engine.store(), 10).unwrap().is_empty());
    let history = layout::history(d.engine.store(), c).unwrap();
    assert!(history.iter().any(|r| matches!(&r.event, Event::NoteAdded { .. })));
    assert_eq!(d.state().conversation(c).unwrap().notes, 1);
    // Handed in again (a replay after a crash): not added twice.
    assert!(d
        .ok(note(&bob(), c, "customer is VIP, be gentle", Some("$e1"), false))
        .is_empty());
    assert_eq!(d.state().conversation(c).unwrap().notes, 1);
}

#[test]
fn only_holders_and_supervisors_write_notes() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    // Alice does not hold it.
    assert_eq!(
        d.refused(note(&alice(), c, "psst", None, false)),
        Rejection::NotYourConversation(c)
    );
    // A supervisor who watches the queue, as the front end checked.
    d.ok(note(&alice(), c, "please offer the refund", None, true));
    // Empty and too long are refused; nothing is added.
    assert_eq!(d.refused(note(&bob(), c, " ", None, false)), Rejection::EmptyNote);
    let long = "x".repeat(setup::MAX_NOTE_CHARS + 1);
    assert_eq!(
        d.refused(note(&bob(), c, &long, None, false)),
        Rejection::NoteTooLong {
            chars: setup::MAX_NOTE_CHARS + 1
        }
    );
    assert_eq!(d.state().conversation(c).unwrap().notes, 1);
}

#[test]
fn a_note_survives_a_restart_of_the_engine() {
    let store = smsdesk_engine::store::MemoryStore::new();
    let mut d = Desk::open(store.clone(), Timestamp(1_700_000_000_000));
    let c = d.active_with(&bob());
    d.ok(note(&bob(), c, "called back at 3pm", Some("$n"), false));
    drop(d);
    let mut d = Desk::open(store, Timestamp(1_700_000_100_000));
    assert_eq!(d.state().conversation(c).unwrap().notes, 1);
    assert!(d
        .ok(note(&bob(), c, "called back at 3pm", Some("$n"), false))
        .is_empty());
}
