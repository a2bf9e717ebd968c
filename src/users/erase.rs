//! The reader's rights (RGPD): what Kiosque holds about a member, and the
//! erasure of it. These read the tables where a member leaves traces
//! (comments, votes, submissions, sessions, the audit log) through the
//! schema: erasure must reach every one of them in one transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::dto::Me;
use super::model::UserRow;
use super::queries;
use crate::config::EraseComments;
use crate::db::AnyConnection;
use crate::db::schema::{
    articles, audit_log, comment_flags, comments, events, jobs, poll_votes, rate_limits,
    refresh_tokens,
};
use crate::error::AppResult;
use crate::state::utc;

use super::dto::{
    Export, ExportComment, ExportNotifications, ExportSession, ExportSubmission, ExportVote,
};

/// Everything about the member `user`.
pub fn export(conn: &mut AnyConnection, user: UserRow) -> AppResult<Export> {
    let id = user.id;
    let key = format!("user:{id}");
    let comments = comments::table
        .filter(comments::author_id.eq(id))
        .order(comments::id.asc())
        .select((
            comments::id,
            comments::article_id,
            comments::body,
            comments::status,
            comments::created_at,
            comments::edited_at,
        ))
        .load::<(
            i64,
            i64,
            String,
            String,
            NaiveDateTime,
            Option<NaiveDateTime>,
        )>(conn)?
        .into_iter()
        .map(
            |(id, article_id, body, status, created, edited)| ExportComment {
                id: id.to_string(),
                article_id: article_id.to_string(),
                body,
                status,
                created_at: utc(created),
                edited_at: edited.map(utc),
            },
        )
        .collect();
    let votes = poll_votes::table
        .filter(poll_votes::voter_key.eq(&key))
        .order(poll_votes::id.asc())
        .select((
            poll_votes::poll_id,
            poll_votes::choices,
            poll_votes::created_at,
        ))
        .load::<(i64, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(poll_id, choices, created)| ExportVote {
            poll_id: poll_id.to_string(),
            // stored as option ids separated by spaces
            choices: choices.split_whitespace().map(str::to_owned).collect(),
            created_at: utc(created),
        })
        .collect();
    let mut submissions: Vec<ExportSubmission> = Vec::new();
    let mut add = |kind: &'static str, rows: Vec<(i64, String, String, NaiveDateTime)>| {
        submissions.extend(
            rows.into_iter()
                .map(|(id, title, status, created)| ExportSubmission {
                    kind,
                    id: id.to_string(),
                    title,
                    status,
                    created_at: utc(created),
                }),
        )
    };
    add(
        "event",
        events::table
            .filter(events::submitted_by.eq(id))
            .order(events::id.asc())
            .select((
                events::id,
                events::title,
                events::status,
                events::created_at,
            ))
            .load(conn)?,
    );
    add(
        "job",
        jobs::table
            .filter(jobs::submitted_by.eq(id))
            .order(jobs::id.asc())
            .select((jobs::id, jobs::title, jobs::status, jobs::created_at))
            .load(conn)?,
    );
    add(
        "article",
        articles::table
            .filter(articles::created_by.eq(id))
            .order(articles::id.asc())
            .select((
                articles::id,
                articles::title,
                articles::status,
                articles::created_at,
            ))
            .load(conn)?,
    );
    let sessions = refresh_tokens::table
        .filter(refresh_tokens::user_id.eq(id))
        .order(refresh_tokens::id.asc())
        .select((
            refresh_tokens::created_at,
            refresh_tokens::expires_at,
            refresh_tokens::used_at,
            refresh_tokens::revoked_at,
        ))
        .load::<(
            NaiveDateTime,
            NaiveDateTime,
            Option<NaiveDateTime>,
            Option<NaiveDateTime>,
        )>(conn)?
        .into_iter()
        .map(|(created, expires, used, revoked)| ExportSession {
            created_at: utc(created),
            expires_at: utc(expires),
            used_at: used.map(utc),
            revoked_at: revoked.map(utc),
        })
        .collect();
    let notifications = ExportNotifications {
        replies_to_my_comments: user.notify_replies,
        decisions_on_my_submissions: user.notify_reviews,
        moderation_digest: user.notify_digest,
    };
    let email_verified_at = user.email_verified_at.map(utc);
    Ok(Export {
        profile: Me::from(user),
        email_verified_at,
        notifications,
        comments,
        votes,
        submissions,
        sessions,
    })
}

/// Erases the member `user`: the account and its sessions and links are
/// deleted; comments are kept under "Compte supprimé" or removed (a
/// setting); votes stay counted, detached; flags detached; the audit log's
/// entries about the member lose their details and addresses; mail to the
/// address is forgotten.
pub fn erase(
    conn: &mut AnyConnection,
    user: &UserRow,
    mode: EraseComments,
    now: NaiveDateTime,
) -> AppResult<()> {
    let id = user.id;
    let key = format!("user:{id}");
    // comments: never the address they were written from
    if mode == EraseComments::Remove {
        let shown: Vec<(i64, i64)> = comments::table
            .filter(comments::author_id.eq(id))
            .filter(comments::status.eq("approved"))
            .select((comments::id, comments::article_id))
            .load(conn)?;
        for (_, article) in shown {
            diesel::update(articles::table.find(article))
                .set(articles::comment_count.eq(articles::comment_count - 1))
                .execute(conn)?;
        }
        diesel::update(comments::table.filter(comments::author_id.eq(id)))
            .set((
                comments::status.eq("deleted"),
                comments::body.eq(""),
                comments::body_html.eq(""),
                comments::pending_body.eq(None::<String>),
                comments::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    diesel::update(comments::table.filter(comments::author_id.eq(id)))
        .set((comments::ip.eq(""), comments::author_id.eq(None::<i64>)))
        .execute(conn)?;
    // votes stay counted, under a key that names nobody
    let votes: Vec<i64> = poll_votes::table
        .filter(poll_votes::voter_key.eq(&key))
        .select(poll_votes::id)
        .load(conn)?;
    for vote in votes {
        let anonymous = format!("erased:{}", crate::auth::tokens::new_claim());
        diesel::update(poll_votes::table.find(vote))
            .set(poll_votes::voter_key.eq(anonymous))
            .execute(conn)?;
    }
    let flags: Vec<i64> = comment_flags::table
        .filter(
            comment_flags::flagger_key
                .eq(&key)
                .or(comment_flags::user_id.eq(id)),
        )
        .select(comment_flags::id)
        .load(conn)?;
    for flag in flags {
        let anonymous = format!("erased:{}", crate::auth::tokens::new_claim());
        diesel::update(comment_flags::table.find(flag))
            .set((
                comment_flags::flagger_key.eq(anonymous),
                comment_flags::user_id.eq(None::<i64>),
            ))
            .execute(conn)?;
    }
    // the audit log keeps that something happened, not to whom
    let pattern = format!("%{}%", crate::db::escape_like(&user.email));
    let id_text = id.to_string();
    diesel::update(
        audit_log::table.filter(
            audit_log::actor_id
                .eq(id)
                .or(audit_log::target_type
                    .eq("user")
                    .and(audit_log::target_id.eq(&id_text)))
                .or(audit_log::details.like(&pattern).escape('\\')),
        ),
    )
    .set((
        audit_log::details.eq("{}"),
        audit_log::ip.eq(None::<String>),
    ))
    .execute(conn)?;
    diesel::update(audit_log::table.filter(audit_log::actor_id.eq(id)))
        .set(audit_log::actor_id.eq(None::<i64>))
        .execute(conn)?;
    diesel::delete(rate_limits::table.filter(rate_limits::key.like(&pattern).escape('\\')))
        .execute(conn)?;
    crate::mail::forget(conn, &user.email)?;
    // sessions, links and standing go with the account (ON DELETE CASCADE)
    queries::delete(conn, id)?;
    Ok(())
}
