//! Full-text search helpers. PostgreSQL uses the `kiosque_fr` text-search
//! configuration (French stemming over unaccented words, created by the
//! search migration); SQLite uses FTS5 tables tokenized with
//! `unicode61 remove_diacritics 2`. Each searchable resource keeps its own
//! index in step with writes (a generated column, or triggers).

use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::sql_types::{Bool, Double, Text};

use super::MultiBackend;
use crate::config::Backend;

/// A search condition on a table's rows.
pub type Matches<T> = Box<dyn BoxableExpression<T, MultiBackend, SqlType = Bool>>;
/// A relevance to order by (best first: the direction is part of it).
pub type Rank<T> = Box<dyn BoxableExpression<T, MultiBackend, SqlType = Double>>;

/// Rows of `table` whose index matches every word of `q`. Each searchable
/// table has a `search` tsvector column on PostgreSQL and a `<table>_fts`
/// FTS5 table on SQLite. A query without a single word matches nothing.
pub fn matches<T: 'static>(backend: Backend, table: &str, q: &str) -> Matches<T> {
    match backend {
        Backend::Postgres => match pg_query(q) {
            Some(words) => Box::new(
                sql::<Bool>(&format!(
                    "{table}.search @@ websearch_to_tsquery('kiosque_fr', "
                ))
                .bind::<Text, _>(words)
                .sql(")"),
            ),
            None => Box::new(sql::<Bool>("1 = 0")),
        },
        Backend::Sqlite => match fts5_query(q) {
            Some(expr) => Box::new(
                sql::<Bool>(&format!(
                    "{table}.id IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH "
                ))
                .bind::<Text, _>(expr)
                .sql(")"),
            ),
            None => Box::new(sql::<Bool>("1 = 0")),
        },
    }
}

/// Orders matches of `q` best first. `weights` are SQLite's bm25 weights of
/// the indexed columns in order (e.g. `[10.0, 4.0, 1.0]` for title, lead,
/// body); PostgreSQL's index carries its own weights.
pub fn rank<T: 'static>(
    backend: Backend,
    table: &str,
    q: &str,
    weights: &[f64],
) -> Option<Rank<T>> {
    match backend {
        Backend::Postgres => pg_query(q).map(|words| -> Rank<T> {
            Box::new(
                sql::<Double>(&format!(
                    "ts_rank({table}.search, websearch_to_tsquery('kiosque_fr', "
                ))
                .bind::<Text, _>(words)
                .sql("))::float8 DESC"),
            )
        }),
        Backend::Sqlite => fts5_query(q).map(|expr| -> Rank<T> {
            let weights: String = weights.iter().map(|w| format!(", {w:.1}")).collect();
            Box::new(
                sql::<Double>(&format!(
                    "(SELECT bm25({table}_fts{weights}) FROM {table}_fts WHERE {table}_fts MATCH "
                ))
                .bind::<Text, _>(expr)
                .sql(&format!(" AND {table}_fts.rowid = {table}.id) ASC")),
            )
        }),
    }
}

/// The words of a user's query, at most 12, accents kept (the indexes fold them).
pub fn words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(12)
        .map(str::to_lowercase)
        .collect()
}

/// An FTS5 MATCH expression in which user text can only be words: each word
/// is quoted (so operators and syntax in the input are literal) and matched
/// as a prefix, which stands in for stemming (`economi` finds `économique`).
/// `None` when the query has no word at all.
pub fn fts5_query(q: &str) -> Option<String> {
    let words = words(q);
    (!words.is_empty()).then(|| {
        words
            .iter()
            .map(|w| format!("\"{w}\"*"))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// The text given to PostgreSQL's `websearch_to_tsquery('kiosque_fr', …)`:
/// only the words, so no query syntax reaches it either.
pub fn pg_query(q: &str) -> Option<String> {
    // `or` is websearch_to_tsquery's OR operator: dropped, so every word is
    // required, as with FTS5 (in French it is a stop word anyway)
    let words: Vec<String> = words(q).into_iter().filter(|w| w != "or").collect();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_keep_only_words() {
        assert_eq!(
            fts5_query("Économie \"locale\" OR 1=1 --").unwrap(),
            "\"économie\"* \"locale\"* \"or\"* \"1\"* \"1\"*"
        );
        assert_eq!(fts5_query("  ;'--  "), None);
        assert_eq!(pg_query("l'usine à projets").unwrap(), "l usine à projets");
        assert_eq!(pg_query("comptable OR 1=1").unwrap(), "comptable 1 1");
    }
}
