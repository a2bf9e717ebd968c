-- Delta sync: `updated_after=` on the public lists.
CREATE INDEX jobs_updated_idx ON jobs (updated_at, id);
CREATE INDEX events_updated_idx ON events (updated_at, id);
CREATE INDEX polls_updated_idx ON polls (updated_at, id);
CREATE INDEX sections_updated_idx ON sections (updated_at, id);
CREATE INDEX tags_updated_idx ON tags (updated_at, id);
CREATE INDEX comments_article_updated_idx ON comments (article_id, updated_at, id);
