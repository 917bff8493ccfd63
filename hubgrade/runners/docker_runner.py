"""Run a submission's server in a locked-down Docker container.

Steps: reap leftovers of killed runs, make sure the base image is there, build (or
reuse) the dependency image, build the run image, create the run's network, start the
container and wait until it responds. The container runs as uid 1000 with all
capabilities dropped, no new privileges, memory, CPU and process limits, and its port
published on 127.0.0.1 only.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

from hubgrade import labels
from hubgrade.interrupts import uninterrupted
from hubgrade.runners import container_log, docker_image, npm_output
from hubgrade.runners.base import RunningServer, StartupFailed, step_timed_out, tail, with_changes
from hubgrade.runners.docker_engine import Engine, ResourceLimits, ServerContainer
from hubgrade.runners.image_build import BuildOutcome
from hubgrade.result import LimitHit
from hubgrade.run_files import RunFiles
from hubgrade.runners.readiness import Ready, parse_proc_net_tcp, wait_until_ready, responds_to_http
from hubgrade.runners import sandbox
from hubgrade.runners.sandbox import SandboxRun
from hubgrade.services.service_set import DockerServices, ServiceRequest, Services
from hubgrade.submission import Submission

logger = logging.getLogger(__name__)

DEFAULT_NODE_IMAGE = "node:24-bookworm-slim"
CONTAINER_PORT = 3000
STOP_TIMEOUT_SECONDS = 3
# The server's name on the run's network, where the relay finds it.
SERVER_ALIAS = "app"


def default_node_image() -> str:
    return os.environ.get("HUBGRADE_NODE_IMAGE") or DEFAULT_NODE_IMAGE


def _lock_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(base) / "hubgrade" / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class DockerRunner:
    name = "docker"
    data_root = docker_image.DATA_DIR
    work_root = docker_image.WORK_DIR
    # The user the server runs as; "" keeps the USER of the image (a learner's own Dockerfile).
    server_user = docker_image.SERVER_USER

    def __init__(
        self,
        submission: Submission,
        *,
        startup_seconds: float,
        base_image: str | None = None,
        limits: ResourceLimits | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.submission = submission
        self.startup_seconds = startup_seconds
        self.base_image = base_image or default_node_image()
        # The relay runs a few lines of Node.js, which any node image has.
        self.relay_image = self.base_image
        self.limits = limits or ResourceLimits()
        self.engine = engine or Engine.connect()
        self.run_id = labels.new_run_id()
        self.labels = labels.run_labels(self.run_id)
        # The server's network reaches nothing outside the run; the edge network only
        # carries the published ports of the relay and the services.
        self.network = f"{self.run_id}-net"
        self.edge_network = f"{self.run_id}-edge"
        self.run_image = f"hubgrade-run:{self.run_id}"
        self.dependencies_reused = False
        self._server: ServerContainer | None = None
        self.services: Services | None = None
        self._environment: dict[str, str] = {}
        self._ports: list[int] = [CONTAINER_PORT]
        self._files = RunFiles()
        # Whether the running container has other variables than the run's own.
        self._changed_environment = False
        self._containers_started = 0
        self._relay: ServerContainer | None = None
        self._relays_started = 0

    def __enter__(self) -> DockerRunner:
        self.engine.reap_orphans()
        return self

    def __exit__(self, *exc_info: object) -> None:
        logger.info("stopping run %s", self.run_id)
        with uninterrupted():
            self.engine.remove_run(self.run_id)

    def prepare(self, files: RunFiles) -> None:
        self._files = files
        self.engine.ensure_image(self.base_image)
        dependency_image = self._dependency_image()
        self._build_run_image(dependency_image)

    def _dependency_image(self) -> str:
        context = docker_image.dependency_context(self.submission, self.base_image, docker_image.host_ca_bundle())
        tag = docker_image.dependency_tag(context)
        # One build per dependency set at a time, so parallel runs share the result.
        with open(_lock_dir() / f"{tag.replace(':', '-')}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self.engine.has_image(tag):
                logger.info("dependencies unchanged, reusing image %s", tag)
                self.dependencies_reused = True
                return tag
            logger.info("installing dependencies with `%s` into image %s", self.submission.install_command, tag)
            outcome = self.engine.build(
                context.tar(), docker_image.DOCKERFILE_NAME, tag, {labels.CACHE_LABEL: "dependencies"},
                self.limits.build_seconds,
            )
        if not outcome.ok:
            raise _step_failed("install", f"`{self.submission.install_command}`", outcome, self.limits.build_seconds)
        return tag

    def _build_run_image(self, dependency_image: str) -> None:
        context = docker_image.run_context(self.submission, dependency_image, CONTAINER_PORT, self._files.data)
        logger.info("building image %s for run %s", self.run_image, self.run_id)
        # The run image would inherit the cache label of its base; it belongs to the run instead.
        image_labels = {**self.labels, labels.CACHE_LABEL: "run"}
        outcome = self.engine.build(
            context.tar(), docker_image.DOCKERFILE_NAME, self.run_image, image_labels, self.limits.build_seconds
        )
        if not outcome.ok:
            step = "`npm run build`" if self.submission.has_build else "copying the project into the image"
            raise _step_failed("build", step, outcome, self.limits.build_seconds)

    def start(self, environment: dict[str, str], services: list[ServiceRequest]) -> RunningServer:
        self.engine.create_network(self.network, self.labels, internal=True)
        self.engine.create_network(self.edge_network, self.labels)
        started = DockerServices(
            self.engine, self.run_id, self.labels, self.network, self.startup_seconds,
            publish_network=self.edge_network,
        )
        self.services = started
        started.start(services)
        self._environment = {**environment, **started.server_environment(), "PORT": str(CONTAINER_PORT)}
        for folder in self._files.directories:
            self.engine.create_volume(self._volume(folder), self.labels, self.limits.disk_mib)
        self._start_relay()
        server = self._run_container(self._environment)
        ready = self._wait(server)
        if not ready.other_port:
            return self._running(server, ready)

        # The server ignores PORT: relay its own port too.
        logger.info("relaying port %d of %s too", ready.port, server.name)
        self._ports = [CONTAINER_PORT, ready.port]
        self._start_relay()
        ready = self._wait(server)
        return self._running(server, ready)

    def _start_relay(self) -> None:
        if self._relay is not None:
            self._relay.container.remove(force=True)
        self._relays_started += 1
        self.engine.ensure_image(self.relay_image)
        container = self.engine.run_relay(
            image=self.relay_image, name=f"{self.run_id}-relay-{self._relays_started}", target=SERVER_ALIAS,
            ports=self._ports, edge_network=self.edge_network, network=self.network, run_labels=self.labels,
            held_volumes=[self._volume(folder) for folder in self._files.directories],
        )
        self._relay = ServerContainer(container, CONTAINER_PORT)

    def restart(self, environment: dict[str, str | None] | None = None) -> RunningServer:
        if self._server is None:
            raise RuntimeError("restart() before start()")
        if environment is None and not self._changed_environment:
            logger.info("restarting container %s", self._server.name)
            self._server.restart(STOP_TIMEOUT_SECONDS)
            return self._running(self._server, self._wait(self._server))
        # A container's environment is fixed: a new one replaces it.
        changed = with_changes(self._environment, environment or {})
        self._server.container.remove(force=True)
        self._changed_environment = environment is not None
        server = self._run_container(changed)
        return self._running(server, self._wait(server))

    def limits_hit(self) -> list[LimitHit]:
        """Return the resource limits the server reached, as far as the engine can tell."""
        server = self._server
        if server is None:
            return []
        limits = self.limits
        hits = []
        log = self.server_log()
        if server.oom_killed():
            hits.append(LimitHit("memory_mib", f"the server was killed after using more than {limits.memory_mib} MiB of memory"))
        processes = server.process_count()
        if (processes is not None and processes >= limits.pids - 2) or "EAGAIN" in log:
            hits.append(LimitHit(
                "pids", f"the server reached the limit of {limits.pids} processes and threads and could not start more"
            ))
        full = server.full_folders(self._writable()) if server.exit_code() is None else []
        if full or "ENOSPC" in log:
            where = ", ".join(full) if full else "a writable folder"
            hits.append(LimitHit("disk_mib", f"the server filled {where} up to its limit of {limits.disk_mib} MiB"))
        if container_log.over_limit(log, limits.log_max_mib):
            hits.append(LimitHit("log_mib", container_log.limit_message(limits.log_max_mib)))
        return hits

    def _writable(self) -> list[str]:
        return ["/tmp", *(f"{self.work_root}/{folder}" for folder in self._files.directories)]

    def _volume(self, folder: str) -> str:
        """Name the volume of an assignment's writable folder: a tmpfs that outlives restarts."""
        return f"{self.run_id}-{folder}"

    def server_log(self) -> str:
        return self._server.logs() if self._server else ""

    def server_exit_code(self) -> int | None:
        return self._server.exit_code() if self._server else None

    def run_in_sandbox(
        self, command: list[str], files: dict[str, bytes], timeout_seconds: float, environment: dict[str, str]
    ) -> SandboxRun:
        return sandbox.run_in_container(
            self.engine, image=self.run_image, run_id=self.run_id, workdir=docker_image.APP_DIR, command=command,
            files=files, timeout_seconds=timeout_seconds, environment=environment, run_labels=self.labels,
            limits=self.limits, user=docker_image.SERVER_USER,
        )

    def _run_container(self, environment: dict[str, str]) -> ServerContainer:
        self._containers_started += 1
        name = f"{self.run_id}-server-{self._containers_started}"
        logger.info("starting container %s from %s", name, self.run_image)
        writable = ["/tmp"]
        volumes = {self._volume(folder): f"{self.work_root}/{folder}" for folder in self._files.directories}
        container = self.engine.run_server(
            image=self.run_image, name=name, environment=environment, ports=[],
            network=self.network, run_labels=self.labels, limits=self.limits, user=self.server_user,
            writable=writable, aliases=[SERVER_ALIAS], volumes=volumes,
        )
        self._server = ServerContainer(container, CONTAINER_PORT)
        return self._server

    def _wait(self, server: ServerContainer) -> Ready:
        assert self._relay is not None
        published = {port: self._relay.host_port(port) for port in _published_ports(self._relay)}

        def probe(port: int) -> bool:
            return port in published and responds_to_http(f"http://127.0.0.1:{published[port]}/")

        try:
            return wait_until_ready(
                expected_port=CONTAINER_PORT,
                startup_seconds=self.startup_seconds,
                probe=probe,
                exit_code=server.exit_code,
                listeners=lambda: parse_proc_net_tcp(server.proc_net_tcp()),
                read_log=server.logs,
                reject_loopback=True,
            )
        except StartupFailed as failure:
            if failure.reason == "crashed" and server.oom_killed():
                failure.message = (
                    f"the server was killed after using more than {self.limits.memory_mib} MiB of memory"
                )
            raise

    def _running(self, server: ServerContainer, ready: Ready) -> RunningServer:
        assert self._relay is not None
        host_port = self._relay.host_port(ready.port)
        running = RunningServer(
            base_url=f"http://127.0.0.1:{host_port}", port=ready.port, expected_port=CONTAINER_PORT
        )
        if ready.port != CONTAINER_PORT:
            running.warnings.append(
                f"the server listens on port {ready.port} and ignores the PORT environment variable "
                f"(PORT={CONTAINER_PORT}); graded on port {ready.port}, but read PORT as the spec says"
            )
        logger.info("container %s ready at %s", server.name, running.base_url)
        return running


def _step_failed(reason: str, step: str, outcome: BuildOutcome, build_seconds: float) -> StartupFailed:
    if outcome.timed_out:
        return step_timed_out(reason, step, build_seconds, tail(docker_image.failed_step_output(outcome.output)))
    code = docker_image.failed_step_exit_code(outcome.error)
    if code is None:
        log_tail = tail(docker_image.without_colours(outcome.output))
        return StartupFailed(reason, f"{step} failed: {outcome.error}", log_tail)
    output = docker_image.failed_step_output(outcome.output)
    shown = npm_output.failure_reason(output, inside_container=True) if reason == "install" else tail(output)
    return StartupFailed(reason, f"{step} failed with exit code {code}; its output is below", shown, code)


def _published_ports(server: ServerContainer) -> list[int]:
    server.container.reload()
    return sorted(int(key.split("/")[0]) for key in (server.container.ports or {}))
