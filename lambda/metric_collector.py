"""Payment metric collector: measures the last complete interval of the service logs.

Lambda handler: ``metric_collector.handler`` (scheduled by EventBridge, rate(5 minutes)).

Each run picks one interval ``[start, end)`` aligned to ``INTERVAL_SECONDS`` boundaries (epoch
multiples, so 300 s gives :00, :05, :10 ...). ``end`` is the latest boundary at or before
``reference - SETTLE_SECONDS``, where ``reference`` is the scheduled event's ``time`` field (or
the current time when the event has none). The settle delay leaves room for log ingestion, so
an interval is read only once its late events have arrived.

The function reads that interval from the payment, authentication and transaction-processor
log groups with ``logs:FilterLogEvents`` (paginated), tallies the JSON log lines and prints one
CloudWatch Embedded Metric Format (EMF) document to stdout. Lambda ships stdout to CloudWatch
Logs, which extracts the metrics; no ``cloudwatch:PutMetricData`` call is made. Its own
diagnostics are structured JSON lines on stderr (they carry no ``_aws`` key, so they are never
taken for EMF).

Same interval -> same document: nothing is random, the clock only picks the interval when the
event carries no time, and the EMF timestamp is the interval START (a datapoint then lands in
the CloudWatch period it describes).

Only the standard library and boto3 are used. Interval computation, parsing, tallying,
statistics and EMF rendering are pure functions, unit-tested without AWS; the AWS and output
side (``read_log_group``, ``collect``, ``handler``) is thin.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Mapping, TextIO

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

DEFAULT_NAMESPACE = "fintech/payments/metrics"
DEFAULT_INTERVAL_SECONDS = 300
DEFAULT_SETTLE_SECONDS = 60
# Must exceed the worst case of one FilterLogEvents call under BOTO_CONFIG
# (3 attempts x (3 s connect + 8 s read) + retry back-off, about 37 s).
DEFAULT_DEADLINE_MARGIN_MS = 45_000

# Log group kinds, in the fixed order they are read and reported.
PAYMENT = "payment"
AUTHENTICATION = "authentication"
TRANSACTION = "transaction"
KINDS = (PAYMENT, AUTHENTICATION, TRANSACTION)

# kind -> (environment variable naming the log group, default name prefix before "-<env>")
LOG_GROUP_SETTINGS = {
    PAYMENT: ("PAYMENT_LOG_GROUP", "log-group-payment-service"),
    AUTHENTICATION: ("AUTH_LOG_GROUP", "log-group-authentication-service"),
    TRANSACTION: ("TRANSACTION_LOG_GROUP", "log-group-transaction-processor"),
}

LATENCY_PERCENTILES = (50, 90, 99)

# Read statuses of one log group.
COMPLETE = "complete"  # every page of the interval was read
PARTIAL = "partial"    # some pages were read, then the deadline or an error stopped the read
SKIPPED = "skipped"    # the deadline was reached before the first page
MISSING = "missing"    # the log group does not exist
FAILED = "failed"      # the first page failed (access denied, throttled beyond retries, ...)

BOTO_CONFIG = BotoConfig(
    connect_timeout=3,
    read_timeout=8,
    retries={"mode": "standard", "max_attempts": 3},
)


class ConfigError(ValueError):
    """The function's environment is unusable; the invocation fails with this message."""


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Settings:
    namespace: str
    environment: str
    log_groups: tuple[tuple[str, str], ...]  # (kind, log group name), in KINDS order
    interval_seconds: int
    settle_seconds: int
    deadline_margin_ms: int
    page_limit: int | None  # FilterLogEvents `limit`; None lets the service choose (max 10000)


def _int_setting(environ: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = environ.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be >= {minimum}, got {value}")
    return value


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Reads the settings from the environment; raises ConfigError with a clear message."""
    environment = environ.get("ENVIRONMENT", "").strip()
    if not environment:
        raise ConfigError("ENVIRONMENT is not set; it names the metrics' Environment dimension")
    namespace = environ.get("NAMESPACE", "").strip() or DEFAULT_NAMESPACE
    log_groups = tuple(
        (kind, environ.get(var, "").strip() or f"{prefix}-{environment}")
        for kind, (var, prefix) in LOG_GROUP_SETTINGS.items()
    )
    interval_seconds = _int_setting(environ, "INTERVAL_SECONDS", DEFAULT_INTERVAL_SECONDS, 60)
    if interval_seconds % 60:
        raise ConfigError(
            f"INTERVAL_SECONDS must be a multiple of 60 (a CloudWatch period), got {interval_seconds}"
        )
    page_limit = _int_setting(environ, "PAGE_LIMIT", 0, 0) or None
    if page_limit is not None and page_limit > 10_000:
        raise ConfigError(f"PAGE_LIMIT must be <= 10000, got {page_limit}")
    return Settings(
        namespace=namespace,
        environment=environment,
        log_groups=log_groups,
        interval_seconds=interval_seconds,
        settle_seconds=_int_setting(environ, "SETTLE_SECONDS", DEFAULT_SETTLE_SECONDS, 0),
        deadline_margin_ms=_int_setting(
            environ, "DEADLINE_MARGIN_MS", DEFAULT_DEADLINE_MARGIN_MS, 0
        ),
        page_limit=page_limit,
    )


# --------------------------------------------------------------------------- interval


@dataclass(frozen=True)
class Interval:
    start_ms: int  # inclusive
    end_ms: int    # exclusive

    def contains(self, timestamp_ms: int) -> bool:
        return self.start_ms <= timestamp_ms < self.end_ms


def parse_event_time(value: Any) -> float | None:
    """Epoch seconds of an ISO-8601 time such as EventBridge's "2026-11-26T02:35:00Z".

    A time without an offset is taken as UTC. Returns None when the value is absent or unusable.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


def reference_time(event: Any, now_seconds: float) -> tuple[float, str]:
    """(reference epoch seconds, source): the event's `time` when usable, else `now_seconds`."""
    raw = event.get("time") if isinstance(event, Mapping) else None
    parsed = parse_event_time(raw)
    if parsed is not None:
        return parsed, "event"
    return now_seconds, "clock" if raw is None else "clock (unusable event time)"


def compute_interval(reference_seconds: float, interval_seconds: int, settle_seconds: int) -> Interval:
    """The last complete interval ending at or before `reference - settle`, on epoch boundaries."""
    if interval_seconds <= 0:
        raise ValueError("interval_seconds must be positive")
    step_ms = interval_seconds * 1000
    anchor_ms = math.floor(reference_seconds * 1000) - settle_seconds * 1000
    end_ms = anchor_ms - anchor_ms % step_ms
    return Interval(start_ms=end_ms - step_ms, end_ms=end_ms)


def iso_utc(timestamp_ms: int) -> str:
    moment = datetime.fromtimestamp(timestamp_ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{timestamp_ms % 1000:03d}Z"


# --------------------------------------------------------------------------- parsing and tally


def parse_log_message(message: Any) -> dict | None:
    """The JSON object of one log line, or None when the line is malformed (not a JSON object)."""
    if not isinstance(message, str):
        return None
    try:
        record = json.loads(message)
    except ValueError:  # json.JSONDecodeError, and invalid surrogates
        return None
    return record if isinstance(record, dict) else None


def latency_value(value: Any) -> int | float | None:
    """A usable processing_time (finite, non-negative number of ms), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if value >= 0 else None


@dataclass
class Tally:
    """What one log group's lines of the interval contained."""

    events: int = 0            # log events in the interval
    malformed: int = 0         # lines that are not a JSON object
    well_formed: int = 0       # lines that are a JSON object
    request_errors: int = 0    # payment: "status" == "error"
    transactions: int = 0      # payment: has a string "transaction_status"
    succeeded: int = 0         # payment: transaction_status == "succeeded"
    failed: int = 0            # payment: transaction_status == "failed"
    auth_attempts: int = 0     # authentication: has a string "auth_result"
    auth_failures: int = 0     # authentication: auth_result == "failure"
    latencies: list = field(default_factory=list)  # transaction: usable processing_time values
    invalid_latencies: int = 0  # transaction: processing_time present but unusable


def tally_message(tally: Tally, kind: str, message: Any) -> None:
    """Adds one log line of a log group of `kind` to `tally`."""
    tally.events += 1
    record = parse_log_message(message)
    if record is None:
        tally.malformed += 1
        return
    tally.well_formed += 1
    if kind == PAYMENT:
        if record.get("status") == "error":
            tally.request_errors += 1
        status = record.get("transaction_status")
        if isinstance(status, str) and status:
            tally.transactions += 1
            if status == "succeeded":
                tally.succeeded += 1
            elif status == "failed":
                tally.failed += 1
    elif kind == AUTHENTICATION:
        result = record.get("auth_result")
        if isinstance(result, str) and result:
            tally.auth_attempts += 1
            if result == "failure":
                tally.auth_failures += 1
    elif kind == TRANSACTION and "processing_time" in record:
        value = latency_value(record["processing_time"])
        if value is None:
            tally.invalid_latencies += 1
        else:
            tally.latencies.append(value)


def tally_messages(kind: str, messages: Iterable[Any]) -> Tally:
    tally = Tally()
    for message in messages:
        tally_message(tally, kind, message)
    return tally


def percentile(sorted_values: list, p: float) -> int | float:
    """Nearest-rank percentile: the smallest value with at least p % of the values <= it."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    if not 0 < p <= 100:
        raise ValueError("p must be in (0, 100]")
    rank = math.ceil(p / 100 * len(sorted_values))
    return sorted_values[rank - 1]


# --------------------------------------------------------------------------- metrics and EMF


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    value: int | float


def build_metrics(tallies: Mapping[str, Tally]) -> list[Metric]:
    """Metrics from the log groups that were read completely, in a fixed order.

    A group that was not read completely contributes nothing: an unknown count is left
    missing rather than published as a wrong number. Latency statistics need at least one sample.
    """
    metrics: list[Metric] = []
    payment = tallies.get(PAYMENT)
    if payment is not None:
        metrics += [
            Metric("TotalRequests", "Count", payment.well_formed),
            Metric("RequestErrors", "Count", payment.request_errors),
            Metric("PaymentTransactionVolume", "Count", payment.transactions),
            Metric("PaymentsSucceeded", "Count", payment.succeeded),
            Metric("PaymentsFailed", "Count", payment.failed),
        ]
    auth = tallies.get(AUTHENTICATION)
    if auth is not None:
        metrics += [
            Metric("AuthenticationAttempts", "Count", auth.auth_attempts),
            Metric("AuthenticationFailures", "Count", auth.auth_failures),
        ]
    transaction = tallies.get(TRANSACTION)
    if transaction is not None and transaction.latencies:
        ordered = sorted(transaction.latencies)
        metrics += [
            Metric(f"ProcessingLatencyP{p}", "Milliseconds", percentile(ordered, p))
            for p in LATENCY_PERCENTILES
        ]
        metrics.append(Metric("ProcessingLatencyMax", "Milliseconds", ordered[-1]))
    if tallies:
        malformed = sum(tallies[kind].malformed for kind in KINDS if kind in tallies)
        metrics.append(Metric("MalformedLogEvents", "Count", malformed))
    return metrics


def render_emf(
    namespace: str,
    environment: str,
    interval: Interval,
    metrics: list[Metric],
    properties: Mapping[str, Any],
) -> dict:
    """One EMF document: all metrics under the Environment dimension, timestamped at the interval start."""
    document: dict[str, Any] = {
        "_aws": {
            "Timestamp": interval.start_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": [["Environment"]],
                    "Metrics": [{"Name": m.name, "Unit": m.unit} for m in metrics],
                }
            ],
        },
        "Environment": environment,
    }
    for metric in metrics:
        document[metric.name] = metric.value
    for key, value in properties.items():
        if key in document:
            raise ValueError(f"property {key!r} collides with a metric or dimension")
        document[key] = value
    return document


def emf_line(document: dict) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


# --------------------------------------------------------------------------- AWS I/O


@dataclass
class GroupRead:
    kind: str
    log_group: str
    status: str
    pages: int = 0
    tally: Tally = field(default_factory=Tally)
    error: str | None = None

    def summary(self) -> dict:
        out = {
            "kind": self.kind,
            "log_group": self.log_group,
            "status": self.status,
            "pages": self.pages,
            "events": self.tally.events,
            "malformed": self.tally.malformed,
            "invalid_processing_time": self.tally.invalid_latencies,
        }
        if self.error:
            out["error"] = self.error
        return out


def read_log_group(
    client: Any,
    kind: str,
    log_group: str,
    interval: Interval,
    deadline_reached: Callable[[], bool],
    page_limit: int | None = None,
) -> GroupRead:
    """Reads every event of `interval` from one log group, page by page, until done or out of time."""
    read = GroupRead(kind=kind, log_group=log_group, status=COMPLETE)
    request: dict[str, Any] = {
        "logGroupName": log_group,
        "startTime": interval.start_ms,
        "endTime": interval.end_ms - 1,  # FilterLogEvents includes endTime; the interval does not
    }
    if page_limit:
        request["limit"] = page_limit
    while True:
        if deadline_reached():
            read.status = PARTIAL if read.pages else SKIPPED
            read.error = "stopped before the Lambda deadline"
            return read
        try:
            response = client.filter_log_events(**request)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code == "ResourceNotFoundException" and not read.pages:
                read.status = MISSING
            else:
                read.status = PARTIAL if read.pages else FAILED
            read.error = f"{code}: {error.response.get('Error', {}).get('Message', '')}".strip()
            return read
        except BotoCoreError as error:
            read.status = PARTIAL if read.pages else FAILED
            read.error = f"{type(error).__name__}: {error}"
            return read
        read.pages += 1
        for event in response.get("events", []):
            timestamp = event.get("timestamp")
            if isinstance(timestamp, int) and interval.contains(timestamp):
                tally_message(read.tally, kind, event.get("message"))
        token = response.get("nextToken")
        if not token:
            return read
        request["nextToken"] = token


def collect(
    client: Any,
    settings: Settings,
    interval: Interval,
    deadline_reached: Callable[[], bool],
) -> list[GroupRead]:
    """Reads the three log groups in a fixed order; a failing group does not stop the others."""
    return [
        read_log_group(client, kind, name, interval, deadline_reached, settings.page_limit)
        for kind, name in settings.log_groups
    ]


def document_for(settings: Settings, interval: Interval, reads: list[GroupRead]) -> dict:
    complete = {read.kind: read.tally for read in reads if read.status == COMPLETE}
    not_read = [read.log_group for read in reads if read.status != COMPLETE]
    transaction = complete.get(TRANSACTION)
    properties = {
        "IntervalStart": iso_utc(interval.start_ms),
        "IntervalEnd": iso_utc(interval.end_ms),
        "IntervalSeconds": settings.interval_seconds,
        "Partial": bool(not_read),
        "LogGroupsNotRead": not_read,
        "LatencySampleCount": len(transaction.latencies) if transaction else 0,
    }
    return render_emf(settings.namespace, settings.environment, interval, build_metrics(complete), properties)


def log_json(stream: TextIO, level: str, message: str, **fields: Any) -> None:
    """One structured diagnostic line (never EMF: it has no `_aws` key)."""
    record = {"level": level, "logger": "metric_collector", "message": message, **fields}
    stream.write(json.dumps(record, separators=(",", ":"), default=str) + "\n")
    stream.flush()


_LOGS_CLIENT = None


def _logs_client():
    global _LOGS_CLIENT
    if _LOGS_CLIENT is None:
        _LOGS_CLIENT = boto3.client("logs", config=BOTO_CONFIG)
    return _LOGS_CLIENT


def deadline_check(context: Any, margin_ms: int) -> Callable[[], bool]:
    """True once fewer than `margin_ms` remain before the Lambda deadline (never without a context)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return lambda: False
    return lambda: remaining() <= margin_ms


def handler(event: Any, context: Any) -> dict:
    settings = load_settings(os.environ)
    reference, source = reference_time(event, time.time())
    interval = compute_interval(reference, settings.interval_seconds, settings.settle_seconds)
    request_id = getattr(context, "aws_request_id", None)

    reads = collect(_logs_client(), settings, interval, deadline_check(context, settings.deadline_margin_ms))
    document = document_for(settings, interval, reads)
    published = [m["Name"] for m in document["_aws"]["CloudWatchMetrics"][0]["Metrics"]]
    if published:  # an EMF directive needs at least one metric
        sys.stdout.write(emf_line(document) + "\n")
        sys.stdout.flush()

    partial = document["Partial"]
    for read in reads:
        if read.status != COMPLETE:
            log_json(sys.stderr, "WARN", f"log group {read.status}", request_id=request_id, **read.summary())
    log_json(
        sys.stderr,
        "WARN" if partial else "INFO",
        "interval partial" if partial else "interval complete",
        request_id=request_id,
        interval_start=document["IntervalStart"],
        interval_end=document["IntervalEnd"],
        reference_time_source=source,
        partial=partial,
        groups=[read.summary() for read in reads],
        metrics_published=published,
    )
    return {
        "intervalStart": document["IntervalStart"],
        "intervalEnd": document["IntervalEnd"],
        "partial": partial,
        "groups": [read.summary() for read in reads],
        "metrics": {name: document[name] for name in published},
    }
