"""Create a starter project for an assignment from the Jinja2 templates in templates/.

Common files come from ``templates/project/``; the entry file, with the routes to
implement, from ``templates/entry/<id>.js.j2``; an assignment's other starter files
from ``templates/files/<id>/``. Nothing is overwritten: when any target file exists, no
file is written.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from hubgrade import __version__, catalog
from hubgrade.assignment import Assignment
from hubgrade.errors import ConfigError, UsageError

logger = logging.getLogger(__name__)

# CI system -> (template in templates/ci/, workflow file in the new project).
CI_FILES = {
    "github": ("github.yml.j2", ".github/workflows/hubgrade.yml"),
    "gitlab": ("gitlab.yml.j2", ".gitlab-ci.yml"),
}
# The score below which a generated CI workflow fails.
CI_MIN_SCORE = 100

# Template name in templates/project/ -> file name in the new project.
PROJECT_FILES = {
    "package.json.j2": "package.json",
    "README.md.j2": "README.md",
    "gitignore.j2": ".gitignore",
    "hubgrade.yaml.j2": "hubgrade.yaml",
}


def create_project(assignment: Assignment, target: Path, ci: str | None = None) -> list[Path]:
    """Render the starter (and a CI workflow for ``ci``) into ``target``; return the files written."""
    files = render_files(assignment, _project_name(target, assignment), ci)
    existing = sorted(name for name in files if (target / name).exists())
    if existing:
        raise UsageError(
            f"{target}: refusing to overwrite {', '.join(existing)}; choose an empty or new folder"
        )
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target}: exists and is not a folder")

    created_target = not target.exists()
    written: list[Path] = []
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            written.append(path)
    except OSError as exc:
        _undo(target, written, created_target)
        raise UsageError(f"{target}: could not write the starter: {exc}") from exc
    logger.info("created starter for %s in %s", assignment.id, target)
    return written


def render_files(assignment: Assignment, project_name: str, ci: str | None = None) -> dict[str, str]:
    environment = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(catalog.templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    context = {
        "assignment": assignment,
        "project_name": project_name,
        "entry_file": assignment.entry_file,
        "spec": assignment.spec(),
        "version": __version__,
        "min_score": CI_MIN_SCORE,
    }
    files = {}
    for template_name, file_name in PROJECT_FILES.items():
        files[file_name] = _render(environment, f"project/{template_name}", context)
    files[assignment.entry_file] = _render(environment, f"entry/{assignment.id}.js.j2", context)
    files.update(_assignment_files(environment, assignment, context))
    if ci is not None:
        template_name, file_name = CI_FILES[ci]
        files[file_name] = _render(environment, f"ci/{template_name}", context)
    return files


def _assignment_files(
    environment: SandboxedEnvironment, assignment: Assignment, context: dict[str, object]
) -> dict[str, str]:
    """Return the files of ``templates/files/<id>/`` by their path in the project.

    A file ending in ``.j2`` is rendered like the common templates and loses the suffix.
    Any other file is copied as it is, so JavaScript in it needs no escaping.
    """
    folder = catalog.templates_dir() / "files" / assignment.id
    if not folder.is_dir():
        return {}
    files: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(folder).as_posix()
        if name.endswith(".j2"):
            template_name = path.relative_to(catalog.templates_dir()).as_posix()
            files[name.removesuffix(".j2")] = _render(environment, template_name, context)
        else:
            files[name] = path.read_text(encoding="utf-8")
    return files


def _render(environment: SandboxedEnvironment, name: str, context: dict[str, object]) -> str:
    try:
        return environment.get_template(name).render(context)
    except jinja2.TemplateNotFound as exc:
        raise ConfigError(str(catalog.templates_dir() / name), ["(file): missing"]) from exc
    except jinja2.TemplateError as exc:
        raise ConfigError(str(catalog.templates_dir() / name), [f"line {getattr(exc, 'lineno', '?')}: {exc}"]) from exc


def _project_name(target: Path, assignment: Assignment) -> str:
    name = re.sub(r"[^a-z0-9-]+", "-", target.resolve().name.lower()).strip("-")
    return name or assignment.id


def _undo(target: Path, written: list[Path], created_target: bool) -> None:
    if created_target:
        shutil.rmtree(target, ignore_errors=True)
        return
    for path in written:
        path.unlink(missing_ok=True)
