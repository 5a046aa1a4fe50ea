"""The canary script against a local HTTP server, with the Synthetics library faked."""

import asyncio
import json
import socket
import time

import pytest


def run_handler(fake):
    return asyncio.run(fake.canary.handler({}, None))


def emf_documents(capsys):
    return [json.loads(text) for text in capsys.readouterr().out.splitlines()]


def assert_emf_shape(doc, metric_names, environment="test"):
    assert doc["_aws"]["CloudWatchMetrics"] == [{
        "Namespace": "fintech/payments/metrics",
        "Dimensions": [["Environment"]],
        "Metrics": [{"Name": name, "Unit": unit} for name, unit in metric_names],
    }]
    assert doc["Environment"] == environment
    assert isinstance(doc["_aws"]["Timestamp"], int)
    assert abs(doc["_aws"]["Timestamp"] - time.time() * 1000) < 60_000


BOTH = [("HealthCheckSuccess", "Count"), ("HealthCheckLatency", "Milliseconds")]


@pytest.fixture
def configured(synthetics, http_server, monkeypatch):
    monkeypatch.setenv("ENVIRONMENT", "test")

    def target(path, budget_ms=None):
        monkeypatch.setenv("TARGET_URL", http_server.base_url + path)
        if budget_ms is not None:
            monkeypatch.setenv("LATENCY_BUDGET_MS", str(budget_ms))
        return http_server.base_url + path

    return target


def test_healthy_endpoint_passes(synthetics, http_server, configured, capsys):
    url = configured("/health")
    assert run_handler(synthetics) is None

    assert [(s["name"], s["passed"]) for s in synthetics.steps] == [("checkPaymentHealth", True)]
    assert ("disable_step_screenshots",) in synthetics.config_calls
    assert http_server.user_agents == [synthetics.USER_AGENT]

    (doc,) = emf_documents(capsys)
    assert_emf_shape(doc, BOTH)
    assert doc["HealthCheckSuccess"] == 1
    assert 0 <= doc["HealthCheckLatency"] < 2000
    assert (doc["TargetUrl"], doc["HttpStatus"], doc["LatencyBudgetMs"]) == (url, 200, 2000)
    assert any(level == "INFO" and "Health check passed" in text for level, text in synthetics.logs)


def test_http_500_fails_the_run(synthetics, configured, capsys):
    url = configured("/broken")
    with pytest.raises(synthetics.canary.CanaryCheckFailed, match="HTTP status 500, expected 200") as failure:
        run_handler(synthetics)
    assert url in str(failure.value)

    (step,) = synthetics.steps
    assert step["name"] == "checkPaymentHealth" and step["passed"] is False
    assert "HTTP status 500" in step["error"]

    (doc,) = emf_documents(capsys)
    assert_emf_shape(doc, BOTH)
    assert (doc["HealthCheckSuccess"], doc["HttpStatus"]) == (0, 500)
    assert any(level == "ERROR" and "HTTP status 500" in text for level, text in synthetics.logs)


def test_slow_endpoint_breaks_the_latency_budget(synthetics, http_server, configured, capsys):
    configured("/slow", budget_ms=100)
    with pytest.raises(synthetics.canary.CanaryCheckFailed, match="exceeds the budget of 100 ms"):
        run_handler(synthetics)

    (step,) = synthetics.steps
    assert step["passed"] is False and "latency" in step["error"]
    (doc,) = emf_documents(capsys)
    assert (doc["HealthCheckSuccess"], doc["HttpStatus"], doc["LatencyBudgetMs"]) == (0, 200, 100)
    assert doc["HealthCheckLatency"] >= http_server.slow_seconds * 1000


def test_slow_endpoint_within_a_larger_budget_passes(synthetics, http_server, configured, capsys):
    configured("/slow", budget_ms=5000)
    run_handler(synthetics)
    (doc,) = emf_documents(capsys)
    assert doc["HealthCheckSuccess"] == 1 and doc["HealthCheckLatency"] >= http_server.slow_seconds * 1000


def test_unreachable_endpoint_fails_without_a_latency_metric(synthetics, monkeypatch, capsys):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("ENVIRONMENT", "test")
    monkeypatch.setenv("TARGET_URL", f"http://127.0.0.1:{port}/health")
    with pytest.raises(synthetics.canary.CanaryCheckFailed, match="request failed after"):
        run_handler(synthetics)
    assert [s["passed"] for s in synthetics.steps] == [False]
    (doc,) = emf_documents(capsys)
    assert_emf_shape(doc, [("HealthCheckSuccess", "Count")])
    assert doc["HealthCheckSuccess"] == 0 and doc["HttpStatus"] is None
    assert "HealthCheckLatency" not in doc


def test_timeout_counts_as_failure(synthetics, configured, monkeypatch, capsys):
    configured("/slow", budget_ms=5000)
    monkeypatch.setenv("REQUEST_TIMEOUT_MS", "50")
    with pytest.raises(synthetics.canary.CanaryCheckFailed, match="request failed"):
        run_handler(synthetics)
    (doc,) = emf_documents(capsys)
    assert doc["HealthCheckSuccess"] == 0 and "HealthCheckLatency" not in doc


def test_missing_target_url_is_a_clear_failure(synthetics, monkeypatch, capsys):
    monkeypatch.setenv("ENVIRONMENT", "test")
    with pytest.raises(synthetics.canary.CanaryConfigError, match="TARGET_URL is not set"):
        run_handler(synthetics)
    assert synthetics.steps == []
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "env, message",
    [
        ({"TARGET_URL": "file:///etc/passwd", "ENVIRONMENT": "test"}, "must be an http\\(s\\) URL"),
        ({"TARGET_URL": "https://", "ENVIRONMENT": "test"}, "must be an http\\(s\\) URL"),
        ({"TARGET_URL": "https://api.example.com/health"}, "ENVIRONMENT is not set"),
        ({"TARGET_URL": "https://api.example.com/health", "ENVIRONMENT": "test", "LATENCY_BUDGET_MS": "2s"},
         "LATENCY_BUDGET_MS must be a whole number"),
        ({"TARGET_URL": "https://api.example.com/health", "ENVIRONMENT": "test", "LATENCY_BUDGET_MS": "0"},
         "LATENCY_BUDGET_MS must be positive"),
    ],
)
def test_config_errors(synthetics, env, message):
    with pytest.raises(synthetics.canary.CanaryConfigError, match=message):
        synthetics.canary.load_config(env)


def test_config_defaults(synthetics):
    config = synthetics.canary.load_config({"TARGET_URL": "https://api.example.com/health", "ENVIRONMENT": "dev"})
    assert config == synthetics.canary.CanaryConfig(
        target_url="https://api.example.com/health", latency_budget_ms=2000, timeout_ms=10_000,
        namespace="fintech/payments/metrics", environment="dev")


def test_evaluate(synthetics):
    canary = synthetics.canary
    ok = canary.ProbeResult(200, 150.0)
    assert canary.evaluate(ok, 2000) == []
    assert canary.evaluate(canary.ProbeResult(200, 2000.0), 2000) == []  # the budget itself is allowed
    assert canary.evaluate(canary.ProbeResult(200, 2000.5), 2000) == ["latency 2000 ms exceeds the budget of 2000 ms"]
    assert canary.evaluate(canary.ProbeResult(503, 2500.0), 2000) == [
        "HTTP status 503, expected 200", "latency 2500 ms exceeds the budget of 2000 ms"]
    assert canary.evaluate(canary.ProbeResult(204, 10.0), 2000) == ["HTTP status 204, expected 200"]
    assert canary.evaluate(canary.ProbeResult(None, 12.0, "URLError: refused"), 2000) == [
        "request failed after 12 ms: URLError: refused"]
