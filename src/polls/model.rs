use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{poll_options, poll_votes, polls};

#[derive(Debug, Clone, Queryable)]
pub struct PollRow {
    pub id: i64,
    pub question: String,
    pub description: String,
    pub multiple: bool,
    pub max_choices: i32,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub who_may_vote: String,
    pub results_visibility: String,
    pub article_id: Option<i64>,
    pub voter_count: i64,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl PollRow {
    /// The change `poll.<what>`: the poll, the list of polls and the article
    /// it hangs on, if any.
    pub fn change(&self, what: &str, now: NaiveDateTime) -> crate::changes::Change {
        let mut paths = vec![
            format!("/api/v1/polls/{}", self.id),
            "/api/v1/polls".to_string(),
        ];
        if let Some(a) = self.article_id {
            paths.push(format!("/api/v1/articles/{a}"));
        }
        // the article's answers show the poll's id: they change too
        crate::changes::Change::new("poll", what, self.id, now)
            .paths(paths)
            .keys(self.article_id.map(|a| format!("article:{a}")))
            .datum("article_id", self.article_id.map(|a| a.to_string()))
    }

    pub fn members_only(&self) -> bool {
        self.who_may_vote == "members"
    }

    /// Whether votes are taken at `now`: from `opens_at` (included) to `closes_at` (excluded).
    pub fn is_open(&self, now: NaiveDateTime) -> bool {
        self.opens_at <= now && now < self.closes_at
    }
}

#[derive(Debug, Clone, Queryable)]
pub struct OptionRow {
    pub id: i64,
    pub poll_id: i64,
    pub position: i32,
    pub label: String,
    pub vote_count: i64,
}

#[derive(Debug, Clone, Queryable)]
pub struct VoteRow {
    pub id: i64,
    pub poll_id: i64,
    pub voter_key: String,
    pub choices: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl VoteRow {
    pub fn option_ids(&self) -> Vec<i64> {
        parse_choices(&self.choices)
    }
}

/// Choices are kept as ascending ids separated by spaces.
pub fn format_choices(ids: &[i64]) -> String {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn parse_choices(raw: &str) -> Vec<i64> {
    raw.split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect()
}

#[derive(Debug, Insertable)]
#[diesel(table_name = polls)]
pub struct NewPoll {
    pub question: String,
    pub description: String,
    pub multiple: bool,
    pub max_choices: i32,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub who_may_vote: String,
    pub results_visibility: String,
    pub article_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = poll_options)]
pub struct NewOption {
    pub poll_id: i64,
    pub position: i32,
    pub label: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = poll_votes)]
pub struct NewVote {
    pub poll_id: i64,
    pub voter_key: String,
    pub choices: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Changes to a poll's own fields; the counters are never set from here.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = polls)]
pub struct PollChanges {
    pub question: Option<String>,
    pub description: Option<String>,
    pub multiple: Option<bool>,
    pub max_choices: Option<i32>,
    pub opens_at: Option<NaiveDateTime>,
    pub closes_at: Option<NaiveDateTime>,
    pub who_may_vote: Option<String>,
    pub results_visibility: Option<String>,
    pub article_id: Option<Option<i64>>,
    pub updated_at: Option<NaiveDateTime>,
}
