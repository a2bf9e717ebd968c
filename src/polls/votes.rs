//! Voting and results: who votes, the answers, the headers. The counting
//! itself, one write transaction per vote, is in `ballots`.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::NaiveDateTime;

use super::dto::{CastVote, PollResults, VoteReceipt};
use super::handlers::{freshness, vary_on_voter, viewer};
use super::model::{OptionRow, PollRow};
use super::{ballots, queries, results, voter};
use crate::auth::limits::client_ip;
use crate::auth::policy::allowed;
use crate::auth::{Action, Caller, authorize};
use crate::error::{AppError, AppResult};
use crate::http::path::Id;
use crate::http::{Json, respond};
use crate::ids::{PollId, PollOptionId};
use crate::openapi as oa;
use crate::state::AppState;

/// Who votes: the account, or the anonymous voter's token (a new one when
/// they bring none). Anonymous votes count against the per-address limit.
async fn voter_of(
    req: &HttpRequest,
    caller: &Caller,
    state: &AppState,
    may_be_new: bool,
) -> AppResult<(String, Option<String>)> {
    if let Some(user) = caller.user_id() {
        return Ok((voter::member_key(user.0), None));
    }
    let ip = client_ip(req, state.config.trust_proxy);
    state
        .limit(
            "poll_votes",
            ip.to_string(),
            state.config.poll_votes_per_hour_per_ip,
            state.config.poll_votes_burst,
        )
        .await?;
    if may_be_new {
        return voter::anonymous_voter(req, &state.config.jwt_secret);
    }
    match voter::presented(req)? {
        Some(token) => Ok((
            format!("anon:{}", voter::verify(&state.config.jwt_secret, &token)?),
            None,
        )),
        None => Err(AppError::not_found("you have not voted in this poll")),
    }
}

fn receipt(
    poll: &PollRow,
    options: &[OptionRow],
    chosen: Vec<i64>,
    staff: bool,
    voter_token: Option<String>,
    now: NaiveDateTime,
) -> VoteReceipt {
    let mut mine = chosen;
    mine.sort_unstable();
    VoteReceipt {
        poll_id: PollId(poll.id),
        my_choice: mine.iter().copied().map(PollOptionId).collect(),
        voter_token,
        results: results::results(poll, options, Some(mine), staff, now),
    }
}

fn no_store(mut res: HttpResponse) -> HttpResponse {
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    res
}

/// Whether the caller may vote in the poll (members only, or anyone).
async fn check_may_vote(state: &AppState, caller: &Caller, id: i64) -> AppResult<()> {
    let poll = state.db.run(move |c| Ok(queries::find(c, id)?)).await?;
    authorize(
        caller,
        Action::Vote {
            members_only: poll.members_only(),
        },
    )?;
    crate::http::caller::require_verified(state, caller).await
}

/// Vote.
///
/// Members vote with their account. Where the poll lets anyone vote, an
/// anonymous voter's first vote returns a signed `voter_token` (in the body
/// and as the HttpOnly cookie `kiosque_voter`); send it back (cookie or
/// `X-Voter-Token`) to be recognised. A token that was altered or not issued
/// here is refused with 400 `invalid_voter_token`. Anonymous votes are rate
/// limited per address (429). API keys do not vote (403).
#[utoipa::path(
    tag = "polls",
    params(
        Id<PollId>,
        ("X-Voter-Token" = Option<String>, Header, description = "An anonymous voter's token (or the `kiosque_voter` cookie)"),
    ),
    request_body = CastVote,
    security((), ("bearer" = [])),
    responses(
        (status = 201, description = "Counted", body = VoteReceipt,
         headers(("Set-Cookie" = String, description = "`kiosque_voter`, for an anonymous voter's first vote"))),
        (status = 400, description = "Malformed JSON, or a voter token that does not verify (`invalid_voter_token`)",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "The poll is for members: sign in (or an invalid bearer token)",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 409, description = "This voter has already voted (`already_voted`)",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, description = "No option, an option of another poll, too many choices, or the poll is not open (`poll_not_open`, `poll_closed`)",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, response = oa::TooManyRequests),
        (status = 503, response = oa::Unavailable),
    )
)]
#[post("/polls/{id}/votes")]
pub async fn cast_vote(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Id<PollId>,
    body: Json<CastVote>,
) -> AppResult<HttpResponse> {
    let id = path.0.0;
    check_may_vote(&state, &caller, id).await?;
    let (key, new_token) = voter_of(&req, &caller, &state, true).await?;
    let chosen: Vec<i64> = body.options.iter().map(|o| o.0).collect();
    let now = state.clock.now();
    let staff = allowed(&caller, Action::ManagePolls);
    let choices = chosen.clone();
    let (poll, options) = state
        .db
        .write(move |c| ballots::cast(c, id, key, &choices, now))
        .await?;
    let mut res = HttpResponse::Created();
    if let Some(token) = &new_token {
        res.cookie(voter::cookie(
            token,
            state.config.env == crate::config::Environment::Production,
        ));
    }
    Ok(no_store(res.json(receipt(
        &poll, &options, chosen, staff, new_token, now,
    ))))
}

/// Change one's vote while the poll is open, when the site allows it
/// (`KIOSQUE_POLL_ALLOW_VOTE_CHANGE`; 409 `vote_change_disabled` otherwise).
/// The counters of the options left and of those chosen move in one transaction.
#[utoipa::path(
    tag = "polls",
    params(
        Id<PollId>,
        ("X-Voter-Token" = Option<String>, Header, description = "An anonymous voter's token (or the `kiosque_voter` cookie)"),
    ),
    request_body = CastVote,
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The vote now counts these options", body = VoteReceipt),
        (status = 400, description = "Malformed JSON, or a voter token that does not verify (`invalid_voter_token`)",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, response = oa::Unauthorized),
        (status = 403, response = oa::Forbidden),
        (status = 404, description = "No such poll, or the caller has not voted in it",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changing a vote is not allowed on this site (`vote_change_disabled`)",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, description = "No option, an option of another poll, too many choices, or the poll is not open",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, response = oa::TooManyRequests),
        (status = 503, response = oa::Unavailable),
    )
)]
#[put("/polls/{id}/votes/mine")]
pub async fn change_vote(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Id<PollId>,
    body: Json<CastVote>,
) -> AppResult<HttpResponse> {
    let id = path.0.0;
    check_may_vote(&state, &caller, id).await?;
    if !state.config.poll_allow_vote_change {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "vote_change_disabled",
            "votes are final on this site: a vote cannot be changed",
        ));
    }
    let (key, _) = voter_of(&req, &caller, &state, false).await?;
    let chosen: Vec<i64> = body.options.iter().map(|o| o.0).collect();
    let now = state.clock.now();
    let staff = allowed(&caller, Action::ManagePolls);
    let choices = chosen.clone();
    let (poll, options) = state
        .db
        .write(move |c| ballots::change(c, id, &key, &choices, now))
        .await?;
    Ok(no_store(
        HttpResponse::Ok().json(receipt(&poll, &options, chosen, staff, None, now)),
    ))
}

/// The results of a poll, as the caller may see them: counts, percentages
/// adding up to 100, total voters and the caller's own choice. When results
/// are not visible yet the counts are left out and `visible_from` (or
/// `reason`) says when they will be. Read from counters: as fast for a poll
/// with a million votes as for one with ten.
#[utoipa::path(
    tag = "polls",
    params(
        Id<PollId>,
        ("X-Voter-Token" = Option<String>, Header, description = "An anonymous voter's token (or the `kiosque_voter` cookie): shows their own choice"),
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The results", body = PollResults,
         headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = oa::Unauthorized),
        (status = 404, response = oa::NotFound),
        (status = 503, response = oa::Unavailable),
    )
)]
#[get("/polls/{id}/results")]
pub async fn get_results(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: Id<PollId>,
) -> AppResult<HttpResponse> {
    let id = path.0.0;
    let viewer = viewer(&req, &caller, &state);
    let fresh = freshness(&caller, &viewer);
    let now = state.clock.now();
    let block = state
        .db
        .run(move |c| {
            let poll = queries::find(c, id)?;
            let options = queries::options_of(c, &[id])?;
            let mine = match &viewer.key {
                Some(key) => queries::find_vote(c, id, key)?.map(|v| v.option_ids()),
                None => None,
            };
            Ok(results::results(&poll, &options, mine, viewer.staff, now))
        })
        .await?;
    Ok(vary_on_voter(respond(&req, fresh, &block)))
}
