"""Inspect a learner's project: how to install, build and start it.

Reads package.json and the optional hubgrade.yaml, finds the start command (the
``start`` script, else ``main``, else a common entry file) and whether a ``build`` script
and a lockfile exist. Nothing here runs the project.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hubgrade.errors import ConfigError, UsageError, yaml_problem

logger = logging.getLogger(__name__)

PROJECT_CONFIG = "hubgrade.yaml"
LOCKFILES = ("package-lock.json", "npm-shrinkwrap.json")
ENTRY_CANDIDATES = (
    "server.js", "app.js", "index.js", "server.mjs", "app.mjs", "index.mjs",
    "src/server.js", "src/app.js", "src/index.js", "src/server.mjs", "src/app.mjs", "src/index.mjs",
)
# Folders never sent to the build: installed by hubgrade itself, or not part of the code.
IGNORED_DIRS = frozenset({"node_modules", ".git", ".hg", ".svn"})


@dataclass(frozen=True)
class ProjectConfig:
    """The learner's hubgrade.yaml: which assignment, and optionally how to start."""

    assignment: str | None = None
    start: str | None = None
    # Service name -> the kind the learner picked, for services that offer a choice.
    services: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Submission:
    path: Path
    package: dict[str, Any]
    start_command: str
    start_source: str
    lockfile: str | None
    has_build: bool
    module_type: str
    config: ProjectConfig
    notes: tuple[str, ...] = field(default=())

    @property
    def install_command(self) -> str:
        if self.lockfile:
            return "npm ci --no-audit --no-fund"
        return "npm install --no-audit --no-fund"

    def entry_file(self) -> str | None:
        """Return the file the server starts from, relative to the project, when it can be determined.

        Reads ``node FILE`` from the start command or the start script, else takes the
        first common entry file that exists.
        """
        scripts = self.package.get("scripts") or {}
        command = scripts.get("start", "") if self.start_command == "npm start" else self.start_command
        try:
            words = shlex.split(command) if isinstance(command, str) else []
        except ValueError:
            words = []
        if len(words) >= 2 and words[0] == "node":
            candidate = next((word for word in words[1:] if not word.startswith("-")), None)
            if candidate and (self.path / candidate).is_file():
                return candidate
        return next((name for name in ENTRY_CANDIDATES if (self.path / name).is_file()), None)

    def dependency_files(self) -> list[str]:
        return ["package.json", *([self.lockfile] if self.lockfile else [])]

    def dependency_digest(self) -> str:
        """Return a digest of package.json and the lockfile: equal digests, equal installs.

        Reads the lockfiles present now, so that a lockfile written by ``npm install``
        after inspection counts too.
        """
        digest = hashlib.sha256()
        present = [name for name in LOCKFILES if (self.path / name).is_file()]
        for name in ["package.json", *present]:
            digest.update(name.encode() + b"\0")
            digest.update((self.path / name).read_bytes() + b"\0")
        return digest.hexdigest()


def read_project_config(path: Path) -> ProjectConfig:
    """Read hubgrade.yaml from a project folder; a missing file gives an empty config."""
    config_path = path / PROJECT_CONFIG
    if not config_path.is_file():
        return ProjectConfig()
    try:
        data = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(str(config_path), [yaml_problem(exc)]) from exc
    if data is None:
        return ProjectConfig()
    if not isinstance(data, dict):
        raise ConfigError(str(config_path), ["(file): expected a mapping such as `assignment: todo-crud`"])
    known = ("assignment", "start", "services")
    problems = [f"{key}: unknown field; known fields are {', '.join(known)}" for key in data if key not in known]
    for key in ("assignment", "start"):
        if key in data and (not isinstance(data[key], str) or not data[key].strip()):
            problems.append(f"{key}: expected non-empty text, got {data[key]!r}")
    services = data.get("services", {})
    if not isinstance(services, dict) or not all(isinstance(value, str) for value in services.values()):
        problems.append("services: expected a mapping of service name to kind, such as `database: postgres`")
        services = {}
    if problems:
        raise ConfigError(str(config_path), problems)
    return ProjectConfig(assignment=data.get("assignment"), start=data.get("start"), services=dict(services))


def inspect(path: Path) -> Submission:
    """Inspect the project at ``path`` or raise an error that explains what to fix."""
    path = path.expanduser().resolve()
    if not path.exists():
        raise UsageError(f"{path}: no such folder; pass the folder of the Node.js project to grade")
    if not path.is_dir():
        raise UsageError(f"{path}: not a folder; pass the folder that contains package.json")

    package = _read_package_json(path)
    config = read_project_config(path)
    start_command, start_source = _find_start_command(path, package, config)
    lockfile = next((name for name in LOCKFILES if (path / name).is_file()), None)
    scripts = package.get("scripts") or {}
    module_type = "module" if package.get("type") == "module" else "commonjs"

    notes = []
    if lockfile is None and any((path / name).is_file() for name in ("yarn.lock", "pnpm-lock.yaml")):
        notes.append("only npm lockfiles are used; dependencies are installed with npm install")
    submission = Submission(
        path=path,
        package=package,
        start_command=start_command,
        start_source=start_source,
        lockfile=lockfile,
        has_build=isinstance(scripts.get("build"), str),
        module_type=module_type,
        config=config,
        notes=tuple(notes),
    )
    logger.info(
        "inspected %s: start %r (%s), lockfile %s, build %s, %s",
        path, start_command, start_source, lockfile or "none", submission.has_build, module_type,
    )
    return submission


def _read_package_json(path: Path) -> dict[str, Any]:
    package_path = path / "package.json"
    if not package_path.is_file():
        raise UsageError(
            f"{package_path}: not found; a Node.js project needs a package.json (create one with `npm init -y`)"
        )
    try:
        package = json.loads(package_path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(str(package_path), [f"(file): not UTF-8 text ({exc})"]) from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(
            str(package_path), [f"line {exc.lineno} column {exc.colno}: not valid JSON: {exc.msg}"]
        ) from exc
    if not isinstance(package, dict):
        raise ConfigError(str(package_path), ["(file): expected a JSON object"])
    problems = []
    if "scripts" in package and not isinstance(package["scripts"], dict):
        problems.append("scripts: expected an object of script names and commands")
    elif "scripts" in package:
        problems += [
            f"scripts.{name}: expected a command as a string, got {value!r}"
            for name, value in package["scripts"].items() if not isinstance(value, str)
        ]
    for key in ("dependencies", "devDependencies"):
        if key in package and not isinstance(package[key], dict):
            problems.append(f"{key}: expected an object of package names and versions")
    if "main" in package and not isinstance(package["main"], str):
        problems.append("main: expected a file path")
    if problems:
        raise ConfigError(str(package_path), problems)
    return package


def _find_start_command(path: Path, package: dict[str, Any], config: ProjectConfig) -> tuple[str, str]:
    if config.start:
        return config.start, f"{PROJECT_CONFIG} start"
    scripts = package.get("scripts") or {}
    if isinstance(scripts.get("start"), str) and scripts["start"].strip():
        return "npm start", "package.json scripts.start"
    main = package.get("main")
    if isinstance(main, str) and main.strip():
        if not _resolve_main(path, main):
            raise ConfigError(
                str(path / "package.json"),
                [f"main: {main!r} does not exist in the project; fix it or add a start script"],
            )
        return f"node {main}", "package.json main"
    for candidate in ENTRY_CANDIDATES:
        if (path / candidate).is_file():
            return f"node {candidate}", f"entry file {candidate}"
    tried = ", ".join(ENTRY_CANDIDATES[:3])
    raise ConfigError(
        str(path / "package.json"),
        [
            "scripts.start: missing, and so are `main` and a common entry file "
            f"({tried}, also .mjs and under src/); add \"start\": \"node <your entry file>\" to scripts",
        ],
    )


def _resolve_main(path: Path, main: str) -> bool:
    target = path / main
    return target.is_file() or target.with_suffix(".js").is_file() or (target / "index.js").is_file()
