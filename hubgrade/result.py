"""The result of grading one submission, and its versioned JSON form.

The JSON form is documented in docs/result-format.md. ``SCHEMA_VERSION`` changes when
a field is removed or changes meaning; new fields may appear within a version.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

SCHEMA_VERSION = 1
CHECK_STATUSES = ("passed", "failed", "error", "skipped")
HIDDEN_DETAILS = "details are hidden for this check"


@dataclass
class CheckResult:
    name: str
    title: str
    status: str
    score: int
    max_score: int
    message: str = ""
    output: str = ""
    duration: float = 0.0
    exchanges: str = ""
    # A hidden check counts toward the score, but learner-facing reports show only its
    # title and points, never its message or output.
    hidden: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in data.items() if key in known})


@dataclass
class StartupError:
    """Why the server could not be graded: it failed to install, build or start."""

    reason: str
    message: str
    log_tail: str = ""
    exit_code: int | None = None


@dataclass
class LimitHit:
    """A limit of the run the server reached: ``name`` as in assignment.yaml, and what happened."""

    name: str
    message: str


@dataclass
class GradeResult:
    assignment: str
    assignment_version: int
    submission: str
    runner: str
    checks: list[CheckResult] = field(default_factory=list)
    max_score: int = 100
    warnings: list[str] = field(default_factory=list)
    startup_error: StartupError | None = None
    grader_error: str = ""
    log_tail: str = ""
    duration: float = 0.0
    min_score: int = 100
    # The server's entry file, relative to the current folder, for annotations that
    # point at a line of code; None when it cannot be determined.
    entry_file: str | None = None
    limits_hit: list[LimitHit] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(check.score for check in self.checks)

    @property
    def status(self) -> str:
        """``pass`` at or above the minimum score, ``fail`` below, ``error`` when not graded."""
        if self.startup_error is not None or self.grader_error:
            return "error"
        return "pass" if self.score >= self.min_score else "fail"

    @property
    def failed_checks(self) -> list[CheckResult]:
        return [check for check in self.checks if check.status != "passed"]

    def redacted(self) -> GradeResult:
        """Return a copy whose hidden checks keep their title and points but lose their details.

        The server's output goes too when there are hidden checks, because a server that
        logs its requests would show what those checks sent.
        """
        checks = [
            replace(check, message=HIDDEN_DETAILS if check.status != "passed" else "", output="", exchanges="")
            if check.hidden else check
            for check in self.checks
        ]
        hidden = any(check.hidden for check in self.checks)
        return replace(self, checks=checks, log_tail="" if hidden else self.log_tail)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "status": self.status,
            "score": self.score,
            "max_score": self.max_score,
            "min_score": self.min_score,
            "assignment": {"id": self.assignment, "version": self.assignment_version},
            "submission": self.submission,
            "runner": self.runner,
            "duration": round(self.duration, 3),
            "warnings": list(self.warnings),
            "limits_hit": [asdict(hit) for hit in self.limits_hit],
            "log_tail": self.log_tail,
            "error": self._error_dict(),
            "tests": [_check_dict(check) for check in self.checks],
        }

    def _error_dict(self) -> dict[str, Any] | None:
        if self.startup_error is not None:
            return asdict(self.startup_error)
        if self.grader_error:
            return {"reason": "grader", "message": self.grader_error, "log_tail": self.log_tail, "exit_code": None}
        return None


def _check_dict(check: CheckResult) -> dict[str, Any]:
    output = check.output
    if check.exchanges:
        output = f"{check.exchanges}\n\n{output}".strip()
    return {
        "name": check.name,
        "title": check.title,
        "status": check.status,
        "score": check.score,
        "max_score": check.max_score,
        "message": check.message,
        "output": output,
        "duration": check.duration,
        "hidden": check.hidden,
    }
