//! Typed ids. On the wire an id is a JSON string (API.md); in the database a
//! 64-bit integer. A path segment names a resource by id or, where the
//! resource has one, by slug; slugs are never all digits, so the two never clash.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a path segment names: the noun used in messages and documentation,
/// the path parameter that carries it, and whether it also has a slug.
pub trait PathResource {
    const NOUN: &'static str;
    const PARAM: &'static str;
    const HAS_SLUG: bool;
    fn from_raw(id: i64) -> Self;
}

macro_rules! id_type {
    ($($name:ident: $noun:literal, $param:literal, $slug:literal);* $(;)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl PathResource for $name {
            const NOUN: &'static str = $noun;
            const PARAM: &'static str = $param;
            const HAS_SLUG: bool = $slug;
            fn from_raw(id: i64) -> Self {
                $name(id)
            }
        }

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

// name: noun in messages, path parameter, answers to a slug too
id_type!(
    SectionId: "section", "id", true;
    TagId: "tag", "id", true;
    UserId: "user", "id", false;
    ApiKeyId: "API key", "id", false;
    ArticleId: "article", "id", true;
    RevisionId: "revision", "revision_id", false;
    CommentId: "comment", "id", false;
    JobId: "job offer", "id", false;
    EventId: "event", "id", false;
    PollId: "poll", "id", false;
    PollOptionId: "poll option", "option_id", false;
    WebhookId: "webhook", "id", false;
    DeliveryId: "delivery", "delivery_id", false;
    MediaId: "media item", "id", false;
    TownId: "town", "id", true;
);

/// Public author profiles are users addressed by their slug (or id).
pub struct AuthorKey;

impl PathResource for AuthorKey {
    const NOUN: &'static str = "author";
    const PARAM: &'static str = "id";
    const HAS_SLUG: bool = true;
    fn from_raw(_: i64) -> Self {
        AuthorKey
    }
}

fn id_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some("^[1-9][0-9]{0,18}$"))
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

/// In a query string (`?article=`), an id or a slug.
impl<'de> Deserialize<'de> for IdOrSlug {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        if raw.is_empty() {
            return Err(serde::de::Error::custom(
                "an id or a slug, not an empty value",
            ));
        }
        Ok(IdOrSlug::parse(&raw))
    }
}

impl utoipa::PartialSchema for IdOrSlug {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("An id (a string of digits) or a slug"))
            .examples([serde_json::json!("42")])
            .into()
    }
}

impl utoipa::ToSchema for IdOrSlug {}
