//! Validation of every template a build writes.
//!
//! INTEGRATION POINT (validator helper, issue "validator"): when `crate::validate` lands in
//! main, [`validate`] calls it and maps its findings into [`Finding`]; the structural checks
//! below then stay only where the validator does not cover them. Until then these checks run:
//! they are real (unknown types, missing required properties, unresolved references and
//! attributes, dangling DependsOn, unused parameters, CloudFormation limits), so a wiring or
//! stack-code mistake fails the build instead of the deploy.

use serde::Serialize;

use crate::compile::refs::{self, Target};
use crate::model::{Expr, Pseudo, Template};

/// How bad a finding is; errors fail the build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in one template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable code (`CFNC-E001`).
    pub code: String,
    /// Template file (`network.json`).
    pub file: String,
    /// JSON pointer into the template.
    pub path: String,
    pub message: String,
}

/// CloudFormation limits (per template).
pub const MAX_RESOURCES: usize = 500;
pub const MAX_PARAMETERS: usize = 200;
pub const MAX_OUTPUTS: usize = 200;
/// Bytes of a template read from S3.
pub const MAX_TEMPLATE_BYTES: usize = 1_000_000;

/// Validates one template (`json` is its exact text).
pub fn validate(file: &str, template: &Template, json: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let push = |out: &mut Vec<Finding>, severity, code: &str, path: String, message: String| {
        out.push(Finding { severity, code: code.to_string(), file: file.to_string(), path, message })
    };
    for (what, n, max, ptr) in [
        ("resources", template.resources.len(), MAX_RESOURCES, "/Resources"),
        ("parameters", template.parameters.len(), MAX_PARAMETERS, "/Parameters"),
        ("outputs", template.outputs.len(), MAX_OUTPUTS, "/Outputs"),
    ] {
        if n > max {
            push(
                &mut out,
                Severity::Error,
                "CFNC-E010",
                ptr.to_string(),
                format!("{n} {what}: CloudFormation allows {max}"),
            );
        }
    }
    if json.len() > MAX_TEMPLATE_BYTES {
        push(
            &mut out,
            Severity::Error,
            "CFNC-E011",
            String::new(),
            format!("{} bytes: a template in S3 may have {MAX_TEMPLATE_BYTES}", json.len()),
        );
    }
    let resolves = |t: &Target| -> Result<(), String> {
        if let Ok(id) = crate::model::LogicalId::new(t.id.as_str()) {
            if let Some(r) = template.resources.get(&id) {
                let Some(attr) = &t.attr else { return Ok(()) };
                if r.type_name == "AWS::CloudFormation::Stack" && attr.starts_with("Outputs.") {
                    return Ok(());
                }
                return match crate::schema::get(&r.type_name) {
                    Some(s) if !s.attributes().contains(attr) => {
                        Err(format!("`{}` has no attribute `{attr}` (type {})", t.id, r.type_name))
                    }
                    _ => Ok(()),
                };
            }
            if template.parameters.contains_key(&id) && t.attr.is_none() {
                return Ok(());
            }
        }
        if Pseudo::from_name(&t.id).is_some() && t.attr.is_none() {
            return Ok(());
        }
        Err(format!("`{}` is neither a resource nor a parameter of this template", t.id))
    };
    let mut used_params = std::collections::BTreeSet::new();
    let mut check_exprs = |base: String, exprs: Vec<&Expr>, out: &mut Vec<Finding>| {
        let mut found = Vec::new();
        exprs.into_iter().for_each(|e| refs::collect(e, &mut found));
        for (t, _) in found {
            if t.attr.is_none() {
                used_params.insert(t.id.clone());
            }
            if let Err(m) = resolves(&t) {
                out.push(Finding {
                    severity: Severity::Error,
                    code: "CFNC-E020".into(),
                    file: file.to_string(),
                    path: base.clone(),
                    message: m,
                });
            }
        }
    };
    for (id, r) in &template.resources {
        let base = format!("/Resources/{id}");
        match crate::schema::get(&r.type_name) {
            None => push(
                &mut out,
                Severity::Error,
                "CFNC-E001",
                format!("{base}/Type"),
                format!("unknown resource type `{}` (not in the vendored schemas)", r.type_name),
            ),
            Some(s) => {
                for req in s.json.get("required").and_then(|v| v.as_array()).into_iter().flatten() {
                    if let Some(req) = req.as_str()
                        && !r.properties.contains_key(req)
                    {
                        push(
                            &mut out,
                            Severity::Error,
                            "CFNC-E002",
                            format!("{base}/Properties"),
                            format!("required property `{req}` of {} is missing", r.type_name),
                        );
                    }
                }
            }
        }
        for (i, d) in r.depends_on.iter().enumerate() {
            let ok =
                crate::model::LogicalId::new(d.as_str()).is_ok_and(|d| template.resources.contains_key(&d));
            if !ok {
                push(
                    &mut out,
                    Severity::Error,
                    "CFNC-E021",
                    format!("{base}/DependsOn/{i}"),
                    format!("DependsOn `{d}` is not a resource of this template"),
                );
            }
        }
        let exprs: Vec<&Expr> = r
            .properties
            .values()
            .chain(r.metadata.iter())
            .chain(r.creation_policy.iter())
            .chain(r.update_policy.iter())
            .collect();
        check_exprs(base, exprs, &mut out);
    }
    for (id, o) in &template.outputs {
        check_exprs(format!("/Outputs/{id}/Value"), vec![&o.value], &mut out);
        if let Some(e) = &o.export {
            check_exprs(format!("/Outputs/{id}/Export/Name"), vec![&e.name], &mut out);
        }
    }
    for id in template.parameters.keys() {
        if !used_params.contains(id.as_str()) {
            out.push(Finding {
                severity: Severity::Warning,
                code: "CFNC-W001".into(),
                file: file.to_string(),
                path: format!("/Parameters/{id}"),
                message: format!("parameter `{id}` is not used"),
            });
        }
    }
    out.sort_by(|a, b| (a.severity, &a.path, &a.code).cmp(&(b.severity, &b.path, &b.code)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_unresolved_references_missing_properties_and_unused_parameters() {
        let t = Template::from_json(&json!({
            "Parameters": {"Unused": {"Type": "String"}, "Used": {"Type": "String"}},
            "Resources": {
                "Key": {"Type": "AWS::KMS::Key", "Properties": {"Description": {"Ref": "Used"}}},
                "Alias": {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": "alias/x"}, "DependsOn": "Nope"},
                "G": {"Type": "AWS::Logs::LogGroup", "Properties": {"KmsKeyId": {"Fn::GetAtt": ["Key", "Nope"]}, "LogGroupName": {"Fn::Sub": "${Missing}"}}},
                "X": {"Type": "AWS::Nope::Nope"}
            }
        }))
        .unwrap();
        let f = validate("t.json", &t, "{}");
        let codes: Vec<(&str, &str)> = f.iter().map(|f| (f.code.as_str(), f.path.as_str())).collect();
        assert_eq!(
            codes,
            vec![
                ("CFNC-E002", "/Resources/Alias/Properties"),
                ("CFNC-E021", "/Resources/Alias/DependsOn/0"),
                ("CFNC-E020", "/Resources/G"),
                ("CFNC-E020", "/Resources/G"),
                ("CFNC-E001", "/Resources/X/Type"),
                ("CFNC-W001", "/Parameters/Unused"),
            ]
        );
    }
}
