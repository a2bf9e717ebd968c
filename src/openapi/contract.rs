//! The last touches that make the generated document a contract generated
//! clients can trust, applied once to the finished document (utoipa cannot
//! say these per handler, or would have to be told the same thing a hundred
//! times):
//!
//! - list envelopes name their item schema (`$ref`) instead of inlining it;
//! - a field a response always carries, possibly `null`, is `required`;
//! - a free-form object says so (`additionalProperties: true`), or generators
//!   type it as an object with no keys;
//! - bytes (uploads, files) are binary strings, not arrays of integers;
//! - every conditional read declares `If-None-Match`, its 304 and its `ETag`;
//! - the problem responses declare `Retry-After` and `WWW-Authenticate`;
//! - every operation has a description and declares its security;
//! - the JSON-LD and the document itself are typed.
//!
//! The api suite validates every answer it receives against the result
//! (`tests/api/helpers/contract.rs`), so a touch that says more than the
//! server does fails there.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, Schema, SchemaType, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{
    KnownFormat, ObjectBuilder, OpenApi, Ref, RefOr, Required, Response, ResponseBuilder,
    SchemaFormat,
};

/// Fields left out of an answer when they have no value (serde's
/// `skip_serializing_if`), which therefore stay optional: `Schema.field`.
const SOMETIMES_ABSENT: &[&str] = &[
    "ArticleDetail.rejection_reason",
    "Comment.status",
    "Comment.body",
    "Comment.held_reason",
    "Comment.editable_until",
    "Comment.guest_email",
    "Comment.flag_count",
    "Comment.article",
    "Comment.pending_edit",
    "PollResults.reason",
    "PollResults.total_voters",
    "PollResults.options",
    "PollResults.my_choice",
    "Problem.errors",
    "VoteReceipt.voter_token",
];

/// Reads that send no `ETag` (live state, or a one-off export).
const UNCONDITIONAL_READS: &[&str] = &["healthz", "readyz", "metrics", "export_me", "list_changes"];

/// The document as clients receive it.
pub fn finish(doc: &mut OpenApi) {
    // relative: the document is right for whichever host serves it
    doc.servers = Some(vec![
        utoipa::openapi::server::ServerBuilder::new()
            .url("/")
            .description(Some("The server that serves this document"))
            .build(),
    ]);
    if let Some(license) = doc.info.license.as_mut() {
        // an SPDX identifier, so tools need no URL to know the licence
        license.identifier = Some(license.name.clone());
    }
    list_items_by_ref(doc);
    binary_bodies(doc);
    always_sent_fields_required(doc);
    free_form_objects(doc);
    typed_documents(doc);
    conditional_reads(doc);
    problem_headers(doc);
    redirects_and_retries(doc);
    operations_described_and_secured(doc);
}

fn operations_mut(
    item: &mut utoipa::openapi::path::PathItem,
) -> Vec<(&'static str, &mut Operation)> {
    [
        ("get", item.get.as_mut()),
        ("post", item.post.as_mut()),
        ("put", item.put.as_mut()),
        ("patch", item.patch.as_mut()),
        ("delete", item.delete.as_mut()),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.map(|op| (m, op)))
    .collect()
}

/// `Page_Job.data.items` is `$ref: Job`, not a copy of `Job`.
fn list_items_by_ref(doc: &mut OpenApi) {
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let names: BTreeSet<String> = components.schemas.keys().cloned().collect();
    for (name, schema) in components.schemas.iter_mut() {
        let Some(item) = name.strip_prefix("Page_") else {
            continue;
        };
        if !names.contains(item) {
            continue;
        }
        if let RefOr::T(Schema::Object(page)) = schema
            && let Some(RefOr::T(Schema::Array(data))) = page.properties.get_mut("data")
        {
            data.items = ArrayItems::RefOrSchema(Box::new(RefOr::Ref(Ref::from_schema_name(item))));
        }
    }
}

/// `Vec<u8>` bodies come out of utoipa as arrays of integers; a file is a
/// binary string (generators then take a `Blob` or a byte stream).
fn binary_bodies(doc: &mut OpenApi) {
    let bytes =
        json!({"type": "array", "items": {"type": "integer", "format": "int32", "minimum": 0}});
    let binary = || {
        RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                .build(),
        ))
    };
    let fix = |content: &mut RefOr<utoipa::openapi::Content>| {
        if let RefOr::T(content) = content
            && content
                .schema
                .as_ref()
                .is_some_and(|s| serde_json::to_value(s).is_ok_and(|v| v == bytes))
        {
            content.schema = Some(binary());
        }
    };
    for item in doc.paths.paths.values_mut() {
        for (_, op) in operations_mut(item) {
            if let Some(RefOr::T(body)) = op.request_body.as_mut() {
                body.content.values_mut().for_each(fix);
            }
            for response in op.responses.responses.values_mut() {
                if let RefOr::T(r) = response {
                    r.content.values_mut().for_each(fix);
                }
            }
        }
    }
}

/// The names of the component schemas that `value` refers to, transitively.
fn referenced(
    value: &Value,
    schemas: &serde_json::Map<String, Value>,
    into: &mut BTreeSet<String>,
) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref")
                && let Some(name) = r.strip_prefix("#/components/schemas/")
                && into.insert(name.to_string())
                && let Some(target) = schemas.get(name)
            {
                referenced(target, schemas, into);
            }
            for v in map.values() {
                referenced(v, schemas, into);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| referenced(v, schemas, into)),
        _ => {}
    }
}

fn is_nullable(schema: &Value) -> bool {
    let null = |t: &Value| *t == "null";
    match schema.get("type") {
        Some(Value::Array(types)) if types.iter().any(null) => return true,
        _ => {}
    }
    schema
        .get("oneOf")
        .and_then(Value::as_array)
        .is_some_and(|alts| alts.iter().any(|a| a.get("type").is_some_and(null)))
}

/// In schemas only answers use, an `Option` field is always sent (as `null`
/// when empty) unless listed in [`SOMETIMES_ABSENT`]: it is `required` and
/// nullable, so a generated type says `field: T | null`, not `field?: T`.
/// Schemas requests use too stay as they are (there the field may be left out).
fn always_sent_fields_required(doc: &mut OpenApi) {
    let whole = serde_json::to_value(&*doc).unwrap_or(Value::Null);
    let empty = serde_json::Map::new();
    let schemas = whole["components"]["schemas"].as_object().unwrap_or(&empty);
    let mut answers = BTreeSet::new();
    let mut asks = BTreeSet::new();
    for item in whole["paths"].as_object().unwrap_or(&empty).values() {
        for op in item.as_object().unwrap_or(&empty).values() {
            referenced(&op["responses"], schemas, &mut answers);
            referenced(&op["requestBody"], schemas, &mut asks);
            referenced(&op["parameters"], schemas, &mut asks);
        }
    }
    referenced(&whole["components"]["responses"], schemas, &mut answers);
    // webhook payloads are bodies Kiosque sends, described as requests
    referenced(&whole["webhooks"], schemas, &mut asks);
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for name in answers.difference(&asks) {
        let Some(schema) = components.schemas.get_mut(name) else {
            continue;
        };
        let objects = match schema {
            RefOr::T(Schema::Object(o)) => vec![o],
            RefOr::T(Schema::AllOf(all)) => all
                .items
                .iter_mut()
                .filter_map(|s| match s {
                    RefOr::T(Schema::Object(o)) => Some(o),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        for object in objects {
            let missing: Vec<String> = object
                .properties
                .iter()
                .filter(|(field, _)| !object.required.iter().any(|r| r == *field))
                .filter(|(field, _)| {
                    !SOMETIMES_ABSENT.contains(&format!("{name}.{field}").as_str())
                })
                .filter(|(_, s)| is_nullable(&serde_json::to_value(s).unwrap_or(Value::Null)))
                .map(|(field, _)| field.clone())
                .collect();
            object.required.extend(missing);
        }
    }
}

/// Calls `f` on every object schema inside `schema`, itself included.
fn each_object(
    schema: &mut RefOr<Schema>,
    f: &mut impl FnMut(&mut utoipa::openapi::schema::Object),
) {
    let RefOr::T(schema) = schema else { return };
    match schema {
        Schema::Object(o) => {
            f(o);
            for p in o.properties.values_mut() {
                each_object(p, f);
            }
            if let Some(extra) = o.additional_properties.as_deref_mut()
                && let AdditionalProperties::RefOr(s) = extra
            {
                each_object(s, f);
            }
        }
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(items) = &mut a.items {
                each_object(items, f);
            }
        }
        Schema::OneOf(o) => o.items.iter_mut().for_each(|s| each_object(s, f)),
        Schema::AllOf(o) => o.items.iter_mut().for_each(|s| each_object(s, f)),
        Schema::AnyOf(o) => o.items.iter_mut().for_each(|s| each_object(s, f)),
        _ => {}
    }
}

/// An object with no declared properties holds anything: say so, or
/// generators make it `Record<string, never>`.
fn free_form_objects(doc: &mut OpenApi) {
    let mut open = |o: &mut utoipa::openapi::schema::Object| {
        let is_object = match &o.schema_type {
            SchemaType::Type(t) => *t == Type::Object,
            SchemaType::Array(ts) => ts.contains(&Type::Object),
            _ => false,
        };
        if is_object && o.properties.is_empty() && o.additional_properties.is_none() {
            o.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(true)));
        }
    };
    if let Some(components) = doc.components.as_mut() {
        for s in components.schemas.values_mut() {
            each_object(s, &mut open);
        }
    }
    for item in doc.paths.paths.values_mut() {
        for (_, op) in operations_mut(item) {
            for response in op.responses.responses.values_mut() {
                if let RefOr::T(r) = response {
                    for content in r.content.values_mut() {
                        if let RefOr::T(content) = content
                            && let Some(s) = content.schema.as_mut()
                        {
                            each_object(s, &mut open);
                        }
                    }
                }
            }
        }
    }
}

fn schema_of(value: Value) -> RefOr<Schema> {
    serde_json::from_value(value).expect("a schema written here deserialises")
}

/// The schema.org `JobPosting` that `/jobs/{id}/jsonld` answers (as
/// `jobs::jsonld` builds it), the `NewsArticle` of `/articles/{id}/jsonld`
/// (`articles::jsonld`), and the frame of this document.
fn typed_documents(doc: &mut OpenApi) {
    let text = || json!({"type": "string"});
    let typed = |t: &str| json!({"type": "string", "const": t});
    let job_posting = json!({
        "type": "object",
        "description": "A schema.org `JobPosting`, for search engines' job listings (Google for Jobs).",
        "required": ["@context", "@type", "title", "description", "identifier", "employmentType",
                     "hiringOrganization", "jobLocation"],
        "properties": {
            "@context": {"type": "string", "const": "https://schema.org"},
            "@type": typed("JobPosting"),
            "title": text(),
            "description": {"type": "string", "description": "The description as sanitized HTML."},
            "identifier": {
                "type": "object",
                "required": ["@type", "name", "value"],
                "properties": {"@type": typed("PropertyValue"), "name": text(), "value": text()}
            },
            "datePosted": {"type": "string", "format": "date-time"},
            "validThrough": {"type": "string", "format": "date-time"},
            "employmentType": {
                "type": "array",
                "items": {"type": "string", "enum": ["FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER"]}
            },
            "hiringOrganization": {
                "type": "object",
                "required": ["@type", "name"],
                "properties": {
                    "@type": typed("Organization"),
                    "name": text(),
                    "sameAs": {"type": "string", "format": "uri"},
                    "logo": {"type": "string", "format": "uri"}
                }
            },
            "jobLocation": {
                "type": "object",
                "required": ["@type", "address"],
                "properties": {
                    "@type": typed("Place"),
                    "address": {
                        "type": "object",
                        "required": ["@type", "addressLocality", "postalCode", "addressCountry"],
                        "properties": {
                            "@type": typed("PostalAddress"),
                            "addressLocality": text(),
                            "postalCode": text(),
                            "addressCountry": text()
                        }
                    }
                }
            },
            "jobLocationType": typed("TELECOMMUTE"),
            "applicantLocationRequirements": {
                "type": "object",
                "required": ["@type", "name"],
                "properties": {"@type": typed("Country"), "name": text()}
            },
            "baseSalary": {
                "type": "object",
                "required": ["@type", "currency", "value"],
                "properties": {
                    "@type": typed("MonetaryAmount"),
                    "currency": text(),
                    "value": {
                        "type": "object",
                        "required": ["@type", "unitText"],
                        "properties": {
                            "@type": typed("QuantitativeValue"),
                            "value": {"type": "number"},
                            "minValue": {"type": "number"},
                            "maxValue": {"type": "number"},
                            "unitText": {"type": "string", "enum": ["HOUR", "DAY", "WEEK", "MONTH", "YEAR"]}
                        }
                    }
                }
            },
            "directApply": {"type": "boolean"},
            "url": {"type": "string", "format": "uri"}
        }
    });
    let image = json!({
        "type": "object",
        "required": ["@type", "url"],
        "properties": {
            "@type": typed("ImageObject"),
            "url": {"type": "string", "format": "uri"},
            "width": {"type": "integer"},
            "height": {"type": "integer"},
            "caption": text(),
            "creditText": text()
        }
    });
    let news_article = json!({
        "type": "object",
        "description": "A schema.org `NewsArticle`, for search engines' news results. `headline` is the SEO title or the title, `description` the SEO description or the lead, `mainEntityOfPage` the canonical URL or the article's page on the site, `image` the cover (a library item's default source and social crop, or the cover's URL).",
        "required": ["@context", "@type", "headline", "url", "mainEntityOfPage", "dateModified",
                     "inLanguage", "publisher"],
        "properties": {
            "@context": {"type": "string", "const": "https://schema.org"},
            "@type": typed("NewsArticle"),
            "headline": text(),
            "description": text(),
            "url": {"type": "string", "format": "uri", "description": "The article's page on the site."},
            "mainEntityOfPage": {
                "type": "object",
                "required": ["@type", "@id"],
                "properties": {"@type": typed("WebPage"), "@id": {"type": "string", "format": "uri"}}
            },
            "datePublished": {"type": "string", "format": "date-time"},
            "dateModified": {"type": "string", "format": "date-time"},
            "author": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["@type", "name"],
                    "properties": {
                        "@type": typed("Person"),
                        "name": text(),
                        "url": {"type": "string", "format": "uri"}
                    }
                }
            },
            "articleSection": text(),
            "keywords": {"type": "array", "items": text()},
            "image": {"type": "array", "items": image},
            "inLanguage": text(),
            "publisher": {
                "type": "object",
                "required": ["@type", "name", "url"],
                "properties": {
                    "@type": typed("Organization"),
                    "name": text(),
                    "url": {"type": "string", "format": "uri"}
                }
            }
        }
    });
    let document = json!({
        "type": "object",
        "description": "An OpenAPI 3.1 document (this one).",
        "required": ["openapi", "info", "paths"],
        "properties": {
            "openapi": {"type": "string", "example": "3.1.0"},
            "info": {
                "type": "object",
                "required": ["title", "version"],
                "properties": {"title": text(), "version": text()},
                "additionalProperties": true
            },
            "servers": {"type": "array", "items": {"type": "object", "additionalProperties": true}},
            "paths": {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": true}},
            "components": {"type": "object", "additionalProperties": true},
            "tags": {"type": "array", "items": {"type": "object", "additionalProperties": true}}
        },
        "additionalProperties": true
    });
    let components = doc.components.get_or_insert_with(Default::default);
    components
        .schemas
        .insert("JobPosting".into(), schema_of(job_posting));
    components
        .schemas
        .insert("NewsArticle".into(), schema_of(news_article));
    components
        .schemas
        .insert("OpenApiDocument".into(), schema_of(document));
    for item in doc.paths.paths.values_mut() {
        for (_, op) in operations_mut(item) {
            let name = match op.operation_id.as_deref() {
                Some("get_job_jsonld") => "JobPosting",
                Some("get_article_jsonld") => "NewsArticle",
                Some("openapi_json") => "OpenApiDocument",
                _ => continue,
            };
            if let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") {
                for content in ok.content.values_mut() {
                    if let RefOr::T(content) = content {
                        content.schema = Some(RefOr::Ref(Ref::from_schema_name(name)));
                    }
                }
            }
        }
    }
}

fn plain_header(description: &str) -> utoipa::openapi::header::Header {
    HeaderBuilder::new()
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .description(Some(description))
        .build()
}

fn header(description: &str) -> RefOr<utoipa::openapi::header::Header> {
    RefOr::T(plain_header(description))
}

/// Every read that sends an `ETag` declares it, takes `If-None-Match` and
/// may answer 304 (which generated clients must not read as an error).
fn conditional_reads(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let Some(op) = item.get.as_mut() else {
            continue;
        };
        if UNCONDITIONAL_READS.contains(&op.operation_id.as_deref().unwrap_or("")) {
            continue;
        }
        let mut dated = false;
        if let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") {
            ok.headers.insert(
                "ETag".into(),
                header("The representation's tag: send it back in `If-None-Match`"),
            );
            ok.headers
                .entry("Cache-Control".into())
                .or_insert_with(|| header("Who may keep a copy, and for how long"));
            dated = ok.headers.contains_key("Last-Modified");
            let page = ok.content.values().any(|c| {
                matches!(c, RefOr::T(c) if matches!(&c.schema,
                    Some(RefOr::Ref(r)) if r.ref_location.starts_with("#/components/schemas/Page_")))
            });
            if page {
                ok.headers.entry("Link".into()).or_insert_with(|| {
                    header("RFC 8288 links to the `next` and `prev` pages, when there are")
                });
            }
        }
        let params = op.parameters.get_or_insert_with(Vec::new);
        let has = |params: &Vec<RefOr<utoipa::openapi::path::Parameter>>, name: &str| {
            params
                .iter()
                .any(|p| matches!(p, RefOr::T(p) if p.name.eq_ignore_ascii_case(name)))
        };
        if !has(params, "If-None-Match") {
            params.push(RefOr::T(
                ParameterBuilder::new()
                    .name("If-None-Match")
                    .parameter_in(ParameterIn::Header)
                    .required(Required::False)
                    .description(Some(
                        "The `ETag` of the copy you hold: 304 if it is still current",
                    ))
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                    .build(),
            ));
        }
        if dated && !has(params, "If-Modified-Since") {
            params.push(RefOr::T(
                ParameterBuilder::new()
                    .name("If-Modified-Since")
                    .parameter_in(ParameterIn::Header)
                    .required(Required::False)
                    .description(Some(
                        "The `Last-Modified` of the copy you hold: 304 if nothing changed since",
                    ))
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                    .build(),
            ));
        }
        let mut not_modified = ResponseBuilder::new()
            .description("Not modified: the copy named by `If-None-Match` is current; no body")
            .header("ETag", plain_header("The current tag (the one you sent)"));
        if dated {
            not_modified = not_modified.header(
                "Last-Modified",
                plain_header("When the current representation last changed"),
            );
        }
        let not_modified = not_modified.build();
        op.responses
            .responses
            .insert("304".into(), RefOr::T(not_modified));
    }
}

/// The headers the shared problem responses carry.
fn problem_headers(doc: &mut OpenApi) {
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let add = |response: Option<&mut RefOr<Response>>, name: &str, description: &str| {
        if let Some(RefOr::T(r)) = response {
            r.headers.insert(name.into(), header(description));
        }
    };
    for name in ["TooManyRequests", "Unavailable", "StorageFull"] {
        add(
            components.responses.get_mut(name),
            "Retry-After",
            "Seconds to wait before trying again",
        );
    }
    add(
        components.responses.get_mut("Unauthorized"),
        "WWW-Authenticate",
        "`Bearer`, with the reason as `error` and `error_description`",
    );
}

/// A redirect an operation declares inline says where it goes (`Location`);
/// a 429, 503 or 507 it declares inline says when to retry (`Retry-After`),
/// as the shared responses do.
fn redirects_and_retries(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        for (_, op) in operations_mut(item) {
            for (status, response) in op.responses.responses.iter_mut() {
                let RefOr::T(r) = response else { continue };
                let (name, description) = match status.as_str() {
                    "301" | "302" | "303" | "307" | "308" => ("Location", "Where the resource is"),
                    "429" | "503" | "507" => ("Retry-After", "Seconds to wait before trying again"),
                    _ => continue,
                };
                if !r.headers.keys().any(|k| k.eq_ignore_ascii_case(name)) {
                    r.headers.insert(name.into(), header(description));
                }
            }
        }
    }
}

/// Every operation has a description (the summary when the handler says no
/// more) and declares its security: operations that take no token say so
/// with an empty requirement.
fn operations_described_and_secured(doc: &mut OpenApi) {
    let webhooks = doc.webhooks.iter_mut().flat_map(|w| w.paths.values_mut());
    for item in doc.paths.paths.values_mut().chain(webhooks) {
        for (_, op) in operations_mut(item) {
            if op.description.is_none() {
                op.description = op.summary.clone();
            }
            if op.security.is_none() {
                op.security = Some(vec![SecurityRequirement::default()]);
            }
        }
    }
}
