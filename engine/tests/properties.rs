//! Property tests: random command sequences against the engine, checking
//! the invariants of the conversation lifecycle (`decide/`) after every step:
//! - each conversation is in exactly one state, and the derived indexes agree;
//! - each queued conversation is in exactly one (configured) queue;
//! - no agent is above capacity;
//! - offers go only to available agents below capacity;
//! - no customer message is ever dropped from history;
//! - replaying the events gives the same state, and so does loading the store;
//! - no SMS goes to an opted-out (entry, customer) pair but its confirmation.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use std::collections::BTreeMap;

use common::*;
use proptest::prelude::*;
use smsdesk_core::apply::apply;
use smsdesk_core::model::Phase;
use smsdesk_core::routing::Routers;
use smsdesk_core::*;
use smsdesk_engine::store::layout;
use smsdesk_engine::*;

const CUSTOMERS: [&str; 4] = ["+15557770001", "+15557770002", "+15557770003", "+15557770004"];
const ENTRIES: [&str; 3] = [LONG, SHORT, TOLLFREE];
const QUEUES: [&str; 3] = ["billing", "support", "nope"];
const KEYWORDS: [&str; 5] = ["STOP", "start", " Help ", "unsubscribe", "yes"];

/// The common setup, with the texts smsdesk sends for keywords (the short
/// code answers them itself).
fn prop_setup() -> smsdesk_core::setup::Setup {
    let mut s = setup();
    s.compliance.help_reply = Some("help text".into());
    s.compliance.opt_out_reply = Some("bye".into());
    s.compliance.opt_in_reply = Some("welcome back".into());
    s
}

fn agent(i: usize) -> AgentId {
    [alice(), bob(), carol(), dave(), stranger()][i].clone()
}

#[derive(Clone, Debug)]
enum Op {
    Sms { customer: usize, entry: usize },
    RepeatSms { index: usize },
    Available(usize),
    Idle(usize),
    Offline(usize),
    Accept(usize, Option<u64>),
    Decline(usize, Option<u64>),
    Reply(usize, u64, usize, Option<u8>),
    ToQueue(usize, u64, usize),
    ToAgent(usize, u64, usize),
    Conference(usize, u64, usize),
    EndConference(usize, u64, Option<usize>),
    End(usize, u64),
    Wrapup(usize, u64, usize),
    SendOutcome(u64, bool),
    Keyword { customer: usize, entry: usize, word: usize },
    Delivery(u64, usize),
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    let a = 0..5usize;
    let c = 0..8u64;
    prop_oneof![
        3 => (0..4usize, 0..3usize).prop_map(|(customer, entry)| Op::Sms { customer, entry }),
        1 => (0..50usize).prop_map(|index| Op::RepeatSms { index }),
        3 => a.clone().prop_map(Op::Available),
        1 => a.clone().prop_map(Op::Idle),
        1 => a.clone().prop_map(Op::Offline),
        3 => (a.clone(), proptest::option::of(c.clone())).prop_map(|(a, c)| Op::Accept(a, c)),
        1 => (a.clone(), proptest::option::of(c.clone())).prop_map(|(a, c)| Op::Decline(a, c)),
        2 => (a.clone(), c.clone(), 0..3usize, proptest::option::of(0..3u8)).prop_map(|(a, c, b, r)| Op::Reply(a, c, b, r)),
        1 => (a.clone(), c.clone(), 0..3usize).prop_map(|(a, c, q)| Op::ToQueue(a, c, q)),
        1 => (a.clone(), c.clone(), 0..5usize).prop_map(|(a, c, t)| Op::ToAgent(a, c, t)),
        1 => (a.clone(), c.clone(), 0..5usize).prop_map(|(a, c, t)| Op::Conference(a, c, t)),
        1 => (a.clone(), c.clone(), proptest::option::of(0..5usize)).prop_map(|(a, c, t)| Op::EndConference(a, c, t)),
        2 => (a.clone(), c.clone()).prop_map(|(a, c)| Op::End(a, c)),
        2 => (a, c, 0..5usize).prop_map(|(a, c, w)| Op::Wrapup(a, c, w)),
        2 => (0..70u64).prop_map(Op::Advance),
        2 => (0..6u64, any::<bool>()).prop_map(|(m, ok)| Op::SendOutcome(m, ok)),
        1 => (0..6u64, 0..5usize).prop_map(|(m, s)| Op::Delivery(m, s)),
        2 => (0..4usize, 0..3usize, 0..KEYWORDS.len()).prop_map(|(customer, entry, word)| Op::Keyword { customer, entry, word }),
    ]
}

struct Run {
    engine: Engine<TestStore>,
    store: TestStore,
    now: Timestamp,
    /// Every inbound SMS sent so far: (carrier id, body).
    sent: Vec<(String, String)>,
    /// Opt-out confirmations: the only texts an opted-out pair may get.
    confirmations: std::collections::BTreeSet<MessageId>,
    /// Each reply's delivery state after the previous step.
    deliveries: BTreeMap<MessageId, Option<smsdesk_core::model::Delivery>>,
}

/// What the carrier reports about a reply: the send's outcome, or a
/// delivery status; `None` for every other op.
fn carrier_outcome(op: &Op) -> Option<Command> {
    Some(match *op {
        Op::SendOutcome(m, ok) => Command::RecordSendOutcome {
            message: MessageId(m),
            outcome: if ok {
                smsdesk_core::command::SendOutcome::Sent {
                    provider_id: format!("SMp{m}"),
                }
            } else {
                smsdesk_core::command::SendOutcome::Failed {
                    code: Some("21610".into()),
                    reason: "unsubscribed".into(),
                }
            },
        },
        Op::Delivery(m, s) => {
            use smsdesk_core::model::Delivery::*;
            Command::RecordDelivery {
                carrier: CarrierName::from("twilio"),
                provider_id: format!("SMp{m}"),
                status: [Pending, Sent, Delivered, Read, Failed][s],
                error_code: None,
                opted_out: false,
            }
        }
        _ => return None,
    })
}

impl Run {
    fn command(&self, op: &Op) -> Option<Command> {
        let conv = ConversationId;
        Some(match op.clone() {
            Op::Sms { customer, entry } => Command::ReceiveSms(InboundSms {
                carrier: CarrierName::from("twilio"),
                carrier_message_id: CarrierMessageId::new(format!("SM{}", self.sent.len())),
                from: CustomerNumber::from(CUSTOMERS[customer]),
                to: EntryNumber::parse(ENTRIES[entry]).unwrap(),
                body: format!("message {}", self.sent.len()),
                media: vec![],
            }),
            Op::RepeatSms { index } => {
                if self.sent.is_empty() {
                    return None;
                }
                let (sid, body) = &self.sent[index % self.sent.len()];
                Command::ReceiveSms(InboundSms {
                    carrier: CarrierName::from("twilio"),
                    carrier_message_id: CarrierMessageId::new(sid.clone()),
                    from: CustomerNumber::from(CUSTOMERS[0]),
                    to: EntryNumber::parse(LONG).unwrap(),
                    body: body.clone(),
                    media: vec![],
                })
            }
            Op::Available(a) => Command::SetAvailable { agent: agent(a) },
            Op::Idle(a) => Command::SetIdle {
                agent: agent(a),
                code: Some("Lunch".into()),
            },
            Op::Offline(a) => Command::SetOffline { agent: agent(a) },
            Op::Accept(a, c) => Command::Accept {
                agent: agent(a),
                conversation: c.map(conv),
            },
            Op::Decline(a, c) => Command::Decline {
                agent: agent(a),
                conversation: c.map(conv),
            },
            Op::Reply(a, c, b, r) => Command::Reply {
                agent: agent(a),
                conversation: conv(c),
                body: ["hello", "", &"x".repeat(1_001)][b].to_owned(),
                reference: r.map(|r| format!("!room:example.com $event{r}")),
                media: Vec::new(),
                canned: None,
            },
            Op::ToQueue(a, c, q) => Command::TransferToQueue {
                agent: agent(a),
                conversation: conv(c),
                queue: QueueName::from(QUEUES[q]),
            },
            Op::ToAgent(a, c, t) => Command::TransferToAgent {
                agent: agent(a),
                conversation: conv(c),
                target: agent(t),
            },
            Op::Conference(a, c, t) => Command::RequestConference {
                agent: agent(a),
                conversation: conv(c),
                target: agent(t),
            },
            Op::EndConference(a, c, t) => Command::EndConference {
                agent: agent(a),
                conversation: conv(c),
                target: t.map(agent),
            },
            Op::End(a, c) => Command::End {
                agent: agent(a),
                conversation: conv(c),
            },
            Op::Wrapup(a, c, w) => Command::Wrapup {
                agent: agent(a),
                conversation: conv(c),
                choice: Some(["1", "2", "resolved", "e", "zzz"][w].to_owned()),
            },
            Op::SendOutcome(..) | Op::Delivery(..) => return carrier_outcome(op),
            Op::Keyword { customer, entry, word } => Command::ReceiveSms(InboundSms {
                carrier: CarrierName::from("twilio"),
                carrier_message_id: CarrierMessageId::new(format!("SM{}", self.sent.len())),
                from: CustomerNumber::from(CUSTOMERS[customer]),
                to: EntryNumber::parse(ENTRIES[entry]).unwrap(),
                body: KEYWORDS[word].to_owned(),
                media: vec![],
            }),
            Op::Advance(_) => return None,
        })
    }

    fn step(&mut self, op: &Op) -> Result<(), TestCaseError> {
        let before = self.engine.state().clone();
        let outcome = match (op, self.command(op)) {
            (Op::Advance(secs), _) => {
                self.now = self.now.plus(std::time::Duration::from_secs(*secs));
                self.engine.tick(self.now).unwrap()
            }
            (_, Some(command)) => {
                if let (Op::Sms { .. } | Op::Keyword { .. }, Command::ReceiveSms(sms)) = (op, &command) {
                    self.sent.push((sms.carrier_message_id.to_string(), sms.body.clone()));
                }
                self.engine.execute_batch(vec![command], self.now).unwrap()
            }
            (_, None) => return Ok(()),
        };
        let mut records: Vec<EventRecord> = Vec::new();
        for r in outcome.results.iter().flatten() {
            records.extend(r.records.iter().cloned());
        }
        records.extend(outcome.routed.iter().cloned());

        // Offers only to available agents below capacity, checked at the moment of each offer.
        let mut shadow = before;
        for r in &records {
            if let Event::Offered { agent, .. } = &r.event {
                prop_assert!(
                    shadow.has_room(agent),
                    "offer to {agent} who had no room: {:?}",
                    shadow.agent(agent)
                );
            }
            // No SMS ever goes to an opted-out pair (but the opt-out confirmation).
            let outgoing = match &r.event {
                Event::ReplyAccepted { conversation, .. } => Some(*conversation),
                Event::AutoReplied { conversation, kind, .. } if !kind.allowed_when_opted_out() => Some(*conversation),
                Event::AutoReplied { message_id, .. } => {
                    self.confirmations.insert(*message_id);
                    None
                }
                _ => None,
            };
            if let Some(c) = outgoing.and_then(|id| shadow.conversation(id)) {
                prop_assert!(
                    shadow.opt_out(&c.entry, &c.customer).is_none(),
                    "{:?} to opted-out {} from {}",
                    r.event,
                    c.customer,
                    c.entry
                );
            }
            apply(&mut shadow, r);
        }
        shadow.forget_closed();
        let live = self.engine.state();
        prop_assert_eq!(&shadow, live, "replaying the events gave another state");

        prop_assert!(live.indexes_consistent(), "derived indexes disagree with a rebuild");
        let waiting = live.waiting();
        for c in live.conversations() {
            if let Phase::Queued { .. } = c.phase {
                prop_assert!(
                    live.setup.queue(&c.queue).is_some(),
                    "queued in unknown queue {}",
                    c.queue
                );
                prop_assert_eq!(waiting.iter().filter(|w| w.id == c.id).count(), 1);
            }
        }
        for (id, _) in live.agents() {
            prop_assert!(live.load(id) <= live.capacity(id), "{id} above capacity");
        }
        // Delivery never moves backwards (records leave memory once handed to the carrier).
        for m in 0..live.counters.next_message {
            let m = MessageId(m);
            let after = layout::delivery(&self.store, m).unwrap().map(|r| r.outbound.status);
            let before = self.deliveries.insert(m, after);
            if let (Some(Some(b)), Some(a)) = (before, after) {
                prop_assert!(a == b || b.advances_to(a), "{m}: {b:?} -> {a:?}");
            }
        }
        // Whatever waits in the outbox for an opted-out pair is a confirmation.
        for sms in layout::pending_sms(&self.store, 1_000).unwrap() {
            if live.opt_out(&sms.from, &sms.to).is_some() {
                prop_assert!(
                    self.confirmations.contains(&sms.message_id),
                    "{} waits in the outbox for opted-out {}",
                    sms.message_id,
                    sms.to
                );
            }
        }
        // Only replies still pending stay in memory.
        for c in live.conversations() {
            prop_assert!(c
                .outbound
                .values()
                .all(|o| o.status == smsdesk_core::model::Delivery::Pending));
        }
        self.indexes_match_a_scan()
    }

    /// The indexes routing and timers read, against a scan of everything.
    fn indexes_match_a_scan(&self) -> Result<(), TestCaseError> {
        let live = self.engine.state();
        let deadline = live.conversations().flat_map(|c| c.phase.deadlines()).min();
        prop_assert_eq!(live.next_deadline(), deadline, "timer index");
        let mut waiting: Vec<_> = live.conversations().filter(|c| c.queue_order().is_some()).collect();
        waiting.sort_by_key(|c| c.queue_order());
        prop_assert_eq!(live.waiting(), waiting, "waiting index");
        for q in live.setup.queues.keys() {
            let eligible: Vec<&AgentId> = live
                .setup
                .agents
                .values()
                .filter(|a| a.queues.contains(q) && live.has_room(&a.id))
                .map(|a| &a.id)
                .collect();
            prop_assert_eq!(
                live.eligible(q).collect::<Vec<_>>(),
                eligible,
                "eligible index of {}",
                q
            );
            let line: Vec<_> = live
                .waiting()
                .into_iter()
                .filter(|c| &c.queue == q)
                .map(|c| c.id)
                .collect();
            prop_assert_eq!(
                live.waiting_in(q).map(|c| c.id).collect::<Vec<_>>(),
                line,
                "waiting line of {}",
                q
            );
        }
        Ok(())
    }

    fn check_history_and_reload(&self) -> Result<(), TestCaseError> {
        let mut received: BTreeMap<String, usize> = BTreeMap::new();
        for c in 0..self.engine.state().counters.next_conversation {
            for r in self.engine.history(ConversationId(c)).unwrap() {
                if let Event::MessageReceived { sms, .. } = r.event {
                    *received.entry(sms.carrier_message_id.to_string()).or_default() += 1;
                }
            }
        }
        prop_assert_eq!(
            received.len(),
            self.sent.len(),
            "a customer message is missing from history"
        );
        prop_assert!(received.values().all(|n| *n == 1), "a customer message is stored twice");
        // A reply handed in again with the same reference is one reply.
        for c in 0..self.engine.state().counters.next_conversation {
            let mut references = std::collections::BTreeSet::new();
            for r in self.engine.history(ConversationId(c)).unwrap() {
                if let Event::ReplyAccepted {
                    reference: Some(reference),
                    ..
                } = r.event
                {
                    prop_assert!(references.insert(reference.clone()), "{reference} accepted twice");
                }
            }
        }

        let loaded = layout::load(&self.store, prop_setup()).unwrap();
        prop_assert_eq!(&loaded, self.engine.state(), "loading the store gave another state");
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_for_random_command_sequences(ops in proptest::collection::vec(op(), 1..150)) {
        let store = TestStore::new();
        let now = Timestamp(1_700_000_000_000);
        let mut run = Run {
            engine: Engine::open(store.clone(), prop_setup(), Routers::default()).unwrap(),
            store,
            now,
            sent: Vec::new(),
            deliveries: BTreeMap::new(),
            confirmations: Default::default(),
        };
        for op in &ops {
            run.step(op)?;
        }
        run.check_history_and_reload()?;
    }
}
