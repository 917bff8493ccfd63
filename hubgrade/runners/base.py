"""The runner interface, and the description of a start-up failure.

A runner prepares a submission (install, build), starts the server with an environment,
waits until it responds to HTTP, and always stops everything it started. Both runners are
context managers: leaving the ``with`` block, normally, on an error or on Ctrl-C,
removes the containers, networks and processes they created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from hubgrade.result import LimitHit
    from hubgrade.run_files import RunFiles
    from hubgrade.runners.sandbox import SandboxRun
    from hubgrade.services.service_set import ServiceRequest, Services

# How many lines of the server's output a report shows when it failed to start.
LOG_TAIL_LINES = 30


@dataclass
class RunningServer:
    """The server's address for the grader, and the warnings noticed while starting it."""

    base_url: str
    port: int
    expected_port: int
    warnings: list[str] = field(default_factory=list)


# The advice for an install or build step that runs past the build time limit, by reason.
UNENDING_STEP_HINTS = {
    "install": "an install script in package.json (preinstall, install, postinstall, prepare) must end",
    "build": "the build script must end, so it may neither watch files nor start the server",
}


class StartupFailed(Exception):
    """The server did not become ready: it crashed, never listened, or failed to install.

    Not a ``HubgradeError``: the submission is still graded, with status ``error``.
    ``reason`` is one of ``install``, ``build``, ``crashed``, ``no-listen``, ``loopback``.
    """

    def __init__(
        self, reason: str, message: str, log_tail: str = "", exit_code: int | None = None, limit: str | None = None
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.log_tail = log_tail
        self.exit_code = exit_code
        # The limit (as named in assignment.yaml) that stopped the start, if one did.
        self.limit = limit


def step_timed_out(reason: str, step: str, seconds: float, log_tail: str, hint: str = "") -> StartupFailed:
    """Return the failure of an install or build step stopped at the ``build_seconds`` limit."""
    advice = hint or UNENDING_STEP_HINTS[reason]
    message = f"{step} did not finish within {seconds:g} s, the build time limit; {advice}"
    return StartupFailed(reason, message, log_tail, limit="build_seconds")


class Runner(Protocol):
    name: str
    dependencies_reused: bool
    services: Services | None
    # The paths of the run's generated files and of the folders the server may write to.
    data_root: str
    work_root: str

    def prepare(self, files: RunFiles) -> None:
        """Install dependencies, build, and place ``files``; raise ``StartupFailed`` when that fails."""

    def start(self, environment: dict[str, str], services: list[ServiceRequest]) -> RunningServer:
        """Start the services, then the server; return once it responds to HTTP.

        Raises ``StartupFailed`` when the server does not start, and ``EnvironmentProblem``
        when a service does not.
        """

    def restart(self, environment: dict[str, str | None] | None = None) -> RunningServer:
        """Stop the server and start it again.

        With ``environment``, these variables change for this start only (``None``
        removes one); without it, the server starts with the run's own environment.
        """

    def limits_hit(self) -> list[LimitHit]:
        """Return the resource limits the server reached (memory, processes, disk, log)."""

    def server_log(self) -> str:
        """Return the server's output so far, stdout and stderr together."""

    def server_exit_code(self) -> int | None:
        """Return the server's exit code once it has ended, ``None`` while it runs."""

    def run_in_sandbox(
        self, command: list[str], files: dict[str, bytes], timeout_seconds: float, environment: dict[str, str]
    ) -> SandboxRun:
        """Run ``command`` in a throwaway copy of the project with ``files`` replaced (see sandbox.py)."""

    def __enter__(self) -> Runner: ...

    def __exit__(self, *exc_info: object) -> None: ...


def with_changes(environment: dict[str, str], changes: dict[str, str | None]) -> dict[str, str]:
    """Return ``environment`` with ``changes`` applied; a ``None`` value removes a variable."""
    result = dict(environment)
    for name, value in changes.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])
