//! What a file is, from its first bytes. SVG is recognised only to be
//! refused (it carries scripts).

use serde::Serialize;

/// How many first bytes [`sniff`] looks at.
pub const SNIFF_BYTES: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Image,
    Document,
    Video,
    Audio,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Image => "image",
            Kind::Document => "document",
            Kind::Video => "video",
            Kind::Audio => "audio",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Kind::Image, Kind::Document, Kind::Video, Kind::Audio]
            .into_iter()
            .find(|k| k.as_str() == raw)
    }
}

/// The formats Kiosque accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
    Pdf,
    Mp4,
    Webm,
    Mp3,
    M4a,
    Ogg,
}

impl Format {
    pub const ALL: [Format; 10] = [
        Format::Jpeg,
        Format::Png,
        Format::Webp,
        Format::Gif,
        Format::Pdf,
        Format::Mp4,
        Format::Webm,
        Format::Mp3,
        Format::M4a,
        Format::Ogg,
    ];

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
            Format::Pdf => "application/pdf",
            Format::Mp4 => "video/mp4",
            Format::Webm => "video/webm",
            Format::Mp3 => "audio/mpeg",
            Format::M4a => "audio/mp4",
            Format::Ogg => "audio/ogg",
        }
    }

    pub fn kind(self) -> Kind {
        match self {
            Format::Jpeg | Format::Png | Format::Webp | Format::Gif => Kind::Image,
            Format::Pdf => Kind::Document,
            Format::Mp4 | Format::Webm => Kind::Video,
            Format::Mp3 | Format::M4a | Format::Ogg => Kind::Audio,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Gif => "gif",
            Format::Pdf => "pdf",
            Format::Mp4 => "mp4",
            Format::Webm => "webm",
            Format::Mp3 => "mp3",
            Format::M4a => "m4a",
            Format::Ogg => "ogg",
        }
    }

    pub fn from_content_type(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.content_type() == raw)
    }

    /// Whether a client's declared `Content-Type` names this format (or one
    /// of its usual aliases).
    pub fn answers_to(self, declared: &str) -> bool {
        let declared = declared
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let aliases: &[&str] = match self {
            Format::Jpeg => &["image/jpeg", "image/jpg", "image/pjpeg"],
            Format::Png => &["image/png", "image/x-png"],
            Format::Webp => &["image/webp"],
            Format::Gif => &["image/gif"],
            Format::Pdf => &["application/pdf", "application/x-pdf"],
            Format::Mp4 => &["video/mp4", "application/mp4"],
            Format::Webm => &["video/webm", "audio/webm"],
            Format::Mp3 => &["audio/mpeg", "audio/mp3", "audio/mpeg3"],
            Format::M4a => &["audio/mp4", "audio/x-m4a", "audio/m4a", "audio/aac"],
            Format::Ogg => &["audio/ogg", "application/ogg", "video/ogg", "audio/opus"],
        };
        aliases.contains(&declared.as_str())
    }

    pub fn image_format(self) -> Option<image::ImageFormat> {
        match self {
            Format::Jpeg => Some(image::ImageFormat::Jpeg),
            Format::Png => Some(image::ImageFormat::Png),
            Format::Webp => Some(image::ImageFormat::WebP),
            Format::Gif => Some(image::ImageFormat::Gif),
            _ => None,
        }
    }
}

/// What the first bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Known(Format),
    /// An SVG (or XML that holds one): refused, it can carry scripts.
    Svg,
    /// Nothing Kiosque accepts.
    Unknown,
    /// Too few bytes to tell (an empty file).
    Empty,
}

/// Decides the format from the first bytes of a file ([`SNIFF_BYTES`] are
/// enough; fewer when the file is shorter).
pub fn sniff(head: &[u8]) -> Sniffed {
    use Format::*;
    if head.is_empty() {
        return Sniffed::Empty;
    }
    let starts = |magic: &[u8]| head.starts_with(magic);
    let known = |f| Sniffed::Known(f);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return known(Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return known(Png);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return known(Gif);
    }
    if starts(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        return known(Webp);
    }
    if starts(b"%PDF-") {
        return known(Pdf);
    }
    if head.get(4..8) == Some(b"ftyp") {
        return match head.get(8..12) {
            Some(b"M4A ") | Some(b"M4B ") => known(M4a),
            Some(b"isom") | Some(b"iso2") | Some(b"iso4") | Some(b"iso5") | Some(b"iso6")
            | Some(b"mp41") | Some(b"mp42") | Some(b"avc1") | Some(b"dash") | Some(b"M4V ")
            | Some(b"MSNV") => known(Mp4),
            // HEIC, AVIF, QuickTime and the rest of the family
            _ => Sniffed::Unknown,
        };
    }
    if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
        let window = &head[..head.len().min(64)];
        return if window.windows(4).any(|w| w == b"webm") {
            known(Webm)
        } else {
            Sniffed::Unknown // Matroska and other EBML files
        };
    }
    if starts(b"OggS") {
        return known(Ogg);
    }
    if starts(b"ID3") || (head.len() >= 2 && head[0] == 0xFF && head[1] & 0xE6 == 0xE2) {
        return known(Mp3);
    }
    if looks_like_svg(head) {
        return Sniffed::Svg;
    }
    Sniffed::Unknown
}

fn looks_like_svg(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    (text.starts_with('<')) && text.contains("<svg")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decides_by_the_bytes() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Sniffed::Known(Format::Jpeg));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Sniffed::Known(Format::Webp));
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), Sniffed::Unknown);
        assert_eq!(sniff(b"\0\0\0\x20ftypisom"), Sniffed::Known(Format::Mp4));
        assert_eq!(sniff(b"\0\0\0\x20ftypM4A "), Sniffed::Known(Format::M4a));
        assert_eq!(sniff(b"\0\0\0\x20ftypheic"), Sniffed::Unknown);
        assert_eq!(sniff(b"ID3\x04"), Sniffed::Known(Format::Mp3));
        assert_eq!(
            sniff(b"\xEF\xBB\xBF <?xml version='1.0'?><svg onload='x'>"),
            Sniffed::Svg
        );
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), Sniffed::Unknown);
        assert_eq!(sniff(b""), Sniffed::Empty);
        assert!(Format::Jpeg.answers_to("image/jpg; q=1"));
        assert!(!Format::Jpeg.answers_to("image/png"));
    }
}
