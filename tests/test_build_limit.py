"""Install and build steps that never end are stopped at the build time limit.

An install script that waits, a build script that watches files, or a Dockerfile step
that starts the server would otherwise keep a check running forever.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import docker
import psutil
import pytest

from tests.conftest import SOLUTIONS, CliRun, copy_project, run_hubgrade

# Seconds a stopped step may take beyond its limit: the check's own start and clean-up.
MARGIN_SECONDS = 60
# An argument of the never-ending step, so the test can find its process if it survived.
# Processes in containers show on the host too, as this engine is local.
MARKER = "hubgrade-build-limit-probe"
NEVER_ENDS = f"node -e \"setInterval(() => {{}}, 1000)\" {MARKER}"


def _project_with_script(tmp_path: Path, script: str) -> Path:
    """Write a project with no dependencies, so that only the never-ending step takes time."""
    project = tmp_path / "project"
    project.mkdir()
    package = {
        "name": "never-ends",
        "type": "module",
        # A new description gives a new set of dependencies, so the install step runs.
        "description": f"build limit test {time.time_ns()}",
        "scripts": {"start": "node server.js", script: NEVER_ENDS},
    }
    (project / "package.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    (project / "server.js").write_text(
        'import http from "node:http";\nhttp.createServer((q, s) => s.end("ok")).listen(Number(process.env.PORT));\n',
        encoding="utf-8",
    )
    return project


def _check(*arguments: str) -> tuple[CliRun, dict[str, Any], float]:
    started = time.monotonic()
    run = run_hubgrade("check", *arguments, "--format", "json", "--limit", "build_seconds=10")
    took = time.monotonic() - started
    assert run.stdout.startswith("{"), run.stderr
    return run, run.json(), took


def _assert_stopped(run: CliRun, report: dict[str, Any], took: float, reason: str, message: str) -> None:
    assert run.exit_code == 1, run.stderr
    assert report["status"] == "error"
    assert report["error"]["reason"] == reason
    assert message in report["error"]["message"]
    assert [hit["name"] for hit in report["limits_hit"]] == ["build_seconds"]
    assert took < 10 + MARGIN_SECONDS


def _dangling_images(client: docker.DockerClient) -> set[str]:
    """Return the untagged images no other image builds on: what a failed build leaves."""
    return {image.id for image in client.images.list(all=True, filters={"dangling": True})}


def _step_processes() -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if MARKER in (process.info["cmdline"] or []):
            found.append(process)
    return found


@pytest.mark.docker
@pytest.mark.parametrize(
    ("script", "reason", "message"),
    [
        ("postinstall", "install", "an install script in package.json"),
        ("build", "build", "`npm run build` did not finish within 10 s, the build time limit"),
    ],
)
def test_unending_step_under_docker(
    script: str, reason: str, message: str, tmp_path: Path, docker_client: docker.DockerClient, no_leftovers: None
) -> None:
    before = _dangling_images(docker_client)
    run, report, took = _check("hello-world", str(_project_with_script(tmp_path, script)), "--runner", "docker")
    _assert_stopped(run, report, took, reason, message)
    # The step ran in a build container without the run's labels: it must be gone too,
    # and so must the images of the steps before it.
    assert _step_processes() == []
    assert _dangling_images(docker_client) - before == set()


@pytest.mark.local
@pytest.mark.parametrize(
    ("script", "reason", "message"),
    [
        ("postinstall", "install", "an install script in package.json"),
        ("build", "build", "the build script must end, so it may neither watch files nor start the server"),
    ],
)
def test_unending_step_under_local_runner(script: str, reason: str, message: str, tmp_path: Path) -> None:
    run, report, took = _check("hello-world", str(_project_with_script(tmp_path, script)), "--runner", "local")
    _assert_stopped(run, report, took, reason, message)
    assert _step_processes() == []


@pytest.mark.docker
def test_dockerfile_run_step_never_ends(
    tmp_path: Path, docker_client: docker.DockerClient, no_leftovers: None
) -> None:
    project = copy_project(SOLUTIONS / "dockerize" / "reference", tmp_path / "project")
    dockerfile = project / "Dockerfile"
    text = dockerfile.read_text(encoding="utf-8")
    dockerfile.write_text(text.replace('CMD ["node", "server.js"]', f"RUN node server.js {MARKER}"), encoding="utf-8")
    before = _dangling_images(docker_client)

    run, report, took = _check("dockerize", str(project))

    _assert_stopped(run, report, took, "build", "start the server with CMD, not RUN")
    assert _step_processes() == []
    assert _dangling_images(docker_client) - before == set()
