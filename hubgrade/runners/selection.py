"""Choose the runner for a check: Docker when an engine responds, else the host."""

from __future__ import annotations

import logging

from hubgrade.errors import EnvironmentProblem, UsageError
from hubgrade.runners import RUNNER_NAMES, compose
from hubgrade.runners.base import Runner
from hubgrade.limits import Limits
from hubgrade.runners.docker_engine import ResourceLimits, engine_available
from hubgrade.runners.docker_runner import DockerRunner
from hubgrade.runners.dockerfile_runner import DockerfileRunner
from hubgrade.runners.local_runner import LocalRunner
from hubgrade.submission import Submission

logger = logging.getLogger(__name__)

NO_ISOLATION_WARNING = "no Docker engine responded: running the server on this machine without isolation (--runner local)"


def select_runner(
    name: str, submission: Submission, *, startup_seconds: float, image: str | None, server_image: str = "hubgrade",
    limits: Limits | None = None,
) -> tuple[Runner, list[str]]:
    """Return the runner to use and the warnings to show about the choice."""
    resources = ResourceLimits.from_limits(limits or Limits())
    if name not in RUNNER_NAMES:
        raise UsageError(f"unknown runner {name!r}; use one of {', '.join(RUNNER_NAMES)}")
    if server_image == "dockerfile":
        return _dockerfile_runner(name, submission, startup_seconds, image, resources), []
    if name == "auto":
        if engine_available():
            name = "docker"
        else:
            logger.warning(NO_ISOLATION_WARNING)
            local = LocalRunner(submission, startup_seconds=startup_seconds, build_seconds=resources.build_seconds)
            return local, [NO_ISOLATION_WARNING]
    if name == "docker":
        return DockerRunner(submission, startup_seconds=startup_seconds, base_image=image, limits=resources), []
    if image:
        raise UsageError("--image applies to the docker runner only; drop it or use --runner docker")
    return LocalRunner(submission, startup_seconds=startup_seconds, build_seconds=resources.build_seconds), []


def _dockerfile_runner(
    name: str, submission: Submission, startup_seconds: float, image: str | None, resources: ResourceLimits
) -> Runner:
    """Return the runner for an assignment graded on the learner's own Dockerfile, which needs Docker."""
    if name == "local":
        raise UsageError(
            "this assignment builds and runs your Dockerfile and compose file, so it needs Docker; "
            "drop --runner local"
        )
    if image:
        raise UsageError("--image does not apply to this assignment: your Dockerfile chooses the base image")
    if name == "auto" and not engine_available():
        raise EnvironmentProblem(
            "this assignment builds and runs your Dockerfile, so it needs a Docker engine, and none responded; "
            "start one (for example `sudo systemctl start docker`)"
        )
    if not compose.compose_available():
        raise EnvironmentProblem(
            f"this assignment runs your compose file with {compose.COMPOSE_COMMAND}, which is not installed; "
            "install it (for example `sudo apt-get install docker-compose`)"
        )
    return DockerfileRunner(
        submission, startup_seconds=startup_seconds, compose_seconds=startup_seconds, limits=resources
    )
