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
//! - References between parts of one home only go from later parts to earlier ones (a new
//!   resource never goes to a part before the parts of what it refers to), so splitting never
//!   makes nested stacks depend on each other in a cycle; if edits of locked resources do
//!   create one, the resources that refer "forward" move.
//! - A resource that changes nested stack is deleted from the old stack and created in the
//!   new one by CloudFormation: every such move is reported ([`Move`]) with its reason.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use serde::{Deserialize, Serialize};

use super::refs::{self, Target};
use super::{App, CompileError, Compiled, StackSpec};
use crate::model::{Expr, LogicalId};

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
            "its resources refer to each other too densely for automatic splitting: declare another stack in stacks/ and place part of them there"
        )
    )]
    NoFit { stack: String, detail: String },
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
    /// It refers to a later part of its stack, which made the parts depend on each other in a cycle.
    Cycle,
}

impl std::fmt::Display for MoveReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MoveReason::StackChanged { stack } => write!(f, "the app now declares it in stack `{stack}`"),
            MoveReason::LockPart { part } => write!(f, "the lock names part `{part}`, which cfnc cannot use"),
            MoveReason::Limit { detail } => write!(f, "{detail}"),
            MoveReason::Cycle => write!(f, "it refers to a later part of its stack (that made a cycle)"),
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
    planner.place_unplaced();
    planner.fix_cycles()?;
    const MAX_ROUNDS: usize = 12;
    for round in 1..=MAX_ROUNDS {
        planner.apply(&mut app);
        let compiled = super::compile(&app, template_url)?;
        let over = planner.check(&compiled);
        if over.is_empty() {
            return Ok((compiled, planner.finish(round)));
        }
        if round == MAX_ROUNDS {
            let o = over.into_iter().next().expect("not empty");
            return Err(SplitError::NoFit { stack: planner.parts[o.part].name.clone(), detail: o.detail });
        }
        for o in &over {
            planner.evict(o);
        }
        planner.recount();
        planner.place_unplaced();
        planner.fix_cycles()?;
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
    /// 1 for the home itself, then 2, 3, ...
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
    /// Outputs the app declares on the home (counted on part 1).
    declared_outputs: usize,
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
    /// Resources referring to / depending on each resource.
    consumers: Vec<Vec<usize>>,
    /// Targets of each resource that root outputs use.
    root_refs: Vec<Vec<u32>>,
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
            let declared = app.outputs.keys().filter(|(s, _)| *s == planner.homes[h].name).count();
            let p = planner.add_part(h, 1);
            planner.parts[p].declared_outputs = declared;
        }
        planner.read_lock(lock, &index);
        planner
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

    /// Recomputes every part's counters from the placement.
    fn recount(&mut self) {
        for p in &mut self.parts {
            p.count = 0;
            p.params.clear();
            p.outputs.clear();
        }
        let placed: Vec<(usize, usize)> =
            self.order.iter().filter_map(|&i| self.part_of[i].map(|p| (i, p))).collect();
        self.part_of.iter_mut().for_each(|p| *p = None);
        for (i, p) in placed {
            self.assign(i, p);
        }
    }

    /// Places every resource without a part, in post-order.
    fn place_unplaced(&mut self) {
        for k in 0..self.order.len() {
            let i = self.order[k];
            if self.part_of[i].is_none() {
                self.place(i);
            }
        }
    }

    /// The lowest part number `i` may take: not before the parts of what it refers to.
    fn lower_bound(&self, i: usize) -> u32 {
        self.edges[i].iter().filter_map(|&o| self.part_of[o]).map(|p| self.parts[p].n).max().unwrap_or(1)
    }

    fn place(&mut self, i: usize) {
        let h = self.home[i];
        let lower = self.lower_bound(i);
        let mut candidates: Vec<(usize, u32, usize)> = Vec::new();
        for (p, part) in self.parts.iter().enumerate() {
            if part.home != h || part.closed || part.n < lower || part.count >= self.budget.resources {
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
        let chosen = candidates.into_iter().map(|(_, _, p)| p).find(|&p| self.fits(i, p));
        let p = chosen.unwrap_or_else(|| self.new_part(h));
        self.assign(i, p);
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

    /// Part-level dependency edges (from -> to).
    fn part_edges(&self) -> BTreeMap<usize, BTreeSet<usize>> {
        let mut edges: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
        for i in 0..self.ids.len() {
            let Some(p) = self.part_of[i] else { continue };
            for &o in &self.all_edges[i] {
                if let Some(q) = self.part_of[o]
                    && q != p
                {
                    edges.entry(p).or_default().insert(q);
                }
            }
        }
        edges
    }

    /// Moves resources that refer to a later part of their home while the parts form a
    /// cycle, until they do not.
    fn fix_cycles(&mut self) -> Result<(), SplitError> {
        for _ in 0..64 {
            let edges = self.part_edges();
            if !has_cycle(&edges) {
                return Ok(());
            }
            let forward: Vec<usize> = (0..self.ids.len())
                .filter(|&i| {
                    let Some(p) = self.part_of[i] else { return false };
                    self.edges[i]
                        .iter()
                        .any(|&o| self.part_of[o].is_some_and(|q| self.parts[q].n > self.parts[p].n))
                })
                .collect();
            if forward.is_empty() {
                // Between different homes: the compiler reports it with the stack names.
                return Ok(());
            }
            for i in forward {
                self.part_of[i] = None;
                if self.locked[i] {
                    self.reason[i].get_or_insert(MoveReason::Cycle);
                }
            }
            self.recount();
            self.place_unplaced();
        }
        let stack = self.parts.first().map(|p| p.name.clone()).unwrap_or_default();
        Err(SplitError::NoFit { stack, detail: "parts keep depending on each other in a cycle".into() })
    }

    /// Sets the app's stacks (parts after their home) and placement.
    fn apply(&self, app: &mut App) {
        let mut stacks = Vec::new();
        for (h, spec) in self.homes.iter().enumerate() {
            let mut parts: Vec<&Part> = self.parts.iter().filter(|p| p.home == h).collect();
            parts.sort_by_key(|p| p.n);
            let others = parts.iter().any(|p| p.n > 1 && p.count > 0);
            for p in parts {
                let keep =
                    if p.n == 1 { p.count > 0 || p.declared_outputs > 0 || !others } else { p.count > 0 };
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

/// True when the directed graph has a cycle.
fn has_cycle(edges: &BTreeMap<usize, BTreeSet<usize>>) -> bool {
    let mut indegree: BTreeMap<usize, usize> = BTreeMap::new();
    for (&from, tos) in edges {
        indegree.entry(from).or_default();
        for &to in tos {
            *indegree.entry(to).or_default() += 1;
        }
    }
    let mut ready: Vec<usize> = indegree.iter().filter(|(_, d)| **d == 0).map(|(n, _)| *n).collect();
    let mut seen = 0;
    while let Some(n) = ready.pop() {
        seen += 1;
        for to in edges.get(&n).into_iter().flatten() {
            let d = indegree.get_mut(to).expect("every node has a degree");
            *d -= 1;
            if *d == 0 {
                ready.push(*to);
            }
        }
    }
    seen != indegree.len()
}

#[cfg(test)]
mod tests;
