//! `video_url`: the addresses of the video hosts an article may embed
//! (YouTube, Vimeo, Dailymotion) and the player each gives for one video.
//! Anything else is refused: a front end puts the embed in an `<iframe>`,
//! so only known players go there.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Youtube,
    Vimeo,
    Dailymotion,
}

/// A video of a known host, ready for an `<iframe>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct VideoEmbed {
    pub provider: Provider,
    /// The video's id at its host.
    #[schema(example = "dQw4w9WgXcQ")]
    pub id: String,
    /// The host's player for this video (YouTube's without cookies).
    #[schema(example = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")]
    pub embed_url: String,
}

/// The video `url` names, when it is one of a known host: YouTube (`watch?v=`,
/// `youtu.be/`, `shorts/`, `embed/`, `live/`), Vimeo (`vimeo.com/ID`,
/// `player.vimeo.com/video/ID`, with an unlisted video's hash) and
/// Dailymotion (`dailymotion.com/video/ID`, `dai.ly/ID`, `embed/video/ID`).
pub fn parse(url: &str) -> Option<VideoEmbed> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let (host, tail) = match rest.find(['/', '?', '#']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if host.contains('@') || host.contains(':') {
        return None;
    }
    let host = host.to_ascii_lowercase();
    let host = host
        .strip_prefix("www.")
        .or_else(|| host.strip_prefix("m."))
        .unwrap_or(&host);
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, q.split('#').next().unwrap_or("")),
        None => (tail.split('#').next().unwrap_or(""), ""),
    };
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    };
    match host {
        "youtube.com" | "music.youtube.com" | "youtube-nocookie.com" => {
            let id = match segments.as_slice() {
                ["watch"] => param("v")?,
                ["shorts" | "embed" | "live" | "v", id, ..] => id,
                _ => return None,
            };
            youtube(id)
        }
        "youtu.be" => youtube(segments.first()?),
        "vimeo.com" | "player.vimeo.com" => {
            let (id, hash) = match segments.as_slice() {
                ["video", id, ..] => (*id, param("h")),
                [id] => (*id, None),
                [id, hash] if id.bytes().all(|b| b.is_ascii_digit()) => (*id, Some(*hash)),
                ["channels", _, id] | ["groups", _, "videos", id] => (*id, None),
                _ => return None,
            };
            vimeo(id, hash)
        }
        "dailymotion.com" => match segments.as_slice() {
            ["video", id] | ["embed", "video", id] => dailymotion(id),
            _ => None,
        },
        "dai.ly" => match segments.as_slice() {
            [id] => dailymotion(id),
            _ => None,
        },
        _ => None,
    }
}

fn youtube(id: &str) -> Option<VideoEmbed> {
    let ok = id.len() == 11
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then(|| VideoEmbed {
        provider: Provider::Youtube,
        embed_url: format!("https://www.youtube-nocookie.com/embed/{id}"),
        id: id.to_string(),
    })
}

fn vimeo(id: &str, hash: Option<&str>) -> Option<VideoEmbed> {
    if id.is_empty() || id.len() > 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hash = hash
        .filter(|h| !h.is_empty() && h.len() <= 20 && h.bytes().all(|b| b.is_ascii_alphanumeric()));
    Some(VideoEmbed {
        provider: Provider::Vimeo,
        embed_url: match hash {
            Some(h) => format!("https://player.vimeo.com/video/{id}?h={h}"),
            None => format!("https://player.vimeo.com/video/{id}"),
        },
        id: id.to_string(),
    })
}

fn dailymotion(id: &str) -> Option<VideoEmbed> {
    // older addresses carry the title after the id: `x7tgad0_le-titre`
    let id = id.split('_').next().unwrap_or("");
    let ok = (5..=12).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric());
    ok.then(|| VideoEmbed {
        provider: Provider::Dailymotion,
        embed_url: format!("https://www.dailymotion.com/embed/video/{id}"),
        id: id.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embed(url: &str) -> Option<String> {
        parse(url).map(|v| v.embed_url)
    }

    #[test]
    fn known_hosts_give_their_player() {
        let yt = Some("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ".to_string());
        for url in [
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=42",
            "https://m.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://youtu.be/dQw4w9WgXcQ?si=abc",
            "https://www.youtube.com/shorts/dQw4w9WgXcQ",
            "https://www.youtube.com/embed/dQw4w9WgXcQ",
            "http://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ] {
            assert_eq!(embed(url), yt, "{url}");
        }
        assert_eq!(
            embed("https://vimeo.com/76979871"),
            Some("https://player.vimeo.com/video/76979871".into())
        );
        assert_eq!(
            embed("https://vimeo.com/76979871/a1b2c3d4e5"),
            Some("https://player.vimeo.com/video/76979871?h=a1b2c3d4e5".into())
        );
        assert_eq!(
            embed("https://player.vimeo.com/video/76979871"),
            Some("https://player.vimeo.com/video/76979871".into())
        );
        let dm = Some("https://www.dailymotion.com/embed/video/x8abc12".to_string());
        assert_eq!(embed("https://www.dailymotion.com/video/x8abc12"), dm);
        assert_eq!(embed("https://dai.ly/x8abc12"), dm);
        assert_eq!(
            embed("https://www.dailymotion.com/video/x8abc12_le-titre"),
            dm
        );
    }

    #[test]
    fn other_addresses_are_not_videos() {
        for url in [
            "https://video.example-news.fr/embed/usine",
            "https://www.youtube.com/watch?v=short",
            "https://www.youtube.com/channel/UC123",
            "https://youtube.com.evil.fr/watch?v=dQw4w9WgXcQ",
            "https://evil.fr/?u=https://youtu.be/dQw4w9WgXcQ",
            "https://user@youtube.com/watch?v=dQw4w9WgXcQ",
            "javascript:alert(1)//youtu.be/dQw4w9WgXcQ",
            "https://vimeo.com/about",
            "https://www.dailymotion.com/user/x8abc12",
            "ftp://youtu.be/dQw4w9WgXcQ",
        ] {
            assert_eq!(parse(url), None, "{url}");
        }
    }
}
