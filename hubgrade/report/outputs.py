"""Report destinations: ``--format NAME`` writes to stdout, ``--format NAME=PATH`` to a file.

One run can write every format. At most one of them goes to stdout; the others need a
path. The ``github`` format is special: its step summary is appended to the file in
``$GITHUB_STEP_SUMMARY`` (or to PATH), and its annotations are workflow commands that
GitHub Actions reads from stdout. So they share stdout with the text report, and a
format that a program parses (json, junit, gradescope) then needs a path.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import click
from rich.console import Console

from hubgrade.errors import UsageError
from hubgrade.report.github import format_github_annotations, format_github_summary
from hubgrade.report.gradescope import format_gradescope
from hubgrade.report.json_report import format_json
from hubgrade.report.junit import format_junit
from hubgrade.report.text import print_text
from hubgrade.result import GradeResult

logger = logging.getLogger(__name__)

FORMATS = ("text", "json", "junit", "gradescope", "github")
# Formats that a program parses, which GitHub's annotation lines on stdout would break.
MACHINE_FORMATS = ("json", "junit", "gradescope")
SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY"


@dataclass(frozen=True)
class Output:
    format: str
    path: Path | None = None


def parse_outputs(values: tuple[str, ...], output: Path | None) -> list[Output]:
    """Turn the ``--format`` values (and the older ``--output``) into a list of outputs."""
    outputs = [_parse_one(value) for value in values] or [Output("text")]
    names = [item.format for item in outputs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise UsageError(f"--format {duplicates[0]} is given twice; give each format once")
    if output is not None:
        unplaced = [item for item in outputs if item.path is None and item.format != "github"]
        if len(unplaced) != 1:
            raise UsageError("--output needs exactly one --format without a path; or write --format NAME=PATH instead")
        outputs = [Output(item.format, output) if item is unplaced[0] else item for item in outputs]
    to_stdout = [item.format for item in outputs if item.path is None and item.format != "github"]
    if len(to_stdout) > 1:
        raise UsageError(
            f"formats {' and '.join(to_stdout)} would both go to stdout; give all but one a path, "
            f"as in --format {to_stdout[1]}=FILE"
        )
    if "github" in names and any(name in MACHINE_FORMATS for name in to_stdout):
        raise UsageError(
            f"the github format prints annotations to stdout, which would break the {to_stdout[0]} report there; "
            f"give it a path, as in --format {to_stdout[0]}=FILE"
        )
    paths = [item.path.resolve() for item in outputs if item.path is not None]
    for path in paths:
        if paths.count(path) > 1:
            raise UsageError(f"{path}: named for two reports; give each report its own file")
    for item in outputs:
        if item.path is not None:
            _check_writable(item.path)
    return outputs


def _check_writable(path: Path) -> None:
    """Fail before grading, not after, when a report cannot be written there."""
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; give a file path for the report")
    existed = path.exists()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the report ({exc.strerror}); choose another path") from exc
    if not existed:
        path.unlink()


def _parse_one(value: str) -> Output:
    name, separator, path = value.partition("=")
    name = name.strip().lower()
    if name not in FORMATS:
        raise UsageError(f"unknown format {name!r} in --format {value}; use one of {', '.join(FORMATS)}")
    if separator and not path:
        raise UsageError(f"--format {value}: the path after = is empty")
    return Output(name, Path(path) if path else None)


def write_outputs(result: GradeResult, outputs: list[Output], *, verbose: bool, entry_file: str | None) -> None:
    for item in outputs:
        if item.format == "github":
            _write_github(result, item.path, entry_file)
        elif item.format == "text":
            _write_text(result, item.path, verbose)
        else:
            _deliver(_render(result, item.format), item.path)


def _render(result: GradeResult, name: str) -> str:
    if name == "json":
        return format_json(result)
    if name == "junit":
        return format_junit(result)
    return format_gradescope(result)


def _write_text(result: GradeResult, path: Path | None, verbose: bool) -> None:
    if path is None:
        print_text(result, Console(), verbose)
        return
    with _open(path, "w") as handle:
        print_text(result, Console(file=handle, width=100, no_color=True), verbose)


def _write_github(result: GradeResult, path: Path | None, entry_file: str | None) -> None:
    summary_path = path or (Path(os.environ[SUMMARY_VARIABLE]) if os.environ.get(SUMMARY_VARIABLE) else None)
    if summary_path is None:
        logger.info("no step summary written: %s is not set and --format github has no path", SUMMARY_VARIABLE)
    else:
        with _open(summary_path, "a") as handle:
            handle.write(format_github_summary(result))
    click.echo(format_github_annotations(result, entry_file), nl=False)


def _deliver(text: str, path: Path | None) -> None:
    if path is None:
        click.echo(text, nl=False)
        return
    with _open(path, "w") as handle:
        handle.write(text)


def _open(path: Path, mode: str) -> IO[str]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open(mode, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the report: {exc.strerror}") from exc
