//! Writing XML by hand, safely: every text and attribute goes through
//! [`escape`], which also drops the characters XML 1.0 cannot carry at all.

use std::fmt::Write;

/// `text` escaped for an element's content or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `<name>text</name>`.
pub fn element(out: &mut String, name: &str, text: &str) {
    let _ = write!(out, "<{name}>{}</{name}>", escape(text));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            escape("Tom & Jérôme <b>\"l'été\"</b> ]]> 🎉\u{1}"),
            "Tom &amp; Jérôme &lt;b&gt;&quot;l&apos;été&quot;&lt;/b&gt; ]]&gt; 🎉"
        );
    }
}
