"""The Gradescope report: the ``results.json`` that a Gradescope autograder writes.

The fields follow Gradescope's "Autograder Specifications" page
(https://gradescope-autograders.readthedocs.io/en/latest/specs/, whose source is
docs/specs.md in github.com/gradescope/autograder_samples). That format has no top-level
``max_score``: the assignment's total points are set in Gradescope, so they must be 100
there. The maximum is also stored in the top-level ``extra_data``.

Hidden checks get the visibility ``after_published``, which shows a test to students only
once the instructor publishes the grades. ``hidden`` would fit worse, because an older
version of the page reserves it for tests that award no points, and ``after_due_date``
would show the test before the grades are reviewed. According to the specification,
students cannot see their total score while any test is hidden from them, so a run with
hidden checks shows students no score until grades are published. A hidden check's
message and output are left out of the file entirely, because published tests become
visible to students.

All strings use the ``text`` format, so Gradescope renders no HTML or Markdown that a
learner's server wrote. Standard output of the autograder stays ``hidden`` from students,
because it may contain hidden checks' details.
"""

from __future__ import annotations

import json
import math
from typing import Any

from hubgrade.report._shared import clean_text, summary_lines, visible_details
from hubgrade.result import CheckResult, GradeResult

HIDDEN_VISIBILITY = "after_published"


def format_gradescope(result: GradeResult) -> str:
    results: dict[str, Any] = {
        "score": result.score,
        "execution_time": math.ceil(result.duration),
        "output": "\n".join(summary_lines(result)),
        # NOTE: the specification lists "text" for the top-level output, but does not say
        # whether Gradescope keeps its line breaks there as it does in a test's <pre> block.
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {
            "assignment": result.assignment,
            "assignment_version": result.assignment_version,
            "status": result.status,
            "max_score": result.max_score,
            "min_score": result.min_score,
        },
        "tests": [_test(number, check) for number, check in enumerate(result.checks, start=1)],
    }
    return json.dumps(results, indent=2) + "\n"


def _test(number: int, check: CheckResult) -> dict[str, Any]:
    message, output = visible_details(check)
    text = ""
    if check.status != "passed":
        heading = f"{check.status}: {message}" if message else check.status
        text = "\n\n".join(part for part in (heading, output) if part)
    return {
        "name": clean_text(check.title),
        "number": str(number),
        "score": check.score,
        "max_score": check.max_score,
        # Gradescope accepts only "passed" and "failed". A check that errored or was skipped
        # earned no points, so it is "failed".
        "status": "passed" if check.status == "passed" else "failed",
        "output": text,
        "visibility": HIDDEN_VISIBILITY if check.hidden else "visible",
        "extra_data": {"name": check.name, "status": check.status},
    }
