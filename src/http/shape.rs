//! `fields=` and `exclude=`: a client asks for fewer top-level fields of an
//! item (or of each item of a list). The answer is built as usual, then
//! trimmed: its bytes, and so its `ETag`, differ from the full answer's.
//!
//! The names a resource accepts are the properties of its response schema
//! (read from the `ToSchema` type the OpenAPI document describes), so the two
//! cannot drift apart. `id` is always kept.

use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::conditional::{Freshness, respond, respond_page};
use super::pagination::{Page, PageMeta, PageRequest};
use crate::error::{AppError, AppResult, FieldError};

/// Which fields of the answer to send.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShapeParams {
    /// Only these top-level fields, comma-separated (`id,title,published_at`);
    /// `id` is always sent. In a list, applies to each item of `data` (`meta`
    /// is untouched). A name the item does not have is a 400 naming it. The
    /// answer then holds only those properties (the others, required or not,
    /// are absent) and has its own `ETag`.
    #[param(pattern = "^[a-z_,\\s]*$", example = "id,title,published_at")]
    pub fields: Option<String>,
    /// Top-level fields to leave out, comma-separated: typically embedded
    /// objects (`section,tags,authors,poll` on articles) or long texts
    /// (`body_html`). Not `id`, and not together with `fields`.
    #[param(pattern = "^[a-z_,\\s]*$", example = "tags,authors")]
    pub exclude: Option<String>,
}

/// A checked request for fewer fields.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    keep: Option<Vec<String>>,
    drop: Vec<String>,
}

/// The top-level property names of `T`'s schema: an object, or an `allOf`
/// of objects and references to other schemas (as `#[serde(flatten)]` makes).
pub fn property_names<T: ToSchema>() -> Vec<String> {
    let mut deps = Vec::new();
    T::schemas(&mut deps);
    let deps: Vec<(String, Value)> = deps
        .into_iter()
        .filter_map(|(name, s)| serde_json::to_value(s).ok().map(|v| (name, v)))
        .collect();
    fn collect(schema: &Value, deps: &[(String, Value)], out: &mut Vec<String>, depth: u8) {
        if depth > 8 {
            return;
        }
        if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            let name = target.rsplit('/').next().unwrap_or_default();
            if let Some((_, s)) = deps.iter().find(|(n, _)| n == name) {
                collect(s, deps, out, depth + 1);
            }
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for name in props.keys() {
                if !out.contains(name) {
                    out.push(name.clone());
                }
            }
        }
        for composite in ["allOf", "anyOf", "oneOf"] {
            if let Some(parts) = schema.get(composite).and_then(Value::as_array) {
                for part in parts {
                    collect(part, deps, out, depth + 1);
                }
            }
        }
    }
    let mut out = Vec::new();
    if let Ok(schema) = serde_json::to_value(T::schema()) {
        collect(&schema, &deps, &mut out, 0);
    }
    out
}

fn names(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !out.iter().any(|o| o == n) {
            out.push(n.to_string());
        }
    }
    out
}

impl ShapeParams {
    /// Checks the names against the properties of `T`, the item's schema.
    pub fn resolve<T: ToSchema>(&self) -> AppResult<Shape> {
        let (fields, exclude) = (
            self.fields.as_deref().map(names),
            self.exclude.as_deref().map(names),
        );
        if fields.is_some() && exclude.is_some() {
            return Err(AppError::bad_query(
                "use either `fields` or `exclude`, not both",
            ));
        }
        if fields.is_none() && exclude.is_none() {
            return Ok(Shape::default());
        }
        let known = property_names::<T>();
        let (param, asked) = match (&fields, &exclude) {
            (Some(f), _) => ("fields", f),
            (_, Some(e)) => ("exclude", e),
            _ => unreachable!(),
        };
        let mut errors: Vec<FieldError> = asked
            .iter()
            .filter(|n| !known.contains(n))
            .map(|n| FieldError::new(param, format!("unknown field `{n}`")))
            .collect();
        if param == "exclude" && asked.iter().any(|n| n == "id") {
            errors.push(FieldError::new(param, "`id` is always sent"));
        }
        if !errors.is_empty() {
            let unknown: Vec<String> = asked
                .iter()
                .filter(|n| !known.contains(n))
                .map(|n| format!("`{n}`"))
                .collect();
            let detail = if unknown.is_empty() {
                "`id` cannot be excluded".to_string()
            } else {
                format!(
                    "unknown field(s) in `{param}`: {}; fields: {}",
                    unknown.join(", "),
                    known.join(", ")
                )
            };
            let mut e = AppError::bad_query(detail);
            e.errors = Some(errors);
            return Err(e);
        }
        Ok(match param {
            "fields" => Shape {
                keep: fields,
                drop: Vec::new(),
            },
            _ => Shape {
                keep: None,
                drop: exclude.unwrap_or_default(),
            },
        })
    }
}

impl Shape {
    /// Whether the whole answer is asked for.
    pub fn is_full(&self) -> bool {
        self.keep.is_none() && self.drop.is_empty()
    }

    /// The item as JSON, trimmed.
    pub fn apply<T: Serialize>(&self, item: &T) -> AppResult<Value> {
        let mut value = serde_json::to_value(item)
            .map_err(|e| AppError::internal(format!("serialising a response: {e}")))?;
        if let Value::Object(map) = &mut value {
            map.retain(|k, _| {
                k == "id"
                    || (self.keep.as_ref().is_none_or(|keep| keep.contains(k))
                        && !self.drop.contains(k))
            });
        }
        Ok(value)
    }
}

/// [`respond`], trimmed by `shape`.
pub fn respond_shaped<T: Serialize>(
    req: &HttpRequest,
    freshness: Freshness,
    shape: &Shape,
    body: &T,
) -> AppResult<HttpResponse> {
    if shape.is_full() {
        return Ok(respond(req, freshness, body));
    }
    Ok(respond(req, freshness, &shape.apply(body)?))
}

/// [`respond_page`], each item trimmed by `shape`.
pub fn respond_page_shaped<T: Serialize>(
    req: &HttpRequest,
    freshness: Freshness,
    shape: &Shape,
    page: &Page<T>,
    paged: &PageRequest,
) -> AppResult<HttpResponse> {
    if shape.is_full() {
        return Ok(respond_page(req, freshness, page, paged));
    }
    let data = page
        .data
        .iter()
        .map(|item| shape.apply(item))
        .collect::<AppResult<Vec<Value>>>()?;
    let trimmed = Page {
        data,
        meta: PageMeta {
            total: page.meta.total,
            limit: page.meta.limit,
            page: page.meta.page,
            next_cursor: page.meta.next_cursor.clone(),
        },
    };
    Ok(respond_page(req, freshness, &trimmed, paged))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, utoipa::ToSchema)]
    struct Item {
        id: String,
        title: String,
        tags: Vec<String>,
    }

    fn item() -> Item {
        Item {
            id: "1".into(),
            title: "Titre".into(),
            tags: vec!["a".into()],
        }
    }

    fn params(fields: Option<&str>, exclude: Option<&str>) -> ShapeParams {
        ShapeParams {
            fields: fields.map(str::to_string),
            exclude: exclude.map(str::to_string),
        }
    }

    #[derive(Serialize, utoipa::ToSchema)]
    struct Detail {
        #[serde(flatten)]
        item: Item,
        body: String,
    }

    #[test]
    fn names_come_from_the_schema() {
        let mut item = property_names::<Item>();
        item.sort();
        assert_eq!(item, ["id", "tags", "title"]);
        let mut detail = property_names::<Detail>();
        detail.sort();
        assert_eq!(detail, ["body", "id", "tags", "title"]);
    }

    #[test]
    fn fields_keep_and_exclude_drops_but_id_stays() {
        let kept = params(Some("title"), None).resolve::<Item>().unwrap();
        assert_eq!(
            kept.apply(&item()).unwrap(),
            serde_json::json!({"id": "1", "title": "Titre"})
        );
        let dropped = params(None, Some("tags")).resolve::<Item>().unwrap();
        assert_eq!(
            dropped.apply(&item()).unwrap(),
            serde_json::json!({"id": "1", "title": "Titre"})
        );
        assert!(params(None, None).resolve::<Item>().unwrap().is_full());
    }

    #[test]
    fn unknown_names_are_named() {
        let e = params(Some("title,nope,autre"), None)
            .resolve::<Item>()
            .unwrap_err();
        assert_eq!(e.status.as_u16(), 400);
        assert!(e.detail.contains("`nope`") && e.detail.contains("`autre`"));
        assert_eq!(e.errors.unwrap().len(), 2);
        assert!(params(None, Some("id")).resolve::<Item>().is_err());
        assert!(params(Some("id"), Some("tags")).resolve::<Item>().is_err());
    }
}
