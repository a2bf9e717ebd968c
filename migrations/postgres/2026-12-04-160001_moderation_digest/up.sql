-- The moderation digest (issue 13): editors and admins may turn it off.
ALTER TABLE users ADD COLUMN notify_digest BOOLEAN NOT NULL DEFAULT TRUE;

-- When each periodic digest last went out (one row per kind of digest),
-- moved forward in the transaction that queues its mail: one digest per
-- period, whichever node sends it.
CREATE TABLE digest_marks (
    name TEXT PRIMARY KEY NOT NULL,
    last_at TIMESTAMP NOT NULL
);
