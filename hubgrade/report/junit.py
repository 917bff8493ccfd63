"""The JUnit XML report, for the test reporters of Jenkins, GitLab and GitHub Actions.

The layout is the common one that pytest and Maven Surefire also write: one
``<testsuites>`` around one ``<testsuite>``, one ``<testcase>`` per check, and a
``<failure>``, ``<error>`` or ``<skipped>`` element in each check that did not pass. Points
and the run's status are ``<properties>``. The text starts with an XML declaration of
the encoding utf-8, so the caller must write it to a file as UTF-8.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hubgrade.report._shared import clean_text, indent, summary_lines, visible_details
from hubgrade.result import CheckResult, GradeResult

# The name of the testcase that replaces the checks when a run that was not graded has
# none, so that a CI reporter counts an error instead of an empty, green suite.
RUN_ERROR_CASE = "grade the submission"


def format_junit(result: GradeResult) -> str:
    suite_name = f"hubgrade.{clean_text(result.assignment)}"
    cases = [_testcase(check, suite_name, result) for check in result.checks]
    if not cases and result.status == "error":
        cases.append(_run_error_case(suite_name, result))

    counts = {
        "tests": str(len(cases)),
        "failures": str(_count(cases, "failure")),
        "errors": str(_count(cases, "error")),
        "skipped": str(_count(cases, "skipped")),
        "time": _seconds(result.duration),
    }
    root = ET.Element("testsuites", {"name": "hubgrade", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": suite_name, **counts})
    _add_properties(
        suite,
        {
            "score": result.score,
            "max_score": result.max_score,
            "min_score": result.min_score,
            "status": result.status,
            "assignment_version": result.assignment_version,
            "runner": result.runner,
        },
    )
    suite.extend(cases)
    ET.SubElement(suite, "system-out").text = "\n".join(summary_lines(result)) + "\n"

    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _testcase(check: CheckResult, classname: str, result: GradeResult) -> ET.Element:
    case = ET.Element(
        "testcase", {"classname": classname, "name": clean_text(check.title), "time": _seconds(check.duration)}
    )
    _add_properties(case, {"score": check.score, "max_score": check.max_score})
    if check.status == "passed":
        return case

    message, output = visible_details(check)
    body = "\n\n".join(part for part in (message, output) if part)
    if check.status == "failed":
        ET.SubElement(case, "failure", message=_first_line(message)).text = body
    elif check.status == "skipped":
        ET.SubElement(case, "skipped", message=_first_line(message)).text = body
    elif result.startup_error is not None:
        # Every check is an error "not run" here, so each error repeats why the server did not start.
        startup_message = clean_text(result.startup_error.message)
        ET.SubElement(case, "error", message=startup_message).text = f"{body}\n\n{_startup_report(result)}"
    else:
        ET.SubElement(case, "error", message=_first_line(message)).text = body
    return case


def _run_error_case(classname: str, result: GradeResult) -> ET.Element:
    case = ET.Element("testcase", {"classname": classname, "name": RUN_ERROR_CASE, "time": _seconds(result.duration)})
    if result.startup_error is not None:
        message = clean_text(result.startup_error.message)
    else:
        message = _first_line(clean_text(result.grader_error))
    ET.SubElement(case, "error", message=message).text = "\n".join(summary_lines(result))
    return case


def _startup_report(result: GradeResult) -> str:
    error = result.startup_error
    assert error is not None
    lines = [f"the server was not graded ({error.reason}): {clean_text(error.message)}"]
    if error.log_tail:
        lines.append("last lines of the output:")
        lines.append(indent(clean_text(error.log_tail)))
    return "\n".join(lines)


def _add_properties(parent: ET.Element, values: dict[str, str | int]) -> None:
    properties = ET.SubElement(parent, "properties")
    for name, value in values.items():
        ET.SubElement(properties, "property", name=name, value=clean_text(str(value)))


def _count(cases: list[ET.Element], outcome: str) -> int:
    return sum(1 for case in cases if case.find(outcome) is not None)


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0].strip()


def _seconds(duration: float) -> str:
    return f"{duration:.3f}"
