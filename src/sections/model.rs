use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::sections;

#[derive(Debug, Clone, Queryable)]
pub struct SectionRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = sections)]
pub struct NewSection {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = sections)]
pub struct SectionChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub position: Option<i32>,
    pub updated_at: Option<NaiveDateTime>,
}

impl SectionRow {
    /// The change `section.<what>`: its address (by slug, id and, after a
    /// rename, `former_slug`), the list of sections and its articles' list.
    pub fn change(
        &self,
        what: &str,
        former_slug: Option<&str>,
        now: NaiveDateTime,
    ) -> crate::changes::Change {
        crate::changes::Change::new("section", what, self.id, now).filed_under(
            "sections",
            "section",
            &self.slug,
            former_slug,
        )
    }
}
