//! Articles: writing, the workflow, revisions, slugs, lists, search, caching.
//!
//! writing.rs: the newsroom's and members' workflow; revisions.rs: revisions
//! and former slugs; lists.rs: filters, sorting, cursors, related articles,
//! the demo site; search.rs: French full-text search; reading.rs: caching
//! and author profiles; seo.rs: SEO fields and the `NewsArticle` JSON-LD;
//! preview.rs: preview tokens for unpublished articles.

mod lists;
mod preview;
mod reading;
mod revisions;
mod search;
mod seo;
mod writing;

use serde_json::{Value, json};

use crate::helpers::TestApp;

fn create_section(app: &TestApp, token: &str, name: &str) -> Value {
    app.section(token).name(name).create().json
}

fn create_tag(app: &TestApp, token: &str, name: &str) -> Value {
    app.tag(token).name(name).create().json
}

/// Creates the article `body` through the article builder.
fn create_article(app: &TestApp, token: &str, body: Value) -> Value {
    app.article(token).with(body).create().json
}

/// A published article with a lead and a body, and the fields of `extra`.
fn publish(app: &TestApp, token: &str, title: &str, extra: Value) -> Value {
    app.article(token)
        .title(title)
        .with(json!({"lead": "Un chapô.", "body": "Du texte."}))
        .with(extra)
        .published()
        .json
}

fn titles(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect()
}

fn path_of(article: &Value) -> String {
    format!("/api/v1/articles/{}", article["id"].as_str().unwrap())
}
