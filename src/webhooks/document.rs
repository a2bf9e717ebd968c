//! The payloads of webhook deliveries in the OpenAPI document, as OpenAPI
//! 3.1 `webhooks`: one signed POST, its three headers and its body.

use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::{
    ContentBuilder, ObjectBuilder, OpenApi, PathItem, PathsBuilder, Ref, Required, Response, Type,
};
use utoipa::{PartialSchema, ToSchema};

use super::dto::WebhookEvent;

const DESCRIPTION: &str = "Kiosque POSTs each change of content to every enabled endpoint \
whose `event_types` match it (and `webhook.ping` on request), following Standard Webhooks 1.0. \
Verify the signature before trusting the body: `webhook-signature` holds one or more \
space-separated `v1,<base64>` signatures, each the HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` \
keyed with the base64-decoded part of the endpoint's secret after `whsec_` (during a secret \
rotation, one per secret); refuse timestamps far from now. Any Standard Webhooks library does this.\n\n\
Answer 2xx quickly to acknowledge. Anything else (a timeout, a 3xx: redirects are not followed, \
a 4xx or 5xx) is retried with backoff (`KIOSQUE_WEBHOOK_RETRY_SCHEDULE`, about a day by default); \
`410 Gone` disables the endpoint at once, and so do `KIOSQUE_WEBHOOK_DISABLE_AFTER` failures in a row. \
A delivery may come twice (after a crash, or a manual redelivery) but always with the same \
`webhook-id`: de-duplicate on it. A resource's changes arrive in order: the next waits until the \
previous one is delivered or given up.";

fn header(name: &str, description: &str, example: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .examples([serde_json::json!(example)]),
        ))
        .build()
}

/// Adds the `webhooks` section and the schemas it uses to `doc`.
pub fn describe(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    let mut schemas = vec![(WebhookEvent::name().into_owned(), WebhookEvent::schema())];
    WebhookEvent::schemas(&mut schemas);
    for (name, schema) in schemas {
        components.schemas.entry(name).or_insert(schema);
    }
    let operation = OperationBuilder::new()
        .operation_id(Some("receive_change"))
        .tag("webhooks")
        .summary(Some(
            "A change of content, signed (sent by Kiosque to your endpoint)",
        ))
        .description(Some(DESCRIPTION))
        .parameters(Some([
            header(
                "webhook-id",
                "The message's id: the same on every attempt of one change to one endpoint",
                "msg_1207_3",
            ),
            header(
                "webhook-timestamp",
                "When this attempt was signed, in seconds since the epoch",
                "1764600000",
            ),
            header(
                "webhook-signature",
                "Space-separated `v1,<base64 HMAC-SHA256>` signatures, one per secret in force",
                "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
            ),
        ]))
        .request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name(WebhookEvent::name())))
                        .build(),
                )
                .build(),
        ))
        .response("2XX", Response::new("Acknowledged: the delivery is done"))
        .response("410", Response::new("Gone: Kiosque disables the endpoint"))
        .response(
            "default",
            Response::new("Anything else, or no answer in time: retried with backoff"),
        );
    doc.webhooks = Some(
        PathsBuilder::new()
            .path("change", PathItem::new(HttpMethod::Post, operation))
            .build(),
    );
}
