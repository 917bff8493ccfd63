"""The grading machinery against a real Node.js server: fixtures, points, limits, failures."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from tests.catalog_factory import write_catalog, write_counter_project
from tests.conftest import run_hubgrade

FIXTURES_GRADER = """\
import pytest

from hubgrade.grading import expect


@pytest.mark.points(30)
def test_injected_value_reaches_server(client, injected):
    \"\"\"The server sees the random TOKEN.\"\"\"
    body = expect.json_object(client.get("/"), "token")
    expect.equal(body["token"], injected["TOKEN"], "the token")


@pytest.mark.points(30)
def test_log_has_request(client, server_log):
    \"\"\"The server log records the request.\"\"\"
    mark = server_log.mark()
    client.get("/logged")
    output = server_log.wait_for("GET /logged", since=mark)
    expect.that(output is not None, "no log line for GET /logged")


@pytest.mark.points(40)
def test_restart_resets_counter(client, server):
    \"\"\"A restart starts a new process.\"\"\"
    client.get("/")
    before = expect.json_object(client.get("/"), "count", "pid")
    server.restart()
    after = expect.json_object(client.get("/"), "count", "pid")
    # The readiness probe after the restart is counted too, so the count is small, not 1.
    expect.that(after["count"] < before["count"], f"count went from {before['count']} to {after['count']}")
"""

FAILING_GRADER = """\
import pytest

from hubgrade.grading import expect


@pytest.mark.points(25)
def test_wrong_status(client):
    \"\"\"GET / returns 201.\"\"\"
    expect.status(client.get("/"), 201)


@pytest.mark.points(25)
def test_times_out(client):
    \"\"\"GET /slow responds in time.\"\"\"
    client.get("/slow", params={"wait": "long"})


@pytest.mark.points(25)
def test_grader_bug(client):
    \"\"\"A grader that crashes.\"\"\"
    {}["missing"]


@pytest.mark.points(25)
def test_passes(client):
    \"\"\"GET / returns 200.\"\"\"
    expect.status(client.get("/"), 200)
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_counter_project(tmp_path / "counter")


def _check(catalog: Path, project: Path, *extra: str) -> tuple[int, dict, str]:
    run = run_hubgrade("check", "demo", str(project), "--format", "json", *extra, env={"HUBGRADE_HOME": str(catalog)})
    report = run.json() if run.stdout.startswith("{") else {}
    return run.exit_code, report, run.stderr


@pytest.mark.parametrize("runner", ["docker", "local"])
def test_fixtures_injected_log_restart(runner: str, tmp_path: Path, project: Path) -> None:
    catalog = write_catalog(tmp_path / "catalog", FIXTURES_GRADER)
    exit_code, report, stderr = _check(catalog, project, "--runner", runner)
    assert exit_code == 0, (stderr, report)
    assert report["score"] == 100
    assert [test["status"] for test in report["tests"]] == ["passed", "passed", "passed"]


def test_failures_become_messages(tmp_path: Path, project: Path) -> None:
    catalog = write_catalog(tmp_path / "catalog", FAILING_GRADER)
    exit_code, report, stderr = _check(catalog, project, "--runner", "docker", "--check-seconds", "2")
    assert exit_code == 1, stderr
    tests = {test["name"]: test for test in report["tests"]}
    assert report["score"] == 25

    wrong = tests["test_wrong_status"]
    assert wrong["status"] == "failed"
    assert "GET /: expected status 201, got 200" in wrong["message"]
    assert "request: curl -i http://localhost:3000/" in wrong["message"]
    assert "status 200 OK" in wrong["message"]

    slow = tests["test_times_out"]
    assert slow["status"] == "failed"
    assert "GET /slow?wait=long: the server did not respond within 1.5 s" in slow["message"]

    bug = tests["test_grader_bug"]
    assert bug["status"] == "error"
    assert "unexpected KeyError in the grader" in bug["message"]
    assert tests["test_passes"]["score"] == 25


def test_points_must_add_up_to_100(tmp_path: Path, project: Path) -> None:
    grader = FAILING_GRADER.replace("points(25)\ndef test_passes", "points(20)\ndef test_passes")
    catalog = write_catalog(tmp_path / "catalog", grader)
    exit_code, _, stderr = _check(catalog, project, "--runner", "local")
    assert exit_code == 2
    assert "points add up to 95, not 100" in stderr


def test_check_without_points_is_rejected(tmp_path: Path, project: Path) -> None:
    grader = FAILING_GRADER.replace("@pytest.mark.points(25)\ndef test_passes", "def test_passes")
    catalog = write_catalog(tmp_path / "catalog", grader)
    exit_code, _, stderr = _check(catalog, project, "--runner", "local")
    assert exit_code == 2
    assert "test_passes: needs @pytest.mark.points(N)" in stderr


def test_grader_that_cannot_be_imported(tmp_path: Path, project: Path) -> None:
    catalog = write_catalog(tmp_path / "catalog", "import no_such_module_for_hubgrade\n")
    exit_code, _, stderr = _check(catalog, project, "--runner", "local")
    assert exit_code == 2
    assert "could not be collected" in stderr
    assert "no_such_module_for_hubgrade" in stderr


def test_verbose_shows_requests_and_responses(tmp_path: Path, project: Path) -> None:
    catalog = write_catalog(tmp_path / "catalog", FIXTURES_GRADER)
    run = run_hubgrade("check", "demo", str(project), "--runner", "local", "--verbose", env={"HUBGRADE_HOME": str(catalog)})
    assert run.exit_code == 0, run.stderr
    assert "> curl -i http://localhost:3000/" in run.stdout
    assert "< status 200 OK" in run.stdout


@pytest.mark.parametrize("runner", ["docker", "local"])
def test_hard_coded_port_is_graded_with_warning(runner: str, tmp_path: Path, project: Path) -> None:
    port = 20000 + secrets.randbelow(20000)
    server = project / "server.js"
    server.write_text(server.read_text().replace('Number(process.env.PORT ?? 3000)', str(port)))
    catalog = write_catalog(tmp_path / "catalog", FIXTURES_GRADER)
    exit_code, report, stderr = _check(catalog, project, "--runner", runner)
    assert exit_code == 0, (stderr, report)
    assert report["score"] == 100
    assert len(report["warnings"]) == 1
    assert f"the server listens on port {port} and ignores the PORT environment variable" in report["warnings"][0]


HIDDEN_GRADER = """\
import pytest

from hubgrade.grading import expect


@pytest.mark.points(60)
def test_visible(client):
    \"\"\"GET / returns 200\"\"\"
    expect.status(client.get("/"), 200)


@pytest.mark.hidden
@pytest.mark.points(40)
def test_secret(client):
    \"\"\"A hidden edge case\"\"\"
    expect.status(client.get("/secret-edge-case"), 418)
"""


def test_hidden_check_counts_but_hides_details(tmp_path: Path, project: Path) -> None:
    catalog = write_catalog(tmp_path / "catalog", HIDDEN_GRADER)
    env = {"HUBGRADE_HOME": str(catalog)}
    text = run_hubgrade("check", "demo", str(project), "--runner", "local", env=env)
    assert text.exit_code == 1
    assert "A hidden edge case (hidden check)" in text.stdout
    assert "details are hidden for this check" in text.stdout
    assert "secret-edge-case" not in text.stdout

    report = run_hubgrade("check", "demo", str(project), "--runner", "local", "--format", "json", env=env).json()
    assert report["score"] == 60
    secret = next(test for test in report["tests"] if test["name"] == "test_secret")
    assert secret["hidden"] is True
    assert secret["max_score"] == 40
    assert "secret-edge-case" not in json.dumps(report)

    shown = run_hubgrade(
        "check", "demo", str(project), "--runner", "local", "--format", "json", "--show-hidden", env=env
    ).json()
    secret = next(test for test in shown["tests"] if test["name"] == "test_secret")
    assert "/secret-edge-case: expected status 418" in secret["message"]


HUGE_BODY_SERVER = """\
import http from "node:http";

// GET /huge streams 300 MiB of zeros; every other path answers a short JSON body, gzipped.
const server = http.createServer((request, response) => {
  if (request.url === "/huge") {
    response.writeHead(200, { "content-type": "application/octet-stream" });
    const chunk = Buffer.alloc(1024 * 1024);
    let sent = 0;
    const pump = () => {
      while (sent < 300) {
        sent += 1;
        if (!response.write(chunk)) { response.once("drain", pump); return; }
      }
      response.end();
    };
    pump();
    return;
  }
  response.setHeader("content-type", "application/json");
  response.end(JSON.stringify({ ok: true }));
});
server.listen(Number(process.env.PORT ?? 3000));
"""

HUGE_BODY_GRADER = """\
import pytest

from hubgrade.grading import expect


@pytest.mark.points(50)
def test_huge(client):
    \"\"\"GET /huge is read with a size limit\"\"\"
    client.get("/huge")


@pytest.mark.points(50)
def test_small(client):
    \"\"\"GET /small is read whole\"\"\"
    expect.equal(expect.json_object(client.get("/small"), "ok")["ok"], True, "ok")
"""


def test_huge_response_is_cut_off(tmp_path: Path) -> None:
    project = write_counter_project(tmp_path / "huge")
    (project / "server.js").write_text(HUGE_BODY_SERVER)
    catalog = write_catalog(tmp_path / "catalog", HUGE_BODY_GRADER)
    exit_code, report, stderr = _check(catalog, project, "--runner", "local")
    assert exit_code == 1, stderr
    tests = {test["name"]: test for test in report["tests"]}
    assert tests["test_huge"]["status"] == "failed"
    assert "the response body is larger than 16 MiB" in tests["test_huge"]["message"]
    assert tests["test_small"]["status"] == "passed"
