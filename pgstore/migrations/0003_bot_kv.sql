-- The Matrix bot's store (which room is whose, offer cards, the feed's
-- cursor), shared so that a new leader's bot goes on where the last one
-- stopped. The same shape as smsdesk_kv; written by the leader only,
-- fenced by the same lease.
CREATE TABLE smsdesk_bot_kv (
    key   bytea PRIMARY KEY,
    value bytea NOT NULL
);
