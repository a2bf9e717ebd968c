//! Tests for jobs.
