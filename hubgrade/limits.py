"""The limits of one grading run: time, and the resources the server may use.

An assignment sets them under ``limits:`` in assignment.yaml; ``hubgrade check --limit
NAME=VALUE`` overrides one for a run. The defaults are safe for a small Express server.
Time limits hold for every runner; the resource limits are enforced by the Docker runner.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from hubgrade.errors import UsageError


@dataclass(frozen=True)
class Limit:
    """One limit: its bounds, its unit, and what it covers."""

    low: float
    high: float
    unit: str
    whole: bool
    meaning: str


KNOWN: dict[str, Limit] = {
    "startup_seconds": Limit(1, 600, "seconds", False, "from the container's start to the server's first HTTP response"),
    "check_seconds": Limit(1, 300, "seconds", False, "for each check"),
    "memory_mib": Limit(64, 16384, "MiB", True, "of memory, swap included"),
    "cpus": Limit(0.1, 16, "CPUs", False, "of CPU time"),
    "pids": Limit(16, 4096, "processes and threads", True, "at once"),
    "disk_mib": Limit(1, 4096, "MiB", True, "in each writable folder (/tmp and the assignment's own)"),
    "log_mib": Limit(1, 1024, "MiB", True, "of server output before the log limit is reported"),
    "build_seconds": Limit(10, 3600, "seconds", False, "for each build step: the install, `npm run build`, a Dockerfile"),
}


# A request times out before the check's own limit, so that the learner reads which
# request hung rather than only that the check ran out of time.
REQUEST_SHARE_OF_CHECK = 0.75

# The limits only the Docker runner can enforce.
RESOURCE_LIMITS = ("memory_mib", "cpus", "pids", "disk_mib", "log_mib")


@dataclass(frozen=True)
class Limits:
    startup_seconds: float = 30.0
    check_seconds: float = 10.0
    memory_mib: int = 512
    cpus: float = 1.0
    pids: int = 256
    disk_mib: int = 64
    log_mib: int = 20
    build_seconds: float = 300.0

    def with_overrides(self, overrides: dict[str, float]) -> Limits:
        typed: dict[str, Any] = {name: _typed(name, value) for name, value in overrides.items()}
        return replace(self, **typed)

    def describe(self, name: str) -> str:
        """Return the limit as a learner reads it, for example ``512 MiB of memory, swap included``."""
        limit = KNOWN[name]
        value = getattr(self, name)
        return f"{value:g} {limit.unit} {limit.meaning}"


def _typed(name: str, value: float) -> float:
    return int(value) if KNOWN[name].whole else float(value)


def _check(name: str, value: Any) -> str | None:
    """Return the problem with ``value`` for limit ``name``, or None when it is valid."""
    limit = KNOWN[name]
    kind = "a whole number" if limit.whole else "a number"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return f"expected {kind} of {limit.unit} from {limit.low:g} to {limit.high:g}, got {value!r}"
    if limit.whole and value != int(value):
        return f"expected {kind} of {limit.unit} from {limit.low:g} to {limit.high:g}, got {value!r}"
    if not limit.low <= value <= limit.high:
        return f"expected {kind} of {limit.unit} from {limit.low:g} to {limit.high:g}, got {value!r}"
    return None


def parse(raw: Any, problems: list[str]) -> Limits:
    """Read ``limits:`` from assignment.yaml, adding each problem to ``problems``."""
    if not isinstance(raw, dict):
        problems.append(f"limits: expected a mapping, got {type(raw).__name__}")
        return Limits()
    for key in sorted(set(raw) - set(KNOWN), key=str):
        problems.append(f"limits.{key}: unknown field; known fields are {', '.join(KNOWN)}")
    values: dict[str, float] = {}
    for name in KNOWN:
        if name not in raw:
            continue
        problem = _check(name, raw[name])
        if problem:
            problems.append(f"limits.{name}: {problem}")
        else:
            values[name] = raw[name]
    return Limits().with_overrides(values)


def parse_override(text: str) -> tuple[str, float]:
    """Read one ``--limit NAME=VALUE``; raise ``UsageError`` naming the problem."""
    name, separator, raw_value = text.partition("=")
    name = name.strip().replace("-", "_")
    if not separator or name not in KNOWN:
        raise UsageError(f"--limit {text!r}: expected NAME=VALUE with NAME one of {', '.join(KNOWN)}")
    try:
        value = float(raw_value)
    except ValueError:
        raise UsageError(f"--limit {text!r}: {raw_value!r} is not a number") from None
    problem = _check(name, int(value) if math.isfinite(value) and value.is_integer() else value)
    if problem:
        raise UsageError(f"--limit {text!r}: {problem}")
    return name, value
