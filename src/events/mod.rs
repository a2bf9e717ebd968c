//! Events: the agenda, submitted by members and reviewed by editors, with iCalendar export (issue 6).
