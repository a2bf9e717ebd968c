CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    lead TEXT NOT NULL DEFAULT '',
    -- Markdown as written, and the sanitised HTML rendered from it on write
    body TEXT NOT NULL DEFAULT '',
    body_html TEXT NOT NULL DEFAULT '',
    section_id BIGINT REFERENCES sections (id) ON DELETE RESTRICT,
    cover_url TEXT,
    cover_alt TEXT,
    cover_caption TEXT,
    cover_credit TEXT,
    video_url TEXT,
    -- `scheduled` is not stored: it is `published` with a future published_at
    status TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'published', 'archived', 'rejected')),
    rejection_reason TEXT,
    allow_comments BOOLEAN NOT NULL DEFAULT 1,
    comment_count INTEGER NOT NULL DEFAULT 0,
    -- who created it (the submitter, for readers' submissions)
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    published_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    -- changes only when the content changes
    updated_at TIMESTAMP NOT NULL,
    -- bumped on every saved change: a revision is kept per version
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX articles_public_idx ON articles (status, published_at DESC, id DESC);
CREATE INDEX articles_section_idx ON articles (section_id, status, published_at DESC, id DESC);
CREATE INDEX articles_updated_idx ON articles (updated_at, id);
CREATE INDEX articles_title_idx ON articles (title, id);
CREATE INDEX articles_created_by_idx ON articles (created_by, status);

CREATE TABLE article_authors (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, user_id)
);
CREATE INDEX article_authors_user_idx ON article_authors (user_id, article_id);

CREATE TABLE article_tags (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag_idx ON article_tags (tag_id, article_id);

-- former slugs, so that old links answer with a redirect
CREATE TABLE article_slugs (
    slug TEXT PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX article_slugs_article_idx ON article_slugs (article_id);

-- the previous version of an article, kept on every change of its content
CREATE TABLE article_revisions (
    id INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    -- the article's content fields as JSON
    snapshot TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX article_revisions_version_idx ON article_revisions (article_id, version);

-- French search with accents folded; kept in step by triggers
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
