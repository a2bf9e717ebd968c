-- What an article tells search engines and social networks beyond its own
-- title and lead: a title and a description for results pages, and the
-- address of the page that is the original when the article is republished.
ALTER TABLE articles ADD COLUMN seo_title TEXT;
ALTER TABLE articles ADD COLUMN seo_description TEXT;
ALTER TABLE articles ADD COLUMN canonical_url TEXT;
