//! Following a stack operation: stream the events of the root stack and of every nested
//! stack it touches until the root reaches a terminal state (a waiter is the backstop), name
//! the first failing resource, and tell the user what is still running on Ctrl-C.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use aws_sdk_cloudformation::client::Waiters;
use aws_sdk_cloudformation::primitives::{DateTime, DateTimeFormat as Format};
use aws_sdk_cloudformation::types::{EventFilter, StackEvent};

use super::error::Failure;
use super::ui::Ui;
use super::{DeployError, stack};
use crate::aws::{Aws, classify};

/// How often events are fetched while an operation runs.
pub const POLL_INTERVAL: Duration = Duration::from_secs(3);
/// The longest cfnc waits for one operation (CloudFormation's own default timeout is none).
pub const MAX_WAIT: Duration = Duration::from_secs(6 * 3600);
/// At most this many pages of old events are read when looking for new ones.
const MAX_PAGES: usize = 20;

const NESTED_STACK_TYPE: &str = "AWS::CloudFormation::Stack";

/// Which operation runs (selects the waiter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
}

#[derive(Clone, Debug)]
struct Tracked {
    /// Stack id (ARN) or name.
    id: String,
    label: String,
}

/// Streams events; remembers failures.
pub struct Follower<'a> {
    aws: &'a Aws,
    ui: &'a Ui,
    root: Tracked,
    nested: Vec<Tracked>,
    seen: HashSet<String>,
    /// Server time of the first event of this operation: older events of nested stacks are history.
    since: Option<DateTime>,
    failures: Vec<(DateTime, usize, Failure)>,
    /// Root stack reached a terminal status according to its events.
    root_done: bool,
    labels: HashMap<String, String>,
}

impl<'a> Follower<'a> {
    /// Starts following `root_id` (its name or ARN): the events it already has are history.
    /// `labels` maps nested stack logical ids to display names (manifest names).
    pub async fn start(
        aws: &'a Aws,
        ui: &'a Ui,
        root_id: &str,
        root_label: &str,
        labels: HashMap<String, String>,
    ) -> Result<Follower<'a>, DeployError> {
        let mut f = Follower {
            aws,
            ui,
            root: Tracked { id: root_id.to_string(), label: root_label.to_string() },
            nested: Vec::new(),
            seen: HashSet::new(),
            since: None,
            failures: Vec::new(),
            root_done: false,
            labels,
        };
        // Mark the newest page of existing events as seen; paging stops at the first seen one.
        let out = aws
            .cfn
            .describe_stack_events()
            .stack_name(root_id)
            .send()
            .await
            .map_err(|e| classify("CloudFormation DescribeStackEvents", aws.max_attempts(), e))?;
        for ev in out.stack_events() {
            if let Some(id) = ev.event_id() {
                f.seen.insert(id.to_string());
            }
        }
        Ok(f)
    }

    /// Fetches and prints new events of every tracked stack.
    pub async fn poll(&mut self) -> Result<(), DeployError> {
        let mut stacks = vec![self.root.clone()];
        stacks.extend(self.nested.iter().cloned());
        for t in stacks {
            let new = self.new_events(&t).await?;
            for ev in new {
                self.handle(&t, &ev);
            }
        }
        Ok(())
    }

    /// Finds nested stacks through the root's resources (for services that emit no resource
    /// events) and reads their events too.
    pub async fn discover_nested(&mut self) -> Result<(), DeployError> {
        let mut queue = vec![self.root.id.clone()];
        while let Some(id) = queue.pop() {
            let resources = match super::templates::stack_resources(self.aws, &id).await {
                Ok(r) => r,
                Err(_) => continue, // a stack deleted meanwhile
            };
            for r in resources {
                if r.type_name == NESTED_STACK_TYPE
                    && !r.physical_id.is_empty()
                    && self.track(&r.physical_id, &r.logical_id)
                {
                    queue.push(r.physical_id.clone());
                }
            }
        }
        self.poll().await
    }

    fn track(&mut self, id: &str, logical_id: &str) -> bool {
        if id == self.root.id || self.nested.iter().any(|t| t.id == id) {
            return false;
        }
        let label = self.labels.get(logical_id).cloned().unwrap_or_else(|| logical_id.to_string());
        self.nested.push(Tracked { id: id.to_string(), label });
        true
    }

    async fn new_events(&mut self, t: &Tracked) -> Result<Vec<StackEvent>, DeployError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        'pages: for _ in 0..MAX_PAGES {
            let resp = match self
                .aws
                .cfn
                .describe_stack_events()
                .stack_name(&t.id)
                .set_next_token(token.clone())
                .send()
                .await
            {
                Ok(r) => r,
                // A nested stack that was replaced or deleted: nothing more to read.
                Err(e) if t.id != self.root.id && e.as_service_error().is_some() => break,
                Err(e) => {
                    return Err(
                        classify("CloudFormation DescribeStackEvents", self.aws.max_attempts(), e).into()
                    );
                }
            };
            for ev in resp.stack_events() {
                let Some(id) = ev.event_id() else { continue };
                if self.seen.contains(id) {
                    break 'pages;
                }
                if let (Some(since), Some(ts)) = (self.since, ev.timestamp())
                    && t.id != self.root.id
                    && ts.secs() < since.secs()
                {
                    break 'pages;
                }
                out.push(ev.clone());
            }
            token = resp.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        out.reverse(); // oldest first
        Ok(out)
    }

    fn handle(&mut self, t: &Tracked, ev: &StackEvent) {
        if let Some(id) = ev.event_id() {
            self.seen.insert(id.to_string());
        }
        if t.id == self.root.id && self.since.is_none() {
            self.since = ev.timestamp().copied();
        }
        let status = ev.resource_status().map(|s| s.as_str()).unwrap_or("");
        let logical = ev.logical_resource_id().unwrap_or("");
        let type_name = ev.resource_type().unwrap_or("");
        let reason = ev.resource_status_reason().unwrap_or("");
        let physical = ev.physical_resource_id().unwrap_or("");
        let time = ev
            .timestamp()
            .and_then(|d| d.fmt(Format::DateTime).ok())
            .map(|s| s.get(11..19).unwrap_or(&s).to_string())
            .unwrap_or_default();
        let line = format!("{time} {:<14} {logical:<40} {status:<28} {type_name}", t.label);
        self.ui.info(if reason.is_empty() { line } else { format!("{line}  {reason}") });

        let is_self = type_name == NESTED_STACK_TYPE && (physical == t.id || ev.stack_id() == Some(physical));
        if type_name == NESTED_STACK_TYPE && !is_self && !physical.is_empty() {
            self.track(physical, logical);
        }
        if status.ends_with("_FAILED") {
            let f = Failure {
                stack: t.label.clone(),
                logical_id: logical.to_string(),
                type_name: type_name.to_string(),
                status: status.to_string(),
                reason: reason.to_string(),
                path: None,
            };
            let ts = ev.timestamp().copied().unwrap_or(DateTime::from_secs(0));
            let n = self.failures.len();
            self.failures.push((ts, n, f));
        }
        if t.id == self.root.id && is_self && stack::is_terminal(status) {
            self.root_done = true;
        }
    }

    /// The first failure, across nested stacks: the earliest failed resource that is not
    /// itself a nested stack (those fail because something inside them did).
    pub fn root_cause(&self) -> Option<Failure> {
        root_cause(&self.failures)
    }

    /// The outcome of the operation judged from every stack, not only the root: `None` when
    /// the root ended well, no nested stack the operation touched ended in a failed or
    /// rolled-back state, and no resource event of the operation is `*_FAILED`. Otherwise the
    /// status to report (the root's, and what failed inside when the root looks fine) and the
    /// first failure (DescribeEvents is asked too).
    pub async fn verdict(&mut self, op: Operation, root_status: &str) -> Option<(String, Option<Failure>)> {
        let root_ok = super::succeeded(root_status, op);
        let mut bad_nested = Vec::new();
        if op != Operation::Delete {
            for t in self.nested.clone() {
                if let Ok(Some(s)) = stack::describe(self.aws, &t.id).await {
                    let status = status_of(Some(&s));
                    if nested_failed(&status) {
                        bad_nested.push(format!("nested stack {} is {status}", t.label));
                    }
                }
            }
        }
        if root_ok && bad_nested.is_empty() && self.failures.is_empty() {
            return None;
        }
        self.add_failed_operation_events().await;
        let status = if root_ok {
            let mut inside = bad_nested;
            if inside.is_empty() {
                inside.push(format!("{} resource event(s) failed", self.failures.len()));
            }
            format!("stack is {root_status}, but {}", inside.join(", "))
        } else {
            format!("stack is {root_status}")
        };
        Some((status, self.root_cause()))
    }

    /// Asks `DescribeEvents` (FailedEvents) for failures of this operation; adds them.
    /// Quietly does nothing where the API is not available.
    pub async fn add_failed_operation_events(&mut self) {
        let mut stacks = vec![self.root.clone()];
        stacks.extend(self.nested.iter().cloned());
        for t in stacks {
            match failed_events(self.aws, EventsOf::Stack(&t.id), &t.label).await {
                Ok(list) => {
                    for (ts, f) in list {
                        let n = self.failures.len();
                        self.failures.push((ts, n, f));
                    }
                }
                Err(e) => self.ui.detail(format!("DescribeEvents not available: {e}")),
            }
        }
    }

    /// Follows an operation to its end. Returns the root stack's final status.
    pub async fn follow(&mut self, op: Operation) -> Result<String, DeployError> {
        let aws = self.aws;
        let root_id = self.root.id.clone();
        let waiter = wait(aws, &root_id, op);
        tokio::pin!(waiter);
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        let mut tick = tokio::time::interval(POLL_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                res = &mut waiter => {
                    res?;
                    break;
                }
                _ = &mut ctrl_c => {
                    return Err(self.interrupted().await);
                }
                _ = tick.tick() => {
                    self.poll().await?;
                    if self.root_done {
                        let s = stack::describe(aws, &root_id).await?;
                        let status = status_of(s.as_ref());
                        if stack::is_terminal(&status) {
                            break;
                        }
                        self.root_done = false;
                    }
                }
            }
        }
        if op != Operation::Delete {
            self.discover_nested().await?;
        } else {
            self.poll().await?;
        }
        let s = stack::describe(aws, &root_id).await?;
        Ok(status_of(s.as_ref()))
    }

    async fn interrupted(&self) -> DeployError {
        let status = match stack::describe(self.aws, &self.root.id).await {
            Ok(s) => status_of(s.as_ref()),
            Err(_) => "status unknown".to_string(),
        };
        DeployError::Interrupted {
            stack: self.root.label.clone(),
            status,
            console: self.aws.console_stack_url(&self.root.id),
            follow: format!("aws cloudformation describe-stack-events --stack-name {}", self.root.id),
        }
    }
}

/// A nested stack's final status that means its part of the operation failed.
pub fn nested_failed(status: &str) -> bool {
    status.ends_with("_FAILED") || status.contains("ROLLBACK")
}

fn status_of(s: Option<&aws_sdk_cloudformation::types::Stack>) -> String {
    s.and_then(|s| s.stack_status())
        .map(|s| s.as_str().to_string())
        .unwrap_or_else(|| "DELETE_COMPLETE".into())
}

/// Runs the waiter for `op`; `Ok` whether the stack ended well or badly (the caller reads the
/// final status), `Err` for AWS faults.
async fn wait(aws: &Aws, id: &str, op: Operation) -> Result<(), DeployError> {
    use aws_sdk_cloudformation::waiters::{
        stack_create_complete, stack_delete_complete, stack_update_complete,
    };
    macro_rules! settle {
        ($r:expr, $e:ty) => {{
            type E = $e;
            match $r {
                Ok(_) | Err(E::FailureState(_)) | Err(E::ExceededMaxWait(_)) => Ok(()),
                Err(E::OperationFailed(e)) => {
                    Err(classify("CloudFormation DescribeStacks", aws.max_attempts(), e.into_error()).into())
                }
                Err(other) => Err(DeployError::from(crate::aws::AwsError::Service {
                    operation: "CloudFormation waiter",
                    code: "Waiter".into(),
                    message: crate::aws::error::chain_text(&other),
                    help: None,
                })),
            }
        }};
    }
    match op {
        Operation::Create => settle!(
            aws.cfn.wait_until_stack_create_complete().stack_name(id).wait(MAX_WAIT).await,
            stack_create_complete::WaitUntilStackCreateCompleteError
        ),
        Operation::Update => settle!(
            aws.cfn.wait_until_stack_update_complete().stack_name(id).wait(MAX_WAIT).await,
            stack_update_complete::WaitUntilStackUpdateCompleteError
        ),
        Operation::Delete => settle!(
            aws.cfn.wait_until_stack_delete_complete().stack_name(id).wait(MAX_WAIT).await,
            stack_delete_complete::WaitUntilStackDeleteCompleteError
        ),
    }
}

/// What `DescribeEvents` is asked about.
#[derive(Clone, Copy, Debug)]
pub enum EventsOf<'a> {
    Stack(&'a str),
    ChangeSet(&'a str),
}

/// Failed events from `DescribeEvents` with the `FailedEvents` filter (early validation
/// failures of a change set, or the failures of a stack operation), oldest first.
pub async fn failed_events(
    aws: &Aws,
    of: EventsOf<'_>,
    label: &str,
) -> Result<Vec<(DateTime, Failure)>, DeployError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut req = aws.cfn.describe_events().filters(EventFilter::builder().failed_events(true).build());
        req = match of {
            EventsOf::Stack(s) => req.stack_name(s),
            EventsOf::ChangeSet(c) => req.change_set_name(c),
        };
        let resp = req
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| classify("CloudFormation DescribeEvents", aws.max_attempts(), e))?;
        for ev in resp.operation_events() {
            let resource_failed = ev.resource_status().is_some_and(|s| s.as_str().ends_with("_FAILED"));
            let validation_failed = ev
                .validation_status()
                .is_some_and(|s| *s == aws_sdk_cloudformation::types::ValidationStatus::Failed);
            if !(resource_failed || validation_failed) {
                continue;
            }
            let status = if validation_failed {
                format!("VALIDATION_FAILED({})", ev.validation_name().unwrap_or("early validation"))
            } else {
                ev.resource_status().map(|s| s.as_str().to_string()).unwrap_or_default()
            };
            let reason =
                ev.validation_status_reason().or(ev.resource_status_reason()).unwrap_or("").to_string();
            let f = Failure {
                stack: label.to_string(),
                logical_id: ev.logical_resource_id().unwrap_or("").to_string(),
                type_name: ev.resource_type().unwrap_or("").to_string(),
                status,
                reason,
                path: ev.validation_path().map(str::to_string),
            };
            let ts = ev.timestamp().or(ev.start_time()).copied().unwrap_or(DateTime::from_secs(0));
            out.push((ts, f));
        }
        token = resp.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    out.sort_by(|a, b| a.0.secs().cmp(&b.0.secs()).then(a.0.subsec_nanos().cmp(&b.0.subsec_nanos())));
    Ok(out)
}

/// The earliest failure that is not a nested stack failing because of its content.
pub fn root_cause(failures: &[(DateTime, usize, Failure)]) -> Option<Failure> {
    let key = |x: &&(DateTime, usize, Failure)| (x.0.secs(), x.0.subsec_nanos(), x.1);
    failures
        .iter()
        .filter(|(_, _, f)| f.type_name != NESTED_STACK_TYPE)
        .min_by_key(key)
        .or_else(|| failures.iter().min_by_key(key))
        .map(|(_, _, f)| f.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(stack: &str, id: &str, ty: &str) -> Failure {
        Failure {
            stack: stack.into(),
            logical_id: id.into(),
            type_name: ty.into(),
            status: "CREATE_FAILED".into(),
            reason: "r".into(),
            path: None,
        }
    }

    #[test]
    fn root_cause_skips_nested_stack_cascades() {
        let fs = vec![
            (DateTime::from_secs(10), 0, f("root", "Monitoring", NESTED_STACK_TYPE)),
            (DateTime::from_secs(9), 1, f("monitoring", "Alarm", "AWS::CloudWatch::Alarm")),
            (DateTime::from_secs(11), 2, f("monitoring", "Topic", "AWS::SNS::Topic")),
        ];
        assert_eq!(root_cause(&fs).unwrap().logical_id, "Alarm");
        let only_stacks = vec![(DateTime::from_secs(10), 0, f("root", "Monitoring", NESTED_STACK_TYPE))];
        assert_eq!(root_cause(&only_stacks).unwrap().logical_id, "Monitoring");
        assert!(root_cause(&[]).is_none());
    }
}
