//! Builds the files under `static/` into the binary, for `web::statics` to serve from memory.

fn main() {
    // One line per file on every build is noise; problems are still reported.
    // SAFETY: the build script is single-threaded at this point.
    unsafe { std::env::set_var("MEMORY_SERVE_QUIET", "1") };
    memory_serve::load_directory("static");
}
