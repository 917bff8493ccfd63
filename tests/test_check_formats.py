"""Every report format from one `hubgrade check`, for a graded run and for a failed start."""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.conftest import PROJECTS, REPO, SOLUTIONS, run_hubgrade, validate_result

pytestmark = pytest.mark.docker

GRADESCOPE_TEST_FIELDS = {"name", "score", "max_score", "status", "output", "visibility"}
EXAMPLES = REPO / "docs" / "formats"


def _check_all_formats(project: Path, assignment_id: str, tmp_path: Path, *extra: str):  # type: ignore[no-untyped-def]
    summary = tmp_path / "summary.md"
    run = run_hubgrade(
        "check", assignment_id, str(project), "--runner", "docker",
        "--format", "text",
        "--format", f"json={tmp_path}/result.json",
        "--format", f"junit={tmp_path}/junit.xml",
        "--format", f"gradescope={tmp_path}/results.json",
        "--format", "github",
        *extra,
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    result = json.loads((tmp_path / "result.json").read_text())
    validate_result(result)
    junit = ElementTree.parse(tmp_path / "junit.xml").getroot()
    gradescope = json.loads((tmp_path / "results.json").read_text())
    return run, result, junit, gradescope, summary.read_text()


def test_graded_run_in_every_format(tmp_path: Path) -> None:
    variant = SOLUTIONS / "todo-crud" / "no-validation"
    run, result, junit, gradescope, summary = _check_all_formats(variant, "todo-crud", tmp_path)

    assert run.exit_code == 1
    assert result["score"] == 74
    failed = {test["title"] for test in result["tests"] if test["status"] == "failed"}
    assert len(failed) == 5

    assert "score 74/100" in run.stdout
    cases = junit.findall(".//testcase")
    assert len(cases) == len(result["tests"])
    assert {case.get("name") for case in cases if case.find("failure") is not None} == failed

    assert gradescope["score"] == 74
    assert len(gradescope["tests"]) == len(result["tests"])
    for test in gradescope["tests"]:
        assert GRADESCOPE_TEST_FIELDS <= set(test)

    annotations = [line for line in run.stdout.splitlines() if line.startswith("::error")]
    assert len(annotations) == 5
    assert all("file=tests/solutions/todo-crud/no-validation/server.js," in line for line in annotations)
    assert "74" in summary
    if os.environ.get("HUBGRADE_WRITE_EXAMPLES"):
        _write_examples(tmp_path, run.stdout, summary)


def _write_examples(folder: Path, stdout: str, summary: str) -> None:
    """Refresh the examples in docs/formats/ from this real run (HUBGRADE_WRITE_EXAMPLES=1)."""
    EXAMPLES.mkdir(parents=True, exist_ok=True)
    for name in ("result.json", "junit.xml", "results.json"):
        shutil.copy(folder / name, EXAMPLES / name)
    text_lines = [line for line in stdout.splitlines() if not line.startswith("::")]
    (EXAMPLES / "text.txt").write_text("\n".join(text_lines) + "\n")
    annotations = [line for line in stdout.splitlines() if line.startswith("::")]
    (EXAMPLES / "github-annotations.txt").write_text("\n".join(annotations) + "\n")
    (EXAMPLES / "github-summary.md").write_text(summary)


def test_failed_start_in_every_format(tmp_path: Path) -> None:
    run, result, junit, gradescope, summary = _check_all_formats(PROJECTS / "exits-at-once", "hello-world", tmp_path)

    assert run.exit_code == 1
    assert result["status"] == "error"
    assert "exited with code 3" in result["error"]["message"]
    assert len(junit.findall(".//testcase/error")) == len(result["tests"])
    assert "exited with code 3" in ElementTree.tostring(junit, encoding="unicode")
    assert gradescope["score"] == 0
    assert "exited with code 3" in gradescope["output"]
    assert any(line.startswith("::error") and "exited with code 3" in line for line in run.stdout.splitlines())
    assert "exited with code 3" in summary


def test_min_score_sets_the_exit_code(tmp_path: Path) -> None:
    variant = SOLUTIONS / "todo-crud" / "delete-returns-body"
    passing = run_hubgrade("check", "todo-crud", str(variant), "--min-score", "90", "--format", "json")
    failing = run_hubgrade("check", "todo-crud", str(variant), "--min-score", "95", "--format", "json")
    assert passing.exit_code == 0
    assert passing.json()["status"] == "pass"
    assert failing.exit_code == 1
    assert failing.json()["status"] == "fail"


@pytest.mark.parametrize("name", ["result.json", "junit.xml", "results.json", "text.txt", "github-annotations.txt", "github-summary.md"])
def test_documented_examples_are_real_output(name: str) -> None:
    path = EXAMPLES / name
    assert path.is_file(), "refresh with: HUBGRADE_WRITE_EXAMPLES=1 python -m pytest tests/test_check_formats.py"
    text = path.read_text()
    if name == "result.json":
        validate_result(json.loads(text))
    elif name == "junit.xml":
        assert len(ElementTree.fromstring(text).findall(".//testcase")) == 17
    elif name == "results.json":
        assert json.loads(text)["score"] == 74
    else:
        assert "74" in text or "::error" in text
