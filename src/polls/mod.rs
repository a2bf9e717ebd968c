//! Polls: readers vote, every vote counted exactly once (issue 7).
