//! Replies with attachments (MMS): the engine takes a picture without a
//! caption, keeps the attachments with the reply for the outbox, and
//! refuses what can never be sent (a short code, too many attachments)
//! before anything reaches a customer.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use common::*;
use smsdesk_core::*;
use smsdesk_engine::store::layout;

fn reply(agent: &AgentId, c: ConversationId, body: &str, media: &[&str]) -> Command {
    Command::Reply {
        agent: agent.clone(),
        conversation: c,
        body: body.to_owned(),
        reference: None,
        media: media.iter().map(|m| (*m).to_owned()).collect(),
        canned: None,
    }
}

#[test]
fn a_picture_without_a_caption_is_a_reply_and_the_outbox_gets_it() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    let events = d.ok(reply(&bob(), c, "", &["tok1"]));
    let [Event::ReplyAccepted { media, body, .. }] = events.as_slice() else {
        panic!("one reply expected: {events:?}");
    };
    assert_eq!((body.as_str(), media.as_slice()), ("", &["tok1".to_owned()][..]));
    assert_eq!(events[0].describe(), "@bob:example.com: [1 attachment]");
    let pending = layout::pending_sms(d.engine.store(), 10).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].media, vec!["tok1".to_owned()]);
    // A caption goes with it, as one message.
    d.ok(reply(&bob(), c, "your receipt", &["tok2", "tok3"]));
    let pending = layout::pending_sms(d.engine.store(), 10).unwrap();
    assert_eq!(pending[1].body, "your receipt");
    assert_eq!(pending[1].media.len(), 2);
    // Still nothing at all is refused.
    assert_eq!(d.refused(reply(&bob(), c, "  ", &[])), Rejection::EmptyReply);
}

#[test]
fn a_short_code_cannot_send_pictures_and_nothing_is_half_sent() {
    let mut d = Desk::new();
    d.available(&dave());
    let c = d.sms(CUST, SHORT, "hello");
    d.accept(&dave(), c);
    let refused = d.refused(reply(&dave(), c, "see attached", &["tok1"]));
    assert!(matches!(refused, Rejection::NoMmsFrom { .. }), "{refused:?}");
    assert!(refused.to_string().contains("short code"), "{refused}");
    assert!(layout::pending_sms(d.engine.store(), 10).unwrap().is_empty());
    // Text from the same short code still goes.
    d.ok(reply(&dave(), c, "see our site", &[]));
}

#[test]
fn more_than_ten_attachments_are_refused() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    let many: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let refused = d.refused(reply(&bob(), c, "", &many));
    assert_eq!(refused, Rejection::TooManyAttachments { count: 11 });
    d.ok(reply(&bob(), c, "", &many[..10]));
}
