//! Back to the last agent (`queues[].sticky`): a customer who texts again
//! within the window is offered first to the agent who handled their last
//! conversation in that queue — at once when she has room, after a wait of
//! at most `sticky_wait` while she is available but full — and to the
//! queue's router as usual when she is offline, idle, in RONA, declines,
//! or the wait ends. The last agent survives a restart, and so does a wait.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use std::time::Duration;

use common::*;
use smsdesk_core::*;
use smsdesk_engine::store::MemoryStore;

const WAIT: u64 = 30;

/// The usual desk with billing sticky for a day, waiting `WAIT` s.
fn sticky_setup(window: Duration) -> setup::Setup {
    let mut s = setup();
    let billing = s.queues.get_mut(&QueueName::from("billing")).unwrap();
    billing.sticky = Some(window);
    billing.sticky_wait = Duration::from_secs(WAIT);
    s
}

fn desk(store: MemoryStore) -> Desk<MemoryStore> {
    Desk::open_with(
        store,
        Timestamp(1_700_000_000_000),
        sticky_setup(Duration::from_secs(24 * 3600)),
    )
}

/// Alice (alone available) handles CUST's first conversation and wraps it
/// up; then Bob is available too. Returns the closed conversation.
fn alice_handled_one(d: &mut Desk<MemoryStore>) -> ConversationId {
    d.available(&alice());
    let c = d.sms(CUST, LONG, "my bill is wrong");
    assert_eq!(d.offered_to(c), Some(alice()));
    d.accept(&alice(), c);
    d.ok(Command::End {
        agent: alice(),
        conversation: c,
    });
    d.ok(Command::Wrapup {
        agent: alice(),
        conversation: c,
        choice: Some("Resolved".into()),
    });
    assert_eq!(d.label(c), "closed");
    d.advance(600);
    d.available(&bob());
    c
}

#[test]
fn a_returning_customer_goes_to_the_last_agent_with_room_not_to_the_longest_available() {
    let mut d = desk(MemoryStore::new());
    let first = alice_handled_one(&mut d);
    // Bob has waited longest: the router alone would pick him.
    d.advance(60);
    d.available(&alice());
    let c = d.sms(CUST, LONG, "me again");
    assert_eq!(d.offered_to(c), Some(alice()), "not offered to the last agent");
    let sticky = d.state().conversation(c).unwrap().sticky.clone().unwrap();
    assert_eq!(
        (sticky.agent, sticky.conversation, sticky.reason.as_str()),
        (alice(), first, "Resolved")
    );
    // Another customer is routed as usual.
    let other = d.sms(CUST2, LONG, "hello");
    assert_eq!(d.offered_to(other), Some(bob()));
}

#[test]
fn a_full_last_agent_is_waited_for_then_someone_else_gets_it() {
    let mut d = desk(MemoryStore::new());
    alice_handled_one(&mut d);
    // Alice is full (two conversations of other customers).
    d.available(&alice());
    d.ok(Command::SetIdle {
        agent: bob(),
        code: Some("Lunch".into()),
    });
    for from in ["+15557770101", "+15557770102"] {
        let c = d.sms(from, LONG, "busy");
        d.accept(&alice(), c);
    }
    d.available(&bob());
    let c = d.sms(CUST, LONG, "me again");
    assert_eq!(d.label(c), "queued", "Bob got it without waiting for Alice");
    d.advance(WAIT - 5);
    assert_eq!(d.label(c), "queued", "the wait ended early");
    let events = d.advance(10);
    assert!(
        events.iter().any(|e| matches!(e, Event::StickyWaitEnded { .. })),
        "{events:?}"
    );
    assert_eq!(d.offered_to(c), Some(bob()), "after sticky_wait the router decides");
}

#[test]
fn a_last_agent_who_frees_up_during_the_wait_gets_it() {
    let mut d = desk(MemoryStore::new());
    alice_handled_one(&mut d);
    d.available(&alice());
    d.ok(Command::SetIdle {
        agent: bob(),
        code: Some("Lunch".into()),
    });
    let busy: Vec<_> = ["+15557770101", "+15557770102"]
        .into_iter()
        .map(|from| {
            let c = d.sms(from, LONG, "busy");
            d.accept(&alice(), c);
            c
        })
        .collect();
    d.available(&bob());
    let c = d.sms(CUST, LONG, "me again");
    d.advance(10);
    d.ok(Command::End {
        agent: alice(),
        conversation: busy[0],
    });
    d.ok(Command::Wrapup {
        agent: alice(),
        conversation: busy[0],
        choice: Some("1".into()),
    });
    assert_eq!(d.offered_to(c), Some(alice()));
}

#[test]
fn an_offline_idle_or_rona_last_agent_is_not_waited_for() {
    for away in ["offline", "idle", "rona"] {
        let mut d = desk(MemoryStore::new());
        alice_handled_one(&mut d);
        match away {
            "offline" => {
                d.ok(Command::SetOffline { agent: alice() });
            }
            "idle" => {
                d.ok(Command::SetIdle {
                    agent: alice(),
                    code: Some("Lunch".into()),
                });
            }
            _ => {
                // An offer to Alice times out: she is in RONA.
                d.ok(Command::SetIdle {
                    agent: bob(),
                    code: Some("Lunch".into()),
                });
                let c = d.sms("+15557770101", LONG, "hi");
                assert_eq!(d.offered_to(c), Some(alice()));
                d.advance(31);
                assert_eq!(d.status(&alice()), smsdesk_core::model::AgentStatus::Rona);
                d.available(&bob());
                assert_eq!(d.offered_to(c), Some(bob()));
                d.accept(&bob(), c);
                d.ok(Command::SetIdle {
                    agent: carol(),
                    code: Some("Lunch".into()),
                });
            }
        }
        let c = d.sms(CUST, LONG, "me again");
        let expect = if away == "rona" { carol() } else { bob() };
        if away == "rona" {
            d.available(&carol());
        }
        assert_eq!(
            d.offered_to(c),
            Some(expect),
            "Alice {away}: the router did not decide at once"
        );
    }
}

#[test]
fn a_declined_or_unanswered_sticky_offer_goes_to_the_router() {
    let mut d = desk(MemoryStore::new());
    alice_handled_one(&mut d);
    d.available(&alice());
    let c = d.sms(CUST, LONG, "me again");
    assert_eq!(d.offered_to(c), Some(alice()));
    d.ok(Command::Decline {
        agent: alice(),
        conversation: Some(c),
    });
    assert_eq!(d.offered_to(c), Some(bob()));
}

#[test]
fn outside_the_window_or_in_another_queue_no_one_is_waited_for() {
    let mut d = Desk::open_with(
        MemoryStore::new(),
        Timestamp(1_700_000_000_000),
        sticky_setup(Duration::from_secs(3600)),
    );
    alice_handled_one(&mut d);
    d.ok(Command::SetIdle {
        agent: alice(),
        code: Some("Lunch".into()),
    });
    d.advance(3600);
    d.available(&alice());
    let c = d.sms(CUST, LONG, "an hour later");
    assert_eq!(d.offered_to(c), Some(bob()), "the window is one hour");
    assert!(d.state().conversation(c).unwrap().sticky.is_none());
    // The short code's queue (support) is not sticky.
    let s = d.sms(CUST, SHORT, "support please");
    assert!(d.state().conversation(s).unwrap().sticky.is_none());
}

#[test]
fn the_last_agent_and_a_running_wait_survive_a_restart() {
    let store = MemoryStore::new();
    let mut d = desk(store.clone());
    alice_handled_one(&mut d);
    let now = d.now;
    drop(d);
    // The last agent is remembered across a restart.
    let mut d = desk(store.clone());
    (d.now, d.next_sid) = (now, 100);
    assert_eq!(
        d.state()
            .last_handled(&CustomerNumber::from(CUST), &QueueName::from("billing"))
            .map(|s| s.agent.clone()),
        Some(alice())
    );
    // A wait running at the restart goes on, and ends on time.
    d.available(&alice());
    d.ok(Command::SetIdle {
        agent: bob(),
        code: Some("Lunch".into()),
    });
    for from in ["+15557770101", "+15557770102"] {
        let c = d.sms(from, LONG, "busy");
        d.accept(&alice(), c);
    }
    d.available(&bob());
    let c = d.sms(CUST, LONG, "me again");
    d.advance(10);
    let now = d.now;
    drop(d);
    let mut d = desk(store);
    (d.now, d.next_sid) = (now, 200);
    d.available(&bob());
    assert_eq!(d.label(c), "queued", "the wait was forgotten in the restart");
    d.advance(WAIT);
    assert_eq!(d.offered_to(c), Some(bob()));
}

#[test]
fn last_agents_older_than_every_window_are_forgotten() {
    let store = MemoryStore::new();
    let mut d = Desk::open_with(
        store.clone(),
        Timestamp(1_700_000_000_000),
        sticky_setup(Duration::from_secs(3600)),
    );
    alice_handled_one(&mut d);
    d.advance(7200);
    // Another wrap-up prunes the old record.
    d.available(&alice());
    let c = d.sms(CUST2, LONG, "hi");
    let who = d.offered_to(c).unwrap();
    d.accept(&who, c);
    d.ok(Command::End {
        agent: who.clone(),
        conversation: c,
    });
    d.ok(Command::Wrapup {
        agent: who,
        conversation: c,
        choice: Some("1".into()),
    });
    assert!(d
        .state()
        .last_handled(&CustomerNumber::from(CUST), &QueueName::from("billing"))
        .is_none());
    let now = d.now;
    drop(d);
    let mut d = Desk::open_with(store, now, sticky_setup(Duration::from_secs(3600)));
    d.now = now;
    assert!(
        d.state()
            .last_handled(&CustomerNumber::from(CUST), &QueueName::from("billing"))
            .is_none(),
        "the store kept a forgotten record"
    );
    assert!(d
        .state()
        .last_handled(&CustomerNumber::from(CUST2), &QueueName::from("billing"))
        .is_some());
}
