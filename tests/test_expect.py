from __future__ import annotations

import httpx
import pytest

from hubgrade.grading import expect
from hubgrade.grading.expect import CheckFailed


def _response(status: int = 200, content: bytes = b"", content_type: str = "application/json") -> httpx.Response:
    request = httpx.Request("POST", "http://127.0.0.1:41234/todos?x=1", json={"title": "a b"})
    return httpx.Response(status, content=content, headers={"content-type": content_type}, request=request)


def test_status_message_names_both_codes_and_the_request() -> None:
    with pytest.raises(CheckFailed) as caught:
        expect.status(_response(500, b'{"error": "boom"}'), 201, reason="the title is valid")
    message = str(caught.value)
    assert message.startswith("POST /todos: the title is valid, so expected status 201, got 500")
    assert "request: curl -i -X POST -H 'content-type: application/json' --data-raw '{\"title\":\"a b\"}' 'http://localhost:3000/todos?x=1'" in message
    assert "status 500 Internal Server Error" in message
    assert "body: '{\"error\": \"boom\"}'" in message


def test_json_body_rejects_html() -> None:
    with pytest.raises(CheckFailed) as caught:
        expect.json_body(_response(200, b"<html>oops</html>", "text/html"))
    assert "expected a JSON body (Content-Type: application/json), got text/html" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "an empty body"), (b"{nope", "not valid JSON"), (b"[" * 100_000 + b"]" * 100_000, "nested too deeply")],
)
def test_json_body_rejects_empty_and_invalid(content: bytes, problem: str) -> None:
    with pytest.raises(CheckFailed) as caught:
        expect.json_body(_response(200, content))
    assert problem in str(caught.value)


def test_json_object_names_missing_fields() -> None:
    with pytest.raises(CheckFailed) as caught:
        expect.json_object(_response(200, b'{"id": 1}'), "id", "title")
    assert "the JSON object has no title field" in str(caught.value)


@pytest.mark.parametrize(("actual", "expected"), [(0, False), (1, True), (True, 1), ([0], [False]), ({"a": 1}, {"a": True})])
def test_equal_keeps_json_types_apart(actual: object, expected: object) -> None:
    with pytest.raises(CheckFailed):
        expect.equal(actual, expected, "completed")


def test_equal_accepts_equal_numbers() -> None:
    expect.equal(2.0, 2, "result")
    expect.equal({"a": [1, "x"]}, {"a": [1, "x"]}, "body")


def test_long_body_is_cut() -> None:
    with pytest.raises(CheckFailed) as caught:
        expect.fail("too long", _response(200, b"x" * 5000, "text/plain"))
    assert "(4600 more characters)" in str(caught.value)

def test_equal_nested_numbers() -> None:
    expect.equal({"a": [1]}, {"a": [1.0]}, "body")
