DROP TABLE digest_marks;
ALTER TABLE users DROP COLUMN notify_digest;
