//! Kiosque: a headless CMS for news publishers.
//!
//! `routes` is the table of contents of the API; each resource lives in its
//! own folder (`handlers`, `queries`, `model`, `dto`). What resources share
//! lives in `http` (request and response machinery), `auth` (identity and the
//! authorization policy), `db` (the pool over SQLite or PostgreSQL) and
//! `review` (the publication workflow of articles, job offers and events).

pub mod api_keys;
pub mod articles;
pub mod audit;
pub mod auth;
pub mod cache;
pub mod changes;
pub mod cli;
pub mod comments;
pub mod config;
pub mod db;
pub mod error;
pub mod events;
pub mod feeds;
pub mod gate;
pub mod http;
pub mod ids;
pub mod imaging;
pub mod jobs;
pub mod logging;
pub mod mail;
pub mod media;
pub mod metrics;
pub mod openapi;
pub mod ops;
pub mod outbound;
pub mod polls;
pub mod review;
pub mod routes;
pub mod scheduler;
pub mod sections;
pub mod seed;
pub mod signal;
pub mod sitemaps;
pub mod slug;
pub mod state;
pub mod status;
pub mod storage;
pub mod tags;
pub mod text;
pub mod transfer;
pub mod users;
pub mod weather;
pub mod webhooks;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actix_web::{HttpServer, web};

use crate::config::Config;
use crate::state::AppState;

/// Sets up logging (see [`logging`]).
pub fn init_tracing(config: &Config) {
    logging::init(config);
}

/// The timed work of the resources, in the order each tick runs it
/// (a publication before an expiry of the same offer).
pub fn timed_tasks() -> Vec<scheduler::Task> {
    use scheduler::Task;
    vec![
        Task {
            name: "article publications",
            is_due: articles::publication_due,
            run: articles::announce_due,
        },
        Task {
            name: "event publications",
            is_due: events::publication_due,
            run: events::announce_publications,
        },
        Task {
            name: "job offer publications",
            is_due: jobs::publication_due,
            run: jobs::announce_publications,
        },
        Task {
            name: "job offer expiries",
            is_due: jobs::expiry_due,
            run: jobs::announce_expiries,
        },
        Task {
            name: "poll closings",
            is_due: polls::closing_due,
            run: polls::announce_closings,
        },
    ]
}

/// The weather fetcher, when a provider is configured: on its interval,
/// on the lease holder only (one call to the provider per interval for the
/// whole cluster).
fn fetch_weather(state: web::Data<AppState>, leading: Arc<AtomicBool>) {
    let Some(provider) = state.config.weather.provider.clone() else {
        return;
    };
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(provider.interval);
        loop {
            tick.tick().await;
            if !leading.load(Ordering::Acquire) {
                continue;
            }
            match weather::refresh(&state).await {
                Ok(done) if done.failed > 0 => tracing::warn!(
                    stored = done.stored,
                    failed = done.failed,
                    "weather refreshed, with failures"
                ),
                Ok(done) => tracing::debug!(stored = done.stored, "weather refreshed"),
                Err(e) => tracing::warn!(error = %e, "could not refresh the weather"),
            }
        }
    });
}

/// The digest of the moderation queue to the staff, when it has a period:
/// checked at each scheduler tick, on the lease holder only (the durable mark
/// in `review::digest` keeps a period from being sent twice).
fn send_moderation_digests(state: web::Data<AppState>, leading: Arc<AtomicBool>) {
    if state.config.mail.digest_hours == 0 {
        return;
    }
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(state.config.scheduler_tick);
        loop {
            tick.tick().await;
            if !leading.load(Ordering::Acquire) {
                continue;
            }
            match review::digest::send_due(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(messages = n, "moderation digest queued"),
                Err(e) => tracing::warn!(error = %e, "could not send the moderation digest"),
            }
        }
    });
}

/// Starts what a node does beside answering requests: the webhook delivery
/// worker, the listener that hears other nodes' changes (PostgreSQL) and the
/// scheduler of timed work (when this node holds the lease). Call it inside the actix system that
/// serves: both stop with it.
pub fn start_background(state: &web::Data<AppState>) {
    // Webhooks go out from every node (claims keep nodes from sending twice).
    webhooks::start(state.clone());
    let listening = signal::listen(state.db.clone(), &state.config.database);
    let running = scheduler::start(state.clone(), timed_tasks());
    // the mail queue is drained by the lease holder, beside the timed work
    if let Some(running) = &running {
        mail::send::start(state.clone(), running.leading());
        fetch_weather(state.clone(), running.leading());
        send_moderation_digests(state.clone(), running.leading());
    }
    actix_web::rt::spawn(async move {
        let _kept = (listening, running);
        std::future::pending::<()>().await
    });
}

/// Migrates the database, then serves until SIGINT or SIGTERM; in-flight
/// requests finish before the pool closes.
pub async fn serve(config: Config) -> std::io::Result<()> {
    let db_name = config.database.redacted();
    match db::migrate(&config.database) {
        Ok(0) => tracing::info!(database = %db_name, "database is up to date"),
        Ok(n) => tracing::info!(database = %db_name, applied = n, "applied migrations"),
        Err(e) => {
            return Err(std::io::Error::other(format!(
                "cannot prepare the database {db_name}: {e}"
            )));
        }
    }
    let addr = config.addr;
    let workers = config.workers;
    let state = web::Data::new(AppState::new(config));
    // Forget rate-limit state of quiet clients, off the request path.
    let pruned = state.clone();
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            pruned.auth.rate.prune();
            let now_us = pruned.clock.now_utc().timestamp_micros();
            pruned.auth.failures.prune(now_us);
            if pruned.config.rate_store == config::RateStore::Database {
                let _ = pruned
                    .db
                    .note(move |c| Ok(auth::limits::prune_shared(c, now_us)?))
                    .await;
            }
        }
    });

    // Purge audit entries and changes past their retention: now, then every hour.
    let purged = state.clone();
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match audit::purge_expired(&purged).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "purged old audit entries"),
                Err(e) => tracing::warn!(error = %e, "could not purge old audit entries"),
            }
            match changes::purge_expired(&purged).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "purged old changes"),
                Err(e) => tracing::warn!(error = %e, "could not purge old changes"),
            }
            match webhooks::purge_log(&purged).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "purged old webhook deliveries"),
                Err(e) => tracing::warn!(error = %e, "could not purge old webhook deliveries"),
            }
            match mail::purge_sent(&purged).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "purged old sent mail"),
                Err(e) => tracing::warn!(error = %e, "could not purge old sent mail"),
            }
        }
    });

    start_background(&state);
    let app_state = state.clone();
    let mut server = HttpServer::new(move || routes::app(app_state.clone()))
        .shutdown_timeout(30)
        .client_request_timeout(Duration::from_secs(10))
        .bind(addr)
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))?;
    if let Some(n) = workers {
        server = server.workers(n);
    }
    for bound in server.addrs() {
        tracing::info!(
            "Kiosque listens on http://{bound} — API at /api/v1, docs at http://{bound}/docs/"
        );
    }
    tracing::info!(database = %db_name, "using {}", match state.db.backend() {
        config::Backend::Sqlite => "SQLite",
        config::Backend::Postgres => "PostgreSQL",
    });
    tracing::info!(
        "No admin yet? Create one: cargo run --release -- create-user --email you@example.org --role admin"
    );
    server.run().await?;
    tracing::info!("stopped; closing the database pool");
    Ok(())
}
