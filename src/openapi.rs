//! The frame of the OpenAPI document: info, security scheme, tags and the
//! shared error responses. Paths come from the handlers' own annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToResponse};

use crate::error::Problem;

mod contract;
pub use contract::finish;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kiosque API",
        version = "1.0.0",
        description = "The public API of Kiosque, a headless CMS for news publishers: articles, comments, \
job offers, events, polls, media and the weather box of a local news site, read by its front ends and \
mobile apps and written by its newsroom and integrators.\n\n\
## Conventions\n\n\
- **Base path** `/api/v1` (a breaking change would go to `/api/v2`). `/healthz`, `/readyz`, `/metrics` \
and the browsable `/docs` are served outside it; this document is at `/api/v1/openapi.json`.\n\
- **JSON** in UTF-8 with `snake_case` fields; times are RFC 3339 in UTC; ids are strings. Articles, \
sections, tags and authors are also addressed by `slug` wherever an id is accepted. A field an answer \
always carries is `required`, and `null` when it has no value.\n\
- **Errors** are RFC 9457 problem documents (`application/problem+json`): `type`, `title`, `status`, \
`detail`, a stable `code`, and `errors` (`field`, `message`) for 422. 400: malformed JSON or an unknown \
or invalid query parameter; 401: missing, invalid or expired token (with `WWW-Authenticate`); 403: not \
allowed; 404; 409: conflict; 412: `If-Match` is stale; 413; 415; 422: validation; 429: rate limited and \
503: database unavailable or request timed out (both with `Retry-After`); 507: no room left to write.\n\
- **Lists** take `limit` (1–100, default 20) and either `page` (1-based) or `cursor` (opaque, from \
`meta.next_cursor`; bound to its sort and filters), answer `{data, meta}` and send an RFC 8288 `Link` \
header (`rel=\"next\"`, `rel=\"prev\"`). `sort` takes comma-separated fields, `-` for descending. \
Multi-valued filters are comma-separated (`contract_type=cdi,cdd`, `status=draft,pending`), not repeated.\n\
- **Caching**: reads send `ETag` and `Cache-Control`; send the ETag back in `If-None-Match` for a \
304 without a body. Updates accept `If-Match` (412 when stale).\n\
- **Auth**: `Authorization: Bearer <token>`, a user's access token from `/auth/login` (refreshed with \
`/auth/refresh`) or an integrator's API key (`kq_…`, with scopes). Reading published content needs no \
token, but a bad token is refused (401), never taken as anonymous. Roles: member, author, editor, admin.\n\
- **Workflow**: content statuses are `draft`, `pending` (a reader's submission waiting for review), \
`scheduled` (published, its `published_at` still to come), `published`, `archived` and `rejected` (with a \
`rejection_reason` its submitter reads). A member lists their own submissions with `mine=true`.\n\
- **Anonymous voters** get a `voter_token` with their first vote (and the `kiosque_voter` cookie): send \
it back in `X-Voter-Token` to be recognised. Browsers on the configured origins (CORS) may send \
credentials and this header.",
        license(name = "AGPL-3.0-or-later")
    ),
    tags(
        (name = "operations", description = "Liveness, readiness, metrics and this document"),
        (name = "auth", description = "Sign-up, sign-in and sessions"),
        (name = "me", description = "The signed-in user"),
        (name = "users", description = "Administration of accounts (admin)"),
        (name = "api-keys", description = "Integrators' API keys (admin)"),
        (name = "sections", description = "The site's sections (rubriques)"),
        (name = "tags", description = "Tags"),
        (name = "articles", description = "Articles: the newsroom's content, its workflow, revisions and search"),
        (name = "authors", description = "Public author profiles"),
        (name = "comments", description = "Readers' comments and their moderation"),
        (name = "jobs", description = "Job offers (classifieds)"),
        (name = "events", description = "Events (agenda), with iCalendar export"),
        (name = "polls", description = "Polls and votes"),
        (name = "audit", description = "The audit log of staff and security actions (admin)"),
        (name = "changes", description = "The change feed: every change of content, in order, for integrators"),
        (name = "webhooks", description = "Signed webhooks: endpoints, their delivery log, redelivery and pings (admin); the payloads are under `webhooks`"),
        (name = "media", description = "The media library: images with fixed-preset variants, documents, audio and video"),
        (name = "weather", description = "The weather box: the latest observation and short forecast per town"),
        (name = "feeds", description = "RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the site, sections, tags, authors, job offers and events"),
        (name = "sitemaps", description = "The sitemap index, child sitemaps and the Google News sitemap"),
    ),
    components(
        schemas(Problem),
        responses(BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PreconditionFailed,
                  PayloadTooLarge, UnsupportedMediaType, ValidationFailed, TooManyRequests,
                  Unavailable, StorageFull, CursorExpired)
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// A token is optional on public operations, but a bad one is refused (401),
/// never read as anonymous: say so on every operation of the API that does
/// not say it already. Applied to the finished document.
pub fn document_optional_auth(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::security::SecurityRequirement;
    use utoipa::openapi::{Ref, RefOr};
    for (path, item) in doc.paths.paths.iter_mut() {
        if !path.starts_with("/api/v1/")
            || path == "/api/v1/openapi.json"
            || path.starts_with("/api/v1/auth/")
        {
            continue;
        }
        for op in [
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.patch.as_mut(),
            item.delete.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            if op.security.is_none() {
                op.security = Some(vec![
                    SecurityRequirement::default(),
                    SecurityRequirement::new("bearer", Vec::<String>::new()),
                ]);
            }
            op.responses
                .responses
                .entry("401".to_string())
                .or_insert_with(|| RefOr::Ref(Ref::from_response_name("Unauthorized")));
        }
    }
}

/// What the edge and the database may answer on any operation, whatever its
/// own description lists: 400 for text that is not text (a NUL byte, invalid
/// UTF-8) in the path or query, 503 when the database is away, and on writes
/// 507 when there is no room left.
pub fn document_edge_answers(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{Ref, RefOr};
    for item in doc.paths.paths.values_mut() {
        let reads = [item.get.as_mut()]
            .into_iter()
            .flatten()
            .map(|op| (op, false));
        let writes = [
            item.post.as_mut(),
            item.put.as_mut(),
            item.patch.as_mut(),
            item.delete.as_mut(),
        ]
        .into_iter()
        .flatten()
        .map(|op| (op, true));
        for (op, write) in reads.chain(writes) {
            let mut add = |code: &str, name: &str| {
                op.responses
                    .responses
                    .entry(code.to_string())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
            };
            add("400", "BadRequest");
            add("503", "Unavailable");
            // a full-text search (`q`) is limited per client and queued
            let searches = op
                .parameters
                .iter()
                .flatten()
                .any(|p| {
                    matches!(p, RefOr::T(p) if p.name == "q" && p.parameter_in == ParameterIn::Query)
                });
            if searches {
                add("429", "TooManyRequests");
            }
            if write {
                add("507", "StorageFull");
            }
        }
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT access token or API key (kq_…)")
                    .description(Some(
                        "A user's access token from /auth/login, or an integrator's API key",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The token set in KIOSQUE_METRICS_TOKEN (metrics only)",
                    ))
                    .build(),
            ),
        );
    }
}

macro_rules! problem_response {
    ($($name:ident => $description:literal),* $(,)?) => {$(
        #[derive(ToResponse)]
        #[response(description = $description, content_type = "application/problem+json",
            headers(("Content-Language" = String, description = "`fr`, or `en` when `Accept-Language` prefers English: only `title`, `detail` and `errors[].message` change")))]
        #[allow(dead_code)]
        pub struct $name(Problem);
    )*};
}

problem_response! {
    BadRequest => "Malformed JSON, or an unknown or invalid query parameter",
    Unauthorized => "Missing, invalid or expired token (with `WWW-Authenticate: Bearer`)",
    Forbidden => "The caller's role or scopes do not allow this",
    NotFound => "No such resource",
    Conflict => "Conflicts with the current state (a slug or e-mail already taken, a second vote)",
    PreconditionFailed => "`If-Match` does not match the current ETag",
    PayloadTooLarge => "The body is larger than the limit",
    UnsupportedMediaType => "The body is not `application/json`",
    ValidationFailed => "A field failed validation; `errors` lists each field",
    TooManyRequests => "Rate limited; retry after the `Retry-After` seconds",
    Unavailable => "The database is unavailable or busy; retry after the `Retry-After` seconds",
    StorageFull => "No room left to write (reads go on); retry after the `Retry-After` seconds",
    CursorExpired => "`cursor_expired`: changes after this cursor were purged; resync, then start again without `after`",
}
