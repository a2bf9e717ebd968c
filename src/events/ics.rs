//! iCalendar (RFC 5545) output: CRLF line ends, lines folded at 75 octets
//! (never inside a UTF-8 character), TEXT values escaped. Timed events are
//! written in UTC (`…Z`), so no VTIMEZONE is needed; all-day events as
//! `VALUE=DATE` days of the event's own time zone, with an exclusive end.

use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone};

use super::dto::DEFAULT_TIME_ZONE;
use super::model::{EventFields, EventRow};

/// Escapes a TEXT value (RFC 5545 §3.3.11).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded: at most 75 octets a line, continuation lines
/// start with a space (RFC 5545 §3.1).
pub fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

fn utc_stamp(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The first and the day after the last day of an all-day event, in its time zone.
pub fn all_day_dates(e: &EventFields) -> (NaiveDate, NaiveDate) {
    let tz: chrono_tz::Tz = e
        .time_zone
        .parse()
        .unwrap_or_else(|_| DEFAULT_TIME_ZONE.parse().expect("a known zone"));
    let local = |t: NaiveDateTime| tz.from_utc_datetime(&t).date_naive();
    let first = local(e.starts_at);
    // an end at local midnight is exclusive already
    let last = local(e.ends_at - Duration::seconds(1)).max(first);
    (first, last + Duration::days(1))
}

/// A calendar of `events`. `host` makes the UIDs unique across sites.
pub fn calendar(events: &[EventRow], host: &str, name: &str) -> String {
    let mut out = String::new();
    let mut line = |s: &str| fold(s, &mut out);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//Kiosque//Agenda//FR");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line(&format!("X-WR-CALNAME:{}", escape_text(name)));
    for row in events {
        let e = &row.fields;
        line("BEGIN:VEVENT");
        line(&format!("UID:event-{}@{}", row.id, host));
        line(&format!("DTSTAMP:{}", utc_stamp(row.review.updated_at)));
        line(&format!("CREATED:{}", utc_stamp(row.created_at)));
        line(&format!(
            "LAST-MODIFIED:{}",
            utc_stamp(row.review.updated_at)
        ));
        if e.all_day {
            let (first, end) = all_day_dates(e);
            line(&format!("DTSTART;VALUE=DATE:{}", first.format("%Y%m%d")));
            line(&format!("DTEND;VALUE=DATE:{}", end.format("%Y%m%d")));
        } else {
            line(&format!("DTSTART:{}", utc_stamp(e.starts_at)));
            line(&format!("DTEND:{}", utc_stamp(e.ends_at)));
        }
        line(&format!("SUMMARY:{}", escape_text(&e.title)));
        line(&format!("DESCRIPTION:{}", escape_text(&e.description)));
        let place = [
            e.venue_name.as_str(),
            e.venue_address.as_str(),
            &format!("{} {}", e.postal_code, e.city),
        ]
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
        line(&format!("LOCATION:{}", escape_text(&place)));
        if let (Some(lat), Some(lon)) = (e.latitude, e.longitude) {
            line(&format!("GEO:{lat:.6};{lon:.6}"));
        }
        line(&format!("CATEGORIES:{}", escape_text(&e.category)));
        line(&format!("CONTACT:{}", escape_text(&e.organizer)));
        if let Some(link) = &e.link {
            line(&format!("URL:{link}"));
        }
        line("STATUS:CONFIRMED");
        line("TRANSP:OPAQUE");
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_on_character_boundaries() {
        let mut out = String::new();
        fold(&format!("SUMMARY:{}", "é".repeat(60)), &mut out);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}\r\n", "é".repeat(60)));
    }

    #[test]
    fn escapes_text() {
        assert_eq!(escape_text("a;b,c\\d\r\ne\nf"), "a\\;b\\,c\\\\d\\ne\\nf");
    }
}
