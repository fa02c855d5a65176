//! The house rule, read from `src/`: every top-level module sits on one floor, imports only
//! from its own floor or below, and the imports between top-level modules form no cycle.
//! A new top-level module must be given its floor here before the suite passes.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The floors, lowest first. A module may import from its own floor (one way: no cycle) and
/// from any floor below it, never from one above.
const FLOORS: [(&str, &[&str]); 4] = [
    (
        "foundations (import no domain)",
        &[
            "domain",
            "clock",
            "db",
            "error",
            "secrets",
            "config",
            "metrics",
            "state",
            "audit",
            "ics",
            "web",
            "auth",
            "notifications",
            "settings",
            "establishments",
            "volunteers",
        ],
    ),
    (
        "domains (one room each)",
        &[
            "accounts",
            "admin",
            "applications",
            "checks",
            "training",
            "commitment",
            "supervision",
            "expenses",
            "cases",
            "scheduling",
        ],
    ),
    ("readers (gather from several domains)", &["calendar", "jobs", "privacy"]),
    ("assembly (may import everything)", &["app", "openapi", "portal", "commands", "demo"]),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level modules declared in `src/` (not the crate roots themselves).
fn top_level_modules() -> BTreeSet<String> {
    fs::read_dir(src())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.to_owned();
            if path.is_dir() {
                Some(name)
            } else {
                name.strip_suffix(".rs").filter(|n| !["lib", "main"].contains(n)).map(str::to_owned)
            }
        })
        .collect()
}

fn rust_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_owned()];
    }
    let mut files = Vec::new();
    for entry in fs::read_dir(path).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// How deep a file's module sits below the crate root: `src/cases/mod.rs` is 1,
/// `src/cases/booking.rs` is 2. So many `super::` reach the root.
fn module_depth(file: &Path) -> usize {
    let relative = file.strip_prefix(src()).unwrap();
    let parts = relative.components().count();
    if file.file_name().is_some_and(|n| n == "mod.rs") { parts - 1 } else { parts }
}

fn ident_at(text: &str) -> &str {
    let end = text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(text.len());
    &text[..end]
}

/// The first path segment of each item in a `{ a::b, c, d::{e, f} }` group that starts at
/// `text` (just after the `{`).
fn group_heads(text: &str) -> Vec<&str> {
    let mut heads = Vec::new();
    let mut depth = 0usize;
    let mut at_item_start = true;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => at_item_start = true,
            c if c.is_whitespace() => {}
            _ if at_item_start && depth == 0 => {
                heads.push(ident_at(&text[i..]));
                at_item_start = false;
            }
            _ => {}
        }
    }
    heads
}

/// The top-level modules a file names through `crate::` or enough `super::` to reach the
/// root.
fn imports_of(file: &Path) -> BTreeSet<String> {
    imports_in(&fs::read_to_string(file).unwrap(), module_depth(file))
}

/// The top-level modules named in `source`, a file `depth` modules below the root. Comment
/// lines are skipped.
fn imports_in(source: &str, depth: usize) -> BTreeSet<String> {
    let text: String =
        source.lines().filter(|line| !line.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    let mut names = BTreeSet::new();
    let mut take = |rest: &str| {
        if let Some(group) = rest.strip_prefix('{') {
            names.extend(group_heads(group).into_iter().map(str::to_owned));
        } else {
            names.insert(ident_at(rest).to_owned());
        }
    };
    for (at, _) in text.match_indices("crate::") {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue; // `convene_crate::` or the like
        }
        take(&text[at + "crate::".len()..]);
    }
    let mut from = 0;
    while let Some(found) = text[from..].find("super::") {
        let start = from + found;
        let before = text[..start].chars().next_back();
        let mut rest = &text[start..];
        let mut supers = 0;
        while let Some(after) = rest.strip_prefix("super::") {
            supers += 1;
            rest = after;
        }
        from = text.len() - rest.len();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') || supers < depth {
            continue;
        }
        take(rest);
    }
    names
}

/// Edges between top-level modules: importer → imported, with the file that does it.
fn module_edges(modules: &BTreeSet<String>) -> BTreeMap<String, BTreeMap<String, PathBuf>> {
    let mut edges: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    for module in modules {
        let root = if src().join(module).is_dir() { src().join(module) } else { src().join(format!("{module}.rs")) };
        for file in rust_files(&root) {
            for imported in imports_of(&file) {
                if &imported != module && modules.contains(&imported) {
                    edges.entry(module.clone()).or_default().entry(imported).or_insert_with(|| file.clone());
                }
            }
        }
    }
    edges
}

/// A cycle through `start`, when one exists (depth-first search over the edges).
fn cycle_through(start: &str, edges: &BTreeMap<String, BTreeMap<String, PathBuf>>) -> Option<Vec<String>> {
    fn walk(
        at: &str,
        start: &str,
        edges: &BTreeMap<String, BTreeMap<String, PathBuf>>,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in edges.get(at).into_iter().flat_map(|e| e.keys()) {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(next, start, edges, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_owned()];
    let mut seen = BTreeSet::new();
    walk(start, start, edges, &mut path, &mut seen).then(|| {
        path.push(start.to_owned());
        path
    })
}

#[test]
fn every_top_level_module_has_a_floor_and_imports_only_down_or_across_without_a_cycle() {
    let modules = top_level_modules();
    let floor_of: BTreeMap<&str, usize> =
        FLOORS.iter().enumerate().flat_map(|(floor, (_, names))| names.iter().map(move |n| (*n, floor))).collect();
    let unplaced: Vec<&String> = modules.iter().filter(|m| !floor_of.contains_key(m.as_str())).collect();
    assert!(unplaced.is_empty(), "give these top-level modules a floor in tests/it/layering.rs: {unplaced:?}");
    let gone: Vec<&&str> = floor_of.keys().filter(|m| !modules.contains(**m)).collect();
    assert!(gone.is_empty(), "the floors list modules that no longer exist: {gone:?}");

    let edges = module_edges(&modules);
    let upward: Vec<String> = edges
        .iter()
        .flat_map(|(from, to)| to.iter().map(move |(to, file)| (from, to, file)))
        .filter(|(from, to, _)| floor_of[to.as_str()] > floor_of[from.as_str()])
        .map(|(from, to, file)| {
            format!(
                "{from} ({}) imports {to} ({}) in {}",
                FLOORS[floor_of[from.as_str()]].0,
                FLOORS[floor_of[to.as_str()]].0,
                file.strip_prefix(src()).unwrap().display()
            )
        })
        .collect();
    assert!(upward.is_empty(), "imports from a floor above:\n{}", upward.join("\n"));

    let cycles: Vec<String> =
        modules.iter().filter_map(|m| cycle_through(m, &edges)).map(|cycle| cycle.join(" → ")).collect();
    assert!(cycles.is_empty(), "imports between top-level modules form a cycle:\n{}", cycles.join("\n"));
}

#[test]
fn the_import_reader_sees_crate_paths_groups_and_supers_that_reach_the_root() {
    let source = "use crate::{cases::booking, web::{json, layout}, clock};\n\
                  use super::super::audit;\n\
                  use super::sibling;\n\
                  // use crate::portal;\n\
                  fn f() { crate::jobs::run(); }\n";
    let names = |depth| imports_in(source, depth).into_iter().collect::<Vec<_>>();
    // Two modules down (`src/x/inner.rs`), `super::super::` is the root; `super::` is not.
    assert_eq!(names(2), ["audit", "cases", "clock", "jobs", "web"]);
    // One down (`src/x/mod.rs`), `super::sibling` is a top-level module too.
    assert_eq!(names(1), ["audit", "cases", "clock", "jobs", "sibling", "web"]);
    assert_eq!(module_depth(&src().join("cases/mod.rs")), 1);
    assert_eq!(module_depth(&src().join("cases/booking.rs")), 2);
    assert_eq!(module_depth(&src().join("app.rs")), 1);
}
