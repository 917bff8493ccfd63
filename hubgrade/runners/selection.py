"""Choose the runner for a check: Docker when an engine responds, else the host."""

from __future__ import annotations

import logging

from hubgrade.errors import UsageError
from hubgrade.runners import RUNNER_NAMES
from hubgrade.runners.base import Runner
from hubgrade.runners.docker_engine import engine_available
from hubgrade.runners.docker_runner import DockerRunner
from hubgrade.runners.local_runner import LocalRunner
from hubgrade.submission import Submission

logger = logging.getLogger(__name__)

NO_ISOLATION_WARNING = "no Docker engine responded: running the server on this machine without isolation (--runner local)"


def select_runner(
    name: str, submission: Submission, *, startup_seconds: float, image: str | None
) -> tuple[Runner, list[str]]:
    """Return the runner to use and the warnings to show about the choice."""
    if name not in RUNNER_NAMES:
        raise UsageError(f"unknown runner {name!r}; use one of {', '.join(RUNNER_NAMES)}")
    if name == "auto":
        if engine_available():
            name = "docker"
        else:
            logger.warning(NO_ISOLATION_WARNING)
            return LocalRunner(submission, startup_seconds=startup_seconds), [NO_ISOLATION_WARNING]
    if name == "docker":
        return DockerRunner(submission, startup_seconds=startup_seconds, base_image=image), []
    if image:
        raise UsageError("--image applies to the docker runner only; drop it or use --runner docker")
    return LocalRunner(submission, startup_seconds=startup_seconds), []
