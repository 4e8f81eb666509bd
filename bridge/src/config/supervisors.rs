//! `[[supervisors]]` and `[supervisor]` (docs/supervisor-guide.md): who watches
//! which queues from a supervisor room and on the wallboard, the
//! wallboard's operator token, and whether agents see customers' numbers
//! masked. That the queues exist is checked in `check`.

use matrix_sdk::ruma::OwnedUserId;
use smsdesk_core::QueueName;

use super::matrix::user_id;
use super::reader::{join, Reader};

/// One `[[supervisors]]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupervisorConfig {
    /// Where it is defined, e.g. `supervisors[0]`.
    pub key: String,
    pub user: OwnedUserId,
    /// The queues they watch; empty means all.
    pub queues: Vec<QueueName>,
    /// `language`: what smsdesk says to them (else `[matrix] language`).
    pub language: Option<crate::i18n::Lang>,
}

impl SupervisorConfig {
    /// Whether they watch `queue`.
    pub fn watches(&self, queue: &QueueName) -> bool {
        self.queues.is_empty() || self.queues.contains(queue)
    }
}

/// `[supervisor]`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SupervisorSettings {
    /// `token`: the operator's key to the wallboard, which sees every
    /// queue (supervisors sign in with Matrix and see theirs); without it
    /// and without Matrix sign-in, `/supervisor` answers 404.
    pub token: Option<String>,
    /// `mask_customer_numbers`: agents see `+1 555-***-4321`.
    pub mask_customer_numbers: bool,
}

impl std::fmt::Debug for SupervisorSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SupervisorSettings")
            .field("token", &self.token.as_ref().map(|_| "<secret>"))
            .field("mask_customer_numbers", &self.mask_customer_numbers)
            .finish()
    }
}

/// A wallboard token shorter than this is accepted with a warning: it is a password.
const SHORT_TOKEN_CHARS: usize = 16;

pub fn read(r: &mut Reader, root: &toml::Table) -> (Vec<SupervisorConfig>, SupervisorSettings) {
    let mut supervisors: Vec<SupervisorConfig> = Vec::new();
    for (path, v) in r.array_of_tables(root, "supervisors") {
        let Some(t) = r.table(v, &path, &["matrix_id", "queues", "language"]) else {
            continue;
        };
        let Some(id) = r.string(t, &path, "matrix_id", true) else {
            continue;
        };
        let user = match user_id(&id) {
            Ok(u) => u,
            Err(why) => {
                r.err(&join(&path, "matrix_id"), why.to_string());
                continue;
            }
        };
        if supervisors.iter().any(|s| s.user == user) {
            r.err(&join(&path, "matrix_id"), format!("supervisor {id} is listed twice"));
            continue;
        }
        let queues = r.strings(t, &path, "queues").into_iter().map(QueueName::new).collect();
        let language = super::language::read(r, t, &path);
        supervisors.push(SupervisorConfig {
            key: path,
            user,
            queues,
            language,
        });
    }
    let mut settings = SupervisorSettings::default();
    if let Some(v) = root.get("supervisor") {
        if let Some(t) = r.table(v, "supervisor", &["token", "mask_customer_numbers"]) {
            if let Some(token) = r.string(t, "supervisor", "token", false) {
                if token.trim().is_empty() {
                    r.err(
                        "supervisor.token",
                        "is empty; it opens the wallboard, so make it long and random, e.g. from `openssl rand -hex 16`",
                    );
                } else {
                    if token.chars().count() < SHORT_TOKEN_CHARS {
                        tracing::warn!(
                            chars = token.chars().count(),
                            "supervisor.token is short; anyone who guesses it sees the wallboard (use e.g. `openssl rand -hex 16`)"
                        );
                    }
                    settings.token = Some(token);
                }
            }
            settings.mask_customer_numbers = r.boolean(t, "supervisor", "mask_customer_numbers").unwrap_or(false);
        }
    }
    (supervisors, settings)
}
