use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use sha2::{Digest, Sha256};

use crate::config::{Backend, MetricsAccess};
use crate::error::{AppError, AppResult};
use crate::http::conditional::etag_of;
use crate::http::fallback::ApiDocument;
use crate::openapi as oa;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    #[schema(example = "ready")]
    pub status: String,
    #[schema(example = "sqlite")]
    pub database: String,
    /// True when every embedded migration has been applied.
    pub migrations_applied: bool,
    /// The read replicas (`KIOSQUE_DATABASE_REPLICA_URLS`), if any. A replica
    /// out of the reads does not make the node unready: the primary serves.
    pub replicas: Vec<ReplicaReadiness>,
}

#[derive(Serialize, ToSchema)]
pub struct ReplicaReadiness {
    /// The replica's URL, password masked.
    #[schema(example = "postgres://kiosque:***@replica1:5432/kiosque")]
    pub name: String,
    /// `up`: takes reads; `out`: failing, or lagging beyond `KIOSQUE_REPLICA_MAX_LAG_MS`.
    #[schema(example = "up")]
    pub state: String,
    /// How long the oldest write it has not replayed has waited; null while it does not answer.
    #[schema(example = 3)]
    pub lag_ms: Option<u64>,
    /// Reads it served since start.
    pub reads: u64,
}

/// Liveness: the process answers.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "Alive", body = Health))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Health {
            status: "ok".into(),
        })
}

/// Readiness: the database answers and its migrations are applied.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Readiness),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let pending = state
        .db
        .run_primary(|c| {
            c.has_pending_migrations()
                .map_err(|e| AppError::from(crate::db::DbError::Unavailable(e)))
        })
        .await?;
    if pending {
        return Err(AppError::new(
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            "migrations_pending",
            "the database answers but migrations are pending; run `kiosque migrate`",
        )
        .with_header(header::RETRY_AFTER, "5"));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Readiness {
            status: "ready".into(),
            database: match state.db.backend() {
                Backend::Sqlite => "sqlite".into(),
                Backend::Postgres => "postgres".into(),
            },
            migrations_applied: true,
            replicas: state
                .db
                .replica_status()
                .0
                .into_iter()
                .map(|r| ReplicaReadiness {
                    name: r.name,
                    state: if r.up { "up" } else { "out" }.into(),
                    lag_ms: r.lag_ms,
                    reads: r.reads,
                })
                .collect(),
        }))
}

/// Prometheus metrics in the text exposition format. Open in development;
/// with `KIOSQUE_METRICS_TOKEN` set, only for that bearer token; closed in
/// production otherwise.
#[utoipa::path(
    tag = "operations",
    security((), ("metrics_token" = [])),
    responses(
        (status = 200, description = "Metrics", content_type = "text/plain", body = String),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
    )
)]
#[get("/metrics")]
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    match &state.config.metrics {
        MetricsAccess::Open => {}
        MetricsAccess::Closed => {
            return Err(AppError::new(
                actix_web::http::StatusCode::FORBIDDEN,
                "metrics_closed",
                "metrics are closed here: set KIOSQUE_METRICS_TOKEN and send it as a bearer token",
            ));
        }
        MetricsAccess::Token(expected) => {
            let given = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .unwrap_or("");
            // compared through their digests: the time taken says nothing of the token
            if Sha256::digest(given.as_bytes()) != Sha256::digest(expected.as_bytes()) {
                return Err(AppError::invalid_token(
                    "metrics need the token set in KIOSQUE_METRICS_TOKEN",
                ));
            }
        }
    }
    let (in_use, idle) = state.db.usage();
    let (replicas, primary_reads) = state.db.replica_status();
    let samples: Vec<_> = replicas
        .iter()
        .map(|r| crate::metrics::ReplicaSample {
            name: &r.name,
            up: r.up,
            lag_seconds: r.lag_ms.map(|ms| ms as f64 / 1000.0),
            reads: r.reads,
        })
        .collect();
    state.metrics.set_replicas(&samples, primary_reads);
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(
            state.metrics.render(in_use, idle, state.db.query_count())
                + &state.responses.render_metrics(),
        ))
}

/// This OpenAPI document.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/openapi.json")]
pub async fn openapi_json(req: HttpRequest, document: web::Data<ApiDocument>) -> HttpResponse {
    let etag = etag_of(document.json.as_bytes());
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag)
        });
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"));
    if fresh {
        res.finish()
    } else {
        res.content_type("application/json")
            .body(document.json.as_str().to_owned())
    }
}

/// `/docs` → `/docs/`: Swagger UI's assets are addressed relative to it.
pub async fn docs_redirect() -> HttpResponse {
    HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}
