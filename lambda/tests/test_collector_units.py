"""Unit tests of the collector's pure functions (no AWS)."""

import json
from datetime import datetime, timezone

import pytest

import metric_collector as mc


def epoch(text):
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


def ms(text):
    return int(epoch(text) * 1000)


# ----------------------------------------------------------------------------- interval


class TestComputeInterval:
    def test_exactly_on_a_boundary_takes_the_interval_that_just_ended(self):
        got = mc.compute_interval(epoch("2026-11-26T02:35:00"), 300, 0)
        assert got == mc.Interval(ms("2026-11-26T02:30:00"), ms("2026-11-26T02:35:00"))

    def test_one_millisecond_before_a_boundary_takes_the_previous_interval(self):
        got = mc.compute_interval(epoch("2026-11-26T02:34:59.999"), 300, 0)
        assert got == mc.Interval(ms("2026-11-26T02:25:00"), ms("2026-11-26T02:30:00"))

    def test_one_millisecond_after_a_boundary(self):
        got = mc.compute_interval(epoch("2026-11-26T02:35:00.001"), 300, 0)
        assert got == mc.Interval(ms("2026-11-26T02:30:00"), ms("2026-11-26T02:35:00"))

    def test_settle_delay_moves_the_anchor_back(self):
        # 02:35:59 - 60 s = 02:34:59 -> the interval ending 02:30
        got = mc.compute_interval(epoch("2026-11-26T02:35:59"), 300, 60)
        assert got == mc.Interval(ms("2026-11-26T02:25:00"), ms("2026-11-26T02:30:00"))
        # 02:36:00 - 60 s = 02:35:00, a boundary -> the interval ending 02:35
        got = mc.compute_interval(epoch("2026-11-26T02:36:00"), 300, 60)
        assert got == mc.Interval(ms("2026-11-26T02:30:00"), ms("2026-11-26T02:35:00"))

    def test_other_interval_lengths_align_to_their_own_boundaries(self):
        got = mc.compute_interval(epoch("2026-11-26T02:37:10"), 60, 0)
        assert got == mc.Interval(ms("2026-11-26T02:36:00"), ms("2026-11-26T02:37:00"))
        got = mc.compute_interval(epoch("2026-11-26T02:37:10"), 900, 0)
        assert got == mc.Interval(ms("2026-11-26T02:15:00"), ms("2026-11-26T02:30:00"))

    def test_half_open(self):
        interval = mc.Interval(1000, 2000)
        assert interval.contains(1000) and interval.contains(1999)
        assert not interval.contains(999) and not interval.contains(2000)

    def test_rejects_non_positive_length(self):
        with pytest.raises(ValueError):
            mc.compute_interval(0.0, 0, 0)


class TestReferenceTime:
    NOW = epoch("2026-11-26T09:00:00")

    def test_event_time_wins(self):
        event = {"source": "aws.events", "time": "2026-11-26T02:35:12Z"}
        assert mc.reference_time(event, self.NOW) == (epoch("2026-11-26T02:35:12"), "event")

    def test_offsets_and_naive_times(self):
        assert mc.parse_event_time("2026-11-26T03:35:12+01:00") == epoch("2026-11-26T02:35:12")
        assert mc.parse_event_time("2026-11-26T02:35:12") == epoch("2026-11-26T02:35:12")

    def test_missing_time_uses_the_clock(self):
        assert mc.reference_time({}, self.NOW) == (self.NOW, "clock")
        assert mc.reference_time(None, self.NOW) == (self.NOW, "clock")

    @pytest.mark.parametrize("bad", ["", "yesterday", 1764124500, None])
    def test_unusable_time_uses_the_clock(self, bad):
        seconds, source = mc.reference_time({"time": bad}, self.NOW)
        assert seconds == self.NOW
        assert source.startswith("clock")


def test_iso_utc():
    assert mc.iso_utc(ms("2026-11-26T02:30:00")) == "2026-11-26T02:30:00.000Z"
    assert mc.iso_utc(ms("2026-11-26T02:30:00") + 7) == "2026-11-26T02:30:00.007Z"


# ----------------------------------------------------------------------------- parsing


class TestParseLogMessage:
    def test_object(self):
        assert mc.parse_log_message('{"status": "ok"}') == {"status": "ok"}

    def test_surrounding_whitespace_is_fine(self):
        assert mc.parse_log_message('  {"a": 1}\n') == {"a": 1}

    @pytest.mark.parametrize(
        "line",
        ["", "not json", "{broken", "[1, 2]", "42", '"text"', "null", "true", None, b'{"a": 1}'],
    )
    def test_malformed(self, line):
        assert mc.parse_log_message(line) is None


@pytest.mark.parametrize(
    "value, expected",
    [(120, 120), (95.5, 95.5), (0, 0), (-1, None), ("120", None), (True, None), (None, None),
     (float("nan"), None), (float("inf"), None), ([1], None)],
)
def test_latency_value(value, expected):
    assert mc.latency_value(value) == expected


class TestTally:
    def test_payment_lines(self):
        tally = mc.tally_messages(mc.PAYMENT, [
            json.dumps({"transaction_status": "succeeded", "status": "ok"}),
            json.dumps({"transaction_status": "failed", "status": "error"}),
            json.dumps({"transaction_status": "pending", "status": "ok"}),
            json.dumps({"status": "error", "endpoint": "/health"}),
            json.dumps({"transaction_status": "", "status": "ok"}),
            json.dumps({"auth_result": "failure", "processing_time": 5}),  # other groups' fields are ignored
            "garbage",
        ])
        assert (tally.events, tally.malformed, tally.well_formed) == (7, 1, 6)
        assert (tally.transactions, tally.succeeded, tally.failed) == (3, 1, 1)
        assert tally.request_errors == 2
        assert (tally.auth_attempts, tally.latencies) == (0, [])

    def test_authentication_lines(self):
        tally = mc.tally_messages(mc.AUTHENTICATION, [
            '{"auth_result": "success"}', '{"auth_result": "failure"}', '{"auth_result": "failure"}',
            '{"user_id": "u1"}', '{"auth_result": 0}', "[]",
        ])
        assert (tally.auth_attempts, tally.auth_failures, tally.malformed, tally.well_formed) == (3, 2, 1, 5)

    def test_transaction_lines(self):
        tally = mc.tally_messages(mc.TRANSACTION, [
            '{"processing_time": 120}', '{"processing_time": 80.5}', '{"processing_time": "fast"}',
            '{"processing_time": -3}', '{"status": "ok"}', "{",
        ])
        assert tally.latencies == [120, 80.5]
        assert (tally.invalid_latencies, tally.malformed, tally.well_formed) == (2, 1, 5)


# ----------------------------------------------------------------------------- statistics


class TestPercentile:
    def test_single_value(self):
        assert [mc.percentile([7], p) for p in (50, 90, 99, 100)] == [7, 7, 7, 7]

    def test_nearest_rank_on_ten_values(self):
        values = list(range(10, 101, 10))  # 10 .. 100
        assert mc.percentile(values, 50) == 50
        assert mc.percentile(values, 90) == 90
        assert mc.percentile(values, 99) == 100
        assert mc.percentile(values, 100) == 100
        assert mc.percentile(values, 10) == 10
        assert mc.percentile(values, 11) == 20

    def test_result_is_always_an_observed_value(self):
        values = sorted([3, 1000, 12.5, 40, 40])
        for p in (1, 25, 50, 75, 90, 99, 100):
            assert mc.percentile(values, p) in values

    def test_rejects_empty_and_bad_p(self):
        with pytest.raises(ValueError):
            mc.percentile([], 50)
        with pytest.raises(ValueError):
            mc.percentile([1], 0)
        with pytest.raises(ValueError):
            mc.percentile([1], 101)


class TestBuildMetrics:
    def test_empty_interval_publishes_zero_counts_and_no_latency(self):
        tallies = {kind: mc.Tally() for kind in mc.KINDS}
        got = {m.name: (m.unit, m.value) for m in mc.build_metrics(tallies)}
        assert got == {
            "TotalRequests": ("Count", 0),
            "RequestErrors": ("Count", 0),
            "PaymentTransactionVolume": ("Count", 0),
            "PaymentsSucceeded": ("Count", 0),
            "PaymentsFailed": ("Count", 0),
            "AuthenticationAttempts": ("Count", 0),
            "AuthenticationFailures": ("Count", 0),
            "MalformedLogEvents": ("Count", 0),
        }

    def test_groups_not_read_contribute_nothing(self):
        tallies = {mc.TRANSACTION: mc.tally_messages(mc.TRANSACTION, ['{"processing_time": 5}', "x"])}
        got = [(m.name, m.value) for m in mc.build_metrics(tallies)]
        assert got == [
            ("ProcessingLatencyP50", 5),
            ("ProcessingLatencyP90", 5),
            ("ProcessingLatencyP99", 5),
            ("ProcessingLatencyMax", 5),
            ("MalformedLogEvents", 1),
        ]

    def test_nothing_read_nothing_published(self):
        assert mc.build_metrics({}) == []


def test_render_emf_shape():
    interval = mc.Interval(ms("2026-11-26T02:30:00"), ms("2026-11-26T02:35:00"))
    doc = mc.render_emf(
        "ns/x", "dev", interval,
        [mc.Metric("TotalRequests", "Count", 3), mc.Metric("ProcessingLatencyMax", "Milliseconds", 9.5)],
        {"Partial": False},
    )
    assert doc == {
        "_aws": {
            "Timestamp": ms("2026-11-26T02:30:00"),
            "CloudWatchMetrics": [{
                "Namespace": "ns/x",
                "Dimensions": [["Environment"]],
                "Metrics": [{"Name": "TotalRequests", "Unit": "Count"},
                            {"Name": "ProcessingLatencyMax", "Unit": "Milliseconds"}],
            }],
        },
        "Environment": "dev",
        "TotalRequests": 3,
        "ProcessingLatencyMax": 9.5,
        "Partial": False,
    }
    assert mc.emf_line(doc) == mc.emf_line(json.loads(mc.emf_line(doc)))
    with pytest.raises(ValueError):
        mc.render_emf("ns", "dev", interval, [mc.Metric("Partial", "Count", 1)], {"Partial": True})


# ----------------------------------------------------------------------------- settings


class TestSettings:
    def test_defaults(self):
        s = mc.load_settings({"ENVIRONMENT": "dev"})
        assert s == mc.Settings(
            namespace="fintech/payments/metrics",
            environment="dev",
            log_groups=(
                ("payment", "log-group-payment-service-dev"),
                ("authentication", "log-group-authentication-service-dev"),
                ("transaction", "log-group-transaction-processor-dev"),
            ),
            interval_seconds=300,
            settle_seconds=60,
            deadline_margin_ms=45_000,
            page_limit=None,
        )

    def test_explicit_values(self):
        s = mc.load_settings({
            "ENVIRONMENT": "prod", "NAMESPACE": "custom/ns", "PAYMENT_LOG_GROUP": "p",
            "AUTH_LOG_GROUP": "a", "TRANSACTION_LOG_GROUP": "t", "INTERVAL_SECONDS": "600",
            "SETTLE_SECONDS": "0", "DEADLINE_MARGIN_MS": "5000", "PAGE_LIMIT": "50",
        })
        assert s.log_groups == (("payment", "p"), ("authentication", "a"), ("transaction", "t"))
        assert (s.namespace, s.interval_seconds, s.settle_seconds, s.deadline_margin_ms, s.page_limit) == (
            "custom/ns", 600, 0, 5000, 50)

    @pytest.mark.parametrize(
        "env, message",
        [
            ({}, "ENVIRONMENT is not set"),
            ({"ENVIRONMENT": "  "}, "ENVIRONMENT is not set"),
            ({"ENVIRONMENT": "dev", "INTERVAL_SECONDS": "five"}, "INTERVAL_SECONDS must be an integer"),
            ({"ENVIRONMENT": "dev", "INTERVAL_SECONDS": "30"}, "INTERVAL_SECONDS must be >= 60"),
            ({"ENVIRONMENT": "dev", "INTERVAL_SECONDS": "90"}, "multiple of 60"),
            ({"ENVIRONMENT": "dev", "SETTLE_SECONDS": "-1"}, "SETTLE_SECONDS must be >= 0"),
            ({"ENVIRONMENT": "dev", "PAGE_LIMIT": "20000"}, "PAGE_LIMIT must be <= 10000"),
        ],
    )
    def test_errors(self, env, message):
        with pytest.raises(mc.ConfigError, match=message):
            mc.load_settings(env)


def test_deadline_check(fake_context):
    assert mc.deadline_check(None, 1000)() is False
    check = mc.deadline_check(fake_context([5000, 1000, 999]), 1000)
    assert [check(), check(), check()] == [False, True, True]
