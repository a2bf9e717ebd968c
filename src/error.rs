//! One error type for the whole API, rendered as an RFC 9457 problem document
//! (`application/problem+json`) with a stable `code`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{AnyConnection, Db, DbError};

mod french;

/// The language of problem documents: French unless the caller prefers
/// English (`Accept-Language`, q-values honoured). Only `title`, `detail`
/// and the fields' messages change; `type`, `code` and field names never do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    /// The language an `Accept-Language` header asks for: English when it
    /// weighs `en` (or `en-…`) above French, French otherwise (absent,
    /// unreadable, or only other languages).
    pub fn negotiate(accept_language: Option<&str>) -> Self {
        let (mut fr, mut en, mut any) = (None::<f32>, None::<f32>, None::<f32>);
        for item in accept_language.unwrap_or("").split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0)
                .clamp(0.0, 1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let slot = match primary {
                "fr" => &mut fr,
                "en" => &mut en,
                "*" => &mut any,
                _ => continue,
            };
            *slot = Some(slot.map_or(q, |old| old.max(q)));
        }
        let en = en.or(any).unwrap_or(0.0);
        let fr = fr.or(any).unwrap_or(0.0);
        if en > fr { Lang::En } else { Lang::Fr }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
}

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One field that failed validation.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field, as a JSON path (`cover.alt`, `options[2].label`); empty for the body as a whole.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:kiosque:problem:validation_failed",
    "title": "Validation failed",
    "status": 422,
    "detail": "1 field is invalid",
    "code": "validation_failed",
    "errors": [{"field": "name", "message": "must not be empty"}]
}))]
pub struct Problem {
    /// `urn:kiosque:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable, machine-readable error code (never translated).
    pub code: String,
    /// Present for validation failures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

#[derive(Debug, Clone)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub errors: Option<Vec<FieldError>>,
    pub headers: Vec<(header::HeaderName, String)>,
    /// For 500s: the cause, logged but never sent.
    pub cause: Option<String>,
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl std::error::Error for AppError {}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: None,
            headers: Vec::new(),
            cause: None,
        }
    }

    pub fn with_header(mut self, name: header::HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", detail)
    }
    pub fn malformed_json(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed_json", detail)
    }
    pub fn bad_query(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_query", detail)
    }
    /// 401 with the `WWW-Authenticate` challenge API.md requires.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
            .with_header(header::WWW_AUTHENTICATE, "Bearer realm=\"kiosque\"")
    }
    pub fn invalid_token(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_token", detail).with_header(
            header::WWW_AUTHENTICATE,
            "Bearer realm=\"kiosque\", error=\"invalid_token\"",
        )
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", detail)
    }
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", detail)
    }
    pub fn gone(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::GONE, "gone", detail)
    }
    pub fn precondition_failed(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition_failed",
            detail,
        )
    }
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is larger than the limit of {limit} bytes"),
        )
    }
    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            detail,
        )
    }
    /// 422 for one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] if one.field.is_empty() => one.message.clone(),
            [one] => format!("{}: {}", one.field, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            detail,
        );
        e.errors = Some(errors);
        e
    }
    /// 422 for a rule of the domain rather than a malformed field.
    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }
    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        let secs = retry_after_secs.max(1);
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many requests; retry in {secs} s"),
        )
        .with_header(header::RETRY_AFTER, secs.to_string())
    }
    pub fn unavailable(cause: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "the database is unavailable; try again shortly",
        )
        .with_header(header::RETRY_AFTER, "5");
        e.cause = Some(cause.into());
        e
    }
    /// An unexpected failure: the cause is logged, the client sees a plain 500.
    pub fn internal(cause: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "an unexpected error occurred; it has been logged",
        );
        e.cause = Some(cause.into());
        e
    }

    /// The problem document, in English.
    pub fn problem(&self) -> Problem {
        self.problem_in(Lang::En)
    }

    /// The problem document in `lang`: a detail or message without a French
    /// form stays as written.
    pub fn problem_in(&self, lang: Lang) -> Problem {
        let english = Problem {
            kind: format!("urn:kiosque:problem:{}", self.code),
            title: self
                .status
                .canonical_reason()
                .unwrap_or("Error")
                .to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.to_string(),
            errors: self.errors.clone(),
        };
        if lang == Lang::En {
            return english;
        }
        let say = |t: &str| french::text(t).unwrap_or_else(|| t.to_string());
        let errors = english.errors.map(|errors| {
            errors
                .into_iter()
                .map(|e| FieldError::new(e.field, say(&e.message)))
                .collect::<Vec<_>>()
        });
        // a validation's detail repeats its one field's message
        let detail = match errors.as_deref() {
            Some([one]) if self.code == "validation_failed" && one.field.is_empty() => {
                one.message.clone()
            }
            Some([one]) if self.code == "validation_failed" => {
                format!("{} : {}", one.field, one.message)
            }
            _ => say(&self.detail),
        };
        Problem {
            title: french::title(self.status).to_string(),
            detail,
            errors,
            ..english
        }
    }

    /// The response in `lang`, with `Content-Language` and `Vary: Accept-Language`.
    pub fn response_in(&self, lang: Lang) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)))
            .insert_header((header::CONTENT_LANGUAGE, lang.tag()))
            .insert_header((header::VARY, "Accept-Language"));
        for (name, value) in &self.headers {
            if let Ok(v) = HeaderValue::from_str(value) {
                res.append_header((name.clone(), v));
            }
        }
        res.body(serde_json::to_vec(&self.problem_in(lang)).unwrap_or_default())
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.cause {
            if self.status.is_server_error() && self.status != StatusCode::SERVICE_UNAVAILABLE {
                tracing::error!(code = self.code, cause = %cause, "request failed");
            } else {
                tracing::warn!(code = self.code, cause = %cause, "request refused");
            }
        }
        // in French: the middleware answers in the caller's language
        // (`http::middleware`), this is for errors rendered without a request
        self.response_in(Lang::Fr)
    }
}

impl AppError {
    /// 503 while another writer holds the database (SQLite's lock).
    pub fn busy(cause: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_busy",
            "the database is busy with other writes; try again shortly",
        )
        .with_header(header::RETRY_AFTER, "2");
        e.cause = Some(cause.into());
        e
    }
    /// 507 when a write finds no room left; reads go on.
    pub fn storage_full(cause: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "storage_full",
            "the server has no room left to store this; reads still work, try the write later",
        )
        .with_header(header::RETRY_AFTER, "60");
        e.cause = Some(cause.into());
        e
    }
}

/// What each kind of database failure means to a client.
impl From<DbError> for AppError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::NotFound => AppError::not_found("no such resource"),
            DbError::Unique { field } => {
                AppError::conflict(format!("a resource with the same {field} already exists"))
            }
            DbError::ForeignKey(_) => AppError::unprocessable(
                "invalid_reference",
                "a referenced resource does not exist, or the resource is still referenced",
            ),
            DbError::Constraint(message) => AppError::unprocessable("constraint_violated", message),
            DbError::Conflict(_) => AppError::new(
                StatusCode::CONFLICT,
                "write_conflict",
                "the resource was changed by another request at the same time; try again",
            ),
            DbError::Unavailable(cause) => AppError::unavailable(cause),
            DbError::Busy(cause) => AppError::busy(cause),
            DbError::Full(cause) => AppError::storage_full(cause),
            DbError::Other(cause) => AppError::internal(cause),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        DbError::from(err).into()
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// The handlers' way into the database: `db/` knows nothing of HTTP and
/// fails with any error that can tell a [`DbError`]; here the error is fixed
/// to [`AppError`], so handlers' closures need no annotations.
impl Db {
    /// Runs a read off the async workers (on a replica when one is current:
    /// see [`Db::run_as`]; a copy of `f` may run again on the primary).
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut AnyConnection) -> AppResult<T> + Clone + Send + 'static,
        T: Send + 'static,
    {
        self.run_as(f).await
    }

    /// Runs work on the primary: a read that must see every committed write
    /// (sign-in checks, the change feed), or bookkeeping a read does.
    pub async fn run_primary<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut AnyConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.primary_as(f).await
    }

    /// A bookkeeping write (rate-limit counts): see [`Db::note_as`].
    pub async fn note<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut AnyConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.note_as(f).await
    }

    /// Like [`Db::run`], inside a write transaction ([`crate::db::write_tx`]).
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut AnyConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.write_as(f).await
    }
}
