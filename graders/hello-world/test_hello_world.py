"""Grader for hello-world: plain-text greetings on GET / and GET /hello/:name."""

import random
import secrets
from urllib.parse import quote

import pytest

from hubgrade.grading import expect

rng = random.SystemRandom()

FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Linus", "Margaret", "Dennis", "Frances", "Ken")
LAST_NAMES = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Torvalds", "Hamilton", "Ritchie", "Allen")
ACCENTED_NAMES = ("Zoë", "José", "Renée", "Søren", "Łukasz", "Chloé", "Björn")


def random_name() -> str:
    """Return a random name of letters and digits, which a server cannot predict."""
    return f"{rng.choice(FIRST_NAMES)}{secrets.randbelow(9000) + 1000}"


def expect_plain_text(response) -> None:
    expect.header(response, "content-type", contains="text/plain")


@pytest.mark.points(10)
def test_root_status(client):
    """GET / returns status 200"""
    response = client.get("/")
    expect.status(response, 200)


@pytest.mark.points(25)
def test_root_body(client):
    """GET / returns the body "Hello, World!" exactly"""
    response = client.get("/")
    expect.status(response, 200)
    expect.equal(expect.text_body(response), "Hello, World!", "the body", response)


@pytest.mark.points(15)
def test_root_content_type(client):
    """GET / has Content-Type text/plain"""
    response = client.get("/")
    expect.status(response, 200)
    expect_plain_text(response)


@pytest.mark.points(25)
def test_hello_name(client):
    """GET /hello/:name greets the name from the path"""
    for _ in range(3):
        name = random_name()
        response = client.get(f"/hello/{name}")
        expect.status(response, 200)
        expect.equal(expect.text_body(response), f"Hello, {name}!", "the body", response)


@pytest.mark.points(10)
def test_hello_encoded_name(client):
    """GET /hello/:name decodes percent-encoded names"""
    suffix = secrets.randbelow(90) + 10
    names = (
        f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}{suffix}",
        f"{rng.choice(ACCENTED_NAMES)}{suffix}",
    )
    for name in names:
        response = client.get(f"/hello/{quote(name, safe='')}")
        expect.status(response, 200)
        expect.equal(expect.text_body(response), f"Hello, {name}!", "the body", response)


@pytest.mark.points(5)
def test_hello_content_type(client):
    """GET /hello/:name has Content-Type text/plain"""
    response = client.get(f"/hello/{random_name()}")
    expect.status(response, 200)
    expect_plain_text(response)


@pytest.mark.points(10)
def test_unknown_path_404(client):
    """GET on an unknown path returns 404"""
    paths = (
        f"/missing-{secrets.token_hex(4)}",
        f"/hello/{random_name()}/{secrets.token_hex(3)}",
    )
    for path in paths:
        response = client.get(path)
        expect.status(response, 404)
