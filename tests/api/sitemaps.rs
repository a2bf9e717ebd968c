//! Sitemaps read with an XML parser (`roxmltree`), as a search engine would:
//! the index and its children, the protocol's namespaces and limits, what is
//! left out (drafts, scheduled, expired, deleted), pagination, and the
//! Google News sitemap's 48 hours on the application clock.

use chrono::Duration;

use crate::db_tests;
use crate::helpers::{Resp, TestApp, at};

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

/// The protocol's limits for one file.
const MAX_URLS: usize = 50_000;
const MAX_BYTES: usize = 50 * 1024 * 1024;

/// The `loc`s of a sitemap or an index, after checking its root and namespace.
#[track_caller]
fn locs(res: &Resp, root: &str) -> Vec<String> {
    assert_eq!(res.status, 200, "{}", res.text());
    assert!(
        res.header("content-type")
            .unwrap()
            .starts_with("application/xml")
    );
    assert!(res.body.len() <= MAX_BYTES);
    let text = res.text();
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("not XML ({e}): {text}"));
    let top = doc.root_element();
    assert_eq!(top.tag_name().name(), root);
    assert_eq!(top.tag_name().namespace(), Some(SITEMAP_NS));
    let entry = if root == "sitemapindex" {
        "sitemap"
    } else {
        "url"
    };
    let mut out = Vec::new();
    for child in top.children().filter(|n| n.is_element()) {
        assert_eq!(child.tag_name().name(), entry);
        assert_eq!(child.tag_name().namespace(), Some(SITEMAP_NS));
        let loc = child
            .children()
            .find(|n| n.tag_name().name() == "loc")
            .and_then(|n| n.text())
            .expect("every entry has a loc");
        assert!(
            loc.starts_with("http://") || loc.starts_with("https://"),
            "{loc}"
        );
        if let Some(lastmod) = child.children().find(|n| n.tag_name().name() == "lastmod") {
            let t = lastmod.text().unwrap();
            assert!(
                chrono::DateTime::parse_from_rfc3339(t).is_ok(),
                "W3C datetime: {t}"
            );
        }
        out.push(loc.to_string());
    }
    assert!(out.len() <= MAX_URLS);
    out
}

/// The API path of an absolute address the index gives.
fn path_of(loc: &str) -> String {
    let at = loc.find("/api/v1/").expect("an address of this API");
    loc[at..].to_string()
}

/// Every page address the child sitemaps list.
fn every_page(app: &TestApp) -> Vec<String> {
    let index = locs(&app.get("/api/v1/sitemap.xml").send(), "sitemapindex");
    assert!(
        index
            .iter()
            .any(|l| l.ends_with("/api/v1/sitemaps/news.xml"))
    );
    index
        .iter()
        .filter(|l| !l.ends_with("news.xml"))
        .flat_map(|l| locs(&app.get(&path_of(l)).send(), "urlset"))
        .collect()
}

fn sitemaps_list_every_public_page_and_nothing_else(app: &TestApp) {
    let editor = app.editor();
    let author = app.author();
    let section = app.section(&editor).name("Economie").create();
    let tag = app.tag(&editor).name("Foire & salon").create();
    let public = app
        .article(&editor)
        .title("La foire ouvre")
        .section(&section)
        .tags(&[&tag])
        .authors(&[&author])
        .published();
    let draft = app.article(&editor).title("Brouillon").draft();
    let later = app
        .article(&editor)
        .title("Demain")
        .scheduled(&at(app, Duration::hours(5)));
    let gone = app.article(&editor).title("Supprimé").published();
    app.delete(&gone.path()).bearer(&editor.token).send().ok();
    let job = app.job(&editor).published();
    let expiring = app
        .job(&editor)
        .set("expires_at", at(app, Duration::hours(1)))
        .published();
    let event = app.event(&editor).published();
    let hidden_event = app.event(&editor).draft();

    let pages = every_page(app);
    let site = "http://localhost:3000";
    let author_slug = app
        .get(&format!("/api/v1/authors/{}", author.id))
        .send()
        .ok()["slug"]
        .as_str()
        .unwrap()
        .to_string();
    for wanted in [
        format!("{site}/economie/{}", public.slug()),
        format!("{site}/economie"),
        format!("{site}/sujets/{}", tag.slug()),
        format!("{site}/auteurs/{author_slug}"),
        format!("{site}/emploi/{}", job.id()),
        format!("{site}/emploi/{}", expiring.id()),
        format!("{site}/agenda/{}", event.id()),
    ] {
        assert!(pages.contains(&wanted), "{wanted} in {pages:?}");
    }
    for unwanted in [draft.slug(), later.slug(), gone.slug()] {
        assert!(
            !pages.iter().any(|p| p.ends_with(unwanted)),
            "{unwanted} in {pages:?}"
        );
    }
    assert!(!pages.contains(&format!("{site}/agenda/{}", hidden_event.id())));

    // two hours on: the scheduled article is public, the offer has expired
    app.state.clock.advance(Duration::hours(6));
    let pages = every_page(app);
    assert!(pages.iter().any(|p| p.ends_with(later.slug())), "{pages:?}");
    assert!(!pages.contains(&format!("{site}/emploi/{}", expiring.id())));
    assert!(pages.contains(&format!("{site}/emploi/{}", job.id())));

    // unknown files are 404, query strings 400
    for bad in [
        "films-1.xml",
        "articles-0.xml",
        "articles-2.xml",
        "articles.xml",
    ] {
        app.get(&format!("/api/v1/sitemaps/{bad}"))
            .send()
            .problem(404);
    }
    app.get("/api/v1/sitemap.xml?page=2").send().problem(400);
}

fn two_per_file(config: &mut kiosque::config::Config) {
    config.site.sitemap_urls_per_file = 2;
}

fn child_sitemaps_are_paginated(app: &TestApp) {
    let editor = app.editor();
    let mut slugs: Vec<String> = (0..5)
        .map(|n| {
            app.article(&editor)
                .title(&format!("Article numéro {n}"))
                .published()
                .slug()
                .to_string()
        })
        .collect();
    let index = locs(&app.get("/api/v1/sitemap.xml").send(), "sitemapindex");
    let articles: Vec<&String> = index
        .iter()
        .filter(|l| l.contains("/sitemaps/articles-"))
        .collect();
    assert_eq!(articles.len(), 3, "5 articles, 2 per file: {index:?}");
    let mut listed = Vec::new();
    for n in 1..=3 {
        let urls = locs(
            &app.get(&format!("/api/v1/sitemaps/articles-{n}.xml"))
                .send(),
            "urlset",
        );
        assert!(urls.len() <= 2);
        listed.extend(
            urls.into_iter()
                .map(|u| u.rsplit('/').next().unwrap().to_string()),
        );
    }
    listed.sort();
    slugs.sort();
    assert_eq!(listed, slugs, "each article once");
    app.get("/api/v1/sitemaps/articles-4.xml")
        .send()
        .problem(404);
    // an empty kind still has its (empty) first file
    assert!(locs(&app.get("/api/v1/sitemaps/jobs-1.xml").send(), "urlset").is_empty());
}

/// The news sitemap's entries: (loc, title, publication date).
fn news(app: &TestApp) -> Vec<(String, String, String)> {
    let res = app.get("/api/v1/sitemaps/news.xml").send();
    locs(&res, "urlset");
    let text = res.text();
    let doc = roxmltree::Document::parse(&text).unwrap();
    doc.root_element()
        .children()
        .filter(|n| n.is_element())
        .map(|url| {
            let loc = url
                .children()
                .find(|n| n.has_tag_name((SITEMAP_NS, "loc")))
                .unwrap();
            let news = url
                .children()
                .find(|n| n.has_tag_name((NEWS_NS, "news")))
                .expect("news:news");
            fn child<'a, 'i>(
                parent: roxmltree::Node<'a, 'i>,
                name: &str,
            ) -> roxmltree::Node<'a, 'i> {
                parent
                    .children()
                    .find(|n| n.has_tag_name((NEWS_NS, name)))
                    .unwrap_or_else(|| panic!("news:{name}"))
            }
            let publication = child(news, "publication");
            assert_eq!(child(publication, "name").text(), Some("Kiosque"));
            assert_eq!(child(publication, "language").text(), Some("fr"));
            let date = child(news, "publication_date").text().unwrap().to_string();
            assert!(
                chrono::DateTime::parse_from_rfc3339(&date).is_ok(),
                "{date}"
            );
            let title = child(news, "title").text().unwrap_or_default().to_string();
            (loc.text().unwrap().to_string(), title, date)
        })
        .collect()
}

fn news_sitemap_holds_the_last_48_hours(app: &TestApp) {
    let editor = app.editor();
    let title = "Municipales : « L'été & les <travaux> » 🚧 ]]>";
    let today = app.article(&editor).title(title).published();
    app.article(&editor).title("Brouillon").draft();
    app.article(&editor)
        .title("Dans une heure")
        .scheduled(&at(app, Duration::hours(1)));
    let listed = news(app);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        listed[0].0,
        format!("http://localhost:3000/{}", today.slug())
    );
    assert_eq!(listed[0].1, title, "the title comes back intact");

    // a day on: both are news
    app.state.clock.advance(Duration::hours(24));
    let titles: Vec<String> = news(app).into_iter().map(|n| n.1).collect();
    assert_eq!(
        titles,
        vec!["Dans une heure".to_string(), title.to_string()]
    );
    // 48½ hours after the first: it has left the window, the other not yet
    app.state.clock.advance(Duration::minutes(24 * 60 + 30));
    let titles: Vec<String> = news(app).into_iter().map(|n| n.1).collect();
    assert_eq!(titles, vec!["Dans une heure".to_string()]);
    app.state.clock.advance(Duration::hours(1));
    assert!(news(app).is_empty());
}

fn sitemaps_answer_304(app: &TestApp) {
    let editor = app.editor();
    app.article(&editor).title("Premier").published();
    for path in [
        "/api/v1/sitemap.xml",
        "/api/v1/sitemaps/news.xml",
        "/api/v1/sitemaps/articles-1.xml",
    ] {
        let first = app.get(path).send();
        let etag = first.header("etag").unwrap().to_string();
        assert_eq!(
            app.get(path).header("If-None-Match", &etag).send().status,
            304,
            "{path}"
        );
        let modified = first.header("last-modified").unwrap().to_string();
        assert_eq!(
            app.get(path)
                .header("If-Modified-Since", &modified)
                .send()
                .status,
            304,
            "{path}"
        );
    }
    let etag = app
        .get("/api/v1/sitemaps/news.xml")
        .send()
        .header("etag")
        .unwrap()
        .to_string();
    app.article(&editor).title("Second").published();
    let res = app
        .get("/api/v1/sitemaps/news.xml")
        .header("If-None-Match", &etag)
        .send();
    assert_eq!(res.status, 200);
    assert_eq!(news(app).len(), 2);
}

db_tests!(
    sitemaps_list_every_public_page_and_nothing_else,
    news_sitemap_holds_the_last_48_hours,
    sitemaps_answer_304,
);
db_tests!(config = two_per_file; child_sitemaps_are_paginated);
