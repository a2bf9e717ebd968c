//! The change feed as Server-Sent Events (`Accept: text/event-stream`),
//! read over HTTP as an EventSource would: each change as it comes, with its
//! cursor as `id`, resumed after `Last-Event-ID`, for the feed's readers only.

use std::io::{BufRead, BufReader, Read};
use std::time::Duration as StdDuration;

use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::*;

/// One event of the stream.
#[derive(Debug)]
struct Event {
    id: String,
    kind: String,
    data: Value,
}

struct Stream {
    lines: BufReader<Box<dyn Read + Send>>,
}

impl Stream {
    /// The next event (comments and `retry` skipped).
    fn next_event(&mut self) -> Event {
        let (mut id, mut kind, mut data) = (None, None, None);
        loop {
            let mut line = String::new();
            let n = self.lines.read_line(&mut line).expect("the stream goes on");
            assert!(n > 0, "the stream ended early");
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if let (Some(id), Some(kind), Some(data)) = (id.take(), kind.take(), data.take()) {
                    return Event { id, kind, data };
                }
                continue;
            }
            if let Some(v) = line.strip_prefix("id: ") {
                id = Some(v.to_string());
            } else if let Some(v) = line.strip_prefix("event: ") {
                kind = Some(v.to_string());
            } else if let Some(v) = line.strip_prefix("data: ") {
                data = Some(serde_json::from_str(v).expect("data is JSON"));
            }
        }
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(StdDuration::from_secs(20)))
        .build()
        .into()
}

/// Opens the stream as `token`, from `last_event_id` if given.
fn open(
    app: &TestApp,
    token: &str,
    query: &str,
    last_event_id: Option<&str>,
) -> (u16, Option<Stream>) {
    let mut req = agent()
        .get(&format!("{}/api/v1/changes{query}", app.base))
        .header("Accept", "text/event-stream")
        .header("Authorization", &format!("Bearer {token}"));
    if let Some(last) = last_event_id {
        req = req.header("Last-Event-ID", last);
    }
    let res = req.call().expect("the server answers");
    let status = res.status().as_u16();
    if status != 200 {
        return (status, None);
    }
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(kind.starts_with("text/event-stream"), "{kind}");
    let reader: Box<dyn Read + Send> = Box::new(res.into_body().into_reader());
    (
        status,
        Some(Stream {
            lines: BufReader::new(reader),
        }),
    )
}

fn end_cursor(app: &TestApp, key: &str) -> String {
    let mut cursor = String::new();
    loop {
        let page = app
            .get(&format!("/api/v1/changes?after={cursor}&limit=100"))
            .bearer(key)
            .send()
            .ok();
        cursor = page["meta"]["next_cursor"].as_str().unwrap().to_string();
        if page["meta"]["has_more"] != json!(true) {
            return cursor;
        }
    }
}

fn the_feed_streams_changes_as_they_come(app: &TestApp) {
    let editor = app.editor();
    let key = app.api_key(&["content:read"]);
    let start = end_cursor(app, &key);

    let (status, stream) = open(app, &key, "", Some(&start));
    assert_eq!(status, 200);
    let mut stream = stream.unwrap();
    let (first, second) = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(StdDuration::from_millis(300));
            app.article(&editor).published();
            app.tag(&editor).create();
        });
        (stream.next_event(), stream.next_event())
    });
    assert_eq!(first.kind, "article.published");
    assert_eq!(first.data["type"], "article.published");
    assert_eq!(second.kind, "tag.created");

    // the same items as the JSON feed, with the feed's cursors as ids
    let page = app
        .get(&format!("/api/v1/changes?after={start}"))
        .bearer(&key)
        .send()
        .ok();
    assert_eq!(page["data"][0], first.data);
    assert_eq!(page["data"][1], second.data);
    assert_eq!(page["meta"]["next_cursor"], second.id.as_str());

    // a reconnection resumes after Last-Event-ID: the second change, then what follows
    drop(stream);
    let (_, stream) = open(app, &key, "", Some(&first.id));
    let mut stream = stream.unwrap();
    assert_eq!(stream.next_event().data, second.data);
    // `after` works too, and types filter
    let (_, stream) = open(app, &key, &format!("?after={start}&types=tag.*"), None);
    assert_eq!(stream.unwrap().next_event().data, second.data);
}

fn only_the_feeds_readers_get_the_stream(app: &TestApp) {
    let member = app.member();
    let (status, _) = open(app, &member.token, "", None);
    assert_eq!(status, 403);
    let res = app
        .get("/api/v1/changes")
        .header("Accept", "text/event-stream")
        .send();
    res.problem(401);
    let key = app.api_key(&["content:read"]);
    let (status, _) = open(app, &key, "", Some("not-a-cursor"));
    assert_eq!(status, 400);
}

db_tests!(
    the_feed_streams_changes_as_they_come,
    only_the_feeds_readers_get_the_stream,
);
