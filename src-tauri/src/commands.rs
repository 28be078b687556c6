//! The Tauri commands: one per entry of the core's command list, generated
//! from that list (`bookrun::with_commands!`) and checked against the table
//! by a test, so the window and the `bookrun` CLI expose the same names with
//! the same JSON. Each runs off
//! the main thread (`async`), calls the core, and maps errors to
//! `{code, message, field?}`.

use crate::{db, dialogs, notify};
use serde::Serialize;
use serde_json::Value;
use tauri::ipc::{InvokeBody, Request};
use tauri::{AppHandle, Emitter, Runtime};

/// An error as the window receives it.
#[derive(Debug, Serialize, PartialEq)]
pub struct CommandError {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every bad field of a validation error (`field` is the first).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<bookrun::error::FieldError>,
}

impl From<bookrun::Error> for CommandError {
    fn from(e: bookrun::Error) -> Self {
        CommandError {
            code: e.code(),
            message: e.to_string(),
            field: e.field().map(str::to_string),
            errors: e.fields(),
        }
    }
}

/// Runs command `name` with the JSON body of the request.
fn run<R: Runtime>(
    app: &AppHandle<R>,
    name: &str,
    body: &InvokeBody,
) -> Result<Value, CommandError> {
    let args = match body {
        InvokeBody::Json(v) => v.clone(),
        InvokeBody::Raw(_) => {
            return Err(bookrun::Error::Usage("arguments must be a JSON object".into()).into())
        }
    };
    // A file command's path comes from the system's dialog, never the page.
    let Some(args) = dialogs::choose_file(app, name, args)? else {
        return Ok(Value::Null);
    };
    let now = bookrun::clock::system_now();
    let (result, settled) = {
        let state = db(app);
        let mut conn = state.lock();
        // Deals past their closing time are settled first, here (`execute`
        // would do it too), so the window hears of it even when the command
        // only reads or is refused ("the deal is not open"): its view
        // refreshes only after a command that succeeds, and the background
        // task finds nothing left to settle.
        match bookrun::commands::settlement::settle_overdue(&mut conn, now) {
            Ok(settled) => (
                bookrun::execute(&mut conn, name, args, now),
                !settled.is_empty(),
            ),
            // Deals settled before the one that failed are committed: the
            // window redraws to show them.
            Err(e) => (Err(e), true),
        }
    };
    // Whatever the command caused (and any overdue settlement) is notified now.
    notify::deliver(app);
    if settled {
        let _ = app.emit(crate::watch::CHANGED, ());
    }
    Ok(result?)
}

/// One Tauri command per entry of the core's command list
/// (`bookrun::with_commands!`): the list is written once, in the core.
macro_rules! tauri_commands {
    ($($kind:ident $name:ident($rm:ident :: $req:ident) -> $sm:ident :: $res:ident, $summary:literal;)*) => {
        $(
            #[doc = $summary]
            #[tauri::command(async)]
            pub fn $name<R: Runtime>(app: AppHandle<R>, request: Request<'_>) -> Result<Value, CommandError> {
                run(&app, stringify!($name), request.body())
            }
        )*

        /// The names of the commands the window can call.
        pub const NAMES: &[&str] = &[$(stringify!($name)),*];

        /// The invoke handler with every command.
        pub fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }
    };
}

bookrun::with_commands!(tauri_commands);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_exposes_exactly_the_core_command_table() {
        let core: Vec<&str> = bookrun::COMMANDS.iter().map(|c| c.name).collect();
        assert_eq!(NAMES, core.as_slice());
    }

    #[test]
    fn the_capability_grants_each_command_and_no_dialog() {
        let conf: Value = serde_json::from_str(include_str!("../../tauri.conf.json")).unwrap();
        let perms: Vec<&str> = conf["app"]["security"]["capabilities"][0]["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        let granted: Vec<String> = perms
            .iter()
            .filter_map(|p| p.strip_prefix("allow-"))
            .map(|p| p.replace('-', "_"))
            .collect();
        let core: Vec<&str> = bookrun::COMMANDS.iter().map(|c| c.name).collect();
        assert_eq!(granted, core);
        assert!(!perms.iter().any(|p| p.starts_with("dialog:")), "{perms:?}");
    }

    #[test]
    fn errors_reach_the_window_as_code_message_and_field() {
        let e: CommandError = bookrun::Error::validation("quantity", "must be at least 1").into();
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"code": "validation", "message": "quantity: must be at least 1", "field": "quantity",
                "errors": [{"field": "quantity", "message": "must be at least 1"}]})
        );
        let e: CommandError = bookrun::Error::conflict("deal 1 is settled").into();
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"code": "conflict", "message": "deal 1 is settled"})
        );
    }
}
