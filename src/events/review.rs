//! How events go through the shared review workflow: what is
//! theirs in its sequence (`review::flow`).

use chrono::NaiveDateTime;

use super::dto::Event;
use super::model::{EventChanges, EventRow};
use diesel::QueryResult;

use crate::auth::Caller;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::review::{ContentKind, Reviewable};
use crate::state::AppState;

/// Published events stay readable once past; an event ends after it starts.
impl Reviewable for EventRow {
    const KIND: ContentKind = ContentKind::Event;
    const PATH: &'static str = "events";
    type Shown = Event;
    type Settings = ();
    type Uses = crate::media::Images;

    fn settings(_: &AppState) {}

    fn needs_uses(rows: &[Self]) -> bool {
        rows.iter()
            .any(|r| crate::media::shows_media(r.fields.image_media_id, &r.fields.description_html))
    }

    fn uses(conn: &mut AnyConnection, rows: &[Self]) -> QueryResult<crate::media::Images> {
        crate::media::images_of(
            conn,
            rows.iter().filter_map(|r| r.fields.image_media_id),
            rows.iter().map(|r| r.fields.description_html.as_str()),
        )
    }

    fn show(self, now: NaiveDateTime, images: &crate::media::Images) -> Event {
        Event::from_row(self, now, images)
    }

    /// The poster and the images the description embeds: the caller's own
    /// or public ones (staff: any), with their alt text.
    fn link(
        conn: &mut AnyConnection,
        caller: &Caller,
        before: Option<&Self>,
        after: &Self,
    ) -> AppResult<()> {
        let (old, new) = (before.map(|b| &b.fields), &after.fields);
        crate::media::check_image(
            conn,
            caller,
            "image_media_id",
            old.and_then(|o| o.image_media_id),
            new.image_media_id,
        )?;
        let old_html = old.map(|o| o.description_html.as_str());
        if old_html != Some(new.description_html.as_str()) {
            let content = crate::media::Content::Event(after.id);
            crate::media::set_embeds(
                conn,
                caller,
                content,
                "description",
                old_html,
                &new.description_html,
            )?;
        }
        Ok(())
    }

    fn check(c: &EventChanges) -> AppResult<()> {
        if c.fields.ends_at <= c.fields.starts_at {
            return Err(AppError::invalid("ends_at", "must be after starts_at"));
        }
        Ok(())
    }
}
