"""Grader for error-handling: every error is a JSON body of one shape, and none leaks internals.

The shape is {"error": {"status", "code", "message"}}, with "fields" added for
validation errors. Each check sends fresh random values, and the leak check looks for
stack frames, file paths and the thrown error's message in every error body it gets.
"""

import json
import random
import re
import secrets
from urllib.parse import quote

import pytest

from hubgrade.grading import expect

rng = random.SystemRandom()

TITLES = ("Shopping list", "Meeting notes", "Reading list", "Trip plan", "Recipe ideas", "Bug report", "Gift ideas")
WORDS = ("alpha", "bravo", "delta", "echo", "kilo", "lima", "oscar", "tango", "zulu")
NOTE_FIELDS = ("id", "title", "content")

# Patterns of internals that an error body must not contain: stack frames, file paths and
# Node.js internals. A 404 message may echo the request path, so the file path pattern
# matches only .js files under common system folders.
LEAK_PATTERNS = (
    (re.compile(r"\bat\s+(?:file://)?/[^\s()<>\"']+:\d+:\d+"), "a stack frame"),
    (re.compile(r"\bat\s+[\w.$<>\[\] ]+\s\([^()\s]+:\d+:\d+\)"), "a stack frame"),
    (re.compile(r"file://"), "a file URL"),
    (re.compile(r"node:internal"), "a Node.js internal module name"),
    (re.compile(r"node_modules"), "a node_modules path"),
    (re.compile(r"(?:^|[\s\"'(])/(?:app|home|usr|opt|srv|tmp|var|root)/\S+\.(?:c|m)?js\b"), "a file path on the server"),
)


def random_note() -> dict:
    return {"title": f"{rng.choice(TITLES)} {secrets.token_hex(3)}", "content": f"{rng.choice(WORDS)} {secrets.token_hex(8)}"}


def random_reason() -> str:
    """Return a random text that only the server's thrown error contains."""
    return f"{rng.choice(WORDS)}-{secrets.token_hex(6)}"


def unknown_id() -> str:
    """Return a large random integer, an id that a server is very unlikely to have assigned."""
    return str(rng.randint(900_000_000, 999_999_999))


def note_url(note_id: object) -> str:
    return f"/notes/{quote(str(note_id), safe='')}"


def unknown_path() -> str:
    return f"/{rng.choice(WORDS)}-{secrets.token_hex(4)}/{rng.choice(WORDS)}"


def post_raw(client, path: str, text: str):
    """Send ``text`` as it is, declared as JSON, so that a malformed body reaches the server."""
    return client.post(path, content=text.encode(), headers={"Content-Type": "application/json"})


def expect_error_body(response, status: int, code: str, reason: str) -> dict:
    """Check the status and the error body shape, and return the inner error object.

    ``reason`` explains why the request must fail. It goes into the message when the status is wrong.
    """
    where = f"{response.request.method} {response.request.url.path}"
    if response.status_code != status:
        expect.fail(f"{where}: {reason}, so expected status {status}, got {response.status_code}", response)
    body = expect.json_object(response, "error")
    error = body["error"]
    expect.that(
        isinstance(error, dict),
        f"{where}: expected error to be an object with status, code and message, got {json.dumps(error)}",
        response,
    )
    for field in ("status", "code", "message"):
        expect.that(field in error, f"{where}: the error object has no {field} field", response)
    expect.equal(error["status"], status, "error.status", response)
    expect.equal(error["code"], code, "error.code", response)
    message = error["message"]
    expect.that(
        isinstance(message, str) and message.strip() != "",
        f"error.message: expected a non-empty string, got {json.dumps(message)}",
        response,
    )
    return error


def expect_no_leak(response, secret: str | None = None) -> None:
    """Check that the response is an error whose body shows no stack trace, file path or ``secret``."""
    where = f"{response.request.method} {response.request.url.path}"
    expect.that(
        response.status_code >= 400,
        f"{where}: expected an error status (400 or more) to inspect its body, got {response.status_code}",
        response,
    )
    text = expect.text_body(response)
    for pattern, description in LEAK_PATTERNS:
        found = pattern.search(text)
        if found is not None:
            expect.fail(f"{where}: the error body contains {description}, {found.group(0)[:120]!r}, but must not show internals", response)
    if secret is not None:
        expect.that(
            secret not in text,
            f"{where}: the error body contains the thrown error's message ({secret!r}); "
            "a 500 body must carry a generic message",
            response,
        )


def create_note(client) -> tuple[dict, dict]:
    """Create a note and return what was sent and what came back.

    This checks only what later steps rely on, so a wrong success status costs the
    points of test_create_note alone.
    """
    sent = random_note()
    response = client.post("/notes", json=sent)
    expect.status(response, {200, 201}, f"the body {json.dumps(sent)} is valid")
    note = expect.json_object(response, *NOTE_FIELDS)
    return sent, note


@pytest.mark.points(8)
def test_create_note(client):
    """POST /notes returns 201 and the new note"""
    sent = random_note()
    response = client.post("/notes", json=sent)
    expect.status(response, 201, f"the body {json.dumps(sent)} is valid")
    note = expect.json_object(response, *NOTE_FIELDS)
    expect.equal(note["title"], sent["title"], "title", response)
    expect.equal(note["content"], sent["content"], "content", response)
    note_id = note["id"]
    expect.that(
        (isinstance(note_id, int) and not isinstance(note_id, bool)) or (isinstance(note_id, str) and note_id != ""),
        f"id: expected an integer or a non-empty string, got {note_id!r}",
        response,
    )


@pytest.mark.points(6)
def test_get_note(client):
    """GET /notes/:id returns the note"""
    sent, note = create_note(client)
    response = client.get(note_url(note["id"]))
    expect.status(response, 200)
    found = expect.json_object(response, *NOTE_FIELDS)
    expect.equal(found["id"], note["id"], "id", response)
    expect.equal(found["title"], sent["title"], "title", response)
    expect.equal(found["content"], sent["content"], "content", response)


@pytest.mark.points(12)
def test_unknown_route(client):
    """An unknown route returns 404 with the error body"""
    path = unknown_path()
    requests = (
        ("GET", path),
        ("POST", path),
        ("DELETE", note_url(unknown_id())),
        ("PUT", "/notes"),
    )
    for method, url in requests:
        response = client.request(method, url)
        expect_error_body(response, 404, "not_found", f"no route matches {method} {url}")


@pytest.mark.points(8)
def test_unknown_note(client):
    """GET /notes/:id with an unknown id returns 404 with the error body"""
    note_id = unknown_id()
    expect_error_body(client.get(note_url(note_id)), 404, "not_found", f"no note has the id {note_id}")


@pytest.mark.points(12)
def test_malformed_json(client):
    """A malformed JSON body returns 400 with code invalid_json"""
    title = random_note()["title"]
    bodies = (
        f'{{"title": "{title}", "content": ',
        f"{{'title': '{title}', 'content': 'single quotes'}}",
        f'{{"title": "{title}" "content": "no comma"}}',
        f"title={quote(title)}",
    )
    for text in bodies:
        response = post_raw(client, "/notes", text)
        expect_error_body(response, 400, "invalid_json", f"the body {text!r} is not valid JSON")


@pytest.mark.points(10)
def test_missing_fields(client):
    """Missing or invalid fields return 400 with code validation_failed"""
    note = random_note()
    cases = (
        ({"content": note["content"]}, "the body has no title"),
        ({"title": note["title"]}, "the body has no content"),
        ({}, "the body is an empty object"),
        ({"title": "", "content": note["content"]}, "the title is empty"),
        ({"title": note["title"], "content": None}, "the content is null"),
        ({"title": rng.randint(1, 9999), "content": note["content"]}, "the title is a number, not a string"),
    )
    for body, reason in cases:
        expect_error_body(client.post("/notes", json=body), 400, "validation_failed", reason)


@pytest.mark.points(6)
def test_validation_lists_fields(client):
    """A validation error lists the invalid fields"""
    note = random_note()
    cases = (
        ({}, {"title", "content"}),
        ({"title": note["title"]}, {"content"}),
        ({"title": [note["title"]], "content": note["content"]}, {"title"}),
    )
    for body, invalid in cases:
        response = client.post("/notes", json=body)
        error = expect_error_body(response, 400, "validation_failed", f"the body {json.dumps(body)} has invalid fields")
        expect.that("fields" in error, "the error object has no fields array that names the invalid fields", response)
        fields = error["fields"]
        expect.that(
            isinstance(fields, list) and all(isinstance(field, str) for field in fields),
            f"error.fields: expected an array of field names, got {json.dumps(fields)}",
            response,
        )
        expect.that(
            len(fields) == len(set(fields)) and set(fields) == invalid,
            f"error.fields: expected {json.dumps(sorted(invalid))} in any order, each once, got {json.dumps(fields)}",
            response,
        )


@pytest.mark.points(12)
def test_thrown_error(client):
    """A route that throws returns 500 with the error body"""
    response = client.get("/crash", params={"reason": random_reason()})
    expect_error_body(response, 500, "internal_error", "GET /crash throws an error")


@pytest.mark.points(10)
def test_rejected_async_route(client):
    """An async route that rejects returns 500 with the error body"""
    response = client.get("/crash/async", params={"reason": random_reason()})
    expect_error_body(response, 500, "internal_error", "GET /crash/async rejects with an error")


@pytest.mark.points(10)
def test_no_internals_leaked(client):
    """No error body leaks a stack trace, a file path or an internal message"""
    for path in ("/crash", "/crash/async"):
        reason = random_reason()
        expect_no_leak(client.get(path, params={"reason": reason}), reason)
    expect_no_leak(post_raw(client, "/notes", f'{{"title": "{random_reason()}",'))
    expect_no_leak(client.post("/notes", json={}))
    expect_no_leak(client.get(unknown_path()))
    expect_no_leak(client.get(note_url(unknown_id())))


@pytest.mark.points(6)
def test_errors_logged(client, server_log):
    """The server logs the error behind a 500"""
    for path in ("/crash", "/crash/async"):
        reason = random_reason()
        mark = server_log.mark()
        response = client.get(path, params={"reason": reason})
        expect.status(response, 500, f"GET {path} throws an error")
        output = server_log.wait_for(reason, timeout=2.0, since=mark)
        expect.that(
            output is not None,
            f"GET {path}?reason={reason}: the server's output does not contain the thrown error's message "
            f"(which includes {reason!r}) within 2 s; log the error in the error handler, "
            "for example with console.error(err)",
            response,
        )
