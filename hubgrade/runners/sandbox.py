"""Run a command in a throwaway copy of the submission, with some of its files replaced.

Graders use it to run the learner's own tools against files they supply, for example
``npm test`` against the grader's copy of a module. The copy is discarded afterwards,
so the running server and the next command never see the replaced files.

Under Docker the copy is a one-off container from the run image. It has the server's
user, no capabilities, no new privileges, the same memory, CPU and process limits and no
network. It carries the run's labels, so it is removed with the run if hubgrade is
killed. The replaced files are put into it before it starts.

NOTE: unlike the server's, its root file system is writable, because Docker rejects
copying files into a container whose root file system is read-only. Its disk use is
bounded only by the time limit. Under the local runner the copy is a
temporary folder with the project's files and a link to its ``node_modules``.

A command that runs past its time limit is killed and reported as timed out. Only the
last ``MAX_OUTPUT_BYTES`` of its output (stdout and stderr together) are kept.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import secrets
import shutil
import signal
import subprocess
import tarfile
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from hubgrade import process_group
from hubgrade.submission import IGNORED_DIRS

if TYPE_CHECKING:
    from hubgrade.runners.base import Runner
    from hubgrade.runners.docker_engine import Engine, ResourceLimits

logger = logging.getLogger(__name__)

MAX_OUTPUT_BYTES = 64 * 1024
MAX_TIMEOUT_SECONDS = 300.0
# The replaced files travel through the control socket as JSON, so they stay small.
MAX_FILES_BYTES = 4 * 1024 * 1024
# Docker keeps at most two log files of this size per container. Once the first one is
# full, more than MAX_OUTPUT_BYTES are left, so a cut of the output is always noticed.
LOG_FILE_MAX = "512k"
KILL_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class SandboxRun:
    """The outcome of one command: its exit code (``None`` when killed at the time
    limit), the end of its output, and whether the output was cut."""

    exit_code: int | None
    output: str
    timed_out: bool
    truncated: bool
    duration: float

    @property
    def succeeded(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SandboxRun:
        exit_code = data["exit_code"]
        return cls(
            exit_code=None if exit_code is None else int(exit_code), output=str(data["output"]),
            timed_out=bool(data["timed_out"]), truncated=bool(data["truncated"]), duration=float(data["duration"]),
        )


def handle_request(runner: Runner, request: dict[str, Any]) -> dict[str, Any]:
    """Run a grader's ``sandbox_run`` control request; file contents arrive base64-encoded."""
    command = request.get("command")
    if not isinstance(command, list):
        raise ValueError(f"the command must be a list of strings, got {command!r}")
    files = {str(name): base64.b64decode(content) for name, content in dict(request.get("files") or {}).items()}
    environment = {str(name): str(value) for name, value in dict(request.get("environment") or {}).items()}
    timeout_seconds = float(request.get("timeout", 0))
    return runner.run_in_sandbox(command, files, timeout_seconds, environment).to_dict()


def check_request(command: list[str], files: dict[str, bytes], timeout_seconds: float) -> None:
    """Raise ``ValueError`` when a grader's request is invalid."""
    if not command or not all(isinstance(part, str) and part for part in command):
        raise ValueError(f"the command must be a non-empty list of non-empty strings, got {command!r}")
    if not 0 < timeout_seconds <= MAX_TIMEOUT_SECONDS:
        raise ValueError(f"timeout must be more than 0 and at most {MAX_TIMEOUT_SECONDS:g} s, got {timeout_seconds!r}")
    total = 0
    for name, content in files.items():
        path = PurePosixPath(name)
        if not name or path.is_absolute() or ".." in path.parts or path.parts[0] in IGNORED_DIRS:
            raise ValueError(
                f"invalid file path {name!r}: use a path relative to the project, without '..', "
                f"outside {', '.join(sorted(IGNORED_DIRS))}"
            )
        total += len(content)
    if total > MAX_FILES_BYTES:
        raise ValueError(f"the replaced files add up to {total} bytes, more than the maximum of {MAX_FILES_BYTES}")


def _cut_output(raw: bytes) -> tuple[str, bool]:
    """Return the last ``MAX_OUTPUT_BYTES`` of ``raw`` as text, and whether anything was cut."""
    truncated = len(raw) > MAX_OUTPUT_BYTES
    tail = raw[-MAX_OUTPUT_BYTES:] if truncated else raw
    return tail.decode("utf-8", errors="replace"), truncated


def run_in_container(
    engine: Engine, *, image: str, run_id: str, workdir: str, command: list[str], files: dict[str, bytes],
    timeout_seconds: float, environment: dict[str, str], run_labels: dict[str, str], limits: ResourceLimits,
    user: str,
) -> SandboxRun:
    """Run ``command`` in a new container from ``image`` with ``files`` put under ``workdir``."""
    import docker.errors
    import requests
    from docker.types import LogConfig

    check_request(command, files, timeout_seconds)
    name = f"{run_id}-sandbox-{secrets.token_hex(3)}"
    memory = f"{limits.memory_mib}m"
    try:
        # The command replaces the image's entry point too, so it runs as given on every base image.
        container = engine.client.containers.create(
            image, entrypoint=command, name=name, labels=run_labels, environment=environment, user=user,
            network_mode="none", mem_limit=memory, memswap_limit=memory, nano_cpus=int(limits.cpus * 1e9),
            pids_limit=limits.pids, security_opt=["no-new-privileges"], cap_drop=["ALL"], init=True,
            log_config=LogConfig(type="json-file", config={"max-size": LOG_FILE_MAX, "max-file": "2"}),
        )
    except docker.errors.DockerException as exc:
        raise RuntimeError(f"could not create container {name} from {image}: {exc}") from exc
    try:
        if files and not container.put_archive(workdir, _archive(files, user)):
            raise RuntimeError(f"could not copy the replaced files into container {name}")
        logger.info("running %s in container %s with %d replaced files", command, name, len(files))
        started = time.monotonic()
        container.start()
        exit_code: int | None
        try:
            exit_code = int(container.wait(timeout=timeout_seconds)["StatusCode"])
            timed_out = False
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
            logger.info("container %s did not finish within %g s; killing it", name, timeout_seconds)
            exit_code, timed_out = None, True
            container.kill()
        duration = time.monotonic() - started
        output, truncated = _cut_output(bytes(container.logs(stdout=True, stderr=True)))
    except docker.errors.DockerException as exc:
        raise RuntimeError(f"running {command} in container {name} failed: {exc}") from exc
    finally:
        try:
            container.remove(force=True, v=True)
        except docker.errors.DockerException as exc:
            # The run's labels are on it, so the run's clean-up removes it later.
            logger.warning("could not remove container %s: %s", name, exc)
    return SandboxRun(exit_code, output, timed_out, truncated, round(duration, 3))


def _archive(files: dict[str, bytes], user: str) -> bytes:
    uid, _, gid = user.partition(":")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        folders = sorted({str(parent) for name in files for parent in PurePosixPath(name).parents if str(parent) != "."})
        for folder in folders:
            info = tarfile.TarInfo(folder)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            info.uid, info.gid = int(uid), int(gid or uid)
            archive.addfile(info)
        for name, content in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mode = 0o644
            info.uid, info.gid = int(uid), int(gid or uid)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def run_in_copy(
    project: Path, *, command: list[str], files: dict[str, bytes], timeout_seconds: float, environment: dict[str, str]
) -> SandboxRun:
    """Run ``command`` in a temporary copy of ``project`` with ``files`` written into it."""
    check_request(command, files, timeout_seconds)
    with tempfile.TemporaryDirectory(prefix="hubgrade-sandbox-") as scratch:
        copy = Path(scratch) / "project"
        shutil.copytree(project, copy, symlinks=True, ignore=shutil.ignore_patterns(*IGNORED_DIRS))
        node_modules = project / "node_modules"
        if node_modules.is_dir():
            # Linked, not copied: the packages are large, and the command only reads them.
            (copy / "node_modules").symlink_to(node_modules.resolve(), target_is_directory=True)
        for name, content in files.items():
            target = copy / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)
            target.write_bytes(content)
        logger.info("running %s in a copy of %s with %d replaced files", command, project, len(files))
        return _run_process(command, copy, environment, timeout_seconds)


def _run_process(command: list[str], folder: Path, environment: dict[str, str], timeout_seconds: float) -> SandboxRun:
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            command, cwd=folder, env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
    except OSError as exc:
        # The exit code of a shell, and of the container's init process, for a missing program.
        return SandboxRun(127, f"could not start {command[0]}: {exc}\n", False, False, 0.0)
    process_group.record_group(process.pid)

    tail = _OutputTail()
    assert process.stdout is not None
    reader = threading.Thread(target=tail.read_all, args=(process.stdout,), name="hubgrade-sandbox-output", daemon=True)
    reader.start()

    exit_code: int | None
    try:
        exit_code = process.wait(timeout=timeout_seconds)
        timed_out = False
    except subprocess.TimeoutExpired:
        logger.info("%s did not finish within %g s; killing its process group", command, timeout_seconds)
        exit_code, timed_out = None, True
    finally:
        # Children left behind by the command (a test runner's workers) end with it.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=KILL_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            logger.warning("process group %d did not end after SIGKILL", process.pid)
        process_group.forget_group(process.pid)

    duration = time.monotonic() - started
    reader.join(timeout=KILL_GRACE_SECONDS)
    process.stdout.close()
    output, truncated = tail.text()
    return SandboxRun(exit_code, output, timed_out, truncated, round(duration, 3))


class _OutputTail:
    """The last ``MAX_OUTPUT_BYTES`` of a stream, read to its end."""

    def __init__(self) -> None:
        self._tail = bytearray()
        self._total = 0
        self._lock = threading.Lock()

    def read_all(self, stream: io.BufferedReader | Any) -> None:
        while True:
            try:
                chunk = stream.read1(65536)
            except (OSError, ValueError):
                return
            if not chunk:
                return
            with self._lock:
                self._total += len(chunk)
                self._tail += chunk
                del self._tail[: max(0, len(self._tail) - MAX_OUTPUT_BYTES)]

    def text(self) -> tuple[str, bool]:
        with self._lock:
            return bytes(self._tail).decode("utf-8", errors="replace"), self._total > MAX_OUTPUT_BYTES
