//! The diff itself: stacks paired by name, resources by logical id, properties compared as
//! resolved values, replacement predicted from the schemas, flags from the data, IAM and
//! security-group rules. See `docs/diff-rules.md` for every rule and its source.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::set::TemplateSet;
use super::value::{Resolver, Val};
use super::{Note, data, iam, sg};
use crate::change::{Action, ChangeRow, Flag, Replacement};

/// A resource with its properties and attributes resolved.
#[derive(Debug)]
struct Res {
    type_name: String,
    props: BTreeMap<String, Val>,
    deletion_policy: Option<String>,
    update_replace_policy: Option<String>,
    /// Resource attributes whose change CloudFormation reports as a Modify.
    attributes: BTreeMap<&'static str, Val>,
}

/// A stack with the resources that exist (condition not known to be false).
#[derive(Debug)]
struct Stack {
    name: String,
    parent: Option<String>,
    logical_id: Option<String>,
    resources: BTreeMap<String, Res>,
    origin: String,
}

/// Attributes compared besides `Properties` (`DependsOn` and `Condition` changes alone do not
/// update a resource).
const COMPARED_ATTRIBUTES: &[&str] =
    &["Metadata", "DeletionPolicy", "UpdateReplacePolicy", "UpdatePolicy", "CreationPolicy"];

fn resolve_set(set: &TemplateSet, notes: &mut Vec<Note>) -> Vec<Stack> {
    let r = Resolver::new(set);
    let mut out = Vec::new();
    for (i, st) in set.stacks().iter().enumerate() {
        let mut resources = BTreeMap::new();
        if let Some(res) = st.template.get("Resources").and_then(Json::as_object) {
            for (id, def) in res {
                if id.starts_with("Fn::ForEach::") {
                    notes.push(Note {
                        stack: st.name.clone(),
                        logical_id: id.clone(),
                        message:
                            "Fn::ForEach (AWS::LanguageExtensions) is not expanded: the resources it creates \
                                  are not compared"
                                .into(),
                    });
                    continue;
                }
                if let Some(cond) = def.get("Condition").and_then(Json::as_str)
                    && r.condition(i, cond) == Some(false)
                {
                    continue;
                }
                let type_name = def.get("Type").and_then(Json::as_str).unwrap_or_default().to_string();
                let props = match def.get("Properties").map(|p| r.resolve(i, p)) {
                    Some(Val::Map(m)) => m,
                    Some(Val::Null) | None => BTreeMap::new(),
                    Some(other) => {
                        notes.push(Note {
                            stack: st.name.clone(),
                            logical_id: id.clone(),
                            message: format!(
                                "{}: Properties is not an object; compared as a whole",
                                st.origin
                            ),
                        });
                        BTreeMap::from([(String::from("Properties"), other)])
                    }
                };
                let policy =
                    |k: &str| def.get(k).map(|p| r.resolve(i, p)).and_then(|v| v.as_str().map(String::from));
                let attributes = COMPARED_ATTRIBUTES
                    .iter()
                    .filter_map(|a| def.get(*a).map(|v| (*a, r.resolve(i, v))))
                    .collect();
                resources.insert(
                    id.clone(),
                    Res {
                        type_name,
                        props,
                        deletion_policy: policy("DeletionPolicy"),
                        update_replace_policy: policy("UpdateReplacePolicy"),
                        attributes,
                    },
                );
            }
        }
        out.push(Stack {
            name: st.name.clone(),
            parent: st.parent.clone(),
            logical_id: st.logical_id.clone(),
            resources,
            origin: st.origin.clone(),
        });
    }
    out
}

/// The result of the whole diff.
pub(crate) fn run(old: &TemplateSet, new: &TemplateSet) -> (Vec<ChangeRow>, Vec<Note>) {
    // Two single templates are compared with each other whatever their file names.
    let renamed;
    let old = match (old.stacks(), new.stacks()) {
        ([o], [n]) if old.is_single_file() && new.is_single_file() && o.name != n.name => {
            renamed = old.renamed_single(&n.name);
            &renamed
        }
        _ => old,
    };
    let mut notes = Vec::new();
    let o = resolve_set(old, &mut notes);
    let n = resolve_set(new, &mut notes);

    // Pair stacks by name; a stack that moved (other parent or stack resource) is a
    // different stack: all of its resources are removed and created again.
    let mut pairs: Vec<(Option<&Stack>, Option<&Stack>)> = Vec::new();
    for ns in &n {
        match o.iter().find(|os| os.name == ns.name) {
            Some(os) if os.parent == ns.parent && os.logical_id == ns.logical_id => {
                pairs.push((Some(os), Some(ns)))
            }
            Some(os) => {
                pairs.push((Some(os), None));
                pairs.push((None, Some(ns)));
            }
            None => pairs.push((None, Some(ns))),
        }
    }
    for os in &o {
        if !n.iter().any(|ns| ns.name == os.name) {
            pairs.push((Some(os), None));
        }
    }
    let ctx = Ctx { old: &o, new: &n, pairs: &pairs };

    // Replacement propagates through references: iterate until the set of possibly replaced
    // resources is stable (it only grows, so this ends).
    let mut maybe_replaced: Replaced = BTreeMap::new();
    loop {
        let (rows, row_notes) = ctx.rows(&maybe_replaced);
        let mut next: Replaced = rows
            .iter()
            .filter_map(|r| match (r.action, r.replacement) {
                (Action::Modify, Some(x @ (Replacement::True | Replacement::Conditional))) => {
                    Some(((r.stack.clone(), r.logical_id.clone()), x))
                }
                _ => None,
            })
            .collect();
        // The same logical id removed and added (a type change, a nested stack that moved) is
        // a new physical resource too.
        let removed: BTreeSet<(&str, &str)> = rows
            .iter()
            .filter(|r| r.action == Action::Remove)
            .map(|r| (r.stack.as_str(), r.logical_id.as_str()))
            .collect();
        for r in rows.iter().filter(|r| r.action == Action::Add) {
            if removed.contains(&(r.stack.as_str(), r.logical_id.as_str())) {
                next.insert((r.stack.clone(), r.logical_id.clone()), Replacement::True);
            }
        }
        if next == maybe_replaced {
            notes.extend(row_notes);
            return (rows, notes);
        }
        maybe_replaced = next;
    }
}

/// Resources that are (True) or may be (Conditional) replaced, by (stack, logical id).
type Replaced = BTreeMap<(String, String), Replacement>;

struct Ctx<'a> {
    old: &'a [Stack],
    new: &'a [Stack],
    pairs: &'a [(Option<&'a Stack>, Option<&'a Stack>)],
}

impl Ctx<'_> {
    fn rows(&self, maybe: &Replaced) -> (Vec<ChangeRow>, Vec<Note>) {
        let mut per_pair: Vec<Vec<ChangeRow>> = Vec::new();
        let mut notes = Vec::new();
        for (o, n) in self.pairs {
            let mut stack_rows = Vec::new();
            match (o, n) {
                (Some(o), Some(n)) => {
                    let ids: BTreeSet<&String> = o.resources.keys().chain(n.resources.keys()).collect();
                    for id in ids {
                        match (o.resources.get(id), n.resources.get(id)) {
                            (Some(or), None) => stack_rows.push(removed(&o.name, id, or)),
                            (None, Some(nr)) => stack_rows.push(added(&n.name, id, nr)),
                            (Some(or), Some(nr)) if or.type_name != nr.type_name => {
                                notes.push(Note {
                                    stack: n.name.clone(),
                                    logical_id: id.clone(),
                                    message: format!(
                                        "type changed from {} to {}: CloudFormation does not change a resource's \
                                         type in place (the update fails); give the new resource a new logical id",
                                        or.type_name, nr.type_name
                                    ),
                                });
                                stack_rows.push(removed(&o.name, id, or));
                                stack_rows.push(added(&n.name, id, nr));
                            }
                            (Some(or), Some(nr)) => {
                                if let Some(row) = modified(&n.name, id, or, nr, maybe, &mut notes) {
                                    stack_rows.push(row);
                                }
                            }
                            (None, None) => {}
                        }
                    }
                }
                (Some(o), None) => {
                    if let Some(why) = self.skip_one_sided(o, self.new) {
                        notes.push(why);
                    } else if let Some(lid) = self.retained_stack(o) {
                        notes.push(Note {
                            stack: o.name.clone(),
                            logical_id: lid,
                            message: format!(
                                "nested stack `{}` is removed from the template but kept (DeletionPolicy Retain): its \
                                 {} resource(s) stay in the account, no longer managed by this stack",
                                o.name,
                                o.resources.len()
                            ),
                        });
                    } else {
                        stack_rows.extend(o.resources.iter().map(|(id, r)| removed(&o.name, id, r)));
                    }
                }
                (None, Some(n)) => {
                    if let Some(why) = self.skip_one_sided(n, self.old) {
                        notes.push(why);
                    } else {
                        stack_rows.extend(n.resources.iter().map(|(id, r)| added(&n.name, id, r)));
                    }
                }
                (None, None) => {}
            }
            per_pair.push(stack_rows);
        }
        self.nested_updates(&mut per_pair, &mut notes);
        let mut rows = Vec::new();
        for mut stack_rows in per_pair {
            // Sorted by logical id; a Remove before the Add of the same id.
            stack_rows.sort_by(|a, b| a.logical_id.cmp(&b.logical_id).then(b.action.cmp(&a.action)));
            rows.extend(stack_rows);
        }
        (rows, notes)
    }

    /// A nested stack with changes is an update of its stack resource in the parent, even
    /// when the stack resource's own properties are the same (a template replaced in place
    /// under the same TemplateURL): list it, up to the root.
    fn nested_updates(&self, per_pair: &mut [Vec<ChangeRow>], notes: &mut Vec<Note>) {
        let mut changed = true;
        while changed {
            changed = false;
            for i in 0..self.pairs.len() {
                let (Some(_), Some(n)) = self.pairs[i] else { continue };
                if per_pair[i].is_empty() {
                    continue;
                }
                let (Some(parent), Some(lid)) = (&n.parent, &n.logical_id) else { continue };
                let Some(pi) = self
                    .pairs
                    .iter()
                    .position(|(po, pn)| po.is_some() && pn.is_some_and(|pn| &pn.name == parent))
                else {
                    continue;
                };
                if per_pair[pi].iter().any(|r| &r.logical_id == lid) {
                    continue;
                }
                let Some(res) = self.pairs[pi].1.and_then(|p| p.resources.get(lid)) else { continue };
                let mut r = row(parent, lid, &res.type_name, Action::Modify);
                r.replacement = Some(Replacement::False);
                per_pair[pi].push(r);
                notes.push(Note {
                    stack: parent.clone(),
                    logical_id: lid.clone(),
                    message: format!("nested stack `{}` changes; its stack resource is updated", n.name),
                });
                changed = true;
            }
        }
    }

    /// A nested stack present on one side only while its stack resource exists on both: the
    /// other side's template is missing from its set, so nothing can be said about it.
    fn skip_one_sided(&self, st: &Stack, other_side: &[Stack]) -> Option<Note> {
        let (parent, lid) = (st.parent.as_ref()?, st.logical_id.as_ref()?);
        let other_parent = other_side.iter().find(|s| &s.name == parent)?;
        let res = other_parent.resources.get(lid)?;
        let same_stack_elsewhere = other_side.iter().any(|s| s.name == st.name);
        (res.type_name == "AWS::CloudFormation::Stack" && !same_stack_elsewhere).then(|| Note {
            stack: st.name.clone(),
            logical_id: lid.clone(),
            message: format!(
                "nested stack `{}` ({}) has no template on the other side although its stack resource `{lid}` \
                 exists there; it was not compared",
                st.name, st.origin
            ),
        })
    }

    /// A removed nested stack is kept, with all its resources, when its stack resource (or
    /// that of a removed ancestor) has DeletionPolicy Retain. Returns that stack resource's
    /// logical id.
    fn retained_stack(&self, st: &Stack) -> Option<String> {
        let mut cur = st;
        loop {
            let (parent, lid) = (cur.parent.as_ref()?, cur.logical_id.as_ref()?);
            let p = self.old.iter().find(|s| &s.name == parent)?;
            if p.resources
                .get(lid)
                .and_then(|r| r.deletion_policy.as_deref())
                .is_some_and(|d| matches!(d, "Retain" | "RetainExceptOnCreate"))
            {
                return Some(lid.clone());
            }
            // Keep walking only while the ancestor is removed too.
            if self.new.iter().any(|s| s.name == p.name) {
                return None;
            }
            cur = p;
        }
    }
}

fn row(stack: &str, id: &str, type_name: &str, action: Action) -> ChangeRow {
    ChangeRow::predicted(stack, id, type_name, action)
}

fn finish_flags(flags: BTreeSet<Flag>) -> Vec<Flag> {
    flags.into_iter().collect()
}

fn removed(stack: &str, id: &str, r: &Res) -> ChangeRow {
    let mut out = row(stack, id, &r.type_name, Action::Remove);
    let mut flags = BTreeSet::new();
    if data::removal_deletes_data(&r.type_name, r.deletion_policy.as_deref(), &r.props) {
        flags.insert(Flag::DeleteData);
    }
    if iam::widens(&r.type_name, Some(&r.props), None) {
        flags.insert(Flag::IamWidening);
    }
    out.flags = finish_flags(flags);
    out
}

fn added(stack: &str, id: &str, r: &Res) -> ChangeRow {
    let mut out = row(stack, id, &r.type_name, Action::Add);
    let mut flags = BTreeSet::new();
    if iam::widens(&r.type_name, None, Some(&r.props)) {
        flags.insert(Flag::IamWidening);
    }
    if sg::widens(&r.type_name, None, Some(&r.props)) {
        flags.insert(Flag::SgWidening);
    }
    out.flags = finish_flags(flags);
    out
}

/// How much a change may replace the resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    None,
    Conditional,
    Always,
}

/// Whether a changed value is known now (static) or only after a referenced resource is
/// replaced (dynamic: CloudFormation evaluates it during the update).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Static,
    Dynamic,
}

#[derive(Debug)]
struct Leaf {
    /// Path below the top-level property (JSON-pointer segments).
    path: Vec<String>,
    kind: Kind,
    /// For a dynamic change: the possibly replaced resource.
    via: Option<(String, String)>,
}

fn compare(a: Option<&Val>, b: Option<&Val>, path: &mut Vec<String>, maybe: &Replaced, out: &mut Vec<Leaf>) {
    match (a, b) {
        (None, None) => {}
        (Some(x), None) | (None, Some(x)) => leaves_of(x, path, out),
        (Some(Val::Map(x)), Some(Val::Map(y))) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                path.push(k.clone());
                compare(x.get(k), y.get(k), path, maybe, out);
                path.pop();
            }
        }
        (Some(Val::List(x)), Some(Val::List(y))) => {
            for i in 0..x.len().max(y.len()) {
                path.push(i.to_string());
                compare(x.get(i), y.get(i), path, maybe, out);
                path.pop();
            }
        }
        (Some(Val::Concat(x)), Some(Val::Concat(y))) if x.len() == y.len() => {
            for (p, q) in x.iter().zip(y) {
                compare(Some(p), Some(q), path, maybe, out);
            }
        }
        (Some(Val::Fn(f, x)), Some(Val::Fn(g, y))) if f == g && x.len() == y.len() => {
            for (p, q) in x.iter().zip(y) {
                compare(Some(p), Some(q), path, maybe, out);
            }
        }
        (Some(Val::Res { stack, id, attr }), Some(Val::Res { stack: s2, id: i2, attr: a2 }))
            if stack == s2 && id == i2 && attr == a2 =>
        {
            let key = (stack.clone(), id.clone());
            if maybe.contains_key(&key) {
                out.push(Leaf { path: path.clone(), kind: Kind::Dynamic, via: Some(key) });
            }
        }
        (Some(x), Some(y)) if x == y => {}
        _ => out.push(Leaf { path: path.clone(), kind: Kind::Static, via: None }),
    }
}

fn leaves_of(v: &Val, path: &mut Vec<String>, out: &mut Vec<Leaf>) {
    match v {
        Val::Map(m) if !m.is_empty() => {
            for (k, x) in m {
                path.push(k.clone());
                leaves_of(x, path, out);
                path.pop();
            }
        }
        Val::List(l) if !l.is_empty() => {
            for (i, x) in l.iter().enumerate() {
                path.push(i.to_string());
                leaves_of(x, path, out);
                path.pop();
            }
        }
        _ => out.push(Leaf { path: path.clone(), kind: Kind::Static, via: None }),
    }
}

/// JSON-pointer segments of a schema pointer below `/properties/`.
fn pointer_segments(pointer: &str) -> Option<Vec<String>> {
    let rest = pointer.strip_prefix("/properties/")?;
    Some(rest.split('/').map(|s| s.replace("~1", "/").replace("~0", "~")).collect())
}

/// True when a change at `leaf` (property + path) touches the schema pointer: one is a
/// prefix of the other (`*` in the schema matches any array index or key).
fn touches(pointer: &[String], leaf: &[String]) -> bool {
    pointer.iter().zip(leaf).all(|(p, l)| p == "*" || p == l)
}

/// Properties that CloudFormation refuses to change on an existing resource (the update
/// fails instead of replacing it). Source: the resource reference; AWS::KMS::Key: "If you
/// change the value of the KeySpec, KeyUsage, Origin, or MultiRegion properties of an existing
/// KMS key, the update request fails, regardless of the value of the UpdateReplacePolicy
/// attribute."
const IMMUTABLE_FAILS: &[(&str, &[&str])] =
    &[("AWS::KMS::Key", &["KeySpec", "KeyUsage", "Origin", "MultiRegion"])];

/// The resource type a SAM type expands into (AWS SAM specification, "AWS SAM resources and
/// properties": each page lists the CloudFormation resources generated). SAM's own schemas
/// carry no create-only properties, so replacement is judged on the expanded type.
fn sam_expansion(type_name: &str) -> Option<&'static str> {
    Some(match type_name {
        "AWS::Serverless::Function" => "AWS::Lambda::Function",
        "AWS::Serverless::LayerVersion" => "AWS::Lambda::LayerVersion",
        "AWS::Serverless::SimpleTable" => "AWS::DynamoDB::Table",
        "AWS::Serverless::StateMachine" => "AWS::StepFunctions::StateMachine",
        "AWS::Serverless::Api" => "AWS::ApiGateway::RestApi",
        "AWS::Serverless::HttpApi" | "AWS::Serverless::WebSocketApi" => "AWS::ApiGatewayV2::Api",
        "AWS::Serverless::GraphQLApi" => "AWS::AppSync::GraphQLApi",
        "AWS::Serverless::Application" => "AWS::CloudFormation::Stack",
        _ => return None,
    })
}

/// A SAM property that the expanded type also has is judged by that type's create-only
/// properties; a SAM-only one (`CodeUri`, `Events`, `AutoPublishAlias`...) may add, change or
/// replace generated resources: `Conditional`, with a note.
fn sam_level(type_name: &str, expanded: &str, leaf: &[String]) -> (Level, Option<String>) {
    let prop = leaf.first().map(String::as_str).unwrap_or_default();
    match crate::schema::info(expanded) {
        Some(info) if info.properties.iter().any(|p| p == prop) => {
            let (level, note) = schema_level(expanded, leaf);
            if level == Level::None && note.is_none() {
                return (level, None);
            }
            let via = format!("{type_name} expands into {expanded}: judged by its {prop}");
            (level, Some(note.map_or(via.clone(), |n| format!("{via}; {n}"))))
        }
        _ => (
            Level::Conditional,
            Some(format!(
                "{prop} is a SAM property of {type_name}: what it changes in the generated resources depends on \
                 the transform"
            )),
        ),
    }
}

/// Replacement level of a change at `leaf` (first segment: the top-level property).
fn schema_level(type_name: &str, leaf: &[String]) -> (Level, Option<String>) {
    if type_name.starts_with("Custom::") || type_name == "AWS::CloudFormation::CustomResource" {
        return (
            Level::Conditional,
            Some("custom resource: its handler decides whether an update returns a new physical id".into()),
        );
    }
    if let Some((_, props)) = IMMUTABLE_FAILS.iter().find(|(t, _)| *t == type_name)
        && leaf.first().is_some_and(|p| props.contains(&p.as_str()))
    {
        return (
            Level::None,
            Some(format!(
                "{} cannot change on an existing {type_name}: CloudFormation fails the update (it does not replace \
                 the resource, to protect it)",
                leaf[0]
            )),
        );
    }
    if let Some(expanded) = sam_expansion(type_name) {
        return sam_level(type_name, expanded, leaf);
    }
    let Some(schema) = crate::schema::info(type_name) else {
        return (
            Level::Conditional,
            Some(format!(
                "{type_name} is not in the resource registry index (schema/registry-index.json): \
                 replacement cannot be predicted"
            )),
        );
    };
    let hit = |pointers: &[String]| {
        pointers.iter().filter_map(|p| pointer_segments(p)).any(|segs| touches(&segs, leaf))
    };
    if hit(&schema.create_only) {
        (Level::Always, None)
    } else if hit(&schema.conditional_create_only) {
        (Level::Conditional, None)
    } else {
        (Level::None, None)
    }
}

fn modified(
    stack: &str,
    id: &str,
    o: &Res,
    n: &Res,
    maybe: &Replaced,
    notes: &mut Vec<Note>,
) -> Option<ChangeRow> {
    let keys: BTreeSet<&String> = o.props.keys().chain(n.props.keys()).collect();
    let mut changed: BTreeMap<String, Vec<Leaf>> = BTreeMap::new();
    for k in keys {
        let mut leaves = Vec::new();
        let mut path = Vec::new();
        compare(o.props.get(k), n.props.get(k), &mut path, maybe, &mut leaves);
        if !leaves.is_empty() {
            changed.insert(k.clone(), leaves);
        }
    }
    let changed_attributes: Vec<&str> =
        COMPARED_ATTRIBUTES.iter().copied().filter(|a| o.attributes.get(a) != n.attributes.get(a)).collect();
    if changed.is_empty() && changed_attributes.is_empty() {
        return None;
    }
    let note = |notes: &mut Vec<Note>, message: String| {
        notes.push(Note { stack: stack.to_string(), logical_id: id.to_string(), message });
    };

    let mut replacement = Replacement::False;
    let mut causes = BTreeSet::new();
    let mut reasons = BTreeSet::new();
    let mut dynamic_via: BTreeMap<String, BTreeSet<(String, Replacement)>> = BTreeMap::new();
    for (prop, leaves) in &changed {
        for leaf in leaves {
            let mut full = vec![prop.clone()];
            full.extend(leaf.path.iter().cloned());
            let (level, reason) = schema_level(&n.type_name, &full);
            if let Some(r) = reason {
                reasons.insert(r);
            }
            let r = match (level, leaf.kind) {
                (Level::None, _) => Replacement::False,
                (Level::Always, Kind::Static) => Replacement::True,
                _ => Replacement::Conditional,
            };
            if r != Replacement::False {
                causes.insert(prop.clone());
            }
            if let Some((s, rid)) = &leaf.via {
                let name = if s == stack { rid.clone() } else { format!("{s}/{rid}") };
                let how = maybe.get(&(s.clone(), rid.clone())).copied().unwrap_or(Replacement::Conditional);
                dynamic_via.entry(prop.clone()).or_default().insert((name, how));
            }
            // Ordering of the enum: True < Conditional < False.
            replacement = replacement.min(r);
        }
    }
    for r in reasons {
        note(notes, r);
    }
    for (prop, via) in &dynamic_via {
        let via: Vec<String> = via
            .iter()
            .map(|(name, how)| match how {
                Replacement::True => format!("{name} (replaced)"),
                _ => format!("{name} (may be replaced)"),
            })
            .collect();
        note(notes, format!("{prop} refers to {}: re-evaluated during the update", via.join(", ")));
    }
    if changed.is_empty() {
        note(notes, format!("only resource attributes changed: {}", changed_attributes.join(", ")));
    }
    if replacement == Replacement::True
        && let Some(names) = unchanged_custom_name(&n.type_name, o, n, &changed)
    {
        note(
            notes,
            format!(
                "replacement with an unchanged custom name ({}) fails: the new resource cannot take the name while \
                 the old one holds it; change the name too",
                names.join(", ")
            ),
        );
    }

    let mut flags = BTreeSet::new();
    if replacement != Replacement::False
        && data::replacement_deletes_data(&n.type_name, n.update_replace_policy.as_deref())
    {
        flags.insert(Flag::DeleteData);
    }
    if iam::widens(&n.type_name, Some(&o.props), Some(&n.props)) {
        flags.insert(Flag::IamWidening);
    }
    if sg::widens(&n.type_name, Some(&o.props), Some(&n.props)) {
        flags.insert(Flag::SgWidening);
    }

    let mut out = row(stack, id, &n.type_name, Action::Modify);
    out.replacement = Some(replacement);
    out.properties = changed.keys().cloned().collect();
    out.replacement_causes = causes.into_iter().collect();
    out.flags = finish_flags(flags);
    Some(out)
}

/// The resource's primary identifier when the template sets it (a custom name) and the
/// update leaves it unchanged. Source: "Name type" in the CloudFormation template reference
/// ("if you specify a name, you can't perform updates that require replacement").
fn unchanged_custom_name(
    type_name: &str,
    o: &Res,
    n: &Res,
    changed: &BTreeMap<String, Vec<Leaf>>,
) -> Option<Vec<String>> {
    let schema = crate::schema::info(type_name)?;
    let mut names = Vec::new();
    for p in &schema.primary_identifier {
        let segs = pointer_segments(p)?;
        let [prop] = segs.as_slice() else { return None };
        if schema.read_only.contains(p) || !n.props.contains_key(prop) || !o.props.contains_key(prop) {
            return None;
        }
        if changed.contains_key(prop) {
            return None;
        }
        names.push(prop.clone());
    }
    (!names.is_empty()).then_some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(p: &str) -> Vec<String> {
        pointer_segments(p).unwrap()
    }

    #[test]
    fn pointer_intersection() {
        let leaf = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(touches(&segs("/properties/A"), &leaf(&["A", "B", "0"])));
        assert!(touches(&segs("/properties/A/B"), &leaf(&["A", "B"])));
        assert!(!touches(&segs("/properties/A/B"), &leaf(&["A", "C"])));
        assert!(touches(&segs("/properties/A/*/B"), &leaf(&["A", "3", "B"])));
        assert!(!touches(&segs("/properties/A/*/B"), &leaf(&["A", "3", "C"])));
        // A change of the whole container touches the create-only part inside it.
        assert!(touches(&segs("/properties/A/B"), &leaf(&["A"])));
        assert!(!touches(&segs("/properties/AB"), &leaf(&["A"])));
    }

    #[test]
    fn schema_levels() {
        assert_eq!(schema_level("AWS::CloudWatch::Alarm", &["AlarmName".into()]).0, Level::Always);
        assert_eq!(schema_level("AWS::CloudWatch::Alarm", &["Threshold".into()]).0, Level::None);
        assert_eq!(schema_level("AWS::Events::Rule", &["EventBusName".into()]).0, Level::Conditional);
        assert_eq!(schema_level("AWS::Nope::Nope", &["X".into()]).0, Level::Conditional);
        assert_eq!(schema_level("Custom::Thing", &["X".into()]).0, Level::Conditional);
        assert_eq!(schema_level("AWS::KMS::Key", &["KeySpec".into()]).0, Level::None);
        // SAM types are judged by what they expand into.
        assert_eq!(schema_level("AWS::Serverless::Function", &["FunctionName".into()]).0, Level::Always);
        assert_eq!(schema_level("AWS::Serverless::Function", &["MemorySize".into()]).0, Level::None);
        assert_eq!(schema_level("AWS::Serverless::Function", &["CodeUri".into()]).0, Level::Conditional);
        assert_eq!(schema_level("AWS::Serverless::SimpleTable", &["TableName".into()]).0, Level::Always);
    }
}
