//! Intake bots (interface 0.2.0): the shipped menu bot, turn by turn, with
//! its state kept by the host; and a hostile bot whose trap (with its panic
//! message and place), endless loop, memory hoarding, oversized state,
//! flood of texts and error answers each fail that one turn with a clear
//! error, while the next turn is served normally.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use smsdesk_plugins::intake::{IntakeAnswer, IntakeRequest, Next};
use smsdesk_plugins::{IntakePlugin, Limits, PluginError, PluginHost};

fn request(turn: u32, body: &str, state: Vec<u8>) -> IntakeRequest {
    IntakeRequest {
        conversation: 9,
        entry: "+15550001111".into(),
        customer: "+15557654321".into(),
        body: body.into(),
        media_urls: vec![],
        turn,
        state,
        received_at_ms: 1_767_225_600_000,
    }
}

/// Runs the customer's messages through `bot`, carrying the state; every answer.
fn talk(bot: &IntakePlugin, messages: &[&str]) -> Vec<IntakeAnswer> {
    let mut state = Vec::new();
    let mut answers = Vec::new();
    for (i, body) in messages.iter().enumerate() {
        let a = bot.turn(&request(u32::try_from(i).unwrap() + 1, body, state)).unwrap();
        state = a.state.clone();
        answers.push(a);
    }
    answers
}

fn menu(settings: &[(&str, &str)]) -> IntakePlugin {
    let settings = settings
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    IntakePlugin::load(&host(), "menu", &plugin("intake-menu"), settings).unwrap()
}

#[test]
fn the_menu_asks_re_asks_and_queues_with_the_fields() {
    let bot = menu(&[("name", "Acme"), ("skills_2", "support, en")]);
    let answers = talk(&bot, &["hello", "3", "2", "12ab", "123456"]);
    let texts: Vec<&str> = answers.iter().map(|a| a.texts[0].as_str()).collect();
    assert_eq!(
        texts,
        [
            "Thanks for texting Acme! Reply 1 for billing, 2 for support.",
            "Sorry, please reply 1 for billing or 2 for support.",
            "Please reply with your account number (digits only).",
            "Account numbers are digits only (4 to 12). Please try again.",
            "Thanks! An agent will be with you shortly.",
        ]
    );
    assert!(answers[..4].iter().all(|a| a.next == Next::Wait));
    assert_eq!(
        answers[4].next,
        Next::Queue {
            queue: Some("support".into()),
            skills: vec!["support".into(), "en".into()],
            fields: vec![("topic".into(), "support".into()), ("account".into(), "123456".into())],
        }
    );
}

#[test]
fn a_customer_who_cannot_answer_is_queued_anyway() {
    let answers = talk(&menu(&[]), &["hi", "x", "y", "z"]);
    assert_eq!(
        answers[3].next,
        Next::Queue {
            queue: None,
            skills: vec![],
            fields: vec![]
        }
    );
}

#[test]
fn state_from_another_bot_is_an_error_not_a_guess() {
    let bot = menu(&[]);
    let error = bot.turn(&request(2, "1", b"something else".to_vec())).unwrap_err();
    assert!(
        matches!(error, PluginError::Failed { ref message, .. } if message.contains("not this bot's")),
        "{error}"
    );
    // Over the cap on the way in: refused before the plugin runs.
    let error = bot.turn(&request(2, "1", vec![0; 5000])).unwrap_err();
    assert!(matches!(error, PluginError::BadOutput { .. }), "{error}");
}

#[test]
fn a_hostile_bot_fails_one_turn_at_a_time_and_says_why() {
    let host = PluginHost::new(
        Limits {
            cpu_budget: std::time::Duration::from_millis(200),
            memory: 32 << 20,
        },
        Some(cache_dir()),
    )
    .unwrap();
    let bot = IntakePlugin::load(&host, "hostile", &plugin("intake-hostile"), vec![]).unwrap();
    let fail = |body: &str| bot.turn(&request(1, body, vec![])).unwrap_err();

    let trap = fail("trap");
    let PluginError::Trap { message, .. } = &trap else {
        panic!("{trap}")
    };
    // The panic's own message and place reach the error (and so the log).
    assert!(message.contains("the customer said trap"), "{message}");
    assert!(message.contains("src/lib.rs:"), "{message}");
    assert!(matches!(fail("loop"), PluginError::Timeout { .. }));
    assert!(matches!(fail("memory"), PluginError::OutOfMemory { .. }));
    let huge = fail("huge");
    assert!(
        huge.to_string().contains("state of 5000 bytes (at most 4096)"),
        "{huge}"
    );
    let garbage = fail("garbage");
    assert!(garbage.to_string().contains("50 texts in one turn"), "{garbage}");
    assert!(matches!(fail("error"), PluginError::Failed { ref message, .. } if message == "this bot refuses"));
    // And the next customer is served.
    let fine = bot.turn(&request(1, "hello", vec![])).unwrap();
    assert_eq!(fine.next, Next::Wait);
    assert_eq!(fine.texts.len(), 1);
}
