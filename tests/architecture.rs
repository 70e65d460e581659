//! The layout shows the architecture, and this test keeps it so: no module imports another in a
//! loop; SQL only under `src/db/`; no axum or HTTP types in `src/db/` or `src/domain/`; views
//! take plain data (no axum); `src/domain/` imports nothing of ours but itself; storage never
//! imports the seed data.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, by module path (`["web", "views", "layout"]`), without its
/// unit tests (a test module may import anything).
fn modules() -> BTreeMap<Vec<String>, (PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files
        .into_iter()
        .map(|file| {
            let relative = file.strip_prefix(&src).expect("under src").with_extension("");
            let mut parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod") || parts == ["lib"] || parts == ["main"] {
                parts.pop();
            }
            let text = std::fs::read_to_string(&file).expect("read module");
            let code = text.split("#[cfg(test)]").next().unwrap_or("").to_owned();
            (parts, (file, code))
        })
        .collect()
}

/// The modules a module's code names through `crate::…` or `super::…` paths.
fn imports(module: &[String], code: &str, known: &BTreeSet<Vec<String>>) -> BTreeSet<Vec<String>> {
    let resolve = |path: Vec<String>| -> Option<Vec<String>> {
        (1..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|candidate| known.contains(candidate))
    };
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut found = BTreeSet::new();
    for (start, _) in code.match_indices("crate::").chain(code.match_indices("super::")) {
        if code[..start].chars().next_back().is_some_and(is_word) {
            continue;
        }
        let rest = &code[start..];
        let end = rest.find(|c: char| !(is_word(c) || c == ':')).unwrap_or(rest.len());
        let mut segments: Vec<&str> = rest[..end].split("::").filter(|s| !s.is_empty()).collect();
        let mut base: Vec<String> = Vec::new();
        if segments.first() == Some(&"crate") {
            segments.remove(0);
        } else {
            base = module[..module.len().saturating_sub(1)].to_vec();
            segments.remove(0);
            while segments.first() == Some(&"super") {
                segments.remove(0);
                base.pop();
            }
        }
        let mut prefix = base;
        prefix.extend(segments.iter().map(|s| (*s).to_owned()));
        // `use crate::a::{b, c::d}`: each item of the group is a path of its own.
        let after = &rest[end..];
        if after.starts_with('{') {
            let group = &after[1..after.find('}').unwrap_or(after.len())];
            for item in group.split(',') {
                let item = item.trim();
                let mut path = prefix.clone();
                path.extend(item.split("::").map(|s| s.trim().to_owned()).filter(|s| is_word_str(s)));
                if let Some(target) = resolve(path) {
                    found.insert(target);
                }
            }
        } else if let Some(target) = resolve(prefix) {
            found.insert(target);
        }
    }
    found.remove(module);
    found
}

fn is_word_str(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

fn name(module: &[String]) -> String {
    if module.is_empty() {
        "crate".into()
    } else {
        module.join("::")
    }
}

#[test]
fn no_module_imports_another_in_a_loop() {
    let modules = modules();
    let known: BTreeSet<Vec<String>> = modules.keys().cloned().collect();
    let graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = modules
        .iter()
        .map(|(module, (_, code))| (module.clone(), imports(module, code, &known)))
        .collect();
    // A module that reaches itself again through its imports is in a loop.
    let mut loops = Vec::new();
    for start in graph.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<Vec<String>> = graph[start].iter().cloned().collect();
        while let Some(next) = stack.pop() {
            if &next == start {
                loops.push(name(start));
                break;
            }
            if seen.insert(next.clone()) {
                stack.extend(graph.get(&next).into_iter().flatten().cloned());
            }
        }
    }
    assert!(loops.is_empty(), "modules in an import loop: {loops:?}");
}

#[test]
fn sql_lives_only_under_src_db() {
    let statements = [
        "SELECT ",
        "INSERT INTO",
        "UPDATE ",
        "DELETE FROM",
        "PRAGMA ",
        ".execute(",
        ".prepare(",
    ];
    for (module, (file, code)) in modules() {
        if module.first().is_some_and(|m| m == "db") {
            continue;
        }
        for statement in statements {
            assert!(
                !code.contains(statement),
                "{} contains {statement:?}: SQL belongs in src/db/",
                file.display()
            );
        }
    }
}

#[test]
fn storage_and_rules_know_nothing_of_http() {
    for (module, (file, code)) in modules() {
        let layer = module.first().map(String::as_str);
        let views = module.starts_with(&["web".to_owned(), "views".to_owned()]);
        if matches!(layer, Some("db" | "domain")) || views {
            for word in ["axum", "http::", "StatusCode", "tower"] {
                assert!(!code.contains(word), "{} mentions {word}", file.display());
            }
        }
        if layer == Some("domain") {
            for outside in [
                "crate::db",
                "crate::web",
                "crate::service",
                "crate::seed",
                "crate::error",
                "rusqlite",
            ] {
                assert!(!code.contains(outside), "{} imports {outside}", file.display());
            }
        }
        if layer == Some("db") {
            for outside in ["crate::seed", "crate::service", "crate::web"] {
                assert!(!code.contains(outside), "{} imports {outside}", file.display());
            }
        }
    }
}
