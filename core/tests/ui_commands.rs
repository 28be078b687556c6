//! The window's command list, `ui/commands.js`, is generated from the
//! core's command list (`bookrun::api::ui_commands_js`). This test fails
//! when the file is stale; regenerate it with
//!
//!     BOOKRUN_WRITE_UI=1 cargo test -p bookrun --test ui_commands

use std::path::Path;

#[test]
fn ui_commands_js_is_generated_from_the_command_list() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/commands.js");
    let want = bookrun::api::ui_commands_js();
    if std::env::var_os("BOOKRUN_WRITE_UI").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let got = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        got == want,
        "ui/commands.js is stale: run `BOOKRUN_WRITE_UI=1 cargo test -p bookrun --test ui_commands`"
    );
}
