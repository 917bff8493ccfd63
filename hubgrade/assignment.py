"""Load and validate ``assignments/<id>/assignment.yaml``.

The schema is documented in docs/assignment-format.md. Loading collects every problem
in the file and raises one ``ConfigError`` that lists them all as ``path: message``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hubgrade import catalog
from hubgrade import limits as limits_module
from hubgrade.limits import Limits
from hubgrade.errors import ConfigError, UsageError, yaml_problem

TRACKS = ("practice", "interview", "advanced")
LEVELS = ("beginner", "intermediate", "advanced")
RANDOM_KINDS = ("hex", "word", "int")
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FOLDER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
SERVICE_NAME = re.compile(r"^[a-z][a-z0-9]*$")
SERVICE_KINDS = ("redis", "postgres", "mysql", "mongodb")
# How the server's image is made: by hubgrade from package.json, or from the learner's Dockerfile.
SERVER_IMAGES = ("hubgrade", "dockerfile")
# An npm package name, scoped (@scope/name) or not, as npm accepts for new packages.
NPM_PACKAGE_NAME = re.compile(r"^(@[a-z0-9-~][a-z0-9-._~]*/)?[a-z0-9-~][a-z0-9-._~]*$")
# Every starter's package.json depends on these already (templates/project/package.json.j2).
STARTER_BASE_DEPENDENCIES = frozenset({"express"})
# PORT is set by the runner, and these would change how Node.js or npm behave.
RESERVED_ENV = frozenset({"PORT", "NODE_OPTIONS", "NODE_EXTRA_CA_CERTS", "PATH", "HOME"})

_WORDS = (
    "amber", "basalt", "cedar", "delta", "ember", "fjord", "garnet", "harbor", "indigo",
    "juniper", "kestrel", "lagoon", "meadow", "nebula", "orchid", "pebble", "quartz",
    "raven", "sierra", "tundra", "umber", "velvet", "willow", "xenon", "yarrow", "zephyr",
)


@dataclass(frozen=True)
class EnvValue:
    """One environment variable the grader sets: a literal, or a random value per run."""

    name: str
    literal: str | None = None
    random_kind: str | None = None
    length: int = 16
    minimum: int = 0
    maximum: int = 1_000_000
    # Paths the runner decides: a generated file or folder, or a writable folder.
    data: str | None = None
    directory: str | None = None

    @property
    def is_path(self) -> bool:
        return self.data is not None or self.directory is not None

    def generate(self) -> str:
        if self.literal is not None:
            return self.literal
        if self.random_kind == "hex":
            return secrets.token_hex((self.length + 1) // 2)[: self.length]
        if self.random_kind == "word":
            return f"{secrets.choice(_WORDS)}-{secrets.token_hex(3)}"
        return str(self.minimum + secrets.randbelow(self.maximum - self.minimum + 1))


@dataclass(frozen=True)
class ServiceSpec:
    """A datastore the assignment needs: one kind, or one of several that the learner picks."""

    name: str
    kinds: tuple[str, ...]

    @property
    def choice(self) -> bool:
        return len(self.kinds) > 1


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    track: str
    level: str
    summary: str
    version: int
    folder: Path
    environment: tuple[EnvValue, ...] = ()
    limits: Limits = field(default_factory=Limits)
    entry_file: str = "server.js"
    services: tuple[ServiceSpec, ...] = ()
    server_image: str = "hubgrade"
    # Extra npm dependencies of the starter's package.json, as (name, version range) sorted by name.
    starter_dependencies: tuple[tuple[str, str], ...] = ()

    @property
    def spec_path(self) -> Path:
        return self.folder / "spec.md"

    @property
    def grader_dir(self) -> Path:
        return catalog.graders_dir() / self.id

    def spec(self) -> str:
        return self.spec_path.read_text(encoding="utf-8")

    def generate_environment(self) -> dict[str, str]:
        """Return fresh values for this run: random ones change on every call.

        Values that are paths (``data`` and ``directory``) come from ``path_environment``.
        """
        return {value.name: value.generate() for value in self.environment if not value.is_path}

    def path_environment(self, data_root: str, work_root: str) -> dict[str, str]:
        """Return the ``data`` and ``directory`` values as absolute paths under the runner's roots."""
        paths = {}
        for value in self.environment:
            if value.data is not None:
                paths[value.name] = f"{data_root}/{value.data.rstrip('/')}"
            elif value.directory is not None:
                paths[value.name] = f"{work_root}/{value.directory}"
        return paths


def list_ids() -> list[str]:
    root = catalog.assignments_dir()
    if not root.is_dir():
        return []
    return sorted(child.name for child in root.iterdir() if (child / "assignment.yaml").is_file())


def load(assignment_id: str) -> Assignment:
    """Load one assignment by id, or raise ``UsageError`` naming the known ids."""
    folder = catalog.assignments_dir() / assignment_id
    if not ID_PATTERN.match(assignment_id) or not (folder / "assignment.yaml").is_file():
        known = ", ".join(list_ids()) or "none"
        raise UsageError(
            f"unknown assignment {assignment_id!r}; known assignments: {known} "
            "(run `hubgrade list` to see them all)"
        )
    return load_file(folder / "assignment.yaml")


def load_all() -> list[Assignment]:
    return [load(assignment_id) for assignment_id in list_ids()]


def load_file(path: Path) -> Assignment:
    source = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(source, [yaml_problem(exc)]) from exc
    problems: list[str] = []
    assignment = _parse(data, path.parent, problems)
    if not (path.parent / "spec.md").is_file():
        problems.append("spec.md: missing; every assignment needs a spec beside assignment.yaml")
    if problems or assignment is None:
        raise ConfigError(source, problems)
    return assignment


def _parse(data: Any, folder: Path, problems: list[str]) -> Assignment | None:
    if not isinstance(data, dict):
        problems.append("(file): expected a mapping of fields, got " + type(data).__name__)
        return None
    known = {
        "title", "track", "level", "summary", "version", "environment", "limits", "entry_file", "services", "starter",
        "server_image",
    }
    for key in sorted(set(data) - known, key=str):
        problems.append(f"{key}: unknown field; known fields are {', '.join(sorted(known))}")

    title = _require_str(data, "title", problems)
    summary = _require_str(data, "summary", problems)
    track = _require_choice(data, "track", TRACKS, problems)
    level = _require_choice(data, "level", LEVELS, problems)
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append(f"version: expected a whole number of 1 or more, got {version!r}")
    entry_file = data.get("entry_file", "server.js")
    if not isinstance(entry_file, str) or not entry_file.endswith((".js", ".mjs", ".cjs")):
        problems.append(f"entry_file: expected a .js, .mjs or .cjs file name, got {entry_file!r}")

    environment = _parse_environment(data.get("environment", {}), problems)
    limits = limits_module.parse(data.get("limits", {}), problems)
    services = _parse_services(data.get("services", []), problems)
    starter_dependencies = _parse_starter(data.get("starter", {}), problems)
    server_image = data.get("server_image", "hubgrade")
    if server_image not in SERVER_IMAGES:
        problems.append(f"server_image: expected one of {', '.join(SERVER_IMAGES)}, got {server_image!r}")
    if problems:
        return None
    return Assignment(
        id=folder.name,
        title=title,
        track=track,
        level=level,
        summary=summary,
        version=version,
        folder=folder,
        environment=environment,
        limits=limits,
        entry_file=entry_file,
        services=services,
        starter_dependencies=starter_dependencies,
        server_image=server_image,
    )


def _require_str(data: dict[str, Any], key: str, problems: list[str]) -> str:
    value = data.get(key)
    if value is None:
        problems.append(f"{key}: missing")
        return ""
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{key}: expected non-empty text, got {value!r}")
        return ""
    return value.strip()


def _require_choice(data: dict[str, Any], key: str, choices: tuple[str, ...], problems: list[str]) -> str:
    value = data.get(key)
    if value not in choices:
        problems.append(f"{key}: expected one of {', '.join(choices)}, got {value!r}")
        return ""
    return str(value)


def _parse_environment(raw: Any, problems: list[str]) -> tuple[EnvValue, ...]:
    if not isinstance(raw, dict):
        problems.append(f"environment: expected a mapping of variable names, got {type(raw).__name__}")
        return ()
    values = []
    for name, spec in raw.items():
        path = f"environment.{name}"
        if not isinstance(name, str) or not ENV_NAME.match(name):
            problems.append(f"{path}: invalid variable name; use upper case letters, digits and _")
            continue
        if name in RESERVED_ENV:
            problems.append(f"{path}: reserved, because hubgrade or Node.js sets it")
            continue
        value = _parse_env_value(name, spec, path, problems)
        if value is not None:
            values.append(value)
    return tuple(values)


def _parse_env_value(name: str, spec: Any, path: str, problems: list[str]) -> EnvValue | None:
    if isinstance(spec, (str, int, float)) and not isinstance(spec, bool):
        return EnvValue(name=name, literal=str(spec))
    if isinstance(spec, dict) and len(spec) == 1 and ("data" in spec or "directory" in spec):
        return _parse_path_value(name, spec, path, problems)
    if not isinstance(spec, dict) or "random" not in spec:
        problems.append(f"{path}: expected a literal value or a mapping with `random`, `data` or `directory`")
        return None
    kind = spec["random"]
    if kind not in RANDOM_KINDS:
        problems.append(f"{path}.random: expected one of {', '.join(RANDOM_KINDS)}, got {kind!r}")
        return None
    allowed = {"hex": {"random", "length"}, "word": {"random"}, "int": {"random", "min", "max"}}[kind]
    own_problems: list[str] = []
    for key in sorted(set(spec) - allowed, key=str):
        own_problems.append(f"{path}.{key}: not allowed with random: {kind}")
    length = spec.get("length", 16)
    minimum = spec.get("min", 0)
    maximum = spec.get("max", 1_000_000)
    if not _is_int(length) or not 4 <= length <= 256:
        own_problems.append(f"{path}.length: expected a whole number from 4 to 256, got {length!r}")
    if not _is_int(minimum) or not _is_int(maximum) or minimum > maximum:
        own_problems.append(f"{path}: min and max must be whole numbers with min <= max")
    if own_problems:
        problems.extend(own_problems)
        return None
    return EnvValue(name=name, random_kind=kind, length=length, minimum=minimum, maximum=maximum)


def _parse_path_value(name: str, spec: dict[str, Any], path: str, problems: list[str]) -> EnvValue | None:
    from hubgrade.run_files import is_safe_relative

    if "data" in spec:
        target = spec["data"]
        if not isinstance(target, str) or not is_safe_relative(target):
            problems.append(f"{path}.data: expected a relative path among the generated files, got {target!r}")
            return None
        return EnvValue(name=name, data=target)
    folder = spec["directory"]
    if not isinstance(folder, str) or not FOLDER_NAME.match(folder):
        problems.append(f"{path}.directory: expected a folder name of letters, digits, - and _, got {folder!r}")
        return None
    return EnvValue(name=name, directory=folder)


def _parse_services(raw: Any, problems: list[str]) -> tuple[ServiceSpec, ...]:
    if not isinstance(raw, list):
        problems.append(f"services: expected a list, got {type(raw).__name__}")
        return ()
    services: list[ServiceSpec] = []
    for index, entry in enumerate(raw):
        service = _parse_service(entry, f"services[{index}]", problems)
        if service is None:
            continue
        if any(other.name == service.name for other in services):
            problems.append(f"services[{index}].name: {service.name!r} is used twice; give each service its own name")
            continue
        if any(set(other.kinds) & set(service.kinds) for other in services):
            # NOTE: two services of one kind would need their own variable names.
            problems.append(f"services[{index}]: a kind in {list(service.kinds)} is already used by another service")
            continue
        services.append(service)
    return tuple(services)


def _parse_service(entry: Any, path: str, problems: list[str]) -> ServiceSpec | None:
    if not isinstance(entry, dict):
        problems.append(f"{path}: expected a mapping such as {{kind: redis}}")
        return None
    for key in sorted(set(entry) - {"kind", "name", "one_of"}, key=str):
        problems.append(f"{path}.{key}: unknown field; known fields are kind, name, one_of")
    if ("kind" in entry) == ("one_of" in entry):
        problems.append(f"{path}: give either kind or one_of")
        return None
    kinds = [entry["kind"]] if "kind" in entry else entry["one_of"]
    if not isinstance(kinds, list) or not kinds or len(set(map(str, kinds))) != len(kinds):
        problems.append(f"{path}.one_of: expected a list of different kinds")
        return None
    unknown = [kind for kind in kinds if kind not in SERVICE_KINDS]
    if unknown:
        problems.append(f"{path}: unknown kind {unknown[0]!r}; use one of {', '.join(SERVICE_KINDS)}")
        return None
    name = entry.get("name", kinds[0] if "kind" in entry else None)
    if not isinstance(name, str) or not SERVICE_NAME.match(name):
        problems.append(f"{path}.name: expected a lower-case name such as database, got {name!r}")
        return None
    return ServiceSpec(name=name, kinds=tuple(kinds))


def _parse_starter(raw: Any, problems: list[str]) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, dict):
        problems.append(
            f"starter: expected a mapping such as {{dependencies: {{socket.io: \"^4.8.1\"}}}}, got {type(raw).__name__}"
        )
        return ()
    for key in sorted(set(raw) - {"dependencies"}, key=str):
        problems.append(f"starter.{key}: unknown field; the only known field is dependencies")
    dependencies = raw.get("dependencies", {})
    if not isinstance(dependencies, dict):
        problems.append(
            f"starter.dependencies: expected a mapping of npm package names to version ranges, "
            f"got {type(dependencies).__name__}"
        )
        return ()
    parsed = []
    for name, version in dependencies.items():
        path = f"starter.dependencies.{name}"
        if not isinstance(name, str) or len(name) > 214 or not NPM_PACKAGE_NAME.match(name):
            problems.append(f"{path}: invalid npm package name; use lower case, such as socket.io or @scope/name")
            continue
        if name in STARTER_BASE_DEPENDENCIES:
            problems.append(f"{path}: every starter depends on {name} already; list only the extra packages")
            continue
        if not isinstance(version, str) or not version.strip():
            problems.append(f"{path}: expected a version range as quoted text, such as \"^4.8.1\", got {version!r}")
            continue
        parsed.append((name, version.strip()))
    return tuple(sorted(parsed))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
