//! The boundaries of `src/`, as ARCHITECTURE.md states them, checked on every
//! test run: a module reaches only the layers below it, a resource reaches
//! another resource only through that resource's `mod.rs`, and no two
//! modules import each other. It reads the source as text: each
//! `crate::a::b` path (and each `use crate::{a, b}` group) is an edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each unit of `src/` with its layer, lowest first. A unit may use units of
/// lower layers only; resources (layer `RESOURCES`) may also use each other's
/// public face. A submodule named here (`a::b`) would be a unit of its own.
const LAYERS: &[(&str, u8)] = &[
    ("text", 0),
    ("slug", 0),
    ("ids", 0),
    ("config", 1),
    ("logging", 2),
    ("metrics", 3),
    ("db", 4),
    ("storage", 4),
    ("imaging", 4),
    ("error", 5),
    ("signal", 5),
    ("gate", 6),
    ("status", 6),
    ("outbound", 6),
    ("cache", 6),
    ("auth", 7),
    ("state", 8),
    ("http", 9),
    ("scheduler", 9),
    ("mail", 9),
    ("openapi", 10),
    ("audit", 11),
    ("changes", 11),
    ("review", 12),
    // resources
    ("api_keys", RESOURCES),
    ("articles", RESOURCES),
    ("comments", RESOURCES),
    ("events", RESOURCES),
    ("jobs", RESOURCES),
    ("media", RESOURCES),
    ("ops", RESOURCES),
    ("polls", RESOURCES),
    ("sections", RESOURCES),
    ("tags", RESOURCES),
    ("users", RESOURCES),
    ("transfer", RESOURCES),
    ("webhooks", RESOURCES),
    ("feeds", RESOURCES),
    ("sitemaps", RESOURCES),
    ("weather", RESOURCES),
    // what puts the application together
    ("routes", TOP),
    ("seed", TOP),
    ("cli", TOP + 1),
    ("lib", TOP + 2),
    ("main", TOP + 2),
];
const RESOURCES: u8 = 13;
const TOP: u8 = 20;

fn layer(unit: &str) -> Option<u8> {
    LAYERS.iter().find(|(u, _)| *u == unit).map(|(_, l)| *l)
}

/// The unit a path `crate::a::b::…` points into (`a`, or `a::b` where that is a unit).
fn unit_of(segments: &[&str]) -> Option<String> {
    let first = segments.first()?;
    if segments.len() > 1 {
        let two = format!("{first}::{}", segments[1]);
        if layer(&two).is_some() {
            return Some(two);
        }
    }
    layer(first).map(|_| first.to_string())
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments and without its unit tests.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => &text,
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::…` path in `code`, as segments; `use crate::{a::b, c}`
/// groups are expanded one level.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let tail = &rest[i + "crate::".len()..];
        if let Some(group) = tail.strip_prefix('{') {
            let end = group.find("};").unwrap_or(group.len());
            let mut depth = 0;
            let mut item = String::new();
            for ch in group[..end].chars() {
                match ch {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(segments(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(ch);
            }
            out.push(segments(&item));
        } else {
            out.push(segments(tail));
        }
        rest = tail;
    }
    out.retain(|s| !s.is_empty());
    out
}

fn segments(text: &str) -> Vec<String> {
    let path: String = text
        .trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
        .collect();
    path.split("::")
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The unit a source file belongs to.
fn owner(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    unit_of(&refs).unwrap_or_else(|| panic!("{} belongs to no unit of LAYERS", rel.display()))
}

/// The submodules of a resource: `src/<resource>/<name>.rs` or `src/<resource>/<name>/`.
fn submodules(src: &Path, resource: &str) -> BTreeSet<String> {
    std::fs::read_dir(src.join(resource))
        .map(|dir| {
            dir.filter_map(|e| {
                let name = e.ok()?.file_name().to_string_lossy().to_string();
                let name = name.trim_end_matches(".rs").to_string();
                (name != "mod").then_some(name)
            })
            .collect()
        })
        .unwrap_or_default()
}

#[test]
fn modules_keep_to_their_layers_and_faces() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let from = owner(&src, file);
        let from_layer = layer(&from).unwrap();
        let rel = file.strip_prefix(&src).unwrap().display().to_string();
        for path in crate_paths(&code(file)) {
            let refs: Vec<&str> = path.iter().map(String::as_str).collect();
            let Some(to) = unit_of(&refs) else { continue };
            if to == from
                || from.starts_with(&format!("{to}::"))
                || to.starts_with(&format!("{from}::"))
            {
                continue;
            }
            edges.entry(from.clone()).or_default().insert(to.clone());
            let to_layer = layer(&to).unwrap();
            let both_resources = from_layer == RESOURCES && to_layer == RESOURCES;
            if both_resources {
                if let Some(inner) = refs.get(1)
                    && submodules(&src, &to).contains(*inner)
                {
                    problems.push(format!(
                        "{rel}: reaches into `{}` (use what `{to}/mod.rs` offers)",
                        path.join("::")
                    ));
                }
            } else if to_layer >= from_layer {
                problems.push(format!(
                    "{rel}: `{from}` (layer {from_layer}) uses `{}` (layer {to_layer}): a layer uses only those below it",
                    path.join("::")
                ));
            }
        }
    }
    // No two resources use each other, even through their faces.
    for (a, targets) in &edges {
        for b in targets {
            if a < b && edges.get(b).is_some_and(|t| t.contains(a)) {
                problems.push(format!("`{a}` and `{b}` use each other"));
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "{} boundary problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_checker_sees_edges() {
    let paths = crate_paths(
        "use crate::{articles::model::Row, ids::ArticleId};\nlet x = crate::polls::queries::list(c);",
    );
    assert_eq!(
        paths,
        vec![
            vec!["articles", "model", "Row"],
            vec!["ids", "ArticleId"],
            vec!["polls", "queries", "list"],
        ]
    );
}
