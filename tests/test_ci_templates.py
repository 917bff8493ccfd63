"""`hubgrade new --ci`: the workflow files parse, and the commands they run are valid."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from hubgrade.cli import check, cli
from hubgrade.report.outputs import Output, parse_outputs


def _new_with_ci(tmp_path: Path, ci: str) -> Path:
    target = tmp_path / "project"
    result = CliRunner().invoke(cli, ["new", "todo-crud", str(target), "--ci", ci])
    assert result.exit_code == 0, result.output
    return target


def _parse_check_command(command: str) -> tuple[dict, list[Output]]:
    """Parse a `hubgrade check ...` line with the CLI's own parser, as the CI would run it."""
    words = shlex.split(command)
    assert words[:2] == ["hubgrade", "check"]
    context = check.make_context("check", words[2:])
    outputs = parse_outputs(context.params["formats"], context.params["output"])
    return context.params, outputs


def test_github_workflow(tmp_path: Path) -> None:
    target = _new_with_ci(tmp_path, "github")
    workflow = yaml.safe_load((target / ".github" / "workflows" / "hubgrade.yml").read_text())
    steps = workflow["jobs"]["grade"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    assert any("pip install" in run and "hubgrade==" in run for run in runs)
    [command] = [run for run in runs if run.startswith("hubgrade check")]
    params, outputs = _parse_check_command(command)
    assert params["assignment_id"] == "todo-crud"
    assert params["runner"] == "docker"
    assert params["min_score"] == 100
    formats = {output.format: output.path for output in outputs}
    assert formats["github"] is None
    assert formats["junit"] == Path("hubgrade-results/junit.xml")
    assert formats["json"] == Path("hubgrade-results/result.json")
    [upload] = [step for step in steps if step.get("uses", "").startswith("actions/upload-artifact")]
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == "hubgrade-results/"


def test_gitlab_pipeline(tmp_path: Path) -> None:
    target = _new_with_ci(tmp_path, "gitlab")
    pipeline = yaml.safe_load((target / ".gitlab-ci.yml").read_text())
    job = pipeline["hubgrade"]
    assert any("hubgrade==" in line for line in job["before_script"])
    [command] = [line for line in job["script"] if line.startswith("hubgrade check")]
    params, outputs = _parse_check_command(command)
    assert params["runner"] == "local"
    formats = {output.format: output.path for output in outputs}
    assert str(formats["junit"]) == job["artifacts"]["reports"]["junit"]
    assert job["artifacts"]["when"] == "always"
    assert "hubgrade-results/" in job["artifacts"]["paths"]


def test_unknown_ci_is_rejected(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["new", "todo-crud", str(tmp_path / "p"), "--ci", "jenkins"])
    assert result.exit_code == 2
    assert "'jenkins' is not one of 'github', 'gitlab'" in result.output
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_ci_file_is_not_overwritten(tmp_path: Path, ci: str) -> None:
    target = _new_with_ci(tmp_path, ci)
    (target / "server.js").unlink()
    result = CliRunner().invoke(cli, ["new", "todo-crud", str(target), "--ci", ci])
    assert result.exit_code == 2
    assert "refusing to overwrite" in result.output
