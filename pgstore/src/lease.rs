//! The leader lease: one row in `smsdesk_lease`, whose expiry the
//! database's clock sets (the instances' clocks never matter). An instance
//! takes the lease when it is free or expired, which raises its epoch; the
//! leader renews it well before it runs out; a leader that stops cleanly
//! resigns (the lease expires at once and `NOTIFY smsdesk_leader` wakes the
//! standbys). Every commit of the leader's store checks the epoch it took
//! over with (`Fence`), so a leader paused past its lease, whose place was
//! taken, cannot write when it wakes up.
//!
//! A leader that dies (SIGKILL, a crash) is known at once, not only when its
//! lease runs out: while it leads, its lease connection holds the
//! session-level advisory lock `(LIVENESS, epoch)` of its epoch, which the
//! server releases the moment that session ends (a dead process's
//! connections close with it). A candidate that finds the lease held but
//! can take that lock itself knows its holder is gone, and takes the lease
//! over at once with the next epoch. A frozen leader (SIGSTOP, a network
//! partition the server has not noticed) still holds its lock: its place is
//! taken when the lease runs out, as before, and the epoch fences it.

use std::time::Duration;

use postgres::Client;

use crate::store::Fence;

/// The channel standbys listen on to hear that the leader resigned.
pub const CHANNEL: &str = "smsdesk_leader";

/// One instance's view of a lease.
#[derive(Clone, Debug)]
pub struct Lease {
    /// The lease's name (`leader`).
    pub name: String,
    /// This instance, unique per start (a restarted instance is a new holder).
    pub holder: String,
    /// How long a taken or renewed lease lasts without renewal.
    pub ttl: Duration,
    /// How long a holder's liveness lock must stay free before its lease
    /// is taken: the time a live leader needs to take its lock again on a
    /// new connection (after the database restarted, every session's locks
    /// are gone). Zero: at once.
    pub grace: Duration,
    /// The epoch whose liveness lock was found free, and since when.
    seen_free: std::sync::Arc<std::sync::Mutex<Option<(i64, std::time::Instant)>>>,
}

/// The lease whose holder leads: one per database.
pub const LEADER: &str = "leader";

/// The advisory locks' first key (the second is the epoch): "sms" in ASCII.
pub const LIVENESS: i32 = 0x0073_6d73;

/// An epoch as the advisory lock's second key (epochs grow by one a
/// takeover; they never reach `i32::MAX` in practice, and wrap if they did).
fn lock_key(epoch: i64) -> i32 {
    (epoch & i64::from(i32::MAX)) as i32
}

/// Who holds a lease, as the database's clock sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub holder: String,
    pub epoch: i64,
    /// Not run out yet.
    pub valid: bool,
}

/// Who holds the lease `name`, if anyone ever took it.
pub fn holder(client: &mut Client, name: &str) -> Result<Option<Holder>, postgres::Error> {
    Ok(client
        .query_opt(
            "SELECT holder, epoch, valid_until >= now() FROM smsdesk_lease WHERE name = $1",
            &[&name],
        )?
        .map(|r| Holder {
            holder: r.get(0),
            epoch: r.get(1),
            valid: r.get(2),
        }))
}

fn interval(ttl: Duration) -> f64 {
    ttl.as_secs_f64()
}

impl Lease {
    pub fn new(name: &str, holder: &str, ttl: Duration) -> Self {
        Self {
            name: name.to_owned(),
            holder: holder.to_owned(),
            ttl,
            grace: Duration::ZERO,
            seen_free: std::sync::Arc::default(),
        }
    }

    /// This lease, taking a live-looking holder's place only after its
    /// liveness lock stayed free for `grace`.
    pub fn with_grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Whether the holder of `epoch`, whose liveness lock is free now, has
    /// been without it for the grace period.
    fn gone_long_enough(&self, epoch: i64) -> bool {
        let mut seen = self.seen_free.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match *seen {
            Some((e, since)) if e == epoch => since.elapsed() >= self.grace,
            _ => {
                *seen = Some((epoch, std::time::Instant::now()));
                self.grace.is_zero()
            }
        }
    }

    fn seen_alive(&self) {
        *self.seen_free.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    /// Takes the lease if it is free, expired, already ours, or held by an
    /// instance whose session is gone (its liveness lock is free); the
    /// fence to write with, or `None` while another live instance holds it.
    /// Taking it from anyone (ourselves after an expiry included) raises
    /// the epoch. On success `client`'s session holds the liveness lock of
    /// the fence's epoch: keep that connection while leading.
    pub fn try_acquire(&self, client: &mut Client) -> Result<Option<Fence>, postgres::Error> {
        let row = client.query_opt(
            "SELECT holder, epoch, valid_until >= now() FROM smsdesk_lease WHERE name = $1",
            &[&self.name],
        )?;
        let (epoch, next) = match row.map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1), r.get::<_, bool>(2))) {
            None => (0, 1),
            Some((holder, epoch, true)) if holder == self.holder => (epoch, epoch),
            Some((_, epoch, false)) => (epoch, epoch + 1),
            Some((_, epoch, true)) => {
                // Held and running: taken over only if its holder's session
                // is gone (for the grace period: not a restarted database).
                if !try_lock(client, epoch)? {
                    self.seen_alive();
                    return Ok(None);
                }
                unlock(client, epoch)?;
                if !self.gone_long_enough(epoch) {
                    return Ok(None);
                }
                (epoch, epoch + 1)
            }
        };
        // Our liveness lock first, so no one finds the new epoch's lock free.
        if !holds_lock(client, next)? && !try_lock(client, next)? {
            return Ok(None);
        }
        let taken = if epoch == 0 {
            client.query_opt(
                "INSERT INTO smsdesk_lease (name, holder, epoch, valid_until)
                     VALUES ($1, $2, 1, now() + make_interval(secs => $3))
                 ON CONFLICT (name) DO NOTHING
                 RETURNING epoch",
                &[&self.name, &self.holder, &interval(self.ttl)],
            )?
        } else {
            client.query_opt(
                "UPDATE smsdesk_lease SET holder = $2, epoch = $4, valid_until = now() + make_interval(secs => $3)
                 WHERE name = $1 AND epoch = $5
                 RETURNING epoch",
                &[&self.name, &self.holder, &interval(self.ttl), &next, &epoch],
            )?
        };
        match taken {
            Some(r) => Ok(Some(Fence {
                name: self.name.clone(),
                holder: self.holder.clone(),
                epoch: r.get(0),
            })),
            None => {
                // Another instance was quicker.
                if next != epoch {
                    unlock(client, next)?;
                }
                Ok(None)
            }
        }
    }

    /// Pushes the expiry of the lease `fence` holds; `false` when it is no
    /// longer ours (expired and taken, or taken at a higher epoch).
    /// The liveness lock is taken again if `client` is a new connection (the
    /// one that held it broke).
    pub fn renew(&self, client: &mut Client, fence: &Fence) -> Result<bool, postgres::Error> {
        if !holds_lock(client, fence.epoch)? {
            try_lock(client, fence.epoch)?;
        }
        let n = client.execute(
            "UPDATE smsdesk_lease SET valid_until = now() + make_interval(secs => $4)
             WHERE name = $1 AND holder = $2 AND epoch = $3 AND valid_until >= now()",
            &[&fence.name, &fence.holder, &fence.epoch, &interval(self.ttl)],
        )?;
        Ok(n == 1)
    }

    /// Gives the lease up at once and wakes the standbys.
    pub fn resign(&self, client: &mut Client, fence: &Fence) -> Result<(), postgres::Error> {
        let mut tx = client.transaction()?;
        tx.execute(
            "UPDATE smsdesk_lease SET valid_until = now() - interval '1 second'
             WHERE name = $1 AND holder = $2 AND epoch = $3",
            &[&fence.name, &fence.holder, &fence.epoch],
        )?;
        tx.batch_execute(&format!("NOTIFY {CHANNEL}"))?;
        tx.commit()?;
        if holds_lock(client, fence.epoch)? {
            unlock(client, fence.epoch)?;
        }
        Ok(())
    }
}

/// Takes the liveness lock of `epoch` for `client`'s session if it is free.
fn try_lock(client: &mut Client, epoch: i64) -> Result<bool, postgres::Error> {
    Ok(client
        .query_one("SELECT pg_try_advisory_lock($1, $2)", &[&LIVENESS, &lock_key(epoch)])?
        .get(0))
}

fn unlock(client: &mut Client, epoch: i64) -> Result<(), postgres::Error> {
    client.query_one("SELECT pg_advisory_unlock($1, $2)", &[&LIVENESS, &lock_key(epoch)])?;
    Ok(())
}

/// Whether `client`'s own session holds the liveness lock of `epoch`
/// (taking it again would stack, not check).
fn holds_lock(client: &mut Client, epoch: i64) -> Result<bool, postgres::Error> {
    Ok(client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
                 AND classid = $1::int4::oid AND objid = $2::int4::oid AND objsubid = 2 AND granted)",
            &[&LIVENESS, &lock_key(epoch)],
        )?
        .get(0))
}
