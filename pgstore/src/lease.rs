//! The leader lease: one row in `smsdesk_lease`, whose expiry the
//! database's clock sets (the instances' clocks never matter). An instance
//! takes the lease when it is free or expired, which raises its epoch; the
//! leader renews it well before it runs out; a leader that stops cleanly
//! resigns (the lease expires at once and `NOTIFY smsdesk_leader` wakes the
//! standbys). Every commit of the leader's store checks the epoch it took
//! over with (`Fence`), so a leader paused past its lease, whose place was
//! taken, cannot write when it wakes up.

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
}

/// The lease whose holder leads: one per database.
pub const LEADER: &str = "leader";

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
        }
    }

    /// Takes the lease if it is free, expired or already ours; the fence
    /// to write with, or `None` while another instance holds it. Taking it
    /// from anyone (ourselves after an expiry included) raises the epoch.
    pub fn try_acquire(&self, client: &mut Client) -> Result<Option<Fence>, postgres::Error> {
        let row = client.query_opt(
            "INSERT INTO smsdesk_lease AS l (name, holder, epoch, valid_until)
                 VALUES ($1, $2, 1, now() + make_interval(secs => $3))
             ON CONFLICT (name) DO UPDATE SET
                 epoch = CASE WHEN l.holder = $2 AND l.valid_until >= now() THEN l.epoch ELSE l.epoch + 1 END,
                 holder = $2,
                 valid_until = now() + make_interval(secs => $3)
             WHERE l.holder = $2 OR l.valid_until < now()
             RETURNING epoch",
            &[&self.name, &self.holder, &interval(self.ttl)],
        )?;
        Ok(row.map(|r| Fence {
            name: self.name.clone(),
            holder: self.holder.clone(),
            epoch: r.get(0),
        }))
    }

    /// Pushes the expiry of the lease `fence` holds; `false` when it is no
    /// longer ours (expired and taken, or taken at a higher epoch).
    pub fn renew(&self, client: &mut Client, fence: &Fence) -> Result<bool, postgres::Error> {
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
        tx.commit()
    }
}
