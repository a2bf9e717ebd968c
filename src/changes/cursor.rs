//! The feed's opaque cursor: a position in the change log, shared by the
//! JSON pages and the event stream.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

/// A position in the log: the last change seen (`s`, 0 before any) and the
/// time that position was reached (`t`, microseconds), to tell whether
/// changes after it may have been purged.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub(super) struct Cursor {
    pub(super) s: i64,
    pub(super) t: i64,
}

impl Cursor {
    /// The position just after `row`.
    pub(super) fn after(row: &super::model::ChangeRow) -> Self {
        Cursor {
            s: row.seq,
            t: row.occurred_at.and_utc().timestamp_micros(),
        }
    }

    pub(super) fn encode(self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&self).unwrap_or_default())
    }

    pub(super) fn decode(raw: &str) -> AppResult<Self> {
        URL_SAFE_NO_PAD
            .decode(raw)
            .ok()
            .and_then(|b| serde_json::from_slice::<Cursor>(&b).ok())
            .filter(|c| c.s >= 0)
            .ok_or_else(|| AppError::bad_query("after is not a cursor this feed gave"))
    }
}
