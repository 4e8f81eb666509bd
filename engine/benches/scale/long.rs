//! Long conversations cost what short ones do (issue #33): a cohort of ten
//! conversations is driven through 400 rounds (per conversation a customer
//! SMS, an agent reply, the carrier's "sent" and its "delivered"), and the
//! per-command cost averaged over those 400 rounds is set against the same
//! average over fresh cohorts' first 10 rounds.
//!
//! The fresh cohorts run turn about with the long one, ten rounds each,
//! on the same engine: both see the same store, as large at the same
//! moment, and the same machine, so what the ratio shows is the cost of a
//! conversation's own history, nothing else. Each fresh cohort is ended and
//! wrapped up after its ten rounds (not timed), so the number of open
//! conversations stays what it was, plus one cohort.

use std::time::{Duration, Instant};

use super::{accept_offers, run, sms, traffic_batch, Desk, BATCH};
use smsdesk_core::*;

/// Conversations in a cohort.
const COHORT: usize = 10;
/// Rounds the long cohort goes through.
pub const LONG_ROUNDS: usize = 400;
/// Rounds each fresh cohort goes through.
const SHORT_ROUNDS: usize = 10;

/// A cohort's conversations, in the layout `traffic_batch` drives.
type Cohort = Vec<(ConversationId, CustomerNumber, usize, AgentId)>;

/// Opens `COHORT` conversations for new customers (numbered from `first`)
/// and has the agents the engine offers them to accept them.
fn open_cohort(desk: &mut Desk, first: usize) -> Cohort {
    let mut cohort = Vec::new();
    let mut offered = Vec::new();
    let commands = (0..COHORT)
        .map(|i| {
            let q = (first + i) % 10;
            let customer = CustomerNumber::new(format!("+1557{:07}", first + i));
            cohort.push((customer.clone(), q));
            sms(desk, &customer, q)
        })
        .collect();
    let outcome = run(desk, commands);
    for r in &outcome.routed {
        if let Event::Offered {
            conversation, agent, ..
        } = &r.event
        {
            offered.push((*conversation, agent.clone()));
        }
    }
    let ids: Vec<ConversationId> = outcome
        .results
        .into_iter()
        .map(|r| r.expect("accepted").conversation().expect("opened"))
        .collect();
    accept_offers(desk, &offered);
    ids.into_iter()
        .zip(cohort)
        .map(|(id, (customer, q))| {
            let owner = offered
                .iter()
                .find(|(c, _)| *c == id)
                .map(|(_, a)| a.clone())
                .expect("every conversation of a cohort is offered (free seats)");
            (id, customer, q, owner)
        })
        .collect()
}

/// Ends and wraps up `cohort` (its agents' seats free again).
fn close_cohort(desk: &mut Desk, cohort: &Cohort) {
    let mut commands = Vec::new();
    for (id, _, _, owner) in cohort {
        commands.push(Command::End {
            agent: owner.clone(),
            conversation: *id,
        });
        commands.push(Command::Wrapup {
            agent: owner.clone(),
            conversation: *id,
            choice: None,
        });
    }
    for r in run(desk, commands).results {
        r.expect("ended and wrapped up");
    }
}

/// `rounds` rounds of traffic on `cohort`; the time and the commands.
fn rounds_on(desk: &mut Desk, cohort: &Cohort, rounds: usize) -> (Duration, usize) {
    let saved = (std::mem::replace(&mut desk.open, cohort.clone()), desk.cursor);
    desk.cursor = 0;
    let batches = (rounds * COHORT).div_ceil(BATCH / 4);
    let mut took = Duration::ZERO;
    for _ in 0..batches {
        took += traffic_batch(desk, COHORT);
    }
    (desk.open, desk.cursor) = saved;
    (took, batches * BATCH)
}

/// The long cohort's per-command cost over its 400 rounds, fresh cohorts'
/// over their first 10, and the long cohort's over its own first 10 (which
/// also sees the store grow under it), in µs, on `desk`. `free` conversations of
/// `desk` are ended first if its agents have no free seats.
pub fn long_and_short(desk: &mut Desk, free: usize) -> (f64, f64, f64) {
    let started = Instant::now();
    if free > 0 {
        let ending: Cohort = desk.open.drain(..free).collect();
        close_cohort(desk, &ending);
    }
    desk.in_flight.clear();
    let long = open_cohort(desk, 0);
    let (mut t_long, mut n_long, mut t_short, mut n_short) = (Duration::ZERO, 0, Duration::ZERO, 0);
    let mut own_first = (Duration::ZERO, 1);
    for turn in 0..LONG_ROUNDS / SHORT_ROUNDS {
        let fresh = open_cohort(desk, (turn + 1) * COHORT);
        let (t, n) = rounds_on(desk, &fresh, SHORT_ROUNDS);
        (t_short, n_short) = (t_short + t, n_short + n);
        close_cohort(desk, &fresh);
        let (t, n) = rounds_on(desk, &long, SHORT_ROUNDS);
        if turn == 0 {
            own_first = (t, n);
        }
        (t_long, n_long) = (t_long + t, n_long + n);
    }
    close_cohort(desk, &long);
    println!(
        "long conversations on {}: {LONG_ROUNDS} rounds on one cohort, {} fresh cohorts of {SHORT_ROUNDS} rounds, in {:.1} s",
        desk.name,
        LONG_ROUNDS / SHORT_ROUNDS,
        started.elapsed().as_secs_f64()
    );
    let us = |t: Duration, n: usize| t.as_secs_f64() * 1e6 / n as f64;
    (us(t_long, n_long), us(t_short, n_short), us(own_first.0, own_first.1))
}
