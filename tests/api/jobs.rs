//! Job offers: the submission and review flow, expiry on the app clock,
//! filters and French search, JSON-LD for search engines, who may do what.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::TestApp;

pub fn at(app: &TestApp, offset: Duration) -> String {
    (app.state.clock.now_utc() + offset).to_rfc3339()
}

fn offer(title: &str) -> Value {
    json!({
        "title": title,
        "company": {"name": "Boulangerie Le Goff", "website": "https://legoff.example"},
        "location": {"city": "Quimper", "postal_code": "29000"},
        "contract_type": "cdi",
        "working_time": "full_time",
        "salary": {"min_cents": 180000, "max_cents": 210000, "period": "month"},
        "description": "Nous cherchons **un·e boulanger·e** motivé·e.",
        "apply": {"email": "Emploi@LeGoff.example"}
    })
}

fn with(mut base: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

fn post(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post("/api/v1/jobs").bearer(token).json(&body).send();
    assert_eq!(res.status, 201, "{}", res.text());
    let job = res.json();
    assert_eq!(
        res.header("location").unwrap(),
        format!("/api/v1/jobs/{}", job["id"].as_str().unwrap())
    );
    job
}

fn path(job: &Value) -> String {
    format!("/api/v1/jobs/{}", job["id"].as_str().unwrap())
}

fn titles(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["title"].as_str().unwrap().to_string())
        .collect()
}

fn public_titles(app: &TestApp, query: &str) -> Vec<String> {
    titles(&app.get(&format!("/api/v1/jobs{query}")).send().ok())
}

fn a_member_submits_and_an_editor_decides(app: &TestApp) {
    let employer = app.member();
    let other = app.member();
    let editor = app.editor();

    // members may not publish their own offer
    app.post("/api/v1/jobs")
        .bearer(&employer.token)
        .json(&with(offer("Boulanger"), json!({"status": "published"})))
        .send()
        .problem(403);

    let job = post(app, &employer.token, offer("Boulanger·e"));
    assert_eq!(job["status"], "pending");
    assert_eq!(job["published_at"], Value::Null);
    assert_eq!(job["apply"]["email"], "emploi@legoff.example");
    let p = path(&job);

    // invisible to the public and to other members; readable by its submitter
    assert!(public_titles(app, "").is_empty());
    app.get(&p).send().problem(404);
    app.get(&p).bearer(&other.token).send().problem(404);
    assert_eq!(
        app.get(&p).bearer(&employer.token).send().ok()["status"],
        "pending"
    );
    // only staff list by status
    app.get("/api/v1/jobs?status=pending")
        .bearer(&employer.token)
        .send()
        .problem(403);
    let queue = app
        .get("/api/v1/jobs?status=pending")
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(titles(&queue), ["Boulanger·e"]);

    // a rejection needs a reason, which the submitter then reads
    let p422 = app
        .patch(&p)
        .bearer(&editor.token)
        .json(&json!({"status": "rejected"}))
        .send()
        .problem(422);
    assert_eq!(p422["errors"][0]["field"], "rejection_reason");
    app.patch(&p)
        .bearer(&employer.token)
        .json(&json!({"status": "rejected", "rejection_reason": "non"}))
        .send()
        .problem(403);
    let rejected = app
        .patch(&p)
        .bearer(&editor.token)
        .json(&json!({"status": "rejected", "rejection_reason": "Indiquez le salaire horaire"}))
        .send()
        .ok();
    assert_eq!(rejected["status"], "rejected");
    let mine = app
        .get("/api/v1/jobs?mine=true")
        .bearer(&employer.token)
        .send()
        .ok();
    assert_eq!(mine["data"][0]["status"], "rejected");
    assert_eq!(
        mine["data"][0]["rejection_reason"],
        "Indiquez le salaire horaire"
    );
    assert_eq!(
        app.get("/api/v1/jobs?mine=true")
            .bearer(&other.token)
            .send()
            .ok()["meta"]["total"],
        0
    );
    app.get("/api/v1/jobs?mine=true").send().problem(401);

    // the submitter fixes it and resubmits
    let fixed = app
        .patch(&p)
        .bearer(&employer.token)
        .json(&json!({"salary": {"min_cents": 1300, "period": "hour"}, "status": "pending"}))
        .send()
        .ok();
    assert_eq!(fixed["status"], "pending");
    assert_eq!(fixed["rejection_reason"], Value::Null);
    // another member may not touch it
    app.patch(&p)
        .bearer(&other.token)
        .json(&json!({"title": "Pirate"}))
        .send()
        .problem(404);

    // the editor approves: public at once, expiring after the default 30 days
    let live = app
        .patch(&p)
        .bearer(&editor.token)
        .json(&json!({"status": "published"}))
        .send()
        .ok();
    assert_eq!(live["status"], "published");
    let published: DateTime<Utc> = live["published_at"].as_str().unwrap().parse().unwrap();
    let expires: DateTime<Utc> = live["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires - published, Duration::days(30));
    assert_eq!(public_titles(app, ""), ["Boulanger·e"]);
    assert_eq!(app.get(&p).send().ok()["status"], "published");

    // a published offer is the editors' now; rejecting it is not a move the workflow has
    app.patch(&p)
        .bearer(&employer.token)
        .json(&json!({"title": "Changé"}))
        .send()
        .problem(403);
    let bad = app
        .patch(&p)
        .bearer(&editor.token)
        .json(&json!({"status": "rejected", "rejection_reason": "trop tard"}))
        .send()
        .problem(422);
    assert_eq!(bad["code"], "invalid_transition");
    app.delete(&p).bearer(&employer.token).send().problem(403);
    assert_eq!(app.delete(&p).bearer(&editor.token).send().status, 204);
    app.get(&p).send().problem(404);
}

fn offers_expire_on_their_own(app: &TestApp) {
    let editor = app.editor();
    let soon = post(
        app,
        &editor.token,
        with(
            offer("Saisonnier"),
            json!({"status": "published", "expires_at": at(app, Duration::days(2))}),
        ),
    );
    let lasting = post(
        app,
        &editor.token,
        with(offer("Permanent"), json!({"status": "published"})),
    );
    assert_eq!(public_titles(app, ""), ["Permanent", "Saisonnier"]);

    app.state.clock.advance(Duration::days(3));
    let editor = app.editor(); // the first one's token has expired meanwhile
    assert_eq!(public_titles(app, ""), ["Permanent"]);
    let gone = app.get(&path(&soon)).send().problem(410);
    assert!(gone["detail"].as_str().unwrap().contains("expired"));
    app.get(&format!("{}/jsonld", path(&soon)))
        .send()
        .problem(410);
    // staff still read it, marked expired
    let staff = app.get(&path(&soon)).bearer(&editor.token).send().ok();
    assert_eq!(staff["expired"], true);

    // an editor extends it: back in the list
    let extended = app
        .patch(&path(&soon))
        .bearer(&editor.token)
        .json(&json!({"expires_at": at(app, Duration::days(7))}))
        .send()
        .ok();
    assert_eq!(extended["expired"], false);
    assert_eq!(public_titles(app, ""), ["Permanent", "Saisonnier"]);
    // an expiry before publication is refused
    app.patch(&path(&soon))
        .bearer(&editor.token)
        .json(&json!({"expires_at": at(app, Duration::days(-30))}))
        .send()
        .problem(422);

    // the default lifetime runs out too
    app.state.clock.advance(Duration::days(28));
    let editor = app.editor();
    assert!(public_titles(app, "").is_empty());
    app.get(&path(&lasting)).send().problem(410);

    // scheduled offers appear at their time
    let later = post(
        app,
        &editor.token,
        with(
            offer("Rentrée"),
            json!({"status": "published", "published_at": at(app, Duration::hours(2))}),
        ),
    );
    assert_eq!(later["status"], "scheduled");
    app.get(&path(&later)).send().problem(404);
    app.state.clock.advance(Duration::hours(3));
    assert_eq!(public_titles(app, ""), ["Rentrée"]);
}

fn readers_filter_by_town_contract_and_words(app: &TestApp) {
    let editor = app.editor();
    let publish = |title: &str, extra: Value| {
        post(
            app,
            &editor.token,
            with(with(offer(title), json!({"status": "published"})), extra),
        );
        app.state.clock.advance(Duration::seconds(2));
    };
    publish(
        "Électricien·ne",
        json!({"contract_type": "cdd", "location": {"city": "Saint-Étienne", "postal_code": "42000"}}),
    );
    publish("Comptable", json!({"contract_type": "cdi"}));
    publish(
        "Développeur web",
        json!({"contract_type": "freelance", "location": {"city": "Brest", "postal_code": "29200", "remote": true},
               "description": "Télétravail possible, projets économiques locaux"}),
    );
    publish("Stagiaire communication", json!({"contract_type": "stage"}));

    assert_eq!(
        public_titles(app, ""),
        [
            "Stagiaire communication",
            "Développeur web",
            "Comptable",
            "Électricien·ne"
        ],
        "newest first"
    );
    assert_eq!(
        public_titles(app, "?contract_type=cdi,cdd"),
        ["Comptable", "Électricien·ne"]
    );
    assert_eq!(
        public_titles(app, "?city=saint-etienne"),
        ["Électricien·ne"]
    );
    assert_eq!(
        public_titles(app, "?city=SAINT%20%C3%89TIENNE"),
        ["Électricien·ne"]
    );
    assert_eq!(public_titles(app, "?remote=true"), ["Développeur web"]);
    assert_eq!(public_titles(app, "?q=electricien"), ["Électricien·ne"]);
    assert_eq!(
        public_titles(app, "?q=%C3%A9conomiques"),
        ["Développeur web"]
    );
    assert_eq!(
        public_titles(app, "?q=economique&contract_type=cdi"),
        Vec::<String>::new()
    );
    assert_eq!(
        public_titles(app, "?q=comptable%20OR%201%3D1%20--"),
        Vec::<String>::new(),
        "query syntax is only words"
    );
    let all = app.get("/api/v1/jobs?sort=published_at").send().ok();
    let third = all["data"][2]["published_at"].as_str().unwrap().to_string();
    assert_eq!(
        public_titles(
            app,
            &format!("?published_after={}", third.replace('+', "%2B"))
        ),
        ["Stagiaire communication", "Développeur web"]
    );
    let two = app.get("/api/v1/jobs?limit=2").send();
    assert_eq!(two.json()["meta"]["total"], 4);
    assert!(two.header("link").unwrap().contains("rel=\"next\""));

    for bad in [
        "?contract_type=cdi,plombier",
        "?remote=peut-etre",
        "?published_after=hier",
        "?status=perdu",
        "?ville=Brest",
        "?sort=salary",
    ] {
        app.get(&format!("/api/v1/jobs{bad}")).send().problem(400);
    }
}

fn search_engines_read_job_postings(app: &TestApp) {
    let editor = app.editor();
    let job = post(
        app,
        &editor.token,
        with(
            offer("Électricien·ne"),
            json!({"status": "published", "working_time": "part_time", "contract_type": "cdd",
                   "company": {"name": "Elec 29", "logo_url": "https://elec29.example/logo.png"},
                   "location": {"city": "Quimper", "postal_code": "29000", "remote": true},
                   "apply": {"url": "https://elec29.example/postuler"}}),
        ),
    );
    let res = app.get(&format!("{}/jsonld", path(&job))).send();
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("application/ld+json"));
    assert!(res.header("etag").is_some());
    let ld = res.json();
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "JobPosting");
    assert_eq!(ld["title"], "Électricien·ne");
    assert!(ld["description"].as_str().unwrap().contains("<strong>"));
    assert_eq!(
        ld["datePosted"],
        job["published_at"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap()
            .to_rfc3339()
    );
    assert!(ld["validThrough"].is_string());
    assert_eq!(ld["hiringOrganization"]["@type"], "Organization");
    assert_eq!(ld["hiringOrganization"]["name"], "Elec 29");
    assert_eq!(
        ld["hiringOrganization"]["logo"],
        "https://elec29.example/logo.png"
    );
    assert_eq!(ld["jobLocation"]["@type"], "Place");
    assert_eq!(ld["jobLocation"]["address"]["addressLocality"], "Quimper");
    assert_eq!(ld["jobLocation"]["address"]["postalCode"], "29000");
    assert_eq!(ld["jobLocationType"], "TELECOMMUTE");
    assert_eq!(ld["applicantLocationRequirements"]["@type"], "Country");
    assert_eq!(ld["employmentType"], json!(["PART_TIME", "TEMPORARY"]));
    assert_eq!(ld["baseSalary"]["@type"], "MonetaryAmount");
    assert_eq!(ld["baseSalary"]["currency"], "EUR");
    assert_eq!(ld["baseSalary"]["value"]["@type"], "QuantitativeValue");
    assert_eq!(ld["baseSalary"]["value"]["minValue"], 1800);
    assert_eq!(ld["baseSalary"]["value"]["maxValue"], 2100);
    assert_eq!(ld["baseSalary"]["value"]["unitText"], "MONTH");

    // without a salary there is no baseSalary; pending offers have no public JSON-LD
    let member = app.member();
    let pending = post(
        app,
        &member.token,
        with(offer("Vendeur"), json!({"salary": null})),
    );
    app.get(&format!("{}/jsonld", path(&pending)))
        .send()
        .problem(404);
    let own = app
        .get(&format!("{}/jsonld", path(&pending)))
        .bearer(&member.token)
        .send()
        .ok();
    assert!(own.get("baseSalary").is_none());
    assert!(own.get("datePosted").is_none(), "not posted yet");
}

fn hostile_input_is_refused_or_neutralised(app: &TestApp) {
    let editor = app.editor();
    let job = post(
        app,
        &editor.token,
        with(
            offer("Piège"),
            json!({"status": "published",
                   "description": "<script>alert(1)</script>[clic](javascript:alert(1)) <img src=x onerror=alert(1)>"}),
        ),
    );
    let html = job["description_html"].as_str().unwrap();
    for bad in ["<script", "href=\"javascript:", "onerror="] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }

    let cases: Vec<(Value, &str)> = vec![
        (with(offer("X"), json!({"title": ""})), "title"),
        (with(offer("X"), json!({"apply": {}})), "apply"),
        (
            with(
                offer("X"),
                json!({"apply": {"url": "http://insecure.example"}}),
            ),
            "apply.url",
        ),
        (
            with(offer("X"), json!({"apply": {"email": "pas-une-adresse"}})),
            "apply.email",
        ),
        (
            with(
                offer("X"),
                json!({"salary": {"min_cents": 5000, "max_cents": 10, "period": "month"}}),
            ),
            "salary.max_cents",
        ),
        (
            with(
                offer("X"),
                json!({"salary": {"min_cents": 5000, "currency": "euros", "period": "month"}}),
            ),
            "salary.currency",
        ),
        (
            with(
                offer("X"),
                json!({"location": {"city": "Brest", "postal_code": "<b>"}}),
            ),
            "location.postal_code",
        ),
        (
            with(
                offer("X"),
                json!({"company": {"name": "A", "website": "javascript:alert(1)"}}),
            ),
            "company.website",
        ),
        (
            with(
                offer("X"),
                json!({"published_at": at(app, Duration::days(2)), "expires_at": at(app, Duration::days(1))}),
            ),
            "expires_at",
        ),
        (
            with(offer("X"), json!({"contract_type": "cdi-chantier"})),
            "contract_type",
        ),
        (with(offer("X"), json!({"status": "rejected"})), "status"),
        (with(offer("X"), json!({"salaire": 3})), "salaire"),
    ];
    for (body, field) in cases {
        let p = app
            .post("/api/v1/jobs")
            .bearer(&editor.token)
            .json(&body)
            .send()
            .problem(422);
        assert!(
            p["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"].as_str().unwrap().starts_with(field)),
            "{field}: {p}"
        );
    }
    app.post("/api/v1/jobs")
        .bearer(&editor.token)
        .raw("application/json", "{\"title\":")
        .send()
        .problem(400);
    app.post("/api/v1/jobs")
        .bearer(&editor.token)
        .raw("text/plain", "hello")
        .send()
        .problem(415);
    for p in ["/api/v1/jobs/abc", "/api/v1/jobs/0", "/api/v1/jobs/999999"] {
        app.get(p).send().problem(404);
    }
    app.patch("/api/v1/jobs/999999")
        .bearer(&editor.token)
        .json(&json!({"title": "x"}))
        .send()
        .problem(404);
}

fn few_submissions(c: &mut kiosque::config::Config) {
    c.submissions_per_hour = 2;
}

fn submissions_are_rate_limited(app: &TestApp) {
    let member = app.member();
    post(app, &member.token, offer("Un"));
    post(app, &member.token, offer("Deux"));
    let res = app
        .post("/api/v1/jobs")
        .bearer(&member.token)
        .json(&offer("Trois"))
        .send();
    res.problem(429);
    assert!(res.header("retry-after").is_some());
    // per member, and staff are not limited
    post(app, &app.member().token, offer("Autre membre"));
    let editor = app.editor();
    for i in 0..4 {
        post(app, &editor.token, offer(&format!("Rédaction {i}")));
    }
}

/// Every write on offers × every kind of caller.
fn who_may_write_offers(app: &TestApp) {
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum E {
        Ok,
        Unauth,
        Denied,
        Hidden,
    }
    use E::*;
    let owner = app.member();
    let editor = app.editor();
    let callers: Vec<(&str, Option<String>)> = vec![
        ("anonymous", None),
        ("owner", Some(owner.token.clone())),
        ("other member", Some(app.member().token)),
        ("author", Some(app.author().token)),
        ("editor", Some(editor.token.clone())),
        ("admin", Some(app.admin().token)),
        ("key content:write", Some(app.api_key(&["content:write"]))),
        ("key content:read", Some(app.api_key(&["content:read"]))),
    ];
    let pending = || post(app, &owner.token, offer("En attente"));
    let published = || {
        let j = pending();
        app.patch(&path(&j))
            .bearer(&editor.token)
            .json(&json!({"status": "published"}))
            .send()
            .ok()
    };
    type Row<'a> = (
        &'a str,
        Box<dyn Fn() -> (String, String, Option<Value>) + 'a>,
        [E; 8],
    );
    let rows: Vec<Row> = vec![
        (
            "submit",
            Box::new(|| ("POST".into(), "/api/v1/jobs".into(), Some(offer("Nouveau")))),
            [Unauth, Ok, Ok, Ok, Ok, Ok, Ok, Denied],
        ),
        (
            "publish directly",
            Box::new(|| {
                (
                    "POST".into(),
                    "/api/v1/jobs".into(),
                    Some(with(offer("Direct"), json!({"status": "published"}))),
                )
            }),
            [Unauth, Denied, Denied, Denied, Ok, Ok, Ok, Denied],
        ),
        (
            "edit pending",
            Box::new(|| {
                (
                    "PATCH".into(),
                    path(&pending()),
                    Some(json!({"title": "Modifié"})),
                )
            }),
            [Unauth, Ok, Hidden, Hidden, Ok, Ok, Ok, Denied],
        ),
        (
            "approve",
            Box::new(|| {
                (
                    "PATCH".into(),
                    path(&pending()),
                    Some(json!({"status": "published"})),
                )
            }),
            [Unauth, Denied, Hidden, Hidden, Ok, Ok, Ok, Denied],
        ),
        (
            "edit published",
            Box::new(|| {
                (
                    "PATCH".into(),
                    path(&published()),
                    Some(json!({"title": "Modifié"})),
                )
            }),
            [Unauth, Denied, Denied, Denied, Ok, Ok, Ok, Denied],
        ),
        (
            "delete pending",
            Box::new(|| ("DELETE".into(), path(&pending()), None)),
            [Unauth, Ok, Hidden, Hidden, Ok, Ok, Ok, Denied],
        ),
        (
            "delete published",
            Box::new(|| ("DELETE".into(), path(&published()), None)),
            [Unauth, Denied, Denied, Denied, Ok, Ok, Ok, Denied],
        ),
        (
            "review queue",
            Box::new(|| ("GET".into(), "/api/v1/jobs?status=pending".into(), None)),
            [Unauth, Denied, Denied, Denied, Ok, Ok, Ok, Ok],
        ),
    ];
    let mut failures = Vec::new();
    for (name, build, expected) in &rows {
        for (i, (who, token)) in callers.iter().enumerate() {
            let (method, p, body) = build();
            let mut req = app.request(&method, &p);
            if let Some(t) = token {
                req = req.bearer(t);
            }
            if let Some(b) = &body {
                req = req.json(b);
            }
            let res = req.send();
            let got = match res.status {
                200..=299 => Ok,
                401 => Unauth,
                403 => Denied,
                404 => Hidden,
                other => panic!("{name} as {who}: unexpected {other}: {}", res.text()),
            };
            if got != Ok {
                res.problem(res.status);
            }
            if got != expected[i] {
                failures.push(format!(
                    "{name} as {who}: expected {:?}, got {got:?}",
                    expected[i]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A limit the OpenAPI document states for a field (`maxLength`, `maximum`…).
fn documented(schema: &str, field: &str, key: &str) -> i64 {
    let doc = serde_json::to_value(kiosque::routes::openapi()).unwrap();
    doc["components"]["schemas"][schema]["properties"][field][key]
        .as_i64()
        .unwrap_or_else(|| panic!("{schema}.{field} documents no {key}"))
}

fn refused_on(app: &TestApp, token: &str, body: &Value, field: &str) {
    let p = app
        .post("/api/v1/jobs")
        .bearer(token)
        .json(body)
        .send()
        .problem(422);
    assert!(
        p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == field),
        "{field}: {p}"
    );
}

fn the_documented_limits_are_the_enforced_ones(app: &TestApp) {
    let editor = app.editor();
    let title = documented("CreateJob", "title", "maxLength") as usize;
    let name = documented("Company", "name", "maxLength") as usize;
    let city = documented("JobLocation", "city", "maxLength") as usize;
    let cents = documented("Salary", "max_cents", "maximum");
    let at_limit = |extra: i64| {
        json!({
            "company": {"name": "é".repeat(name + extra as usize)},
            "location": {"city": "Q".repeat(city + extra as usize), "postal_code": " 29000 "},
            "salary": {"max_cents": cents + extra, "period": "year", "currency": "EUR"},
        })
    };
    // at each limit: accepted (lengths count characters, not bytes)
    post(
        app,
        &editor.token,
        with(offer(&"é".repeat(title)), at_limit(0)),
    );
    // one past it: refused, on that field
    let past = with(offer(&"é".repeat(title + 1)), at_limit(1));
    for field in ["title", "company.name", "location.city", "salary.max_cents"] {
        refused_on(app, &editor.token, &past, field);
    }
    // the documented patterns: currency and postal code
    for (extra, field) in [
        (
            json!({"salary": {"min_cents": 1, "period": "year", "currency": "eur"}}),
            "salary.currency",
        ),
        (
            json!({"location": {"city": "Quimper", "postal_code": "29"}}),
            "location.postal_code",
        ),
    ] {
        refused_on(app, &editor.token, &with(offer("X"), extra), field);
    }
}

db_tests!(
    a_member_submits_and_an_editor_decides,
    offers_expire_on_their_own,
    readers_filter_by_town_contract_and_words,
    search_engines_read_job_postings,
    hostile_input_is_refused_or_neutralised,
    the_documented_limits_are_the_enforced_ones,
);
db_tests!(config = few_submissions; submissions_are_rate_limited);

fn many_submissions(c: &mut kiosque::config::Config) {
    c.submissions_per_hour = 1_000;
}
db_tests!(config = many_submissions; who_may_write_offers);
