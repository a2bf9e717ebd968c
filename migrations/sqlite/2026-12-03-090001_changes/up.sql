-- The change log: one row per change of public content, written in the
-- write's own transaction, read in `seq` order by the change feed (and, later,
-- webhooks and caches). No foreign keys: a change outlives what it names.
-- Never holds a secret or a full body: ids, slugs, statuses.
CREATE TABLE changes (
    -- AUTOINCREMENT: a number is never reused, even after the newest rows
    -- are purged, so a cursor never points at a later change.
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    -- `article.published`, `comment.approved`, `user.registered`…
    type TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id BIGINT NOT NULL,
    resource_slug TEXT,
    -- a JSON array of public paths whose answers changed
    paths TEXT NOT NULL DEFAULT '[]',
    -- a small JSON object
    data TEXT NOT NULL DEFAULT '{}',
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX changes_time_idx ON changes (occurred_at);
CREATE INDEX changes_type_idx ON changes (type, seq);
