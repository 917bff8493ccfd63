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
from hubgrade.errors import ConfigError, UsageError

TRACKS = ("practice", "interview", "advanced")
LEVELS = ("beginner", "intermediate", "advanced")
RANDOM_KINDS = ("hex", "word", "int")
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SERVICE_NAME = re.compile(r"^[a-z][a-z0-9]*$")
SERVICE_KINDS = ("redis", "postgres", "mysql", "mongodb")
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
class Limits:
    startup_seconds: float = 30.0
    check_seconds: float = 10.0


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

    @property
    def spec_path(self) -> Path:
        return self.folder / "spec.md"

    @property
    def grader_dir(self) -> Path:
        return catalog.graders_dir() / self.id

    def spec(self) -> str:
        return self.spec_path.read_text(encoding="utf-8")

    def generate_environment(self) -> dict[str, str]:
        """Return fresh values for this run: random ones change on every call."""
        return {value.name: value.generate() for value in self.environment}


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
        raise ConfigError(source, [f"(file): not valid YAML: {exc}"]) from exc
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
    known = {"title", "track", "level", "summary", "version", "environment", "limits", "entry_file", "services"}
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
    limits = _parse_limits(data.get("limits", {}), problems)
    services = _parse_services(data.get("services", []), problems)
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
    if not isinstance(spec, dict) or "random" not in spec:
        problems.append(f"{path}: expected a literal value or a mapping with `random`")
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


def _parse_limits(raw: Any, problems: list[str]) -> Limits:
    if not isinstance(raw, dict):
        problems.append(f"limits: expected a mapping, got {type(raw).__name__}")
        return Limits()
    defaults = Limits()
    known = {"startup_seconds": (1, 600), "check_seconds": (1, 300)}
    for key in sorted(set(raw) - set(known), key=str):
        problems.append(f"limits.{key}: unknown field; known fields are {', '.join(known)}")
    values: dict[str, float] = {}
    for key, (low, high) in known.items():
        value = raw.get(key, getattr(defaults, key))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            problems.append(f"limits.{key}: expected seconds from {low} to {high}, got {value!r}")
            continue
        values[key] = float(value)
    return Limits(**values)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
