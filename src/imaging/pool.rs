//! A fixed set of threads for image work, with a bounded queue. A job that
//! finds every place taken is refused at once ([`Busy`]) rather than queued
//! without end: the caller answers 503 with `Retry-After`, and memory stays
//! bounded by the number of places.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

type Job = Box<dyn FnOnce() + Send>;

/// Every place of the pool is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

pub struct Pool {
    queue: SyncSender<Job>,
    /// Places: jobs running plus jobs waiting. A caller takes one before
    /// reading what its job needs, so waiting work holds no image in memory
    /// beyond these places.
    places: Arc<tokio::sync::Semaphore>,
    workers: usize,
    done: Arc<AtomicU64>,
}

/// A place in the pool, held from before the job's input is read until its
/// job has run.
pub struct Place {
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl Pool {
    /// `workers` threads and `waiting` more jobs queued behind them.
    pub fn new(workers: usize, waiting: usize) -> Self {
        let workers = workers.max(1);
        let (queue, jobs) = std::sync::mpsc::sync_channel::<Job>(workers + waiting);
        let jobs: Arc<Mutex<Receiver<Job>>> = Arc::new(Mutex::new(jobs));
        for n in 0..workers {
            let jobs = jobs.clone();
            std::thread::Builder::new()
                .name(format!("kiosque-image-{n}"))
                .spawn(move || {
                    loop {
                        let job = match jobs.lock() {
                            Ok(rx) => match rx.recv() {
                                Ok(job) => job,
                                Err(_) => return, // the pool is gone
                            },
                            Err(_) => return,
                        };
                        // a panicking job loses its answer, never the thread
                        let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                    }
                })
                .expect("an image thread starts");
        }
        Self {
            queue,
            places: Arc::new(tokio::sync::Semaphore::new(workers + waiting)),
            workers,
            done: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn workers(&self) -> usize {
        self.workers
    }

    /// Jobs run to the end since the start.
    pub fn jobs_done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    /// Takes a place, or [`Busy`] when all are taken.
    pub fn place(&self) -> Result<Place, Busy> {
        self.places
            .clone()
            .try_acquire_owned()
            .map(|p| Place { _permit: p })
            .map_err(|_| Busy)
    }

    /// Runs `job` on a pool thread in the place taken; `None` if it panicked.
    pub async fn run<T: Send + 'static>(
        &self,
        place: Place,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let done = self.done.clone();
        let boxed: Job = Box::new(move || {
            let out = job();
            done.fetch_add(1, Ordering::Relaxed);
            drop(place);
            let _ = tx.send(out);
        });
        match self.queue.try_send(boxed) {
            Ok(()) => rx.await.ok(),
            // cannot happen while places ≤ the queue's room; refuse rather than block
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn refuses_beyond_its_places() {
        let pool = Pool::new(1, 1);
        let a = pool.place().unwrap();
        let _b = pool.place().unwrap();
        assert_eq!(pool.place().err(), Some(Busy));
        assert_eq!(pool.run(a, || 2 + 2).await, Some(4));
        let c = pool.place().unwrap();
        assert_eq!(pool.run(c, || panic!("boom")).await, None::<()>);
        let d = pool.place().unwrap();
        assert_eq!(pool.run(d, || "still here").await, Some("still here"));
    }
}
