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
        crate::changes::Change::new("tag", what, self.id, now).filed_under(
            "tags",
            "tag",
            &self.slug,
            former_slug,
        )
    }
}
