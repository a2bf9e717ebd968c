//! Media in content: photos embedded in bodies (`![alt](media:12)`) shown as
//! figures built when the content is read, posters and logos on events and
//! job offers, video addresses of known hosts and uploaded videos, and the
//! demo site's drawn pictures. Each use makes the item public with its
//! content and protects it from deletion unless forced.

use std::io::Cursor;

use image::{DynamicImage, RgbImage};
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::*;

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    }));
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)
        .unwrap();
    out
}

/// An MP4-looking file: an `ftyp` box, then bytes.
fn mp4() -> Vec<u8> {
    let mut out = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2".to_vec();
    out.extend((0..2_000).map(|i| (i * 13 % 251) as u8));
    out
}

/// Uploads `file` raw with the metadata of `query` (`?alt=…`); the item.
fn upload(app: &TestApp, token: &str, content_type: &str, file: Vec<u8>, query: &str) -> Value {
    let res = app
        .post(&format!("/api/v1/media{query}"))
        .bearer(token)
        .raw(content_type, file)
        .send();
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()
}

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

fn media_path(item: &Value) -> String {
    format!("/api/v1/media/{}", id(item))
}

fn a_photo(app: &TestApp, token: &str) -> Value {
    upload(
        app,
        token,
        "image/jpeg",
        jpeg(1700, 1000),
        "?alt=Le%20port%20au%20matin&caption=Le%20port&credit=J.%20Martin",
    )
}

fn photos_embedded_in_a_body_become_figures(app: &TestApp) {
    let editor = app.editor();
    let photo = a_photo(app, &editor.token);
    let mid = id(&photo);
    // private until published content uses it
    app.get(&media_path(&photo)).send().problem(404);
    let article = app
        .article(&editor)
        .body(&format!(
            "Intro.\n\n![Les quais \"au matin\"](media:{mid})\n\nSuite ![](media:{mid}) fin."
        ))
        .published();
    let read = app.get(&article.path()).send().ok();
    let html = read["body_html"].as_str().unwrap();
    let image = &app.get(&media_path(&photo)).send().ok()["image"];
    let jpeg_set = image["srcset"]["jpeg"].as_str().unwrap();
    let webp_set = image["srcset"]["webp"].as_str().unwrap();
    for part in [
        "<figure class=\"media\"",
        "<picture>",
        &format!("<source type=\"image/webp\" srcset=\"{webp_set}\""),
        &format!("srcset=\"{jpeg_set}\""),
        &format!("src=\"{}\"", image["url"].as_str().unwrap()),
        "sizes=\"(max-width: 1600px) 100vw, 1600px\"",
        "width=\"1600\" height=\"941\"",
        "alt=\"Les quais &quot;au matin&quot;\"",
        "loading=\"lazy\"",
        "<figcaption>Le port <span class=\"credit\">© J. Martin</span></figcaption></figure>",
    ] {
        assert!(html.contains(part), "{part} missing from {html}");
    }
    assert!(
        !html.contains("<p><figure"),
        "a figure is not in a paragraph: {html}"
    );
    // inline, the picture alone, with the item's own alt text
    assert!(
        html.contains("Suite <picture>") && html.contains("alt=\"Le port au matin\""),
        "{html}"
    );
    assert!(!html.contains("kiosque-"), "{html}");
    // used by published content, the photo and its variants are public
    app.get(&media_path(&photo)).send().ok();
    let variant = image["url"].as_str().unwrap();
    assert_eq!(app.get(variant).send().status, 200);

    // the figure follows the item: a new caption, a new focal point (new addresses)
    app.patch(&media_path(&photo))
        .bearer(&editor.token)
        .json(&json!({"caption": "Le port en hiver", "focal_point": {"x": 0.2, "y": 0.3}}))
        .send()
        .ok();
    let html = app.get(&article.path()).send().ok()["body_html"]
        .as_str()
        .unwrap()
        .to_string();
    let moved = app.get(&media_path(&photo)).send().ok()["image"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(moved, variant);
    assert!(html.contains("<figcaption>Le port en hiver"), "{html}");
    assert!(html.contains(&moved) && !html.contains(variant), "{html}");

    // the feed carries the figure with absolute addresses
    let feed = app.get("/api/v1/feeds/feed.json").send().ok();
    let content = feed["items"][0]["content_html"].as_str().unwrap();
    assert!(content.contains("<figure"), "{content}");
    assert!(content.contains("src=\"http"), "{content}");
    assert!(!content.contains("src=\"/api"), "{content}");

    // deleting the photo is refused while the article shows it, unless forced
    let res = app.delete(&media_path(&photo)).bearer(&editor.token).send();
    res.problem(409);
    app.delete(&format!("{}?force=true", media_path(&photo)))
        .bearer(&editor.token)
        .send();
    let after = app.get(&article.path()).send().ok();
    let html = after["body_html"].as_str().unwrap();
    assert!(
        !html.contains("<figure") && !html.contains("<picture"),
        "{html}"
    );
    assert!(
        html.contains("Intro.") && html.contains("Suite  fin."),
        "{html}"
    );
    // the body keeps its words: later edits are not refused for the photo gone
    app.patch(&article.path())
        .bearer(&editor.token)
        .json(&json!({"body": format!("{}\n\nAjout.", after["body"].as_str().unwrap())}))
        .send()
        .ok();
}

fn embeds_are_checked_when_written(app: &TestApp) {
    let editor = app.editor();
    let member = app.member();
    let mine = upload(
        app,
        &member.token,
        "image/jpeg",
        jpeg(400, 300),
        "?alt=Ma%20photo",
    );
    let theirs = upload(
        app,
        &editor.token,
        "image/jpeg",
        jpeg(400, 300),
        "?alt=Photo",
    );
    let no_alt = upload(app, &editor.token, "image/jpeg", jpeg(400, 300), "");
    let pdf = upload(
        app,
        &editor.token,
        "application/pdf",
        b"%PDF-1.4\n%%EOF\n".to_vec(),
        "",
    );
    for (who, item, why) in [
        (&editor, "999999".to_string(), "no media item"),
        (&editor, id(&pdf).to_string(), "not an image"),
        (&editor, id(&no_alt).to_string(), "alt text"),
        (&member, id(&theirs).to_string(), "no media item"),
    ] {
        let p = app
            .article(who)
            .body(&format!("Texte.\n\n![](media:{item})"))
            .send()
            .problem(422);
        assert_eq!(p["errors"][0]["field"], "body", "{p}");
        assert!(
            p["errors"][0]["message"].as_str().unwrap().contains(why),
            "{why}: {p}"
        );
    }
    // alt text written in place is enough
    app.article(&editor)
        .body(&format!("![Une vue](media:{})", id(&no_alt)))
        .create();
    // a member may show their own photo in their submission
    let sub = app
        .article(&member)
        .body(&format!("![Chez moi](media:{})", id(&mine)))
        .create();
    assert_eq!(sub["status"], "pending");
    assert!(sub["body_html"].as_str().unwrap().contains("<figure"));
    // an update is checked the same way
    let p = app
        .patch(&sub.path())
        .bearer(&member.token)
        .json(&json!({"body": format!("![](media:{})", id(&theirs))}))
        .send()
        .problem(422);
    assert_eq!(p["errors"][0]["field"], "body");
    // hostile alt text is escaped; a marker typed by hand is not an embed
    let a = app
        .article(&editor)
        .body(&format!(
            "![<script>alert(1)</script>\"><img src=x onerror=alert(1)>](media:{id})\n\n\
             <kiosque-figure media=\"{id}\" alt=\"\"></kiosque-figure> \u{E000}0\u{E001}",
            id = id(&theirs)
        ))
        .create();
    let html = a["body_html"].as_str().unwrap();
    assert_eq!(html.matches("<figure").count(), 1, "{html}");
    for bad in ["<script", "onerror=", "<img src=x", "kiosque-"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
}

fn events_and_offers_show_their_image(app: &TestApp) {
    let editor = app.editor();
    let member = app.member();
    let other = app.member();
    let poster = upload(
        app,
        &member.token,
        "image/jpeg",
        jpeg(800, 1100),
        "?alt=Affiche&credit=Comit%C3%A9",
    );
    let foreign = upload(
        app,
        &other.token,
        "image/jpeg",
        jpeg(300, 300),
        "?alt=Autre",
    );
    let public = upload(
        app,
        &editor.token,
        "image/jpeg",
        jpeg(300, 300),
        "?alt=Logo&public=true",
    );
    // another member's private image cannot be borrowed
    let p = app
        .event(&member)
        .set("image_media_id", id(&foreign))
        .send()
        .problem(422);
    assert_eq!(p["errors"][0]["field"], "image_media_id", "{p}");
    // a public one can
    app.event(&member)
        .set("image_media_id", id(&public))
        .create();
    let event = app
        .event(&member)
        .set("image_media_id", id(&poster))
        .set(
            "description",
            format!("Le programme :\n\n![](media:{})", id(&poster)),
        )
        .create();
    assert_eq!(event["image_media"]["media_id"], poster["id"]);
    assert_eq!(event["image_media"]["credit_line"], "© Comité");
    assert!(
        event["image_media"]["srcset"]["jpeg"]
            .as_str()
            .unwrap()
            .contains(" 640w")
    );
    assert!(
        event["description_html"]
            .as_str()
            .unwrap()
            .contains("<figure")
    );
    // the poster stays private while the event waits for review
    app.get(&media_path(&poster)).send().problem(404);
    app.patch(&event.path())
        .bearer(&editor.token)
        .json(&json!({"status": "published"}))
        .send()
        .ok();
    app.get(&media_path(&poster)).send().ok();
    let list = app.get("/api/v1/events").send().ok();
    let shown = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == event["id"])
        .expect("the published event is listed");
    assert_eq!(shown["image_media"]["media_id"], poster["id"]);
    // the agenda's feed shows the poster at an absolute address
    let feed = app.get("/api/v1/feeds/events/feed.json").send().ok();
    let item = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == event["title"])
        .expect("the event is in the agenda's feed");
    let image = item["image"].as_str().unwrap();
    assert!(
        image.starts_with("http") && image.contains(&format!("/media/{}/v/", id(&poster))),
        "{item}"
    );
    // protected while shown, cleared when forced
    app.delete(&media_path(&poster))
        .bearer(&member.token)
        .send()
        .problem(409);
    app.delete(&format!("{}?force=true", media_path(&poster)))
        .bearer(&member.token)
        .send();
    let read = app.get(&event.path()).send().ok();
    assert!(read["image_media"].is_null(), "{read}");
    assert!(
        !read["description_html"]
            .as_str()
            .unwrap()
            .contains("<figure")
    );

    // a job offer's logo, and a figure in its description
    let logo = upload(
        app,
        &editor.token,
        "image/png",
        {
            let img = DynamicImage::ImageRgb8(RgbImage::from_fn(200, 120, |x, _| {
                image::Rgb([x as u8, 40, 40])
            }));
            let mut out = Vec::new();
            img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
                .unwrap();
            out
        },
        "?alt=Logo%20de%20la%20boulangerie",
    );
    let job = app
        .job(&editor)
        .set("image_media_id", id(&logo))
        .set(
            "description",
            format!("Notre fournil :\n\n![Le fournil](media:{})", id(&logo)),
        )
        .published();
    let read = app.get(&job.path()).send().ok();
    assert_eq!(read["image_media"]["alt"], "Logo de la boulangerie");
    assert!(
        read["description_html"]
            .as_str()
            .unwrap()
            .contains("alt=\"Le fournil\"")
    );
    let removed = app
        .patch(&job.path())
        .bearer(&editor.token)
        .json(&json!({"image_media_id": null}))
        .send()
        .ok();
    assert!(removed["image_media"].is_null());
    // still shown in the description, so still protected
    app.delete(&media_path(&logo))
        .bearer(&editor.token)
        .send()
        .problem(409);
}

fn video_addresses_give_their_player(app: &TestApp) {
    let editor = app.editor();
    let a = app
        .article(&editor)
        .set("video_url", "https://youtu.be/dQw4w9WgXcQ?si=x")
        .create();
    assert_eq!(a["video_url"], "https://youtu.be/dQw4w9WgXcQ?si=x");
    assert_eq!(
        a["video"],
        json!({"provider": "youtube", "id": "dQw4w9WgXcQ",
               "embed_url": "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"})
    );
    for (url, provider, embed) in [
        (
            "https://www.youtube.com/shorts/dQw4w9WgXcQ",
            "youtube",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        (
            "https://vimeo.com/76979871",
            "vimeo",
            "https://player.vimeo.com/video/76979871",
        ),
        (
            "https://www.dailymotion.com/video/x8abc12",
            "dailymotion",
            "https://www.dailymotion.com/embed/video/x8abc12",
        ),
        (
            "https://dai.ly/x8abc12",
            "dailymotion",
            "https://www.dailymotion.com/embed/video/x8abc12",
        ),
    ] {
        let res = app
            .patch(&a.path())
            .bearer(&editor.token)
            .json(&json!({"video_url": url}))
            .send()
            .ok();
        assert_eq!(res["video"]["provider"], provider, "{url}");
        assert_eq!(res["video"]["embed_url"], embed, "{url}");
    }
    for url in [
        "https://video.example/embed/42",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
    ] {
        let p = app
            .patch(&a.path())
            .bearer(&editor.token)
            .json(&json!({"video_url": url}))
            .send()
            .problem(422);
        assert_eq!(p["errors"][0]["field"], "video_url", "{p}");
    }
    // an uploaded video
    let clip = upload(
        app,
        &editor.token,
        "video/mp4",
        mp4(),
        "?title=Le%20match&credit=TV%20locale",
    );
    let photo = upload(
        app,
        &editor.token,
        "image/jpeg",
        jpeg(300, 200),
        "?alt=Photo",
    );
    let p = app
        .patch(&a.path())
        .bearer(&editor.token)
        .json(&json!({"video_media_id": id(&photo)}))
        .send()
        .problem(422);
    assert_eq!(p["errors"][0]["field"], "video_media_id");
    let res = app
        .patch(&a.path())
        .bearer(&editor.token)
        .json(&json!({"video_media_id": id(&clip), "status": "published"}))
        .send()
        .ok();
    assert_eq!(res["video_media"]["media_id"], clip["id"]);
    assert_eq!(res["video_media"]["content_type"], "video/mp4");
    assert_eq!(res["video_media"]["credit_line"], "© TV locale");
    // public with the article: anyone reads its file
    let file = app.get(res["video_media"]["url"].as_str().unwrap()).send();
    assert_eq!(file.status, 200);
    app.delete(&media_path(&clip))
        .bearer(&editor.token)
        .send()
        .problem(409);
    let cleared = app
        .patch(&a.path())
        .bearer(&editor.token)
        .json(&json!({"video_media_id": null}))
        .send()
        .ok();
    assert!(cleared["video_media"].is_null());
    app.delete(&media_path(&clip)).bearer(&editor.token).send();
    assert_eq!(
        app.get(&media_path(&clip))
            .bearer(&editor.token)
            .send()
            .status,
        404
    );
}

fn the_demo_site_has_drawn_pictures(app: &TestApp) {
    let seeded = app.command(&["seed-demo", "--articles", "12", "--seed", "5"], "");
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let list = app.get("/api/v1/articles?limit=100").send().ok();
    let covers: Vec<&Value> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a.get("cover_image").filter(|c| c.is_object()))
        .collect();
    assert!(!covers.is_empty(), "no media cover among {list}");
    let cover = covers[0];
    assert!(!cover["alt"].as_str().unwrap().is_empty());
    assert!(cover["credit_line"].as_str().unwrap().starts_with("© "));
    assert!(cover["srcset"]["webp"].as_str().unwrap().contains(" 1600w"));
    assert!(
        cover["placeholder"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png")
    );
    // its variants are made already, and served to anyone
    let variant = app.get(cover["url"].as_str().unwrap()).send();
    assert_eq!(variant.status, 200);
    assert_eq!(variant.header("content-type"), Some("image/jpeg"));
    let decoded = image::load_from_memory(&variant.body).expect("a real JPEG");
    assert_eq!(decoded.width(), 1600);
    let events = app.get("/api/v1/events").send().ok();
    assert!(
        events["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["image_media"]["srcset"]["jpeg"].is_string()),
        "{events}"
    );
}

db_tests! {
    photos_embedded_in_a_body_become_figures,
    embeds_are_checked_when_written,
    events_and_offers_show_their_image,
    video_addresses_give_their_player,
    the_demo_site_has_drawn_pictures,
}
