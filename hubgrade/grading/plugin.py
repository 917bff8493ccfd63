"""The pytest plugin loaded into grading runs (``-p hubgrade.grading.plugin``).

It gives graders their fixtures (``client``, ``server``, ``server_log``,
``injected``), requires a ``points`` marker on every check, enforces the per-check time
limit, and writes each check's outcome, points, duration, message and output to the
results file named in the session file. The session file's path comes in the
``HUBGRADE_GRADING_SESSION`` environment variable.
"""

from __future__ import annotations

import json
import os
import signal
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import pytest

from hubgrade.grading.client import GraderClient
from hubgrade.grading.containers import ComposeProject, ServerContainer
from hubgrade.grading.control import ControlClient
from hubgrade.grading.expect import CheckFailed
from hubgrade.grading.fixtures import Server, ServerLog, ServiceHandle
from hubgrade.limits import REQUEST_SHARE_OF_CHECK
from hubgrade.process_group import die_with_parent

if TYPE_CHECKING:
    from hubgrade.grading.project import Project

SESSION_VARIABLE = "HUBGRADE_GRADING_SESSION"
TOTAL_POINTS = 100
# The status of a collected check until it runs; hubgrade turns it into an error.
NOT_RUN = "not-run"
_transcript_key = pytest.StashKey[list[str]]()
_session_key = pytest.StashKey["GradingSession"]()


class CheckTimedOut(CheckFailed):
    """The check ran past the assignment's per-check time limit."""


class GradingSession:
    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.check_seconds = float(settings["check_seconds"])
        self.control = ControlClient(settings["control_socket"], timeout=float(settings["control_timeout"]))
        self.server = Server(settings["base_url"], dict(settings["injected"]), self.control)
        self.checks: dict[str, dict[str, Any]] = {}
        self.problems: list[str] = []


def _session(config: pytest.Config) -> GradingSession:
    return config.stash[_session_key]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(n): the points this check is worth")
    config.addinivalue_line("markers", "hidden: the check counts, but learners see only its title and points")
    path = os.environ.get(SESSION_VARIABLE)
    if path:
        settings = json.loads(Path(path).read_text(encoding="utf-8"))
        _end_with_parent(int(settings["parent_pid"]))
        config.stash[_session_key] = GradingSession(settings)


def _end_with_parent(parent_pid: int) -> None:
    """Die with the hubgrade process, even when it is killed with SIGKILL."""
    die_with_parent()
    if os.getppid() != parent_pid:
        # hubgrade ended before the death signal was armed.
        os._exit(1)


# Collection reports carry no config, so their problems wait here until the session ends.
_collection_problems: list[str] = []


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        where = report.nodeid or "grader"
        _collection_problems.append(f"{where}: could not be collected:\n{report.longreprtext[-2000:]}")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    total = 0
    problems = []
    for item in items:
        marker = item.get_closest_marker("points")
        if marker is None or len(marker.args) != 1 or not isinstance(marker.args[0], int) or marker.args[0] < 0:
            problems.append(f"{item.name}: needs @pytest.mark.points(N) with a whole number N >= 0")
            continue
        total += marker.args[0]
    if not problems and total != TOTAL_POINTS:
        problems.append(f"points add up to {total}, not {TOTAL_POINTS}")
    if _session_key not in config.stash:
        return
    grading = _session(config)
    grading.problems.extend(problems)
    for item in items:
        grading.checks[item.nodeid] = {
            "name": item.name,
            "title": check_title(item),
            "status": NOT_RUN,
            "score": 0,
            "max_score": check_points(item),
            "message": "",
            "output": "",
            "duration": 0.0,
            "hidden": item.get_closest_marker("hidden") is not None,
        }


def check_points(item: pytest.Item) -> int:
    marker = item.get_closest_marker("points")
    return int(marker.args[0]) if marker and marker.args and isinstance(marker.args[0], int) else 0


def check_title(item: pytest.Item) -> str:
    function = getattr(item, "function", None)
    doc = (getattr(function, "__doc__", None) or "").strip()
    if doc:
        return doc.splitlines()[0].strip()
    return item.name.removeprefix("test_").replace("_", " ")


@pytest.fixture(scope="session")
def grading_session(pytestconfig: pytest.Config) -> GradingSession:
    if _session_key not in pytestconfig.stash:
        pytest.fail(f"no grading session: run graders through `hubgrade check`, which sets {SESSION_VARIABLE}")
    return _session(pytestconfig)


@pytest.fixture(scope="session")
def server(grading_session: GradingSession) -> Server:
    """The learner's running server: ``base_url``, ``restart()``, ``log``, ``injected``."""
    return grading_session.server


@pytest.fixture(scope="session")
def injected(grading_session: GradingSession) -> dict[str, str]:
    """The environment values hubgrade set for this run, random ones included."""
    return dict(grading_session.server.injected)


@pytest.fixture(scope="session")
def data_files(grading_session: GradingSession) -> dict[str, bytes]:
    """The files the grader's ``data.py`` generated for this run, by relative path."""
    settings = grading_session.settings
    folder = Path(settings.get("data_dir", ""))
    return {name: (folder / name).read_bytes() for name in settings.get("data_files", [])}


@pytest.fixture(scope="session")
def services(grading_session: GradingSession) -> dict[str, ServiceHandle]:
    """The run's datastores by service name."""
    control = grading_session.control
    return {info["name"]: ServiceHandle(info, control) for info in grading_session.settings.get("services", [])}


def _service_of_kind(services: dict[str, ServiceHandle], kinds: tuple[str, ...]) -> ServiceHandle:
    for handle in services.values():
        if handle.kind in kinds:
            return handle
    pytest.fail(f"this run has no {' or '.join(kinds)} service; declare it under services: in assignment.yaml")


@pytest.fixture
def redis_client(services: dict[str, ServiceHandle]) -> Iterator[Any]:
    """A ``redis.Redis`` client of the run's Redis service, with responses decoded to text."""
    import redis

    handle = _service_of_kind(services, ("redis",))
    client = redis.Redis(host=handle.host, port=handle.port, password=handle.password, decode_responses=True,
                         socket_timeout=5)
    yield client
    client.close()


@pytest.fixture
def sql_connection(services: dict[str, ServiceHandle]) -> Iterator[Any]:
    """A DB-API connection (psycopg or PyMySQL) to the run's PostgreSQL or MySQL service, autocommit on."""
    handle = _service_of_kind(services, ("postgres", "mysql"))
    if handle.kind == "postgres":
        import psycopg

        connection: Any = psycopg.connect(handle.url, autocommit=True, connect_timeout=5)
    else:
        import pymysql

        connection = pymysql.connect(host=handle.host, port=handle.port, user=handle.user, password=handle.password,
                                     database=handle.database, autocommit=True, connect_timeout=5)
    yield connection
    connection.close()


@pytest.fixture
def mongo_database(services: dict[str, ServiceHandle]) -> Iterator[Any]:
    """The ``pymongo`` database of the run's MongoDB service."""
    import pymongo

    handle = _service_of_kind(services, ("mongodb",))
    client: Any = pymongo.MongoClient(handle.url, serverSelectionTimeoutMS=5000)
    yield client[handle.database]
    client.close()


@pytest.fixture(scope="session")
def project(grading_session: GradingSession) -> Project:
    """The learner's project: ``project.run(command, files=..., timeout=...)`` runs a command
    in a throwaway copy of it with some files replaced."""
    # Imported here: only graders that run commands pay for the sandbox module.
    from hubgrade.grading.project import Project

    return Project(grading_session.settings["control_socket"])


@pytest.fixture(scope="session")
def server_container(grading_session: GradingSession) -> ServerContainer:
    """The server's container built from the learner's Dockerfile: ``state()`` gives its user and health."""
    return ServerContainer(grading_session.control)


@pytest.fixture(scope="session")
def compose_project(grading_session: GradingSession) -> ComposeProject:
    """The learner's compose file, started by hubgrade on first use and taken down after the run."""
    return ComposeProject(grading_session.control)


@pytest.fixture
def server_log(server: Server) -> ServerLog:
    return server.log


@pytest.fixture
def client(request: pytest.FixtureRequest, grading_session: GradingSession) -> Iterator[GraderClient]:
    """An httpx client bound to the learner's server, with the per-check time limit."""
    transcript = request.node.stash.setdefault(_transcript_key, [])
    timeout = grading_session.check_seconds * REQUEST_SHARE_OF_CHECK
    with GraderClient(grading_session.server.base_url, timeout, transcript) as http:
        grading_session.server.attach(http)
        yield http


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    config = item.config
    seconds = _session(config).check_seconds if _session_key in config.stash else 0.0

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise CheckTimedOut(f"the check did not finish within its limit of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    yield
    if _session_key not in item.config.stash:
        return
    check = _session(item.config).checks[item.nodeid]
    if call.when == "setup":
        check["status"] = "passed"
    check["duration"] = round(check["duration"] + call.duration, 3)
    if call.excinfo is not None and check["status"] == "passed":
        check["status"], check["message"], check["output"] = _describe_failure(call.when, call.excinfo)
    if call.when == "teardown":
        transcript: list[str] = item.stash.get(_transcript_key, [])
        check["exchanges"] = "\n\n".join(transcript)
        if check["status"] == "passed":
            check["score"] = check["max_score"]


def _describe_failure(when: str, excinfo: pytest.ExceptionInfo[BaseException]) -> tuple[str, str, str]:
    """Return (status, message, details) for an exception raised by a check."""
    error = excinfo.value
    if isinstance(error, pytest.skip.Exception):
        return "skipped", str(error), ""
    if isinstance(error, CheckFailed):
        return "failed", str(error), ""
    if isinstance(error, AssertionError):
        return "failed", str(error) or "an assertion failed", ""
    details = "".join(traceback.format_exception(error)[-8:])
    phase = "while preparing the check" if when == "setup" else "in the grader"
    return "error", f"unexpected {type(error).__name__} {phase}: {error}", details


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if _session_key not in config.stash:
        return
    grading = _session(config)
    results = {
        "checks": list(grading.checks.values()),
        "problems": _collection_problems + grading.problems,
    }
    Path(grading.settings["results_path"]).write_text(json.dumps(results, indent=2), encoding="utf-8")
