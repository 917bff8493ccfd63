"""The terminal report: score, one line per check, failure details, log tail."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.text import Text

from hubgrade.result import CheckResult, GradeResult

_MARKS = {"passed": ("PASS", "green"), "failed": ("FAIL", "red"), "error": ("ERROR", "red"), "skipped": ("SKIP", "yellow")}


def format_text(result: GradeResult, verbose: bool = False) -> RenderableType:
    parts: list[RenderableType] = [_heading(result)]
    for warning in result.warnings:
        parts.append(Text(f"warning: {warning}", style="yellow"))
    if result.startup_error is not None:
        parts.append(_startup_error(result))
    if result.grader_error:
        parts.append(Text(f"error: {result.grader_error}", style="red"))
    parts.append(Text(""))
    for check in result.checks:
        parts.append(_check_line(check))
        details = _check_details(check, verbose, show_failure=result.startup_error is None)
        if details is not None:
            parts.append(details)
    if result.log_tail and result.startup_error is None:
        parts.append(Text("\nlast lines of the server's output:", style="bold"))
        parts.append(_indented(result.log_tail))
    parts.append(Text(""))
    parts.append(_score_line(result))
    if result.failed_checks and result.startup_error is None and not verbose:
        # A failure shows its last request, but the requests before it (the setup) often show the cause.
        parts.append(Text("To see every request and response of each check, run again with --verbose.", style="dim"))
    return Group(*parts)


def _heading(result: GradeResult) -> Text:
    return Text.assemble(
        ("hubgrade check ", "bold"), (result.assignment, "bold cyan"), f" {result.submission} ({result.runner} runner)"
    )


def _startup_error(result: GradeResult) -> RenderableType:
    error = result.startup_error
    assert error is not None
    parts: list[RenderableType] = [Text(f"error: {error.message}", style="bold red")]
    if error.log_tail:
        parts.append(Text("last lines of the output:", style="bold"))
        parts.append(_indented(error.log_tail))
    return Group(*parts)


def _check_line(check: CheckResult) -> Text:
    label, style = _MARKS.get(check.status, ("?", "white"))
    return Text.assemble(
        (f"{label:<5} ", style), (f"{check.score:>3}/{check.max_score:<3} ", "bold"), check.title,
        (" (hidden check)" if check.hidden else "", "dim"),
    )


def _check_details(check: CheckResult, verbose: bool, show_failure: bool) -> RenderableType | None:
    lines: list[RenderableType] = []
    if check.status != "passed" and check.message and (show_failure or verbose):
        lines.append(_indented(check.message, 6))
    if check.output and check.status == "error" and show_failure:
        lines.append(_indented(check.output, 6, style="dim"))
    if verbose and check.exchanges:
        if lines:
            lines.append(Text(""))
        lines.append(_indented(check.exchanges, 6, style="dim"))
    return Group(*lines) if lines else None


def _indented(text: str, spaces: int = 2, style: str = "") -> Text:
    """Indent every line without padding it to the terminal width, so copied text stays clean."""
    prefix = " " * spaces
    return Text("\n".join(prefix + line for line in text.splitlines()), style=style)


def _score_line(result: GradeResult) -> Text:
    style = {"pass": "bold green", "fail": "bold red", "error": "bold red"}[result.status]
    passed = sum(1 for check in result.checks if check.status == "passed")
    return Text.assemble(
        ("score ", "bold"),
        (f"{result.score}/{result.max_score}", style),
        f"  ({passed} of {len(result.checks)} checks passed, minimum {result.min_score}, {result.duration:.1f} s)",
    )


def print_text(result: GradeResult, console: Console, verbose: bool = False) -> None:
    console.print(format_text(result, verbose), highlight=False, soft_wrap=True)
