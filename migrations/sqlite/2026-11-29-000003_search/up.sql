-- SQLite searches with FTS5 tables, created by each searchable resource's
-- migration (tokenize = 'unicode61 remove_diacritics 2'). Nothing to set up.
SELECT 1;
