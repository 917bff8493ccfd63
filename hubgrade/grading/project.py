"""The ``project`` fixture: run a command in a throwaway copy of the learner's project.

The grader sends the command and the files to replace to the hubgrade process, whose
runner does the work (see ``hubgrade.runners.sandbox``): a one-off container from the
run image under Docker, a temporary copy of the project under the local runner. The
replaced files never reach the running server.
"""

from __future__ import annotations

import base64

from hubgrade.grading.control import ControlClient
from hubgrade.runners.sandbox import MAX_TIMEOUT_SECONDS, SandboxRun

# Time on top of the command's own limit for creating, filling and removing its container.
SANDBOX_OVERHEAD_SECONDS = 60.0


class Project:
    """The learner's project as a template for throwaway runs of a command."""

    def __init__(self, control_socket: str) -> None:
        self._control_socket = control_socket

    def run(
        self, command: list[str], files: dict[str, bytes | str] | None = None, timeout: float = 30.0,
        environment: dict[str, str] | None = None,
    ) -> SandboxRun:
        """Run ``command`` in a fresh copy of the project with ``files`` replaced or added.

        ``files`` maps paths relative to the project root to their new content (text is
        written as UTF-8). ``timeout`` is in seconds, at most ``MAX_TIMEOUT_SECONDS``: a
        command still running then is killed and the result has ``timed_out`` set and
        no exit code. Only the end of the output is kept, and ``truncated`` is true
        when some was cut. The check's own time limit keeps running meanwhile, so it must
        leave room for every command the check runs.
        """
        if not 0 < timeout <= MAX_TIMEOUT_SECONDS:
            raise ValueError(f"timeout must be more than 0 and at most {MAX_TIMEOUT_SECONDS:g} s, got {timeout!r}")
        encoded = {
            name: base64.b64encode(content.encode("utf-8") if isinstance(content, str) else content).decode("ascii")
            for name, content in (files or {}).items()
        }
        control = ControlClient(self._control_socket, timeout=timeout + SANDBOX_OVERHEAD_SECONDS)
        reply = control.call("sandbox_run", command=list(command), files=encoded, timeout=timeout,
                             environment=dict(environment or {}))
        return SandboxRun.from_dict(reply)
