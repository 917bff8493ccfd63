"""Start and stop a learner's compose file with ``docker-compose`` (Compose v1).

The project is named after the run id, so its containers, networks and volumes never
clash with another run's. Compose starts the file as ``docker-compose config`` resolved
it, with every published port bound to 127.0.0.1: the app's on the host port the
learner chose (``APP_PORT``), the others on ports the engine picks, so that two runs
never clash on a fixed port such as 5432. An override file, written outside the
learner's folder, adds the run's labels to every service, built image, network and
volume of the file. So the run's clean-up removes them, and after a SIGKILL the next run
reaps them like any other labelled object (volumes through ``reap_orphan_volumes``).
Each container also gets the memory, CPU and process limits of the learner's server.

Before anything starts, the resolved file is checked for options that reach the host
(privileged mode, host namespaces, added capabilities, devices, bind mounts outside the
project folder, external networks and volumes): such a file is rejected, not started.
"""

from __future__ import annotations

import logging
import os
import signal
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker.errors
import yaml

from hubgrade import labels
from hubgrade.ports import free_port
from hubgrade.runners.docker_engine import Engine, ResourceLimits

logger = logging.getLogger(__name__)

COMPOSE_COMMAND = "docker-compose"
# The names Compose looks for, in its own order of preference.
COMPOSE_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
# The learner's file publishes the app's port on this host port: "${APP_PORT:-3000}:3000".
PORT_VARIABLE = "APP_PORT"
CONFIG_TIMEOUT_SECONDS = 30
DOWN_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 3
PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
OUTPUT_LIMIT = 20_000
_HOST_NAMESPACE_KEYS = ("network_mode", "pid", "ipc", "userns_mode", "uts")
_FORBIDDEN_KEYS = ("cap_add", "devices", "security_opt", "device_cgroup_rules")


@dataclass
class ComposeOutcome:
    """The result of ``up``: success, a message, Compose's output, and the app's host port."""

    ok: bool
    message: str
    output: str = ""
    host_port: int | None = None


def compose_available() -> bool:
    return shutil.which(COMPOSE_COMMAND) is not None


def find_compose_file(project: Path) -> Path | None:
    for name in COMPOSE_FILE_NAMES:
        if (project / name).is_file():
            return project / name
    return None


class ComposeProject:
    """One run's ``docker-compose`` project: ``up()`` starts it at most once, ``close()`` takes it down."""

    def __init__(
        self, engine: Engine, project_dir: Path, run_id: str, run_labels: dict[str, str], *,
        timeout_seconds: float, limits: ResourceLimits, app_service: str, app_port: int,
    ) -> None:
        self.engine = engine
        self.project_dir = project_dir
        self.name = run_id
        self.labels = run_labels
        self.timeout_seconds = timeout_seconds
        self.limits = limits
        self.app_service = app_service
        self.app_port = app_port
        self.host_port = free_port()
        self._scratch = Path(tempfile.mkdtemp(prefix="hubgrade-compose-"))
        self._files: list[Path] = []
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._deadline = 0.0
        self.outcome: ComposeOutcome | None = None

    def up(self) -> ComposeOutcome:
        """Check the file, then create, limit and start every service; bounded by ``timeout_seconds``."""
        if self.outcome is None:
            self.outcome = self._up()
        return self.outcome

    def _up(self) -> ComposeOutcome:
        # One time limit for the whole start: config, build, create and start.
        self._deadline = time.monotonic() + self.timeout_seconds
        if not compose_available():
            return ComposeOutcome(False, f"{COMPOSE_COMMAND} is not installed on the grading machine")
        compose_file = find_compose_file(self.project_dir)
        if compose_file is None:
            return ComposeOutcome(False, f"no compose file in the project; add {COMPOSE_FILE_NAMES[2]}")
        self._files = [compose_file]
        config = self._run(["config"], min(CONFIG_TIMEOUT_SECONDS, self._remaining()))
        if config.returncode != 0:
            return ComposeOutcome(False, f"`docker-compose config` rejected {compose_file.name}", _text(config))
        resolved = yaml.safe_load(config.stdout) or {}
        problems = unsafe_options(resolved, self.project_dir)
        if problems:
            return ComposeOutcome(False, f"{compose_file.name} was not started: " + "; ".join(problems))
        started_file = self._scratch / "hubgrade-resolved.yml"
        published = loopback_ports(resolved, self.app_service)
        started_file.write_text(yaml.safe_dump(published), encoding="utf-8")
        override = self._scratch / "hubgrade-override.yml"
        override.write_text(yaml.safe_dump(label_override(resolved, self.labels)), encoding="utf-8")
        self._files = [started_file, override]

        logger.info("creating compose project %s from %s", self.name, compose_file)
        created = self._run(["up", "--no-start", "--build", "--no-color"], self._remaining())
        if created.returncode != 0:
            return ComposeOutcome(False, "`docker-compose up` failed while building or creating", _text(created))
        self._limit_containers()
        logger.info("starting compose project %s", self.name)
        started = self._run(["up", "--detach", "--no-build", "--no-color"], self._remaining())
        if started.returncode != 0:
            return ComposeOutcome(False, "`docker-compose up` failed while starting the services", _text(started))
        return ComposeOutcome(True, "started", _text(started), host_port=self._published_app_port())

    def _remaining(self) -> float:
        return max(1.0, self._deadline - time.monotonic())

    def containers(self) -> list[dict[str, Any]]:
        """Return each container of the project: service, state, user, health and start times."""
        found = []
        selector = {"label": f"{PROJECT_LABEL}={self.name}"}
        for container in self.engine.client.containers.list(all=True, filters=selector, ignore_removed=True):
            state = container.attrs.get("State", {})
            config = container.attrs.get("Config", {})
            health = state.get("Health") or {}
            found.append({
                "service": container.labels.get(SERVICE_LABEL, ""),
                "name": container.name,
                "status": state.get("Status", ""),
                "exit_code": state.get("ExitCode"),
                "started_at": state.get("StartedAt", ""),
                "user": config.get("User", ""),
                "image": config.get("Image", ""),
                "has_healthcheck": bool((config.get("Healthcheck") or {}).get("Test")),
                "health": health.get("Status", ""),
                "health_log": [
                    {"start": entry.get("Start", ""), "end": entry.get("End", ""), "exit_code": entry.get("ExitCode")}
                    for entry in health.get("Log") or []
                ],
            })
        return sorted(found, key=lambda entry: str(entry["service"]))

    def logs(self, service: str) -> str:
        selector = {"label": [f"{PROJECT_LABEL}={self.name}", f"{SERVICE_LABEL}={service}"]}
        chunks = []
        for container in self.engine.client.containers.list(all=True, filters=selector, ignore_removed=True):
            try:
                chunks.append(bytes(container.logs(stdout=True, stderr=True, tail=200)).decode("utf-8", "replace"))
            except docker.errors.DockerException as exc:
                logger.warning("could not read the log of %s: %s", container.name, exc)
        return "\n".join(chunks)

    def close(self) -> None:
        """Stop a running ``docker-compose`` command, take the project down, and remove what is left."""
        with self._lock:
            self._closed = True
            process = self._process
        if process is not None and process.poll() is None:
            logger.info("stopping docker-compose (pid %d) of project %s", process.pid, self.name)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if len(self._files) == 2:
            down = self._run(
                ["down", "--volumes", "--remove-orphans", "--rmi", "local", "--timeout", str(STOP_TIMEOUT_SECONDS)],
                DOWN_TIMEOUT_SECONDS, after_close=True,
            )
            if down.returncode != 0:
                logger.warning("docker-compose down of %s failed: %s", self.name, _text(down)[-2000:])
        removed = remove_project_objects(self.engine, self.name)
        if removed:
            logger.info("removed %d objects of compose project %s", removed, self.name)
        shutil.rmtree(self._scratch, ignore_errors=True)

    def _run(self, arguments: list[str], timeout: float, after_close: bool = False) -> subprocess.CompletedProcess[str]:
        files = [item for path in self._files for item in ("-f", str(path))]
        command = [
            # The kernel stops docker-compose when hubgrade dies, even by SIGKILL.
            "setpriv", "--pdeathsig", "KILL", "--",
            COMPOSE_COMMAND, "--project-name", self.name, "--project-directory", str(self.project_dir),
            *files, *arguments,
        ]
        environment = {**os.environ, PORT_VARIABLE: str(self.host_port)}
        environment.pop("COMPOSE_FILE", None)
        environment.pop("COMPOSE_PROJECT_NAME", None)
        with self._lock:
            if self._closed and not after_close:
                return subprocess.CompletedProcess(command, 1, "", "the run is ending")
            # A session of its own: Ctrl-C in the terminal reaches hubgrade, which then stops it.
            process = subprocess.Popen(
                command, cwd=self.project_dir, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                start_new_session=True,
            )
            self._process = process
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            message = f"\n`docker-compose {arguments[0]}` timed out after {timeout:.0f} s and was stopped"
            return subprocess.CompletedProcess(command, -9, _decode(stdout), _decode(stderr) + message)
        return subprocess.CompletedProcess(command, process.returncode, _decode(stdout), _decode(stderr))

    def _limit_containers(self) -> None:
        """Apply the server's memory, CPU and process limits to every created container."""
        selector = {"label": f"{PROJECT_LABEL}={self.name}"}
        names = [container.name for container in self.engine.client.containers.list(all=True, filters=selector, ignore_removed=True)]
        if not names:
            return
        memory = f"{self.limits.memory_mib}m"
        command = [
            "docker", "update", "--memory", memory, "--memory-swap", memory, "--cpus", str(self.limits.cpus),
            "--pids-limit", str(self.limits.pids), *names,
        ]
        completed = subprocess.run(command, capture_output=True, text=True, timeout=CONFIG_TIMEOUT_SECONDS, check=False)
        if completed.returncode != 0:
            logger.warning("could not limit the containers of %s: %s", self.name, completed.stderr.strip())

    def _published_app_port(self) -> int | None:
        selector = {"label": [f"{PROJECT_LABEL}={self.name}", f"{SERVICE_LABEL}={self.app_service}"]}
        for container in self.engine.client.containers.list(all=True, filters=selector, ignore_removed=True):
            bindings = (container.attrs.get("NetworkSettings", {}).get("Ports") or {}).get(f"{self.app_port}/tcp")
            for binding in bindings or []:
                if binding.get("HostPort"):
                    return int(binding["HostPort"])
        return None


def loopback_ports(resolved: dict[str, Any], app_service: str) -> dict[str, Any]:
    """Return the resolved file with every published port bound to 127.0.0.1.

    The app service keeps the host ports its file gives. Other services get host ports
    the engine picks, because only the grader, through the app, needs to reach them.
    """
    services: dict[str, Any] = {}
    for name, service in (resolved.get("services") or {}).items():
        if isinstance(service, dict) and isinstance(service.get("ports"), list):
            ports = [_loopback_port(entry, keep_host_port=name == app_service) for entry in service["ports"]]
            service = {**service, "ports": ports}
        services[name] = service
    return {**resolved, "services": services}


def _loopback_port(entry: Any, keep_host_port: bool) -> str:
    """Return one port entry, in either syntax Compose prints, as ``127.0.0.1:HOST:TARGET/PROTOCOL``."""
    if isinstance(entry, dict):
        target = str(entry.get("target", ""))
        published = str(entry.get("published") or "")
        protocol = str(entry.get("protocol") or "tcp")
    else:
        text, _, protocol = str(entry).partition("/")
        rest, _, target = text.rpartition(":")
        # What is left before the host port is the host address, which is replaced.
        published = rest.rpartition(":")[2]
        protocol = protocol or "tcp"
    host_port = published if keep_host_port else ""
    return f"127.0.0.1:{host_port}:{target}/{protocol}"


def label_override(resolved: dict[str, Any], run_labels: dict[str, str]) -> dict[str, Any]:
    """Return a compose file that adds ``run_labels`` to every object the resolved file creates."""
    services: dict[str, Any] = {}
    for name, service in (resolved.get("services") or {}).items():
        entry: dict[str, Any] = {"labels": dict(run_labels)}
        if isinstance(service, dict) and "build" in service:
            entry["build"] = {"labels": dict(run_labels)}
        services[name] = entry
    networks = {name: {"labels": dict(run_labels)} for name in (resolved.get("networks") or {})}
    networks.setdefault("default", {"labels": dict(run_labels)})
    override: dict[str, Any] = {"services": services, "networks": networks}
    volumes = {name: {"labels": dict(run_labels)} for name in (resolved.get("volumes") or {})}
    if volumes:
        override["volumes"] = volumes
    if "version" in resolved:
        override["version"] = str(resolved["version"])
    return override


def unsafe_options(resolved: dict[str, Any], project_dir: Path) -> list[str]:
    """Return the options of a resolved compose file that would reach the grading host."""
    problems = []
    root = project_dir.resolve()
    for name, service in (resolved.get("services") or {}).items():
        if not isinstance(service, dict):
            continue
        if service.get("privileged"):
            problems.append(f"service {name} is privileged")
        for key in _HOST_NAMESPACE_KEYS:
            value = str(service.get(key, ""))
            if value == "host" or value.startswith("container:"):
                problems.append(f"service {name} uses {key}: {value}")
        for key in _FORBIDDEN_KEYS:
            if service.get(key):
                problems.append(f"service {name} sets {key}")
        for volume in service.get("volumes") or []:
            source = _bind_source(volume)
            if source is not None and not _inside(Path(source), root):
                problems.append(f"service {name} mounts {source} from the host; mount only folders of the project")
    for section in ("networks", "volumes"):
        for name, entry in (resolved.get(section) or {}).items():
            if isinstance(entry, dict) and entry.get("external"):
                problems.append(f"{section[:-1]} {name} is external; let the project create its own")
    return problems


def _bind_source(volume: Any) -> str | None:
    if isinstance(volume, dict):
        return str(volume.get("source")) if volume.get("type") == "bind" else None
    source = str(volume).split(":", 1)[0]
    return source if source.startswith(("/", ".", "~")) else None


def _inside(path: Path, root: Path) -> bool:
    resolved = path.expanduser().resolve()
    return resolved == root or root in resolved.parents


def remove_project_objects(engine: Engine, project: str) -> int:
    """Remove every container, network, volume and image of a compose project by its label."""
    removed = 0
    selector = {"label": f"{PROJECT_LABEL}={project}"}
    client = engine.client
    listings: list[tuple[str, Callable[[], list[Any]]]] = [
        ("container", lambda: list(client.containers.list(all=True, filters=selector, ignore_removed=True))),
        ("network", lambda: list(client.networks.list(filters=selector))),
        ("volume", lambda: list(client.volumes.list(filters=selector))),
        ("image", lambda: list(client.images.list(filters=selector))),
    ]
    for kind, listing in listings:
        try:
            found = listing()
        except docker.errors.DockerException as exc:
            logger.warning("listing the %ss of compose project %s failed: %s", kind, project, exc)
            continue
        for item in found:
            removed += _remove(kind, item, client)
    return removed


def reap_orphan_volumes(engine: Engine) -> int:
    """Remove labelled volumes whose hubgrade process has ended (the engine's reaper skips volumes)."""
    removed = 0
    try:
        volumes = engine.client.volumes.list(filters={"label": labels.RUN_LABEL})
    except docker.errors.DockerException as exc:
        logger.warning("listing leftover volumes failed: %s", exc)
        return 0
    for volume in volumes:
        if labels.is_orphan(volume.attrs.get("Labels") or {}):
            removed += _remove("volume", volume, engine.client)
    return removed


def remove_run_volumes(engine: Engine, run_id: str) -> int:
    try:
        volumes = engine.client.volumes.list(filters={"label": f"{labels.RUN_LABEL}={run_id}"})
    except docker.errors.DockerException as exc:
        logger.warning("listing the volumes of %s failed: %s", run_id, exc)
        return 0
    return sum(_remove("volume", volume, engine.client) for volume in volumes)


def _remove(kind: str, item: Any, client: Any) -> int:
    try:
        if kind == "container":
            item.remove(force=True, v=True)
        elif kind == "image":
            client.images.remove(item.id, force=True)
        elif kind == "volume":
            item.remove(force=True)
        else:
            item.remove()
    except docker.errors.NotFound:
        return 0
    except docker.errors.DockerException as exc:
        logger.warning("removing %s %s failed: %s", kind, getattr(item, "name", item.id), exc)
        return 0
    logger.info("removed %s %s", kind, getattr(item, "name", item.id))
    return 1


def _decode(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", errors="replace")


def _text(completed: subprocess.CompletedProcess[str]) -> str:
    return (completed.stdout + completed.stderr)[-OUTPUT_LIMIT:]
