-- Polls. Results are read from the counters (vote_count per option,
-- voter_count per poll), which are moved in the same write transaction as the
-- vote itself; one row per voter per poll, and the UNIQUE index on
-- (poll_id, voter_key) refuses a second vote even across several processes.
CREATE TABLE polls (
    id INTEGER PRIMARY KEY,
    question TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    multiple BOOLEAN NOT NULL DEFAULT 0,
    -- 1 for a single-choice poll
    max_choices INTEGER NOT NULL DEFAULT 1 CHECK (max_choices >= 1),
    opens_at TIMESTAMP NOT NULL,
    closes_at TIMESTAMP NOT NULL,
    who_may_vote TEXT NOT NULL CHECK (who_may_vote IN ('members', 'anyone')),
    results_visibility TEXT NOT NULL CHECK (results_visibility IN ('always', 'after_vote', 'after_close')),
    article_id BIGINT REFERENCES articles (id) ON DELETE SET NULL,
    voter_count BIGINT NOT NULL DEFAULT 0 CHECK (voter_count >= 0),
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (closes_at > opens_at)
);
CREATE INDEX polls_article_idx ON polls (article_id);
CREATE INDEX polls_created_idx ON polls (created_at, id);
CREATE INDEX polls_opens_idx ON polls (opens_at, id);
CREATE INDEX polls_closes_idx ON polls (closes_at, id);

CREATE TABLE poll_options (
    id INTEGER PRIMARY KEY,
    poll_id BIGINT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    vote_count BIGINT NOT NULL DEFAULT 0 CHECK (vote_count >= 0)
);
CREATE INDEX poll_options_poll_idx ON poll_options (poll_id, position);

CREATE TABLE poll_votes (
    id INTEGER PRIMARY KEY,
    poll_id BIGINT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    -- `user:<id>` for a member, `anon:<random id>` for a voter token
    voter_key TEXT NOT NULL,
    -- the chosen option ids, space-separated, ascending
    choices TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX poll_votes_voter_idx ON poll_votes (poll_id, voter_key);
