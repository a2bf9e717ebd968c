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

#[cfg(test)]
mod tests {
    use super::*;

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
