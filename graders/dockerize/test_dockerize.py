"""Grader for dockerize: the learner's image, run by hubgrade, and their compose file.

hubgrade builds the project's Dockerfile, starts the image as its own USER with PORT=3000
and DATABASE_URL of a PostgreSQL service it runs. The first compose check starts the
learner's docker-compose.yml, with APP_PORT set to a free host port. hubgrade takes the
project down after the run.
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime

import httpx
import pytest

from hubgrade.grading import expect
from hubgrade.grading.client import GraderClient
from hubgrade.grading.expect import CheckFailed

# The spec requires a HEALTHCHECK interval of at most 5 s, so this leaves room for a slow probe.
HEALTHY_WITHIN_SECONDS = 20
# Time for the app in the compose project to respond once `docker-compose up` has returned.
COMPOSE_RESPONSE_SECONDS = 20
# Time for the app to reach its database, for a project that starts the app too early.
COMPOSE_DATABASE_SECONDS = 20
REQUEST_SECONDS = 5


def random_note() -> str:
    return f"note {secrets.token_hex(6)}"


def expect_health(response: httpx.Response, status: int, body: dict[str, str], reason: str) -> None:
    expect.status(response, status, reason=reason)
    health = expect.json_object(response, *body)
    for key, value in body.items():
        expect.equal(health[key], value, key, response)


def parse_docker_time(text: str) -> datetime:
    """Parse Docker's RFC 3339 timestamps, which carry nanoseconds that Python does not read."""
    main, _, fraction = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{main}.{(fraction + '000000')[:6]}")


@pytest.mark.points(15)
def test_server_runs_as_non_root(server_container):
    """The server in the image runs as a non-root user"""
    state = server_container.state()
    shown_user = state.image_user or "(none: root)"
    expect.that(bool(state.process_uids), "the server container has no running process")
    expect.that(
        0 not in state.process_uids,
        f"the server runs as root (uid 0); the image's USER is {shown_user}. "
        "Add `USER node` to the Dockerfile before CMD, after the steps that need root",
    )


@pytest.mark.points(15)
def test_health_ok(client):
    """GET /health returns 200 with status and database ok"""
    response = client.get("/health")
    expect_health(response, 200, {"status": "ok", "database": "ok"}, "the database is reachable")


@pytest.mark.points(10)
def test_health_database_down(client, services):
    """GET /health returns 503 when the database is stopped"""
    database = services["postgres"]
    database.stop()
    try:
        response = client.get("/health")
        expect_health(
            response, 503, {"status": "error", "database": "unreachable"}, "the grader stopped the database"
        )
    finally:
        database.start()


@pytest.mark.points(15)
def test_image_healthcheck(server_container):
    """The image's HEALTHCHECK reports the container healthy"""
    state = server_container.state()
    expect.that(
        state.has_healthcheck,
        "the image has no HEALTHCHECK; add one that requests GET /health, for example with node and fetch()",
    )
    deadline = time.monotonic() + HEALTHY_WITHIN_SECONDS
    # Docker marks a container unhealthy after its retries failed: no need to wait longer then.
    while state.health not in ("healthy", "unhealthy") and time.monotonic() < deadline:
        time.sleep(0.5)
        state = server_container.state()
    if state.health != "healthy":
        probes = "\n".join(
            f"  exit code {probe['exit_code']}: {probe['output'].strip() or '(no output)'}" for probe in state.health_log
        )
        expect.fail(
            f"the container's health is {state.health or 'unknown'}, expected healthy within {HEALTHY_WITHIN_SECONDS} s "
            f"(the HEALTHCHECK interval must be at most 5 s). The last probes:\n{probes or '  none ran'}"
        )


@pytest.mark.points(15)
def test_compose_publishes_app(compose_project):
    """docker-compose up starts the app on APP_PORT"""
    expected = compose_project.expected_host_port
    port = compose_project.host_port
    expect.that(
        port is not None,
        f"the app service publishes no host port for its port 3000; add ports: [\"${{APP_PORT:-3000}}:3000\"] "
        f"(APP_PORT was {expected})",
    )
    expect.that(
        port == expected,
        f"the app service publishes port 3000 on host port {port}, expected APP_PORT ({expected}); "
        "use ports: [\"${APP_PORT:-3000}:3000\"]",
    )
    response = compose_project.wait_for_response("/notes", COMPOSE_RESPONSE_SECONDS)
    if response is None:
        expect.fail(
            f"nothing responded on 127.0.0.1:{port} within {COMPOSE_RESPONSE_SECONDS} s of docker-compose up. "
            f"The app's log:\n{compose_project.app_log()[-2000:] or '(empty)'}"
        )


@pytest.mark.points(15)
def test_compose_app_uses_database(compose_project):
    """In compose, POST /notes stores a note that GET /notes lists"""
    port = compose_project.host_port
    expect.that(port is not None, "the app service publishes no host port for its port 3000")
    services = {container["service"] for container in compose_project.containers()}
    # Without a db service nothing will become reachable, so one attempt is enough.
    deadline = time.monotonic() + (COMPOSE_DATABASE_SECONDS if "db" in services else 0)
    text = random_note()
    with GraderClient(f"http://127.0.0.1:{port}", REQUEST_SECONDS, []) as http:
        while True:
            try:
                created = http.post("/notes", json={"text": text})
            except CheckFailed:
                # The connection failed; the last attempt's failure is the check's message.
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.5)
                continue
            if created.status_code == 201 or time.monotonic() >= deadline:
                break
            time.sleep(0.5)
        expect.status(created, 201, reason="the app reaches the db service through DATABASE_URL")
        expect.equal(expect.json_object(created, "id", "text")["text"], text, "text", created)
        listed = http.get("/notes")
        expect.status(listed, 200)
        notes = expect.json_list(listed)
        expect.that(
            any(isinstance(note, dict) and note.get("text") == text for note in notes),
            f"GET /notes does not list the note {text!r} that POST /notes created",
            listed,
        )


@pytest.mark.points(15)
def test_compose_waits_for_healthy_db(compose_project):
    """The app container starts only after the db service is healthy"""
    containers = {container["service"]: container for container in compose_project.containers_at_start()}
    expect.that("db" in containers, f"the compose file has no db service; services: {sorted(containers) or 'none'}")
    expect.that("app" in containers, f"the compose file has no app service; services: {sorted(containers)}")
    database, app = containers["db"], containers["app"]
    expect.that(
        database["has_healthcheck"],
        "the db service has no healthcheck; add one that runs pg_isready, with an interval of a few seconds",
    )
    passed = [parse_docker_time(probe["end"]) for probe in database["health_log"] if probe["exit_code"] == 0]
    expect.that(
        bool(passed) and app["started_at"] and not app["started_at"].startswith("0001"),
        f"when docker-compose up returned, the db service was {database['health'] or 'not checked'} and the app "
        f"was {app['status']}; add depends_on: {{db: {{condition: service_healthy}}}} to the app service",
    )
    started = parse_docker_time(app["started_at"])
    expect.that(
        started >= min(passed),
        f"the app container started at {app['started_at']}, before the db service's first passing health check "
        f"at {min(passed).isoformat()}Z; add depends_on: {{db: {{condition: service_healthy}}}} to the app service",
    )
