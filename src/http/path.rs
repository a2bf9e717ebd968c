//! Typed path parameters. Every URL names its item `{id}` (and a nested
//! item `{<noun>_id}`, as in `/articles/{id}/revisions/{revision_id}`):
//!
//! - [`Id<T>`] takes an id only, as `T` (a newtype of `crate::ids`);
//! - [`Key<T>`] takes an id or, for resources that have one, a slug.
//!
//! A segment that cannot name such an item answers 404, as an unknown URL
//! would. Each extractor describes itself as an OpenAPI path parameter, so a
//! handler documents it with `params(Id<JobId>)`.

use std::future::{Ready, ready};
use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{ObjectBuilder, Required, Type};

use super::fallback::{ApiDocument, answer};
use crate::error::AppError;
use crate::ids::{IdOrSlug, PathResource};

/// `{id}` that must be an id.
#[derive(Debug, Clone, Copy)]
pub struct Id<T>(pub T);

/// `{id}` that may be an id or a slug.
#[derive(Debug, Clone)]
pub struct Key<T> {
    pub key: IdOrSlug,
    _resource: PhantomData<T>,
}

impl<T> Key<T> {
    pub fn into_inner(self) -> IdOrSlug {
        self.key
    }
}

fn segment<T: PathResource>(req: &HttpRequest) -> Result<&str, AppError> {
    req.match_info()
        .get(T::PARAM)
        .ok_or_else(|| AppError::not_found(format!("no such {}", T::NOUN)))
}

impl<T: PathResource> FromRequest for Id<T> {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            segment::<T>(req).and_then(|raw| match IdOrSlug::parse(raw) {
                IdOrSlug::Id(id) => Ok(Id(T::from_raw(id))),
                // `/comments/moderation` under PATCH: the path names another
                // route, which does not take this method (405), not a comment
                IdOrSlug::Slug(_) => Err(match req.app_data::<web::Data<ApiDocument>>() {
                    Some(doc) if other_route(doc, req) => answer(req, doc),
                    _ => AppError::not_found(format!("no such {}: `{raw}` is not an id", T::NOUN)),
                }),
            }),
        )
    }
}

/// Whether the path belongs to a more specific route that does not take this
/// method (so the request only fell through to an `{id}` route).
fn other_route(doc: &ApiDocument, req: &HttpRequest) -> bool {
    doc.routes
        .allowed(req.path())
        .is_some_and(|methods| !methods.iter().any(|m| m == req.method().as_str()))
}

impl<T: PathResource> FromRequest for Key<T> {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(segment::<T>(req).map(|raw| Key {
            key: IdOrSlug::parse(raw),
            _resource: PhantomData,
        }))
    }
}

fn parameter<T: PathResource>(slug: bool) -> Parameter {
    let (pattern, description) = if slug {
        (
            "^[1-9][0-9]{0,18}$|^[a-z0-9]+(-[a-z0-9]+)*$",
            format!("The {}'s id or slug", T::NOUN),
        )
    } else {
        ("^[1-9][0-9]{0,18}$", format!("The {}'s id", T::NOUN))
    };
    ParameterBuilder::new()
        .name(T::PARAM)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(pattern)),
        ))
        .build()
}

impl<T: PathResource> utoipa::IntoParams for Id<T> {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![parameter::<T>(false)]
    }
}

impl<T: PathResource> utoipa::IntoParams for Key<T> {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![parameter::<T>(T::HAS_SLUG)]
    }
}
