//! The authorization harness: a table of actions (rows) × callers (columns)
//! with the status each caller must get. Each cell builds its own fixture
//! (a row's closure runs once per caller), sends the request, and checks:
//! the status; a problem document for every refusal, with a `Bearer`
//! challenge on a 401; and, when the action names a target, that a refused
//! write left the target reading exactly as before (read by the witness,
//! an account that may see it). Every failing cell is reported at once.
//!
//! ```ignore
//! let mut m = Matrix::new(app, &admin).anonymous("anonymous").caller("member", &member);
//! m.row("delete tag", [UNAUTH, DENIED], |_| {
//!     let t = app.tag(&admin).create();
//!     Action::delete(t.path()).unchanged(t.path())
//! });
//! m.run();
//! ```

use std::fmt;

use serde_json::Value;

use super::app::{Resp, TestApp};
use super::builders::Bearer;

/// One request of a row.
pub struct Action {
    method: &'static str,
    path: String,
    body: Option<Value>,
    target: Option<String>,
}

impl Action {
    fn new(method: &'static str, path: impl Into<String>) -> Self {
        Action {
            method,
            path: path.into(),
            body: None,
            target: None,
        }
    }
    pub fn get(path: impl Into<String>) -> Self {
        Self::new("GET", path)
    }
    pub fn post(path: impl Into<String>) -> Self {
        Self::new("POST", path)
    }
    pub fn patch(path: impl Into<String>) -> Self {
        Self::new("PATCH", path)
    }
    pub fn put(path: impl Into<String>) -> Self {
        Self::new("PUT", path)
    }
    pub fn delete(path: impl Into<String>) -> Self {
        Self::new("DELETE", path)
    }
    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
    /// When the action is refused, `path` (read by the matrix's witness)
    /// must read as it did just before.
    pub fn unchanged(mut self, path: impl Into<String>) -> Self {
        self.target = Some(path.into());
        self
    }
}

/// What a caller must get.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Want {
    /// Any success (2xx).
    Ok,
    /// Exactly this status.
    Is(u16),
}
pub const OK: Want = Want::Ok;
/// 401: sign in first.
pub const UNAUTH: Want = Want::Is(401);
/// 403: not allowed to this caller.
pub const DENIED: Want = Want::Is(403);
/// 404: not even visible to this caller.
pub const HIDDEN: Want = Want::Is(404);

impl From<u16> for Want {
    fn from(status: u16) -> Want {
        Want::Is(status)
    }
}

impl Want {
    fn accepts(self, status: u16) -> bool {
        match self {
            Want::Ok => (200..300).contains(&status),
            Want::Is(s) => s == status,
        }
    }
}

impl fmt::Display for Want {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Want::Ok => write!(f, "2xx"),
            Want::Is(s) => write!(f, "{s}"),
        }
    }
}

type Build<'a> = Box<dyn Fn(&str) -> Action + 'a>;

pub struct Matrix<'a> {
    app: &'a TestApp,
    witness: String,
    callers: Vec<(String, Option<String>)>,
    rows: Vec<(String, Vec<Want>, Build<'a>)>,
}

impl<'a> Matrix<'a> {
    /// `witness` reads the targets of refused writes: an account that sees them.
    pub fn new(app: &'a TestApp, witness: &(impl Bearer + ?Sized)) -> Self {
        Matrix {
            app,
            witness: witness.bearer_token().to_string(),
            callers: Vec::new(),
            rows: Vec::new(),
        }
    }
    /// A column without a token.
    pub fn anonymous(mut self, name: &str) -> Self {
        self.callers.push((name.to_string(), None));
        self
    }
    /// A column signed by an account or an API key.
    pub fn caller(mut self, name: &str, who: &(impl Bearer + ?Sized)) -> Self {
        self.callers
            .push((name.to_string(), Some(who.bearer_token().to_string())));
        self
    }
    /// A row: one expectation per caller, in the callers' order; `build`
    /// gets the caller's name and makes the cell's request (and fixture).
    pub fn row<W: Into<Want>>(
        &mut self,
        name: &str,
        want: impl IntoIterator<Item = W>,
        build: impl Fn(&str) -> Action + 'a,
    ) {
        let want: Vec<Want> = want.into_iter().map(Into::into).collect();
        assert_eq!(
            want.len(),
            self.callers.len(),
            "row {name}: one expectation per caller"
        );
        self.rows.push((name.to_string(), want, Box::new(build)));
    }

    fn witness_read(&self, path: &str) -> Value {
        let res = self.app.get(path).bearer(&self.witness).send();
        assert_eq!(res.status, 200, "the witness reads {path}: {}", res.text());
        res.json()
    }

    /// Runs every cell, then fails naming each cell that went wrong.
    pub fn run(self) {
        let mut failures = Vec::new();
        for (row, wants, build) in &self.rows {
            for ((who, token), want) in self.callers.iter().zip(wants) {
                let action = build(who);
                let before = action.target.as_deref().map(|p| self.witness_read(p));
                let mut req = self.app.request(action.method, &action.path);
                if let Some(t) = token {
                    req = req.bearer(t);
                }
                if let Some(b) = &action.body {
                    req = req.json(b);
                }
                let res = req.send();
                let cell = format!("{row} as {who}");
                if !want.accepts(res.status) {
                    failures.push(format!(
                        "{cell}: expected {want}, got {}: {}",
                        res.status,
                        res.text()
                    ));
                    continue;
                }
                if (200..300).contains(&res.status) {
                    continue;
                }
                if let Some(wrong) = not_a_problem(&res) {
                    failures.push(format!("{cell}: {wrong}"));
                }
                if let (Some(path), Some(before)) = (&action.target, before) {
                    let after = self.witness_read(path);
                    if after != before {
                        failures.push(format!(
                            "{cell}: refused, yet {path} changed:\n  before {before}\n  after  {after}"
                        ));
                    }
                }
            }
        }
        assert!(
            failures.is_empty(),
            "authorization matrix:\n{}",
            failures.join("\n")
        );
    }
}

/// What makes a refusal not a proper problem document, if anything.
fn not_a_problem(res: &Resp) -> Option<String> {
    if res.header("content-type") != Some("application/problem+json") {
        return Some(format!("a {} must be a problem document", res.status));
    }
    let Ok(p) = serde_json::from_slice::<Value>(&res.body) else {
        return Some(format!(
            "a problem document that is not JSON: {}",
            res.text()
        ));
    };
    if p["status"] != res.status
        || !p["title"].is_string()
        || !p["type"].is_string()
        || p["detail"].as_str().is_none_or(str::is_empty)
    {
        return Some(format!("an incomplete problem document: {p}"));
    }
    if res.status == 401
        && !res
            .header("www-authenticate")
            .is_some_and(|h| h.starts_with("Bearer"))
    {
        return Some("a 401 without a Bearer challenge".into());
    }
    None
}
