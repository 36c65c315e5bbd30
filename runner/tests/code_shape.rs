//! The shape of the workspace's code, checked on every test run (issue 17): no import cycle
//! between the modules of a crate, no function over 80 lines outside tests, and no
//! `Result<_, String>` outside tests (errors are typed).
//!
//! Both read the source text (no compiler): `code_shape/source.rs` blanks comments, literals and
//! `#[cfg(test)]` items; `code_shape/imports.rs` builds the file-level module graph (its doc says
//! exactly what an edge is); `code_shape/functions.rs` measures functions;
//! `code_shape/results.rs` finds errors carried as text; `code_shape/layers.rs` keeps the
//! runner's commands thin adapters (no command imports another; the output manager writes
//! every file).

#[path = "code_shape/functions.rs"]
mod functions;
#[path = "code_shape/imports.rs"]
mod imports;
#[path = "code_shape/layers.rs"]
mod layers;
#[path = "code_shape/results.rs"]
mod results;
#[path = "code_shape/source.rs"]
mod source;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The most lines a function outside tests may span, from `fn` to its closing brace.
const MAX_FUNCTION_LINES: usize = 80;

/// The `src/` directory of every workspace crate.
fn crate_sources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    [
        "bench-core",
        "runner",
        "scenarios",
        "benches",
        "runner/tests/fixtures/criterion-fixture",
    ]
    .iter()
    .map(|member| root.join(member).join("src"))
    .collect()
}

fn relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn no_import_cycles() {
    let mut report = Vec::new();
    for src in crate_sources() {
        let files = source::crate_files(&src);
        assert!(!files.is_empty(), "no Rust files under {}", src.display());
        let graph = imports::Crate::new(&files);
        let edges = graph.edges();
        let set: BTreeSet<(usize, usize)> = edges.keys().copied().collect();
        for (cycle, component) in imports::cycles(files.len(), &set) {
            let steps: Vec<String> = cycle
                .windows(2)
                .map(|w| format!("{}:{}", relative(&files[w[0]].path), edges[&(w[0], w[1])]))
                .collect();
            report.push(format!(
                "{} → {}",
                steps.join(" → "),
                relative(&files[cycle[0]].path)
            ));
            if component.len() + 1 > cycle.len() {
                let names: Vec<String> = component
                    .iter()
                    .map(|&f| relative(&files[f].path))
                    .collect();
                report.push(format!(
                    "  (one cycle of {} files depending on each other: {})",
                    names.len(),
                    names.join(", ")
                ));
            }
            if std::env::var_os("CODE_SHAPE_EDGES").is_some() {
                for (&(a, b), line) in &edges {
                    if component.contains(&a) && component.contains(&b) {
                        report.push(format!(
                            "    {}:{} → {}",
                            relative(&files[a].path),
                            line,
                            relative(&files[b].path)
                        ));
                    }
                }
            }
        }
    }
    assert!(
        report.is_empty(),
        "import cycles (file:line where the next file is named):\n{}",
        report.join("\n")
    );
}

#[test]
fn no_long_functions() {
    let mut report = Vec::new();
    let mut lengths: BTreeMap<String, usize> = BTreeMap::new();
    for src in crate_sources() {
        for file in source::crate_files(&src) {
            let path = relative(&file.path);
            for f in functions::functions(&file.tokens) {
                if f.lines <= MAX_FUNCTION_LINES {
                    continue;
                }
                lengths.insert(format!("{path}:{} {}", f.line, f.name), f.lines);
                report.push(format!(
                    "{path}:{}: fn {} spans {} lines",
                    f.line, f.name, f.lines
                ));
            }
        }
    }
    if std::env::var_os("CODE_SHAPE_LIST").is_some() {
        for (function, lines) in &lengths {
            println!("{lines:4} {function}");
        }
    }
    assert!(
        report.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines outside tests (split them):\n{}",
        report.join("\n")
    );
}

#[test]
fn no_text_errors() {
    let mut report = Vec::new();
    for src in crate_sources() {
        let mut files = source::crate_files(&src);
        // A binary's main.rs is not a module of the library, but its code is checked all the same.
        let main = src.join("main.rs");
        if let Ok(text) = std::fs::read_to_string(&main) {
            let code = source::strip_tests(&source::blank_comments_and_literals(&text));
            files.push(source::SourceFile {
                module: Vec::new(),
                tokens: source::tokenize(&code),
                path: main,
            });
        }
        for file in files {
            for line in results::string_errors(&file.tokens) {
                report.push(format!("{}:{line}", relative(&file.path)));
            }
        }
    }
    assert!(
        report.is_empty(),
        "Result<_, String> outside tests (use a thiserror enum of the module):\n{}",
        report.join("\n")
    );
}

#[test]
fn commands_do_not_import_each_other() {
    let modules = layers::command_modules();
    let names = layers::command_names(&modules);
    assert!(names.len() >= 10, "command modules: {names:?}");
    let mut report = Vec::new();
    for ((path, tokens), own) in modules.iter().zip(&names) {
        for (line, what) in layers::imports_of_commands(tokens, own, &names) {
            report.push(format!("{}:{line}: {what}", relative(path)));
        }
    }
    assert!(
        report.is_empty(),
        "command modules importing another command (move what they share to runner/src/session/ \
         or runner/src/output.rs):\n{}",
        report.join("\n")
    );
}

#[test]
fn files_are_written_by_the_output_manager() {
    let modules = layers::command_modules();
    assert!(modules.len() >= 10, "{} command modules", modules.len());
    let mut report = Vec::new();
    for (path, tokens) in modules {
        for (line, what) in layers::file_writes(&tokens) {
            report.push(format!("{}:{line}: {what}", relative(&path)));
        }
    }
    assert!(
        report.is_empty(),
        "files written by a command (write them through runner/src/output.rs):\n{}",
        report.join("\n")
    );
}

#[test]
fn the_layer_checks_see_what_they_look_for() {
    let names: Vec<String> = ["run", "gate", "compare"].map(String::from).to_vec();
    let code = "use crate::commands::run::execute;\nuse super::{gate, Exit};\nuse super::run;\n\
                fn f() { super::compare::conclude(); crate::atomic::write(p, b); \
                std::fs::write(p, b); File::create(p); }";
    let tokens = source::tokenize(code);
    let found = layers::imports_of_commands(&tokens, "compare", &names);
    let what: Vec<&str> = found.iter().map(|(_, w)| w.as_str()).collect();
    assert_eq!(
        what,
        ["crate::commands", "super::{gate}", "super::run"],
        "{found:?}"
    );
    let writes = layers::file_writes(&tokens);
    let what: Vec<&str> = writes.iter().map(|(_, w)| w.as_str()).collect();
    assert_eq!(
        what,
        ["atomic::write", "fs::write", "File::create"],
        "{writes:?}"
    );
}
