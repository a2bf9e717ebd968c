DROP TABLE article_revisions;
DROP TABLE article_slugs;
DROP TABLE article_tags;
DROP TABLE article_authors;
DROP TABLE articles;
