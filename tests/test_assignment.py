from __future__ import annotations

from pathlib import Path

import pytest

from hubgrade import assignment
from hubgrade.errors import ConfigError, UsageError


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "spec.md").write_text("# spec\n")
    path = folder / "assignment.yaml"
    path.write_text(text)
    return path


def test_shipped_assignments_load() -> None:
    ids = assignment.list_ids()
    assert {"hello-world", "calculator", "todo-crud"} <= set(ids)
    for item in assignment.load_all():
        assert item.title and item.summary
        assert item.spec_path.is_file()
        assert item.grader_dir.is_dir()


def test_every_problem_is_listed(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "demo",
        """\
title: ""
track: practise
level: expert
colour: blue
environment:
  api_key: x
  PORT: "1"
  SECRET: {random: base64}
  LIMIT: {random: int, min: 9, max: 3}
  TOKEN: {random: hex, length: 2}
limits:
  startup_seconds: 0
  check_seconds: fast
""",
    )
    with pytest.raises(ConfigError) as caught:
        assignment.load_file(path)
    problems = caught.value.problems
    assert "title: expected non-empty text, got ''" in problems
    assert "summary: missing" in problems
    assert "track: expected one of practice, interview, advanced, got 'practise'" in problems
    assert "level: expected one of beginner, intermediate, advanced, got 'expert'" in problems
    assert any(problem.startswith("colour: unknown field") for problem in problems)
    assert any(problem.startswith("environment.api_key: invalid variable name") for problem in problems)
    assert any(problem.startswith("environment.PORT: reserved") for problem in problems)
    assert any(problem.startswith("environment.SECRET.random: expected one of hex, word, int") for problem in problems)
    assert "environment.LIMIT: min and max must be whole numbers with min <= max" in problems
    assert any(problem.startswith("environment.TOKEN.length") for problem in problems)
    assert "limits.startup_seconds: expected a number of seconds from 1 to 600, got 0" in problems
    assert "limits.check_seconds: expected a number of seconds from 1 to 300, got 'fast'" in problems
    assert str(caught.value).startswith(f"{path} is invalid:\n  ")


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "demo", "title: [unclosed\n")
    with pytest.raises(ConfigError) as caught:
        assignment.load_file(path)
    assert "not valid YAML" in caught.value.problems[0]
    assert caught.value.problems[0].startswith("line ")


def test_random_values_change_per_run(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "demo",
        """\
title: Demo
track: practice
level: beginner
summary: demo
environment:
  FIXED: hello
  TOKEN: {random: hex, length: 24}
  CITY: {random: word}
  LIMIT: {random: int, min: 3, max: 9}
""",
    )
    item = assignment.load_file(path)
    runs = [item.generate_environment() for _ in range(5)]
    assert all(run["FIXED"] == "hello" for run in runs)
    assert all(len(run["TOKEN"]) == 24 and int(run["TOKEN"], 16) >= 0 for run in runs)
    assert len({run["TOKEN"] for run in runs}) == 5
    assert all(3 <= int(run["LIMIT"]) <= 9 for run in runs)
    assert len({run["CITY"] for run in runs}) > 1


def test_unknown_id_names_the_known_ones() -> None:
    with pytest.raises(UsageError) as caught:
        assignment.load("no-such-thing")
    assert "unknown assignment 'no-such-thing'" in str(caught.value)
    assert "todo-crud" in str(caught.value)


def test_id_with_path_characters_is_rejected() -> None:
    with pytest.raises(UsageError):
        assignment.load("../hello-world")


def test_services_are_validated(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "demo",
        """\
title: Demo
track: practice
level: beginner
summary: demo
services:
  - kind: redis
  - one_of: [postgres, mysql]
  - kind: cassandra
  - {name: cache, kind: redis}
  - kind: mongodb
    one_of: [mongodb]
""",
    )
    with pytest.raises(ConfigError) as caught:
        assignment.load_file(path)
    problems = caught.value.problems
    assert "services[1].name: expected a lower-case name such as database, got None" in problems
    assert "services[2]: unknown kind 'cassandra'; use one of redis, postgres, mysql, mongodb" in problems
    assert "services[3]: a kind in ['redis'] is already used by another service" in problems
    assert "services[4]: give either kind or one_of" in problems


def test_service_choice_from_project_config(tmp_path: Path) -> None:
    from hubgrade.services.service_set import ServiceRequest, requests_for

    specs = (assignment.ServiceSpec("database", ("postgres", "mysql", "mongodb")), assignment.ServiceSpec("redis", ("redis",)))
    assert requests_for(specs, {}, "hubgrade.yaml") == [ServiceRequest("database", "postgres"), ServiceRequest("redis", "redis")]
    assert requests_for(specs, {"database": "mysql"}, "hubgrade.yaml")[0] == ServiceRequest("database", "mysql")
    with pytest.raises(ConfigError) as caught:
        requests_for(specs, {"database": "sqlite", "cache": "redis"}, "hubgrade.yaml")
    assert caught.value.problems == [
        "services.cache: this assignment has no service to choose by that name (choices: database)",
        "services.database: expected one of postgres, mysql, mongodb, got 'sqlite'",
    ]


def test_starter_dependencies_are_validated(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "demo",
        """\
title: Demo
track: practice
level: beginner
summary: demo
starter:
  dependencies:
    socket.io: "^4.8.1"
    Socket.IO: "^4.8.1"
    express: "^4.21.0"
    ws: 8
  devDependencies: {}
""",
    )
    with pytest.raises(ConfigError) as caught:
        assignment.load_file(path)
    problems = caught.value.problems
    assert "starter.devDependencies: unknown field; the only known field is dependencies" in problems
    assert any(problem.startswith("starter.dependencies.Socket.IO: invalid npm package name") for problem in problems)
    assert any(
        problem.startswith("starter.dependencies.express: every starter depends on express") for problem in problems
    )
    assert "starter.dependencies.ws: expected a version range as quoted text, such as \"^4.8.1\", got 8" in problems
    assert len(problems) == 4


def test_starter_dependencies_reach_package_json(tmp_path: Path) -> None:
    import dataclasses
    import json

    from hubgrade import scaffold

    path = _write(
        tmp_path / "demo",
        """\
title: Demo
track: practice
level: beginner
summary: demo
starter: {dependencies: {socket.io: "^4.8.1", "@scope/client": "1.x || 2.x"}}
""",
    )
    demo = assignment.load_file(path)
    assert demo.starter_dependencies == (("@scope/client", "1.x || 2.x"), ("socket.io", "^4.8.1"))
    # The id picks the entry template, so borrow one that exists.
    files = scaffold.render_files(dataclasses.replace(demo, id="todo-crud"), "demo")
    package = json.loads(files["package.json"])
    assert package["dependencies"] == {"express": "^5.1.0", "@scope/client": "1.x || 2.x", "socket.io": "^4.8.1"}


def test_resource_limits_are_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "assignment.yaml"
    (tmp_path / "spec.md").write_text("# T\n", encoding="utf-8")
    path.write_text(
        "title: T\ntrack: practice\nlevel: beginner\nsummary: S\n"
        "limits: {memory_mib: 256, cpus: 0.5, pids: 64, disk_mib: 8, log_mib: 2}\n",
        encoding="utf-8",
    )
    limits = assignment.load_file(path).limits
    assert (limits.memory_mib, limits.cpus, limits.pids, limits.disk_mib, limits.log_mib) == (256, 0.5, 64, 8, 2)
    path.write_text(
        "title: T\ntrack: practice\nlevel: beginner\nsummary: S\nlimits: {memory_mib: 32, pids: 2.5, swap: 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        assignment.load_file(path)
    problems = caught.value.problems
    assert "limits.memory_mib: expected a whole number of MiB from 64 to 16384, got 32" in problems
    assert "limits.pids: expected a whole number of processes and threads from 16 to 4096, got 2.5" in problems
    assert any(problem.startswith("limits.swap: unknown field") for problem in problems)
