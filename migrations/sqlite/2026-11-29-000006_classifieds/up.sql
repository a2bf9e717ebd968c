-- Job offers and events: readers' and local employers' classifieds, with the
-- same review workflow as articles (draft, pending, published, archived, rejected).

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    company_name TEXT NOT NULL,
    company_website TEXT,
    company_logo_url TEXT,
    city TEXT NOT NULL,
    -- the city folded (lower case, no accents) for the `city` filter
    city_key TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    remote BOOLEAN NOT NULL DEFAULT 0,
    contract_type TEXT NOT NULL CHECK (contract_type IN ('cdi', 'cdd', 'interim', 'stage', 'alternance', 'freelance')),
    working_time TEXT NOT NULL CHECK (working_time IN ('full_time', 'part_time')),
    salary_min_cents BIGINT,
    salary_max_cents BIGINT,
    salary_currency TEXT,
    salary_period TEXT,
    description TEXT NOT NULL,
    description_html TEXT NOT NULL,
    apply_url TEXT,
    apply_email TEXT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'published', 'archived', 'rejected')),
    rejection_reason TEXT,
    submitted_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    published_at TIMESTAMP,
    expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (apply_url IS NOT NULL OR apply_email IS NOT NULL)
);
CREATE INDEX jobs_public_idx ON jobs (status, published_at, expires_at);
CREATE INDEX jobs_city_idx ON jobs (city_key);
CREATE INDEX jobs_contract_idx ON jobs (contract_type);
CREATE INDEX jobs_remote_idx ON jobs (remote);
CREATE INDEX jobs_submitter_idx ON jobs (submitted_by);

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

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    description_html TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    all_day BOOLEAN NOT NULL DEFAULT 0,
    time_zone TEXT NOT NULL,
    venue_name TEXT NOT NULL,
    venue_address TEXT NOT NULL,
    city TEXT NOT NULL,
    city_key TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    is_free BOOLEAN NOT NULL,
    price_cents BIGINT,
    price_currency TEXT,
    price_text TEXT,
    organizer TEXT NOT NULL,
    link TEXT,
    image_url TEXT,
    image_alt TEXT,
    image_credit TEXT,
    category TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'published', 'archived', 'rejected')),
    rejection_reason TEXT,
    submitted_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    published_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX events_public_idx ON events (status, ends_at, starts_at);
CREATE INDEX events_starts_idx ON events (starts_at);
CREATE INDEX events_city_idx ON events (city_key);
CREATE INDEX events_category_idx ON events (category);
CREATE INDEX events_free_idx ON events (is_free);
CREATE INDEX events_submitter_idx ON events (submitted_by);

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
