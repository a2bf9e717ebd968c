use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::tags;

#[derive(Debug, Clone, Queryable)]
pub struct TagRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = tags)]
pub struct NewTag {
    pub slug: String,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = tags)]
pub struct TagChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub updated_at: Option<NaiveDateTime>,
}

impl TagRow {
    /// The change `tag.<what>`: its address (by slug, id and, after a
    /// rename, `former_slug`), the list of tags and its articles' list.
    pub fn change(
        &self,
        what: &str,
        former_slug: Option<&str>,
        now: NaiveDateTime,
    ) -> crate::changes::Change {
        let mut paths = vec![
            format!("/api/v1/tags/{}", self.slug),
            format!("/api/v1/tags/{}", self.id),
            "/api/v1/tags".to_string(),
            format!("/api/v1/articles?tag={}", self.slug),
        ];
        if let Some(old) = former_slug.filter(|o| *o != self.slug) {
            paths.push(format!("/api/v1/tags/{old}"));
            paths.push(format!("/api/v1/articles?tag={old}"));
        }
        crate::changes::Change::new("tag", what, self.id, now)
            .slug(self.slug.clone())
            .paths(paths)
    }
}
