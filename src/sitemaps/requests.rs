//! A child sitemap's file name: `<kind>-<n>.xml` (`articles-1.xml`).

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{ObjectBuilder, Required, Type};

use super::model::Kind;
use crate::error::AppError;

#[derive(Debug, Clone, Copy)]
pub struct SitemapFile {
    pub kind: Kind,
    /// 1-based.
    pub page: i64,
}

impl SitemapFile {
    pub fn parse(file: &str) -> Option<Self> {
        let (kind, page) = file.strip_suffix(".xml")?.rsplit_once('-')?;
        let page: i64 = page
            .parse()
            .ok()
            .filter(|p| *p >= 1 && !page.starts_with('0'))?;
        Some(Self {
            kind: Kind::parse(kind)?,
            page,
        })
    }
}

impl FromRequest for SitemapFile {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let file = req.match_info().get("file").unwrap_or_default();
        ready(SitemapFile::parse(file).ok_or_else(|| {
            AppError::not_found(format!(
                "no such sitemap `{file}`: the index (/api/v1/sitemap.xml) lists them"
            ))
        }))
    }
}

impl utoipa::IntoParams for SitemapFile {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            ParameterBuilder::new()
                .name("file")
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some(
                    "`<kind>-<n>.xml`: kind `articles`, `sections`, `tags`, `authors`, `events` or `jobs`, n from 1",
                ))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some("^(articles|sections|tags|authors|events|jobs)-[1-9][0-9]*\\.xml$")),
                ))
                .build(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_kind_and_page() {
        let f = SitemapFile::parse("articles-12.xml").unwrap();
        assert_eq!((f.kind, f.page), (Kind::Articles, 12));
        for bad in [
            "articles-0.xml",
            "articles-01.xml",
            "news.xml",
            "films-1.xml",
            "articles-1",
        ] {
            assert!(SitemapFile::parse(bad).is_none(), "{bad}");
        }
    }
}
