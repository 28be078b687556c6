//! Checks shared by the fuzz targets (`fuzz/`), the arbitrary-JSON property
//! test and the crash harness: what must hold after any command with any
//! input. Nothing here is used by the app itself.

use crate::clock::Time;
use crate::error::Error;
use crate::execute;
use rusqlite::Connection;
use serde_json::Value;
use std::path::Path;

/// A second connection to the same file: its `PRAGMA data_version` changes
/// when, and only when, another connection commits a write.
pub struct Observer(Connection);

impl Observer {
    pub fn new(path: &Path) -> rusqlite::Result<Observer> {
        Connection::open(path).map(Observer)
    }

    pub fn version(&self) -> i64 {
        self.0
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .expect("PRAGMA data_version")
    }
}

/// Random arguments with their `path` moved into `sandbox`: only the file
/// name is kept (letters, digits, `.`, `_`, `-`; at most 64), so file
/// commands read and write inside that folder (the database's own folder
/// included, where the app's own files must be refused) and nowhere else.
pub fn sandboxed(mut args: Value, sandbox: &Path) -> Value {
    if let Value::Object(map) = &mut args {
        if let Some(Value::String(p)) = map.get("path") {
            let name: String = Path::new(p)
                .file_name()
                .map(|n| {
                    n.to_string_lossy()
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
                        .take(64)
                        .collect()
                })
                .unwrap_or_default();
            let name = match name.as_str() {
                "" | "." | ".." => "file".to_string(),
                _ => name,
            };
            let inside = sandbox.join(name).to_string_lossy().into_owned();
            map.insert("path".into(), Value::String(inside));
        }
    }
    args
}

/// Runs one command with any arguments, its `path` moved into `sandbox`
/// (see `sandboxed`, so file commands are exercised too), and checks the
/// contract of a refusal: nothing committed, a known code, a message, and
/// for validation errors a message that starts with the field it names. An
/// internal (storage) error from input alone is a bug: some input reached
/// SQLite unchecked.
pub fn call_checked_in(
    conn: &mut Connection,
    observer: &Observer,
    sandbox: &Path,
    name: &str,
    args: Value,
    now: Time,
) -> Result<Result<Value, Error>, String> {
    let args = sandboxed(args, sandbox);
    let before = observer.version();
    let shown = args.to_string();
    let result = execute(conn, name, args, now);
    if let Err(e) = &result {
        let after = observer.version();
        if after != before {
            return Err(format!(
                "{name} {shown}: refused ({e}) but wrote to the database"
            ));
        }
        let message = e.to_string();
        if message.trim().is_empty() {
            return Err(format!("{name} {shown}: refused with an empty message"));
        }
        match e {
            Error::Validation { .. } | Error::Invalid(_) => {
                let field = e.field().unwrap_or_default();
                if field.is_empty() || !message.starts_with(&format!("{field}: ")) {
                    return Err(format!(
                        "{name} {shown}: validation error without a field: {message}"
                    ));
                }
            }
            Error::Storage(_) => {
                return Err(format!(
                    "{name} {shown}: input reached storage unchecked: {message}"
                ));
            }
            Error::NotFound(_) | Error::Conflict(_) | Error::Policy(_) | Error::Usage(_) => {}
        }
    }
    Ok(result)
}
