//! The words the desk page's script writes as the desk changes (state
//! names, buttons, dialogs, counts), in the agent's language: catalog
//! messages handed to the page in its `data-words` attribute, as JSON, with
//! `{name}` where the script puts a value. The page itself never holds a
//! word of its own (`scripts/literal-scan.py` sees to the Rust side).

use crate::i18n::Lang;
use crate::tr;

/// Messages without a value, named in the script by their id after
/// `deskpage-`, with `_` for `-` (`deskpage-send-wrapup` is `W.send_wrapup`).
const FIXED: &[&str] = &[
    "deskpage-available",
    "deskpage-idle",
    "deskpage-offline",
    "deskpage-offer",
    "deskpage-waiting",
    "deskpage-answer-within",
    "deskpage-you",
    "deskpage-accept",
    "deskpage-decline",
    "deskpage-customer",
    "deskpage-note-by",
    "deskpage-read",
    "deskpage-failed",
    "deskpage-reply-label",
    "deskpage-reply-placeholder",
    "deskpage-one-segment",
    "deskpage-send",
    "deskpage-attach",
    "deskpage-search-reasons",
    "deskpage-search-placeholder",
    "deskpage-reasons",
    "deskpage-wrapup",
    "deskpage-wrap-up",
    "deskpage-send-wrapup",
    "deskpage-pick-reason",
    "deskpage-filter",
    "deskpage-refresh",
    "deskpage-cancel",
    "deskpage-transfer",
    "deskpage-transfer-title",
    "deskpage-conference",
    "deskpage-conference-title",
    "deskpage-end-conference",
    "deskpage-end",
    "deskpage-leave-conference",
    "deskpage-open-for",
    "deskpage-messages",
    "deskpage-paused",
    "deskpage-live",
    "deskpage-reconnecting",
];

/// The page's words in `lang`, as a JSON object.
pub fn words(lang: &Lang) -> String {
    let mut out: serde_json::Map<String, serde_json::Value> = FIXED
        .iter()
        .map(|id| {
            let key = id.trim_start_matches("deskpage-").replace('-', "_");
            (key, lang.t(id).into())
        })
        .collect();
    let filled = [
        ("unreachable", tr!(lang, "deskpage-unreachable", error = "{error}")),
        ("idle_code", tr!(lang, "deskpage-idle-code", code = "{code}")),
        ("transfer_from", tr!(lang, "deskpage-transfer-from", from = "{from}")),
        (
            "conference_invite",
            tr!(lang, "deskpage-conference-invite", from = "{from}"),
        ),
        (
            "offer_line",
            tr!(
                lang,
                "deskpage-offer-line",
                queue = "{queue}",
                customer = "{customer}",
                entry = "{entry}",
                kind = "{kind}"
            ),
        ),
        (
            "returning",
            tr!(
                lang,
                "deskpage-returning",
                agent = "{agent}",
                when = "{when}",
                reason = "{reason}"
            ),
        ),
        ("wrapup_tab", tr!(lang, "deskpage-wrapup-tab", tab = "{tab}")),
        (
            "attachments",
            tr!(lang, "deskpage-attachments", text = "{text}", count = "{count}"),
        ),
        (
            "count",
            tr!(
                lang,
                "deskpage-count",
                n = "{n}",
                max = "{max}",
                segments = "{segments}",
                encoding = "{encoding}"
            ),
        ),
        ("segments", tr!(lang, "deskpage-segments", count = "{count}")),
        ("too_long", tr!(lang, "deskpage-too-long", n = "{n}", max = "{max}")),
        ("queue", tr!(lang, "deskpage-queue", queue = "{queue}")),
        ("picture", tr!(lang, "deskpage-picture", n = "{n}")),
        (
            "conversation_title",
            tr!(
                lang,
                "deskpage-conversation-title",
                id = "{id}",
                customer = "{customer}",
                queue = "{queue}",
                entry = "{entry}",
                kind = "{kind}"
            ),
        ),
    ];
    out.extend(filled.into_iter().map(|(k, v)| (k.to_owned(), v.into())));
    serde_json::Value::Object(out).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_gets_its_words_in_the_agents_language() {
        let de: serde_json::Value = serde_json::from_str(&words(&Lang::new("de"))).unwrap();
        assert_eq!(de["send_wrapup"], "Nachbearbeitung senden");
        assert_eq!(de["transfer"], "Übertragen");
        assert_eq!(de["segments"], "{count} Segmente");
        assert_eq!(de["count"], "{n}/{max} · {segments} · {encoding}");
        let en: serde_json::Value = serde_json::from_str(&words(&Lang::default())).unwrap();
        assert_eq!(en["answer_within"], " · answer within ");
        assert_eq!(
            en["too_long"],
            "reply too long: {n} characters, the limit is {max}; nothing was sent"
        );
    }
}
