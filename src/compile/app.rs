//! The app model: the whole platform as ONE graph of resources, each placed in a nested stack.
//!
//! Stack code adds typed resources through a [`StackScope`] (`app.stack("network")`), which
//! records the placement as data ([`App::placement`]). References between resources are plain
//! `Ref`/`Fn::GetAtt`/`Fn::Sub` on logical ids, whatever stack the target lives in: the
//! compiler ([`super::compile`]) partitions the graph and wires every cross-stack reference.
//! Because placement is data, a later pass can split a stack that outgrows CloudFormation's
//! limits by moving resources to a new [`StackSpec`] and re-placing them.

use std::collections::BTreeMap;

use crate::model::{Expr, Handle, LogicalId, Output, Resource, Template, TemplateError};
use crate::resources::ResourceType;

/// One nested stack of the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackSpec {
    /// Short name: file stem of its template (`network` -> `network.json`).
    pub name: String,
    /// Logical id of its `AWS::CloudFormation::Stack` resource in the root (`NetworkStack`).
    pub logical_id: LogicalId,
    /// Template description.
    pub description: String,
}

/// An output declared on a nested stack.
#[derive(Clone, Debug, PartialEq)]
pub struct StackOutput {
    pub stack: String,
    pub output: Output,
}

/// The platform before compilation.
#[derive(Clone, Debug)]
pub struct App {
    /// Name of the root stack in AWS (`payment-observability-dev`); root exports are named
    /// `<root_name>-<OutputName>`.
    pub root_name: String,
    /// Root template description.
    pub description: String,
    /// Nested stacks, in emit order.
    pub stacks: Vec<StackSpec>,
    /// Every resource of every nested stack (only the Resources section is used).
    pub graph: Template,
    /// Resource -> name of the nested stack that owns it.
    pub placement: BTreeMap<LogicalId, String>,
    /// Outputs declared on nested stacks (names unique per stack).
    pub outputs: BTreeMap<(String, LogicalId), Output>,
    /// Root outputs; values may refer to any resource of the graph. Each is exported.
    pub root_outputs: BTreeMap<LogicalId, Output>,
    /// Tags for every taggable resource, in order.
    pub tags: Vec<(String, String)>,
    /// Tags for every taggable resource of one nested stack (and the stack resource itself):
    /// stack name -> tags, in order. They win over [`App::tags`] with the same key.
    pub stack_tags: BTreeMap<String, Vec<(String, String)>>,
}

/// Errors while assembling an app.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("nested stack `{0}` is not declared (declare it with App::add_stack)")]
    UnknownStack(String),
    #[error("nested stack `{0}` is declared twice")]
    DuplicateStack(String),
    #[error("output `{output}` is declared twice on stack `{stack}`")]
    DuplicateOutput { stack: String, output: String },
    #[error("root output `{0}` is declared twice")]
    DuplicateRootOutput(String),
    #[error("{what} `{name}` is declared twice")]
    Duplicate { what: &'static str, name: String },
    #[error("{0}")]
    Unsupported(String),
}

impl App {
    pub fn new(
        root_name: impl Into<String>,
        description: impl Into<String>,
        tags: Vec<(String, String)>,
    ) -> Self {
        App {
            root_name: root_name.into(),
            description: description.into(),
            stacks: Vec::new(),
            graph: Template::default(),
            placement: BTreeMap::new(),
            outputs: BTreeMap::new(),
            root_outputs: BTreeMap::new(),
            tags,
            stack_tags: BTreeMap::new(),
        }
    }

    /// Tags every taggable resource of the app (a type is taggable when its schema says so);
    /// setting a key again replaces its value. A tag a resource sets itself wins.
    pub fn tag(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        set_tag(&mut self.tags, key.into(), value.into());
        self
    }

    /// The tags of the resources of stack `name`: the app's tags with the stack's own
    /// ([`StackScope::tag`]) in place of those with the same key, then the stack's other tags.
    pub fn tags_for(&self, name: &str) -> Vec<(String, String)> {
        let mut tags = self.tags.clone();
        for (k, v) in self.stack_tags.get(name).into_iter().flatten() {
            set_tag(&mut tags, k.clone(), v.clone());
        }
        tags
    }

    /// Declares a nested stack.
    pub fn add_stack(&mut self, name: &str, logical_id: &str, description: &str) -> Result<(), AppError> {
        if self.stacks.iter().any(|s| s.name == name) {
            return Err(AppError::DuplicateStack(name.to_string()));
        }
        let logical_id = LogicalId::new(logical_id).map_err(TemplateError::from)?;
        self.stacks.push(StackSpec {
            name: name.to_string(),
            logical_id,
            description: description.to_string(),
        });
        Ok(())
    }

    /// A scope that adds resources and outputs to nested stack `name`.
    pub fn stack(&mut self, name: &str) -> Result<StackScope<'_>, AppError> {
        if !self.stacks.iter().any(|s| s.name == name) {
            return Err(AppError::UnknownStack(name.to_string()));
        }
        Ok(StackScope { app: self, stack: name.to_string() })
    }

    /// Declares a condition (e.g. `Fn::Equals [Ref AWS::Region, us-east-1]`) that resources and
    /// outputs name in their `Condition` or in `Fn::If`; the compiler copies it into each
    /// template that uses it. Conditions depend on pseudo parameters and mappings only.
    pub fn condition(&mut self, name: &str, expr: impl Into<Expr>) -> Result<(), AppError> {
        let id = LogicalId::new(name).map_err(TemplateError::from)?;
        if self.graph.conditions.insert(id, expr.into()).is_some() {
            return Err(AppError::Duplicate { what: "condition", name: name.to_string() });
        }
        Ok(())
    }

    /// Declares a mapping (`Fn::FindInMap [name, top key, second key]`), copied into each
    /// template that uses it.
    pub fn mapping(
        &mut self,
        name: &str,
        entries: BTreeMap<String, BTreeMap<String, Expr>>,
    ) -> Result<(), AppError> {
        LogicalId::new(name).map_err(TemplateError::from)?;
        if self.graph.mappings.insert(name.to_string(), entries).is_some() {
            return Err(AppError::Duplicate { what: "mapping", name: name.to_string() });
        }
        Ok(())
    }

    /// Declares a root output (exported as `<root_name>-<name>`).
    pub fn root_output(&mut self, name: &str, output: Output) -> Result<(), AppError> {
        let id = LogicalId::new(name).map_err(TemplateError::from)?;
        if self.root_outputs.insert(id, output).is_some() {
            return Err(AppError::DuplicateRootOutput(name.to_string()));
        }
        Ok(())
    }

    /// The stack that owns resource `id`.
    pub fn stack_of(&self, id: &str) -> Option<&str> {
        LogicalId::new(id).ok().and_then(|id| self.placement.get(&id)).map(String::as_str)
    }

    /// The resources placed in stack `name`, with their ids.
    pub fn resources_in<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = (&'a LogicalId, &'a Resource)> + 'a {
        self.graph.resources.iter().filter(move |(id, _)| self.placement.get(*id).is_some_and(|s| s == name))
    }

    /// Moves resource `id` to stack `to` (used by splitting); the stack must be declared.
    pub fn place(&mut self, id: &LogicalId, to: &str) -> Result<(), AppError> {
        if !self.stacks.iter().any(|s| s.name == to) {
            return Err(AppError::UnknownStack(to.to_string()));
        }
        self.placement.insert(id.clone(), to.to_string());
        Ok(())
    }
}

/// Sets `key` in an ordered tag list: replaces its value in place, or appends it.
fn set_tag(tags: &mut Vec<(String, String)>, key: String, value: String) {
    match tags.iter_mut().find(|(k, _)| *k == key) {
        Some(existing) => existing.1 = value,
        None => tags.push((key, value)),
    }
}

/// Adds resources and outputs to one nested stack of an [`App`].
pub struct StackScope<'a> {
    app: &'a mut App,
    stack: String,
}

impl StackScope<'_> {
    /// The stack's name.
    pub fn name(&self) -> &str {
        &self.stack
    }

    /// Tags every taggable resource of this stack (those added before and after this call)
    /// and the nested stack itself; wins over an app tag with the same key, and a tag a
    /// resource sets itself wins over it.
    pub fn tag(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        set_tag(self.app.stack_tags.entry(self.stack.clone()).or_default(), key.into(), value.into());
        self
    }

    /// Adds a typed resource to this stack; the id must be unique in the whole app.
    pub fn add<R: ResourceType>(&mut self, id: &str, resource: R) -> Result<Handle<R>, AppError> {
        let handle = self.app.graph.add(id, resource)?;
        self.app.placement.insert(handle.id().clone(), self.stack.clone());
        Ok(handle)
    }

    /// Adds an untyped resource to this stack.
    pub fn insert(&mut self, id: LogicalId, resource: Resource) -> Result<(), AppError> {
        self.app.graph.insert(id.clone(), resource)?;
        self.app.placement.insert(id, self.stack.clone());
        Ok(())
    }

    /// The template form of a resource added earlier (to set DependsOn, policies, metadata).
    pub fn resource_mut<R>(&mut self, handle: &Handle<R>) -> &mut Resource
    where
        R: ResourceType,
    {
        self.app.graph.resource_mut(handle)
    }

    /// Declares an output of this stack.
    pub fn output(&mut self, name: &str, description: &str, value: impl Into<Expr>) -> Result<(), AppError> {
        let id = LogicalId::new(name).map_err(TemplateError::from)?;
        let key = (self.stack.clone(), id);
        if self.app.outputs.contains_key(&key) {
            return Err(AppError::DuplicateOutput { stack: self.stack.clone(), output: name.to_string() });
        }
        self.app.outputs.insert(key, Output::new(description, value));
        Ok(())
    }

    /// Declares a root output (exported) in the same breath.
    pub fn root_output(
        &mut self,
        name: &str,
        description: &str,
        value: impl Into<Expr>,
    ) -> Result<(), AppError> {
        self.app.root_output(name, Output::new(description, value))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pairs(tags: &[(&str, &str)]) -> Vec<(String, String)> {
        tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn tagged_app() -> App {
        let mut app = App::new("r", "root", pairs(&[("Environment", "dev"), ("Team", "platform")]));
        app.tag("CostCenter", "obs").tag("Environment", "test");
        app.add_stack("net", "NetStack", "network").unwrap();
        app.add_stack("data", "DataStack", "data").unwrap();
        let mut vpc = Resource::new("AWS::EC2::VPC");
        vpc.properties.insert("Tags".into(), Expr::from_json(&json!([{"Key": "Team", "Value": "own"}])));
        let mut net = app.stack("net").unwrap();
        net.tag("Team", "network").tag("Tier", "edge");
        net.insert(LogicalId::new("Vpc").unwrap(), vpc).unwrap();
        // Added after the stack's tags: tagged all the same.
        net.insert(LogicalId::new("Igw").unwrap(), Resource::new("AWS::EC2::InternetGateway")).unwrap();
        app.stack("data")
            .unwrap()
            .insert(LogicalId::new("Bucket").unwrap(), Resource::new("AWS::S3::Bucket"))
            .unwrap();
        app
    }

    #[test]
    fn stack_tags_replace_app_tags_with_the_same_key_and_follow_them() {
        let app = tagged_app();
        assert_eq!(
            app.tags_for("net"),
            pairs(&[("Environment", "test"), ("Team", "network"), ("CostCenter", "obs"), ("Tier", "edge")])
        );
        assert_eq!(
            app.tags_for("data"),
            pairs(&[("Environment", "test"), ("Team", "platform"), ("CostCenter", "obs")])
        );
    }

    #[test]
    fn compiled_resources_and_nested_stacks_get_their_stack_tags_and_own_tags_win() {
        let c = crate::compile::compile(&tagged_app(), &|sha: &str| Expr::from(format!("https://x/{sha}")))
            .unwrap();
        let res = |stack: usize, id: &str| {
            c.children[stack].template.resources[&LogicalId::new(id).unwrap()].clone()
        };
        assert_eq!(
            res(0, "Vpc").properties["Tags"].to_json(),
            json!([
                {"Key": "Team", "Value": "own"},
                {"Key": "Environment", "Value": "test"},
                {"Key": "CostCenter", "Value": "obs"},
                {"Key": "Tier", "Value": "edge"}
            ])
        );
        assert_eq!(
            res(0, "Igw").properties["Tags"].to_json(),
            json!([
                {"Key": "Environment", "Value": "test"},
                {"Key": "Team", "Value": "network"},
                {"Key": "CostCenter", "Value": "obs"},
                {"Key": "Tier", "Value": "edge"}
            ])
        );
        assert_eq!(
            res(1, "Bucket").properties["Tags"].to_json(),
            json!([
                {"Key": "Environment", "Value": "test"},
                {"Key": "Team", "Value": "platform"},
                {"Key": "CostCenter", "Value": "obs"}
            ])
        );
        let net_stack = &c.root.template.resources[&LogicalId::new("NetStack").unwrap()];
        assert_eq!(net_stack.properties["Tags"].to_json()[1], json!({"Key": "Team", "Value": "network"}));
    }
}
