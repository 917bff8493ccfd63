"""Service containers beside the server: start, readiness, variables, controls, clean-up."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import docker
import pytest

from hubgrade import labels
from hubgrade.errors import EnvironmentProblem
from hubgrade.runners.docker_engine import Engine
from hubgrade.services.service_set import DockerServices, ServiceRequest
from tests.catalog_factory import write_catalog
from tests.conftest import run_hubgrade

pytestmark = pytest.mark.docker

# Responds to /env with the service variables it received, and to /tcp?host=&port= with
# whether a TCP connection to that address succeeds, so tests need no database driver.
PROBE_SERVER = """\
import http from "node:http";
import net from "node:net";

const server = http.createServer((request, response) => {
  const url = new URL(request.url, "http://localhost");
  response.setHeader("content-type", "application/json");
  if (url.pathname === "/tcp") {
    const socket = net.connect(Number(url.searchParams.get("port")), url.searchParams.get("host"));
    socket.setTimeout(2000);
    const reply = (ok) => { socket.destroy(); response.end(JSON.stringify({ ok })); };
    socket.once("connect", () => reply(true));
    socket.once("error", () => reply(false));
    socket.once("timeout", () => reply(false));
    return;
  }
  const names = Object.keys(process.env).filter((name) => /^(REDIS|PG|MYSQL|MONGO|DATABASE)/.test(name));
  response.end(JSON.stringify(Object.fromEntries(names.map((name) => [name, process.env[name]]))));
});
server.listen(Number(process.env.PORT ?? 3000));
"""

SERVICES_GRADER = """\
from urllib.parse import urlsplit

import pytest

from hubgrade.grading import expect


@pytest.mark.points(25)
def test_variables(client, services):
    \"\"\"The server receives the conventional variables\"\"\"
    variables = expect.json_object(client.get("/env"), "REDIS_URL", "DATABASE_URL", "PGHOST", "PGPASSWORD")
    expect.equal(urlsplit(variables["REDIS_URL"]).hostname, "redis", "REDIS_URL host")
    expect.equal(variables["PGPASSWORD"], services["postgres"].password, "PGPASSWORD")


@pytest.mark.points(25)
def test_server_reaches_services(client):
    \"\"\"The server reaches each service on the run's network\"\"\"
    variables = expect.json_object(client.get("/env"))
    for host, port in ((variables["REDIS_HOST"], variables["REDIS_PORT"]), (variables["PGHOST"], variables["PGPORT"])):
        reply = expect.json_object(client.get("/tcp", params={"host": host, "port": port}), "ok")
        expect.that(reply["ok"] is True, f"the server could not connect to {host}:{port}")


@pytest.mark.points(25)
def test_host_clients(redis_client, sql_connection):
    \"\"\"The grader's clients reach Redis and PostgreSQL\"\"\"
    redis_client.set("greeting", "hello", ex=30)
    expect.equal(redis_client.get("greeting"), "hello", "the Redis value")
    expect.that(0 < redis_client.ttl("greeting") <= 30, "the key has no TTL")
    with sql_connection.cursor() as cursor:
        cursor.execute("CREATE TABLE notes (body text)")
        cursor.execute("INSERT INTO notes VALUES ('kept')")


@pytest.mark.points(25)
def test_data_survives_service_restart(services, sql_connection):
    \"\"\"PostgreSQL keeps its data across stop and start\"\"\"
    services["postgres"].stop()
    services["postgres"].start()
    import psycopg

    with psycopg.connect(services["postgres"].url) as connection:
        rows = connection.execute("SELECT body FROM notes").fetchall()
    expect.equal(rows, [("kept",)], "the rows after a restart")
"""


def _write_probe_project(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "package.json").write_text('{"name": "probe", "type": "module", "scripts": {"start": "node server.js"}}')
    (folder / "server.js").write_text(PROBE_SERVER)
    return folder


def _catalog_with_services(tmp_path: Path) -> Path:
    catalog = write_catalog(tmp_path / "catalog", SERVICES_GRADER)
    yaml_path = catalog / "assignments" / "demo" / "assignment.yaml"
    yaml_path.write_text(yaml_path.read_text() + "services:\n  - kind: redis\n  - kind: postgres\n")
    return catalog


@pytest.mark.parametrize("runner", ["docker", "local"])
def test_services_beside_the_server(runner: str, tmp_path: Path, no_leftovers: None) -> None:
    catalog = _catalog_with_services(tmp_path)
    project = _write_probe_project(tmp_path / "probe")
    run = run_hubgrade("check", "demo", str(project), "--runner", runner, "--format", "json",
                       env={"HUBGRADE_HOME": str(catalog)})
    report = run.json() if run.stdout.startswith("{") else {}
    failed = [(test["name"], test["message"]) for test in report.get("tests", []) if test["status"] != "passed"]
    if runner == "local":
        # On the host the server reaches the services through 127.0.0.1, not by name.
        failed = [item for item in failed if item[0] != "test_variables"]
    assert failed == [], run.stderr
    assert run.exit_code in (0, 1)


def test_service_that_cannot_start(tmp_path: Path, no_leftovers: None) -> None:
    catalog = _catalog_with_services(tmp_path)
    project = _write_probe_project(tmp_path / "probe")
    # The Node.js image has no redis-server, so the service container cannot start.
    run = run_hubgrade("check", "demo", str(project), "--runner", "docker",
                       env={"HUBGRADE_HOME": str(catalog), "HUBGRADE_REDIS_IMAGE": "node:24-bookworm-slim"})
    assert run.exit_code == 3
    assert "could not start service container" in run.stderr
    assert "from node:24-bookworm-slim" in run.stderr
    assert '"redis-server": executable file not found' in run.stderr


def test_service_that_never_gets_ready(tmp_path: Path, no_leftovers: None) -> None:
    catalog = _catalog_with_services(tmp_path)
    project = _write_probe_project(tmp_path / "probe")
    # A Redis server where PostgreSQL is expected: it runs, but never responds to SELECT 1 on 5432.
    run = run_hubgrade("check", "demo", str(project), "--runner", "docker", "--startup-seconds", "4",
                       env={"HUBGRADE_HOME": str(catalog), "HUBGRADE_POSTGRES_IMAGE": "redis:7"})
    assert run.exit_code == 3
    assert "service postgres (redis:7) was not ready within 4 s" in run.stderr
    assert "its last lines of output" in run.stderr
    assert "Ready to accept connections" in run.stderr


def test_fresh_credentials_and_loopback_ports(docker_client: docker.DockerClient) -> None:
    engine = Engine.connect()
    run_id = labels.new_run_id()
    network = f"{run_id}-net"
    engine.create_network(network, labels.run_labels(run_id))
    passwords = []
    try:
        for _ in range(2):
            services = DockerServices(engine, run_id, labels.run_labels(run_id), network, 30)
            services.start([ServiceRequest(f"redis{len(passwords)}", "redis")])
            [service] = services.running.values()
            passwords.append(service.credentials.password)
            assert service.container is not None
            bindings = service.container.container.attrs["HostConfig"]["PortBindings"]["6379/tcp"]
            assert [binding["HostIp"] for binding in bindings] == ["127.0.0.1"]
    finally:
        engine.remove_run(run_id)
    assert passwords[0] != passwords[1]


def test_existing_services_from_the_environment(tmp_path: Path, docker_client: docker.DockerClient) -> None:
    # A Redis the "user" runs: started by this test, published on loopback only.
    container = docker_client.containers.run(
        "redis:7", ["redis-server", "--requirepass", "userpass"], detach=True,
        ports={"6379/tcp": ("127.0.0.1", None)}, labels={"hubgrade.test": "existing-service"},
    )
    try:
        container.reload()
        port = container.ports["6379/tcp"][0]["HostPort"]
        catalog = write_catalog(tmp_path / "catalog", """\
            import pytest

            from hubgrade.grading import expect


            @pytest.mark.points(100)
            def test_redis(redis_client):
                \"\"\"The grader reaches the user's Redis\"\"\"
                expect.that(redis_client.ping(), "no PONG")
            """)
        yaml_path = catalog / "assignments" / "demo" / "assignment.yaml"
        yaml_path.write_text(yaml_path.read_text() + "services:\n  - kind: redis\n")
        project = _write_probe_project(tmp_path / "probe")
        run = run_hubgrade(
            "check", "demo", str(project), "--runner", "local",
            env={"HUBGRADE_HOME": str(catalog), "DOCKER_HOST": "unix:///nonexistent/docker.sock",
                 "REDIS_URL": f"redis://:userpass@127.0.0.1:{port}/0"},
        )
        assert run.exit_code == 0, run.stdout + run.stderr
        assert "using the redis service at redis://:***@127.0.0.1" in run.stderr
        assert "userpass" not in run.stderr
    finally:
        container.remove(force=True)


def test_missing_service_without_docker(tmp_path: Path) -> None:
    catalog = _catalog_with_services(tmp_path)
    project = _write_probe_project(tmp_path / "probe")
    run = run_hubgrade("check", "demo", str(project), "--runner", "local",
                       env={"HUBGRADE_HOME": str(catalog), "DOCKER_HOST": "unix:///nonexistent/docker.sock", "REDIS_URL": ""})
    assert run.exit_code == 3
    assert "set REDIS_URL to its URL" in run.stderr
