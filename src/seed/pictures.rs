//! The demo site's pictures, drawn here (nothing is downloaded): a sky at
//! some hour of the day, a sun or a moon, and rows of hills with a small
//! town's roofs and steeple, in colours that fade with distance.

use image::{Rgb, RgbImage};
use rand::Rng;
use rand::rngs::StdRng;

use crate::media::MadeImage;

pub const WIDTH: u32 = 1600;
pub const HEIGHT: u32 = 900;

/// An hour of the day: its name, sky (top, horizon), sun and land colours.
struct Hour {
    name: &'static str,
    sky: ([u8; 3], [u8; 3]),
    sun: [u8; 3],
    land: [u8; 3],
}

const HOURS: [Hour; 4] = [
    Hour {
        name: "l'aube",
        sky: ([0x7a, 0x8c, 0xc8], [0xfb, 0xd9, 0xb0]),
        sun: [0xff, 0xf1, 0xd0],
        land: [0x3c, 0x5a, 0x4a],
    },
    Hour {
        name: "midi",
        sky: ([0x3f, 0x8f, 0xe0], [0xcf, 0xe8, 0xfb]),
        sun: [0xff, 0xfb, 0xe8],
        land: [0x3f, 0x7d, 0x3a],
    },
    Hour {
        name: "le coucher du soleil",
        sky: ([0x3b, 0x2a, 0x6b], [0xf4, 0x8c, 0x4c]),
        sun: [0xff, 0xd2, 0x7a],
        land: [0x4a, 0x2f, 0x45],
    },
    Hour {
        name: "la nuit",
        sky: ([0x08, 0x12, 0x2e], [0x2d, 0x3f, 0x6e]),
        sun: [0xee, 0xee, 0xe0],
        land: [0x14, 0x1e, 0x2c],
    },
];

fn mix(a: [u8; 3], b: [u8; 3], t: f64) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0);
    [0, 1, 2].map(|i| (a[i] as f64 + (b[i] as f64 - a[i] as f64) * t).round() as u8)
}

/// A ridge: the height of the land at each column, from a few waves.
struct Ridge {
    base: f64,
    waves: [(f64, f64, f64); 3],
}

impl Ridge {
    fn new(rng: &mut StdRng, base: f64, amplitude: f64) -> Self {
        let mut wave = |scale: f64| {
            (
                amplitude * scale * rng.random_range(0.6..1.0),
                rng.random_range(1.0..3.0) / scale / WIDTH as f64 * std::f64::consts::TAU,
                rng.random_range(0.0..std::f64::consts::TAU),
            )
        };
        Self {
            base,
            waves: [wave(1.0), wave(0.45), wave(0.15)],
        }
    }

    fn top(&self, x: f64) -> f64 {
        self.base
            - self
                .waves
                .iter()
                .map(|(a, f, p)| a * (f * x + p).sin())
                .sum::<f64>()
    }
}

/// A town on the middle ridge: houses (left, right, top of the walls, roof
/// height) and a steeple (centre, width, top).
struct Town {
    houses: Vec<(f64, f64, f64, f64)>,
    steeple: (f64, f64, f64),
}

impl Town {
    fn new(rng: &mut StdRng, ridge: &Ridge) -> Self {
        let start = rng.random_range(0.15..0.55) * WIDTH as f64;
        let mut x = start;
        let mut houses = Vec::new();
        for _ in 0..rng.random_range(6..12) {
            let w = rng.random_range(28.0..70.0);
            let ground = ridge.top(x + w / 2.0);
            let wall = rng.random_range(22.0..55.0);
            houses.push((x, x + w, ground - wall, rng.random_range(10.0..26.0)));
            x += w + rng.random_range(2.0..14.0);
        }
        let centre = (start + x) / 2.0;
        let steeple = (
            centre,
            26.0,
            ridge.top(centre) - rng.random_range(120.0..170.0),
        );
        Self { houses, steeple }
    }

    fn covers(&self, x: f64, y: f64) -> bool {
        let (cx, w, top) = self.steeple;
        // a tower with a pointed roof
        let tower_top = top + 3.0 * w;
        if (x - cx).abs() <= w / 2.0 && y >= tower_top {
            return true;
        }
        if y >= top && y < tower_top && (x - cx).abs() <= (y - top) / 6.0 {
            return true;
        }
        self.houses.iter().any(|&(l, r, wall, roof)| {
            if x < l || x > r {
                return false;
            }
            if y >= wall {
                return true;
            }
            // a gable: the roof rises to the middle of the house
            let half = (r - l) / 2.0;
            let rise = roof * (1.0 - ((x - l - half).abs() / half));
            y >= wall - rise
        })
    }
}

/// Picture `n` of the demo site, with its metadata.
pub fn picture(n: usize, rng: &mut StdRng, town: &str) -> MadeImage {
    let hour = &HOURS[n % HOURS.len()];
    let (w, h) = (WIDTH as f64, HEIGHT as f64);
    let sun = (
        rng.random_range(0.15..0.85) * w,
        rng.random_range(0.15..0.45) * h,
        rng.random_range(40.0..80.0),
    );
    let ridges = [
        Ridge::new(rng, h * 0.62, h * 0.08),
        Ridge::new(rng, h * 0.74, h * 0.06),
        Ridge::new(rng, h * 0.88, h * 0.05),
    ];
    let town_on = Town::new(rng, &ridges[1]);
    let shades: Vec<[u8; 3]> = (0..3)
        .map(|i| mix(hour.sky.1, hour.land, 0.45 + 0.27 * i as f64))
        .collect();
    // each ridge's height once per column, not once per pixel
    let tops: Vec<[f64; 3]> = (0..WIDTH)
        .map(|x| [0, 1, 2].map(|i| ridges[i].top(x as f64)))
        .collect();
    let img = RgbImage::from_fn(WIDTH, HEIGHT, |px, py| {
        let (x, y) = (px as f64, py as f64);
        let top = tops[px as usize];
        for i in (0..3).rev() {
            if y >= top[i] || (i == 1 && y >= top[1] - 260.0 && town_on.covers(x, y)) {
                // nearer land is darker toward the bottom
                let depth = (y - top[i]).max(0.0) / h;
                return Rgb(mix(shades[i], [0, 0, 0], depth * 0.8));
            }
        }
        let d = ((x - sun.0).powi(2) + (y - sun.1).powi(2)).sqrt();
        let sky = mix(hour.sky.0, hour.sky.1, y / (h * 0.8));
        if d <= sun.2 {
            Rgb(hour.sun)
        } else {
            // a soft glow around the sun
            let glow = (1.0 - (d - sun.2) / (sun.2 * 3.0)).max(0.0).powi(2) * 0.6;
            Rgb(mix(sky, hour.sun, glow))
        }
    });
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 85)
        .encode_image(&img)
        .expect("a drawn picture encodes");
    MadeImage {
        bytes,
        file_name: format!("demo-{}.jpg", n + 1),
        title: format!("{town} à {}", hour.name),
        alt: format!(
            "Dessin des collines de {town} et de ses toits autour du clocher, à {}",
            hour.name
        ),
        caption: format!("Les hauteurs de {town} à {}.", hour.name),
        credit: "Kiosque, image de démonstration".to_string(),
    }
}
