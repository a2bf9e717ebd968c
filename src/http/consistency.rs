//! Which requests read from the primary when replicas take reads.
//!
//! Replicas serve a read only once they have every write this node knows of
//! (see `db::replicas`); that makes a reader's view on one node move only
//! forward. Some requests need more: a request that writes checks what it
//! changes (an `If-Match`, a slug still free, a poll still open) against the
//! latest rows, and a signed-in caller (or a key, or a preview link) may
//! have written a moment ago through another node that this one has not
//! heard from yet. Those read the primary. Anonymous GETs, the bulk of a
//! news site's traffic, go to the replicas.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;

pub async fn route_reads(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let fresh = req.method() != Method::GET
        || req.headers().contains_key(header::AUTHORIZATION)
        || req.query_string().contains("preview");
    if fresh {
        crate::db::on_primary(next.call(req)).await
    } else {
        next.call(req).await
    }
}
