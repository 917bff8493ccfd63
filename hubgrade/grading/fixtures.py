"""Objects behind the fixtures a grader receives: the server handle and its log."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from hubgrade.grading.client import GraderClient
from hubgrade.grading.control import ControlClient


class ServerLog:
    """The learner's server output (stdout and stderr together), fetched on demand."""

    def __init__(self, control: ControlClient) -> None:
        self._control = control

    def text(self) -> str:
        return str(self._control.call("log")["log"])

    def lines(self) -> list[str]:
        return self.text().splitlines()

    def mark(self) -> int:
        """Return a position; ``since(mark)`` gives what the server printed after it."""
        return len(self.text())

    def since(self, mark: int) -> str:
        return self.text()[mark:]

    def wait_for(self, predicate: str, timeout: float = 2.0, since: int = 0) -> str | None:
        """Return the output after ``since`` once it contains ``predicate``, else ``None``.

        Servers may flush their output a little after they respond, so log checks poll.
        """
        deadline = time.monotonic() + timeout
        while True:
            output = self.since(since)
            if predicate in output or time.monotonic() >= deadline:
                return output if predicate in output else None
            time.sleep(0.05)


class Server:
    """The learner's running server, as the grader reaches it."""

    def __init__(self, base_url: str, injected: dict[str, str], control: ControlClient) -> None:
        self.base_url = base_url
        self.injected = injected
        self.log = ServerLog(control)
        self._control = control
        self._clients: list[GraderClient] = []

    def attach(self, client: GraderClient) -> None:
        self._clients.append(client)

    def restart(self, environment: dict[str, str | None] | None = None) -> None:
        """Stop the server and start it again.

        ``environment`` changes variables for this start only (``None`` removes one);
        without it the server gets the run's own environment back. Raises
        ``CheckFailed`` when the server does not come back, so that the check fails
        with the start-up error rather than a crash of the grader.
        """
        from hubgrade.grading.expect import CheckFailed

        try:
            reply = self._control.call("restart", environment=environment)
        except RuntimeError as exc:
            raise CheckFailed(f"the server did not start again after a restart: {exc}") from exc
        self._moved(str(reply["base_url"]))

    def try_restart(self, environment: dict[str, str | None] | None = None) -> RestartOutcome:
        """Like ``restart``, but a server that does not start is an outcome, not a failure.

        For checks that a server refuses to start, for example without a required
        variable. Call ``restart()`` afterwards to bring the server back.
        """
        reply = self._control.call("restart", environment=environment, tolerate_failure=True)
        if reply["started"]:
            self._moved(str(reply["base_url"]))
            return RestartOutcome(started=True)
        code = reply.get("exit_code")
        return RestartOutcome(
            started=False, exit_code=None if code is None else int(code), log=str(reply.get("log", "")),
            message=str(reply.get("message", "")),
        )

    def _moved(self, base_url: str) -> None:
        self.base_url = base_url
        for client in self._clients:
            client.base_url = base_url


@dataclass(frozen=True)
class RestartOutcome:
    """How a ``try_restart`` ended: started, or not, with the exit code and log of that start."""

    started: bool
    exit_code: int | None = None
    log: str = ""
    message: str = ""


class ServiceHandle:
    """A datastore of the run for the grader: its address and credentials, and stop and start."""

    def __init__(self, info: dict[str, Any], control: ControlClient) -> None:
        self.name: str = info["name"]
        self.kind: str = info["kind"]
        self.url: str = info["url"]
        self.server_url: str = info["server_url"]
        self.host: str = info["host"]
        self.port: int = int(info["port"])
        self.user: str = info["user"]
        self.password: str = info["password"]
        self.database: str = info["database"]
        self._control = control

    def stop(self) -> None:
        """Stop the service; the server keeps running and should report it."""
        self._control.call("service_stop", name=self.name)

    def start(self) -> None:
        """Start the service again and wait until it is ready, with its data kept."""
        self._control.call("service_start", name=self.name)
