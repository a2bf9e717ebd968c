//! Text no database stores alike is refused at the edge, the same way on
//! SQLite and PostgreSQL: a NUL character (or bytes that are not UTF-8) in a
//! path, a query or any string of a body; and names made only of invisible
//! characters are not names.

use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::TestApp;

/// Every GET path of the API that takes a parameter, with each parameter
/// replaced by `value` (kept literal prefixes and suffixes: `{id}.ics`).
fn every_parameterised_get(app: &TestApp, value: &str) -> Vec<String> {
    let doc = app.get("/api/v1/openapi.json").send().ok();
    let mut paths = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        if !template.contains('{') || item.get("get").is_none() {
            continue;
        }
        let mut concrete = String::new();
        let mut rest = template.as_str();
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').unwrap() + open;
            concrete.push_str(&rest[..open]);
            concrete.push_str(value);
            rest = &rest[close + 1..];
        }
        concrete.push_str(rest);
        paths.push(concrete);
    }
    assert!(paths.len() >= 15, "the document lists its paths: {paths:?}");
    paths
}

#[track_caller]
fn refused_at_the_edge(app: &TestApp, path: &str, token: Option<&str>) {
    let mut req = app.get(path);
    if let Some(t) = token {
        req = req.bearer(t);
    }
    let res = req.send();
    assert_eq!(
        res.status,
        400,
        "GET {path}: expected 400, got {}: {}",
        res.status,
        res.text()
    );
    assert_eq!(res.problem(400)["code"], "invalid_text", "GET {path}");
}

fn nul_in_any_path_parameter_is_a_400(app: &TestApp) {
    let editor = app.editor();
    for value in ["%00", "a%00b", "%FF", "%C3"] {
        for path in every_parameterised_get(app, value) {
            refused_at_the_edge(app, &path, None);
            refused_at_the_edge(app, &path, Some(&editor.token));
        }
    }
}

fn nul_in_any_query_parameter_is_a_400(app: &TestApp) {
    let editor = app.editor();
    for path in [
        "/api/v1/articles?section=%00",
        "/api/v1/articles?tag=a%00b",
        "/api/v1/articles?author=%00",
        "/api/v1/articles?q=%00",
        "/api/v1/articles?q=caf%E9",
        "/api/v1/articles?sort=%00title",
        "/api/v1/articles?cursor=%00",
        "/api/v1/articles?fields=title%00",
        "/api/v1/jobs?q=%00",
        "/api/v1/jobs?city=%00",
        "/api/v1/events?q=%00",
        "/api/v1/events?city=%00",
        "/api/v1/tags?q=%00",
        "/api/v1/sections?sort=%00",
        "/api/v1/polls?limit=%00",
        "/api/v1/authors?page=1%00",
        "/api/v1/users?q=%00",
        "/api/v1/comments?status=%00",
        "/api/v1/articles?%00=1",
    ] {
        refused_at_the_edge(app, path, None);
        refused_at_the_edge(app, path, Some(&editor.token));
    }
}

#[track_caller]
fn refused_field(res: &crate::helpers::Resp, field: &str) {
    let p = res.problem(422);
    assert_eq!(p["code"], "validation_failed");
    assert!(
        p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == field),
        "{field} named in {p}"
    );
}

fn nul_in_any_string_of_a_body_is_a_422(app: &TestApp) {
    let editor = app.editor();
    let member = app.member();
    let login = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": "a\u{0}b@example.org", "password": "x"}))
        .send();
    refused_field(&login, "email");
    let register = app
        .post("/api/v1/auth/register")
        .json(&json!({"email": "new@example.org", "password": "Tr0mpette-du-Mardi\u{0}", "display_name": "Nouveau"}))
        .send();
    refused_field(&register, "password");

    let shapes: Vec<(&str, &str, Value, &str)> = vec![
        (
            "POST",
            "/api/v1/sections",
            json!({"name": "Sp\u{0}ort"}),
            "name",
        ),
        ("POST", "/api/v1/tags", json!({"name": "\u{0}"}), "name"),
        (
            "POST",
            "/api/v1/articles",
            json!({"title": "Une", "cover": {"url": "https://img.example/a.jpg", "alt": "a\u{0}"}}),
            "cover.alt",
        ),
        (
            "POST",
            "/api/v1/articles",
            json!({"title": "Une", "tags": ["ok", "n\u{0}"]}),
            "tags[1]",
        ),
        (
            "POST",
            "/api/v1/polls",
            json!({"question": "Q ?", "options": [{"label": "a"}, {"label": "b\u{0}"}]}),
            "options[1].label",
        ),
        (
            "PATCH",
            "/api/v1/me",
            json!({"display_name": "x\u{0}"}),
            "display_name",
        ),
        (
            "POST",
            "/api/v1/sections",
            json!({"na\u{0}me": "Sport"}),
            "na\\u0000me",
        ),
    ];
    for (method, path, body, field) in shapes {
        let res = app
            .request(method, path)
            .bearer(&editor.token)
            .json(&body)
            .send();
        refused_field(&res, field);
    }
    let res = app
        .patch("/api/v1/me")
        .bearer(&member.token)
        .json(&json!({"bio": "\u{0}"}))
        .send();
    refused_field(&res, "bio");

    // nothing was written
    assert_eq!(app.get("/api/v1/sections").send().ok()["meta"]["total"], 0);
    assert_eq!(app.get("/api/v1/tags").send().ok()["meta"]["total"], 0);
    // and a backslash followed by `u0000` is only text
    let kept = app
        .post("/api/v1/sections")
        .bearer(&editor.token)
        .json(&json!({"name": "Chemins \\u0000"}))
        .send()
        .ok();
    assert_eq!(kept["name"], "Chemins \\u0000");
}

const INVISIBLE: [&str; 5] = [
    "\u{200B}\u{200C}\u{200D}",
    "\u{FEFF}",
    " \u{2060} \u{00AD} ",
    "\u{202E}\u{2066}\u{2069}",
    "\u{3164}\u{FE0F}",
];

fn names_made_of_invisible_characters_are_refused(app: &TestApp) {
    let editor = app.editor();
    for blank in INVISIBLE {
        for (path, body, field) in [
            ("/api/v1/sections", json!({"name": blank}), "name"),
            ("/api/v1/tags", json!({"name": blank}), "name"),
            ("/api/v1/articles", json!({"title": blank}), "title"),
            (
                "/api/v1/polls",
                json!({"question": blank, "options": [{"label": "a"}, {"label": "b"}], "closes_at": "2099-01-01T00:00:00Z"}),
                "question",
            ),
            (
                "/api/v1/polls",
                json!({"question": "Q ?", "options": [{"label": "a"}, {"label": blank}], "closes_at": "2099-01-01T00:00:00Z"}),
                "options[1].label",
            ),
            (
                "/api/v1/api-keys",
                json!({"name": blank, "scopes": ["content:read"]}),
                "name",
            ),
        ] {
            let token = if path == "/api/v1/api-keys" {
                app.admin().token
            } else {
                editor.token.clone()
            };
            let res = app.post(path).bearer(&token).json(&body).send();
            refused_field(&res, field);
        }
        let res = app
            .patch("/api/v1/me")
            .bearer(&editor.token)
            .json(&json!({"display_name": blank}))
            .send();
        refused_field(&res, "display_name");
    }
    assert_eq!(app.get("/api/v1/sections").send().ok()["meta"]["total"], 0);
    // a visible name with an invisible character inside is still a name
    app.post("/api/v1/sections")
        .bearer(&editor.token)
        .json(&json!({"name": "Cul\u{200B}ture"}))
        .send()
        .ok();
}

/// A time sent with nanoseconds is kept to the microsecond, as PostgreSQL
/// keeps it: the same request reads back the same on both databases.
fn times_are_kept_to_the_microsecond(app: &TestApp) {
    let editor = app.editor();
    let second = |days: i64, hours: i64| {
        (app.state.clock.now_utc() + chrono::Duration::days(days) + chrono::Duration::hours(hours))
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
    };
    let when = second(2, 0);
    let precise = format!("{when}.123456789Z");
    let expected = format!("{when}.123456Z");
    let article = app
        .article(&editor)
        .title("Au microsecond près")
        .scheduled(&precise);
    assert_eq!(article.json["published_at"], expected.as_str());
    let read = app.get(&article.path()).bearer(&editor.token).send().ok();
    assert_eq!(read["published_at"], expected.as_str());
    let event = app
        .event(&editor)
        .set("starts_at", precise.as_str())
        .set("ends_at", format!("{}.5Z", second(2, 3)))
        .send();
    assert_eq!(event.status, 201, "{}", event.text());
    assert_eq!(event.json()["starts_at"], expected.as_str());
}

db_tests!(
    times_are_kept_to_the_microsecond,
    nul_in_any_path_parameter_is_a_400,
    nul_in_any_query_parameter_is_a_400,
    nul_in_any_string_of_a_body_is_a_422,
    names_made_of_invisible_characters_are_refused,
);
