//! The one error type of the core, and its mapping to the coded JSON errors
//! of SPEC section 8.

use serde::Serialize;
use serde_json::Value;

/// One bad field of a command: where, and the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Every way a command can be refused. The `code()` is what the window and
/// the command line show; SQLite details stay in `Storage`'s source.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: the message names the field.
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    /// Several bad fields of one command, all reported at once (at least
    /// two; the first reads like a `Validation` error).
    #[error("{}", .0[0])]
    Invalid(Vec<FieldError>),
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

/// Collects the validation errors of a command's fields, so that one answer
/// names every bad field: `take` keeps a field's value or its error (any
/// other error is returned at once), `finish` reports what was collected.
#[derive(Debug, Default)]
pub struct Collect {
    errors: Vec<FieldError>,
}

impl Collect {
    pub fn take<T>(&mut self, r: Result<T>) -> Result<Option<T>> {
        match r {
            Ok(v) => Ok(Some(v)),
            Err(e @ (Error::Validation { .. } | Error::Invalid(_))) => {
                self.errors.extend(e.fields());
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    /// After `finish`: a value `take` kept (each was, when nothing was
    /// collected; `None` then is a bug in the reader, not bad input).
    pub fn kept<T>(value: Option<T>) -> Result<T> {
        value.ok_or_else(|| Error::Storage("a field was neither read nor refused".into()))
    }

    /// `Ok` when nothing was collected, else the one error naming them all.
    pub fn finish(self) -> Result<()> {
        let mut errors = self.errors;
        match errors.len() {
            0 => Ok(()),
            1 => {
                let e = errors.remove(0);
                Err(Error::validation(e.field, e.message))
            }
            _ => Err(Error::Invalid(errors)),
        }
    }
}

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
            Error::Validation { .. } | Error::Invalid(_) => "validation",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::Policy(_) => "policy",
            Error::Storage(_) => "storage",
            Error::Usage(_) => "usage",
        }
    }

    /// Every bad field of a validation error, in the order found (empty for
    /// the other codes).
    pub fn fields(&self) -> Vec<FieldError> {
        match self {
            Error::Validation { field, message } => vec![FieldError {
                field: field.clone(),
                message: message.clone(),
            }],
            Error::Invalid(all) => all.clone(),
            _ => vec![],
        }
    }

    /// The (first) field a validation error names.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Validation { field, .. } => Some(field),
            Error::Invalid(all) => all.first().map(|f| f.field.as_str()),
            _ => None,
        }
    }

    /// `{"error":{"code","message"}}`, plus for validation errors `field`
    /// (the first) and `errors` (`[{field, message}]`, every bad field).
    pub fn to_json(&self) -> Value {
        let field = self.field();
        let body = ErrorJson {
            error: ErrorBody {
                code: self.code(),
                message: self.to_string(),
                field,
                errors: field.map(|_| self.fields()),
            },
        };
        serde_json::to_value(body).expect("an error encodes as JSON")
    }
}

/// `{"error": ...}`, the shape SPEC section 8 gives every refusal.
#[derive(Serialize)]
struct ErrorJson<'a> {
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<Vec<FieldError>>,
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
    use serde_json::json;

    #[test]
    fn json_shape_has_code_message_and_field() {
        let e = Error::validation("items[0].base_price", "must be greater than 0");
        assert_eq!(
            e.to_json(),
            json!({"error": {"code": "validation",
                "message": "items[0].base_price: must be greater than 0",
                "field": "items[0].base_price",
                "errors": [{"field": "items[0].base_price", "message": "must be greater than 0"}]}})
        );
        let mut c = Collect::default();
        assert_eq!(c.take(Ok::<_, Error>(1)).unwrap(), Some(1));
        assert_eq!(
            c.take::<i64>(Err(Error::validation("title", "must not be empty")))
                .unwrap(),
            None
        );
        assert_eq!(
            c.take::<i64>(Err(Error::validation("min_qty", "must be at least 1")))
                .unwrap(),
            None
        );
        assert!(
            c.take::<i64>(Err(Error::conflict("no"))).is_err(),
            "only validation is collected"
        );
        assert_eq!(
            c.finish().unwrap_err().to_json(),
            json!({"error": {"code": "validation", "message": "title: must not be empty", "field": "title",
                "errors": [{"field": "title", "message": "must not be empty"},
                           {"field": "min_qty", "message": "must be at least 1"}]}})
        );
        assert_eq!(
            Error::conflict("deal 3 is settled").to_json(),
            json!({"error": {"code": "conflict", "message": "deal 3 is settled"}})
        );
    }
}
