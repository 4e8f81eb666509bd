//! What a verified, checked webhook asks of the engine: each inbound
//! message becomes `Command::ReceiveSms`, each status callback
//! `Command::RecordDelivery`, in the plugin's order (messages first).
//! A message to something that is not an entry number becomes no command;
//! its number is listed so the handler can keep the request and say so.
//! Pure: no I/O, no clock, no state.

use smsdesk_core::model::Delivery;
use smsdesk_core::{CarrierMessageId, CarrierName, Command, CustomerNumber, EntryNumber, InboundSms};
use smsdesk_plugins::carrier::{DeliveryState, InboundMessage, WebhookResult};

/// The commands of one webhook, and what the answer needs around them.
#[derive(Debug)]
pub struct Mapped<'a> {
    /// One per message that has an entry number, then one per status
    /// update, in that order.
    pub commands: Vec<Command>,
    /// The messages behind the first `messages.len()` commands.
    pub messages: Vec<&'a InboundMessage>,
    /// The `to` of each message that is not an entry number.
    pub unknown: Vec<String>,
}

/// The commands `result` asks for, from `carrier`.
pub fn to_commands<'a>(carrier: &str, result: &'a WebhookResult) -> Mapped<'a> {
    let mut mapped = Mapped {
        commands: Vec::new(),
        messages: Vec::new(),
        unknown: Vec::new(),
    };
    for m in &result.messages {
        let Ok(to) = EntryNumber::parse(&m.to) else {
            mapped.unknown.push(m.to.clone());
            continue;
        };
        mapped.messages.push(m);
        mapped.commands.push(Command::ReceiveSms(InboundSms {
            carrier: CarrierName::new(carrier.to_owned()),
            carrier_message_id: CarrierMessageId::new(m.carrier_message_id.clone()),
            from: CustomerNumber::new(m.from.clone()),
            to,
            body: m.body.clone(),
            media: m.media_urls.clone(),
        }));
    }
    for update in &result.statuses {
        mapped.commands.push(Command::RecordDelivery {
            carrier: CarrierName::new(carrier.to_owned()),
            provider_id: update.provider_id.clone(),
            status: delivery(update.state),
            error_code: update.error_code.clone(),
            opted_out: update.opted_out,
        });
    }
    mapped
}

/// The carrier's delivery state as smsdesk records it.
pub fn delivery(state: DeliveryState) -> Delivery {
    use DeliveryState as S;
    match state {
        S::Accepted | S::Scheduled | S::Queued | S::Sending | S::Sent => Delivery::Sent,
        S::Delivered => Delivery::Delivered,
        S::Read => Delivery::Read,
        S::Undelivered | S::Failed | S::Canceled => Delivery::Failed,
    }
}

#[cfg(test)]
mod tests {
    use smsdesk_plugins::carrier::{HttpResponse, StatusUpdate};

    use super::*;

    fn message(sid: &str, to: &str) -> InboundMessage {
        InboundMessage {
            carrier_message_id: sid.to_owned(),
            from: "+15550001111".to_owned(),
            to: to.to_owned(),
            body: format!("hello from {sid}"),
            media_urls: vec![],
        }
    }

    fn status(provider_id: &str, state: DeliveryState) -> StatusUpdate {
        StatusUpdate {
            provider_id: provider_id.to_owned(),
            state,
            error_code: None,
            error_message: None,
            opted_out: false,
        }
    }

    fn result(messages: Vec<InboundMessage>, statuses: Vec<StatusUpdate>) -> WebhookResult {
        WebhookResult {
            messages,
            statuses,
            response: HttpResponse {
                status: 200,
                headers: Default::default(),
                body: vec![],
            },
        }
    }

    #[test]
    fn a_message_becomes_receive_sms() {
        let mut m = message("SM1", "+15559990000");
        m.media_urls = vec!["https://carrier.example/media/1".to_owned()];
        let r = result(vec![m], vec![]);
        let mapped = to_commands("twilio", &r);
        assert_eq!(
            mapped.commands,
            vec![Command::ReceiveSms(InboundSms {
                carrier: CarrierName::new("twilio".to_owned()),
                carrier_message_id: CarrierMessageId::new("SM1".to_owned()),
                from: CustomerNumber::new("+15550001111".to_owned()),
                to: EntryNumber::parse("+15559990000").unwrap(),
                body: "hello from SM1".to_owned(),
                media: vec!["https://carrier.example/media/1".to_owned()],
            })]
        );
        assert_eq!(mapped.messages, vec![&r.messages[0]]);
        assert!(mapped.unknown.is_empty());
    }

    #[test]
    fn a_short_code_is_an_entry_number() {
        let r = result(vec![message("SM1", "12345")], vec![]);
        let mapped = to_commands("twilio", &r);
        assert_eq!(mapped.commands.len(), 1);
        assert!(mapped.unknown.is_empty());
    }

    #[test]
    fn a_status_update_becomes_record_delivery() {
        let mut s = status("MM9", DeliveryState::Undelivered);
        s.error_code = Some("30007".to_owned());
        s.opted_out = true;
        let r = result(vec![], vec![s]);
        let mapped = to_commands("telnyx", &r);
        assert_eq!(
            mapped.commands,
            vec![Command::RecordDelivery {
                carrier: CarrierName::new("telnyx".to_owned()),
                provider_id: "MM9".to_owned(),
                status: Delivery::Failed,
                error_code: Some("30007".to_owned()),
                opted_out: true,
            }]
        );
        assert!(mapped.messages.is_empty());
        assert!(mapped.unknown.is_empty());
    }

    #[test]
    fn a_message_to_no_entry_number_is_listed_not_commanded() {
        let r = result(
            vec![message("SM1", "not-a-number"), message("SM2", "+15559990000")],
            vec![],
        );
        let mapped = to_commands("twilio", &r);
        assert_eq!(mapped.unknown, vec!["not-a-number".to_owned()]);
        assert_eq!(mapped.messages, vec![&r.messages[1]]);
        assert_eq!(mapped.commands.len(), 1);
        let Command::ReceiveSms(sms) = &mapped.commands[0] else {
            panic!("expected ReceiveSms, got {:?}", mapped.commands[0]);
        };
        assert_eq!(sms.carrier_message_id, CarrierMessageId::new("SM2".to_owned()));
    }

    #[test]
    fn messages_come_first_then_statuses_each_in_order() {
        let r = result(
            vec![message("SM1", "+15559990000"), message("SM2", "+15559990001")],
            vec![
                status("P1", DeliveryState::Delivered),
                status("P2", DeliveryState::Read),
            ],
        );
        let mapped = to_commands("twilio", &r);
        assert_eq!(mapped.messages.len(), 2);
        let order: Vec<String> = mapped
            .commands
            .iter()
            .map(|c| match c {
                Command::ReceiveSms(sms) => sms.carrier_message_id.as_str().to_owned(),
                Command::RecordDelivery { provider_id, .. } => provider_id.clone(),
                other => panic!("unexpected command {other:?}"),
            })
            .collect();
        assert_eq!(order, ["SM1", "SM2", "P1", "P2"]);
    }

    #[test]
    fn an_empty_result_asks_for_nothing() {
        let r = result(vec![], vec![]);
        let mapped = to_commands("twilio", &r);
        assert!(mapped.commands.is_empty() && mapped.messages.is_empty() && mapped.unknown.is_empty());
    }

    #[test]
    fn every_delivery_state_has_its_record() {
        use DeliveryState as S;
        for (state, want) in [
            (S::Accepted, Delivery::Sent),
            (S::Scheduled, Delivery::Sent),
            (S::Queued, Delivery::Sent),
            (S::Sending, Delivery::Sent),
            (S::Sent, Delivery::Sent),
            (S::Delivered, Delivery::Delivered),
            (S::Read, Delivery::Read),
            (S::Undelivered, Delivery::Failed),
            (S::Failed, Delivery::Failed),
            (S::Canceled, Delivery::Failed),
        ] {
            assert_eq!(delivery(state), want, "{state:?}");
        }
    }
}
