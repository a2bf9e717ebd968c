//! Tests for comments.
