"""`hubgrade validate`: check every assignment's files and grade its known solutions.

For each assignment: assignment.yaml and spec.md load, the grader's checks are
collected and add up to 100 points, and the starter renders and, untouched, is graded
below 100. Then each solution folder
``<solutions>/<id>/<variant>/`` with an ``expect.yaml`` (``score``, ``failed``, optional
``warnings`` and ``needs_image``) is graded, and its score and failed checks must match.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from hubgrade import assignment as assignments
from hubgrade import scaffold
from hubgrade.check import CheckOptions, grade
from hubgrade.errors import HubgradeError
from hubgrade.grading import session

logger = logging.getLogger(__name__)

EXPECTATION_FILE = "expect.yaml"


@dataclass
class Finding:
    subject: str
    ok: bool
    detail: str
    skipped: bool = False


def validate_files(assignment_id: str) -> list[Finding]:
    """Check that the assignment loads, its grader collects with 100 points, and its starter renders."""
    try:
        assignment = assignments.load(assignment_id)
        checks = session.list_checks(assignment, "validation")
        scaffold.render_files(assignment, assignment.id)
    except HubgradeError as exc:
        return [Finding(assignment_id, False, str(exc))]
    return [Finding(assignment_id, True, f"{len(checks)} checks, 100 points, starter renders")]


def validate_starter(assignment_id: str, options: CheckOptions) -> Finding:
    """Render the starter as `hubgrade new` does and grade it: it must be graded, and score below 100."""
    subject = f"{assignment_id}/starter"
    with tempfile.TemporaryDirectory(prefix="hubgrade-starter-") as scratch:
        target = Path(scratch) / assignment_id
        try:
            scaffold.create_project(assignments.load(assignment_id), target)
            result = grade(assignment_id, target, options)
        except HubgradeError as exc:
            return Finding(subject, False, f"could not grade the untouched starter: {exc}")
    if result.grader_error:
        return Finding(subject, False, f"the grader failed on the untouched starter: {result.grader_error}")
    if result.score >= 100:
        return Finding(subject, False, "the untouched starter scores 100; stub the routes the learner implements")
    started = f"did not start ({result.startup_error.message})" if result.startup_error else "started"
    return Finding(subject, True, f"untouched starter {started}, score {result.score}")


def validate_solutions(assignment_id: str, solutions: Path, options: CheckOptions, has_image: Callable[[str], bool]) -> list[Finding]:
    folder = solutions / assignment_id
    if not folder.is_dir():
        return [Finding(
            assignment_id, False,
            f"no solutions in {folder.resolve()}; add at least a reference solution, or point --solutions "
            "at the folder of <id>/<variant>/ solutions (the default is relative to the current folder)",
        )]
    findings = []
    for variant in sorted(path for path in folder.iterdir() if (path / EXPECTATION_FILE).is_file()):
        findings.append(_validate_variant(assignment_id, variant, options, has_image))
    if not findings:
        findings.append(Finding(assignment_id, False, f"no solution in {folder} has an {EXPECTATION_FILE}"))
    return findings


def _validate_variant(assignment_id: str, variant: Path, options: CheckOptions, has_image: Callable[[str], bool]) -> Finding:
    subject = f"{assignment_id}/{variant.name}"
    expected = yaml.safe_load((variant / EXPECTATION_FILE).read_text(encoding="utf-8")) or {}
    image = expected.get("needs_image")
    if image and not has_image(image):
        return Finding(subject, True, f"skipped: needs the {image} image, which is not present", skipped=True)
    try:
        with tempfile.TemporaryDirectory(prefix="hubgrade-validate-") as scratch:
            # A copy, so the local runner's npm install never writes into the solutions folder.
            copy = Path(scratch) / variant.name
            shutil.copytree(variant, copy, ignore=shutil.ignore_patterns("node_modules"))
            result = grade(assignment_id, copy, options)
    except HubgradeError as exc:
        return Finding(subject, False, f"could not grade: {exc}")
    failed = sorted(check.name for check in result.checks if check.status != "passed")
    problems = []
    if result.startup_error is not None:
        problems.append(f"did not start: {result.startup_error.message}")
    if failed != sorted(expected.get("failed", [])):
        problems.append(f"failed checks {failed}, expected {sorted(expected.get('failed', []))}")
    if result.score != expected.get("score"):
        problems.append(f"score {result.score}, expected {expected.get('score')}")
    expected_warnings = expected.get("warnings") or []
    missing = [kind for kind in expected_warnings if not any(kind in warning for warning in result.warnings)]
    if missing:
        problems.append(f"no warning about {missing}; warnings were {result.warnings}")
    if not expected_warnings and result.warnings:
        problems.append(f"unexpected warnings {result.warnings}")
    if problems:
        return Finding(subject, False, "; ".join(problems))
    return Finding(subject, True, f"score {result.score} as expected")
