-- The outbox: one row per message, from enqueue to its last status webhook.
CREATE TABLE outbox_messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT UNIQUE,
    recipient       TEXT NOT NULL,
    message_type    TEXT NOT NULL,
    body            BLOB NOT NULL,
    -- queued | dispatched | accepted | rejected | unknown
    state           TEXT NOT NULL DEFAULT 'queued',
    -- sent | delivered | read | failed, folded from status webhooks
    delivery        TEXT,
    not_before      INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    claimed_by      TEXT,
    lease_until     INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    dispatched_at   INTEGER,
    wamid           TEXT,
    error_code      INTEGER,
    error_title     TEXT,
    error_detail    TEXT,
    sent_at         INTEGER,
    delivered_at    INTEGER,
    read_at         INTEGER,
    failed_at       INTEGER
);
CREATE INDEX outbox_messages_ready ON outbox_messages (state, not_before, id);
CREATE INDEX outbox_messages_wamid ON outbox_messages (wamid);
