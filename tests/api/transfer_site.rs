//! A site with something of every kind, written through the API, and the
//! comparison of two servers' answers to every public and staff GET: what
//! the transfer tests (and the backup tests) read a moved site with.

use std::collections::BTreeSet;

use chrono::Duration;
use kiosque::config::{Config, ModerationMode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser};

pub fn roomy(c: &mut Config) {
    c.comments_per_hour = 1_000_000;
    c.comments_burst = 1_000_000;
    c.comments_moderation = ModerationMode::Pre;
    c.submissions_per_hour = 1_000;
}

/// What a test needs to read a site back: who is who, and the paths to visit.
pub struct Site {
    pub admin: TestUser,
    pub member: TestUser,
    pub banned: TestUser,
    pub api_key: String,
    pub paths: Vec<String>,
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

pub fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let res = app.post(path).bearer(token).json(&body).send();
    assert_eq!(res.status, 201, "POST {path}: {}", res.text());
    res.json()
}

fn patched(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    app.patch(path).bearer(token).json(&body).send().ok()
}

/// A time `days` away, in whole seconds as clients send them. (SQLite
/// stores a client's nanoseconds as given, PostgreSQL rounds them to
/// microseconds: such a time would read differently after a move.)
fn at(app: &TestApp, days: i64) -> String {
    (app.state.clock.now_utc() + Duration::days(days))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A site with something of every kind, written through the API.
pub fn build_site(app: &TestApp) -> Site {
    let admin = app.admin();
    let editor = app.editor();
    let author = app.author();
    let member = app.member();
    let banned = app.member();
    let gone = app.member();
    patched(
        app,
        &member.token,
        "/api/v1/me",
        json!({"display_name": "Maïwenn L."}),
    );

    let sport = created(
        app,
        &editor.token,
        "/api/v1/sections",
        json!({"name": "Sport"}),
    );
    created(
        app,
        &editor.token,
        "/api/v1/sections",
        json!({"name": "Économie"}),
    );
    created(app, &editor.token, "/api/v1/tags", json!({"name": "Rugby"}));
    created(
        app,
        &editor.token,
        "/api/v1/tags",
        json!({"name": "Marché"}),
    );

    let a = "/api/v1/articles";
    let main = created(
        app,
        &editor.token,
        a,
        json!({
        "title": "Le XV de Quimper l'emporte", "lead": "Un chapô.", "body": "Du **texte**.",
        "section": id(&sport), "tags": ["rugby", "marche"], "authors": [author.id, editor.id],
        "status": "published", "published_at": at(app, -2),
        "cover": {"url": "https://img.example/xv.jpg", "alt": "L'équipe"}}),
    );
    let main_path = format!("{a}/{}", id(&main));
    patched(
        app,
        &editor.token,
        &main_path,
        json!({"title": "Le XV de Quimper l'emporte enfin"}),
    );
    patched(
        app,
        &editor.token,
        &main_path,
        json!({"slug": "quimper-gagne"}),
    );
    let second = created(
        app,
        &author.token,
        a,
        json!({"title": "Foire aux marrons", "status": "published", "tags": ["marche"]}),
    );
    created(
        app,
        &author.token,
        a,
        json!({"title": "Brouillon d'auteur"}),
    );
    created(
        app,
        &member.token,
        a,
        json!({"title": "Notre club fête ses 20 ans", "body": "Venez !"}),
    );
    let archived = created(
        app,
        &editor.token,
        a,
        json!({"title": "Vieille nouvelle", "status": "published"}),
    );
    patched(
        app,
        &editor.token,
        &format!("{a}/{}", id(&archived)),
        json!({"status": "archived"}),
    );
    let rejected = created(app, &member.token, a, json!({"title": "Pub déguisée"}));
    patched(
        app,
        &editor.token,
        &format!("{a}/{}", id(&rejected)),
        json!({"status": "rejected", "rejection_reason": "Publicité."}),
    );
    created(
        app,
        &editor.token,
        a,
        json!({"title": "Le marché de Noël ouvre", "status": "scheduled", "published_at": at(app, 3)}),
    );

    // comments: approved, pending, spam, a reply, a flag, a deletion, a ban
    let comments = format!("{main_path}/comments");
    let first = created(
        app,
        &member.token,
        &comments,
        json!({"body": "Bravo les gars !"}),
    );
    created(
        app,
        &editor.token,
        &comments,
        json!({"body": "Merci !", "parent_id": id(&first)}),
    );
    let spam = created(
        app,
        &banned.token,
        &comments,
        json!({"body": "Achetez ici"}),
    );
    created(
        app,
        &gone.token,
        &comments,
        json!({"body": "Et le match retour ?"}),
    );
    let regret = created(app, &member.token, &comments, json!({"body": "Je retire"}));
    created(
        app,
        &member.token,
        &format!("{a}/{}/comments", id(&second)),
        json!({"body": "Miam"}),
    );
    let decide = |ids: Vec<String>, status: &str| {
        app.post("/api/v1/comments/moderation")
            .bearer(&editor.token)
            .json(&json!({"ids": ids, "status": status}))
            .send()
            .ok()
    };
    decide(vec![id(&first), id(&regret)], "approved");
    decide(vec![id(&spam)], "spam");
    created(
        app,
        &author.token,
        &format!("/api/v1/comments/{}/flags", id(&first)),
        json!({"reason": "hors sujet"}),
    );
    assert_eq!(
        app.delete(&format!("/api/v1/comments/{}", id(&regret)))
            .bearer(&member.token)
            .send()
            .status,
        204
    );
    app.put(&format!("/api/v1/users/{}/comment-ban", banned.id))
        .bearer(&editor.token)
        .json(&json!({"reason": "insultes"}))
        .send()
        .ok();

    // a member who left, after commenting
    patched(
        app,
        &admin.token,
        &format!("/api/v1/users/{}", gone.id),
        json!({"disabled": true}),
    );

    // classifieds
    let offer = |title: &str| {
        json!({
        "title": title, "company": {"name": "Boulangerie Le Goff"},
        "location": {"city": "Quimper", "postal_code": "29000"},
        "contract_type": "cdi", "working_time": "full_time",
        "salary": {"min_cents": 180000, "max_cents": 210000, "period": "month"},
        "description": "Nous cherchons **un·e boulanger·e**.", "apply": {"email": "emploi@legoff.example"}})
    };
    let job = created(app, &editor.token, "/api/v1/jobs", {
        let mut o = offer("Boulanger·e");
        o["status"] = json!("published");
        o
    });
    let pending_job = created(app, &member.token, "/api/v1/jobs", offer("Vendeur·se"));
    let event = |title: &str, days: i64| {
        json!({
        "title": title, "description": "Venez nombreux !",
        "starts_at": at(app, days), "ends_at": at(app, days + 1),
        "venue": {"name": "Salle des fêtes", "address": "2 place de la Mairie", "city": "Pont-l'Abbé", "postal_code": "29120"},
        "price": {"free": false, "amount_cents": 850, "currency": "EUR"}, "organizer": "Comité des fêtes", "category": "concert"})
    };
    let concert = created(app, &editor.token, "/api/v1/events", {
        let mut e = event("Fest-noz", 5);
        e["status"] = json!("published");
        e["venue"]["latitude"] = json!(47.8724013);
        e["venue"]["longitude"] = json!(-4.2241);
        e
    });
    created(app, &member.token, "/api/v1/events", event("Loto", 9));

    // polls: members' votes, an open one for anyone, a closed one
    let poll = created(
        app,
        &editor.token,
        "/api/v1/polls",
        json!({
        "question": "Faut-il un nouveau stade ?", "options": [{"label": "Oui"}, {"label": "Non"}],
        "closes_at": at(app, 7), "article_id": id(&main), "who_may_vote": "members", "results_visibility": "always"}),
    );
    let options: Vec<String> = poll["options"].as_array().unwrap().iter().map(id).collect();
    for (voter, choice) in [(&member, 0), (&banned, 1), (&author, 0)] {
        created(
            app,
            &voter.token,
            &format!("/api/v1/polls/{}/votes", id(&poll)),
            json!({"options": [options[choice]]}),
        );
    }
    let open = created(
        app,
        &editor.token,
        "/api/v1/polls",
        json!({
        "question": "Quels marchés ?", "options": [{"label": "Samedi"}, {"label": "Mercredi"}, {"label": "Dimanche"}],
        "multiple": true, "max_choices": 2, "closes_at": at(app, 3), "who_may_vote": "anyone", "results_visibility": "after_close"}),
    );
    let open_options: Vec<String> = open["options"].as_array().unwrap().iter().map(id).collect();
    app.post(&format!("/api/v1/polls/{}/votes", id(&open)))
        .json(&json!({"options": [open_options[0], open_options[2]]}))
        .send()
        .ok();
    let closed = created(
        app,
        &editor.token,
        "/api/v1/polls",
        json!({
        "question": "Ancien sondage", "options": [{"label": "A"}, {"label": "B"}], "closes_at": at(app, 1)}),
    );
    app.post(&format!("/api/v1/polls/{}/close", id(&closed)))
        .bearer(&editor.token)
        .send()
        .ok();

    // keys: one in use, one revoked
    let key = created(
        app,
        &admin.token,
        "/api/v1/api-keys",
        json!({"name": "Appli mobile", "scopes": ["content:read", "content:write"]}),
    );
    let old = created(
        app,
        &admin.token,
        "/api/v1/api-keys",
        json!({"name": "Ancienne", "scopes": ["comments:moderate"]}),
    );
    assert_eq!(
        app.delete(&format!("/api/v1/api-keys/{}", id(&old)))
            .bearer(&admin.token)
            .send()
            .status,
        204
    );

    // a webhook, switched off (no call leaves the test), travels with its secret
    let hook = created(
        app,
        &admin.token,
        "/api/v1/webhooks",
        json!({"url": "https://93.184.216.34/hook", "event_types": ["article.*"], "enabled": false}),
    );
    // the weather box, pushed by the admin
    let weather = app
        .put("/api/v1/weather/besancon")
        .bearer(&admin.token)
        .json(
            &json!({"name": "Besançon", "latitude": 47.2378, "longitude": 6.0241,
            "observation": {"temperature_c": 14.41, "description": "légère pluie", "icon": "10d",
                "observed_at": at(app, 0), "wind_speed_ms": 1.85, "wind_direction_deg": 230,
                "pressure_hpa": 1018.0, "humidity_pct": 91},
            "forecast": [{"at": at(app, 1), "temperature_c": 12.0, "description": "nuageux"}]}),
        )
        .send();
    assert_eq!(weather.status, 201, "{}", weather.text());

    let mut paths: Vec<String> = [
        "/api/v1/weather",
        "/api/v1/weather/besancon",
        "/api/v1/feeds/rss.xml",
        "/api/v1/feeds/atom.xml",
        "/api/v1/feeds/feed.json",
        "/api/v1/feeds/sections/sport/rss.xml",
        "/api/v1/feeds/tags/rugby/atom.xml",
        "/api/v1/feeds/jobs/rss.xml",
        "/api/v1/feeds/events/feed.json",
        "/api/v1/sitemap.xml",
        "/api/v1/sitemaps/news.xml",
        "/api/v1/sitemaps/articles-1.xml",
        "/api/v1/sitemaps/authors-1.xml",
        "/api/v1/openapi.json",
        "/api/v1/me",
        "/api/v1/me/export",
        "/api/v1/users",
        "/api/v1/audit",
        "/api/v1/changes?limit=100",
        "/api/v1/users?disabled=true",
        "/api/v1/users?role=member&sort=-created_at",
        "/api/v1/api-keys",
        "/api/v1/api-keys?revoked=true",
        "/api/v1/sections",
        "/api/v1/sections/sport",
        "/api/v1/tags",
        "/api/v1/tags/rugby",
        "/api/v1/articles",
        "/api/v1/articles?section=sport",
        "/api/v1/articles?tag=marche",
        "/api/v1/articles?sort=title",
        "/api/v1/articles?mine=true",
        "/api/v1/authors",
        "/api/v1/comments",
        "/api/v1/comments?status=approved",
        "/api/v1/comments?status=spam",
        "/api/v1/comments?status=deleted",
        "/api/v1/jobs",
        "/api/v1/jobs?city=quimper",
        "/api/v1/events",
        "/api/v1/events.ics",
        "/api/v1/events?free=false",
        "/api/v1/polls",
        "/api/v1/polls?status=closed",
        "/api/v1/articles/le-xv-de-quimper-l-emporte",
        "/api/v1/articles/quimper-gagne",
    ]
    .map(String::from)
    .to_vec();
    // what left the public, read from the change log that moves with the site
    let since = (app.state.clock.now_utc() - chrono::Duration::days(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    paths.push(format!("/api/v1/deletions?since={since}"));
    for status in [
        "draft",
        "pending",
        "published",
        "scheduled",
        "archived",
        "rejected",
    ] {
        paths.push(format!("/api/v1/articles?status={status}"));
    }
    for status in ["pending", "published"] {
        paths.push(format!("/api/v1/jobs?status={status}"));
        paths.push(format!("/api/v1/events?status={status}"));
    }
    let admin_list = app
        .get(
            "/api/v1/articles?limit=100&status=draft,pending,published,scheduled,archived,rejected",
        )
        .bearer(&admin.token)
        .send();
    let mut articles: Vec<String> = vec![id(&main), id(&second), id(&archived), id(&rejected)];
    if admin_list.status == 200 {
        articles.extend(admin_list.json()["data"].as_array().unwrap().iter().map(id));
    }
    for art in BTreeSet::from_iter(articles) {
        for tail in ["", "/related", "/revisions", "/comments", "/jsonld"] {
            paths.push(format!("{a}/{art}{tail}"));
        }
    }
    let revisions = app
        .get(&format!("{main_path}/revisions"))
        .bearer(&admin.token)
        .send()
        .ok();
    for r in revisions["data"].as_array().unwrap() {
        paths.push(format!("{main_path}/revisions/{}", id(r)));
    }
    for author_page in app.get("/api/v1/authors").send().ok()["data"]
        .as_array()
        .unwrap()
    {
        paths.push(format!(
            "/api/v1/authors/{}",
            author_page["slug"].as_str().unwrap()
        ));
        paths.push(format!(
            "/api/v1/feeds/authors/{}/rss.xml",
            author_page["slug"].as_str().unwrap()
        ));
    }
    for user in app
        .get("/api/v1/users?limit=100")
        .bearer(&admin.token)
        .send()
        .ok()["data"]
        .as_array()
        .unwrap()
    {
        paths.push(format!("/api/v1/users/{}", id(user)));
    }
    paths.push(format!("/api/v1/api-keys/{}", id(&key)));
    paths.push("/api/v1/webhooks".into());
    paths.push(format!("/api/v1/webhooks/{}", id(&hook)));
    paths.push(format!("/api/v1/webhooks/{}/deliveries", id(&hook)));
    // the media library: a public photo (its variant made before the move)
    // and a private PDF
    paths.push("/api/v1/media".to_string());
    for m in media_items(app, &editor.token, &member.token) {
        paths.push(format!("/api/v1/media/{}", id(&m)));
        paths.push(format!("/api/v1/media/{}/file", id(&m)));
        if let Some(url) = m["image"]["url"].as_str() {
            let made = app.get(url).bearer(&admin.token).send();
            assert_eq!(made.status, 200, "the variant is made");
            paths.push(url.to_string());
        }
    }
    for j in [id(&job), id(&pending_job)] {
        paths.push(format!("/api/v1/jobs/{j}"));
        paths.push(format!("/api/v1/jobs/{j}/jsonld"));
    }
    paths.push(format!("/api/v1/events/{}", id(&concert)));
    paths.push(format!("/api/v1/events/{}.ics", id(&concert)));
    for p in [&poll, &open, &closed] {
        paths.push(format!("/api/v1/polls/{}", id(p)));
        paths.push(format!("/api/v1/polls/{}/results", id(p)));
    }
    Site {
        admin,
        member,
        banned,
        api_key: key["secret"].as_str().unwrap().to_string(),
        paths,
    }
}

fn media_items(app: &TestApp, staff: &str, member: &str) -> Vec<Value> {
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(700, 400, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    }))
    .write_to(
        &mut std::io::Cursor::new(&mut jpeg),
        image::ImageFormat::Jpeg,
    )
    .unwrap();
    let post = |token: &str, ct: &str, query: &str, body: Vec<u8>| {
        let res = app
            .post(&format!("/api/v1/media{query}"))
            .bearer(token)
            .raw(ct, body)
            .send();
        assert_eq!(res.status, 201, "uploading: {}", res.text());
        res.json()
    };
    vec![
        post(
            staff,
            "image/jpeg",
            "?alt=Le%20port&credit=J.%20Dupont&public=true",
            jpeg.clone(),
        ),
        post(member, "image/jpeg", "?title=Affiche", jpeg),
        post(
            staff,
            "application/pdf",
            "?title=Programme",
            b"%PDF-1.4\n%%EOF\n".to_vec(),
        ),
    ]
}

/// Media files travel beside the database (the export carries rows, not
/// blobs): copy the folder as an operator would.
fn copy_blobs(from: &TestApp, to: &TestApp) {
    fn copy(a: &std::path::Path, b: &std::path::Path) {
        let Ok(entries) = std::fs::read_dir(a) else {
            return;
        };
        std::fs::create_dir_all(b).unwrap();
        for e in entries.flatten() {
            let target = b.join(e.file_name());
            if e.path().is_dir() {
                copy(&e.path(), &target);
            } else {
                std::fs::copy(e.path(), target).unwrap();
            }
        }
    }
    let (a, b) = (&from.state.config.media.dir, &to.state.config.media.dir);
    if a != b {
        copy(a, b);
    }
}

/// Every GET of the API, as the OpenAPI document lists it, must be among
/// `paths`: a new endpoint cannot escape the comparison.
pub fn check_coverage(app: &TestApp, paths: &[String]) {
    let doc = app.get("/api/v1/openapi.json").send().ok();
    for (template, item) in doc["paths"].as_object().unwrap() {
        if item.get("get").is_none() || !template.starts_with("/api/v1") {
            continue;
        }
        let covered = paths
            .iter()
            .any(|p| matches_template(template, p.split('?').next().unwrap()));
        assert!(
            covered,
            "the transfer comparison visits no `GET {template}`: add it to build_site"
        );
    }
}

fn matches_template(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter().zip(&p).all(|(t, p)| match t.find('{') {
            None => t == p,
            Some(start) => {
                let suffix = &t[t.find('}').unwrap() + 1..];
                p.len() > start + suffix.len() && p.starts_with(&t[..start]) && p.ends_with(suffix)
            }
        })
}

/// Asserts that both servers answer every path alike, for each viewer.
pub fn assert_same_answers(a: &TestApp, b: &TestApp, site: &Site) {
    copy_blobs(a, b);
    let viewers = [None, Some(&site.admin.token), Some(&site.member.token)];
    let mut compared = 0;
    for path in &site.paths {
        for viewer in viewers {
            let get = |app: &TestApp| {
                let req = app.get(path);
                match viewer {
                    Some(t) => req.bearer(t),
                    None => req,
                }
                .send()
            };
            let (x, y) = (get(a), get(b));
            let who = if viewer.is_some() {
                "signed in"
            } else {
                "anonymous"
            };
            assert_eq!(
                x.status,
                y.status,
                "GET {path} ({who}): {} / {}",
                x.text(),
                y.text()
            );
            assert!(x.status < 500, "GET {path} ({who}): {}", x.text());
            if viewer == Some(&site.admin.token) {
                assert!(x.status < 400, "an admin reads GET {path}: {}", x.text());
            }
            assert_eq!(x.text(), y.text(), "GET {path} ({who}) answers differently");
            for h in ["etag", "location", "content-type"] {
                assert_eq!(x.header(h), y.header(h), "GET {path} ({who}): header {h}");
            }
            compared += 1;
        }
    }
    assert!(compared > 200, "a rich site: {compared} answers compared");
}
