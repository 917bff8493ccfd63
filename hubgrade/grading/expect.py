"""Assertions for graders that fail with a message a learner can act on.

Each helper raises ``CheckFailed`` when its expectation does not hold. The message
names what was expected and what came back, and, when a response is given, the request
as a curl command and the response's status, main headers and a body excerpt.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

import httpx

from hubgrade.grading.curl import as_curl, body_text, describe_response, excerpt


class CheckFailed(AssertionError):
    """A grader's expectation did not hold; ``str()`` is the full learner-facing message."""

    def __init__(self, message: str, response: httpx.Response | None = None, request: httpx.Request | None = None) -> None:
        self.summary = message
        self.response = response
        if request is None and response is not None:
            request = response.request
        self.request = request
        super().__init__(self._render())

    def _render(self) -> str:
        lines = [self.summary]
        if self.request is not None:
            lines.append(f"request: {as_curl(self.request)}")
        if self.response is not None:
            lines.append("response: " + describe_response(self.response).replace("\n", "\n  "))
        return "\n".join(lines)


def fail(message: str, response: httpx.Response | None = None) -> None:
    raise CheckFailed(message, response)


def that(condition: object, message: str, response: httpx.Response | None = None) -> None:
    """Fail with ``message`` unless ``condition`` is true."""
    if not condition:
        raise CheckFailed(message, response)


def status(response: httpx.Response, expected: int | Collection[int], reason: str = "") -> None:
    """Fail unless the status is ``expected``; ``reason`` explains why, as in "the title is empty"."""
    allowed = [expected] if isinstance(expected, int) else sorted(expected)
    if response.status_code in allowed:
        return
    codes = " or ".join(str(code) for code in allowed)
    because = f"{reason}, so " if reason else ""
    raise CheckFailed(
        f"{response.request.method} {response.request.url.path}: {because}expected status {codes}, "
        f"got {response.status_code}",
        response,
    )


def header(response: httpx.Response, name: str, *, contains: str | None = None, equals: str | None = None) -> str:
    """Return the header's value after checking it is present and matches."""
    value: str | None = response.headers.get(name)
    where = f"{response.request.method} {response.request.url.path}"
    if value is None:
        raise CheckFailed(f"{where}: expected a {name} header, but the response has none", response)
    if equals is not None and value != equals:
        raise CheckFailed(f"{where}: expected header {name}: {equals!r}, got {value!r}", response)
    if contains is not None and contains.lower() not in value.lower():
        raise CheckFailed(f"{where}: expected header {name} to contain {contains!r}, got {value!r}", response)
    return value


def json_body(response: httpx.Response) -> Any:
    """Return the parsed JSON body, failing clearly on HTML, text or an empty body."""
    where = f"{response.request.method} {response.request.url.path}"
    content_type = response.headers.get("content-type", "")
    if "json" not in content_type.lower():
        shown = content_type or "no Content-Type"
        raise CheckFailed(f"{where}: expected a JSON body (Content-Type: application/json), got {shown}", response)
    if not response.content:
        raise CheckFailed(f"{where}: expected a JSON body, got an empty body", response)
    try:
        return json.loads(body_text(response))
    except ValueError as exc:
        raise CheckFailed(f"{where}: the body is not valid JSON ({exc})", response) from exc
    except RecursionError as exc:
        raise CheckFailed(f"{where}: the JSON body is nested too deeply to read", response) from exc


def json_object(response: httpx.Response, *required_keys: str) -> dict[str, Any]:
    """Return the body as a JSON object that has every key in ``required_keys``."""
    body = json_body(response)
    where = f"{response.request.method} {response.request.url.path}"
    if not isinstance(body, dict):
        raise CheckFailed(f"{where}: expected a JSON object, got {_json_kind(body)}", response)
    missing = [key for key in required_keys if key not in body]
    if missing:
        raise CheckFailed(f"{where}: the JSON object has no {', '.join(missing)} field", response)
    return body


def json_list(response: httpx.Response) -> list[Any]:
    body = json_body(response)
    if not isinstance(body, list):
        where = f"{response.request.method} {response.request.url.path}"
        raise CheckFailed(f"{where}: expected a JSON array, got {_json_kind(body)}", response)
    return body


def text_body(response: httpx.Response) -> str:
    return body_text(response)


def equal(actual: object, expected: object, what: str, response: httpx.Response | None = None) -> None:
    """Fail unless ``actual == expected`` with the same JSON type; ``what`` names the value.

    ``True`` does not equal ``1`` and ``0`` does not equal ``False`` here, as in JSON.
    """
    if actual == expected and _same_kind(actual, expected):
        return
    raise CheckFailed(f"{what}: expected {_show(expected)}, got {_show(actual)}", response)


def _same_kind(actual: object, expected: object) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool)
    if isinstance(actual, dict) and isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(_same_kind(actual[key], expected[key]) for key in actual)
    if isinstance(actual, list) and isinstance(expected, list):
        return len(actual) == len(expected) and all(map(_same_kind, actual, expected))
    return True


def _show(value: object) -> str:
    return excerpt(json.dumps(value) if isinstance(value, (dict, list)) else repr(value), 200)


def _json_kind(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
