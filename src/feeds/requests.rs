//! The feed's format, named by the last segment of its path: `rss.xml`,
//! `atom.xml` or `feed.json`.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{ObjectBuilder, Required, Type};

use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    pub const FILES: [&str; 3] = ["rss.xml", "atom.xml", "feed.json"];

    pub fn parse(file: &str) -> Option<Self> {
        match file {
            "rss.xml" => Some(Format::Rss),
            "atom.xml" => Some(Format::Atom),
            "feed.json" => Some(Format::Json),
            _ => None,
        }
    }
}

impl FromRequest for Format {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let file = req.match_info().get("format").unwrap_or_default();
        ready(Format::parse(file).ok_or_else(|| {
            AppError::not_found(format!(
                "no such feed `{file}`: feeds are rss.xml, atom.xml and feed.json"
            ))
        }))
    }
}

impl utoipa::IntoParams for Format {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            ParameterBuilder::new()
                .name("format")
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some(
                    "`rss.xml` (RSS 2.0), `atom.xml` (Atom 1.0) or `feed.json` (JSON Feed 1.1)",
                ))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some(Format::FILES)),
                ))
                .build(),
        ]
    }
}
