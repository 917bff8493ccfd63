"""Pieces that the JUnit, Gradescope and GitHub reports share.

Every text that comes from a learner's server passes through ``clean_text`` first, and
every check's message and output through ``visible_details``, so that no report shows a
hidden check's details or a character its format cannot carry.
"""

from __future__ import annotations

import re

from hubgrade.result import HIDDEN_DETAILS, CheckResult, GradeResult

_ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
# Everything outside the Char production of XML 1.0: control characters other than tab,
# line feed and carriage return, lone surrogates, U+FFFE and U+FFFF.
_NOT_XML_CHARACTER = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(text: str) -> str:
    """Remove ANSI colour sequences and every character that XML 1.0 cannot contain."""
    return _NOT_XML_CHARACTER.sub("", _ANSI_ESCAPE.sub("", text))


def visible_details(check: CheckResult) -> tuple[str, str]:
    """Return the check's message and output as a learner may see them, cleaned.

    A hidden check's message becomes ``HIDDEN_DETAILS`` and its output is empty. The
    output is the check's requests and responses followed by its other output, as in the
    JSON report.
    """
    if check.hidden:
        return HIDDEN_DETAILS, ""
    output = check.output
    if check.exchanges:
        output = f"{check.exchanges}\n\n{output}".strip()
    return clean_text(check.message), clean_text(output)


def passed_count(result: GradeResult) -> int:
    return sum(1 for check in result.checks if check.status == "passed")


def summary_lines(result: GradeResult) -> list[str]:
    """Return a plain-text summary: score, status, warnings, and why the run was not graded."""
    lines = [
        f"hubgrade {result.assignment} (grader version {result.assignment_version}): "
        f"{result.score}/{result.max_score} points, status {result.status} (minimum score {result.min_score})",
        f"{passed_count(result)} of {len(result.checks)} checks passed in {result.duration:.1f} s",
    ]
    lines.extend(f"warning: {clean_text(warning)}" for warning in result.warnings)

    if result.startup_error is not None:
        error = result.startup_error
        lines.append(f"error: the server was not graded ({error.reason}): {clean_text(error.message)}")
        if error.log_tail:
            lines.append("last lines of the output:")
            lines.append(indent(clean_text(error.log_tail)))
    if result.grader_error:
        lines.append(f"error: {clean_text(result.grader_error)}")
    if result.log_tail:
        lines.append("last lines of the server's output:")
        lines.append(indent(clean_text(result.log_tail)))
    return lines


def indent(text: str, spaces: int = 2) -> str:
    prefix = " " * spaces
    return "\n".join(prefix + line for line in text.splitlines())
