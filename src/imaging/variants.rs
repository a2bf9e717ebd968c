//! An image's analysis at upload (size after orientation, animation, a tiny
//! placeholder, the dominant colour) and its variants, made only from fixed
//! presets. Big images are first shrunk by whole-pixel averaging, then
//! resized, then oriented, so a 24-megapixel photo never has more than one
//! full-size copy in memory. Variants are encoded anew: no EXIF, GPS or any
//! other metadata of the original survives.

use std::io::Cursor;

use base64::Engine;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage, RgbaImage};

use super::{Format, ImagingError};

/// A named size of the settings: a width (`w640`), or a crop to a fixed
/// width and height around the focal point (`social`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preset {
    pub name: String,
    pub width: u32,
    pub height: Option<u32>,
}

impl Preset {
    /// The presets the settings name: `w<width>` for each width, `social` for the crop.
    pub fn from_settings(settings: &crate::config::MediaSettings) -> Vec<Preset> {
        let mut out: Vec<Preset> = settings
            .widths
            .iter()
            .map(|w| Preset {
                name: format!("w{w}"),
                width: *w,
                height: None,
            })
            .collect();
        if let Some((w, h)) = settings.social {
            out.push(Preset {
                name: "social".into(),
                width: w,
                height: Some(h),
            });
        }
        out
    }
}

/// The formats variants come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Webp,
    Jpeg,
}

impl Encoding {
    pub const ALL: [Encoding; 2] = [Encoding::Webp, Encoding::Jpeg];

    pub fn extension(self) -> &'static str {
        match self {
            Encoding::Webp => "webp",
            Encoding::Jpeg => "jpg",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Encoding::Webp => "image/webp",
            Encoding::Jpeg => "image/jpeg",
        }
    }

    pub fn parse(ext: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.extension() == ext)
    }
}

/// One variant an image offers: its preset, its size, and the part of the
/// (oriented) original it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub preset: String,
    pub width: u32,
    pub height: u32,
    /// x, y, width, height in the oriented original.
    pub crop: Option<(u32, u32, u32, u32)>,
}

/// The variants an image of `width`×`height` (oriented) offers: every width
/// preset narrower than the image, plus the first one that is not (made at
/// the image's own width: never upscaled), and each crop.
pub fn plan(width: u32, height: u32, presets: &[Preset], focal: (f64, f64)) -> Vec<Plan> {
    let mut out = Vec::new();
    let mut widths: Vec<&Preset> = presets.iter().filter(|p| p.height.is_none()).collect();
    widths.sort_by_key(|p| p.width);
    for p in widths {
        let w = p.width.min(width).max(1);
        let h = ((height as f64) * (w as f64) / (width as f64))
            .round()
            .max(1.0) as u32;
        out.push(Plan {
            preset: p.name.clone(),
            width: w,
            height: h,
            crop: None,
        });
        if p.width >= width {
            break;
        }
    }
    for p in presets.iter().filter(|p| p.height.is_some()) {
        let (tw, th) = (p.width.max(1), p.height.unwrap_or(1).max(1));
        let ratio = tw as f64 / th as f64;
        let (cw, ch) = if (width as f64) / (height as f64) > ratio {
            (((height as f64) * ratio).round().max(1.0) as u32, height)
        } else {
            (width, ((width as f64) / ratio).round().max(1.0) as u32)
        };
        let (cw, ch) = (cw.min(width), ch.min(height));
        let centre = |f: f64, whole: u32, part: u32| -> u32 {
            let c = f.clamp(0.0, 1.0) * whole as f64 - part as f64 / 2.0;
            (c.round().max(0.0) as u32).min(whole - part)
        };
        let (x, y) = (centre(focal.0, width, cw), centre(focal.1, height, ch));
        let (w, h) = if cw > tw { (tw, th) } else { (cw, ch) };
        out.push(Plan {
            preset: p.name.clone(),
            width: w,
            height: h,
            crop: Some((x, y, cw, ch)),
        });
    }
    out
}

/// What an upload of an image tells.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// After EXIF orientation.
    pub width: u32,
    pub height: u32,
    pub animated: bool,
    /// A tiny PNG as a `data:` URI, to show while the image loads.
    pub placeholder: String,
    /// `#rrggbb`.
    pub dominant_color: String,
}

/// A made variant.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub preset: String,
    pub encoding: Encoding,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

/// Reads the size from the header only, refuses more than `max_pixels`,
/// then decodes; the image comes back shrunk by the whole factor
/// `factor(width, height)` chooses from the oriented size (averaging blocks
/// of pixels), then oriented. Also returns the oriented full size.
fn decode(
    bytes: &[u8],
    format: Format,
    max_pixels: u64,
    factor: impl Fn(u32, u32) -> u32,
) -> Result<(DynamicImage, u32, u32), ImagingError> {
    use image::metadata::Orientation::*;
    let fmt = format
        .image_format()
        .ok_or_else(|| ImagingError::Corrupt("not an image".into()))?;
    let corrupt = |e: image::ImageError| ImagingError::Corrupt(e.to_string());
    let (w, h) = ImageReader::with_format(Cursor::new(bytes), fmt)
        .into_dimensions()
        .map_err(corrupt)?;
    if w == 0 || h == 0 {
        return Err(ImagingError::Corrupt("the image has no pixels".into()));
    }
    if (w as u64) * (h as u64) > max_pixels {
        return Err(ImagingError::TooManyPixels {
            width: w,
            height: h,
            max: max_pixels,
        });
    }
    if format == Format::Jpeg && !ends_like_jpeg(bytes) {
        return Err(ImagingError::Corrupt(
            "the JPEG is truncated (no end-of-image marker)".into(),
        ));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), fmt);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(w);
    limits.max_image_height = Some(h);
    // the pixels at up to 8 bytes each, plus the decoders' own buffers
    limits.max_alloc = Some(max_pixels.saturating_mul(8).saturating_add(64 << 20));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let orientation = decoder.orientation().unwrap_or(NoTransforms);
    let (full_w, full_h) = match orientation {
        Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH => (h, w),
        _ => (w, h),
    };
    let img = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    let mut img = shrink(img, factor(full_w, full_h));
    img.apply_orientation(orientation);
    Ok((img, full_w, full_h))
}

/// A JPEG ends with its end-of-image marker (allowing a little padding).
fn ends_like_jpeg(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    tail.windows(2).any(|w| w == [0xFF, 0xD9])
}

/// Divides both sides by `factor`, averaging each block: cheap, and a good
/// first step before a finer resize.
fn shrink(img: DynamicImage, factor: u32) -> DynamicImage {
    if factor < 2 {
        return img;
    }
    if img.color().has_alpha() {
        DynamicImage::ImageRgba8(average_blocks::<4>(&img.into_rgba8(), factor))
    } else {
        DynamicImage::ImageRgb8(average_blocks_rgb(&img.into_rgb8(), factor))
    }
}

fn average_blocks_rgb(src: &RgbImage, f: u32) -> RgbImage {
    let (w, h) = ((src.width() / f).max(1), (src.height() / f).max(1));
    let raw = src.as_raw();
    let stride = src.width() as usize * 3;
    let mut out = RgbImage::new(w, h);
    for (ox, oy, px) in out.enumerate_pixels_mut() {
        let mut sum = [0u32; 3];
        let mut n = 0u32;
        for y in oy * f..((oy + 1) * f).min(src.height()) {
            let row = y as usize * stride;
            for x in ox * f..((ox + 1) * f).min(src.width()) {
                let i = row + x as usize * 3;
                sum[0] += raw[i] as u32;
                sum[1] += raw[i + 1] as u32;
                sum[2] += raw[i + 2] as u32;
                n += 1;
            }
        }
        let n = n.max(1);
        px.0 = [(sum[0] / n) as u8, (sum[1] / n) as u8, (sum[2] / n) as u8];
    }
    out
}

fn average_blocks<const C: usize>(src: &RgbaImage, f: u32) -> RgbaImage {
    let (w, h) = ((src.width() / f).max(1), (src.height() / f).max(1));
    let mut out = RgbaImage::new(w, h);
    for (ox, oy, px) in out.enumerate_pixels_mut() {
        let mut sum = [0u32; 4];
        let mut n = 0u32;
        for y in oy * f..((oy + 1) * f).min(src.height()) {
            for x in ox * f..((ox + 1) * f).min(src.width()) {
                let p = src.get_pixel(x, y).0;
                for c in 0..C {
                    sum[c] += p[c] as u32;
                }
                n += 1;
            }
        }
        let n = n.max(1);
        px.0 = [
            (sum[0] / n) as u8,
            (sum[1] / n) as u8,
            (sum[2] / n) as u8,
            (sum[3] / n) as u8,
        ];
    }
    out
}

/// Checks and describes an uploaded image: refused beyond `max_pixels`
/// (from its header, before decoding) or when it does not decode.
pub fn analyse(bytes: &[u8], format: Format, max_pixels: u64) -> Result<Analysis, ImagingError> {
    let (img, width, height) = decode(bytes, format, max_pixels, |w, h| w.max(h) / 64)?;
    let animated = format == Format::Gif && gif_frames(bytes) > 1;
    let small = img.resize(16, 16, FilterType::Triangle);
    let mut png = Vec::new();
    small
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| ImagingError::Encode(e.to_string()))?;
    let placeholder = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&png)
    );
    let one = small.resize_exact(1, 1, FilterType::Triangle).into_rgb8();
    let [r, g, b] = one.get_pixel(0, 0).0;
    Ok(Analysis {
        width,
        height,
        animated,
        placeholder,
        dominant_color: format!("#{r:02x}{g:02x}{b:02x}"),
    })
}

/// Frames of a GIF, counting no further than two.
fn gif_frames(bytes: &[u8]) -> usize {
    use image::AnimationDecoder;
    match image::codecs::gif::GifDecoder::new(Cursor::new(bytes)) {
        Ok(d) => d.into_frames().take(2).filter(Result::is_ok).count(),
        Err(_) => 0,
    }
}

/// Makes every planned variant in every encoding from one decode (the
/// first frame of an animation: a still).
pub fn render(
    bytes: &[u8],
    format: Format,
    max_pixels: u64,
    plans: &[Plan],
    jpeg_quality: u8,
) -> Result<Vec<Rendered>, ImagingError> {
    // shrink no further than the most demanding variant allows
    let factor = |full_w: u32, _| {
        plans
            .iter()
            .map(|p| match p.crop {
                Some((_, _, cw, _)) => cw / p.width.max(1),
                None => full_w / p.width.max(1),
            })
            .min()
            .unwrap_or(1)
            .max(1)
    };
    let (img, full_w, _) = decode(bytes, format, max_pixels, factor)?;
    // the decoded image may be shrunk: map plan coordinates onto it
    let scale = img.width() as f64 / full_w.max(1) as f64;
    let mut out = Vec::new();
    for plan in plans {
        let source = match plan.crop {
            Some((x, y, w, h)) => {
                let s = |v: u32| ((v as f64) * scale).round() as u32;
                let (x, y) = (s(x).min(img.width() - 1), s(y).min(img.height() - 1));
                let w = s(w).clamp(1, img.width() - x);
                let h = s(h).clamp(1, img.height() - y);
                img.crop_imm(x, y, w, h)
            }
            None => img.clone(),
        };
        let sized = if source.width() == plan.width && source.height() == plan.height {
            source
        } else {
            source.resize_exact(plan.width, plan.height, FilterType::CatmullRom)
        };
        for encoding in Encoding::ALL {
            out.push(Rendered {
                preset: plan.preset.clone(),
                encoding,
                width: sized.width(),
                height: sized.height(),
                bytes: encode(&sized, encoding, jpeg_quality)?,
            });
        }
    }
    Ok(out)
}

fn encode(img: &DynamicImage, encoding: Encoding, quality: u8) -> Result<Vec<u8>, ImagingError> {
    let err = |e: image::ImageError| ImagingError::Encode(e.to_string());
    let mut buf = Vec::new();
    match encoding {
        Encoding::Jpeg => {
            let rgb = flatten(img);
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, quality)
                .encode_image(&rgb)
                .map_err(err)?;
        }
        Encoding::Webp => {
            let encoder = image::codecs::webp::WebPEncoder::new_lossless(&mut buf);
            if img.color().has_alpha() {
                let rgba = img.to_rgba8();
                encoder
                    .encode(
                        rgba.as_raw(),
                        rgba.width(),
                        rgba.height(),
                        image::ExtendedColorType::Rgba8,
                    )
                    .map_err(err)?;
            } else {
                let rgb = img.to_rgb8();
                encoder
                    .encode(
                        rgb.as_raw(),
                        rgb.width(),
                        rgb.height(),
                        image::ExtendedColorType::Rgb8,
                    )
                    .map_err(err)?;
            }
        }
    }
    Ok(buf)
}

/// RGB over a white background (JPEG has no transparency).
fn flatten(img: &DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.to_rgb8();
    }
    let rgba = img.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| ((c as u32 * a as u32 + 255 * (255 - a as u32)) / 255) as u8;
        image::Rgb([over(r), over(g), over(b)])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn presets() -> Vec<Preset> {
        let mut p: Vec<Preset> = [320, 640, 1024, 1600]
            .into_iter()
            .map(|w| Preset {
                name: format!("w{w}"),
                width: w,
                height: None,
            })
            .collect();
        p.push(Preset {
            name: "social".into(),
            width: 1200,
            height: Some(630),
        });
        p
    }

    #[test]
    fn plans_never_upscale() {
        let p = plan(800, 600, &presets(), (0.5, 0.5));
        let names: Vec<_> = p
            .iter()
            .map(|p| (p.preset.as_str(), p.width, p.height))
            .collect();
        assert_eq!(
            names,
            [
                ("w320", 320, 240),
                ("w640", 640, 480),
                ("w1024", 800, 600),
                ("social", 800, 420)
            ]
        );
        assert_eq!(p[3].crop, Some((0, 90, 800, 420)));
        let wide = plan(4000, 3000, &presets(), (1.0, 0.0));
        assert_eq!(wide.last().unwrap().crop, Some((0, 0, 4000, 2100)));
        assert_eq!(
            (wide.last().unwrap().width, wide.last().unwrap().height),
            (1200, 630)
        );
    }

    #[test]
    fn renders_from_one_decode_and_strips_nothing_it_should_keep() {
        let img = RgbImage::from_fn(900, 500, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut jpeg = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
            .unwrap();
        let a = analyse(&jpeg, Format::Jpeg, 1_000_000).unwrap();
        assert_eq!((a.width, a.height, a.animated), (900, 500, false));
        assert!(a.placeholder.starts_with("data:image/png;base64,"));
        let plans = plan(900, 500, &presets(), (0.5, 0.5));
        let out = render(&jpeg, Format::Jpeg, 1_000_000, &plans, 80).unwrap();
        assert_eq!(out.len(), plans.len() * 2);
        let w640 = out
            .iter()
            .find(|r| r.preset == "w640" && r.encoding == Encoding::Webp)
            .unwrap();
        let back = image::load_from_memory(&w640.bytes).unwrap();
        assert_eq!((back.width(), back.height()), (640, 356));
        assert!(matches!(
            analyse(&jpeg, Format::Jpeg, 1000),
            Err(ImagingError::TooManyPixels { .. })
        ));
        assert!(matches!(
            analyse(&jpeg[..jpeg.len() / 2], Format::Jpeg, 1_000_000),
            Err(ImagingError::Corrupt(_))
        ));
    }
}
