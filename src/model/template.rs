//! The CloudFormation template model: sections, resource attributes, parameters and outputs.
//!
//! Sections are kept in `BTreeMap`s so that serialization is deterministic and sorted by
//! logical id (CloudFormation does not care about order). Typed resources from
//! [`crate::resources`] enter through [`Template::add`], which returns a typed [`Handle`].

use std::collections::BTreeMap;
use std::marker::PhantomData;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::intrinsic::{Expr, Intrinsic};
use super::logical_id::LogicalId;
use super::value::Value;
use crate::resources::{Attribute, ResourceType};

/// The only template format version CloudFormation knows.
pub const FORMAT_VERSION: &str = "2010-09-09";

/// A whole template.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Template {
    #[serde(rename = "AWSTemplateFormatVersion", skip_serializing_if = "Option::is_none")]
    pub format_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transform: Option<Expr>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub metadata: BTreeMap<String, Expr>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub parameters: BTreeMap<LogicalId, Parameter>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub rules: BTreeMap<String, Expr>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub mappings: BTreeMap<String, BTreeMap<String, BTreeMap<String, Expr>>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub conditions: BTreeMap<LogicalId, Expr>,
    #[serde(default)]
    pub resources: BTreeMap<LogicalId, Resource>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub outputs: BTreeMap<LogicalId, Output>,
}

/// `DeletionPolicy` / `UpdateReplacePolicy` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Policy {
    Delete,
    Retain,
    RetainExceptOnCreate,
    Snapshot,
}

/// One resource with its attributes. `properties` holds the schema-shaped body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Resource {
    #[serde(rename = "Type")]
    pub type_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default, deserialize_with = "one_or_many")]
    pub depends_on: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_policy: Option<Policy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_replace_policy: Option<Policy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_policy: Option<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_policy: Option<Expr>,
    #[serde(skip_serializing_if = "IndexMap::is_empty", default)]
    pub properties: IndexMap<String, Expr>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

impl Resource {
    /// A resource of `type_name` with no properties.
    pub fn new(type_name: impl Into<String>) -> Self {
        Resource {
            type_name: type_name.into(),
            condition: None,
            depends_on: Vec::new(),
            deletion_policy: None,
            update_replace_policy: None,
            metadata: None,
            creation_policy: None,
            update_policy: None,
            properties: IndexMap::new(),
        }
    }

    /// Converts a typed resource into its template form.
    pub fn from_typed<R: ResourceType>(r: &R) -> Self {
        let mut res = Resource::new(R::TYPE_NAME);
        if let Expr::Map(props) = Expr::from(Value::Literal(r)) {
            res.properties = props;
        }
        res
    }

    /// Keeps the data when the resource is deleted or replaced.
    pub fn retain(&mut self) -> &mut Self {
        self.deletion_policy = Some(Policy::Retain);
        self.update_replace_policy = Some(Policy::Retain);
        self
    }

    pub fn depends_on(&mut self, id: &LogicalId) -> &mut Self {
        if !self.depends_on.iter().any(|d| d == id.as_str()) {
            self.depends_on.push(id.to_string());
        }
        self
    }
}

/// A template parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Parameter {
    #[serde(rename = "Type")]
    pub type_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_values: Option<Vec<Expr>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_pattern: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraint_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_value: Option<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_value: Option<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_echo: Option<Expr>,
}

impl Parameter {
    /// A `String` parameter with a description.
    pub fn string(description: impl Into<String>) -> Self {
        Parameter {
            type_name: "String".into(),
            description: Some(description.into()),
            default: None,
            allowed_values: None,
            allowed_pattern: None,
            constraint_description: None,
            min_length: None,
            max_length: None,
            min_value: None,
            max_value: None,
            no_echo: None,
        }
    }
}

/// A template output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Output {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub value: Expr,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export: Option<Export>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// `Export: { Name: ... }` of an output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Export {
    pub name: Expr,
}

impl Output {
    pub fn new(description: impl Into<String>, value: impl Into<Expr>) -> Self {
        Output { description: Some(description.into()), value: value.into(), export: None, condition: None }
    }

    pub fn exported_as(mut self, name: impl Into<Expr>) -> Self {
        self.export = Some(Export { name: name.into() });
        self
    }
}

/// A typed reference to a resource added to a template: `Ref` and `GetAtt` through it can
/// only name attributes that the resource type has.
#[derive(Debug)]
pub struct Handle<R> {
    id: LogicalId,
    _type: PhantomData<fn() -> R>,
}

impl<R> Clone for Handle<R> {
    fn clone(&self) -> Self {
        Handle { id: self.id.clone(), _type: PhantomData }
    }
}

impl<R: ResourceType> Handle<R> {
    /// A handle to a resource known to be of type `R` under `id`.
    pub fn new(id: LogicalId) -> Self {
        Handle { id, _type: PhantomData }
    }

    pub fn id(&self) -> &LogicalId {
        &self.id
    }

    /// `Ref` to the resource (what it returns is `R::REF_RETURNS`).
    pub fn r#ref<T>(&self) -> Value<T> {
        Value::intrinsic(Intrinsic::Ref(self.id.to_string()))
    }

    /// `Fn::GetAtt` of one of the type's attributes.
    pub fn get_att<T>(&self, attr: R::Attr) -> Value<T> {
        Value::intrinsic(Intrinsic::GetAtt(self.id.to_string(), attr.name().to_string()))
    }
}

impl Template {
    /// An empty template with the format version and a description.
    pub fn new(description: impl Into<String>) -> Self {
        Template {
            format_version: Some(FORMAT_VERSION.to_string()),
            description: Some(description.into()),
            ..Template::default()
        }
    }

    /// Adds a typed resource; fails when the id is taken.
    pub fn add<R: ResourceType>(&mut self, id: &str, resource: R) -> Result<Handle<R>, TemplateError> {
        let id = LogicalId::new(id).map_err(TemplateError::LogicalId)?;
        self.insert(id.clone(), Resource::from_typed(&resource))?;
        Ok(Handle::new(id))
    }

    /// Adds an untyped resource; fails when the id is taken.
    pub fn insert(&mut self, id: LogicalId, resource: Resource) -> Result<(), TemplateError> {
        if self.resources.contains_key(&id) || self.parameters.contains_key(&id) {
            return Err(TemplateError::Duplicate(id));
        }
        self.resources.insert(id, resource);
        Ok(())
    }

    /// The template form of a resource added earlier, to set its attributes.
    pub fn resource_mut<R>(&mut self, handle: &Handle<R>) -> &mut Resource {
        self.resources.get_mut(&handle.id).expect("a handle always names a resource of its template")
    }

    /// Deterministic, pretty-printed CloudFormation JSON.
    pub fn to_json_string(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("templates serialize to JSON");
        s.push('\n');
        s
    }

    /// Reads a template from CloudFormation JSON (as produced by the reader).
    pub fn from_json(value: &serde_json::Value) -> Result<Self, serde_json::Error> {
        serde_json::from_value(value.clone())
    }
}

/// Errors building a template.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error(transparent)]
    LogicalId(#[from] super::logical_id::LogicalIdError),
    #[error("logical id `{0}` is used twice in one template")]
    Duplicate(LogicalId),
}
