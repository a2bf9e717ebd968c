//! Builders: accounts and content made through the API, as a client makes
//! them, each returned as the server answered its creation.
//!
//! The one thing the API cannot make is the site's first admin: like an
//! operator, the harness runs `kiosque create-user` for it (the real binary).
//! Every other account registers over HTTP, and that admin promotes the
//! staff ones.

use std::io::Write;
use std::ops::Deref;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::Ordering;

use chrono::Duration;
use kiosque::auth::Role;
use serde_json::{Value, json};

use super::PASSWORD;
use super::app::{COUNTER, Resp, TestApp};

fn next() -> u64 {
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

/// A signed-in account.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub token: String,
    pub refresh: String,
}

/// Whatever can sign a request: an account (its access token) or an API
/// key's secret.
pub trait Bearer {
    fn bearer_token(&self) -> &str;
}
impl Bearer for TestUser {
    fn bearer_token(&self) -> &str {
        &self.token
    }
}
impl Bearer for str {
    fn bearer_token(&self) -> &str {
        self
    }
}
impl Bearer for String {
    fn bearer_token(&self) -> &str {
        self
    }
}

/// A resource as its creation returned it; reads like its JSON (`made["title"]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Made {
    pub json: Value,
    collection: &'static str,
}

// the helpers are a toolkit for every suite: not each one uses every piece
#[allow(dead_code)]
impl Made {
    pub fn id(&self) -> &str {
        self.json["id"]
            .as_str()
            .expect("a created resource has an id")
    }
    pub fn slug(&self) -> &str {
        self.json["slug"]
            .as_str()
            .expect("this resource has a slug")
    }
    /// Its address in the API, by id.
    pub fn path(&self) -> String {
        format!("/api/v1/{}/{}", self.collection, self.id())
    }
}

impl Deref for Made {
    type Target = Value;
    fn deref(&self) -> &Value {
        &self.json
    }
}

/// A creation in the making: a valid body to start from, changed by the
/// setters, posted by one of the endings (`create`, `published`, `draft`,
/// `scheduled`) or by `send` for a test of refusals.
#[must_use = "a builder does nothing until `create()` (or another ending)"]
pub struct Builder<'a> {
    app: &'a TestApp,
    token: String,
    collection: &'static str,
    post_to: String,
    body: Value,
}

#[allow(dead_code)]
impl<'a> Builder<'a> {
    fn new(
        app: &'a TestApp,
        who: &(impl Bearer + ?Sized),
        collection: &'static str,
        body: Value,
    ) -> Self {
        Builder {
            app,
            token: who.bearer_token().to_string(),
            collection,
            post_to: format!("/api/v1/{collection}"),
            body,
        }
    }

    /// Sets one field of the body (`null` included).
    pub fn set(mut self, field: &str, value: impl Into<Value>) -> Self {
        self.body[field] = value.into();
        self
    }
    /// Sets every field of `extra` (a JSON object).
    pub fn with(mut self, extra: Value) -> Self {
        for (k, v) in extra.as_object().expect("with() takes a JSON object") {
            self.body[k] = v.clone();
        }
        self
    }
    pub fn title(self, title: &str) -> Self {
        self.set("title", title)
    }
    pub fn name(self, name: &str) -> Self {
        self.set("name", name)
    }
    /// The text of an article or a comment.
    pub fn body(self, text: &str) -> Self {
        self.set("body", text)
    }
    pub fn section(self, section: &Made) -> Self {
        let id = section.id().to_string();
        self.set("section", id)
    }
    pub fn tags(self, tags: &[&Made]) -> Self {
        let ids: Vec<&str> = tags.iter().map(|t| t.id()).collect();
        let ids = json!(ids);
        self.set("tags", ids)
    }
    pub fn authors(self, users: &[&TestUser]) -> Self {
        let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
        let ids = json!(ids);
        self.set("authors", ids)
    }
    /// The article a poll goes with.
    pub fn article(self, article: &Made) -> Self {
        let id = article.id().to_string();
        self.set("article_id", id)
    }
    /// Makes a comment a reply.
    pub fn reply_to(self, parent: &Value) -> Self {
        let id = parent["id"].clone();
        self.set("parent_id", id)
    }
    /// An event's time: starting `offset` from the app's clock, lasting `hours`.
    pub fn starts_in(self, offset: Duration, hours: i64) -> Self {
        let (start, end) = (
            at(self.app, offset),
            at(self.app, offset + Duration::hours(hours)),
        );
        self.set("starts_at", start).set("ends_at", end)
    }
    /// An API key's scopes.
    pub fn scopes(self, scopes: &[&str]) -> Self {
        self.set("scopes", json!(scopes))
    }
    /// The body as it would be sent.
    pub fn to_json(&self) -> Value {
        self.body.clone()
    }

    /// Posts the body; the answer, whatever it is.
    pub fn send(self) -> Resp {
        self.app
            .post(&self.post_to)
            .bearer(&self.token)
            .json(&self.body)
            .send()
    }
    /// Posts the body, asserts a 201 with the new resource's address in
    /// `Location`, and returns the resource.
    #[track_caller]
    pub fn create(self) -> Made {
        let collection = self.collection;
        let res = self.send();
        assert_eq!(res.status, 201, "creating in /{collection}: {}", res.text());
        let made = Made {
            json: res.json(),
            collection,
        };
        assert_eq!(
            res.header("location"),
            Some(made.path().as_str()),
            "a creation says where the new resource lives"
        );
        made
    }
    #[track_caller]
    pub fn published(self) -> Made {
        self.set("status", "published").create()
    }
    #[track_caller]
    pub fn draft(self) -> Made {
        self.set("status", "draft").create()
    }
    /// An article or offer that goes public at `when` (RFC 3339).
    #[track_caller]
    pub fn scheduled(self, when: &str) -> Made {
        let status = if self.collection == "articles" {
            "scheduled"
        } else {
            "published"
        };
        self.set("status", status)
            .set("published_at", when)
            .create()
    }
}

/// The app's clock moved by `offset`, in RFC 3339.
pub fn at(app: &TestApp, offset: Duration) -> String {
    (app.state.clock.now_utc() + offset).to_rfc3339()
}

impl TestApp {
    /// A signed-in account with `role`. Members register; staff register and
    /// are promoted by the site's first admin. The first `Role::Admin` asked
    /// for is that first admin itself.
    pub fn user(&self, role: Role) -> TestUser {
        if role == Role::Admin
            && let Some(first) = self.first_admin()
        {
            return first;
        }
        let n = next();
        let email = format!("{}{n}@example.org", role.as_str());
        let res = self
            .post("/api/v1/auth/register")
            .json(&json!({"email": email, "password": PASSWORD,
                          "display_name": format!("{} {n}", role.as_str())}))
            .send();
        assert_eq!(res.status, 202, "registering {email}: {}", res.text());
        let session = self.login(&email, PASSWORD).json();
        if role == Role::Member {
            return user_of(&session, &email);
        }
        let id = session["user"]["id"].as_str().unwrap().to_string();
        let promoted = self.as_root(|token| {
            self.patch(&format!("/api/v1/users/{id}"))
                .bearer(token)
                .json(&json!({"role": role.as_str(), "slug": format!("{}-{n}", role.as_str())}))
                .send()
        });
        assert_eq!(
            promoted.status,
            200,
            "promoting {email}: {}",
            promoted.text()
        );
        self.signed_in(&email)
    }
    pub fn admin(&self) -> TestUser {
        self.user(Role::Admin)
    }
    pub fn editor(&self) -> TestUser {
        self.user(Role::Editor)
    }
    pub fn author(&self) -> TestUser {
        self.user(Role::Author)
    }
    pub fn member(&self) -> TestUser {
        self.user(Role::Member)
    }

    pub fn login(&self, email: &str, password: &str) -> Resp {
        self.post("/api/v1/auth/login")
            .json(&json!({"email": email, "password": password}))
            .send()
    }

    /// A fresh session of an existing account (after the clock moved past
    /// its tokens, say).
    #[track_caller]
    pub fn signed_in(&self, email: &str) -> TestUser {
        let res = self.login(email, PASSWORD);
        assert_eq!(res.status, 200, "signing in {email}: {}", res.text());
        user_of(&res.json(), email)
    }

    /// The first admin, if none was made yet: made now and handed over.
    fn first_admin(&self) -> Option<TestUser> {
        let mut root = self.root.lock().unwrap();
        if root.is_some() {
            return None;
        }
        let admin = self.create_user_command();
        *root = Some(admin.clone());
        Some(admin)
    }

    /// Sends a request as the site's first admin (made, out of the test's
    /// sight, if the test has none: it then has no public profile), signing
    /// it in again when the test's clock has outlived its token.
    fn as_root(&self, send: impl Fn(&str) -> Resp) -> Resp {
        let mut slot = self.root.lock().unwrap();
        let root = slot.get_or_insert_with(|| {
            let admin = self.create_user_command();
            let hidden = self
                .patch(&format!("/api/v1/users/{}", admin.id))
                .bearer(&admin.token)
                .json(&json!({"slug": null}))
                .send();
            assert_eq!(hidden.status, 200, "{}", hidden.text());
            admin
        });
        let res = send(&root.token);
        if res.status != 401 {
            return res;
        }
        *root = self.signed_in(&root.email);
        send(&root.token)
    }

    /// `kiosque create-user --role admin`, the way an operator makes the
    /// first account of a site, then a sign-in over HTTP.
    fn create_user_command(&self) -> TestUser {
        let n = next();
        let email = format!("admin{n}@example.org");
        let name = format!("admin {n}");
        let out = self.command(
            &[
                "create-user",
                "--email",
                &email,
                "--role",
                "admin",
                "--name",
                &name,
            ],
            &format!("{PASSWORD}\n"),
        );
        assert!(
            out.status.success(),
            "kiosque create-user: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.signed_in(&email)
    }

    /// Runs the real `kiosque` binary on this test's database, `stdin`
    /// written to it, and returns what it did.
    pub fn command(&self, args: &[&str], stdin: &str) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kiosque"));
        // the same blob store as the server under test
        if let kiosque::config::Storage::S3(s3) = &self.state.config.media.storage {
            command
                .env("KIOSQUE_MEDIA_STORAGE", "s3")
                .env("KIOSQUE_S3_BUCKET", &s3.bucket)
                .env("KIOSQUE_S3_REGION", &s3.region)
                .env("KIOSQUE_S3_ENDPOINT", s3.endpoint.as_deref().unwrap_or(""))
                .env(
                    "KIOSQUE_S3_ACCESS_KEY_ID",
                    s3.access_key_id.as_deref().unwrap_or(""),
                )
                .env(
                    "KIOSQUE_S3_SECRET_ACCESS_KEY",
                    s3.secret_access_key.as_deref().unwrap_or(""),
                )
                .env("KIOSQUE_S3_PREFIX", &s3.prefix)
                .env("KIOSQUE_S3_ALLOW_HTTP", s3.allow_http.to_string());
        }
        let mut child = command
            .args(args)
            .env("DATABASE_URL", &self.db_url)
            .env("KIOSQUE_DATA_DIR", &self.data_dir)
            .env("KIOSQUE_ARGON2_MEMORY_KIB", "64")
            .env("KIOSQUE_ARGON2_ITERATIONS", "1")
            .env("KIOSQUE_LOG", "error")
            .current_dir(&self.data_dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the kiosque binary starts");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    /// The secret of an API key with these scopes, made by the first admin.
    pub fn api_key(&self, scopes: &[&str]) -> String {
        let res = self.as_root(|token| {
            self.post("/api/v1/api-keys")
                .bearer(token)
                .json(&json!({"name": "test key", "scopes": scopes}))
                .send()
        });
        assert_eq!(res.status, 201, "{}", res.text());
        res.json()["secret"].as_str().unwrap().to_string()
    }

    /// An API key (`content:read` unless `.scopes()` says otherwise); the
    /// created key carries its `secret`.
    pub fn key(&self, who: &(impl Bearer + ?Sized)) -> Builder<'_> {
        let n = next();
        Builder::new(
            self,
            who,
            "api-keys",
            json!({"name": format!("Clé {n}"), "scopes": ["content:read"]}),
        )
    }

    pub fn section(&self, who: &(impl Bearer + ?Sized)) -> Builder<'_> {
        let n = next();
        Builder::new(
            self,
            who,
            "sections",
            json!({"name": format!("Rubrique {n}")}),
        )
    }

    pub fn tag(&self, who: &(impl Bearer + ?Sized)) -> Builder<'_> {
        let n = next();
        Builder::new(self, who, "tags", json!({"name": format!("Sujet {n}")}))
    }

    /// An article with only a title: a draft for staff, a submission for a member.
    pub fn article(&self, who: &(impl Bearer + ?Sized)) -> Builder<'_> {
        let n = next();
        Builder::new(
            self,
            who,
            "articles",
            json!({"title": format!("Article {n}")}),
        )
    }

    /// A comment on `article` (its id or slug).
    pub fn comment(&self, who: &(impl Bearer + ?Sized), article: &str) -> Builder<'_> {
        let n = next();
        let mut b = Builder::new(
            self,
            who,
            "comments",
            json!({"body": format!("Commentaire {n}")}),
        );
        b.post_to = format!("/api/v1/articles/{article}/comments");
        b
    }

    /// A full-time baker's job in Quimper, with a salary and an e-mail to apply.
    pub fn job(&self, who: &(impl Bearer + ?Sized)) -> Builder<'_> {
        let n = next();
        Builder::new(
            self,
            who,
            "jobs",
            json!({
                "title": format!("Offre {n}"),
                "company": {"name": "Boulangerie Le Goff", "website": "https://legoff.example"},
                "location": {"city": "Quimper", "postal_code": "29000"},
                "contract_type": "cdi",
                "working_time": "full_time",
                "salary": {"min_cents": 180000, "max_cents": 210000, "period": "month"},
                "description": "Nous cherchons **un·e boulanger·e** motivé·e.",
                "apply": {"email": "Emploi@LeGoff.example"}
            }),
        )
    }

    /// A free concert in three days' time, two hours long, in Pont-l'Abbé.
    pub fn event(&self, who: &(impl Bearer + ?Sized)) -> Builder<'_> {
        let n = next();
        Builder::new(
            self,
            who,
            "events",
            json!({
                "title": format!("Événement {n}"),
                "description": "Venez nombreux !",
                "venue": {"name": "Salle des fêtes", "address": "2 place de la Mairie",
                          "city": "Pont-l'Abbé", "postal_code": "29120"},
                "price": {"free": true},
                "organizer": "Comité des fêtes",
                "category": "concert"
            }),
        )
        .starts_in(Duration::days(3), 2)
    }

    /// A single-choice poll (Oui / Non / Sans avis) closing in a week.
    pub fn poll(&self, who: &(impl Bearer + ?Sized)) -> Builder<'_> {
        Builder::new(
            self,
            who,
            "polls",
            json!({
                "question": "Faut-il piétonniser le centre-ville ?",
                "options": [{"label": "Oui"}, {"label": "Non"}, {"label": "Sans avis"}],
                "closes_at": at(self, Duration::days(7)),
            }),
        )
    }
}

fn user_of(session: &Value, email: &str) -> TestUser {
    TestUser {
        id: session["user"]["id"].as_str().unwrap().to_string(),
        email: email.to_string(),
        token: session["access_token"].as_str().unwrap().to_string(),
        refresh: session["refresh_token"].as_str().unwrap().to_string(),
    }
}
