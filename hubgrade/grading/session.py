"""Run an assignment's grader against a running server, in a pytest subprocess.

The subprocess imports the grader afresh on every run and cannot disturb the hubgrade
process. It talks back through a control socket (server log, restart) and writes its
results to a file that this module turns into ``CheckResult`` objects.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hubgrade.assignment import Assignment
from hubgrade.errors import ConfigError
from hubgrade.grading.control import ControlServer
from hubgrade.grading.plugin import NOT_RUN, SESSION_VARIABLE
from hubgrade.result import CheckResult
from hubgrade.run_files import RunFiles
from hubgrade.runners import sandbox
from hubgrade.runners.base import Runner, RunningServer, StartupFailed

logger = logging.getLogger(__name__)

# Time for pytest to start and collect, on top of the checks' own limits.
PYTEST_OVERHEAD_SECONDS = 30
# The whole grader run is bounded as if it had this many checks, each using its full
# limit plus a restart. Each check is also stopped at its own limit inside pytest.
BUDGETED_CHECKS = 50


@dataclass
class GraderOutcome:
    checks: list[CheckResult]
    error: str = ""


def run_grader(
    assignment: Assignment, runner: Runner, server: RunningServer, injected: dict[str, str], files: RunFiles
) -> GraderOutcome:
    with tempfile.TemporaryDirectory(prefix="hubgrade-grading-") as scratch:
        folder = Path(scratch)
        files.write(folder / "data")
        state = {"base_url": server.base_url}
        handler = _control_handler(runner, state, assignment.limits.startup_seconds)
        with ControlServer(folder / "control.sock", handler):
            settings = {
                "base_url": server.base_url,
                "injected": injected,
                "control_socket": str(folder / "control.sock"),
                "control_timeout": assignment.limits.startup_seconds + 30,
                "check_seconds": assignment.limits.check_seconds,
                "results_path": str(folder / "results.json"),
                "parent_pid": os.getpid(),
                "services": runner.services.describe() if runner.services else [],
                "data_dir": str(folder / "data"),
                "data_files": sorted(files.data),
            }
            (folder / "session.json").write_text(json.dumps(settings), encoding="utf-8")
            return _run_pytest(assignment, folder)


def list_checks(assignment: Assignment, reason: str) -> list[CheckResult]:
    """Collect the grader's checks without running them, each marked not run for ``reason``."""
    with tempfile.TemporaryDirectory(prefix="hubgrade-collect-") as scratch:
        folder = Path(scratch)
        settings = {
            "base_url": "http://127.0.0.1:9", "injected": {}, "control_socket": str(folder / "none.sock"),
            "control_timeout": 1, "check_seconds": assignment.limits.check_seconds,
            "results_path": str(folder / "results.json"), "parent_pid": os.getpid(),
        }
        (folder / "session.json").write_text(json.dumps(settings), encoding="utf-8")
        outcome = _run_pytest(assignment, folder, ["--collect-only"])
    for check in outcome.checks:
        check.status = "error"
        check.message = f"not run: {reason}"
    return outcome.checks


def _control_handler(runner: Runner, state: dict[str, str], startup_seconds: float) -> Any:
    def handle(op: str, request: dict[str, Any]) -> dict[str, Any]:
        if op == "log":
            return {"log": runner.server_log()}
        if op == "restart":
            environment = request.get("environment")
            try:
                restarted = runner.restart(environment)
            except StartupFailed as failure:
                if request.get("tolerate_failure"):
                    return {
                        "started": False, "reason": failure.reason, "message": failure.message,
                        "log": failure.log_tail, "exit_code": failure.exit_code,
                    }
                raise RuntimeError(f"{failure.message}\n{failure.log_tail}") from failure
            state["base_url"] = restarted.base_url
            return {"started": True, "base_url": restarted.base_url}
        if op in ("service_stop", "service_start"):
            if runner.services is None:
                raise ValueError("this run has no services")
            name = str(request["name"])
            if op == "service_stop":
                runner.services.stop(name)
            else:
                runner.services.start_again(name)
            return {}
        if op == "sandbox_run":
            return sandbox.handle_request(runner, request)
        # Runners with their own operations (the learner's image and compose file) serve them.
        handle_control = getattr(runner, "handle_control", None)
        reply = handle_control(op, request) if handle_control is not None else None
        if reply is not None:
            return dict(reply)
        raise ValueError(f"unknown operation {op!r}")

    return handle


def _run_pytest(assignment: Assignment, folder: Path, extra_arguments: tuple[str, ...] | list[str] = ()) -> GraderOutcome:
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    command = [
        sys.executable, "-m", "pytest", str(assignment.grader_dir),
        "-p", "hubgrade.grading.plugin", "-p", "no:cacheprovider",
        "-c", str(folder / "pytest.ini"), "--rootdir", str(assignment.grader_dir),
        "-q", "--no-header", "-rN", "--tb=no", "-s", *extra_arguments,
    ]
    environment = {
        **os.environ,
        SESSION_VARIABLE: str(folder / "session.json"),
        "PYTHONDONTWRITEBYTECODE": "1",
        # Plugins installed for the user's own projects must not change how graders run.
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    limits = assignment.limits
    timeout = BUDGETED_CHECKS * (limits.check_seconds + limits.startup_seconds) + PYTEST_OVERHEAD_SECONDS
    logger.info("running grader %s", assignment.grader_dir)
    try:
        completed = subprocess.run(
            command, cwd=folder, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired:
        return GraderOutcome([], f"the grader did not finish within {timeout:g} s")
    output = completed.stdout.decode("utf-8", errors="replace")
    results_path = folder / "results.json"
    if not results_path.is_file():
        logger.error("grader %s wrote no results; pytest output:\n%s", assignment.id, output[-3000:])
        return GraderOutcome([], f"the grader of {assignment.id} failed to run (pytest exit {completed.returncode})")
    results = json.loads(results_path.read_text(encoding="utf-8"))
    if results["problems"]:
        raise ConfigError(f"grader {assignment.grader_dir}", list(results["problems"]))
    checks = [CheckResult.from_dict(check) for check in results["checks"]]
    for check in checks:
        if check.status == NOT_RUN:
            check.status = "error"
            check.message = "not run: the grader stopped before this check"
    return GraderOutcome(checks)
