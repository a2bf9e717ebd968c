-- An edit of an approved comment that waits for a moderator (pre-moderation,
-- untrusted author): the approved text stays public until it is approved.
ALTER TABLE comments ADD COLUMN pending_body TEXT;
ALTER TABLE comments ADD COLUMN pending_since TIMESTAMP;
CREATE INDEX comments_pending_edit_idx ON comments (pending_since, id)
    WHERE pending_since IS NOT NULL;
