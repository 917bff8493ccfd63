"""Start the services of one run, wait until each serves a real client, stop them on exit.

In Docker, each service runs on the run's network under its service name, with fresh
random credentials, and is published on a free port of 127.0.0.1 for the grader (and
for a server that runs on the host). Without Docker, the local runner can use services
the user already runs, named by the usual variables (``ExistingServices``).
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from hubgrade.assignment import ServiceSpec
from hubgrade.errors import ConfigError, EnvironmentProblem, UsageError
from hubgrade.runners.base import tail
from hubgrade.runners.docker_engine import Engine, ServerContainer
from hubgrade.ports import free_port
from hubgrade.services.kinds import REGISTRY, Credentials, Kind

logger = logging.getLogger(__name__)

PING_TIMEOUT_SECONDS = 2.0
POLL_SECONDS = 0.25
STOP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class ServiceRequest:
    name: str
    kind: str


@dataclass
class RunningService:
    name: str
    kind: Kind
    credentials: Credentials
    host_port: int
    container: ServerContainer | None = None
    # Where the server reaches the service: its name on the run's network, or the host.
    server_host: str = "127.0.0.1"
    server_port: int = 0
    # Where the grader reaches the service.
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        return self.kind.url(self.credentials, self.host, self.host_port)

    @property
    def server_url(self) -> str:
        return self.kind.url(self.credentials, self.server_host, self.server_port or self.host_port)

    def server_variables(self) -> dict[str, str]:
        return self.kind.variables(self.credentials, self.server_host, self.server_port or self.host_port)

    def describe(self) -> dict[str, Any]:
        """Return what the grader process needs to reach this service."""
        return {
            "name": self.name, "kind": self.kind.name, "url": self.url, "server_url": self.server_url,
            "host": self.host, "port": self.host_port, "user": self.credentials.user,
            "password": self.credentials.password, "database": self.credentials.database,
        }


class _StartedServices:
    """Base of a started set of services: their variables for the server and their description for the grader."""

    def __init__(self) -> None:
        self.running: dict[str, RunningService] = {}

    def server_environment(self) -> dict[str, str]:
        environment: dict[str, str] = {}
        for service in self.running.values():
            environment.update(service.server_variables())
        return environment

    def describe(self) -> list[dict[str, Any]]:
        return [service.describe() for service in self.running.values()]


class DockerServices(_StartedServices):
    """The services of one run, as containers on the run's network."""

    def __init__(self, engine: Engine, run_id: str, run_labels: dict[str, str], network: str | None,
                 startup_seconds: float, publish_network: str | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.run_id = run_id
        self.labels = run_labels
        self.network = network
        # Where the services' ports are published when ``network`` is internal.
        self.publish_network = publish_network
        self.startup_seconds = startup_seconds

    def start(self, requests: list[ServiceRequest]) -> None:
        """Start every service at once and return when all are ready."""
        if not requests:
            return
        for request in requests:
            self.engine.ensure_image(REGISTRY[request.kind].image())
        with ThreadPoolExecutor(max_workers=len(requests), thread_name_prefix="hubgrade-service") as pool:
            started = list(pool.map(self._start_one, requests))
        for service in started:
            self.running[service.name] = service

    def _start_one(self, request: ServiceRequest) -> RunningService:
        kind = REGISTRY[request.kind]
        credentials = Credentials.fresh()
        host_port = free_port()
        name = f"{self.run_id}-{request.name}"
        logger.info("starting service %s (%s) as container %s", request.name, kind.image(), name)
        container = self.engine.run_service(
            image=kind.image(), name=name, alias=request.name, network=self.network,
            environment=kind.container_environment(credentials), command=kind.command(credentials),
            container_port=kind.port, host_port=host_port, run_labels=self.labels,
            publish_network=self.publish_network,
        )
        in_network = self.network is not None
        service = RunningService(
            name=request.name, kind=kind, credentials=credentials, host_port=host_port,
            container=ServerContainer(container, kind.port),
            server_host=request.name if in_network else "127.0.0.1",
            server_port=kind.port if in_network else host_port,
        )
        self.wait_ready(service)
        return service

    def wait_ready(self, service: RunningService) -> None:
        assert service.container is not None
        deadline = time.monotonic() + self.startup_seconds
        last_error = ""
        while True:
            code = service.container.exit_code()
            if code is not None:
                raise EnvironmentProblem(
                    f"service {service.name} ({service.kind.image()}) exited with code {code} before it was ready; "
                    f"its last lines of output:\n{tail(service.container.logs())}"
                )
            try:
                service.kind.ping(service.credentials, "127.0.0.1", service.host_port, PING_TIMEOUT_SECONDS)
            except Exception as exc:  # noqa: BLE001 - every client error means "not ready yet"
                last_error = f"{type(exc).__name__}: {exc}"
            else:
                logger.info("service %s ready on 127.0.0.1:%d", service.name, service.host_port)
                return
            if time.monotonic() >= deadline:
                raise EnvironmentProblem(
                    f"service {service.name} ({service.kind.image()}) was not ready within "
                    f"{self.startup_seconds:g} s (last attempt: {last_error}); its last lines of output:\n"
                    f"{tail(service.container.logs())}"
                )
            time.sleep(POLL_SECONDS)

    def stop(self, name: str) -> None:
        service = self._get(name)
        assert service.container is not None
        logger.info("stopping service %s", name)
        service.container.container.stop(timeout=STOP_TIMEOUT_SECONDS)

    def start_again(self, name: str) -> None:
        service = self._get(name)
        assert service.container is not None
        logger.info("starting service %s again", name)
        service.container.container.start()
        self.wait_ready(service)


    def _get(self, name: str) -> RunningService:
        if name not in self.running:
            raise UsageError(f"no service named {name!r} in this run; services: {', '.join(self.running) or 'none'}")
        return self.running[name]


def requests_for(specs: tuple[ServiceSpec, ...], choices: dict[str, str], config_path: str) -> list[ServiceRequest]:
    """Return the service to start for each spec, with the kind the learner picked."""
    problems = []
    for name in sorted(set(choices) - {spec.name for spec in specs}):
        known = ", ".join(spec.name for spec in specs if spec.choice) or "none"
        problems.append(f"services.{name}: this assignment has no service to choose by that name (choices: {known})")
    requests = []
    for spec in specs:
        kind = choices.get(spec.name, spec.kinds[0])
        if kind not in spec.kinds:
            problems.append(f"services.{spec.name}: expected one of {', '.join(spec.kinds)}, got {kind!r}")
            continue
        requests.append(ServiceRequest(spec.name, kind))
    if problems:
        raise ConfigError(config_path, problems)
    return requests


# The variable each kind is read from when the user runs the service (local runner, no Docker).
EXISTING_URL_VARIABLES = {"redis": "REDIS_URL", "postgres": "DATABASE_URL", "mysql": "MYSQL_URL", "mongodb": "MONGODB_URI"}


class ExistingServices(_StartedServices):
    """Services the user already runs, named by the usual URL variables."""

    def __init__(self, environment: dict[str, str]) -> None:
        super().__init__()
        self.environment = environment

    def start(self, requests: list[ServiceRequest]) -> None:
        for request in requests:
            variable = EXISTING_URL_VARIABLES[request.kind]
            url = self.environment.get(variable)
            if not url:
                raise EnvironmentProblem(
                    f"service {request.name} needs {request.kind}, and no Docker engine responded to start one; "
                    f"start a Docker engine, or run {request.kind} yourself and set {variable} to its URL"
                )
            self.running[request.name] = _from_url(request, url)
            logger.warning("using the %s service at %s from %s", request.kind, _without_password(url), variable)

    def stop(self, name: str) -> None:
        raise UsageError(f"service {name} was not started by hubgrade, so it cannot be stopped")

    def start_again(self, name: str) -> None:
        raise UsageError(f"service {name} was not started by hubgrade, so it cannot be started")



Services = DockerServices | ExistingServices


def _from_url(request: ServiceRequest, url: str) -> RunningService:
    parts = urlsplit(url)
    kind = REGISTRY[request.kind]
    database = parts.path.lstrip("/") or ("0" if request.kind == "redis" else "")
    credentials = Credentials(unquote(parts.username or ""), unquote(parts.password or ""), database)
    port = parts.port or kind.port
    host = parts.hostname or "127.0.0.1"
    return RunningService(request.name, kind, credentials, port, server_host=host, server_port=port, host=host)


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)
