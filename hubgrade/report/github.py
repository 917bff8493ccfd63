"""Reports for GitHub Actions: a job summary in Markdown and workflow-command annotations.

``format_github_summary`` returns GitHub-flavoured Markdown to append to the file named
by ``$GITHUB_STEP_SUMMARY``. Text from a learner's server never reaches the Markdown
unescaped. In table cells, lists and headings, line breaks become spaces, Markdown
punctuation gets a backslash and ``&``, ``<`` and ``>`` become HTML entities. Longer text
goes into a ``<pre>`` block with its HTML escaped. Such a block ends only at a line that
contains ``</pre>``, which escaped text cannot contain.

``format_github_annotations`` returns ``::error`` and ``::warning`` workflow commands, one
a line, for a step to print on standard output. They are escaped as the escapeData and
escapeProperty functions of GitHub's actions/toolkit (packages/core/src/command.ts) do.
"""

from __future__ import annotations

import html
import re

from hubgrade.report._shared import clean_text, passed_count, visible_details
from hubgrade.result import HIDDEN_DETAILS, CheckResult, GradeResult

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]|~#$])")


def format_github_summary(result: GradeResult) -> str:
    lines = [
        f"## hubgrade {_inline(result.assignment)}: {result.score}/{result.max_score}",
        "",
        f"**Status:** {result.status} (minimum score {result.min_score}), "
        f"{passed_count(result)} of {len(result.checks)} checks passed in {result.duration:.1f} s",
    ]
    if result.warnings:
        lines += ["", "**Warnings:**", ""]
        lines += [f"- {_inline(warning)}" for warning in result.warnings]
    lines += _error_lines(result)
    if result.checks:
        lines += ["", "| status | points | check |", "| --- | ---: | --- |"]
        for check in result.checks:
            lines.append(f"| {check.status} | {check.score}/{check.max_score} | {_inline(check.title)} |")
    lines += _failure_lines(result)
    return "\n".join(lines) + "\n"


def _error_lines(result: GradeResult) -> list[str]:
    """Return the sections that explain why the run was not graded and show the server's log."""
    lines: list[str] = []
    if result.startup_error is not None:
        error = result.startup_error
        lines += ["", "### The server was not graded", "", f"{_inline(error.reason)}: {_inline(error.message)}"]
        if error.log_tail:
            lines += ["", "Last lines of the output:", "", *_preformatted(error.log_tail)]
    if result.grader_error:
        lines += ["", "### The grader failed", "", _inline(result.grader_error)]
    if result.log_tail:
        lines += ["", *_collapsed("last lines of the server's output", _preformatted(result.log_tail))]
    return lines


def _failure_lines(result: GradeResult) -> list[str]:
    # Without a server every check contains only "not run", which the error section explains.
    if result.startup_error is not None:
        return []
    failed = [check for check in result.checks if check.status in ("failed", "error")]
    if not failed:
        return []

    lines = ["", "### Failed checks"]
    for check in failed:
        summary = f"{check.status}: {check.title} ({check.score}/{check.max_score})"
        if check.hidden:
            body = [HIDDEN_DETAILS]
        else:
            message, output = visible_details(check)
            # A failed check's message already shows its request and response. An error's
            # output contains the grader's traceback.
            body = _preformatted(message if check.status == "failed" else f"{message}\n\n{output}".strip())
        lines += ["", *_collapsed(summary, body)]
    return lines


def _collapsed(summary: str, body: list[str]) -> list[str]:
    """Return a <details> block. The blank lines let GitHub render the body as Markdown."""
    return [f"<details><summary>{_html_inline(summary)}</summary>", "", *body, "", "</details>"]


def _preformatted(text: str) -> list[str]:
    lines = clean_text(text).strip("\r\n").splitlines()
    return ["<pre>", *(html.escape(line, quote=False) for line in lines), "</pre>"]


def _inline(text: str) -> str:
    """Escape text for one line of Markdown, such as a table cell."""
    one_line = " ".join(clean_text(text).split())
    return html.escape(_MARKDOWN_PUNCTUATION.sub(r"\\\1", one_line), quote=False)


def _html_inline(text: str) -> str:
    """Escape text for one line inside an HTML element, where backslashes show as typed."""
    return html.escape(" ".join(clean_text(text).split()), quote=False)


def format_github_annotations(result: GradeResult, entry_file: str | None = None) -> str:
    """Return one workflow command a line: an error per failed check and per run error, a warning per warning."""
    commands: list[str] = []
    if result.startup_error is not None:
        error = result.startup_error
        message = error.message
        if error.log_tail:
            message += f"\nlast lines of the output:\n{error.log_tail}"
        commands.append(_command("error", f"hubgrade: the server was not graded ({error.reason})", message, entry_file))
    if result.grader_error:
        message = result.grader_error
        if result.log_tail:
            message += f"\nlast lines of the server's output:\n{result.log_tail}"
        commands.append(_command("error", "hubgrade: the grader failed", message, entry_file))
    for check in result.checks:
        if check.status in ("failed", "error"):
            commands.append(_check_command(check, entry_file))
    for warning in result.warnings:
        commands.append(_command("warning", "hubgrade warning", warning, entry_file))
    return "".join(command + "\n" for command in commands)


def _check_command(check: CheckResult, entry_file: str | None) -> str:
    message, _ = visible_details(check)
    title = f"{check.title} ({check.score}/{check.max_score} points)"
    return _command("error", title, message or check.status, entry_file)


def _command(level: str, title: str, message: str, entry_file: str | None) -> str:
    properties = [f"file={_escape_property(entry_file)}"] if entry_file else []
    properties.append(f"title={_escape_property(title)}")
    return f"::{level} {','.join(properties)}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return clean_text(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
