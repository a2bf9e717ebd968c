//! Bytes to media: what a file is (sniffed from its first bytes, never from
//! its name or the client's word), an image's size read from its header
//! before anything is decoded, and the fixed-preset variants, placeholder and
//! dominant colour made from a decoded image; how long audio and video last. The heavy work runs on
//! [`pool::Pool`], off the async workers; [`flight::Flights`] makes
//! simultaneous requests for the same work share one run. This part knows
//! nothing of HTTP, the database or storage.

pub mod duration;
pub mod flight;
pub mod pool;
pub mod sniff;
pub mod variants;

pub use sniff::{Format, Kind, Sniffed, sniff};
pub use variants::{Analysis, Encoding, Plan, Preset, Rendered, analyse, plan, render};

/// Why an image was refused or could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImagingError {
    /// More pixels than allowed (a decompression bomb, or simply too big).
    #[error("the image is {width}×{height} pixels; at most {max} pixels are accepted")]
    TooManyPixels { width: u32, height: u32, max: u64 },
    /// The bytes do not decode (truncated, corrupt, not what they claim).
    #[error("the image cannot be read: {0}")]
    Corrupt(String),
    /// Encoding a variant failed.
    #[error("a variant could not be made: {0}")]
    Encode(String),
}

/// What the application keeps for image work: the pool, the flights that
/// share a rendering among simultaneous requests, and a count of renderings.
pub struct Workshop {
    pub pool: pool::Pool,
    pub flights: flight::Flights<String, Result<(), SharedError>>,
    renders: std::sync::atomic::AtomicU64,
}

impl Workshop {
    pub fn new(workers: usize, waiting: usize) -> Self {
        Self {
            pool: pool::Pool::new(workers, waiting),
            flights: flight::Flights::default(),
            renders: Default::default(),
        }
    }

    /// Counts one rendering of an image's variants.
    pub fn rendered(&self) {
        self.renders
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Renderings since the start.
    pub fn renders(&self) -> u64 {
        self.renders.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// An error shared by every caller of one flight.
pub type SharedError = std::sync::Arc<dyn std::error::Error + Send + Sync>;

/// The presets of this process's settings, for the places that describe
/// images without the settings at hand (an article's cover). Set when the
/// application state is built; every node of a site runs the same settings.
static PRESETS: std::sync::RwLock<Vec<Preset>> = std::sync::RwLock::new(Vec::new());

pub fn set_presets(presets: Vec<Preset>) {
    *PRESETS.write().unwrap_or_else(|p| p.into_inner()) = presets;
}

pub fn presets() -> Vec<Preset> {
    PRESETS.read().unwrap_or_else(|p| p.into_inner()).clone()
}
