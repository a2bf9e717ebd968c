//! The media benchmark's client (run by `bench/media.sh` against a release
//! server): images made here, uploads, variant requests, concurrent big
//! uploads. Usage: bench_media BASE_URL TOKEN SERVER_PID

use std::io::Cursor;
use std::time::Instant;

use image::{DynamicImage, RgbImage};

fn jpeg(w: u32, h: u32, seed: u32) -> Vec<u8> {
    // a photo-like gradient with some texture (compresses like a photo, roughly)
    let img = RgbImage::from_fn(w, h, |x, y| {
        let n = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503) ^ seed) >> 27;
        image::Rgb([
            ((x * 255 / w) as u8).wrapping_add(n as u8),
            ((y * 255 / h) as u8).wrapping_add(n as u8),
            (((x + y + seed) % 256) as u8),
        ])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)
        .unwrap();
    out
}

fn upload(base: &str, token: &str, bytes: &[u8]) -> (u16, serde_json::Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut res = agent
        .post(&format!("{base}/media?alt=Bench&public=true"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "image/jpeg")
        .send(bytes)
        .expect("the server answers");
    let status = res.status().as_u16();
    let body = res.body_mut().read_to_vec().unwrap_or_default();
    (status, serde_json::from_slice(&body).unwrap_or_default())
}

fn peak_rss_mib(pid: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (base, token, pid) = (&args[1], &args[2], &args[3]);
    let origin = base.trim_end_matches("/api/v1");

    // 1. a 12-megapixel JPEG accepted, then every variant made (first request)
    let mut times = Vec::new();
    let mut last_url = String::new();
    for run in 0..5 {
        let bytes = jpeg(4000, 3000, run);
        let started = Instant::now();
        let (status, media) = upload(base, token, &bytes);
        assert_eq!(status, 201, "{media}");
        let url = media["image"]["url"].as_str().unwrap().to_string();
        let res = ureq::get(&format!("{origin}{url}"))
            .call()
            .expect("a variant");
        assert_eq!(res.status().as_u16(), 200);
        times.push(started.elapsed().as_secs_f64());
        last_url = url;
    }
    times.sort_by(f64::total_cmp);
    println!(
        "12 MP JPEG ({} KiB): accepted and all variants made, p50 {:.2} s (5 runs, min {:.2} s, max {:.2} s)",
        jpeg(4000, 3000, 0).len() / 1024,
        times[2],
        times[0],
        times[4]
    );
    println!("cached variant: {origin}{last_url}");
    println!(
        "peak RSS before the concurrent uploads: {:.0} MiB",
        peak_rss_mib(pid)
    );

    // 2. 20 uploads of 24-megapixel JPEGs at once
    let files: Vec<Vec<u8>> = (0..20).map(|i| jpeg(6000, 4000, 100 + i)).collect();
    let started = Instant::now();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = files
            .iter()
            .map(|f| s.spawn(|| upload(base, token, f).0))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let ok = statuses.iter().filter(|s| **s == 201).count();
    let busy = statuses.iter().filter(|s| **s == 503).count();
    println!(
        "20 concurrent 24 MP uploads ({} KiB each): {ok} accepted, {busy} answered 503 (pool full), in {:.1} s; server peak RSS {:.0} MiB",
        files[0].len() / 1024,
        started.elapsed().as_secs_f64(),
        peak_rss_mib(pid)
    );
}
