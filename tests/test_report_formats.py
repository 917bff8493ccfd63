"""The JUnit, Gradescope and GitHub reports of hand-made results. These tests need no Docker."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from hubgrade.report.github import format_github_annotations, format_github_summary
from hubgrade.report.gradescope import format_gradescope
from hubgrade.report.junit import RUN_ERROR_CASE, format_junit
from hubgrade.result import CheckResult, GradeResult, StartupError

HIDDEN_TEXT = "details are hidden for this check"
# Text that only a hidden check's message and output contain. No report may show it.
SECRET_MESSAGE = "expected the secret header X-Token-9f2"
SECRET_OUTPUT = "> GET /admin/secret-route-77c"
STARTUP_MESSAGE = "npm ci failed with exit code 1; its output is below"
STARTUP_LOG = "npm ERR! code E404\nnpm ERR! 404 Not Found - GET https://registry.example/left-pad-x"
HOSTILE_MESSAGE = (
    "expected 200, got 500\x00\x07\x1b[31m red\x1b[0m\n"
    "body: <script>alert(1)</script> | pipe | 100% done\r\n"
    "</pre></details>\n::error::injected\udc80"
)
GRADESCOPE_VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
GRADESCOPE_FORMATS = {"text", "simple_format", "html", "md", "ansi"}


def _check(title: str, status: str, score: int, max_score: int, **details: Any) -> CheckResult:
    name = "test_" + re.sub(r"\W+", "_", title.lower()).strip("_")
    return CheckResult(name=name, title=title, status=status, score=score, max_score=max_score, **details)


def _result(checks: list[CheckResult], **fields: Any) -> GradeResult:
    values: dict[str, Any] = {
        "assignment": "todo-crud", "assignment_version": 2, "submission": "/home/learner/todos",
        "runner": "docker", "checks": checks, "duration": 3.2, "min_score": 100,
    }
    values.update(fields)
    return GradeResult(**values)


def passing_run() -> GradeResult:
    return _result([
        _check("GET /todos returns an empty list", "passed", 40, 40, duration=0.012),
        _check("POST /todos creates a todo", "passed", 30, 30, duration=0.02),
        _check("DELETE /todos/:id removes it", "passed", 30, 30, duration=0.015, hidden=True),
    ])


def mixed_run() -> GradeResult:
    return _result(
        [
            _check("GET /todos returns an empty list", "passed", 30, 30),
            _check(
                "GET on an unknown path returns 404", "failed", 0, 30,
                message=(
                    "GET /nope-4f1a: expected status 404, got 200\n"
                    "request: curl -i http://localhost:3000/nope-4f1a"
                ),
                output="> curl -i http://localhost:3000/nope-4f1a\n< status 200 OK",
            ),
            _check(
                "Admin routes need a token", "failed", 0, 20,
                hidden=True, message=SECRET_MESSAGE, output=SECRET_OUTPUT,
            ),
            _check(
                "PATCH /todos/:id updates the title", "error", 0, 10,
                message="unexpected KeyError in the grader: 'title'",
                output="Traceback (most recent call last):\nKeyError: 'title'",
            ),
            _check("Todos survive a restart", "skipped", 0, 10, message="needs a database"),
        ],
        warnings=["the server listens on port 8080 instead of PORT"],
    )


def startup_error_run() -> GradeResult:
    reason = "not run: the dependencies could not be installed"
    return _result(
        [
            _check("GET /todos returns an empty list", "error", 0, 50, message=reason),
            _check("Admin routes need a token", "error", 0, 50, message=reason, hidden=True),
        ],
        startup_error=StartupError("install", STARTUP_MESSAGE, STARTUP_LOG, 1),
        duration=12.0,
    )


def hostile_run() -> GradeResult:
    return _result([
        _check("GET / returns 200 | a, b: c", "failed", 0, 50, message=HOSTILE_MESSAGE, output=HOSTILE_MESSAGE),
        _check("<b>bold</b> title", "passed", 50, 50),
    ], warnings=["port\x1b[1m 8080\x00 | <i>x</i>"])


def _parse_junit(result: GradeResult) -> ET.Element:
    return ET.fromstring(format_junit(result).encode("utf-8"))


def _properties(element: ET.Element) -> dict[str, str]:
    return {prop.get("name", ""): prop.get("value", "") for prop in element.findall("properties/property")}


# JUnit


def test_junit_passing_run() -> None:
    root = _parse_junit(passing_run())
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    assert suite.get("name") == "hubgrade.todo-crud"
    assert suite.get("tests") == "3"
    assert suite.get("failures") == "0"
    assert suite.get("errors") == "0"
    assert suite.get("skipped") == "0"
    assert suite.get("time") == "3.200"
    assert _properties(suite) == {
        "score": "100", "max_score": "100", "min_score": "100", "status": "pass",
        "assignment_version": "2", "runner": "docker",
    }
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases] == [check.title for check in passing_run().checks]
    assert all(case.get("classname") == "hubgrade.todo-crud" for case in cases)
    assert cases[0].get("time") == "0.012"
    assert _properties(cases[0]) == {"score": "40", "max_score": "40"}
    assert all(len(case.findall("failure") + case.findall("error") + case.findall("skipped")) == 0 for case in cases)


def test_junit_mixed_run_counts() -> None:
    root = _parse_junit(mixed_run())
    suite = root.find("testsuite")
    assert suite is not None
    for element in (root, suite):
        assert element.get("tests") == "5"
        assert element.get("failures") == "2"
        assert element.get("errors") == "1"
        assert element.get("skipped") == "1"
    assert _properties(suite)["score"] == "30"
    assert _properties(suite)["status"] == "fail"

    cases = {case.get("name"): case for case in suite.findall("testcase")}
    failure = cases["GET on an unknown path returns 404"].find("failure")
    assert failure is not None
    assert failure.get("message") == "GET /nope-4f1a: expected status 404, got 200"
    assert "curl -i http://localhost:3000/nope-4f1a" in (failure.text or "")
    assert "< status 200 OK" in (failure.text or "")
    error = cases["PATCH /todos/:id updates the title"].find("error")
    assert error is not None
    assert "KeyError: 'title'" in (error.text or "")
    skipped = cases["Todos survive a restart"].find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "needs a database"
    system_out = suite.findtext("system-out") or ""
    assert "warning: the server listens on port 8080 instead of PORT" in system_out


def test_junit_hides_hidden_details() -> None:
    text = format_junit(mixed_run())
    assert SECRET_MESSAGE not in text
    assert SECRET_OUTPUT not in text
    suite = ET.fromstring(text.encode("utf-8")).find("testsuite")
    assert suite is not None
    hidden = [case for case in suite.findall("testcase") if case.get("name") == "Admin routes need a token"]
    assert len(hidden) == 1
    assert _properties(hidden[0]) == {"score": "0", "max_score": "20"}
    failure = hidden[0].find("failure")
    assert failure is not None
    assert failure.get("message") == HIDDEN_TEXT
    assert failure.text == HIDDEN_TEXT


def test_junit_startup_error() -> None:
    suite = _parse_junit(startup_error_run()).find("testsuite")
    assert suite is not None
    assert suite.get("tests") == "2"
    assert suite.get("errors") == "2"
    assert _properties(suite)["status"] == "error"
    system_out = suite.findtext("system-out") or ""
    assert STARTUP_MESSAGE in system_out
    assert "npm ERR! 404 Not Found" in system_out
    for case in suite.findall("testcase"):
        error = case.find("error")
        assert error is not None
        assert error.get("message") == STARTUP_MESSAGE
        assert "npm ERR! code E404" in (error.text or "")


def test_junit_grader_error_without_checks() -> None:
    result = _result([], grader_error="the grader of todo-crud failed to run (pytest exit 4)", log_tail="listening")
    suite = _parse_junit(result).find("testsuite")
    assert suite is not None
    assert suite.get("tests") == "1"
    assert suite.get("errors") == "1"
    case = suite.find("testcase")
    assert case is not None
    assert case.get("name") == RUN_ERROR_CASE
    error = case.find("error")
    assert error is not None
    assert error.get("message") == "the grader of todo-crud failed to run (pytest exit 4)"


def test_junit_strips_control_characters() -> None:
    text = format_junit(hostile_run())
    assert "\x00" not in text
    assert "\x07" not in text
    assert "\x1b" not in text
    assert "\udc80" not in text
    suite = ET.fromstring(text.encode("utf-8")).find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases] == ["GET / returns 200 | a, b: c", "<b>bold</b> title"]
    failure = cases[0].find("failure")
    assert failure is not None
    assert failure.get("message") == "expected 200, got 500 red"
    assert "<script>alert(1)</script>" in (failure.text or "")


# Gradescope


def _check_gradescope_fields(results: dict[str, Any]) -> None:
    """Assert the field types that Gradescope's autograder specification lists."""
    assert isinstance(results["score"], (int, float))
    assert isinstance(results["execution_time"], int)
    assert isinstance(results["output"], str)
    assert results["output_format"] in GRADESCOPE_FORMATS
    assert results["test_output_format"] in GRADESCOPE_FORMATS
    assert results["test_name_format"] in GRADESCOPE_FORMATS
    assert results["visibility"] in GRADESCOPE_VISIBILITIES
    assert results["stdout_visibility"] in GRADESCOPE_VISIBILITIES
    assert isinstance(results["extra_data"], dict)
    assert isinstance(results["tests"], list)
    for test in results["tests"]:
        assert set(test) == {"name", "number", "score", "max_score", "status", "output", "visibility", "extra_data"}
        assert isinstance(test["name"], str)
        assert isinstance(test["number"], str)
        assert isinstance(test["score"], (int, float))
        assert isinstance(test["max_score"], (int, float))
        assert test["status"] in ("passed", "failed")
        assert isinstance(test["output"], str)
        assert test["visibility"] in GRADESCOPE_VISIBILITIES
        assert isinstance(test["extra_data"], dict)


def test_gradescope_passing_run() -> None:
    results = json.loads(format_gradescope(passing_run()))
    _check_gradescope_fields(results)
    assert results["score"] == 100
    assert "max_score" not in results
    assert results["extra_data"]["max_score"] == 100
    assert results["execution_time"] == 4
    assert results["stdout_visibility"] == "hidden"
    assert [test["number"] for test in results["tests"]] == ["1", "2", "3"]
    assert [test["status"] for test in results["tests"]] == ["passed", "passed", "passed"]
    assert [test["output"] for test in results["tests"]] == ["", "", ""]
    assert results["tests"][2]["visibility"] == "after_published"


def test_gradescope_mixed_run() -> None:
    results = json.loads(format_gradescope(mixed_run()))
    _check_gradescope_fields(results)
    assert results["score"] == 30
    assert results["score"] == sum(test["score"] for test in results["tests"])
    tests = {test["name"]: test for test in results["tests"]}
    assert [test["status"] for test in results["tests"]] == ["passed", "failed", "failed", "failed", "failed"]
    assert tests["GET on an unknown path returns 404"]["max_score"] == 30
    assert "expected status 404, got 200" in tests["GET on an unknown path returns 404"]["output"]
    assert tests["PATCH /todos/:id updates the title"]["extra_data"]["status"] == "error"
    assert "KeyError: 'title'" in tests["PATCH /todos/:id updates the title"]["output"]
    assert tests["Todos survive a restart"]["output"] == "skipped: needs a database"
    assert "warning: the server listens on port 8080 instead of PORT" in results["output"]


def test_gradescope_hidden_check() -> None:
    text = format_gradescope(mixed_run())
    assert SECRET_MESSAGE not in text
    assert SECRET_OUTPUT not in text
    hidden = [test for test in json.loads(text)["tests"] if test["name"] == "Admin routes need a token"]
    assert len(hidden) == 1
    assert hidden[0]["visibility"] == "after_published"
    assert hidden[0]["output"] == f"failed: {HIDDEN_TEXT}"
    assert hidden[0]["max_score"] == 20


def test_gradescope_startup_error() -> None:
    results = json.loads(format_gradescope(startup_error_run()))
    _check_gradescope_fields(results)
    assert results["score"] == 0
    assert results["execution_time"] == 12
    assert results["extra_data"]["status"] == "error"
    assert STARTUP_MESSAGE in results["output"]
    assert "npm ERR! 404 Not Found" in results["output"]
    assert [test["status"] for test in results["tests"]] == ["failed", "failed"]
    assert "not run: the dependencies could not be installed" in results["tests"][0]["output"]


def test_gradescope_strips_control_characters() -> None:
    text = format_gradescope(hostile_run())
    results = json.loads(text)
    _check_gradescope_fields(results)
    output = results["tests"][0]["output"]
    for character in ("\x00", "\x07", "\x1b", "\udc80"):
        assert character not in output
    assert "<script>alert(1)</script>" in output
    assert "\\udc80" not in text


# GitHub job summary


def _table_rows(summary: str) -> list[str]:
    return [line for line in summary.splitlines() if line.startswith("|")]


def _cell_separators(row: str) -> int:
    """Count the pipes that separate table cells, leaving out escaped ones."""
    return len(re.findall(r"(?<!\\)\|", row))


def test_github_summary_table() -> None:
    summary = format_github_summary(mixed_run())
    assert summary.startswith("## hubgrade todo-crud: 30/100\n")
    assert "**Status:** fail (minimum score 100), 1 of 5 checks passed" in summary
    assert "- the server listens on port 8080 instead of PORT" in summary
    rows = _table_rows(summary)
    assert rows[0] == "| status | points | check |"
    assert rows[1] == "| --- | ---: | --- |"
    assert rows[2:] == [
        "| passed | 30/30 | GET /todos returns an empty list |",
        "| failed | 0/30 | GET on an unknown path returns 404 |",
        "| failed | 0/20 | Admin routes need a token |",
        "| error | 0/10 | PATCH /todos/:id updates the title |",
        "| skipped | 0/10 | Todos survive a restart |",
    ]


def test_github_summary_failure_details() -> None:
    summary = format_github_summary(mixed_run())
    assert "<details><summary>failed: GET on an unknown path returns 404 (0/30)</summary>" in summary
    assert "GET /nope-4f1a: expected status 404, got 200" in summary
    assert "<details><summary>error: PATCH /todos/:id updates the title (0/10)</summary>" in summary
    assert "KeyError: 'title'" in summary
    assert "<details><summary>failed: Admin routes need a token (0/20)</summary>" in summary
    assert HIDDEN_TEXT in summary
    assert SECRET_MESSAGE not in summary
    assert SECRET_OUTPUT not in summary
    assert "needs a database" not in summary


def test_github_summary_escapes_server_output() -> None:
    summary = format_github_summary(hostile_run())
    rows = _table_rows(summary)
    assert len(rows) == 4
    for row in rows:
        assert _cell_separators(row) == 4
    assert rows[2] == r"| failed | 0/50 | GET / returns 200 \| a, b: c |"
    assert rows[3] == "| passed | 50/50 | &lt;b&gt;bold&lt;/b&gt; title |"
    assert "- port 8080 \\| &lt;i&gt;x&lt;/i&gt;" in summary
    assert "<script>" not in summary
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in summary
    assert "<i>" not in summary
    # The only </pre> and </details> are the ones that close the blocks.
    assert summary.count("</pre>") == summary.count("<pre>") == 1
    assert summary.count("</details>") == summary.count("<details>") == 1
    for character in ("\x00", "\x07", "\x1b", "\r", "\udc80"):
        assert character not in summary


def test_github_summary_startup_error() -> None:
    summary = format_github_summary(startup_error_run())
    assert "**Status:** error" in summary
    assert "### The server was not graded" in summary
    assert f"install: {STARTUP_MESSAGE}" in summary
    assert "npm ERR! 404 Not Found" in summary
    assert "### Failed checks" not in summary
    assert len(_table_rows(summary)) == 4


def test_github_summary_passing_run() -> None:
    summary = format_github_summary(passing_run())
    assert "**Status:** pass (minimum score 100), 3 of 3 checks passed in 3.2 s" in summary
    assert len(_table_rows(summary)) == 5
    assert "<details>" not in summary


# GitHub annotations

ANNOTATION = re.compile(r"^::(error|warning) (file=[^,:\r\n]*,)?title=[^,:\r\n]*::[^\r\n]*$")


def _unescape_data(text: str) -> str:
    return text.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def test_github_annotations_form() -> None:
    annotations = format_github_annotations(mixed_run(), "src/server.js")
    lines = annotations.splitlines()
    assert annotations.endswith("\n")
    assert len(lines) == 4
    for line in lines:
        assert ANNOTATION.match(line), line
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::error", "::error", "::warning"]
    for line in lines:
        assert line.startswith(("::error file=src/server.js,title=", "::warning file=src/server.js,title="))
    assert lines[0] == (
        "::error file=src/server.js,title=GET on an unknown path returns 404 (0/30 points)"
        "::GET /nope-4f1a: expected status 404, got 200%0Arequest: curl -i http://localhost:3000/nope-4f1a"
    )
    assert lines[1] == f"::error file=src/server.js,title=Admin routes need a token (0/20 points)::{HIDDEN_TEXT}"
    assert lines[2].startswith("::error file=src/server.js,title=PATCH /todos/%3Aid updates the title (0/10 points)::")
    assert lines[3] == (
        "::warning file=src/server.js,title=hubgrade warning::the server listens on port 8080 instead of PORT"
    )
    assert SECRET_MESSAGE not in annotations


def test_github_annotations_without_file() -> None:
    lines = format_github_annotations(mixed_run(), None).splitlines()
    assert len(lines) == 4
    assert all(" file=" not in line for line in lines)
    assert lines[0].startswith("::error title=GET on an unknown path returns 404 (0/30 points)::")


def test_github_annotations_passing_run() -> None:
    assert format_github_annotations(passing_run(), "server.js") == ""


def test_github_annotations_escaping() -> None:
    lines = format_github_annotations(hostile_run(), "src/app:v2,final.js").splitlines()
    assert len(lines) == 2
    for line in lines:
        assert ANNOTATION.match(line), line
    error, warning = lines
    assert error.startswith(
        "::error file=src/app%3Av2%2Cfinal.js,title=GET / returns 200 | a%2C b%3A c (0/50 points)::"
    )
    data = error.split("::", 2)[2]
    assert "%25 done" in data
    assert "%0D%0A" in data
    assert _unescape_data(data) == (
        "expected 200, got 500 red\nbody: <script>alert(1)</script> | pipe | 100% done\r\n"
        "</pre></details>\n::error::injected"
    )
    assert warning == "::warning file=src/app%3Av2%2Cfinal.js,title=hubgrade warning::port 8080 | <i>x</i>"


def test_github_annotations_startup_error() -> None:
    lines = format_github_annotations(startup_error_run(), "server.js").splitlines()
    assert len(lines) == 3
    for line in lines:
        assert ANNOTATION.match(line), line
    assert lines[0].startswith("::error file=server.js,title=hubgrade%3A the server was not graded (install)::")
    data = _unescape_data(lines[0].split("::", 2)[2])
    assert data == f"{STARTUP_MESSAGE}\nlast lines of the output:\n{STARTUP_LOG}"
    assert lines[1].endswith("::not run: the dependencies could not be installed")
    assert lines[2].endswith(f"::{HIDDEN_TEXT}")


def test_grader_error_in_every_format() -> None:
    result = _result(
        [], grader_error="the grader of todo-crud failed to run (pytest exit 4)", log_tail="listening on 3000\nboom"
    )

    results = json.loads(format_gradescope(result))
    _check_gradescope_fields(results)
    assert results["tests"] == []
    assert results["score"] == 0
    assert "error: the grader of todo-crud failed to run (pytest exit 4)" in results["output"]
    assert "  boom" in results["output"]

    summary = format_github_summary(result)
    assert "### The grader failed" in summary
    assert "<details><summary>last lines of the server's output</summary>" in summary
    assert _table_rows(summary) == []

    lines = format_github_annotations(result, None).splitlines()
    assert len(lines) == 1
    assert ANNOTATION.match(lines[0])
    assert lines[0] == (
        "::error title=hubgrade%3A the grader failed::the grader of todo-crud failed to run (pytest exit 4)"
        "%0Alast lines of the server's output:%0Alistening on 3000%0Aboom"
    )
