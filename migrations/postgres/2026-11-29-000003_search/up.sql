-- French full-text search with accents folded: `economie` finds "Économie".
-- unaccent is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION kiosque_fr (COPY = french);
ALTER TEXT SEARCH CONFIGURATION kiosque_fr
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
