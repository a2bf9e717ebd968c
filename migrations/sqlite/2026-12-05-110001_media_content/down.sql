DROP INDEX jobs_image_media_idx;
DROP INDEX events_image_media_idx;
ALTER TABLE jobs DROP COLUMN image_media_id;
ALTER TABLE events DROP COLUMN image_media_id;
DROP TABLE media_uses;
