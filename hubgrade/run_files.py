"""Files a grader generates for one run, and the folders the server may write to.

A grader folder may hold ``data.py`` with ``generate(rng) -> dict[str, bytes]``: the
run's dataset (products, files to download, an env file), keyed by relative path. It is
called once per run with a freshly seeded ``random.Random``, before the server starts.
The server reads the files, read-only, where ``{data: NAME}`` environment values point;
the grader reads the same bytes through the ``data_files`` fixture. ``{directory: NAME}``
values point to empty folders the server may write to, fresh for every run.
"""

from __future__ import annotations

import importlib.util
import random
import secrets
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from hubgrade.errors import ConfigError

if TYPE_CHECKING:
    from hubgrade.assignment import Assignment

DATA_MODULE = "data.py"
MAX_DATA_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class RunFiles:
    """The generated files by relative path, and the names of the writable folders."""

    data: dict[str, bytes] = field(default_factory=dict)
    directories: tuple[str, ...] = ()

    def write(self, root: Path) -> None:
        """Write the generated files under ``root``, creating folders as needed."""
        for name, content in self.data.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)


def is_safe_relative(name: str) -> bool:
    """Return whether ``name`` is a relative POSIX path that stays inside its root."""
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def generate(assignment: Assignment) -> RunFiles:
    """Run the grader's ``data.py`` (if any) and check that every ``{data: NAME}`` exists."""
    module_path = assignment.grader_dir / DATA_MODULE
    where = str(module_path)
    data: dict[str, bytes] = {}
    if module_path.is_file():
        data = _call_generator(module_path)
    problems = []
    total = 0
    for name, content in data.items():
        total += len(content)
        if not is_safe_relative(name):
            problems.append(f"generate(): {name!r} is not a relative path inside the data folder")
    if total > MAX_DATA_BYTES:
        problems.append(f"generate(): {total} bytes of files; the limit is {MAX_DATA_BYTES}")
    for value in assignment.environment:
        if value.data is None:
            continue
        prefix = value.data.rstrip("/") + "/"
        if value.data not in data and not any(name.startswith(prefix) for name in data):
            problems.append(
                f"environment.{value.name}: {{data: {value.data}}} names no file or folder that generate() returned"
            )
    if problems:
        raise ConfigError(where, problems)
    directories = tuple(value.directory for value in assignment.environment if value.directory is not None)
    return RunFiles(data, directories)


def _call_generator(module_path: Path) -> dict[str, bytes]:
    where = str(module_path)
    spec = importlib.util.spec_from_file_location(f"hubgrade_data_{abs(hash(where))}", module_path)
    if spec is None or spec.loader is None:
        raise ConfigError(where, ["could not be loaded as a Python module"])
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        generator = getattr(module, "generate")
        files = generator(random.Random(secrets.randbits(64)))
    except AttributeError as exc:
        raise ConfigError(where, [f"needs a function generate(rng) -> dict[str, bytes] ({exc})"]) from exc
    except Exception as exc:  # a broken generator is the assignment author's problem, shown as such
        raise ConfigError(where, [f"generate() raised {type(exc).__name__}: {exc}"]) from exc
    if not isinstance(files, dict):
        raise ConfigError(where, [f"generate() returned {type(files).__name__}, expected dict[str, bytes]"])
    data: dict[str, bytes] = {}
    for name, content in files.items():
        if isinstance(content, str):
            content = content.encode("utf-8")
        if not isinstance(name, str) or not isinstance(content, bytes):
            raise ConfigError(where, [f"generate() returned {name!r}: expected str keys and bytes or str values"])
        data[name] = content
    return data
