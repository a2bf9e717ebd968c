//! Text written by people, turned into HTML that is safe to put in a page:
//! Markdown is rendered once, on write, then sanitized (no scripts, no event
//! handlers, no `javascript:` or `data:` links).

use std::collections::HashSet;

use pulldown_cmark::{Options, Parser, html};

/// Full Markdown, for articles, job offers and events written by staff and members.
pub fn markdown_to_html(markdown: &str) -> String {
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer"))
        .clean(&raw)
        .to_string()
}

/// A small Markdown subset for readers' comments: paragraphs, emphasis,
/// quotes, lists, code and links, which get `rel="nofollow ugc noopener"`.
pub fn comment_to_html(text: &str) -> String {
    let mut raw = String::with_capacity(text.len() * 3 / 2);
    html::push_html(
        &mut raw,
        Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH),
    );
    ammonia::Builder::default()
        .tags(HashSet::from([
            "p",
            "br",
            "em",
            "strong",
            "del",
            "a",
            "code",
            "pre",
            "blockquote",
            "ul",
            "ol",
            "li",
        ]))
        .url_schemes(HashSet::from(["http", "https"]))
        .link_rel(Some("nofollow ugc noopener"))
        .clean(&raw)
        .to_string()
}

/// Plain text with whitespace folded, cut at `max` characters on a word boundary.
pub fn excerpt(text: &str, max: usize) -> String {
    let folded: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= max {
        return folded;
    }
    let cut: String = folded.chars().take(max).collect();
    match cut.rfind(' ') {
        Some(i) if i > max / 2 => format!("{}…", &cut[..i]),
        _ => format!("{cut}…"),
    }
}

/// Lower-case ASCII words of `text`: accents folded (`é` → `e`), punctuation
/// dropped, so `Arnaque!`, `arnaque` and `ARNÂQUE` are the same word.
pub fn fold_words(text: &str) -> Vec<String> {
    slug::slugify(text)
        .split('-')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Characters that take no room on screen: zero-width spaces and joiners,
/// the byte-order mark, bidirectional controls, invisible operators, soft
/// hyphens, variation selectors, tag characters and other format characters.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    ) || c.is_control()
}

/// How many characters of `text` can be seen: neither white space nor invisible.
pub fn visible_len(text: &str) -> usize {
    text.chars()
        .filter(|c| !c.is_whitespace() && !is_invisible(*c))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_text_has_no_length() {
        for blank in [
            "\u{200B}\u{200C}\u{200D}",
            "\u{FEFF} \u{2060}",
            "\u{202E}\u{202C}\u{2066}\u{2069}",
            "\u{00A0}\u{3000}\u{00AD}",
            "\u{E0041}\u{FE0F}\u{3164}",
        ] {
            assert_eq!(visible_len(blank), 0, "{blank:?}");
        }
        assert_eq!(visible_len("Sp\u{200B}ort"), 5);
        assert_eq!(visible_len("👨\u{200D}👩"), 2);
        assert_eq!(visible_len("Économie locale"), 14);
    }

    #[test]
    fn hostile_markdown_is_neutralised() {
        let html = markdown_to_html(
            "# Titre\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)> <a href=\"data:text/html,hi\">d</a>",
        );
        assert!(html.contains("<h1>Titre</h1>"));
        for bad in ["<script", "javascript:", "onerror", "data:text"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }

    #[test]
    fn comment_links_are_marked_and_images_dropped() {
        let html = comment_to_html(
            "voir [ici](https://example.org) ![i](https://e.org/i.png) # pas de titre",
        );
        assert!(html.contains("rel=\"nofollow ugc noopener\""));
        assert!(!html.contains("<img"));
        assert!(!html.contains("<h1"));
    }
}
