//! What readers and search engines get: the list, its filters, JSON-LD.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::*;
use crate::db_tests;
use crate::helpers::TestApp;

fn readers_filter_by_town_contract_and_words(app: &TestApp) {
    let editor = app.editor();
    let publish = |title: &str, extra: Value| {
        post(
            app,
            &editor.token,
            with(
                with(offer(app, title), json!({"status": "published"})),
                extra,
            ),
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
            offer(app, "Électricien·ne"),
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
        with(offer(app, "Vendeur"), json!({"salary": null})),
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

db_tests!(
    readers_filter_by_town_contract_and_words,
    search_engines_read_job_postings,
);
