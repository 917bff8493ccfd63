"""Grader handles for assignments graded on the learner's own image and compose file.

Both ask the hubgrade process through the control socket, because the containers, and
their clean-up, belong to the runner there (``server_image: dockerfile`` in
assignment.yaml). Other runners reject these requests with an error.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from hubgrade.grading.control import ControlClient
from hubgrade.grading.expect import CheckFailed

OUTPUT_TAIL_CHARACTERS = 3000


@dataclass(frozen=True)
class ContainerState:
    """The server container as Docker describes it: the image's USER, its processes' uids, its health."""

    image_user: str
    process_uids: list[int]
    has_healthcheck: bool
    health: str
    health_log: list[dict[str, Any]]


class ServerContainer:
    """The container the runner started from the learner's image."""

    def __init__(self, control: ControlClient) -> None:
        self._control = control

    def state(self) -> ContainerState:
        reply = self._control.call("server_container")
        return ContainerState(
            image_user=str(reply["image_user"]), process_uids=[int(uid) for uid in reply["process_uids"]],
            has_healthcheck=bool(reply["has_healthcheck"]), health=str(reply["health"]),
            health_log=list(reply["health_log"]),
        )


class ComposeProject:
    """The learner's compose file, started once per run by the first check that needs it.

    ``start()`` raises ``CheckFailed`` with Compose's output when ``docker-compose up``
    fails, so every check that needs the project fails with that reason.
    """

    def __init__(self, control: ControlClient) -> None:
        self._control = control
        self._reply: dict[str, Any] | None = None

    def start(self) -> None:
        if self._reply is None:
            self._reply = self._control.call("compose_up")
        if not self._reply["started"]:
            raise CheckFailed(f"{self._reply['message']}\n{_tail(str(self._reply['output']))}".rstrip())

    @property
    def host_port(self) -> int | None:
        """The host port the app service publishes for its port 3000, or ``None``."""
        self.start()
        assert self._reply is not None
        port = self._reply["host_port"]
        return int(port) if port is not None else None

    @property
    def expected_host_port(self) -> int:
        """The port hubgrade put in APP_PORT for the compose file to publish the app on."""
        self.start()
        assert self._reply is not None
        return int(self._reply["expected_host_port"])

    def containers_at_start(self) -> list[dict[str, Any]]:
        """Return the containers as they were when ``docker-compose up`` returned.

        Docker keeps only the last five health probes of a container, so the order in
        which services became healthy and started is read from this early snapshot.
        """
        self.start()
        assert self._reply is not None
        return list(self._reply["containers"])

    def containers(self) -> list[dict[str, Any]]:
        """Return the project's containers now: service, status, user, health and its log, start time."""
        self.start()
        return list(self._control.call("compose_state")["containers"])

    def app_log(self) -> str:
        self.start()
        return str(self._control.call("compose_state")["app_log"])

    def wait_for_response(self, path: str, timeout: float) -> httpx.Response | None:
        """Poll ``path`` on the published app port until any HTTP response comes, for at most ``timeout`` s.

        The response's body is not read, so a huge body costs nothing.
        """
        port = self.host_port
        if port is None:
            return None
        deadline = time.monotonic() + timeout
        while True:
            try:
                with httpx.stream("GET", f"http://127.0.0.1:{port}{path}", timeout=2.0) as response:
                    return response
            except httpx.HTTPError:
                if time.monotonic() >= deadline:
                    return None
                time.sleep(0.25)


def _tail(text: str) -> str:
    return text[-OUTPUT_TAIL_CHARACTERS:]
