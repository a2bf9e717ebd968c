use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::FieldError;
use crate::http::validate::{Errors, Validate};
use crate::ids::{ArticleId, IdOrSlug, PollId, PollOptionId};

pub const MIN_OPTIONS: usize = 2;
pub const MAX_OPTIONS: usize = 20;

/// Who may vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WhoMayVote {
    /// Signed-in accounts only.
    Members,
    /// Anyone; anonymous voters get a voter token.
    Anyone,
}

impl WhoMayVote {
    pub fn as_str(self) -> &'static str {
        match self {
            WhoMayVote::Members => "members",
            WhoMayVote::Anyone => "anyone",
        }
    }
    pub fn parse(raw: &str) -> Self {
        if raw == "members" {
            WhoMayVote::Members
        } else {
            WhoMayVote::Anyone
        }
    }
}

/// When the results are shown to readers (editors always see them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResultsVisibility {
    Always,
    /// To those who have voted; to everyone once the poll is closed.
    AfterVote,
    /// Once the poll is closed.
    AfterClose,
}

impl ResultsVisibility {
    pub fn as_str(self) -> &'static str {
        match self {
            ResultsVisibility::Always => "always",
            ResultsVisibility::AfterVote => "after_vote",
            ResultsVisibility::AfterClose => "after_close",
        }
    }
    pub fn parse(raw: &str) -> Self {
        match raw {
            "always" => ResultsVisibility::Always,
            "after_close" => ResultsVisibility::AfterClose,
            _ => ResultsVisibility::AfterVote,
        }
    }
}

/// Where a poll stands at the time of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PollStatus {
    /// Before `opens_at`.
    Upcoming,
    /// Taking votes.
    Open,
    /// At or after `closes_at`.
    Closed,
}

/// One answer of a poll.
#[derive(Debug, Serialize, ToSchema)]
pub struct PollOption {
    pub id: PollOptionId,
    #[schema(example = "Oui")]
    pub label: String,
}

/// A poll, with its results as the caller may see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Poll {
    pub id: PollId,
    #[schema(example = "Faut-il piétonniser le centre-ville ?")]
    pub question: String,
    pub description: String,
    /// In display order.
    pub options: Vec<PollOption>,
    /// Whether a voter may choose several options.
    pub multiple: bool,
    /// Most options one voter may choose (1 for a single-choice poll).
    pub max_choices: i32,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub status: PollStatus,
    pub who_may_vote: WhoMayVote,
    pub results_visibility: ResultsVisibility,
    /// The article the poll belongs to, if any.
    pub article_id: Option<ArticleId>,
    /// Whether a voter may change their vote while the poll is open (a site setting).
    pub vote_change_allowed: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub results: PollResults,
}

/// The results block. When results are not visible yet, counts are left out
/// and `visible_from` (or `reason`) says when they will be.
#[derive(Debug, Serialize, ToSchema)]
pub struct PollResults {
    pub visible: bool,
    /// When the results become visible, if that is a known time (the closing
    /// time of an `after_close` poll); null when already visible or when it
    /// depends on the caller voting.
    pub visible_from: Option<DateTime<Utc>>,
    /// Why the results are hidden, when they are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Number of voters (present when visible).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_voters: Option<i64>,
    /// Per option, in display order (present when visible). Percentages are
    /// shares of all choices made, rounded (largest remainder) so they add up
    /// to exactly 100, or all 0 before the first vote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<OptionResult>>,
    /// The options the caller chose, when the caller has voted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub my_choice: Option<Vec<PollOptionId>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OptionResult {
    pub id: PollOptionId,
    pub label: String,
    pub count: i64,
    #[schema(minimum = 0, maximum = 100)]
    pub percent: i64,
}

/// One answer of a new poll.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionInput {
    #[schema(example = "Oui", min_length = 1, max_length = 200)]
    pub label: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePoll {
    #[schema(
        example = "Faut-il piétonniser le centre-ville ?",
        min_length = 1,
        max_length = 300
    )]
    pub question: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: String,
    /// 2 to 20 answers, in display order, with distinct labels.
    #[schema(min_items = 2, max_items = 20)]
    pub options: Vec<OptionInput>,
    #[serde(default)]
    pub multiple: bool,
    /// For a multiple-choice poll: at most this many choices (2 to the number
    /// of options; all of them when absent). Must be 1 or absent otherwise.
    #[schema(minimum = 1, maximum = 20)]
    pub max_choices: Option<i32>,
    /// Now when absent.
    pub opens_at: Option<DateTime<Utc>>,
    /// After `opens_at`.
    pub closes_at: DateTime<Utc>,
    /// `anyone` when absent.
    pub who_may_vote: Option<WhoMayVote>,
    /// `after_vote` when absent.
    pub results_visibility: Option<ResultsVisibility>,
    /// An existing article (422 otherwise).
    pub article_id: Option<ArticleId>,
}

fn validate_options(e: &mut Errors, options: &[OptionInput]) {
    if !(MIN_OPTIONS..=MAX_OPTIONS).contains(&options.len()) {
        e.add(
            "options",
            format!("a poll has {MIN_OPTIONS} to {MAX_OPTIONS} options"),
        );
    }
    let mut seen: Vec<String> = Vec::new();
    for (i, o) in options.iter().enumerate() {
        let field = format!("options[{i}].label");
        e.text(&field, &o.label, 1, 200);
        let norm = o.label.trim().to_lowercase();
        if seen.contains(&norm) {
            e.add(&field, "two options have the same label");
        }
        seen.push(norm);
    }
}

impl Validate for CreatePoll {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.text("question", &self.question, 1, 300);
        e.text("description", &self.description, 0, 2_000);
        validate_options(&mut e, &self.options);
        if let Some(msg) = choice_rule_error(self.multiple, self.max_choices, self.options.len()) {
            e.add("max_choices", msg);
        }
        if let Some(opens) = self.opens_at
            && self.closes_at <= opens
        {
            e.add("closes_at", "must be after opens_at");
        }
        e.finish()
    }
}

/// What is wrong with a choice rule, if anything.
pub fn choice_rule_error(multiple: bool, max: Option<i32>, options: usize) -> Option<String> {
    match (multiple, max) {
        (false, Some(n)) if n != 1 => {
            Some("a single-choice poll takes 1 choice; set `multiple` for more".into())
        }
        (true, Some(n)) if n < 2 || n as usize > options => Some(format!(
            "must be between 2 and the number of options ({options})"
        )),
        _ => None,
    }
}

/// A partial update. `options` replaces the whole list (new option ids), and
/// it, `multiple` and `max_choices` are frozen once the first vote is in (409).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePoll {
    #[schema(min_length = 1, max_length = 300)]
    pub question: Option<String>,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    #[schema(min_items = 2, max_items = 20)]
    pub options: Option<Vec<OptionInput>>,
    pub multiple: Option<bool>,
    #[schema(minimum = 1, maximum = 20)]
    pub max_choices: Option<i32>,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub who_may_vote: Option<WhoMayVote>,
    pub results_visibility: Option<ResultsVisibility>,
    /// `null` detaches the poll from its article.
    #[serde(default, deserialize_with = "crate::http::json::nullable")]
    #[schema(value_type = Option<ArticleId>)]
    pub article_id: Option<Option<ArticleId>>,
}

impl UpdatePoll {
    /// Whether the update touches what votes were cast against.
    pub fn changes_choices(&self) -> bool {
        self.options.is_some() || self.multiple.is_some() || self.max_choices.is_some()
    }
}

impl Validate for UpdatePoll {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        e.opt_text("question", self.question.as_deref(), 1, 300);
        e.opt_text("description", self.description.as_deref(), 0, 2_000);
        if let Some(options) = &self.options {
            validate_options(&mut e, options);
        }
        if let (Some(opens), Some(closes)) = (self.opens_at, self.closes_at)
            && closes <= opens
        {
            e.add("closes_at", "must be after opens_at");
        }
        e.finish()
    }
}

/// A vote: the chosen options.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CastVote {
    /// Ids of the chosen options: one for a single-choice poll, up to
    /// `max_choices` otherwise, each once.
    #[schema(example = json!(["12"]), min_items = 1, max_items = 20)]
    pub options: Vec<PollOptionId>,
}

impl Validate for CastVote {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        if self.options.is_empty() {
            e.add("options", "choose at least one option");
        } else if self.options.len() > MAX_OPTIONS {
            e.add(
                "options",
                format!("a poll has at most {MAX_OPTIONS} options"),
            );
        }
        let mut ids: Vec<i64> = self.options.iter().map(|o| o.0).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            e.add("options", "an option is chosen twice");
        }
        e.finish()
    }
}

/// The answer to a vote.
#[derive(Debug, Serialize, ToSchema)]
pub struct VoteReceipt {
    pub poll_id: PollId,
    /// The options counted for the caller.
    pub my_choice: Vec<PollOptionId>,
    /// For an anonymous voter's first vote: the signed voter token (also set
    /// as the `kiosque_voter` cookie). Send it back (cookie or `X-Voter-Token`)
    /// to be recognised; it is not shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voter_token: Option<String>,
    pub results: PollResults,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PollFilters {
    /// Polls attached to this article (its id or slug).
    #[param(inline)]
    pub article: Option<IdOrSlug>,
    /// `upcoming`, `open` or `closed`, at the time of the request.
    pub status: Option<PollStatus>,
    /// Delta sync: only polls changed after this time (RFC 3339, `updated_at`
    /// after it; votes do not change it). `GET /deletions?since=&type=poll`
    /// tells which were deleted.
    pub updated_after: Option<DateTime<Utc>>,
}

pub const SORTABLE: [&str; 3] = ["created_at", "opens_at", "closes_at"];
