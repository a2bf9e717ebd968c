//! The list machinery every collection shares: `limit`, `page` or `cursor`,
//! `sort`, the `data` + `meta` envelope and the RFC 8288 `Link` header.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::future::{Ready, ready};
use utoipa::{IntoParams, ToSchema};

use super::query::{NoParams, from_pairs, pairs, param_names};
use crate::error::AppError;

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

/// Pagination and sorting, shared by every list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1–100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// 1-based page number, at most 1,000,000. Not together with `cursor`.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// Opaque cursor from `meta.next_cursor` of the previous page: the list
    /// continues after the last item seen (none skipped or repeated when
    /// items are added meanwhile), at the same cost however deep. Not
    /// together with `page`.
    pub cursor: Option<String>,
    /// Comma-separated fields, `-` for descending (`-published_at,title`). Each list documents its fields.
    pub sort: Option<String>,
}

const PAGE_KEYS: [&str; 4] = ["limit", "page", "cursor", "sort"];

#[derive(Debug, Serialize, Deserialize)]
struct CursorData {
    /// position of the next item in the ordered list
    o: i64,
    /// a fingerprint of the sort and filters, so a cursor is only used with its own query
    q: u32,
    /// the sort key of the last item seen (its sort fields' values, then its
    /// id), for lists that continue after it (keyset) rather than at a position
    #[serde(default, skip_serializing_if = "Option::is_none")]
    k: Option<Vec<KeyValue>>,
}

/// One value of a sort key, as a cursor carries it: times as microseconds
/// since the epoch, texts as they are, NULL for a missing value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum KeyValue {
    Int(i64),
    Text(String),
    Null,
}

impl KeyValue {
    pub fn time(t: chrono::NaiveDateTime) -> Self {
        KeyValue::Int(t.and_utc().timestamp_micros())
    }

    pub fn opt_time(t: Option<chrono::NaiveDateTime>) -> Self {
        t.map_or(KeyValue::Null, Self::time)
    }

    /// The time this value holds; `None` if it holds another kind.
    pub fn as_time(&self) -> Option<chrono::NaiveDateTime> {
        match self {
            KeyValue::Int(us) => {
                chrono::DateTime::from_timestamp_micros(*us).map(|t| t.naive_utc())
            }
            _ => None,
        }
    }
}

/// The 400 for a cursor whose key does not fit its list.
pub fn invalid_cursor() -> AppError {
    AppError::bad_query("the cursor is not valid; use `meta.next_cursor` as given")
}

/// One field of a `sort` parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortField {
    pub field: String,
    pub descending: bool,
}

/// A resolved page request.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: i64,
    pub offset: i64,
    pub page: Option<i64>,
    pub sort: Vec<SortField>,
    /// With a keyset cursor: the sort key (sort fields' values, then id) of
    /// the last item already seen. Each list checks its shape.
    pub after: Option<Vec<KeyValue>>,
    fingerprint: u32,
    path: String,
    query: Vec<(String, String)>,
}

impl PageRequest {
    /// The rows to fetch: one more than `limit` tells whether a next page exists.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }
}

/// The first page of `limit` items in `sort` order, for lists embedded in
/// another response.
pub fn first_page(limit: i64, sort: &str) -> PageRequest {
    PageRequest {
        limit,
        offset: 0,
        page: Some(1),
        sort: parse_sort(sort, &[sort.trim_start_matches('-')]).unwrap_or_default(),
        after: None,
        fingerprint: 0,
        path: String::new(),
        query: Vec::new(),
    }
}

/// A list endpoint's query: pagination plus the endpoint's own filters `F`
/// and, for lists that take them, shared parameters `S` (`fields=`: see
/// [`super::shape`]).
pub struct ListQuery<F, S = NoParams> {
    pub filters: F,
    pub page: PageParams,
    pub extra: S,
    path: String,
    pairs: Vec<(String, String)>,
}

impl<F: DeserializeOwned + IntoParams, S: DeserializeOwned + IntoParams> FromRequest
    for ListQuery<F, S>
{
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready((|| {
            let all = pairs(req.query_string())?;
            let extra_keys = param_names::<S>();
            let mut others: Vec<&str> = PAGE_KEYS.to_vec();
            others.extend(extra_keys.iter().map(String::as_str));
            let filters = from_pairs::<F>(&all, &others)?;
            let extra_pairs: Vec<(String, String)> = all
                .iter()
                .filter(|(k, _)| extra_keys.contains(k))
                .cloned()
                .collect();
            let extra = from_pairs::<S>(&extra_pairs, &[])?;
            let page_pairs: Vec<(String, String)> = all
                .iter()
                .filter(|(k, _)| PAGE_KEYS.contains(&k.as_str()))
                .cloned()
                .collect();
            let mut page = from_pairs::<PageParams>(&page_pairs, &[])?;
            // an empty `cursor=` (a form left blank) means no cursor
            page.cursor = page.cursor.filter(|c| !c.is_empty());
            Ok(ListQuery {
                filters,
                page,
                extra,
                path: req.path().to_string(),
                pairs: all,
            })
        })())
    }
}

impl<F, S> ListQuery<F, S> {
    /// Checks the page request against the endpoint's sortable fields.
    /// `default_sort` is used when `sort` is absent, e.g. `"-published_at"`.
    pub fn paged(&self, sortable: &[&str], default_sort: &str) -> Result<PageRequest, AppError> {
        let limit = self.page.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::bad_query(format!(
                "limit must be between 1 and {MAX_LIMIT}, got {limit}"
            )));
        }
        let sort = parse_sort(self.page.sort.as_deref().unwrap_or(default_sort), sortable)?;
        let fingerprint = self.fingerprint();
        let mut after = None;
        let (offset, page) = match (&self.page.page, &self.page.cursor) {
            (Some(_), Some(_)) => {
                return Err(AppError::bad_query(
                    "use either `page` or `cursor`, not both",
                ));
            }
            (Some(p), None) => {
                if *p < 1 || *p > 1_000_000 {
                    return Err(AppError::bad_query(
                        "page must be a number from 1 to 1000000",
                    ));
                }
                ((p - 1) * limit, Some(*p))
            }
            (None, Some(c)) => {
                let data = decode_cursor(c)?;
                if data.q != fingerprint {
                    return Err(AppError::bad_query(
                        "this cursor belongs to a list with other filters or sort; start again without it",
                    ));
                }
                after = data.k;
                (data.o, None)
            }
            (None, None) => (0, Some(1)),
        };
        Ok(PageRequest {
            limit,
            offset,
            page,
            sort,
            after,
            fingerprint,
            path: self.path.clone(),
            query: self.pairs.clone(),
        })
    }

    fn fingerprint(&self) -> u32 {
        // FNV-1a over the filters and sort (not limit/page/cursor)
        let mut h: u32 = 0x811c_9dc5;
        let mut relevant: Vec<&(String, String)> = self
            .pairs
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "limit" | "page" | "cursor"))
            .collect();
        relevant.sort();
        for (k, v) in relevant {
            for b in k.bytes().chain([b'=']).chain(v.bytes()).chain([b'&']) {
                h ^= b as u32;
                h = h.wrapping_mul(0x0100_0193);
            }
        }
        h
    }
}

pub fn parse_sort(raw: &str, sortable: &[&str]) -> Result<Vec<SortField>, AppError> {
    let mut out: Vec<SortField> = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (descending, field) = match part.strip_prefix('-') {
            Some(f) => (true, f),
            None => (false, part.strip_prefix('+').unwrap_or(part)),
        };
        if !sortable.contains(&field) {
            return Err(AppError::bad_query(format!(
                "cannot sort by `{field}`; sortable fields: {}",
                sortable.join(", ")
            )));
        }
        if out.iter().any(|s| s.field == field) {
            return Err(AppError::bad_query(format!(
                "`{field}` appears twice in sort"
            )));
        }
        out.push(SortField {
            field: field.to_string(),
            descending,
        });
    }
    Ok(out)
}

fn decode_cursor(raw: &str) -> Result<CursorData, AppError> {
    let invalid = invalid_cursor;
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
    let data: CursorData = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if data.o < 0 {
        return Err(invalid());
    }
    Ok(data)
}

fn encode_cursor(data: &CursorData) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(data).unwrap_or_default())
}

/// The list envelope.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PageMeta {
    /// Number of items matching the filters, across all pages (exact: counted
    /// again after any write, or when a scheduled item's time comes).
    pub total: i64,
    pub limit: i64,
    /// The page number, when the request used `page` (or neither `page` nor `cursor`).
    pub page: Option<i64>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds the envelope from `fetched` rows (up to `limit + 1`) and the total.
    pub fn new(paged: &PageRequest, fetched: Vec<T>, total: i64) -> Self {
        Self::build(paged, fetched, total, None::<fn(&T) -> Vec<KeyValue>>)
    }

    /// Like [`Page::new`], for a list that can continue after its last item:
    /// the next cursor carries that item's `key` (sort fields' values, then
    /// id), so a walk neither skips nor repeats items when others are added
    /// meanwhile, and costs the same however deep it goes.
    pub fn keyed(
        paged: &PageRequest,
        fetched: Vec<T>,
        total: i64,
        key: impl Fn(&T) -> Vec<KeyValue>,
    ) -> Self {
        Self::build(paged, fetched, total, Some(key))
    }

    fn build(
        paged: &PageRequest,
        mut fetched: Vec<T>,
        total: i64,
        key: Option<impl Fn(&T) -> Vec<KeyValue>>,
    ) -> Self {
        let has_more = fetched.len() as i64 > paged.limit;
        fetched.truncate(paged.limit as usize);
        let next_cursor = has_more.then(|| {
            encode_cursor(&CursorData {
                o: paged.offset + paged.limit,
                q: paged.fingerprint,
                k: key.as_ref().and_then(|k| fetched.last().map(k)),
            })
        });
        Page {
            data: fetched,
            meta: PageMeta {
                total,
                limit: paged.limit,
                page: paged.page,
                next_cursor,
            },
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            data: self.data.into_iter().map(f).collect(),
            meta: self.meta,
        }
    }

    /// The RFC 8288 `Link` header for this page, or `None` when alone.
    pub fn link_header(&self, paged: &PageRequest) -> Option<String> {
        let mut links = Vec::new();
        let base: Vec<(String, String)> = paged
            .query
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "page" | "cursor"))
            .cloned()
            .collect();
        let href = |extra: (String, String)| {
            let mut q = base.clone();
            q.push(extra);
            format!(
                "{}?{}",
                paged.path,
                serde_urlencoded::to_string(&q).unwrap_or_default()
            )
        };
        match paged.page {
            Some(p) => {
                if self.meta.next_cursor.is_some() {
                    links.push(format!(
                        "<{}>; rel=\"next\"",
                        href(("page".into(), (p + 1).to_string()))
                    ));
                }
                if p > 1 {
                    links.push(format!(
                        "<{}>; rel=\"prev\"",
                        href(("page".into(), (p - 1).to_string()))
                    ));
                }
            }
            None => {
                if let Some(c) = &self.meta.next_cursor {
                    links.push(format!(
                        "<{}>; rel=\"next\"",
                        href(("cursor".into(), c.clone()))
                    ));
                }
                if paged.offset > 0 {
                    let prev = (paged.offset - paged.limit).max(0);
                    let c = encode_cursor(&CursorData {
                        o: prev,
                        q: paged.fingerprint,
                        k: None,
                    });
                    links.push(format!("<{}>; rel=\"prev\"", href(("cursor".into(), c))));
                }
            }
        }
        (!links.is_empty()).then(|| links.join(", "))
    }
}
