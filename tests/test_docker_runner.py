"""The Docker runner's life cycle: cached dependencies, lock-down, clean-up on every exit."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import time
from pathlib import Path

import docker
import pytest

from tests.catalog_factory import write_catalog, write_counter_project
from tests.conftest import HUBGRADE, REPO, SOLUTIONS, copy_project, run_hubgrade

pytestmark = pytest.mark.docker

SLOW_GRADER = """\
import time

import pytest


@pytest.mark.points(100)
def test_slow(client):
    \"\"\"Takes long enough to be interrupted.\"\"\"
    client.get("/")
    time.sleep(40)
"""


def _start_slow_check(tmp_path: Path) -> subprocess.Popen[str]:
    catalog = write_catalog(tmp_path / "catalog", SLOW_GRADER, limits="limits:\n  check_seconds: 60\n")
    project = write_counter_project(tmp_path / "counter")
    process = subprocess.Popen(
        [*HUBGRADE, "--log-level", "info", "check", "demo", str(project), "--runner", "docker"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "HUBGRADE_HOME": str(catalog)},
    )
    _wait_for_line(process, "running grader", timeout=120)
    return process


def _wait_for_line(process: subprocess.Popen[str], needle: str, timeout: float) -> None:
    assert process.stderr is not None
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], 0.5)
        if ready:
            line = process.stderr.readline()
            seen.append(line)
            if needle in line:
                return
            if not line and process.poll() is not None:
                break
    process.kill()
    pytest.fail(f"{needle!r} not logged within {timeout} s; stderr was:\n{''.join(seen)}")


def test_unchanged_dependencies_are_not_installed_again(tmp_path: Path, docker_client: docker.DockerClient, no_leftovers: None) -> None:
    project = copy_project(SOLUTIONS / "hello-world" / "reference", tmp_path / "hello")
    package = json.loads((project / "package.json").read_text())
    package["description"] = f"dependency cache test {time.time_ns()}"
    (project / "package.json").write_text(json.dumps(package))

    first = run_hubgrade("--log-level", "info", "check", "hello-world", str(project), "--runner", "docker")
    second = run_hubgrade("--log-level", "info", "check", "hello-world", str(project), "--runner", "docker")

    assert first.exit_code == 0, first.stdout + first.stderr
    assert second.exit_code == 0, second.stdout + second.stderr
    assert "installing dependencies with `npm install --no-audit --no-fund`" in first.stderr
    assert "dependencies unchanged, reusing image hubgrade-deps:" in second.stderr
    assert "installing dependencies" not in second.stderr
    tag = second.stderr.split("reusing image ")[1].split()[0]
    image = docker_client.images.get(tag)
    assert image.labels.get("hubgrade.cache") == "dependencies"
    assert "hubgrade.run" not in image.labels
    docker_client.images.remove(tag, force=True)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_removes_everything(signum: int, tmp_path: Path, docker_client: docker.DockerClient, no_leftovers: None) -> None:
    process = _start_slow_check(tmp_path)
    owned = {"label": f"hubgrade.owner-pid={process.pid}"}
    assert docker_client.containers.list(filters=owned), "the run should have a container by now"
    assert docker_client.networks.list(filters=owned), "the run should have a network by now"
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr[-3000:]
    assert "Aborted: interrupted before grading finished, so there is no score" in stderr


def test_killed_run_is_cleaned_up_by_the_next(tmp_path: Path, docker_client: docker.DockerClient, no_leftovers: None) -> None:
    process = _start_slow_check(tmp_path)
    process.kill()
    process.wait(timeout=30)
    containers = docker_client.containers.list(all=True, filters={"label": f"hubgrade.owner-pid={process.pid}"})
    by_role = {container.name.rsplit("-", 2)[-2]: container for container in containers}
    assert sorted(by_role) == ["relay", "server"]
    _assert_locked_down(by_role["server"])
    _assert_publishes_on_loopback_only(by_role["relay"])

    run = run_hubgrade("--log-level", "info", "check", "hello-world", str(SOLUTIONS / "hello-world" / "reference"), "--runner", "docker")
    assert run.exit_code == 0, run.stderr
    assert "objects left behind by earlier runs" in run.stderr
    assert docker_client.containers.list(all=True, filters={"label": f"hubgrade.owner-pid={process.pid}"}) == []


def _assert_locked_down(container: docker.models.containers.Container) -> None:
    host = container.attrs["HostConfig"]
    assert container.attrs["Config"]["User"] == "1000:1000"
    assert host["CapDrop"] == ["ALL"]
    assert "no-new-privileges" in host["SecurityOpt"]
    assert host["Memory"] == 512 * 1024 * 1024
    assert host["NanoCpus"] == 1_000_000_000
    assert host["PidsLimit"] == 256
    assert host["ReadonlyRootfs"] is True
    assert set(host["Tmpfs"]) == {"/tmp"}
    # The server publishes nothing: it is on an internal network, reached through the relay.
    assert not host["PortBindings"]
    networks = container.attrs["NetworkSettings"]["Networks"]
    assert len(networks) == 1
    (network_name,) = networks
    assert docker.from_env().networks.get(network_name).attrs["Internal"] is True


def _assert_publishes_on_loopback_only(container: docker.models.containers.Container) -> None:
    host = container.attrs["HostConfig"]
    bindings = [binding for port in host["PortBindings"].values() for binding in port]
    assert bindings
    assert all(binding["HostIp"] == "127.0.0.1" for binding in bindings)


def test_unknown_runtime_is_an_environment_error(no_leftovers: None) -> None:
    run = run_hubgrade(
        "check", "hello-world", str(SOLUTIONS / "hello-world" / "reference"), "--runner", "docker",
        env={"HUBGRADE_RUNTIME": "no-such-runtime"},
    )
    assert run.exit_code == 3, run.stderr
    assert "HUBGRADE_RUNTIME=no-such-runtime names a runtime the engine must know" in run.stderr
