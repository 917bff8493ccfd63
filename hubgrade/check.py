"""Grade one submission: the steps behind `hubgrade check`.

load the assignment -> inspect the project -> choose a runner -> install and build ->
start the server -> run the grader -> collect the result. Every container, network and
process the run created is removed on the way out, also on errors and on Ctrl-C.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

from hubgrade import assignment as assignments
from hubgrade import run_files
from hubgrade import submission as submissions
from hubgrade.grading import session
from hubgrade.interrupts import raise_if_interrupted
from hubgrade.limits import REQUEST_SHARE_OF_CHECK, RESOURCE_LIMITS
from hubgrade.result import GradeResult, LimitHit, StartupError
from hubgrade.runners.selection import select_runner
from hubgrade.runners.base import Runner, StartupFailed, tail
from hubgrade.services.service_set import ServiceRequest, requests_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckOptions:
    runner: str = "auto"
    image: str | None = None
    min_score: int = 100
    startup_seconds: float | None = None
    check_seconds: float | None = None
    # Limits set with --limit NAME=VALUE, over the assignment's own.
    limits: tuple[tuple[str, float], ...] = ()


def grade(assignment_id: str, project: Path, options: CheckOptions) -> GradeResult:
    started = time.monotonic()
    assignment = _with_limits(assignments.load(assignment_id), options)
    submission = submissions.inspect(project)
    services = requests_for(
        assignment.services, submission.config.services, str(submission.path / submissions.PROJECT_CONFIG)
    )
    runner, warnings = select_runner(
        options.runner, submission, startup_seconds=assignment.limits.startup_seconds, image=options.image,
        server_image=assignment.server_image, limits=assignment.limits,
    )
    result = GradeResult(
        assignment=assignment.id, assignment_version=assignment.version, submission=str(submission.path),
        runner=runner.name, warnings=warnings + list(submission.notes), min_score=options.min_score,
        entry_file=_relative_entry_file(submission),
    )
    named = submission.config.assignment
    if named is not None and named != assignment.id:
        result.warnings.append(
            f"{submissions.PROJECT_CONFIG} names the assignment {named}, but this check grades {assignment.id}"
        )
    logger.info("grading %s against %s with the %s runner", submission.path, assignment.id, runner.name)
    unenforced = [name for name, _ in options.limits if name in RESOURCE_LIMITS]
    if runner.name == "local" and unenforced:
        result.warnings.append(
            f"the local runner sets no resource limits, so --limit {', '.join(unenforced)} does not apply; "
            "use --runner docker to enforce them"
        )

    with runner:
        _grade_with(runner, assignment, result, services)
        raise_if_interrupted()

    result.duration = time.monotonic() - started
    logger.info("graded %s: %d/%d (%s)", submission.path, result.score, result.max_score, result.status)
    return result


def _grade_with(
    runner: Runner, assignment: assignments.Assignment, result: GradeResult, services: list[ServiceRequest]
) -> None:
    injected = assignment.generate_environment()
    files = run_files.generate(assignment)
    injected.update(assignment.path_environment(runner.data_root, runner.work_root))
    try:
        runner.prepare(files)
        if runner.dependencies_reused:
            logger.info("dependencies were already installed")
        server = runner.start(injected, services)
    except StartupFailed as failure:
        logger.info("server of %s did not start: %s", result.submission, failure.message)
        result.startup_error = StartupError(failure.reason, failure.message, failure.log_tail, failure.exit_code)
        result.checks = session.list_checks(assignment, _not_run_reason(failure.reason))
        _record_limits(
            runner, assignment, result, startup_timed_out=failure.reason == "no-listen",
            build_timed_out=failure.limit == "build_seconds",
        )
        return
    result.warnings.extend(server.warnings)

    outcome = session.run_grader(assignment, runner, server, injected, files)
    result.checks = outcome.checks
    result.grader_error = outcome.error
    exit_code = runner.server_exit_code()
    if exit_code is not None:
        result.warnings.append(f"the server exited with code {exit_code} during grading; see its log below")
    if exit_code is not None or result.grader_error or result.failed_checks:
        # The server's own output often shows why a check failed (an error it logged).
        result.log_tail = tail(runner.server_log())
    _record_limits(runner, assignment, result, server_died=exit_code is not None)


# The messages of a check that ran out of time (the plugin's limit, or a request's share of it).
_TIME_OUT_MESSAGES = ("did not finish within its limit", "did not respond within")


def _record_limits(
    runner: Runner, assignment: assignments.Assignment, result: GradeResult, startup_timed_out: bool = False,
    server_died: bool = False, build_timed_out: bool = False,
) -> None:
    """Name in the result each limit the server reached; each also shows as a warning.

    Checks that time out after the server died are a consequence of its end, not of the
    time limit, so they are not reported as one.
    """
    hits = runner.limits_hit()
    if build_timed_out:
        seconds = assignment.limits.build_seconds
        hits.append(LimitHit("build_seconds", f"a build step did not finish within the build limit of {seconds:g} s"))
    if startup_timed_out:
        seconds = assignment.limits.startup_seconds
        hits.append(LimitHit("startup_seconds", f"the server did not respond within the start-up limit of {seconds:g} s"))
    timed_out = [check.title for check in result.checks if any(text in check.message for text in _TIME_OUT_MESSAGES)]
    if timed_out and not server_died:
        seconds = assignment.limits.check_seconds
        checks = "1 check" if len(timed_out) == 1 else f"{len(timed_out)} checks"
        hits.append(LimitHit(
            "check_seconds",
            f"{checks} ran out of time: each check may take {seconds:g} s, "
            f"and each request in it {seconds * REQUEST_SHARE_OF_CHECK:g} s",
        ))
    result.limits_hit = hits
    result.warnings.extend(f"limit reached ({hit.name}): {hit.message}" for hit in hits)


def _relative_entry_file(submission: submissions.Submission) -> str | None:
    entry = submission.entry_file()
    if entry is None:
        return None
    return os.path.relpath(submission.path / entry)


def _with_limits(assignment: assignments.Assignment, options: CheckOptions) -> assignments.Assignment:
    """Return the assignment with the time limits the command line overrides."""
    limits = assignment.limits
    if options.startup_seconds is not None:
        limits = replace(limits, startup_seconds=options.startup_seconds)
    if options.check_seconds is not None:
        limits = replace(limits, check_seconds=options.check_seconds)
    return replace(assignment, limits=limits.with_overrides(dict(options.limits)))


def _not_run_reason(reason: str) -> str:
    return {
        "install": "the dependencies could not be installed",
        "build": "the project could not be built",
    }.get(reason, "the server did not start")
