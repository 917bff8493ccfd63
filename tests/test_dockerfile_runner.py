"""The Dockerfile runner and compose projects against the real engine: verdicts and clean-up."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from hubgrade import labels
from hubgrade.assignment import load_file
from hubgrade.errors import ConfigError
from hubgrade.runners import compose
from hubgrade.runners.docker_engine import Engine, ResourceLimits
from tests.conftest import HUBGRADE, REPO, SOLUTIONS, hubgrade_objects, run_hubgrade

pytestmark = pytest.mark.docker

REFERENCE = SOLUTIONS / "dockerize" / "reference"

# A database whose health probe never passes, so that `depends_on: condition: service_healthy` fails.
NEVER_HEALTHY = """\
services:
  app:
    image: redis:7
    depends_on:
      db:
        condition: service_healthy
  db:
    image: redis:7
    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      retries: 2
"""

HEALTHY_WITH_VOLUME = """\
services:
  db:
    image: redis:7
    volumes:
      - cache:/data
volumes:
  cache:
"""


def _project(tmp_path: Path, compose_text: str) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "docker-compose.yml").write_text(compose_text, encoding="utf-8")
    return folder


def _compose(engine: Engine, folder: Path, run_id: str, run_labels: dict[str, str]) -> compose.ComposeProject:
    return compose.ComposeProject(
        engine, folder, run_id, run_labels, timeout_seconds=60, limits=ResourceLimits(), app_service="app",
        app_port=3000,
    )


def _project_objects(client: docker.DockerClient, project: str) -> list[str]:
    selector = {"label": f"{compose.PROJECT_LABEL}={project}"}
    found = [f"container {c.name}" for c in client.containers.list(all=True, filters=selector)]
    found += [f"network {n.name}" for n in client.networks.list(filters=selector)]
    found += [f"volume {v.name}" for v in client.volumes.list(filters=selector)]
    return found


@pytest.fixture
def engine() -> Iterator[Engine]:
    connected = Engine.connect()
    yield connected
    connected.close()


def test_failing_dockerfile_build_verdict(
    tmp_path: Path, docker_client: docker.DockerClient, no_leftovers: None
) -> None:
    project = tmp_path / "broken"
    shutil.copytree(REFERENCE, project)
    dockerfile = project / "Dockerfile"
    dockerfile.write_text(
        dockerfile.read_text(encoding="utf-8").replace(
            "USER node", "RUN echo 'the build step fails here' && exit 7\nUSER node"
        ),
        encoding="utf-8",
    )

    dangling = {"dangling": True}
    before = {image.id for image in docker_client.images.list(all=True, filters=dangling)}

    run = run_hubgrade("check", "dockerize", str(project), "--runner", "docker", "--format", "json")

    # The images of the steps before the failing one are removed with the run.
    assert {image.id for image in docker_client.images.list(all=True, filters=dangling)} - before == set()
    assert run.exit_code == 1, run.stderr
    report = run.json()
    assert report["score"] == 0
    assert report["error"]["reason"] == "build"
    assert "docker build" in report["error"]["message"]
    assert "exited with code 7" in report["error"]["message"]
    assert "RUN echo 'the build step fails here' && exit 7" in report["error"]["message"]
    assert report["error"]["exit_code"] == 7
    assert "the build step fails here" in report["error"]["log_tail"]
    assert all(test["status"] != "passed" for test in report["tests"])


def test_missing_base_image_verdict(tmp_path: Path, no_leftovers: None) -> None:
    project = tmp_path / "other-base"
    shutil.copytree(REFERENCE, project)
    dockerfile = project / "Dockerfile"
    # A registry on a loopback port where nothing listens: the pull fails at once, on this machine.
    missing = "127.0.0.1:9/hubgrade-missing:1"
    text = dockerfile.read_text(encoding="utf-8")
    dockerfile.write_text(text.replace("FROM node:24-bookworm-slim", f"FROM {missing}"), encoding="utf-8")

    run = run_hubgrade("check", "dockerize", str(project), "--runner", "docker", "--format", "json")

    assert run.exit_code == 1, run.stderr
    report = run.json()
    assert report["error"]["reason"] == "build"
    assert f"failed at `FROM {missing}`: that image is not on the grading machine" in report["error"]["message"]
    assert "start from an image the assignment names" in report["error"]["message"]


def test_missing_dockerfile_verdict(tmp_path: Path, no_leftovers: None) -> None:
    project = tmp_path / "no-dockerfile"
    shutil.copytree(REFERENCE, project)
    (project / "Dockerfile").unlink()

    run = run_hubgrade("check", "dockerize", str(project), "--runner", "docker", "--format", "json")

    assert run.exit_code == 1, run.stderr
    report = run.json()
    assert report["error"]["reason"] == "build"
    assert "no Dockerfile" in report["error"]["message"]


def test_compose_not_coming_up_verdict(tmp_path: Path, docker_client: docker.DockerClient, no_leftovers: None) -> None:
    project = tmp_path / "never-healthy"
    shutil.copytree(REFERENCE, project)
    compose_file = project / "docker-compose.yml"
    compose_file.write_text(
        compose_file.read_text(encoding="utf-8")
        .replace('test: ["CMD-SHELL", "pg_isready -U notes -d notes"]', 'test: ["CMD", "false"]')
        .replace("retries: 30", "retries: 2"),
        encoding="utf-8",
    )

    run = run_hubgrade("check", "dockerize", str(project), "--runner", "docker", "--format", "json")

    assert run.exit_code == 1, run.stderr
    report = run.json()
    assert report["error"] is None
    compose_checks = [test for test in report["tests"] if test["name"].startswith("test_compose_")]
    assert len(compose_checks) == 3
    for test in compose_checks:
        assert test["status"] == "failed", test
        assert "`docker-compose up` failed while starting the services" in test["message"]
        assert "unhealthy" in test["message"]
    assert report["score"] == 55
    leftovers = {"label": compose.PROJECT_LABEL}
    assert [volume.name for volume in docker_client.volumes.list(filters=leftovers)
            if volume.name.startswith("hg-")] == []


def test_server_image_value_checked(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "spec.md").write_text("# Demo\n", encoding="utf-8")
    (folder / "assignment.yaml").write_text(
        "title: Demo\ntrack: practice\nlevel: beginner\nsummary: A demo.\nserver_image: podman\n", encoding="utf-8"
    )

    with pytest.raises(ConfigError) as raised:
        load_file(folder / "assignment.yaml")

    assert "server_image: expected one of hubgrade, dockerfile, got 'podman'" in str(raised.value)


def test_local_runner_rejects_dockerfile_assignment() -> None:
    run = run_hubgrade("check", "dockerize", str(REFERENCE), "--runner", "local")

    assert run.exit_code == 2
    assert "needs Docker" in run.stderr
    assert "--runner local" in run.stderr


def test_compose_never_healthy_fails_and_cleans_up(tmp_path: Path, engine: Engine, docker_client: docker.DockerClient) -> None:
    run_id = labels.new_run_id()
    project = _compose(engine, _project(tmp_path, NEVER_HEALTHY), run_id, labels.run_labels(run_id))
    try:
        outcome = project.up()
        assert not outcome.ok
        assert "docker-compose up" in outcome.message
        assert "unhealthy" in outcome.output
    finally:
        project.close()

    assert _project_objects(docker_client, run_id) == []


def test_compose_objects_carry_run_labels(tmp_path: Path, engine: Engine, docker_client: docker.DockerClient) -> None:
    run_id = labels.new_run_id()
    project = _compose(engine, _project(tmp_path, HEALTHY_WITH_VOLUME), run_id, labels.run_labels(run_id))
    try:
        assert project.up().ok
        selector = {"label": f"{labels.RUN_LABEL}={run_id}"}
        assert len(docker_client.containers.list(all=True, filters=selector)) == 1
        assert len(docker_client.networks.list(filters=selector)) == 1
        assert len(docker_client.volumes.list(filters=selector)) == 1
        container = docker_client.containers.list(all=True, filters=selector)[0]
        assert container.attrs["HostConfig"]["Memory"] == ResourceLimits().memory_mib * 1024 * 1024
        assert container.attrs["HostConfig"]["PidsLimit"] == ResourceLimits().pids
    finally:
        project.close()

    assert _project_objects(docker_client, run_id) == []


def test_killed_run_compose_objects_reaped(tmp_path: Path, engine: Engine, docker_client: docker.DockerClient) -> None:
    """A project whose owner died (here: labels naming an ended process) is reaped by the next run."""
    run_id = labels.new_run_id()
    dead_owner = {**labels.run_labels(run_id), labels.PID_LABEL: str(_ended_pid())}
    project = _compose(engine, _project(tmp_path, HEALTHY_WITH_VOLUME), run_id, dead_owner)
    try:
        assert project.up().ok

        engine.reap_orphans()
        compose.reap_orphan_volumes(engine)

        assert _project_objects(docker_client, run_id) == []
        assert hubgrade_objects(docker_client, orphans_only=True) == []
    finally:
        project.close()


PUBLISHED_PORTS = """\
services:
  app:
    image: redis:7
    ports:
      - "${APP_PORT:-3000}:3000"
  db:
    image: redis:7
    ports:
      - "0.0.0.0:6379:6379"
      - target: 6380
        published: 6380
"""


def test_compose_ports_published_on_loopback(tmp_path: Path, engine: Engine, docker_client: docker.DockerClient) -> None:
    run_id = labels.new_run_id()
    project = _compose(engine, _project(tmp_path, PUBLISHED_PORTS), run_id, labels.run_labels(run_id))
    try:
        outcome = project.up()
        assert outcome.ok, outcome.output
        assert outcome.host_port == project.host_port
        bindings = {}
        for container in docker_client.containers.list(filters={"label": f"{labels.RUN_LABEL}={run_id}"}):
            for port, entries in container.attrs["NetworkSettings"]["Ports"].items():
                for entry in entries or []:
                    bindings[(container.labels[compose.SERVICE_LABEL], port)] = (entry["HostIp"], int(entry["HostPort"]))
    finally:
        project.close()

    assert bindings[("app", "3000/tcp")] == ("127.0.0.1", project.host_port)
    assert bindings[("db", "6379/tcp")][0] == "127.0.0.1"
    assert bindings[("db", "6380/tcp")][0] == "127.0.0.1"
    # The database's fixed host ports are not needed by the grader: the engine picks free ones.
    assert bindings[("db", "6379/tcp")][1] != 6379
    assert bindings[("db", "6380/tcp")][1] != 6380
    assert set(bindings) == {("app", "3000/tcp"), ("db", "6379/tcp"), ("db", "6380/tcp")}


def test_loopback_ports_both_syntaxes() -> None:
    resolved = {
        "version": "3.9",
        "services": {
            "app": {"image": "node", "ports": ["127.0.0.1:4444:3000/tcp", {"target": 3000, "published": 5555}]},
            "db": {"image": "postgres", "ports": [{"target": 5432}, "[::]:15432:5432", "8080-8081:8080-8081/udp"]},
            "worker": {"image": "node"},
        },
    }

    published = compose.loopback_ports(resolved, "app")

    assert published["services"]["app"]["ports"] == ["127.0.0.1:4444:3000/tcp", "127.0.0.1:5555:3000/tcp"]
    assert published["services"]["db"]["ports"] == [
        "127.0.0.1::5432/tcp", "127.0.0.1::5432/tcp", "127.0.0.1::8080-8081/udp",
    ]
    assert published["services"]["worker"] == {"image": "node"}
    assert published["version"] == "3.9"
    assert resolved["services"]["db"]["ports"][0] == {"target": 5432}


def test_unsafe_compose_options_rejected(tmp_path: Path) -> None:
    resolved = {
        "services": {
            "app": {
                "privileged": True,
                "network_mode": "host",
                "cap_add": ["SYS_ADMIN"],
                "volumes": ["/var/run/docker.sock:/var/run/docker.sock", f"{tmp_path}/data:/data"],
            },
            "db": {"pid": "host", "volumes": [{"type": "bind", "source": "/etc", "target": "/host-etc"}]},
        },
        "volumes": {"shared": {"external": True}},
    }

    problems = compose.unsafe_options(resolved, tmp_path)

    assert "service app is privileged" in problems
    assert "service app uses network_mode: host" in problems
    assert "service app sets cap_add" in problems
    assert any("/var/run/docker.sock" in problem for problem in problems)
    assert not any(f"{tmp_path}/data" in problem for problem in problems)
    assert "service db uses pid: host" in problems
    assert any("/etc" in problem for problem in problems)
    assert any(problem.startswith("volume shared is external") for problem in problems)


def test_unsafe_compose_file_not_started(tmp_path: Path, engine: Engine, docker_client: docker.DockerClient) -> None:
    text = "services:\n  app:\n    image: redis:7\n    privileged: true\n"
    run_id = labels.new_run_id()
    project = _compose(engine, _project(tmp_path, text), run_id, labels.run_labels(run_id))
    try:
        outcome = project.up()
        assert not outcome.ok
        assert "service app is privileged" in outcome.message
        assert _project_objects(docker_client, run_id) == []
    finally:
        project.close()


def test_interrupt_during_compose_up_cleans_up(docker_client: docker.DockerClient, no_leftovers: None) -> None:
    process = subprocess.Popen(
        [*HUBGRADE, "--log-level", "info", "check", "dockerize", str(REFERENCE), "--runner", "docker"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stderr is not None
    seen = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:
        line = process.stderr.readline()
        seen.append(line)
        if "starting compose project" in line:
            break
    else:
        process.kill()
        pytest.fail("compose never started; stderr was:\n" + "".join(seen))
    project = line.split("starting compose project ")[1].split()[0]

    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)

    assert process.returncode == 130, stderr[-3000:]
    assert _project_objects(docker_client, project) == []
    owned = {"label": f"{labels.PID_LABEL}={process.pid}"}
    assert docker_client.volumes.list(filters=owned) == []
    assert docker_client.containers.list(all=True, filters=owned) == []


def _ended_pid() -> int:
    """Return the pid of a process that has already ended."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid
