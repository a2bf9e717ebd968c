//! `kiosque seed-demo`: a generated French local-news site — sections,
//! authors, tags and a few thousand articles over several years — so a new
//! user sees a living site, and benchmarks have data. Every name, town and
//! sentence is assembled here from small word lists; nothing is taken from a
//! real publication.

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};

use crate::articles::model::NewArticle;
use crate::auth::Role;
use crate::auth::password::Passwords;
use crate::config::Config;
use crate::db::schema::{articles, users};
use crate::db::{AnyConnection, write_tx};
use crate::error::AppError;
use crate::sections::model::NewSection;
use crate::slug::slugify;
use crate::tags::model::NewTag;
use crate::text::markdown_to_html;
use crate::users::model::NewUser;

const SECTIONS: [(&str, &str); 8] = [
    ("Actualité", "Ce qui se passe près de chez vous"),
    ("Economie", "Entreprises, emploi, commerces et agriculture"),
    (
        "Politique",
        "Conseils municipaux, intercommunalité, département",
    ),
    ("Sport", "Clubs, compétitions et sportifs du territoire"),
    ("Culture", "Spectacles, expositions, patrimoine, festivals"),
    ("Société", "Écoles, santé, associations, solidarité"),
    ("Environnement", "Climat, rivières, forêts, énergie"),
    ("Faits divers", "Accidents, justice, secours"),
];

const TOWNS: [&str; 16] = [
    "Valmont-sur-Orne",
    "Saint-Aubin-les-Prés",
    "Brécourt",
    "La Ferté-Basse",
    "Montclar",
    "Vilbert",
    "Sainte-Agathe-du-Val",
    "Rochemaure",
    "Les Essarts-Verts",
    "Port-Savin",
    "Combes",
    "Lézignan-le-Haut",
    "Auberive",
    "Beaulac",
    "Chanteraine",
    "Monteuil",
];

const FIRST: [&str; 16] = [
    "Léa", "Hugo", "Camille", "Nathan", "Manon", "Louis", "Chloé", "Jules", "Inès", "Gabriel",
    "Sarah", "Arthur", "Zoé", "Théo", "Anaïs", "Paul",
];
const LAST: [&str; 12] = [
    "Martin",
    "Bernard",
    "Roux",
    "Fournier",
    "Girard",
    "Bonnet",
    "Lambert",
    "Fontaine",
    "Chevalier",
    "Garnier",
    "Mercier",
    "Perrin",
];

const SUBJECTS: [&[&str]; 8] = [
    &[
        "la nouvelle médiathèque",
        "le marché du samedi",
        "la fête de la Saint-Jean",
        "le chantier de la rocade",
        "la fibre optique",
    ],
    &[
        "l'usine de composants",
        "la coopérative laitière",
        "les commerces du centre",
        "la zone d'activités",
        "le salon de l'emploi",
    ],
    &[
        "le conseil municipal",
        "le budget intercommunal",
        "le projet de piscine",
        "la révision du plan local d'urbanisme",
        "le nouveau maire",
    ],
    &[
        "le club de rugby",
        "les handballeuses",
        "le semi-marathon",
        "l'équipe de football",
        "le tournoi de pétanque",
    ],
    &[
        "le festival de jazz",
        "l'exposition de photographies",
        "la troupe de théâtre",
        "le concert de l'harmonie",
        "le château restauré",
    ],
    &[
        "l'école primaire",
        "la maison de santé",
        "les bénévoles du Secours populaire",
        "le foyer des jeunes",
        "la crèche associative",
    ],
    &[
        "la rivière",
        "la forêt communale",
        "le parc éolien",
        "les jardins partagés",
        "la collecte des déchets",
    ],
    &[
        "un accident sur la départementale",
        "le tribunal correctionnel",
        "les pompiers",
        "un incendie de grange",
        "un cambriolage",
    ],
];

const VERBS: [&str; 12] = [
    "relance",
    "inquiète",
    "rassemble",
    "divise",
    "se prépare pour",
    "fait le point sur",
    "attire",
    "change de visage avant",
    "mise sur",
    "surprend",
    "accueille",
    "célèbre",
];
const OBJECTS: [&str; 10] = [
    "l'été",
    "la rentrée",
    "les habitants",
    "les élus",
    "la saison",
    "le week-end",
    "ses cinquante ans",
    "un public nombreux",
    "les commerçants",
    "l'hiver",
];
const SENTENCES: [&str; 12] = [
    "Les habitants étaient nombreux à s'être déplacés malgré la pluie.",
    "Le projet, lancé il y a trois ans, entre dans sa dernière phase.",
    "« Nous avons besoin de tout le monde », résume la présidente de l'association.",
    "La décision a été adoptée à une large majorité, non sans débats.",
    "Les chiffres de la fréquentation sont en hausse par rapport à l'an dernier.",
    "Plusieurs entreprises locales ont participé au financement.",
    "Le calendrier des travaux sera présenté lors d'une réunion publique.",
    "Les bénévoles se sont relayés tout au long de la journée.",
    "Un bilan sera dressé à la fin de l'année, promet la municipalité.",
    "La préfecture a été saisie du dossier.",
    "Les plus jeunes ont pu découvrir les ateliers proposés gratuitement.",
    "L'économie du territoire repose encore largement sur ces emplois.",
];

const TAGS: [&str; 24] = [
    "Municipales",
    "Budget",
    "Emploi",
    "Agriculture",
    "Rugby",
    "Football",
    "Festival",
    "Patrimoine",
    "École",
    "Santé",
    "Associations",
    "Climat",
    "Énergie",
    "Transports",
    "Travaux",
    "Justice",
    "Commerce",
    "Tourisme",
    "Jeunesse",
    "Seniors",
    "Logement",
    "Environnement",
    "Solidarité",
    "Numérique",
];

pub struct Seeded {
    pub sections: usize,
    pub authors: usize,
    pub tags: usize,
    pub articles: usize,
}

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
    let seeded = fill(config, &mut conn, count, seed)?;
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

fn fill(
    config: &Config,
    conn: &mut AnyConnection,
    count: usize,
    seed: u64,
) -> Result<Seeded, AppError> {
    let existing: i64 = articles::table.count().get_result(conn)?;
    if existing > 0 {
        return Err(AppError::conflict(format!(
            "the database already holds {existing} articles; seed-demo fills an empty one"
        )));
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let now = Utc::now().naive_utc();
    // demo accounts cannot sign in: their password is random and never shown
    let passwords = Passwords::new(config.argon2_memory_kib.min(4_096), 1);
    let locked = passwords.hash(&format!(
        "{:x}{:x}",
        rng.random::<u64>(),
        rng.random::<u64>()
    ))?;

    write_tx(conn, |c| -> Result<Seeded, AppError> {
        let mut section_ids = Vec::new();
        for (position, (name, description)) in SECTIONS.iter().enumerate() {
            let row = crate::sections::queries::insert(
                c,
                &NewSection {
                    slug: slugify(name, 80),
                    name: name.to_string(),
                    description: description.to_string(),
                    position: position as i32,
                    created_at: now,
                    updated_at: now,
                },
            )?;
            section_ids.push(row.id);
        }
        let mut tag_ids = Vec::new();
        for name in TAGS {
            let row = crate::tags::queries::insert(
                c,
                &NewTag {
                    slug: slugify(name, 80),
                    name: name.to_string(),
                    created_at: now,
                    updated_at: now,
                },
            )?;
            tag_ids.push(row.id);
        }
        let mut author_ids = Vec::new();
        for i in 0..12 {
            let name = format!("{} {}", FIRST[i % FIRST.len()], LAST[(i * 5) % LAST.len()]);
            let role = if i < 2 { Role::Editor } else { Role::Author };
            let row = crate::users::queries::insert(
                c,
                &NewUser {
                    email: format!("{}@demo.kiosque.invalid", slugify(&name, 60)),
                    password_hash: locked.clone(),
                    display_name: name.clone(),
                    role: role.as_str().to_string(),
                    slug: Some(slugify(&name, 60)),
                    created_at: now,
                    updated_at: now,
                },
            )?;
            diesel::update(users::table.find(row.id))
                .set(users::bio.eq(format!(
                    "Journaliste au bureau de {}.",
                    TOWNS[i % TOWNS.len()]
                )))
                .execute(c)?;
            author_ids.push(row.id);
        }

        let span_days = 4 * 365;
        for n in 0..count {
            let s = rng.random_range(0..SECTIONS.len());
            let town = *TOWNS.choose(&mut rng).expect("non-empty");
            let subject = *SUBJECTS[s].choose(&mut rng).expect("non-empty");
            let title = format!(
                "{} : {} {} {}",
                town,
                subject,
                VERBS.choose(&mut rng).expect("non-empty"),
                OBJECTS.choose(&mut rng).expect("non-empty")
            );
            let mut capitalised = title.clone();
            if let Some(i) = capitalised.find(" : ") {
                let rest = &title[i + 3..];
                let mut chars = rest.chars();
                if let Some(first) = chars.next() {
                    capitalised = format!(
                        "{}{}{}",
                        &title[..i + 3],
                        first.to_uppercase(),
                        chars.as_str()
                    );
                }
            }
            let published_at: NaiveDateTime = now
                - Duration::days(rng.random_range(0..span_days))
                - Duration::minutes(rng.random_range(0..24 * 60));
            let (status, published_at) = match rng.random_range(0..100) {
                0..=1 => ("draft", None),
                2 => ("pending", None),
                3 => (
                    "published",
                    Some(now + Duration::days(rng.random_range(1..10))),
                ),
                _ => ("published", Some(published_at)),
            };
            let body = format!(
                "{}\n\n## {}\n\n{}\n\n{}",
                paragraph(&mut rng),
                SENTENCES
                    .choose(&mut rng)
                    .expect("non-empty")
                    .trim_end_matches('.'),
                paragraph(&mut rng),
                paragraph(&mut rng)
            );
            let row = crate::articles::queries::insert(
                c,
                &NewArticle {
                    slug: format!("{}-{}", slugify(&capitalised, 90), n + 1),
                    title: capitalised,
                    lead: format!(
                        "À {town}, {subject} {}.",
                        VERBS.choose(&mut rng).expect("non-empty")
                    ),
                    body_html: markdown_to_html(&body),
                    body,
                    section_id: Some(section_ids[s]),
                    cover_url: rng
                        .random_bool(0.7)
                        .then(|| format!("https://images.demo.kiosque.invalid/{}.jpg", n + 1)),
                    cover_alt: Some(format!("Vue de {town}")),
                    cover_caption: None,
                    cover_credit: Some(format!("© {}", LAST.choose(&mut rng).expect("non-empty"))),
                    video_url: None,
                    status: status.to_string(),
                    rejection_reason: None,
                    allow_comments: true,
                    created_by: None,
                    published_at,
                    created_at: published_at.unwrap_or(now),
                    updated_at: published_at.unwrap_or(now),
                },
            )?;
            let mut tags = tag_ids.clone();
            tags.shuffle(&mut rng);
            tags.truncate(rng.random_range(1..4));
            tags.sort_unstable();
            crate::articles::queries::set_tags(c, row.id, &tags)?;
            let mut authors = vec![*author_ids.choose(&mut rng).expect("non-empty")];
            if rng.random_bool(0.15) {
                let second = *author_ids.choose(&mut rng).expect("non-empty");
                if second != authors[0] {
                    authors.push(second);
                }
            }
            crate::articles::queries::set_authors(c, row.id, &authors)?;
        }
        Ok(Seeded {
            sections: section_ids.len(),
            authors: author_ids.len(),
            tags: tag_ids.len(),
            articles: count,
        })
    })
}
