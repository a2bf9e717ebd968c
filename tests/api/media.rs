//! The media library: uploads (multipart and raw), types decided by the
//! bytes, hostile files, variants from fixed presets only, single flight,
//! serving with ETag, Range and caching, deduplication, and who may do what.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, RgbImage};
use kiosque::config::Config;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::{db_tests, media_tests};

// ---------- files made here, never downloaded ----------

fn photo(w: u32, h: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (x * 7 % 256) as u8,
            (y * 5 % 256) as u8,
            ((x + y) % 256) as u8,
        ])
    }))
}

fn encoded(img: &DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), format).unwrap();
    out
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    encoded(&photo(w, h), image::ImageFormat::Jpeg)
}

/// A JPEG whose EXIF says "rotate 90° clockwise" and carries a GPS position.
fn jpeg_with_gps(w: u32, h: u32) -> Vec<u8> {
    let plain = jpeg(w, h);
    let tiff: Vec<u8> = [
        &b"MM\x00\x2a\x00\x00\x00\x08"[..],
        &[0x00, 0x02],
        &[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0x00, 0x06, 0, 0], // Orientation = 6
        &[0x88, 0x25, 0x00, 0x04, 0, 0, 0, 1, 0, 0, 0, 38],      // GPS IFD at 38
        &[0, 0, 0, 0],
        &[0x00, 0x01],
        &[0x00, 0x01, 0x00, 0x02, 0, 0, 0, 2, b'N', 0, 0, 0], // GPSLatitudeRef = N
        &[0, 0, 0, 0],
    ]
    .concat();
    let payload = [&b"Exif\0\0"[..], &tiff].concat();
    let len = (payload.len() + 2) as u16;
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&plain[2..]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= *b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG that claims 20000×20000 pixels in a few bytes: a decompression bomb.
fn png_bomb() -> Vec<u8> {
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&crc32(&[kind, data].concat()).to_be_bytes());
        c
    };
    let mut ihdr = 20_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&20_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let idat = vec![0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01];
    [
        &b"\x89PNG\r\n\x1a\n"[..],
        &chunk(b"IHDR", &ihdr),
        &chunk(b"IDAT", &idat),
        &chunk(b"IEND", &[]),
    ]
    .concat()
}

/// An MP3-looking file (an ID3 tag, then bytes).
fn mp3(len: usize) -> Vec<u8> {
    let mut out = b"ID3\x04\x00\x00\x00\x00\x00\x00".to_vec();
    out.extend((0..len).map(|i| (i * 31 % 251) as u8));
    out
}

fn multipart(
    file: &[u8],
    file_name: &str,
    part_type: &str,
    fields: &[(&str, &str)],
) -> (String, Vec<u8>) {
    let boundary = "kiosque-test-boundary-7d1";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {part_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn upload_form(
    app: &TestApp,
    token: &str,
    file: &[u8],
    name: &str,
    fields: &[(&str, &str)],
) -> Resp {
    let (ct, body) = multipart(file, name, "application/octet-stream", fields);
    app.post("/api/v1/media")
        .bearer(token)
        .raw(&ct, body)
        .send()
}

fn upload_raw(app: &TestApp, token: &str, content_type: &str, file: Vec<u8>, query: &str) -> Resp {
    app.post(&format!("/api/v1/media{query}"))
        .bearer(token)
        .raw(content_type, file)
        .send()
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// Blobs in the app's store (local folder or bucket).
fn blob_files(app: &TestApp) -> usize {
    app.blob_keys().len()
}

// ---------- the stories ----------

fn an_editor_uploads_the_photo_of_the_day(app: &TestApp) {
    let editor = app.editor();
    let res = upload_form(
        app,
        &editor.token,
        &jpeg(1800, 1200),
        "place-du-marche.jpg",
        &[
            ("title", "Place du marché"),
            ("alt", "La place du marché un samedi matin"),
            ("caption", "Le marché du samedi"),
            ("credit", "Marie Dupont"),
            ("focal_x", "0.25"),
            ("focal_y", "0.4"),
        ],
    );
    assert_eq!(res.status, 201, "{}", res.text());
    let media = res.json();
    let id = id_of(&media);
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/media/{id}").as_str())
    );
    assert_eq!(media["kind"], "image");
    assert_eq!(media["content_type"], "image/jpeg");
    assert_eq!(
        (media["width"].as_i64(), media["height"].as_i64()),
        (Some(1800), Some(1200))
    );
    assert_eq!(media["file_name"], "place-du-marche.jpg");
    assert_eq!(media["focal_point"], json!({"x": 0.25, "y": 0.4}));
    assert_eq!(media["sha256"].as_str().unwrap().len(), 64);
    let image = &media["image"];
    assert_eq!(image["credit_line"], "© Marie Dupont");
    assert!(
        image["placeholder"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,")
    );
    assert!(image["dominant_color"].as_str().unwrap().starts_with('#'));
    let webp = image["srcset"]["webp"].as_str().unwrap();
    let jpg = image["srcset"]["jpeg"].as_str().unwrap();
    assert_eq!(webp.matches(".webp ").count(), 4, "{webp}");
    assert!(webp.contains(" 320w") && webp.contains(" 1600w"), "{webp}");
    assert!(jpg.contains(".jpg 640w"), "{jpg}");
    // four widths and the social crop, in two formats
    assert_eq!(image["variants"].as_array().unwrap().len(), 10);

    // the variant the srcset names is a real, smaller, stripped image
    let w640 = image["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["preset"] == "w640" && v["format"] == "webp")
        .unwrap();
    let res = app
        .get(w640["url"].as_str().unwrap())
        .bearer(&editor.token)
        .send();
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("content-type"), Some("image/webp"));
    let back = image::load_from_memory(&res.body).unwrap();
    assert_eq!((back.width(), back.height()), (640, 427));
    let social = image["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["preset"] == "social" && v["format"] == "jpg")
        .unwrap();
    let res = app
        .get(social["url"].as_str().unwrap())
        .bearer(&editor.token)
        .send();
    let back = image::load_from_memory(&res.body).unwrap();
    assert_eq!((back.width(), back.height()), (1200, 630));

    // private until used or marked public: nobody else sees it
    let path = format!("/api/v1/media/{id}");
    app.get(&path).send().problem(404);
    app.get(&format!("{path}/file")).send().problem(404);
    let res = app
        .get(&format!("{path}/file"))
        .bearer(&editor.token)
        .send();
    assert_eq!(res.status, 200);
    assert_eq!(res.header("cache-control"), Some("private, no-cache"));

    // made public, it is served to anyone and cached for a year
    let etag = app
        .get(&path)
        .bearer(&editor.token)
        .send()
        .header("etag")
        .unwrap()
        .to_string();
    let res = app
        .patch(&path)
        .bearer(&editor.token)
        .header("If-Match", &etag)
        .json(&json!({"public": true}))
        .send();
    assert_eq!(res.status, 200, "{}", res.text());
    let res = app.get(&format!("{path}/file")).send();
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(res.body, jpeg(1800, 1200));
    let tag = res.header("etag").unwrap().to_string();
    let again = app
        .get(&format!("{path}/file"))
        .header("If-None-Match", &tag)
        .send();
    assert_eq!(again.status, 304);
    let res = app.get(w640["url"].as_str().unwrap()).send();
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    // the read is public now
    assert_eq!(app.get(&path).send().ok()["public"], true);
}

fn a_raw_upload_takes_its_metadata_from_the_query(app: &TestApp) {
    let author = app.author();
    let res = upload_raw(
        app,
        &author.token,
        "image/png",
        encoded(&photo(300, 200), image::ImageFormat::Png),
        "?title=Logo&alt=Le%20logo&credit=Kiosque&file_name=logo.png",
    );
    assert_eq!(res.status, 201, "{}", res.text());
    let m = res.json();
    assert_eq!(
        (m["title"].as_str(), m["alt"].as_str()),
        (Some("Logo"), Some("Le logo"))
    );
    assert_eq!(m["content_type"], "image/png");
    assert_eq!(m["file_name"], "logo.png");
    // a small image offers no variant wider than itself
    let widths: Vec<i64> = m["image"]["variants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["format"] == "jpg" && v["preset"] != "social")
        .map(|v| v["width"].as_i64().unwrap())
        .collect();
    assert_eq!(widths, [300]);
    // a PDF is a document, an MP3 audio
    let pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".to_vec();
    let res = upload_raw(
        app,
        &author.token,
        "application/pdf",
        pdf,
        "?title=Compte%20rendu",
    );
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["kind"], "document");
    assert!(res.json()["image"].is_null());
    let res = upload_raw(app, &author.token, "audio/mpeg", mp3(2000), "");
    assert_eq!(res.json()["kind"], "audio");
    // unknown metadata is refused
    let res = upload_raw(app, &author.token, "audio/mpeg", mp3(10), "?colour=red");
    res.problem(400);
}

fn hostile_files_are_refused_clearly(app: &TestApp) {
    let editor = app.editor();
    let t = &editor.token;
    // a truncated JPEG
    let whole = jpeg(400, 300);
    let res = upload_raw(app, t, "image/jpeg", whole[..whole.len() / 2].to_vec(), "");
    assert_eq!(res.problem(422)["code"], "unreadable_image");
    // a PNG bomb: refused from its header, never decoded
    let bomb = png_bomb();
    assert!(bomb.len() < 4096);
    let res = upload_raw(app, t, "image/png", bomb, "");
    let p = res.problem(422);
    assert_eq!(p["code"], "image_too_large");
    assert!(p["detail"].as_str().unwrap().contains("20000×20000"));
    // a polyglot: a GIF header in front of a script
    let res = upload_raw(
        app,
        t,
        "image/gif",
        b"GIF89a/*\x00\x00*/=alert(document.cookie);//".to_vec(),
        "",
    );
    assert_eq!(res.problem(422)["code"], "unreadable_image");
    // HTML pretending to be a JPEG
    let res = upload_form(
        app,
        t,
        b"<html><script>alert(1)</script></html>",
        "photo.jpg",
        &[],
    );
    assert_eq!(res.problem(415)["code"], "unknown_media_type");
    // SVG with a script
    let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>"#;
    let res = upload_raw(app, t, "image/svg+xml", svg.to_vec(), "");
    assert_eq!(res.problem(415)["code"], "svg_refused");
    // zero bytes
    let res = upload_raw(app, t, "image/jpeg", Vec::new(), "");
    assert_eq!(res.problem(422)["code"], "empty_file");
    // bytes that are not what the client says
    let res = upload_raw(app, t, "image/png", jpeg(40, 30), "");
    let p = res.problem(415);
    assert_eq!(p["code"], "media_type_mismatch");
    assert!(p["detail"].as_str().unwrap().contains("image/jpeg"));
    // a wrong extension changes nothing: the bytes decide
    let res = upload_form(app, t, &jpeg(40, 30), "holiday.png", &[]);
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["content_type"], "image/jpeg");
    // a form whose metadata is refused after its file arrived
    let res = upload_form(app, t, &jpeg(41, 30), "x.jpg", &[("colour", "red")]);
    assert_eq!(res.problem(422)["errors"][0]["field"], "colour");
    // nothing refused was kept: one blob, the accepted JPEG
    assert_eq!(blob_files(app), 1);
    assert_eq!(
        app.get("/api/v1/media").bearer(t).send().ok()["meta"]["total"],
        1
    );
}

fn small_limits(config: &mut Config) {
    config.media.max_image_bytes = 50_000;
    config.media.max_audio_bytes = 5_000;
    config.media.member_quota_bytes = 30_000;
}

fn uploads_beyond_their_limits_are_refused(app: &TestApp) {
    let editor = app.editor();
    // noise does not compress: well over 50 kB
    let noisy = DynamicImage::ImageRgb8(RgbImage::from_fn(300, 300, |x, y| {
        let v =
            (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)).wrapping_mul(2_246_822_519);
        image::Rgb([(v >> 8) as u8, (v >> 16) as u8, (v >> 24) as u8])
    }));
    let big = encoded(&noisy, image::ImageFormat::Png);
    assert!(big.len() > 50_000);
    let res = upload_raw(app, &editor.token, "image/png", big, "");
    assert_eq!(res.problem(413)["code"], "payload_too_large");
    let res = upload_raw(app, &editor.token, "audio/mpeg", mp3(6_000), "");
    assert_eq!(res.problem(413)["code"], "payload_too_large");
    assert_eq!(
        upload_raw(app, &editor.token, "audio/mpeg", mp3(4_000), "").status,
        201
    );
    assert_eq!(blob_files(app), 1);

    // a member's quota: 30 kB in all
    let member = app.member();
    let first = upload_raw(app, &member.token, "image/jpeg", jpeg(200, 200), "");
    assert_eq!(first.status, 201, "{}", first.text());
    let used = first.json()["size"].as_i64().unwrap();
    assert!(used < 30_000);
    let mut last = first;
    while last.status == 201 {
        last = upload_raw(
            app,
            &member.token,
            "image/png",
            encoded(&photo(90, 90), image::ImageFormat::Png),
            "",
        );
    }
    assert_eq!(last.problem(413)["code"], "quota_exceeded");
}

fn variants_come_from_presets_only_and_lose_their_metadata(app: &TestApp) {
    let editor = app.editor();
    let res = upload_raw(
        app,
        &editor.token,
        "image/jpeg",
        jpeg_with_gps(900, 600),
        "?alt=Test&public=true",
    );
    assert_eq!(res.status, 201, "{}", res.text());
    let m = res.json();
    // EXIF orientation 6: the image stands up
    assert_eq!(
        (m["width"].as_i64(), m["height"].as_i64()),
        (Some(600), Some(900))
    );
    let id = id_of(&m);
    let url = |preset: &str, fmt: &str| {
        m["image"]["variants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["preset"] == preset && v["format"] == fmt)
            .map(|v| v["url"].as_str().unwrap().to_string())
    };
    let jpg = app.get(&url("w320", "jpg").unwrap()).send();
    assert_eq!(jpg.status, 200, "{}", jpg.text());
    let mut decoder = image::codecs::jpeg::JpegDecoder::new(Cursor::new(&jpg.body)).unwrap();
    assert_eq!(
        decoder.exif_metadata().unwrap(),
        None,
        "no EXIF (no GPS) in a variant"
    );
    assert_eq!(decoder.dimensions(), (320, 480));
    assert!(!jpg.body.windows(4).any(|w| w == b"Exif"));
    let webp = app.get(&url("w320", "webp").unwrap()).send();
    let mut decoder = image::codecs::webp::WebPDecoder::new(Cursor::new(&webp.body)).unwrap();
    assert_eq!(decoder.exif_metadata().unwrap(), None);
    // the original keeps what was sent
    assert!(
        app.get(&format!("/api/v1/media/{id}/file"))
            .send()
            .body
            .windows(4)
            .any(|w| w == b"Exif")
    );

    // anything else is 404: a size or format outside the presets, a preset
    // the image is too small for, an old version
    let good = url("w320", "jpg").unwrap();
    let base = good.rsplit_once('/').unwrap().0.to_string();
    for bad in [
        "w321.jpg",
        "w320.png",
        "w320.avif",
        "w1600.jpg",
        "original.jpg",
        "w320",
        "..%2Fw320.jpg",
    ] {
        let res = app.get(&format!("{base}/{bad}")).send();
        assert_eq!(res.status, 404, "{bad}: {}", res.text());
    }
    let res = app
        .get(&format!("/api/v1/media/{id}/v/0000000000000000/w320.jpg"))
        .send();
    res.problem(404);
    // a new focal point makes a new version: the old URLs are gone
    let res = app
        .patch(&format!("/api/v1/media/{id}"))
        .bearer(&editor.token)
        .json(&json!({"focal_point": {"x": 0.1, "y": 0.9}}))
        .send();
    let after = res.ok();
    assert_ne!(after["image"]["url"], m["image"]["url"]);
    app.get(&good).send().problem(404);
}

fn simultaneous_first_requests_share_one_rendering(app: &TestApp) {
    let editor = app.editor();
    let res = upload_raw(
        app,
        &editor.token,
        "image/jpeg",
        jpeg(1400, 900),
        "?alt=Foule&public=true",
    );
    let m = res.json();
    let url = format!("{}{}", app.base, m["image"]["url"].as_str().unwrap());
    let before = app.state.images.renders();
    let bodies: Vec<Vec<u8>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..100)
            .map(|_| {
                let url = url.clone();
                s.spawn(move || {
                    let mut res = ureq::get(&url).call().expect("a variant");
                    res.body_mut().read_to_vec().unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        app.state.images.renders() - before,
        1,
        "one rendering for 100 requests"
    );
    assert!(bodies.iter().all(|b| b == &bodies[0] && !b.is_empty()));
}

fn a_full_pool_answers_503_with_retry_after(app: &TestApp) {
    let editor = app.editor();
    // take every place of the pool, as long uploads would
    let mut held = Vec::new();
    while let Ok(place) = app.state.images.pool.place() {
        held.push(place);
    }
    let res = upload_raw(app, &editor.token, "image/jpeg", jpeg(64, 64), "");
    assert_eq!(res.problem(503)["code"], "media_busy");
    assert!(res.header("retry-after").is_some());
    // files other than images need no image worker
    assert_eq!(
        upload_raw(app, &editor.token, "audio/mpeg", mp3(100), "").status,
        201
    );
    drop(held);
    assert_eq!(
        upload_raw(app, &editor.token, "image/jpeg", jpeg(64, 64), "").status,
        201
    );
}

fn ranges_are_byte_exact(app: &TestApp) {
    let editor = app.editor();
    let audio = mp3(10_000);
    let res = upload_raw(
        app,
        &editor.token,
        "audio/mpeg",
        audio.clone(),
        "?public=true",
    );
    let id = id_of(&res.json());
    let file = format!("/api/v1/media/{id}/file");
    let whole = app.get(&file).send();
    assert_eq!(whole.body, audio);
    assert_eq!(whole.header("accept-ranges"), Some("bytes"));
    let part = app.get(&file).header("Range", "bytes=100-199").send();
    assert_eq!(part.status, 206);
    assert_eq!(part.body, &audio[100..200]);
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes 100-199/{}", audio.len()).as_str())
    );
    assert_eq!(part.header("content-length"), Some("100"));
    let tail = app.get(&file).header("Range", "bytes=-10").send();
    assert_eq!(
        (tail.status, tail.body.as_slice()),
        (206, &audio[audio.len() - 10..])
    );
    let open = app.get(&file).header("Range", "bytes=9990-").send();
    assert_eq!(open.body, &audio[9990..]);
    let past = app.get(&file).header("Range", "bytes=20000-20010").send();
    past.problem(416);
    assert_eq!(
        past.header("content-range"),
        Some(format!("bytes */{}", audio.len()).as_str())
    );
    // several ranges: the whole file, which is a valid answer
    let many = app.get(&file).header("Range", "bytes=0-1,5-6").send();
    assert_eq!((many.status, many.body.len()), (200, audio.len()));
    let head = app.request("HEAD", &file).send();
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert!(head.header("etag").is_some());
}

fn identical_files_are_stored_once(app: &TestApp) {
    let editor = app.editor();
    let bytes = jpeg(200, 100);
    let a = upload_raw(app, &editor.token, "image/jpeg", bytes.clone(), "?title=A").json();
    let b = upload_form(app, &editor.token, &bytes, "b.jpg", &[("title", "B")]).json();
    assert_ne!(a["id"], b["id"]);
    assert_eq!(a["sha256"], b["sha256"]);
    assert_eq!(blob_files(app), 1);
    // variants of one are not lost when the other goes
    let v = app
        .get(a["image"]["url"].as_str().unwrap())
        .bearer(&editor.token)
        .send();
    assert_eq!(v.status, 200);
    let with_variants = blob_files(app);
    assert!(with_variants > 1);
    app.delete(&format!("/api/v1/media/{}", id_of(&b)))
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(
        blob_files(app),
        with_variants,
        "the file is still used by A"
    );
    assert_eq!(
        app.get(&format!("/api/v1/media/{}/file", id_of(&a)))
            .bearer(&editor.token)
            .send()
            .body,
        bytes
    );
    app.delete(&format!("/api/v1/media/{}", id_of(&a)))
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(blob_files(app), 0, "the file and its variants are removed");
}

fn who_may_do_what(app: &TestApp) {
    let (editor, author, other_author) = (app.editor(), app.author(), app.author());
    let (member, other_member) = (app.member(), app.member());
    let reader_key = app.api_key(&["content:read"]);
    let writer_key = app.api_key(&["content:write"]);

    // uploading
    upload_raw(app, "", "image/jpeg", jpeg(20, 20), "").problem(401);
    upload_raw(app, &reader_key, "image/jpeg", jpeg(20, 20), "").problem(403);
    assert_eq!(
        upload_raw(app, &writer_key, "image/jpeg", jpeg(20, 20), "").status,
        201
    );
    let res = upload_raw(
        app,
        &member.token,
        "application/pdf",
        b"%PDF-1.4\n%%EOF\n".to_vec(),
        "",
    );
    assert_eq!(res.problem(403)["code"], "forbidden");
    let mine = upload_raw(
        app,
        &member.token,
        "image/jpeg",
        jpeg(30, 30),
        "?alt=Affiche",
    )
    .json();
    let theirs = upload_raw(app, &author.token, "image/jpeg", jpeg(31, 31), "").json();
    let mine_path = format!("/api/v1/media/{}", id_of(&mine));
    let theirs_path = format!("/api/v1/media/{}", id_of(&theirs));

    // reading private media: the uploader and the newsroom
    app.get(&mine_path).bearer(&member.token).send().ok();
    app.get(&mine_path)
        .bearer(&other_member.token)
        .send()
        .problem(404);
    app.get(&format!("{mine_path}/file"))
        .bearer(&other_member.token)
        .send()
        .problem(404);
    app.get(&mine_path).bearer(&other_author.token).send().ok();
    app.get(&theirs_path).bearer(&reader_key).send().ok();
    app.get(&theirs_path)
        .bearer(&member.token)
        .send()
        .problem(404);

    // lists: members see their own
    let list = app.get("/api/v1/media").bearer(&member.token).send().ok();
    assert_eq!(list["meta"]["total"], 1);
    app.get(&format!("/api/v1/media?uploader={}", author.id))
        .bearer(&member.token)
        .send()
        .problem(403);
    app.get("/api/v1/media").send().problem(401);
    let all = app.get("/api/v1/media").bearer(&editor.token).send().ok();
    assert_eq!(all["meta"]["total"], 3);

    // editing and deleting: the uploader or an editor
    let edit = json!({"caption": "Nouvelle légende"});
    app.patch(&theirs_path)
        .bearer(&other_author.token)
        .json(&edit)
        .send()
        .problem(403);
    app.patch(&theirs_path)
        .bearer(&author.token)
        .json(&edit)
        .send()
        .ok();
    app.patch(&mine_path)
        .bearer(&member.token)
        .json(&edit)
        .send()
        .ok();
    app.patch(&mine_path)
        .bearer(&other_member.token)
        .json(&edit)
        .send()
        .problem(404);
    app.patch(&mine_path)
        .bearer(&editor.token)
        .json(&edit)
        .send()
        .ok();
    app.delete(&theirs_path)
        .bearer(&other_author.token)
        .send()
        .problem(403);
    app.delete(&mine_path)
        .bearer(&other_member.token)
        .send()
        .problem(404);
    app.delete(&mine_path).bearer(&member.token).send().ok();
    app.delete(&theirs_path).bearer(&editor.token).send().ok();
    app.get(&theirs_path)
        .bearer(&editor.token)
        .send()
        .problem(404);
}

fn edits_are_checked_and_recorded(app: &TestApp) {
    let editor = app.editor();
    let m = upload_raw(
        app,
        &editor.token,
        "image/jpeg",
        jpeg(50, 40),
        "?title=Avant",
    )
    .json();
    let path = format!("/api/v1/media/{}", id_of(&m));
    // alt text is needed before an image is public
    let res = upload_raw(
        app,
        &editor.token,
        "image/jpeg",
        jpeg(51, 40),
        "?public=true",
    );
    assert_eq!(res.problem(422)["errors"][0]["field"], "alt");
    let res = app
        .patch(&path)
        .bearer(&editor.token)
        .json(&json!({"public": true}))
        .send();
    assert_eq!(res.problem(422)["errors"][0]["field"], "alt");
    let res = app
        .patch(&path)
        .bearer(&editor.token)
        .json(&json!({"focal_point": {"x": 1.5, "y": 0.2}}))
        .send();
    assert_eq!(res.problem(422)["errors"][0]["field"], "focal_point.x");
    app.patch(&path)
        .bearer(&editor.token)
        .json(&json!({"colour": "red"}))
        .send()
        .problem(422);
    let res = app
        .patch(&path)
        .bearer(&editor.token)
        .header("If-Match", "\"stale\"")
        .json(&json!({"title": "X"}))
        .send();
    res.problem(412);
    let etag = app
        .get(&path)
        .bearer(&editor.token)
        .send()
        .header("etag")
        .unwrap()
        .to_string();
    let res = app
        .patch(&path)
        .bearer(&editor.token)
        .header("If-Match", &etag)
        .json(&json!({"title": "Après", "alt": "Un texte", "credit": "AFP", "public": true}))
        .send()
        .ok();
    assert_eq!(
        (res["title"].as_str(), res["image"]["credit_line"].as_str()),
        (Some("Après"), Some("© AFP"))
    );
    // filters
    upload_raw(
        app,
        &editor.token,
        "audio/mpeg",
        mp3(50),
        "?title=Interview",
    )
    .ok();
    let found = app
        .get("/api/v1/media?kind=audio")
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(found["meta"]["total"], 1);
    let found = app
        .get("/api/v1/media?q=apr%C3%A8s")
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(found["data"][0]["id"], m["id"]);
    let found = app
        .get(&format!("/api/v1/media?uploader={}&limit=1", editor.id))
        .bearer(&editor.token)
        .send()
        .ok();
    assert_eq!(
        (
            found["meta"]["total"].as_i64(),
            found["data"].as_array().unwrap().len()
        ),
        (Some(2), 1)
    );
    app.get("/api/v1/media?kind=font")
        .bearer(&editor.token)
        .send()
        .problem(400);
    app.delete(&path).bearer(&editor.token).send().ok();
    // each write is in the change feed
    let changes = app
        .get("/api/v1/changes?types=media.created,media.updated,media.deleted&limit=100")
        .bearer(&editor.token)
        .send()
        .ok();
    let kinds: Vec<&str> = changes["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["resource"]["id"] == m["id"] || c["resource_id"] == m["id"])
        .filter_map(|c| c["type"].as_str())
        .collect();
    assert!(
        kinds.contains(&"media.created")
            && kinds.contains(&"media.updated")
            && kinds.contains(&"media.deleted"),
        "{changes}"
    );
}

fn a_photo_becomes_an_articles_cover(app: &TestApp) {
    let editor = app.editor();
    let no_alt = upload_raw(app, &editor.token, "image/jpeg", jpeg(900, 500), "").json();
    let photo = upload_raw(
        app,
        &editor.token,
        "image/jpeg",
        jpeg(1700, 1000),
        "?alt=Le%20port%20au%20matin&credit=J.%20Martin&caption=Le%20port",
    )
    .json();
    let pdf = upload_raw(
        app,
        &editor.token,
        "application/pdf",
        b"%PDF-1.4\n%%EOF\n".to_vec(),
        "",
    )
    .json();
    // a cover is an image with its alt text
    for (bad, why) in [(&no_alt, "alt"), (&pdf, "image")] {
        let res = app
            .post("/api/v1/articles")
            .bearer(&editor.token)
            .json(&json!({"title": "Essai", "cover_media_id": bad["id"]}))
            .send();
        let p = res.problem(422);
        assert_eq!(p["errors"][0]["field"], "cover_media_id");
        assert!(
            p["errors"][0]["message"].as_str().unwrap().contains(why),
            "{p}"
        );
    }
    let res = app
        .post("/api/v1/articles")
        .bearer(&editor.token)
        .json(
            &json!({"title": "Le port se réveille", "body": "Texte.", "status": "published",
                      "cover_media_id": photo["id"]}),
        )
        .send();
    assert_eq!(res.status, 201, "{}", res.text());
    let article = res.json();
    let path = format!("/api/v1/articles/{}", article["id"].as_str().unwrap());
    // the front end receives the whole image object, anonymously
    let read = app.get(&path).send().ok();
    let cover = &read["cover_image"];
    assert_eq!(cover["media_id"], photo["id"]);
    assert_eq!(cover["alt"], "Le port au matin");
    assert_eq!(cover["credit_line"], "© J. Martin");
    assert!(cover["srcset"]["webp"].as_str().unwrap().contains(" 1600w"));
    assert!(cover["srcset"]["jpeg"].as_str().unwrap().contains(" 320w"));
    assert!(
        cover["placeholder"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png")
    );
    assert!(read["cover"].is_null(), "the URL cover is a separate field");
    let list = app.get("/api/v1/articles").send().ok();
    assert_eq!(list["data"][0]["cover_image"]["media_id"], photo["id"]);
    // used by published content, the photo is public: anyone gets its variants
    let variant = app.get(cover["url"].as_str().unwrap()).send();
    assert_eq!(variant.status, 200);
    assert_eq!(
        variant.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    // and it keeps its alt text
    let media_path = format!("/api/v1/media/{}", id_of(&photo));
    let res = app
        .patch(&media_path)
        .bearer(&editor.token)
        .json(&json!({"alt": ""}))
        .send();
    assert_eq!(res.problem(422)["errors"][0]["field"], "alt");
    // deleting it is refused while published content uses it, unless forced
    let res = app.delete(&media_path).bearer(&editor.token).send();
    res.problem(409);
    app.delete(&format!("{media_path}?force=true"))
        .bearer(&editor.token)
        .send()
        .ok();
    assert!(app.get(&path).send().ok()["cover_image"].is_null());
    // a cover is changed or removed with the article
    let other = upload_raw(
        app,
        &editor.token,
        "image/png",
        encoded(&crate::media::photo(64, 64), image::ImageFormat::Png),
        "?alt=Logo",
    )
    .json();
    let res = app
        .patch(&path)
        .bearer(&editor.token)
        .json(&json!({"cover_media_id": other["id"]}))
        .send()
        .ok();
    assert_eq!(res["cover_image"]["media_id"], other["id"]);
    let res = app
        .patch(&path)
        .bearer(&editor.token)
        .json(&json!({"cover_media_id": null}))
        .send()
        .ok();
    assert!(res["cover_image"].is_null());
    // another's private photo cannot be borrowed by a member's submission
    let member = app.member();
    let res = app
        .post("/api/v1/articles")
        .bearer(&member.token)
        .json(&json!({"title": "Ma fête", "cover_media_id": no_alt["id"]}))
        .send();
    assert_eq!(res.problem(422)["errors"][0]["field"], "cover_media_id");
}

fn unused_files_are_collected_after_a_grace_period(app: &TestApp) {
    let editor = app.editor();
    let kept = upload_raw(app, &editor.token, "image/jpeg", jpeg(80, 60), "?alt=Garde").json();
    // a file left behind with no row: as after a crash between the two
    let stray = app.state.blobs.clone();
    let orphan = actix_web::rt::System::new()
        .block_on(async move {
            kiosque::storage::put_bytes(&*stray, b"left behind".to_vec(), None).await
        })
        .unwrap();
    assert_eq!(blob_files(app), 2);
    let out = app.command(&["media", "gc"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        said.contains("removed 0") && said.contains("1 younger"),
        "{said}"
    );
    let out = app.command(&["media", "gc", "--grace-hours", "0", "--dry-run"], "");
    assert!(String::from_utf8_lossy(&out.stdout).contains("would remove 1"));
    assert_eq!(blob_files(app), 2);
    let out = app.command(&["media", "gc", "--grace-hours", "0"], "");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("removed 1"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(blob_files(app), 1);
    let file = app
        .get(&format!("/api/v1/media/{}/file", id_of(&kept)))
        .bearer(&editor.token)
        .send();
    assert_eq!(file.status, 200);
    assert!(!orphan.key.is_empty());
}

fn a_large_file_goes_up_in_parts(app: &TestApp) {
    let editor = app.editor();
    // past one part of a multipart upload (5 MiB) and then some
    let audio = mp3(12 * 1024 * 1024 + 12_345);
    let res = upload_raw(
        app,
        &editor.token,
        "audio/mpeg",
        audio.clone(),
        "?public=true",
    );
    assert_eq!(res.status, 201, "{}", res.text());
    let first = res.json();
    assert_eq!(first["size"].as_u64(), Some(audio.len() as u64));
    let file = format!("/api/v1/media/{}/file", id_of(&first));
    let whole = app.get(&file).send();
    assert_eq!(whole.status, 200);
    assert!(
        whole.body == audio,
        "the bytes read back are the bytes sent"
    );
    // across the boundary between the first two parts
    let edge = 5 * 1024 * 1024;
    let part = app
        .get(&file)
        .header("Range", &format!("bytes={}-{}", edge - 10, edge + 9))
        .send();
    assert_eq!(part.status, 206);
    assert_eq!(part.body, &audio[edge - 10..edge + 10]);
    assert_eq!(blob_files(app), 1);
    // the same file again: stored once, the second upload dropped
    let again = upload_raw(app, &editor.token, "audio/mpeg", audio, "").json();
    assert_eq!(again["sha256"], first["sha256"]);
    assert_ne!(again["id"], first["id"]);
    assert_eq!(blob_files(app), 1);
    for m in [&first, &again] {
        app.delete(&format!("/api/v1/media/{}", id_of(m)))
            .bearer(&editor.token)
            .send()
            .ok();
    }
    assert_eq!(blob_files(app), 0, "the last deletion removes the blob");
}

/// S3-compatible storage at `url`, answering slowly or not at all: short bounds.
fn storage_at(url: &str) -> kiosque::config::Storage {
    let mut s3 = kiosque::config::S3Settings::for_tests(url, "kiosque-down");
    s3.timeout = std::time::Duration::from_secs(1);
    s3.connect_timeout = std::time::Duration::from_secs(1);
    s3.retries = 1;
    kiosque::config::Storage::S3(s3)
}

fn a_storage_fault_answers_503_not_500(app: &TestApp) {
    let editor = app.editor();
    let made = upload_raw(app, &editor.token, "audio/mpeg", mp3(5_000), "?public=true").json();
    let file = format!("/api/v1/media/{}/file", id_of(&made));
    // a node whose storage is down (nothing listens on the port) ...
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    // ... and one whose storage takes connections and never answers
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    for url in [dead_url, silent_url] {
        let node = app.spawn_sibling_with(|c| c.media.storage = storage_at(&url));
        let res = node.get(&file).send();
        assert_eq!(res.problem(503)["code"], "storage_unavailable", "{url}");
        assert!(res.header("retry-after").is_some());
        let res = upload_raw(&node, &editor.token, "audio/mpeg", mp3(2_000), "");
        assert_eq!(res.problem(503)["code"], "storage_unavailable", "{url}");
        let res = upload_raw(&node, &editor.token, "image/jpeg", jpeg(40, 30), "");
        assert_eq!(res.problem(503)["code"], "storage_unavailable", "{url}");
        // the rest of the API is unaffected
        assert_eq!(
            node.get("/api/v1/media")
                .bearer(&editor.token)
                .send()
                .status,
            200
        );
    }
    drop(silent);
    // the healthy node still serves the file
    assert_eq!(app.get(&file).send().status, 200);
}

fn private_media_is_shared_through_signed_urls(app: &TestApp) {
    let editor = app.editor();
    let bytes = jpeg(400, 300);
    let media = upload_raw(
        app,
        &editor.token,
        "image/jpeg",
        bytes.clone(),
        "?alt=Brouillon",
    )
    .json();
    let id = id_of(&media);
    let signed = media["signed_url"].as_str().unwrap().to_string();
    assert!(
        signed.starts_with(&format!("/api/v1/media/{id}/file?expires=")),
        "{signed}"
    );
    // no token needed, Range included
    let res = app.get(&signed).send();
    assert_eq!(res.status, 200, "{}", res.text());
    assert!(res.body == bytes);
    let part = app.get(&signed).header("Range", "bytes=0-9").send();
    assert_eq!((part.status, part.body.as_slice()), (206, &bytes[..10]));
    // a variant's signed URL serves the variant
    let variant = media["image"]["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["preset"] == "w320" && v["format"] == "webp")
        .unwrap();
    let res = app.get(variant["signed_url"].as_str().unwrap()).send();
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("content-type"), Some("image/webp"));
    // the plain URL still needs a token
    app.get(&format!("/api/v1/media/{id}/file"))
        .send()
        .problem(404);

    // a forged signature, or one for another item, opens nothing
    let (path, query) = signed.split_once('?').unwrap();
    let forged = format!("{path}?{}", query.replace("sig=", "sig=A"));
    assert_eq!(
        app.get(&forged).send().problem(403)["code"],
        "signature_invalid"
    );
    let other = upload_raw(app, &editor.token, "audio/mpeg", mp3(300), "").json();
    let borrowed = format!("/api/v1/media/{}/file?{query}", id_of(&other));
    assert_eq!(
        app.get(&borrowed).send().problem(403)["code"],
        "signature_invalid"
    );
    let half = format!("{path}?{}", query.split('&').next().unwrap());
    half_signed_is_refused(app, &half);

    // the same URL for a while (the item's ETag holds), then it expires
    let again = app
        .get(&format!("/api/v1/media/{id}"))
        .bearer(&editor.token)
        .send();
    assert_eq!(again.json()["signed_url"], signed);
    let ttl = app.state.config.media.signed_url_ttl.as_secs() as i64;
    app.state
        .clock
        .advance(chrono::Duration::seconds(2 * ttl + 1));
    assert_eq!(
        app.get(&signed).send().problem(403)["code"],
        "signature_expired"
    );
    // (the editor's access token has expired too: another member of staff)
    let staff = app.editor();
    let fresh = app
        .get(&format!("/api/v1/media/{id}"))
        .bearer(&staff.token)
        .send()
        .ok();
    assert_ne!(fresh["signed_url"], signed);
    assert_eq!(
        app.get(fresh["signed_url"].as_str().unwrap()).send().status,
        200
    );

    // public media needs no signature
    let public = upload_raw(app, &staff.token, "audio/mpeg", mp3(200), "?public=true").json();
    assert!(public["signed_url"].is_null());
}

fn half_signed_is_refused(app: &TestApp, url: &str) {
    app.get(url).send().problem(400);
}

fn on_a_cdn(config: &mut Config) {
    config.media.public_base_url = Some("https://cdn.example/media".into());
}

fn public_media_is_read_from_the_public_base(app: &TestApp) {
    let editor = app.editor();
    let bytes = jpeg(700, 500);
    let media = upload_raw(
        app,
        &editor.token,
        "image/jpeg",
        bytes.clone(),
        "?alt=Le+port",
    )
    .json();
    let (id, sha) = (id_of(&media), media["sha256"].as_str().unwrap().to_string());
    // private: Kiosque's own URL (with a token or signed)
    assert_eq!(media["url"], format!("/api/v1/media/{id}/file"));
    assert!(media["signed_url"].is_string());
    let path = format!("/api/v1/media/{id}");
    let res = app
        .patch(&path)
        .bearer(&editor.token)
        .json(&json!({"public": true}))
        .send();
    let media = res.ok();
    assert_eq!(media["url"], format!("https://cdn.example/media/{sha}"));
    assert!(media["signed_url"].is_null());
    // Kiosque's URLs send readers to the base instead of the bytes
    let res = app.get(&format!("{path}/file")).send();
    assert_eq!(res.status, 302);
    assert_eq!(
        res.header("location"),
        Some(format!("https://cdn.example/media/{sha}").as_str())
    );
    let w320 = media["image"]["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["preset"] == "w320" && v["format"] == "webp")
        .unwrap()["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(w320.starts_with("/api/v1/media/"), "not made yet: {w320}");
    let res = app.get(&w320).send();
    assert_eq!(res.status, 302, "{}", res.text());
    let variant_at = res.header("location").unwrap().to_string();
    assert!(variant_at.starts_with("https://cdn.example/media/"));
    // once made, the variants are on the base in the image object too
    let media = app.get(&path).send().ok();
    let image = &media["image"];
    let srcset = image["srcset"]["webp"].as_str().unwrap();
    assert!(srcset.contains(&format!("{variant_at} 320w")), "{srcset}");
    assert!(
        image["variants"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["url"]
                .as_str()
                .unwrap()
                .starts_with("https://cdn.example/media/")),
        "{image}"
    );
    // on S3, the bucket itself serves those names, with their types
    if let kiosque::config::Storage::S3(s3) = &app.state.config.media.storage {
        let bucket = format!(
            "{}/{}/{}",
            s3.endpoint.as_deref().unwrap(),
            s3.bucket,
            s3.prefix
        );
        let direct = |url: &str| {
            let name = url.rsplit('/').next().unwrap();
            let mut res = ureq::get(&format!("{bucket}/{name}")).call().unwrap();
            let ct = res.headers()["content-type"].to_str().unwrap().to_string();
            (
                ct,
                res.body_mut()
                    .with_config()
                    .limit(10 << 20)
                    .read_to_vec()
                    .unwrap(),
            )
        };
        let (ct, body) = direct(media["url"].as_str().unwrap());
        assert_eq!(ct, "image/jpeg");
        assert!(body == bytes);
        let (ct, body) = direct(&variant_at);
        assert_eq!(ct, "image/webp");
        assert_eq!(image::load_from_memory(&body).unwrap().width(), 320);
    }
}

/// An MP4 box.
fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    b.extend_from_slice(kind);
    b.extend_from_slice(body);
    b
}

/// An Ogg page holding one packet, at granule position `granule`.
fn ogg_page(granule: u64, packet: &[u8]) -> Vec<u8> {
    let mut b = b"OggS\x00\x00".to_vec();
    b.extend_from_slice(&granule.to_le_bytes());
    b.extend_from_slice(&[0; 12]); // serial, sequence, checksum (unchecked here)
    b.push(1);
    b.push(packet.len() as u8);
    b.extend_from_slice(packet);
    b
}

fn durations_are_read_from_the_headers(app: &TestApp) {
    let editor = app.editor();
    // MP4 with its `moov` after the media data, as most cameras write it:
    // 7 500 ticks of 1/600 s
    let mut mvhd = vec![0u8; 100];
    mvhd[12..16].copy_from_slice(&600u32.to_be_bytes());
    mvhd[16..20].copy_from_slice(&7_500u32.to_be_bytes());
    let mp4 = [
        mp4_box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2"),
        mp4_box(b"mdat", &vec![7u8; 300_000]),
        mp4_box(b"moov", &mp4_box(b"mvhd", &mvhd)),
    ]
    .concat();
    // WebM: 2 500 ticks of a millisecond
    let mut webm = vec![0x1A, 0x45, 0xDF, 0xA3, 0x87, 0x42, 0x82, 0x84];
    webm.extend_from_slice(b"webm");
    webm.extend_from_slice(&[
        0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    ]);
    let mut info = vec![0x2A, 0xD7, 0xB1, 0x83, 0x0F, 0x42, 0x40, 0x44, 0x89, 0x88];
    info.extend_from_slice(&2500f64.to_be_bytes());
    webm.extend_from_slice(&[0x15, 0x49, 0xA9, 0x66, 0x80 | info.len() as u8]);
    webm.extend_from_slice(&info);
    webm.extend_from_slice(&[0u8; 1000]);
    // Ogg Opus: 3 s at 48 kHz after a pre-skip of 312 samples
    let mut head = b"OpusHead\x01\x02".to_vec();
    head.extend_from_slice(&312u16.to_le_bytes());
    head.extend_from_slice(&48_000u32.to_le_bytes());
    head.extend_from_slice(&[0, 0, 0]);
    let ogg = [
        ogg_page(0, &head),
        vec![0u8; 100_000],
        ogg_page(3 * 48_000 + 312, &[0u8; 50]),
    ]
    .concat();
    // MP3 at a constant 128 kb/s: 160 000 bytes of frames last 10 s
    let mut mp3 = b"ID3\x04\x00\x00\x00\x00\x00\x00".to_vec();
    let mut frames = vec![0xFF, 0xFB, 0x90, 0x00];
    frames.resize(160_000, 0);
    mp3.extend_from_slice(&frames);
    for (bytes, ct, ms) in [
        (mp4, "video/mp4", 12_500),
        (webm, "video/webm", 2_500),
        (ogg, "audio/ogg", 3_000),
        (mp3, "audio/mpeg", 10_000),
    ] {
        let res = upload_raw(app, &editor.token, ct, bytes, "");
        assert_eq!(res.status, 201, "{ct}: {}", res.text());
        assert_eq!(res.json()["duration_ms"], ms, "{ct}");
    }
    // headers that say nothing: no duration, and the file is still accepted
    let res = upload_raw(app, &editor.token, "audio/mpeg", mp3_noise(), "");
    assert!(res.ok()["duration_ms"].is_null());
}

fn mp3_noise() -> Vec<u8> {
    mp3(5_000)
}

fn the_document_describes_uploads_and_images(app: &TestApp) {
    let doc = app.get("/api/v1/openapi.json").send().ok();
    let upload = &doc["paths"]["/api/v1/media"]["post"]["requestBody"]["content"];
    assert!(
        upload["multipart/form-data"]["schema"].is_object(),
        "{upload}"
    );
    assert!(upload["application/octet-stream"].is_object());
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["UploadForm"]["properties"]["file"]["format"],
        "binary"
    );
    for field in ["srcset", "placeholder", "variants", "credit_line", "alt"] {
        assert!(
            schemas["ImageObject"]["properties"][field].is_object(),
            "{field}"
        );
    }
}

media_tests! {
    an_editor_uploads_the_photo_of_the_day,
    a_raw_upload_takes_its_metadata_from_the_query,
    hostile_files_are_refused_clearly,
    variants_come_from_presets_only_and_lose_their_metadata,
    simultaneous_first_requests_share_one_rendering,
    a_full_pool_answers_503_with_retry_after,
    ranges_are_byte_exact,
    identical_files_are_stored_once,
    who_may_do_what,
    edits_are_checked_and_recorded,
    a_photo_becomes_an_articles_cover,
    unused_files_are_collected_after_a_grace_period,
    a_large_file_goes_up_in_parts,
    private_media_is_shared_through_signed_urls,
    durations_are_read_from_the_headers,
}

media_tests! {
    config = on_a_cdn;
    public_media_is_read_from_the_public_base,
}

db_tests! {
    the_document_describes_uploads_and_images,
    a_storage_fault_answers_503_not_500,
}

media_tests! {
    config = small_limits;
    uploads_beyond_their_limits_are_refused,
}
