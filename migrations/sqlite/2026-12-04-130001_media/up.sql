-- The media library: one row per uploaded file. The bytes live in the blob
-- store under `sha256`; identical uploads share one blob.
CREATE TABLE media (
    id INTEGER PRIMARY KEY,
    -- image, document, video, audio (decided from the bytes)
    kind TEXT NOT NULL,
    content_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    -- images: after EXIF orientation
    width INTEGER,
    height INTEGER,
    duration_ms BIGINT,
    animated BOOLEAN NOT NULL DEFAULT 0,
    file_name TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    alt TEXT NOT NULL DEFAULT '',
    caption TEXT NOT NULL DEFAULT '',
    credit TEXT NOT NULL DEFAULT '',
    focal_x DOUBLE NOT NULL DEFAULT 0.5,
    focal_y DOUBLE NOT NULL DEFAULT 0.5,
    -- a tiny image as a data: URI, and #rrggbb
    placeholder TEXT,
    dominant_color TEXT,
    -- served to anyone even when no published content uses it
    public BOOLEAN NOT NULL DEFAULT 0,
    uploaded_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX media_kind_idx ON media (kind, created_at);
CREATE INDEX media_uploader_idx ON media (uploaded_by, created_at);
CREATE INDEX media_created_idx ON media (created_at);
CREATE INDEX media_sha_idx ON media (sha256);

-- Variants made from an image, once each: `version` changes with what the
-- variant depends on (the focal point), so its URL does too.
CREATE TABLE media_variants (
    id INTEGER PRIMARY KEY,
    media_id BIGINT NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    preset TEXT NOT NULL,
    format TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX media_variants_key ON media_variants (media_id, version, preset, format);
CREATE INDEX media_variants_sha_idx ON media_variants (sha256);

-- An article's cover may be a media item: kept apart from the article's row
-- (whose URL-only cover fields keep working), one per article.
CREATE TABLE article_cover_media (
    article_id BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    media_id BIGINT NOT NULL REFERENCES media (id) ON DELETE CASCADE
);
CREATE INDEX article_cover_media_media_idx ON article_cover_media (media_id);
