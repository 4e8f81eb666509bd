-- Appservice transactions any instance acknowledged to the homeserver,
-- waiting for the leader's Matrix desk, in the order they came (id).
-- txn_id is unique, so a transaction the homeserver sends again, to any
-- instance, is kept once. A handled one keeps its row without its body,
-- so that its id is still known; ids are forgotten after a week.
CREATE TABLE smsdesk_appservice_txn (
    id          bigserial PRIMARY KEY,
    txn_id      text NOT NULL UNIQUE,
    received_at timestamptz NOT NULL DEFAULT now(),
    body        text
);
CREATE INDEX smsdesk_appservice_txn_pending ON smsdesk_appservice_txn (id) WHERE body IS NOT NULL;

-- Agents' attachments, for the carrier to fetch from whichever instance
-- its request reaches (GET /media/{token}). At most a few MB each; swept
-- a day after they expire.
CREATE TABLE smsdesk_media (
    token         text PRIMARY KEY,
    content_type  text NOT NULL,
    name          text NOT NULL,
    body          bytea NOT NULL,
    expires_at_ms bigint NOT NULL
);
