//! Full-text search helpers. PostgreSQL uses the `kiosque_fr` text-search
//! configuration (French stemming over unaccented words, created by the
//! search migration); SQLite uses FTS5 tables tokenized with
//! `unicode61 remove_diacritics 2`. Each searchable resource keeps its own
//! index in step with writes (a generated column, or triggers).

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
