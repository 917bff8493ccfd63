"""The hostile suite: broken and hostile submissions, graded through the CLI.

Each case in tests/hostile/cases/ is a small Node.js server with an expect.yaml that
gives, per runner, the verdict it must get: status, score or error reason, a message,
and the limits it must be reported to reach. Every case must end within its budget and
leave no container, network or image behind. Cases the local runner cannot contain are
marked ``not-contained`` and are not run there (docs/security.md lists them).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import docker
import pytest
import yaml

from tests.conftest import REPO, run_hubgrade

HOSTILE = REPO / "tests" / "hostile"
CASES = sorted(path for path in (HOSTILE / "cases").iterdir() if (path / "expect.yaml").is_file())
CATALOG = HOSTILE / "catalog"
PACKAGE_JSON = '{"name": "hostile", "version": "1.0.0", "private": true, "type": "module", "scripts": {"start": "node server.js"}}\n'
# The hostile assignment's limits: start-up 10 s, 3 checks of 3 s each. The margin covers
# installing, building and cleaning up on a busy machine.
BUDGET_SECONDS = 10 + 3 * 3 + 60
SECRETS = {"GITHUB_TOKEN": "ghp_hostile_suite_probe", "AWS_SECRET_ACCESS_KEY": "hostile-suite-probe"}
TARGET_SERVER = "require('node:http').createServer((q, s) => s.end('reached')).listen(8080)"


def _expectation(case: Path, runner: str) -> Any:
    return yaml.safe_load((case / "expect.yaml").read_text(encoding="utf-8"))[runner]


def _project(case: Path, tmp_path: Path, targets: list[str]) -> Path:
    project = shutil.copytree(case, tmp_path / case.name, ignore=shutil.ignore_patterns("expect.yaml"))
    (project / "package.json").write_text(PACKAGE_JSON, encoding="utf-8")
    (project / "targets.json").write_text(json.dumps(targets), encoding="utf-8")
    return project


def _grade(project: Path, runner: str) -> tuple[int, dict[str, Any], float]:
    started = time.monotonic()
    run = run_hubgrade(
        "check", "hostile", str(project), "--runner", runner, "--format", "json",
        env={"HUBGRADE_HOME": str(CATALOG), **SECRETS}, timeout=BUDGET_SECONDS * 2,
    )
    took = time.monotonic() - started
    assert run.stdout.strip(), run.stderr
    return run.exit_code, run.json(), took


def _assert_verdict(expected: dict[str, Any], exit_code: int, report: dict[str, Any]) -> None:
    assert report["status"] == expected["status"], report
    assert exit_code == (0 if expected["status"] == "pass" else 1)
    if "score" in expected:
        assert report["score"] == expected["score"], report
    if "reason" in expected:
        assert report["error"]["reason"] == expected["reason"], report["error"]
    if "exit_code" in expected:
        assert report["error"]["exit_code"] == expected["exit_code"], report["error"]
    if "message" in expected:
        messages = [report["error"]["message"]] if report["error"] else []
        messages += report["warnings"] + [test["message"] for test in report["tests"]]
        assert any(expected["message"] in text for text in messages), messages
    assert sorted(hit["name"] for hit in report["limits_hit"]) == sorted(expected.get("limits_hit", []))


@pytest.fixture(scope="module")
def egress_targets(docker_client: docker.DockerClient) -> Any:
    """Two servers of the test's own, on networks other than the run's: one on a network
    of its own, one on Docker's default bridge. A container beside each reaches it, so
    an unreachable target in the suite means the sandbox held, not a wrong address."""
    network = docker_client.networks.create("hubgrade-hostile-targets", labels={"hubgrade.test": "hostile"})
    started = []
    try:
        for name, network_name in (("hubgrade-hostile-own", network.name), ("hubgrade-hostile-bridge", "bridge")):
            started.append(docker_client.containers.run(
                "node:24-bookworm-slim", ["node", "-e", TARGET_SERVER], name=name, detach=True,
                network=network_name, labels={"hubgrade.test": "hostile"},
            ))
        urls = []
        for container in started:
            container.reload()
            address = next(iter(container.attrs["NetworkSettings"]["Networks"].values()))["IPAddress"]
            urls.append(f"http://{address}:8080/")
        for container, url in zip(started, urls):
            probe = "fetch(process.argv[1]).then(r => r.text()).then(t => console.log(t)).catch(() => console.log('unreachable'))"
            deadline = time.monotonic() + 15
            while True:
                output = docker_client.containers.run(
                    "node:24-bookworm-slim", ["node", "-e", probe, url], remove=True,
                    network_mode=f"container:{container.id}",
                )
                if b"reached" in output or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert b"reached" in output, f"control: {url} is not reachable even beside its own server"
        yield urls
    finally:
        for container in started:
            container.remove(force=True)
        network.remove()


@pytest.mark.docker
@pytest.mark.parametrize("case", CASES, ids=lambda path: path.name)
def test_hostile_case_under_docker(
    case: Path, tmp_path: Path, egress_targets: list[str], no_leftovers: None
) -> None:
    exit_code, report, took = _grade(_project(case, tmp_path, egress_targets), "docker")
    _assert_verdict(_expectation(case, "docker"), exit_code, report)
    assert took < BUDGET_SECONDS, f"{case.name} took {took:.1f} s, over its budget of {BUDGET_SECONDS} s"


@pytest.mark.local
@pytest.mark.parametrize(
    "case", [case for case in CASES if _expectation(case, "local") != "not-contained"], ids=lambda path: path.name
)
def test_hostile_case_under_local_runner(case: Path, tmp_path: Path) -> None:
    exit_code, report, took = _grade(_project(case, tmp_path, []), "local")
    _assert_verdict(_expectation(case, "local"), exit_code, report)
    assert took < BUDGET_SECONDS, f"{case.name} took {took:.1f} s, over its budget of {BUDGET_SECONDS} s"


def test_every_case_says_what_each_runner_must_do() -> None:
    for case in CASES:
        expectation = yaml.safe_load((case / "expect.yaml").read_text(encoding="utf-8"))
        assert set(expectation) == {"docker", "local"}, case.name
        assert expectation["local"] == "not-contained" or isinstance(expectation["local"], dict), case.name
