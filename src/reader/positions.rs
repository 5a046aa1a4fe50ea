//! Source positions of a loaded template, addressed by JSON pointer.

use indexmap::IndexMap;

/// A point in the source: 1-based line and column (in characters), and the byte offset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    /// Byte offset into the source text (for diagnostics spans).
    pub offset: usize,
}

/// A half-open source range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    /// The range as a `miette` span.
    pub fn source_span(&self) -> miette::SourceSpan {
        (self.start.offset, self.end.offset.saturating_sub(self.start.offset)).into()
    }
}

/// Where one node of the template is written: its key (for mapping entries and the
/// function name of a short-form intrinsic) and its value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PosTree {
    pub key: Option<Span>,
    pub value: Span,
    pub(crate) children: Children,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) enum Children {
    #[default]
    None,
    Seq(Vec<PosTree>),
    Map(IndexMap<String, PosTree>),
}

impl PosTree {
    pub(crate) fn leaf(value: Span) -> Self {
        PosTree { key: None, value, children: Children::None }
    }

    fn child(&self, token: &str) -> Option<&PosTree> {
        match &self.children {
            Children::None => None,
            Children::Seq(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            Children::Map(map) => map.get(token),
        }
    }

    pub(crate) fn count(&self) -> usize {
        1 + match &self.children {
            Children::None => 0,
            Children::Seq(items) => items.iter().map(PosTree::count).sum(),
            Children::Map(map) => map.values().map(PosTree::count).sum(),
        }
    }
}

/// The position index of a template: JSON pointer (RFC 6901) -> where the node is written.
///
/// Lookups walk a tree, so a lookup costs the depth of the pointer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Positions {
    pub(crate) root: PosTree,
}

/// Splits a JSON pointer into unescaped tokens (`~1` -> `/`, `~0` -> `~`).
pub fn pointer_tokens(pointer: &str) -> impl Iterator<Item = String> + '_ {
    pointer.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~"))
}

/// Escapes one JSON pointer token (`~` -> `~0`, `/` -> `~1`); borrows when nothing changes.
pub fn escape_token(token: &str) -> std::borrow::Cow<'_, str> {
    if token.contains(['~', '/']) {
        std::borrow::Cow::Owned(token.replace('~', "~0").replace('/', "~1"))
    } else {
        std::borrow::Cow::Borrowed(token)
    }
}

impl Positions {
    /// The node at `pointer` exactly (`""` is the whole document).
    pub fn get(&self, pointer: &str) -> Option<&PosTree> {
        let mut node = &self.root;
        for token in pointer_tokens(pointer) {
            node = node.child(&token)?;
        }
        Some(node)
    }

    /// The best place to report something about `pointer`: the key of the deepest existing
    /// node on the way (its value when it has no key). Returns the pointer actually located.
    pub fn locate(&self, pointer: &str) -> (Pos, String) {
        let mut node = &self.root;
        let mut found = String::new();
        for token in pointer_tokens(pointer) {
            match node.child(&token) {
                Some(c) => {
                    node = c;
                    found.push('/');
                    found.push_str(&escape_token(&token));
                }
                None => break,
            }
        }
        (node.key.unwrap_or(node.value).start, found)
    }

    /// Where the value at `pointer` is written (its key excluded).
    pub fn value_span(&self, pointer: &str) -> Option<Span> {
        self.get(pointer).map(|n| n.value)
    }

    /// Where the key of the mapping entry at `pointer` is written.
    pub fn key_span(&self, pointer: &str) -> Option<Span> {
        self.get(pointer).and_then(|n| n.key)
    }
}
