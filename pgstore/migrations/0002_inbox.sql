-- Webhooks any instance acknowledged, waiting for the leader's engine:
-- each row is one verified webhook's commands (a JSON array), in the
-- order the rows were committed. The leader commits them and deletes the
-- row; a crash in between commits them again, which the engine answers
-- as duplicates (carrier message ids, delivery statuses never backwards).
CREATE TABLE smsdesk_inbox (
    id          bigserial PRIMARY KEY,
    received_at timestamptz NOT NULL DEFAULT now(),
    commands    text NOT NULL
);
