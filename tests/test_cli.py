"""The commands that do not grade: list, show, new, doctor, and argument handling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hubgrade import assignment
from hubgrade.cli import cli
from tests.conftest import run_hubgrade


def _invoke(*arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(arguments))
    return result.exit_code, result.stdout, result.stderr


def test_list_json() -> None:
    exit_code, stdout, _ = _invoke("list", "--json")
    assert exit_code == 0
    rows = {row["id"]: row for row in json.loads(stdout)}
    assert {"hello-world", "calculator", "todo-crud"} <= set(rows)
    assert rows["todo-crud"]["track"] == "practice"


def test_list_table() -> None:
    exit_code, stdout, _ = _invoke("list")
    assert exit_code == 0
    assert "todo-crud" in stdout
    assert "practice" in stdout
    # Not a terminal here: a header and one line per assignment, however long the summary.
    assert len(stdout.strip().splitlines()) == 1 + len(assignment.list_ids())


def test_show_renders_the_spec() -> None:
    exit_code, stdout, _ = _invoke("show", "todo-crud")
    assert exit_code == 0
    assert "/todos" in stdout


def test_show_unknown_id() -> None:
    exit_code, _, stderr = _invoke("show", "nope")
    assert exit_code == 2
    assert stderr.startswith("Error: unknown assignment 'nope'")


def test_new_writes_the_starter(tmp_path: Path) -> None:
    target = tmp_path / "my-todos"
    exit_code, stdout, _ = _invoke("new", "todo-crud", str(target))
    assert exit_code == 0, stdout
    names = sorted(path.name for path in target.iterdir())
    assert names == [".gitignore", "README.md", "hubgrade.yaml", "package.json", "server.js"]
    package = json.loads((target / "package.json").read_text())
    assert package["name"] == "my-todos"
    assert package["dependencies"]["express"].startswith("^5")
    assert package["scripts"]["start"] == "node server.js"
    assert "assignment: todo-crud" in (target / "hubgrade.yaml").read_text()
    assert "/todos" in (target / "README.md").read_text()
    assert "node_modules" in (target / ".gitignore").read_text()
    assert f"Next: cd {target} && hubgrade check" in stdout


@pytest.mark.parametrize("assignment_id", ["hello-world", "calculator", "todo-crud", "database-crud", "redis-cache"])
def test_starters_are_valid_javascript(assignment_id: str, tmp_path: Path) -> None:
    import subprocess

    target = tmp_path / assignment_id
    assert _invoke("new", assignment_id, str(target))[0] == 0
    completed = subprocess.run(["node", "--check", str(target / "server.js")], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "existing"
    target.mkdir()
    (target / "server.js").write_text("// mine\n")
    exit_code, _, stderr = _invoke("new", "todo-crud", str(target))
    assert exit_code == 2
    assert "refusing to overwrite server.js" in stderr
    assert sorted(path.name for path in target.iterdir()) == ["server.js"]
    assert (target / "server.js").read_text() == "// mine\n"


def test_new_defaults_to_a_folder_named_after_the_assignment(tmp_path: Path) -> None:
    run = run_hubgrade("new", "hello-world", cwd=tmp_path)
    assert run.exit_code == 0, run.stderr
    assert (tmp_path / "hello-world" / "server.js").is_file()


def test_doctor_reports_each_requirement() -> None:
    run = run_hubgrade("doctor")
    assert run.exit_code == 0, run.stdout + run.stderr
    for name in ("Docker engine", "Node.js image", "Node.js", "npm"):
        assert name in run.stdout
    assert "Ready to grade with: docker, local." in run.stdout


def test_doctor_without_docker() -> None:
    run = run_hubgrade("doctor", env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert "missing" in run.stdout
    assert "fix: start a Docker engine" in run.stdout
    assert "Ready to grade with: local." in run.stdout
    assert run.exit_code == 0, "the local runner still works"


def test_auto_runner_falls_back_to_local(tmp_path: Path) -> None:
    from tests.conftest import SOLUTIONS, copy_project

    project = copy_project(SOLUTIONS / "hello-world" / "reference", tmp_path / "hello")
    run = run_hubgrade("check", "hello-world", str(project), env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert "(local runner)" in run.stdout
    assert run.stderr.count("without isolation") == 1


def test_docker_runner_without_engine_is_an_environment_error(tmp_path: Path) -> None:
    run = run_hubgrade(
        "check", "hello-world", str(tmp_path), "--runner", "docker", env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"}
    )
    assert run.exit_code == 2, "the missing package.json is found before Docker is needed"
    (tmp_path / "package.json").write_text('{"scripts": {"start": "node server.js"}}')
    run = run_hubgrade(
        "check", "hello-world", str(tmp_path), "--runner", "docker", env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"}
    )
    assert run.exit_code == 3
    assert "no Docker engine responded" in run.stderr
    assert "--runner local" in run.stderr


def test_missing_image_is_an_environment_error() -> None:
    from tests.conftest import SOLUTIONS

    run = run_hubgrade(
        "check", "hello-world", str(SOLUTIONS / "hello-world" / "reference"), "--runner", "docker",
        "--image", "hubgrade-test/no-such-image:1",
    )
    assert run.exit_code == 3
    assert "image hubgrade-test/no-such-image:1 is not present, and HUBGRADE_NO_PULL is set" in run.stderr


def test_json_report_to_file(tmp_path: Path) -> None:
    from tests.conftest import SOLUTIONS

    output = tmp_path / "result.json"
    run = run_hubgrade(
        "check", "hello-world", str(SOLUTIONS / "hello-world" / "reference"), "--format", "json", "--output", str(output)
    )
    assert run.exit_code == 0, run.stderr
    assert run.stdout == ""
    report = json.loads(output.read_text())
    assert report["schema_version"] == 1
    assert report["status"] == "pass"
    assert set(report["tests"][0]) == {"name", "title", "status", "score", "max_score", "message", "output", "duration", "hidden"}


@pytest.mark.docker
def test_untouched_starter_scores_low(tmp_path: Path) -> None:
    target = tmp_path / "todos"
    assert run_hubgrade("new", "todo-crud", str(target)).exit_code == 0
    run = run_hubgrade("check", cwd=target)
    assert run.exit_code == 1, run.stdout + run.stderr
    assert "(docker runner)" in run.stdout
    assert "expected status 201, got 501" in run.stdout
    assert "request: curl -i -X POST" in run.stdout
    score = int(run.stdout.split("score ")[1].split("/")[0])
    assert score < 30


@pytest.mark.parametrize(
    ("env", "coloured"),
    [({}, False), ({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False)],
)
def test_colours_only_on_a_terminal_without_no_color(env: dict[str, str], coloured: bool, tmp_path: Path) -> None:
    from tests.conftest import SOLUTIONS, copy_project

    project = copy_project(SOLUTIONS / "hello-world" / "reference", tmp_path / "hello")
    run = run_hubgrade("check", "hello-world", str(project), "--runner", "local", env=env)
    assert run.exit_code == 0, run.stderr
    assert ("\x1b[32m" in run.stdout) is coloured
