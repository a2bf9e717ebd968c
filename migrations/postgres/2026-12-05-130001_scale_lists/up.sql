-- PostgreSQL already stems French (`kiosque_fr`); this adds the indexes of
-- every list's sorts, after the status every public list filters on, with
-- the id that breaks ties: keyset cursors and deep pages walk these alone.
CREATE INDEX articles_public_updated_idx ON articles (status, updated_at, id);
CREATE INDEX articles_public_title_idx ON articles (status, title, id);
CREATE INDEX events_status_starts_idx ON events (status, starts_at, id);
CREATE INDEX events_status_ends_idx ON events (status, ends_at, id);
CREATE INDEX events_status_created_idx ON events (status, created_at, id);
CREATE INDEX events_status_title_idx ON events (status, title, id);
CREATE INDEX jobs_status_published_idx ON jobs (status, published_at, id);
CREATE INDEX jobs_status_expires_idx ON jobs (status, expires_at, id);
CREATE INDEX jobs_status_created_idx ON jobs (status, created_at, id);
CREATE INDEX jobs_status_title_idx ON jobs (status, title, id);
