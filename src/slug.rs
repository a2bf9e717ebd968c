//! Slugs: readable, stable addresses made from titles, with accents and
//! ligatures transliterated ("Économie & œuvres" → `economie-oeuvres`).

use diesel::QueryResult;

/// The slug of a title, at most `max` bytes, cut at a word boundary.
pub fn slugify(title: &str, max: usize) -> String {
    let mut slug = slug::slugify(title);
    if slug.len() > max {
        let cut = slug[..max].rfind('-').filter(|&i| i > 0).unwrap_or(max);
        slug.truncate(cut);
    }
    let slug = slug.trim_matches('-').to_string();
    if slug.is_empty() || slug.bytes().all(|b| b.is_ascii_digit()) {
        // a slug is never empty nor all digits (it would read as an id)
        format!("n-{slug}").trim_end_matches('-').to_string()
    } else {
        slug
    }
}

/// A place name folded for comparison: `Saint-Étienne` and `saint etienne`
/// match. Job offers and events store it next to the city to filter on.
pub fn city_key(city: &str) -> String {
    slug::slugify(city.trim())
}

/// The first of `base`, `base-2`, `base-3`… for which `taken` says no.
pub fn unique(base: &str, mut taken: impl FnMut(&str) -> QueryResult<bool>) -> QueryResult<String> {
    if !taken(base)? {
        return Ok(base.to_string());
    }
    for n in 2.. {
        let candidate = format!("{base}-{n}");
        if !taken(&candidate)? {
            return Ok(candidate);
        }
    }
    unreachable!("the loop returns")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_titles() {
        assert_eq!(
            slugify("De l'usine à projets à l'usine à produits", 120),
            "de-l-usine-a-projets-a-l-usine-a-produits"
        );
        assert_eq!(
            slugify("Économie & œuvres d'été", 120),
            "economie-oeuvres-d-ete"
        );
        assert_eq!(slugify("2026", 120), "n-2026");
        assert_eq!(slugify("un titre assez long", 9), "un-titre");
    }

    #[test]
    fn city_keys_ignore_case_accents_and_punctuation() {
        assert_eq!(city_key(" Saint-Étienne "), "saint-etienne");
        assert_eq!(city_key("saint etienne"), "saint-etienne");
        assert_eq!(city_key("Pont-l'Abbé"), "pont-l-abbe");
    }
}
