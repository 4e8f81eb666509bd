//! Answers to the read-only commands (`!status`, `!queues`, `!agents`),
//! rendered from the engine's state. Pure: a `State` in, text out.

use smsdesk_core::{AgentId, State};

use crate::i18n::Lang;
use crate::matrix::texts::events::opt_out_how;
use crate::matrix::texts::{events, refusals};
use crate::tr;

/// A customer's number as an agent sees it (`supervisor.mask_customer_numbers`).
fn shown(number: &str, mask: bool) -> String {
    if mask {
        crate::mask::mask(number)
    } else {
        number.to_owned()
    }
}

/// `!status`: the agent's state, load and conversations.
pub fn status(lang: &Lang, state: &State, agent: &AgentId, mask: bool) -> String {
    let Some(a) = state.agent(agent) else {
        return tr!(lang, "status-not-on-roster", agent = agent.to_string());
    };
    let mut lines = vec![tr!(
        lang,
        "status-line",
        status = events::status_text(lang, &a.status),
        load = state.load(agent),
        capacity = state.capacity(agent)
    )];
    for c in state.holdings(agent).chain(state.paused_of(agent)) {
        lines.push(format!(
            "#{} {} · {} · {}",
            c.id,
            shown(c.customer.as_str(), mask),
            c.queue,
            refusals::phase(lang, c.phase.label())
        ));
    }
    if state.paused_of(agent).next().is_some() {
        lines.push(lang.t("status-paused-note"));
    }
    lines.join("\n")
}

/// `!queues`: every queue with how many wait in it.
pub fn queues(lang: &Lang, state: &State) -> String {
    let lines: Vec<String> = state
        .setup
        .queues
        .keys()
        .map(|q| {
            tr!(
                lang,
                "queues-line",
                queue = q.to_string(),
                waiting = state.waiting_count(q)
            )
        })
        .collect();
    format!("{}\n{}", lang.t("queues-title"), lines.join("\n"))
}

/// Most opt-outs listed at once (the rest are counted).
const MAX_OPT_OUTS: usize = 50;

/// `!optouts [filter]`: customers who may not be texted, newest first.
pub fn optouts(lang: &Lang, state: &State, filter: Option<&str>, mask: bool) -> String {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let wanted = filter.map(|f| (f.to_lowercase(), digits(f)));
    let mut rows: Vec<_> = state
        .opt_outs()
        .filter(|((entry, customer), _)| {
            wanted.as_ref().is_none_or(|(text, d)| {
                // Masked: matched on what the agent sees, so digits cannot
                // be guessed one filter at a time.
                let hay = format!("{} {entry}", shown(customer.as_str(), mask)).to_lowercase();
                hay.contains(text.as_str()) || (!d.is_empty() && digits(&hay).contains(d.as_str()))
            })
        })
        .collect();
    if rows.is_empty() {
        return match filter {
            Some(f) => tr!(lang, "optouts-none-match", filter = f),
            None => lang.t("optouts-none"),
        };
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.1.at));
    let total = rows.len();
    let mut lines = vec![tr!(lang, "optouts-title", total = total)];
    for ((entry, customer), o) in rows.iter().take(MAX_OPT_OUTS) {
        lines.push(tr!(
            lang,
            "optouts-line",
            customer = shown(customer.as_str(), mask),
            entry = entry.to_string(),
            at = o.at.to_string(),
            how = opt_out_how(lang, &o.how)
        ));
    }
    if total > MAX_OPT_OUTS {
        lines.push(tr!(lang, "optouts-more", more = total - MAX_OPT_OUTS));
    }
    lines.join("\n")
}

/// `!agents [filter]`: available agents whose name or id contains `filter`.
pub fn agents(lang: &Lang, state: &State, filter: Option<&str>) -> String {
    let filter = filter.map(str::to_lowercase);
    let lines: Vec<String> = state
        .setup
        .agents
        .values()
        .filter(|a| state.is_available(&a.id))
        .filter(|a| {
            filter
                .as_ref()
                .is_none_or(|f| a.name.to_lowercase().contains(f) || a.id.as_str().to_lowercase().contains(f))
        })
        .map(|a| format!("{} {} ({}/{})", a.id, a.name, state.load(&a.id), a.capacity))
        .collect();
    if lines.is_empty() {
        lang.t("agents-none")
    } else {
        format!("{}\n{}", lang.t("agents-title"), lines.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use smsdesk_core::keywords::KeywordMode;
    use smsdesk_core::routing::Routers;
    use smsdesk_core::setup::{EntryKind, EntryPoint, QueueSetup, Setup};
    use smsdesk_core::{CarrierMessageId, Command, CustomerNumber, EntryNumber, InboundSms, Timestamp};
    use smsdesk_engine::store::MemoryStore;
    use smsdesk_engine::Engine;

    fn texted(engine: &mut Engine<MemoryStore>, from: &str, body: &str, at: u64) {
        let sms = InboundSms {
            carrier: "twilio".into(),
            carrier_message_id: CarrierMessageId::new(format!("SM{at}")),
            from: CustomerNumber::from(from),
            to: EntryNumber::parse("+15550001111").expect("entry"),
            body: body.to_owned(),
            media: vec![],
        };
        let done = engine.execute(Command::ReceiveSms(sms), Timestamp(at)).expect("stored");
        done.expect("accepted");
    }

    #[test]
    fn optouts_lists_newest_first_and_filters_by_digits() {
        let setup = Setup::default()
            .with_queue(QueueSetup::new("billing"))
            .with_entry_point(EntryPoint {
                number: EntryNumber::parse("+15550001111").expect("entry"),
                kind: EntryKind::LongCode,
                carrier: "twilio".into(),
                queue: "billing".into(),
                skills: Default::default(),
                keywords: KeywordMode::Carrier,
                intake_timeout: None,
            });
        let mut engine = Engine::open(MemoryStore::new(), setup, Routers::default()).expect("engine");
        assert_eq!(
            super::optouts(&crate::i18n::Lang::default(), engine.state(), None, false),
            "No customer has opted out."
        );
        texted(&mut engine, "+15557770001", "STOP", 1_700_000_000_000);
        texted(&mut engine, "+15557770002", "quit", 1_700_000_060_000);
        texted(&mut engine, "+15557770003", "hello", 1_700_000_120_000);
        assert_eq!(
            super::optouts(&crate::i18n::Lang::default(), engine.state(), None, false),
            "Opted out (2): replies to them are refused until they text START.\n\
             +15557770002 from +15550001111 · since 2023-11-14 22:14 UTC · texted QUIT\n\
             +15557770001 from +15550001111 · since 2023-11-14 22:13 UTC · texted STOP"
        );
        let one = super::optouts(
            &crate::i18n::Lang::default(),
            engine.state(),
            Some("555-777-0001"),
            false,
        );
        assert!(
            one.starts_with("Opted out (1)") && one.contains("+15557770001"),
            "{one}"
        );
        assert_eq!(
            super::optouts(&crate::i18n::Lang::default(), engine.state(), Some("0003"), false),
            "No opted-out customer matches \"0003\"."
        );
    }
}
