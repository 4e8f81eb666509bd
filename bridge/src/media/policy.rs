//! What an attachment may be: the content types carriers deliver to phones
//! and agents can open safely (JPEG, PNG, GIF, WebP, PDF, vCard), and at
//! most `MAX_BYTES` (carriers cap MMS near 5 MB). Anything else is refused
//! with the reason, never passed on half.

/// The size cap for one attachment, both ways.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

/// How the Matrix desk shows an attachment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `m.image`: shown inline.
    Image,
    /// `m.file`: a download (PDF, vCard).
    File,
}

/// Allowed content types, their kind and a file extension for names.
const ALLOWED: &[(&str, Kind, &str)] = &[
    ("image/jpeg", Kind::Image, "jpg"),
    ("image/png", Kind::Image, "png"),
    ("image/gif", Kind::Image, "gif"),
    ("image/webp", Kind::Image, "webp"),
    ("application/pdf", Kind::File, "pdf"),
    ("text/vcard", Kind::File, "vcf"),
    ("text/x-vcard", Kind::File, "vcf"),
];

/// Why an attachment is refused; the text is the agents' notice.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MediaRefused {
    /// A content type not allowed (its essence; empty if none was given).
    #[error("{} is not allowed: only pictures (JPEG, PNG, GIF, WebP), PDF and vCard", if .0.is_empty() { "no content type" } else { .0 })]
    Type(String),
    /// Over `MAX_BYTES`.
    #[error("{} ({bytes} bytes) is over the limit of {} ({MAX_BYTES} bytes)", human_size(*bytes), human_size(MAX_BYTES as u64))]
    TooLarge { bytes: u64 },
}

/// A content type as allowed: its essence (lower case, no parameters),
/// kind and extension; the refusal says what is allowed.
pub fn check_type(content_type: &str) -> Result<(String, Kind, &'static str), MediaRefused> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    ALLOWED
        .iter()
        .find(|(t, _, _)| *t == essence)
        .map(|(t, kind, ext)| ((*t).to_owned(), *kind, *ext))
        .ok_or(MediaRefused::Type(essence))
}

/// The content type a file name's extension stands for, among those
/// allowed (for clients that send no `mimetype`).
pub fn type_of_name(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    let ext = if ext == "jpeg" { "jpg".to_owned() } else { ext };
    ALLOWED.iter().find(|(_, _, e)| *e == ext).map(|(t, _, _)| *t)
}

impl MediaRefused {
    /// Why, for the agent, in `lang`.
    pub fn text(&self, lang: &crate::i18n::Lang) -> String {
        match self {
            Self::Type(t) if t.is_empty() => crate::tr!(lang, "media-type-not-allowed", kind = lang.t("media-no-type")),
            Self::Type(t) => crate::tr!(lang, "media-type-not-allowed", kind = t.as_str()),
            Self::TooLarge { bytes } => crate::tr!(
                lang,
                "media-too-large",
                size = human_size(*bytes),
                bytes = *bytes,
                limit = human_size(MAX_BYTES as u64),
                cap = MAX_BYTES
            ),
        }
    }
}

/// The size refusal, if `bytes` is over the cap.
pub fn check_size(bytes: u64) -> Result<(), MediaRefused> {
    if bytes > MAX_BYTES as u64 {
        Err(MediaRefused::TooLarge { bytes })
    } else {
        Ok(())
    }
}

/// "1.2 MB", "640 KB", "12 bytes".
pub fn human_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    match bytes {
        b if b >= KB * KB => format!("{:.1} MB", b as f64 / (KB * KB) as f64),
        b if b >= KB => format!("{} KB", b / KB),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_pdf_and_vcards_pass_and_the_rest_is_named() {
        assert_eq!(check_type("image/JPEG; charset=binary").unwrap().0, "image/jpeg");
        assert_eq!(check_type("application/pdf").unwrap().1, Kind::File);
        assert_eq!(check_type("text/x-vcard").unwrap().2, "vcf");
        let why = check_type("video/mp4").unwrap_err().to_string();
        assert!(why.starts_with("video/mp4 is not allowed"), "{why}");
        assert!(check_type("").unwrap_err().to_string().starts_with("no content type"));
        assert_eq!(type_of_name("Receipt.JPEG"), Some("image/jpeg"));
        assert_eq!(type_of_name("card.vcf"), Some("text/vcard"));
        assert_eq!(type_of_name("clip.mp4"), None);
    }

    #[test]
    fn the_cap_is_five_megabytes() {
        assert!(check_size(MAX_BYTES as u64).is_ok());
        assert_eq!(
            check_size(MAX_BYTES as u64 + 1).unwrap_err().to_string(),
            "5.0 MB (5242881 bytes) is over the limit of 5.0 MB (5242880 bytes)"
        );
        assert_eq!(human_size(2048), "2 KB");
    }
}
