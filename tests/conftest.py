"""Shared fixtures: the real CLI in a subprocess, copies of solutions, leftover checks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import jsonschema
import pytest

from hubgrade.labels import is_orphan

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "tests" / "solutions"
PROJECTS = REPO / "tests" / "projects"
HUBGRADE = [sys.executable, "-m", "hubgrade"]

# No test may make the engine contact a registry: a missing image fails at once instead.
os.environ["HUBGRADE_NO_PULL"] = "1"

# The hostile suite's grader runs inside `hubgrade check`, never as a test of its own.
collect_ignore = ["hostile/catalog"]


@dataclass
class CliRun:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """Return stdout parsed as a result, after checking it against the published schema."""
        report = json.loads(self.stdout)
        validate_result(report)
        return report


RESULT_SCHEMA = json.loads((REPO / "hubgrade" / "schemas" / "result-v1.schema.json").read_text(encoding="utf-8"))


def validate_result(report: Any) -> None:
    jsonschema.validate(report, RESULT_SCHEMA)


def run_hubgrade(*arguments: str, cwd: Path | None = None, timeout: float = 300, env: dict[str, str] | None = None) -> CliRun:
    """Run the hubgrade CLI as a user would, in its own process."""
    completed = subprocess.run(
        [*HUBGRADE, *arguments], cwd=cwd or REPO, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})}, check=False,
    )
    return CliRun(completed.returncode, completed.stdout, completed.stderr)


def copy_project(source: Path, destination: Path) -> Path:
    """Copy a project without node_modules, so the local runner installs into the copy."""
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("node_modules"))
    return destination


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    try:
        client = docker.from_env(timeout=60)
        client.ping()
    except docker.errors.DockerException as exc:
        pytest.fail(f"these tests need a running Docker engine (run `bash .ci/setup`): {exc}")
    return client


def hubgrade_objects(client: docker.DockerClient, orphans_only: bool = False) -> list[str]:
    """Name the containers, networks and images that carry a hubgrade run label.

    With ``orphans_only``, only those whose hubgrade process has ended: runs of other
    hubgrade processes on this machine, still going, are not leftovers.
    """
    # Each low-level listing is one API call, so an object that another run removes
    # meanwhile cannot make a second lookup fail.
    selector = {"label": "hubgrade.run"}
    api = client.api
    found = [(f"container {c['Names'][0]}", c["Labels"] or {}) for c in api.containers(all=True, filters=selector)]
    found += [(f"network {n['Name']}", n.get("Labels") or {}) for n in api.networks(filters=selector)]
    found += [(f"image {i['Id']}", i.get("Labels") or {}) for i in api.images(filters=selector)]
    volumes = api.volumes(filters=selector).get("Volumes") or []
    found += [(f"volume {v['Name']}", v.get("Labels") or {}) for v in volumes]
    return [name for name, object_labels in found if not orphans_only or is_orphan(object_labels)]


@pytest.fixture
def no_leftovers(docker_client: docker.DockerClient) -> Any:
    """Fail the test if a run left a labelled container, network or image behind."""
    yield
    assert hubgrade_objects(docker_client, orphans_only=True) == []
