//! Template sets: the two inputs of a diff.
//!
//! A set is a list of named stacks (root first), each with its template as JSON, and for a
//! nested stack the parent stack and the logical id of its `AWS::CloudFormation::Stack`
//! resource there. Sets come from a template file (a set of one, named by the file stem), a
//! `cfnc.out/<env>/` directory (through its `manifest.json`, or its `*.json` templates when there
//! is no manifest), or from templates the caller already holds (the deploy review builds the
//! deployed set from `GetTemplate`).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::error::Error;
use crate::manifest::Manifest;

/// One stack's template and its place in the set.
#[derive(Clone, Debug, PartialEq)]
pub struct StackTemplate {
    /// Stack name within the set (`root`, `monitoring`, or a file stem). Stacks of the two
    /// sets are matched by this name.
    pub name: String,
    /// The template (JSON; YAML templates are read into the same shape).
    pub template: Json,
    /// Name of the parent stack in the set (none for a root or a loose template).
    pub parent: Option<String>,
    /// Logical id of the `AWS::CloudFormation::Stack` resource in the parent.
    pub logical_id: Option<String>,
    /// Parameter values given to this stack from outside the set (the root stack's
    /// parameters from the manifest, or a deployed stack's current values). A nested stack
    /// gets its other values from its parent's `Parameters` property; missing ones fall
    /// back to the parameter's `Default`.
    pub parameters: BTreeMap<String, String>,
    /// Where the template came from (a path or `GetTemplate <stack>`), for messages.
    pub origin: String,
}

impl StackTemplate {
    /// A loose stack: no parent, no parameter values.
    pub fn new(name: impl Into<String>, template: Json) -> Self {
        let name = name.into();
        StackTemplate {
            origin: name.clone(),
            name,
            template,
            parent: None,
            logical_id: None,
            parameters: BTreeMap::new(),
        }
    }

    /// Places this stack under `parent` as the stack resource `logical_id`.
    pub fn nested_in(mut self, parent: impl Into<String>, logical_id: impl Into<String>) -> Self {
        self.parent = Some(parent.into());
        self.logical_id = Some(logical_id.into());
        self
    }

    /// Sets the parameter values given from outside.
    pub fn with_parameters(mut self, parameters: BTreeMap<String, String>) -> Self {
        self.parameters = parameters;
        self
    }

    /// Sets the origin shown in messages.
    pub fn with_origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = origin.into();
        self
    }
}

/// A set of stacks compared as a whole.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TemplateSet {
    stacks: Vec<StackTemplate>,
    /// True when the set was read from a single template file (its one stack can then be
    /// matched with the other side's single stack whatever the names).
    single_file: bool,
    /// Pseudo parameters whose values are known (`AWS::Region` of a set deployed to a known
    /// region): conditions and values that use them are evaluated, e.g. a resource that exists
    /// only in the primary region. Unknown pseudo parameters stay symbolic.
    pseudo: BTreeMap<String, String>,
}

impl TemplateSet {
    /// Reads a template file (JSON or YAML) or a build output directory.
    pub fn from_path(path: &Path) -> Result<Self, Error> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
        if meta.is_dir() {
            Self::from_dir(path)
        } else {
            let name = file_stem(path);
            let template = super::load::read_template(path)?;
            let mut set = Self::from_stacks(vec![
                StackTemplate::new(name, template).with_origin(path.display().to_string()),
            ])?;
            set.single_file = true;
            Ok(set)
        }
    }

    /// Loose templates by name (no nesting information).
    pub fn from_templates(templates: impl IntoIterator<Item = (String, Json)>) -> Result<Self, Error> {
        Self::from_stacks(templates.into_iter().map(|(n, t)| StackTemplate::new(n, t)).collect())
    }

    /// Templates named as in `manifest` (e.g. the deployed templates, fetched with GetTemplate
    /// for the root and every nested stack): parent and logical id come from the manifest's
    /// entry of the same name; a template the manifest does not list is a loose stack.
    /// `root_parameters` are the root stack's current parameter values (DescribeStacks), so
    /// that parameters resolve as deployed rather than to their defaults. The order is the
    /// manifest's, then the unlisted stacks by name.
    pub fn from_manifest_templates(
        manifest: &Manifest,
        templates: impl IntoIterator<Item = (String, Json)>,
        root_parameters: BTreeMap<String, String>,
    ) -> Result<Self, Error> {
        let mut templates: BTreeMap<String, Json> = templates.into_iter().collect();
        let mut stacks = Vec::new();
        for entry in &manifest.stacks {
            let Some(template) = templates.remove(&entry.name) else { continue };
            let mut st = StackTemplate::new(entry.name.clone(), template);
            // A parent that is not in the set (not deployed) leaves the stack loose.
            if let Some(parent) = &entry.parent
                && stacks.iter().any(|s: &StackTemplate| &s.name == parent)
            {
                st.parent = Some(parent.clone());
                st.logical_id = entry.logical_id.clone();
            }
            if entry.parent.is_none() {
                st.parameters = root_parameters.clone();
            }
            stacks.push(st);
        }
        stacks.extend(templates.into_iter().map(|(name, t)| StackTemplate::new(name, t)));
        Self::from_stacks(stacks)
    }

    /// Stacks with their nesting; checks names, parents and template shape.
    pub fn from_stacks(stacks: Vec<StackTemplate>) -> Result<Self, Error> {
        let mut names = HashSet::new();
        for s in &stacks {
            if !names.insert(s.name.as_str()) {
                return Err(Error::input(
                    format!("two stacks are named `{}` in one template set", s.name),
                    Some("give every stack of a set its own name".to_string()),
                ));
            }
            if let Err(bad) = check_template(&s.template) {
                return Err(Error::input(format!("{}: {}", s.origin, bad.message), Some(bad.help)));
            }
        }
        for s in &stacks {
            match (&s.parent, &s.logical_id) {
                (None, _) => {}
                (Some(p), Some(_)) if names.contains(p.as_str()) => {}
                (Some(p), Some(_)) => {
                    return Err(Error::input(
                        format!("stack `{}` names parent `{p}`, which is not in the set", s.name),
                        Some("include the parent stack's template in the set".to_string()),
                    ));
                }
                (Some(_), None) => {
                    return Err(Error::input(
                        format!("nested stack `{}` has a parent but no logical id", s.name),
                        Some("give the logical id of its AWS::CloudFormation::Stack resource".to_string()),
                    ));
                }
            }
        }
        // No cycles in the parent chain.
        for s in &stacks {
            let mut seen = HashSet::new();
            let mut cur = Some(s);
            while let Some(c) = cur {
                if !seen.insert(c.name.as_str()) {
                    return Err(Error::input(
                        format!("stack `{}` is its own ancestor", s.name),
                        Some("fix the parent links of the set".to_string()),
                    ));
                }
                cur = c.parent.as_deref().and_then(|p| stacks.iter().find(|x| x.name == p));
            }
        }
        Ok(TemplateSet { stacks, single_file: false, pseudo: BTreeMap::new() })
    }

    fn from_dir(dir: &Path) -> Result<Self, Error> {
        let manifest_path = dir.join("manifest.json");
        if manifest_path.is_file() {
            let text =
                std::fs::read_to_string(&manifest_path).map_err(|e| Error::io("read", &manifest_path, e))?;
            let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
                Error::input(
                    format!(
                        "{}:{}:{}: not a cfnc manifest: {e}",
                        manifest_path.display(),
                        e.line(),
                        e.column()
                    ),
                    Some("rebuild the directory with `cfnc build`".to_string()),
                )
            })?;
            let mut stacks = Vec::new();
            for entry in &manifest.stacks {
                let path = dir.join(&entry.file);
                let template = super::load::read_template(&path)?;
                let mut st =
                    StackTemplate::new(entry.name.clone(), template).with_origin(path.display().to_string());
                st.parent = entry.parent.clone();
                st.logical_id = entry.logical_id.clone();
                if st.parent.is_none() {
                    st.parameters = manifest.parameters.clone();
                }
                stacks.push(st);
            }
            return Self::from_stacks(stacks);
        }
        // No manifest: every template file in the directory, as loose stacks.
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| Error::io("list", dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && matches!(
                        p.extension().and_then(|e| e.to_str()),
                        Some("json" | "yaml" | "yml" | "template")
                    )
            })
            .collect();
        files.sort();
        let mut stacks = Vec::new();
        for path in files {
            let template = super::load::read_template(&path)?;
            // Other JSON files (a change-set review, a manifest of another tool) are not templates.
            if template.get("Resources").is_none() {
                continue;
            }
            stacks
                .push(StackTemplate::new(file_stem(&path), template).with_origin(path.display().to_string()));
        }
        if stacks.is_empty() {
            return Err(Error::input(
                format!("{} holds no manifest.json and no templates", dir.display()),
                Some(
                    "pass a template file, or a build output directory (`cfnc build` writes cfnc.out/<env>/)"
                        .into(),
                ),
            ));
        }
        Self::from_stacks(stacks)
    }

    /// The stacks, root first.
    pub fn stacks(&self) -> &[StackTemplate] {
        &self.stacks
    }

    /// The stack named `name`.
    pub fn get(&self, name: &str) -> Option<&StackTemplate> {
        self.stacks.iter().find(|s| s.name == name)
    }

    /// True when read from one template file.
    pub fn is_single_file(&self) -> bool {
        self.single_file
    }

    /// This set as deployed to `region`: `AWS::Region`, and the `AWS::Partition` and
    /// `AWS::URLSuffix` of its partition ([`crate::partition`]), are known. Both sides of a
    /// diff should be placed in the same region.
    pub fn in_region(mut self, region: &str) -> Self {
        let p = crate::partition::of_region(region);
        self.pseudo.insert("AWS::Region".into(), region.to_string());
        self.pseudo.insert("AWS::Partition".into(), p.name.to_string());
        self.pseudo.insert("AWS::URLSuffix".into(), p.url_suffix.to_string());
        self
    }

    /// The known value of a pseudo parameter (`AWS::Region`).
    pub fn pseudo(&self, name: &str) -> Option<&str> {
        self.pseudo.get(name).map(String::as_str)
    }

    /// This set with its only stack renamed (used to pair two single templates).
    pub(crate) fn renamed_single(&self, name: &str) -> TemplateSet {
        let mut out = self.clone();
        if let [only] = out.stacks.as_mut_slice() {
            only.name = name.to_string();
        }
        out
    }
}

fn file_stem(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "template".to_string())
}

/// A template that does not have the shape the engine relies on.
pub(crate) struct BadShape {
    /// JSON pointer of the offending node.
    pub pointer: String,
    pub message: String,
    pub help: String,
}

/// The shape the engine relies on: an object whose `Resources` (if any) maps logical ids to
/// objects with a string `Type`; `Parameters`, `Outputs`, `Conditions`, `Mappings` objects.
pub(crate) fn check_template(t: &Json) -> Result<(), BadShape> {
    let bad = |pointer: String, message: &str, help: &str| {
        Err(BadShape { pointer, message: message.to_string(), help: help.to_string() })
    };
    let Some(obj) = t.as_object() else {
        return bad(
            String::new(),
            "a template must be a mapping",
            "check that the file is a CloudFormation template",
        );
    };
    if let Some(res) = obj.get("Resources") {
        let Some(res) = res.as_object() else {
            return bad(
                "/Resources".into(),
                "/Resources must be a mapping",
                "map logical ids to resource definitions",
            );
        };
        for (id, r) in res {
            if id.starts_with("Fn::ForEach::") {
                continue; // AWS::LanguageExtensions loop; the engine notes that it is not expanded
            }
            let pointer = format!("/Resources/{}", crate::reader::escape_token(id));
            if !r.is_object() {
                return bad(
                    pointer.clone(),
                    &format!("{pointer} must be a mapping"),
                    "give the resource a Type",
                );
            }
            if r.get("Type").and_then(Json::as_str).is_none() {
                return bad(
                    format!("{pointer}/Type"),
                    &format!("{pointer}/Type must be a string"),
                    "give every resource a Type such as AWS::S3::Bucket",
                );
            }
        }
    }
    for section in ["Parameters", "Outputs", "Conditions", "Mappings"] {
        if let Some(v) = obj.get(section)
            && !v.is_object()
        {
            return bad(
                format!("/{section}"),
                &format!("/{section} must be a mapping"),
                "see the CloudFormation template anatomy",
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rejects_duplicate_names_and_missing_parents() {
        let t = json!({"Resources": {}});
        assert!(TemplateSet::from_templates([("a".into(), t.clone()), ("a".into(), t.clone())]).is_err());
        let orphan = StackTemplate::new("c", t).nested_in("nope", "C");
        assert!(TemplateSet::from_stacks(vec![orphan]).is_err());
    }

    #[test]
    fn manifest_templates_take_their_nesting_from_the_manifest() {
        let manifest: Manifest = serde_json::from_str(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/diff/nested/old/manifest.json"
            ))
            .unwrap(),
        )
        .unwrap();
        let t = json!({"Resources": {}});
        let set = TemplateSet::from_manifest_templates(
            &manifest,
            [
                ("monitoring".to_string(), t.clone()),
                ("root".to_string(), t.clone()),
                ("extra".to_string(), t),
            ],
            [("Env".to_string(), "prod".to_string())].into_iter().collect(),
        )
        .unwrap();
        let names: Vec<&str> = set.stacks().iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["root", "monitoring", "extra"]);
        assert_eq!(set.stacks()[1].parent.as_deref(), Some("root"));
        assert_eq!(set.stacks()[1].logical_id.as_deref(), Some("Monitoring"));
        assert_eq!(set.stacks()[0].parameters["Env"], "prod");
        assert!(set.stacks()[2].parent.is_none());
    }

    #[test]
    fn rejects_resources_without_type() {
        let t = json!({"Resources": {"A": {"Properties": {}}}});
        let err = TemplateSet::from_templates([("a".into(), t)]).unwrap_err();
        assert!(err.to_string().contains("/Resources/A/Type"), "{err}");
    }
}
