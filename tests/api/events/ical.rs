//! iCalendar export that calendars can import.

use chrono::{Duration, TimeZone, Utc};
use serde_json::json;

use super::*;
use crate::db_tests;
use crate::helpers::TestApp;

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

db_tests!(calendars_import_the_agenda);
