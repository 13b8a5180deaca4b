-- The outbox on PostgreSQL: the SQLite schema with PostgreSQL types. Times are milliseconds
-- since the Unix epoch (BIGINT), chosen by the outbox's clock, never by the server's.
CREATE TABLE outbox_messages (
    id              BIGSERIAL PRIMARY KEY,
    idempotency_key TEXT UNIQUE,
    recipient       TEXT NOT NULL,
    message_type    TEXT NOT NULL,
    body            BYTEA NOT NULL,
    -- queued | dispatched | accepted | rejected | unknown
    state           TEXT NOT NULL DEFAULT 'queued',
    -- sent | delivered | read | failed, folded from status webhooks
    delivery        TEXT,
    not_before      BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    claimed_by      TEXT,
    lease_until     BIGINT,
    attempts        BIGINT NOT NULL DEFAULT 0,
    dispatched_at   BIGINT,
    wamid           TEXT,
    error_code      BIGINT,
    error_title     TEXT,
    error_detail    TEXT,
    sent_at         BIGINT,
    delivered_at    BIGINT,
    read_at         BIGINT,
    failed_at       BIGINT
);
-- The claim's scan: waiting rows, due first, oldest first.
CREATE INDEX outbox_messages_ready ON outbox_messages (state, not_before, id);
CREATE INDEX outbox_messages_wamid ON outbox_messages (wamid);
-- Renewals and recovery find a worker's leases without a full scan.
CREATE INDEX outbox_messages_claimed ON outbox_messages (claimed_by) WHERE claimed_by IS NOT NULL;
