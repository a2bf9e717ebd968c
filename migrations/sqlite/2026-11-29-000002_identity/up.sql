CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    -- stored lower-cased: emails are unique regardless of case
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('member', 'author', 'editor', 'admin')),
    slug TEXT UNIQUE,
    bio TEXT NOT NULL DEFAULT '',
    avatar_url TEXT,
    disabled BOOLEAN NOT NULL DEFAULT 0,
    -- bumped on password change or disabling: older access tokens stop working
    token_epoch INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    last_login_at TIMESTAMP
);
CREATE INDEX users_role_idx ON users (role, id);
CREATE INDEX users_created_idx ON users (created_at, id);

CREATE TABLE refresh_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family);

CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    -- the first characters of the secret, shown in lists so a key can be recognised
    prefix TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    -- space-separated scopes
    scopes TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
