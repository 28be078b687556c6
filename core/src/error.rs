//! The one error type of the core, and its mapping to the coded JSON errors
//! of SPEC section 8.

use serde_json::{json, Value};

/// Every way a command can be refused. The `code()` is what the window and
/// the command line show; SQLite details stay in `Storage`'s source.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: the message names the field.
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    #[error("{0}")]
    NotFound(String),
    /// The state does not allow it (booking a settled deal).
    #[error("{0}")]
    Conflict(String),
    /// A deal rule refuses it (domain, per-participant maximum, stock).
    #[error("{0}")]
    Policy(String),
    #[error("{0}")]
    Storage(String),
    /// Command-line usage: unknown command, bad option, arguments not a JSON object.
    #[error("{0}")]
    Usage(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Error::NotFound(what.into())
    }

    pub fn conflict(what: impl Into<String>) -> Self {
        Error::Conflict(what.into())
    }

    pub fn policy(what: impl Into<String>) -> Self {
        Error::Policy(what.into())
    }

    /// The stable code of SPEC section 8.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Validation { .. } => "validation",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::Policy(_) => "policy",
            Error::Storage(_) => "storage",
            Error::Usage(_) => "usage",
        }
    }

    /// `{"error":{"code","message"}}`, plus `field` for validation errors.
    pub fn to_json(&self) -> Value {
        let mut inner = json!({"code": self.code(), "message": self.to_string()});
        if let Error::Validation { field, .. } = self {
            inner["field"] = json!(field);
        }
        json!({ "error": inner })
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => Error::Storage(
                "the database is busy (another bookrun is writing); try again".into(),
            ),
            Some(ErrorCode::ReadOnly) => Error::Storage("the database file is read-only".into()),
            Some(ErrorCode::DiskFull) => Error::Storage("the disk is full".into()),
            Some(ErrorCode::NotADatabase) => {
                Error::Storage("the file is not a Book & Run database".into())
            }
            _ => Error::Storage(format!("database error: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape_has_code_message_and_field() {
        let e = Error::validation("items[0].base_price", "must be greater than 0");
        assert_eq!(
            e.to_json(),
            json!({"error": {"code": "validation",
                "message": "items[0].base_price: must be greater than 0",
                "field": "items[0].base_price"}})
        );
        assert_eq!(
            Error::conflict("deal 3 is settled").to_json(),
            json!({"error": {"code": "conflict", "message": "deal 3 is settled"}})
        );
    }
}
