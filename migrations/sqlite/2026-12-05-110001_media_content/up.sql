-- Media that content uses besides an article's cover: images embedded in
-- bodies (`![alt](media:12)`) and an article's uploaded video. One row per
-- use, for exactly one article, event or job offer; a use goes with its
-- content and with its media item.
CREATE TABLE media_uses (
    id INTEGER PRIMARY KEY,
    media_id BIGINT NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    article_id BIGINT REFERENCES articles (id) ON DELETE CASCADE,
    event_id BIGINT REFERENCES events (id) ON DELETE CASCADE,
    job_id BIGINT REFERENCES jobs (id) ON DELETE CASCADE,
    -- embed, video
    role TEXT NOT NULL,
    CHECK ((article_id IS NOT NULL) + (event_id IS NOT NULL) + (job_id IS NOT NULL) = 1)
);
CREATE INDEX media_uses_media_idx ON media_uses (media_id);
CREATE INDEX media_uses_article_idx ON media_uses (article_id);
CREATE INDEX media_uses_event_idx ON media_uses (event_id);
CREATE INDEX media_uses_job_idx ON media_uses (job_id);

-- An event's poster and a job offer's logo from the library. No foreign key
-- (SQLite could not drop the column again): deleting the item clears them.
ALTER TABLE events ADD COLUMN image_media_id BIGINT;
ALTER TABLE jobs ADD COLUMN image_media_id BIGINT;
CREATE INDEX events_image_media_idx ON events (image_media_id);
CREATE INDEX jobs_image_media_idx ON jobs (image_media_id);
