from __future__ import annotations

import json
from pathlib import Path

import pytest

from hubgrade.errors import ConfigError, UsageError
from hubgrade.submission import inspect


def _project(tmp_path: Path, package: dict | str | None, files: dict[str, str] | None = None) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    if package is not None:
        text = package if isinstance(package, str) else json.dumps(package)
        (root / "package.json").write_text(text)
    for name, content in (files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    return root


def test_start_script_wins(tmp_path: Path) -> None:
    root = _project(tmp_path, {"scripts": {"start": "node app.js"}, "main": "server.js"}, {"server.js": ""})
    submission = inspect(root)
    assert submission.start_command == "npm start"
    assert submission.start_source == "package.json scripts.start"


def test_main_when_no_start_script(tmp_path: Path) -> None:
    root = _project(tmp_path, {"main": "lib/main.js"}, {"lib/main.js": ""})
    assert inspect(root).start_command == "node lib/main.js"


def test_main_that_does_not_exist(tmp_path: Path) -> None:
    root = _project(tmp_path, {"main": "gone.js"})
    with pytest.raises(ConfigError) as caught:
        inspect(root)
    assert "main: 'gone.js' does not exist" in str(caught.value)


@pytest.mark.parametrize("entry", ["server.js", "app.js", "index.js", "src/index.js", "app.mjs"])
def test_common_entry_file(tmp_path: Path, entry: str) -> None:
    root = _project(tmp_path, {"name": "x"}, {entry: ""})
    submission = inspect(root)
    assert submission.start_command == f"node {entry}"
    assert submission.start_source == f"entry file {entry}"


def test_no_way_to_start(tmp_path: Path) -> None:
    root = _project(tmp_path, {"name": "x"}, {"lib/other.js": ""})
    with pytest.raises(ConfigError) as caught:
        inspect(root)
    assert "add \"start\": \"node <your entry file>\" to scripts" in str(caught.value)


def test_project_config_overrides_start(tmp_path: Path) -> None:
    root = _project(
        tmp_path, {"scripts": {"start": "node a.js"}},
        {"hubgrade.yaml": "assignment: todo-crud\nstart: node dist/main.js\n"},
    )
    submission = inspect(root)
    assert submission.start_command == "node dist/main.js"
    assert submission.config.assignment == "todo-crud"


def test_invalid_project_config(tmp_path: Path) -> None:
    root = _project(tmp_path, {"scripts": {"start": "x"}}, {"hubgrade.yaml": "assignment: 3\nrunner: docker\n"})
    with pytest.raises(ConfigError) as caught:
        inspect(root)
    assert caught.value.problems == [
        "runner: unknown field; known fields are assignment, start, services",
        "assignment: expected non-empty text, got 3",
    ]


def test_lockfile_build_and_module_type(tmp_path: Path) -> None:
    root = _project(
        tmp_path, {"type": "module", "scripts": {"start": "node dist/server.js", "build": "tsc"}},
        {"package-lock.json": "{}"},
    )
    submission = inspect(root)
    assert submission.lockfile == "package-lock.json"
    assert submission.install_command.startswith("npm ci")
    assert submission.has_build
    assert submission.module_type == "module"


def test_no_lockfile_uses_npm_install(tmp_path: Path) -> None:
    submission = inspect(_project(tmp_path, {"scripts": {"start": "node a.js"}}))
    assert submission.install_command.startswith("npm install")
    assert submission.module_type == "commonjs"


@pytest.mark.parametrize(
    ("package", "problem"),
    [
        ('{"name": "x",}', "line 1 column 14: not valid JSON"),
        ("[1, 2]", "(file): expected a JSON object"),
        ({"scripts": ["start"]}, "scripts: expected an object"),
        ({"dependencies": "express"}, "dependencies: expected an object"),
    ],
)
def test_invalid_package_json(tmp_path: Path, package: dict | str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        inspect(_project(tmp_path, package))
    assert any(line.startswith(problem) for line in caught.value.problems), caught.value.problems


def test_missing_package_json(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        inspect(_project(tmp_path, None))
    assert "package.json: not found" in str(caught.value)
    assert "npm init -y" in str(caught.value)


def test_path_is_a_file(tmp_path: Path) -> None:
    file = tmp_path / "server.js"
    file.write_text("")
    with pytest.raises(UsageError) as caught:
        inspect(file)
    assert "not a folder" in str(caught.value)


def test_script_that_is_not_a_string(tmp_path: Path) -> None:
    root = _project(tmp_path, {"scripts": {"start": 5, "build": "tsc"}}, {"server.js": ""})
    with pytest.raises(ConfigError) as caught:
        inspect(root)
    assert caught.value.problems == ["scripts.start: expected a command as a string, got 5"]
