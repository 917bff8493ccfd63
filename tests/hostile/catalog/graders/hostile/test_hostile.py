"""The grader of the hostile suite: two plain requests, and a report of escape attempts."""

import pytest

from hubgrade.grading import expect


@pytest.mark.points(40)
def test_root(client):
    """GET / returns 200"""
    expect.status(client.get("/"), 200)


@pytest.mark.points(30)
def test_again(client):
    """GET /again returns 200"""
    expect.status(client.get("/again"), 200)


@pytest.mark.points(30)
def test_nothing_escaped(client):
    """The server reached nothing outside its sandbox"""
    response = client.get("/escape")
    if not response.headers.get("content-type", "").startswith("application/json"):
        return  # this server reports no attempts
    escaped = expect.json_list(response)
    expect.that(escaped == [], f"the server reached outside its sandbox: {escaped}", response)
