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

/// Makes `text` safe as one Markdown paragraph in doc comment lines: whitespace (newlines
/// and indentation, which Markdown would read as lists or code blocks) collapses, the text is
/// wrapped, inline Markdown punctuation is escaped (no accidental links, HTML tags, code
/// spans or doctests), a line never starts a block (heading, list, quote), and URLs become
/// autolinks.
pub fn doc_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for token in text.split_whitespace() {
        let token = doc_token(token);
        if !line.is_empty() && line.len() + 1 + token.len() > DOC_WIDTH {
            lines.push(std::mem::take(&mut line));
        }
        if line.is_empty() {
            line = escape_block_start(&token);
        } else {
            line.push(' ');
            line.push_str(&token);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Escapes what would make a line start a Markdown block: `#`, `>`, `-`, `+`, `=`, `*`
/// (already escaped), or an ordered-list number (`1.`, `2)`).
fn escape_block_start(token: &str) -> String {
    if token.starts_with(['#', '>', '-', '+', '=']) {
        return format!("\\{token}");
    }
    let digits = token.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && token[digits..].starts_with(['.', ')']) {
        return format!("{}\\{}", &token[..digits], &token[digits..]);
    }
    token.to_string()
}

fn doc_token(token: &str) -> String {
    if let Some(start) = token.find("https://").or_else(|| token.find("http://")) {
        let (before, rest) = token.split_at(start);
        let end =
            rest.find(['<', '>', '"', '`', '(', ')', '[', ']', '{', '}', '|', '\\']).unwrap_or(rest.len());
        let (url, after) = rest.split_at(end);
        let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '*']);
        let tail = &url[trimmed.len()..];
        if trimmed.len() > "https://".len() {
            let after = if after.is_empty() { String::new() } else { doc_token(after) };
            return format!("{}<{trimmed}>{}{after}", escape(before), escape(tail));
        }
    }
    escape(token)
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
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
    fn docs_are_escaped_wrapped_paragraphs_with_autolinks() {
        let d = doc_lines("See [the guide](https://docs.aws.amazon.com/x.html).\n    ``AES256`` <b> a_b");
        assert_eq!(
            d,
            [r"See \[the guide\](<https://docs.aws.amazon.com/x.html>). \`\`AES256\`\` \<b\> a\_b"]
        );
        assert_eq!(doc_lines("- one\n\n 1. two"), [r"\- one 1. two"]);
        let long = format!("{} 1. x", "word ".repeat(19));
        assert_eq!(doc_lines(&long)[1], r"1\. x");
        assert!(doc_lines("").is_empty());
    }
}
