"""Grader for request-logger: one line "TIME METHOD URL STATUS" per request, in the server's output.

Each check marks the output before it sends its requests and reads only what came after
the mark, so the lines of other checks and of hubgrade's start-up probe do not count.
Checks run one after another, so the lines after a mark belong to that check's requests.
"""

from __future__ import annotations

import random
import re
import secrets
import time
from datetime import datetime, timezone

import httpx
import pytest

from hubgrade.grading import expect
from hubgrade.grading.curl import excerpt

rng = random.SystemRandom()

NAMES = ("ada", "grace", "linus", "margaret", "alan", "barbara", "dennis", "katherine", "ken", "radia")
WORDS = ("orchid", "copper", "lantern", "meadow", "harbor", "pixel", "summit", "velvet", "cobalt", "willow")
NOTES = ("Buy milk", "Call the dentist", "Water the plants", "Renew passport", "Fix the bike")
# How long the grader waits for a line to appear after the response came back.
LINE_TIMEOUT_SECONDS = 2.0
# How far the logged time may be from the grader's clock.
TIME_TOLERANCE_SECONDS = 2.0
# How long the grader keeps reading for a second line of a request.
DUPLICATE_WAIT_SECONDS = 0.3
# How many lines of output a failure message shows at most.
SHOWN_LINES = 8

# "TIME METHOD URL STATUS": everything before the last three fields is the time.
LOG_LINE = re.compile(r"(?P<time>\S.*) (?P<method>[A-Z]+) (?P<url>/\S*) (?P<status>\d{3})")
ISO_UTC_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def greeting_path() -> str:
    return f"/greet/{rng.choice(NAMES)}-{secrets.token_hex(3)}"


def unknown_path() -> str:
    return f"/{rng.choice(WORDS)}-{secrets.token_hex(3)}/{secrets.token_hex(4)}"


def random_query() -> str:
    return f"lang={rng.choice(('en', 'fr', 'de', 'es'))}&ref={rng.choice(WORDS)}-{secrets.token_hex(3)}"


def random_note() -> str:
    return f"{rng.choice(NOTES)} #{secrets.token_hex(3)}"


def method_and_url(response: httpx.Response) -> tuple[str, str]:
    """Return the request's method and its URL as sent in the request line."""
    request = response.request
    return request.method, request.url.raw_path.decode("ascii")


def show_output(lines: list[str]) -> str:
    """Return the lines for a failure message: the last few, each cut short."""
    if not lines:
        return "the server printed nothing after the request"
    shown = [f"  {excerpt(line, 200)}" for line in lines[-SHOWN_LINES:]]
    skipped = len(lines) - len(shown)
    heading = "the server printed after the request:"
    if skipped:
        heading = f"the server printed after the request ({skipped} earlier lines left out):"
    return "\n".join([heading, *shown])


def clean_lines(text: str) -> list[str]:
    return [line.rstrip("\r") for line in text.splitlines()]


def url_path(url: str) -> str:
    return url.split("?", 1)[0]


def names_path(line: str, path: str) -> bool:
    """Return whether a word of the line is the path, with or without a query string."""
    return any(word == path or word.startswith(f"{path}?") for word in line.split())


def parse_line(line: str) -> re.Match[str] | None:
    return LOG_LINE.fullmatch(line)


def find_log_line(server_log, mark: int, response: httpx.Response) -> str:
    """Return the line logged for the request of ``response``, waiting up to LINE_TIMEOUT_SECONDS.

    Fails the check, with what the server printed, when no line ends in
    "METHOD URL STATUS" with the response's status.
    """
    method, url = method_and_url(response)
    status = response.status_code
    suffix = f" {method} {url} {status}"
    server_log.wait_for(suffix, timeout=LINE_TIMEOUT_SECONDS, since=mark)
    lines = clean_lines(server_log.since(mark))
    for line in lines:
        match = parse_line(line)
        if match and (match["method"], match["url"], match["status"]) == (method, url, str(status)):
            return line

    expected = f"TIME {method} {url} {status}"
    fail_message = f"{method} {url}: expected a log line {expected!r}, but no line ends in {suffix.strip()!r}"
    mentions = [line for line in lines if names_path(line, url_path(url))]
    if mentions:
        shown = "\n".join(f"  {excerpt(line, 200)}" for line in mentions[:SHOWN_LINES])
        fail_message += f"; the lines that name the path are:\n{shown}"
    else:
        fail_message += f"\n{show_output(lines)}"
    raise expect.CheckFailed(fail_message, response)


def expect_logged(server_log, mark: int, response: httpx.Response, status: int, reason: str) -> str:
    """Check the response's status, then that a line logs the request with that status."""
    expect.status(response, status, reason=reason)
    return find_log_line(server_log, mark, response)


@pytest.mark.points(15)
def test_line_layout(client, server_log):
    """A request writes a line with time, method, URL and status"""
    path = greeting_path()
    mark = server_log.mark()
    response = client.get(path)
    expect_logged(server_log, mark, response, 200, "GET /greet/:name greets anyone")


@pytest.mark.points(15)
def test_timestamp(client, server_log):
    """The time is the ISO 8601 UTC time of the request"""
    path = greeting_path()
    mark = server_log.mark()
    sent_at = time.time()
    response = client.get(path)
    received_at = time.time()
    line = expect_logged(server_log, mark, response, 200, "GET /greet/:name greets anyone")

    logged = parse_line(line)["time"]
    expect.that(
        ISO_UTC_TIME.fullmatch(logged) is not None,
        f"GET {path}: the time in the line must have the form YYYY-MM-DDTHH:mm:ss.sssZ "
        f"(new Date().toISOString()), got {logged!r} in the line {line!r}",
        response,
    )
    logged_at = datetime.strptime(logged, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()
    sent_text = datetime.fromtimestamp(sent_at, timezone.utc).isoformat(timespec="milliseconds")
    expect.that(
        sent_at - TIME_TOLERANCE_SECONDS <= logged_at <= received_at + TIME_TOLERANCE_SECONDS,
        f"GET {path}: the logged time {logged} must be the UTC time of the request, which was sent at "
        f"{sent_text.replace('+00:00', 'Z')}; it is {logged_at - sent_at:+.1f} s off, "
        f"more than the {TIME_TOLERANCE_SECONDS:g} s allowed",
        response,
    )


@pytest.mark.points(10)
def test_query_string(client, server_log):
    """The URL in the line keeps the query string"""
    url = f"{greeting_path()}?{random_query()}"
    mark = server_log.mark()
    response = client.get(url)
    expect_logged(server_log, mark, response, 200, "GET /greet/:name greets anyone and ignores the query string")


@pytest.mark.points(10)
def test_created_note(client, server_log):
    """A created note is logged as POST with 201"""
    mark = server_log.mark()
    response = client.post("/notes", json={"text": random_note()})
    expect_logged(server_log, mark, response, 201, "the note has a non-empty text")


@pytest.mark.points(10)
def test_rejected_note(client, server_log):
    """A rejected note and invalid JSON are logged with 400"""
    cases = (
        ({}, "the body has no text"),
        ({"text": ""}, "the text is empty"),
        ({"text": rng.randint(1, 9999)}, "the text is a number, not a string"),
    )
    for body, reason in cases:
        mark = server_log.mark()
        response = client.post("/notes", json=body)
        expect_logged(server_log, mark, response, 400, reason)

    mark = server_log.mark()
    broken = f'{{"text": "{random_note()}"'
    response = client.post("/notes", content=broken, headers={"Content-Type": "application/json"})
    expect_logged(server_log, mark, response, 400, "the body is not valid JSON (express.json() answers 400)")


@pytest.mark.points(12)
def test_unknown_routes(client, server_log):
    """Unknown routes are logged with 404"""
    requests = [("GET", unknown_path()), ("DELETE", greeting_path()), ("PUT", unknown_path())]
    for method, path in requests:
        mark = server_log.mark()
        response = client.request(method, path)
        expect_logged(server_log, mark, response, 404, f"no route handles {method} {path}")


@pytest.mark.points(12)
def test_error_route(client, server_log):
    """A route that throws is logged with 500"""
    mark = server_log.mark()
    response = client.get("/crash")
    expect_logged(server_log, mark, response, 500, "the handler of GET /crash throws an error")


@pytest.mark.points(16)
def test_one_line_per_request(client, server_log):
    """Each request writes exactly one line"""
    urls = [greeting_path(), unknown_path(), f"{greeting_path()}?{random_query()}", unknown_path()]
    rng.shuffle(urls)
    mark = server_log.mark()
    responses = [client.get(url) for url in urls]
    for url in urls:
        # Wait for the first line of each request; the status has its own checks.
        server_log.wait_for(f" {url_path(url)}", timeout=LINE_TIMEOUT_SECONDS, since=mark)
    time.sleep(DUPLICATE_WAIT_SECONDS)

    lines = clean_lines(server_log.since(mark))
    for url, response in zip(urls, responses):
        path = url_path(url)
        matching = [line for line in lines if names_path(line, path)]
        expect.that(
            matching,
            f"GET {url}: expected one line that names the path {path}, found none\n{show_output(lines)}",
            response,
        )
        shown = "\n".join(f"  {excerpt(line, 200)}" for line in matching[:SHOWN_LINES])
        expect.that(
            len(matching) == 1,
            f"GET {url}: expected exactly one line that names the path {path}, found {len(matching)}:\n{shown}",
            response,
        )
