//! Tests for articles.
