"""Format HTTP requests and responses for people reading a failed check."""

from __future__ import annotations

import shlex

import httpx

BODY_EXCERPT_CHARS = 400
LEARNER_PORT = 3000
_SHOWN_RESPONSE_HEADERS = ("content-type", "location", "retry-after", "www-authenticate")


def as_curl(request: httpx.Request) -> str:
    """Return a curl command that sends the same request to the learner's own server.

    The grader reached the server through a temporary port; the command names
    ``localhost:3000`` instead, where the learner's ``npm start`` listens by default.
    """
    parts = ["curl", "-i"]
    if request.method != "GET":
        parts += ["-X", request.method]
    for name, value in request.headers.items():
        if name.lower() in ("host", "accept", "accept-encoding", "connection", "user-agent", "content-length"):
            continue
        parts += ["-H", f"{name}: {value}"]
    body = _request_body(request)
    if body:
        parts += ["--data-raw", body]
    parts.append(str(request.url.copy_with(scheme="http", host="localhost", port=LEARNER_PORT)))
    return " ".join(shlex.quote(part) for part in parts)


def excerpt(text: str, limit: int = BODY_EXCERPT_CHARS) -> str:
    """Return at most ``limit`` characters of ``text``, saying how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def describe_response(response: httpx.Response) -> str:
    """Return the status, the headers a learner needs, and a body excerpt, one per line."""
    lines = [f"status {response.status_code} {response.reason_phrase}".rstrip()]
    for name in _SHOWN_RESPONSE_HEADERS:
        if name in response.headers:
            lines.append(f"{name}: {response.headers[name]}")
    lines.append("body: " + (repr(excerpt(body_text(response))) if response.content else "(empty)"))
    return "\n".join(lines)


def body_text(response: httpx.Response) -> str:
    try:
        return response.content.decode(response.encoding or "utf-8", errors="replace")
    except LookupError:
        return response.content.decode("utf-8", errors="replace")


def _request_body(request: httpx.Request) -> str:
    try:
        content = request.content
    except httpx.RequestNotRead:
        return "(streamed body)"
    if not content:
        return ""
    return excerpt(content.decode("utf-8", errors="replace"), 2000)
