//! Finding and rewriting references to logical ids inside expressions.
//!
//! A reference is `Ref X`, `Fn::GetAtt [X, Attr]`, or a `${X}` / `${X.Attr}` variable of an
//! `Fn::Sub` string (variables defined in the `Fn::Sub` map, `${!Literal}` escapes and pseudo
//! parameters `${AWS::...}` are not references).

use indexmap::IndexMap;

use crate::model::{Expr, Intrinsic};

/// What an expression refers to: a logical id and, for `GetAtt`/`${X.Attr}`, an attribute.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Target {
    pub id: String,
    pub attr: Option<String>,
}

impl Target {
    pub fn new(id: impl Into<String>, attr: Option<&str>) -> Self {
        Target { id: id.into(), attr: attr.map(str::to_string) }
    }
}

/// How a reference is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// `Ref` or `Fn::GetAtt`.
    Function,
    /// A `${...}` variable of `Fn::Sub`.
    Sub,
}

/// What a reference becomes after rewriting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Replacement {
    /// `Ref name` / `${name}`.
    Ref(String),
    /// `Fn::GetAtt [id, attr]` / `${id.attr}`.
    GetAtt(String, String),
}

fn is_pseudo(name: &str) -> bool {
    name.starts_with("AWS::")
}

/// Splits `${...}` variables out of an `Fn::Sub` string: `(start, end, content)` byte ranges of
/// each `${content}`, skipping `${!...}` literals.
pub fn sub_variables(text: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = text[i..].find("${") {
        let start = i + off;
        let body = start + 2;
        if text[body..].starts_with('!') {
            i = body + 1;
            continue;
        }
        match text[body..].find('}') {
            Some(len) => {
                out.push((start, body + len + 1, &text[body..body + len]));
                i = body + len + 1;
            }
            None => break,
        }
    }
    out
}

/// Every reference in `expr`, in document order, with how it is written.
pub fn collect(expr: &Expr, out: &mut Vec<(Target, Via)>) {
    match expr {
        Expr::List(items) => items.iter().for_each(|e| collect(e, out)),
        Expr::Map(m) => m.values().for_each(|e| collect(e, out)),
        Expr::Fn(f) => collect_fn(f, out),
        _ => {}
    }
}

fn collect_fn(f: &Intrinsic, out: &mut Vec<(Target, Via)>) {
    match f {
        Intrinsic::Ref(name) => {
            if !is_pseudo(name) {
                out.push((Target::new(name.clone(), None), Via::Function));
            }
        }
        Intrinsic::GetAtt(id, attr) => out.push((Target::new(id.clone(), Some(attr)), Via::Function)),
        Intrinsic::Sub(text, vars) => {
            for (_, _, var) in sub_variables(text) {
                if is_pseudo(var) || vars.contains_key(var) {
                    continue;
                }
                let target = match var.split_once('.') {
                    Some((id, attr)) => Target::new(id, Some(attr)),
                    None => Target::new(var, None),
                };
                out.push((target, Via::Sub));
            }
            vars.values().for_each(|e| collect(e, out));
        }
        other => each_arg(other, &mut |e| collect(e, out)),
    }
}

/// Calls `f` on every expression argument of an intrinsic other than Ref/GetAtt/Sub text.
fn each_arg(f: &Intrinsic, g: &mut dyn FnMut(&Expr)) {
    match f {
        Intrinsic::Ref(_) | Intrinsic::GetAtt(..) | Intrinsic::Condition(_) => {}
        Intrinsic::Sub(_, vars) => vars.values().for_each(g),
        Intrinsic::Join(_, parts) | Intrinsic::And(parts) | Intrinsic::Or(parts) => parts.iter().for_each(g),
        Intrinsic::Select(a, b) | Intrinsic::Equals(a, b) => {
            g(a);
            g(b);
        }
        Intrinsic::Split(_, e)
        | Intrinsic::Not(e)
        | Intrinsic::ImportValue(e)
        | Intrinsic::GetAZs(e)
        | Intrinsic::Base64(e) => g(e),
        Intrinsic::If(_, a, b) => {
            g(a);
            g(b);
        }
        Intrinsic::FindInMap(a, b, c) | Intrinsic::Cidr(a, b, c) => {
            g(a);
            g(b);
            g(c);
        }
    }
}

fn each_arg_mut(f: &mut Intrinsic, g: &mut dyn FnMut(&mut Expr)) {
    match f {
        Intrinsic::Ref(_) | Intrinsic::GetAtt(..) | Intrinsic::Condition(_) => {}
        Intrinsic::Sub(_, vars) => vars.values_mut().for_each(g),
        Intrinsic::Join(_, parts) | Intrinsic::And(parts) | Intrinsic::Or(parts) => {
            parts.iter_mut().for_each(g)
        }
        Intrinsic::Select(a, b) | Intrinsic::Equals(a, b) => {
            g(a);
            g(b);
        }
        Intrinsic::Split(_, e)
        | Intrinsic::Not(e)
        | Intrinsic::ImportValue(e)
        | Intrinsic::GetAZs(e)
        | Intrinsic::Base64(e) => g(e),
        Intrinsic::If(_, a, b) => {
            g(a);
            g(b);
        }
        Intrinsic::FindInMap(a, b, c) | Intrinsic::Cidr(a, b, c) => {
            g(a);
            g(b);
            g(c);
        }
    }
}

/// Rewrites every reference for which `map` returns a replacement.
pub fn rewrite(expr: &mut Expr, map: &mut dyn FnMut(&Target, Via) -> Option<Replacement>) {
    match expr {
        Expr::List(items) => items.iter_mut().for_each(|e| rewrite(e, map)),
        Expr::Map(m) => m.values_mut().for_each(|e| rewrite(e, map)),
        Expr::Fn(f) => {
            if let Some(new) = rewrite_fn(f, map) {
                *expr = new;
            }
        }
        _ => {}
    }
}

fn replacement_expr(r: Replacement) -> Expr {
    match r {
        Replacement::Ref(name) => Intrinsic::Ref(name).into(),
        Replacement::GetAtt(id, attr) => Intrinsic::GetAtt(id, attr).into(),
    }
}

fn rewrite_fn(f: &mut Intrinsic, map: &mut dyn FnMut(&Target, Via) -> Option<Replacement>) -> Option<Expr> {
    match f {
        Intrinsic::Ref(name) if !is_pseudo(name) => {
            map(&Target::new(name.clone(), None), Via::Function).map(replacement_expr)
        }
        Intrinsic::GetAtt(id, attr) => {
            map(&Target::new(id.clone(), Some(attr)), Via::Function).map(replacement_expr)
        }
        Intrinsic::Sub(text, vars) => {
            let new_text = rewrite_sub_text(text, vars, map);
            *text = new_text;
            vars.values_mut().for_each(|e| rewrite(e, map));
            None
        }
        other => {
            each_arg_mut(other, &mut |e| rewrite(e, map));
            None
        }
    }
}

fn rewrite_sub_text(
    text: &str,
    vars: &IndexMap<String, Expr>,
    map: &mut dyn FnMut(&Target, Via) -> Option<Replacement>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end, var) in sub_variables(text) {
        if is_pseudo(var) || vars.contains_key(var) {
            continue;
        }
        let target = match var.split_once('.') {
            Some((id, attr)) => Target::new(id, Some(attr)),
            None => Target::new(var, None),
        };
        if let Some(r) = map(&target, Via::Sub) {
            out.push_str(&text[last..start]);
            match r {
                Replacement::Ref(name) => out.push_str(&format!("${{{name}}}")),
                Replacement::GetAtt(id, attr) => out.push_str(&format!("${{{id}.{attr}}}")),
            }
            last = end;
        }
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expr(v: serde_json::Value) -> Expr {
        Expr::from_json(&v)
    }

    #[test]
    fn finds_refs_getatts_and_sub_variables() {
        let e = expr(json!({
            "A": {"Ref": "Vpc"},
            "B": [{"Fn::GetAtt": ["Key", "Arn"]}, {"Ref": "AWS::Region"}],
            "C": {"Fn::Sub": ["${Bucket.Arn}/${Prefix}/${!Literal}/${AWS::AccountId}/${Topic}", {"Prefix": {"Ref": "Param"}}]},
            "D": {"Fn::Join": ["", [{"Fn::Select": [0, {"Ref": "Subnets"}]}]]}
        }));
        let mut out = Vec::new();
        collect(&e, &mut out);
        let got: Vec<_> = out.iter().map(|(t, v)| (t.id.as_str(), t.attr.as_deref(), *v)).collect();
        assert_eq!(
            got,
            vec![
                ("Vpc", None, Via::Function),
                ("Key", Some("Arn"), Via::Function),
                ("Bucket", Some("Arn"), Via::Sub),
                ("Topic", None, Via::Sub),
                ("Param", None, Via::Function),
                ("Subnets", None, Via::Function),
            ]
        );
    }

    #[test]
    fn rewrites_every_form() {
        let mut e = expr(json!({
            "A": {"Ref": "Vpc"},
            "B": {"Fn::GetAtt": ["Key", "Arn"]},
            "C": {"Fn::Sub": "arn:${AWS::Partition}:x:${Key.Arn}:${Vpc}:${!Vpc}"},
            "D": {"Ref": "Local"}
        }));
        rewrite(&mut e, &mut |t, _| match (t.id.as_str(), t.attr.as_deref()) {
            ("Vpc", None) => Some(Replacement::Ref("VpcParam".into())),
            ("Key", Some("Arn")) => {
                Some(Replacement::GetAtt("SecurityStack".into(), "Outputs.KeyArn".into()))
            }
            _ => None,
        });
        assert_eq!(
            e.to_json(),
            json!({
                "A": {"Ref": "VpcParam"},
                "B": {"Fn::GetAtt": ["SecurityStack", "Outputs.KeyArn"]},
                "C": {"Fn::Sub": "arn:${AWS::Partition}:x:${SecurityStack.Outputs.KeyArn}:${VpcParam}:${!Vpc}"},
                "D": {"Ref": "Local"}
            })
        );
    }

    #[test]
    fn sub_variable_scanner_handles_edges() {
        assert_eq!(sub_variables("${A}${!B}${C.D}x${"), vec![(0, 4, "A"), (9, 15, "C.D")]);
        assert!(sub_variables("no vars $ {A}").is_empty());
    }
}
