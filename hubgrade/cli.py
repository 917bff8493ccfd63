"""The `hubgrade` command line.

Modules that pull in pytest, the Docker SDK or database clients are imported inside the
commands that need them, so that `hubgrade --help` and `hubgrade list` start quickly.

User mistakes end with ``Error: ...`` on stderr and the exit code of their
``HubgradeError`` class; logs go to stderr through ``logging``; reports go to stdout.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from hubgrade import __version__
from hubgrade import assignment as assignments
from hubgrade import scaffold
from hubgrade.errors import HubgradeError, UsageError
from hubgrade.interrupts import stop_on_sigterm
from hubgrade.runners import RUNNER_NAMES
from hubgrade.submission import PROJECT_CONFIG, read_project_config

logger = logging.getLogger("hubgrade")

EXIT_BELOW_MIN_SCORE = 1
EXIT_INTERRUPTED = 130
PIPED_WIDTH = 400
# The state an interrupted command leaves, by command name: its clean-up has run before this is printed.
INTERRUPTED_MESSAGES = {
    "check": "interrupted before grading finished, so there is no score; everything the run started was removed",
    "validate": "interrupted before validation finished; everything the runs started was removed",
    "batch": "interrupted; the gradebook keeps every submission graded so far, and --resume grades the rest",
}


class HubgradeGroup(click.Group):
    """Turns errors a user can fix into ``Error: ...`` and their exit code, without a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except HubgradeError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo(f"Aborted: {INTERRUPTED_MESSAGES.get(ctx.invoked_subcommand or '', 'interrupted')}", err=True)
            ctx.exit(EXIT_INTERRUPTED)


@click.group(cls=HubgradeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hubgrade")
@click.option(
    "--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="warning",
    show_default=True, help="How much hubgrade logs to stderr about what it starts, stops and retries.",
)
def cli(log_level: str) -> None:
    """Grade back-end assignments: a learner's Node.js/Express server, tested over HTTP."""
    logging.basicConfig(
        level=log_level.upper(), stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the catalog as JSON.")
def list_command(as_json: bool) -> None:
    """List the assignments in the catalog."""
    catalog = assignments.load_all()
    if as_json:
        rows = [
            {"id": a.id, "title": a.title, "track": a.track, "level": a.level, "summary": a.summary, "version": a.version}
            for a in catalog
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table("id", "title", "track", "level", "summary", box=None, header_style="bold")
    for item in catalog:
        table.add_row(item.id, item.title, item.track, item.level, item.summary)
    # Piped into grep or a file, one assignment per line reads better than wrapped cells.
    Console(width=None if sys.stdout.isatty() else PIPED_WIDTH).print(table)


@cli.command()
@click.argument("assignment_id")
def show(assignment_id: str) -> None:
    """Show an assignment's spec."""
    from rich.markdown import Markdown

    Console().print(Markdown(assignments.load(assignment_id).spec()))


@cli.command()
@click.argument("assignment_id")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--ci", type=click.Choice(sorted(scaffold.CI_FILES)), default=None,
              help="Also write a CI workflow that grades every push: .github/workflows/hubgrade.yml or .gitlab-ci.yml.")
def new(assignment_id: str, directory: Path | None, ci: str | None) -> None:
    """Create a starter project for ASSIGNMENT_ID in DIRECTORY (default: ./ASSIGNMENT_ID)."""
    assignment = assignments.load(assignment_id)
    target = directory if directory is not None else Path(assignment.id)
    written = scaffold.create_project(assignment, target, ci)
    click.echo(f"Created {len(written)} files in {target}:")
    for path in written:
        click.echo(f"  {path.relative_to(target)}")
    click.echo(f"\nNext: cd {target} && hubgrade check")
    click.echo("The Docker runner installs the dependencies itself; run `npm install` too for your editor or --runner local.")


@cli.command()
@click.argument("assignment_id", required=False)
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--runner", type=click.Choice(RUNNER_NAMES), default="auto", show_default=True,
              help="Where the server runs: docker (isolated), local (host process), or auto (docker when an engine responds).")
@click.option("--image", default=None, help="Node.js image for the docker runner [default: $HUBGRADE_NODE_IMAGE or node:24-bookworm-slim].")
@click.option("--format", "formats", multiple=True, metavar="NAME[=PATH]",
              help="Report format, repeatable: text (default), json, junit, gradescope or github, each to stdout "
                   "or to PATH. github appends a summary to $GITHUB_STEP_SUMMARY and prints annotations.")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the one report that has no PATH to this file instead of stdout.")
@click.option("--min-score", type=click.IntRange(0, 100), default=100, show_default=True,
              help="Exit with 0 at or above this score, 1 below.")
@click.option("--startup-seconds", type=click.FloatRange(1, 600), default=None,
              help="Seconds the server may take to respond to its first request [default: the assignment's limit].")
@click.option("--check-seconds", type=click.FloatRange(1, 300), default=None,
              help="Seconds each check may take [default: the assignment's limit].")
@click.option("--limit", "limit_texts", multiple=True, metavar="NAME=VALUE",
              help="Override one of the assignment's limits, repeatable: startup_seconds, check_seconds, memory_mib, "
                   "cpus, pids, disk_mib, log_mib or build_seconds (see docs/security.md).")
@click.option("--verbose", is_flag=True, help="Show every request and response of every check.")
@click.option("--show-hidden", is_flag=True,
              help="Include the details of hidden checks in every report (for instructors; learners see titles and points only).")
def check(
    assignment_id: str | None, path: Path | None, runner: str, image: str | None, formats: tuple[str, ...],
    output: Path | None, min_score: int, startup_seconds: float | None, check_seconds: float | None,
    limit_texts: tuple[str, ...], verbose: bool, show_hidden: bool,
) -> None:
    """Grade the project at PATH (default: .) against ASSIGNMENT_ID.

    ASSIGNMENT_ID may be left out when the project's hubgrade.yaml names it. Exit codes:
    0 at or above --min-score, 1 below it (also when the server did not start), 2 for a
    usage or configuration error, 3 when the machine lacks Docker, an image or Node.js.
    """
    from hubgrade.check import CheckOptions, grade
    from hubgrade.limits import parse_override
    from hubgrade.report.outputs import parse_outputs, write_outputs

    assignment_id, project = _resolve_check_arguments(assignment_id, path)
    outputs = parse_outputs(formats, output)
    limits = tuple(parse_override(text) for text in limit_texts)
    stop_on_sigterm()
    options = CheckOptions(
        runner=runner, image=image, min_score=min_score, startup_seconds=startup_seconds, check_seconds=check_seconds,
        limits=limits,
    )
    result = grade(assignment_id, project, options)

    shown = result if show_hidden else result.redacted()
    write_outputs(shown, outputs, verbose=verbose, entry_file=result.entry_file)
    if result.status != "pass":
        sys.exit(EXIT_BELOW_MIN_SCORE)


def _resolve_check_arguments(assignment_id: str | None, path: Path | None) -> tuple[str, Path]:
    """Accept `check ID PATH`, `check ID`, `check PATH` and `check`."""
    if assignment_id is not None and path is None and _looks_like_path(assignment_id):
        path = Path(assignment_id)
        assignment_id = None
    project = path if path is not None else Path(".")
    if assignment_id is None:
        if project.exists() and not project.is_dir():
            raise UsageError(f"{project}: not a folder; pass the folder that contains package.json")
        if not project.is_dir():
            raise UsageError(f"{project}: no such folder; pass the folder of the Node.js project to grade")
        config = read_project_config(project)
        config_path = project.resolve() / PROJECT_CONFIG
        if config.assignment is None:
            where = f"{config_path} names none" if config_path.is_file() else f"{project.resolve()} has no {PROJECT_CONFIG}"
            raise UsageError(
                f"no assignment given and {where}; "
                "run `hubgrade check ASSIGNMENT_ID [PATH]` (see `hubgrade list`)"
            )
        if config.assignment not in assignments.list_ids():
            raise UsageError(
                f"{config_path}: assignment: unknown assignment {config.assignment!r}; "
                "set it to an id that `hubgrade list` shows"
            )
        assignment_id = config.assignment
    return assignment_id, project


def _looks_like_path(argument: str) -> bool:
    return "/" in argument or argument in (".", "..") or Path(argument).is_dir() and argument not in assignments.list_ids()


@cli.command()
@click.argument("assignment_id")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Submissions graded at once [default: the number of CPUs, at most 4].")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Gradebook folder [default: ./gradebook-ASSIGNMENT_ID].")
@click.option("--resume", is_flag=True, help="Skip submissions graded before with the same files and assignment version.")
@click.option("--shard", default=None, metavar="I/N", help="Grade only shard I of N, a stable split for CI matrices.")
@click.option("--runner", type=click.Choice(RUNNER_NAMES), default="auto", show_default=True,
              help="Where each server runs, as for check.")
@click.option("--image", default=None, help="Node.js image for the docker runner, as for check.")
@click.option("--min-score", type=click.IntRange(0, 100), default=100, show_default=True,
              help="The score at which a submission's status is pass.")
@click.option("--startup-seconds", type=click.FloatRange(1, 600), default=None,
              help="Seconds each server may take to respond to its first request [default: the assignment's limit].")
@click.option("--check-seconds", type=click.FloatRange(1, 300), default=None,
              help="Seconds each check may take [default: the assignment's limit].")
@click.option("--limit", "limit_texts", multiple=True, metavar="NAME=VALUE",
              help="Override one of the assignment's limits, repeatable: startup_seconds, check_seconds, memory_mib, "
                   "cpus, pids, disk_mib, log_mib or build_seconds (see docs/security.md).")
def batch(
    assignment_id: str, sources: tuple[Path, ...], jobs: int | None, out_dir: Path | None, resume: bool,
    shard: str | None, runner: str, image: str | None, min_score: int, startup_seconds: float | None,
    check_seconds: float | None, limit_texts: tuple[str, ...],
) -> None:
    """Grade many submissions of ASSIGNMENT_ID into a gradebook.

    SOURCES are submission folders, folders whose subfolders are submissions, or CSV files
    of student,path. The gradebook (gradebook.csv, gradebook.json, results/) is written
    as each submission finishes. Exit code 0 when every submission was graded.
    """
    from hubgrade import batch as batch_module
    from hubgrade.report.progress import BatchProgress

    from hubgrade.limits import parse_override

    for text in limit_texts:
        parse_override(text)
    if runner == "local":
        click.echo(
            "warning: --runner local runs every submission on this machine as you, with your files, network "
            "and no resource limits; use it only for code you trust (see docs/security.md)",
            err=True,
        )
    assignment = assignments.load(assignment_id)
    submissions = batch_module.find_submissions(list(sources))
    options = batch_module.BatchOptions(
        jobs=jobs or min(4, os.cpu_count() or 1), runner=runner, image=image, resume=resume,
        shard=batch_module.Shard.parse(shard) if shard else None, min_score=min_score,
        startup_seconds=startup_seconds, check_seconds=check_seconds, limits=limit_texts,
    )
    folder = out_dir or Path(f"gradebook-{assignment.id}")
    gradebook = batch_module.Gradebook(folder, assignment)
    stop_on_sigterm()
    with BatchProgress(Console(stderr=True)) as display:
        progress = batch_module.BatchRun(assignment, gradebook, options, display.update).run(submissions)
    click.echo(
        f"Graded {progress.done} submissions ({progress.failed} below {min_score} or not graded), "
        f"skipped {progress.skipped}; gradebook in {folder}"
    )


@cli.command()
@click.argument("gradebooks", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder of the joined gradebook.")
def merge(gradebooks: tuple[Path, ...], out_dir: Path) -> None:
    """Join the gradebooks of several shards into one."""
    from hubgrade import batch as batch_module

    count = batch_module.merge_gradebooks(list(gradebooks), out_dir)
    click.echo(f"Merged {count} results into {out_dir}")


@cli.command()
@click.argument("assignment_ids", nargs=-1)
@click.option("--solutions", type=click.Path(path_type=Path, file_okay=False), default=Path("tests/solutions"),
              show_default=True, help="Folder of <id>/<variant>/ solutions, each with an expect.yaml, relative to the current folder.")
@click.option("--runner", type=click.Choice(RUNNER_NAMES), default="auto", show_default=True,
              help="Where the solutions run, as for check.")
def validate(assignment_ids: tuple[str, ...], solutions: Path, runner: str) -> None:
    """Check assignments (default: all) and grade their reference and flawed solutions.

    Exits with 1 when an assignment's files are invalid or a solution's score or failed
    checks differ from its expect.yaml.
    """
    from hubgrade import validate as validate_module
    from hubgrade.check import CheckOptions
    from hubgrade.runners.docker_engine import engine_available

    ids = list(assignment_ids) or assignments.list_ids()
    for assignment_id in set(ids) - set(assignments.list_ids()):
        assignments.load(assignment_id)  # raises the usage error that names the known ids
    has_image: Callable[[str], bool] = (
        _image_lookup() if runner != "local" and engine_available() else (lambda image: False)
    )
    options = CheckOptions(runner=runner)
    console = Console()
    failures = 0
    for assignment_id in ids:
        findings = validate_module.validate_files(assignment_id)
        if all(finding.ok for finding in findings):
            findings.append(validate_module.validate_starter(assignment_id, options))
            findings += validate_module.validate_solutions(assignment_id, solutions, options, has_image)
        for finding in findings:
            label, style = ("skip", "yellow") if finding.skipped else ("ok", "green") if finding.ok else ("FAIL", "red")
            console.print(f"[{style}]{label:<4}[/] {finding.subject}: {finding.detail}", highlight=False)
            failures += not finding.ok
    if failures:
        console.print(f"\n{_count(failures, 'problem')} found", highlight=False)
        sys.exit(1)
    summary = f"{ids[0]} is valid" if len(ids) == 1 else f"All {len(ids)} assignments are valid"
    console.print(f"\n{summary}", highlight=False)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _image_lookup() -> Callable[[str], bool]:
    from hubgrade.runners.docker_engine import Engine

    return Engine.connect().has_image


@cli.command()
def doctor() -> None:
    """Check what grading needs on this machine, and print how to fix what is missing."""
    from hubgrade import doctor as doctor_module

    findings = doctor_module.diagnose()
    console = Console()
    table = Table("", "requirement", "runner", "found", box=None, header_style="bold")
    for finding in findings:
        mark = "[green]ok[/]" if finding.ok else "[red]missing[/]"
        found = finding.detail if finding.ok else f"{finding.detail}\n[bold]fix:[/] {finding.fix}"
        table.add_row(mark, finding.name, finding.runner, found)
    console.print(table, highlight=False)
    usable = doctor_module.usable_runners(findings)
    if not usable:
        console.print("\nNo runner can grade on this machine; fix what is missing above.", highlight=False)
        sys.exit(3)
    console.print(f"\nReady to grade with: {', '.join(usable)}.", highlight=False)


def main() -> None:
    cli(prog_name="hubgrade")
