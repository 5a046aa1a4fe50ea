//! The event-level YAML reader: builds a `serde_json::Value` and its position tree from
//! saphyr-parser events, enforcing the hostile-input limits.

use std::collections::HashMap;

use indexmap::IndexMap;
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Tag};
use serde_json::{Map, Value};

use super::positions::{Children, Pos, PosTree, Span};
use super::scalar;
use super::{Limits, SyntaxKind};

/// Short-form tags and the JSON key they stand for.
pub const SHORT_FORMS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("GetAtt", "Fn::GetAtt"),
    ("Sub", "Fn::Sub"),
    ("Join", "Fn::Join"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("If", "Fn::If"),
    ("Equals", "Fn::Equals"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("Not", "Fn::Not"),
    ("ImportValue", "Fn::ImportValue"),
    ("GetAZs", "Fn::GetAZs"),
    ("Base64", "Fn::Base64"),
    ("FindInMap", "Fn::FindInMap"),
    ("Cidr", "Fn::Cidr"),
    ("Transform", "Fn::Transform"),
    ("Length", "Fn::Length"),
    ("ToJsonString", "Fn::ToJsonString"),
    ("GetStackOutput", "Fn::GetStackOutput"),
    // Functions of the Rules section.
    ("Contains", "Fn::Contains"),
    ("EachMemberEquals", "Fn::EachMemberEquals"),
    ("EachMemberIn", "Fn::EachMemberIn"),
    ("RefAll", "Fn::RefAll"),
    ("ValueOf", "Fn::ValueOf"),
    ("ValueOfAll", "Fn::ValueOfAll"),
];

/// A located problem found while building.
#[derive(Debug)]
pub(crate) enum BuildError {
    /// `pointer`: the JSON pointer of the innermost complete key above the problem (filled in
    /// by [`build`] from the collections open when it was found), `None` at the top level.
    Syntax {
        kind: SyntaxKind,
        message: String,
        span: Span,
        pointer: Option<String>,
    },
    Duplicate {
        key: String,
        first: Span,
        second: Span,
        pointer: Option<String>,
    },
    Empty,
}

/// Char index -> byte offset, with a checkpoint every 256 characters.
struct Offsets<'a> {
    text: &'a str,
    ascii: bool,
    checkpoints: Vec<usize>,
}

const STRIDE: usize = 256;

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        let ascii = text.is_ascii();
        let checkpoints =
            if ascii { Vec::new() } else { text.char_indices().step_by(STRIDE).map(|(b, _)| b).collect() };
        Offsets { text, ascii, checkpoints }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        let Some(&base) = self.checkpoints.get(char_index / STRIDE) else { return self.text.len() };
        let rest = char_index % STRIDE;
        self.text[base..].char_indices().nth(rest).map_or(self.text.len(), |(b, _)| base + b)
    }

    fn pos(&self, m: &Marker) -> Pos {
        Pos {
            line: u32::try_from(m.line()).unwrap_or(u32::MAX),
            column: u32::try_from(m.col() + 1).unwrap_or(u32::MAX),
            offset: self.byte(m.index()),
        }
    }

    fn span(&self, s: &saphyr_parser::Span) -> Span {
        Span { start: self.pos(&s.start), end: self.pos(&s.end) }
    }
}

enum Kind {
    Seq(Vec<Value>, Vec<PosTree>),
    Map {
        map: Map<String, Value>,
        pos: IndexMap<String, PosTree>,
        pending: Option<(String, Span, bool)>,
        merges: Vec<(Value, PosTree, Span)>,
    },
}

struct Frame {
    kind: Kind,
    anchor: usize,
    start: Span,
    /// Short-form intrinsic wrapping this collection: (JSON key, tag span).
    wrap: Option<(&'static str, Span)>,
}

struct Builder<'a> {
    offsets: Offsets<'a>,
    json: bool,
    limits: Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Value, PosTree)>,
    aliases: usize,
    alias_nodes: usize,
    alias_bytes: usize,
    documents: usize,
    root: Option<(Value, PosTree)>,
    features: YamlFeatures,
}

/// Where a template uses YAML features that CloudFormation itself rejects (it accepts them
/// only after `aws cloudformation package` or SAM has expanded them).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct YamlFeatures {
    /// Each alias use (`*name`).
    pub aliases: Vec<Span>,
    /// Each merge key (`<<`).
    pub merge_keys: Vec<Span>,
}

fn err(kind: SyntaxKind, message: impl Into<String>, span: Span) -> BuildError {
    BuildError::Syntax { kind, message: message.into(), span, pointer: None }
}

/// Span covering a tag written at the start of `node` (`!Ref`).
fn tag_span(node: Span, tag: &Tag) -> Span {
    let len = 1 + tag.suffix.chars().count();
    let mut end = node.start;
    end.column += u32::try_from(len).unwrap_or(0);
    end.offset += tag.suffix.len() + 1;
    Span { start: node.start, end }
}

enum TagKind {
    None,
    /// The non-specific tag `!`: a scalar is a string, a collection is untagged (YAML 1.2 §6.9.1).
    NonSpecific,
    Intrinsic(&'static str),
    Core(String),
}

fn classify(tag: Option<&Tag>, span: Span) -> Result<TagKind, BuildError> {
    let Some(tag) = tag else { return Ok(TagKind::None) };
    if tag.handle.is_empty() && tag.suffix == "!" {
        return Ok(TagKind::NonSpecific);
    }
    if tag.handle == "!" {
        if let Some((_, key)) = SHORT_FORMS.iter().find(|(s, _)| *s == tag.suffix) {
            return Ok(TagKind::Intrinsic(key));
        }
        return Err(err(
            SyntaxKind::UnknownTag,
            format!(
                "unknown tag `!{}`: CloudFormation knows the short forms {}",
                tag.suffix,
                SHORT_FORMS.iter().map(|(s, _)| format!("!{s}")).collect::<Vec<_>>().join(", ")
            ),
            span,
        ));
    }
    if tag.is_yaml_core_schema() {
        return Ok(TagKind::Core(tag.suffix.clone()));
    }
    Err(err(SyntaxKind::UnknownTag, format!("unknown tag `{tag}`"), span))
}

fn wrap_intrinsic(
    key: &'static str,
    inner: Value,
    inner_tree: PosTree,
    node: Span,
    tag: Span,
) -> (Value, PosTree) {
    let mut map = Map::new();
    map.insert(key.to_string(), inner);
    let mut children = IndexMap::new();
    children.insert(key.to_string(), PosTree { key: Some(tag), ..inner_tree });
    (Value::Object(map), PosTree { key: None, value: node, children: Children::Map(children) })
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, json: bool, limits: Limits) -> Self {
        Builder {
            offsets: Offsets::new(text),
            json,
            limits,
            stack: Vec::new(),
            anchors: HashMap::new(),
            aliases: 0,
            alias_nodes: 0,
            alias_bytes: 0,
            documents: 0,
            root: None,
            features: YamlFeatures::default(),
        }
    }
}

impl Builder<'_> {
    fn scalar(
        &self,
        text: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<(Value, PosTree), BuildError> {
        let leaf = PosTree::leaf(span);
        match classify(tag, span)? {
            TagKind::None if style == ScalarStyle::Plain => {
                Ok((scalar::resolve_plain(text, self.json), leaf))
            }
            TagKind::None | TagKind::NonSpecific => Ok((Value::String(text.to_string()), leaf)),
            TagKind::Intrinsic("Fn::GetAtt") => {
                // `!GetAtt Resource.Attribute` splits at the first dot, as CloudFormation does.
                let (inner, tree) = match text.split_once('.') {
                    Some((r, a)) => (
                        Value::Array(vec![Value::String(r.into()), Value::String(a.into())]),
                        PosTree { key: None, value: span, children: Children::Seq(vec![leaf.clone(), leaf]) },
                    ),
                    None => (Value::String(text.to_string()), leaf),
                };
                Ok(wrap_intrinsic("Fn::GetAtt", inner, tree, span, tag_span(span, tag.expect("tagged"))))
            }
            TagKind::Intrinsic(key) => Ok(wrap_intrinsic(
                key,
                Value::String(text.to_string()),
                leaf,
                span,
                tag_span(span, tag.expect("tagged")),
            )),
            TagKind::Core(suffix) => {
                let bad = || err(SyntaxKind::BadScalar, format!("`{text}` is not a valid !!{suffix}"), span);
                let v = match suffix.as_str() {
                    "str" => Value::String(text.to_string()),
                    "int" => scalar::parse_int(text).ok_or_else(bad)?,
                    "float" => {
                        scalar::parse_float(text).or_else(|| scalar::parse_int(text)).ok_or_else(bad)?
                    }
                    "bool" => Value::Bool(scalar::parse_bool(text).ok_or_else(bad)?),
                    "null" if scalar::is_null(text) => Value::Null,
                    "null" => return Err(bad()),
                    other => {
                        return Err(err(
                            SyntaxKind::UnknownTag,
                            format!("tag `!!{other}` is not supported on a scalar"),
                            span,
                        ));
                    }
                };
                Ok((v, leaf))
            }
        }
    }

    fn open(&mut self, map: bool, anchor: usize, tag: Option<&Tag>, span: Span) -> Result<(), BuildError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(err(
                SyntaxKind::TooDeep,
                format!("nesting deeper than {} levels", self.limits.max_depth),
                span,
            ));
        }
        let wrap = match classify(tag, span)? {
            TagKind::None | TagKind::NonSpecific => None,
            TagKind::Intrinsic(key) => Some((key, tag_span(span, tag.expect("tagged")))),
            TagKind::Core(s) if (map && s == "map") || (!map && s == "seq") => None,
            TagKind::Core(s) => {
                return Err(err(
                    SyntaxKind::UnknownTag,
                    format!("tag `!!{s}` does not fit a {}", if map { "mapping" } else { "sequence" }),
                    span,
                ));
            }
        };
        let kind = if map {
            Kind::Map { map: Map::new(), pos: IndexMap::new(), pending: None, merges: Vec::new() }
        } else {
            Kind::Seq(Vec::new(), Vec::new())
        };
        self.stack.push(Frame { kind, anchor, start: span, wrap });
        Ok(())
    }

    fn close(&mut self, end: Span) -> Result<(), BuildError> {
        let frame = self.stack.pop().expect("balanced events");
        let span = Span { start: frame.start.start, end: end.end.max(frame.start.end) };
        let (value, children) = match frame.kind {
            Kind::Seq(items, pos) => (Value::Array(items), Children::Seq(pos)),
            Kind::Map { mut map, mut pos, merges, .. } => {
                // YAML 1.1 merge keys: explicit keys win, then earlier merged maps.
                for (value, tree, at) in merges {
                    let sources: Vec<(Value, PosTree)> = match (value, tree.children) {
                        (Value::Object(m), c) => vec![(Value::Object(m), PosTree { children: c, ..tree })],
                        (Value::Array(items), Children::Seq(trees)) => items.into_iter().zip(trees).collect(),
                        _ => {
                            return Err(err(
                                SyntaxKind::BadMerge,
                                "a merge key `<<` needs a mapping or a list of mappings",
                                at,
                            ));
                        }
                    };
                    for (v, t) in sources {
                        let (Value::Object(m), Children::Map(mut ts)) = (v, t.children) else {
                            return Err(err(
                                SyntaxKind::BadMerge,
                                "a merge key `<<` needs a mapping or a list of mappings",
                                at,
                            ));
                        };
                        for (k, v) in m {
                            if !map.contains_key(&k) {
                                let t = ts.swap_remove(&k).unwrap_or_else(|| PosTree::leaf(at));
                                pos.insert(k.clone(), t);
                                map.insert(k, v);
                            }
                        }
                    }
                }
                (Value::Object(map), Children::Map(pos))
            }
        };
        let mut tree = PosTree { key: None, value: span, children };
        let mut value = value;
        if let Some((key, tag)) = frame.wrap {
            (value, tree) = wrap_intrinsic(key, value, tree, span, tag);
        }
        self.complete(value, tree, frame.anchor)
    }

    /// A finished node: record its anchor and hand it to its parent.
    fn complete(&mut self, value: Value, tree: PosTree, anchor: usize) -> Result<(), BuildError> {
        if anchor != 0 {
            self.anchors.insert(anchor, (value.clone(), tree.clone()));
        }
        let span = tree.value;
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some((value, tree));
            return Ok(());
        };
        match &mut parent.kind {
            Kind::Seq(items, pos) => {
                items.push(value);
                pos.push(tree);
            }
            Kind::Map { map, pos, pending, merges } => match pending.take() {
                None => return Err(err(SyntaxKind::BadKey, "mapping keys must be plain strings", span)),
                Some((_, key_span, true)) => merges.push((value, tree, key_span)),
                Some((key, key_span, false)) => {
                    if let Some(first) = pos.get(&key) {
                        return Err(BuildError::Duplicate {
                            key,
                            first: first.key.unwrap_or(first.value),
                            second: key_span,
                            pointer: None,
                        });
                    }
                    map.insert(key.clone(), value);
                    pos.insert(key, PosTree { key: Some(key_span), ..tree });
                }
            },
        }
        Ok(())
    }

    /// The JSON pointer of the innermost complete key among the open collections: each
    /// mapping's key whose value is being read, and the index of a list item that is itself an
    /// open collection. `None` when no key is complete yet.
    fn pointer(&self) -> Option<String> {
        let mut out = String::new();
        for (i, frame) in self.stack.iter().enumerate() {
            let inner = i + 1 < self.stack.len();
            match &frame.kind {
                Kind::Map { pending: Some((key, _, false)), .. } => {
                    out.push('/');
                    out.push_str(&super::escape_token(key));
                }
                Kind::Seq(items, _) if inner => out.push_str(&format!("/{}", items.len())),
                _ => break,
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// `e` with the pointer of where the builder was when it was found.
    fn locate(&self, e: BuildError) -> BuildError {
        match e {
            BuildError::Syntax { kind, message, span, pointer: None } => {
                BuildError::Syntax { kind, message, span, pointer: self.pointer() }
            }
            BuildError::Duplicate { key, first, second, pointer: None } => {
                let parent = self.pointer().unwrap_or_default();
                let pointer = Some(format!("{parent}/{}", super::escape_token(&key)));
                BuildError::Duplicate { key, first, second, pointer }
            }
            other => other,
        }
    }

    /// True when the innermost open collection is a mapping waiting for a key.
    fn wants_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame { kind: Kind::Map { pending: None, .. }, .. }))
    }

    fn set_key(&mut self, key: String, span: Span, merge: bool) {
        if let Some(Frame { kind: Kind::Map { pending, .. }, .. }) = self.stack.last_mut() {
            *pending = Some((key, span, merge));
        }
    }

    fn key_from_scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<(), BuildError> {
        let plain = style == ScalarStyle::Plain;
        match classify(tag, span)? {
            TagKind::None | TagKind::NonSpecific | TagKind::Core(_) => {}
            TagKind::Intrinsic(_) => {
                return Err(err(SyntaxKind::BadKey, "a mapping key cannot be an intrinsic function", span));
            }
        }
        if plain && tag.is_none() && !self.json && text == "<<" {
            self.features.merge_keys.push(span);
            self.set_key(text.to_string(), span, true);
            return Ok(());
        }
        if plain && tag.is_none() && scalar::is_null(text) {
            return Err(err(SyntaxKind::BadKey, format!("null key `{text}` is not supported"), span));
        }
        self.set_key(text.to_string(), span, false);
        Ok(())
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(Value, PosTree), BuildError> {
        let Some((value, tree)) = self.anchors.get(&id) else {
            return Err(err(
                SyntaxKind::UndefinedAlias,
                "alias to an anchor that is not defined yet (or is recursive)",
                span,
            ));
        };
        self.aliases += 1;
        self.features.aliases.push(span);
        if self.aliases > self.limits.max_aliases {
            return Err(err(
                SyntaxKind::TooManyAliases,
                format!("more than {} aliases", self.limits.max_aliases),
                span,
            ));
        }
        self.alias_nodes += tree.count();
        if self.alias_nodes > self.limits.max_alias_nodes {
            return Err(err(
                SyntaxKind::AliasExpansion,
                format!("aliases expand to more than {} nodes (an alias bomb?)", self.limits.max_alias_nodes),
                span,
            ));
        }
        // Few nodes can still be many bytes: one long string aliased thousands of times.
        self.alias_bytes = self.alias_bytes.saturating_add(text_bytes(value));
        if self.alias_bytes > self.limits.max_alias_bytes {
            return Err(err(
                SyntaxKind::AliasExpansion,
                format!(
                    "aliases expand to more than {} bytes of text (an alias bomb?)",
                    self.limits.max_alias_bytes
                ),
                span,
            ));
        }
        Ok((value.clone(), PosTree { value: span, ..tree.clone() }))
    }

    fn event(&mut self, ev: Event<'_>, span: Span) -> Result<(), BuildError> {
        match ev {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(err(
                        SyntaxKind::MultipleDocuments,
                        "a template is a single YAML document",
                        span,
                    ));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                if self.wants_key() {
                    self.key_from_scalar(&text, style, tag.as_deref(), span)?;
                    if anchor != 0 {
                        self.anchors.insert(anchor, (Value::String(text.into_owned()), PosTree::leaf(span)));
                    }
                } else {
                    let (value, tree) = self.scalar(&text, style, tag.as_deref(), span)?;
                    self.complete(value, tree, anchor)?;
                }
            }
            Event::Alias(id) => {
                let (value, tree) = self.alias(id, span)?;
                if self.wants_key() {
                    match value {
                        Value::String(s) => self.set_key(s, span, false),
                        _ => return Err(err(SyntaxKind::BadKey, "mapping keys must be plain strings", span)),
                    }
                } else {
                    self.complete(value, tree, 0)?;
                }
            }
            Event::MappingStart(anchor, tag) | Event::SequenceStart(anchor, tag) if self.wants_key() => {
                let _ = (anchor, tag);
                return Err(err(
                    SyntaxKind::BadKey,
                    "mapping keys must be plain strings, not collections",
                    span,
                ));
            }
            Event::MappingStart(anchor, tag) => self.open(true, anchor, tag.as_deref(), span)?,
            Event::SequenceStart(anchor, tag) => self.open(false, anchor, tag.as_deref(), span)?,
            Event::MappingEnd | Event::SequenceEnd => self.close(span)?,
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }
}

/// Bytes of the strings (keys included) in `value`, walked without recursion.
fn text_bytes(value: &Value) -> usize {
    let mut total = 0usize;
    let mut todo = vec![value];
    while let Some(v) = todo.pop() {
        match v {
            Value::String(s) => total = total.saturating_add(s.len()),
            Value::Array(items) => todo.extend(items),
            Value::Object(map) => {
                for (k, v) in map {
                    total = total.saturating_add(k.len());
                    todo.push(v);
                }
            }
            _ => total = total.saturating_add(8),
        }
    }
    total
}

/// The pointer of the innermost complete key at the end of `prefix` (the text before a scan
/// error). The scanner reads up to 1,024 characters ahead to resolve implicit keys, so when it
/// fails early (a JSON template is one flow mapping) the builder has seen no event yet; the
/// text before the error, read on its own, gives the events up to there.
fn prefix_pointer(prefix: &str, json: bool, limits: Limits) -> Option<String> {
    let mut b = Builder::new(prefix, json, limits);
    for item in Parser::new_from_str(prefix) {
        let Ok((ev, span)) = item else { break };
        let span = b.offsets.span(&span);
        if b.event(ev, span).is_err() {
            break;
        }
    }
    b.pointer()
}

/// Parses `text` (one YAML or JSON document) into a value and its positions.
pub(crate) fn build(
    text: &str,
    json: bool,
    limits: Limits,
) -> Result<(Value, PosTree, YamlFeatures), BuildError> {
    let mut b = Builder::new(text, json, limits);
    for item in Parser::new_from_str(text) {
        match item {
            Ok((ev, span)) => {
                let span = b.offsets.span(&span);
                if let Err(e) = b.event(ev, span) {
                    return Err(b.locate(e));
                }
            }
            Err(e) => {
                let at = b.offsets.pos(e.marker());
                let span = Span { start: at, end: at };
                // The scanner's only "recursion limit" is its flow level (u8): 256 open `[`/`{`,
                // read ahead before the builder sees them. Same problem as our depth limit.
                let (kind, message) = if e.info() == "recursion limit exceeded" {
                    (SyntaxKind::TooDeep, format!("nesting deeper than {} levels", b.limits.max_depth))
                } else {
                    (SyntaxKind::Scan, e.info().to_string())
                };
                let pointer =
                    b.pointer().or_else(|| prefix_pointer(&text[..at.offset.min(text.len())], json, limits));
                return Err(BuildError::Syntax { kind, message, span, pointer });
            }
        }
    }
    let (value, tree) = b.root.ok_or(BuildError::Empty)?;
    Ok((value, tree, b.features))
}
