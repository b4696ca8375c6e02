//! The layer rules of docs/architecture.md, checked against the sources: imports point down
//! (domain → storage → api → services → http → handlers), never up. A failure names the file and the
//! module it may not use.

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    /// Each layer (a folder of `src/`) and the crate modules it must not import.
    const FORBIDDEN: &[(&str, &[&str])] = &[
        ("domain", &["storage", "services", "http", "api", "app", "auth", "config", "adapters", "runtime"]),
        ("storage", &["services", "http", "api", "app", "adapters", "runtime"]),
        ("adapters", &["storage", "services", "http", "api", "app", "auth", "runtime"]),
        ("auth", &["services", "http", "api", "app", "adapters", "runtime"]),
        ("api", &["services", "http", "app", "adapters", "runtime"]),
        ("services", &["http", "runtime"]),
    ];

    /// Crates only some layers may use: the pure domain talks to no AWS or Lambda crate.
    const FORBIDDEN_CRATES: &[(&str, &[&str])] = &[
        ("domain", &["aws_sdk_", "aws_config", "lambda_http", "lambda_runtime", "aws_lambda_events"]),
        ("api", &["aws_sdk_", "lambda_http", "lambda_runtime"]),
        ("services", &["lambda_http", "lambda_runtime"]),
    ];

    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                out.push(path);
            }
        }
    }

    /// The files of a layer: `src/<layer>/**.rs` and `src/<layer>.rs`.
    fn layer_files(layer: &str) -> Vec<PathBuf> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src.join(layer), &mut files);
        let single = src.join(format!("{layer}.rs"));
        if single.exists() {
            files.push(single);
        }
        files
    }

    /// The code of a file without comments (doc links may point anywhere).
    fn code(path: &Path) -> String {
        let text = std::fs::read_to_string(path).unwrap();
        text.lines().filter(|line| !line.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
    }

    /// The first path segment after every `crate::`, including each item of `use crate::{a::…, b::…}`.
    fn crate_modules(code: &str) -> BTreeSet<String> {
        let mut modules = BTreeSet::new();
        let ident = |text: &str| text.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let (mut depth, mut start) = (0usize, 0usize);
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            modules.insert(ident(group[start..i].trim()));
                            break;
                        }
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            modules.insert(ident(group[start..i].trim()));
                            start = i + 1;
                        }
                        _ => {}
                    }
                }
            } else {
                modules.insert(ident(rest));
            }
        }
        modules.retain(|module| !module.is_empty());
        modules
    }

    #[test]
    fn the_import_reader_sees_grouped_and_plain_paths() {
        let code = "use crate::{domain::ids::X, storage::{keys, Store}};\nlet x = crate::http::Problem::new();";
        assert_eq!(crate_modules(code), ["domain", "http", "storage"].map(String::from).into());
    }

    #[test]
    fn imports_point_down_the_layers() {
        let mut violations = Vec::new();
        for (layer, forbidden) in FORBIDDEN {
            for file in layer_files(layer) {
                let code = code(&file);
                for module in crate_modules(&code) {
                    if forbidden.contains(&module.as_str()) {
                        violations.push(format!("{} uses crate::{module}", file.display()));
                    }
                }
                let crates = FORBIDDEN_CRATES.iter().filter(|(l, _)| l == layer).flat_map(|(_, c)| c.iter());
                for name in crates {
                    let used = code
                        .match_indices(name)
                        .any(|(at, _)| at == 0 || !code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_'));
                    if used {
                        violations.push(format!("{} uses the crate {name}*", file.display()));
                    }
                }
            }
        }
        assert!(
            violations.is_empty(),
            "imports that point up the layers (docs/architecture.md):\n{}",
            violations.join("\n")
        );
    }
}
