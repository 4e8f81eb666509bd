//! The stylesheet every wallboard page inlines (the wallboard itself and
//! the sign-in page) and the `<head>` both start with: one text, so the
//! Content-Security-Policy `page::harden` sets allows it by one SHA-256.
//! Its own module, so both pages read it and neither imports the other
//! for it.

use maud::{html, Markup, PreEscaped};

/// The `<head>` of a wallboard page titled `title`: UTF-8, a viewport for
/// phones and wall screens, and the inlined stylesheet.
pub(super) fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) }
            style { (PreEscaped(STYLE)) }
        }
    }
}

/// The wallboard's CSS, inlined in a `<style>` element.
pub(super) const STYLE: &str = r#"
body { font-family: system-ui, sans-serif; margin: 2rem; background: #10141a; color: #e8ecf1; }
h1 { font-size: 1.4rem; margin: 0 0 1rem; }
table { border-collapse: collapse; margin-bottom: 1.5rem; }
th, td { padding: .45rem .9rem; border-bottom: 1px solid #2a323d; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { color: #9fb0c3; font-weight: 600; }
td.big { font-size: 1.6rem; font-weight: 700; }
#status { color: #9fb0c3; font-size: .9rem; }
#status.down { color: #ff8a80; }
form { display: flex; gap: .5rem; }
input { padding: .4rem; font-size: 1rem; }
.error { color: #ff8a80; }
.who { color: #9fb0c3; display: flex; gap: 1rem; align-items: center; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
.hint { color: #9fb0c3; font-size: .9rem; max-width: 36rem; }
details { margin: .3rem 0; }
a { color: #8ab4f8; }
svg.curve { width: 100%; max-width: 1000px; height: auto; background: #161c24; }
svg .grid { stroke: #2a323d; }
svg .axis { fill: #9fb0c3; font-size: 11px; text-anchor: middle; }
svg .axis.scale { text-anchor: start; }
svg .line { fill: none; stroke-width: 2; }
.offered { stroke: #8ab4f8; fill: #8ab4f8; }
.answered_in_sla { stroke: #81c995; fill: #81c995; }
.abandoned { stroke: #ff8a80; fill: #ff8a80; }
.waiting { stroke: #fdd663; fill: #fdd663; }
.legend { display: flex; gap: 1rem; font-size: .9rem; color: #9fb0c3; }
.legend .key::before { content: ""; display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; background: currentColor; border-radius: 50%; }
.key.offered { color: #8ab4f8; } .key.answered_in_sla { color: #81c995; }
.key.abandoned { color: #ff8a80; } .key.waiting { color: #fdd663; }
ol.transcript { font-family: ui-monospace, monospace; font-size: .9rem; }
"#;
