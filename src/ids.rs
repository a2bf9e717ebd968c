//! Typed ids. On the wire an id is a JSON string (API.md); in the database a
//! 64-bit integer. A path segment names a resource by id or, where the
//! resource has one, by slug; slugs are never all digits, so the two never clash.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                parse_id(d).map($name)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                id_schema()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    SectionId,
    TagId,
    UserId,
    ApiKeyId,
    ArticleId,
    RevisionId,
    CommentId,
    JobId,
    EventId,
    PollId,
    PollOptionId,
);

fn id_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some("^[0-9]{1,19}$"))
        .description(Some("Identifier (a string of digits)"))
        .examples([serde_json::json!("42")])
        .into()
}

/// Accepts `"42"` (the documented form) and, leniently, `42`.
fn parse_id<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(i64),
    }
    let value = match Raw::deserialize(d)
        .map_err(|_| serde::de::Error::custom("an id must be a string of digits, like \"42\""))?
    {
        Raw::Number(n) => n,
        Raw::Text(t) => t
            .parse::<i64>()
            .map_err(|_| serde::de::Error::custom(format!("`{t}` is not an id")))?,
    };
    if value <= 0 {
        return Err(serde::de::Error::custom("an id is a positive number"));
    }
    Ok(value)
}

/// A path segment that names a resource by id or by slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdOrSlug {
    Id(i64),
    Slug(String),
}

impl IdOrSlug {
    pub fn parse(raw: &str) -> Self {
        match raw.parse::<i64>() {
            Ok(id) if id > 0 && !raw.starts_with('+') && !raw.starts_with('0') => IdOrSlug::Id(id),
            _ => IdOrSlug::Slug(raw.to_string()),
        }
    }
}

/// Parses a path segment that must be an id; anything else names nothing (404).
pub fn path_id(raw: &str) -> Result<i64, crate::error::AppError> {
    match IdOrSlug::parse(raw) {
        IdOrSlug::Id(id) => Ok(id),
        IdOrSlug::Slug(_) => Err(crate::error::AppError::not_found(format!(
            "`{raw}` is not an id"
        ))),
    }
}
