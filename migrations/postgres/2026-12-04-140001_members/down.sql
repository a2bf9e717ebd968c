DROP TABLE mail_outbox;
DROP TABLE member_tokens;
ALTER TABLE users DROP COLUMN notify_reviews;
ALTER TABLE users DROP COLUMN notify_replies;
ALTER TABLE users DROP COLUMN email_verified_at;
