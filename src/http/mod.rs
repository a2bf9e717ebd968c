//! What every endpoint shares: strict body and query extractors, validation,
//! pagination, conditional requests, and the middleware around each request.

pub mod cached;
pub mod caller;
pub mod conditional;
pub mod consistency;
pub mod edge;
pub mod fallback;
pub mod json;
pub mod jsonld;
pub mod middleware;
pub mod pagination;
pub mod path;
pub mod query;
pub mod response_cache;
pub mod shape;
pub mod validate;

pub use conditional::{Freshness, IfMatch, respond, respond_page};
pub use json::Json;
pub use pagination::{ListQuery, Page, PageParams, PageRequest, SortField};
pub use query::Query;
pub use validate::Validate;
