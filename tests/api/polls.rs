//! Tests for polls.
