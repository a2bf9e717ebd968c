//! Addresses of the front end's pages, built from the site's URL and the
//! page path templates of the settings (`KIOSQUE_SITE_*_PATH`): feeds and
//! sitemaps link readers and search engines to the site, never to the API.

use crate::config::Site;

pub struct Links<'a> {
    site: &'a Site,
    /// This API's public base URL (for feeds' own addresses).
    api: String,
}

impl<'a> Links<'a> {
    pub fn new(site: &'a Site, addr: std::net::SocketAddr) -> Self {
        Self {
            api: site.api_base(addr),
            site,
        }
    }

    /// The front end's home page.
    pub fn home(&self) -> String {
        format!("{}/", self.site.url)
    }

    /// An absolute URL of this API, `path` starting with `/api/v1`.
    pub fn api(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    fn page(&self, template: &str, fill: &[(&str, &str)]) -> String {
        let mut path = template.to_string();
        for (name, value) in fill {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        // an empty placeholder (an article without a section) leaves no `//`
        while path.contains("//") {
            path = path.replace("//", "/");
        }
        format!("{}{path}", self.site.url)
    }

    pub fn article(&self, id: i64, slug: &str, section: Option<&str>) -> String {
        let id = id.to_string();
        self.page(
            &self.site.article_path,
            &[
                ("id", &id),
                ("slug", slug),
                ("section", section.unwrap_or("")),
            ],
        )
    }

    pub fn section(&self, id: i64, slug: &str) -> String {
        self.page(
            &self.site.section_path,
            &[("id", &id.to_string()), ("slug", slug)],
        )
    }

    pub fn tag(&self, id: i64, slug: &str) -> String {
        self.page(
            &self.site.tag_path,
            &[("id", &id.to_string()), ("slug", slug)],
        )
    }

    /// An author's page; an author without a profile slug is named by id.
    pub fn author(&self, id: i64, slug: Option<&str>) -> String {
        let id = id.to_string();
        self.page(
            &self.site.author_path,
            &[("id", &id), ("slug", slug.unwrap_or(&id))],
        )
    }

    pub fn job(&self, id: i64) -> String {
        self.page(&self.site.job_path, &[("id", &id.to_string())])
    }

    pub fn event(&self, id: i64) -> String {
        self.page(&self.site.event_path, &[("id", &id.to_string())])
    }

    pub fn jobs(&self) -> String {
        self.page(&self.site.jobs_path, &[])
    }

    pub fn events(&self) -> String {
        self.page(&self.site.events_path, &[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_the_templates() {
        let mut site = Site::defaults();
        site.url = "https://www.example-news.fr".into();
        let links = Links::new(&site, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(
            links.article(7, "la-foire", Some("economie")),
            "https://www.example-news.fr/economie/la-foire"
        );
        assert_eq!(
            links.article(7, "la-foire", None),
            "https://www.example-news.fr/la-foire"
        );
        assert_eq!(
            links.author(3, None),
            "https://www.example-news.fr/auteurs/3"
        );
        assert_eq!(
            links.api("/api/v1/feeds/rss.xml"),
            "http://127.0.0.1:8080/api/v1/feeds/rss.xml"
        );
        assert_eq!(links.home(), "https://www.example-news.fr/");
    }
}
