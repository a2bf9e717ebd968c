//! Members for real (issue 13): the messages arrive at a real SMTP server on
//! loopback (a small receiver below, started by each test), their links work
//! once, expire, and nothing tells whether an address has an account.

use std::cell::RefCell;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use serde_json::json;

use crate::db_tests;
use crate::helpers::*;
use kiosque::config::{Config, MailTransport, SmtpSecurity};

/// A message as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    /// The raw message, quoted-printable undone.
    pub data: String,
}

impl Received {
    pub fn subject(&self) -> &str {
        self.header("Subject").unwrap_or("")
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.data.lines().find_map(|l| {
            l.split_once(": ")
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
    }
    /// The secret of the first link in the message.
    pub fn token(&self) -> String {
        let at = self.data.find("token=").expect("the message holds a link") + 6;
        self.data[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }
}

/// A minimal SMTP server on a free loopback port: it accepts every message.
#[derive(Clone)]
pub struct Inbox {
    pub port: u16,
    messages: Arc<Mutex<Vec<Received>>>,
}

impl Inbox {
    pub fn start() -> Inbox {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let messages: Arc<Mutex<Vec<Received>>> = Arc::default();
        let kept = messages.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let kept = kept.clone();
                std::thread::spawn(move || {
                    let _ = session(stream, &kept);
                });
            }
        });
        Inbox { port, messages }
    }

    /// Waits (a bounded while) for the `n`-th message (counting from 1) to `to`.
    #[track_caller]
    pub fn nth_to(&self, to: &str, n: usize) -> Received {
        let deadline = Instant::now() + StdDuration::from_secs(30);
        loop {
            let found: Vec<Received> = self
                .messages
                .lock()
                .unwrap()
                .iter()
                .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to)))
                .cloned()
                .collect();
            if found.len() >= n {
                return found[n - 1].clone();
            }
            assert!(Instant::now() < deadline, "no message {n} to {to} arrived");
            std::thread::sleep(StdDuration::from_millis(50));
        }
    }

    /// Waits for the `n`-th message to `to` that holds `needle`.
    #[track_caller]
    pub fn nth_with(&self, to: &str, needle: &str, n: usize) -> Received {
        let deadline = Instant::now() + StdDuration::from_secs(30);
        loop {
            let found: Vec<Received> = self
                .messages
                .lock()
                .unwrap()
                .iter()
                .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to)))
                .filter(|m| m.data.contains(needle))
                .cloned()
                .collect();
            if found.len() >= n {
                return found[n - 1].clone();
            }
            assert!(
                Instant::now() < deadline,
                "no message {n} to {to} with {needle} arrived"
            );
            std::thread::sleep(StdDuration::from_millis(50));
        }
    }

    pub fn count_to(&self, to: &str) -> usize {
        self.messages
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to)))
            .count()
    }
}

fn session(stream: TcpStream, kept: &Mutex<Vec<Received>>) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 inbox.test ESMTP\r\n")?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        if command.starts_with("EHLO") {
            out.write_all(b"250-inbox.test\r\n250 8BITMIME\r\n")?;
        } else if command.starts_with("RCPT TO:") {
            let address = line.trim_end()[8..]
                .trim()
                .trim_matches(['<', '>'])
                .to_string();
            to.push(address);
            out.write_all(b"250 OK\r\n")?;
        } else if command == "DATA" {
            out.write_all(b"354 go on\r\n")?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            kept.lock().unwrap().push(Received {
                to: std::mem::take(&mut to),
                data: unquote(&data),
            });
            out.write_all(b"250 OK\r\n")?;
        } else if command == "QUIT" {
            out.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else {
            out.write_all(b"250 OK\r\n")?;
        }
    }
}

/// Undoes quoted-printable (soft line breaks and `=XX`), keeping the rest.
fn unquote(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

thread_local! {
    static INBOX: RefCell<Option<Inbox>> = const { RefCell::new(None) };
}

/// The inbox of this test (started by its configuration).
fn inbox() -> Inbox {
    INBOX.with(|i| {
        i.borrow()
            .clone()
            .expect("the test's configuration starts the inbox")
    })
}

/// Mail through SMTP to this test's inbox, sent by the scheduler's lease
/// holder; unverified members held back (the default outside the suite).
fn smtp(config: &mut Config) {
    let inbox = Inbox::start();
    config.scheduler = true;
    config.mail.transport = MailTransport::Smtp;
    config.mail.smtp_host = "127.0.0.1".into();
    config.mail.smtp_port = inbox.port;
    config.mail.smtp_security = SmtpSecurity::None;
    config.mail.site_url = "https://macommune.example".into();
    config.mail.site_name = "macommune.info".into();
    config.mail.unverified_may_participate = false;
    config.mail.signin_links = true;
    INBOX.with(|i| *i.borrow_mut() = Some(inbox));
}

fn register(app: &TestApp, email: &str) -> Resp {
    app.post("/api/v1/auth/register")
        .json(&json!({"email": email, "password": PASSWORD, "display_name": "Zoé Le Goff"}))
        .send()
}

fn a_reader_joins_and_confirms_the_address(app: &TestApp) {
    let editor = app.editor();
    let article = app.article(&editor).published();
    let email = "zoe@example.org";
    let joined = register(app, email);
    assert_eq!(joined.status, 202, "{}", joined.text());

    let message = inbox().nth_to(email, 1);
    assert!(
        message.subject().contains("macommune.info"),
        "{}",
        message.data
    );
    assert!(message.data.contains("Content-Type: multipart/alternative"));
    assert!(
        message
            .data
            .contains("https://macommune.example/verifier-email?token=")
    );
    assert!(message.data.contains("Content-Type: text/html"));
    let token = message.token();
    assert!(token.len() >= 40, "a long random secret: {token}");

    // signed in, but held back until the address is confirmed
    let member = app.signed_in(email);
    let me = app.get("/api/v1/me").bearer(&member.token).send().ok();
    assert_eq!(me["email_verified"], false);
    let held = app.comment(&member, article.id()).send().problem(403);
    assert_eq!(held["code"], "email_unverified");
    let held = app.event(&member).send().problem(403);
    assert_eq!(held["code"], "email_unverified");
    let poll = app.poll(&editor).create();
    let options = poll["options"].as_array().unwrap();
    let held = app
        .post(&format!("/api/v1/polls/{}/votes", poll.id()))
        .bearer(&member.token)
        .json(&json!({"options": [options[0]["id"]]}))
        .send()
        .problem(403);
    assert_eq!(held["code"], "email_unverified");

    // the link works once
    let verify = |token: &str| {
        app.post("/api/v1/auth/verify-email")
            .json(&json!({"token": token}))
            .send()
    };
    assert_eq!(verify(&token).status, 204);
    assert_eq!(verify(&token).problem(400)["code"], "link_used");
    assert_eq!(verify("not-a-token").problem(400)["code"], "invalid_link");
    let me = app.get("/api/v1/me").bearer(&member.token).send().ok();
    assert_eq!(me["email_verified"], true);
    let posted = app.comment(&member, article.id()).send();
    assert!(posted.status < 300, "{}", posted.text());
    let submitted = app.event(&member).send();
    assert!(submitted.status < 300, "{}", submitted.text());
}

fn a_verification_link_expires_and_can_be_sent_again(app: &TestApp) {
    let email = "yann@example.org";
    assert_eq!(register(app, email).status, 202);
    let first = inbox().nth_to(email, 1).token();
    app.state.clock.advance(Duration::hours(49));
    let p = app
        .post("/api/v1/auth/verify-email")
        .json(&json!({"token": first}))
        .send()
        .problem(400);
    assert_eq!(p["code"], "link_expired");
    let member = app.signed_in(email);
    let again = app
        .post("/api/v1/me/verify-email")
        .bearer(&member.token)
        .send();
    assert_eq!(again.status, 202, "{}", again.text());
    let second = inbox().nth_to(email, 2).token();
    assert_ne!(first, second);
    let ok = app
        .post("/api/v1/auth/verify-email")
        .json(&json!({"token": second}))
        .send();
    assert_eq!(ok.status, 204, "{}", ok.text());
}

fn a_forgotten_password_is_reset_by_mail(app: &TestApp) {
    let member = app.member();
    let ask = || {
        let res = app
            .post("/api/v1/auth/password-reset")
            .json(&json!({"email": member.email.to_uppercase()}))
            .send();
        assert_eq!(res.status, 202, "{}", res.text());
    };
    ask();
    const RESET: &str = "https://macommune.example/mot-de-passe?token=";
    let older = inbox().nth_with(&member.email, RESET, 1);
    ask();
    let newer = inbox().nth_with(&member.email, RESET, 2).token();
    let complete = |token: &str, password: &str| {
        app.post("/api/v1/auth/password-reset/complete")
            .json(&json!({"token": token, "password": password}))
            .send()
    };
    // the strength rules apply, and a refused password does not spend the link
    complete(&newer, "motdepasse1").problem(422);
    // a newer link replaces the older one
    assert_eq!(
        complete(&older.token(), "Un-Nouveau-Mot-2-Passe").problem(400)["code"],
        "link_used"
    );
    let done = complete(&newer, "Un-Nouveau-Mot-2-Passe");
    assert_eq!(done.status, 204, "{}", done.text());
    assert_eq!(
        complete(&newer, "Encore-Un-Autre-3-Passe").problem(400)["code"],
        "link_used"
    );
    // every session ended; the old password no longer works, the new one does
    app.get("/api/v1/me")
        .bearer(&member.token)
        .send()
        .problem(401);
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": member.refresh}))
        .send()
        .problem(401);
    app.login(&member.email, PASSWORD).problem(401);
    let back = app.login(&member.email, "Un-Nouveau-Mot-2-Passe");
    assert_eq!(back.status, 200, "{}", back.text());
    // the reset proved the address
    assert_eq!(back.json()["user"]["email_verified"], true);

    // expired: past the hour
    ask();
    let late = inbox().nth_with(&member.email, RESET, 3).token();
    app.state.clock.advance(Duration::minutes(61));
    assert_eq!(
        complete(&late, "Encore-Un-Autre-3-Passe").problem(400)["code"],
        "link_expired"
    );
}

fn no_answer_tells_whether_an_address_has_an_account(app: &TestApp) {
    let member = app.member();
    let reset = |email: &str| {
        app.post("/api/v1/auth/password-reset")
            .json(&json!({"email": email}))
            .send()
    };
    let known = reset(&member.email);
    let unknown = reset("nobody@example.org");
    assert_eq!(
        (known.status, known.text()),
        (unknown.status, unknown.text())
    );
    assert_eq!(known.status, 202);

    let taken = register(app, &member.email);
    let new = register(app, "newcomer@example.org");
    assert_eq!((taken.status, taken.text()), (new.status, new.text()));
    assert_eq!(taken.status, 202);
    // the owner of the taken address is told, and the password is unchanged
    let notice = inbox().nth_with(&member.email, "qui en a déjà un", 1);
    assert!(
        notice
            .data
            .contains("https://macommune.example/mot-de-passe-oublie")
    );
    assert_eq!(app.login(&member.email, PASSWORD).status, 200);

    let link = |email: &str| {
        app.post("/api/v1/auth/sign-in-link")
            .json(&json!({"email": email}))
            .send()
    };
    let known = link(&member.email);
    let unknown = link("nobody@example.org");
    assert_eq!(
        (known.status, known.text()),
        (unknown.status, unknown.text())
    );
    assert_eq!(inbox().count_to("nobody@example.org"), 0);
}

fn a_member_signs_in_by_link(app: &TestApp) {
    let member = app.member();
    let res = app
        .post("/api/v1/auth/sign-in-link")
        .json(&json!({"email": member.email}))
        .send();
    assert_eq!(res.status, 202, "{}", res.text());
    let message = inbox().nth_with(
        &member.email,
        "https://macommune.example/connexion?token=",
        1,
    );
    let token = message.token();
    let use_it = || {
        app.post("/api/v1/auth/sign-in-link/complete")
            .json(&json!({"token": token}))
            .send()
    };
    let session = use_it();
    assert_eq!(session.status, 200, "{}", session.text());
    let access = session.json()["access_token"].as_str().unwrap().to_string();
    app.get("/api/v1/me").bearer(&access).send().ok();
    assert_eq!(use_it().problem(400)["code"], "link_used");
}

/// A member whose address is verified, by the link of the sign-up message.
fn verified_member(app: &TestApp) -> TestUser {
    let member = app.member();
    let token = inbox()
        .nth_with(&member.email, "verifier-email?token=", 1)
        .token();
    let res = app
        .post("/api/v1/auth/verify-email")
        .json(&json!({"token": token}))
        .send();
    assert_eq!(res.status, 204, "{}", res.text());
    member
}

fn unsubscribe_token(message: &Received) -> String {
    let at = message
        .data
        .find("desabonnement?token=")
        .expect("an unsubscribe link")
        + 20;
    message.data[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}

fn a_submitter_is_told_of_the_decision_and_can_unsubscribe(app: &TestApp) {
    use diesel::prelude::*;
    use kiosque::db::schema::mail_outbox as m;
    let editor = app.editor();
    let member = verified_member(app);
    let decide = |body: serde_json::Value| {
        let event = app.event(&member).send();
        assert_eq!(event.status, 201, "{}", event.text());
        let id = event.json()["id"].as_str().unwrap().to_string();
        let res = app
            .patch(&format!("/api/v1/events/{id}"))
            .bearer(&editor.token)
            .json(&body)
            .send();
        assert_eq!(res.status, 200, "{}", res.text());
    };
    decide(json!({"status": "published"}));
    let accepted = inbox().nth_with(&member.email, "Bonne nouvelle", 1);
    assert!(
        accepted
            .data
            .contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    );
    assert!(accepted.data.contains("/api/v1/unsubscribe?token="));

    decide(json!({"status": "rejected", "rejection_reason": "Précisez l'horaire"}));
    let refused = inbox().nth_with(&member.email, "Motif : Précisez l'horaire", 1);
    let token = unsubscribe_token(&refused);

    // one click, as a mail client does it (RFC 8058)
    app.post("/api/v1/unsubscribe?token=forged.reviews.abc")
        .raw(
            "application/x-www-form-urlencoded",
            "List-Unsubscribe=One-Click",
        )
        .send()
        .problem(400);
    let off = app
        .post(&format!("/api/v1/unsubscribe?token={token}"))
        .raw(
            "application/x-www-form-urlencoded",
            "List-Unsubscribe=One-Click",
        )
        .send();
    assert_eq!(off.status, 204, "{}", off.text());
    let me = app.get("/api/v1/me").bearer(&member.token).send().ok();
    assert_eq!(me["notify_reviews"], false);
    assert_eq!(me["notify_replies"], true);

    // no more decisions by mail (the queue is written with the decision)
    decide(json!({"status": "rejected", "rejection_reason": "Doublon"}));
    let count = || -> i64 {
        let mut conn = app.state.db.get().unwrap();
        m::table
            .filter(m::recipient.eq(&member.email))
            .filter(m::kind.eq("review_decision"))
            .count()
            .get_result(&mut *conn)
            .unwrap()
    };
    assert_eq!(count(), 2);
    // and back on in /me
    let on = app
        .patch("/api/v1/me")
        .bearer(&member.token)
        .json(&json!({"notify_reviews": true}))
        .send()
        .ok();
    assert_eq!(on["notify_reviews"], true);
    decide(json!({"status": "published"}));
    assert_eq!(count(), 3);
}

fn a_member_changes_address_confirmed_at_the_new_one(app: &TestApp) {
    let member = app.member();
    let other = app.member();
    let ask = |new: &str, password: &str| {
        app.post("/api/v1/me/email")
            .bearer(&member.token)
            .json(&json!({"new_email": new, "password": password}))
            .send()
    };
    ask("nouvelle@example.org", "pas-le-bon").problem(422);
    let asked = ask("Nouvelle@Example.org", PASSWORD);
    assert_eq!(asked.status, 202, "{}", asked.text());
    // the same answer for an address that has an account (nothing sent there)
    let taken = ask(&other.email, PASSWORD);
    assert_eq!((taken.status, taken.text()), (202, asked.text()));

    let confirm = inbox().nth_with("nouvelle@example.org", "nouvelle-adresse?token=", 1);
    let notice = inbox().nth_with(&member.email, "nouvelle@example.org", 1);
    assert!(notice.data.contains("mot-de-passe-oublie"));
    // nothing changes before the link is opened
    assert_eq!(app.login(&member.email, PASSWORD).status, 200);
    let complete = |token: &str| {
        app.post("/api/v1/auth/email-change/complete")
            .json(&json!({"token": token}))
            .send()
    };
    let token = confirm.token();
    assert_eq!(complete(&token).status, 204);
    assert_eq!(complete(&token).problem(400)["code"], "link_used");
    app.login(&member.email, PASSWORD).problem(401);
    let back = app.login("nouvelle@example.org", PASSWORD);
    assert_eq!(back.status, 200, "{}", back.text());
    assert_eq!(back.json()["user"]["email"], "nouvelle@example.org");
    assert_eq!(back.json()["user"]["email_verified"], true);
    inbox().nth_with(&other.email, "verifier-email?token=", 1);
    assert_eq!(
        inbox().count_to(&other.email),
        1,
        "only its own verification"
    );
}

fn a_member_is_told_of_a_reply_when_it_goes_public(app: &TestApp) {
    use diesel::prelude::*;
    use kiosque::db::schema::mail_outbox as m;
    let editor = app.editor();
    let article = app.article(&editor).title("Le marché du jeudi").published();
    let anne = verified_member(app);
    let bruno = verified_member(app);
    let approve = |comment: &serde_json::Value| {
        app.post("/api/v1/comments/moderation")
            .bearer(&editor.token)
            .json(&json!({"ids": [comment["id"]], "status": "approved"}))
            .send()
            .ok();
    };
    let first = app.comment(&anne, article.id()).send().json();
    approve(&first);
    let reply = app
        .comment(&bruno, article.id())
        .reply_to(&first)
        .body("Tout à fait d'accord, Anne !")
        .send()
        .json();
    let replies = || -> i64 {
        let mut conn = app.state.db.get().unwrap();
        m::table
            .filter(m::recipient.eq(&anne.email))
            .filter(m::kind.eq("comment_reply"))
            .count()
            .get_result(&mut *conn)
            .unwrap()
    };
    // waiting for moderation: nobody is told yet
    assert_eq!(replies(), 0);
    approve(&reply);
    assert_eq!(replies(), 1);
    let told = inbox().nth_with(&anne.email, "Tout à fait d'accord, Anne !", 1);
    assert!(told.data.contains("Le marché du jeudi"));
    assert!(told.data.contains("List-Unsubscribe: "));
    // turned off in /me: no more
    app.patch("/api/v1/me")
        .bearer(&anne.token)
        .json(&json!({"notify_replies": false}))
        .send()
        .ok();
    let again = app
        .comment(&bruno, article.id())
        .reply_to(&first)
        .send()
        .json();
    approve(&again);
    assert_eq!(replies(), 1);
    // nor for one's own replies
    assert_eq!(
        {
            let mut conn = app.state.db.get().unwrap();
            m::table
                .filter(m::recipient.eq(&bruno.email))
                .filter(m::kind.eq("comment_reply"))
                .count()
                .get_result::<i64>(&mut *conn)
                .unwrap()
        },
        0
    );
}

/// Mail-sending requests are limited per address and per client address.
fn limited(config: &mut Config) {
    config.mail.per_hour = 1;
    config.mail.burst = 2;
}

fn mail_requests_are_rate_limited(app: &TestApp) {
    let reset = |email: &str| {
        app.post("/api/v1/auth/password-reset")
            .json(&json!({"email": email}))
            .send()
    };
    assert_eq!(reset("a@example.org").status, 202);
    assert_eq!(reset("a@example.org").status, 202);
    let p = reset("a@example.org").problem(429);
    assert!(p["detail"].is_string());
}

fn sign_in_links_are_off_by_default(app: &TestApp) {
    app.post("/api/v1/auth/sign-in-link")
        .json(&json!({"email": "a@example.org"}))
        .send()
        .problem(404);
}

/// Runs the moderation digest as the lease holder's loop does, at the test's time.
fn run_digest(app: &TestApp) -> usize {
    let mut conn = app.state.db.get().unwrap();
    let now = app.state.clock.now();
    kiosque::db::write_tx(&mut conn, |c| {
        kiosque::review::digest::run(c, &app.state.config.mail, &app.state.config.jwt_secret, now)
    })
    .unwrap()
}

fn digests_to(app: &TestApp, to: &str) -> i64 {
    use diesel::prelude::*;
    use kiosque::db::schema::mail_outbox as m;
    let mut conn = app.state.db.get().unwrap();
    m::table
        .filter(m::recipient.eq(to))
        .filter(m::kind.eq("moderation_digest"))
        .count()
        .get_result(&mut *conn)
        .unwrap()
}

fn editors_get_a_digest_of_the_moderation_queue(app: &TestApp) {
    let editor = app.editor();
    let quiet = app.editor();
    let off = app
        .patch("/api/v1/me")
        .bearer(&quiet.token)
        .json(&json!({"notify_digest": false}))
        .send()
        .ok();
    assert_eq!(off["notify_digest"], false);
    let me = app.get("/api/v1/me").bearer(&editor.token).send().ok();
    assert_eq!(me["notify_digest"], true);

    let article = app.article(&editor).title("Le marché du jeudi").published();
    let member = verified_member(app);
    let comment = app
        .comment(&member, article.id())
        .body("Quels horaires le jeudi ?")
        .send();
    assert_eq!(comment.status, 201, "{}", comment.text());
    assert_eq!(comment.json()["status"], "pending");
    let event = app.event(&member).send();
    assert_eq!(event.status, 201, "{}", event.text());
    let title = event.json()["title"].as_str().unwrap().to_string();

    // the first period starts; nothing before it ends
    run_digest(app);
    app.state.clock.advance(Duration::hours(23));
    assert_eq!(run_digest(app), 0);
    app.state.clock.advance(Duration::hours(2));
    run_digest(app);
    run_digest(app);

    let digest = inbox().nth_with(&editor.email, "file de mod", 1);
    assert!(
        digest.data.contains("Quels horaires le jeudi ?"),
        "{}",
        digest.data
    );
    assert!(digest.data.contains(&title), "{}", digest.data);
    assert!(
        digest
            .data
            .contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    );
    // once for the period, whichever ran it, and none to who turned it off
    assert_eq!(digests_to(app, &editor.email), 1);
    assert_eq!(digests_to(app, &quiet.email), 0);

    // one click turns it off
    let token = unsubscribe_token(&digest);
    let res = app
        .post(&format!("/api/v1/unsubscribe?token={token}"))
        .raw(
            "application/x-www-form-urlencoded",
            "List-Unsubscribe=One-Click",
        )
        .send();
    assert_eq!(res.status, 204, "{}", res.text());
    // (the editor's session has expired with the days gone by: the row says it)
    use diesel::prelude::*;
    use kiosque::db::schema::users as u;
    let mut conn = app.state.db.get().unwrap();
    let (digest_on, reviews_on): (bool, bool) = u::table
        .filter(u::email.eq(&editor.email))
        .select((u::notify_digest, u::notify_reviews))
        .first(&mut *conn)
        .unwrap();
    assert!(!digest_on);
    assert!(reviews_on);
}

fn no_digest_when_the_queue_is_empty(app: &TestApp) {
    let editor = app.editor();
    run_digest(app);
    app.state.clock.advance(Duration::hours(25));
    assert_eq!(run_digest(app), 0);
    assert_eq!(digests_to(app, &editor.email), 0);
}

db_tests!(
    config = smtp;
    a_reader_joins_and_confirms_the_address,
    a_verification_link_expires_and_can_be_sent_again,
    a_forgotten_password_is_reset_by_mail,
    no_answer_tells_whether_an_address_has_an_account,
    a_member_signs_in_by_link,
    a_submitter_is_told_of_the_decision_and_can_unsubscribe,
    a_member_changes_address_confirmed_at_the_new_one,
    a_member_is_told_of_a_reply_when_it_goes_public,
    editors_get_a_digest_of_the_moderation_queue,
    no_digest_when_the_queue_is_empty,
);

db_tests!(
    config = limited;
    mail_requests_are_rate_limited,
);

db_tests!(sign_in_links_are_off_by_default);
