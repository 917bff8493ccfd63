"""Helpers shared by the benchmark scripts in this folder.

Each script times hubgrade against a baseline in the same run, alternating the two,
and writes its raw timings to ``benchmarks/results/<name>.json``. Every Docker object
and folder a script creates carries its run token (``hgbench-<hex>``), and the script
removes it. hubgrade's own dependency images are kept, except the ones that
cold_check.py makes new on purpose, which it removes.
"""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO / "benchmarks" / "results"
VENV_BIN = Path(sys.executable).parent
HUBGRADE = str(VENV_BIN / "hubgrade")
NODE_IMAGE = os.environ.get("HUBGRADE_NODE_IMAGE") or "node:24-bookworm-slim"
# Docker objects created by a benchmark carry this label, with the run token as value.
BENCH_LABEL = "hubgrade-benchmark.run"
SAMPLE_SECONDS = 0.1
# The Docker engine's long-running processes, whose CPU time CpuMeter reports.
ENGINE_PROCESS_NAMES = ("dockerd", "containerd")


def new_token() -> str:
    return f"hgbench-{secrets.token_hex(4)}"


def run(command: list[str], *, timeout: float, check: bool = True, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a command and capture its text output. With ``check``, a non-zero exit raises RuntimeError with that output."""
    completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)
    if check and completed.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed with exit code {completed.returncode}:\n{completed.stdout}\n{completed.stderr}"
        )
    return completed


def free_port() -> int:
    """Return a loopback port that nothing listens on now (another process may take it later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- statistics and output -------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    median: float
    minimum: float
    maximum: float
    runs: int

    @classmethod
    def of(cls, values: Iterable[float]) -> Summary:
        data = list(values)
        return cls(statistics.median(data), min(data), max(data), len(data))

    def as_dict(self) -> dict[str, float | int]:
        return {"median": self.median, "min": self.minimum, "max": self.maximum, "runs": self.runs}


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    print("  ".join(cell.ljust(width) for cell, width in zip(header, widths)))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)))


def seconds_row(name: str, summary: Summary) -> list[str]:
    return [name, f"{summary.median:.2f}", f"{summary.minimum:.2f}", f"{summary.maximum:.2f}", str(summary.runs)]


def machine_info() -> dict[str, Any]:
    """Describe the machine and the code under test, for the results file."""
    cpu_model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    docker_version = run(["docker", "version", "--format", "{{.Server.Version}}"], timeout=30, check=False)
    commit = run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], timeout=30, check=False)
    dirty = run(["git", "-C", str(REPO), "status", "--porcelain", "--", "hubgrade"], timeout=30, check=False)
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "docker_server": docker_version.stdout.strip() or "unknown",
        "python": platform.python_version(),
        "kernel": platform.release(),
        "hubgrade_commit": commit.stdout.strip() or "unknown",
        "hubgrade_package_modified": bool(dirty.stdout.strip()),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }


def write_results(name: str, data: dict[str, Any]) -> Path:
    """Write ``data`` to benchmarks/results/<name>.json, replacing an earlier run's file."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    data = {"benchmark": name, "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **data}
    data["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return path


# --- memory sampling -------------------------------------------------------------


def is_hubgrade_python(process: psutil.Process) -> bool:
    """Return whether ``process`` is a Python interpreter: the hubgrade CLI, a batch child or a grader."""
    try:
        name = process.name()
        command = process.cmdline()
    except psutil.Error:
        return False
    return name.startswith("python") or name == "hubgrade" or bool(command and "python" in Path(command[0]).name)


@dataclass
class MemorySampler:
    """Sample the summed RSS of a process tree every 100 ms in a background thread.

    Only processes accepted by ``include`` count (by default Python interpreters, so
    Docker's and Node.js's processes are left out). ``peak_bytes`` is the highest sum
    seen, and ``peak_by_role`` the highest RSS seen per role that ``role_of`` assigns.
    A process that starts and ends between two samples is not seen.
    """

    root_pid: int
    include: Callable[[psutil.Process], bool] = is_hubgrade_python
    role_of: Callable[[psutil.Process], str] = lambda process: "python"
    peak_bytes: int = 0
    peak_processes: int = 0
    peak_by_role: dict[str, int] = field(default_factory=dict)
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> MemorySampler:
        self._thread = threading.Thread(target=self._loop, name="memory-sampler", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        try:
            root = psutil.Process(self.root_pid)
        except psutil.Error:
            return
        while not self._stop.is_set():
            self._sample(root)
            self._stop.wait(SAMPLE_SECONDS)

    def _sample(self, root: psutil.Process) -> None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        total = 0
        counted = 0
        for process in tree:
            if not self.include(process):
                continue
            try:
                rss = process.memory_info().rss
            except psutil.Error:
                continue
            total += rss
            counted += 1
            role = self.role_of(process)
            self.peak_by_role[role] = max(self.peak_by_role.get(role, 0), rss)
        self.samples += 1
        if total > self.peak_bytes:
            self.peak_bytes = total
            self.peak_processes = counted


class CpuMeter:
    """Measure CPU use over a block: the machine's busy fraction and the CPU time of waited-for children.

    ``children_seconds`` is the user plus system time of the child processes that ended
    and were waited for during the block, with their own waited-for descendants (so
    hubgrade's check and pytest processes count, but Docker's daemon and the containers
    do not). ``busy_fraction`` is the share of all CPUs that were not idle, for every
    process on the machine, including other users'. ``engine_seconds`` is the CPU time
    of the dockerd and containerd processes, which serve every Docker client on the
    machine, not only this benchmark.
    """

    def __enter__(self) -> CpuMeter:
        self._engine_processes = [
            process for process in psutil.process_iter(["name"]) if process.info["name"] in ENGINE_PROCESS_NAMES
        ]
        self._engine = _cpu_seconds(self._engine_processes)
        self._children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self._machine = psutil.cpu_times()
        return self

    def __exit__(self, *exc_info: object) -> None:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        machine = psutil.cpu_times()
        self.engine_seconds = _cpu_seconds(self._engine_processes) - self._engine
        self.children_seconds = (children.ru_utime - self._children.ru_utime) + (children.ru_stime - self._children.ru_stime)
        # On Linux, guest time is already counted in user time.
        total = sum(machine) - sum(self._machine) - _guest_seconds(machine) + _guest_seconds(self._machine)
        idle = (machine.idle - self._machine.idle) + (machine.iowait - self._machine.iowait)
        self.busy_fraction = (total - idle) / total if total > 0 else 0.0


def _guest_seconds(times: Any) -> float:
    return float(getattr(times, "guest", 0.0) + getattr(times, "guest_nice", 0.0))


def _cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def mib(value: float) -> float:
    return value / 2**20


# --- hubgrade's log ----------------------------------------------------------------

_LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (\w+) ([\w.]+): (.*)$")

# Phases of `hubgrade --log-level info check` with the Docker runner. Each phase starts at
# the first log line that its pattern matches and ends where the next phase starts.
# NOTE: the patterns follow hubgrade's log messages as of commit 060c29d. A phase whose
# line no longer appears is left out of the split.
PHASE_MARKERS = (
    ("start-up, inspection, engine ping", None),
    ("dependency image (lookup or build)", re.compile(r"^grading .* with the docker runner")),
    ("run image build and network", re.compile(r"^building image hubgrade-run:")),
    ("container start until ready", re.compile(r"^starting container ")),
    ("grader (pytest)", re.compile(r"^container .* ready at ")),
    ("clean-up", re.compile(r"^stopping run ")),
    ("report and exit", re.compile(r"^graded ")),
)


def log_events(stderr: str) -> list[tuple[float, str]]:
    """Return (epoch seconds, message) for each line of hubgrade's log in ``stderr``."""
    events = []
    for line in stderr.splitlines():
        match = _LOG_LINE.match(line)
        if match:
            stamp = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
            events.append((stamp, match.group(4)))
    return events


def phases(stderr: str, started: float, ended: float) -> dict[str, float]:
    """Split one check's wall-clock time into phases, from its log's timestamps.

    ``started`` and ``ended`` are the epoch times at which the benchmark started the
    process and saw it exit. The log's timestamps have millisecond resolution.
    """
    events = log_events(stderr)
    boundaries: list[tuple[str, float]] = [(PHASE_MARKERS[0][0], started)]
    for name, pattern in PHASE_MARKERS[1:]:
        assert pattern is not None
        for stamp, message in events:
            if pattern.search(message):
                boundaries.append((name, stamp))
                break
    boundaries.sort(key=lambda item: item[1])
    result: dict[str, float] = {}
    for index, (name, begin) in enumerate(boundaries):
        end = boundaries[index + 1][1] if index + 1 < len(boundaries) else ended
        result[name] = round(max(0.0, end - begin), 4)
    return result


def dependency_image_built(stderr: str) -> str | None:
    """Return the dependency image tag that this check built, or None when it reused one."""
    for _, message in log_events(stderr):
        match = re.search(r"into image (hubgrade-deps:[0-9a-f]+)$", message)
        if match:
            return match.group(1)
    return None


# --- files and Docker objects ------------------------------------------------------


def copy_project(source: Path, target: Path) -> Path:
    """Copy a project folder without node_modules, which hubgrade ignores anyway."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("node_modules", ".git"))
    return target


def remove_labelled(token: str) -> None:
    """Remove the containers and images that carry this run's benchmark label."""
    selector = f"label={BENCH_LABEL}={token}"
    containers = run(["docker", "ps", "-aq", "--filter", selector], timeout=60, check=False).stdout.split()
    if containers:
        run(["docker", "rm", "-f", *containers], timeout=120, check=False)
    images = run(["docker", "images", "-q", "--filter", selector], timeout=60, check=False).stdout.split()
    if images:
        run(["docker", "rmi", "-f", *sorted(set(images))], timeout=120, check=False)


def remove_image(tag: str) -> None:
    run(["docker", "rmi", "-f", tag], timeout=120, check=False)
