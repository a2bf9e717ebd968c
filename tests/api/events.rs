//! Events: submission and review, the agenda's default and filters, past
//! events kept readable, iCalendar output that calendars can import.

use chrono::{Duration, TimeZone, Utc};
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::TestApp;
use crate::jobs::at;

fn event(title: &str, app: &TestApp, starts_in: Duration, hours: i64) -> Value {
    json!({
        "title": title,
        "description": "Venez nombreux !",
        "starts_at": at(app, starts_in),
        "ends_at": at(app, starts_in + Duration::hours(hours)),
        "venue": {"name": "Salle des fêtes", "address": "2 place de la Mairie",
                  "city": "Pont-l'Abbé", "postal_code": "29120"},
        "price": {"free": true},
        "organizer": "Comité des fêtes",
        "category": "concert"
    })
}

fn with(mut base: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

fn post(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post("/api/v1/events").bearer(token).json(&body).send();
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()
}

fn publish(app: &TestApp, token: &str, body: Value) -> Value {
    post(app, token, with(body, json!({"status": "published"})))
}

fn path(e: &Value) -> String {
    format!("/api/v1/events/{}", e["id"].as_str().unwrap())
}

fn titles(app: &TestApp, query: &str) -> Vec<String> {
    app.get(&format!("/api/v1/events{query}")).send().ok()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap().to_string())
        .collect()
}

fn an_association_submits_its_concert(app: &TestApp) {
    let association = app.member();
    let editor = app.editor();
    app.post("/api/v1/events")
        .bearer(&association.token)
        .json(&with(
            event("Concert", app, Duration::days(3), 2),
            json!({"status": "published"}),
        ))
        .send()
        .problem(403);
    let concert = post(
        app,
        &association.token,
        event("Concert", app, Duration::days(3), 2),
    );
    assert_eq!(concert["status"], "pending");
    assert_eq!(concert["time_zone"], "Europe/Paris");
    assert!(titles(app, "").is_empty());
    app.get(&path(&concert)).send().problem(404);
    app.get(&format!("{}.ics", path(&concert)))
        .send()
        .problem(404);
    app.get(&path(&concert))
        .bearer(&app.member().token)
        .send()
        .problem(404);

    let rejected = app
        .patch(&path(&concert))
        .bearer(&editor.token)
        .json(&json!({"status": "rejected", "rejection_reason": "Précisez l'horaire"}))
        .send()
        .ok();
    assert_eq!(rejected["rejection_reason"], "Précisez l'horaire");
    let mine = app
        .get("/api/v1/events?mine=true")
        .bearer(&association.token)
        .send()
        .ok();
    assert_eq!(mine["data"][0]["status"], "rejected");
    assert_eq!(mine["data"][0]["rejection_reason"], "Précisez l'horaire");
    app.patch(&path(&concert))
        .bearer(&association.token)
        .json(&json!({"status": "pending", "description": "À 20 h 30."}))
        .send()
        .ok();
    app.patch(&path(&concert))
        .bearer(&association.token)
        .json(&json!({"status": "published"}))
        .send()
        .problem(403);
    let live = app
        .patch(&path(&concert))
        .bearer(&editor.token)
        .json(&json!({"status": "published"}))
        .send()
        .ok();
    assert_eq!(live["status"], "published");
    assert_eq!(titles(app, ""), ["Concert"]);
    app.patch(&path(&concert))
        .bearer(&editor.token)
        .json(&json!({"status": "rejected", "rejection_reason": "non"}))
        .send()
        .problem(422);
}

fn the_agenda_shows_what_is_to_come(app: &TestApp) {
    let editor = app.editor();
    publish(
        app,
        &editor.token,
        event("Passé", app, Duration::days(-3), 2),
    );
    let ongoing = publish(
        app,
        &editor.token,
        event("En cours", app, Duration::hours(-1), 3),
    );
    publish(
        app,
        &editor.token,
        with(
            event("Fest-noz à Saint-Étienne", app, Duration::days(2), 5),
            json!({"venue": {"name": "Halles", "address": "", "city": "Saint-Étienne", "postal_code": "42000",
                             "latitude": 45.43, "longitude": 4.39},
                   "price": {"amount_cents": 800, "currency": "EUR", "text": "8 €, gratuit -12 ans"},
                   "category": "fest-noz"}),
        ),
    );
    publish(
        app,
        &editor.token,
        event("Marché de Noël", app, Duration::days(20), 8),
    );

    assert_eq!(
        titles(app, ""),
        ["En cours", "Fest-noz à Saint-Étienne", "Marché de Noël"],
        "upcoming and ongoing, by start"
    );
    assert_eq!(
        titles(app, "?city=saint-etienne"),
        ["Fest-noz à Saint-Étienne"]
    );
    assert_eq!(
        titles(app, "?category=fest-noz"),
        ["Fest-noz à Saint-Étienne"]
    );
    assert_eq!(titles(app, "?free=false"), ["Fest-noz à Saint-Étienne"]);
    assert_eq!(titles(app, "?free=true"), ["En cours", "Marché de Noël"]);
    assert_eq!(titles(app, "?q=noel"), ["Marché de Noël"]);
    assert_eq!(titles(app, "?q=etienne"), ["Fest-noz à Saint-Étienne"]);
    let week = format!(
        "?from={}&to={}",
        urlencode(&at(app, Duration::days(-7))),
        urlencode(&at(app, Duration::days(7)))
    );
    assert_eq!(
        titles(app, &week),
        ["Passé", "En cours", "Fest-noz à Saint-Étienne"],
        "a period includes past events"
    );
    for bad in [
        "?free=oui",
        "?from=demain",
        "?category=Not%20a%20slug",
        "?lieu=x",
        "?sort=prix",
    ] {
        app.get(&format!("/api/v1/events{bad}")).send().problem(400);
    }

    // past events leave the agenda but stay readable
    app.state.clock.advance(Duration::hours(3));
    assert!(!titles(app, "").contains(&"En cours".to_string()));
    assert_eq!(app.get(&path(&ongoing)).send().ok()["title"], "En cours");
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

/// Unfolds an iCalendar text and checks its framing; returns the content lines.
fn parse_ics(text: &str) -> Vec<String> {
    assert!(text.ends_with("\r\n"));
    for raw in text.split("\r\n") {
        assert!(raw.len() <= 75, "a line longer than 75 octets: {raw:?}");
        assert!(
            !raw.contains('\n') && !raw.contains('\r'),
            "bare line end in {raw:?}"
        );
    }
    let unfolded = text.replace("\r\n ", "");
    unfolded
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn unescape(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(other) => out.push(other),
                None => panic!("dangling backslash in {v:?}"),
            }
        } else {
            assert!(c != ';' && c != ',', "unescaped {c:?} in {v:?}");
            out.push(c);
        }
    }
    out
}

fn value<'a>(lines: &'a [String], name: &str) -> Vec<&'a str> {
    lines
        .iter()
        .filter_map(|l| {
            let (head, v) = l.split_once(':')?;
            (head == name || head.starts_with(&format!("{name};"))).then_some(v)
        })
        .collect()
}

fn calendars_import_the_agenda(app: &TestApp) {
    let editor = app.editor();
    let title = "Concert; chorale, orgue \\ « Noël » — une très longue soirée de chants traditionnels bretons";
    let description = "Ligne 1\nLigne 2, avec virgule; et point-virgule\\fin";
    let start = Utc.with_ymd_and_hms(2031, 7, 14, 18, 30, 0).unwrap();
    let concert = publish(
        app,
        &editor.token,
        with(
            event(title, app, Duration::days(1), 2),
            json!({"description": description,
                   "starts_at": start.to_rfc3339(),
                   "ends_at": (start + Duration::hours(2)).to_rfc3339(),
                   "link": "https://comite.example/concert",
                   "venue": {"name": "Église", "address": "Rue du Four", "city": "Quimper",
                             "postal_code": "29000", "latitude": 47.99, "longitude": -4.1}}),
        ),
    );
    // an all-day fair on 15–16 August, Paris time (UTC+2 in summer)
    publish(
        app,
        &editor.token,
        with(
            event("Foire aux puces", app, Duration::days(1), 2),
            json!({"all_day": true, "starts_at": "2031-08-15T00:00:00+02:00",
                   "ends_at": "2031-08-17T00:00:00+02:00"}),
        ),
    );

    let res = app.get("/api/v1/events.ics").send();
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.header("content-type"),
        Some("text/calendar; charset=utf-8")
    );
    let lines = parse_ics(&res.text());
    assert_eq!(lines.first().unwrap(), "BEGIN:VCALENDAR");
    assert_eq!(lines.last().unwrap(), "END:VCALENDAR");
    assert_eq!(value(&lines, "VERSION"), ["2.0"]);
    assert_eq!(value(&lines, "PRODID").len(), 1);
    assert_eq!(
        value(&lines, "BEGIN")
            .iter()
            .filter(|v| **v == "VEVENT")
            .count(),
        2
    );
    assert_eq!(value(&lines, "UID").len(), 2);
    assert_eq!(value(&lines, "DTSTAMP").len(), 2);
    let uid = value(&lines, "UID")[0];
    assert!(uid.starts_with(&format!("event-{}@", concert["id"].as_str().unwrap())));

    assert!(lines.contains(&"DTSTART:20310714T183000Z".to_string()));
    assert!(lines.contains(&"DTEND:20310714T203000Z".to_string()));
    assert!(lines.contains(&"DTSTART;VALUE=DATE:20310815".to_string()));
    assert!(
        lines.contains(&"DTEND;VALUE=DATE:20310817".to_string()),
        "exclusive end"
    );
    let summaries: Vec<String> = value(&lines, "SUMMARY").into_iter().map(unescape).collect();
    assert_eq!(summaries[0], title);
    assert_eq!(unescape(value(&lines, "DESCRIPTION")[0]), description);
    assert_eq!(
        unescape(value(&lines, "LOCATION")[0]),
        "Église, Rue du Four, 29000 Quimper"
    );
    assert_eq!(value(&lines, "GEO")[0], "47.990000;-4.100000");
    assert_eq!(value(&lines, "URL")[0], "https://comite.example/concert");

    // one event, and the filters of the list
    let one = app.get(&format!("{}.ics", path(&concert))).send();
    assert_eq!(one.status, 200, "{}", one.text());
    let lines = parse_ics(&one.text());
    assert_eq!(value(&lines, "UID").len(), 1);
    assert_eq!(unescape(value(&lines, "SUMMARY")[0]), title);
    let filtered = parse_ics(&app.get("/api/v1/events.ics?q=puces").send().text());
    assert_eq!(value(&filtered, "UID").len(), 1);
    app.get("/api/v1/events.ics?inconnu=1").send().problem(400);
    app.get("/api/v1/events/999999.ics").send().problem(404);
}

fn bad_events_are_refused(app: &TestApp) {
    let editor = app.editor();
    let e = publish(
        app,
        &editor.token,
        with(
            event("Piège", app, Duration::days(1), 1),
            json!({"description": "<script>alert(1)</script><img src=x onerror=alert(1)>"}),
        ),
    );
    let html = e["description_html"].as_str().unwrap();
    assert!(
        !html.contains("<script") && !html.contains("onerror="),
        "{html}"
    );

    let base = || event("X", app, Duration::days(1), 2);
    let cases: Vec<(Value, &str)> = vec![
        (
            with(base(), json!({"ends_at": at(app, Duration::days(-1))})),
            "ends_at",
        ),
        (
            with(base(), json!({"time_zone": "Mars/Olympus"})),
            "time_zone",
        ),
        (
            with(
                base(),
                json!({"venue": {"name": "A", "address": "", "city": "B", "postal_code": "29000",
                                            "latitude": 91.0, "longitude": 2.0}}),
            ),
            "venue.latitude",
        ),
        (
            with(
                base(),
                json!({"venue": {"name": "A", "address": "", "city": "B", "postal_code": "29000",
                                            "latitude": 45.0}}),
            ),
            "venue",
        ),
        (with(base(), json!({"price": {}})), "price"),
        (
            with(
                base(),
                json!({"price": {"free": true, "amount_cents": 500}}),
            ),
            "price.amount_cents",
        ),
        (with(base(), json!({"link": "javascript:alert(1)"})), "link"),
        (
            with(
                base(),
                json!({"image": {"url": "https://i.example/a.jpg", "alt": ""}}),
            ),
            "image.alt",
        ),
        (
            with(base(), json!({"category": "Tout et rien"})),
            "category",
        ),
        (with(base(), json!({"starts_at": "demain"})), "starts_at"),
    ];
    for (body, field) in cases {
        let p = app
            .post("/api/v1/events")
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
    // an update that would end before the start
    app.patch(&path(&e))
        .bearer(&editor.token)
        .json(&json!({"starts_at": at(app, Duration::days(5))}))
        .send()
        .problem(422);
    app.get("/api/v1/events/abc").send().problem(404);
}

fn many_submissions(c: &mut kiosque::config::Config) {
    c.submissions_per_hour = 1_000;
}

/// Every write on events × every kind of caller.
fn who_may_write_events(app: &TestApp) {
    let owner = app.member();
    let editor = app.editor();
    let callers: Vec<Option<String>> = vec![
        None,
        Some(owner.token.clone()),
        Some(app.member().token),
        Some(app.author().token),
        Some(editor.token.clone()),
        Some(app.admin().token),
        Some(app.api_key(&["content:write"])),
        Some(app.api_key(&["content:read"])),
    ];
    let pending = || {
        post(
            app,
            &owner.token,
            event("Kermesse", app, Duration::days(4), 3),
        )
    };
    let published = || {
        let e = pending();
        app.patch(&path(&e))
            .bearer(&editor.token)
            .json(&json!({"status": "published"}))
            .send()
            .ok()
    };
    type Build<'a> = Box<dyn Fn() -> (&'static str, String, Option<Value>) + 'a>;
    let rows: Vec<(&str, Build, [u16; 8])> = vec![
        (
            "submit",
            Box::new(|| {
                (
                    "POST",
                    "/api/v1/events".into(),
                    Some(event("Bal", app, Duration::days(1), 2)),
                )
            }),
            [401, 201, 201, 201, 201, 201, 201, 403],
        ),
        (
            "edit pending",
            Box::new(|| {
                (
                    "PATCH",
                    path(&pending()),
                    Some(json!({"title": "Bal masqué"})),
                )
            }),
            [401, 200, 404, 404, 200, 200, 200, 403],
        ),
        (
            "reject",
            Box::new(|| {
                (
                    "PATCH",
                    path(&pending()),
                    Some(json!({"status": "rejected", "rejection_reason": "doublon"})),
                )
            }),
            [401, 403, 404, 404, 200, 200, 200, 403],
        ),
        (
            "edit published",
            Box::new(|| {
                (
                    "PATCH",
                    path(&published()),
                    Some(json!({"title": "Bal masqué"})),
                )
            }),
            [401, 403, 403, 403, 200, 200, 200, 403],
        ),
        (
            "delete pending",
            Box::new(|| ("DELETE", path(&pending()), None)),
            [401, 204, 404, 404, 204, 204, 204, 403],
        ),
        (
            "delete published",
            Box::new(|| ("DELETE", path(&published()), None)),
            [401, 403, 403, 403, 204, 204, 204, 403],
        ),
    ];
    let mut failures = Vec::new();
    for (name, build, expected) in &rows {
        for (i, token) in callers.iter().enumerate() {
            let (method, p, body) = build();
            let mut req = app.request(method, &p);
            if let Some(t) = token {
                req = req.bearer(t);
            }
            if let Some(b) = &body {
                req = req.json(b);
            }
            let res = req.send();
            if res.status >= 400 {
                res.problem(res.status);
            }
            if res.status != expected[i] {
                failures.push(format!(
                    "{name} as caller {i}: expected {}, got {}",
                    expected[i], res.status
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A limit the OpenAPI document states for a field (`maxLength`, `maximum`…).
fn documented(schema: &str, field: &str, key: &str) -> f64 {
    let doc = serde_json::to_value(kiosque::routes::openapi()).unwrap();
    doc["components"]["schemas"][schema]["properties"][field][key]
        .as_f64()
        .unwrap_or_else(|| panic!("{schema}.{field} documents no {key}"))
}

fn the_documented_limits_are_the_enforced_ones(app: &TestApp) {
    let editor = app.editor();
    let len = |schema: &str, field: &str| documented(schema, field, "maxLength") as usize;
    let (title, organizer) = (len("CreateEvent", "title"), len("CreateEvent", "organizer"));
    let (venue, address) = (len("Venue", "name"), len("Venue", "address"));
    let (alt, category) = (len("Image", "alt"), len("CreateEvent", "category"));
    let amount = documented("Price", "amount_cents", "maximum") as i64;
    let (lat, lon) = (
        documented("Venue", "latitude", "maximum"),
        documented("Venue", "longitude", "minimum"),
    );
    let body = |extra: usize, shift: f64| {
        with(
            event(&"é".repeat(title + extra), app, Duration::days(3), 2),
            json!({
                "organizer": "o".repeat(organizer + extra),
                "venue": {"name": "v".repeat(venue + extra), "address": "a".repeat(address + extra),
                          "city": "Brest", "postal_code": "29200",
                          "latitude": lat + shift, "longitude": lon - shift},
                "price": {"amount_cents": amount + extra as i64, "currency": "EUR"},
                "image": {"url": "https://img.example/a.jpg", "alt": "i".repeat(alt + extra)},
                "category": format!("c{}", "1".repeat(category - 1 + extra)),
            }),
        )
    };
    // at each limit: accepted (lengths count characters, not bytes)
    post(app, &editor.token, body(0, 0.0));
    // one past it: refused, on that field
    let p = app
        .post("/api/v1/events")
        .bearer(&editor.token)
        .json(&body(1, 0.5))
        .send()
        .problem(422);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "title",
        "organizer",
        "venue.name",
        "venue.address",
        "venue.latitude",
        "venue.longitude",
        "price.amount_cents",
        "image.alt",
        "category",
    ] {
        assert!(fields.contains(&field), "{field}: {p}");
    }
}

db_tests!(
    an_association_submits_its_concert,
    the_agenda_shows_what_is_to_come,
    calendars_import_the_agenda,
    bad_events_are_refused,
    the_documented_limits_are_the_enforced_ones,
);
db_tests!(config = many_submissions; who_may_write_events);
