DROP TABLE article_cover_media;
DROP TABLE media_variants;
DROP TABLE media;
