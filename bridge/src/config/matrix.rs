//! `[matrix]`: the homeserver and the bot's login (optional: without it,
//! smsdesk runs without a Matrix desk). The bot's id is parsed into a
//! typed `OwnedUserId` here, once.

use matrix_sdk::ruma::OwnedUserId;

use super::reader::Reader;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatrixAuth {
    Password(String),
    AccessToken(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatrixConfig {
    pub homeserver: String,
    pub user: OwnedUserId,
    pub auth: MatrixAuth,
}

/// A Matrix user id like `@alice:example.com`, or why not.
pub fn user_id(text: &str) -> Result<OwnedUserId, String> {
    match OwnedUserId::try_from(text) {
        Ok(id) => Ok(id),
        Err(e) => Err(format!(
            "{text:?} is not a Matrix user id like \"@alice:example.com\" ({e})"
        )),
    }
}

pub fn read(r: &mut Reader, root: &toml::Table) -> Option<MatrixConfig> {
    let v = root.get("matrix")?;
    let t = r.table(v, "matrix", &["homeserver", "user", "password", "access_token"])?;
    let homeserver = r.string(t, "matrix", "homeserver", true);
    let user = r.string(t, "matrix", "user", true).and_then(|u| match user_id(&u) {
        Ok(id) => Some(id),
        Err(why) => {
            r.err("matrix.user", why);
            None
        }
    });
    let password = r.string(t, "matrix", "password", false);
    let token = r.string(t, "matrix", "access_token", false);
    let auth = match (password, token) {
        (Some(p), None) => Some(MatrixAuth::Password(p)),
        (None, Some(t)) => Some(MatrixAuth::AccessToken(t)),
        (Some(_), Some(_)) => {
            r.err("matrix", "give password or access_token, not both");
            None
        }
        (None, None) => {
            r.err("matrix", "missing password or access_token");
            None
        }
    };
    Some(MatrixConfig {
        homeserver: homeserver?,
        user: user?,
        auth: auth?,
    })
}
