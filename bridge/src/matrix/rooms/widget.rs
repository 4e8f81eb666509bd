//! The agent desktop as a widget of each desk room: the room's
//! `im.vector.modular.widgets` state (the desk page, `{public_url}/desk`,
//! which the client opens with its own `widgetId` and `parentUrl`) and
//! `io.element.widgets.layout`, which opens it in Element's right panel.
//! Added only when `desk.frame_ancestors` names the clients allowed to
//! show the page: without them the page refuses to be framed and the
//! widget would be an empty panel. Set when a desk room is made, and on
//! desk rooms made before (once per widget address, kept in the bot's
//! store), so a changed `http.public_url` moves it.

use matrix_sdk::room::Room;
use matrix_sdk::ruma::api::client::state::send_state_event;
use matrix_sdk::ruma::events::{AnyInitialStateEvent, AnyStateEventContent};
use matrix_sdk::ruma::serde::Raw;

use crate::i18n::Lang;
use crate::matrix::Bot;

/// The widget's id (its state key), the same in every desk room.
pub const WIDGET_ID: &str = "smsdesk-desk";
const WIDGETS: &str = "im.vector.modular.widgets";
const LAYOUT: &str = "io.element.widgets.layout";

/// The address the client opens (it adds `widgetId` and `parentUrl`;
/// `$matrix_widget_id` is filled by clients that read templates).
pub fn widget_url(public_url: &str) -> String {
    format!("{}/desk?widgetId=$matrix_widget_id", public_url.trim_end_matches('/'))
}

/// (event type, state key, content) of the widget and its layout.
fn events(public_url: &str, bot: &str, lang: &Lang) -> [(&'static str, &'static str, serde_json::Value); 2] {
    [
        (
            WIDGETS,
            WIDGET_ID,
            serde_json::json!({
                "type": "m.custom",
                "id": WIDGET_ID,
                "url": widget_url(public_url),
                "name": lang.t("deskpage-title"),
                "creatorUserId": bot,
                "data": {},
            }),
        ),
        (
            LAYOUT,
            "",
            serde_json::json!({ "widgets": { WIDGET_ID: { "container": "right" } } }),
        ),
    ]
}

impl Bot {
    /// Whether desk rooms get the widget (`desk.frame_ancestors` is set).
    fn desk_widget_on(&self) -> bool {
        !self.app.config.desk.frame_ancestors.is_empty()
    }

    /// The widget's state for a new desk room of an agent reading `lang`.
    pub(in crate::matrix) fn desk_widget_state(&self, lang: &Lang) -> Vec<Raw<AnyInitialStateEvent>> {
        if !self.desk_widget_on() {
            return Vec::new();
        }
        events(&self.app.config.public_url, self.me.as_str(), lang)
            .into_iter()
            .filter_map(|(kind, key, content)| {
                let event = serde_json::json!({ "type": kind, "state_key": key, "content": content });
                serde_json::value::to_raw_value(&event).ok().map(Raw::from_json)
            })
            .collect()
    }

    /// Puts the widget into a desk room made before (or made when the
    /// widget had another address); nothing when it is there already.
    pub(in crate::matrix) async fn ensure_desk_widget(&self, room: &Room, lang: &Lang) {
        if !self.desk_widget_on() {
            return;
        }
        let url = widget_url(&self.app.config.public_url);
        let key = format!("desk-widget/{}", room.room_id());
        if self.store.get::<String>(&key).ok().flatten().as_deref() == Some(url.as_str()) {
            return;
        }
        for (kind, state_key, content) in events(&self.app.config.public_url, self.me.as_str(), lang) {
            let Ok(raw) = serde_json::value::to_raw_value(&content) else {
                return;
            };
            let request = send_state_event::v3::Request::new_raw(
                room.room_id().to_owned(),
                kind.into(),
                state_key.to_owned(),
                Raw::<AnyStateEventContent>::from_json(raw),
            );
            if let Err(error) = self.client.send(request).await {
                tracing::warn!(room = %room.room_id(), %error, "cannot add the desk widget to a desk room yet");
                return;
            }
        }
        self.store.put(&key, &url);
        if let Err(error) = self.store.flush().await {
            tracing::warn!(room = %room.room_id(), %error, "cannot save that the desk widget is set");
        }
        tracing::info!(room = %room.room_id(), "the desk widget was added to a desk room");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_widget_opens_the_desk_in_the_right_panel() {
        let [(kind, key, widget), (layout_kind, layout_key, layout)] =
            events("https://desk.example.com/", "@smsdesk:hs", &Lang::new("de"));
        assert_eq!((kind, key), (WIDGETS, WIDGET_ID));
        assert_eq!(
            widget["url"],
            "https://desk.example.com/desk?widgetId=$matrix_widget_id"
        );
        assert_eq!(widget["type"], "m.custom");
        assert_eq!(widget["name"], "smsdesk-Desk");
        assert_eq!(widget["creatorUserId"], "@smsdesk:hs");
        assert_eq!((layout_kind, layout_key), (LAYOUT, ""));
        assert_eq!(layout["widgets"][WIDGET_ID]["container"], "right");
    }
}
