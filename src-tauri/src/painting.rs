//! How the window's web view paints, chosen before GTK and WebKit start.
//!
//! WebKitGTK paints its tiles with Skia on the GPU by default. On a machine
//! with no GPU render node (a virtual machine, a remote desktop, a server
//! under Xvfb) that "GPU" is Mesa's llvmpipe, a GPU emulated on the CPU:
//! painting through it was slower than painting on the CPU directly and kept
//! a GPU resource cache besides (idle memory of the window's processes 397
//! -> 337 MiB, the 100,000-booking deal page unchanged at 127 ms; issue 14,
//! `bench/desktop`). So there, and only there, the window asks WebKit for
//! its CPU painting, as WPE WebKit does by default on small devices. A
//! machine with a GPU keeps WebKit's default; a variable set by the user is
//! never overridden.

use std::path::Path;

/// WebKit's switch to paint tiles with Skia on the CPU.
pub const CPU_PAINTING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// Whether to ask for CPU painting: no GPU render node (`renderD*`) in
/// `dri` (normally `/dev/dri`), and the user has not set the switch.
pub fn wants_cpu_painting(dri: &Path, user_set: bool) -> bool {
    if user_set {
        return false;
    }
    let has_render_node = std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    });
    !has_render_node
}

/// Sets the switch for this process and the WebKit processes it starts.
/// Call first thing in `main`, before any thread exists.
pub fn choose() {
    if cfg!(target_os = "linux")
        && wants_cpu_painting(
            Path::new("/dev/dri"),
            std::env::var_os(CPU_PAINTING).is_some(),
        )
    {
        std::env::set_var(CPU_PAINTING, "1");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_painting_only_without_a_render_node_and_never_over_the_user() {
        let dir = tempfile::tempdir().unwrap();
        let dri = dir.path().join("dri");
        // No /dev/dri at all (this build machine): CPU painting.
        assert!(wants_cpu_painting(&dri, false));
        // A display card without a render node still has no GPU to paint with.
        std::fs::create_dir(&dri).unwrap();
        std::fs::write(dri.join("card0"), "").unwrap();
        assert!(wants_cpu_painting(&dri, false));
        // A render node: WebKit's own default (GPU painting).
        std::fs::write(dri.join("renderD128"), "").unwrap();
        assert!(!wants_cpu_painting(&dri, false));
        // The user's own setting, either way, is left alone.
        assert!(!wants_cpu_painting(&dir.path().join("none"), true));
    }
}
