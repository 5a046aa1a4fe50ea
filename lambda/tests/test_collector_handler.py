"""The collector's handler end to end against moto's CloudWatch Logs.

The interval under test ends on a 5-minute boundary about an hour ago (moto, like CloudWatch Logs,
refuses events older than 14 days), so its timestamps change from run to run; every other byte of
the expected EMF document is fixed below.
"""

import json
import time
from datetime import datetime, timezone

import boto3
import pytest
from moto import mock_aws

import metric_collector as mc

STEP = 300_000
END = (int(time.time() * 1000) - 3_600_000) // STEP * STEP
START = END - STEP

PAYMENT_GROUP = "log-group-payment-service-test"
AUTH_GROUP = "log-group-authentication-service-test"
TRANSACTION_GROUP = "log-group-transaction-processor-test"


def iso(timestamp_ms):
    return datetime.fromtimestamp(timestamp_ms / 1000, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def line(**fields):
    return json.dumps(fields)


# (log group, stream, timestamp ms, message); events outside [START, END) must be ignored.
EVENTS = [
    # payment-service: 7 events in the interval, 2 of them malformed
    (PAYMENT_GROUP, "pay-a", START - 1, line(transaction_status="failed", status="error")),
    (PAYMENT_GROUP, "pay-a", START, line(transaction_status="succeeded", status="ok", endpoint="/v1/payments",
                                         user_id="u-1", source_ip="203.0.113.10", processing_time=41)),
    (PAYMENT_GROUP, "pay-b", START + 10_000, line(transaction_status="failed", status="error",
                                                  endpoint="/v1/payments", user_id="u-2")),
    (PAYMENT_GROUP, "pay-a", START + 20_000, "payment accepted id=42"),
    (PAYMENT_GROUP, "pay-b", START + 30_000, line(status="ok", endpoint="/v1/health")),
    (PAYMENT_GROUP, "pay-a", START + 40_000, "[1, 2, 3]"),
    (PAYMENT_GROUP, "pay-b", START + 50_000, line(transaction_status="pending", status="ok")),
    (PAYMENT_GROUP, "pay-a", END - 1, line(transaction_status="succeeded", status="ok")),
    (PAYMENT_GROUP, "pay-a", END, line(transaction_status="failed", status="error")),
    (PAYMENT_GROUP, "pay-b", END + 60_000, line(transaction_status="succeeded", status="ok")),
    # authentication-service: 5 events in the interval, 1 malformed
    (AUTH_GROUP, "auth", START - 5_000, line(auth_result="failure")),
    (AUTH_GROUP, "auth", START + 5_000, line(auth_result="success", user_id="u-1")),
    (AUTH_GROUP, "auth", START + 15_000, line(auth_result="failure", user_id="u-3")),
    (AUTH_GROUP, "auth", START + 25_000, line(auth_result="failure", user_id="u-3")),
    (AUTH_GROUP, "auth", START + 35_000, "{not json"),
    (AUTH_GROUP, "auth", START + 45_000, line(user_id="u-2")),
    (AUTH_GROUP, "auth", END + 1, line(auth_result="failure")),
    # transaction-processor: 10 usable latencies, 1 unusable, 1 malformed
    (TRANSACTION_GROUP, "tx", START - 100, line(processing_time=99_999)),
    (TRANSACTION_GROUP, "tx", START + 1_000, line(processing_time=120)),
    (TRANSACTION_GROUP, "tx", START + 2_000, line(processing_time=80)),
    (TRANSACTION_GROUP, "tx", START + 3_000, line(processing_time=450)),
    (TRANSACTION_GROUP, "tx", START + 4_000, line(processing_time=1000)),
    (TRANSACTION_GROUP, "tx", START + 5_000, line(processing_time=95.5)),
    (TRANSACTION_GROUP, "tx", START + 6_000, line(processing_time="fast")),
    (TRANSACTION_GROUP, "tx", START + 7_000, line(processing_time=300)),
    (TRANSACTION_GROUP, "tx", START + 8_000, line(processing_time=60)),
    (TRANSACTION_GROUP, "tx", START + 9_000, line(processing_time=210)),
    (TRANSACTION_GROUP, "tx", START + 10_000, line(processing_time=130)),
    (TRANSACTION_GROUP, "tx", START + 11_000, "oops"),
    (TRANSACTION_GROUP, "tx", START + 12_000, line(processing_time=700)),
    (TRANSACTION_GROUP, "tx", END, line(processing_time=50_000)),
]

# Scheduled event 90 s after the boundary: minus the 60 s settle delay -> the interval [START, END).
SCHEDULED_EVENT = {
    "version": "0",
    "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": iso(END + 90_000),
    "region": "us-east-1",
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/rule-lambda-schedule-test"],
    "detail": {},
}

ALL_METRICS = [
    ("TotalRequests", "Count", 5),
    ("RequestErrors", "Count", 1),
    ("PaymentTransactionVolume", "Count", 4),
    ("PaymentsSucceeded", "Count", 2),
    ("PaymentsFailed", "Count", 1),
    ("AuthenticationAttempts", "Count", 3),
    ("AuthenticationFailures", "Count", 2),
    ("ProcessingLatencyP50", "Milliseconds", 130),
    ("ProcessingLatencyP90", "Milliseconds", 700),
    ("ProcessingLatencyP99", "Milliseconds", 1000),
    ("ProcessingLatencyMax", "Milliseconds", 1000),
    ("MalformedLogEvents", "Count", 4),
]


def expected_document(metrics, not_read=(), latency_samples=10, environment="test",
                      namespace="fintech/payments/metrics"):
    doc = {
        "_aws": {
            "Timestamp": START,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [["Environment"]],
                "Metrics": [{"Name": name, "Unit": unit} for name, unit, _ in metrics],
            }],
        },
        "Environment": environment,
    }
    doc.update({name: value for name, _, value in metrics})
    doc.update({
        "IntervalStart": iso(START).replace("Z", ".000Z"),
        "IntervalEnd": iso(END).replace("Z", ".000Z"),
        "IntervalSeconds": 300,
        "Partial": bool(not_read),
        "LogGroupsNotRead": list(not_read),
        "LatencySampleCount": latency_samples,
    })
    return doc


def exact_line(doc):
    return json.dumps(doc, separators=(",", ":"))


@pytest.fixture
def logs():
    with mock_aws():
        yield boto3.client("logs", region_name="us-east-1")


def seed(client, skip_groups=()):
    groups = [g for g in (PAYMENT_GROUP, AUTH_GROUP, TRANSACTION_GROUP) if g not in skip_groups]
    for group in groups:
        client.create_log_group(logGroupName=group)
        client.put_retention_policy(logGroupName=group, retentionInDays=1)
    streams = {}
    for group, stream, timestamp, message in EVENTS:
        if group in groups:
            streams.setdefault((group, stream), []).append({"timestamp": timestamp, "message": message})
    for (group, stream), events in streams.items():
        client.create_log_stream(logGroupName=group, logStreamName=stream)
        events.sort(key=lambda e: e["timestamp"])
        client.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


def run(capsys, event=SCHEDULED_EVENT, context=None):
    result = mc.handler(event, context)
    captured = capsys.readouterr()
    stdout = captured.out.splitlines()
    diagnostics = [json.loads(text) for text in captured.err.splitlines()]
    assert all("_aws" not in record for record in diagnostics)
    return result, stdout, diagnostics


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("ENVIRONMENT", "test")
    return monkeypatch


def test_full_interval_exact_document(logs, env, capsys, fake_context):
    seed(logs)
    result, stdout, diagnostics = run(capsys, context=fake_context())

    expected = expected_document(ALL_METRICS)
    assert stdout == [exact_line(expected)]
    assert json.loads(stdout[0]) == expected

    assert result["partial"] is False
    assert result["metrics"] == {name: value for name, _, value in ALL_METRICS}
    (summary,) = diagnostics
    assert summary["level"] == "INFO" and summary["message"] == "interval complete"
    assert summary["reference_time_source"] == "event"
    assert summary["request_id"] == fake_context.aws_request_id
    assert [(g["kind"], g["status"], g["events"], g["malformed"]) for g in summary["groups"]] == [
        ("payment", "complete", 7, 2),
        ("authentication", "complete", 5, 1),
        ("transaction", "complete", 12, 1),
    ]
    assert summary["groups"][2]["invalid_processing_time"] == 1


def test_explicit_names_and_namespace(logs, env, capsys):
    seed(logs)
    env.setenv("ENVIRONMENT", "staging")
    env.setenv("NAMESPACE", "fintech/payments/staging")
    env.setenv("PAYMENT_LOG_GROUP", PAYMENT_GROUP)
    env.setenv("AUTH_LOG_GROUP", AUTH_GROUP)
    env.setenv("TRANSACTION_LOG_GROUP", TRANSACTION_GROUP)
    _, stdout, _ = run(capsys)  # no context: no deadline
    assert stdout == [exact_line(expected_document(
        ALL_METRICS, environment="staging", namespace="fintech/payments/staging"))]


def test_pagination_gives_the_same_document(logs, env, capsys, fake_context):
    seed(logs)
    env.setenv("PAGE_LIMIT", "2")
    result, stdout, _ = run(capsys, context=fake_context())
    assert stdout == [exact_line(expected_document(ALL_METRICS))]
    assert [g["pages"] for g in result["groups"]] == [4, 3, 6]


def test_same_interval_same_document(logs, env, capsys):
    seed(logs)
    _, first, _ = run(capsys)
    _, again, _ = run(capsys)
    # any time up to the next boundary + settle delay selects the same interval
    later = dict(SCHEDULED_EVENT, time=iso(END + STEP + 59_999))
    _, later_run, _ = run(capsys, event=later)
    assert first == again == later_run == [exact_line(expected_document(ALL_METRICS))]


def test_without_event_time_the_clock_picks_the_latest_interval(logs, env, capsys):
    seed(logs)
    result, stdout, diagnostics = run(capsys, event={})
    now_ms = time.time() * 1000
    end = json.loads(stdout[0])["_aws"]["Timestamp"] + STEP
    assert 0 <= now_ms - 60_000 - end < STEP  # settle delay, then the latest boundary
    assert result["metrics"]["TotalRequests"] == 0  # the seeded events are an hour old
    assert diagnostics[-1]["reference_time_source"] == "clock"


def test_empty_interval(logs, env, capsys):
    seed(logs)
    empty = dict(SCHEDULED_EVENT, time=iso(END + 2 * STEP + 90_000))  # the interval after the next
    _, stdout, _ = run(capsys, event=empty)
    doc = json.loads(stdout[0])
    assert doc["_aws"]["Timestamp"] == END + STEP
    names = [m["Name"] for m in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]]
    assert names == ["TotalRequests", "RequestErrors", "PaymentTransactionVolume", "PaymentsSucceeded",
                     "PaymentsFailed", "AuthenticationAttempts", "AuthenticationFailures", "MalformedLogEvents"]
    assert all(doc[name] == 0 for name in names)
    assert doc["Partial"] is False and doc["LatencySampleCount"] == 0


def test_missing_log_group_is_reported_not_fatal(logs, env, capsys):
    seed(logs, skip_groups={AUTH_GROUP})
    result, stdout, diagnostics = run(capsys)
    without_auth = [m for m in ALL_METRICS if not m[0].startswith("Authentication")]
    without_auth[-1] = ("MalformedLogEvents", "Count", 3)
    assert stdout == [exact_line(expected_document(without_auth, not_read=[AUTH_GROUP]))]
    assert result["partial"] is True
    warning, summary = diagnostics
    assert warning["level"] == "WARN" and warning["status"] == "missing"
    assert warning["log_group"] == AUTH_GROUP and "ResourceNotFoundException" in warning["error"]
    assert summary["message"] == "interval partial" and summary["partial"] is True


def test_deadline_before_later_groups(logs, env, capsys, fake_context):
    seed(logs)
    context = fake_context([280_000, 10_000])  # below the 45 s margin after the first check
    result, stdout, diagnostics = run(capsys, context=context)
    payment_only = ALL_METRICS[:5] + [("MalformedLogEvents", "Count", 2)]
    assert stdout == [exact_line(expected_document(
        payment_only, not_read=[AUTH_GROUP, TRANSACTION_GROUP], latency_samples=0))]
    assert [g["status"] for g in result["groups"]] == ["complete", "skipped", "skipped"]
    assert diagnostics[-1]["partial"] is True
    assert {d.get("status") for d in diagnostics[:-1]} == {"skipped"}


def test_deadline_mid_pagination_publishes_nothing_it_cannot_vouch_for(logs, env, capsys, fake_context):
    seed(logs)
    env.setenv("PAGE_LIMIT", "2")
    context = fake_context([280_000, 1_000])  # the payment group's second page is too late
    result, stdout, diagnostics = run(capsys, context=context)
    assert stdout == []  # no group complete: no EMF document at all
    assert [(g["status"], g["pages"]) for g in result["groups"]] == [("partial", 1), ("skipped", 0), ("skipped", 0)]
    assert result["metrics"] == {}
    assert diagnostics[-1]["message"] == "interval partial"
    assert diagnostics[-1]["metrics_published"] == []


def test_configuration_error_fails_the_invocation(logs, capsys):
    with pytest.raises(mc.ConfigError, match="ENVIRONMENT is not set"):
        mc.handler(SCHEDULED_EVENT, None)
    assert capsys.readouterr().out == ""
