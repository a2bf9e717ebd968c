//! Every URL of the API, one line each: method, path, handler. The table
//! registers each handler in the router and in the OpenAPI document; the
//! handler's own attribute carries the same path with its description, and
//! a test fails when the two disagree.

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::from_fn;
use actix_web::{App, web};
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Config;
use crate::http::fallback::ApiDocument;
use crate::http::{consistency, fallback, middleware, response_cache};
use crate::openapi::ApiDoc;
use crate::state::AppState;
use crate::{api_keys, ops, sections, tags};

/// Declares the route table: registers each handler in order and keeps the
/// table itself (`TABLE`), which a test holds against the paths the handlers
/// declare for the OpenAPI document.
macro_rules! routes {
    ($( $(#[$group:meta])* $method:ident $path:literal => $handler:path; )*) => {
        fn api_v1(cfg: &mut ServiceConfig) {
            cfg $( .service($handler) )*;
        }

        /// Every route under `/api/v1`: (method, path, handler).
        pub const TABLE: &[(&str, &str, &str)] = &[
            $( (stringify!($method), $path, stringify!($handler)) ),*
        ];
    };
}

use crate::articles::{
    authors, handlers as articles, jsonld as articles_jsonld, preview, revisions,
};
use crate::audit::handlers as audit;
use crate::changes::{deletions, handlers as changes};
use crate::comments::{handlers as comments, moderation, own as own_comments};
use crate::events::{export as event_exports, handlers as events};
use crate::jobs::handlers as jobs;
use crate::media::handlers as media;
use crate::polls::{handlers as polls, votes};
use crate::users::{account, email, email_change, handlers as users, me, notifications, rights};
use crate::weather::handlers as weather;
use crate::webhooks::{
    deliveries as webhook_deliveries, handlers as webhooks, secret as webhook_secret,
};
use crate::{feeds::handlers as feeds, sitemaps::handlers as sitemaps};

// Order matters where two templates could match one path: a literal segment
// (`/comments/moderation`, `/events.ics`) comes before `{id}`.
routes! {
    GET    "/openapi.json"                                   => ops::handlers::openapi_json;

    // accounts and keys
    POST   "/auth/register"                                  => account::register;
    POST   "/auth/login"                                     => account::login;
    POST   "/auth/refresh"                                   => account::refresh;
    POST   "/auth/logout"                                    => account::logout;
    POST   "/auth/verify-email"                              => email::verify_email;
    POST   "/auth/password-reset"                            => email::request_password_reset;
    POST   "/auth/password-reset/complete"                   => email::complete_password_reset;
    POST   "/auth/sign-in-link"                              => email::request_sign_in_link;
    POST   "/auth/sign-in-link/complete"                     => email::complete_sign_in_link;
    POST   "/me/verify-email"                                => email::resend_verification;
    POST   "/me/email"                                       => email_change::request_email_change;
    POST   "/auth/email-change/complete"                     => email_change::complete_email_change;
    GET    "/me"                                             => me::get_me;
    PATCH  "/me"                                             => me::update_me;
    POST   "/me/password"                                    => me::change_password;
    GET    "/me/export"                                      => rights::export_me;
    DELETE "/me"                                             => rights::erase_me;
    POST   "/users/{id}/erase"                               => rights::erase_user;
    POST   "/unsubscribe"                                    => notifications::unsubscribe;
    GET    "/users"                                          => users::list_users;
    GET    "/users/{id}"                                     => users::get_user;
    PATCH  "/users/{id}"                                     => users::update_user;
    DELETE "/users/{id}"                                     => users::delete_user;
    POST   "/api-keys"                                       => api_keys::handlers::create_api_key;
    GET    "/api-keys"                                       => api_keys::handlers::list_api_keys;
    GET    "/api-keys/{id}"                                  => api_keys::handlers::get_api_key;
    DELETE "/api-keys/{id}"                                  => api_keys::handlers::revoke_api_key;

    // sections and tags
    GET    "/sections"                                       => sections::handlers::list_sections;
    POST   "/sections"                                       => sections::handlers::create_section;
    GET    "/sections/{id}"                                  => sections::handlers::get_section;
    PATCH  "/sections/{id}"                                  => sections::handlers::update_section;
    DELETE "/sections/{id}"                                  => sections::handlers::delete_section;
    GET    "/tags"                                           => tags::handlers::list_tags;
    POST   "/tags"                                           => tags::handlers::create_tag;
    GET    "/tags/{id}"                                      => tags::handlers::get_tag;
    PATCH  "/tags/{id}"                                      => tags::handlers::update_tag;
    DELETE "/tags/{id}"                                      => tags::handlers::delete_tag;

    // articles and their authors
    GET    "/articles"                                       => articles::list_articles;
    POST   "/articles"                                       => articles::create_article;
    GET    "/articles/{id}"                             => articles::get_article;
    PATCH  "/articles/{id}"                             => articles::update_article;
    DELETE "/articles/{id}"                             => articles::delete_article;
    GET    "/articles/{id}/related"                     => articles::related_articles;
    GET    "/articles/{id}/jsonld"                      => articles_jsonld::get_article_jsonld;
    POST   "/articles/{id}/preview"                     => preview::create_preview;
    GET    "/articles/{id}/revisions"                   => revisions::list_revisions;
    GET    "/articles/{id}/revisions/{revision_id}"        => revisions::get_revision;
    POST   "/articles/{id}/revisions/{revision_id}/restore" => revisions::restore_revision;
    GET    "/authors"                                        => authors::list_authors;
    GET    "/authors/{id}"                                   => authors::get_author;

    // comments
    GET    "/articles/{id}/comments"                         => comments::list_comments;
    POST   "/articles/{id}/comments"                         => comments::post_comment;
    GET    "/comments"                                       => moderation::list_queue;
    POST   "/comments/moderation"                            => moderation::decide_many;
    PATCH  "/comments/{id}"                                  => own_comments::update_comment;
    DELETE "/comments/{id}"                                  => own_comments::delete_comment;
    POST   "/comments/{id}/flags"                            => own_comments::flag_comment;
    PUT    "/users/{id}/comment-ban"                         => moderation::ban_commenter;
    DELETE "/users/{id}/comment-ban"                         => moderation::lift_ban;

    // job offers
    GET    "/jobs"                                           => jobs::list_jobs;
    POST   "/jobs"                                           => jobs::create_job;
    GET    "/jobs/{id}/jsonld"                               => jobs::get_job_jsonld;
    GET    "/jobs/{id}"                                      => jobs::get_job;
    PATCH  "/jobs/{id}"                                      => jobs::update_job;
    DELETE "/jobs/{id}"                                      => jobs::delete_job;

    // events (the agenda)
    GET    "/events.ics"                                     => event_exports::export_events;
    GET    "/events"                                         => events::list_events;
    POST   "/events"                                         => events::create_event;
    GET    "/events/{id}.ics"                                => event_exports::export_event;
    GET    "/events/{id}"                                    => events::get_event;
    PATCH  "/events/{id}"                                    => events::update_event;
    DELETE "/events/{id}"                                    => events::delete_event;

    // polls
    GET    "/polls"                                          => polls::list_polls;
    POST   "/polls"                                          => polls::create_poll;
    GET    "/polls/{id}"                                     => polls::get_poll;
    PATCH  "/polls/{id}"                                     => polls::update_poll;
    DELETE "/polls/{id}"                                     => polls::delete_poll;
    POST   "/polls/{id}/close"                               => polls::close_poll;
    POST   "/polls/{id}/votes"                               => votes::cast_vote;
    PUT    "/polls/{id}/votes/mine"                          => votes::change_vote;
    GET    "/polls/{id}/results"                             => votes::get_results;

    // the audit log
    GET    "/audit"                                          => audit::list_audit;
    // the change feed
    GET    "/changes"                                        => changes::list_changes;
    // what left the public, for clients that sync a copy
    GET    "/deletions"                                      => deletions::list_deletions;

    // webhooks
    GET    "/webhooks"                                       => webhooks::list_webhooks;
    POST   "/webhooks"                                       => webhooks::create_webhook;
    GET    "/webhooks/{id}"                                  => webhooks::get_webhook;
    PATCH  "/webhooks/{id}"                                  => webhooks::update_webhook;
    DELETE "/webhooks/{id}"                                  => webhooks::delete_webhook;
    POST   "/webhooks/{id}/rotate-secret"                    => webhook_secret::rotate_webhook_secret;
    POST   "/webhooks/{id}/ping"                             => webhook_deliveries::ping_webhook;
    GET    "/webhooks/{id}/deliveries"                       => webhook_deliveries::list_deliveries;
    POST   "/webhooks/{id}/deliveries/{delivery_id}/redeliver" => webhook_deliveries::redeliver;
    // the media library
    GET    "/media"                                          => media::list_media;
    POST   "/media"                                          => media::upload_media;
    GET    "/media/{id}"                                     => media::get_media;
    PATCH  "/media/{id}"                                     => media::update_media;
    DELETE "/media/{id}"                                     => media::delete_media;
    GET    "/media/{id}/file"                                => media::get_media_file;
    GET    "/media/{id}/v/{version}/{file}"                  => media::get_media_variant;
    // the weather box
    GET    "/weather"                                        => weather::list_weather;
    GET    "/weather/{id}"                                   => weather::get_weather;
    PUT    "/weather/{id}"                                   => weather::put_weather;

    // feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1) and sitemaps
    GET    "/feeds/{format}"                                 => feeds::site_feed;
    GET    "/feeds/sections/{id}/{format}"                   => feeds::section_feed;
    GET    "/feeds/tags/{id}/{format}"                       => feeds::tag_feed;
    GET    "/feeds/authors/{id}/{format}"                    => feeds::author_feed;
    GET    "/feeds/jobs/{format}"                            => feeds::jobs_feed;
    GET    "/feeds/events/{format}"                          => feeds::events_feed;
    GET    "/sitemap.xml"                                    => sitemaps::sitemap_index;
    GET    "/sitemaps/news.xml"                              => sitemaps::news_sitemap;
    GET    "/sitemaps/{file}"                                => sitemaps::get_sitemap;
}

/// Outside the version: operations endpoints, for load balancers and Prometheus.
fn root(cfg: &mut ServiceConfig) {
    cfg.service(ops::handlers::healthz)
        .service(ops::handlers::readyz)
        .service(ops::handlers::metrics)
        .service(scope::scope("/api/v1").configure(api_v1));
}

/// The OpenAPI document, generated from the routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(root)
        .split_for_parts();
    crate::openapi::document_optional_auth(&mut doc);
    crate::openapi::document_edge_answers(&mut doc);
    crate::webhooks::describe(&mut doc);
    crate::openapi::finish(&mut doc);
    doc
}

/// The document and its path table, built once per process.
fn document() -> web::Data<ApiDocument> {
    static DOCUMENT: std::sync::OnceLock<web::Data<ApiDocument>> = std::sync::OnceLock::new();
    DOCUMENT
        .get_or_init(|| web::Data::new(ApiDocument::new(&openapi())))
        .clone()
}

/// The whole application, as each worker (and each test) runs it.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, _) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(root)
        .split_for_parts();
    let cors = cors(&state.config);
    app.app_data(state)
        .app_data(document())
        .service(
            SwaggerUi::new("/docs/{_:.*}")
                .config(utoipa_swagger_ui::Config::from("/api/v1/openapi.json")),
        )
        .route("/docs", web::get().to(ops::handlers::docs_redirect))
        .default_service(web::to(fallback::not_found))
        // innermost: a cached answer still gets CORS, security headers, metrics and its log line
        .wrap(from_fn(response_cache::serve))
        .wrap(from_fn(consistency::route_reads))
        .wrap(cors)
        .wrap(from_fn(middleware::around))
}

fn cors(config: &Config) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PATCH,
            Method::PUT,
            Method::DELETE,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static("x-request-id"),
            header::RANGE,
            // an anonymous voter's identity, which a front end keeps and sends back
            header::HeaderName::from_static("x-voter-token"),
        ])
        .expose_headers([
            header::ETAG,
            header::LINK,
            header::LOCATION,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
            header::CONTENT_RANGE,
            header::ACCEPT_RANGES,
            header::LAST_MODIFIED,
            header::HeaderName::from_static("x-voter-token"),
        ])
        // the configured origins are the site's own front ends: they may send
        // the `kiosque_voter` cookie, so "you already voted" works across origins
        .supports_credentials()
        .max_age(3600);
    for origin in &config.cors_origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table says what each handler's own attribute says, and the
    /// document has no operation the table does not list.
    #[test]
    fn the_table_matches_the_handlers() {
        let doc = serde_json::to_value(openapi()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        for (method, path, handler) in TABLE {
            let op = &paths[&format!("/api/v1{path}")][method.to_lowercase()];
            let name = handler.rsplit("::").next().unwrap().trim();
            assert_eq!(
                op["operationId"], name,
                "{method} {path}: the table names {handler}, the handler's attribute says otherwise"
            );
        }
        let documented = paths
            .iter()
            .filter(|(p, _)| p.starts_with("/api/v1/"))
            .flat_map(|(_, item)| item.as_object().unwrap().keys())
            .filter(|m| ["get", "post", "put", "patch", "delete"].contains(&m.as_str()))
            .count();
        assert_eq!(
            documented,
            TABLE.len(),
            "an operation is missing from the table"
        );
    }
}
