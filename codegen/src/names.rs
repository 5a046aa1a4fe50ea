//! Turning schema names (property names, enum values, JSON pointers) into Rust identifiers,
//! and schema descriptions into doc comments.

/// Rust keywords (strict and reserved, all editions up to 2024).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "try", "typeof",
    "unsized", "virtual", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// Type names a generated module must not define: the names it imports and the std
/// prelude's (a definition named `Option` would shadow `Option` in the module's own code).
pub const RESERVED_TYPES: &[&str] = &[
    "Self",
    "Value",
    "Expr",
    "BTreeMap",
    "Serialize",
    "Deserialize",
    "Attribute",
    "ResourceType",
    "Required",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Default",
    "Clone",
    "Copy",
    "Debug",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Hash",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "Into",
    "TryFrom",
    "TryInto",
    "AsRef",
    "AsMut",
    "Iterator",
    "IntoIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Extend",
    "FromIterator",
    "ToString",
    "ToOwned",
];

/// Splits a name into words: at non-alphanumeric characters, at a lower-case letter or
/// digit followed by an upper-case letter (`S3Bucket` -> `S3`, `Bucket`), and before the
/// last capital of an acronym that starts a new word (`KMSMaster` -> `KMS`, `Master`).
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for chunk in name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|c| !c.is_empty()) {
        let chars: Vec<char> = chunk.chars().collect();
        let mut word = String::new();
        for (i, &c) in chars.iter().enumerate() {
            if i > 0 && c.is_ascii_uppercase() {
                let prev = chars[i - 1];
                let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
                if prev.is_ascii_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_ascii_uppercase() && next_lower)
                {
                    out.push(std::mem::take(&mut word));
                }
            }
            word.push(c);
        }
        out.push(word);
    }
    out
}

fn capitalize(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// `UpperCamelCase`: `KMSMasterKeyID` -> `KmsMasterKeyId`, `aws:kms` -> `AwsKms`,
/// `VPC` -> `Vpc`. A leading digit gets a `V` prefix; an empty result is `Empty`.
pub fn camel(name: &str) -> String {
    let s: String = words(name).iter().map(|w| capitalize(w)).collect();
    if s.is_empty() {
        "Empty".to_string()
    } else if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{s}")
    } else if s == "Self" {
        "SelfValue".to_string()
    } else {
        s
    }
}

/// `snake_case`: `KMSMasterKeyID` -> `kms_master_key_id`, `S3Bucket` -> `s3_bucket`.
pub fn snake(name: &str) -> String {
    let s = words(name).iter().map(|w| w.to_ascii_lowercase()).collect::<Vec<_>>().join("_");
    if s.is_empty() {
        "empty".to_string()
    } else if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("v{s}")
    } else {
        s
    }
}

/// A snake-case name usable as a field, parameter or module name: keywords become raw
/// identifiers (`type` -> `r#type`), or get a `_` suffix where raw is impossible (`self_`).
pub fn field_ident(snake_name: &str) -> String {
    if NOT_RAW.contains(&snake_name) {
        format!("{snake_name}_")
    } else if KEYWORDS.contains(&snake_name) {
        format!("r#{snake_name}")
    } else {
        snake_name.to_string()
    }
}

/// A module name (no raw identifiers in file names): keywords get a `_` suffix.
pub fn module_ident(snake_name: &str) -> String {
    if KEYWORDS.contains(&snake_name) || NOT_RAW.contains(&snake_name) {
        format!("{snake_name}_")
    } else {
        snake_name.to_string()
    }
}

/// Width of doc comment text before wrapping.
const DOC_WIDTH: usize = 96;

/// Turns a schema description (Markdown-ish) into doc comment lines that rustdoc renders as
/// one plain paragraph: whitespace (newlines and indentation, which Markdown would read as
/// lists or code blocks) collapses; code spans and `[text](https://...)` links are kept;
/// lone brackets, HTML-like tags, backslashes and pipes are escaped; bare URLs become
/// autolinks; no line starts a Markdown block (heading, list, quote, setext underline).
/// Code spans and links are never split across lines.
pub fn doc_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for atom in atoms(text) {
        if !line.is_empty() && line.len() + 1 + atom.len() > DOC_WIDTH {
            lines.push(std::mem::take(&mut line));
        }
        if line.is_empty() {
            line = escape_block_start(&atom);
        } else {
            line.push(' ');
            line.push_str(&atom);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Escapes an atom that would start a Markdown block at the beginning of a line.
fn escape_block_start(atom: &str) -> String {
    let only = |set: &[char]| !atom.is_empty() && atom.chars().all(|c| set.contains(&c));
    if only(&['-', '+', '*', '#']) || only(&['=']) {
        return format!("\\{atom}");
    }
    if atom.starts_with('#') && atom.chars().all(|c| c == '#') {
        return format!("\\{atom}");
    }
    let digits = atom.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && matches!(&atom[digits..], "." | ")") {
        return format!("{}\\{}", &atom[..digits], &atom[digits..]);
    }
    atom.to_string()
}

/// Splits `text` at whitespace into escaped atoms (a code span or link with spaces inside
/// stays one atom).
fn atoms(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.split_whitespace().collect::<Vec<_>>().join(" ").chars().collect();
    let mut atoms = Vec::new();
    let mut cur = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' => {
                if !cur.is_empty() {
                    atoms.push(std::mem::take(&mut cur));
                }
                i += 1;
            }
            '`' => {
                let run = chars[i..].iter().take_while(|&&c| c == '`').count();
                match closing_backticks(&chars, i + run, run) {
                    Some(end) => {
                        cur.extend(&chars[i..end + run]);
                        i = end + run;
                    }
                    None => {
                        (0..run).for_each(|_| cur.push_str("\\`"));
                        i += run;
                    }
                }
            }
            '[' => match link_at(&chars, i) {
                Some((text_end, url_end)) => {
                    cur.push('[');
                    cur.push_str(&escape_link_text(&chars[i + 1..text_end]));
                    cur.push_str("](");
                    cur.extend(&chars[text_end + 2..url_end]);
                    cur.push(')');
                    i = url_end + 1;
                }
                None => {
                    cur.push_str("\\[");
                    i += 1;
                }
            },
            'h' if url_start(&chars, i) => {
                let end = (i..chars.len())
                    .find(|&j| {
                        matches!(chars[j], ' ' | '<' | '>' | '"' | '`' | '(' | ')' | '[' | ']' | '|' | '\\')
                    })
                    .unwrap_or(chars.len());
                let mut url_end = end;
                while url_end > i
                    && matches!(chars[url_end - 1], '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*')
                {
                    url_end -= 1;
                }
                cur.push('<');
                cur.extend(&chars[i..url_end]);
                cur.push('>');
                i = url_end;
            }
            ']' | '<' | '>' | '\\' | '|' => {
                cur.push('\\');
                cur.push(c);
                i += 1;
            }
            c if c.is_control() => i += 1,
            c => {
                cur.push(c);
                i += 1;
            }
        }
    }
    if !cur.is_empty() {
        atoms.push(cur);
    }
    atoms
}

/// The index of the run of exactly `run` backticks closing a code span opened before `from`.
fn closing_backticks(chars: &[char], from: usize, run: usize) -> Option<usize> {
    let mut j = from;
    while j < chars.len() {
        if chars[j] == '`' {
            let len = chars[j..].iter().take_while(|&&c| c == '`').count();
            if len == run && j > from {
                return Some(j);
            }
            j += len;
        } else {
            j += 1;
        }
    }
    None
}

/// `http://` or `https://` starting a word at `i`.
fn url_start(chars: &[char], i: usize) -> bool {
    let rest: String = chars[i..chars.len().min(i + 8)].iter().collect();
    (rest.starts_with("https://") || rest.starts_with("http://"))
        && (i == 0 || !chars[i - 1].is_ascii_alphanumeric())
        && chars
            .get(i + if rest.starts_with("https://") { 8 } else { 7 })
            .is_some_and(|c| c.is_ascii_alphanumeric())
}

/// `[text](https://...)` at `i`: (index of `]`, index of `)`).
fn link_at(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let text_end = (i + 1..chars.len()).find(|&j| matches!(chars[j], ']' | '['))?;
    if chars[text_end] != ']' || chars.get(text_end + 1) != Some(&'(') {
        return None;
    }
    let url_start = text_end + 2;
    let url_end = (url_start..chars.len()).find(|&j| matches!(chars[j], ')' | ' ' | '(' | '<' | '>'))?;
    let url: String = chars[url_start..url_end].iter().collect();
    let ok = chars[url_end] == ')' && (url.starts_with("https://") || url.starts_with("http://"));
    ok.then_some((text_end, url_end))
}

fn escape_link_text(text: &[char]) -> String {
    let ticks = text.iter().filter(|&&c| c == '`').count();
    let mut out = String::new();
    for &c in text {
        if matches!(c, '<' | '>' | '\\' | '|') || (c == '`' && ticks % 2 == 1) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A Rust string literal with `s`'s content.
pub fn str_lit(s: &str) -> String {
    format!("{s:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_acronyms_digits_and_separators() {
        assert_eq!(words("KMSMasterKeyID"), ["KMS", "Master", "Key", "ID"]);
        assert_eq!(words("S3Bucket"), ["S3", "Bucket"]);
        assert_eq!(words("aws:kms:dsse"), ["aws", "kms", "dsse"]);
        assert_eq!(words("Ipv6CidrBlock"), ["Ipv6", "Cidr", "Block"]);
        assert_eq!(words("VPCGatewayAttachment"), ["VPC", "Gateway", "Attachment"]);
    }

    #[test]
    fn camel_and_snake() {
        assert_eq!(camel("KMSMasterKeyID"), "KmsMasterKeyId");
        assert_eq!(camel("AES256"), "Aes256");
        assert_eq!(camel("nodejs18.x"), "Nodejs18X");
        assert_eq!(camel("GreaterThanThreshold"), "GreaterThanThreshold");
        assert_eq!(camel("1h"), "V1h");
        assert_eq!(camel(""), "Empty");
        assert_eq!(camel("*"), "Empty");
        assert_eq!(camel("self"), "SelfValue");
        assert_eq!(snake("KMSMasterKeyID"), "kms_master_key_id");
        assert_eq!(snake("SSESpecification"), "sse_specification");
        assert_eq!(snake("CloudWatch"), "cloud_watch");
        assert_eq!(snake("EIP"), "eip");
    }

    #[test]
    fn keywords_become_usable_identifiers() {
        assert_eq!(field_ident("type"), "r#type");
        assert_eq!(field_ident("self"), "self_");
        assert_eq!(field_ident("name"), "name");
        assert_eq!(module_ident("type"), "type_");
    }

    #[test]
    fn docs_keep_code_spans_and_links_and_escape_the_rest() {
        let d =
            doc_lines("See [the guide](https://docs.aws.amazon.com/x.html).\n    ``AES256`` <b> a_b [x] c|d");
        assert_eq!(
            d,
            [r"See [the guide](https://docs.aws.amazon.com/x.html). ``AES256`` \<b\> a_b \[x\] c\|d"]
        );
        assert_eq!(doc_lines("see https://example.com/a_b. ok"), ["see <https://example.com/a_b>. ok"]);
        assert_eq!(doc_lines("- one\n\n 1. two"), [r"\- one 1. two"]);
        assert_eq!(doc_lines("odd ` tick"), [r"odd \` tick"]);
        let long = format!("{} 1. x", "word ".repeat(19));
        assert_eq!(doc_lines(&long)[1], r"1\. x");
        let long = format!("{} ``a b c``", "word ".repeat(19));
        assert_eq!(doc_lines(&long)[1], "``a b c``");
        assert!(doc_lines("").is_empty());
    }
}
