DROP INDEX events_published_idx;
DROP TABLE announcements;
