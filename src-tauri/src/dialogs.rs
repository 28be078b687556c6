//! The window's file commands choose their files here, on the Rust side,
//! through the system's dialogs (tauri-plugin-dialog's Rust API): the page
//! never names a path (a `path` or `overwrite` it sends is refused), so no
//! script in the page can export over a file of its choosing or read one
//! through an import's error message. The capability grants the page no
//! dialog permission at all.
//!
//! - `export_*` and `backup`: the save dialog, with the file name the page
//!   suggests (a bare name; any folder part is dropped). GTK's save dialog
//!   asks before replacing an existing file (rfd sets
//!   `do_overwrite_confirmation`), so a chosen existing file is passed on
//!   with `overwrite: true`; the core still refuses the database's own files.
//! - `restore`: the open dialog, for a `.bak` file.
//! - The imports take the CSV text the page read from a file the organizer
//!   chose (`csv`); their `path` is for the command line only.
//!
//! Cancelling a dialog answers `null`: nothing happened.
//!
//! End-to-end tests cannot drive a GTK dialog through WebDriver. In debug
//! builds only (a release build does not contain it), `BOOKRUN_TEST_DIALOGS`
//! names a folder whose files answer the dialogs: `save-dir` (the folder a
//! save goes to, under the suggested name) and `open-path` (the file an open
//! dialog picks).

use crate::commands::CommandError;
use serde_json::{Map, Value};
use std::path::PathBuf;
use tauri::{AppHandle, Runtime};

/// What a file command needs from a dialog.
enum Ask {
    /// Where to save, with the file name's extension.
    Save(String),
    /// Which file to open (a backup).
    Open,
    /// Nothing: the window gives the content (`csv`), never a path.
    NoPath,
}

fn ask_for(command: &str, args: &Map<String, Value>) -> Option<Ask> {
    if command.starts_with("export_") {
        let format = args.get("format").and_then(Value::as_str).unwrap_or("csv");
        return Some(Ask::Save(format.to_string()));
    }
    match command {
        "backup" => Some(Ask::Save("bak".into())),
        "restore" => Some(Ask::Open),
        "preview_signups" | "import_signups" | "preview_bank_import" | "import_bank" => {
            Some(Ask::NoPath)
        }
        _ => None,
    }
}

/// A bare file name from the page's suggestion ("order-cars.csv"), with the
/// extension the format needs.
fn suggested_name(suggestion: Option<&str>, ext: &str) -> String {
    let base = suggestion
        .and_then(|s| s.rsplit(['/', '\\']).next())
        .map(|s| s.chars().filter(|c| !c.is_control()).collect::<String>())
        .filter(|s| !s.trim().is_empty() && s != "." && s != "..")
        .unwrap_or_else(|| "book-and-run".into());
    if base.to_lowercase().ends_with(&format!(".{ext}")) {
        base
    } else {
        format!("{base}.{ext}")
    }
}

fn refused(field: &str, message: &str) -> CommandError {
    bookrun::Error::validation(field, message).into()
}

/// Prepares a window command's arguments: for a file command, refuses a
/// `path` or `overwrite` from the page and puts in the one the system's
/// dialog gave. `Ok(None)`: the organizer cancelled the dialog.
pub fn choose_file<R: Runtime>(
    app: &AppHandle<R>,
    command: &str,
    args: Value,
) -> Result<Option<Value>, CommandError> {
    let Value::Object(mut args) = args else {
        return Ok(Some(args));
    };
    let Some(ask) = ask_for(command, &args) else {
        return Ok(Some(Value::Object(args)));
    };
    for field in ["path", "overwrite"] {
        if args.contains_key(field) {
            return Err(refused(
                field,
                "is chosen in the system's file dialog, not by the window",
            ));
        }
    }
    // The page's suggested name is the dialog's, not the core's.
    let suggestion = args.remove("file_name");
    if let Some(s) = suggestion.as_ref().filter(|s| !s.is_string()) {
        return Err(refused("file_name", &format!("must be a string, not {s}")));
    }
    let chosen = match &ask {
        Ask::NoPath => return Ok(Some(Value::Object(args))),
        Ask::Save(ext) => {
            let name = suggested_name(suggestion.as_ref().and_then(Value::as_str), ext);
            save_dialog(app, &name, ext)?
        }
        Ask::Open => open_dialog(app)?,
    };
    let Some(path) = chosen else {
        return Ok(None);
    };
    let path_text = path
        .to_str()
        .ok_or_else(|| refused("path", "the chosen file's name is not valid UTF-8"))?
        .to_string();
    if let Ask::Save(_) = ask {
        // The save dialog asked before replacing it.
        args.insert("overwrite".into(), Value::Bool(path.exists()));
    }
    args.insert("path".into(), Value::String(path_text));
    Ok(Some(Value::Object(args)))
}

fn save_dialog<R: Runtime>(
    app: &AppHandle<R>,
    name: &str,
    ext: &str,
) -> Result<Option<PathBuf>, CommandError> {
    #[cfg(debug_assertions)]
    if let Some(answer) = test_answer("save-dir") {
        return Ok(answer.map(|dir| dir.join(name)));
    }
    use tauri_plugin_dialog::DialogExt;
    let file = app
        .dialog()
        .file()
        .set_file_name(name)
        .add_filter(ext.to_uppercase(), &[ext])
        .blocking_save_file();
    file.map(|f| f.into_path().map_err(|e| refused("path", &e.to_string())))
        .transpose()
}

fn open_dialog<R: Runtime>(app: &AppHandle<R>) -> Result<Option<PathBuf>, CommandError> {
    #[cfg(debug_assertions)]
    if let Some(answer) = test_answer("open-path") {
        return Ok(answer);
    }
    use tauri_plugin_dialog::DialogExt;
    let file = app
        .dialog()
        .file()
        .add_filter("Book & Run backup", &["bak"])
        .add_filter("All files", &["*"])
        .blocking_pick_file();
    file.map(|f| f.into_path().map_err(|e| refused("path", &e.to_string())))
        .transpose()
}

/// Debug builds, end-to-end tests: the answer `BOOKRUN_TEST_DIALOGS/<key>`
/// holds (`Some(None)`: no such file, the dialog was cancelled), or `None`
/// when the variable is not set (a real dialog opens).
#[cfg(debug_assertions)]
fn test_answer(key: &str) -> Option<Option<PathBuf>> {
    let dir = std::env::var_os("BOOKRUN_TEST_DIALOGS")?;
    let text = std::fs::read_to_string(PathBuf::from(dir).join(key)).ok();
    Some(text.map(|t| PathBuf::from(t.trim())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suggested_name_is_a_bare_file_name_with_its_extension() {
        assert_eq!(
            suggested_name(Some("order-cars.csv"), "csv"),
            "order-cars.csv"
        );
        assert_eq!(suggested_name(Some("order-cars"), "pdf"), "order-cars.pdf");
        assert_eq!(suggested_name(Some("../../.bashrc"), "csv"), ".bashrc.csv");
        assert_eq!(suggested_name(Some("/home/x/db"), "bak"), "db.bak");
        assert_eq!(suggested_name(Some(".."), "bak"), "book-and-run.bak");
        assert_eq!(suggested_name(None, "csv"), "book-and-run.csv");
    }
}
