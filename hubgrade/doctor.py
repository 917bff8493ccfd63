"""`hubgrade doctor`: what grading needs on this machine, and how to fix what is missing."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

from hubgrade.errors import EnvironmentProblem
from hubgrade.runners.docker_engine import Engine
from hubgrade.runners.docker_runner import default_node_image

MIN_NODE_MAJOR = 18


@dataclass(frozen=True)
class Finding:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    runner: str = ""


def diagnose() -> list[Finding]:
    return [*_docker_findings(), *_compose_findings(), *_local_findings()]


def usable_runners(findings: list[Finding]) -> list[str]:
    """Return the runners that have everything they need."""
    usable = []
    for runner in ("docker", "local"):
        relevant = [finding for finding in findings if finding.runner == runner]
        if relevant and all(finding.ok for finding in relevant):
            usable.append(runner)
    return usable


def _docker_findings() -> list[Finding]:
    try:
        engine = Engine.connect()
    except EnvironmentProblem as exc:
        return [Finding("Docker engine", False, str(exc).split(";")[0],
                        "start a Docker engine (`sudo systemctl start docker`, or `dockerd &` as root)", "docker")]
    try:
        findings = [Finding("Docker engine", True, f"version {engine.version()}", runner="docker")]
        image = default_node_image()
        if engine.has_image(image):
            findings.append(Finding("Node.js image", True, image, runner="docker"))
        else:
            findings.append(Finding(
                "Node.js image", False, f"{image} is not present locally",
                f"`docker pull {image}` (hubgrade also pulls it on first use), or set HUBGRADE_NODE_IMAGE "
                "to an image you have", "docker",
            ))
        return findings
    finally:
        engine.close()


def _compose_findings() -> list[Finding]:
    """Report docker-compose when an assignment runs the learner's compose file.

    Only those assignments need it, so the finding names no runner and a missing
    docker-compose leaves both runners usable.
    """
    from hubgrade import assignment as assignments
    from hubgrade.errors import HubgradeError
    from hubgrade.runners import compose

    needing = []
    for assignment_id in assignments.list_ids():
        try:
            if assignments.load(assignment_id).server_image == "dockerfile":
                needing.append(assignment_id)
        except HubgradeError:
            # `hubgrade validate` reports an invalid assignment; the doctor checks the machine.
            continue
    if not needing:
        return []
    names = ", ".join(needing)
    path = shutil.which(compose.COMPOSE_COMMAND)
    if path is None:
        return [Finding(
            "Docker Compose", False, f"{compose.COMPOSE_COMMAND} is not on PATH; {names} cannot be graded",
            f"install Compose v1 (for example `sudo apt-get install docker-compose`); only {names} needs it",
        )]
    version = _version([path, "version", "--short"])
    return [Finding("Docker Compose", True, f"{version} at {path}, for {names}")]


def _local_findings() -> list[Finding]:
    findings = []
    node = shutil.which("node")
    if node is None:
        findings.append(Finding("Node.js", False, "node is not on PATH",
                                f"install Node.js {MIN_NODE_MAJOR} or later (only the local runner needs it)", "local"))
    else:
        version = _version([node, "--version"])
        major = int(version.lstrip("v").split(".")[0]) if version.lstrip("v")[:1].isdigit() else 0
        ok = major >= MIN_NODE_MAJOR
        findings.append(Finding("Node.js", ok, f"{version} at {node}",
                                "" if ok else f"install Node.js {MIN_NODE_MAJOR} or later", "local"))
    npm = shutil.which("npm")
    if npm is None:
        findings.append(Finding("npm", False, "npm is not on PATH", "install npm with Node.js", "local"))
    else:
        findings.append(Finding("npm", True, f"{_version([npm, '--version'])} at {npm}", runner="local"))
    return findings


def _version(command: list[str]) -> str:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    return completed.stdout.strip() or completed.stderr.strip() or "unknown"
