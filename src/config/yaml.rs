//! All YAML access of the project goes through this module (serde_yaml is archived upstream:
//! moving to a maintained fork is a change here only).
//!
//! Two readers of the same text:
//! - [`from_str`]: typed deserialization with serde (errors carry a line:column);
//! - [`PositionIndex::build`]: saphyr's marked tree, flattened into `path -> position`, so
//!   that semantic checks made after deserialization can point at the offending key or value.

use std::collections::HashMap;

use saphyr::{LoadableYamlNode, MarkedYamlOwned, ScalarOwned, YamlDataOwned};
use saphyr_parser::{Event, Parser};
use serde::de::DeserializeOwned;

/// A 1-based line and column in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A YAML reading error with its position when the parser knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub pos: Option<Pos>,
}

/// Deserializes `text` into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_yaml::from_str(text).map_err(|e| {
        let pos = e.location().map(|l| Pos { line: l.line(), column: l.column() });
        let mut message = e.to_string();
        // serde_yaml appends " at line L column C": the position is reported separately.
        if let Some(i) = message.find(" at line ") {
            message.truncate(i);
        }
        YamlError { message, pos }
    })
}

/// Why [`split_settings`] failed: the message (prefixed with the path of the offending node),
/// its position when the parser knows it, else the path to look up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    pub message: String,
    pub pos: Option<Pos>,
    pub path: Option<String>,
    /// The path names a key (an unknown one), not a value.
    pub at_key: bool,
}

/// Deserializes the top-level mapping of `text` in two parts: the entries named in `common`
/// into `C`, all others into `S`. Errors carry the path of the offending node (for unknown
/// keys, the key itself), so the caller can find its position.
pub fn split_settings<C: DeserializeOwned, S: DeserializeOwned>(
    text: &str,
    common: &[&str],
) -> Result<(C, S), SplitError> {
    let value: serde_yaml::Value = from_str(text).map_err(|e| SplitError {
        message: e.message,
        pos: e.pos,
        path: None,
        at_key: false,
    })?;
    let mut map = match value {
        serde_yaml::Value::Null => serde_yaml::Mapping::new(),
        serde_yaml::Value::Mapping(m) => m,
        _ => {
            return Err(SplitError {
                message: "the config must be a mapping of keys to values".to_string(),
                pos: Some(Pos { line: 1, column: 1 }),
                path: None,
                at_key: false,
            });
        }
    };
    let mut own = serde_yaml::Mapping::new();
    for key in common {
        if let Some(v) = map.remove(*key) {
            own.insert(serde_yaml::Value::from(*key), v);
        }
    }
    let c = typed(own, &[])?;
    let s = typed(map, common)?;
    Ok((c, s))
}

/// Deserializes one part; `also_allowed` are top-level keys read elsewhere (added to the
/// list an unknown top-level key's message offers).
fn typed<T: DeserializeOwned>(map: serde_yaml::Mapping, also_allowed: &[&str]) -> Result<T, SplitError> {
    serde_path_to_error::deserialize(serde_yaml::Value::Mapping(map)).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let mut inner = e.into_inner().to_string();
        let unknown =
            inner.strip_prefix("unknown field `").and_then(|rest| rest.split('`').next()).map(str::to_string);
        // serde_path_to_error's path ends at the map holding an unknown key; point at the key.
        let at = match &unknown {
            Some(k) if !path.ends_with(k.as_str()) => {
                if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                }
            }
            _ => path.clone(),
        };
        let holder = parent(&at).unwrap_or("").to_string();
        if unknown.is_some() && holder.is_empty() && !also_allowed.is_empty() {
            let extra: Vec<String> = also_allowed.iter().map(|k| format!("`{k}`")).collect();
            inner = match inner.find(", expected") {
                Some(_) => format!("{inner}, {}", extra.join(", ")),
                None => inner,
            };
        }
        let shown = if unknown.is_some() { holder } else { path };
        let message = if shown.is_empty() { inner } else { format!("{shown}: {inner}") };
        SplitError { message, pos: None, path: Some(at), at_key: unknown.is_some() }
    })
}

/// Deepest nesting [`check_structure`] accepts (the config needs 4 levels).
pub const MAX_DEPTH: usize = 64;
/// Most that aliases may add to a document, counted in nodes plus scalar bytes.
pub const MAX_ALIAS_EXPANSION: usize = 1 << 20;

/// An open collection while checking the structure.
struct Frame {
    map: bool,
    /// For a mapping: the next node is a key.
    want_key: bool,
    keys: HashMap<String, Pos>,
    anchor: usize,
    /// Nodes plus scalar bytes of the collection with its aliases expanded.
    weight: usize,
}

/// Checks what serde would accept silently or expand without bound: duplicate keys (serde
/// keeps the last one of a map), tags other than the core `!!` ones (serde drops them, so
/// `!Ref x` would read as `x`), collection or alias keys, more than one document, nesting
/// deeper than [`MAX_DEPTH`], and aliases that expand to more than [`MAX_ALIAS_EXPANSION`]
/// (a "billion laughs" document, or one long string aliased many times). Works on the
/// parser's events, so nothing is expanded or recursed into.
pub fn check_structure(text: &str) -> Result<(), YamlError> {
    let fail = |message: String, pos: Pos| Err(YamlError { message, pos: Some(pos) });
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, usize> = HashMap::new();
    let mut expanded = 0usize;
    let mut documents = 0usize;
    for item in Parser::new_from_str(text) {
        let (event, span) = match item {
            Ok(x) => x,
            // The scanner's flow-level overflow (256 open brackets, read ahead): too deep too.
            Err(e) if e.info() == "recursion limit exceeded" => {
                return fail(format!("nesting deeper than {MAX_DEPTH} levels"), marker_pos(e.marker()));
            }
            Err(e) => return fail(e.info().to_string(), marker_pos(e.marker())),
        };
        let pos = marker_pos(&span.start);
        let is_map = matches!(event, Event::MappingStart(..));
        // A finished node: (its weight, its key text when it is a plain scalar, its anchor).
        let done: (usize, Option<String>, usize) = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return fail(
                        "a config file holds one YAML document: remove the `---` and what follows".into(),
                        pos,
                    );
                }
                continue;
            }
            Event::Scalar(value, _, anchor, tag) => {
                check_tag(tag.as_deref(), pos)?;
                (1 + value.len(), Some(value.into_owned()), anchor)
            }
            Event::Alias(id) => {
                let Some(&weight) = anchors.get(&id) else {
                    return fail("alias to an anchor that is not defined before it".into(), pos);
                };
                expanded = expanded.saturating_add(weight);
                if expanded > MAX_ALIAS_EXPANSION {
                    return fail(
                        format!(
                            "aliases expand to more than {MAX_ALIAS_EXPANSION} nodes and bytes (an alias bomb?)"
                        ),
                        pos,
                    );
                }
                if stack.last().is_some_and(|f| f.map && f.want_key) {
                    return fail("a mapping key must be a plain value, not an alias".into(), pos);
                }
                (weight, None, 0)
            }
            Event::MappingStart(anchor, tag) | Event::SequenceStart(anchor, tag) => {
                check_tag(tag.as_deref(), pos)?;
                if stack.last().is_some_and(|f| f.map && f.want_key) {
                    return fail("a mapping key must be a plain value, not a collection".into(), pos);
                }
                if stack.len() >= MAX_DEPTH {
                    return fail(format!("nesting deeper than {MAX_DEPTH} levels"), pos);
                }
                stack.push(Frame { map: is_map, want_key: true, keys: HashMap::new(), anchor, weight: 1 });
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => match stack.pop() {
                Some(f) => (f.weight, None, f.anchor),
                None => continue,
            },
            _ => continue,
        };
        let (weight, key, anchor) = done;
        if anchor != 0 {
            anchors.insert(anchor, weight);
        }
        let Some(parent) = stack.last_mut() else { continue };
        parent.weight = parent.weight.saturating_add(weight);
        if parent.map {
            if parent.want_key
                && let Some(key) = key
            {
                if let Some(first) = parent.keys.get(&key) {
                    return fail(
                        format!(
                            "duplicate key `{key}` (first at line {}, column {})",
                            first.line, first.column
                        ),
                        pos,
                    );
                }
                parent.keys.insert(key, pos);
            }
            parent.want_key = !parent.want_key;
        }
    }
    Ok(())
}

fn check_tag(tag: Option<&saphyr_parser::Tag>, pos: Pos) -> Result<(), YamlError> {
    match tag {
        Some(t) if !t.is_yaml_core_schema() => Err(YamlError {
            message: format!(
                "unknown tag `{t}`: the environment config is plain YAML (no CloudFormation short forms or custom tags)"
            ),
            pos: Some(pos),
        }),
        _ => Ok(()),
    }
}

/// One segment of a path into a YAML document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Formats a path as `alarms[1].threshold` (the root is empty).
pub fn path_string(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// Where each node of a document starts: its value, and for mapping entries also the key.
#[derive(Debug, Default, Clone)]
pub struct PositionIndex {
    values: HashMap<String, Pos>,
    keys: HashMap<String, Pos>,
}

impl PositionIndex {
    /// Indexes the first document of `text`. A text the parser rejects gives an empty index
    /// (the serde reader reports that error with its position).
    pub fn build(text: &str) -> Self {
        let mut index = PositionIndex::default();
        if let Ok(docs) = MarkedYamlOwned::load_from_str(text)
            && let Some(doc) = docs.first()
        {
            index.walk(doc, &mut Vec::new());
        }
        index
    }

    fn walk(&mut self, node: &MarkedYamlOwned, path: &mut Vec<Seg>) {
        let here = path_string(path);
        self.values.insert(here, marker_pos(&node.span.start));
        match &node.data {
            YamlDataOwned::Mapping(map) => {
                for (k, v) in map {
                    let key = scalar_text(k);
                    path.push(Seg::Key(key));
                    self.keys.insert(path_string(path), marker_pos(&k.span.start));
                    self.walk(v, path);
                    path.pop();
                }
            }
            YamlDataOwned::Sequence(items) => {
                for (i, v) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    self.walk(v, path);
                    path.pop();
                }
            }
            YamlDataOwned::Tagged(_, inner) => self.walk(inner, path),
            _ => {}
        }
    }

    /// Position of the value at `path` (`alarms[0].threshold`), or of the nearest ancestor
    /// that exists.
    pub fn value(&self, path: &str) -> Option<Pos> {
        let mut p = path;
        loop {
            if let Some(pos) = self.values.get(p) {
                return Some(*pos);
            }
            p = parent(p)?;
        }
    }

    /// Whether the document has a node at exactly `path`.
    pub fn exact(&self, path: &str) -> bool {
        self.values.contains_key(path)
    }

    /// Position of the key of the mapping entry at `path`, falling back to [`Self::value`].
    pub fn key(&self, path: &str) -> Option<Pos> {
        self.keys.get(path).copied().or_else(|| self.value(path))
    }
}

fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

fn scalar_text(node: &MarkedYamlOwned) -> String {
    match &node.data {
        YamlDataOwned::Value(s) => match s {
            ScalarOwned::String(s) => s.clone(),
            ScalarOwned::Integer(i) => i.to_string(),
            ScalarOwned::FloatingPoint(f) => f.to_string(),
            ScalarOwned::Boolean(b) => b.to_string(),
            ScalarOwned::Null => "~".to_string(),
        },
        YamlDataOwned::Representation(s, ..) => s.clone(),
        _ => String::new(),
    }
}

/// saphyr reports 1-based lines and 0-based columns counted in characters; we report
/// 1-based columns (as serde_yaml and editors do).
fn marker_pos(m: &saphyr::Marker) -> Pos {
    Pos { line: m.line(), column: m.col() + 1 }
}

/// Byte offset of a 1-based line:column (columns counted in characters) in `text`.
pub fn byte_offset(text: &str, pos: Pos) -> usize {
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i + 1 == pos.line {
            let col = line.char_indices().nth(pos.column.saturating_sub(1)).map_or(line.len(), |(b, _)| b);
            return offset + col;
        }
        offset += line.len();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "a: 1\nlist:\n  - x: 2\n    y: [3, 4]\n  - z\n";

    #[test]
    fn indexes_values_and_keys() {
        let idx = PositionIndex::build(DOC);
        assert_eq!(idx.value("a"), Some(Pos { line: 1, column: 4 }));
        assert_eq!(idx.key("a"), Some(Pos { line: 1, column: 1 }));
        assert_eq!(idx.key("list[0].y"), Some(Pos { line: 4, column: 5 }));
        assert_eq!(idx.value("list[0].y[1]"), Some(Pos { line: 4, column: 12 }));
        assert_eq!(idx.value("list[1]"), Some(Pos { line: 5, column: 5 }));
        // Missing paths fall back to the nearest ancestor.
        assert_eq!(idx.value("list[0].nope"), idx.value("list[0]"));
    }

    #[test]
    fn byte_offsets_follow_lines_and_characters() {
        let text = "é: 1\nb: 2\n";
        assert_eq!(byte_offset(text, Pos { line: 2, column: 1 }), 6);
        assert_eq!(byte_offset(text, Pos { line: 1, column: 2 }), 2);
    }

    #[test]
    fn serde_errors_carry_positions() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct S {
            a: u32,
        }
        let e = from_str::<S>("a: 1\nb: 2\n").unwrap_err();
        assert_eq!(e.pos, Some(Pos { line: 2, column: 1 }));
        assert!(e.message.starts_with("unknown field `b`"), "{}", e.message);
    }
}
