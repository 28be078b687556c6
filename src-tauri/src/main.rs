// Book & Run desktop: `bookrun-desktop [--db PATH] [--demo]`.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // First thing: the process start, which the window measures its first
    // painted deal list from (issue 14's start-up figure).
    let started = std::time::SystemTime::now();
    // Before GTK, WebKit or any thread starts: how the web view paints.
    bookrun_desktop::painting::choose();
    bookrun_desktop::run(started);
}
