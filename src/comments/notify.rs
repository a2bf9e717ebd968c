//! Tells a member of a reply to their comment, when the reply goes public
//! and they keep that notification on. Queued in the write that publishes it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::CommentRow;
use crate::config::MailConfig;
use crate::db::AnyConnection;
use crate::db::schema::{articles, comments, users};
use crate::error::AppResult;
use crate::mail::unsubscribe::{self, Topic};
use crate::mail::{self, Kind};

/// Queues the notice of `reply` (now public) to the author of the comment it answers.
pub fn reply(
    conn: &mut AnyConnection,
    config: &MailConfig,
    secret: &[u8],
    reply: &CommentRow,
    now: NaiveDateTime,
) -> AppResult<()> {
    let Some(parent) = reply.in_reply_to_id.or(reply.parent_id) else {
        return Ok(());
    };
    let Some(Some(author)) = comments::table
        .find(parent)
        .select(comments::author_id)
        .first::<Option<i64>>(conn)
        .optional()?
    else {
        return Ok(());
    };
    if reply.author_id == Some(author) {
        return Ok(());
    }
    let Some((email, name, true)) = users::table
        .find(author)
        .select((users::email, users::display_name, users::notify_replies))
        .first::<(String, String, bool)>(conn)
        .optional()?
    else {
        return Ok(());
    };
    let replier = match (reply.author_id, &reply.guest_name) {
        (Some(id), _) => users::table
            .find(id)
            .select(users::display_name)
            .first::<String>(conn)
            .optional()?
            .unwrap_or_default(),
        (None, Some(guest)) => guest.clone(),
        (None, None) => String::new(),
    };
    let title: String = articles::table
        .find(reply.article_id)
        .select(articles::title)
        .first(conn)?;
    let excerpt: String = reply.body.chars().take(500).collect();
    let token = unsubscribe::token(secret, author, Topic::Replies);
    let page = unsubscribe::page(config, &token);
    let mut message = mail::compose(
        config,
        Kind::CommentReply,
        &email,
        &[
            ("name", &name),
            ("replier", &replier),
            ("article", &title),
            ("excerpt", &excerpt),
            ("link", &config.site_url),
            ("unsubscribe", &page),
        ],
    );
    unsubscribe::attach(&mut message, config, &token);
    mail::queue(conn, &message, now)
}
