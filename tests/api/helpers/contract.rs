//! The document holds: every answer a test receives through [`Req::send`]
//! is checked against the OpenAPI document the server publishes, as a
//! generated client would rely on it:
//!
//! - the status is one the operation declares;
//! - a body is of a declared media type, and a JSON body is valid against
//!   that response's schema (`$ref`s resolved in the document itself);
//!   204 and 304 have none;
//! - `ETag`, `Location` and `Last-Modified` are sent when declared, and
//!   `ETag`, `Location`, `Link`, `Retry-After` and `Last-Modified` are
//!   declared when sent;
//! - on success, the JSON request body was valid against the request
//!   schema, and every query parameter is a declared one with a valid value
//!   (so a value the server accepts but the document refuses, like an enum
//!   spelt differently, fails too).
//!
//! An answer trimmed by `fields=` or `exclude=` (declared on the operation)
//! holds only some properties of its schema, as those parameters say: it is
//! checked against the schema with no property required.
//!
//! Requests the document does not describe (no operation for that method and
//! path: `/docs`, OPTIONS, HEAD, unknown routes) are not checked. Each app
//! records the operations it exercised (see `tests/api/contract.rs`).
//!
//! [`Req::send`]: super::Req::send

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::{Value, json};

use super::Resp;

/// One operation of the document.
struct Operation {
    method: String,
    template: String,
    segments: Vec<(String, Option<String>)>,
    specificity: usize,
    op: Value,
}

struct Contract {
    doc: Value,
    operations: Vec<Operation>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

static CONTRACT: LazyLock<Contract> = LazyLock::new(|| {
    let doc = serde_json::to_value(kiosque::routes::openapi()).unwrap();
    let mut operations = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            // a segment is a literal, or `{name}` with a literal prefix/suffix
            let segments: Vec<(String, Option<String>)> = template
                .split('/')
                .map(|s| match (s.find('{'), s.find('}')) {
                    (Some(a), Some(b)) if a < b => {
                        (s[..a].to_string(), Some(s[b + 1..].to_string()))
                    }
                    _ => (s.to_string(), None),
                })
                .collect();
            let specificity = segments
                .iter()
                .map(|(a, b)| a.len() + b.as_ref().map_or(0, String::len))
                .sum();
            operations.push(Operation {
                method: method.to_uppercase(),
                template: template.clone(),
                segments,
                specificity,
                op: op.clone(),
            });
        }
    }
    Contract {
        doc,
        operations,
        validators: Mutex::new(HashMap::new()),
    }
});

/// Every documented operation, as `METHOD /path/{template}`.
pub fn documented_operations() -> BTreeSet<String> {
    CONTRACT
        .operations
        .iter()
        .map(|o| format!("{} {}", o.method, o.template))
        .collect()
}

impl Contract {
    fn operation(&self, method: &str, path: &str) -> Option<&Operation> {
        let parts: Vec<&str> = path.split('/').collect();
        // the path picks its template first (as the router does), then the
        // method: `PATCH /comments/moderation` is not `PATCH /comments/{id}`
        let template = &self
            .operations
            .iter()
            .filter(|o| o.segments.len() == parts.len())
            .filter(|o| {
                o.segments
                    .iter()
                    .zip(&parts)
                    .all(|((lit, param), part)| match param {
                        None => lit == part,
                        Some(suffix) => {
                            part.len() > lit.len() + suffix.len()
                                && part.starts_with(lit.as_str())
                                && part.ends_with(suffix.as_str())
                        }
                    })
            })
            .max_by_key(|o| o.specificity)?
            .template;
        self.operations
            .iter()
            .find(|o| &o.template == template && o.method == method)
    }

    /// Follows a `$ref` to a component (responses, parameters…).
    fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let pointer = r.trim_start_matches('#');
                self.doc.pointer(pointer).unwrap_or(&Value::Null)
            }
            None => value,
        }
    }

    /// A validator for `schema`, resolving its `$ref`s in the document
    /// (`relaxed`: with no property required anywhere).
    fn validator(&self, schema: &Value, relaxed: bool) -> Arc<jsonschema::Validator> {
        let key = format!("{relaxed}{schema}");
        if let Some(v) = self.validators.lock().unwrap().get(&key) {
            return v.clone();
        }
        let mut components = self.doc["components"].clone();
        let mut schema = schema.clone();
        if relaxed {
            unrequire(&mut components);
            unrequire(&mut schema);
        }
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "components": components,
            "allOf": [schema],
        });
        let validator = Arc::new(
            jsonschema::draft202012::options()
                .should_validate_formats(true)
                .build(&root)
                .unwrap_or_else(|e| {
                    panic!("the document's schema does not compile: {e}: {schema}")
                }),
        );
        self.validators
            .lock()
            .unwrap()
            .insert(key, validator.clone());
        validator
    }

    fn errors(&self, schema: &Value, instance: &Value) -> Vec<String> {
        self.errors_as(schema, instance, false)
    }

    fn errors_as(&self, schema: &Value, instance: &Value, relaxed: bool) -> Vec<String> {
        self.validator(schema, relaxed)
            .iter_errors(instance)
            .map(|e| format!("{} at `{}`", e, e.instance_path()))
            .take(5)
            .collect()
    }
}

/// Drops every `required` list.
fn unrequire(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("required");
            map.values_mut().for_each(unrequire);
        }
        Value::Array(items) => items.iter_mut().for_each(unrequire),
        _ => {}
    }
}

fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn is_json(media: &str) -> bool {
    media == "application/json" || media.ends_with("+json")
}

fn media_matches(declared: &str, sent: &str) -> bool {
    let declared = essence(declared);
    declared == sent
        || declared == "*/*"
        || declared
            .strip_suffix("/*")
            .is_some_and(|top| sent.starts_with(&format!("{top}/")))
}

/// What the request was, for the check.
pub struct Sent<'a> {
    pub method: &'a str,
    pub path_and_query: &'a str,
    pub headers: &'a [(String, String)],
    pub body: Option<&'a [u8]>,
}

/// Checks `resp` (the answer to `sent`) against the document; returns the
/// operation it belongs to, if the document describes one, or panics with
/// every way the answer breaks the contract.
pub fn check(sent: &Sent, resp: &Resp) -> Option<String> {
    let contract = &*CONTRACT;
    let (path, query) = sent
        .path_and_query
        .split_once('?')
        .unwrap_or((sent.path_and_query, ""));
    let operation = contract.operation(sent.method, path)?;
    let name = format!("{} {}", operation.method, operation.template);
    let op = &operation.op;
    let mut wrong = Vec::new();

    let status = resp.status.to_string();
    let range = format!("{}XX", &status[..1]);
    let declared = op["responses"]
        .get(&status)
        .or_else(|| op["responses"].get(&range))
        .or_else(|| op["responses"].get("default"));
    let Some(declared) = declared else {
        panic!(
            "{name}: the document declares no {status} (declared: {:?}); the answer: {}",
            op["responses"]
                .as_object()
                .map(|r| r.keys().collect::<Vec<_>>()),
            resp.text()
        );
    };
    let declared = contract.resolve(declared);
    // an answer trimmed by a declared `fields=`/`exclude=` lacks properties
    let trimmed = resp.status == 200
        && url_pairs(query).iter().any(|(k, _)| {
            (k == "fields" || k == "exclude")
                && op["parameters"].as_array().is_some_and(|ps| {
                    ps.iter()
                        .map(|p| contract.resolve(p))
                        .any(|p| p["in"] == "query" && p["name"] == k.as_str())
                })
        });

    // the body: declared media type, valid JSON
    let sent_type = resp.header("content-type").map(essence).unwrap_or_default();
    if matches!(resp.status, 204 | 304) && !resp.body.is_empty() {
        wrong.push(format!("a {status} has a body"));
    }
    if !resp.body.is_empty() && sent.method != "HEAD" {
        let content = declared["content"].as_object();
        let entry = content.and_then(|c| c.iter().find(|(m, _)| media_matches(m, &sent_type)));
        match entry {
            None => wrong.push(format!(
                "a `{sent_type}` body, but {status} declares {:?}",
                content.map(|c| c.keys().collect::<Vec<_>>())
            )),
            Some((_, media)) if is_json(&sent_type) => {
                match serde_json::from_slice::<Value>(&resp.body) {
                    Err(e) => wrong.push(format!("the body is not JSON: {e}")),
                    Ok(body) => {
                        if let Some(schema) = media.get("schema") {
                            for e in contract.errors_as(schema, &body, trimmed) {
                                wrong.push(format!("body: {e}"));
                            }
                        }
                    }
                }
            }
            Some(_) => {}
        }
    }

    // headers: declared ones sent, sent ones declared
    let declared_headers: Vec<String> = declared["headers"]
        .as_object()
        .map(|h| h.keys().map(|k| k.to_ascii_lowercase()).collect())
        .unwrap_or_default();
    for must in ["etag", "location", "last-modified"] {
        if declared_headers.iter().any(|h| h == must) && resp.header(must).is_none() {
            wrong.push(format!("{status} declares `{must}` but it was not sent"));
        }
    }
    for contract_header in ["etag", "location", "link", "retry-after", "last-modified"] {
        if resp.header(contract_header).is_some()
            && !declared_headers.iter().any(|h| h == contract_header)
        {
            wrong.push(format!(
                "`{contract_header}` sent but not declared on {status}"
            ));
        }
    }

    // what the server accepted, the document must accept too
    if (200..300).contains(&resp.status) {
        let is_json_body = sent
            .headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && is_json(&essence(v)));
        if let (Some(body), true) = (sent.body, is_json_body)
            && let Ok(body) = serde_json::from_slice::<Value>(body)
        {
            match op["requestBody"]["content"]["application/json"].get("schema") {
                Some(schema) => {
                    for e in contract.errors(schema, &body) {
                        wrong.push(format!("accepted request body: {e}"));
                    }
                }
                None => wrong.push("a JSON body was accepted but none is documented".into()),
            }
        }
        let params: Vec<&Value> = op["parameters"]
            .as_array()
            .map(|ps| ps.iter().map(|p| contract.resolve(p)).collect())
            .unwrap_or_default();
        for (key, value) in url_pairs(query) {
            let Some(param) = params
                .iter()
                .find(|p| p["in"] == "query" && p["name"] == key.as_str())
            else {
                wrong.push(format!(
                    "accepted query parameter `{key}` is not documented"
                ));
                continue;
            };
            if let Some(schema) = param.get("schema") {
                let typed = typed_value(contract.resolve(schema), &value);
                for e in contract.errors(schema, &typed) {
                    wrong.push(format!("accepted `{key}={value}`: {e}"));
                }
            }
        }
    }

    assert!(
        wrong.is_empty(),
        "{} {} answered {status}, which the document does not describe:\n- {}\nthe answer: {}",
        sent.method,
        sent.path_and_query,
        wrong.join("\n- "),
        resp.text().chars().take(2000).collect::<String>()
    );
    Some(name)
}

/// A query value as the parameter's schema types it.
fn typed_value(schema: &Value, raw: &str) -> Value {
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"integer")
        && let Ok(n) = raw.parse::<i64>()
    {
        return json!(n);
    }
    if types.contains(&"number")
        && let Ok(n) = raw.parse::<f64>()
    {
        return json!(n);
    }
    if types.contains(&"boolean")
        && let Ok(b) = raw.parse::<bool>()
    {
        return json!(b);
    }
    json!(raw)
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_default()
}
