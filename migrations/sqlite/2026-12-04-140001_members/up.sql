-- Members for real (issue 13): a verified address, the member's choice of
-- notifications, single-use links sent by mail, and the queue of mail.

-- when the member proved the address theirs (NULL: not yet)
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMP;
-- notifications the member wants: a reply to their comment, a decision on their submission
ALTER TABLE users ADD COLUMN notify_replies BOOLEAN NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN notify_reviews BOOLEAN NOT NULL DEFAULT 1;

-- Links sent by mail (verify the address, reset the password, sign in,
-- confirm a new address). Only the SHA-256 of the secret is kept; a link
-- works once (used_at) and until expires_at.
CREATE TABLE member_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- verify_email, password_reset, sign_in, email_change
    purpose TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    -- the address to confirm (email_change only)
    new_email TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX member_tokens_user_idx ON member_tokens (user_id, purpose);

-- Mail waiting to be sent, written in the transaction of the action that
-- causes it; drained by the lease holder. A sender claims a message until
-- claimed_until (a crash lets it go again); once sent its bodies are blanked
-- (they may hold a link).
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY,
    recipient TEXT NOT NULL,
    -- verify_email, password_reset, …: for the log and the metrics
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    -- extra headers as a JSON object (List-Unsubscribe…)
    headers TEXT NOT NULL DEFAULT '{}',
    -- queued, sent, failed
    state TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claim TEXT,
    claimed_until TIMESTAMP,
    last_error TEXT,
    sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (state, next_attempt_at);
CREATE INDEX mail_outbox_recipient_idx ON mail_outbox (recipient);
