//! The agenda: what is to come by default, filters, periods, past events.

use chrono::Duration;
use serde_json::json;

use super::*;
use crate::db_tests;
use crate::helpers::{TestApp, at};

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

db_tests!(the_agenda_shows_what_is_to_come);
