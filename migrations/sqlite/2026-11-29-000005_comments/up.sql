-- Readers' comments. `articles.comment_count` counts the comments in the
-- `approved` state; every transition in or out of it moves the counter in the
-- same write transaction. A reply keeps its thread (the top-level comment)
-- so a page of threads loads its replies in one query.
CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    -- the comment this one hangs under (NULL: top level)
    parent_id BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    -- the top-level comment of the thread (NULL: top level)
    thread_id BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    -- the comment the reader answered (differs from parent_id past the depth limit)
    in_reply_to_id BIGINT REFERENCES comments (id) ON DELETE SET NULL,
    depth INTEGER NOT NULL DEFAULT 0 CHECK (depth BETWEEN 0 AND 3),
    author_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    guest_name TEXT,
    guest_email TEXT,
    body TEXT NOT NULL,
    body_html TEXT NOT NULL,
    -- 'deleted': a placeholder kept for its replies
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'spam', 'deleted')),
    -- why a comment waits in the queue: pre_moderation, blocked_words, links, flags, edited
    held_reason TEXT,
    ever_approved BOOLEAN NOT NULL DEFAULT 0,
    flag_count INTEGER NOT NULL DEFAULT 0 CHECK (flag_count >= 0),
    ip TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    edited_at TIMESTAMP
);
CREATE INDEX comments_article_idx ON comments (article_id, parent_id, status, created_at, id);
CREATE INDEX comments_thread_idx ON comments (thread_id, created_at, id);
CREATE INDEX comments_parent_idx ON comments (parent_id);
CREATE INDEX comments_reply_to_idx ON comments (in_reply_to_id);
CREATE INDEX comments_queue_idx ON comments (status, created_at, id);
CREATE INDEX comments_author_idx ON comments (author_id, created_at, id);
CREATE INDEX comments_guest_idx ON comments (guest_email, created_at, id);

-- Readers' reports: one per reader (account, or address for guests) per comment.
CREATE TABLE comment_flags (
    id INTEGER PRIMARY KEY,
    comment_id BIGINT NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    -- `user:<id>` or `ip:<address>`
    flagger_key TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX comment_flags_once_idx ON comment_flags (comment_id, flagger_key);
CREATE INDEX comment_flags_user_idx ON comment_flags (user_id);

-- A member's standing as a commenter, kept out of `users`: comments approved
-- (trusted members skip pre-moderation) and bans (no end: permanent).
CREATE TABLE commenter_standing (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    approved_count INTEGER NOT NULL DEFAULT 0 CHECK (approved_count >= 0),
    banned BOOLEAN NOT NULL DEFAULT 0,
    banned_until TIMESTAMP,
    ban_reason TEXT,
    banned_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX commenter_standing_banned_by_idx ON commenter_standing (banned_by);
