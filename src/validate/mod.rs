//! The validator: CloudFormation templates against the vendored registry schemas and the
//! template rules of [`rules::RULES`] (documented in docs/rules.md).
//!
//! Entry points:
//! - [`validate_template`]: a template as JSON (cfnc's own output, or anything read by
//!   [`crate::reader`]), optionally with its position index, gives sorted [`Finding`]s.
//! - [`validate_loaded`]: the same for a [`Loaded`] file (adds the YAML-feature and size rules
//!   and the file name).
//! - [`validate_path`]: reads and validates one file.
//!
//! Resource properties are checked with the `jsonschema` crate; one validator per resource type
//! is compiled on first use and cached for the life of the process. Intrinsic functions are
//! understood (see [`intrinsics`]): `Fn::If` branches are expanded into consistent variants,
//! `Ref AWS::NoValue` removes what it stands for, other functions become placeholders of the
//! type they resolve to.

pub mod cloudwatch;
mod constraints;
mod extensions;
mod intrinsics;
pub mod output;
pub mod rules;
mod schema;
mod services;
mod template;

use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::reader::{self, Loaded, Positions, ReadError};

pub use rules::{RULES, Rule};

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable rule code (`CFN3002`), see docs/rules.md.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// JSON pointer (RFC 6901) into the template (`/Resources/Bucket/Properties/BucketName`).
    pub pointer: String,
    /// The file, when the template came from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line and column in the source, when positions are known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl Finding {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column` (or the pointer when the position is unknown).
    pub fn location(&self) -> String {
        let file = self.file.as_deref().unwrap_or("<template>");
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
            _ => format!("{file}#{}", self.pointer),
        }
    }
}

/// Options of one validation.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// File name put into findings.
    pub file: Option<String>,
    /// Size of the template as it will be sent to CloudFormation, for the size limits
    /// (CFN4004/CFN4005). `None`: the size of the compact JSON serialization.
    pub template_bytes: Option<usize>,
}

/// Collects findings, attaching severity from the rule table.
#[derive(Default)]
pub(crate) struct Sink {
    findings: Vec<Finding>,
}

impl Sink {
    pub(crate) fn push(
        &mut self,
        code: &'static str,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) {
        let severity = rules::rule_for(code).map_or(Severity::Error, |r| r.severity);
        self.findings.push(Finding {
            code,
            severity,
            message: message.into(),
            pointer: pointer.into(),
            file: None,
            line: None,
            column: None,
        });
    }
}

/// Validates a template given as CloudFormation JSON. `positions` (from the reader) adds
/// line:column to each finding. Findings are sorted by position, then pointer and code, and
/// free of duplicates.
pub fn validate_template(value: &Value, positions: Option<&Positions>, opts: &Options) -> Vec<Finding> {
    let mut sink = Sink::default();
    template::check(value, opts, &mut sink);
    finish(sink.findings, positions, opts.file.as_deref())
}

/// Validates a template read by [`reader::load`].
pub fn validate_loaded(loaded: &Loaded) -> Vec<Finding> {
    let opts = Options { file: Some(loaded.name.clone()), template_bytes: Some(loaded.source.len()) };
    let mut sink = Sink::default();
    for span in &loaded.yaml_features.aliases {
        sink.findings.push(at_span(
            "CFN0002",
            "YAML alias: CloudFormation rejects aliases unless the template is packaged (aws cloudformation package) first",
            span,
        ));
    }
    for span in &loaded.yaml_features.merge_keys {
        sink.findings.push(at_span(
            "CFN0003",
            "YAML merge key `<<`: CloudFormation rejects merge keys unless the template is packaged first",
            span,
        ));
    }
    let path = Path::new(&loaded.name);
    let dir = path.is_file().then(|| path.parent()).flatten();
    template::check_in(&loaded.value, &opts, dir, &mut sink);
    finish(sink.findings, Some(&loaded.positions), opts.file.as_deref())
}

fn at_span(code: &'static str, message: &str, span: &reader::Span) -> Finding {
    let severity = rules::rule_for(code).map_or(Severity::Warning, |r| r.severity);
    Finding {
        code,
        severity,
        message: message.to_string(),
        pointer: String::new(),
        file: None,
        line: Some(span.start.line),
        column: Some(span.start.column),
    }
}

/// Reads and validates one file. A file that cannot be read is an `Err` (exit code 2 in
/// `cfnc validate`); [`read_error_finding`] turns it into a CFN0001 finding for reports.
pub fn validate_path(path: &Path) -> Result<Vec<Finding>, ReadError> {
    let loaded = reader::load(path)?;
    Ok(validate_loaded(&loaded))
}

/// A CFN0001 finding for a file that could not be read: `file:line:column` of the problem
/// and, for a syntax error or duplicate key, the JSON pointer of the innermost complete key
/// above it.
pub fn read_error_finding(err: &ReadError, file: &str) -> Finding {
    let (line, column) = err.position().map_or((None, None), |(l, c)| (Some(l), Some(c)));
    let message = match err {
        ReadError::Syntax(e) => e.message.clone(),
        ReadError::DuplicateKey(e) => {
            format!("duplicate key `{}` (first at line {}, column {})", e.key, e.first_line, e.first_column)
        }
        other => other.to_string(),
    };
    Finding {
        code: "CFN0001",
        severity: Severity::Error,
        message,
        pointer: err.pointer().unwrap_or_default().to_string(),
        file: Some(file.to_string()),
        line,
        column,
    }
}

/// The first `` `name` `` a message names.
fn named(message: &str) -> Option<&str> {
    let rest = message.split_once('`')?.1;
    Some(rest.split_once('`')?.0)
}

/// Drops the findings of cfn-lint's constraint data (CFN6xxx) that another rule already
/// reported: same pointer and, when the message names a property, the same property (a
/// missing `Runtime` found by CFN5009 and by cfn-lint's E3678 data is one problem).
fn drop_repeated_constraints(findings: &mut Vec<Finding>) {
    let constraint = |f: &Finding| matches!(f.code, "CFN6001" | "CFN6002");
    let others: Vec<(String, Option<String>)> = findings
        .iter()
        .filter(|f| !constraint(f))
        .map(|f| (f.pointer.clone(), named(&f.message).map(str::to_string)))
        .collect();
    findings.retain(|f| {
        !constraint(f)
            || !others.iter().any(|(p, name)| {
                *p == f.pointer && named(&f.message).is_none_or(|n| name.as_deref() == Some(n))
            })
    });
}

fn finish(mut findings: Vec<Finding>, positions: Option<&Positions>, file: Option<&str>) -> Vec<Finding> {
    drop_repeated_constraints(&mut findings);
    for f in &mut findings {
        f.file = file.map(str::to_string);
        if f.line.is_none()
            && let Some(p) = positions
        {
            let (pos, _) = p.locate(&f.pointer);
            if pos.line > 0 {
                f.line = Some(pos.line);
                f.column = Some(pos.column);
            }
        }
    }
    findings.sort_by(|a, b| {
        (a.line, a.column, &a.pointer, a.code, &a.message)
            .cmp(&(b.line, b.column, &b.pointer, b.code, &b.message))
    });
    findings.dedup();
    findings
}

/// True when the findings fail validation: any error, or with `strict` any warning too.
pub fn fails(findings: &[Finding], strict: bool) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error || (strict && f.severity == Severity::Warning))
}

#[cfg(test)]
mod tests;
