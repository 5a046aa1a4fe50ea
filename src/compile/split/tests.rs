use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::model::{Expr, LogicalId, Resource};

fn url(sha: &str) -> Expr {
    Expr::from(format!("https://bucket.example/{sha}.json"))
}

fn small(resources: usize) -> Settings {
    Settings {
        budget: Limits { resources, parameters: 10, outputs: 10, bytes: 1_000_000 },
        limits: Limits { resources: resources + 1, parameters: 12, outputs: 12, bytes: 1_000_000 },
    }
}

fn resource(type_name: &str, props: serde_json::Value) -> Resource {
    let mut r = Resource::new(type_name);
    if let Expr::Map(m) = Expr::from_json(&props) {
        r.properties = m;
    }
    r
}

/// An app with stacks `shared` (a key) and `logs` (what the test adds).
fn base_app() -> App {
    let mut app = App::new("r", "root", vec![("Owner".into(), "t".into())]);
    app.add_stack("shared", "SharedStack", "shared").unwrap();
    app.add_stack("logs", "LogsStack", "logs").unwrap();
    app.stack("shared")
        .unwrap()
        .insert(LogicalId::new("Key").unwrap(), resource("AWS::KMS::Key", json!({"Description": "k"})))
        .unwrap();
    app
}

fn add_group(app: &mut App, stack: &str, id: &str) {
    app.stack(stack)
        .unwrap()
        .insert(
            LogicalId::new(id).unwrap(),
            resource(
                "AWS::Logs::LogGroup",
                json!({"LogGroupName": id, "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]}}),
            ),
        )
        .unwrap();
}

fn add_filter(app: &mut App, stack: &str, id: &str, group: &str) {
    app.stack(stack)
        .unwrap()
        .insert(
            LogicalId::new(id).unwrap(),
            resource(
                "AWS::Logs::MetricFilter",
                json!({
                    "FilterPattern": "x",
                    "LogGroupName": {"Ref": group},
                    "MetricTransformations": [{"MetricName": id, "MetricNamespace": "n", "MetricValue": "1"}]
                }),
            ),
        )
        .unwrap();
}

/// `n` log groups `G00..` each with a filter `F00..` in stack `logs`.
fn pairs(n: usize) -> App {
    let mut app = base_app();
    for i in 0..n {
        add_group(&mut app, "logs", &format!("G{i:02}"));
        add_filter(&mut app, "logs", &format!("F{i:02}"), &format!("G{i:02}"));
    }
    app
}

fn run(app: App, lock: Option<&Lock>, settings: &Settings) -> (Compiled, Split) {
    compile(app, lock, settings, &url).unwrap_or_else(|e| panic!("{e}"))
}

/// Stack name -> template JSON text.
fn texts(c: &Compiled) -> BTreeMap<String, String> {
    c.all().map(|t| (t.name.clone(), t.json.clone())).collect()
}

fn part_of<'a>(split: &'a Split, id: &str) -> &'a str {
    split
        .lock
        .stacks
        .values()
        .flat_map(|parts| parts.iter())
        .find(|(_, ids)| ids.contains(id))
        .map(|(p, _)| p.as_str())
        .unwrap_or_else(|| panic!("{id} is not in the lock"))
}

fn changed(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) -> Vec<String> {
    let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    names.into_iter().filter(|n| a.get(*n) != b.get(*n)).cloned().collect()
}

#[test]
fn a_stack_within_the_budget_is_not_split_and_the_lock_lists_everything() {
    let (c, split) = run(pairs(2), None, &small(4));
    assert_eq!(c.children.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["shared", "logs"]);
    assert!(split.split.is_empty());
    assert!(split.moves.is_empty());
    assert_eq!(split.lock.len(), 5);
    assert_eq!(split.added, 5);
    assert_eq!(split.lock.stacks["logs"]["logs"].len(), 4);
}

#[test]
fn a_stack_over_the_budget_is_split_into_parts_that_keep_pairs_together() {
    let (c, split) = run(pairs(5), None, &small(4));
    assert_eq!(split.split["logs"], ["logs", "logs-2", "logs-3"]);
    let names: Vec<&str> = c.children.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["shared", "logs", "logs-2", "logs-3"]);
    for t in &c.children {
        assert!(t.template.resources.len() <= 4, "{} has {}", t.name, t.template.resources.len());
    }
    // Each filter sits beside its log group: no wiring between the parts of `logs`.
    for i in 0..5 {
        assert_eq!(part_of(&split, &format!("G{i:02}")), part_of(&split, &format!("F{i:02}")));
    }
    for t in c.children.iter().filter(|t| t.name.starts_with("logs")) {
        let params: Vec<&str> = t.template.parameters.keys().map(LogicalId::as_str).collect();
        assert_eq!(params, ["KeyArn"], "{}", t.name);
    }
    // Parts are children of the root with derived logical ids and descriptions.
    let part2 = &c.root.template.resources[&LogicalId::new("LogsStack2").unwrap()];
    assert_eq!(part2.type_name, "AWS::CloudFormation::Stack");
    assert_eq!(c.children[2].template.description.as_deref(), Some("logs (part 2)"));
    assert_eq!(c.children[2].logical_id.as_ref().map(LogicalId::as_str), Some("LogsStack2"));
}

#[test]
fn adding_or_removing_one_resource_changes_its_part_and_the_root_only() {
    let settings = small(4);
    let (c1, s1) = run(pairs(5), None, &settings);
    let before = texts(&c1);

    // Add one log group: it goes to the last part with room.
    let mut app = pairs(5);
    add_group(&mut app, "logs", "G99");
    let (c2, s2) = run(app, Some(&s1.lock), &settings);
    assert!(s2.moves.is_empty());
    assert_eq!((s2.added, s2.removed), (1, 0));
    let part = part_of(&s2, "G99").to_string();
    assert_eq!(changed(&before, &texts(&c2)), vec![part.clone(), "root".to_string()]);

    // Remove a resource from the first part: that part and the root change.
    let mut app = pairs(5);
    app.graph.resources.remove(&LogicalId::new("F00").unwrap());
    app.placement.remove(&LogicalId::new("F00").unwrap());
    let (c3, s3) = run(app, Some(&s1.lock), &settings);
    assert_eq!((s3.added, s3.removed), (0, 1));
    assert!(s3.moves.is_empty());
    assert_eq!(changed(&before, &texts(&c3)), vec!["logs".to_string(), "root".to_string()]);

    // Building again from the lock gives the same bytes, and the same lock.
    let (c4, s4) = run(pairs(5), Some(&s1.lock), &settings);
    assert_eq!(texts(&c4), before);
    assert_eq!(s4.lock, s1.lock);
}

#[test]
fn a_freed_slot_takes_the_next_new_resource_and_an_emptied_part_disappears() {
    let settings = small(4);
    let (_, s1) = run(pairs(5), None, &settings);
    // Remove the resources of logs-3; add one new group.
    let mut app = base_app();
    for i in 0..5 {
        let (g, f) = (format!("G{i:02}"), format!("F{i:02}"));
        if part_of(&s1, &g) != "logs-3" {
            add_group(&mut app, "logs", &g);
        }
        if part_of(&s1, &f) != "logs-3" {
            add_filter(&mut app, "logs", &f, &g);
        }
    }
    let (c, s2) = run(app, Some(&s1.lock), &settings);
    assert_eq!(s2.split["logs"], ["logs", "logs-2"]);
    assert!(c.children.iter().all(|t| t.name != "logs-3"));
    // Free a slot in `logs`, then a new resource goes there (the first part with room).
    let mut lock = s2.lock.clone();
    lock.stacks.get_mut("logs").unwrap().get_mut("logs").unwrap().remove("G00");
    let mut app = pairs(2);
    app.graph.resources.retain(|id, _| id.as_str() != "G00" && id.as_str() != "F00");
    app.placement.retain(|id, _| id.as_str() != "G00" && id.as_str() != "F00");
    add_group(&mut app, "logs", "G50");
    let (_, s3) = run(app, Some(&lock), &settings);
    assert_eq!(part_of(&s3, "G50"), "logs");
}

#[test]
fn a_resource_declared_in_another_stack_is_reported_as_a_move() {
    let settings = small(4);
    let (_, s1) = run(pairs(2), None, &settings);
    let mut app = pairs(2);
    app.add_stack("other", "OtherStack", "other").unwrap();
    app.place(&LogicalId::new("G01").unwrap(), "other").unwrap();
    let (_, s2) = run(app, Some(&s1.lock), &settings);
    assert_eq!(
        s2.moves,
        vec![Move {
            resource: "G01".into(),
            type_name: "AWS::Logs::LogGroup".into(),
            from: "logs".into(),
            to: "other".into(),
            reason: MoveReason::StackChanged { stack: "other".into() },
        }]
    );
    assert!(s2.warnings()[0].contains("G01 (AWS::Logs::LogGroup) moves from nested stack logs to other"));
    assert!(s2.summary_lines().iter().any(|l| l.starts_with("moved      G01")));
}

#[test]
fn a_lock_part_that_cannot_be_used_is_reported() {
    let settings = small(4);
    let (_, s1) = run(pairs(2), None, &settings);
    let mut lock = s1.lock.clone();
    let logs = lock.stacks.get_mut("logs").unwrap();
    let g = logs.get_mut("logs").unwrap();
    g.remove("G00");
    logs.insert("logs-x".into(), BTreeSet::from(["G00".to_string()]));
    let (_, s2) = run(pairs(2), Some(&lock), &settings);
    assert_eq!(s2.moves.len(), 1);
    assert_eq!(s2.moves[0].from, "logs-x");
    assert_eq!(s2.moves[0].to, "logs");
    assert_eq!(s2.moves[0].reason, MoveReason::LockPart { part: "logs-x".into() });
}

#[test]
fn part_names_skip_declared_stacks() {
    let mut app = pairs(3);
    app.add_stack("logs-2", "Other", "a user stack named like a part").unwrap();
    add_group(&mut app, "logs-2", "Mine");
    let (c, split) = run(app, None, &small(4));
    assert_eq!(split.split["logs"], ["logs", "logs-3"]);
    assert!(c.root.template.resources.contains_key(&LogicalId::new("LogsStack3").unwrap()));
}

#[test]
fn locked_parts_that_would_depend_on_each_other_in_a_cycle_are_repaired() {
    // G00 <- F00 and G01 <- F01; the lock puts G00 and F01 in `logs`, F00 and G01 in `logs-2`:
    // logs -> logs-2 (F01 refers to G01) and logs-2 -> logs (F00 refers to G00).
    let settings = small(4);
    let lock = Lock {
        format: LOCK_FORMAT,
        about: String::new(),
        stacks: BTreeMap::from([
            (
                "shared".to_string(),
                BTreeMap::from([("shared".to_string(), BTreeSet::from(["Key".to_string()]))]),
            ),
            (
                "logs".to_string(),
                BTreeMap::from([
                    ("logs".to_string(), BTreeSet::from(["G00".to_string(), "F01".to_string()])),
                    ("logs-2".to_string(), BTreeSet::from(["F00".to_string(), "G01".to_string()])),
                ]),
            ),
        ]),
    };
    let (c, split) = run(pairs(2), Some(&lock), &settings);
    assert_eq!(split.moves.len(), 1, "{:?}", split.moves);
    let m = &split.moves[0];
    assert_eq!((m.resource.as_str(), m.from.as_str(), m.to.as_str()), ("F01", "logs", "logs-2"));
    assert_eq!(m.reason, MoveReason::Cycle);
    assert_eq!(c.children.len(), 3);
}

#[test]
fn wiring_that_would_exceed_the_parameter_budget_opens_another_part() {
    // One stack whose alarms each refer to a different log group of stack `groups`: every
    // reference is a wiring parameter, so parameters, not resources, decide the split.
    let mut app = base_app();
    app.add_stack("groups", "GroupsStack", "groups").unwrap();
    for i in 0..15 {
        add_group(&mut app, "groups", &format!("G{i:02}"));
        add_filter(&mut app, "logs", &format!("F{i:02}"), &format!("G{i:02}"));
    }
    let settings = Settings {
        budget: Limits { resources: 100, parameters: 6, outputs: 100, bytes: 1_000_000 },
        limits: Limits { resources: 500, parameters: 8, outputs: 200, bytes: 1_000_000 },
    };
    let (c, split) = run(app, None, &settings);
    assert_eq!(split.split["logs"], ["logs", "logs-2", "logs-3"]);
    for t in &c.children {
        assert!(t.template.parameters.len() <= 6, "{}: {}", t.name, t.template.parameters.len());
    }
    // `groups` carries 15 wiring outputs: within its budget of 100.
    assert_eq!(c.children.iter().find(|t| t.name == "groups").unwrap().template.outputs.len(), 15);
}

#[test]
fn a_part_over_the_byte_budget_gives_new_resources_away() {
    let app = pairs(6);
    let (c0, _) = run(pairs(6), None, &small(100));
    let logs = c0.children.iter().find(|t| t.name == "logs").unwrap().json.len();
    // A byte budget of about half the unsplit template.
    let settings = Settings {
        budget: Limits { resources: 100, parameters: 100, outputs: 100, bytes: logs / 2 },
        limits: Limits { resources: 500, parameters: 200, outputs: 200, bytes: logs },
    };
    let (c, split) = run(app, None, &settings);
    assert!(split.compiles > 1);
    assert!(split.split["logs"].len() >= 2);
    for t in c.children.iter().filter(|t| t.name.starts_with("logs")) {
        assert!(t.json.len() <= logs / 2, "{}: {} bytes", t.name, t.json.len());
    }
    assert!(split.moves.is_empty());
}

#[test]
fn a_locked_part_over_a_hard_limit_moves_resources_and_says_why() {
    let (_, s1) = run(pairs(4), None, &small(100));
    // The same lock under a budget of 4 and a limit of 5 resources: 8 in `logs` is too many.
    let (c, s2) = run(pairs(4), Some(&s1.lock), &small(4));
    assert!(c.children.iter().all(|t| t.template.resources.len() <= 5));
    assert!(!s2.moves.is_empty());
    for m in &s2.moves {
        assert_eq!(m.from, "logs");
        assert!(
            matches!(&m.reason, MoveReason::Limit { detail } if detail.contains("CloudFormation allows 5")),
            "{m:?}"
        );
    }
    // Within the limit but over the budget: locked resources stay (that is the headroom).
    let (_, s3) = run(
        pairs(2),
        Some(&run(pairs(2), None, &small(100)).1.lock),
        &Settings {
            budget: Limits { resources: 3, ..small(3).budget },
            limits: Limits { resources: 4, ..small(3).limits },
        },
    );
    assert!(s3.moves.is_empty());
}

#[test]
fn lock_files_round_trip_and_are_written_only_when_they_change() {
    let (_, split) = run(pairs(2), None, &small(4));
    let text = split.lock.to_json_string();
    assert!(text.contains("\"about\": \"cfnc stack assignment"));
    let path = Path::new("x.lock.json");
    assert_eq!(Lock::parse(&text, path).unwrap().stacks, split.lock.stacks);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stacks/config/dev.lock.json");
    assert!(split.lock.save(&file).unwrap());
    assert!(!split.lock.save(&file).unwrap());
    assert_eq!(Lock::load(&file).unwrap().unwrap().stacks, split.lock.stacks);
    assert!(Lock::load(&dir.path().join("none.json")).unwrap().is_none());
    assert_eq!(std::fs::read_dir(file.parent().unwrap()).unwrap().count(), 1, "no temporary files left");
}

#[test]
fn bad_lock_files_say_where_and_what() {
    let path = Path::new("stacks/config/dev.lock.json");
    let err = Lock::parse("{\n  \"format\": 1,\n  \"stacks\": [1]\n}", path).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("stacks/config/dev.lock.json:3:"), "{text}");
    let err = Lock::parse(r#"{"format": 7, "stacks": {}}"#, path).unwrap_err();
    assert!(err.to_string().contains("format 7 is not known"), "{err}");
    let err = Lock::parse(r#"{"format": 1, "stacks": {}, "extra": 1}"#, path).unwrap_err();
    assert!(err.to_string().contains("unknown field `extra`"), "{err}");
}

#[test]
fn cross_stack_cycles_are_still_reported_by_the_compiler() {
    let mut app = base_app();
    add_group(&mut app, "logs", "G00");
    // The key now refers to the log group: shared <-> logs.
    let key = app.graph.resources.get_mut(&LogicalId::new("Key").unwrap()).unwrap();
    key.properties.insert("Description".into(), Expr::from_json(&json!({"Ref": "G00"})));
    let err = compile(app, None, &small(4), &url).unwrap_err();
    assert!(matches!(err, SplitError::Compile(CompileError::Cycle(_))), "{err}");
}

/// One step of the property test: add group `i` (with its filter) or remove it.
#[derive(Clone, Debug)]
enum Step {
    Add(u8),
    Remove(u8),
}

fn app_of(groups: &BTreeSet<u8>) -> App {
    let mut app = base_app();
    for i in groups {
        add_group(&mut app, "logs", &format!("G{i:03}"));
        add_filter(&mut app, "logs", &format!("F{i:03}"), &format!("G{i:03}"));
    }
    app
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any sequence of additions and removals keeps every remaining resource where it was,
    /// reports no move, and keeps every part within the budget.
    #[test]
    fn assignments_are_stable_under_additions_and_removals(
        steps in proptest::collection::vec(
            prop_oneof![(0u8..40).prop_map(Step::Add), (0u8..40).prop_map(Step::Remove)],
            1..25,
        )
    ) {
        let settings = small(5);
        let mut groups = BTreeSet::new();
        let mut lock: Option<Lock> = None;
        for step in steps {
            match step {
                Step::Add(i) => { groups.insert(i); }
                Step::Remove(i) => { groups.remove(&i); }
            }
            let (c, split) = run(app_of(&groups), lock.as_ref(), &settings);
            prop_assert!(split.moves.is_empty(), "{:?}", split.moves);
            for t in &c.children {
                prop_assert!(t.template.resources.len() <= 5);
            }
            if let Some(old) = &lock {
                for (home, parts) in &old.stacks {
                    for (part, ids) in parts {
                        for id in ids {
                            if let Some(now) = split.lock.stacks.get(home).and_then(|p| p.iter().find(|(_, i)| i.contains(id))) {
                                prop_assert_eq!(now.0, part);
                            }
                        }
                    }
                }
            }
            lock = Some(split.lock);
        }
    }
}

#[test]
fn placement_mistakes_are_reported_not_hidden_by_splitting() {
    let mut app = pairs(1);
    app.placement.remove(&LogicalId::new("G00").unwrap());
    let err = compile(app, None, &small(4), &url).unwrap_err();
    assert!(matches!(err, SplitError::Compile(CompileError::Unplaced(ref id)) if id == "G00"), "{err}");
    let mut app = pairs(1);
    app.placement.insert(LogicalId::new("G00").unwrap(), "nowhere".into());
    let err = compile(app, None, &small(4), &url).unwrap_err();
    assert!(matches!(err, SplitError::Compile(CompileError::UnknownStack { .. })), "{err}");
}

#[test]
fn the_parts_of_a_split_stack_carry_its_stack_tags() {
    let mut app = pairs(5);
    app.stack("logs").unwrap().tag("Team", "logs-team");
    let (c, split) = run(app, None, &small(4));
    assert_eq!(split.split["logs"], ["logs", "logs-2", "logs-3"]);
    let team = |r: &Resource| r.properties["Tags"].to_json().to_string().contains("logs-team");
    for t in c.children.iter().filter(|t| t.name.starts_with("logs")) {
        assert!(t.template.resources.values().filter(|r| r.type_name == "AWS::Logs::LogGroup").all(team));
        let stack = c.root.template.resources.values().find(|r| {
            r.properties.get("TemplateURL").is_some_and(|u| u.to_json().to_string().contains(&t.sha256))
        });
        assert!(stack.is_some_and(team), "stack resource of {} is tagged", t.name);
    }
    let shared = &c.children[0].template.resources[&LogicalId::new("Key").unwrap()];
    assert!(!team(shared), "another stack's resources are not");
}

/// A generated app graph: resource `k` lives in home stack `home` and refers to earlier
/// resources of its own home or of earlier homes (so the declared stacks never depend on each
/// other in a cycle); some resources are shared producers (many refer to them, like topics
/// and keys), some are many-to-one consumers (like composite alarms); declared outputs refer to
/// resources of their home.
#[derive(Clone, Debug)]
struct Graph {
    homes: usize,
    nodes: Vec<Node>,
    outputs: Vec<(usize, Vec<usize>)>,
}

#[derive(Clone, Debug)]
struct Node {
    home: usize,
    refs: Vec<usize>,
    depends: Vec<usize>,
}

fn graph_strategy(max_nodes: usize) -> impl Strategy<Value = Graph> {
    let node = (0usize..3, proptest::collection::vec(any::<u16>(), 0..10), 0u8..4, any::<u16>());
    (1usize..=3, proptest::collection::vec(node, 1..max_nodes), proptest::collection::vec(any::<u16>(), 0..4))
        .prop_map(|(homes, raw, outs)| {
            let mut nodes: Vec<Node> = Vec::new();
            for (k, (home, seeds, kind, dep)) in raw.into_iter().enumerate() {
                let home = home % homes;
                // Earlier resources this one may refer to: same or earlier home.
                let allowed: Vec<usize> = (0..k).filter(|&o| nodes[o].home <= home).collect();
                let mut refs = Vec::new();
                if !allowed.is_empty() {
                    // kind 0: a plain resource (0-2 refs); 1: shared producers first; 2: a
                    // many-to-one consumer (up to 10 refs); 3: nothing.
                    let take = match kind {
                        0 => seeds.len().min(2),
                        1 => seeds.len().min(3),
                        2 => seeds.len(),
                        _ => 0,
                    };
                    for (j, s) in seeds.iter().take(take).enumerate() {
                        let o = if kind == 1 && j == 0 {
                            allowed[0]
                        } else {
                            allowed[*s as usize % allowed.len()]
                        };
                        refs.push(o);
                    }
                }
                refs.sort_unstable();
                refs.dedup();
                let depends = if !allowed.is_empty() && dep % 5 == 0 {
                    vec![allowed[dep as usize % allowed.len()]]
                } else {
                    Vec::new()
                };
                nodes.push(Node { home, refs, depends });
            }
            let outputs = outs
                .into_iter()
                .filter_map(|s| {
                    let home = s as usize % homes;
                    let members: Vec<usize> = (0..nodes.len()).filter(|&k| nodes[k].home == home).collect();
                    (!members.is_empty()).then(|| {
                        let picked = vec![
                            members[s as usize % members.len()],
                            members[(s as usize / 7) % members.len()],
                        ];
                        (home, picked)
                    })
                })
                .collect();
            Graph { homes, nodes, outputs }
        })
}

fn graph_app(g: &Graph, present: &BTreeSet<usize>) -> App {
    let mut app = App::new("r", "root", vec![]);
    for h in 0..g.homes {
        app.add_stack(&format!("h{h}"), &format!("H{h}Stack"), &format!("home {h}")).unwrap();
    }
    for (k, n) in g.nodes.iter().enumerate() {
        if !present.contains(&k) {
            continue;
        }
        let refs: Vec<serde_json::Value> = n
            .refs
            .iter()
            .filter(|o| present.contains(o))
            .map(|o| {
                if o % 2 == 0 {
                    json!({"Ref": format!("R{o}")})
                } else {
                    json!({"Fn::GetAtt": [format!("R{o}"), "Arn"]})
                }
            })
            .collect();
        let mut r = resource("AWS::SNS::Topic", json!({"TopicName": format!("t{k}"), "Tags": refs}));
        r.depends_on = n.depends.iter().filter(|o| present.contains(o)).map(|o| format!("R{o}")).collect();
        app.stack(&format!("h{}", n.home))
            .unwrap()
            .insert(LogicalId::new(format!("R{k}")).unwrap(), r)
            .unwrap();
    }
    for (i, (home, targets)) in g.outputs.iter().enumerate() {
        let live: Vec<&usize> = targets.iter().filter(|t| present.contains(t)).collect();
        if live.is_empty() {
            continue;
        }
        let value = Expr::from_json(
            &json!({"Fn::Join": [",", live.iter().map(|t| json!({"Ref": format!("R{t}")})).collect::<Vec<_>>()]}),
        );
        app.stack(&format!("h{home}")).unwrap().output(&format!("Out{i}"), "declared", value).unwrap();
    }
    app
}

/// Nested-stack dependencies of a compiled set (through wired parameters and DependsOn), as
/// edges between stack logical ids of the root.
fn stack_edges(c: &Compiled) -> BTreeMap<usize, BTreeSet<usize>> {
    let ids: Vec<&LogicalId> = c.root.template.resources.keys().collect();
    let index = |id: &str| ids.iter().position(|i| i.as_str() == id);
    let mut edges: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for (k, r) in c.root.template.resources.values().enumerate() {
        let mut found = Vec::new();
        for e in r.properties.values() {
            refs::collect(e, &mut found);
        }
        for (t, _) in found {
            if let Some(o) = index(&t.id) {
                edges.entry(k).or_default().insert(o);
            }
        }
        for d in &r.depends_on {
            if let Some(o) = index(d) {
                edges.entry(k).or_default().insert(o);
            }
        }
    }
    edges
}

fn check_build(
    result: Result<(Compiled, Split), SplitError>,
    settings: &Settings,
    present: &BTreeSet<usize>,
    lock: Option<&Lock>,
) -> Result<Option<Lock>, TestCaseError> {
    let (c, split) = match result {
        Ok(ok) => ok,
        Err(SplitError::NoFit { stack, detail }) => {
            // Allowed only with the limit and the resources named.
            prop_assert!(
                detail.contains("CloudFormation allows") || detail.contains("cfnc fills"),
                "{stack}: {detail}"
            );
            return Ok(None);
        }
        Err(e) => return Err(TestCaseError::fail(format!("{e} ({e:?})"))),
    };
    prop_assert!(find_cycle(&stack_edges(&c)).is_none(), "the nested stacks depend on each other in a cycle");
    let mut seen = BTreeSet::new();
    for t in &c.children {
        prop_assert!(
            t.template.resources.len() <= settings.limits.resources,
            "{}: {}",
            t.name,
            t.template.resources.len()
        );
        prop_assert!(
            t.template.parameters.len() <= settings.limits.parameters,
            "{}: {} parameters",
            t.name,
            t.template.parameters.len()
        );
        prop_assert!(
            t.template.outputs.len() <= settings.limits.outputs,
            "{}: {} outputs",
            t.name,
            t.template.outputs.len()
        );
        for id in t.template.resources.keys() {
            prop_assert!(seen.insert(id.to_string()), "{id} twice");
        }
    }
    prop_assert_eq!(seen.len(), present.len());
    // Whatever the lock placed stays there unless reported as a move.
    if let Some(old) = lock {
        let moved: BTreeSet<&str> = split.moves.iter().map(|m| m.resource.as_str()).collect();
        for parts in old.stacks.values() {
            for (part, ids) in parts {
                for id in ids.iter().filter(|id| seen.contains(*id) && !moved.contains(id.as_str())) {
                    prop_assert_eq!(part_of(&split, id), part.as_str(), "{} moved without a report", id);
                }
            }
        }
    }
    Ok(Some(split.lock))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever the graph (shared producers, many-to-one consumers, DependsOn, declared outputs,
    /// several homes), splitting makes no cycle between nested stacks, keeps every template
    /// within the limits, and keeps what the lock placed; then resources are added and removed
    /// and the same holds with the lock of the first build.
    #[test]
    fn splitting_never_makes_a_cycle(
        g in graph_strategy(48),
        removed in proptest::collection::vec(any::<u16>(), 0..6),
        first_build in proptest::collection::vec(any::<bool>(), 48),
    ) {
        let settings = Settings {
            budget: Limits { resources: 5, parameters: 8, outputs: 8, bytes: 1_000_000 },
            limits: Limits { resources: 6, parameters: 12, outputs: 12, bytes: 1_000_000 },
        };
        // First build: some of the resources, without a lock (the second build adds the others:
        // producers that locked consumers now refer to, like alarms added to a composite).
        let mut first: BTreeSet<usize> = (0..g.nodes.len()).filter(|&k| first_build[k]).collect();
        first.insert(0);
        let r = compile(graph_app(&g, &first), None, &settings, &url);
        let Some(lock) = check_build(r, &settings, &first, None)? else { return Ok(()) };
        // Second build: every resource but a few removed ones, with the first build's lock.
        let mut second: BTreeSet<usize> = (0..g.nodes.len()).collect();
        for s in removed {
            second.remove(&(s as usize % g.nodes.len()));
        }
        let r = compile(graph_app(&g, &second), Some(&lock), &settings, &url);
        check_build(r, &settings, &second, Some(&lock))?;
    }
}

#[test]
fn a_locked_consumer_beside_its_producer_moves_after_new_resources_that_do_not_fit() {
    // The reported case: a topic and a composite-like consumer locked together in a full part;
    // new alarms refer to the topic and the consumer refers to every alarm. They can only go
    // between the two, so the consumer moves to a later part (reported), and no cycle forms.
    let topic = |app: &mut App| {
        app.stack("logs")
            .unwrap()
            .insert(LogicalId::new("Topic").unwrap(), resource("AWS::SNS::Topic", json!({})))
            .unwrap();
    };
    let alarms = |app: &mut App, n: usize| {
        for i in 0..n {
            app.stack("logs")
                .unwrap()
                .insert(
                    LogicalId::new(format!("A{i:02}")).unwrap(),
                    resource("AWS::CloudWatch::Alarm", json!({"AlarmActions": [{"Ref": "Topic"}]})),
                )
                .unwrap();
        }
        let rule = (0..n).map(|i| format!("${{A{i:02}}}")).collect::<Vec<_>>().join(" OR ");
        app.stack("logs")
            .unwrap()
            .insert(
                LogicalId::new("Composite").unwrap(),
                resource(
                    "AWS::CloudWatch::CompositeAlarm",
                    json!({"AlarmRule": {"Fn::Sub": rule}, "AlarmActions": [{"Ref": "Topic"}]}),
                ),
            )
            .unwrap();
    };
    let settings = Settings {
        budget: Limits { resources: 4, parameters: 20, outputs: 20, bytes: 1_000_000 },
        limits: Limits { resources: 5, parameters: 20, outputs: 20, bytes: 1_000_000 },
    };
    let mut app = base_app();
    topic(&mut app);
    alarms(&mut app, 2);
    let (_, s1) = run(app, None, &settings);
    assert_eq!(s1.lock.stacks["logs"].len(), 1, "4 resources fit in one part");
    let mut app = base_app();
    topic(&mut app);
    alarms(&mut app, 8);
    let (c, s2) = run(app, Some(&s1.lock), &settings);
    assert!(find_cycle(&stack_edges(&c)).is_none());
    assert_eq!(part_of(&s2, "Topic"), "logs");
    assert_ne!(part_of(&s2, "Composite"), "logs");
    assert_eq!(s2.moves.len(), 1, "{:?}", s2.moves);
    assert_eq!(s2.moves[0].resource, "Composite");
    assert!(matches!(&s2.moves[0].reason, MoveReason::Order { .. }), "{:?}", s2.moves[0]);
}

#[test]
fn declared_outputs_go_with_what_they_refer_to() {
    // An output of `logs` that names every filter: with the filters spread over parts, the
    // output goes to a part that no other part holding a filter depends on.
    let mut app = pairs(5);
    let value = Expr::from_json(
        &json!({"Fn::Join": [",", (0..5).map(|i| json!({"Ref": format!("F{i:02}")})).collect::<Vec<_>>()]}),
    );
    app.stack("logs").unwrap().output("Filters", "every filter", value).unwrap();
    let (c, split) = run(app, None, &small(4));
    assert!(split.split["logs"].len() >= 3);
    assert!(find_cycle(&stack_edges(&c)).is_none());
    let holders: Vec<&str> = c
        .children
        .iter()
        .filter(|t| t.template.outputs.contains_key(&LogicalId::new("Filters").unwrap()))
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(holders.len(), 1, "{holders:?}");
}

#[test]
fn stacks_that_the_app_makes_depend_on_each_other_are_the_apps_error() {
    let mut app = base_app();
    add_group(&mut app, "logs", "G00");
    let key = app.graph.resources.get_mut(&LogicalId::new("Key").unwrap()).unwrap();
    key.properties.insert("Description".into(), Expr::from_json(&json!({"Ref": "G00"})));
    match compile(app, None, &small(4), &url).unwrap_err() {
        SplitError::Compile(CompileError::Cycle(text)) => {
            assert!(
                text.contains("shared -> logs -> shared") || text.contains("logs -> shared -> logs"),
                "{text}"
            );
            assert!(text.contains("`Key` refers to `G00`"), "{text}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_resource_that_alone_needs_too_many_parameters_is_named_with_the_limit() {
    let mut app = base_app();
    app.add_stack("groups", "GroupsStack", "groups").unwrap();
    let mut refs = Vec::new();
    for i in 0..13 {
        add_group(&mut app, "groups", &format!("G{i:02}"));
        refs.push(json!({"Ref": format!("G{i:02}")}));
    }
    app.stack("logs")
        .unwrap()
        .insert(LogicalId::new("Dense").unwrap(), resource("AWS::SNS::Topic", json!({"Tags": refs})))
        .unwrap();
    let err = compile(app, None, &small(4), &url).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, SplitError::NoFit { .. }), "{err:?}");
    assert!(
        text.contains("`Dense`")
            && text.contains("13 values of other stacks")
            && text.contains("allows 12 parameters"),
        "{text}"
    );
    let help = miette::Diagnostic::help(&err).unwrap().to_string();
    assert!(!help.contains("stacks/"), "never blames stacks/ alone: {help}");
}
