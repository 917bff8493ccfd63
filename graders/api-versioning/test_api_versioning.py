"""Grader for api-versioning: one contact store served as /api/v1 and /api/v2 in two shapes.

v1 shows {"id", "name", "birthday": "MM/DD/YYYY"}. v2 shows {"id", "firstName",
"lastName", "birthDate": "YYYY-MM-DD"} and wraps its list in {"data", "total"}. Every
check creates the contacts it needs, because all checks share one server.
"""

import datetime
import json
import random
import secrets
from urllib.parse import quote

import pytest

from hubgrade.grading import expect

rng = random.SystemRandom()

FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Linus", "Margaret", "Dennis", "Radia", "Ken")
LAST_NAMES = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Torvalds", "Hamilton", "Ritchie", "Perlman")
LAST_NAME_PREFIXES = ("van der", "de la", "King")
V1_FIELDS = ("id", "name", "birthday")
V2_FIELDS = ("id", "firstName", "lastName", "birthDate")


def random_first_name() -> str:
    return f"{rng.choice(FIRST_NAMES)}{secrets.token_hex(2)}"


def random_last_name(words: int = 1) -> str:
    last = f"{rng.choice(LAST_NAMES)}{secrets.token_hex(2)}"
    if words > 1:
        return f"{rng.choice(LAST_NAME_PREFIXES)} {last}"
    return last


def random_date() -> datetime.date:
    """Return a date whose day is 13 or more, so that a swapped day and month shows."""
    return datetime.date(rng.randint(1940, 2010), rng.randint(1, 12), rng.randint(13, 28))


def v1_date(date: datetime.date) -> str:
    return date.strftime("%m/%d/%Y")


def v2_date(date: datetime.date) -> str:
    return date.isoformat()


def unknown_id() -> str:
    """Return a large random integer, an id that a server is very unlikely to have assigned."""
    return str(rng.randint(900_000_000, 999_999_999))


def contact_url(version: str, contact_id: object) -> str:
    return f"/api/{version}/contacts/{quote(str(contact_id), safe='')}"


def expect_valid_id(contact: dict, response) -> None:
    contact_id = contact["id"]
    expect.that(
        (isinstance(contact_id, int) and not isinstance(contact_id, bool))
        or (isinstance(contact_id, str) and contact_id != ""),
        f"id: expected an integer or a non-empty string, got {contact_id!r}",
        response,
    )


def expect_shape(contact: object, expected: dict, subject: str, response) -> None:
    """Check that ``contact`` is an object with the fields of ``expected``, none of the other version's.

    ``expected`` maps each field to its value, or to None when only its presence counts.
    """
    expect.that(isinstance(contact, dict), f"{subject}: expected a JSON object, got {json.dumps(contact)[:200]}", response)
    for field, value in expected.items():
        expect.that(field in contact, f"{subject}: the contact has no {field} field: {json.dumps(contact)[:300]}", response)
        if value is not None:
            expect.equal(contact[field], value, f"{subject}: {field}", response)
    other = V2_FIELDS if "name" in expected else V1_FIELDS
    stray = [field for field in other if field != "id" and field in contact]
    expect.that(
        not stray,
        f"{subject}: the contact has {', '.join(stray)}, which belong to the other version's shape",
        response,
    )


def v1_view(name: str, date: datetime.date, contact_id: object = None) -> dict:
    return {"id": contact_id, "name": name, "birthday": v1_date(date)}


def v2_view(first: str, last: str, date: datetime.date, contact_id: object = None) -> dict:
    return {"id": contact_id, "firstName": first, "lastName": last, "birthDate": v2_date(date)}


def create_v1(client, name: str, date: datetime.date) -> dict:
    """Create a contact through v1 and return it.

    This checks only what later steps rely on, so a wrong success status costs the
    points of test_create_v1 alone.
    """
    body = {"name": name, "birthday": v1_date(date)}
    response = client.post("/api/v1/contacts", json=body)
    expect.status(response, {200, 201}, f"the body {json.dumps(body)} is valid")
    contact = expect.json_object(response, "id")
    expect_valid_id(contact, response)
    return contact


def create_v2(client, first: str, last: str, date: datetime.date) -> dict:
    """Create a contact through v2 and return it, as ``create_v1`` does."""
    body = {"firstName": first, "lastName": last, "birthDate": v2_date(date)}
    response = client.post("/api/v2/contacts", json=body)
    expect.status(response, {200, 201}, f"the body {json.dumps(body)} is valid")
    contact = expect.json_object(response, "id")
    expect_valid_id(contact, response)
    return contact


def expect_error(response, status: int, reason: str) -> None:
    """Check the status and that the body is a JSON object with a non-empty error string.

    ``reason`` explains why the request must fail. It goes into the message when the status is wrong.
    """
    if response.status_code != status:
        where = f"{response.request.method} {response.request.url.path}"
        expect.fail(f"{where}: {reason}, so expected status {status}, got {response.status_code}", response)
    body = expect.json_object(response, "error")
    message = body["error"]
    expect.that(
        isinstance(message, str) and message.strip() != "",
        f"error: expected a non-empty string that explains the problem, got {message!r}",
        response,
    )


def expect_in_order(listed: list, created: list[dict], views: list[dict], response) -> None:
    """Check that every created contact is listed with its expected view, in creation order."""
    positions = []
    for contact, view in zip(created, views):
        matches = [
            position for position, item in enumerate(listed)
            if isinstance(item, dict) and "id" in item and str(item["id"]) == str(contact["id"])
        ]
        expect.that(matches, f"the list has no contact with id {contact['id']!r}, created just before", response)
        expect_shape(listed[matches[0]], {**view, "id": contact["id"]}, f"listed contact {contact['id']!r}", response)
        positions.append(matches[0])
    expect.that(
        positions == sorted(positions),
        f"expected the contacts {[contact['id'] for contact in created]} in the order they were created, "
        f"found them at positions {positions} of the list",
        response,
    )


@pytest.mark.points(10)
def test_create_v1(client):
    """POST /api/v1/contacts returns 201 in the v1 shape"""
    name = f"{random_first_name()} {random_last_name()}"
    date = random_date()
    body = {"name": name, "birthday": v1_date(date)}
    response = client.post("/api/v1/contacts", json=body)
    expect.status(response, 201, f"the body {json.dumps(body)} is valid")
    contact = expect.json_object(response, "id")
    expect_valid_id(contact, response)
    expect_shape(contact, v1_view(name, date, contact["id"]), "the new contact", response)


@pytest.mark.points(10)
def test_create_v2(client):
    """POST /api/v2/contacts returns 201 in the v2 shape"""
    first, last, date = random_first_name(), random_last_name(), random_date()
    body = {"firstName": first, "lastName": last, "birthDate": v2_date(date)}
    response = client.post("/api/v2/contacts", json=body)
    expect.status(response, 201, f"the body {json.dumps(body)} is valid")
    contact = expect.json_object(response, "id")
    expect_valid_id(contact, response)
    expect_shape(contact, v2_view(first, last, date, contact["id"]), "the new contact", response)


@pytest.mark.points(8)
def test_list_v1(client):
    """GET /api/v1/contacts lists contacts as an array"""
    people = [(f"{random_first_name()} {random_last_name()}", random_date()) for _ in range(3)]
    created = [create_v1(client, name, date) for name, date in people]
    response = client.get("/api/v1/contacts")
    expect.status(response, 200)
    listed = expect.json_list(response)
    expect_in_order(listed, created, [v1_view(name, date) for name, date in people], response)


@pytest.mark.points(8)
def test_list_v2(client):
    """GET /api/v2/contacts lists contacts in a data envelope"""
    people = [(random_first_name(), random_last_name(), random_date()) for _ in range(3)]
    created = [create_v2(client, *person) for person in people]
    response = client.get("/api/v2/contacts")
    expect.status(response, 200)
    envelope = expect.json_object(response, "data", "total")
    listed = envelope["data"]
    expect.that(isinstance(listed, list), f"data: expected an array, got {json.dumps(listed)[:200]}", response)
    expect.equal(envelope["total"], len(listed), "total, the number of contacts in data", response)
    expect_in_order(listed, created, [v2_view(*person) for person in people], response)


@pytest.mark.points(8)
def test_get_in_own_version(client):
    """GET /contacts/:id returns the contact in each version's shape"""
    name, date = f"{random_first_name()} {random_last_name()}", random_date()
    contact = create_v1(client, name, date)
    response = client.get(contact_url("v1", contact["id"]))
    expect.status(response, 200)
    expect_shape(expect.json_body(response), v1_view(name, date, contact["id"]), "the contact", response)

    first, last, date = random_first_name(), random_last_name(), random_date()
    contact = create_v2(client, first, last, date)
    response = client.get(contact_url("v2", contact["id"]))
    expect.status(response, 200)
    expect_shape(expect.json_body(response), v2_view(first, last, date, contact["id"]), "the contact", response)


@pytest.mark.points(14)
def test_v1_contact_through_v2(client):
    """A contact created through v1 reads back through v2"""
    cases = (
        (random_first_name(), random_last_name()),
        (random_first_name(), random_last_name(words=2)),
        (random_first_name(), ""),
    )
    for first, last in cases:
        name = f"{first} {last}" if last else first
        date = random_date()
        contact = create_v1(client, name, date)
        response = client.get(contact_url("v2", contact["id"]))
        expect.status(response, 200, f"contact {contact['id']!r} was created through /api/v1")
        expect_shape(
            expect.json_body(response), v2_view(first, last, date, contact["id"]),
            f"the contact created through v1 with the name {name!r}", response,
        )


@pytest.mark.points(14)
def test_v2_contact_through_v1(client):
    """A contact created through v2 reads back through v1"""
    cases = (
        (random_first_name(), random_last_name()),
        (random_first_name(), random_last_name(words=2)),
        (random_first_name(), ""),
    )
    for first, last in cases:
        date = random_date()
        contact = create_v2(client, first, last, date)
        response = client.get(contact_url("v1", contact["id"]))
        expect.status(response, 200, f"contact {contact['id']!r} was created through /api/v2")
        name = f"{first} {last}" if last else first
        expect_shape(
            expect.json_body(response), v1_view(name, date, contact["id"]),
            f"the contact created through v2 with firstName {first!r} and lastName {last!r}", response,
        )


@pytest.mark.points(6)
def test_unknown_contact(client):
    """GET /contacts/:id with an unknown id returns 404 in both versions"""
    contact_id = unknown_id()
    for version in ("v1", "v2"):
        expect_error(client.get(contact_url(version, contact_id)), 404, f"no contact has the id {contact_id}")


@pytest.mark.points(8)
def test_invalid_v1_body(client):
    """POST /api/v1/contacts with invalid fields returns 400"""
    name, date = f"{random_first_name()} {random_last_name()}", random_date()
    cases = (
        ({"birthday": v1_date(date)}, "the body has no name"),
        ({"name": "", "birthday": v1_date(date)}, "the name is empty"),
        ({"name": rng.randint(1, 9999), "birthday": v1_date(date)}, "the name is not a string"),
        ({"name": name}, "the body has no birthday"),
        ({"name": name, "birthday": v2_date(date)}, "the birthday is in the v2 format YYYY-MM-DD, not MM/DD/YYYY"),
        ({"name": name, "birthday": date.strftime("%d/%m/%Y")}, "the birthday has a month greater than 12"),
        ({"name": name, "birthday": f"02/30/{date.year}"}, "February 30 does not exist"),
        ({"name": name, "birthday": date.strftime("%m/%d/%y")}, "the birthday has a two-digit year"),
        ({"name": name, "birthday": f"7/4/{date.year}"}, "the birthday's month and day are not zero-padded"),
        ({"name": name, "birthday": int(date.strftime("%m%d%Y"))}, "the birthday is a number, not a string"),
        ({"firstName": random_first_name(), "lastName": random_last_name(), "birthDate": v2_date(date)},
         "the body is in the v2 shape"),
    )
    for body, reason in cases:
        expect_error(client.post("/api/v1/contacts", json=body), 400, f"{reason} ({json.dumps(body)})")


@pytest.mark.points(8)
def test_invalid_v2_body(client):
    """POST /api/v2/contacts with invalid fields returns 400"""
    first, last, date = random_first_name(), random_last_name(), random_date()
    cases = (
        ({"lastName": last, "birthDate": v2_date(date)}, "the body has no firstName"),
        ({"firstName": "", "lastName": last, "birthDate": v2_date(date)}, "the firstName is empty"),
        ({"firstName": first, "birthDate": v2_date(date)}, "the body has no lastName"),
        ({"firstName": first, "lastName": rng.randint(1, 9999), "birthDate": v2_date(date)}, "the lastName is not a string"),
        ({"firstName": first, "lastName": last}, "the body has no birthDate"),
        ({"firstName": first, "lastName": last, "birthDate": v1_date(date)},
         "the birthDate is in the v1 format MM/DD/YYYY, not YYYY-MM-DD"),
        ({"firstName": first, "lastName": last, "birthDate": f"{date.year}-02-30"}, "February 30 does not exist"),
        ({"firstName": first, "lastName": last, "birthDate": f"{date.year}-13-{date.day:02d}"}, "there is no month 13"),
        ({"name": f"{first} {last}", "birthday": v1_date(date)}, "the body is in the v1 shape"),
    )
    for body, reason in cases:
        expect_error(client.post("/api/v2/contacts", json=body), 400, f"{reason} ({json.dumps(body)})")


@pytest.mark.points(6)
def test_unknown_version(client):
    """An unknown API version returns 404"""
    contact = create_v2(client, random_first_name(), random_last_name(), random_date())
    version = f"v{rng.randint(3, 99)}"
    requests = (
        ("GET", f"/api/{version}/contacts", None),
        ("GET", contact_url(version, contact["id"]), None),
        ("POST", f"/api/{version}/contacts", {"firstName": random_first_name(), "lastName": "", "birthDate": "2000-01-13"}),
        ("GET", "/api/v0/contacts", None),
        ("GET", "/api/contacts", None),
        ("GET", f"/api/latest/contacts/{quote(str(contact['id']), safe='')}", None),
    )
    for method, url, body in requests:
        response = client.request(method, url, json=body)
        expect_error(response, 404, f"{url.split('/')[2]} is not an API version")
