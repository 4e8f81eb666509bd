//! `[desk]`: the agent desktop at `/desk`. `frame_ancestors` lists the
//! web clients (origins like `https://element.example.com`) that may show
//! it inside themselves, as a widget; none by default (no framing).
//! `session` is how long a sign-in lasts (default 12h).

use std::time::Duration;

use super::reader::Reader;

/// `[desk]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeskConfig {
    pub frame_ancestors: Vec<String>,
    pub session: Duration,
}

impl Default for DeskConfig {
    fn default() -> Self {
        Self {
            frame_ancestors: Vec::new(),
            session: Duration::from_secs(12 * 3600),
        }
    }
}

/// Whether `origin` is a web origin a browser would name: a scheme,
/// `://`, a host (and port), nothing after.
fn is_origin(origin: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    matches!(scheme, "https" | "http")
        && !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '*'))
}

pub fn read(r: &mut Reader, root: &toml::Table) -> DeskConfig {
    let mut desk = DeskConfig::default();
    let Some(v) = root.get("desk") else {
        return desk;
    };
    let Some(t) = r.table(v, "desk", &["frame_ancestors", "session"]) else {
        return desk;
    };
    for (i, origin) in r.strings(t, "desk", "frame_ancestors").into_iter().enumerate() {
        let origin = origin.trim().trim_end_matches('/').to_owned();
        if is_origin(&origin) {
            desk.frame_ancestors.push(origin);
        } else {
            r.err(
                &format!("desk.frame_ancestors[{i}]"),
                format!(
                    "{origin:?} is not a web origin like \"https://element.example.com\" (scheme and host, no path)"
                ),
            );
        }
    }
    if let Some(Some(session)) = r.duration(t, "desk", "session", false) {
        desk.session = session;
    }
    desk
}

#[cfg(test)]
mod tests {
    use super::is_origin;

    #[test]
    fn only_origins_may_frame_the_desk() {
        for ok in [
            "https://element.example.com",
            "http://127.0.0.1:8080",
            "https://*.example.com",
        ] {
            assert!(is_origin(ok), "{ok}");
        }
        for bad in [
            "element.example.com",
            "https://a.example/path",
            "javascript://x",
            "https://",
            "'none'; script-src *",
        ] {
            assert!(!is_origin(bad), "{bad}");
        }
    }
}
