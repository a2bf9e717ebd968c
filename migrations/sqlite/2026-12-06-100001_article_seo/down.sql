ALTER TABLE articles DROP COLUMN canonical_url;
ALTER TABLE articles DROP COLUMN seo_description;
ALTER TABLE articles DROP COLUMN seo_title;
