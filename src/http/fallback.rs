//! What answers when no route does: 405 with `Allow` when the path exists
//! under another method, 404 otherwise. The table of paths is read from the
//! OpenAPI document, so it can never disagree with the routes.

use actix_web::http::header;
use actix_web::{HttpRequest, web};

use crate::error::AppError;
use crate::state::AppState;

/// Path templates (`/api/v1/sections/{id}`) with their methods.
#[derive(Debug, Default, Clone)]
pub struct RouteTable {
    routes: Vec<(Vec<Segment>, Vec<String>)>,
}

#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    /// `{id}` possibly with a literal prefix or suffix (`{id}.ics`)
    Param {
        prefix: String,
        suffix: String,
    },
}

impl RouteTable {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let mut routes = Vec::new();
        for (path, item) in doc.paths.paths.iter() {
            let methods: Vec<String> = [
                (item.get.is_some(), "GET"),
                (item.post.is_some(), "POST"),
                (item.put.is_some(), "PUT"),
                (item.patch.is_some(), "PATCH"),
                (item.delete.is_some(), "DELETE"),
            ]
            .into_iter()
            .filter(|(present, _)| *present)
            .map(|(_, m)| m.to_string())
            .collect();
            routes.push((parse(path), methods));
        }
        Self { routes }
    }

    /// The methods allowed on `path`, if any route has that shape.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let mut methods: Vec<String> = Vec::new();
        for (segments, m) in &self.routes {
            if segments.len() == parts.len()
                && segments.iter().zip(&parts).all(|(s, p)| match s {
                    Segment::Literal(l) => l == p,
                    Segment::Param { prefix, suffix } => {
                        p.len() > prefix.len() + suffix.len()
                            && p.starts_with(prefix.as_str())
                            && p.ends_with(suffix.as_str())
                    }
                })
            {
                for method in m {
                    if !methods.contains(method) {
                        methods.push(method.clone());
                    }
                }
            }
        }
        (!methods.is_empty()).then_some(methods)
    }
}

fn parse(path: &str) -> Vec<Segment> {
    path.trim_end_matches('/')
        .split('/')
        .map(|s| match (s.find('{'), s.find('}')) {
            (Some(a), Some(b)) if a < b => Segment::Param {
                prefix: s[..a].to_string(),
                suffix: s[b + 1..].to_string(),
            },
            _ => Segment::Literal(s.to_string()),
        })
        .collect()
}

/// The app's default service.
pub async fn not_found(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<actix_web::HttpResponse, AppError> {
    Err(answer(&req, &state))
}

fn answer(req: &HttpRequest, state: &AppState) -> AppError {
    match state.routes.allowed(req.path()) {
        Some(methods) if !methods.iter().any(|m| m == req.method().as_str()) => AppError::new(
            actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!(
                "{} is not allowed on {}; allowed: {}",
                req.method(),
                req.path(),
                methods.join(", ")
            ),
        )
        .with_header(header::ALLOW, methods.join(", ")),
        _ => AppError::not_found(format!("no resource at {}", req.path())),
    }
}
