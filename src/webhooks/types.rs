//! The event types an endpoint subscribes to: exact names
//! (`article.published`), every type of a resource (`article.*`), or
//! everything (`*`).

/// The resources whose changes can be subscribed to.
pub const RESOURCES: &[&str] = &[
    "article", "comment", "job", "event", "poll", "section", "tag", "media", "user",
];

/// Why a pattern is not one, or `None` when it is.
pub fn invalid(pattern: &str) -> Option<String> {
    if pattern == "*" {
        return None;
    }
    let word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_');
    match pattern.split_once('.') {
        Some((res, what)) if RESOURCES.contains(&res) && (what == "*" || word(what)) => None,
        Some((res, _)) if word(res) && !RESOURCES.contains(&res) => Some(format!(
            "`{pattern}`: `{res}` is not a resource (one of {})",
            RESOURCES.join(", ")
        )),
        _ => Some(format!(
            "`{pattern}` is not an event type (`article.published`, `article.*` or `*`)"
        )),
    }
}

/// Whether `kind` (`article.published`) is among `patterns`.
pub fn matches(patterns: &[String], kind: &str) -> bool {
    patterns.iter().any(|p| {
        p == "*"
            || p == kind
            || p.strip_suffix(".*").is_some_and(|res| {
                kind.strip_prefix(res)
                    .is_some_and(|rest| rest.starts_with('.'))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_types() {
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(matches(&p(&["*"]), "poll.closed"));
        assert!(matches(&p(&["article.*"]), "article.published"));
        assert!(!matches(&p(&["article.*"]), "articles.published"));
        assert!(matches(&p(&["comment.approved"]), "comment.approved"));
        assert!(!matches(&p(&["comment.approved"]), "comment.deleted"));
        assert!(!matches(&[], "article.created"));
    }

    #[test]
    fn patterns_are_checked() {
        assert!(invalid("*").is_none());
        assert!(invalid("article.*").is_none());
        assert!(invalid("job.expired").is_none());
        assert!(
            invalid("artcle.published")
                .unwrap()
                .contains("not a resource")
        );
        assert!(invalid("article").is_some());
        assert!(invalid("article.*.x").is_some());
        assert!(invalid("*.published").is_some());
    }
}
