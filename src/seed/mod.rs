//! `kiosque seed-demo`: a generated French local-news site — sections,
//! authors, tags and a few thousand articles over several years — so a new
//! user sees a living site, and benchmarks have data. Every name, town and
//! sentence is assembled here from small word lists; nothing is taken from a
//! real publication. Its pictures are drawn here too (`pictures`) and taken
//! into the media library like uploads, with variants, alt text, caption and
//! credit: the covers of most articles and the posters of the agenda.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};

use crate::articles::{Cover, CreateArticle};
use crate::auth::password::Passwords;
use crate::auth::{Caller, Role, SessionUser};
use crate::config::Config;
use crate::db::schema::articles;
use crate::db::{AnyConnection, write_tx};
use crate::error::AppError;
use crate::ids::{MediaId, UserId};
use crate::review::Status;
use crate::sections::CreateSection;
use crate::slug::slugify;
use crate::tags::CreateTag;
use crate::users::{NewAccount, open_account};

mod pictures;
mod words;
use words::*;

pub struct Seeded {
    pub sections: usize,
    pub authors: usize,
    pub tags: usize,
    pub articles: usize,
    pub pictures: usize,
    pub events: usize,
}

/// How many pictures the demo site draws, and events it announces.
const PICTURES: usize = 6;
const EVENTS: usize = 8;

fn paragraph(rng: &mut StdRng) -> String {
    let n = rng.random_range(2..5);
    (0..n)
        .map(|_| *SENTENCES.choose(rng).expect("non-empty"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Fills an empty database. Refuses when articles already exist.
pub fn seed(config: &Config, count: usize, seed: u64) -> Result<Seeded, AppError> {
    crate::db::migrate(&config.database).map_err(AppError::internal)?;
    let mut conn =
        AnyConnection::open(&config.database).map_err(|e| AppError::unavailable(e.to_string()))?;
    refuse_filled(&mut conn)?;
    let pictures = draw_pictures(config, seed)?;
    let seeded = fill(config, &mut conn, count, seed, &pictures)?;
    // fresh statistics, or the planners guess a handful of rows and sort
    // thousands instead of walking the indexes
    // (and on PostgreSQL a visibility map, so counts read the index alone)
    use diesel::connection::SimpleConnection;
    conn.batch_execute(match conn.backend() {
        crate::config::Backend::Postgres => "VACUUM ANALYZE",
        crate::config::Backend::Sqlite => "ANALYZE",
    })?;
    Ok(seeded)
}

fn refuse_filled(conn: &mut AnyConnection) -> Result<(), AppError> {
    let existing: i64 = articles::table.count().get_result(conn)?;
    if existing > 0 {
        return Err(AppError::conflict(format!(
            "the database already holds {existing} articles; seed-demo fills an empty one"
        )));
    }
    Ok(())
}

/// Draws the pictures and takes them into the media library (blob store,
/// image pool, variants) as the running site would; their ids.
fn draw_pictures(config: &Config, seed: u64) -> Result<Vec<MediaId>, AppError> {
    let mut rng = StdRng::seed_from_u64(seed.wrapping_add(0x5eed_1a6e));
    actix_web::rt::System::new().block_on(async move {
        let state = actix_web::web::Data::new(crate::state::AppState::new(config.clone()));
        let mut ids = Vec::with_capacity(PICTURES);
        for n in 0..PICTURES {
            let town = TOWNS[(n * 7) % TOWNS.len()];
            let made = pictures::picture(n, &mut rng, town);
            ids.push(crate::media::import_image(&state, made).await?);
        }
        Ok(ids)
    })
}

fn fill(
    config: &Config,
    conn: &mut AnyConnection,
    count: usize,
    seed: u64,
    pictures: &[MediaId],
) -> Result<Seeded, AppError> {
    refuse_filled(conn)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let now = crate::state::now_micros();
    // demo accounts cannot sign in: their password is random and never shown
    let passwords = Passwords::new(config.argon2_memory_kib.min(4_096), 1);
    let locked = passwords.hash(&format!(
        "{:x}{:x}",
        rng.random::<u64>(),
        rng.random::<u64>()
    ))?;

    write_tx(conn, |c| -> Result<Seeded, AppError> {
        let sections = fill_sections(c, now)?;
        let tags = fill_tags(c, now)?;
        let authors = fill_authors(c, &locked, now)?;
        // the first editor writes the demo articles (and credits the others)
        let editor = Caller::User(SessionUser {
            id: UserId(authors[0]),
            role: Role::Editor,
        });
        let site = Site {
            sections: &sections,
            tags: &tags,
            authors: &authors,
            pictures,
        };
        for n in 0..count {
            fill_article(c, &editor, &site, &mut rng, n, now)?;
        }
        for n in 0..EVENTS {
            fill_event(c, &site, &mut rng, n, now)?;
        }
        fill_weather(c, now)?;
        Ok(Seeded {
            sections: sections.len(),
            authors: authors.len(),
            tags: tags.len(),
            articles: count,
            pictures: pictures.len(),
            events: EVENTS,
        })
    })
}

/// The sections, in navigation order; their slugs.
fn fill_sections(c: &mut AnyConnection, now: NaiveDateTime) -> Result<Vec<String>, AppError> {
    let mut slugs = Vec::new();
    for (position, (name, description)) in SECTIONS.iter().enumerate() {
        let body = CreateSection {
            name: name.to_string(),
            slug: None,
            description: description.to_string(),
            position: position as i32,
        };
        slugs.push(crate::sections::create(c, body, now)?.slug);
    }
    Ok(slugs)
}

/// The tags; their slugs.
fn fill_tags(c: &mut AnyConnection, now: NaiveDateTime) -> Result<Vec<String>, AppError> {
    let mut slugs = Vec::new();
    for name in TAGS {
        let body = CreateTag {
            name: name.to_string(),
            slug: None,
        };
        slugs.push(crate::tags::create(c, body, now)?.slug);
    }
    Ok(slugs)
}

/// Two editors and ten authors, who cannot sign in; their ids.
fn fill_authors(
    c: &mut AnyConnection,
    locked: &str,
    now: NaiveDateTime,
) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::new();
    for i in 0..12 {
        let name = format!("{} {}", FIRST[i % FIRST.len()], LAST[(i * 5) % LAST.len()]);
        let account = NewAccount {
            email: format!("{}@demo.kiosque.invalid", slugify(&name, 60)),
            password_hash: locked.to_string(),
            display_name: name,
            role: if i < 2 { Role::Editor } else { Role::Author },
            bio: format!("Journaliste au bureau de {}.", TOWNS[i % TOWNS.len()]),
        };
        ids.push(open_account(c, account, now)?.id);
    }
    Ok(ids)
}

/// The weather box of Besançon, as a provider would have reported it, with
/// a short forecast (`/api/v1/weather/besancon`).
fn fill_weather(c: &mut AnyConnection, now: NaiveDateTime) -> Result<(), AppError> {
    use crate::weather::{ForecastStep, Observation, Report, Source};
    let at = crate::state::utc(now);
    let step = |hours: i64, temperature_c: f64, description: &str, icon: &str| ForecastStep {
        at: at + Duration::hours(hours),
        temperature_c,
        description: description.to_string(),
        icon: icon.to_string(),
    };
    let report = Report {
        name: Some("Besançon".to_string()),
        coordinates: Some((47.2378, 6.0241)),
        observation: Observation {
            temperature_c: 14.41,
            description: "légère pluie".to_string(),
            icon: "10d".to_string(),
            observed_at: at,
            wind_speed_ms: 1.85,
            wind_direction_deg: Some(230),
            pressure_hpa: 1018.0,
            humidity_pct: 91,
        },
        forecast: vec![
            step(3, 15.2, "nuageux", "04d"),
            step(6, 13.8, "averses", "09d"),
            step(9, 11.0, "ciel dégagé", "01n"),
        ],
        source: Source::Provider,
    };
    crate::weather::store(
        c,
        &crate::ids::IdOrSlug::Slug("besancon".into()),
        report,
        now,
    )?;
    Ok(())
}

/// What the articles are filed under.
struct Site<'a> {
    sections: &'a [String],
    tags: &'a [String],
    authors: &'a [i64],
    /// The library's demo pictures.
    pictures: &'a [MediaId],
}

/// One article, through the same rules as `POST /articles`: mostly published
/// over the last four years, a few drafts, submissions and scheduled ones.
fn fill_article(
    c: &mut AnyConnection,
    editor: &Caller,
    site: &Site<'_>,
    rng: &mut StdRng,
    n: usize,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let s = rng.random_range(0..SECTIONS.len());
    let town = *TOWNS.choose(rng).expect("non-empty");
    let subject = *SUBJECTS[s].choose(rng).expect("non-empty");
    let verb = *VERBS.choose(rng).expect("non-empty");
    let object = *OBJECTS.choose(rng).expect("non-empty");
    let mut chars = subject.chars();
    let first = chars.next().map(|f| f.to_uppercase().to_string());
    let title = format!(
        "{town} : {}{} {verb} {object}",
        first.unwrap_or_default(),
        chars.as_str()
    );
    let span_days = 4 * 365;
    let past: NaiveDateTime = now
        - Duration::days(rng.random_range(0..span_days))
        - Duration::minutes(rng.random_range(0..24 * 60));
    let (status, published_at) = match rng.random_range(0..100) {
        0..=1 => (Status::Draft, None),
        2 => (Status::Pending, None),
        3 => (
            Status::Scheduled,
            Some(now + Duration::days(rng.random_range(1..10))),
        ),
        _ => (Status::Published, Some(past)),
    };
    // the first dozen are this morning's and yesterday's news (the news sitemap's)
    let published_at = match published_at {
        Some(_) if n < 12 && status == Status::Published => {
            Some(now - Duration::minutes(40 + 150 * n as i64))
        }
        other => other,
    };
    let body = format!(
        "{}\n\n## {}\n\n{}\n\n{}",
        paragraph(rng),
        SENTENCES
            .choose(rng)
            .expect("non-empty")
            .trim_end_matches('.'),
        paragraph(rng),
        paragraph(rng)
    );
    // every fifth article shows a second picture within its text
    let body = match site.pictures.get((n + 3) % site.pictures.len().max(1)) {
        Some(id) if n.is_multiple_of(5) => {
            format!("{body}\n\n![](media:{id})\n\n{}", paragraph(rng))
        }
        _ => body,
    };
    let mut tags = site.tags.to_vec();
    tags.shuffle(rng);
    tags.truncate(rng.random_range(1..4));
    let mut authors = vec![*site.authors.choose(rng).expect("non-empty")];
    if rng.random_bool(0.15) {
        let second = *site.authors.choose(rng).expect("non-empty");
        if second != authors[0] {
            authors.push(second);
        }
    }
    // most covers are pictures of the library; a few are addresses elsewhere,
    // as a site moving in would have
    let (cover, cover_media_id) = match rng.random_range(0..10) {
        0..=6 if !site.pictures.is_empty() => (None, Some(site.pictures[n % site.pictures.len()])),
        7 => (
            Some(Cover {
                url: format!("https://images.demo.kiosque.invalid/{}.jpg", n + 1),
                alt: format!("Vue de {town}"),
                caption: None,
                credit: Some(format!("© {}", LAST.choose(rng).expect("non-empty"))),
            }),
            None,
        ),
        _ => (None, None),
    };
    let lead_verb = VERBS.choose(rng).expect("non-empty");
    let input = CreateArticle {
        slug: Some(format!("{}-{}", slugify(&title, 90), n + 1)),
        title,
        lead: format!("À {town}, {subject} {lead_verb}."),
        body,
        section: Some(site.sections[s].clone()),
        tags,
        authors: Some(authors.iter().map(i64::to_string).collect()),
        cover,
        cover_media_id,
        video_url: None,
        video_media_id: None,
        status: Some(status),
        published_at: published_at.map(crate::state::utc),
        allow_comments: true,
        seo_title: None,
        seo_description: None,
        canonical_url: None,
    };
    // written at its publication time, as a newsroom would have
    let written = published_at.filter(|t| *t <= now).unwrap_or(now);
    let row = crate::articles::create(c, editor, input, written)?;
    // what is public already is not news: the scheduler tells only the
    // scheduled ones, at their time
    crate::changes::timed::settle_publication(
        c,
        "article",
        row.id,
        &row.status,
        row.published_at,
        now,
    )?;
    Ok(())
}

/// An event of the agenda, published, in the coming weeks, its poster one
/// of the library's pictures.
fn fill_event(
    c: &mut AnyConnection,
    site: &Site<'_>,
    rng: &mut StdRng,
    n: usize,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    use crate::events::{CreateEvent, EventRow, Price, Venue};
    use crate::review::{NewItem, ReviewChanges, ReviewRow, change_status};
    const KINDS: [(&str, &str); 4] = [
        ("concert", "Concert de la chorale"),
        ("marche", "Marché des producteurs"),
        ("sport", "Course des collines"),
        ("exposition", "Exposition de photographies"),
    ];
    let town = *TOWNS.choose(rng).expect("non-empty");
    let (category, what) = KINDS[n % KINDS.len()];
    let starts =
        now + Duration::days(rng.random_range(2..40)) + Duration::hours(rng.random_range(0..10));
    let body = CreateEvent {
        title: format!("{what} à {town}"),
        description: format!("{}\n\n{}", paragraph(rng), paragraph(rng)),
        starts_at: crate::state::utc(starts),
        ends_at: crate::state::utc(starts + Duration::hours(3)),
        all_day: false,
        time_zone: None,
        venue: Venue {
            name: "Salle des fêtes".into(),
            address: "Place de la Mairie".into(),
            city: town.into(),
            postal_code: "25000".into(),
            latitude: None,
            longitude: None,
        },
        price: Price {
            free: n.is_multiple_of(2),
            amount_cents: (!n.is_multiple_of(2)).then_some(500),
            currency: None,
            text: None,
        },
        organizer: format!("Comité des fêtes de {town}"),
        link: None,
        image: None,
        image_media_id: site.pictures.get(n % site.pictures.len().max(1)).copied(),
        category: category.into(),
        status: None,
        published_at: None,
    };
    let mut changes = body.into_changes(now);
    changes.set_status(change_status(
        None,
        Status::Published,
        Some(now),
        None,
        now,
    )?);
    let new = EventRow::new_row(changes, Some(site.authors[0]), now);
    let row = EventRow::insert(c, &new)?;
    crate::changes::timed::settle_publication(
        c,
        "event",
        row.id,
        &row.review.status,
        row.review.published_at,
        now,
    )?;
    Ok(())
}
