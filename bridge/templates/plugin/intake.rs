//! {name}: an smsdesk intake bot. It sees each SMS of a new conversation
//! before the conversation is queued, with the state it kept last turn
//! (bytes, at most 4096, kept by smsdesk), and answers texts to send, its
//! new state, and what comes next: wait for the next SMS, queue (to a
//! queue, with skills and fields the agent sees), or close.
//!
//! This one asks for the customer's name, then queues the conversation to
//! the entry point's queue with the field `name`.

wit_bindgen::generate!({ path: "wit", world: "intake-plugin" });

use exports::smsdesk::plugin::intake::{Guest, IntakeAnswer, IntakeRequest, Next, QueueTo};

struct Plugin;

impl Guest for Plugin {
    fn handle(request: IntakeRequest) -> Result<IntakeAnswer, String> {
        if request.state.is_empty() {
            return Ok(IntakeAnswer {
                texts: vec!["Hi! What is your name?".into()],
                state: b"asked".to_vec(),
                next: Next::Wait,
            });
        }
        let who = request.body.trim();
        if who.is_empty() {
            return Ok(IntakeAnswer {
                texts: vec!["Sorry, what is your name?".into()],
                state: request.state,
                next: Next::Wait,
            });
        }
        Ok(IntakeAnswer {
            texts: vec![format!("Thanks, {who}! An agent will be with you shortly.")],
            state: Vec::new(),
            next: Next::Queue(QueueTo {
                queue: String::new(),
                skills: Vec::new(),
                fields: vec![("name".into(), who.into())],
            }),
        })
    }
}

export!(Plugin);
