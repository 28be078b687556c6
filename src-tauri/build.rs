//! tauri-build, with an app manifest: each of the app's own commands gets an
//! `allow-<command>` permission, and the window's capability (in
//! tauri.conf.json) must list each one it grants. The command names are read
//! from that capability; a test (`commands::tests`) checks they are exactly
//! the core's command table.

fn main() {
    // ui/ is embedded into the binary: rebuild when it changes.
    println!("cargo:rerun-if-changed=ui");
    println!("cargo:rerun-if-changed=tauri.conf.json");
    let conf: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("tauri.conf.json").expect("tauri.conf.json"))
            .expect("tauri.conf.json is JSON");
    let commands: Vec<&'static str> = conf["app"]["security"]["capabilities"]
        .as_array()
        .expect("capabilities")
        .iter()
        .flat_map(|c| c["permissions"].as_array().cloned().unwrap_or_default())
        .filter_map(|p| {
            let name = p.as_str()?.strip_prefix("allow-")?.replace('-', "_");
            Some(&*Box::leak(name.into_boxed_str()))
        })
        .collect();
    let commands: &'static [&'static str] = Box::leak(commands.into_boxed_slice());
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri-build");
}
