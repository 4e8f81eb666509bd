//! How many SMS segments a text takes, and in which encoding (docs/agent-guide.md).
//!
//! GSM-7 (3GPP TS 23.038 default alphabet): 160 septets in one message, 153
//! per part when concatenated (the user data header takes 7); characters of
//! the extension table (`^{}\[~]|€` and form feed) take two septets and are
//! never split across parts. Anything outside GSM-7 makes the whole text
//! UCS-2: 70 code units alone, 67 per part; a character outside the Basic
//! Multilingual Plane (most emoji) is a surrogate pair, two units that are
//! never split. Pure: a text in, a count out.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

impl Encoding {
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "GSM-7",
            Encoding::Ucs2 => "UCS-2",
        }
    }
}

/// A text's size on the air.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segments {
    pub encoding: Encoding,
    /// Parts the carrier will send (and bill); at least 1.
    pub count: u32,
}

impl Segments {
    /// Whether an agent should be told (more than one part, or UCS-2).
    pub fn worth_showing(&self) -> bool {
        self.count > 1 || self.encoding == Encoding::Ucs2
    }
}

impl std::fmt::Display for Segments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let noun = if self.count == 1 { "segment" } else { "segments" };
        write!(f, "{} {noun} · {}", self.count, self.encoding.label())
    }
}

/// The GSM-7 default alphabet (one septet each).
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table (escape + one septet: two each).
const GSM7_EXTENDED: &str = "\u{c}^{}\\[~]|€";

fn gsm7_septets(c: char) -> Option<u32> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENDED.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Counts parts for a sequence of unbreakable units of the given widths.
fn parts(widths: &[u32], single: u32, per_part: u32) -> u32 {
    let total: u32 = widths.iter().sum();
    if total <= single {
        return 1;
    }
    let mut count = 1;
    let mut used = 0;
    for &w in widths {
        if used + w > per_part {
            count += 1;
            used = 0;
        }
        used += w;
    }
    count
}

/// The segments `text` takes.
pub fn segments(text: &str) -> Segments {
    let gsm: Option<Vec<u32>> = text.chars().map(gsm7_septets).collect();
    match gsm {
        Some(widths) => Segments {
            encoding: Encoding::Gsm7,
            count: parts(&widths, 160, 153),
        },
        None => {
            let widths: Vec<u32> = text.chars().map(|c| c.len_utf16() as u32).collect();
            Segments {
                encoding: Encoding::Ucs2,
                count: parts(&widths, 70, 67),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(text: &str) -> (Encoding, u32) {
        let s = segments(text);
        (s.encoding, s.count)
    }

    #[test]
    fn table() {
        use Encoding::*;
        let cases: &[(String, (Encoding, u32))] = &[
            (String::new(), (Gsm7, 1)),
            ("a".repeat(160), (Gsm7, 1)),
            ("a".repeat(161), (Gsm7, 2)),
            ("a".repeat(306), (Gsm7, 2)),
            ("a".repeat(307), (Gsm7, 3)),
            // Extension characters count two: 80 euro signs fill one message.
            ("€".repeat(80), (Gsm7, 1)),
            ("€".repeat(81), (Gsm7, 2)),
            // 152 + one extension character: it does not fit in the first
            // part's last septet, so it moves whole to the next part.
            (format!("{}€{}", "a".repeat(152), "a".repeat(152)), (Gsm7, 3)),
            (format!("{}{}", "a".repeat(152), "€".repeat(77)), (Gsm7, 3)),
            ("é".repeat(160), (Gsm7, 1)),
            // One character outside GSM-7 makes all of it UCS-2.
            (format!("{}ç", "a".repeat(69)), (Ucs2, 1)),
            (format!("{}ç", "a".repeat(70)), (Ucs2, 2)),
            ("я".repeat(134), (Ucs2, 2)),
            ("я".repeat(135), (Ucs2, 3)),
            // Emoji are surrogate pairs: 35 fill one message; pairs are not split.
            ("😀".repeat(35), (Ucs2, 1)),
            ("😀".repeat(36), (Ucs2, 2)),
            (format!("{}😀{}", "я".repeat(66), "я".repeat(66)), (Ucs2, 3)),
            (format!("{}😀", "я".repeat(65)), (Ucs2, 1)),
        ];
        for (text, expected) in cases {
            assert_eq!(seg(text), *expected, "{} chars: {text:?}", text.chars().count());
        }
    }

    #[test]
    fn shown_to_agents_only_when_it_matters() {
        assert!(!segments("thanks!").worth_showing());
        assert!(segments(&"a".repeat(200)).worth_showing());
        assert!(segments("merci ç").worth_showing());
        assert_eq!(segments(&"😀".repeat(40)).to_string(), "2 segments · UCS-2");
        assert_eq!(segments("ok").to_string(), "1 segment · GSM-7");
    }
}
