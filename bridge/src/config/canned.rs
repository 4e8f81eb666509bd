//! `[[canned]]`: canned replies agents send with `!c <name>`. Each has a
//! `name` (one word), a `text` with placeholders filled when it is sent
//! (`{customer_first_name}`, `{agent}`, `{queue}`, `{entry}`), and
//! optionally the `queues` it is for (default: all). Unknown
//! placeholders and texts longer than a reply may be are refused here, by
//! key, so a mistake is found by `check-config`, not by a customer.

use smsdesk_core::setup::MAX_REPLY_CHARS;
use smsdesk_core::QueueName;

use super::reader::{join, Reader};

/// The placeholders a canned text may hold.
pub const PLACEHOLDERS: &[&str] = &["customer_first_name", "agent", "queue", "entry"];

/// One `[[canned]]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CannedConfig {
    pub name: String,
    pub text: String,
    /// The queues it is for; empty means all.
    pub queues: Vec<QueueName>,
}

/// What a canned text's placeholders become.
#[derive(Clone, Debug, Default)]
pub struct Filling<'a> {
    /// From the intake fields (`first_name`, else the first word of
    /// `name`); empty when the customer gave none.
    pub customer_first_name: &'a str,
    /// The agent's name on the roster.
    pub agent: &'a str,
    pub queue: &'a str,
    pub entry: &'a str,
}

impl<'a> Filling<'a> {
    /// The customer's first name as the intake bot collected it, if it did.
    pub fn first_name(fields: &'a [(String, String)]) -> &'a str {
        let field = |key: &str| {
            fields
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.trim())
        };
        field("first_name")
            .or_else(|| field("name").and_then(|n| n.split_whitespace().next()))
            .unwrap_or_default()
    }
}

impl CannedConfig {
    /// Whether it is offered in `queue`.
    pub fn for_queue(&self, queue: &QueueName) -> bool {
        self.queues.is_empty() || self.queues.contains(queue)
    }

    /// The text with its placeholders filled. An empty first name leaves
    /// no stray space before punctuation ("Thanks {customer_first_name},"
    /// becomes "Thanks,").
    pub fn render(&self, fill: &Filling<'_>) -> String {
        let mut text = self.text.clone();
        for (name, value) in [
            ("customer_first_name", fill.customer_first_name),
            ("agent", fill.agent),
            ("queue", fill.queue),
            ("entry", fill.entry),
        ] {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        for (gap, tight) in [(" ,", ","), (" .", "."), (" !", "!"), (" ?", "?"), ("  ", " ")] {
            while text.contains(gap) {
                text = text.replace(gap, tight);
            }
        }
        text.trim().to_owned()
    }
}

pub fn read(r: &mut Reader, root: &toml::Table) -> Vec<CannedConfig> {
    let mut canned: Vec<CannedConfig> = Vec::new();
    for (path, v) in r.array_of_tables(root, "canned") {
        let Some(t) = r.table(v, &path, &["name", "text", "queues"]) else {
            continue;
        };
        let Some(name) = r.string(t, &path, "name", true) else {
            continue;
        };
        let name = name.trim().to_owned();
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_') {
            r.err(
                &join(&path, "name"),
                format!("{name:?} is not one word (letters, digits, - and _): agents type it after !c"),
            );
            continue;
        }
        if canned.iter().any(|c| c.name.eq_ignore_ascii_case(&name)) {
            r.err(&join(&path, "name"), format!("canned reply {name:?} is listed twice"));
            continue;
        }
        let Some(text) = super::automation::text(r, t, &path, "text", PLACEHOLDERS) else {
            continue;
        };
        let chars = text.chars().count();
        if chars > MAX_REPLY_CHARS {
            r.err(
                &join(&path, "text"),
                format!("is {chars} characters; a reply may be at most {MAX_REPLY_CHARS}"),
            );
            continue;
        }
        let queues = r.strings(t, &path, "queues").into_iter().map(QueueName::new).collect();
        canned.push(CannedConfig { name, text, queues });
    }
    canned
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canned(text: &str) -> CannedConfig {
        CannedConfig {
            name: "thanks".into(),
            text: text.into(),
            queues: Vec::new(),
        }
    }

    #[test]
    fn placeholders_are_filled_and_a_missing_name_leaves_no_gap() {
        let c = canned("Thanks {customer_first_name}, this is {agent} from {queue} ({entry}).");
        let fields = vec![("name".to_owned(), "Ann Lee".to_owned())];
        let fill = Filling {
            customer_first_name: Filling::first_name(&fields),
            agent: "Alice",
            queue: "billing",
            entry: "+15550001111",
        };
        assert_eq!(
            c.render(&fill),
            "Thanks Ann, this is Alice from billing (+15550001111)."
        );
        let fill = Filling {
            customer_first_name: Filling::first_name(&[]),
            ..fill
        };
        assert_eq!(c.render(&fill), "Thanks, this is Alice from billing (+15550001111).");
    }
}
