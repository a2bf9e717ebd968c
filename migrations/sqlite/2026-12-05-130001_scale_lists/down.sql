-- Back to FTS5 indexes over the words as written.
DROP TRIGGER articles_fts_insert;
DROP TRIGGER articles_fts_delete;
DROP TRIGGER articles_fts_update;
DROP TABLE articles_fts;
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, lead, body,
    content = 'articles', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, lead, body) VALUES (new.id, new.title, new.lead, new.body);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, lead, body) VALUES ('delete', old.id, old.title, old.lead, old.body);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, lead, body ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, lead, body) VALUES ('delete', old.id, old.title, old.lead, old.body);
    INSERT INTO articles_fts (rowid, title, lead, body) VALUES (new.id, new.title, new.lead, new.body);
END;
INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
DROP TRIGGER jobs_fts_insert;
DROP TRIGGER jobs_fts_delete;
DROP TRIGGER jobs_fts_update;
DROP TABLE jobs_fts;
CREATE VIRTUAL TABLE jobs_fts USING fts5(
    title, company_name, city, description,
    content = 'jobs', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
    INSERT INTO jobs_fts (rowid, title, company_name, city, description)
    VALUES (new.id, new.title, new.company_name, new.city, new.description);
END;
CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
    INSERT INTO jobs_fts (jobs_fts, rowid, title, company_name, city, description)
    VALUES ('delete', old.id, old.title, old.company_name, old.city, old.description);
END;
CREATE TRIGGER jobs_fts_update AFTER UPDATE ON jobs BEGIN
    INSERT INTO jobs_fts (jobs_fts, rowid, title, company_name, city, description)
    VALUES ('delete', old.id, old.title, old.company_name, old.city, old.description);
    INSERT INTO jobs_fts (rowid, title, company_name, city, description)
    VALUES (new.id, new.title, new.company_name, new.city, new.description);
END;
INSERT INTO jobs_fts (jobs_fts) VALUES ('rebuild');
DROP TRIGGER events_fts_insert;
DROP TRIGGER events_fts_delete;
DROP TRIGGER events_fts_update;
DROP TABLE events_fts;
CREATE VIRTUAL TABLE events_fts USING fts5(
    title, venue_name, city, organizer, description,
    content = 'events', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
    INSERT INTO events_fts (rowid, title, venue_name, city, organizer, description)
    VALUES (new.id, new.title, new.venue_name, new.city, new.organizer, new.description);
END;
CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
    INSERT INTO events_fts (events_fts, rowid, title, venue_name, city, organizer, description)
    VALUES ('delete', old.id, old.title, old.venue_name, old.city, old.organizer, old.description);
END;
CREATE TRIGGER events_fts_update AFTER UPDATE ON events BEGIN
    INSERT INTO events_fts (events_fts, rowid, title, venue_name, city, organizer, description)
    VALUES ('delete', old.id, old.title, old.venue_name, old.city, old.organizer, old.description);
    INSERT INTO events_fts (rowid, title, venue_name, city, organizer, description)
    VALUES (new.id, new.title, new.venue_name, new.city, new.organizer, new.description);
END;
INSERT INTO events_fts (events_fts) VALUES ('rebuild');

DROP INDEX articles_public_updated_idx;
DROP INDEX articles_public_title_idx;
DROP INDEX events_status_starts_idx;
DROP INDEX events_status_ends_idx;
DROP INDEX events_status_created_idx;
DROP INDEX events_status_title_idx;
DROP INDEX jobs_status_published_idx;
DROP INDEX jobs_status_expires_idx;
DROP INDEX jobs_status_created_idx;
DROP INDEX jobs_status_title_idx;
