//! Readers' comments under articles and their moderation (issue 5).
