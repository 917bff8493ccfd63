"""Run a server built from the learner's own Dockerfile (assignments with ``server_image: dockerfile``).

Unlike ``DockerRunner``, hubgrade writes no Dockerfile and installs nothing: the project
folder is the build context (its ``.dockerignore`` applies) and its ``Dockerfile`` is
built as the run image, labelled with the run's labels. The container then starts as
the image's own USER, with the same limits, network, services and readiness checks as
any server. Graders can also ask, through the control socket, for the container's user
and health, and for the learner's compose file to be started (``compose.py``).
"""

from __future__ import annotations

import io
import logging
import re
import tarfile
from pathlib import Path
from typing import Any

import docker.errors

from hubgrade import labels
from hubgrade.errors import ConfigError
from hubgrade.interrupts import uninterrupted
from hubgrade.run_files import RunFiles
from hubgrade.runners import compose, docker_image
from hubgrade.runners.base import StartupFailed, step_timed_out, tail
from hubgrade.runners.docker_runner import CONTAINER_PORT, DockerRunner

logger = logging.getLogger(__name__)

DOCKERFILE = "Dockerfile"
# The compose service that runs the learner's app.
APP_SERVICE = "app"
# A step as the classic builder prints it: "Step 5/9 : RUN npm ci".
_STEP_LINE = re.compile(r"^Step (\d+/\d+) : (.*)$", re.MULTILINE)


class DockerfileRunner(DockerRunner):
    server_user = ""

    def __init__(self, *args: Any, compose_seconds: float = 120.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.compose_seconds = compose_seconds
        self._compose: compose.ComposeProject | None = None

    def __enter__(self) -> DockerfileRunner:
        compose.reap_orphan_volumes(self.engine)
        super().__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        with uninterrupted():
            if self._compose is not None:
                logger.info("taking down compose project %s", self._compose.name)
                self._compose.close()
            super().__exit__(*exc_info)
            compose.remove_run_volumes(self.engine, self.run_id)

    def prepare(self, files: RunFiles) -> None:
        if files.data or files.directories:
            raise ConfigError(
                "assignment.yaml", ["server_image: dockerfile does not support data files or directory values yet"]
            )
        dockerfile = self.submission.path / DOCKERFILE
        if not dockerfile.is_file():
            raise StartupFailed("build", f"the project has no {DOCKERFILE}; add one in {self.submission.path}")
        context = _context_tar(self.submission.path)
        logger.info("building %s of %s as image %s", DOCKERFILE, self.submission.path, self.run_image)
        image_labels = {**self.labels, labels.CACHE_LABEL: "run"}
        outcome = self.engine.build(context, DOCKERFILE, self.run_image, image_labels, self.limits.build_seconds)
        if outcome.ok:
            return
        steps = _STEP_LINE.findall(docker_image.without_colours(outcome.output))
        step = f"step {steps[-1][0]} `{steps[-1][1].strip()}`" if steps else "a step"
        if outcome.timed_out:
            raise step_timed_out(
                "build", f"`docker build` of your {DOCKERFILE}", self.limits.build_seconds,
                tail(docker_image.failed_step_output(outcome.output)),
                hint=f"{step} never ended, and a RUN step must end, so start the server with CMD, not RUN",
            )
        code = docker_image.failed_step_exit_code(outcome.error)
        base = _missing_base_image(steps)
        if code is None and base is not None:
            raise StartupFailed(
                "build", f"`docker build` of your {DOCKERFILE} failed at `FROM {base}`: that image is not on the "
                f"grading machine and could not be pulled ({outcome.error}); start from an image the "
                "assignment names", tail(docker_image.without_colours(outcome.output)),
            )
        if code is None:
            raise StartupFailed(
                "build", f"`docker build` of your {DOCKERFILE} failed: {outcome.error}",
                tail(docker_image.without_colours(outcome.output)),
            )
        raise StartupFailed(
            "build", f"`docker build` of your {DOCKERFILE} failed: {step} exited with code {code}; its output is below",
            tail(docker_image.failed_step_output(outcome.output)), code,
        )

    def handle_control(self, op: str, request: dict[str, Any]) -> dict[str, Any] | None:
        """Serve the grader's requests about the image and the compose project; ``None`` for other ops."""
        if op == "server_container":
            return self._describe_server()
        if op == "compose_up":
            project = self._compose_project()
            outcome = project.up()
            # Not "ok": the control channel's own reply uses that key.
            return {
                "started": outcome.ok, "message": outcome.message, "output": outcome.output,
                "host_port": outcome.host_port, "expected_host_port": project.host_port,
                "containers": project.containers(),
            }
        if op == "compose_state":
            project = self._compose_project()
            return {"containers": project.containers(), "app_log": project.logs(APP_SERVICE)}
        return None

    def _compose_project(self) -> compose.ComposeProject:
        if self._compose is None:
            self._compose = compose.ComposeProject(
                self.engine, self.submission.path, self.run_id, self.labels, timeout_seconds=self.compose_seconds,
                limits=self.limits, app_service=APP_SERVICE, app_port=CONTAINER_PORT,
            )
        return self._compose

    def _describe_server(self) -> dict[str, Any]:
        """Return the image's USER, the uids the container's processes run as, and the container's health."""
        if self._server is None:
            raise RuntimeError("the server has not started")
        image = self.engine.client.images.get(self.run_image)
        container = self._server.container
        container.reload()
        health = container.attrs.get("State", {}).get("Health") or {}
        return {
            "image_user": image.attrs.get("Config", {}).get("User") or "",
            "process_uids": _process_uids(container),
            "has_healthcheck": bool((image.attrs.get("Config", {}).get("Healthcheck") or {}).get("Test")),
            "health": health.get("Status", ""),
            "health_log": [
                {"exit_code": entry.get("ExitCode"), "output": str(entry.get("Output", ""))[-500:]}
                for entry in health.get("Log") or []
            ],
        }


def _process_uids(container: Any) -> list[int]:
    """Return the uid of each process in the container, from `docker top` (ps on the host).

    Reading them from the host works whatever the image contains, even without a shell.
    """
    try:
        listing = container.top(ps_args="-o pid,uid")
    except docker.errors.DockerException as exc:
        logger.warning("could not list the processes of %s: %s", container.name, exc)
        return []
    column = list(listing.get("Titles") or []).index("UID")
    return [int(row[column]) for row in listing.get("Processes") or []]


def _missing_base_image(steps: list[tuple[str, str]]) -> str | None:
    """Return the image of the last step when that step is a FROM, the one that failed."""
    if not steps:
        return None
    words = steps[-1][1].split()
    if len(words) < 2 or words[0].upper() != "FROM":
        return None
    # Options such as --platform=... come before the image.
    images = [word for word in words[1:] if not word.startswith("--")]
    return images[0] if images else None


def _context_tar(root: Path) -> bytes:
    """Return the project as a build context: its files without node_modules and .git, and its .dockerignore."""
    files = docker_image.project_files(root)
    ignore = root / ".dockerignore"
    if ignore.is_file():
        files[".dockerignore"] = ignore.read_bytes()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, content in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            # Keep the execute bits, so that a script the Dockerfile copies stays runnable.
            info.mode = (root / name).stat().st_mode & 0o755
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()
