//! The French words of problem documents: a title per status and the most
//! frequent details and field messages. The API writes them in English where
//! they arise; [`super::AppError::problem_in`] renders them in French unless
//! the caller prefers English. A detail not found here stays as written.

use actix_web::http::StatusCode;

/// The title of a status, in French.
pub fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Requête incorrecte",
        401 => "Authentification requise",
        403 => "Accès refusé",
        404 => "Ressource introuvable",
        405 => "Méthode non autorisée",
        406 => "Format non disponible",
        409 => "Conflit",
        410 => "Ressource disparue",
        412 => "Précondition non remplie",
        413 => "Requête trop volumineuse",
        415 => "Type de contenu non pris en charge",
        416 => "Plage non satisfaisable",
        422 => "Données invalides",
        429 => "Trop de requêtes",
        500 => "Erreur interne du serveur",
        503 => "Service indisponible",
        504 => "Délai dépassé",
        507 => "Espace de stockage insuffisant",
        s if s >= 500 => "Erreur du serveur",
        _ => "Erreur",
    }
}

/// English text with `{}` for what varies, and its French form.
const TEXTS: &[(&str, &str)] = &[
    // not found, method
    ("no such {}", "{} introuvable"),
    ("no resource at {}", "aucune ressource à l'adresse {}"),
    (
        "{} is not allowed on {}; allowed: {}",
        "{} n'est pas permis sur {} ; permis : {}",
    ),
    ("{} is not allowed on {}", "{} n'est pas permis sur {}"),
    // unauthorized, forbidden
    ("sign in to do this", "connectez-vous pour faire ceci"),
    (
        "this operation needs a token: sign in first",
        "cette opération demande un jeton : connectez-vous d'abord",
    ),
    ("the token has expired", "le jeton a expiré"),
    ("unknown API key", "clé d'API inconnue"),
    ("this API key has expired", "cette clé d'API a expiré"),
    (
        "this API key has been revoked",
        "cette clé d'API a été révoquée",
    ),
    ("the account is disabled", "le compte est désactivé"),
    ("this account is disabled", "ce compte est désactivé"),
    ("your role may not {}", "votre rôle ne le permet pas ({})"),
    (
        "this API key's scopes do not allow it to {}",
        "les droits de cette clé d'API ne le permettent pas ({})",
    ),
    // limits, bodies
    (
        "too many requests; retry in {} s",
        "trop de requêtes ; réessayez dans {} s",
    ),
    (
        "the request body is larger than the limit of {} bytes",
        "le corps de la requête dépasse la limite de {} octets",
    ),
    (
        "the request body is too large",
        "le corps de la requête est trop volumineux",
    ),
    (
        "the request body must be JSON, sent with `Content-Type: application/json`",
        "le corps de la requête doit être du JSON, envoyé avec `Content-Type: application/json`",
    ),
    (
        "the request body is empty; a JSON object was expected",
        "le corps de la requête est vide ; un objet JSON était attendu",
    ),
    (
        "the body must be a JSON object",
        "le corps doit être un objet JSON",
    ),
    (
        "the body is not valid JSON: {}",
        "le corps n'est pas du JSON valide : {}",
    ),
    // query strings, lists
    (
        "unknown query parameter `{}`; accepted: {}",
        "paramètre inconnu `{}` ; acceptés : {}",
    ),
    (
        "unknown query parameter `{}`: this endpoint takes none",
        "paramètre inconnu `{}` : cette adresse n'en prend aucun",
    ),
    ("invalid query parameter: {}", "paramètre invalide : {}"),
    (
        "the query string cannot be read: {}",
        "les paramètres de l'adresse sont illisibles : {}",
    ),
    (
        "limit must be between 1 and {}, got {}",
        "limit doit être entre 1 et {}, reçu {}",
    ),
    (
        "cannot sort by `{}`; sortable fields: {}",
        "tri impossible par `{}` ; champs triables : {}",
    ),
    (
        "the cursor is not valid; use `meta.next_cursor` as given",
        "le curseur n'est pas valide ; utilisez `meta.next_cursor` tel quel",
    ),
    (
        "use either `page` or `cursor`, not both",
        "utilisez `page` ou `cursor`, pas les deux",
    ),
    (
        "unknown field(s) in `{}`: {}; fields: {}",
        "champ(s) inconnu(s) dans `{}` : {} ; champs : {}",
    ),
    (
        "use either `fields` or `exclude`, not both",
        "utilisez `fields` ou `exclude`, pas les deux",
    ),
    ("`id` cannot be excluded", "`id` ne peut pas être exclu"),
    (
        "changes are kept {} days; fetch everything again, then sync from then",
        "les changements sont gardés {} jours ; rechargez tout, puis synchronisez à partir de là",
    ),
    // concurrency, conflicts, the database
    (
        "the resource changed since you read it (If-Match does not match its ETag); read it again",
        "la ressource a changé depuis votre lecture (If-Match ne correspond pas à son ETag) ; relisez-la",
    ),
    (
        "a resource with the same {} already exists",
        "une ressource avec la même valeur de {} existe déjà",
    ),
    (
        "the database is unavailable; try again shortly",
        "la base de données est indisponible ; réessayez dans un instant",
    ),
    (
        "the database is busy with other writes; try again shortly",
        "la base de données est occupée par d'autres écritures ; réessayez dans un instant",
    ),
    (
        "an unexpected error occurred; it has been logged",
        "une erreur inattendue s'est produite ; elle a été consignée",
    ),
    // validation: the details, and the fields' messages
    ("{} fields are invalid", "{} champs sont invalides"),
    ("must not be empty", "ne doit pas être vide"),
    (
        "must be at least {} characters",
        "doit compter au moins {} caractères",
    ),
    (
        "must be at most {} characters",
        "doit compter au plus {} caractères",
    ),
    (
        "must not contain control characters",
        "ne doit pas contenir de caractères de contrôle",
    ),
    (
        "must be an absolute http(s) URL",
        "doit être une URL http(s) absolue",
    ),
    (
        "must be an absolute https URL",
        "doit être une URL https absolue",
    ),
    ("must be true or false", "doit valoir true ou false"),
    ("is too common", "est trop courant"),
    ("is too long", "est trop long"),
    (
        "unknown field `{}`, expected {}; this field does not exist or may not be set here",
        "champ inconnu `{}` (attendus : {}) ; ce champ n'existe pas ou ne peut pas être donné ici",
    ),
    (
        "unknown field `{}`; this field does not exist or may not be set here",
        "champ inconnu `{}` ; ce champ n'existe pas ou ne peut pas être donné ici",
    ),
    ("unknown field `{}`", "champ inconnu `{}`"),
    ("missing field `{}`", "champ manquant `{}`"),
    ("`id` is always sent", "`id` est toujours envoyé"),
];

/// What `no such …` names.
const NOUNS: &[(&str, &str)] = &[
    ("article", "article"),
    ("comment", "commentaire"),
    ("published comment", "commentaire publié"),
    ("user", "utilisateur"),
    ("author", "auteur"),
    ("tag", "mot-clé"),
    ("section", "rubrique"),
    ("poll", "sondage"),
    ("media item", "média"),
    ("town", "commune"),
    ("job offer", "offre d'emploi"),
    ("event", "événement"),
    ("webhook", "webhook"),
    ("resource", "ressource"),
];

/// The parts of `text` that fill the `{}` of `pattern`, if it fits.
fn fit<'t>(pattern: &str, text: &'t str) -> Option<Vec<&'t str>> {
    let pieces: Vec<&str> = pattern.split("{}").collect();
    let mut rest = text.strip_prefix(pieces[0])?;
    let mut holes = Vec::new();
    for (i, piece) in pieces.iter().enumerate().skip(1) {
        let at = if i == pieces.len() - 1 {
            if !rest.ends_with(piece) {
                return None;
            }
            rest.len() - piece.len()
        } else {
            rest.find(piece)?
        };
        holes.push(&rest[..at]);
        rest = &rest[at + piece.len()..];
    }
    Some(holes)
}

/// `text` in French, when it is one of the known texts.
pub fn text(text: &str) -> Option<String> {
    TEXTS.iter().find_map(|(en, fr)| {
        let holes = fit(en, text)?;
        let mut out = String::new();
        let mut holes = holes.into_iter();
        let mut pieces = fr.split("{}").peekable();
        while let Some(piece) = pieces.next() {
            out.push_str(piece);
            if pieces.peek().is_some() {
                let hole = holes.next().unwrap_or_default();
                if en.starts_with("no such") {
                    // only the things named here: `no such variant: …` is a sentence
                    out.push_str(NOUNS.iter().find(|(e, _)| *e == hole)?.1);
                } else {
                    out.push_str(hole);
                }
            }
        }
        Some(capitalised_like(text, out))
    })
}

/// Keeps the case of the first letter as the English text had it.
fn capitalised_like(english: &str, french: String) -> String {
    let upper = english.chars().next().is_some_and(char::is_uppercase);
    let mut chars = french.chars();
    match (upper, chars.next()) {
        (true, Some(first)) => first.to_uppercase().chain(chars).collect(),
        _ => french,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_texts_are_translated_with_what_varies() {
        assert_eq!(text("no such article").unwrap(), "article introuvable");
        assert_eq!(text("no such media item").unwrap(), "média introuvable");
        assert_eq!(
            text("too many requests; retry in 12 s").unwrap(),
            "trop de requêtes ; réessayez dans 12 s"
        );
        assert_eq!(
            text("must be at most 120 characters").unwrap(),
            "doit compter au plus 120 caractères"
        );
        assert_eq!(
            text("3 fields are invalid").unwrap(),
            "3 champs sont invalides"
        );
        assert!(text("something nobody wrote").is_none());
        assert!(text("no such variant: read the media item for its variants' URLs").is_none());
    }
}
