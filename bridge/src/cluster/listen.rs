//! What instances on a shared PostgreSQL store tell each other, heard
//! through `LISTEN`: a webhook stored in the shared inbox
//! (`smsdesk_inbox`), an appservice transaction stored
//! (`smsdesk_appservice`), the leader resigning (`smsdesk_leader`). Each
//! wakes its waiter at once; every waiter also looks on its own now and
//! then (the inbox and the lease every second, the appservice desk every
//! 5 s), so a notification lost with a broken connection only costs that
//! wait.
//!
//! The listening connection lives on a thread of its own (the `postgres`
//! client blocks). When quiet it is checked every `CHECK` (a connection
//! whose peer vanished says nothing otherwise), and made again after it
//! breaks, upon which every waiter looks once. The thread ends once
//! nobody holds the `Wakes` any more.

use std::sync::{Arc, Weak};
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator as _;
use postgres::Client;
use tokio::sync::Notify;

/// The waiters, one per channel.
#[derive(Debug, Default)]
pub struct Wakes {
    pub inbox: Arc<Notify>,
    pub appservice: Arc<Notify>,
    pub leader: Arc<Notify>,
}

impl Wakes {
    fn channel(&self, name: &str) -> Option<&Notify> {
        match name {
            smsdesk_pgstore::inbox::CHANNEL => Some(&self.inbox),
            smsdesk_pgstore::appservice::CHANNEL => Some(&self.appservice),
            smsdesk_pgstore::lease::CHANNEL => Some(&self.leader),
            _ => None,
        }
    }

    fn all(&self) {
        self.inbox.notify_one();
        self.appservice.notify_one();
        self.leader.notify_one();
    }
}

/// How long the thread waits for a notification before it checks whether
/// it is still wanted.
const TICK: Duration = Duration::from_millis(500);
/// How often a quiet connection is checked.
const CHECK: Duration = Duration::from_secs(10);
const RECONNECT: Duration = Duration::from_secs(1);

/// Starts listening on the database at `url`.
pub fn spawn(url: &str) -> std::io::Result<Arc<Wakes>> {
    let wakes = Arc::new(Wakes::default());
    let weak = Arc::downgrade(&wakes);
    let url = url.to_owned();
    std::thread::Builder::new()
        .name("smsdesk-pg-listen".to_owned())
        .spawn(move || listen(&url, &weak))?;
    Ok(wakes)
}

fn listen(url: &str, wakes: &Weak<Wakes>) {
    while wakes.strong_count() > 0 {
        match smsdesk_pgstore::conn::open(url) {
            Ok(mut client) => {
                if let Err(error) = serve(&mut client, wakes) {
                    tracing::warn!(error = %smsdesk_pgstore::describe(&error), "the database's notifications stopped; listening again");
                }
            }
            Err(error) => {
                tracing::debug!(%error, "cannot listen for the database's notifications yet");
            }
        }
        // What was said meanwhile is lost: every waiter looks once.
        if let Some(w) = wakes.upgrade() {
            w.all();
        }
        std::thread::sleep(RECONNECT);
    }
}

fn serve(client: &mut Client, wakes: &Weak<Wakes>) -> Result<(), postgres::Error> {
    client.batch_execute(&format!(
        "LISTEN {}; LISTEN {}; LISTEN {};",
        smsdesk_pgstore::inbox::CHANNEL,
        smsdesk_pgstore::appservice::CHANNEL,
        smsdesk_pgstore::lease::CHANNEL
    ))?;
    let mut checked = std::time::Instant::now();
    loop {
        {
            let mut notifications = client.notifications();
            let mut heard = notifications.timeout_iter(TICK);
            while let Some(n) = heard.next()? {
                checked = std::time::Instant::now();
                let Some(w) = wakes.upgrade() else { return Ok(()) };
                if let Some(notify) = w.channel(n.channel()) {
                    notify.notify_one();
                }
            }
        }
        if wakes.strong_count() == 0 || client.is_closed() {
            return Ok(());
        }
        if checked.elapsed() >= CHECK {
            client.is_valid(Duration::from_secs(5))?;
            checked = std::time::Instant::now();
        }
    }
}
