//! Automatic splitting: a nested stack that would exceed a CloudFormation limit (500
//! resources, 200 parameters, 200 outputs, 1,000,000 template bytes) is split into several
//! nested stacks, *parts*, all children of the root (README, "Scaling").
//!
//! - The stack the app declares (its *home*) keeps its name and logical id and is part 1;
//!   further parts are `<home>-<n>` with logical id `<HomeLogicalId><n>` (`monitoring-2`,
//!   `MonitoringStack2`). Parts are siblings under the root, so references between them are
//!   wired by the compiler exactly like any cross-stack reference (child Output -> root
//!   `Fn::GetAtt` -> Parameter), and a change to one part changes that part and the root only.
//! - The assignment resource -> part is recorded in a lock file, `stacks/config/<env>.lock.json`
//!   ([`Lock`]), that users commit. A resource listed there stays in its part. A new resource
//!   goes to the part of its home that holds most of what it refers to (or what refers to it)
//!   and still has room, else to the first part with room, else to a new part. A removed
//!   resource frees its slot; an emptied part disappears. Nothing else moves.
//! - Room is a *budget* below the limits ([`BUDGET`]): the headroom absorbs edits of resources
//!   already in a part (new references add wiring parameters and outputs, properties grow)
//!   without moving anything. After compiling, every part is checked against the budget: new
//!   resources leave a part that exceeds it; resources the lock placed there leave only when
//!   the part exceeds a hard limit ([`LIMITS`]).
//! - Splitting never makes nested stacks depend on each other in a cycle. The planner keeps the
//!   dependencies between parts (references, `DependsOn`, declared outputs) as a graph, and a
//!   resource goes only to a part where it adds no cycle (part numbers are names, not an
//!   order). When no part can take a resource, the resources that refer to it and sit where
//!   its targets lead (e.g. a composite alarm locked beside the topic its new alarms use) move
//!   after it ([`MoveReason::Order`]). A lock whose parts form a cycle is repaired by moving the
//!   resources that refer to a higher-numbered part of the cycle. Outputs the app declares on a
//!   home go to a part holding what they refer to. A cycle between the declared stacks
//!   themselves is the app's ([`CompileError::Cycle`], with the resources that make it).
//! - A resource that changes nested stack is deleted from the old stack and created in the
//!   new one by CloudFormation: every such move is reported ([`Move`]) with its reason.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use serde::{Deserialize, Serialize};

use super::refs::{self, Target};
use super::{App, CompileError, Compiled, StackSpec};
use crate::model::{Expr, LogicalId, Output};

/// Per-template numbers: the limits, or what cfnc fills a part up to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Limits {
    pub resources: usize,
    pub parameters: usize,
    pub outputs: usize,
    /// Bytes of the template as written (and uploaded to S3).
    pub bytes: usize,
}

/// CloudFormation's limits for one template (a nested template is read from S3).
pub const LIMITS: Limits = Limits { resources: 500, parameters: 200, outputs: 200, bytes: 1_000_000 };

/// What cfnc fills a part up to: 10% headroom on every limit.
pub const BUDGET: Limits = Limits { resources: 450, parameters: 180, outputs: 180, bytes: 900_000 };

/// What splitting works with: the budget it fills parts up to, and the hard limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    pub budget: Limits,
    pub limits: Limits,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { budget: BUDGET, limits: LIMITS }
    }
}

/// Largest lock file read (10 MiB).
pub const MAX_LOCK_BYTES: u64 = 10 * 1024 * 1024;

/// Format of the lock file.
pub const LOCK_FORMAT: u32 = 1;

const LOCK_ABOUT: &str = "cfnc stack assignment: the nested stack of every resource (home stack -> part -> \
resources). cfnc build keeps listed resources where they are and adds new ones; commit this file. See README, \"Scaling\".";

/// Where the lock of environment `env` lives.
pub fn lock_path(project: &Path, env: &str) -> PathBuf {
    project.join("stacks").join("config").join(format!("{env}.lock.json"))
}

/// The lock file: home stack -> part -> resources.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    pub format: u32,
    /// What the file is (written by cfnc, ignored when read).
    #[serde(default)]
    pub about: String,
    pub stacks: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
}

impl Lock {
    /// Reads the lock at `path`; `None` when there is none.
    pub fn load(path: &Path) -> Result<Option<Lock>, SplitError> {
        // Refused before it is read: a lock lists resource ids, a few kB per hundred resources.
        if let Ok(meta) = std::fs::metadata(path)
            && meta.len() > MAX_LOCK_BYTES
        {
            return Err(SplitError::Lock {
                path: path.to_path_buf(),
                line: 1,
                column: 1,
                message: format!("the file is {} bytes; a lock has at most {MAX_LOCK_BYTES}", meta.len()),
            });
        }
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(SplitError::Io { action: "read", path: path.to_path_buf(), source: e }),
        };
        Lock::parse(&text, path).map(Some)
    }

    /// Parses lock text (`path` names it in errors).
    pub fn parse(text: &str, path: &Path) -> Result<Lock, SplitError> {
        let lock: Lock = serde_json::from_str(text).map_err(|e| {
            // serde_json appends " at line L column C" (column 0 at an end of line): the
            // position is reported in front, 1-based.
            let mut message = e.to_string();
            if let Some(i) = message.find(" at line ") {
                message.truncate(i);
            }
            SplitError::Lock {
                path: path.to_path_buf(),
                line: e.line().max(1),
                column: e.column().max(1),
                message,
            }
        })?;
        if lock.format != LOCK_FORMAT {
            return Err(SplitError::Lock {
                path: path.to_path_buf(),
                line: 1,
                column: 1,
                message: format!(
                    "format {} is not known (this cfnc reads format {LOCK_FORMAT})",
                    lock.format
                ),
            });
        }
        Ok(lock)
    }

    /// Pretty, sorted JSON (one resource per line, so reviews show each assignment change).
    pub fn to_json_string(&self) -> String {
        let mut lock = self.clone();
        lock.format = LOCK_FORMAT;
        lock.about = LOCK_ABOUT.to_string();
        let mut s = serde_json::to_string_pretty(&lock).expect("a lock serializes to JSON");
        s.push('\n');
        s
    }

    /// Number of resources listed.
    pub fn len(&self) -> usize {
        self.stacks.values().flat_map(|parts| parts.values()).map(BTreeSet::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the lock to `path` unless the file already holds exactly these bytes; returns
    /// whether it wrote. The write goes through a temporary file and a rename.
    pub fn save(&self, path: &Path) -> Result<bool, SplitError> {
        let text = self.to_json_string();
        if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
            return Ok(false);
        }
        let io = |action: &'static str, p: &Path| {
            let p = p.to_path_buf();
            move |source| SplitError::Io { action, path: p, source }
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io("create", dir))?;
        }
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("lock.json");
        let tmp = path.with_file_name(format!(".{name}.tmp-{}-{n}", std::process::id()));
        std::fs::write(&tmp, text.as_bytes()).map_err(io("write", &tmp))?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            SplitError::Io { action: "rename into place", path: path.to_path_buf(), source: e }
        })?;
        Ok(true)
    }
}

/// Why splitting failed.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum SplitError {
    #[error("{}:{line}:{column}: the stack assignment lock is not valid: {message}", path.display())]
    #[diagnostic(
        code(cfnc::split::lock),
        help(
            "fix the file (format: README, \"Scaling\"), or restore it from version control; deleting it makes cfnc assign every resource afresh, which may move resources between nested stacks"
        )
    )]
    Lock { path: PathBuf, line: usize, column: usize, message: String },
    #[error("cannot {action} {}: {source}", path.display())]
    #[diagnostic(code(cfnc::split::io))]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    #[diagnostic(code(cfnc::build::compile), help("fix the reference or placement in stacks/"))]
    Compile(#[from] CompileError),
    #[error("stack `{stack}` cannot be split within CloudFormation's limits: {detail}")]
    #[diagnostic(
        code(cfnc::split::no_fit),
        help(
            "a nested stack takes at most {} resources, {} parameters and {} outputs: a resource that refers to more resources of other stacks than a stack takes parameters cannot be placed anywhere. Make the named resources refer to fewer others (in the config: fewer entries that one resource combines; in the app: an intermediate resource, such as a tree of composite alarms)",
            LIMITS.resources, LIMITS.parameters, LIMITS.outputs
        )
    )]
    NoFit { stack: String, detail: String },
    #[error("splitting stack `{stack}` left its parts depending on each other in a cycle: {cycle}")]
    #[diagnostic(
        code(cfnc::split::cycle),
        help(
            "this is a bug in cfnc's splitting, not in the app or the config: please report it with the lock file; a build without the lock (move stacks/config/<env>.lock.json away) assigns every resource afresh"
        )
    )]
    Cycle { stack: String, cycle: String },
}

/// Why a resource changes nested stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MoveReason {
    /// The app now declares it in another stack.
    StackChanged { stack: String },
    /// The lock names a part cfnc cannot use (not `<home>-<n>`, or a declared stack's name).
    LockPart { part: String },
    /// Its part exceeds a CloudFormation limit.
    Limit { detail: String },
    /// The lock made the parts of its stack depend on each other in a cycle.
    Cycle,
    /// It refers to `resource`, which could be placed in no part that it may depend on
    /// without a cycle (the parts it could go to were full): it moves to a part after it.
    Order { resource: String },
}

impl std::fmt::Display for MoveReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MoveReason::StackChanged { stack } => write!(f, "the app now declares it in stack `{stack}`"),
            MoveReason::LockPart { part } => write!(f, "the lock names part `{part}`, which cfnc cannot use"),
            MoveReason::Limit { detail } => write!(f, "{detail}"),
            MoveReason::Cycle => {
                write!(f, "the lock made the parts of its stack depend on each other in a cycle")
            }
            MoveReason::Order { resource } => write!(
                f,
                "it refers to `{resource}`, which fits in no part it may depend on without a cycle, so it moves after it"
            ),
        }
    }
}

/// A resource that changes nested stack: CloudFormation deletes it from `from` and creates
/// it in `to` (a replacement; a resource with a fixed name cannot be created while the old
/// one exists: see README, "Scaling").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Move {
    pub resource: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub from: String,
    pub to: String,
    pub reason: MoveReason,
}

/// What splitting did in one build.
#[derive(Clone, Debug, Serialize)]
pub struct Split {
    /// What cfnc fills a part up to.
    pub budget: Limits,
    /// CloudFormation's limits.
    pub limits: Limits,
    /// Home stacks that have more than one part: home -> parts in order.
    pub split: BTreeMap<String, Vec<String>>,
    /// Resources that change nested stack compared with the lock.
    pub moves: Vec<Move>,
    /// Resources the lock did not list (all of them when there was no lock).
    pub added: usize,
    /// Resources the lock listed that the app no longer has.
    pub removed: usize,
    /// Whether a lock was read.
    pub had_lock: bool,
    /// Compiler runs needed (more than 1 when a part had to give resources away).
    pub compiles: usize,
    /// The lock for this build.
    #[serde(skip)]
    pub lock: Lock,
    /// Where the lock was written (set by the caller), and whether it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock_file: Option<PathBuf>,
    pub lock_written: bool,
}

impl Split {
    /// Lines for the build summary: the split stacks, the moves (each a replacement), the lock.
    pub fn summary_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (home, parts) in &self.split {
            out.push(format!(
                "split      {home} into {} stacks: {} (each up to {} resources, {} parameters, {} outputs, {} bytes)",
                parts.len(),
                parts.join(", "),
                self.budget.resources,
                self.budget.parameters,
                self.budget.outputs,
                self.budget.bytes
            ));
        }
        for m in &self.moves {
            out.push(format!(
                "moved      {} ({}): {} -> {} ({}); CloudFormation replaces it",
                m.resource, m.type_name, m.from, m.to, m.reason
            ));
        }
        if let Some(file) = self.lock_file.as_ref().filter(|_| self.lock_written) {
            let what = if self.had_lock {
                format!(
                    "updated ({} added, {} removed, {} moved)",
                    self.added,
                    self.removed,
                    self.moves.len()
                )
            } else {
                format!("created ({} resources)", self.lock.len())
            };
            out.push(format!("lock       {} {what}", file.display()));
        }
        out
    }

    /// One warning line per move (for stderr).
    pub fn warnings(&self) -> Vec<String> {
        self.moves
            .iter()
            .map(|m| {
                format!(
                    "warning: {} ({}) moves from nested stack {} to {}: {}. CloudFormation deletes and re-creates it (a replacement); see README, \"Scaling\"",
                    m.resource, m.type_name, m.from, m.to, m.reason
                )
            })
            .collect()
    }
}

/// Splits `app` where needed and compiles it. `lock` is the previous assignment (if any);
/// `settings` the budget and limits ([`Settings::default`] in builds; tests use small ones).
pub fn compile(
    mut app: App,
    lock: Option<&Lock>,
    settings: &Settings,
    template_url: &dyn Fn(&str) -> Expr,
) -> Result<(Compiled, Split), SplitError> {
    // Placement mistakes are the compiler's to report (splitting would hide them).
    for id in app.graph.resources.keys() {
        match app.placement.get(id) {
            None => return Err(CompileError::Unplaced(id.to_string()).into()),
            Some(s) if !app.stacks.iter().any(|spec| spec.name == *s) => {
                return Err(CompileError::UnknownStack { resource: id.to_string(), stack: s.clone() }.into());
            }
            Some(_) => {}
        }
    }
    let mut planner = Planner::new(&app, lock, *settings);
    // Stacks the app itself makes depend on each other in a cycle: the app's to fix.
    planner.check_homes()?;
    planner.check_alone()?;
    planner.repair_cycles();
    planner.place_unplaced()?;
    const MAX_ROUNDS: usize = 12;
    for round in 1..=MAX_ROUNDS {
        planner.apply(&mut app);
        if let Some(cycle) = planner.part_cycle() {
            return Err(planner.cycle_error(&cycle));
        }
        let compiled = super::compile(&app, template_url)?;
        let over = planner.check(&compiled);
        if over.is_empty() {
            return Ok((compiled, planner.finish(round)));
        }
        if round == MAX_ROUNDS {
            let o = over.into_iter().next().expect("not empty");
            return Err(SplitError::NoFit {
                stack: planner.parts[o.part].name.clone(),
                detail: format!("{}; {}", o.detail, planner.densest(o.part)),
            });
        }
        for o in &over {
            planner.evict(o);
        }
        planner.recount();
        planner.place_unplaced()?;
    }
    unreachable!("the loop returns")
}

/// A part over its budget after compiling.
struct Over {
    part: usize,
    /// Actual / budget of the worst number.
    ratio: f64,
    over_limit: bool,
    detail: String,
}

/// One part of a home stack.
#[derive(Clone, Debug)]
struct Part {
    home: usize,
    /// 1 for the home itself, then 2, 3, ... (a name, not an order: parts may depend on
    /// each other in any direction that makes no cycle).
    n: u32,
    name: String,
    logical_id: LogicalId,
    /// No new resources this build (it exceeded the budget).
    closed: bool,
    count: usize,
    /// Targets outside the part its resources use (wiring parameters).
    params: HashSet<u32>,
    /// Targets in the part used outside it (wiring outputs).
    outputs: HashSet<u32>,
    /// Outputs the app declares that this part carries.
    declared_outputs: usize,
    /// Parts this part depends on (through references or `DependsOn` of its resources), with
    /// the number of resource edges behind each.
    succ: HashMap<usize, u32>,
}

/// An output the app declares on a home stack: it goes to a part of that home that holds
/// what it refers to (so it never makes a part depend on a later one in a cycle).
struct Declared {
    home: usize,
    name: LogicalId,
    output: Output,
    /// Resources it refers to.
    targets: Vec<usize>,
}

struct Planner {
    budget: Limits,
    limits: Limits,
    homes: Vec<StackSpec>,
    /// Names and logical ids that parts must not take (declared stacks).
    reserved: HashSet<String>,
    ids: Vec<LogicalId>,
    type_names: Vec<String>,
    home: Vec<usize>,
    /// Interned targets and the resource that owns each.
    owner: Vec<usize>,
    /// Targets each resource refers to (deduplicated).
    refs: Vec<Vec<u32>>,
    /// Same-home resources each resource refers to or depends on.
    edges: Vec<Vec<usize>>,
    /// All resources each resource refers to or depends on (any home).
    all_edges: Vec<Vec<usize>>,
    /// Resources referring to / depending on each resource (any home).
    consumers: Vec<Vec<usize>>,
    /// Targets of each resource that root outputs use.
    root_refs: Vec<Vec<u32>>,
    /// Outputs declared on home stacks.
    declared: Vec<Declared>,
    /// Position in a post-order of the same-home graph (what a resource refers to comes first).
    rank: Vec<usize>,
    order: Vec<usize>,
    parts: Vec<Part>,
    part_of: Vec<Option<usize>>,
    /// Placed from the lock (not new in this build).
    locked: Vec<bool>,
    /// Part name in the lock.
    previous: Vec<Option<String>>,
    reason: Vec<Option<MoveReason>>,
    added: usize,
    removed: usize,
    had_lock: bool,
}

impl Planner {
    fn new(app: &App, lock: Option<&Lock>, settings: Settings) -> Self {
        let homes = app.stacks.clone();
        let home_index: HashMap<&str, usize> =
            homes.iter().enumerate().map(|(i, s)| (s.name.as_str(), i)).collect();
        let mut reserved = HashSet::new();
        for s in &homes {
            reserved.insert(s.name.clone());
            reserved.insert(s.logical_id.to_string());
        }
        let ids: Vec<LogicalId> = app.graph.resources.keys().cloned().collect();
        let index: HashMap<&str, usize> =
            app.graph.resources.keys().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
        let n = ids.len();
        let home: Vec<usize> = ids
            .iter()
            .map(|id| app.placement.get(id).and_then(|s| home_index.get(s.as_str()).copied()).unwrap_or(0))
            .collect();

        let mut interned: HashMap<Target, u32> = HashMap::new();
        let mut owner = Vec::new();
        let mut intern = |t: Target, o: usize, owner: &mut Vec<usize>| -> u32 {
            *interned.entry(t).or_insert_with(|| {
                owner.push(o);
                (owner.len() - 1) as u32
            })
        };
        let mut refs = vec![Vec::new(); n];
        let mut edges = vec![Vec::new(); n];
        let mut all_edges = vec![Vec::new(); n];
        let mut type_names = Vec::with_capacity(n);
        let mut found = Vec::new();
        for (i, res) in app.graph.resources.values().enumerate() {
            type_names.push(res.type_name.clone());
            found.clear();
            res.properties
                .values()
                .chain(res.metadata.iter())
                .chain(res.creation_policy.iter())
                .chain(res.update_policy.iter())
                .for_each(|e| refs::collect(e, &mut found));
            let mut ts: Vec<u32> = Vec::new();
            let mut es: Vec<usize> = Vec::new();
            for (t, _) in found.drain(..) {
                if let Some(&o) = index.get(t.id.as_str())
                    && o != i
                {
                    ts.push(intern(t, o, &mut owner));
                    es.push(o);
                }
            }
            for d in &res.depends_on {
                if let Some(&o) = index.get(d.as_str())
                    && o != i
                {
                    es.push(o);
                }
            }
            ts.sort_unstable();
            ts.dedup();
            es.sort_unstable();
            es.dedup();
            edges[i] = es.iter().copied().filter(|&o| home[o] == home[i]).collect();
            all_edges[i] = es;
            refs[i] = ts;
        }
        let mut consumers = vec![Vec::new(); n];
        for (i, es) in all_edges.iter().enumerate() {
            for &o in es {
                consumers[o].push(i);
            }
        }
        let mut root_refs = vec![Vec::new(); n];
        for out in app.root_outputs.values() {
            found.clear();
            refs::collect(&out.value, &mut found);
            for (t, _) in found.drain(..) {
                if let Some(&o) = index.get(t.id.as_str()) {
                    let id = intern(t, o, &mut owner);
                    if !root_refs[o].contains(&id) {
                        root_refs[o].push(id);
                    }
                }
            }
        }
        let mut declared = Vec::new();
        for ((stack, name), output) in &app.outputs {
            let Some(&h) = home_index.get(stack.as_str()) else { continue };
            found.clear();
            refs::collect(&output.value, &mut found);
            let mut targets: Vec<usize> =
                found.drain(..).filter_map(|(t, _)| index.get(t.id.as_str()).copied()).collect();
            targets.sort_unstable();
            targets.dedup();
            declared.push(Declared { home: h, name: name.clone(), output: output.clone(), targets });
        }

        let mut planner = Planner {
            budget: settings.budget,
            limits: settings.limits,
            reserved,
            ids,
            type_names,
            home,
            owner,
            refs,
            edges,
            all_edges,
            consumers,
            root_refs,
            declared,
            rank: vec![0; n],
            order: Vec::new(),
            parts: Vec::new(),
            part_of: vec![None; n],
            locked: vec![false; n],
            previous: vec![None; n],
            reason: vec![None; n],
            added: 0,
            removed: 0,
            had_lock: lock.is_some(),
            homes,
        };
        planner.order = planner.post_order();
        for (r, &i) in planner.order.iter().enumerate() {
            planner.rank[i] = r;
        }
        for h in 0..planner.homes.len() {
            let p = planner.add_part(h, 1);
            // Until the resources are placed, the declared outputs count on the home.
            planner.parts[p].declared_outputs = planner.declared.iter().filter(|d| d.home == h).count();
        }
        planner.read_lock(lock, &index);
        planner
    }

    /// Fails when the stacks the app declares depend on each other in a cycle (through its
    /// resources or its declared outputs): splitting cannot help, the app must change.
    fn check_homes(&self) -> Result<(), SplitError> {
        let mut edges: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
        let mut why: BTreeMap<(usize, usize), String> = BTreeMap::new();
        let mut add = |from: usize, to: usize, what: String| {
            if from != to {
                edges.entry(from).or_default().insert(to);
                why.entry((from, to)).or_insert(what);
            }
        };
        for (i, es) in self.all_edges.iter().enumerate() {
            for &o in es {
                add(self.home[i], self.home[o], format!("`{}` refers to `{}`", self.ids[i], self.ids[o]));
            }
        }
        for d in &self.declared {
            for &o in &d.targets {
                add(d.home, self.home[o], format!("output `{}` refers to `{}`", d.name, self.ids[o]));
            }
        }
        let Some(cycle) = find_cycle(&edges) else { return Ok(()) };
        let names: Vec<&str> = cycle.iter().map(|&h| self.homes[h].name.as_str()).collect();
        let reasons: Vec<String> = cycle
            .windows(2)
            .map(|w| format!("{} in {}", why[&(w[0], w[1])], self.homes[w[0]].name))
            .collect();
        Err(CompileError::Cycle(format!("{} ({})", names.join(" -> "), reasons.join("; "))).into())
    }

    /// Fails when a resource alone needs more wiring parameters than a template takes: it
    /// refers to more resources of other declared stacks (which can never share its part).
    fn check_alone(&self) -> Result<(), SplitError> {
        for (i, ts) in self.refs.iter().enumerate() {
            let foreign = ts.iter().filter(|&&t| self.home[self.owner[t as usize]] != self.home[i]).count();
            if foreign > self.limits.parameters {
                return Err(SplitError::NoFit {
                    stack: self.homes[self.home[i]].name.clone(),
                    detail: format!(
                        "`{}` ({}) refers to {foreign} values of other stacks, one wiring parameter each; CloudFormation allows {} parameters",
                        self.ids[i], self.type_names[i], self.limits.parameters
                    ),
                });
            }
        }
        Ok(())
    }

    /// A post-order of the same-home graph, from the resources nothing refers to (sorted by
    /// id), so that related resources are next to each other and targets come first.
    fn post_order(&self) -> Vec<usize> {
        let n = self.ids.len();
        let mut referenced = vec![false; n];
        for es in &self.edges {
            for &o in es {
                referenced[o] = true;
            }
        }
        let mut state = vec![0u8; n];
        let mut order = Vec::with_capacity(n);
        let starts = (0..n).filter(|&i| !referenced[i]).chain(0..n);
        for s in starts {
            if state[s] != 0 {
                continue;
            }
            state[s] = 1;
            let mut stack = vec![(s, 0usize)];
            while let Some(top) = stack.last_mut() {
                let (v, k) = *top;
                if let Some(&w) = self.edges[v].get(k) {
                    top.1 += 1;
                    if state[w] == 0 {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                } else {
                    state[v] = 2;
                    order.push(v);
                    stack.pop();
                }
            }
        }
        order
    }

    fn add_part(&mut self, home: usize, n: u32) -> usize {
        let spec = &self.homes[home];
        let (name, logical_id) = if n == 1 {
            (spec.name.clone(), spec.logical_id.clone())
        } else {
            let id = format!("{}{n}", spec.logical_id);
            (
                format!("{}-{n}", spec.name),
                LogicalId::new(id.as_str()).unwrap_or_else(|_| LogicalId::from_words(&id)),
            )
        };
        self.parts.push(Part {
            home,
            n,
            name,
            logical_id,
            closed: false,
            count: 0,
            params: HashSet::new(),
            outputs: HashSet::new(),
            declared_outputs: 0,
            succ: HashMap::new(),
        });
        self.parts.len() - 1
    }

    /// The part `n` of `home` if it can exist (its name and logical id are free).
    fn part_name_ok(&self, home: usize, n: u32) -> bool {
        let spec = &self.homes[home];
        n >= 2
            && !self.reserved.contains(&format!("{}-{n}", spec.name))
            && !self.reserved.contains(&format!("{}{n}", spec.logical_id))
            && LogicalId::new(format!("{}{n}", spec.logical_id)).is_ok()
    }

    fn find_part(&self, home: usize, n: u32) -> Option<usize> {
        self.parts.iter().position(|p| p.home == home && p.n == n)
    }

    fn read_lock(&mut self, lock: Option<&Lock>, index: &HashMap<&str, usize>) {
        let Some(lock) = lock else {
            self.added = self.ids.len();
            return;
        };
        let home_index: HashMap<String, usize> =
            self.homes.iter().enumerate().map(|(i, s)| (s.name.clone(), i)).collect();
        let mut seen = vec![false; self.ids.len()];
        let mut placements: Vec<(usize, usize)> = Vec::new();
        for (home_name, parts) in &lock.stacks {
            for (part_name, members) in parts {
                // The part this entry designates, if it is usable for its home.
                let target = home_index.get(home_name).and_then(|&h| {
                    if part_name == home_name {
                        Some((h, 1))
                    } else {
                        part_name
                            .strip_prefix(home_name.as_str())
                            .and_then(|r| r.strip_prefix('-'))
                            .and_then(|n| n.parse::<u32>().ok())
                            .filter(|&n| n.to_string().len() == part_name.len() - home_name.len() - 1)
                            .filter(|&n| self.part_name_ok(h, n))
                            .map(|n| (h, n))
                    }
                });
                for id in members {
                    let Some(&i) = index.get(id.as_str()) else {
                        self.removed += 1;
                        continue;
                    };
                    if std::mem::replace(&mut seen[i], true) {
                        continue; // listed twice: the first entry counts
                    }
                    self.previous[i] = Some(part_name.clone());
                    match target {
                        Some((h, n)) if h == self.home[i] => {
                            let p = match self.find_part(h, n) {
                                Some(p) => p,
                                None => self.add_part(h, n),
                            };
                            placements.push((i, p));
                        }
                        _ if home_index.get(home_name) != Some(&self.home[i]) => {
                            let stack = self.homes[self.home[i]].name.clone();
                            self.reason[i] = Some(MoveReason::StackChanged { stack });
                        }
                        _ => self.reason[i] = Some(MoveReason::LockPart { part: part_name.clone() }),
                    }
                }
            }
        }
        self.added = seen.iter().filter(|s| !**s).count();
        placements.sort_by_key(|&(i, _)| self.rank[i]);
        for (i, p) in placements {
            self.assign(i, p);
            self.locked[i] = true;
        }
    }

    fn assign(&mut self, i: usize, p: usize) {
        self.part_of[i] = Some(p);
        self.parts[p].count += 1;
        for k in 0..self.all_edges[i].len() {
            let o = self.all_edges[i][k];
            if let Some(q) = self.part_of[o]
                && q != p
            {
                *self.parts[p].succ.entry(q).or_default() += 1;
            }
        }
        for k in 0..self.consumers[i].len() {
            let c = self.consumers[i][k];
            if let Some(q) = self.part_of[c]
                && q != p
            {
                *self.parts[q].succ.entry(p).or_default() += 1;
            }
        }
        for k in 0..self.refs[i].len() {
            let t = self.refs[i][k];
            match self.part_of[self.owner[t as usize]] {
                Some(q) if q == p => {}
                Some(q) => {
                    self.parts[p].params.insert(t);
                    self.parts[q].outputs.insert(t);
                }
                None => {
                    self.parts[p].params.insert(t);
                }
            }
        }
        for k in 0..self.consumers[i].len() {
            let c = self.consumers[i][k];
            let Some(q) = self.part_of[c] else { continue };
            for k2 in 0..self.refs[c].len() {
                let t = self.refs[c][k2];
                if self.owner[t as usize] != i {
                    continue;
                }
                if q == p {
                    self.parts[p].params.remove(&t);
                } else {
                    self.parts[p].outputs.insert(t);
                }
            }
        }
        for k in 0..self.root_refs[i].len() {
            let t = self.root_refs[i][k];
            self.parts[p].outputs.insert(t);
        }
    }

    /// Takes `i` out of its part (the counters are recomputed by [`Planner::recount`]).
    fn unplace(&mut self, i: usize, reason: MoveReason) {
        self.part_of[i] = None;
        if self.locked[i] {
            self.reason[i].get_or_insert(reason);
        }
    }

    /// Recomputes every part's counters and dependencies from the placement.
    fn recount(&mut self) {
        for p in &mut self.parts {
            p.count = 0;
            p.params.clear();
            p.outputs.clear();
            p.succ.clear();
        }
        let placed: Vec<(usize, usize)> =
            self.order.iter().filter_map(|&i| self.part_of[i].map(|p| (i, p))).collect();
        self.part_of.iter_mut().for_each(|p| *p = None);
        for (i, p) in placed {
            self.assign(i, p);
        }
    }

    /// Places every resource without a part, in post-order (what a resource refers to first).
    fn place_unplaced(&mut self) -> Result<(), SplitError> {
        // A resource's consumers come after it in the post-order, so one pass places every
        // resource of an acyclic graph; resources that refer to each other in a cycle (which
        // CloudFormation rejects anyway) may need another pass.
        const MAX_PASSES: usize = 8;
        for _ in 0..MAX_PASSES {
            let mut placed_any = false;
            for k in 0..self.order.len() {
                let i = self.order[k];
                if self.part_of[i].is_none() {
                    self.place(i);
                    placed_any = true;
                }
            }
            if !placed_any {
                return Ok(());
            }
        }
        match (0..self.ids.len()).find(|&i| self.part_of[i].is_none()) {
            None => Ok(()),
            Some(i) => Err(SplitError::NoFit {
                stack: self.homes[self.home[i]].name.clone(),
                detail: format!(
                    "`{}` and the resources it refers to form a cycle that no part can hold",
                    self.ids[i]
                ),
            }),
        }
    }

    /// The parts reachable from `from` (themselves included) through part dependencies.
    fn reachable(&self, from: impl IntoIterator<Item = usize>) -> Vec<bool> {
        self.reachable_with(from, &[])
    }

    /// Whether putting a resource that depends on parts `targets` and that parts `consumers`
    /// depend on into part `p` keeps the part dependencies free of cycles.
    fn acyclic_with(&self, p: usize, targets: &[usize], consumers: &[usize]) -> bool {
        // New edges p -> t and c -> p make a cycle when p reaches itself or a consumer
        // through the new edges and the existing ones.
        let start = self.parts[p].succ.keys().copied().chain(targets.iter().copied().filter(|&t| t != p));
        let seen = self.reachable(start);
        !seen[p] && !consumers.iter().any(|&c| c != p && seen[c])
    }

    fn place(&mut self, i: usize) {
        let h = self.home[i];
        for attempt in 0..2 {
            let mut targets: Vec<usize> = self.all_edges[i].iter().filter_map(|&o| self.part_of[o]).collect();
            targets.sort_unstable();
            targets.dedup();
            let mut consumers: Vec<usize> =
                self.consumers[i].iter().filter_map(|&c| self.part_of[c]).collect();
            consumers.sort_unstable();
            consumers.dedup();
            let mut candidates: Vec<(usize, u32, usize)> = Vec::new();
            for (p, part) in self.parts.iter().enumerate() {
                if part.home != h || part.closed || part.count >= self.budget.resources {
                    continue;
                }
                let affinity = self.edges[i]
                    .iter()
                    .chain(self.consumers[i].iter().filter(|&&c| self.home[c] == h))
                    .filter(|&&o| self.part_of[o] == Some(p))
                    .count();
                candidates.push((affinity, part.n, p));
            }
            candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let chosen = candidates
                .into_iter()
                .map(|(_, _, p)| p)
                .find(|&p| self.acyclic_with(p, &targets, &consumers) && self.fits(i, p));
            if let Some(p) = chosen {
                self.assign(i, p);
                return;
            }
            // A new part depends on the targets' parts and nothing depends on it yet: it
            // makes a cycle only when a target's part already reaches a consumer's part.
            let reach = self.reachable(targets.iter().copied());
            if !consumers.iter().any(|&c| reach[c]) || attempt == 1 {
                let p = self.new_part(h);
                self.assign(i, p);
                return;
            }
            // Consumers that such paths lead to must move after `i`: take them out (they are
            // placed again after it, as they come later in the post-order).
            let blocked: Vec<usize> = self.consumers[i]
                .iter()
                .copied()
                .filter(|&c| self.part_of[c].is_some_and(|q| reach[q]))
                .collect();
            for c in blocked {
                self.unplace(c, MoveReason::Order { resource: self.ids[i].to_string() });
            }
            self.recount();
        }
    }

    /// Whether `i` fits in part `p` within the parameter and output budgets.
    fn fits(&self, i: usize, p: usize) -> bool {
        let mut new_params = 0;
        let mut growth: HashMap<usize, HashSet<u32>> = HashMap::new();
        for &t in &self.refs[i] {
            match self.part_of[self.owner[t as usize]] {
                Some(q) if q == p => {}
                Some(q) => {
                    if !self.parts[p].params.contains(&t) {
                        new_params += 1;
                    }
                    if !self.parts[q].outputs.contains(&t) {
                        growth.entry(q).or_default().insert(t);
                    }
                }
                None => {
                    if !self.parts[p].params.contains(&t) {
                        new_params += 1;
                    }
                }
            }
        }
        for &c in &self.consumers[i] {
            if matches!(self.part_of[c], Some(q) if q != p) {
                for &t in &self.refs[c] {
                    if self.owner[t as usize] == i && !self.parts[p].outputs.contains(&t) {
                        growth.entry(p).or_default().insert(t);
                    }
                }
            }
        }
        for &t in &self.root_refs[i] {
            if !self.parts[p].outputs.contains(&t) {
                growth.entry(p).or_default().insert(t);
            }
        }
        let part = &self.parts[p];
        part.params.len() + new_params <= self.budget.parameters
            && growth.iter().all(|(&q, g)| {
                let q = &self.parts[q];
                q.outputs.len() + q.declared_outputs + g.len() <= self.budget.outputs
            })
    }

    /// A new part after the last one of `home`.
    fn new_part(&mut self, home: usize) -> usize {
        let mut n = self.parts.iter().filter(|p| p.home == home).map(|p| p.n).max().unwrap_or(1) + 1;
        while !self.part_name_ok(home, n) {
            n += 1;
        }
        self.add_part(home, n)
    }

    /// Part-level dependency edges (from -> to) of the placed resources.
    fn part_edges(&self) -> BTreeMap<usize, BTreeSet<usize>> {
        self.parts
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.succ.is_empty())
            .map(|(i, p)| (i, p.succ.keys().copied().collect()))
            .collect()
    }

    /// Breaks cycles between parts that the lock made (hand edits, or locks of older cfnc
    /// versions): for each cycle, the resources that depend on a higher-numbered part of the
    /// cycle are taken out (to be placed again), until there is none.
    fn repair_cycles(&mut self) {
        for _ in 0..self.parts.len().max(1) {
            let Some(cycle) = find_cycle(&self.part_edges()) else { return };
            let members: HashSet<usize> = cycle.iter().copied().collect();
            let forward: Vec<usize> = (0..self.ids.len())
                .filter(|&i| {
                    let Some(p) = self.part_of[i] else { return false };
                    members.contains(&p)
                        && self.all_edges[i].iter().any(|&o| {
                            self.part_of[o]
                                .is_some_and(|q| members.contains(&q) && self.parts[q].n > self.parts[p].n)
                        })
                })
                .collect();
            for i in forward {
                self.unplace(i, MoveReason::Cycle);
            }
            self.recount();
        }
    }

    /// The part of each declared output: a part of its home that holds one of the resources
    /// it refers to and that no other such part depends on (so the output adds no cycle);
    /// part 1 of the home when it refers to nothing there.
    fn output_parts(&self) -> Vec<usize> {
        let mut extra: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); self.parts.len()];
        let mut chosen = Vec::with_capacity(self.declared.len());
        for d in &self.declared {
            let mut here: Vec<usize> = d
                .targets
                .iter()
                .filter(|&&o| self.home[o] == d.home)
                .filter_map(|&o| self.part_of[o])
                .collect();
            here.sort_unstable();
            here.dedup();
            let home_part = self.find_part(d.home, 1).expect("every home has part 1");
            let p = here
                .iter()
                .copied()
                .find(|&p| {
                    // No other target part reaches p (through resources or earlier outputs).
                    let seen = self.reachable_with(here.iter().copied().filter(|&q| q != p), &extra);
                    !seen[p]
                })
                .unwrap_or(home_part);
            for &o in &d.targets {
                if let Some(q) = self.part_of[o]
                    && q != p
                {
                    extra[p].insert(q);
                }
            }
            chosen.push(p);
        }
        chosen
    }

    /// [`Planner::reachable`] with extra edges (`extra[p]`: more parts that `p` depends on).
    fn reachable_with(&self, from: impl IntoIterator<Item = usize>, extra: &[BTreeSet<usize>]) -> Vec<bool> {
        let mut seen = vec![false; self.parts.len()];
        let mut stack: Vec<usize> = Vec::new();
        for p in from {
            if !std::mem::replace(&mut seen[p], true) {
                stack.push(p);
            }
        }
        while let Some(p) = stack.pop() {
            for q in self.parts[p].succ.keys().copied().chain(extra.get(p).into_iter().flatten().copied()) {
                if !std::mem::replace(&mut seen[q], true) {
                    stack.push(q);
                }
            }
        }
        seen
    }

    /// Sets the app's stacks (parts after their home), placement and declared outputs.
    fn apply(&mut self, app: &mut App) {
        let out_parts = self.output_parts();
        for p in &mut self.parts {
            p.declared_outputs = 0;
        }
        for &p in &out_parts {
            self.parts[p].declared_outputs += 1;
        }
        let mut stacks = Vec::new();
        for (h, spec) in self.homes.iter().enumerate() {
            let mut parts: Vec<&Part> = self.parts.iter().filter(|p| p.home == h).collect();
            parts.sort_by_key(|p| p.n);
            let others = parts.iter().any(|p| p.n > 1 && p.count > 0);
            for p in parts {
                let keep = p.count > 0 || p.declared_outputs > 0 || (p.n == 1 && !others);
                if !keep {
                    continue;
                }
                if p.n > 1
                    && let Some(tags) = app.stack_tags.get(&spec.name).cloned()
                {
                    // A part carries its home stack's tags.
                    app.stack_tags.insert(p.name.clone(), tags);
                }
                stacks.push(if p.n == 1 {
                    spec.clone()
                } else {
                    StackSpec {
                        name: p.name.clone(),
                        logical_id: p.logical_id.clone(),
                        description: format!("{} (part {})", spec.description, p.n),
                    }
                });
            }
        }
        app.stacks = stacks;
        for (i, id) in self.ids.iter().enumerate() {
            if let Some(p) = self.part_of[i] {
                match app.placement.get_mut(id) {
                    Some(s) if *s == self.parts[p].name => {}
                    Some(s) => *s = self.parts[p].name.clone(),
                    None => {
                        app.placement.insert(id.clone(), self.parts[p].name.clone());
                    }
                }
            }
        }
        app.outputs = self
            .declared
            .iter()
            .zip(&out_parts)
            .map(|(d, &p)| ((self.parts[p].name.clone(), d.name.clone()), d.output.clone()))
            .collect();
    }

    /// A cycle among the parts (with declared outputs), as part indices, if there is one.
    fn part_cycle(&self) -> Option<Vec<usize>> {
        let mut edges = self.part_edges();
        let out_parts = self.output_parts();
        for (d, &p) in self.declared.iter().zip(&out_parts) {
            for &o in &d.targets {
                if let Some(q) = self.part_of[o]
                    && q != p
                {
                    edges.entry(p).or_default().insert(q);
                }
            }
        }
        find_cycle(&edges)
    }

    fn cycle_error(&self, cycle: &[usize]) -> SplitError {
        SplitError::Cycle {
            stack: self.homes[self.parts[cycle[0]].home].name.clone(),
            cycle: cycle.iter().map(|&p| self.parts[p].name.as_str()).collect::<Vec<_>>().join(" -> "),
        }
    }

    /// The resources of part `p` that refer most to other parts, for an error message.
    fn densest(&self, p: usize) -> String {
        let mut members: Vec<(usize, usize)> = (0..self.ids.len())
            .filter(|&i| self.part_of[i] == Some(p))
            .map(|i| {
                let outside =
                    self.refs[i].iter().filter(|&&t| self.part_of[self.owner[t as usize]] != Some(p)).count();
                (outside, i)
            })
            .filter(|&(n, _)| n > 0)
            .collect();
        members.sort_by(|a, b| b.0.cmp(&a.0).then(self.ids[a.1].cmp(&self.ids[b.1])));
        if members.is_empty() {
            return format!("it holds {} resources", self.parts[p].count);
        }
        let listed: Vec<String> = members
            .iter()
            .take(5)
            .map(|&(n, i)| {
                format!("`{}` ({}, {n} references to other stacks)", self.ids[i], self.type_names[i])
            })
            .collect();
        let more = members.len().saturating_sub(5);
        format!(
            "the resources that refer most to other stacks: {}{}",
            listed.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        )
    }

    /// Parts whose compiled template exceeds the budget and must give resources away.
    fn check(&self, compiled: &Compiled) -> Vec<Over> {
        let mut over = Vec::new();
        let by_name: HashMap<&str, usize> =
            self.parts.iter().enumerate().map(|(i, p)| (p.name.as_str(), i)).collect();
        let mut has_new = vec![false; self.parts.len()];
        for (i, p) in self.part_of.iter().enumerate() {
            if let Some(p) = p
                && !self.locked[i]
            {
                has_new[*p] = true;
            }
        }
        const NAMES: [&str; 4] = ["resources", "parameters", "outputs", "bytes"];
        let budget = [self.budget.resources, self.budget.parameters, self.budget.outputs, self.budget.bytes];
        let limit = [self.limits.resources, self.limits.parameters, self.limits.outputs, self.limits.bytes];
        for child in &compiled.children {
            let Some(&p) = by_name.get(child.name.as_str()) else { continue };
            let t = &child.template;
            let actual = [t.resources.len(), t.parameters.len(), t.outputs.len(), child.json.len()];
            let ratio = |k: usize| actual[k] as f64 / budget[k].max(1) as f64;
            let Some(k) =
                (0..4).filter(|&k| actual[k] > budget[k]).max_by(|&a, &b| ratio(a).total_cmp(&ratio(b)))
            else {
                continue;
            };
            let over_limit = (0..4).any(|k| actual[k] > limit[k]);
            if !has_new[p] && !over_limit {
                continue; // what the headroom is for
            }
            if self.parts[p].count == 1 && !over_limit {
                continue; // one resource that needs more than the budget: no other part would do better
            }
            let detail = if over_limit {
                let k = (0..4).find(|&k| actual[k] > limit[k]).unwrap_or(k);
                format!(
                    "{} would have {} {}; CloudFormation allows {}",
                    child.name, actual[k], NAMES[k], limit[k]
                )
            } else {
                format!(
                    "{} would have {} {}; cfnc fills a stack up to {}",
                    child.name, actual[k], NAMES[k], budget[k]
                )
            };
            over.push(Over { part: p, ratio: ratio(k).max(1.0001), over_limit, detail });
        }
        over
    }

    /// Takes resources out of an over-budget part (new ones first, locked ones only when the
    /// part is over a hard limit; most dependent first) and closes it for this build.
    fn evict(&mut self, over: &Over) {
        let p = over.part;
        let mut members: Vec<usize> = (0..self.ids.len()).filter(|&i| self.part_of[i] == Some(p)).collect();
        members.sort_by_key(|&i| std::cmp::Reverse(self.rank[i]));
        let keep = ((members.len() as f64) / over.ratio).floor() as usize;
        let mut k = members.len().saturating_sub(keep).max(1);
        let (new, locked): (Vec<usize>, Vec<usize>) = members.into_iter().partition(|&i| !self.locked[i]);
        let locked = if over.over_limit { locked } else { Vec::new() };
        for i in new.into_iter().chain(locked) {
            if k == 0 {
                break;
            }
            k -= 1;
            self.part_of[i] = None;
            if self.locked[i] {
                self.reason[i].get_or_insert(MoveReason::Limit { detail: over.detail.clone() });
            }
        }
        self.parts[p].closed = true;
    }

    fn finish(&self, compiles: usize) -> Split {
        let mut lock = Lock { format: LOCK_FORMAT, about: LOCK_ABOUT.to_string(), stacks: BTreeMap::new() };
        let mut moves = Vec::new();
        for (i, id) in self.ids.iter().enumerate() {
            let Some(p) = self.part_of[i] else { continue };
            let part = &self.parts[p];
            lock.stacks
                .entry(self.homes[part.home].name.clone())
                .or_default()
                .entry(part.name.clone())
                .or_default()
                .insert(id.to_string());
            if let Some(prev) = &self.previous[i]
                && *prev != part.name
            {
                moves.push(Move {
                    resource: id.to_string(),
                    type_name: self.type_names[i].clone(),
                    from: prev.clone(),
                    to: part.name.clone(),
                    reason: self.reason[i].clone().unwrap_or(MoveReason::LockPart { part: prev.clone() }),
                });
            }
        }
        let mut split = BTreeMap::new();
        for (h, spec) in self.homes.iter().enumerate() {
            let mut parts: Vec<&Part> = self.parts.iter().filter(|p| p.home == h && p.count > 0).collect();
            if parts.len() > 1 {
                parts.sort_by_key(|p| p.n);
                split.insert(spec.name.clone(), parts.iter().map(|p| p.name.clone()).collect());
            }
        }
        Split {
            budget: self.budget,
            limits: self.limits,
            split,
            moves,
            added: self.added,
            removed: self.removed,
            had_lock: self.had_lock,
            compiles,
            lock,
            lock_file: None,
            lock_written: false,
        }
    }
}

/// A cycle of a directed graph, as a path that ends where it starts, if there is one.
fn find_cycle(edges: &BTreeMap<usize, BTreeSet<usize>>) -> Option<Vec<usize>> {
    // Iterative depth-first search; 1 = on the current path, 2 = done.
    let mut state: HashMap<usize, u8> = HashMap::new();
    for &start in edges.keys() {
        if state.contains_key(&start) {
            continue;
        }
        let mut path: Vec<usize> = vec![start];
        let mut iters: Vec<Vec<usize>> =
            vec![edges.get(&start).map(|s| s.iter().copied().collect()).unwrap_or_default()];
        state.insert(start, 1);
        while let Some(next) = iters.last_mut().and_then(|it| it.pop()) {
            match state.get(&next) {
                Some(1) => {
                    let from = path.iter().position(|&p| p == next).unwrap_or(0);
                    let mut cycle = path[from..].to_vec();
                    cycle.push(next);
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    state.insert(next, 1);
                    path.push(next);
                    iters.push(
                        edges.get(&next).map(|s| s.iter().rev().copied().collect()).unwrap_or_default(),
                    );
                }
            }
            while iters.last().is_some_and(Vec::is_empty) {
                iters.pop();
                if let Some(done) = path.pop() {
                    state.insert(done, 2);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests;
