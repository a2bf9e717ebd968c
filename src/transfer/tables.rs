//! Which tables a transfer carries, in foreign-key order (a table comes after
//! every table it references). Adding a table to the schema is one line here:
//! an export refuses a database holding a table named in neither list, and a
//! test checks both lists against the migrated schema on both backends.
//!
//! Columns are not listed: they are read from the database itself, so a new
//! column travels without a change here.

/// Carried, parents first.
pub const CARRIED: &[&str] = &[
    "sections",
    "tags",
    "users",
    "refresh_tokens",
    "api_keys",
    "articles",
    "article_authors",
    "article_tags",
    "article_slugs",
    "article_revisions",
    "comments",
    "comment_flags",
    "commenter_standing",
    "jobs",
    "events",
    "polls",
    "poll_options",
    "poll_votes",
    "audit_log",
    "changes",
    "announcements",
    "webhooks",
    "webhook_deliveries",
    // the media library's rows (its blobs are files, copied apart: see the README)
    "media",
    "media_variants",
    "article_cover_media",
    "media_uses",
    "weather",
];

/// Deliberately left behind, with the reason.
pub const LEFT_BEHIND: &[(&str, &str)] = &[
    (
        "rate_limits",
        "short-lived counters of the last minutes of traffic, not the site's data",
    ),
    (
        "member_tokens",
        "single-use links valid for minutes or hours: secrets of the old site, not data",
    ),
    (
        "mail_outbox",
        "mail in flight: the new site must not send the old site's messages again",
    ),
    (
        "digest_marks",
        "when the last moderation digest went out: the new site starts its own periods",
    ),
];

/// Tables that are machinery of the database or of diesel, never Kiosque's
/// data: diesel's migration log, and on SQLite the full-text indexes (virtual
/// FTS5 tables and their shadow tables), which the import rebuilds through
/// the triggers of the tables they index.
pub fn is_machinery(name: &str) -> bool {
    name.starts_with("__diesel") || name.starts_with("sqlite_")
}
