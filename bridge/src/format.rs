//! How figures read for people, the same in Matrix and on the wallboard,
//! in the reader's language (`duration-*` and `percent` of the catalogs):
//! in English "45s", "3m 20s", "2h 05m" and "67%", in German "3 min 20 s"
//! and "67 %"; "—" for nothing yet. (The wallboard's script mirrors these
//! with the same catalog messages.)

use std::time::Duration;

use crate::i18n::Lang;
use crate::tr;

pub fn duration(lang: &Lang, d: Option<Duration>) -> String {
    let Some(d) = d else { return "—".to_owned() };
    let s = d.as_secs();
    match s {
        0..=59 => tr!(lang, "duration-seconds", s = s),
        60..=3599 => tr!(lang, "duration-minutes", m = s / 60, s = format!("{:02}", s % 60)),
        _ => tr!(
            lang,
            "duration-hours",
            h = s / 3600,
            m = format!("{:02}", (s % 3600) / 60)
        ),
    }
}

pub fn percent(lang: &Lang, p: Option<f64>) -> String {
    p.map_or_else(
        || "—".to_owned(),
        |p| tr!(lang, "percent", p = format!("{:.0}", p * 100.0)),
    )
}

/// "3 available, 1 busy" in `lang`, or "none".
pub fn agent_counts(lang: &Lang, agents: &std::collections::BTreeMap<&'static str, u32>) -> String {
    let parts: Vec<String> = smsdesk_core::figures::AGENT_STATES
        .iter()
        .filter(|s| agents.get(*s).copied().unwrap_or(0) > 0)
        .map(|s| tr!(lang, "agents-count", count = agents[s], state = state_name(lang, s)))
        .collect();
    if parts.is_empty() {
        lang.t("agents-none-in-state")
    } else {
        parts.join(", ")
    }
}

/// An `smsdesk_core::figures::AGENT_STATES` label in `lang`.
pub fn state_name(lang: &Lang, state: &str) -> String {
    lang.t(&format!("state-{state}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_percentages_read_at_a_glance() {
        let en = Lang::default();
        assert_eq!(duration(&en, Some(Duration::from_secs(45))), "45s");
        assert_eq!(duration(&en, Some(Duration::from_secs(200))), "3m 20s");
        assert_eq!(duration(&en, Some(Duration::from_secs(7500))), "2h 05m");
        assert_eq!(duration(&en, None), "—");
        assert_eq!(percent(&en, Some(1.0 / 3.0)), "33%");
        assert_eq!(percent(&en, None), "—");
        let de = Lang::new("de");
        assert_eq!(duration(&de, Some(Duration::from_secs(200))), "3 min 20 s");
        assert_eq!(percent(&de, Some(1.0 / 3.0)), "33 %");
    }
}
