//! Embeds the message catalogs (`locales/<language>/*.ftl` at the
//! repository's root) into the binary: a new language is a new folder and
//! a rebuild, never a code change (`src/i18n/`).

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../locales");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    if let Ok(langs) = std::fs::read_dir(&root) {
        for lang in langs.flatten().filter(|e| e.path().is_dir()) {
            let Ok(entries) = std::fs::read_dir(lang.path()) else {
                continue;
            };
            for file in entries.flatten() {
                let path = file.path();
                if path.extension().is_some_and(|x| x == "ftl") {
                    files.push((lang.file_name().to_string_lossy().into_owned(), path));
                }
            }
        }
    }
    files.sort();
    let mut out = String::from(
        "/// (language, file, text) of every embedded catalog file.\npub static EMBEDDED: &[(&str, &str, &str)] = &[\n",
    );
    for (lang, path) in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    ({lang:?}, {name:?}, include_str!({:?})),",
            path.canonicalize().unwrap_or_else(|_| path.clone())
        );
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("catalogs.rs");
    std::fs::write(dest, out).expect("write catalogs.rs");
}
