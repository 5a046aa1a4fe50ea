"""Synthetics canary: checks the payment API health endpoint (handler ``payment_canary.handler``).

Runtime: a current ``syn-python-selenium-*`` runtime. The packager puts this file at
``python/payment_canary.py`` in the canary zip, as Synthetics requires for Python scripts.

One Synthetics step, ``checkPaymentHealth``, requests ``TARGET_URL`` with the standard library
(no browser is started) and fails when the answer is not HTTP 200 or took longer than
``LATENCY_BUDGET_MS``. A failing step raises, and an exception escaping the handler is what
marks a canary run as failed.

Library calls used, as documented in "Library functions available for Python canary scripts
using Selenium" (CloudWatch User Guide, CloudWatch_Synthetics_Canaries_Library_Python):
  - ``aws_synthetics.selenium.synthetics_webdriver.execute_step(step_name, function)``: a
    coroutine (the documented example awaits it); it times the step, logs pass/fail, emits the
    step's SuccessPercent and Duration metrics and re-raises what the function raised.
  - ``aws_synthetics.common.synthetics_configuration.disable_step_screenshots()``: this canary
    has no browser, so there is nothing to screenshot.
  - ``aws_synthetics.common.synthetics_logger``: info/warn/error logging to the run's log.
  - ``synthetics_webdriver.get_canary_user_agent_string()``: the canary's User-Agent, as the
    AWS API-canary blueprint sends it, so the target can recognise canary traffic.
The Python library has no call to publish custom metrics. A canary runs as a Lambda function,
so the script prints CloudWatch Embedded Metric Format (EMF) documents to stdout: Lambda ships
stdout to CloudWatch Logs, which extracts the metrics ("Using the embedded metric format with
Lambda", CloudWatch User Guide, CloudWatch_Embedded_Metric_Format_Lambda). No
cloudwatch:PutMetricData permission is needed for them.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

from aws_synthetics.common import synthetics_configuration
from aws_synthetics.common import synthetics_logger as logger
from aws_synthetics.selenium import synthetics_webdriver as syn_webdriver

STEP_NAME = "checkPaymentHealth"
DEFAULT_LATENCY_BUDGET_MS = 2000
DEFAULT_TIMEOUT_MS = 10_000
DEFAULT_NAMESPACE = "fintech/payments/metrics"
MAX_BODY_BYTES = 1 << 20  # read at most 1 MiB of the body; the latency includes reading it


class CanaryConfigError(Exception):
    """The canary's environment is unusable; the run fails with this message."""


class CanaryCheckFailed(Exception):
    """The endpoint answered wrongly, too slowly, or not at all."""


@dataclass(frozen=True)
class CanaryConfig:
    target_url: str
    latency_budget_ms: int
    timeout_ms: int
    namespace: str
    environment: str


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise CanaryConfigError(f"{name} must be a whole number of milliseconds, got {raw!r}") from None
    if value <= 0:
        raise CanaryConfigError(f"{name} must be positive, got {value}")
    return value


def load_config(environ: Mapping[str, str]) -> CanaryConfig:
    url = environ.get("TARGET_URL", "").strip()
    if not url:
        raise CanaryConfigError(
            "TARGET_URL is not set: the canary has no endpoint to check "
            "(set it in the canary's RunConfig EnvironmentVariables)"
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CanaryConfigError(f"TARGET_URL must be an http(s) URL with a host, got {url!r}")
    environment = environ.get("ENVIRONMENT", "").strip()
    if not environment:
        raise CanaryConfigError("ENVIRONMENT is not set; it names the metrics' Environment dimension")
    return CanaryConfig(
        target_url=url,
        latency_budget_ms=_positive_int(environ, "LATENCY_BUDGET_MS", DEFAULT_LATENCY_BUDGET_MS),
        timeout_ms=_positive_int(environ, "REQUEST_TIMEOUT_MS", DEFAULT_TIMEOUT_MS),
        namespace=environ.get("NAMESPACE", "").strip() or DEFAULT_NAMESPACE,
        environment=environment,
    )


@dataclass(frozen=True)
class ProbeResult:
    status: int | None      # HTTP status, None when no response arrived
    latency_ms: float       # request start to end of body (or to the failure)
    error: str | None = None  # why no response arrived


def probe(url: str, timeout_ms: int, user_agent: str,
          clock: Callable[[], float] = time.perf_counter) -> ProbeResult:
    """One GET of `url`; never raises for network or HTTP errors, it reports them."""
    request = urllib.request.Request(url, method="GET", headers={"User-Agent": user_agent})
    started = clock()
    try:
        with urllib.request.urlopen(request, timeout=timeout_ms / 1000) as response:
            response.read(MAX_BODY_BYTES)
            status = response.status
    except urllib.error.HTTPError as error:  # a response with a non-2xx status
        try:
            error.read(MAX_BODY_BYTES)
        except OSError:
            pass
        finally:
            error.close()
        status = error.code
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return ProbeResult(None, (clock() - started) * 1000, f"{type(error).__name__}: {reason}")
    return ProbeResult(status, (clock() - started) * 1000)


def evaluate(result: ProbeResult, latency_budget_ms: int) -> list[str]:
    """The reasons the check failed; empty when it passed."""
    if result.status is None:
        return [f"request failed after {result.latency_ms:.0f} ms: {result.error}"]
    problems = []
    if result.status != 200:
        problems.append(f"HTTP status {result.status}, expected 200")
    if result.latency_ms > latency_budget_ms:
        problems.append(f"latency {result.latency_ms:.0f} ms exceeds the budget of {latency_budget_ms} ms")
    return problems


def render_emf(config: CanaryConfig, result: ProbeResult, success: bool, timestamp_ms: int) -> dict:
    """EMF document of one check: HealthCheckSuccess (1/0) and, when a response arrived, HealthCheckLatency."""
    metrics = [("HealthCheckSuccess", "Count", 1 if success else 0)]
    if result.status is not None:
        metrics.append(("HealthCheckLatency", "Milliseconds", round(result.latency_ms, 3)))
    document: dict[str, Any] = {
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": config.namespace,
                "Dimensions": [["Environment"]],
                "Metrics": [{"Name": name, "Unit": unit} for name, unit, _ in metrics],
            }],
        },
        "Environment": config.environment,
    }
    document.update({name: value for name, _, value in metrics})
    document["TargetUrl"] = config.target_url
    document["HttpStatus"] = result.status
    document["LatencyBudgetMs"] = config.latency_budget_ms
    return document


def emit_emf(document: dict) -> None:
    sys.stdout.write(json.dumps(document, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def user_agent() -> str:
    get = getattr(syn_webdriver, "get_canary_user_agent_string", None)
    agent = str(get()) if get else ""
    return agent or "CloudWatchSynthetics"


def check_endpoint(config: CanaryConfig) -> ProbeResult:
    """The step body: probe, publish the metrics, raise when the check failed."""
    result = probe(config.target_url, config.timeout_ms, user_agent())
    problems = evaluate(result, config.latency_budget_ms)
    emit_emf(render_emf(config, result, not problems, int(time.time() * 1000)))
    if problems:
        message = f"{config.target_url}: " + "; ".join(problems)
        logger.error("Health check failed: %s", message)
        raise CanaryCheckFailed(message)
    logger.info("Health check passed: %s answered 200 in %.0f ms (budget %d ms)",
                config.target_url, result.latency_ms, config.latency_budget_ms)
    return result


async def main() -> ProbeResult:
    config = load_config(os.environ)
    synthetics_configuration.disable_step_screenshots()
    return await syn_webdriver.execute_step(STEP_NAME, lambda: check_endpoint(config))


async def handler(event, context):
    logger.info("Payment API health canary")
    await main()
