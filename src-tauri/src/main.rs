// Book & Run desktop: `bookrun-desktop [--db PATH] [--demo]`.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    bookrun_desktop::run();
}
