//! How long audio and video last, read from their headers (no decoding):
//! MP4/M4A the `mvhd` box, WebM the segment's `Info` (`Duration` ×
//! `TimecodeScale`), Ogg the last page's granule position over the rate of
//! the identification header (Vorbis, Opus), MP3 a Xing/Info/VBRI frame
//! count, else the size over a constant bitrate. Each reader takes the
//! bytes the caller fetched and answers `None` rather than guess when they
//! do not say.

/// A top-level MP4 box header at the start of `bytes`: its type, its whole
/// length (header included; `rest` bytes are left in the file) and the
/// header's length.
pub fn mp4_box(bytes: &[u8], rest: u64) -> Option<([u8; 4], u64, usize)> {
    if bytes.len() < 8 {
        return None;
    }
    let kind: [u8; 4] = bytes[4..8].try_into().ok()?;
    let short = u32::from_be_bytes(bytes[0..4].try_into().ok()?) as u64;
    let (len, header) = match short {
        0 => (rest, 8),
        1 => (u64::from_be_bytes(bytes.get(8..16)?.try_into().ok()?), 16),
        n => (n, 8),
    };
    (len >= header as u64 && len <= rest).then_some((kind, len, header))
}

/// The duration in `mvhd` among the children of a `moov` box's body.
pub fn mp4_mvhd_ms(moov_body: &[u8]) -> Option<i64> {
    let mut at = 0usize;
    while at + 8 <= moov_body.len() {
        let (kind, len, header) = mp4_box(&moov_body[at..], (moov_body.len() - at) as u64)?;
        if &kind == b"mvhd" {
            let b = moov_body.get(at + header..at + len as usize)?;
            let (scale, duration) = match *b.first()? {
                0 => (be32(b, 12)?, be32(b, 16)? as u64),
                1 => (
                    be32(b, 20)?,
                    u64::from_be_bytes(b.get(24..32)?.try_into().ok()?),
                ),
                _ => return None,
            };
            return millis(duration as f64, scale as f64);
        }
        at += len as usize;
    }
    None
}

/// The duration in a WebM file's first bytes (its `Segment` → `Info`).
pub fn webm_ms(head: &[u8]) -> Option<i64> {
    // EBML header, then the segment
    let (id, size, at) = ebml_element(head, 0)?;
    if id != 0x1A45_DFA3 {
        return None;
    }
    let (id, _, mut at) = ebml_element(head, at + size? as usize)?;
    if id != 0x1853_8067 {
        return None;
    }
    // the segment's children, until `Info`
    while at < head.len() {
        let (id, size, body) = ebml_element(head, at)?;
        let size = size? as usize;
        if id == 0x1549_A966 {
            let info = head.get(body..body + size)?;
            let mut scale = 1_000_000f64; // the default: milliseconds
            let mut duration = None;
            let mut i = 0;
            while i < info.len() {
                let (id, size, body) = ebml_element(info, i)?;
                let size = size? as usize;
                let value = info.get(body..body + size)?;
                match id {
                    0x2A_D7B1 => scale = value.iter().fold(0u64, |n, b| n << 8 | *b as u64) as f64,
                    0x4489 => {
                        duration = match size {
                            4 => Some(f32::from_be_bytes(value.try_into().ok()?) as f64),
                            8 => Some(f64::from_be_bytes(value.try_into().ok()?)),
                            _ => None,
                        }
                    }
                    _ => {}
                }
                i = body + size;
            }
            // ticks × nanoseconds per tick
            return millis(duration? * scale, 1e9);
        }
        at = body + size;
    }
    None
}

/// An EBML element at `at`: its id, its size (`None`: unknown) and where its body starts.
fn ebml_element(b: &[u8], at: usize) -> Option<(u32, Option<u64>, usize)> {
    let (id, id_len) = vint(b, at, false)?;
    let (size, size_len) = vint(b, at + id_len, true)?;
    let unknown = size_len > 0 && size == (1u64 << (7 * size_len)) - 1;
    Some((
        id as u32,
        (!unknown).then_some(size),
        at + id_len + size_len,
    ))
}

/// A variable-length EBML integer: ids keep their marker bit, sizes lose it.
fn vint(b: &[u8], at: usize, strip: bool) -> Option<(u64, usize)> {
    let first = *b.get(at)?;
    let len = first.leading_zeros() as usize + 1;
    if len > 8 {
        return None;
    }
    let mut value = if strip {
        (first as u64) & ((1u64 << (8 - len)) - 1)
    } else {
        first as u64
    };
    for k in 1..len {
        value = value << 8 | *b.get(at + k)? as u64;
    }
    Some((value, len))
}

/// The duration of an Ogg stream: the rate from the first page (`head`),
/// the last granule position from the last page found in `tail`.
pub fn ogg_ms(head: &[u8], tail: &[u8]) -> Option<i64> {
    // the first page's packet: its header is 27 bytes plus one per segment
    if !head.starts_with(b"OggS") {
        return None;
    }
    let segments = *head.get(26)? as usize;
    let packet = head.get(27 + segments..)?;
    let (rate, skip) = if packet.starts_with(b"\x01vorbis") {
        (le32(packet, 12)? as f64, 0f64)
    } else if packet.starts_with(b"OpusHead") {
        // Opus positions always count at 48 kHz, after `pre-skip` samples
        let pre_skip = u16::from_le_bytes(packet.get(10..12)?.try_into().ok()?);
        (48_000f64, pre_skip as f64)
    } else {
        return None;
    };
    let last = tail.windows(4).rposition(|w| w == b"OggS")?;
    let granule = u64::from_le_bytes(tail.get(last + 6..last + 14)?.try_into().ok()?);
    if granule == u64::MAX {
        return None; // a page where no packet ends
    }
    millis((granule as f64 - skip).max(0.0), rate)
}

/// The duration of an MP3 of `size` bytes whose first frame starts at
/// `at` in `bytes` (after any ID3v2 tag, see [`id3_len`]).
pub fn mp3_ms(bytes: &[u8], size: u64, at: usize) -> Option<i64> {
    // the first frame header: sync, then version, layer, bitrate, rate
    let start = (at..bytes.len().saturating_sub(4))
        .find(|&i| bytes[i] == 0xFF && bytes[i + 1] & 0xE0 == 0xE0)?;
    let h = bytes.get(start..start + 4)?;
    let version = (h[1] >> 3) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
    let layer = (h[1] >> 1) & 3; // 1: layer III
    if layer != 1 || version == 1 {
        return None;
    }
    let rates = [44_100u32, 48_000, 32_000];
    let rate = *rates.get(((h[2] >> 2) & 3) as usize)?
        / if version == 3 {
            1
        } else if version == 2 {
            2
        } else {
            4
        };
    let samples = if version == 3 { 1152u64 } else { 576 };
    let mono = (h[3] >> 6) == 3;
    // a Xing/Info frame (after the side information) or a VBRI one counts the frames
    let side = match (version == 3, mono) {
        (true, false) => 32,
        (true, true) => 17,
        (false, false) => 17,
        (false, true) => 9,
    };
    let xing = start + 4 + side;
    if let Some(tag) = bytes.get(xing..xing + 4)
        && (tag == b"Xing" || tag == b"Info")
        && bytes.get(xing + 7).is_some_and(|f| f & 1 == 1)
    {
        let frames = be32(bytes, xing + 8)? as u64;
        return millis((frames * samples) as f64, rate as f64);
    }
    if bytes.get(start + 36..start + 40) == Some(b"VBRI") {
        let frames = be32(bytes, start + 36 + 14)? as u64;
        return millis((frames * samples) as f64, rate as f64);
    }
    // a constant bitrate: the size of the audio over it
    let kbps: [u32; 15] = if version == 3 {
        [
            0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
        ]
    } else {
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
    };
    let bitrate = *kbps.get((h[2] >> 4) as usize)? as f64 * 1000.0;
    if bitrate == 0.0 {
        return None;
    }
    let audio = size.saturating_sub(start as u64) as f64;
    millis(audio * 8.0, bitrate)
}

/// The length of an ID3v2 tag at the start of `head` (0 without one).
pub fn id3_len(head: &[u8]) -> usize {
    if head.len() < 10 || !head.starts_with(b"ID3") {
        return 0;
    }
    let size = head[6..10]
        .iter()
        .fold(0usize, |n, b| n << 7 | (*b & 0x7F) as usize);
    let footer = if head[5] & 0x10 != 0 { 10 } else { 0 };
    10 + size + footer
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// `units / per_second`, in whole milliseconds; `None` when meaningless.
fn millis(units: f64, per_second: f64) -> Option<i64> {
    let ms = units / per_second * 1000.0;
    (per_second > 0.0 && ms.is_finite() && (0.0..1e12).contains(&ms)).then(|| ms.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_mp4_mvhd() {
        // mvhd version 0: timescale 1000, duration 12_345
        let mut mvhd = vec![0u8; 100];
        mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes());
        mvhd[16..20].copy_from_slice(&12_345u32.to_be_bytes());
        let mut body = ((mvhd.len() + 8) as u32).to_be_bytes().to_vec();
        body.extend_from_slice(b"mvhd");
        body.extend_from_slice(&mvhd);
        assert_eq!(mp4_mvhd_ms(&body), Some(12_345));
        assert_eq!(
            mp4_box(&[0, 0, 0, 8, b'f', b't', b'y', b'p'], 100),
            Some((*b"ftyp", 8, 8))
        );
        assert_eq!(mp4_box(&[0, 0, 1, 0, b'f', b't', b'y', b'p'], 100), None);
    }

    #[test]
    fn reads_a_webm_duration() {
        // EBML header (empty), Segment (unknown size), Info { TimecodeScale 1e6, Duration 2500.0 }
        let mut b = vec![0x1A, 0x45, 0xDF, 0xA3, 0x80];
        b.extend_from_slice(&[
            0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        ]);
        let mut info = vec![0x2A, 0xD7, 0xB1, 0x83, 0x0F, 0x42, 0x40];
        info.extend_from_slice(&[0x44, 0x89, 0x88]);
        info.extend_from_slice(&2500f64.to_be_bytes());
        b.extend_from_slice(&[0x15, 0x49, 0xA9, 0x66, 0x80 | info.len() as u8]);
        b.extend_from_slice(&info);
        assert_eq!(webm_ms(&b), Some(2500));
    }

    #[test]
    fn reads_an_mp3_at_a_constant_bitrate() {
        // MPEG-1 layer III, 128 kb/s, 44.1 kHz, stereo; 160_000 bytes of audio: 10 s
        let mut b = vec![0xFF, 0xFB, 0x90, 0x00];
        b.resize(2000, 0);
        assert_eq!(mp3_ms(&b, 160_000, 0), Some(10_000));
        assert_eq!(id3_len(b"ID3\x04\x00\x00\x00\x00\x01\x00rest"), 10 + 128);
    }
}
