"""Test setup for the canary: a local fake of the Synthetics library and a local HTTP server.

The fake implements only what the script uses, with the documented behaviour: `execute_step` is
a coroutine that records the step, and re-raises what the step function raised.
"""

import http.server
import importlib
import pathlib
import sys
import threading
import time
import types

import pytest

CANARY_DIR = pathlib.Path(__file__).resolve().parents[1]
if str(CANARY_DIR) not in sys.path:
    sys.path.insert(0, str(CANARY_DIR))

# Slow endpoint delay; the slow test sets a budget below it. Keep both small: the suite must be fast.
SLOW_SECONDS = 0.25


class FakeSynthetics:
    """State of the fake `aws_synthetics` package: recorded steps, log lines and configuration."""

    USER_AGENT = "CloudWatchSynthetics/fake-canary-arn"

    def __init__(self):
        self.steps = []       # dicts: name, passed, duration_ms, error
        self.logs = []        # (level, formatted message)
        self.config_calls = []

    def modules(self):
        package = types.ModuleType("aws_synthetics")
        package.__path__ = []
        common = types.ModuleType("aws_synthetics.common")
        common.__path__ = []
        selenium = types.ModuleType("aws_synthetics.selenium")
        selenium.__path__ = []

        logger = types.ModuleType("aws_synthetics.common.synthetics_logger")

        def log_at(level):
            def log(message, *args, **kwargs):
                self.logs.append((level, message % args if args else message))
            return log

        for level in ("debug", "info", "log", "warn", "error", "exception"):
            setattr(logger, level, log_at(level.upper()))

        configuration = types.ModuleType("aws_synthetics.common.synthetics_configuration")
        configuration.set_config = lambda options: self.config_calls.append(("set_config", options))
        configuration.disable_step_screenshots = lambda: self.config_calls.append(("disable_step_screenshots",))

        webdriver = types.ModuleType("aws_synthetics.selenium.synthetics_webdriver")

        async def execute_step(step_name, function_to_execute):
            started = time.perf_counter()
            try:
                result = function_to_execute()
            except Exception as error:
                self.steps.append({"name": step_name, "passed": False,
                                   "duration_ms": (time.perf_counter() - started) * 1000, "error": str(error)})
                raise
            self.steps.append({"name": step_name, "passed": True,
                               "duration_ms": (time.perf_counter() - started) * 1000, "error": None})
            return result

        webdriver.execute_step = execute_step
        webdriver.get_canary_user_agent_string = lambda: self.USER_AGENT

        common.synthetics_logger = logger
        common.synthetics_configuration = configuration
        selenium.synthetics_webdriver = webdriver
        package.common = common
        package.selenium = selenium
        return {
            "aws_synthetics": package,
            "aws_synthetics.common": common,
            "aws_synthetics.common.synthetics_logger": logger,
            "aws_synthetics.common.synthetics_configuration": configuration,
            "aws_synthetics.selenium": selenium,
            "aws_synthetics.selenium.synthetics_webdriver": webdriver,
        }


@pytest.fixture
def synthetics(monkeypatch):
    fake = FakeSynthetics()
    for name, module in fake.modules().items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.delitem(sys.modules, "payment_canary", raising=False)
    for name in ("TARGET_URL", "LATENCY_BUDGET_MS", "REQUEST_TIMEOUT_MS", "NAMESPACE", "ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    # a proxy in the caller's environment must not intercept requests to 127.0.0.1
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    fake.canary = importlib.import_module("payment_canary")
    yield fake
    sys.modules.pop("payment_canary", None)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    user_agents = []

    def do_GET(self):
        type(self).user_agents.append(self.headers.get("User-Agent"))
        if self.path == "/health":
            self._answer(200, b'{"status":"ok"}')
        elif self.path == "/broken":
            self._answer(500, b'{"status":"error"}')
        elif self.path == "/slow":
            time.sleep(SLOW_SECONDS)
            self._answer(200, b'{"status":"ok"}')
        else:
            self._answer(404, b"not found")

    def _answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep test output clean
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # the timeout test hangs up on /slow before the answer; that broken pipe is expected
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@pytest.fixture
def http_server():
    """A local server on a free port: /health -> 200, /broken -> 500, /slow -> 200 after SLOW_SECONDS."""
    _Handler.user_agents = []
    server = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    server.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    server.user_agents = _Handler.user_agents
    server.slow_seconds = SLOW_SECONDS
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
