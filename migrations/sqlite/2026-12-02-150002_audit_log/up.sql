-- Who did what, when, from where: staff and security actions. No foreign
-- keys: an entry outlives the account, key or content it names. Never holds
-- a secret (passwords, tokens, key secrets).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    -- `auth.sign_in`, `user.role_changed`, `article.published`…
    action TEXT NOT NULL,
    -- `user`, `api_key`, `anonymous` or `system` (the command line)
    actor_type TEXT NOT NULL,
    actor_id BIGINT,
    target_type TEXT,
    target_id TEXT,
    ip TEXT,
    -- a JSON object
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_time_idx ON audit_log (occurred_at, id);
CREATE INDEX audit_log_action_idx ON audit_log (action, occurred_at, id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_type, actor_id, occurred_at, id);
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id, occurred_at, id);
