//! ntpq output formatting.
