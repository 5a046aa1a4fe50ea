//! Maps one registry schema to the Rust items of its module (structs, enums, attributes).
//!
//! The rules are general (nothing here names a resource type):
//! - a JSON object with `properties` (inline or a `$ref` to `definitions`) is a struct;
//! - a string with `enum` (or `const`) is an enum;
//! - `string`/`integer`/`number`/`boolean` are `String`/`i64`/`f64`/`bool`;
//! - arrays are `Vec`s of their item type; `patternProperties` (or a schema-valued
//!   `additionalProperties`) are `BTreeMap<String, _>`;
//! - everything else (free-form objects, several types, no type) is `Expr`;
//! - the items of a `Tags` list that are `{Key, Value}` string pairs are the one shared
//!   [`crate::model::Tag`](Ty::Tag) of every resource, not a struct per type.
//!
//! Every value is wrapped in `Value<_>` (literal or intrinsic). Read-only properties are not
//! fields: they are the `GetAtt` attributes. A struct field that refers back to its own
//! struct through other structs (not through a list or map) is boxed.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::Value as Json;

use crate::names::{RESERVED_TYPES, camel, field_ident, snake};

/// The type of a field (inside `Value<_>`).
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    String,
    Integer,
    Number,
    Boolean,
    Expr,
    /// The shared `crate::model::Tag` (`{"Key": .., "Value": ..}`).
    Tag,
    Enum(String),
    /// A struct; `true` when boxed (recursive).
    Struct(String, bool),
    List(Box<Ty>),
    Map(Box<Ty>),
}

impl Ty {
    /// The Rust type, always `Value<_>`.
    pub fn rust(&self) -> String {
        format!("Value<{}>", self.inner())
    }

    /// The type inside `Value<_>`.
    pub fn inner(&self) -> String {
        match self {
            Ty::String => "String".into(),
            Ty::Integer => "i64".into(),
            Ty::Number => "f64".into(),
            Ty::Boolean => "bool".into(),
            Ty::Expr => "Expr".into(),
            Ty::Tag => "crate::model::Tag".into(),
            Ty::Enum(n) | Ty::Struct(n, false) => n.clone(),
            Ty::Struct(n, true) => format!("Box<{n}>"),
            Ty::List(t) => format!("Vec<{}>", t.rust()),
            Ty::Map(t) => format!("BTreeMap<String, {}>", t.rust()),
        }
    }

    pub fn uses_expr(&self) -> bool {
        match self {
            Ty::Expr => true,
            Ty::List(t) | Ty::Map(t) => t.uses_expr(),
            _ => false,
        }
    }

    pub fn uses_map(&self) -> bool {
        match self {
            Ty::Map(_) => true,
            Ty::List(t) => t.uses_map(),
            _ => false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Field {
    pub ident: String,
    pub json_name: String,
    pub ty: Ty,
    pub required: bool,
    pub doc: Option<String>,
}

#[derive(Clone, Debug)]
pub struct StructDef {
    pub name: String,
    /// Its builder's name (`{name}Builder`, numbered when a schema type has that name).
    pub builder: String,
    pub doc: Option<String>,
    pub fields: Vec<Field>,
    /// `additionalProperties: false` in the schema.
    pub deny_unknown: bool,
}

#[derive(Clone, Debug)]
pub struct EnumDef {
    pub name: String,
    pub doc: Option<String>,
    /// (Rust variant, CloudFormation value).
    pub variants: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct AttrDef {
    pub variant: String,
    /// `Endpoint.Address`.
    pub name: String,
    pub doc: Option<String>,
}

/// Everything one resource type's module holds.
#[derive(Debug)]
pub struct ResourceModule {
    pub type_name: String,
    /// `schema/aws-s3-bucket.json` relative to the repository root.
    pub schema_file: String,
    /// `s3`.
    pub service_module: String,
    /// `bucket`.
    pub module: String,
    pub resource: StructDef,
    pub attr_enum: String,
    pub attrs: Vec<AttrDef>,
    pub structs: Vec<StructDef>,
    pub enums: Vec<EnumDef>,
    pub ref_returns: String,
    pub create_only: Vec<String>,
    pub conditional_create_only: Vec<String>,
}

/// Schema shapes that become named Rust types.
enum Named {
    Struct,
    Enum(Vec<String>),
}

fn named_kind(node: &Json) -> Option<Named> {
    let ty = node.get("type");
    let is = |t: &str| ty.is_none() || ty == Some(&Json::String(t.into()));
    if node.get("properties").is_some_and(Json::is_object) && is("object") {
        return Some(Named::Struct);
    }
    if is("string") {
        if let Some(values) = node.get("enum").and_then(Json::as_array) {
            let strings: Vec<String> = values.iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
            if !strings.is_empty() && strings.len() == values.len() {
                return Some(Named::Enum(strings));
            }
        }
        if let Some(Json::String(c)) = node.get("const") {
            return Some(Named::Enum(vec![c.clone()]));
        }
    }
    None
}

fn description(node: &Json) -> Option<String> {
    node.get("description")
        .and_then(Json::as_str)
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_string)
}

fn strings(json: &Json, key: &str) -> Vec<String> {
    json.get(key)
        .and_then(Json::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// `/properties/Endpoint/Address` -> `["Endpoint", "Address"]`; `None` for pointers that
/// do not start at `/properties/`.
fn pointer_segments(pointer: &str) -> Option<Vec<String>> {
    let rest = pointer.strip_prefix("/properties/")?;
    Some(rest.split('/').map(|s| s.replace("~1", "/").replace("~0", "~")).collect())
}

struct Builder<'a> {
    root: &'a Json,
    definitions: BTreeMap<String, &'a Json>,
    /// Read-only field names per object location (`#`, `#/definitions/X`, ...).
    read_only: HashMap<String, BTreeSet<String>>,
    /// Every type name in use in the module.
    taken: HashSet<String>,
    /// Names of definitions that become named types.
    def_names: HashMap<String, String>,
    /// Struct locations already generated (or in progress) -> name.
    struct_at: HashMap<String, String>,
    structs: Vec<StructDef>,
    enums: Vec<EnumDef>,
}

impl<'a> Builder<'a> {
    /// Resolves a `$ref` to (location, node).
    fn deref(&self, node: &'a Json, loc: &str) -> Option<(String, &'a Json)> {
        match node.get("$ref").and_then(Json::as_str) {
            None => Some((loc.to_string(), node)),
            Some(r) => {
                let name = r.strip_prefix("#/definitions/")?;
                let def = self.definitions.get(name)?;
                Some((format!("#/definitions/{name}"), def))
            }
        }
    }

    /// The node a property pointer designates, with its location; `*` steps into array
    /// items or map values.
    fn walk(&self, segments: &[String]) -> Option<(String, &'a Json)> {
        let mut loc = "#".to_string();
        let mut node = self.root;
        for seg in segments {
            let (l, n) = self.deref(node, &loc)?;
            if seg == "*" {
                let next = n.get("items").or_else(|| {
                    n.get("patternProperties").and_then(Json::as_object).and_then(|m| m.values().next())
                })?;
                loc = format!("{l}/items");
                node = next;
            } else {
                node = n.get("properties")?.get(seg)?;
                loc = format!("{l}/properties/{seg}");
            }
        }
        self.deref(node, &loc)
    }

    fn mark_read_only(&mut self, pointer: &str) {
        let Some(segments) = pointer_segments(pointer) else { return };
        let Some((last, parent)) = segments.split_last() else { return };
        if let Some((loc, _)) = self.walk(parent) {
            self.read_only.entry(loc).or_default().insert(last.clone());
        }
    }

    /// A fresh type name based on `candidate`, prefixed with `parent` on a clash.
    fn fresh_name(&self, candidate: &str, parent: &str) -> String {
        if !self.taken.contains(candidate) {
            return candidate.to_string();
        }
        let prefixed = format!("{parent}{candidate}");
        if !self.taken.contains(&prefixed) {
            return prefixed;
        }
        (2..)
            .map(|i| format!("{prefixed}{i}"))
            .find(|n| !self.taken.contains(n))
            .expect("some suffix is free")
    }

    fn enum_named(&mut self, name: &str, node: &Json, values: Vec<String>) {
        let mut used = HashSet::new();
        let variants = values
            .into_iter()
            .map(|v| {
                let base = camel(&v);
                let ident = (1..)
                    .map(|i| if i == 1 { base.clone() } else { format!("{base}{i}") })
                    .find(|n| used.insert(n.clone()));
                (ident.expect("some suffix is free"), v)
            })
            .collect();
        self.enums.push(EnumDef { name: name.to_string(), doc: description(node), variants });
    }

    /// The field type of `node` (at `loc`); `ctx` names an inline type after its property,
    /// `parent` (the enclosing struct) disambiguates the name.
    fn resolve(&mut self, node: &'a Json, loc: &str, ctx: &str, parent: &str) -> Ty {
        if let Some(r) = node.get("$ref").and_then(Json::as_str) {
            let Some(name) = r.strip_prefix("#/definitions/") else { return Ty::Expr };
            let Some(def) = self.definitions.get(name).copied() else { return Ty::Expr };
            let def_loc = format!("#/definitions/{name}");
            return match (named_kind(def), self.def_names.get(name).cloned()) {
                (Some(Named::Struct), Some(rust)) => {
                    self.build_struct(def, &def_loc, &rust);
                    Ty::Struct(rust, false)
                }
                (Some(Named::Enum(values)), Some(rust)) => {
                    if !self.enums.iter().any(|e| e.name == rust) {
                        self.enum_named(&rust, def, values);
                    }
                    Ty::Enum(rust)
                }
                _ => self.resolve(def, &def_loc, &camel(name), parent),
            };
        }
        match named_kind(node) {
            Some(Named::Struct) => {
                if let Some(name) = self.struct_at.get(loc) {
                    return Ty::Struct(name.clone(), false);
                }
                let name = self.fresh_name(&camel(ctx), parent);
                self.taken.insert(name.clone());
                self.build_struct(node, loc, &name);
                return Ty::Struct(name, false);
            }
            Some(Named::Enum(values)) => {
                // Reuse an identical enum under the same name (`Status: Enabled|Suspended`).
                for candidate in [camel(ctx), format!("{parent}{}", camel(ctx))] {
                    if self
                        .enums
                        .iter()
                        .any(|e| e.name == candidate && e.variants.iter().map(|v| &v.1).eq(&values))
                    {
                        return Ty::Enum(candidate);
                    }
                }
                let name = self.fresh_name(&camel(ctx), parent);
                self.taken.insert(name.clone());
                self.enum_named(&name, node, values);
                return Ty::Enum(name);
            }
            None => {}
        }
        match node.get("type").and_then(Json::as_str) {
            Some("string") => Ty::String,
            Some("integer") => Ty::Integer,
            Some("number") => Ty::Number,
            Some("boolean") => Ty::Boolean,
            Some("array") => match node.get("items") {
                Some(items) if items.is_object() => Ty::List(Box::new(self.resolve(
                    items,
                    &format!("{loc}/items"),
                    &format!("{ctx}Item"),
                    parent,
                ))),
                _ => Ty::List(Box::new(Ty::Expr)),
            },
            Some("object") | None => {
                let value_schema = match node.get("patternProperties").and_then(Json::as_object) {
                    Some(patterns) if patterns.len() == 1 => patterns.values().next(),
                    Some(_) => Some(&Json::Bool(true)),
                    None => node.get("additionalProperties").filter(|a| a.is_object()),
                };
                match value_schema {
                    Some(v) if v.is_object() => Ty::Map(Box::new(self.resolve(
                        v,
                        &format!("{loc}/items"),
                        &format!("{ctx}Value"),
                        parent,
                    ))),
                    Some(_) => Ty::Map(Box::new(Ty::Expr)),
                    None => Ty::Expr,
                }
            }
            Some(_) => Ty::Expr,
        }
    }

    /// A list whose items are objects with exactly the string properties `Key` and `Value`
    /// (whichever of them the schema requires): a list of the shared `Tag`.
    fn is_tag_list(&self, node: &'a Json) -> bool {
        let Some((_, list)) = self.deref(node, "#") else { return false };
        if list.get("type").and_then(Json::as_str) != Some("array") {
            return false;
        }
        let Some((_, item)) = list.get("items").and_then(|i| self.deref(i, "#")) else { return false };
        let Some(props) = item.get("properties").and_then(Json::as_object) else { return false };
        let string = |n: &str| {
            props.get(n).and_then(|p| self.deref(p, "#")).is_some_and(|(_, p)| {
                p.get("type").and_then(Json::as_str) == Some("string") && named_kind(p).is_none()
            })
        };
        props.len() == 2 && string("Key") && string("Value")
    }

    /// Generates the struct for the object `node` at `loc` named `name` (once).
    fn build_struct(&mut self, node: &'a Json, loc: &str, name: &str) {
        if self.struct_at.contains_key(loc) {
            return;
        }
        self.struct_at.insert(loc.to_string(), name.to_string());
        let def = self.struct_def(node, loc, name);
        self.structs.push(def);
    }

    fn struct_def(&mut self, node: &'a Json, loc: &str, name: &str) -> StructDef {
        let required: BTreeSet<String> = strings(node, "required").into_iter().collect();
        let read_only = self.read_only.get(loc).cloned().unwrap_or_default();
        let mut props: Vec<(&String, &'a Json)> =
            node.get("properties").and_then(Json::as_object).map(|m| m.iter().collect()).unwrap_or_default();
        props.sort_by(|a, b| a.0.cmp(b.0));
        let mut idents = HashSet::new();
        let mut fields = Vec::new();
        for (prop, schema) in props {
            if read_only.contains(prop) {
                continue;
            }
            let base = field_ident(&snake(prop));
            let ident = (1..)
                .map(|i| if i == 1 { base.clone() } else { format!("{}_{i}", base.trim_start_matches("r#")) })
                .find(|n| idents.insert(n.clone()))
                .expect("some suffix is free");
            let ty = if prop == "Tags" && self.is_tag_list(schema) {
                Ty::List(Box::new(Ty::Tag))
            } else {
                self.resolve(schema, &format!("{loc}/properties/{prop}"), prop, name)
            };
            let doc =
                description(schema).or_else(|| self.deref(schema, loc).and_then(|(_, n)| description(n)));
            fields.push(Field { ident, json_name: prop.clone(), ty, required: required.contains(prop), doc });
        }
        let deny_unknown = node.get("additionalProperties") == Some(&Json::Bool(false));
        StructDef {
            name: name.to_string(),
            builder: String::new(),
            doc: description(node),
            fields,
            deny_unknown,
        }
    }
}

/// Names each struct's builder `{name}Builder`, or `{name}Builder2`, ... when a type of the
/// module (or a reserved name) already has that name.
fn name_builders(resource: &mut StructDef, structs: &mut [StructDef], enums: &[EnumDef], attr_enum: &str) {
    let mut taken: HashSet<String> = RESERVED_TYPES.iter().map(|s| s.to_string()).collect();
    taken.insert(attr_enum.to_string());
    taken.insert(resource.name.clone());
    taken.extend(structs.iter().map(|s| s.name.clone()));
    taken.extend(enums.iter().map(|e| e.name.clone()));
    for s in std::iter::once(resource).chain(structs.iter_mut()) {
        let base = format!("{}Builder", s.name);
        let name = (1..)
            .map(|i| if i == 1 { base.clone() } else { format!("{base}{i}") })
            .find(|n| !taken.contains(n))
            .expect("some suffix is free");
        taken.insert(name.clone());
        s.builder = name;
    }
}

/// Direct (unboxed, not through a list or map) struct references of a type.
fn direct_struct(ty: &Ty) -> Option<&str> {
    match ty {
        Ty::Struct(n, _) => Some(n),
        _ => None,
    }
}

/// Boxes every field whose struct reaches the field's own struct through direct fields.
fn box_recursion(structs: &mut [StructDef]) {
    let edges: HashMap<String, Vec<String>> = structs
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                s.fields.iter().filter_map(|f| direct_struct(&f.ty)).map(str::to_string).collect(),
            )
        })
        .collect();
    let reaches = |from: &str, to: &str| {
        let mut seen = HashSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if seen.insert(n.clone()) {
                stack.extend(edges.get(&n).into_iter().flatten().cloned());
            }
        }
        false
    };
    for s in structs.iter_mut() {
        let owner = s.name.clone();
        for f in &mut s.fields {
            if let Ty::Struct(target, boxed) = &mut f.ty
                && reaches(target, &owner)
            {
                *boxed = true;
            }
        }
    }
}

/// Builds the module of one resource type from its schema.
/// `Fn::GetAtt` attributes of a type beyond its `readOnlyProperties`
/// (`schema/getatt-exceptions.json`).
#[derive(Debug, Default, Clone)]
pub struct ExtraAttributes {
    /// Every scalar or list-of-scalar property (nested objects by dotted path) is an attribute.
    pub all_properties: bool,
    /// These top-level properties are attributes.
    pub named: Vec<String>,
}

/// The property paths an all-properties type exposes: scalars and lists of scalars, objects
/// by their members (as CloudFormation's GetAtt and cfn-lint see them).
fn property_paths<'a>(b: &Builder<'a>, node: &'a Json, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let Some((_, node)) = b.deref(node, "#") else { return };
    let types: Vec<&str> = match node.get("type") {
        Some(Json::String(t)) => vec![t.as_str()],
        Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"object") {
        for (name, child) in node.get("properties").and_then(Json::as_object).into_iter().flatten() {
            path.push(name.clone());
            property_paths(b, child, path, out);
            path.pop();
        }
    } else if types.contains(&"array") {
        let item = node.get("items").and_then(|i| b.deref(i, "#")).map(|(_, i)| i);
        if !matches!(item.and_then(|i| i.get("type")).and_then(Json::as_str), Some("object" | "array")) {
            out.push(path.clone());
        }
    } else {
        out.push(path.clone());
    }
}

pub fn resource_module(
    schema: &Json,
    schema_file: &str,
    extra: &ExtraAttributes,
) -> Result<ResourceModule, String> {
    let type_name = schema
        .get("typeName")
        .and_then(Json::as_str)
        .ok_or_else(|| format!("{schema_file}: no typeName"))?
        .to_string();
    let parts: Vec<&str> = type_name.split("::").collect();
    let [_, service, resource] = parts[..] else {
        return Err(format!("{schema_file}: typeName {type_name:?} is not Org::Service::Resource"));
    };
    let service_module = crate::names::module_ident(&service.to_ascii_lowercase());
    let mut module = crate::names::module_ident(&snake(resource));
    if module == service_module {
        module.push_str("_resource");
    }
    let resource_name = camel(resource);
    let attr_enum = format!("{resource_name}Attr");

    let definitions: BTreeMap<String, &Json> = schema
        .get("definitions")
        .and_then(Json::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v)).collect())
        .unwrap_or_default();
    let mut taken: HashSet<String> = RESERVED_TYPES.iter().map(|s| s.to_string()).collect();
    taken.insert(resource_name.clone());
    taken.insert(attr_enum.clone());
    let mut def_names = HashMap::new();
    for (name, def) in &definitions {
        if named_kind(def).is_some() {
            let base = camel(name);
            let rust = if taken.contains(&base) {
                let suffixed = format!("{base}Property");
                (1..)
                    .map(|i| if i == 1 { suffixed.clone() } else { format!("{suffixed}{i}") })
                    .find(|n| !taken.contains(n))
                    .expect("some suffix is free")
            } else {
                base
            };
            taken.insert(rust.clone());
            def_names.insert(name.clone(), rust);
        }
    }

    let mut b = Builder {
        root: schema,
        definitions,
        read_only: HashMap::new(),
        taken,
        def_names,
        struct_at: HashMap::new(),
        structs: Vec::new(),
        enums: Vec::new(),
    };
    let read_only = strings(schema, "readOnlyProperties");
    for p in &read_only {
        b.mark_read_only(p);
    }
    b.struct_at.insert("#".into(), resource_name.clone());
    let resource_def = b.struct_def(schema, "#", &resource_name);

    let mut paths: Vec<Vec<String>> = read_only.iter().filter_map(|p| pointer_segments(p)).collect();
    if extra.all_properties {
        for (name, prop) in schema.get("properties").and_then(Json::as_object).into_iter().flatten() {
            property_paths(&b, prop, &mut vec![name.clone()], &mut paths);
        }
    }
    paths.extend(extra.named.iter().map(|n| vec![n.clone()]));
    let mut seen = HashSet::new();
    paths.retain(|p| seen.insert(p.join(".")));

    let mut attrs: Vec<AttrDef> = Vec::new();
    let mut variants = HashSet::new();
    for segments in paths {
        if segments.iter().any(|s| s == "*") {
            continue;
        }
        let base: String = segments.iter().map(|s| camel(s)).collect();
        let variant = (1..)
            .map(|i| if i == 1 { base.clone() } else { format!("{base}{i}") })
            .find(|n| variants.insert(n.clone()))
            .expect("some suffix is free");
        let doc = b.walk(&segments).and_then(|(_, n)| description(n)).or_else(|| {
            // The pointer's own node may carry the description beside its `$ref`.
            let (last, parent) = segments.split_last()?;
            let (_, parent) = b.walk(parent)?;
            description(parent.get("properties")?.get(last)?)
        });
        attrs.push(AttrDef { variant, name: segments.join("."), doc });
    }
    attrs.sort_by(|a, b| a.variant.cmp(&b.variant));

    let mut structs = b.structs;
    let mut all = vec![resource_def];
    all.append(&mut structs);
    box_recursion(&mut all);
    let mut resource = all.remove(0);
    let mut structs = all;
    structs.sort_by(|a, b| a.name.cmp(&b.name));
    let mut enums = b.enums;
    enums.sort_by(|a, b| a.name.cmp(&b.name));
    name_builders(&mut resource, &mut structs, &enums, &attr_enum);

    let ref_returns = strings(schema, "primaryIdentifier")
        .iter()
        .filter_map(|p| pointer_segments(p).map(|s| s.join(".")))
        .collect::<Vec<_>>()
        .join("|");
    Ok(ResourceModule {
        type_name: type_name.clone(),
        schema_file: schema_file.to_string(),
        service_module,
        module,
        resource,
        attr_enum,
        attrs,
        structs,
        enums,
        ref_returns,
        create_only: strings(schema, "createOnlyProperties"),
        conditional_create_only: strings(schema, "conditionalCreateOnlyProperties"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn module(schema: Json) -> ResourceModule {
        resource_module(&schema, "schema/test.json", &ExtraAttributes::default()).unwrap()
    }

    #[test]
    fn maps_types_read_only_and_required() {
        let m = module(json!({
            "typeName": "AWS::Test::Thing",
            "definitions": {
                "Thing": {"type": "object", "properties": {"Self": {"$ref": "#/definitions/Thing"}, "N": {"type": "number"}}},
                "Option": {"type": "string", "enum": ["a:b", "AES256"]},
            },
            "properties": {
                "Arn": {"type": "string"},
                "Name": {"type": "string"},
                "Count": {"type": "integer"},
                "Doc": {"type": "object"},
                "Multi": {"type": ["string", "object"]},
                "Tags": {"type": "array", "items": {"type": "object", "properties": {"Key": {"type": "string"}, "Value": {"type": "string"}}, "required": ["Key"]}},
                "Labels": {"type": "array", "items": {"type": "object", "properties": {"Key": {"type": "string"}}, "required": ["Key"]}},
                "Env": {"type": "object", "patternProperties": {"[a-z]+": {"type": "string"}}},
                "Inner": {"$ref": "#/definitions/Thing"},
                "Kind": {"$ref": "#/definitions/Option"},
                "Endpoint": {"type": "object", "properties": {"Address": {"type": "string"}, "Port": {"type": "integer"}}},
            },
            "required": ["Name"],
            "readOnlyProperties": ["/properties/Arn", "/properties/Endpoint/Address"],
            "primaryIdentifier": ["/properties/Name"],
        }));
        assert_eq!(m.resource.name, "Thing");
        assert_eq!(m.attr_enum, "ThingAttr");
        let f = |n: &str| m.resource.fields.iter().find(|f| f.json_name == n).cloned();
        assert!(f("Arn").is_none());
        assert!(f("Name").unwrap().required);
        assert_eq!(f("Name").unwrap().ty.rust(), "Value<String>");
        assert_eq!(f("Count").unwrap().ty.rust(), "Value<i64>");
        assert_eq!(f("Doc").unwrap().ty.rust(), "Value<Expr>");
        assert_eq!(f("Multi").unwrap().ty.rust(), "Value<Expr>");
        assert_eq!(f("Tags").unwrap().ty.rust(), "Value<Vec<Value<crate::model::Tag>>>");
        assert_eq!(f("Labels").unwrap().ty.rust(), "Value<Vec<Value<LabelsItem>>>");
        assert!(!m.structs.iter().any(|s| s.name == "TagsItem"), "tags use the shared Tag");
        assert_eq!(f("Env").unwrap().ty.rust(), "Value<BTreeMap<String, Value<String>>>");
        assert_eq!(f("Inner").unwrap().ty.rust(), "Value<ThingProperty>");
        assert_eq!(f("Kind").unwrap().ty.rust(), "Value<OptionProperty>");
        let thing = m.structs.iter().find(|s| s.name == "ThingProperty").unwrap();
        assert_eq!(thing.fields[1].ident, "self_");
        assert_eq!(thing.fields[1].ty.rust(), "Value<Box<ThingProperty>>");
        let endpoint = m.structs.iter().find(|s| s.name == "Endpoint").unwrap();
        assert_eq!(endpoint.fields.len(), 1);
        let kinds = &m.enums.iter().find(|e| e.name == "OptionProperty").unwrap().variants;
        assert_eq!(kinds, &[("AB".to_string(), "a:b".to_string()), ("Aes256".into(), "AES256".into())]);
        let attrs: Vec<_> = m.attrs.iter().map(|a| (a.variant.as_str(), a.name.as_str())).collect();
        assert_eq!(attrs, [("Arn", "Arn"), ("EndpointAddress", "Endpoint.Address")]);
        assert_eq!(m.ref_returns, "Name");
    }
}
