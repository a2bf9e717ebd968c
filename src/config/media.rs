//! The media library: where blobs live (local disk or S3-compatible
//! storage), the bounds on uploads and image work, the fixed presets of
//! image variants, and the URLs media is served from.

use std::path::PathBuf;
use std::time::Duration;

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
    /// Which blob store holds the files.
    pub storage: Storage,
    /// Where public media is read from instead of through Kiosque (a CDN or
    /// the bucket's own address): `{base}/{sha256}`. No trailing slash.
    pub public_base_url: Option<String>,
    /// How long a signed URL of private media stays valid (at least; see
    /// `media::urls` for the rounding that keeps answers cacheable).
    pub signed_url_ttl: Duration,
}

/// Where blobs live.
#[derive(Debug, Clone)]
pub enum Storage {
    /// Under [`MediaSettings::dir`].
    Local,
    S3(S3Settings),
}

/// An S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, Garage, moto…).
#[derive(Clone)]
pub struct S3Settings {
    pub bucket: String,
    pub region: String,
    /// The service's address when it is not AWS (`http://127.0.0.1:9000`).
    pub endpoint: Option<String>,
    pub access_key_id: Option<String>,
    /// Never printed: `Debug` shows it as `***`.
    pub secret_access_key: Option<String>,
    /// Folder of the bucket the blobs go in (`kiosque/media`), without slashes around.
    pub prefix: String,
    /// Plain HTTP to the endpoint (a loopback test server); HTTPS otherwise.
    pub allow_http: bool,
    /// Bound on one request to the store; a store that does not answer in
    /// time is "unavailable" (503), never a hung request.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Attempts after a failed request (with a short backoff).
    pub retries: usize,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "***"),
            )
            .field("prefix", &self.prefix)
            .field("allow_http", &self.allow_http)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl S3Settings {
    /// A bucket on a test server (moto, MinIO) at `endpoint`, with the
    /// dummy credentials such servers accept.
    pub fn for_tests(endpoint: &str, bucket: &str) -> Self {
        Self {
            bucket: bucket.to_string(),
            region: "us-east-1".into(),
            endpoint: Some(endpoint.trim_end_matches('/').to_string()),
            access_key_id: Some("testing".into()),
            secret_access_key: Some("testing".into()),
            prefix: "media".into(),
            allow_http: true,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(2),
            retries: 1,
        }
    }
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
            storage: Storage::Local,
            public_base_url: None,
            signed_url_ttl: Duration::from_secs(3600),
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
    m.storage = match var("KIOSQUE_MEDIA_STORAGE").as_deref().map(str::trim) {
        None | Some("local") => Storage::Local,
        Some("s3") => Storage::S3(s3()?),
        Some(other) => {
            return Err(format!(
                "KIOSQUE_MEDIA_STORAGE: `{other}` is neither `local` nor `s3`"
            ));
        }
    };
    if let Some(raw) = var("KIOSQUE_MEDIA_PUBLIC_BASE_URL") {
        m.public_base_url =
            Some(base_url(&raw).map_err(|e| format!("KIOSQUE_MEDIA_PUBLIC_BASE_URL: {e}"))?);
    }
    m.signed_url_ttl = Duration::from_secs(ranged(
        "KIOSQUE_MEDIA_SIGNED_URL_SECONDS",
        m.signed_url_ttl.as_secs(),
        10,
        7 * 24 * 3600,
    )?);
    Ok(())
}

fn s3() -> Result<S3Settings, String> {
    let bucket = var("KIOSQUE_S3_BUCKET")
        .ok_or("KIOSQUE_S3_BUCKET: required with KIOSQUE_MEDIA_STORAGE=s3")?;
    let endpoint = match var("KIOSQUE_S3_ENDPOINT") {
        Some(raw) => Some(base_url(&raw).map_err(|e| format!("KIOSQUE_S3_ENDPOINT: {e}"))?),
        None => None,
    };
    let access_key_id = var("KIOSQUE_S3_ACCESS_KEY_ID");
    let secret_access_key = var("KIOSQUE_S3_SECRET_ACCESS_KEY");
    if access_key_id.is_some() != secret_access_key.is_some() {
        return Err("KIOSQUE_S3_ACCESS_KEY_ID and KIOSQUE_S3_SECRET_ACCESS_KEY go together".into());
    }
    let allow_http = parsed("KIOSQUE_S3_ALLOW_HTTP", false)?;
    if let Some(e) = &endpoint
        && e.starts_with("http://")
        && !allow_http
    {
        return Err(format!(
            "KIOSQUE_S3_ENDPOINT: `{e}` is plain HTTP; set KIOSQUE_S3_ALLOW_HTTP=true to allow it (loopback test servers)"
        ));
    }
    Ok(S3Settings {
        bucket: bucket.trim().to_string(),
        region: var("KIOSQUE_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
        endpoint,
        access_key_id,
        secret_access_key,
        prefix: var("KIOSQUE_S3_PREFIX")
            .map(|p| p.trim().trim_matches('/').to_string())
            .unwrap_or_default(),
        allow_http,
        timeout: Duration::from_secs(ranged("KIOSQUE_S3_TIMEOUT_SECONDS", 30, 1, 600)?),
        connect_timeout: Duration::from_secs(5),
        retries: ranged("KIOSQUE_S3_RETRIES", 2, 0, 10)?,
    })
}

/// An `http(s)://` address without its trailing slash.
fn base_url(raw: &str) -> Result<String, String> {
    let t = raw.trim().trim_end_matches('/');
    let rest = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .ok_or_else(|| format!("`{raw}` is not an http(s):// address"))?;
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(format!(
            "`{raw}` is not a base address (no query, no fragment)"
        ));
    }
    Ok(t.to_string())
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
