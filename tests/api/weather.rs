//! The weather box: who may push, what is refused, when an observation is
//! stale, and the fetcher against a fake provider started by the test
//! itself (a tiny HTTP server on 127.0.0.1), failing in every way a
//! provider can, without ever losing the last good value.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use chrono::Duration;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{Action, DENIED, Matrix, OK, TestApp, UNAUTH, at};

fn report(app: &TestApp) -> Value {
    json!({
        "name": "Besançon",
        "latitude": 47.2378,
        "longitude": 6.0241,
        "observation": {
            "temperature_c": 14.41,
            "description": "légère pluie",
            "icon": "10d",
            "observed_at": at(app, Duration::zero()),
            "wind_speed_ms": 1.85,
            "wind_direction_deg": 230,
            "pressure_hpa": 1018.0,
            "humidity_pct": 91
        },
        "forecast": [
            {"at": at(app, Duration::hours(3)), "temperature_c": 15.2, "description": "nuageux", "icon": "04d"},
            {"at": at(app, Duration::hours(6)), "temperature_c": 13.8, "description": "averses"}
        ]
    })
}

fn pushing_needs_weather_write_or_an_admin(app: &TestApp) {
    let admin = app.admin();
    let (member, editor) = (app.member(), app.editor());
    let (content_key, weather_key) = (
        app.api_key(&["content:write"]),
        app.api_key(&["weather:write"]),
    );
    let mut m = Matrix::new(app, &admin)
        .anonymous("anonymous")
        .caller("member", &member)
        .caller("editor", &editor)
        .caller("key content:write", &content_key)
        .caller("key weather:write", &weather_key)
        .caller("admin", &admin);
    m.row(
        "push the weather",
        [UNAUTH, DENIED, DENIED, DENIED, OK, OK],
        |_| {
            Action::put("/api/v1/weather/besancon")
                .json(report(app))
                .unchanged("/api/v1/weather")
        },
    );
    m.run();

    // the key's push is what anyone reads
    let made = app
        .put("/api/v1/weather/dole")
        .bearer(&weather_key)
        .json(&json!({"name": "Dole", "observation": report(app)["observation"]}))
        .send();
    assert_eq!(made.status, 201, "{}", made.text());
    assert_eq!(made.header("location"), Some("/api/v1/weather/dole"));
    let read = app.get("/api/v1/weather/dole").send().ok();
    assert_eq!(read["name"], "Dole");
    assert_eq!(read["observation"]["description"], "légère pluie");
    assert_eq!(read["observation"]["humidity_pct"], 91);
    assert_eq!(read["source"], "push");
    assert_eq!(read["stale"], false);
    assert_eq!(
        read,
        app.get(&format!("/api/v1/weather/{}", read["id"].as_str().unwrap()))
            .send()
            .ok()
    );
    // pushing again replaces it (200), and keeps the name when left out
    let mut again = report(app);
    again.as_object_mut().unwrap().remove("name");
    again["observation"]["temperature_c"] = json!(-3.5);
    let res = app
        .put("/api/v1/weather/dole")
        .bearer(&weather_key)
        .json(&again)
        .send();
    assert_eq!(res.status, 200, "{}", res.text());
    let read = app.get("/api/v1/weather/dole").send().ok();
    assert_eq!(
        (
            read["name"].as_str(),
            read["observation"]["temperature_c"].as_f64()
        ),
        (Some("Dole"), Some(-3.5))
    );
    assert_eq!(read["forecast"].as_array().unwrap().len(), 2);
    let all = app.get("/api/v1/weather").send().ok();
    let names: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Besançon", "Dole"], "by name");
    app.get("/api/v1/weather/pontarlier").send().problem(404);
}

fn implausible_values_are_refused(app: &TestApp) {
    let key = app.api_key(&["weather:write"]);
    let cases = [
        ("observation.humidity_pct", json!(120)),
        ("observation.pressure_hpa", json!(500.0)),
        ("observation.temperature_c", json!(95.0)),
        ("observation.wind_speed_ms", json!(-1.0)),
        ("observation.wind_direction_deg", json!(400)),
        ("observation.description", json!("")),
        ("observation.icon", json!("<script>")),
    ];
    for (field, value) in cases {
        let mut body = report(app);
        let name = field.rsplit('.').next().unwrap();
        body["observation"][name] = value;
        let p = app
            .put("/api/v1/weather/besancon")
            .bearer(&key)
            .json(&body)
            .send()
            .problem(422);
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }
    let mut body = report(app);
    body["observation"]["observed_at"] = json!(at(app, Duration::hours(2)));
    app.put("/api/v1/weather/besancon")
        .bearer(&key)
        .json(&body)
        .send()
        .problem(422);
    let mut body = report(app);
    body.as_object_mut().unwrap().remove("longitude");
    app.put("/api/v1/weather/besancon")
        .bearer(&key)
        .json(&body)
        .send()
        .problem(422);
    let mut nameless = report(app);
    nameless.as_object_mut().unwrap().remove("name");
    let p = app
        .put("/api/v1/weather/besancon")
        .bearer(&key)
        .json(&nameless)
        .send()
        .problem(422);
    assert_eq!(p["errors"][0]["field"], "name", "a new town needs its name");
    let mut unknown = report(app);
    unknown["humidite"] = json!(3);
    let p = app
        .put("/api/v1/weather/besancon")
        .bearer(&key)
        .json(&unknown)
        .send()
        .problem(422);
    assert_eq!(p["errors"][0]["field"], "humidite");
    app.put("/api/v1/weather/Besan%C3%A7on")
        .bearer(&key)
        .json(&report(app))
        .send()
        .problem(404);
    app.put("/api/v1/weather/424242")
        .bearer(&key)
        .json(&report(app))
        .send()
        .problem(404);
    // nothing was stored
    assert_eq!(app.get("/api/v1/weather").send().ok()["meta"]["total"], 0);
}

fn an_old_observation_is_stale(app: &TestApp) {
    let key = app.api_key(&["weather:write"]);
    app.put("/api/v1/weather/besancon")
        .bearer(&key)
        .json(&report(app))
        .send()
        .ok();
    let fresh = app.get("/api/v1/weather/besancon").send();
    assert_eq!(fresh.ok()["stale"], false);
    assert_eq!(fresh.header("cache-control"), Some("public, max-age=60"));
    // past KIOSQUE_WEATHER_MAX_AGE_MINUTES (3 hours by default)
    app.state.clock.advance(Duration::hours(4));
    let old = app.get("/api/v1/weather/besancon").send();
    assert_eq!(old.ok()["stale"], true);
    assert_eq!(
        old.header("cache-control"),
        Some("public, max-age=30"),
        "kept briefly"
    );
    assert_eq!(
        old.ok()["observation"]["temperature_c"],
        14.41,
        "still shown"
    );
    assert_eq!(
        app.get("/api/v1/weather").send().ok()["data"][0]["stale"],
        true
    );
}

/// The answers still to give: (status, body).
type Script = Arc<Mutex<VecDeque<(u16, Vec<u8>)>>>;

/// A fake provider: answers each request with the next scripted answer
/// (status, body), the last one for ever after.
struct FakeProvider {
    url: String,
    script: Script,
    asked: Arc<Mutex<Vec<String>>>,
}

impl FakeProvider {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/data/2.5/weather?lat={{lat}}&lon={{lon}}&q={{town}}&units=metric&lang=fr",
            listener.local_addr().unwrap()
        );
        let script: Script = Arc::default();
        let asked: Arc<Mutex<Vec<String>>> = Arc::default();
        let (s, a) = (script.clone(), asked.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let line = String::from_utf8_lossy(&request)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string();
                a.lock().unwrap().push(line);
                let (status, body) = {
                    let mut script = s.lock().unwrap();
                    if script.len() > 1 {
                        script.pop_front().unwrap()
                    } else {
                        script.front().cloned().unwrap_or((500, Vec::new()))
                    }
                };
                let extra = if status == 302 {
                    "Location: http://127.0.0.1:9/\r\n"
                } else {
                    ""
                };
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        Self { url, script, asked }
    }

    fn answer(&self, status: u16, body: impl Into<Vec<u8>>) {
        let mut script = self.script.lock().unwrap();
        script.clear();
        script.push_back((status, body.into()));
    }
}

fn owm(temp: f64, humidity: i64, dt: i64) -> String {
    json!({
        "coord": {"lon": 6.0241, "lat": 47.2378},
        "weather": [{"id": 500, "main": "Rain", "description": "légère pluie", "icon": "10d"}],
        "base": "stations",
        "main": {"temp": temp, "feels_like": temp, "pressure": 1018, "humidity": humidity},
        "wind": {"speed": 1.85, "deg": 230},
        "dt": dt, "name": "Besançon", "cod": 200
    })
    .to_string()
}

/// One pass of the fetcher, as `serve` runs it on its interval, by a node
/// configured with `provider` on the app's database.
fn refresh(app: &TestApp, provider: &FakeProvider) -> kiosque::weather::Refreshed {
    let mut config = app.state.config.clone();
    // the fake provider listens on loopback, which calls out refuse unless allowed
    config.outbound.allow = vec![kiosque::config::Cidr::parse("127.0.0.0/8").unwrap()];
    config.weather.provider = Some(kiosque::config::WeatherProvider {
        url: provider.url.clone(),
        towns: kiosque::config::WeatherTown::parse_list("Besançon:47.2378:6.0241").unwrap(),
        interval: std::time::Duration::from_secs(600),
        timeout: std::time::Duration::from_secs(5),
    });
    let node = kiosque::state::AppState::new(config);
    node.clock
        .advance(app.state.clock.now_utc() - chrono::Utc::now());
    actix_web::rt::System::new()
        .block_on(kiosque::weather::refresh(&node))
        .expect("a refresh never fails on the provider's account")
}

fn the_fetcher_keeps_the_last_good_value(app: &TestApp) {
    let provider = FakeProvider::start();
    let now = app.state.clock.now_utc().timestamp();

    // a provider that never answered well: nothing to show yet
    provider.answer(500, "oops");
    assert_eq!(refresh(app, &provider).failed, 1);
    app.get("/api/v1/weather/besancon").send().problem(404);

    provider.answer(200, owm(14.41, 91, now));
    assert_eq!(refresh(app, &provider).stored, 1);
    let asked = provider.asked.lock().unwrap().last().cloned().unwrap();
    assert!(
        asked.contains("lat=47.2378&lon=6.0241&q=Besan%C3%A7on"),
        "{asked}"
    );
    let good = app.get("/api/v1/weather/besancon").send().ok();
    assert_eq!(good["name"], "Besançon");
    assert_eq!(good["source"], "provider");
    assert_eq!(good["stale"], false);
    assert_eq!(good["observation"]["temperature_c"], 14.41);
    assert_eq!(good["latitude"], 47.2378);

    let failures: Vec<(u16, Vec<u8>)> = vec![
        (200, b"<html>Service indisponible</html>".to_vec()),
        (
            200,
            b"{\"cod\":401,\"message\":\"Invalid API key\"}".to_vec(),
        ),
        (200, owm(14.0, 150, now).into_bytes()),
        (200, owm(287.56, 91, now).into_bytes()),
        (503, owm(14.0, 91, now).into_bytes()),
        (302, Vec::new()),
        (200, vec![b' '; 200 * 1024]),
    ];
    for (status, body) in failures {
        provider.answer(status, body.clone());
        let done = refresh(app, &provider);
        assert_eq!(
            done.failed,
            1,
            "{status} {}",
            String::from_utf8_lossy(&body[..body.len().min(60)])
        );
        let read = app.get("/api/v1/weather/besancon").send().ok();
        assert_eq!(read["stale"], true, "{status}");
        assert_eq!(
            read["observation"], good["observation"],
            "the last good value stays"
        );
    }
    // a good answer again: fresh
    provider.answer(200, owm(15.0, 80, now + 600));
    assert_eq!(refresh(app, &provider).stored, 1);
    let read = app.get("/api/v1/weather/besancon").send().ok();
    assert_eq!(
        (
            read["stale"].as_bool(),
            read["observation"]["humidity_pct"].as_i64()
        ),
        (Some(false), Some(80))
    );

    // a provider that is gone
    let gone = FakeProvider {
        url: "http://127.0.0.1:9/weather?lat={lat}".into(),
        script: Arc::default(),
        asked: Arc::default(),
    };
    assert_eq!(refresh(app, &gone).failed, 1);
    assert_eq!(
        app.get("/api/v1/weather/besancon").send().ok()["stale"],
        true
    );
}

fn the_demo_site_has_a_weather_box(app: &TestApp) {
    let seeded = app.command(&["seed-demo", "--articles", "40", "--seed", "3"], "");
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let box_ = app.get("/api/v1/weather/besancon").send().ok();
    assert_eq!(box_["name"], "Besançon");
    assert_eq!(box_["observation"]["description"], "légère pluie");
    assert_eq!(box_["stale"], false);
    assert!(!box_["forecast"].as_array().unwrap().is_empty());
    // and this morning's articles are in the news sitemap
    let news = app.get("/api/v1/sitemaps/news.xml").send();
    assert!(
        news.text().matches("<news:news>").count() >= 5,
        "{}",
        news.text()
    );
}

db_tests!(
    pushing_needs_weather_write_or_an_admin,
    implausible_values_are_refused,
    an_old_observation_is_stale,
    the_fetcher_keeps_the_last_good_value,
    the_demo_site_has_a_weather_box,
);
