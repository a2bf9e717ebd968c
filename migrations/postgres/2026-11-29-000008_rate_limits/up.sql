-- Rate limits shared by every Kiosque process on this database: one
-- "theoretical arrival time" per bucket and key (GCRA), in microseconds
-- since the Unix epoch.
CREATE TABLE rate_limits (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    tat BIGINT NOT NULL,
    PRIMARY KEY (bucket, key)
);
CREATE INDEX rate_limits_tat_idx ON rate_limits (tat);
