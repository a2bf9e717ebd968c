//! The media library: where blobs live, the bounds on uploads and image
//! work, and the fixed presets of image variants.

use std::path::PathBuf;

use super::{Config, parsed, ranged, var};

const MIB: u64 = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct MediaSettings {
    /// Folder of the local blob store (default: `<data dir>/media`).
    pub dir: PathBuf,
    /// Largest upload per kind, in bytes.
    pub max_image_bytes: u64,
    pub max_document_bytes: u64,
    pub max_video_bytes: u64,
    pub max_audio_bytes: u64,
    /// Largest image accepted, in pixels (width × height, read from the header).
    pub max_pixels: u64,
    /// Widths of the variants, smallest first.
    pub widths: Vec<u32>,
    /// The social-network crop (width, height), if any.
    pub social: Option<(u32, u32)>,
    pub jpeg_quality: u8,
    /// Threads for image work, and jobs that may wait for one.
    pub workers: usize,
    pub queue: usize,
    /// Bytes of images a member may have uploaded in all.
    pub member_quota_bytes: u64,
}

impl MediaSettings {
    pub fn defaults(data_dir: &std::path::Path) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            dir: data_dir.join("media"),
            max_image_bytes: 25 * MIB,
            max_document_bytes: 50 * MIB,
            max_video_bytes: 500 * MIB,
            max_audio_bytes: 100 * MIB,
            max_pixels: 50_000_000,
            widths: vec![320, 640, 1024, 1600],
            social: Some((1200, 630)),
            jpeg_quality: 82,
            workers: cores,
            queue: cores * 2,
            member_quota_bytes: 20 * MIB,
        }
    }

    /// The largest upload of any kind.
    pub fn max_any_bytes(&self) -> u64 {
        self.max_image_bytes
            .max(self.max_document_bytes)
            .max(self.max_video_bytes)
            .max(self.max_audio_bytes)
    }
}

fn mib(name: &str, default: u64) -> Result<u64, String> {
    Ok(ranged(name, default / MIB, 1, 100_000)? * MIB)
}

pub(super) fn read(cfg: &mut Config) -> Result<(), String> {
    let m = &mut cfg.media;
    if let Some(dir) = var("KIOSQUE_MEDIA_DIR") {
        m.dir = PathBuf::from(dir);
    }
    m.max_image_bytes = mib("KIOSQUE_MEDIA_MAX_IMAGE_MB", m.max_image_bytes)?;
    m.max_document_bytes = mib("KIOSQUE_MEDIA_MAX_DOCUMENT_MB", m.max_document_bytes)?;
    m.max_video_bytes = mib("KIOSQUE_MEDIA_MAX_VIDEO_MB", m.max_video_bytes)?;
    m.max_audio_bytes = mib("KIOSQUE_MEDIA_MAX_AUDIO_MB", m.max_audio_bytes)?;
    m.max_pixels = ranged(
        "KIOSQUE_MEDIA_MAX_MEGAPIXELS",
        m.max_pixels / 1_000_000,
        1,
        500,
    )? * 1_000_000;
    if let Some(raw) = var("KIOSQUE_MEDIA_WIDTHS") {
        m.widths = widths(&raw).map_err(|e| format!("KIOSQUE_MEDIA_WIDTHS: {e}"))?;
    }
    if let Some(raw) = var("KIOSQUE_MEDIA_SOCIAL") {
        m.social = social(&raw).map_err(|e| format!("KIOSQUE_MEDIA_SOCIAL: {e}"))?;
    }
    m.jpeg_quality = ranged("KIOSQUE_MEDIA_JPEG_QUALITY", m.jpeg_quality, 30, 100)?;
    m.workers = ranged("KIOSQUE_MEDIA_WORKERS", m.workers, 1, 256)?;
    m.queue = ranged("KIOSQUE_MEDIA_QUEUE", m.workers * 2, 0, 10_000)?;
    m.member_quota_bytes =
        parsed::<u64>("KIOSQUE_MEDIA_MEMBER_QUOTA_MB", m.member_quota_bytes / MIB)? * MIB;
    Ok(())
}

/// `320,640,1024` → widths between 16 and 8192, sorted, each once.
pub fn widths(raw: &str) -> Result<Vec<u32>, String> {
    let mut out = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let w: u32 = part
            .parse()
            .map_err(|_| format!("`{part}` is not a width"))?;
        if !(16..=8192).contains(&w) {
            return Err(format!("{w} is outside 16..=8192"));
        }
        out.push(w);
    }
    out.sort_unstable();
    out.dedup();
    if out.is_empty() || out.len() > 12 {
        return Err("give between 1 and 12 widths".into());
    }
    Ok(out)
}

/// `1200x630`, or `off`.
pub fn social(raw: &str) -> Result<Option<(u32, u32)>, String> {
    if raw.trim() == "off" {
        return Ok(None);
    }
    let (w, h) = raw
        .trim()
        .split_once('x')
        .ok_or_else(|| format!("`{raw}` is not WIDTHxHEIGHT or off"))?;
    let parse = |v: &str| -> Result<u32, String> {
        v.parse::<u32>()
            .ok()
            .filter(|n| (16..=8192).contains(n))
            .ok_or_else(|| format!("`{v}` is not a size between 16 and 8192"))
    };
    Ok(Some((parse(w)?, parse(h)?)))
}
