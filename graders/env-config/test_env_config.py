"""Grader for env-config: configuration from the environment and from the env file in ENV_FILE.

The checks of the run's own environment come first. The checks that restart the server
with another environment come last, so none of them has to restore the environment for
the next one. A module fixture restarts the server with the run's environment at the end.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx
import pytest

from hubgrade.grading import expect
from hubgrade.grading.curl import excerpt
from hubgrade.grading.expect import CheckFailed

ENV_FILE_NAME = "app.env"
CONFIG_FIELDS = ("appName", "region", "supportEmail", "maxItems")
DEFAULT_MAX_ITEMS = 10
LOG_EXCERPT_CHARS = 1200


class EnvironmentState:
    """Whether a check has restarted the server with another environment than the run's."""

    def __init__(self) -> None:
        self.changed = False


@pytest.fixture(scope="module")
def environment_state(server) -> Iterator[EnvironmentState]:
    state = EnvironmentState()
    yield state
    if state.changed:
        try:
            server.restart()
        except CheckFailed:
            # The checks are over, and hubgrade reports the server's state on its own.
            pass


@pytest.fixture(scope="module")
def env_file(data_files: dict[str, bytes]) -> dict[str, str]:
    """The variables in the run's env file, with the quotes around a value removed."""
    values = {}
    for line in data_files[ENV_FILE_NAME].decode().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, value = line.partition("=")
        values[name.strip()] = value.strip().strip('"')
    return values


def get_config(client) -> tuple[httpx.Response, dict]:
    response = client.get("/config")
    expect.status(response, 200)
    return response, expect.json_object(response, *CONFIG_FIELDS)


def get_secure(client, key: str | None) -> httpx.Response:
    headers = {} if key is None else {"X-Api-Key": key}
    return client.get("/secure", headers=headers)


def expect_access(response: httpx.Response, reason: str) -> None:
    expect.status(response, 200, reason=reason)
    body = expect.json_object(response, "ok")
    expect.equal(body["ok"], True, "ok", response)


def restart_with(server, state: EnvironmentState, environment: dict[str, str | None]) -> None:
    state.changed = True
    server.restart(environment=environment)


def expect_failed_start(outcome, names: list[str], situation: str) -> None:
    """Check that a start failed with a non-zero exit code and output that contains every name."""
    log = outcome.log or ""
    output = excerpt(log.strip(), LOG_EXCERPT_CHARS) if log.strip() else "(no output)"
    all_names = " and ".join(names)
    if outcome.started:
        expect.fail(
            f"{situation}, but the server started and answered HTTP requests; it must print a message that "
            f"names {all_names} and exit with a non-zero code, for example with process.exit(1)"
        )
    if outcome.exit_code is None:
        expect.fail(
            f"{situation}: the server must exit with a non-zero code, but it neither answered nor exited "
            f"({outcome.message})\nserver output:\n{output}"
        )
    if outcome.exit_code == 0:
        expect.fail(
            f"{situation}: the server exited with code 0, which means success; exit with a non-zero code, "
            f"for example with process.exit(1)\nserver output:\n{output}"
        )
    unnamed = [name for name in names if name not in log]
    if unnamed:
        expect.fail(
            f"{situation}: the server exited with code {outcome.exit_code}, but its output does not name "
            f"{' and '.join(unnamed)}; the message must name {all_names}\nserver output:\n{output}"
        )


@pytest.mark.points(8)
def test_app_name_from_environment(client, injected):
    """GET /config returns APP_NAME from the environment"""
    response, config = get_config(client)
    expect.equal(config["appName"], injected["APP_NAME"], "appName (the APP_NAME environment variable)", response)


@pytest.mark.points(10)
def test_support_email_from_file(client, env_file):
    """GET /config returns SUPPORT_EMAIL from the env file"""
    response, config = get_config(client)
    expect.equal(
        config["supportEmail"], env_file["SUPPORT_EMAIL"],
        "supportEmail (SUPPORT_EMAIL, set only in the env file named by ENV_FILE)", response,
    )


@pytest.mark.points(10)
def test_environment_wins(client, injected, env_file):
    """A variable set in both comes from the environment"""
    response, config = get_config(client)
    expect.that(
        config["region"] != env_file["REGION"],
        f"region: REGION is {injected['REGION']!r} in the environment and {env_file['REGION']!r} in the env file; "
        "the environment must win, but the response has the env file's value",
        response,
    )
    expect.equal(config["region"], injected["REGION"], "region (REGION from the environment)", response)


@pytest.mark.points(6)
def test_max_items_number(client, injected):
    """GET /config returns MAX_ITEMS as a number"""
    response, config = get_config(client)
    expect.equal(config["maxItems"], int(injected["MAX_ITEMS"]), "maxItems (MAX_ITEMS as a JSON number)", response)


@pytest.mark.points(10)
def test_secure_accepts_key(client, env_file):
    """GET /secure accepts the API_KEY from the env file"""
    expect_access(get_secure(client, env_file["API_KEY"]), "X-Api-Key is the API_KEY from the env file")


@pytest.mark.points(8)
def test_secure_rejects_wrong_key(client, env_file):
    """GET /secure without the right key returns 401 with an error"""
    key = env_file["API_KEY"]
    attempts = (
        (None, "the request has no X-Api-Key header"),
        (secrets.token_hex(len(key) // 2), "X-Api-Key is a random key"),
        (key[: len(key) // 2], "X-Api-Key is only the first half of API_KEY"),
        (key + "0", "X-Api-Key is API_KEY with an extra character"),
        ("", "X-Api-Key is empty"),
    )
    for attempt, reason in attempts:
        response = get_secure(client, attempt)
        expect.status(response, 401, reason=reason)
        body = expect.json_object(response, "error")
        expect.that(
            isinstance(body["error"], str) and body["error"].strip() != "",
            f"error: expected a non-empty string that explains the problem, got {body['error']!r}",
            response,
        )


@pytest.mark.points(6)
def test_api_key_not_revealed(client, server_log, env_file):
    """API_KEY never appears in a response or in the log"""
    key = env_file["API_KEY"]
    # A server whose routes all fail reveals nothing, so the routes must work first.
    config_response, _ = get_config(client)
    secure_response = get_secure(client, key)
    expect_access(secure_response, "X-Api-Key is the API_KEY from the env file")
    responses = (config_response, secure_response, get_secure(client, secrets.token_hex(len(key) // 2)))
    for response in responses:
        headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
        expect.that(
            key.encode() not in response.content and key not in headers,
            f"{response.request.method} {response.request.url.path}: the response contains the secret API_KEY; "
            "never send it back",
            response,
        )
    expect.that(
        key not in server_log.text(),
        "the server's output contains the secret API_KEY; never print or log it, not even as part of the config",
    )


@pytest.mark.points(6)
def test_max_items_default(client, server, environment_state):
    """MAX_ITEMS defaults to 10 when it is unset"""
    restart_with(server, environment_state, {"MAX_ITEMS": None})
    response, config = get_config(client)
    expect.equal(config["maxItems"], DEFAULT_MAX_ITEMS, "maxItems with MAX_ITEMS unset (the default)", response)


@pytest.mark.points(10)
def test_starts_without_env_file(client, server, environment_state, injected):
    """The server starts without ENV_FILE when the environment has every value"""
    email = f"support-{secrets.token_hex(3)}@example.test"
    key = secrets.token_hex(16)
    restart_with(server, environment_state, {"ENV_FILE": None, "SUPPORT_EMAIL": email, "API_KEY": key})
    response, config = get_config(client)
    expect.equal(config["supportEmail"], email, "supportEmail (SUPPORT_EMAIL from the environment)", response)
    expect.equal(config["appName"], injected["APP_NAME"], "appName", response)
    expect_access(get_secure(client, key), "X-Api-Key is the API_KEY from the environment")


@pytest.mark.points(10)
def test_missing_app_name(server, environment_state):
    """A missing or empty APP_NAME stops the start with a message naming it"""
    environment_state.changed = True
    outcome = server.try_restart(environment={"APP_NAME": None})
    expect_failed_start(outcome, ["APP_NAME"], "APP_NAME is not set, neither in the environment nor in the env file")
    outcome = server.try_restart(environment={"APP_NAME": ""})
    expect_failed_start(outcome, ["APP_NAME"], "APP_NAME is set to an empty string")


@pytest.mark.points(8)
def test_missing_file_values(server, environment_state):
    """Missing SUPPORT_EMAIL and API_KEY stop the start with both named"""
    environment_state.changed = True
    outcome = server.try_restart(environment={"ENV_FILE": None})
    expect_failed_start(
        outcome, ["SUPPORT_EMAIL", "API_KEY"],
        "ENV_FILE is unset, and SUPPORT_EMAIL and API_KEY are not in the environment",
    )


@pytest.mark.points(8)
def test_missing_env_file(server, environment_state, env_file):
    """A missing env file stops the start with a message naming it"""
    environment_state.changed = True
    path = f"/tmp/missing-{secrets.token_hex(4)}/app.env"
    environment: dict[str, str | None] = {"ENV_FILE": path}
    environment.update(env_file)
    outcome = server.try_restart(environment=environment)
    expect_failed_start(outcome, [path], f"ENV_FILE names {path}, a file that does not exist")
