//! What answers when no route does: 405 with `Allow` when the path exists
//! under another method, 404 otherwise. The table of paths is read from the
//! OpenAPI document, so it can never disagree with the routes.

use actix_web::http::header;
use actix_web::{HttpRequest, web};

use crate::error::AppError;

/// The API's description of itself, built once from the routes: the served
/// OpenAPI document and the table of paths that 404/405 answers and the
/// early token check read.
pub struct ApiDocument {
    pub routes: RouteTable,
    pub json: std::sync::Arc<String>,
}

impl ApiDocument {
    pub fn new(doc: &utoipa::openapi::OpenApi) -> Self {
        Self {
            routes: RouteTable::from_openapi(doc),
            json: std::sync::Arc::new(
                doc.to_pretty_json()
                    .expect("the OpenAPI document serialises"),
            ),
        }
    }
}

/// Path templates (`/api/v1/sections/{id}`) with their methods, and whether
/// each operation requires a token.
#[derive(Debug, Default, Clone)]
pub struct RouteTable {
    routes: Vec<Route>,
}

#[derive(Debug, Clone)]
struct Route {
    segments: Vec<Segment>,
    /// literal characters: of two templates matching a path, the longer is meant
    specificity: usize,
    /// (method, token required)
    methods: Vec<(String, bool)>,
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

impl Segment {
    fn matches(&self, part: &str) -> bool {
        match self {
            Segment::Literal(l) => l == part,
            Segment::Param { prefix, suffix } => {
                part.len() > prefix.len() + suffix.len()
                    && part.starts_with(prefix.as_str())
                    && part.ends_with(suffix.as_str())
            }
        }
    }
}

/// An operation requires a token when its security lists no empty requirement.
fn requires_token(op: &utoipa::openapi::path::Operation) -> bool {
    match serde_json::to_value(&op.security) {
        Ok(serde_json::Value::Array(reqs)) => {
            !reqs.is_empty()
                && !reqs
                    .iter()
                    .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
        }
        _ => false,
    }
}

impl RouteTable {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let mut routes = Vec::new();
        for (path, item) in doc.paths.paths.iter() {
            let methods: Vec<(String, bool)> = [
                (&item.get, "GET"),
                (&item.post, "POST"),
                (&item.put, "PUT"),
                (&item.patch, "PATCH"),
                (&item.delete, "DELETE"),
            ]
            .into_iter()
            .filter_map(|(op, m)| op.as_ref().map(|op| (m.to_string(), requires_token(op))))
            .collect();
            let segments = parse(path);
            let specificity = segments
                .iter()
                .map(|s| match s {
                    Segment::Literal(l) => l.len(),
                    Segment::Param { prefix, suffix } => prefix.len() + suffix.len(),
                })
                .sum();
            routes.push(Route {
                segments,
                specificity,
                methods,
            });
        }
        Self { routes }
    }

    /// The route a concrete path belongs to: the most specific that matches.
    fn route(&self, path: &str) -> Option<&Route> {
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        self.routes
            .iter()
            .filter(|r| {
                r.segments.len() == parts.len()
                    && r.segments.iter().zip(&parts).all(|(s, p)| s.matches(p))
            })
            .max_by_key(|r| r.specificity)
    }

    /// The methods allowed on `path`, if any route has that shape.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        self.route(path)
            .map(|r| r.methods.iter().map(|(m, _)| m.clone()).collect())
    }

    /// Whether `method` on `path` requires a token (so a request without one
    /// is refused with 401 before its body is even read).
    pub fn requires_token(&self, method: &str, path: &str) -> bool {
        self.route(path)
            .and_then(|r| r.methods.iter().find(|(m, _)| m == method))
            .is_some_and(|(_, required)| *required)
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
    document: web::Data<ApiDocument>,
) -> Result<actix_web::HttpResponse, AppError> {
    Err(answer(&req, &document))
}

/// 405 with `Allow` when the path exists under other methods, else 404.
pub fn answer(req: &HttpRequest, document: &ApiDocument) -> AppError {
    match document.routes.allowed(req.path()) {
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
