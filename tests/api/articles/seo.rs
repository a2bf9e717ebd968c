//! What articles tell search engines: the SEO title, description and
//! canonical address an editor writes, and the schema.org `NewsArticle`
//! JSON-LD a site pastes into its page.

use std::io::Cursor;

use image::{DynamicImage, RgbImage};
use serde_json::{Value, json};

use super::*;
use crate::db_tests;
use crate::helpers::TestApp;

fn seo_fields_are_written_read_changed_and_kept_in_revisions(app: &TestApp) {
    let editor = app.editor();
    let created = create_article(
        app,
        &editor.token,
        json!({
            "title": "Le conseil municipal vote le budget",
            "seo_title": "  Budget 2027 : ce que vote Quimper  ",
            "seo_description": "Hausse des investissements, impôts stables : le budget en cinq points.",
            "canonical_url": "https://www.partenaire.example/budget-2027",
        }),
    );
    // kept as written, surrounding white space aside
    assert_eq!(created["seo_title"], "Budget 2027 : ce que vote Quimper");
    assert_eq!(
        created["seo_description"],
        "Hausse des investissements, impôts stables : le budget en cinq points."
    );
    assert_eq!(
        created["canonical_url"],
        "https://www.partenaire.example/budget-2027"
    );
    let path = path_of(&created);
    let read = app.get(&path).bearer(&editor.token).send().ok();
    assert_eq!(read["seo_title"], "Budget 2027 : ce que vote Quimper");

    // changed, and cleared with null; absent fields stay as they are
    let changed = app
        .patch(&path)
        .bearer(&editor.token)
        .json(&json!({"seo_title": null, "canonical_url": "http://ancien.example/budget"}))
        .send()
        .ok();
    assert_eq!(changed["seo_title"], Value::Null);
    assert_eq!(changed["canonical_url"], "http://ancien.example/budget");
    assert_eq!(
        changed["seo_description"], created["seo_description"],
        "a field not sent is kept"
    );

    // the replaced version keeps its SEO fields, and restoring brings them back
    let revisions = app
        .get(&format!("{path}/revisions"))
        .bearer(&editor.token)
        .send()
        .ok();
    let revision_id = revisions["data"][0]["id"].as_str().unwrap().to_string();
    let revision = app
        .get(&format!("{path}/revisions/{revision_id}"))
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(
        revision["content"]["seo_title"],
        "Budget 2027 : ce que vote Quimper"
    );
    let restored = app
        .post(&format!("{path}/revisions/{revision_id}/restore"))
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(restored["seo_title"], "Budget 2027 : ce que vote Quimper");
    assert_eq!(
        restored["canonical_url"],
        "https://www.partenaire.example/budget-2027"
    );

    // an author writes them on their own draft
    let author = app.author();
    let own = create_article(
        app,
        &author.token,
        json!({"title": "Mon brouillon", "seo_title": "Mon titre pour Google"}),
    );
    assert_eq!(own["seo_title"], "Mon titre pour Google");
}

fn seo_fields_are_checked(app: &TestApp) {
    let editor = app.editor();
    let refused = |body: Value, field: &str| {
        let res = app
            .post("/api/v1/articles")
            .bearer(&editor.token)
            .json(&body)
            .send();
        let p = res.problem(422);
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    };
    refused(
        json!({"title": "T", "seo_title": "x".repeat(71)}),
        "seo_title",
    );
    refused(json!({"title": "T", "seo_title": "   "}), "seo_title");
    refused(
        json!({"title": "T", "seo_description": "é".repeat(201)}),
        "seo_description",
    );
    for bad in [
        "/budget-2027",
        "ftp://partenaire.example/budget",
        "https://",
        "https://user@partenaire.example/",
        "https://partenaire.example/un budget",
    ] {
        refused(json!({"title": "T", "canonical_url": bad}), "canonical_url");
    }
    // the longest accepted
    let ok = create_article(
        app,
        &editor.token,
        json!({"title": "T", "seo_title": "x".repeat(70), "seo_description": "é".repeat(200)}),
    );
    let res = app
        .patch(&path_of(&ok))
        .bearer(&editor.token)
        .json(&json!({"canonical_url": "javascript:alert(1)"}))
        .send();
    assert_eq!(res.problem(422)["errors"][0]["field"], "canonical_url");
    let res = app
        .patch(&path_of(&ok))
        .bearer(&editor.token)
        .json(&json!({"seo_title": ""}))
        .send();
    assert_eq!(res.problem(422)["errors"][0]["field"], "seo_title");
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    }));
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)
        .unwrap();
    out
}

fn json_ld_describes_a_published_article(app: &TestApp) {
    let editor = app.editor();
    let writer = app.author();
    let section = create_section(app, &editor.token, "Économie");
    let port = create_tag(app, &editor.token, "Port de pêche");
    let budget = create_tag(app, &editor.token, "Budget");
    let photo = app
        .post("/api/v1/media?alt=Le%20port%20au%20matin&caption=Le%20port&credit=J.%20Martin")
        .bearer(&editor.token)
        .raw("image/jpeg", jpeg(1700, 1000))
        .send();
    assert_eq!(photo.status, 201, "{}", photo.text());
    let article = publish(
        app,
        &editor.token,
        "La criée bat un record",
        json!({
            "section": section["slug"],
            "tags": [port["id"], budget["id"]],
            "authors": [writer.id],
            "cover_media_id": photo.json()["id"],
            "seo_description": "Jamais la criée n'avait vendu autant de poisson.",
            "canonical_url": "https://www.partenaire.example/criee",
        }),
    );
    let path = format!("{}/jsonld", path_of(&article));
    let res = app.get(&path).send();
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("content-type"), Some("application/ld+json"));
    let doc = res.json();
    assert_eq!(doc["@context"], "https://schema.org");
    assert_eq!(doc["@type"], "NewsArticle");
    assert_eq!(doc["headline"], "La criée bat un record");
    assert_eq!(
        doc["description"],
        "Jamais la criée n'avait vendu autant de poisson."
    );
    assert_eq!(doc["articleSection"], "Économie");
    let mut keywords: Vec<&str> = doc["keywords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    keywords.sort_unstable();
    assert_eq!(keywords, ["Budget", "Port de pêche"]);
    let author = &doc["author"][0];
    assert_eq!(author["@type"], "Person");
    assert_eq!(author["name"], article["authors"][0]["display_name"]);
    assert_eq!(doc["author"].as_array().unwrap().len(), 1);
    assert_eq!(
        doc["datePublished"]
            .as_str()
            .map(|d| d.parse::<chrono::DateTime<chrono::Utc>>().unwrap()),
        article["published_at"].as_str().map(|d| d.parse().unwrap())
    );
    assert!(doc["dateModified"].is_string());
    // the canonical address is the page this is the main entity of
    assert_eq!(
        doc["mainEntityOfPage"],
        json!({"@type": "WebPage", "@id": "https://www.partenaire.example/criee"})
    );
    let site = &app.state.config.site;
    assert!(
        doc["url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/", site.url)),
        "{doc}"
    );
    assert_eq!(doc["publisher"]["@type"], "Organization");
    assert_eq!(doc["publisher"]["name"], site.name.as_str());
    // the cover is the library item: absolute addresses of its images
    let cover = &article["cover_image"];
    let image = &doc["image"][0];
    assert_eq!(image["@type"], "ImageObject");
    let url = image["url"].as_str().unwrap();
    assert!(url.starts_with("http"), "{url}");
    assert!(url.ends_with(cover["url"].as_str().unwrap()), "{url}");
    assert_eq!(image["caption"], "Le port");
    assert_eq!(image["creditText"], "J. Martin");

    // no SEO fields: the lead, the site's own page; a cover by URL
    let plain = publish(
        app,
        &editor.token,
        "Marée d'équinoxe",
        json!({"cover": {"url": "https://cdn.example/maree.jpg", "alt": "La marée"}}),
    );
    let doc = app.get(&format!("{}/jsonld", path_of(&plain))).send().ok();
    assert_eq!(doc["headline"], "Marée d'équinoxe");
    assert_eq!(doc["description"], "Un chapô.");
    assert_eq!(doc["mainEntityOfPage"]["@id"], doc["url"]);
    assert_eq!(doc["image"][0]["url"], "https://cdn.example/maree.jpg");
    assert!(doc.get("articleSection").is_none() && doc.get("keywords").is_none());

    // an SEO title is the headline
    app.patch(&path_of(&plain))
        .bearer(&editor.token)
        .json(&json!({"seo_title": "Grande marée ce week-end"}))
        .send()
        .ok();
    let doc = app.get(&format!("{}/jsonld", path_of(&plain))).send().ok();
    assert_eq!(doc["headline"], "Grande marée ce week-end");

    // a draft has none for the public
    let draft = create_article(app, &editor.token, json!({"title": "Pas encore"}));
    app.get(&format!("{}/jsonld", path_of(&draft)))
        .send()
        .problem(404);
}

db_tests!(
    seo_fields_are_written_read_changed_and_kept_in_revisions,
    seo_fields_are_checked,
    json_ld_describes_a_published_article,
);
