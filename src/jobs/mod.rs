//! Job offers: classifieds submitted by members and reviewed by editors (issue 6).
