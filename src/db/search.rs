//! Full-text search helpers. PostgreSQL uses the `kiosque_fr` text-search
//! configuration (French stemming over unaccented words, created by the
//! search migration); SQLite uses FTS5 tables tokenized with
//! `unicode61 remove_diacritics 2` over text stemmed by the same French
//! Snowball stemmer ([`stem_text`], registered on every SQLite connection as
//! the SQL function `kiosque_stem`), so that both backends find "économie"
//! for "économique". Each searchable resource keeps its own index in step
//! with writes (a generated column, or triggers).
//!
//! Ranking is bounded: only the newest [`CANDIDATES`] matches are ranked
//! (a common word matches most of the site; ranking them all costs more than
//! the answer is worth), then the older matches follow, newest first.

use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::sql_types::{Bool, Text};

use super::MultiBackend;
use crate::config::Backend;

/// How many of the newest matches a search ranks by relevance.
pub const CANDIDATES: i64 = 500;

static FRENCH: std::sync::LazyLock<rust_stemmers::Stemmer> =
    std::sync::LazyLock::new(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::French));

/// The words of `text`, lower-cased, unaccented and reduced to their French
/// stems ("économiques" → "econom"), separated by spaces: what SQLite
/// indexes and searches. Accents go first, as in PostgreSQL's `kiosque_fr`
/// (`unaccent`, then `french_stem`), so that both backends find the same
/// words whether the reader types accents or not.
pub fn stem_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&FRENCH.stem(&unaccent(&word.to_lowercase())));
    }
    out
}

/// `word` without the accents and ligatures of French (and its neighbours).
fn unaccent(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => out.push('a'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'î' | 'ï' | 'í' | 'ì' => out.push('i'),
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => out.push('o'),
            'ù' | 'û' | 'ü' | 'ú' => out.push('u'),
            'ç' => out.push('c'),
            'ÿ' | 'ý' => out.push('y'),
            'ñ' => out.push('n'),
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            other => out.push(other),
        }
    }
    out
}

/// Registers `kiosque_stem(text)` on a SQLite connection: the search
/// triggers feed the FTS5 tables through it (NULL gives an empty text).
pub fn register_stemmer(conn: &mut diesel::SqliteConnection) -> diesel::QueryResult<()> {
    conn.register_sql_function::<(diesel::sql_types::Nullable<Text>,), Text, _, _, _>(
        "kiosque_stem",
        true,
        |(text,): (Option<String>,)| text.as_deref().map(stem_text).unwrap_or_default(),
    )
}

/// A search condition on a table's rows.
pub type Matches<T> = Box<dyn BoxableExpression<T, MultiBackend, SqlType = Bool>>;

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

/// The ids of a search's matches allowed by the list's filters, newest
/// first: `newest(conn, offset, limit)`.
pub type Newest<'a> =
    dyn FnMut(&mut super::AnyConnection, i64, i64) -> diesel::QueryResult<Vec<i64>> + 'a;

/// One page (`offset`, `fetch`) of a search by relevance: the newest
/// [`CANDIDATES`] matches ranked best first, then the older matches newest
/// first. `newest` lists the matches the filters allow (by id, descending);
/// `weights` are SQLite's bm25 column weights (PostgreSQL's index carries
/// its own: title over lead over body).
pub fn ranked_page(
    conn: &mut super::AnyConnection,
    table: &str,
    q: &str,
    weights: &[f64],
    newest: &mut Newest<'_>,
    offset: i64,
    fetch: i64,
) -> diesel::QueryResult<Vec<i64>> {
    let candidates = newest(conn, 0, CANDIDATES)?;
    let ranked = rank_ids(conn, table, q, weights, &candidates)?;
    let mut page: Vec<i64> = ranked
        .into_iter()
        .skip(offset.max(0) as usize)
        .take(fetch.max(0) as usize)
        .collect();
    let missing = fetch - page.len() as i64;
    if missing > 0 && candidates.len() as i64 == CANDIDATES {
        // past the ranked window: the older matches, newest first
        let past = (offset - CANDIDATES).max(0);
        page.extend(newest(conn, CANDIDATES + past, missing)?);
    }
    Ok(page)
}

/// `ids` (rows of `table` matching `q`) ordered best match first, ties newest first.
fn rank_ids(
    conn: &mut super::AnyConnection,
    table: &str,
    q: &str,
    weights: &[f64],
    ids: &[i64],
) -> diesel::QueryResult<Vec<i64>> {
    use diesel::RunQueryDsl;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let rows: Vec<RowId> = match conn {
        super::AnyConnection::Sqlite(c) => {
            let Some(expr) = fts5_query(q) else {
                return Ok(Vec::new());
            };
            let weights: String = weights.iter().map(|w| format!(", {w:.1}")).collect();
            diesel::sql_query(format!(
                "SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ? \
                 AND rowid IN (SELECT value FROM json_each(?)) \
                 ORDER BY bm25({table}_fts{weights}), rowid DESC"
            ))
            .bind::<Text, _>(expr)
            .bind::<Text, _>(list)
            .load(c)?
        }
        super::AnyConnection::Postgres(c) => {
            let Some(words) = pg_query(q) else {
                return Ok(Vec::new());
            };
            diesel::sql_query(format!(
                "SELECT id AS rowid FROM {table} \
                 WHERE id IN (SELECT value::bigint FROM json_array_elements_text($1::json)) \
                 ORDER BY ts_rank({table}.search, websearch_to_tsquery('kiosque_fr', $2)) DESC, id DESC"
            ))
            .bind::<Text, _>(list)
            .bind::<Text, _>(words)
            .load(c)?
        }
    };
    Ok(rows.into_iter().map(|r| r.rowid).collect())
}

/// Puts `rows` in the order of `ids`.
pub fn in_order<R>(mut rows: Vec<R>, ids: &[i64], id_of: impl Fn(&R) -> i64) -> Vec<R> {
    let position: std::collections::HashMap<i64, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|r| position.get(&id_of(r)).copied().unwrap_or(usize::MAX));
    rows
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
/// is stemmed as the index is ([`stem_text`]), quoted (so operators and
/// syntax in the input are literal) and matched as a prefix (a word being
/// typed, `economi`, still finds `économique`). `None` when the query has no
/// word at all.
pub fn fts5_query(q: &str) -> Option<String> {
    let words = words(q);
    (!words.is_empty()).then(|| {
        words
            .iter()
            .map(|w| format!("\"{}\"*", stem_text(w)))
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
            format!(
                "\"{}\"* \"{}\"* \"or\"* \"1\"* \"1\"*",
                stem_text("economie"),
                stem_text("locale")
            )
        );
        assert_eq!(fts5_query("  ;'--  "), None);
        assert_eq!(pg_query("l'usine à projets").unwrap(), "l usine à projets");
        assert_eq!(pg_query("comptable OR 1=1").unwrap(), "comptable 1 1");
    }

    #[test]
    fn french_words_share_their_stem() {
        assert_eq!(stem_text("économique"), stem_text("Économie"));
        assert_eq!(stem_text("égalité"), stem_text("EGALITE"));
        assert_eq!(stem_text("L'œuvre, locale!").split(' ').count(), 3);
        assert_eq!(stem_text("entreprises"), stem_text("entreprise"));
    }
}
