//! The name a plugin goes by in the `smsdesk plugin …` commands' messages
//! and logs: its file name without `.wasm`. Its own module so that `plugin`
//! (which dispatches to `plugin_check` and `intake_run`) and the two it
//! dispatches to all read it from here, and none imports back up.

use std::path::Path;

/// The plugin's name in messages and logs: its file name without `.wasm`.
pub(super) fn name_of(file: &Path) -> String {
    file.file_stem()
        .map_or_else(|| "plugin".to_owned(), |s| s.to_string_lossy().into_owned())
}
