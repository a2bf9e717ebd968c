//! Shaping polls for a caller: percentages, who sees the results and when,
//! and whole pages built from a fixed number of queries (no query per poll,
//! no scan of votes: counts come from the counters).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::dto::{OptionResult, Poll, PollOption, PollResults, PollStatus, ResultsVisibility};
use super::model::{OptionRow, PollRow};
use super::queries;
use crate::db::AnyConnection;
use crate::ids::{ArticleId, PollId, PollOptionId};
use crate::state::utc;

/// Who is looking: their voter key, when known, and whether they manage polls.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    pub key: Option<String>,
    pub staff: bool,
}

/// Whole percentages that add up to exactly 100 (largest remainder: each
/// share rounded down, the missing points to the largest remainders, earlier
/// options first on ties). All 0 when nothing was chosen.
pub fn percentages(counts: &[i64]) -> Vec<i64> {
    let total: i64 = counts.iter().sum();
    if total <= 0 {
        return vec![0; counts.len()];
    }
    let mut shares: Vec<i64> = counts.iter().map(|c| c * 100 / total).collect();
    let missing = 100 - shares.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    // stable sort: ties keep the display order
    order.sort_by_key(|&i| std::cmp::Reverse(counts[i] * 100 % total));
    for &i in order.iter().take(missing as usize) {
        shares[i] += 1;
    }
    shares
}

pub fn status(poll: &PollRow, now: NaiveDateTime) -> PollStatus {
    if now < poll.opens_at {
        PollStatus::Upcoming
    } else if now < poll.closes_at {
        PollStatus::Open
    } else {
        PollStatus::Closed
    }
}

/// The results block for a viewer who has (or has not) voted `my_choice`.
pub fn results(
    poll: &PollRow,
    options: &[OptionRow],
    my_choice: Option<Vec<i64>>,
    staff: bool,
    now: NaiveDateTime,
) -> PollResults {
    let closed = now >= poll.closes_at;
    let hidden = match ResultsVisibility::parse(&poll.results_visibility) {
        _ if staff || closed => None,
        ResultsVisibility::Always => None,
        ResultsVisibility::AfterVote if my_choice.is_some() => None,
        ResultsVisibility::AfterVote => Some((
            None,
            format!(
                "results are shown once you have voted, or when the poll closes ({})",
                utc(poll.closes_at).to_rfc3339()
            ),
        )),
        ResultsVisibility::AfterClose => Some((
            Some(utc(poll.closes_at)),
            "results are shown when the poll closes".to_string(),
        )),
    };
    let my_choice = my_choice.map(|ids| ids.into_iter().map(PollOptionId).collect());
    match hidden {
        Some((visible_from, reason)) => PollResults {
            visible: false,
            visible_from,
            reason: Some(reason),
            total_voters: None,
            options: None,
            my_choice,
        },
        None => {
            let counts: Vec<i64> = options.iter().map(|o| o.vote_count).collect();
            let percents = percentages(&counts);
            PollResults {
                visible: true,
                visible_from: None,
                reason: None,
                total_voters: Some(poll.voter_count),
                options: Some(
                    options
                        .iter()
                        .zip(percents)
                        .map(|(o, percent)| OptionResult {
                            id: PollOptionId(o.id),
                            label: o.label.clone(),
                            count: o.vote_count,
                            percent,
                        })
                        .collect(),
                ),
                my_choice,
            }
        }
    }
}

pub fn poll_view(
    poll: PollRow,
    options: &[OptionRow],
    my_choice: Option<Vec<i64>>,
    staff: bool,
    vote_change_allowed: bool,
    now: NaiveDateTime,
) -> Poll {
    let results = results(&poll, options, my_choice, staff, now);
    Poll {
        id: PollId(poll.id),
        status: status(&poll, now),
        question: poll.question,
        description: poll.description,
        options: options
            .iter()
            .map(|o| PollOption {
                id: PollOptionId(o.id),
                label: o.label.clone(),
            })
            .collect(),
        multiple: poll.multiple,
        max_choices: poll.max_choices,
        opens_at: utc(poll.opens_at),
        closes_at: utc(poll.closes_at),
        who_may_vote: super::dto::WhoMayVote::parse(&poll.who_may_vote),
        results_visibility: ResultsVisibility::parse(&poll.results_visibility),
        article_id: poll.article_id.map(ArticleId),
        vote_change_allowed,
        created_at: utc(poll.created_at),
        updated_at: utc(poll.updated_at),
        results,
    }
}

/// Views of several polls: one query for all their options, one for the
/// viewer's votes among them.
pub fn build(
    conn: &mut AnyConnection,
    polls: Vec<PollRow>,
    viewer: &Viewer,
    vote_change_allowed: bool,
    now: NaiveDateTime,
) -> QueryResult<Vec<Poll>> {
    let ids: Vec<i64> = polls.iter().map(|p| p.id).collect();
    let mut options: HashMap<i64, Vec<OptionRow>> = HashMap::new();
    for o in queries::options_of(conn, &ids)? {
        options.entry(o.poll_id).or_default().push(o);
    }
    let mut mine: HashMap<i64, Vec<i64>> = HashMap::new();
    if let Some(key) = &viewer.key {
        for v in queries::votes_of(conn, key, &ids)? {
            mine.insert(v.poll_id, v.option_ids());
        }
    }
    Ok(polls
        .into_iter()
        .map(|p| {
            let opts = options.remove(&p.id).unwrap_or_default();
            let choice = mine.remove(&p.id);
            poll_view(p, &opts, choice, viewer.staff, vote_change_allowed, now)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::percentages;

    #[test]
    fn percentages_add_up_to_100() {
        assert_eq!(percentages(&[0, 0, 0]), [0, 0, 0]);
        assert_eq!(percentages(&[1, 1, 1]), [34, 33, 33]);
        assert_eq!(percentages(&[2, 1]), [67, 33]);
        assert_eq!(percentages(&[1, 0, 0]), [100, 0, 0]);
        assert_eq!(percentages(&[1, 2, 3, 4, 5, 6]).iter().sum::<i64>(), 100);
        // 14.28…% each: two points go to the first two options
        assert_eq!(percentages(&[1; 7]), [15, 15, 14, 14, 14, 14, 14]);
        for counts in [[3, 3, 3, 1], [999, 1, 0, 0], [7, 13, 29, 51]] {
            assert_eq!(percentages(&counts).iter().sum::<i64>(), 100, "{counts:?}");
        }
    }
}
