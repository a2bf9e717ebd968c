//! Feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1), read by an independent parser
//! (`feed-rs`) as a feed reader would: what they list, where they link,
//! tricky French text intact, conditional GETs, and the clock's part
//! (scheduled articles, expiring offers) never hidden by the cache.

use chrono::Duration;
use serde_json::json;

use crate::db_tests;
use crate::helpers::{Resp, TestApp, at};

const FORMATS: [&str; 3] = ["rss.xml", "atom.xml", "feed.json"];

/// A title and a body that break naive XML: accents, `&`, `<`, quotes,
/// emoji, a CDATA end, a French non-breaking space.
const TRICKY_TITLE: &str = "L'été à Besançon : « Tom & Jérôme » <b>gratuit</b> \"cité\" 🎉 ]]>";
const TRICKY_BODY: &str =
    "Prix : 5 € & plus ; <script>alert(1)</script> « guillemets » ]]> fin 🚲\u{a0}!";

#[track_caller]
fn parse(res: &Resp) -> feed_rs::model::Feed {
    assert_eq!(res.status, 200, "{}", res.text());
    feed_rs::parser::parse(&res.body[..])
        .unwrap_or_else(|e| panic!("not a feed ({e}): {}", res.text()))
}

fn titles(feed: &feed_rs::model::Feed) -> Vec<String> {
    feed.entries
        .iter()
        .map(|e| {
            e.title
                .as_ref()
                .map(|t| t.content.clone())
                .unwrap_or_default()
        })
        .collect()
}

fn site_feed_lists_published_articles_in_three_formats(app: &TestApp) {
    let editor = app.editor();
    let author = app.author();
    let section = app.section(&editor).name("Economie").create();
    let tag = app.tag(&editor).name("Foire comtoise").create();
    let article = app
        .article(&editor)
        .title(TRICKY_TITLE)
        .body(TRICKY_BODY)
        .section(&section)
        .tags(&[&tag])
        .authors(&[&author])
        .with(json!({
            "lead": "Un chapeau & des <balises> « à la française » 😀",
            "cover": {"url": "https://cdn.example/foire.jpg", "alt": "La foire"}
        }))
        .published();
    app.article(&editor).title("Brouillon secret").draft();
    app.article(&editor)
        .title("Pas encore")
        .scheduled(&at(app, Duration::hours(2)));
    let shown = app.get(&article.path()).send().ok();
    let link = format!("http://localhost:3000/economie/{}", article.slug());

    for format in FORMATS {
        let res = app.get(&format!("/api/v1/feeds/{format}")).send();
        let feed = parse(&res);
        let kind = res.header("content-type").unwrap();
        match format {
            "rss.xml" => assert!(kind.starts_with("application/rss+xml"), "{kind}"),
            "atom.xml" => assert!(kind.starts_with("application/atom+xml"), "{kind}"),
            _ => assert!(kind.starts_with("application/feed+json"), "{kind}"),
        }
        assert_eq!(titles(&feed), vec![TRICKY_TITLE.to_string()], "{format}");
        assert_eq!(feed.title.as_ref().unwrap().content, "Kiosque", "{format}");
        let entry = &feed.entries[0];
        assert_eq!(
            entry.links[0].href, link,
            "{format}: links go to the front end"
        );
        let content = entry.content.as_ref().and_then(|c| c.body.clone()).unwrap();
        // (Atom readers trim the content's surrounding white space)
        assert_eq!(
            content.trim(),
            shown["body_html"].as_str().unwrap().trim(),
            "{format}: the full HTML"
        );
        assert!(!content.contains("<script"), "sanitized");
        let summary = entry.summary.as_ref().map(|s| s.content.clone()).unwrap();
        assert_eq!(
            summary, "Un chapeau & des <balises> « à la française » 😀",
            "{format}"
        );
        let authors: Vec<&str> = entry.authors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            authors,
            vec![shown["authors"][0]["display_name"].as_str().unwrap()]
        );
        let categories: Vec<&str> = entry.categories.iter().map(|c| c.term.as_str()).collect();
        assert!(
            categories.contains(&"Economie") && categories.contains(&"Foire comtoise"),
            "{format}: {categories:?}"
        );
        let published = entry.published.unwrap();
        let api_time =
            chrono::DateTime::parse_from_rfc3339(shown["published_at"].as_str().unwrap()).unwrap();
        assert_eq!(published.timestamp(), api_time.timestamp(), "{format}");
        let image = if format == "feed.json" {
            // feed-rs leaves JSON Feed's `image` out: read it as JSON
            res.json()["items"][0]["image"].as_str().map(str::to_string)
        } else {
            entry
                .media
                .iter()
                .flat_map(|m| m.content.iter())
                .filter_map(|c| c.url.as_ref())
                .map(|u| u.to_string())
                .next()
        };
        assert_eq!(
            image.as_deref(),
            Some("https://cdn.example/foire.jpg"),
            "{format}"
        );
    }

    // the XML formats declare their namespaces and French
    let rss = app.get("/api/v1/feeds/rss.xml").send().text();
    for ns in [
        r#"xmlns:media="http://search.yahoo.com/mrss/""#,
        r#"xmlns:atom="http://www.w3.org/2005/Atom""#,
        r#"xmlns:content="http://purl.org/rss/1.0/modules/content/""#,
        "<language>fr</language>",
        r#"<enclosure url="https://cdn.example/foire.jpg" length="0" type="image/jpeg"/>"#,
    ] {
        assert!(rss.contains(ns), "{ns} in {rss}");
    }
    let atom = app.get("/api/v1/feeds/atom.xml").send().text();
    assert!(
        atom.contains(r#"<feed xmlns="http://www.w3.org/2005/Atom""#)
            && atom.contains(r#"xml:lang="fr""#)
    );
    // RSS dates are RFC 822, Atom's RFC 3339
    let pub_date = rss
        .split("<pubDate>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc2822(pub_date).is_ok(),
        "{pub_date}"
    );
    let updated = atom
        .split("<updated>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(updated).is_ok(),
        "{updated}"
    );

    // a deleted article leaves at once
    app.delete(&article.path())
        .bearer(&editor.token)
        .send()
        .ok();
    for format in FORMATS {
        let feed = parse(&app.get(&format!("/api/v1/feeds/{format}")).send());
        assert!(feed.entries.is_empty(), "{format}");
    }
    // the scheduled article appears when its time comes, cache or not
    app.state.clock.advance(Duration::hours(3));
    for format in FORMATS {
        let feed = parse(&app.get(&format!("/api/v1/feeds/{format}")).send());
        assert_eq!(titles(&feed), vec!["Pas encore".to_string()], "{format}");
    }
}

fn section_tag_and_author_feeds_follow_their_subject(app: &TestApp) {
    let editor = app.editor();
    let (alice, bob) = (app.author(), app.author());
    let eco = app.section(&editor).name("Economie").create();
    let sport = app.section(&editor).name("Sport").create();
    let tag = app.tag(&editor).name("Municipales").create();
    app.article(&editor)
        .title("La bourse du travail")
        .section(&eco)
        .tags(&[&tag])
        .authors(&[&alice])
        .published();
    app.article(&editor)
        .title("Le derby")
        .section(&sport)
        .authors(&[&bob])
        .published();
    app.article(&editor)
        .title("Budget en brouillon")
        .section(&eco)
        .tags(&[&tag])
        .authors(&[&alice])
        .draft();
    let alice_slug = app
        .get(&format!("/api/v1/authors/{}", alice.id))
        .send()
        .ok()["slug"]
        .as_str()
        .unwrap()
        .to_string();
    let cases = [
        (
            format!("sections/{}", eco.slug()),
            "La bourse du travail",
            "Economie — Kiosque",
        ),
        (
            format!("sections/{}", eco.id()),
            "La bourse du travail",
            "Economie — Kiosque",
        ),
        (
            format!("sections/{}", sport.slug()),
            "Le derby",
            "Sport — Kiosque",
        ),
        (
            format!("tags/{}", tag.slug()),
            "La bourse du travail",
            "Municipales — Kiosque",
        ),
        (format!("authors/{alice_slug}"), "La bourse du travail", ""),
        (format!("authors/{}", bob.id), "Le derby", ""),
    ];
    for (subject, title, feed_title) in &cases {
        for format in FORMATS {
            let feed = parse(&app.get(&format!("/api/v1/feeds/{subject}/{format}")).send());
            assert_eq!(titles(&feed), vec![title.to_string()], "{subject}/{format}");
            if !feed_title.is_empty() {
                assert_eq!(feed.title.as_ref().unwrap().content, *feed_title);
            }
        }
    }
    // the section's feed links to the section's page
    let rss = app
        .get(&format!("/api/v1/feeds/sections/{}/rss.xml", eco.slug()))
        .send()
        .text();
    assert!(
        rss.contains(&format!(
            "<link>http://localhost:3000/{}</link>",
            eco.slug()
        )),
        "{rss}"
    );

    app.get("/api/v1/feeds/sections/inconnue/rss.xml")
        .send()
        .problem(404);
    app.get("/api/v1/feeds/tags/999999/atom.xml")
        .send()
        .problem(404);
    app.get("/api/v1/feeds/authors/personne/feed.json")
        .send()
        .problem(404);
    app.get("/api/v1/feeds/feed.xml").send().problem(404);
    app.get("/api/v1/feeds/rss.xml?utm_source=x")
        .send()
        .problem(400);
    // a member is no author
    let member = app.member();
    app.get(&format!("/api/v1/feeds/authors/{}/rss.xml", member.id))
        .send()
        .problem(404);
    // anonymous and signed-in readers read the same feed; a bad token is refused
    let signed = app
        .get("/api/v1/feeds/rss.xml")
        .bearer(&editor.token)
        .send();
    assert_eq!(signed.body, app.get("/api/v1/feeds/rss.xml").send().body);
    app.get("/api/v1/feeds/rss.xml")
        .bearer("not-a-token")
        .send()
        .problem(401);
}

fn job_and_event_feeds_show_what_is_open(app: &TestApp) {
    let editor = app.editor();
    let member = app.member();
    app.job(&editor)
        .title("Boulanger·e & pâtissier·e")
        .set("expires_at", at(app, Duration::days(2)))
        .published();
    app.job(&editor)
        .title("Offre longue")
        .set("expires_at", at(app, Duration::days(20)))
        .published();
    app.job(&editor).title("Offre en brouillon").draft();
    app.job(&member).title("Offre proposée").create(); // pending review
    app.event(&editor)
        .title("Concert de l'Harmonie")
        .starts_in(Duration::days(1), 2)
        .published();
    app.event(&editor)
        .title("Fête de la musique")
        .starts_in(Duration::days(10), 5)
        .published();
    app.event(&editor).title("Réunion interne").draft();

    for format in FORMATS {
        let jobs = parse(&app.get(&format!("/api/v1/feeds/jobs/{format}")).send());
        let mut listed = titles(&jobs);
        listed.sort();
        assert_eq!(
            listed,
            vec!["Boulanger·e & pâtissier·e", "Offre longue"],
            "{format}"
        );
        assert!(
            jobs.entries[0].links[0]
                .href
                .starts_with("http://localhost:3000/emploi/")
        );
        let events = parse(&app.get(&format!("/api/v1/feeds/events/{format}")).send());
        assert_eq!(
            titles(&events),
            vec!["Concert de l'Harmonie", "Fête de la musique"],
            "{format}: soonest first"
        );
    }
    // three days on: the first offer expired, the concert is over
    app.state.clock.advance(Duration::days(3));
    for format in FORMATS {
        let jobs = parse(&app.get(&format!("/api/v1/feeds/jobs/{format}")).send());
        assert_eq!(titles(&jobs), vec!["Offre longue"], "{format}");
        let events = parse(&app.get(&format!("/api/v1/feeds/events/{format}")).send());
        assert_eq!(titles(&events), vec!["Fête de la musique"], "{format}");
    }
}

fn conditional_gets_answer_304(app: &TestApp) {
    let editor = app.editor();
    app.article(&editor).title("Premier").published();
    for format in FORMATS {
        let path = format!("/api/v1/feeds/{format}");
        let first = app.get(&path).send();
        assert_eq!(first.status, 200);
        let etag = first.header("etag").unwrap().to_string();
        let modified = first.header("last-modified").unwrap().to_string();
        assert!(
            first
                .header("cache-control")
                .unwrap()
                .starts_with("public, max-age=")
        );
        let again = app.get(&path).header("If-None-Match", &etag).send();
        assert_eq!(again.status, 304, "{format}");
        assert!(again.body.is_empty());
        let by_date = app.get(&path).header("If-Modified-Since", &modified).send();
        assert_eq!(by_date.status, 304, "{format}");
        // a stale tag gets the feed
        let other = app.get(&path).header("If-None-Match", "\"autre\"").send();
        assert_eq!(other.status, 200);
    }
    let path = "/api/v1/feeds/atom.xml";
    let etag = app.get(path).send().header("etag").unwrap().to_string();
    app.article(&editor).title("Second").published();
    let changed = app.get(path).header("If-None-Match", &etag).send();
    assert_eq!(
        changed.status, 200,
        "a new article changes the feed at once"
    );
    assert_ne!(changed.header("etag").unwrap(), etag);
    assert_eq!(titles(&parse(&changed)), vec!["Second", "Premier"]);
}

fn a_media_cover_goes_out_with_its_size(app: &TestApp) {
    let editor = app.editor();
    // a 2000×1000 photo in the media library, with its alt text
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(2000, 1000, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    }))
    .write_to(
        &mut std::io::Cursor::new(&mut bytes),
        image::ImageFormat::Jpeg,
    )
    .unwrap();
    let photo = app
        .post("/api/v1/media?alt=Le%20march%C3%A9&credit=J.%20Dupont")
        .bearer(&editor.token)
        .raw("image/jpeg", bytes)
        .send();
    assert_eq!(photo.status, 201, "{}", photo.text());
    let photo_id = photo.json()["id"].as_str().unwrap().to_string();
    let res = app
        .post("/api/v1/articles")
        .bearer(&editor.token)
        .json(
            &json!({"title": "Le marché couvert rouvre", "body": "Texte.",
                      "status": "published", "cover_media_id": photo_id}),
        )
        .send();
    assert_eq!(res.status, 201, "{}", res.text());
    for format in ["rss.xml", "atom.xml"] {
        let res = app.get(&format!("/api/v1/feeds/{format}")).send();
        assert_eq!(res.status, 200, "{format}");
        let feed = parse(&res);
        let entry = feed
            .entries
            .iter()
            .find(|e| {
                e.title.as_ref().map(|t| t.content.as_str()) == Some("Le marché couvert rouvre")
            })
            .unwrap_or_else(|| panic!("{format}: the article is in the feed"));
        let content = entry
            .media
            .iter()
            .flat_map(|m| m.content.iter())
            .next()
            .unwrap_or_else(|| panic!("{format}: media:content"));
        let url = content.url.as_ref().unwrap().to_string();
        assert!(
            url.starts_with("http") && url.contains(&format!("/api/v1/media/{photo_id}/v/")),
            "{format}: {url}"
        );
        // the widest variant, never wider than the original, with its size
        let xml = res.text();
        assert!(
            xml.contains(&format!(r#"<media:content url="{}" medium="image" type="image/jpeg" width="1600" height="800""#, url.replace('&', "&amp;"))),
            "{format}: {xml}"
        );
        // and the address serves that image
        let served = app.get(&url[url.find("/api/v1/").unwrap()..]).send();
        assert_eq!(served.status, 200, "{format}");
        let img = image::load_from_memory(&served.body).unwrap();
        assert_eq!((img.width(), img.height()), (1600, 800), "{format}");
    }
}

db_tests!(
    a_media_cover_goes_out_with_its_size,
    site_feed_lists_published_articles_in_three_formats,
    section_tag_and_author_feeds_follow_their_subject,
    job_and_event_feeds_show_what_is_open,
    conditional_gets_answer_304,
);
