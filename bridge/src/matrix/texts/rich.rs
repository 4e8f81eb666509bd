//! Rich text for the bot's messages (docs/agent-guide.md): a plain body, and
//! where layout helps an HTML body (`org.matrix.custom.html`) that says the
//! same. Every value is escaped with `html-escape`, never by hand; users
//! are `https://matrix.to` links, which Element shows as pills. Pure.

use html_escape::{encode_double_quoted_attribute, encode_text};

/// A message's text: what every client shows, and what rich clients show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub plain: String,
    pub html: Option<String>,
}

impl Text {
    pub fn rich(plain: impl Into<String>, html: impl Into<String>) -> Self {
        Self {
            plain: plain.into(),
            html: Some(html.into()),
        }
    }

    /// A one-line text whose Matrix user ids become pills (plain when it names none).
    pub fn mentioning(plain: impl Into<String>) -> Self {
        let plain = plain.into();
        if !plain.split(' ').any(|w| w.starts_with('@') && w.contains(':')) {
            return plain.into();
        }
        let html = mention_users(&escape(&plain));
        Self::rich(plain, html)
    }

    /// A plain text laid out for reading at a glance: its first line as a
    /// heading paragraph, lines indented by two spaces as list items, other
    /// lines as paragraphs. For `!status`, `!queues`, `!agents`, `!help`...
    pub fn listing(plain: impl Into<String>) -> Self {
        let plain = plain.into();
        let mut html = String::new();
        let mut in_list = false;
        for (i, line) in plain.lines().enumerate() {
            let item = line.starts_with("  ") || (i > 0 && !line.ends_with(':') && !line.starts_with('('));
            if item && !in_list {
                html.push_str("<ul>");
                in_list = true;
            } else if !item && in_list {
                html.push_str("</ul>");
                in_list = false;
            }
            let escaped = encode_text(line.trim());
            if item {
                html.push_str(&format!("<li>{escaped}</li>"));
            } else if i == 0 {
                html.push_str(&format!("<p><b>{escaped}</b></p>"));
            } else {
                html.push_str(&format!("<p>{escaped}</p>"));
            }
        }
        if in_list {
            html.push_str("</ul>");
        }
        Self::rich(plain, html)
    }
}

impl From<String> for Text {
    fn from(plain: String) -> Self {
        Self { plain, html: None }
    }
}

impl From<&String> for Text {
    fn from(plain: &String) -> Self {
        plain.clone().into()
    }
}

impl From<&str> for Text {
    fn from(plain: &str) -> Self {
        plain.to_owned().into()
    }
}

impl From<&Text> for Text {
    fn from(text: &Text) -> Self {
        text.clone()
    }
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    encode_text(text).into_owned()
}

/// A Matrix user or room id as a matrix.to link (a pill in Element).
pub fn mention(id: &str) -> String {
    format!(
        "<a href=\"https://matrix.to/#/{}\">{}</a>",
        encode_double_quoted_attribute(id),
        encode_text(id)
    )
}

/// Mentions every Matrix user id (`@user:server`) in an already escaped text.
pub fn mention_users(escaped: &str) -> String {
    escaped
        .split(' ')
        .map(|word| {
            let core = word.trim_end_matches([',', '.', ';', ':', ')']);
            if core.starts_with('@') && core.contains(':') && core.len() > 3 {
                format!("{}{}", mention(core), &word[core.len()..])
            } else {
                word.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A two-column table of (label, already escaped HTML) rows.
pub fn table(rows: &[(&str, String)]) -> String {
    let body: String = rows
        .iter()
        .map(|(label, value)| format!("<tr><th align=\"left\">{}</th><td>{value}</td></tr>", escape(label)))
        .collect();
    format!("<table>{body}</table>")
}

/// A titled table with a header row: plain text as aligned columns, HTML
/// as a `<table>`; cells are plain text (escaped here).
pub fn grid(title: &str, headers: &[&str], rows: &[Vec<String>]) -> Text {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w.saturating_sub(c.chars().count()))))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut plain = vec![title.to_owned(), line(headers.to_vec())];
    plain.extend(rows.iter().map(|r| line(r.iter().map(String::as_str).collect())));
    let head: String = headers.iter().map(|h| format!("<th>{}</th>", escape(h))).collect();
    let body: String = rows
        .iter()
        .map(|r| {
            let cells: String = r.iter().map(|c| format!("<td>{}</td>", escape(c))).collect();
            format!("<tr>{cells}</tr>")
        })
        .collect();
    Text::rich(
        plain.join("\n"),
        format!(
            "<p><b>{}</b></p><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>",
            escape(title)
        ),
    )
}

/// A numbered list of plain items.
pub fn numbered(items: &[String]) -> String {
    let body: String = items.iter().map(|i| format!("<li>{}</li>", escape(i))).collect();
    format!("<ol>{body}</ol>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_users_are_pills() {
        assert_eq!(escape("<b>&"), "&lt;b&gt;&amp;");
        assert_eq!(
            mention("@bob:example.com"),
            "<a href=\"https://matrix.to/#/@bob:example.com\">@bob:example.com</a>"
        );
        assert_eq!(
            mention_users("transfer from @a:hs, to @b:hs."),
            "transfer from <a href=\"https://matrix.to/#/@a:hs\">@a:hs</a>, to <a href=\"https://matrix.to/#/@b:hs\">@b:hs</a>."
        );
        assert_eq!(
            table(&[("Queue", escape("a<b"))]),
            "<table><tr><th align=\"left\">Queue</th><td>a&lt;b</td></tr></table>"
        );
        assert_eq!(numbered(&["A & B".into()]), "<ol><li>A &amp; B</li></ol>");
    }

    #[test]
    fn a_grid_aligns_plain_columns_and_escapes_cells() {
        let t = grid("Stats", &["queue", "waiting"], &[vec!["a<b".into(), "2".into()]]);
        assert_eq!(t.plain, "Stats\nqueue  waiting\na<b    2");
        assert_eq!(
            t.html.as_deref(),
            Some("<p><b>Stats</b></p><table><thead><tr><th>queue</th><th>waiting</th></tr></thead><tbody><tr><td>a&lt;b</td><td>2</td></tr></tbody></table>")
        );
    }

    #[test]
    fn users_named_in_a_line_become_pills() {
        assert_eq!(Text::mentioning("closed: Resolved").html, None);
        assert_eq!(
            Text::mentioning("@a:hs transferred the conversation to <queue> billing")
                .html
                .as_deref(),
            Some(
                "<a href=\"https://matrix.to/#/@a:hs\">@a:hs</a> transferred the conversation to &lt;queue&gt; billing"
            )
        );
    }

    #[test]
    fn a_listing_has_a_heading_and_items() {
        let t = Text::listing("Queues (use with !transfer <queue>):\nbilling: 2 waiting\nsupport: 0 waiting");
        assert_eq!(
            t.html.as_deref(),
            Some(
                "<p><b>Queues (use with !transfer &lt;queue&gt;):</b></p>\
                 <ul><li>billing: 2 waiting</li><li>support: 0 waiting</li></ul>"
            )
        );
        assert_eq!(
            t.plain,
            "Queues (use with !transfer <queue>):\nbilling: 2 waiting\nsupport: 0 waiting"
        );
    }
}
