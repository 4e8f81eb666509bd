//! One test per transition and per refusal of the lifecycle (`decide/`), driven through
//! the engine with an in-memory store and a hand-driven clock.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use common::*;
use smsdesk_core::event::ConferenceExit;
use smsdesk_core::model::{AgentStatus, Phase};
use smsdesk_core::*;
use smsdesk_engine::store::layout;

fn cmd_reply(agent: &AgentId, c: ConversationId, body: &str) -> Command {
    Command::Reply {
        agent: agent.clone(),
        conversation: c,
        body: body.into(),
        reference: None,
        media: Vec::new(),
        canned: None,
    }
}

// ---- inbound -------------------------------------------------------------

#[test]
fn first_sms_opens_a_queued_conversation_in_the_entry_points_queue() {
    let mut d = Desk::new();
    let c = d.sms(CUST, SHORT, "hi");
    let conv = d.state().conversation(c).unwrap();
    assert_eq!(conv.queue, QueueName::from("support"));
    assert_eq!(conv.entry.as_str(), SHORT);
    assert_eq!(conv.phase.label(), "queued");
    assert_eq!(conv.inbound_count, 1);
}

#[test]
fn later_sms_append_to_the_open_conversation_in_any_state_before_wrapup() {
    let mut d = Desk::new();
    let c = d.sms(CUST, LONG, "one");
    assert_eq!(d.sms(CUST, LONG, "two (queued)"), c);
    d.available(&bob());
    assert_eq!(d.sms(CUST, LONG, "three (offered)"), c);
    d.accept(&bob(), c);
    assert_eq!(d.sms(CUST, LONG, "four (active)"), c);
    assert_eq!(d.state().conversation(c).unwrap().inbound_count, 4);
    // Another customer, or the same customer on another number, is another conversation.
    assert_ne!(d.sms(CUST2, LONG, "x"), c);
    assert_ne!(d.sms(CUST, TOLLFREE, "y"), c);
}

#[test]
fn sms_after_wrapup_opens_a_new_conversation() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    d.ok(Command::End {
        agent: bob(),
        conversation: c,
    });
    let c2 = d.sms(CUST, LONG, "me again");
    assert_ne!(c2, c);
    assert_eq!(d.label(c), "wrapup");
    assert_eq!(d.label(c2), "queued");
}

#[test]
fn duplicate_carrier_message_id_is_acknowledged_and_stored_once() {
    let mut d = Desk::new();
    let first = d.sms_with_id(CUST, LONG, "hi", "SM1");
    assert!(!first.duplicate);
    let again = d.sms_with_id(CUST, LONG, "hi", "SM1");
    assert!(again.duplicate);
    assert!(again.records.is_empty());
    let c = first.conversation().unwrap();
    let received = d
        .engine
        .history(c)
        .unwrap()
        .into_iter()
        .filter(|r| matches!(r.event, Event::MessageReceived { .. }))
        .count();
    assert_eq!(received, 1);
}

#[test]
fn duplicate_is_recognised_after_a_restart_and_after_the_memory_window() {
    let store = common::TestStore::new();
    let t0 = Timestamp(1_700_000_000_000);
    let mut d = Desk::open(store.clone(), t0);
    d.sms_with_id(CUST, LONG, "hi", "SM1");
    drop(d);
    // Two days later: the id is no longer in memory, but the store still knows it.
    let mut d = Desk::open(store, t0.plus(std::time::Duration::from_secs(2 * 86_400)));
    assert!(d.sms_with_id(CUST, LONG, "hi", "SM1").duplicate);
}

#[test]
fn sms_to_unknown_number_or_from_the_wrong_carrier_is_refused() {
    let mut d = Desk::new();
    let unknown = Command::ReceiveSms(InboundSms {
        carrier: CarrierName::from("twilio"),
        carrier_message_id: CarrierMessageId::from("SMx"),
        from: CustomerNumber::from(CUST),
        to: EntryNumber::parse("+15559999999").unwrap(),
        body: "hi".into(),
        media: vec![],
    });
    let r = d.refused(unknown);
    assert!(r.to_string().contains("+15559999999"), "{r}");
    let wrong = Command::ReceiveSms(InboundSms {
        carrier: CarrierName::from("telnyx"),
        carrier_message_id: CarrierMessageId::from("SMy"),
        from: CustomerNumber::from(CUST),
        to: EntryNumber::parse(LONG).unwrap(),
        body: "hi".into(),
        media: vec![],
    });
    assert!(matches!(d.refused(wrong), Rejection::WrongCarrier { .. }));
}

// ---- presence ------------------------------------------------------------

#[test]
fn idle_needs_a_configured_code_and_offline_and_available_switch() {
    let mut d = Desk::new();
    let r = d.refused(Command::SetIdle {
        agent: bob(),
        code: None,
    });
    assert_eq!(r.to_string(), "say which idle code: Lunch, Meeting");
    let r = d.refused(Command::SetIdle {
        agent: bob(),
        code: Some("Nap".into()),
    });
    assert!(r.to_string().contains("unknown idle code \"Nap\""), "{r}");
    d.ok(Command::SetIdle {
        agent: bob(),
        code: Some("lunch".into()),
    });
    assert_eq!(
        d.status(&bob()),
        AgentStatus::Idle {
            code: Some("Lunch".into())
        }
    );
    d.available(&bob());
    assert_eq!(d.status(&bob()), AgentStatus::Available);
    d.ok(Command::SetOffline { agent: bob() });
    assert_eq!(d.status(&bob()), AgentStatus::Offline);
}

#[test]
fn commands_from_users_not_on_the_roster_are_refused() {
    let mut d = Desk::new();
    let r = d.refused(Command::SetAvailable { agent: stranger() });
    assert_eq!(r.to_string(), "@mallory:example.com is not on the agent roster");
    let c = d.active_with(&bob());
    assert!(matches!(
        d.refused(cmd_reply(&stranger(), c, "psst")),
        Rejection::NotOnRoster { .. }
    ));
}

// ---- routing and offers --------------------------------------------------

#[test]
fn only_available_agents_below_capacity_in_the_queue_get_offers() {
    let mut d = Desk::new();
    d.ok(Command::SetIdle {
        agent: carol(),
        code: Some("Lunch".into()),
    });
    d.available(&dave()); // support only
    let c = d.sms(CUST, LONG, "billing question");
    assert_eq!(d.label(c), "queued", "dave is not in billing, carol is idle");
    let events = d.available(&bob());
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Offered { agent, .. } if *agent == bob())));
    // Bob has capacity 1: a second billing conversation waits.
    let c2 = d.sms(CUST2, LONG, "another");
    assert_eq!(d.label(c2), "queued");
}

#[test]
fn longest_available_agent_gets_the_offer() {
    let mut d = Desk::new();
    d.available(&carol());
    d.advance(5);
    d.available(&bob());
    d.advance(5);
    let c = d.sms(CUST, LONG, "hi");
    assert_eq!(d.offered_to(c), Some(carol()), "carol has waited 10 s, bob 5 s");
    let c2 = d.sms(CUST2, LONG, "hi");
    assert_eq!(d.offered_to(c2), Some(bob()));
}

#[test]
fn queue_is_served_oldest_first() {
    let mut d = Desk::new();
    let first = d.sms(CUST, LONG, "first");
    d.advance(1);
    let second = d.sms(CUST2, LONG, "second");
    d.available(&bob());
    assert_eq!(d.offered_to(first), Some(bob()));
    assert_eq!(d.label(second), "queued");
}

#[test]
fn capacity_counts_offers_and_allows_several_conversations() {
    let mut d = Desk::new();
    d.available(&alice()); // capacity 2
    let c1 = d.sms(CUST, LONG, "a");
    let c2 = d.sms(CUST2, LONG, "b");
    let c3 = d.sms("+15557770003", LONG, "c");
    assert_eq!(d.offered_to(c1), Some(alice()));
    assert_eq!(d.offered_to(c2), Some(alice()));
    assert_eq!(d.label(c3), "queued");
    assert_eq!(d.state().load(&alice()), 2);
}

#[test]
fn accept_makes_the_conversation_active_with_that_owner() {
    let mut d = Desk::new();
    d.available(&bob());
    let c = d.sms(CUST, LONG, "hi");
    let events = d.ok(Command::Accept {
        agent: bob(),
        conversation: None,
    });
    assert_eq!(
        events,
        vec![Event::OfferAccepted {
            conversation: c,
            agent: bob()
        }]
    );
    assert_eq!(d.owner(c), Some(bob()));
    assert_eq!(d.label(c), "active");
}

#[test]
fn accept_refusals_say_why() {
    let mut d = Desk::new();
    assert_eq!(
        d.refused(Command::Accept {
            agent: bob(),
            conversation: None
        }),
        Rejection::NoPendingOffer
    );
    d.available(&alice());
    let c1 = d.sms(CUST, LONG, "a");
    let c2 = d.sms(CUST2, LONG, "b");
    let r = d.refused(Command::Accept {
        agent: alice(),
        conversation: None,
    });
    assert_eq!(r, Rejection::AmbiguousOffer(vec![c1, c2]));
    assert!(r.to_string().contains("!accept"), "{r}");
    assert_eq!(
        d.refused(Command::Accept {
            agent: bob(),
            conversation: Some(c1)
        }),
        Rejection::NotOfferedToYou(c1)
    );
    assert_eq!(
        d.refused(Command::Accept {
            agent: bob(),
            conversation: Some(ConversationId(999))
        }),
        Rejection::UnknownConversation(ConversationId(999))
    );
}

#[test]
fn decline_reoffers_to_someone_else_and_the_decliner_stays_available() {
    let mut d = Desk::new();
    d.available(&bob());
    d.advance(1);
    d.available(&carol());
    let c = d.sms(CUST, LONG, "hi");
    assert_eq!(d.offered_to(c), Some(bob()));
    let events = d.ok(Command::Decline {
        agent: bob(),
        conversation: Some(c),
    });
    assert!(events.contains(&Event::OfferDeclined {
        conversation: c,
        agent: bob()
    }));
    assert_eq!(d.offered_to(c), Some(carol()));
    assert_eq!(d.status(&bob()), AgentStatus::Available);
}

#[test]
fn decline_when_nobody_else_is_eligible_offers_to_the_decliner_again() {
    let mut d = Desk::new();
    d.available(&bob());
    let c = d.sms(CUST, LONG, "hi");
    d.ok(Command::Decline {
        agent: bob(),
        conversation: None,
    });
    assert_eq!(d.offered_to(c), Some(bob()));
    // ...but as soon as someone else is available, the decliner is skipped.
    d.ok(Command::Decline {
        agent: bob(),
        conversation: None,
    });
    d.ok(Command::SetIdle {
        agent: bob(),
        code: Some("Lunch".into()),
    });
    d.available(&carol());
    d.available(&bob());
    assert_eq!(d.offered_to(c), Some(carol()));
}

#[test]
fn offer_timeout_puts_the_agent_in_rona_and_the_conversation_at_the_queue_head() {
    let mut d = Desk::new();
    d.available(&bob());
    let c = d.sms(CUST, LONG, "hi");
    d.advance(1);
    let newer = d.sms(CUST2, LONG, "later");
    assert!(d.advance(28).is_empty(), "billing offer timeout is 30 s");
    let events = d.advance(1);
    assert!(events.contains(&Event::OfferTimedOut {
        conversation: c,
        agent: bob()
    }));
    assert_eq!(d.status(&bob()), AgentStatus::Rona);
    assert!(matches!(d.phase(c), Phase::Queued { head: true, .. }));
    // RONA lasts until the agent sets themself available by hand.
    d.advance(600);
    assert_eq!(d.status(&bob()), AgentStatus::Rona);
    d.available(&carol());
    assert_eq!(
        d.offered_to(c),
        Some(carol()),
        "the timed-out conversation is served first"
    );
    assert_eq!(d.label(newer), "queued");
}

#[test]
fn going_idle_withdraws_pending_offers_without_rona() {
    let mut d = Desk::new();
    d.available(&bob());
    let c = d.sms(CUST, LONG, "hi");
    let events = d.ok(Command::SetIdle {
        agent: bob(),
        code: Some("Meeting".into()),
    });
    assert!(events.contains(&Event::OfferWithdrawn {
        conversation: c,
        agent: bob()
    }));
    assert_eq!(
        d.status(&bob()),
        AgentStatus::Idle {
            code: Some("Meeting".into())
        }
    );
    assert!(matches!(d.phase(c), Phase::Queued { head: true, .. }));
}

#[test]
fn offer_command_refuses_ineligible_agents() {
    let mut d = Desk::new();
    let c = d.sms(CUST, LONG, "hi");
    let r = d.refused(Command::Offer {
        conversation: c,
        agent: bob(),
    });
    assert!(r.to_string().contains("they are offline"), "{r}");
    let r = d.refused(Command::Offer {
        conversation: c,
        agent: dave(),
    });
    assert!(r.to_string().contains("not a member of queue billing"), "{r}");
    d.available(&bob());
    let r = d.refused(Command::Offer {
        conversation: c,
        agent: bob(),
    });
    assert!(matches!(r, Rejection::NotQueued(_, "offered")), "{r}");
}

// ---- active: replies -----------------------------------------------------

#[test]
fn owner_reply_is_accepted_and_queued_for_the_carrier() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    let events = d.ok(cmd_reply(&bob(), c, "How can I help?"));
    let [Event::ReplyAccepted { message_id, body, .. }] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(body, "How can I help?");
    let pending = layout::pending_sms(d.engine.store(), 10).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].message_id, *message_id);
    assert_eq!(pending[0].to.as_str(), CUST);
    assert_eq!(pending[0].from.as_str(), LONG);
}

#[test]
fn a_reply_handed_in_twice_with_its_reference_is_sent_once_even_after_a_restart() {
    let store = common::TestStore::new();
    let t0 = Timestamp(1_700_000_000_000);
    let mut d = Desk::open(store.clone(), t0);
    let c = d.active_with(&bob());
    let reply = |reference: &str| Command::Reply {
        media: Vec::new(),
        agent: bob(),
        conversation: c,
        body: "One moment".into(),
        reference: Some(reference.into()),
        canned: None,
    };
    let events = d.ok(reply("!room $event1"));
    assert!(
        matches!(&events[..], [Event::ReplyAccepted { reference: Some(r), .. }] if r == "!room $event1"),
        "{events:?}"
    );
    // A front end that replays its input after a crash hands the same reply in again.
    assert_eq!(d.ok(reply("!room $event1")), vec![]);
    drop(d);
    let mut d = Desk::open(store, t0);
    assert_eq!(d.ok(reply("!room $event1")), vec![]);
    // Another message with the same text is another reply.
    assert_eq!(d.ok(reply("!room $event2")).len(), 1);
    let bodies: Vec<String> = layout::pending_sms(d.engine.store(), 10)
        .unwrap()
        .into_iter()
        .map(|s| s.body)
        .collect();
    assert_eq!(bodies, ["One moment", "One moment"]);
}

#[test]
fn empty_and_too_long_replies_are_refused_and_nothing_is_sent() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    assert_eq!(d.refused(cmd_reply(&bob(), c, "  \n ")), Rejection::EmptyReply);
    let long = "x".repeat(1_001);
    let r = d.refused(cmd_reply(&bob(), c, &long));
    assert_eq!(
        r.to_string(),
        "reply too long: 1001 characters, the limit is 1000; nothing was sent"
    );
    // The limit is in characters, not bytes.
    d.ok(cmd_reply(&bob(), c, &"é".repeat(1_000)));
    assert_eq!(layout::pending_sms(d.engine.store(), 10).unwrap().len(), 1);
}

#[test]
fn replies_from_others_or_outside_active_are_refused() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    d.available(&carol());
    assert_eq!(
        d.refused(cmd_reply(&carol(), c, "hi")),
        Rejection::NotYourConversation(c)
    );
    d.ok(Command::End {
        agent: bob(),
        conversation: c,
    });
    assert_eq!(d.refused(cmd_reply(&bob(), c, "hi")), Rejection::NotActive(c, "wrapup"));
}

// ---- transfers -----------------------------------------------------------

#[test]
fn transfer_to_queue_releases_the_owner_and_queues_it_there() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    d.ok(Command::TransferToQueue {
        agent: bob(),
        conversation: c,
        queue: QueueName::from("support"),
    });
    let conv = d.state().conversation(c).unwrap();
    assert_eq!(conv.queue, QueueName::from("support"));
    assert_eq!(conv.phase.label(), "queued");
    assert_eq!(d.state().load(&bob()), 0);
    // Bob is not in support; dave is, and gets the offer.
    d.available(&dave());
    assert_eq!(d.offered_to(c), Some(dave()));
}

#[test]
fn transfer_refusals_say_why() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    let r = d.refused(Command::TransferToQueue {
        agent: bob(),
        conversation: c,
        queue: QueueName::from("sales"),
    });
    assert_eq!(r.to_string(), "unknown queue \"sales\"; queues: billing, support");
    assert_eq!(
        d.refused(Command::TransferToQueue {
            agent: carol(),
            conversation: c,
            queue: QueueName::from("support"),
        }),
        Rejection::NotYourConversation(c)
    );
    let r = d.refused(Command::TransferToAgent {
        agent: bob(),
        conversation: c,
        target: bob(),
    });
    assert_eq!(r.to_string(), "you cannot transfer to yourself");
    let r = d.refused(Command::TransferToAgent {
        agent: bob(),
        conversation: c,
        target: carol(),
    });
    assert_eq!(r.to_string(), "@carol:example.com is offline, not available");
    let r = d.refused(Command::TransferToAgent {
        agent: bob(),
        conversation: c,
        target: stranger(),
    });
    assert!(matches!(r, Rejection::NotOnRoster { .. }));
    // At capacity: carol takes another conversation first.
    d.available(&carol());
    let other = d.sms(CUST2, LONG, "other");
    d.accept(&carol(), other);
    let r = d.refused(Command::TransferToAgent {
        agent: bob(),
        conversation: c,
        target: carol(),
    });
    assert_eq!(r.to_string(), "@carol:example.com is at capacity (1 conversations)");
    // Not active: in wrap-up.
    d.ok(Command::End {
        agent: bob(),
        conversation: c,
    });
    assert_eq!(
        d.refused(Command::TransferToQueue {
            agent: bob(),
            conversation: c,
            queue: QueueName::from("support"),
        }),
        Rejection::NotActive(c, "wrapup")
    );
}

#[test]
fn transfer_to_agent_who_accepts_moves_ownership() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    d.available(&carol());
    d.ok(Command::TransferToAgent {
        agent: bob(),
        conversation: c,
        target: carol(),
    });
    assert_eq!(d.offered_to(c), Some(carol()));
    assert_eq!(d.state().load(&bob()), 0, "the owner is released at once");
    d.accept(&carol(), c);
    assert_eq!(d.owner(c), Some(carol()));
    d.ok(cmd_reply(&carol(), c, "carol here"));
}

#[test]
fn transfer_to_agent_who_does_not_accept_goes_rona_and_back_to_the_queue_head() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    d.available(&carol());
    d.ok(Command::TransferToAgent {
        agent: bob(),
        conversation: c,
        target: carol(),
    });
    // Bob would be the next eligible agent, so take him out of routing for the check.
    d.ok(Command::SetIdle {
        agent: bob(),
        code: Some("Lunch".into()),
    });
    let events = d.advance(30);
    assert!(events.contains(&Event::OfferTimedOut {
        conversation: c,
        agent: carol()
    }));
    assert_eq!(d.status(&carol()), AgentStatus::Rona);
    assert!(matches!(d.phase(c), Phase::Queued { head: true, .. }));
    // Never lost: the next available agent gets it.
    d.available(&alice());
    assert_eq!(d.offered_to(c), Some(alice()));
}

// ---- conference ----------------------------------------------------------

#[test]
fn conference_request_accept_write_and_end_by_owner() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    d.available(&carol());
    d.ok(Command::RequestConference {
        agent: bob(),
        conversation: c,
        target: carol(),
    });
    assert_eq!(d.label(c), "conference requested");
    assert_eq!(d.state().load(&carol()), 1, "an invitation counts against capacity");
    assert_eq!(
        d.refused(cmd_reply(&carol(), c, "too early")),
        Rejection::NotActive(c, "conference requested")
    );
    let events = d.accept(&carol(), c);
    assert_eq!(
        events,
        vec![Event::ConferenceJoined {
            conversation: c,
            agent: carol()
        }]
    );
    assert_eq!(d.label(c), "conference");
    d.ok(cmd_reply(&carol(), c, "carol joining"));
    let events = d.ok(Command::EndConference {
        agent: bob(),
        conversation: c,
        target: None,
    });
    assert!(events.contains(&Event::ConferenceLeft {
        conversation: c,
        agent: carol(),
        why: ConferenceExit::Ended
    }));
    assert_eq!(d.label(c), "active");
    assert_eq!(d.owner(c), Some(bob()), "the owner keeps the chat");
    assert_eq!(d.state().load(&carol()), 0);
}

#[test]
fn several_conference_agents_and_a_conference_agent_can_leave() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    d.available(&carol());
    d.available(&alice());
    for t in [carol(), alice()] {
        d.ok(Command::RequestConference {
            agent: bob(),
            conversation: c,
            target: t.clone(),
        });
        d.accept(&t, c);
    }
    let Phase::Active { conference, .. } = d.phase(c) else {
        panic!()
    };
    assert_eq!(conference.len(), 2);
    // A conference agent may not remove another one, but may leave.
    assert_eq!(
        d.refused(Command::EndConference {
            agent: carol(),
            conversation: c,
            target: Some(alice()),
        }),
        Rejection::OnlyOwnerRemovesOthers
    );
    d.ok(Command::EndConference {
        agent: carol(),
        conversation: c,
        target: None,
    });
    assert_eq!(d.label(c), "conference", "alice is still in");
    d.ok(Command::EndConference {
        agent: bob(),
        conversation: c,
        target: Some(alice()),
    });
    assert_eq!(d.label(c), "active");
}

#[test]
fn conference_refusals_decline_and_expiry() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    assert!(matches!(
        d.refused(Command::RequestConference {
            agent: bob(),
            conversation: c,
            target: carol(),
        }),
        Rejection::TargetNotAvailable { .. }
    ));
    assert_eq!(
        d.refused(Command::RequestConference {
            agent: bob(),
            conversation: c,
            target: bob(),
        })
        .to_string(),
        "you cannot invite yourself"
    );
    d.available(&carol());
    assert_eq!(
        d.refused(Command::RequestConference {
            agent: carol(),
            conversation: c,
            target: alice(),
        }),
        Rejection::NotYourConversation(c)
    );
    assert_eq!(
        d.refused(Command::EndConference {
            agent: bob(),
            conversation: c,
            target: None,
        }),
        Rejection::NoConference(c)
    );
    d.ok(Command::RequestConference {
        agent: bob(),
        conversation: c,
        target: carol(),
    });
    assert_eq!(
        d.refused(Command::RequestConference {
            agent: bob(),
            conversation: c,
            target: carol(),
        }),
        Rejection::AlreadyParticipant(carol())
    );
    assert_eq!(
        d.refused(Command::TransferToQueue {
            agent: carol(),
            conversation: c,
            queue: QueueName::from("billing"),
        }),
        Rejection::OwnerOnly(c)
    );
    d.ok(Command::Decline {
        agent: carol(),
        conversation: Some(c),
    });
    assert_eq!(d.label(c), "active");
    assert_eq!(d.status(&carol()), AgentStatus::Available);
    // Invite again and let it expire: dropped, no RONA for an invitation.
    d.ok(Command::RequestConference {
        agent: bob(),
        conversation: c,
        target: carol(),
    });
    let events = d.advance(30);
    assert!(events.contains(&Event::ConferenceLeft {
        conversation: c,
        agent: carol(),
        why: ConferenceExit::Expired
    }));
    assert_eq!(d.status(&carol()), AgentStatus::Available);
}

#[test]
fn end_and_transfer_release_conference_agents() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    d.available(&carol());
    d.ok(Command::RequestConference {
        agent: bob(),
        conversation: c,
        target: carol(),
    });
    d.accept(&carol(), c);
    assert_eq!(
        d.refused(Command::End {
            agent: carol(),
            conversation: c
        }),
        Rejection::OwnerOnly(c)
    );
    d.ok(Command::End {
        agent: bob(),
        conversation: c,
    });
    assert_eq!(d.state().load(&carol()), 0);
    assert_eq!(d.label(c), "wrapup");
}

// ---- end and wrap-up -----------------------------------------------------

fn in_wrapup(d: &mut Desk<impl smsdesk_engine::store::KvStore>) -> ConversationId {
    let c = d.active_with(&bob());
    d.ok(Command::End {
        agent: bob(),
        conversation: c,
    });
    c
}

fn wrapup(agent: &AgentId, c: ConversationId, choice: Option<&str>) -> Command {
    Command::Wrapup {
        agent: agent.clone(),
        conversation: c,
        choice: choice.map(str::to_owned),
    }
}

#[test]
fn end_enters_wrapup_and_capacity_still_counts_it() {
    let mut d = Desk::new();
    let c = in_wrapup(&mut d);
    assert!(matches!(d.phase(c), Phase::Wrapup { deadline: None, .. }));
    assert_eq!(d.state().load(&bob()), 1);
    let c2 = d.sms(CUST2, LONG, "next");
    assert_eq!(d.label(c2), "queued", "bob is busy wrapping up");
}

#[test]
fn wrapup_by_number_closes_and_frees_the_agent() {
    let mut d = Desk::new();
    let c = in_wrapup(&mut d);
    let waiting = d.sms(CUST2, LONG, "waiting");
    let events = d.ok(wrapup(&bob(), c, Some("2")));
    assert_eq!(
        events[0],
        Event::WrappedUp {
            conversation: c,
            reason: "Follow-up needed".into()
        }
    );
    assert_eq!(d.label(c), "closed");
    assert_eq!(
        d.offered_to(waiting),
        Some(bob()),
        "capacity freed, next conversation offered"
    );
    let record = layout::conversation(d.engine.store(), c).unwrap().unwrap();
    assert!(matches!(record.phase, Phase::Closed { ref reason, .. } if reason == "Follow-up needed"));
}

#[test]
fn wrapup_by_filter_text_matching_exactly_one() {
    let mut d = Desk::new();
    let c = in_wrapup(&mut d);
    d.ok(wrapup(&bob(), c, Some("wrong")));
    let record = layout::conversation(d.engine.store(), c).unwrap().unwrap();
    assert!(matches!(record.phase, Phase::Closed { ref reason, .. } if reason == "Wrong number"));
}

#[test]
fn wrapup_refusals_list_the_candidates() {
    let mut d = Desk::new();
    let c = in_wrapup(&mut d);
    assert_eq!(
        d.refused(wrapup(&bob(), c, None)).to_string(),
        "pick a wrap-up reason by number or name: 1. Resolved; 2. Follow-up needed; 3. Wrong number"
    );
    assert_eq!(
        d.refused(wrapup(&bob(), c, Some("e"))).to_string(),
        "\"e\" matches several wrap-up reasons: Resolved, Follow-up needed, Wrong number; be more precise"
    );
    assert_eq!(
        d.refused(wrapup(&bob(), c, Some("refund"))).to_string(),
        "no wrap-up reason matches \"refund\"; reasons: 1. Resolved; 2. Follow-up needed; 3. Wrong number"
    );
    assert!(matches!(
        d.refused(wrapup(&bob(), c, Some("4"))),
        Rejection::WrapupNumberOutOfRange { number: 4, .. }
    ));
    d.available(&carol());
    assert_eq!(
        d.refused(wrapup(&carol(), c, Some("1"))),
        Rejection::NotYourConversation(c)
    );
}

#[test]
fn wrapup_refused_before_end() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    assert_eq!(
        d.refused(wrapup(&bob(), c, Some("1"))),
        Rejection::NotInWrapup(c, "active")
    );
}

#[test]
fn auto_wrapup_closes_with_its_own_reason() {
    let mut d = Desk::new();
    d.available(&dave());
    let c = d.sms(CUST, SHORT, "support please");
    d.accept(&dave(), c);
    d.ok(Command::End {
        agent: dave(),
        conversation: c,
    });
    assert!(d.advance(59).is_empty());
    let events = d.advance(1);
    assert_eq!(
        events,
        vec![Event::WrappedUp {
            conversation: c,
            reason: "auto wrap-up".into()
        }]
    );
    assert_eq!(d.label(c), "closed");
}

// ---- history and restart -------------------------------------------------

#[test]
fn closed_conversation_keeps_full_history_with_actors_and_times() {
    let mut d = Desk::new();
    d.available(&bob());
    let c = d.sms(CUST, LONG, "my bill is wrong");
    d.advance(3);
    d.accept(&bob(), c);
    d.ok(cmd_reply(&bob(), c, "let me check"));
    d.sms(CUST, LONG, "thanks");
    d.ok(Command::End {
        agent: bob(),
        conversation: c,
    });
    d.ok(wrapup(&bob(), c, Some("resolved")));
    let history = d.engine.history(c).unwrap();
    let kinds: Vec<&str> = history
        .iter()
        .map(|r| match &r.event {
            Event::ConversationOpened { .. } => "opened",
            Event::MessageReceived { .. } => "in",
            Event::Offered { .. } => "offered",
            Event::OfferAccepted { .. } => "accepted",
            Event::ReplyAccepted { .. } => "out",
            Event::Ended { .. } => "ended",
            Event::WrappedUp { .. } => "closed",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        ["opened", "in", "offered", "accepted", "out", "in", "ended", "closed"]
    );
    assert_eq!(history[1].actor, Actor::Customer(CustomerNumber::from(CUST)));
    assert_eq!(history[3].actor, Actor::Agent(bob()));
    assert_eq!(history[3].at.0 - history[2].at.0, 3_000);
    assert!(history.windows(2).all(|w| w[0].seq < w[1].seq));
    assert!(history[6].event.describe().contains("ended the conversation"));
    // Seen as chat lines: inbound, outbound and system notes.
    use smsdesk_core::event::Message;
    assert_eq!(
        history[1].message(),
        Message::Inbound {
            body: "my bill is wrong",
            media: &[]
        }
    );
    assert!(matches!(
        history[4].message(),
        Message::Outbound {
            body: "let me check",
            ..
        }
    ));
    assert_eq!(history[7].message(), Message::Note);
}

#[test]
fn restart_restores_agents_conversations_and_fires_expired_timers() {
    let store = common::TestStore::new();
    let t0 = Timestamp(1_700_000_000_000);
    let mut d = Desk::open(store.clone(), t0);
    d.available(&bob());
    d.available(&dave());
    let c = d.sms(CUST, LONG, "hi");
    let s = d.sms(CUST2, SHORT, "support");
    d.accept(&dave(), s);
    d.ok(Command::End {
        agent: dave(),
        conversation: s,
    });
    assert_eq!(d.offered_to(c), Some(bob()));
    let before = d.state().clone();
    drop(d);

    // Same moment: identical state.
    let d = Desk::open(store.clone(), t0);
    assert_eq!(d.state(), &before);
    drop(d);

    // Two minutes later: the offer (30 s) and the auto wrap-up (60 s) expired while down.
    let mut d = Desk::open(store, t0);
    let events = d.advance(120);
    assert!(events.contains(&Event::OfferTimedOut {
        conversation: c,
        agent: bob()
    }));
    assert!(events.contains(&Event::WrappedUp {
        conversation: s,
        reason: "auto wrap-up".into()
    }));
    assert_eq!(d.status(&bob()), AgentStatus::Rona);
}

#[test]
fn removing_someone_not_in_the_conference_is_refused() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    d.available(&carol());
    d.ok(Command::RequestConference {
        agent: bob(),
        conversation: c,
        target: carol(),
    });
    assert_eq!(
        d.refused(Command::EndConference {
            agent: bob(),
            conversation: c,
            target: Some(alice()),
        })
        .to_string(),
        "@alice:example.com is not in the conference"
    );
}

#[test]
fn timer_commands_before_their_deadline_are_refused() {
    let mut d = Desk::new();
    d.available(&bob());
    let c = d.sms(CUST, LONG, "hi");
    d.advance(29);
    assert_eq!(
        d.refused(Command::ExpireOffer { conversation: c }),
        Rejection::TimerNotDue(c)
    );
    assert_eq!(
        d.refused(Command::AutoWrapup { conversation: c }),
        Rejection::TimerNotDue(c)
    );
}

// ---- delivery of replies ---------------------------------------------------

fn reply_id(
    d: &mut Desk<impl smsdesk_engine::store::KvStore>,
    agent: &AgentId,
    c: ConversationId,
    body: &str,
) -> MessageId {
    match d.ok(cmd_reply(agent, c, body)).as_slice() {
        [Event::ReplyAccepted { message_id, .. }] => *message_id,
        other => panic!("{other:?}"),
    }
}

fn delivery(provider: &str, status: smsdesk_core::model::Delivery, code: Option<&str>) -> Command {
    Command::RecordDelivery {
        carrier: CarrierName::from("twilio"),
        provider_id: provider.into(),
        status,
        error_code: code.map(str::to_owned),
        opted_out: false,
    }
}

#[test]
fn a_reply_goes_pending_sent_delivered_and_never_backwards() {
    use smsdesk_core::command::SendOutcome;
    use smsdesk_core::model::Delivery;
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    let m = reply_id(&mut d, &bob(), c, "on it");
    let status = |d: &Desk| d.engine.delivery(m).unwrap().unwrap().outbound;
    assert_eq!(status(&d).status, Delivery::Pending);
    d.ok(Command::RecordSendOutcome {
        message: m,
        outcome: SendOutcome::Sent {
            provider_id: "SMabc".into(),
        },
    });
    assert_eq!(status(&d).status, Delivery::Sent);
    assert!(
        layout::pending_sms(d.engine.store(), 10).unwrap().is_empty(),
        "no longer the outbox's business"
    );
    // A repeated send report changes nothing.
    assert!(d
        .ok(Command::RecordSendOutcome {
            message: m,
            outcome: SendOutcome::Sent {
                provider_id: "SMabc".into()
            },
        })
        .is_empty());
    d.ok(delivery("SMabc", Delivery::Delivered, None));
    assert_eq!(status(&d).status, Delivery::Delivered);
    // Out of order: a late "sent" or a "failed" after "delivered" is ignored.
    assert!(d.ok(delivery("SMabc", Delivery::Sent, None)).is_empty());
    assert!(d.ok(delivery("SMabc", Delivery::Failed, Some("30003"))).is_empty());
    assert_eq!(status(&d).status, Delivery::Delivered);
    let history = d.engine.history(c).unwrap();
    assert!(history
        .iter()
        .any(|r| r.event.describe() == format!("reply {m} delivered")));
}

#[test]
fn a_refused_reply_is_failed_with_the_carrier_code() {
    use smsdesk_core::command::SendOutcome;
    use smsdesk_core::model::Delivery;
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    let m = reply_id(&mut d, &bob(), c, "hello?");
    d.ok(Command::RecordSendOutcome {
        message: m,
        outcome: SendOutcome::Failed {
            code: Some("21610".into()),
            reason: "Attempt to send to unsubscribed recipient".into(),
        },
    });
    let o = d.engine.delivery(m).unwrap().unwrap().outbound;
    assert_eq!(o.status, Delivery::Failed);
    assert_eq!(o.error_code.as_deref(), Some("21610"));
    assert!(layout::pending_sms(d.engine.store(), 10).unwrap().is_empty());
    // Unknown messages and provider ids are refused with a reason.
    assert_eq!(
        d.refused(delivery("SMnope", Delivery::Delivered, None)).to_string(),
        "no reply twilio SMnope is known"
    );
    assert!(matches!(
        d.refused(Command::RecordSendOutcome {
            message: MessageId(999),
            outcome: SendOutcome::Sent {
                provider_id: "x".into()
            }
        }),
        Rejection::UnknownMessage(_)
    ));
}

#[test]
fn a_reply_still_pending_when_the_conversation_closes_is_settled_even_after_a_restart() {
    use smsdesk_core::command::SendOutcome;
    use smsdesk_core::model::Delivery;
    let store = common::TestStore::new();
    let t0 = Timestamp(1_700_000_000_000);
    let mut d = Desk::open(store.clone(), t0);
    let c = d.active_with(&bob());
    let m = reply_id(&mut d, &bob(), c, "bye");
    d.ok(Command::End {
        agent: bob(),
        conversation: c,
    });
    d.ok(wrapup(&bob(), c, Some("1")));
    assert_eq!(d.label(c), "closed");
    drop(d);
    // After a restart the outbox reports the send: it is recorded, and the reply leaves the outbox.
    let mut d = Desk::open(store, t0);
    assert_eq!(layout::pending_sms(d.engine.store(), 10).unwrap().len(), 1);
    d.ok(Command::RecordSendOutcome {
        message: m,
        outcome: SendOutcome::Sent {
            provider_id: "SMlate".into(),
        },
    });
    assert!(layout::pending_sms(d.engine.store(), 10).unwrap().is_empty());
    let record = layout::delivery(d.engine.store(), m).unwrap().unwrap();
    assert_eq!((record.conversation, record.outbound.status), (c, Delivery::Sent));
    assert!(d.state().conversation(c).is_none(), "forgotten once nothing is pending");
}
