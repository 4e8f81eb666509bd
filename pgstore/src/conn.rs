//! One connection, made when first needed and made again after it broke,
//! for blocking callers (the appservice inbox, attachments, the lease).
//! The schema's migrations are applied on every new connection (a no-op
//! once applied), so any of them may be the first to reach a new
//! database. A `postgres` client must not be dropped on an async
//! runtime's thread (its drop blocks on a runtime of its own): the last
//! one is closed on a thread of its own.

use std::sync::{Mutex, PoisonError};

use postgres::{Client, NoTls};

use crate::store::describe;

pub struct Conn {
    url: String,
    client: Mutex<Option<Client>>,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn").finish_non_exhaustive()
    }
}

/// Closes `clients` on a thread of their own (safe from any thread).
pub fn close(clients: Vec<Client>) {
    if !clients.is_empty() {
        let _ = std::thread::Builder::new()
            .name("smsdesk-pg-close".to_owned())
            .spawn(move || drop(clients));
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        let client = self.client.get_mut().unwrap_or_else(PoisonError::into_inner).take();
        close(client.into_iter().collect());
    }
}

impl Conn {
    /// No connection is made until the first call.
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            client: Mutex::new(None),
        }
    }

    /// Runs `f` on the connection (blocking: not on an async runtime's
    /// thread). After an error the connection is made afresh next time.
    pub fn with<T>(&self, f: impl FnOnce(&mut Client) -> Result<T, postgres::Error>) -> Result<T, String> {
        let mut slot = self.client.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.as_ref().is_none_or(Client::is_closed) {
            close(slot.take().into_iter().collect());
            let mut client = Client::connect(&self.url, NoTls).map_err(|e| describe(&e))?;
            crate::migrate::run(&mut client).map_err(|e| describe(&e))?;
            *slot = Some(client);
        }
        let client = slot.as_mut().ok_or("no connection")?;
        let result = f(client).map_err(|e| describe(&e));
        if result.is_err() {
            close(slot.take().into_iter().collect());
        }
        result
    }
}
