DROP INDEX comments_pending_edit_idx;
ALTER TABLE comments DROP COLUMN pending_since;
ALTER TABLE comments DROP COLUMN pending_body;
