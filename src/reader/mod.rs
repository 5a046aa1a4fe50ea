//! Template reading: JSON and YAML CloudFormation templates into a `serde_json::Value`, a
//! position index (JSON pointer -> line:column of keys and values), and the [`Template`] model.
//!
//! All YAML handling lives here (DESIGN.md: isolate YAML). Both formats go through the same
//! event-level parser (`saphyr-parser`; JSON is YAML flow syntax), so positions work for both;
//! JSON files use JSON's scalar rules, YAML files YAML 1.1's as CloudFormation reads them
//! (see [`scalar`]). Short-form tags (`!Ref`, `!GetAtt a.b`, `!Sub`, ... see
//! [`yaml::SHORT_FORMS`]) become their long JSON form (`{"Fn::GetAtt": ["a", "b"]}`).
//!
//! Why `saphyr-parser` directly, rather than `saphyr`'s `MarkedYaml` or `marked-yaml`: the
//! event stream gives spans for every node *and* lets this module refuse hostile input while
//! it is read: duplicate keys (with both positions), unknown tags, alias bombs (bounded alias
//! count and expansion), excessive nesting, multiple documents. A node tree loader has
//! already expanded aliases and dropped duplicate keys by the time it returns.
//!
//! Limits (see [`Limits`]): files over [`MAX_FILE_BYTES`] (10 MiB) are refused before they
//! are read whole; nesting is bounded to 128 levels; at most 10,000 aliases expanding to at
//! most 200,000 nodes and 10 MiB of text in total.
//!
//! ```no_run
//! let loaded = cfnc::reader::load(std::path::Path::new("template.yaml"))?;
//! let template = loaded.template()?;              // the typed model
//! let (pos, _) = loaded.positions.locate("/Resources/Bucket/Properties/BucketName");
//! println!("{}:{}:{}", loaded.name, pos.line, pos.column);
//! # Ok::<(), cfnc::reader::ReadError>(())
//! ```

pub mod positions;
mod scalar;
pub mod yaml;

use std::io::Read;
use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde_json::Value;

pub use positions::{Pos, PosTree, Positions, Span, escape_token, pointer_tokens};

use crate::model::Template;

/// Largest template file the reader accepts (10 MiB). CloudFormation itself takes at most
/// 1,000,000 bytes (from S3); the validator reports that limit as a finding, this cap only
/// protects the reader.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Resource limits while reading untrusted input.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_bytes: u64,
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most alias (`*name`) uses in one document.
    pub max_aliases: usize,
    /// Most nodes that alias expansion may add in total.
    pub max_alias_nodes: usize,
    /// Most bytes of text (strings and keys) that alias expansion may add in total.
    pub max_alias_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: MAX_FILE_BYTES,
            max_depth: 128,
            max_aliases: 10_000,
            max_alias_nodes: 200_000,
            max_alias_bytes: MAX_FILE_BYTES as usize,
        }
    }
}

/// The source format, decided by the first non-blank character (`{` or `[` means JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Yaml,
}

/// A template as read: its text, its JSON value and where each node is written.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The path as given (or a name such as `<stdin>`), used in messages.
    pub name: String,
    /// The source text (a UTF-8 byte-order mark removed).
    pub source: String,
    pub format: Format,
    /// The template in CloudFormation JSON form (short forms expanded).
    pub value: Value,
    pub positions: Positions,
    /// YAML aliases and merge keys used (CloudFormation rejects them unless packaged).
    pub yaml_features: yaml::YamlFeatures,
}

impl Loaded {
    /// The template model (`Template::from_json`).
    pub fn template(&self) -> Result<Template, ReadError> {
        if !self.value.is_object() {
            return Err(ReadError::Model {
                name: self.name.clone(),
                message: "a template must be a mapping with a `Resources` section".into(),
            });
        }
        Template::from_json(&self.value)
            .map_err(|e| ReadError::Model { name: self.name.clone(), message: e.to_string() })
    }

    /// `file:line:column` of the node at `pointer` (or its nearest existing ancestor).
    pub fn location(&self, pointer: &str) -> String {
        let (p, _) = self.positions.locate(pointer);
        format!("{}:{}:{}", self.name, p.line, p.column)
    }
}

/// What kind of syntax problem a [`ReadError::Syntax`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyntaxKind {
    /// The YAML/JSON scanner or parser rejected the text.
    Scan,
    /// A tag that is neither a CloudFormation short form nor a core YAML tag.
    UnknownTag,
    /// A value that does not fit its explicit core tag (`!!int abc`).
    BadScalar,
    /// A null, collection or intrinsic mapping key.
    BadKey,
    /// A merge key `<<` whose value is not a mapping or a list of mappings.
    BadMerge,
    /// An alias used before its anchor is complete.
    UndefinedAlias,
    /// More aliases than [`Limits::max_aliases`].
    TooManyAliases,
    /// Aliases expand to more than [`Limits::max_alias_nodes`].
    AliasExpansion,
    /// Nesting deeper than [`Limits::max_depth`].
    TooDeep,
    /// More than one YAML document.
    MultipleDocuments,
}

/// Why a template could not be read.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ReadError {
    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(code(cfnc::read::io), help("check that the path exists and is a readable file"))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{name} is larger than the {limit}-byte limit for templates ({size} bytes or more)")]
    #[diagnostic(
        code(cfnc::read::too_large),
        help("CloudFormation accepts at most 1,000,000 bytes per template; split it into nested stacks")
    )]
    TooLarge { name: String, size: u64, limit: u64 },
    #[error("{name} is not UTF-8 text (invalid byte at offset {offset})")]
    #[diagnostic(code(cfnc::read::encoding), help("save the template as UTF-8"))]
    NotUtf8 { name: String, offset: usize },
    #[error("{name} is empty: a template needs at least a `Resources` section")]
    #[diagnostic(code(cfnc::read::empty))]
    Empty { name: String },
    /// A located syntax problem (see [`SyntaxKind`]).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Syntax(Box<SyntaxError>),
    /// A mapping holds the same key twice.
    #[error(transparent)]
    #[diagnostic(transparent)]
    DuplicateKey(Box<DuplicateKeyError>),
    #[error("{name} is not a CloudFormation template: {message}")]
    #[diagnostic(code(cfnc::read::template), help("run `cfnc validate` on it for located findings"))]
    Model { name: String, message: String },
}

/// A located syntax problem in a template.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{name}:{line}:{column}: {message}")]
#[diagnostic(code(cfnc::read::syntax))]
pub struct SyntaxError {
    pub name: String,
    pub kind: SyntaxKind,
    pub message: String,
    pub line: u32,
    pub column: u32,
    /// JSON pointer of the innermost complete key above the problem (`/Resources/Bucket`),
    /// when there is one: what a report can point at in a template that does not parse.
    pub pointer: Option<String>,
    /// The source, for the snippet; `None` when the line is too long to show (minified JSON).
    #[source_code]
    pub src: Option<NamedSource<String>>,
    #[label("here")]
    pub span: SourceSpan,
}

/// A key written twice in one mapping, with both places.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{name}:{line}:{column}: duplicate key `{key}` (first at line {first_line}, column {first_column})")]
#[diagnostic(code(cfnc::read::duplicate_key), help("a mapping may hold each key once; remove or rename one"))]
pub struct DuplicateKeyError {
    pub name: String,
    pub key: String,
    pub line: u32,
    pub column: u32,
    pub first_line: u32,
    pub first_column: u32,
    /// JSON pointer of the key (its first occurrence).
    pub pointer: Option<String>,
    /// The source, for the snippet; `None` when a line is too long to show (minified JSON).
    #[source_code]
    pub src: Option<NamedSource<String>>,
    #[label("first `{key}`")]
    pub first: SourceSpan,
    #[label("duplicate `{key}`")]
    pub second: SourceSpan,
}

impl ReadError {
    /// The source position the error points at, when it has one: (line, column).
    pub fn position(&self) -> Option<(u32, u32)> {
        match self {
            ReadError::Syntax(e) => Some((e.line, e.column)),
            ReadError::DuplicateKey(e) => Some((e.line, e.column)),
            _ => None,
        }
    }

    /// The JSON pointer the error is under, when it has one (see [`SyntaxError::pointer`]).
    pub fn pointer(&self) -> Option<&str> {
        match self {
            ReadError::Syntax(e) => e.pointer.as_deref(),
            ReadError::DuplicateKey(e) => e.pointer.as_deref(),
            _ => None,
        }
    }
}

/// Reads a template file. Refuses files over [`MAX_FILE_BYTES`] before reading them whole.
pub fn load(path: &Path) -> Result<Loaded, ReadError> {
    load_with(path, Limits::default())
}

/// [`load`] with explicit limits.
pub fn load_with(path: &Path, limits: Limits) -> Result<Loaded, ReadError> {
    let io = |source| ReadError::Io { path: path.to_path_buf(), source };
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if meta.is_dir() {
        return Err(io(std::io::Error::other("is a directory")));
    }
    if meta.len() > limits.max_bytes {
        return Err(ReadError::TooLarge { name, size: meta.len(), limit: limits.max_bytes });
    }
    // The file may grow (or be a pipe): never read more than the cap plus one byte.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limits.max_bytes + 1).read_to_end(&mut bytes).map_err(io)?;
    parse_bytes(bytes, &name, limits)
}

/// Reads a template from bytes (e.g. stdin or a downloaded body); `name` is used in messages.
pub fn parse_bytes(bytes: Vec<u8>, name: &str, limits: Limits) -> Result<Loaded, ReadError> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(ReadError::TooLarge {
            name: name.to_string(),
            size: bytes.len() as u64,
            limit: limits.max_bytes,
        });
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| ReadError::NotUtf8 { name: name.to_string(), offset: e.utf8_error().valid_up_to() })?;
    parse_str_with(text, name, limits)
}

/// Reads a template from text with the default limits.
pub fn parse_str(text: &str, name: &str) -> Result<Loaded, ReadError> {
    parse_str_with(text.to_string(), name, Limits::default())
}

fn parse_str_with(mut text: String, name: &str, limits: Limits) -> Result<Loaded, ReadError> {
    if text.len() as u64 > limits.max_bytes {
        return Err(ReadError::TooLarge {
            name: name.to_string(),
            size: text.len() as u64,
            limit: limits.max_bytes,
        });
    }
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    let format = match text.trim_start().as_bytes().first() {
        Some(b'{' | b'[') => Format::Json,
        _ => Format::Yaml,
    };
    match yaml::build(&text, format == Format::Json, limits) {
        Ok((value, root, yaml_features)) => Ok(Loaded {
            name: name.to_string(),
            source: text,
            format,
            value,
            positions: Positions { root },
            yaml_features,
        }),
        Err(yaml::BuildError::Empty) => Err(ReadError::Empty { name: name.to_string() }),
        Err(yaml::BuildError::Syntax { kind, message, span, pointer }) => {
            Err(ReadError::Syntax(Box::new(SyntaxError {
                name: name.to_string(),
                kind,
                message,
                line: span.start.line,
                column: span.start.column,
                pointer,
                src: snippet_source(name, &text, &[span]),
                span: clamp(span, text.len()),
            })))
        }
        Err(yaml::BuildError::Duplicate { key, first, second, pointer }) => {
            Err(ReadError::DuplicateKey(Box::new(DuplicateKeyError {
                name: name.to_string(),
                key,
                line: second.start.line,
                column: second.start.column,
                first_line: first.start.line,
                first_column: first.start.column,
                pointer,
                src: snippet_source(name, &text, &[first, second]),
                first: clamp(first, text.len()),
                second: clamp(second, text.len()),
            })))
        }
    }
}

/// Longest source line shown in an error snippet.
const MAX_SNIPPET_LINE: usize = 400;

/// The source for an error's snippet, unless a line the spans touch is longer than
/// [`MAX_SNIPPET_LINE`] (a minified JSON template is one line: printing it whole would bury
/// the message; `file:line:column` still says where).
fn snippet_source(name: &str, text: &str, spans: &[Span]) -> Option<NamedSource<String>> {
    for span in spans {
        let start = span.start.offset.min(text.len());
        let end = span.end.offset.clamp(start, text.len());
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        if text[line_start..line_end].split('\n').any(|l| l.len() > MAX_SNIPPET_LINE) {
            return None;
        }
    }
    Some(NamedSource::new(name, text.to_string()))
}

fn clamp(span: Span, len: usize) -> SourceSpan {
    let start = span.start.offset.min(len);
    let end = span.end.offset.clamp(start, len);
    (start, end - start).into()
}

#[cfg(test)]
mod tests;
