//! Logs go to standard error through a writer that never fails: when the sink
//! is gone (a closed pipe, a full disk), the line is dropped and counted
//! (`kiosque_log_lines_dropped_total`), and the request is answered anyway.
//! Logging must never cost an answer.

use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::config::{Config, Environment};

static DROPPED: AtomicU64 = AtomicU64::new(0);

/// Log lines lost since start because the sink refused them.
pub fn dropped_lines() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}

/// Standard error, minus its power to fail.
pub struct Sink;

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if io::stderr().lock().write_all(buf).is_err() {
            DROPPED.fetch_add(1, Ordering::Relaxed);
        }
        // a lost line is reported as written: the caller has no better move
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let _ = io::stderr().flush();
        Ok(())
    }
}

/// Sets up logging: JSON lines in production, readable lines otherwise.
pub fn init(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log_filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| Sink)
        // on a failed write, tracing would report it with `eprintln!`, which
        // panics when standard error is gone
        .log_internal_errors(false);
    let _ = if config.env == Environment::Production {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.compact().try_init()
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sink_never_reports_failure() {
        assert_eq!(Sink.write(b"").unwrap(), 0);
        assert!(Sink.flush().is_ok());
    }
}
