"""Run a submission's server as a host process group, without isolation.

Dependencies are installed in the project folder itself, as the learner would. A stamp
file in node_modules records the digest of package.json and the lockfile, so an
unchanged dependency set is not installed again. The server runs in its own process
group, which is always killed at the end.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import psutil

from hubgrade import process_group
from hubgrade.interrupts import uninterrupted
from hubgrade.errors import EnvironmentProblem
from hubgrade.runners import npm_output
from hubgrade.runners.base import RunningServer, StartupFailed, step_timed_out, tail, with_changes
from hubgrade.runners.readiness import Listener, Ready, responds_to_http, wait_until_ready
from hubgrade.runners import sandbox
from hubgrade.runners.sandbox import SandboxRun
from hubgrade.ports import free_port
from hubgrade.result import LimitHit
from hubgrade.run_files import RunFiles
from hubgrade.services.service_set import DockerServices, ExistingServices, ServiceRequest, Services
from hubgrade.submission import Submission

if TYPE_CHECKING:
    from hubgrade.runners.docker_engine import Engine

logger = logging.getLogger(__name__)

STAMP_FILE = ".hubgrade-dependencies"
STOP_GRACE_SECONDS = 3


class LocalRunner:
    name = "local"

    def __init__(self, submission: Submission, *, startup_seconds: float, build_seconds: float = 300.0) -> None:
        self.submission = submission
        self.startup_seconds = startup_seconds
        self.build_seconds = build_seconds
        self.dependencies_reused = False
        self._process: subprocess.Popen[bytes] | None = None
        self._log_dir = Path(tempfile.mkdtemp(prefix="hubgrade-local-"))
        self._log_path = self._log_dir / "server.log"
        self.data_root = str(self._log_dir / "data")
        self.work_root = str(self._log_dir / "work")
        # The server's temporary folder, empty at each start, as /tmp is in a container.
        self._temporary = self._log_dir / "tmp"
        self._environment: dict[str, str] = {}
        self._port = 0
        self.services: Services | None = None
        self._engine: Engine | None = None
        self._run_id = ""

    def __enter__(self) -> LocalRunner:
        process_group.reap_orphan_groups()
        for tool in ("node", "npm"):
            if shutil.which(tool) is None:
                raise EnvironmentProblem(
                    f"{tool} is not on PATH, and the local runner needs it; install Node.js 20 or later, "
                    "or use --runner docker"
                )
        return self

    def __exit__(self, *exc_info: object) -> None:
        with uninterrupted():
            self._stop()
            if self._engine is not None:
                self._engine.remove_run(self._run_id)
            shutil.rmtree(self._log_dir, ignore_errors=True)

    def prepare(self, files: RunFiles) -> None:
        files.write(Path(self.data_root))
        for folder in files.directories:
            (Path(self.work_root) / folder).mkdir(parents=True, exist_ok=True)
        self._install()
        if self.submission.has_build:
            self._run_step(["npm", "run", "build"], "build", "`npm run build`")

    def _install(self) -> None:
        stamp = self.submission.path / "node_modules" / STAMP_FILE
        digest = self.submission.dependency_digest()
        if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == digest:
            logger.info("dependencies unchanged in %s, not installing again", self.submission.path)
            self.dependencies_reused = True
            return
        command = self.submission.install_command.split()
        self._run_step(command, "install", f"`{self.submission.install_command}`")
        stamp.parent.mkdir(exist_ok=True)
        # npm install may have written a lockfile, which is part of the digest from now on.
        stamp.write_text(self.submission.dependency_digest() + "\n", encoding="utf-8")

    def _run_step(self, command: list[str], reason: str, label: str) -> None:
        logger.info("running %s in %s", label, self.submission.path)
        # A group of its own, so that a step that runs past its time ends with all its children.
        process = subprocess.Popen(
            command, cwd=self.submission.path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, env=_npm_environment(), start_new_session=True,
        )
        process_group.record_group(process.pid)
        try:
            raw, _ = process.communicate(timeout=self.build_seconds)
        except subprocess.TimeoutExpired:
            raise step_timed_out(reason, label, self.build_seconds, tail(_end_step(process))) from None
        except BaseException:
            _end_step(process)
            raise
        finally:
            process_group.forget_group(process.pid)
        output = raw.decode("utf-8", errors="replace")
        if process.returncode != 0:
            shown = npm_output.failure_reason(output, inside_container=False) if reason == "install" else tail(output)
            raise StartupFailed(reason, f"{label} failed with exit code {process.returncode}", shown)

    def start(self, environment: dict[str, str], services: list[ServiceRequest]) -> RunningServer:
        self._port = free_port()
        self.services = self._start_services(services)
        self._environment = {**environment, **self.services.server_environment(), "PORT": str(self._port)}
        return self._start_process(self._environment)

    def _start_services(self, requests: list[ServiceRequest]) -> Services:
        """Start the services in Docker when an engine responds, else use the ones the user runs."""
        from hubgrade import labels
        from hubgrade.runners.docker_engine import Engine, engine_available

        if not requests or not engine_available():
            existing = ExistingServices(dict(os.environ))
            existing.start(requests)
            return existing
        self._engine = Engine.connect()
        self._engine.reap_orphans()
        self._run_id = labels.new_run_id()
        logger.warning("starting the services in Docker (run %s); the server runs on this machine", self._run_id)
        started = DockerServices(self._engine, self._run_id, labels.run_labels(self._run_id), None, self.startup_seconds)
        started.start(requests)
        return started

    def restart(self, environment: dict[str, str | None] | None = None) -> RunningServer:
        self._stop()
        return self._start_process(with_changes(self._environment, environment or {}))

    def limits_hit(self) -> list[LimitHit]:
        """Return no limits: the local runner sets no resource limits, so none can be reached."""
        return []

    def server_log(self) -> str:
        try:
            return self._log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def server_exit_code(self) -> int | None:
        return self._process.poll() if self._process else None

    def run_in_sandbox(
        self, command: list[str], files: dict[str, bytes], timeout_seconds: float, environment: dict[str, str]
    ) -> SandboxRun:
        return sandbox.run_in_copy(
            self.submission.path, command=command, files=files, timeout_seconds=timeout_seconds,
            environment={**_npm_environment(), **environment},
        )

    def _start_process(self, server_environment: dict[str, str]) -> RunningServer:
        shutil.rmtree(self._temporary, ignore_errors=True)
        self._temporary.mkdir()
        environment = {**_npm_environment(), **server_environment, "TMPDIR": str(self._temporary)}
        logger.info("starting `%s` in %s with PORT=%d", self.submission.start_command, self.submission.path, self._port)
        with open(self._log_path, "ab") as log:
            self._process = subprocess.Popen(
                ["sh", "-c", self.submission.start_command], cwd=self.submission.path, env=environment,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        process_group.record_group(self._process.pid)
        ready = wait_until_ready(
            expected_port=self._port,
            startup_seconds=self.startup_seconds,
            probe=lambda port: responds_to_http(f"http://127.0.0.1:{port}/"),
            exit_code=self._process.poll,
            listeners=self._listeners,
            read_log=self.server_log,
            reject_loopback=False,
        )
        return self._running(ready)

    def _running(self, ready: Ready) -> RunningServer:
        running = RunningServer(base_url=f"http://127.0.0.1:{ready.port}", port=ready.port, expected_port=self._port)
        if ready.other_port:
            running.warnings.append(
                f"the server listens on port {ready.port} and ignores the PORT environment variable "
                f"(PORT={self._port}); graded on port {ready.port}, but read PORT as the spec says"
            )
        return running

    def _listeners(self) -> list[Listener]:
        if self._process is None:
            return []
        found = []
        for process in _process_group(self._process.pid):
            try:
                connections = process.net_connections(kind="inet")
            except psutil.Error:
                continue
            for connection in connections:
                if connection.status == psutil.CONN_LISTEN and connection.laddr:
                    found.append(Listener(connection.laddr.ip, connection.laddr.port))
        return found

    def _stop(self) -> None:
        if self._process is None:
            return
        pgid = self._process.pid
        logger.info("stopping process group %d", pgid)
        _signal_group(pgid, signal.SIGTERM)
        try:
            self._process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            pass
        # Children that outlived the shell are killed too.
        _signal_group(pgid, signal.SIGKILL)
        try:
            self._process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            logger.warning("process group %d did not end after SIGKILL", pgid)
        self._process = None
        process_group.forget_group(pgid)
        _wait_port_free(self._port)


def _end_step(process: subprocess.Popen[bytes]) -> str:
    """Kill an install or build step with its whole group, and return what it printed."""
    _signal_group(process.pid, signal.SIGKILL)
    try:
        raw, _ = process.communicate(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        # A child that left the group still has the output pipe open.
        logger.warning("a child of process group %d left the group and still runs", process.pid)
        process.kill()
        return ""
    return (raw or b"").decode("utf-8", errors="replace")


def _process_group(pgid: int) -> list[psutil.Process]:
    members = []
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) == pgid:
                members.append(process)
        except (ProcessLookupError, psutil.Error):
            continue
    return members


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass


def _wait_port_free(port: int, seconds: float = 2.0) -> None:
    deadline = time.monotonic() + seconds
    while port and time.monotonic() < deadline and responds_to_http(f"http://127.0.0.1:{port}/", timeout=0.2):
        time.sleep(0.05)


# Host variables the server and npm may see. Others (tokens, credentials) stay out.
_PASSED_VARIABLES = frozenset({
    "PATH", "HOME", "USER", "LANG", "LC_ALL", "TERM", "TMPDIR", "SHELL", "NODE_EXTRA_CA_CERTS",
    "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
})


def _npm_environment() -> dict[str, str]:
    environment = {
        name: value for name, value in os.environ.items()
        if name in _PASSED_VARIABLES or name.lower().startswith("npm_config_")
    }
    environment.update({"NPM_CONFIG_UPDATE_NOTIFIER": "false", "NPM_CONFIG_FUND": "false", "NPM_CONFIG_AUDIT": "false"})
    return environment
