DROP INDEX comments_article_updated_idx;
DROP INDEX tags_updated_idx;
DROP INDEX sections_updated_idx;
DROP INDEX polls_updated_idx;
DROP INDEX events_updated_idx;
DROP INDEX jobs_updated_idx;
