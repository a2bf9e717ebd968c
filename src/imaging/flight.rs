//! Single flight: callers asking for the same key at the same time share one
//! run of the work and all receive its result.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

pub struct Flights<K, V> {
    running: Mutex<HashMap<K, Arc<OnceCell<V>>>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Default for Flights<K, V> {
    fn default() -> Self {
        Self {
            running: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Flights<K, V> {
    /// The result of `work` for `key`: run here if no one runs it now,
    /// otherwise the running one's. A caller arriving after the run ended
    /// starts a new one, so `work` should first look for a stored result.
    pub async fn run<F, Fut>(&self, key: K, work: F) -> V
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = V>,
    {
        let cell = {
            let mut running = self.running.lock().expect("flights lock");
            running.entry(key.clone()).or_default().clone()
        };
        let value = cell.get_or_init(work).await.clone();
        let mut running = self.running.lock().expect("flights lock");
        if running.get(&key).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
            running.remove(&key);
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[actix_web::test]
    async fn simultaneous_callers_share_one_run() {
        let flights: Arc<Flights<u32, u32>> = Arc::default();
        let runs = Arc::new(AtomicUsize::new(0));
        let (go, wait) = tokio::sync::watch::channel(false);
        let mut all = Vec::new();
        for _ in 0..50 {
            let (flights, runs, mut wait) = (flights.clone(), runs.clone(), wait.clone());
            all.push(actix_web::rt::spawn(async move {
                flights
                    .run(7, || async move {
                        runs.fetch_add(1, Ordering::SeqCst);
                        let _ = wait.wait_for(|g| *g).await;
                        42
                    })
                    .await
            }));
        }
        actix_web::rt::task::yield_now().await;
        for _ in 0..10 {
            actix_web::rt::task::yield_now().await;
        }
        go.send(true).unwrap();
        for h in all {
            assert_eq!(h.await.unwrap(), 42);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }
}
