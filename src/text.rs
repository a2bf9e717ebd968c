//! Text written by people, turned into HTML that is safe to put in a page:
//! Markdown is rendered once, on write, then sanitized (no scripts, no event
//! handlers, no `javascript:` or `data:` links).

use std::collections::HashSet;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// Full Markdown, for articles, job offers and events written by staff and members.
///
/// An image whose address is `media:<id>` embeds an item of the media
/// library: it leaves here as a marker (`<kiosque-figure media="12" alt="…">`
/// when alone in its paragraph, `<kiosque-img …>` inline), put in after
/// sanitising, so only this function writes one. Markers become `<figure>`s
/// when the content is read ([`replace_embeds`]), from the item as it is
/// then: its alt text, caption, credit and variants never go stale.
pub fn markdown_to_html(markdown: &str) -> String {
    // the sentinels that stand for embeds while the HTML is sanitised may
    // not come from the writer
    let markdown: std::borrow::Cow<str> = if markdown.contains([OPEN, CLOSE]) {
        markdown.replace([OPEN, CLOSE], "").into()
    } else {
        markdown.into()
    };
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut embeds: Vec<(i64, String)> = Vec::new();
    let mut inside: Option<(i64, String, usize)> = None;
    let events = Parser::new_ext(&markdown, options).filter_map(|event| {
        if let Some((_, alt, depth)) = inside.as_mut() {
            match event {
                Event::Start(Tag::Image { .. }) => *depth += 1,
                Event::End(TagEnd::Image) if *depth == 0 => {
                    let (id, alt, _) = inside.take().unwrap_or_default();
                    embeds.push((id, alt));
                    let n = embeds.len() - 1;
                    return Some(Event::Text(format!("{OPEN}{n}{CLOSE}").into()));
                }
                Event::End(TagEnd::Image) => *depth -= 1,
                Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                Event::SoftBreak | Event::HardBreak => alt.push(' '),
                _ => {}
            }
            return None;
        }
        if let Event::Start(Tag::Image { dest_url, .. }) = &event
            && let Some(id) = media_id(dest_url)
        {
            inside = Some((id, String::new(), 0));
            return None;
        }
        Some(event)
    });
    html::push_html(&mut raw, events);
    let clean = ammonia::Builder::default()
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer"))
        .clean(&raw)
        .to_string();
    if embeds.is_empty() {
        return clean;
    }
    let mut out = clean;
    for (n, (id, alt)) in embeds.iter().enumerate() {
        let sentinel = format!("{OPEN}{n}{CLOSE}");
        let alt = escape(alt.trim());
        let block = format!("<p>{sentinel}</p>");
        if out.contains(&block) {
            out = out.replacen(
                &block,
                &format!("<kiosque-figure media=\"{id}\" alt=\"{alt}\"></kiosque-figure>"),
                1,
            );
        } else {
            out = out.replacen(
                &sentinel,
                &format!("<kiosque-img media=\"{id}\" alt=\"{alt}\"></kiosque-img>"),
                1,
            );
        }
    }
    out
}

/// Stand for an embed while the HTML is sanitised (private use characters).
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// `media:12` → 12.
fn media_id(url: &str) -> Option<i64> {
    let id = url.trim().strip_prefix("media:")?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse().ok().filter(|n| *n > 0)
}

/// `&`, `<`, `>` and `"` escaped, for text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// A media item embedded in rendered HTML, as its marker says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embed {
    pub media_id: i64,
    /// The alt text written in the Markdown (escaped), maybe empty.
    pub alt: String,
    /// Alone in its paragraph (a figure), rather than inline.
    pub block: bool,
}

/// The embeds' markers of `html` in order, with their byte ranges.
fn markers(html: &str) -> Vec<(std::ops::Range<usize>, Embed)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = html[from..].find("<kiosque-").map(|i| i + from) {
        let rest = &html[at..];
        let parsed = (|| {
            let (block, tail, end) = if let Some(t) = rest.strip_prefix("<kiosque-figure media=\"")
            {
                (true, t, "\"></kiosque-figure>")
            } else if let Some(t) = rest.strip_prefix("<kiosque-img media=\"") {
                (false, t, "\"></kiosque-img>")
            } else {
                return None;
            };
            let (id, tail) = tail.split_once("\" alt=\"")?;
            let stop = tail.find(end)?;
            let alt = &tail[..stop];
            let len = rest.len() - tail.len() + stop + end.len();
            Some((
                len,
                Embed {
                    media_id: id.parse().ok()?,
                    alt: alt.to_string(),
                    block,
                },
            ))
        })();
        match parsed {
            Some((len, embed)) => {
                out.push((at..at + len, embed));
                from = at + len;
            }
            None => from = at + 1,
        }
    }
    out
}

/// The embeds of `html` (made by [`markdown_to_html`]), in order.
pub fn embeds(html: &str) -> Vec<Embed> {
    if !html.contains("<kiosque-") {
        return Vec::new();
    }
    markers(html).into_iter().map(|(_, e)| e).collect()
}

/// The media items that `html` (made by [`markdown_to_html`]) embeds, in
/// order, each once.
pub fn embedded_media(html: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    for e in embeds(html) {
        if !ids.contains(&e.media_id) {
            ids.push(e.media_id);
        }
    }
    ids
}

/// `html` with each embed's marker replaced by what `render` makes of it
/// (nothing, for an item that is gone).
pub fn replace_embeds(html: &str, mut render: impl FnMut(&Embed) -> String) -> String {
    if !html.contains("<kiosque-") {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + 512);
    let mut last = 0;
    for (range, embed) in markers(html) {
        out.push_str(&html[last..range.start]);
        out.push_str(&render(&embed));
        last = range.end;
    }
    out.push_str(&html[last..]);
    out
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
    fn media_embeds_become_markers_only_here() {
        let html = markdown_to_html(
            "Intro\n\n![Le *port* \"vu\"](media:12)\n\nTexte ![](media:7) suite\n\n\
             ![x](media:abc) <kiosque-figure media=\"9\" alt=\"\"></kiosque-figure> \u{E000}0\u{E001}",
        );
        assert!(
            html.contains(
                "<kiosque-figure media=\"12\" alt=\"Le port &quot;vu&quot;\"></kiosque-figure>"
            ),
            "{html}"
        );
        assert!(!html.contains("<p><kiosque-figure"), "{html}");
        assert!(html.contains("Texte <kiosque-img media=\"7\" alt=\"\"></kiosque-img> suite"));
        assert_eq!(embedded_media(&html), vec![12, 7]);
        let shown = replace_embeds(&html, |e| format!("[{}:{}:{}]", e.media_id, e.block, e.alt));
        assert!(
            shown.contains("[12:true:Le port &quot;vu&quot;]"),
            "{shown}"
        );
        assert!(shown.contains("Texte [7:false:] suite"), "{shown}");
        assert!(!shown.contains("kiosque-"), "{shown}");
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
