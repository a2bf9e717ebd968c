//! Every URL of the API, in one place. Each handler carries its own path and
//! OpenAPI description; registering it here puts it in both the router and
//! the document.

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
use crate::http::{fallback, middleware};
use crate::openapi::ApiDoc;
use crate::state::AppState;
use crate::{api_keys, ops, polls, sections, tags, users};

/// `/api/v1`: the versioned public API.
fn api_v1(cfg: &mut ServiceConfig) {
    use ops::handlers as ops;
    use sections::handlers as sections;
    use tags::handlers as tags;
    use users::{account, me};
    cfg.service(ops::openapi_json)
        // identity
        .service(account::register)
        .service(account::login)
        .service(account::refresh)
        .service(account::logout)
        .service(me::get_me)
        .service(me::update_me)
        .service(me::change_password)
        .service(users::handlers::list_users)
        .service(users::handlers::get_user)
        .service(users::handlers::update_user)
        .service(users::handlers::delete_user)
        .service(api_keys::handlers::create_api_key)
        .service(api_keys::handlers::list_api_keys)
        .service(api_keys::handlers::get_api_key)
        .service(api_keys::handlers::revoke_api_key)
        // sections and tags
        .service(sections::list_sections)
        .service(sections::create_section)
        .service(sections::get_section)
        .service(sections::update_section)
        .service(sections::delete_section)
        .service(tags::list_tags)
        .service(tags::create_tag)
        .service(tags::get_tag)
        .service(tags::update_tag)
        .service(tags::delete_tag);

    // articles and authors (issue 4)
    use crate::articles::{authors, handlers as articles, revisions};
    cfg.service(articles::list_articles)
        .service(articles::create_article)
        .service(articles::get_article)
        .service(articles::update_article)
        .service(articles::delete_article)
        .service(articles::related_articles)
        .service(revisions::list_revisions)
        .service(revisions::get_revision)
        .service(revisions::restore_revision)
        .service(authors::list_authors)
        .service(authors::get_author);

    // comments (issue 5)
    {
        use crate::comments::{handlers, moderation, own};
        cfg.service(handlers::list_comments)
            .service(handlers::post_comment)
            // `/comments/moderation` before `/comments/{comment}`
            .service(moderation::list_queue)
            .service(moderation::decide_many)
            .service(own::update_comment)
            .service(own::delete_comment)
            .service(own::flag_comment)
            .service(moderation::ban_commenter)
            .service(moderation::lift_ban);
    }

    // job offers and events (issue 6)
    {
        use crate::events::{export, handlers as events};
        use crate::jobs::handlers as jobs;
        cfg.service(jobs::list_jobs)
            .service(jobs::create_job)
            .service(jobs::get_job_jsonld)
            .service(jobs::get_job)
            .service(jobs::update_job)
            .service(jobs::delete_job)
            // `/events.ics` and `/events/{id}.ics` before `/events/{id}`, which would take them
            .service(export::export_events)
            .service(events::list_events)
            .service(events::create_event)
            .service(export::export_event)
            .service(events::get_event)
            .service(events::update_event)
            .service(events::delete_event);
    }

    // polls (issue 7)
    {
        use polls::{handlers, votes};
        cfg.service(handlers::list_polls)
            .service(handlers::create_poll)
            .service(handlers::get_poll)
            .service(handlers::update_poll)
            .service(handlers::delete_poll)
            .service(handlers::close_poll)
            .service(votes::cast_vote)
            .service(votes::change_vote)
            .service(votes::get_results);
    }

    // audit log (issue 15)
    cfg.service(crate::audit::handlers::list_audit);
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
    doc
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
        .service(
            SwaggerUi::new("/docs/{_:.*}")
                .config(utoipa_swagger_ui::Config::from("/api/v1/openapi.json")),
        )
        .route("/docs", web::get().to(ops::handlers::docs_redirect))
        .default_service(web::to(fallback::not_found))
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
        ])
        .expose_headers([
            header::ETAG,
            header::LINK,
            header::LOCATION,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
        ])
        .max_age(3600);
    for origin in &config.cors_origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}
