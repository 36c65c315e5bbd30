//! The module graph of one crate: which file's code names an item defined in which other file.
//!
//! Granularity: one node per file (`foo.rs` and `foo/mod.rs` are the module `foo`; each other
//! file below `foo/` is a module of its own). `A → B` when A's code names an item that B
//! defines: through a `use` whose name A then uses, or a path (`crate::…`, `super::…`,
//! `self::…`, a child module, an imported module) written in A's code. Names are followed
//! through `use` re-exports to the file that defines them, so a module whose `mod.rs` only
//! re-exports adds no edge of its own. A module's use of its own submodules is not an edge: a
//! `mod.rs` is the facade of its directory and composes its children, which may use the types it
//! shares with them (the edge child → parent counts). Test-only code (`#[cfg(test)]` items, `#![cfg(test)]`
//! files) is left out: a test module may name its parent.

use std::collections::{BTreeMap, BTreeSet};

use super::source::{SourceFile, Token};

/// A name brought into scope by a `use`: `alias` stands for `path` (segments as written).
#[derive(Debug)]
struct Import {
    alias: String,
    path: Vec<String>,
    glob: bool,
}

/// The crate's files and, per file, its imports and the token ranges that are `use`
/// declarations (not counted as uses of a name).
pub struct Crate<'a> {
    files: &'a [SourceFile],
    by_module: BTreeMap<Vec<String>, usize>,
    imports: Vec<Vec<Import>>,
    use_ranges: Vec<Vec<(usize, usize)>>,
}

impl<'a> Crate<'a> {
    pub fn new(files: &'a [SourceFile]) -> Self {
        let by_module = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.module.clone(), i))
            .collect();
        let mut imports = Vec::new();
        let mut use_ranges = Vec::new();
        for file in files {
            let (found, ranges) = parse_uses(&file.tokens);
            imports.push(found);
            use_ranges.push(ranges);
        }
        Crate {
            files,
            by_module,
            imports,
            use_ranges,
        }
    }

    /// Every `A → B` edge (file indices), with one line of A where B is named.
    pub fn edges(&self) -> BTreeMap<(usize, usize), usize> {
        let mut edges = BTreeMap::new();
        for from in 0..self.files.len() {
            let tokens = &self.files[from].tokens;
            let in_use = |k: usize| self.use_ranges[from].iter().any(|&(s, e)| k >= s && k < e);
            let mut k = 0;
            while k < tokens.len() {
                let after = |text: &str| k > 0 && tokens[k - 1].is(text);
                if in_use(k) || !tokens[k].is_ident() || after("::") || after(".") || after("mod") {
                    k += 1;
                    continue;
                }
                let path = path_at(tokens, k);
                let len = path.len() * 2 - 1;
                let bare_module = path.len() == 1 && self.names_module(from, &path[0]);
                if let Some(to) = self.resolve_in(from, &path, 0).filter(|_| !bare_module) {
                    if to != from && !self.is_descendant(to, from) {
                        edges.entry((from, to)).or_insert(tokens[k].line);
                    }
                }
                k += len;
            }
            for import in self.imports[from].iter().filter(|i| i.glob) {
                if let Some(to) = self.resolve_in(from, &import.path, 0) {
                    if to != from && !self.is_descendant(to, from) {
                        edges.entry((from, to)).or_insert(0);
                    }
                }
            }
        }
        edges
    }

    /// Whether file `child`'s module lies inside file `parent`'s module.
    fn is_descendant(&self, child: usize, parent: usize) -> bool {
        let (child, parent) = (&self.files[child].module, &self.files[parent].module);
        child.len() > parent.len() && child.starts_with(parent)
    }

    /// Whether `name` in file `from` is an imported module (a bare module name is no use of it:
    /// a local variable or field that happens to share the name).
    fn names_module(&self, from: usize, name: &str) -> bool {
        let Some(import) = self.imports[from]
            .iter()
            .find(|i| i.alias == name && !i.glob)
        else {
            return false;
        };
        let module = &self.files[from].module;
        let absolute: Vec<String> = match import.path[0].as_str() {
            "crate" => import.path[1..].to_vec(),
            "self" => module.iter().chain(&import.path[1..]).cloned().collect(),
            "super" => {
                let ups = import.path.iter().take_while(|s| *s == "super").count();
                let base = module.len().saturating_sub(ups);
                module[..base]
                    .iter()
                    .chain(&import.path[ups..])
                    .cloned()
                    .collect()
            }
            _ => return true, // another crate's module or item: never an edge
        };
        self.by_module.contains_key(&absolute)
    }

    /// The file defining what `path` names when written in file `from`; `None` for another
    /// crate, a local item or a name this reading does not follow.
    fn resolve_in(&self, from: usize, path: &[String], depth: usize) -> Option<usize> {
        if depth > 16 {
            return None;
        }
        let module = &self.files[from].module;
        let first = path.first()?.as_str();
        let absolute: Vec<String> = match first {
            "crate" => path[1..].to_vec(),
            "self" => module.iter().chain(&path[1..]).cloned().collect(),
            "super" => {
                let ups = path.iter().take_while(|s| *s == "super").count();
                let base = module.len().checked_sub(ups)?;
                module[..base].iter().chain(&path[ups..]).cloned().collect()
            }
            _ => {
                if let Some(import) = self.imports[from]
                    .iter()
                    .find(|i| i.alias == first && !i.glob)
                {
                    let mut full = import.path.clone();
                    full.extend_from_slice(&path[1..]);
                    return self.resolve_in(from, &full, depth + 1);
                }
                let child: Vec<String> = module
                    .iter()
                    .chain(std::iter::once(&path[0]))
                    .cloned()
                    .collect();
                if !self.by_module.contains_key(&child) {
                    return None;
                }
                module.iter().chain(path).cloned().collect()
            }
        };
        self.resolve_absolute(&absolute, depth)
    }

    /// Walks the modules of `path`; at the first segment that is not a module file, follows
    /// that file's `use` of the name (a re-export) or stops at the file (it defines the name).
    fn resolve_absolute(&self, path: &[String], depth: usize) -> Option<usize> {
        if depth > 16 {
            return None;
        }
        let mut module: Vec<String> = Vec::new();
        let mut file = *self.by_module.get(&module)?;
        for (k, segment) in path.iter().enumerate() {
            module.push(segment.clone());
            match self.by_module.get(&module) {
                Some(&child) => file = child,
                None => {
                    let import = self.imports[file]
                        .iter()
                        .find(|i| &i.alias == segment && !i.glob);
                    return match import {
                        Some(import) => {
                            let mut full = import.path.clone();
                            full.extend_from_slice(&path[k + 1..]);
                            self.resolve_in(file, &full, depth + 1).or(Some(file))
                        }
                        None => Some(file),
                    };
                }
            }
        }
        Some(file)
    }
}

/// The path written at token `k`: identifiers joined by `::` (`a::b::C`).
fn path_at(tokens: &[Token], k: usize) -> Vec<String> {
    let mut path = vec![tokens[k].text.clone()];
    let mut j = k + 1;
    while j + 1 < tokens.len() && tokens[j].is("::") && tokens[j + 1].is_ident() {
        path.push(tokens[j + 1].text.clone());
        j += 2;
    }
    path
}

/// Every `use` declaration: its imports and its token range.
fn parse_uses(tokens: &[Token]) -> (Vec<Import>, Vec<(usize, usize)>) {
    let mut imports = Vec::new();
    let mut ranges = Vec::new();
    for (k, token) in tokens.iter().enumerate() {
        if !token.is("use") || tokens.get(k + 1).is_some_and(|t| t.is("<")) {
            continue;
        }
        let end = tokens[k..]
            .iter()
            .position(|t| t.is(";"))
            .map_or(tokens.len(), |p| k + p);
        let mut pos = k + 1;
        use_tree(&tokens[..end], &mut pos, &[], &mut imports);
        ranges.push((k, end));
    }
    (imports, ranges)
}

/// One use tree at `pos` under `prefix`: `a::b`, `a::b as c`, `a::{…}`, `a::*`, `{…}`.
fn use_tree(tokens: &[Token], pos: &mut usize, prefix: &[String], out: &mut Vec<Import>) {
    let mut path = prefix.to_vec();
    if tokens.get(*pos).is_some_and(|t| t.is("::")) {
        *pos += 1; // a leading `::` (an external crate)
    }
    while let Some(token) = tokens.get(*pos) {
        if token.is("{") {
            *pos += 1;
            while tokens.get(*pos).is_some_and(|t| !t.is("}")) {
                use_tree(tokens, pos, &path, out);
                if tokens.get(*pos).is_some_and(|t| t.is(",")) {
                    *pos += 1;
                }
            }
            *pos += 1;
            return;
        }
        if token.is("*") {
            *pos += 1;
            out.push(Import {
                alias: String::new(),
                path,
                glob: true,
            });
            return;
        }
        if !token.is_ident() {
            return;
        }
        path.push(token.text.clone());
        *pos += 1;
        if tokens.get(*pos).is_some_and(|t| t.is("::")) {
            *pos += 1;
            continue;
        }
        break;
    }
    if path.last().is_some_and(|s| s == "self") {
        path.pop();
    }
    let mut alias = path.last().cloned().unwrap_or_default();
    if tokens.get(*pos).is_some_and(|t| t.is("as")) {
        alias = tokens
            .get(*pos + 1)
            .map(|t| t.text.clone())
            .unwrap_or_default();
        *pos += 2;
    }
    if !path.is_empty() && alias != "_" {
        out.push(Import {
            alias,
            path,
            glob: false,
        });
    }
}

/// The cycles of the graph: each strongly connected component of more than one file, with a
/// shortest cycle through its first file (file indices, first repeated at the end).
pub fn cycles(nodes: usize, edges: &BTreeSet<(usize, usize)>) -> Vec<(Vec<usize>, Vec<usize>)> {
    let mut found = Vec::new();
    for component in components(nodes, edges) {
        if component.len() < 2 {
            continue;
        }
        found.push((cycle_in(&component, edges), component));
    }
    found
}

/// Strongly connected components by reachability (the graphs are a few hundred files).
fn components(nodes: usize, edges: &BTreeSet<(usize, usize)>) -> Vec<Vec<usize>> {
    let reach: Vec<BTreeSet<usize>> = (0..nodes).map(|n| reachable(n, edges)).collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for n in 0..nodes {
        if seen.contains(&n) {
            continue;
        }
        let component: Vec<usize> = (0..nodes)
            .filter(|&m| m == n || (reach[n].contains(&m) && reach[m].contains(&n)))
            .collect();
        seen.extend(component.iter().copied());
        out.push(component);
    }
    out
}

fn reachable(start: usize, edges: &BTreeSet<(usize, usize)>) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![start];
    while let Some(n) = stack.pop() {
        for &(_, to) in edges.range((n, 0)..(n + 1, 0)) {
            if seen.insert(to) {
                stack.push(to);
            }
        }
    }
    seen
}

/// A shortest cycle through the component's first file (breadth-first back to it).
fn cycle_in(component: &[usize], edges: &BTreeSet<(usize, usize)>) -> Vec<usize> {
    let start = component[0];
    let inside: BTreeSet<usize> = component.iter().copied().collect();
    let mut previous: BTreeMap<usize, usize> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        for &(_, to) in edges.range((n, 0)..(n + 1, 0)) {
            if to == start {
                let mut cycle = vec![start];
                let mut at = n;
                while at != start {
                    cycle.push(at);
                    at = previous[&at];
                }
                cycle.push(start);
                cycle.reverse();
                return cycle;
            }
            if inside.contains(&to) && !previous.contains_key(&to) && to != start {
                previous.insert(to, n);
                queue.push_back(to);
            }
        }
    }
    component.to_vec()
}
