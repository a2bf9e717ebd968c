-- Timed facts already told in the change log: "article 42 went public at
-- T", "job 7 expired at T", "poll 3 closed at T". The scheduler records the
-- change of a fact whose time has come only when its row is absent here, and
-- adds the row in the same transaction, so each fact is told once, whichever
-- node notices it and however often. A write that makes a fact true itself
-- (publishing now, closing a poll now) adds the row with its own change.
CREATE TABLE announcements (
    resource_type TEXT NOT NULL,
    resource_id BIGINT NOT NULL,
    -- `published`, `expired`, `closed`
    what TEXT NOT NULL,
    -- the time the fact is about (a new time is a new fact)
    due_at TIMESTAMP NOT NULL,
    announced_at TIMESTAMP NOT NULL,
    PRIMARY KEY (resource_type, resource_id, what, due_at)
);

-- What was already public, expired or closed before this table existed was
-- told by its writes (or predates the change log): nothing to tell again.
INSERT INTO announcements (resource_type, resource_id, what, due_at, announced_at)
SELECT 'article', id, 'published', published_at, published_at FROM articles
WHERE status = 'published' AND published_at IS NOT NULL
  AND published_at <= strftime('%Y-%m-%d %H:%M:%f', 'now');
INSERT INTO announcements (resource_type, resource_id, what, due_at, announced_at)
SELECT 'event', id, 'published', published_at, published_at FROM events
WHERE status = 'published' AND published_at IS NOT NULL
  AND published_at <= strftime('%Y-%m-%d %H:%M:%f', 'now');
INSERT INTO announcements (resource_type, resource_id, what, due_at, announced_at)
SELECT 'job', id, 'published', published_at, published_at FROM jobs
WHERE status = 'published' AND published_at IS NOT NULL
  AND published_at <= strftime('%Y-%m-%d %H:%M:%f', 'now');
INSERT INTO announcements (resource_type, resource_id, what, due_at, announced_at)
SELECT 'job', id, 'expired', expires_at, expires_at FROM jobs
WHERE status = 'published' AND expires_at IS NOT NULL
  AND expires_at <= strftime('%Y-%m-%d %H:%M:%f', 'now');
INSERT INTO announcements (resource_type, resource_id, what, due_at, announced_at)
SELECT 'poll', id, 'closed', closes_at, closes_at FROM polls
WHERE closes_at <= strftime('%Y-%m-%d %H:%M:%f', 'now');

-- the scheduler's look for due publications of events (articles and jobs
-- already have an index on (status, published_at))
CREATE INDEX events_published_idx ON events (status, published_at);
