-- The engine's key-value store: every record of every conversation, the
-- event log and the outbox, as the sled store keeps them (keys and values
-- are the same bytes; engine/src/store/layout.rs says which is which).
CREATE TABLE smsdesk_kv (
    key   bytea PRIMARY KEY,
    value bytea NOT NULL
);

-- Who may write: one row per lease name. The leader renews valid_until
-- (the database's clock decides, not the instances'); a takeover raises
-- epoch, and every commit checks it, so a stale leader cannot write.
CREATE TABLE smsdesk_lease (
    name        text PRIMARY KEY,
    holder      text NOT NULL,
    epoch       bigint NOT NULL,
    valid_until timestamptz NOT NULL
);
