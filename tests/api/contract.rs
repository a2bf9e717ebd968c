//! The contract generated clients rely on. Every answer of the suite is
//! checked against the document by the harness (`helpers/contract.rs`);
//! here a tour calls every documented operation at least once (so none goes
//! unchecked), and the fixes clients asked for stay fixed.

use std::io::Cursor;

use chrono::Duration;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::contract::documented_operations;
use crate::helpers::*;

fn png() -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, 90])
    }));
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// Calls every operation of the document once or more, as its callers
/// would; the harness validates each answer. A refusal counts when the
/// operation needs what a test cannot get over HTTP (a token sent by mail).
fn every_operation_answers_as_documented(app: &TestApp) {
    let admin = app.admin();
    let editor = app.editor();
    let member = app.member();
    let anyone = |path: &str| app.get(path).send();

    // operations
    for path in ["/healthz", "/readyz", "/api/v1/openapi.json"] {
        assert_eq!(anyone(path).status, 200, "{path}");
    }
    let metrics = app.get("/metrics").send();
    assert!([200, 401, 403].contains(&metrics.status));

    // accounts: what needs a mailed token is called with a wrong one
    let fresh = format!("tour{}@example.org", std::process::id());
    app.post("/api/v1/auth/register")
        .json(&json!({"email": fresh, "password": PASSWORD, "display_name": "Tour"}))
        .send()
        .ok();
    let session = app.login(&fresh, PASSWORD).ok();
    let refreshed = app
        .post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": session["refresh_token"]}))
        .send()
        .ok();
    let me = refreshed["access_token"].as_str().unwrap().to_string();
    for (path, body) in [
        ("/api/v1/auth/verify-email", json!({"token": "nope"})),
        ("/api/v1/auth/password-reset", json!({"email": fresh})),
        (
            "/api/v1/auth/password-reset/complete",
            json!({"token": "nope", "password": PASSWORD}),
        ),
        ("/api/v1/auth/sign-in-link", json!({"email": fresh})),
        (
            "/api/v1/auth/sign-in-link/complete",
            json!({"token": "nope"}),
        ),
        (
            "/api/v1/auth/email-change/complete",
            json!({"token": "nope"}),
        ),
    ] {
        let res = app.post(path).json(&body).send();
        assert!(res.status < 500, "{path}: {}", res.text());
    }
    let res = app.post("/api/v1/unsubscribe?token=nope").send();
    assert!(res.status < 500, "unsubscribe: {}", res.text());
    app.post("/api/v1/me/verify-email").bearer(&me).send();
    app.post("/api/v1/me/email")
        .bearer(&me)
        .json(&json!({"new_email": format!("new-{fresh}"), "password": PASSWORD}))
        .send();
    app.get("/api/v1/me").bearer(&me).send().ok();
    app.patch("/api/v1/me")
        .bearer(&me)
        .json(&json!({"display_name": "Tour bis"}))
        .send()
        .ok();
    app.get("/api/v1/me/export").bearer(&me).send().ok();
    app.post("/api/v1/me/password")
        .bearer(&me)
        .json(&json!({"current_password": PASSWORD, "new_password": "Une-Autre-Trompette-9"}))
        .send();
    app.post("/api/v1/auth/logout")
        .json(&json!({"refresh_token": refreshed["refresh_token"]}))
        .send();
    let me = app.login(&fresh, "Une-Autre-Trompette-9");
    let me = if me.status == 200 {
        me.json()["access_token"].as_str().unwrap().to_string()
    } else {
        app.login(&fresh, PASSWORD).ok()["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    };
    app.delete("/api/v1/me")
        .bearer(&me)
        .json(&json!({"password": PASSWORD}))
        .send();

    // administration
    app.get("/api/v1/users").bearer(&admin.token).send().ok();
    let victim = app.member();
    let victim_path = format!("/api/v1/users/{}", victim.id);
    app.get(&victim_path).bearer(&admin.token).send().ok();
    app.patch(&victim_path)
        .bearer(&admin.token)
        .json(&json!({"display_name": "Renommé"}))
        .send()
        .ok();
    app.put(&format!("{victim_path}/comment-ban"))
        .bearer(&editor.token)
        .json(&json!({"reason": "insultes"}))
        .send();
    app.delete(&format!("{victim_path}/comment-ban"))
        .bearer(&editor.token)
        .send();
    app.post(&format!("{victim_path}/erase"))
        .bearer(&admin.token)
        .send();
    let other = app.member();
    app.delete(&format!("/api/v1/users/{}", other.id))
        .bearer(&admin.token)
        .send();
    let key = app.key(&admin).scopes(&["content:read"]).create();
    app.get("/api/v1/api-keys").bearer(&admin.token).send().ok();
    app.get(&key.path()).bearer(&admin.token).send().ok();
    app.delete(&key.path()).bearer(&admin.token).send();

    // sections, tags, authors
    let section = app.section(&admin).create();
    let tag = app.tag(&editor).create();
    for made in [&section, &tag] {
        app.get(&made.path()).send().ok();
        app.patch(&made.path())
            .bearer(&admin.token)
            .json(&json!({"description": "Changée"}))
            .send();
    }
    anyone("/api/v1/sections").ok();
    anyone("/api/v1/tags").ok();

    // articles, revisions, comments
    let article = app
        .article(&editor)
        .section(&section)
        .tags(&[&tag])
        .authors(&[&editor])
        .published();
    let path = article.path();
    app.patch(&path)
        .bearer(&editor.token)
        .json(&json!({"lead": "Un chapeau revu."}))
        .send()
        .ok();
    anyone(&format!("/api/v1/articles?section={}", section.slug())).ok();
    app.get("/api/v1/articles?status=draft,pending")
        .bearer(&editor.token)
        .send()
        .ok();
    anyone(&path).ok();
    anyone(&format!("{path}/related")).ok();
    anyone(&format!("{path}/jsonld")).ok();
    let preview = app
        .post(&format!("{path}/preview"))
        .bearer(&editor.token)
        .send()
        .ok();
    anyone(preview["url"].as_str().unwrap()).ok();
    let revisions = app
        .get(&format!("{path}/revisions"))
        .bearer(&editor.token)
        .send()
        .ok();
    if let Some(rev) = revisions["data"][0]["id"].as_str() {
        app.get(&format!("{path}/revisions/{rev}"))
            .bearer(&editor.token)
            .send()
            .ok();
        app.post(&format!("{path}/revisions/{rev}/restore"))
            .bearer(&editor.token)
            .send();
    }
    let authors = anyone("/api/v1/authors").ok();
    if let Some(author) = authors["data"][0]["slug"].as_str() {
        anyone(&format!("/api/v1/authors/{author}")).ok();
    }
    let comment = app.comment(&member, article.id()).create();
    let comment_path = format!("/api/v1/comments/{}", comment.id());
    anyone(&format!("{path}/comments")).ok();
    app.get("/api/v1/comments")
        .bearer(&editor.token)
        .send()
        .ok();
    app.patch(&comment_path)
        .bearer(&member.token)
        .json(&json!({"body": "Commentaire corrigé"}))
        .send();
    app.post(&format!("{comment_path}/flags"))
        .bearer(&editor.token)
        .json(&json!({"reason": "spam"}))
        .send();
    app.post("/api/v1/comments/moderation")
        .bearer(&editor.token)
        .json(&json!({"ids": [comment.id()], "status": "approved"}))
        .send();
    app.delete(&comment_path).bearer(&member.token).send();
    let scrap = app.article(&editor).draft();
    app.delete(&scrap.path()).bearer(&editor.token).send();

    // job offers
    let job = app.job(&editor).published();
    anyone("/api/v1/jobs?contract_type=cdi,cdd").ok();
    app.get("/api/v1/jobs?status=draft,pending")
        .bearer(&editor.token)
        .send()
        .ok();
    anyone(&job.path()).ok();
    anyone(&format!("{}/jsonld", job.path())).ok();
    app.patch(&job.path())
        .bearer(&editor.token)
        .json(&json!({"working_time": "part_time"}))
        .send()
        .ok();
    app.delete(&job.path()).bearer(&editor.token).send();

    // events
    let event = app.event(&editor).published();
    anyone("/api/v1/events").ok();
    app.get("/api/v1/events?status=published,pending")
        .bearer(&editor.token)
        .send()
        .ok();
    anyone(&event.path()).ok();
    assert_eq!(anyone("/api/v1/events.ics").status, 200);
    assert_eq!(anyone(&format!("{}.ics", event.path())).status, 200);
    app.patch(&event.path())
        .bearer(&editor.token)
        .json(&json!({"organizer": "La mairie"}))
        .send()
        .ok();
    app.delete(&event.path()).bearer(&editor.token).send();

    // polls
    let poll = app.poll(&editor).article(&article).create();
    let poll_path = poll.path();
    anyone(&format!("/api/v1/polls?article={}", article.id())).ok();
    anyone(&poll_path).ok();
    let option = poll["options"][0]["id"].clone();
    app.post(&format!("{poll_path}/votes"))
        .bearer(&member.token)
        .json(&json!({"options": [option]}))
        .send()
        .ok();
    app.put(&format!("{poll_path}/votes/mine"))
        .bearer(&member.token)
        .json(&json!({"options": [poll["options"][1]["id"]]}))
        .send();
    anyone(&format!("{poll_path}/results")).ok();
    app.patch(&poll_path)
        .bearer(&editor.token)
        .json(&json!({"question": "Faut-il vraiment piétonniser ?"}))
        .send();
    app.post(&format!("{poll_path}/close"))
        .bearer(&editor.token)
        .send();
    app.delete(&poll_path).bearer(&editor.token).send();

    // the change feed and the audit log
    app.get("/api/v1/changes").bearer(&admin.token).send().ok();
    let since = (app.state.clock.now_utc() - Duration::hours(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    anyone(&format!("/api/v1/deletions?since={since}")).ok();
    app.get("/api/v1/audit").bearer(&admin.token).send().ok();

    // webhooks
    let hook = app
        .post("/api/v1/webhooks")
        .bearer(&admin.token)
        .json(&json!({"url": "https://93.184.216.34/kiosque", "event_types": ["article.*"]}))
        .send()
        .ok();
    let hook_path = format!("/api/v1/webhooks/{}", hook["id"].as_str().unwrap());
    app.get("/api/v1/webhooks").bearer(&admin.token).send().ok();
    app.get(&hook_path).bearer(&admin.token).send().ok();
    app.patch(&hook_path)
        .bearer(&admin.token)
        .json(&json!({"description": "Le site partenaire"}))
        .send();
    app.post(&format!("{hook_path}/rotate-secret"))
        .bearer(&admin.token)
        .send();
    let ping = app
        .post(&format!("{hook_path}/ping"))
        .bearer(&admin.token)
        .send();
    let deliveries = app
        .get(&format!("{hook_path}/deliveries"))
        .bearer(&admin.token)
        .send()
        .ok();
    let delivery = ping
        .json()
        .get("id")
        .cloned()
        .or_else(|| deliveries["data"][0].get("id").cloned())
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_else(|| "1".into());
    app.post(&format!("{hook_path}/deliveries/{delivery}/redeliver"))
        .bearer(&admin.token)
        .send();
    app.delete(&hook_path).bearer(&admin.token).send();

    // media
    let media = app
        .post("/api/v1/media?title=Photo&alt=Une%20photo&file_name=photo.png&public=true")
        .bearer(&editor.token)
        .raw("image/png", png())
        .send()
        .ok();
    let media_path = format!("/api/v1/media/{}", media["id"].as_str().unwrap());
    app.get("/api/v1/media").bearer(&editor.token).send().ok();
    anyone(&media_path).ok();
    assert_eq!(anyone(&format!("{media_path}/file")).status, 200);
    let variant = media["image"]["variants"][0]["url"]
        .as_str()
        .expect("variants");
    assert_eq!(anyone(variant).status, 200);
    app.patch(&media_path)
        .bearer(&editor.token)
        .json(&json!({"caption": "Légende"}))
        .send();
    app.delete(&media_path).bearer(&editor.token).send();

    // weather
    let key = app.api_key(&["weather:write"]);
    app.put("/api/v1/weather/dole")
        .bearer(&key)
        .json(&json!({"name": "Dole", "observation": {
            "temperature_c": 9.5, "description": "nuageux",
            "observed_at": at(app, Duration::zero()),
            "wind_speed_ms": 3.2, "pressure_hpa": 1012.0, "humidity_pct": 80}}))
        .send()
        .ok();
    anyone("/api/v1/weather").ok();
    anyone("/api/v1/weather/dole").ok();

    // feeds and sitemaps
    for path in [
        "/api/v1/feeds/rss.xml".to_string(),
        format!("/api/v1/feeds/sections/{}/atom.xml", section.slug()),
        format!("/api/v1/feeds/tags/{}/feed.json", tag.slug()),
        "/api/v1/feeds/jobs/rss.xml".to_string(),
        "/api/v1/feeds/events/rss.xml".to_string(),
        "/api/v1/sitemap.xml".to_string(),
        "/api/v1/sitemaps/news.xml".to_string(),
    ] {
        assert_eq!(anyone(&path).status, 200, "{path}");
    }
    let authors = anyone("/api/v1/authors").ok();
    if let Some(author) = authors["data"][0]["slug"].as_str() {
        anyone(&format!("/api/v1/feeds/authors/{author}/rss.xml"));
    }
    let index = anyone("/api/v1/sitemap.xml").text();
    if let Some(child) = index
        .split("<loc>")
        .nth(1)
        .and_then(|s| s.split("</loc>").next())
        .and_then(|url| url.find("/api/v1/").map(|i| url[i..].to_string()))
    {
        anyone(&child);
    }

    // the tidying last: sections and tags in use go last
    app.delete(&article.path()).bearer(&editor.token).send();
    app.delete(&tag.path()).bearer(&editor.token).send();
    app.delete(&section.path()).bearer(&admin.token).send();

    let exercised = app.exercised.lock().unwrap().clone();
    let missed: Vec<String> = documented_operations()
        .difference(&exercised)
        .cloned()
        .collect();
    assert!(
        missed.is_empty(),
        "operations the tour never reached: {missed:#?}"
    );
}

/// The fixes clients asked for, read in the document a generator reads.
#[test]
fn the_document_types_what_clients_generate_from() {
    let doc: Value = serde_json::to_value(kiosque::routes::openapi()).unwrap();
    let schemas = &doc["components"]["schemas"];
    // the wire's spelling
    assert_eq!(schemas["ContractType"]["enum"][0], "cdi");
    assert_eq!(
        schemas["WorkingTime"]["enum"],
        json!(["full_time", "part_time"])
    );
    assert_eq!(schemas["SalaryPeriod"]["enum"][3], "month");
    // a default would make `currency` required in generated request types
    assert!(schemas["Salary"]["properties"]["currency"]["default"].is_null());
    // always sent, possibly null: required
    let job_required = schemas["Job"]["required"].as_array().unwrap();
    for field in ["salary", "published_at", "expires_at", "rejection_reason"] {
        assert!(job_required.contains(&json!(field)), "Job.{field}");
    }
    // list items by reference
    assert_eq!(
        schemas["Page_Job"]["properties"]["data"]["items"]["$ref"],
        "#/components/schemas/Job"
    );
    assert_eq!(
        schemas["Page_Thread"]["properties"]["data"]["items"]["$ref"],
        "#/components/schemas/Thread"
    );
    // typed documents
    let jsonld = &doc["paths"]["/api/v1/jobs/{id}/jsonld"]["get"]["responses"]["200"];
    assert_eq!(
        jsonld["content"]["application/ld+json"]["schema"]["$ref"],
        "#/components/schemas/JobPosting"
    );
    let jsonld = &doc["paths"]["/api/v1/articles/{id}/jsonld"]["get"]["responses"]["200"];
    assert_eq!(
        jsonld["content"]["application/ld+json"]["schema"]["$ref"],
        "#/components/schemas/NewsArticle"
    );
    // conditional reads say so
    for path in [
        "/api/v1/jobs",
        "/api/v1/events",
        "/api/v1/events.ics",
        "/api/v1/events/{id}.ics",
    ] {
        let get = &doc["paths"][path]["get"];
        assert!(get["responses"]["304"].is_object(), "{path} lacks 304");
        assert!(
            get["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "If-None-Match"),
            "{path} lacks If-None-Match"
        );
    }
    // a first anonymous "Try it out" must not meet a 401
    for path in ["/api/v1/articles", "/api/v1/jobs", "/api/v1/events"] {
        for p in doc["paths"][path]["get"]["parameters"].as_array().unwrap() {
            if p["name"] == "status" {
                assert!(
                    p["example"].is_null() && p["schema"]["example"].is_null(),
                    "{path}"
                );
            }
        }
    }
    // readers of the public document do not have our files
    assert!(
        !doc["info"]["description"]
            .as_str()
            .unwrap()
            .contains("API.md")
    );
    assert!(!doc["servers"].as_array().unwrap().is_empty());
    assert_eq!(doc["info"]["license"]["identifier"], "AGPL-3.0-or-later");
}

/// `status=` takes a list on job offers and events, as on articles.
fn status_filters_take_lists(app: &TestApp) {
    let editor = app.editor();
    let member = app.member();
    let published = app.job(&editor).published();
    let pending = app.job(&member).create();
    let draft = app.job(&editor).draft();
    let ids = |res: Value| -> Vec<String> {
        res["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["id"].as_str().unwrap().to_string())
            .collect()
    };
    let listed = ids(app
        .get("/api/v1/jobs?status=pending,draft")
        .bearer(&editor.token)
        .send()
        .ok());
    assert!(listed.contains(&pending.id().to_string()));
    assert!(listed.contains(&draft.id().to_string()));
    assert!(!listed.contains(&published.id().to_string()));
    let refused = app
        .get("/api/v1/jobs?status=pending,bogus")
        .bearer(&editor.token)
        .send();
    refused.problem(400);
    // reviewing is for the staff, whatever the list
    app.get("/api/v1/jobs?status=pending,draft")
        .send()
        .problem(401);

    let upcoming = app.event(&editor).published();
    let submitted = app.event(&member).create();
    let listed = ids(app
        .get("/api/v1/events?status=published,pending")
        .bearer(&editor.token)
        .send()
        .ok());
    assert!(listed.contains(&upcoming.id().to_string()));
    assert!(listed.contains(&submitted.id().to_string()));
    let only = ids(app
        .get("/api/v1/events?status=pending")
        .bearer(&editor.token)
        .send()
        .ok());
    assert_eq!(only, vec![submitted.id().to_string()]);
}

/// A calendar application polling the agenda gets 304 while it is unchanged.
fn calendars_revalidate(app: &TestApp) {
    let editor = app.editor();
    let event = app.event(&editor).published();
    for path in [
        "/api/v1/events.ics".to_string(),
        format!("{}.ics", event.path()),
    ] {
        let first = app.get(&path).send();
        assert_eq!(first.status, 200);
        let etag = first.header("etag").unwrap().to_string();
        let again = app.get(&path).header("If-None-Match", &etag).send();
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
        app.patch(&event.path())
            .bearer(&editor.token)
            .json(&json!({"organizer": format!("Autre organisateur {path}")}))
            .send()
            .ok();
        let changed = app.get(&path).header("If-None-Match", &etag).send();
        assert_eq!(
            changed.status, 200,
            "{path}: a changed agenda is sent again"
        );
        assert!(changed.text().contains("BEGIN:VCALENDAR"));
    }
}

/// A front end on a configured origin keeps an anonymous voter's identity:
/// it may send the voter's header and cookie, and read the headers it needs.
fn cross_origin_voters_keep_their_identity(app: &TestApp) {
    let editor = app.editor();
    let poll = app.poll(&editor).set("who_may_vote", "anyone").create();
    let preflight = app
        .request("OPTIONS", &format!("{}/votes", poll.path()))
        .header("Origin", "https://front.example")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "content-type, x-voter-token",
        )
        .send();
    assert_eq!(preflight.status, 200, "{:?}", preflight.headers);
    assert!(
        preflight
            .header("access-control-allow-headers")
            .unwrap_or("")
            .to_lowercase()
            .contains("x-voter-token")
    );
    assert_eq!(
        preflight.header("access-control-allow-credentials"),
        Some("true")
    );
    let vote = app
        .post(&format!("{}/votes", poll.path()))
        .header("Origin", "https://front.example")
        .json(&json!({"options": [poll["options"][0]["id"]]}))
        .send();
    assert_eq!(vote.status, 201, "{}", vote.text());
    assert_eq!(
        vote.header("access-control-allow-credentials"),
        Some("true")
    );
    let exposed = vote
        .header("access-control-expose-headers")
        .unwrap_or("")
        .to_lowercase();
    for h in ["etag", "link", "location", "retry-after", "x-voter-token"] {
        assert!(exposed.contains(h), "{h} is not exposed: {exposed}");
    }
    let token = vote.json()["voter_token"].as_str().unwrap().to_string();
    let results = app
        .get(&format!("{}/results", poll.path()))
        .header("Origin", "https://front.example")
        .header("X-Voter-Token", &token)
        .send()
        .ok();
    assert_eq!(results["my_choice"], json!([poll["options"][0]["id"]]));
    // another origin is still not let in
    let other = app
        .request("OPTIONS", &format!("{}/votes", poll.path()))
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send();
    assert_eq!(other.header("access-control-allow-credentials"), None);
}

db_tests!(
    every_operation_answers_as_documented,
    status_filters_take_lists,
    calendars_revalidate,
    cross_origin_voters_keep_their_identity,
);
