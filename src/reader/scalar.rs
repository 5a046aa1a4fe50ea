//! Plain-scalar resolution.
//!
//! YAML templates follow YAML 1.1 as CloudFormation's parsers (and cfn-lint, through PyYAML's
//! `SafeLoader`) read them: `yes`/`no`/`on`/`off` are booleans, `0755` is octal, `1:30` is
//! sexagesimal, `1e5` (no dot) is a string. Two deliberate differences: timestamps stay
//! strings (`AWSTemplateFormatVersion: 2010-09-09`), and `.inf`/`.nan` stay strings because
//! JSON cannot hold them. JSON templates use JSON's own rules.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::{Number, Value};

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("static regex"))
}

fn int_patterns() -> [&'static Regex; 5] {
    static BIN: OnceLock<Regex> = OnceLock::new();
    static OCT: OnceLock<Regex> = OnceLock::new();
    static DEC: OnceLock<Regex> = OnceLock::new();
    static HEX: OnceLock<Regex> = OnceLock::new();
    static SEX: OnceLock<Regex> = OnceLock::new();
    [
        re(&BIN, r"^[-+]?0b[0-1_]+$"),
        re(&OCT, r"^[-+]?0[0-7_]+$"),
        re(&DEC, r"^[-+]?(?:0|[1-9][0-9_]*)$"),
        re(&HEX, r"^[-+]?0x[0-9a-fA-F_]+$"),
        re(&SEX, r"^[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+$"),
    ]
}

fn float_pattern() -> &'static Regex {
    static FLOAT: OnceLock<Regex> = OnceLock::new();
    re(
        &FLOAT,
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*)$",
    )
}

pub(crate) fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

fn split_sign(s: &str) -> (bool, &str) {
    match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    }
}

fn int_value(negative: bool, magnitude: u128) -> Option<Value> {
    if negative {
        let v = i128::try_from(magnitude).ok()?.checked_neg()?;
        i64::try_from(v).ok().map(|v| Value::Number(v.into()))
    } else {
        u64::try_from(magnitude).ok().map(|v| Value::Number(v.into()))
    }
}

/// A YAML 1.1 integer, or `None` when `s` is not one (or does not fit 64 bits).
pub(crate) fn parse_int(s: &str) -> Option<Value> {
    let [bin, oct, dec, hex, sex] = int_patterns();
    let clean = s.replace('_', "");
    let (neg, body) = split_sign(&clean);
    let magnitude = if bin.is_match(s) {
        u128::from_str_radix(body.strip_prefix("0b")?, 2).ok()?
    } else if hex.is_match(s) {
        u128::from_str_radix(body.strip_prefix("0x")?, 16).ok()?
    } else if oct.is_match(s) {
        u128::from_str_radix(&body[1..], 8).ok()?
    } else if dec.is_match(s) {
        body.parse::<u128>().ok()?
    } else if sex.is_match(s) {
        body.split(':').try_fold(0u128, |acc, part| acc.checked_mul(60)?.checked_add(part.parse().ok()?))?
    } else {
        return None;
    };
    int_value(neg, magnitude).or_else(|| {
        // Too large for 64 bits: keep it as a (finite) float, as JSON would.
        let f = magnitude as f64;
        Number::from_f64(if neg { -f } else { f }).map(Value::Number)
    })
}

/// A YAML 1.1 float, or `None`.
pub(crate) fn parse_float(s: &str) -> Option<Value> {
    if !float_pattern().is_match(s) {
        return None;
    }
    let clean = s.replace('_', "");
    let f = if clean.contains(':') {
        let (neg, body) = split_sign(&clean);
        let v = body.split(':').try_fold(0f64, |acc, p| Some(acc * 60.0 + p.parse::<f64>().ok()?))?;
        if neg { -v } else { v }
    } else {
        clean.parse::<f64>().ok()?
    };
    Number::from_f64(f).map(Value::Number)
}

/// Resolves an untagged plain scalar.
pub(crate) fn resolve_plain(s: &str, json: bool) -> Value {
    if json {
        return match serde_json::from_str::<Value>(s) {
            Ok(v @ (Value::Null | Value::Bool(_) | Value::Number(_))) => v,
            _ => Value::String(s.to_string()),
        };
    }
    if is_null(s) {
        return Value::Null;
    }
    if let Some(b) = parse_bool(s) {
        return Value::Bool(b);
    }
    let first = s.as_bytes()[0];
    if first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.') {
        if let Some(v) = parse_int(s) {
            return v;
        }
        if let Some(v) = parse_float(s) {
            return v;
        }
    }
    Value::String(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_1_1_resolution() {
        let cases = [
            ("", json!(null)),
            ("~", json!(null)),
            ("yes", json!(true)),
            ("Off", json!(false)),
            ("y", json!("y")),
            ("42", json!(42)),
            ("-7", json!(-7)),
            ("0755", json!(493)),
            ("0x1F", json!(31)),
            ("0b101", json!(5)),
            ("1_000", json!(1000)),
            ("1:30", json!(90)),
            ("1.5", json!(1.5)),
            ("1e5", json!("1e5")),
            ("1.0e+5", json!(100000.0)),
            ("012345678901", json!("012345678901")),
            ("2010-09-09", json!("2010-09-09")),
            (".inf", json!(".inf")),
            ("99999999999999999999", json!(1e20)),
            ("-", json!("-")),
            ("arn:aws:s3:::x", json!("arn:aws:s3:::x")),
        ];
        for (text, want) in cases {
            assert_eq!(resolve_plain(text, false), want, "{text:?}");
        }
    }

    #[test]
    fn json_resolution() {
        assert_eq!(resolve_plain("1e5", true), json!(1e5));
        assert_eq!(resolve_plain("yes", true), json!("yes"));
        assert_eq!(resolve_plain("0755", true), json!("0755"));
        assert_eq!(resolve_plain("null", true), json!(null));
    }
}
