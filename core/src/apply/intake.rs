//! The intake bot's conversation: started, each turn, finished into a queue.

use super::start_busy_timer;
use crate::event::Event;
use crate::ids::Timestamp;
use crate::model::Phase;
use crate::state::State;

/// Folds one of this group's events into the state; others are not its own.
pub(super) fn apply(state: &mut State, at: Timestamp, event: &Event) {
    match event {
        Event::IntakeStarted { conversation, deadline } => {
            state.set_phase(
                *conversation,
                Phase::Intake {
                    since: at,
                    deadline: *deadline,
                    turn: 0,
                    state: Vec::new(),
                },
            );
            // No busy reply while the bot talks; its timer starts once queued.
            state.edit_indexed(*conversation, |c| {
                c.busy_at = None;
                c.queued_at = None;
            });
        }
        Event::IntakeTurned {
            conversation,
            turn,
            state: bot_state,
            deadline,
        } => {
            state.edit_phase(*conversation, |p| {
                if let Phase::Intake {
                    turn: t,
                    state: s,
                    deadline: d,
                    ..
                } = p
                {
                    *t = *turn;
                    s.clone_from(bot_state);
                    *d = *deadline;
                }
            });
        }
        Event::IntakeFinished {
            conversation,
            queue,
            skills,
            fields,
            ..
        } => {
            state.edit_indexed(*conversation, |c| {
                c.queue = queue.clone();
                c.skills.clone_from(skills);
                c.fields.clone_from(fields);
                c.phase = Phase::Queued { head: false, since: at };
                c.queued_at.get_or_insert(at);
            });
            state.saw_waiting(queue, at);
            start_busy_timer(state, *conversation, at);
            super::sticky::start_wait(state, *conversation, at);
        }
        _ => {}
    }
}
