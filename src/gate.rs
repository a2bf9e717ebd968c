//! A bound on expensive work: full-text searches queue here instead of
//! taking every database connection and CPU from plain reads.

use std::time::Duration;

use actix_web::http::{StatusCode, header};

use crate::error::AppError;

/// At most `size` searches at once; the next ones wait up to `wait`, then
/// are answered 503 with `Retry-After`, so that a crowd of searches queues
/// here instead of taking every database connection and CPU from plain reads.
pub struct SearchGate {
    permits: tokio::sync::Semaphore,
    wait: Duration,
}

impl SearchGate {
    pub fn new(size: usize, wait: Duration) -> Self {
        Self {
            permits: tokio::sync::Semaphore::new(size.max(1)),
            wait,
        }
    }

    pub async fn enter(&self) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
        match actix_web::rt::time::timeout(self.wait, self.permits.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AppError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "search_busy",
                "too many searches are running; try again in a moment",
            )
            .with_header(header::RETRY_AFTER, "1")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn the_gate_lets_through_its_size_then_refuses() {
        let gate = SearchGate::new(2, Duration::from_millis(10));
        let a = gate.enter().await.unwrap();
        let _b = gate.enter().await.unwrap();
        let refused = gate.enter().await.unwrap_err();
        assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
        drop(a);
        assert!(gate.enter().await.is_ok(), "a freed place is taken again");
    }
}
