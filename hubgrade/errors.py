"""Errors a user can fix, one class per exit code.

Every error hubgrade raises on purpose derives from ``HubgradeError``. The CLI catches
them at its boundary, prints ``Error: <message>`` to stderr without a traceback and
exits with the class's ``exit_code``:

- ``UsageError`` (2): a bad argument, an unknown assignment id, a missing path.
- ``ConfigError`` (2): an invalid assignment.yaml, hubgrade.yaml or package.json.
- ``EnvironmentProblem`` (3): no Docker engine, a missing image, no Node.js on the host.

Docker, YAML and HTTP errors are translated into these where they enter our code,
with ``raise ... from exc``. A server that fails to start is not an error of this kind:
it is graded, with status ``error`` in the result.
"""

from __future__ import annotations


class HubgradeError(Exception):
    """Base class for errors reported to the user without a traceback."""

    exit_code = 2


class UsageError(HubgradeError):
    """A command was called with an argument that cannot work."""

    exit_code = 2


class ConfigError(HubgradeError):
    """A configuration file or project file is invalid.

    ``problems`` lists every problem found as ``path: message``.
    """

    exit_code = 2

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{source} is invalid:\n{lines}")


def yaml_problem(exc: Exception) -> str:
    """Return a YAML parse error as ``line L column C: not valid YAML: PROBLEM``, as config problems read."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    where = f"line {mark.line + 1} column {mark.column + 1}" if mark is not None else "(file)"
    return f"{where}: not valid YAML: {problem}"


class EnvironmentProblem(HubgradeError):
    """The machine lacks something hubgrade needs (Docker engine, image, Node.js)."""

    exit_code = 3
