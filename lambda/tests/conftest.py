"""Test setup for the metric collector: import path, fake AWS credentials, a fresh logs client."""

import pathlib
import sys

import pytest

LAMBDA_DIR = pathlib.Path(__file__).resolve().parents[1]
if str(LAMBDA_DIR) not in sys.path:
    sys.path.insert(0, str(LAMBDA_DIR))

import metric_collector  # noqa: E402

FAKE_AWS_ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
}

# Every variable the collector reads; each test starts without them.
COLLECTOR_ENV = (
    "NAMESPACE",
    "ENVIRONMENT",
    "PAYMENT_LOG_GROUP",
    "AUTH_LOG_GROUP",
    "TRANSACTION_LOG_GROUP",
    "INTERVAL_SECONDS",
    "SETTLE_SECONDS",
    "DEADLINE_MARGIN_MS",
    "PAGE_LIMIT",
)


@pytest.fixture(autouse=True)
def isolated_aws_env(monkeypatch):
    """No test may reach real AWS or inherit the caller's collector settings."""
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    for name in COLLECTOR_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(metric_collector, "_LOGS_CLIENT", None)
    yield


class FakeContext:
    """The part of the Lambda context the collector uses.

    `remaining_ms` is either a number or a list consumed one value per call (the last one repeats).
    """

    aws_request_id = "00000000-0000-0000-0000-000000000000"

    def __init__(self, remaining_ms=280_000):
        self._remaining = list(remaining_ms) if isinstance(remaining_ms, (list, tuple)) else [remaining_ms]
        self.calls = 0

    def get_remaining_time_in_millis(self):
        self.calls += 1
        if len(self._remaining) > 1:
            return self._remaining.pop(0)
        return self._remaining[0]


@pytest.fixture
def fake_context():
    return FakeContext
