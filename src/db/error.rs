//! What went wrong in the database, told in the database's own words and
//! sorted into the few kinds a caller can act on. The HTTP layer (`error.rs`)
//! turns each kind into an answer; nothing here knows about HTTP.

use diesel::result::{DatabaseErrorKind as Kind, Error};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DbError {
    /// The row asked for does not exist.
    #[error("no such row")]
    NotFound,
    /// The database cannot be reached, refused the connection, or the
    /// connection was lost (server restarted, connection killed).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Another writer holds the lock longer than we wait (SQLite's busy timeout).
    #[error("database busy: {0}")]
    Busy(String),
    /// No space left for the write (SQLite's "database or disk is full",
    /// PostgreSQL's "could not extend file"). Reads still work.
    #[error("storage full: {0}")]
    Full(String),
    /// A unique constraint: `field` names the column(s), as well as we can tell.
    #[error("unique violation on {field}")]
    Unique { field: String },
    /// A foreign key: a referenced row is missing, or a row is still referenced.
    #[error("foreign key violation: {0}")]
    ForeignKey(String),
    /// A check or not-null constraint.
    #[error("constraint violated: {0}")]
    Constraint(String),
    /// A serialization failure or deadlock: the same request may succeed if retried.
    #[error("write conflict: {0}")]
    Conflict(String),
    /// Anything else: a bug, logged with its cause.
    #[error("database error: {0}")]
    Other(String),
}

/// Whether `err` says the connection (or the server behind it) was lost.
pub(crate) fn is_lost_connection(err: &Error) -> bool {
    match err {
        Error::DatabaseError(Kind::ClosedConnection, _) => true,
        Error::DatabaseError(_, info) => lost_connection_message(info.message()),
        _ => false,
    }
}

/// Whether `err` is a replica declining work the primary would do: a write
/// (read-only transaction), or a read cancelled because replay needed its rows.
pub(crate) fn is_replica_refusal(err: &Error) -> bool {
    match err {
        Error::DatabaseError(Kind::ReadOnlyTransaction, _) => true,
        Error::DatabaseError(_, info) => {
            let lower = info.message().to_ascii_lowercase();
            lower.contains("conflict with recovery") || lower.contains("read-only transaction")
        }
        _ => false,
    }
}

/// Messages (lower-cased) saying the server or the connection went away.
const LOST: &[&str] = &[
    "could not connect",
    "connection refused",
    "server closed the connection",
    "terminating connection",
    "no connection to the server",
    "connection to server",
    "the database system is shutting down",
    "the database system is starting up",
    "the database system is in recovery mode",
    "is not currently accepting connections",
    "ssl connection has been closed",
    "broken pipe",
    "connection reset",
];

/// Messages saying the disk (or SQLite's page limit) is full.
const FULL: &[&str] = &[
    "database or disk is full",
    "could not extend file",
    "no space left on device",
    "disk full",
];

pub(crate) fn lost_connection_message(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    LOST.iter().any(|m| lower.contains(m))
}

impl From<Error> for DbError {
    fn from(err: Error) -> Self {
        match &err {
            Error::NotFound => DbError::NotFound,
            Error::DatabaseError(Kind::UniqueViolation, info) => DbError::Unique {
                field: unique_field(info.constraint_name(), info.message()),
            },
            Error::DatabaseError(Kind::ForeignKeyViolation | Kind::RestrictViolation, info) => {
                DbError::ForeignKey(info.message().to_string())
            }
            Error::DatabaseError(Kind::CheckViolation | Kind::NotNullViolation, info) => {
                DbError::Constraint(info.message().to_string())
            }
            Error::DatabaseError(Kind::ClosedConnection, _) => {
                DbError::Unavailable(err.to_string())
            }
            Error::DatabaseError(Kind::SerializationFailure, _) => {
                DbError::Conflict(err.to_string())
            }
            Error::DatabaseError(_, info) => classify_message(info.message(), &err),
            Error::BrokenTransactionManager => DbError::Unavailable(err.to_string()),
            _ => DbError::Other(err.to_string()),
        }
    }
}

fn classify_message(message: &str, err: &Error) -> DbError {
    let lower = message.to_ascii_lowercase();
    if lower.contains("database is locked") || lower.contains("database table is locked") {
        DbError::Busy(err.to_string())
    } else if FULL.iter().any(|m| lower.contains(m)) {
        DbError::Full(err.to_string())
    } else if lower.contains("foreign key constraint failed") {
        // SQLite reports some foreign-key failures with its generic code
        DbError::ForeignKey(message.to_string())
    } else if lower.contains("deadlock detected") {
        DbError::Conflict(err.to_string())
    } else if lost_connection_message(&lower) {
        DbError::Unavailable(err.to_string())
    } else {
        DbError::Other(err.to_string())
    }
}

impl From<diesel::r2d2::PoolError> for DbError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        DbError::Unavailable(err.to_string())
    }
}

/// Names the field behind a unique violation, from PostgreSQL's constraint
/// name (`users_email_key`) or SQLite's message (`UNIQUE constraint failed: users.email`).
fn unique_field(constraint: Option<&str>, message: &str) -> String {
    if let Some(rest) = message.strip_prefix("UNIQUE constraint failed: ") {
        return rest
            .split(',')
            .map(|c| c.trim().rsplit('.').next().unwrap_or(c).to_string())
            .collect::<Vec<_>>()
            .join(", ");
    }
    if let Some(name) = constraint {
        let trimmed = name.strip_suffix("_key").unwrap_or(name);
        if let Some((_, field)) = trimmed.split_once('_') {
            return field.to_string();
        }
        return trimmed.to_string();
    }
    "key".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Info(&'static str);
    impl diesel::result::DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn unknown(message: &'static str) -> DbError {
        Error::DatabaseError(Kind::Unknown, Box::new(Info(message))).into()
    }

    #[test]
    fn kinds_are_told_apart() {
        assert!(matches!(unknown("database is locked"), DbError::Busy(_)));
        assert!(matches!(
            unknown("database or disk is full"),
            DbError::Full(_)
        ));
        assert!(matches!(
            unknown("FOREIGN KEY constraint failed"),
            DbError::ForeignKey(_)
        ));
        assert!(matches!(
            unknown("terminating connection due to administrator command"),
            DbError::Unavailable(_)
        ));
        assert!(matches!(
            unknown("syntax error at or near"),
            DbError::Other(_)
        ));
        assert_eq!(
            DbError::from(Error::DatabaseError(
                Kind::UniqueViolation,
                Box::new(Info("UNIQUE constraint failed: users.email"))
            )),
            DbError::Unique {
                field: "email".into()
            }
        );
    }
}
