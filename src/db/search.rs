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

#[derive(diesel::QueryableByName)]
struct RowId {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    rowid: i64,
}

/// SQLite: the ids of every row of `table` matching `q`, best first, from
/// one FTS5 query. Ranking inside the main query would evaluate a correlated
/// FTS subquery per matching row — quadratic in the number of matches.
pub fn sqlite_ranked_ids(
    conn: &mut super::AnyConnection,
    table: &str,
    q: &str,
    weights: &[f64],
) -> diesel::QueryResult<Vec<i64>> {
    use diesel::RunQueryDsl;
    let (super::AnyConnection::Sqlite(c), Some(expr)) = (conn, fts5_query(q)) else {
        return Ok(Vec::new());
    };
    let weights: String = weights.iter().map(|w| format!(", {w:.1}")).collect();
    let rows: Vec<RowId> = diesel::sql_query(format!(
        "SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ? ORDER BY bm25({table}_fts{weights}), rowid DESC"
    ))
    .bind::<Text, _>(expr)
    .load(c)?;
    Ok(rows.into_iter().map(|r| r.rowid).collect())
}

/// The page `offset..offset + fetch` of the `ranked` ids that are also in
/// `allowed` (the rows the other filters keep), and how many there are.
pub fn rank_page(ranked: Vec<i64>, allowed: Vec<i64>, offset: i64, fetch: i64) -> (Vec<i64>, i64) {
    let allowed: std::collections::HashSet<i64> = allowed.into_iter().collect();
    let kept: Vec<i64> = ranked
        .into_iter()
        .filter(|id| allowed.contains(id))
        .collect();
    let total = kept.len() as i64;
    let page = kept
        .into_iter()
        .skip(offset.max(0) as usize)
        .take(fetch.max(0) as usize)
        .collect();
    (page, total)
}

/// Puts `rows` in the order of `ids`.
pub fn in_order<R>(mut rows: Vec<R>, ids: &[i64], id_of: impl Fn(&R) -> i64) -> Vec<R> {
    let position: std::collections::HashMap<i64, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|r| position.get(&id_of(r)).copied().unwrap_or(usize::MAX));
    rows
}

/// Orders matches of `q` best first (PostgreSQL; SQLite ranks with
/// [`sqlite_ranked_ids`]). PostgreSQL's index carries its own
/// weights (title over lead over body).
pub fn rank<T: 'static>(backend: Backend, table: &str, q: &str) -> Option<Rank<T>> {
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
        Backend::Sqlite => None,
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
