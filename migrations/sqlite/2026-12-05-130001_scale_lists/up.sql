-- French stemming on SQLite, as on PostgreSQL: the search indexes hold the
-- Snowball stems of each word (`kiosque_stem`, a function the application
-- registers on every connection), so "économique" finds "économie". The
-- tables are contentless: they keep only the index, not a second copy.
DROP TRIGGER articles_fts_insert;
DROP TRIGGER articles_fts_delete;
DROP TRIGGER articles_fts_update;
DROP TABLE articles_fts;
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, lead, body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO articles_fts (rowid, title, lead, body)
    SELECT id, kiosque_stem(title), kiosque_stem(lead), kiosque_stem(body) FROM articles;
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, lead, body) VALUES (new.id, kiosque_stem(new.title), kiosque_stem(new.lead), kiosque_stem(new.body));
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    DELETE FROM articles_fts WHERE rowid = old.id;
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, lead, body ON articles BEGIN
    DELETE FROM articles_fts WHERE rowid = old.id;
    INSERT INTO articles_fts (rowid, title, lead, body) VALUES (new.id, kiosque_stem(new.title), kiosque_stem(new.lead), kiosque_stem(new.body));
END;
DROP TRIGGER jobs_fts_insert;
DROP TRIGGER jobs_fts_delete;
DROP TRIGGER jobs_fts_update;
DROP TABLE jobs_fts;
CREATE VIRTUAL TABLE jobs_fts USING fts5(
    title, company_name, city, description,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO jobs_fts (rowid, title, company_name, city, description)
    SELECT id, kiosque_stem(title), kiosque_stem(company_name), kiosque_stem(city), kiosque_stem(description) FROM jobs;
CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
    INSERT INTO jobs_fts (rowid, title, company_name, city, description) VALUES (new.id, kiosque_stem(new.title), kiosque_stem(new.company_name), kiosque_stem(new.city), kiosque_stem(new.description));
END;
CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
    DELETE FROM jobs_fts WHERE rowid = old.id;
END;
CREATE TRIGGER jobs_fts_update AFTER UPDATE ON jobs BEGIN
    DELETE FROM jobs_fts WHERE rowid = old.id;
    INSERT INTO jobs_fts (rowid, title, company_name, city, description) VALUES (new.id, kiosque_stem(new.title), kiosque_stem(new.company_name), kiosque_stem(new.city), kiosque_stem(new.description));
END;
DROP TRIGGER events_fts_insert;
DROP TRIGGER events_fts_delete;
DROP TRIGGER events_fts_update;
DROP TABLE events_fts;
CREATE VIRTUAL TABLE events_fts USING fts5(
    title, venue_name, city, organizer, description,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO events_fts (rowid, title, venue_name, city, organizer, description)
    SELECT id, kiosque_stem(title), kiosque_stem(venue_name), kiosque_stem(city), kiosque_stem(organizer), kiosque_stem(description) FROM events;
CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
    INSERT INTO events_fts (rowid, title, venue_name, city, organizer, description) VALUES (new.id, kiosque_stem(new.title), kiosque_stem(new.venue_name), kiosque_stem(new.city), kiosque_stem(new.organizer), kiosque_stem(new.description));
END;
CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
    DELETE FROM events_fts WHERE rowid = old.id;
END;
CREATE TRIGGER events_fts_update AFTER UPDATE ON events BEGIN
    DELETE FROM events_fts WHERE rowid = old.id;
    INSERT INTO events_fts (rowid, title, venue_name, city, organizer, description) VALUES (new.id, kiosque_stem(new.title), kiosque_stem(new.venue_name), kiosque_stem(new.city), kiosque_stem(new.organizer), kiosque_stem(new.description));
END;

-- every list's sorts, after the status every public list filters on, with
-- the id that breaks ties: keyset cursors and deep pages walk these alone
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
