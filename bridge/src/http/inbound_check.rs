//! What smsdesk accepts from a carrier plugin's parse of a webhook, checked
//! before anything is stored. A signature proves who sent a request, not
//! that its fields are sane: a sender must be a phone number, a short code
//! or an alphanumeric sender id; carrier ids are bounded; and text must not
//! hold control characters (PostgreSQL cannot store NUL in text, and
//! homeservers have failed on it). A bad field is refused (400) with its
//! name and why, nothing is replaced silently, and the raw request is kept
//! for the operator (a customer's SMS is never silently gone). Carrier
//! plugins hand senders over normalised (`+` and digits for numbers).

use smsdesk_plugins::carrier::{InboundMessage, StatusUpdate};

/// Longest carrier message / provider id accepted (Twilio's are 34
/// characters, Telnyx's 36; room for other carriers).
pub const MAX_ID_LEN: usize = 128;
/// Longest media URL accepted.
pub const MAX_URL_LEN: usize = 2048;
/// Most media URLs in one message (Twilio allows 10).
pub const MAX_MEDIA: usize = 20;

/// Why a parsed message cannot be stored: the field and the reason.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct Refused {
    pub field: &'static str,
    pub reason: String,
}

fn refuse(field: &'static str, reason: impl Into<String>) -> Refused {
    Refused {
        field,
        reason: reason.into(),
    }
}

/// A sender: E.164 (`+` and 7 to 15 digits), a short code (3 to 8 digits),
/// or an alphanumeric sender id (letters, digits and spaces, at most 11, at
/// least one letter).
pub fn sender(from: &str) -> Result<(), Refused> {
    let shown = preview(from);
    if let Some(digits) = from.strip_prefix('+') {
        if (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(());
        }
        return Err(refuse(
            "from",
            format!("{shown} is not an E.164 number (+ and 7 to 15 digits)"),
        ));
    }
    if from.bytes().all(|b| b.is_ascii_digit()) {
        if (3..=8).contains(&from.len()) {
            return Ok(());
        }
        return Err(refuse(
            "from",
            format!("{shown} is neither a short code (3 to 8 digits) nor an E.164 number"),
        ));
    }
    let alphanumeric = from.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ');
    if alphanumeric && (1..=11).contains(&from.chars().count()) && from.chars().any(|c| c.is_ascii_alphabetic()) {
        return Ok(());
    }
    Err(refuse(
        "from",
        format!("{shown} is not a phone number, a short code or an alphanumeric sender id (letters, digits, spaces; at most 11)"),
    ))
}

/// A carrier's id for a message: printable, without spaces, bounded.
pub fn carrier_id(field: &'static str, id: &str) -> Result<(), Refused> {
    if id.is_empty() {
        return Err(refuse(field, "empty"));
    }
    if id.len() > MAX_ID_LEN {
        return Err(refuse(field, format!("{} bytes long; at most {MAX_ID_LEN}", id.len())));
    }
    if !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(refuse(
            field,
            format!("{} holds characters other than printable ASCII", preview(id)),
        ));
    }
    Ok(())
}

/// Text a person wrote: any Unicode but control characters other than
/// tab, line feed and carriage return.
pub fn text(field: &'static str, text: &str) -> Result<(), Refused> {
    match text
        .char_indices()
        .find(|(_, c)| (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || *c == '\u{7f}')
    {
        None => Ok(()),
        Some((at, c)) => Err(refuse(
            field,
            format!("holds the control character U+{:04X} at byte {at}", u32::from(c)),
        )),
    }
}

/// Everything of an inbound SMS that reaches the store.
pub fn inbound(m: &InboundMessage) -> Result<(), Refused> {
    sender(&m.from)?;
    carrier_id("message id", &m.carrier_message_id)?;
    text("body", &m.body)?;
    if m.media_urls.len() > MAX_MEDIA {
        return Err(refuse(
            "media",
            format!("{} attachments; at most {MAX_MEDIA}", m.media_urls.len()),
        ));
    }
    for url in &m.media_urls {
        if url.len() > MAX_URL_LEN || !url.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(refuse("media", format!("{} is not a URL smsdesk keeps", preview(url))));
        }
    }
    Ok(())
}

/// Everything of a delivery status that reaches the store.
pub fn status(s: &StatusUpdate) -> Result<(), Refused> {
    carrier_id("provider id", &s.provider_id)?;
    if let Some(code) = &s.error_code {
        carrier_id("error code", code)?;
    }
    Ok(())
}

/// A short, printable rendering of untrusted text for an error message.
fn preview(s: &str) -> String {
    let mut out: String = s.chars().take(24).collect();
    if s.chars().count() > 24 {
        out.push('…');
    }
    format!("{out:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senders_are_numbers_short_codes_or_sender_ids() {
        for ok in [
            "+15557770001",
            "+447700900123",
            "+6834001",
            "12345",
            "888",
            "Acme Bank",
            "ACME2FA",
        ] {
            assert_eq!(sender(ok), Ok(()), "{ok}");
        }
        for bad in [
            "<script>alert(1)</script>",
            &"9".repeat(300),
            &format!("+{}", "1".repeat(16)),
            "+1555abc0001",
            "12",
            "123456789",
            "A very long sender name",
            "",
            "+",
            "Acme\0",
        ] {
            let refused = sender(bad).unwrap_err();
            assert_eq!(refused.field, "from", "{bad}");
        }
    }

    #[test]
    fn carrier_ids_are_bounded_and_printable() {
        assert_eq!(carrier_id("message id", "SM0123456789abcdef0123456789abcdef"), Ok(()));
        let long = "S".repeat(10 * 1024);
        assert!(carrier_id("message id", &long)
            .unwrap_err()
            .reason
            .contains("10240 bytes long"));
        assert!(carrier_id("message id", "SM 1").is_err());
        assert!(carrier_id("message id", "").is_err());
    }

    #[test]
    fn text_refuses_control_characters_but_keeps_line_breaks() {
        assert_eq!(text("body", "Hi!\r\nline two\ttabbed — ünïcødé 🙂"), Ok(()));
        let nul = text("body", "abc\0def").unwrap_err();
        assert_eq!(nul.to_string(), "body: holds the control character U+0000 at byte 3");
        assert!(text("body", "bell\u{7}").is_err());
        assert!(text("body", "escape\u{1b}[31m").is_err());
    }
}
