fn main() {
    // ui/ is embedded into the binary: rebuild when it changes.
    println!("cargo:rerun-if-changed=ui");
    println!("cargo:rerun-if-changed=tauri.conf.json");
    tauri_build::build()
}
