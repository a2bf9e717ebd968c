-- Webhooks: endpoints that receive every change of content they subscribe
-- to, signed (Standard Webhooks 1.0), and the log and queue of deliveries.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- a JSON array of patterns: `article.published`, `article.*`, `*`
    event_types TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    -- `whsec_…`: the signing secret, shown once to the admin who made it
    secret TEXT NOT NULL,
    -- after a rotation the former secret signs too, until `previous_until`
    previous_secret TEXT,
    previous_until TIMESTAMP,
    -- why Kiosque switched the endpoint off (`gone`, `failing`), and when
    disabled_reason TEXT,
    disabled_at TIMESTAMP,
    -- failed attempts in a row
    failure_streak INTEGER NOT NULL DEFAULT 0,
    -- the last change of the log fanned out to this endpoint
    last_seq BIGINT NOT NULL DEFAULT 0,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX webhooks_enabled_idx ON webhooks (enabled, last_seq);
CREATE INDEX webhooks_created_idx ON webhooks (created_at, id);

-- One change (or ping) to send to one endpoint, and how its last attempt went.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    -- the change sent (none for a ping)
    seq BIGINT,
    event_type TEXT NOT NULL,
    -- `article:42`: deliveries of one resource go out in order
    resource_key TEXT NOT NULL,
    -- the `webhook-id` header: the same on every attempt
    message_id TEXT NOT NULL,
    -- the JSON body, as signed and sent
    payload TEXT NOT NULL,
    -- pending, failed (a retry is due at `next_attempt_at`), delivered, dead
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP,
    -- a node sending it holds it until then; after, another node may
    claimed_until TIMESTAMP,
    last_attempt_at TIMESTAMP,
    last_status_code INTEGER,
    last_latency_ms BIGINT,
    -- the first bytes of the answer, or why there was none
    last_response TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX webhook_deliveries_message_idx ON webhook_deliveries (webhook_id, message_id);
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (webhook_id, status, id);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at, id)
    WHERE status IN ('pending', 'failed');
CREATE INDEX webhook_deliveries_order_idx ON webhook_deliveries (webhook_id, resource_key, id)
    WHERE status IN ('pending', 'failed');
CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created_at);
