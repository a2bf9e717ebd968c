//! The rules applied to a comment's text: blocked words and links send it to
//! the queue (never refused outright), and the first state of a new comment.

use crate::config::{Config, ModerationMode};

use crate::text::fold_words;

/// Whether `text` contains one of the blocked words or phrases, on whole words.
pub fn has_blocked_words(text: &str, blocked: &[Vec<String>]) -> bool {
    if blocked.is_empty() {
        return false;
    }
    let words = fold_words(text);
    blocked.iter().any(|phrase| {
        !phrase.is_empty()
            && words
                .windows(phrase.len())
                .any(|w| w.iter().zip(phrase).all(|(a, b)| a == b))
    })
}

/// Links in the text (Markdown links and bare addresses alike).
pub fn link_count(text: &str) -> usize {
    let lower = text.to_lowercase();
    lower.matches("http://").count() + lower.matches("https://").count()
}

/// Why the text must wait for a moderator whatever the moderation mode.
pub fn hold_reason(text: &str, config: &Config) -> Option<&'static str> {
    if has_blocked_words(text, &config.comments_blocked_words) {
        Some("blocked_words")
    } else if link_count(text) > config.comments_max_links {
        Some("links")
    } else {
        None
    }
}

/// The first state of a new comment, and why it waits when it does.
pub fn first_status(
    text: &str,
    config: &Config,
    moderator: bool,
    trusted: bool,
) -> (&'static str, Option<&'static str>) {
    if let Some(reason) = hold_reason(text, config) {
        return (super::model::PENDING, Some(reason));
    }
    if moderator || trusted || config.comments_moderation == ModerationMode::Post {
        (super::model::APPROVED, None)
    } else {
        (super::model::PENDING, Some("pre_moderation"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::blocked_words;

    #[test]
    fn blocked_words_ignore_case_accents_and_punctuation() {
        let blocked = blocked_words("arnaque, casino en ligne ,  ");
        assert_eq!(blocked.len(), 2);
        assert!(has_blocked_words("Quelle ARNÂQUE !", &blocked));
        assert!(has_blocked_words("le Casino-en-ligne gagne", &blocked));
        assert!(
            !has_blocked_words("arnaques en série", &blocked),
            "whole words"
        );
        assert!(
            !has_blocked_words("un casino, en ville", &blocked),
            "the whole phrase"
        );
        assert!(!has_blocked_words("rien à signaler", &blocked));
    }

    #[test]
    fn links_are_counted() {
        assert_eq!(link_count("voir [ici](https://a.fr) et http://b.fr"), 2);
        assert_eq!(link_count("pas de lien"), 0);
    }
}
