"""Grader for user-registration: POST /users stores users in memory, GET /users lists them.

Every check registers the users it needs with fresh random emails, because all checks
share one server and other checks' users may be listed too.
"""

import json
import random
import secrets
import string
from urllib.parse import quote

import pytest

from hubgrade.grading import expect

rng = random.SystemRandom()

FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Linus", "Margaret", "Dennis", "Radia", "Ken")
LAST_NAMES = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Torvalds", "Hamilton", "Ritchie", "Perlman")
DOMAINS = ("example.com", "example.org", "mail.example.net", "school.example.edu")
USER_FIELDS = ("id", "name", "email")
REGISTRATION_FIELDS = ("name", "email", "password")


def random_name() -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def random_email() -> str:
    """Return a new lower-case email address, such as ada.3fa9c1@example.org."""
    return f"{rng.choice(FIRST_NAMES).lower()}.{secrets.token_hex(4)}@{rng.choice(DOMAINS)}"


def random_password() -> str:
    """Return a random password of 12 to 20 letters and digits, valid under the spec."""
    alphabet = string.ascii_letters + string.digits
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(12, 20)))


def new_registration() -> dict:
    return {"name": random_name(), "email": random_email(), "password": random_password()}


def mixed_case(email: str) -> str:
    """Return the email with some letters upper-cased, and at least one changed."""
    letters = [index for index, char in enumerate(email) if char.isalpha()]
    chosen = set(rng.sample(letters, k=max(1, len(letters) // 2)))
    return "".join(char.upper() if index in chosen else char for index, char in enumerate(email))


def unknown_id() -> str:
    """Return a large random integer, an id that a server is very unlikely to have assigned."""
    return str(rng.randint(900_000_000, 999_999_999))


def user_url(user_id: object) -> str:
    return f"/users/{quote(str(user_id), safe='')}"


def expect_valid_id(user: dict, response) -> None:
    user_id = user["id"]
    expect.that(
        (isinstance(user_id, int) and not isinstance(user_id, bool)) or (isinstance(user_id, str) and user_id != ""),
        f"id: expected an integer or a non-empty string, got {user_id!r}",
        response,
    )


def expect_user(response, name: str, email: str, user_id: object = None) -> dict:
    """Check that the body is a user with this name and email, and return it."""
    user = expect.json_object(response, *USER_FIELDS)
    if user_id is not None:
        expect.equal(user["id"], user_id, "id", response)
    expect.equal(user["name"], name, "name", response)
    expect.equal(user["email"], email, "email", response)
    return user


def expect_error(response, status: int, reason: str) -> dict:
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
    return body


def register(client, body: dict) -> dict:
    """Register a user and return it.

    This checks only what later steps rely on, so a wrong success status costs the
    points of test_register_user alone.
    """
    response = client.post("/users", json=body)
    expect.status(response, {200, 201}, f"the body {json.dumps(body)} is valid")
    user = expect.json_object(response, *USER_FIELDS)
    expect_valid_id(user, response)
    return user


def list_users(client) -> tuple[list, object]:
    response = client.get("/users")
    expect.status(response, 200)
    return expect.json_list(response), response


def users_with_email(listed: list, email: str) -> list[dict]:
    """Return the listed users whose email matches, ignoring case."""
    return [
        item for item in listed
        if isinstance(item, dict) and isinstance(item.get("email"), str) and item["email"].lower() == email.lower()
    ]


def password_keys(value: object, path: str = "") -> list[str]:
    """Return the paths of every object key, at any depth, whose name contains "password"."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "password" in str(key).lower():
                found.append(where)
            found += password_keys(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += password_keys(item, f"{path}[{index}]")
    return found


def expect_no_password(response, password: str) -> None:
    """Check that the body neither contains the password nor has a field named like one."""
    where = f"{response.request.method} {response.request.url.path}"
    text = expect.text_body(response)
    expect.that(
        password not in text,
        f"{where}: the response body contains the password {password!r} that was registered",
        response,
    )
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        return
    keys = password_keys(parsed)
    expect.that(not keys, f"{where}: the response body has a password field: {', '.join(keys)}", response)


@pytest.mark.points(12)
def test_register_user(client):
    """POST /users returns 201 and the new user"""
    body = new_registration()
    response = client.post("/users", json=body)
    expect.status(response, 201, f"the body {json.dumps(body)} is valid")
    first = expect_user(response, body["name"], body["email"])
    expect_valid_id(first, response)
    second = register(client, new_registration())
    expect.that(
        first["id"] != second["id"],
        f"id: two registrations both got the id {first['id']!r}, but each user needs its own id",
    )


@pytest.mark.points(10)
def test_password_never_returned(client):
    """No response contains the password"""
    body = new_registration()
    password = body["password"]
    response = client.post("/users", json=body)
    expect.status(response, {200, 201}, f"the body {json.dumps(body)} is valid")
    expect_no_password(response, password)
    user = expect.json_object(response, *USER_FIELDS)

    expect_no_password(client.get(user_url(user["id"])), password)
    expect_no_password(client.get("/users"), password)
    duplicate = {**body, "name": random_name()}
    expect_no_password(client.post("/users", json=duplicate), password)
    invalid = {"name": "", "email": random_email(), "password": password}
    expect_no_password(client.post("/users", json=invalid), password)


@pytest.mark.points(8)
def test_list_users(client):
    """GET /users lists every user in creation order"""
    registrations = [new_registration() for _ in range(3)]
    created = [register(client, body) for body in registrations]
    listed, response = list_users(client)
    positions = []
    for body, user in zip(registrations, created):
        matches = [
            (position, item) for position, item in enumerate(listed)
            if isinstance(item, dict) and "id" in item and str(item["id"]) == str(user["id"])
        ]
        expect.that(matches, f"the list has no user with id {user['id']!r}, registered just before", response)
        position, item = matches[0]
        for field in USER_FIELDS:
            expect.that(field in item, f"the listed user {user['id']!r} has no {field} field", response)
        expect.equal(item["name"], body["name"], f"name of the listed user {user['id']!r}", response)
        expect.equal(item["email"], body["email"], f"email of the listed user {user['id']!r}", response)
        positions.append(position)
    expect.that(
        positions == sorted(positions),
        f"expected the users {[user['id'] for user in created]} in the order they were registered, "
        f"found them at positions {positions} of the list",
        response,
    )


@pytest.mark.points(6)
def test_get_user(client):
    """GET /users/:id returns the user"""
    registrations = [new_registration() for _ in range(2)]
    created = [register(client, body) for body in registrations]
    for body, user in reversed(list(zip(registrations, created))):
        response = client.get(user_url(user["id"]))
        expect.status(response, 200)
        expect_user(response, body["name"], body["email"], user["id"])


@pytest.mark.points(4)
def test_get_unknown_user(client):
    """GET /users/:id with an unknown id returns 404 with an error"""
    user_id = unknown_id()
    expect_error(client.get(user_url(user_id)), 404, f"no user has the id {user_id}")


@pytest.mark.points(10)
def test_missing_field(client):
    """POST /users with a missing field returns 400 with an error"""
    for field in REGISTRATION_FIELDS:
        body = new_registration()
        del body[field]
        expect_error(client.post("/users", json=body), 400, f"the body has no {field}")
    field = rng.choice(REGISTRATION_FIELDS)
    body = {**new_registration(), field: None}
    expect_error(client.post("/users", json=body), 400, f"the {field} is null")
    expect_error(client.post("/users", json={}), 400, "the body is an empty object")


@pytest.mark.points(6)
def test_invalid_name(client):
    """POST /users with an empty or non-string name returns 400 with an error"""
    names = ("", " " * rng.randint(1, 4), rng.randint(1, 9999), True, [random_name()], {"first": random_name()})
    for name in names:
        body = {**new_registration(), "name": name}
        expect_error(client.post("/users", json=body), 400, f"the name {json.dumps(name)} is blank or not a string")


@pytest.mark.points(10)
def test_malformed_email(client):
    """POST /users with a malformed email returns 400 with an error"""
    user = f"{rng.choice(FIRST_NAMES).lower()}{secrets.token_hex(2)}"
    domain = rng.choice(DOMAINS)
    emails = (
        f"{user}.{domain}",
        f"@{domain}",
        f"{user}@",
        f"{user}@{domain.split('.')[0]}",
        f"{user} {secrets.token_hex(2)}@{domain}",
        f"{user}@@{domain}",
        "",
        rng.randint(1, 9999),
    )
    for email in emails:
        body = {**new_registration(), "email": email}
        expect_error(client.post("/users", json=body), 400, f"the email {json.dumps(email)} is malformed")


@pytest.mark.points(8)
def test_invalid_password(client):
    """POST /users with a short or non-string password returns 400 with an error"""
    short = random_password()[: rng.randint(1, 7)]
    passwords = (short, "", rng.randint(10_000_000, 99_999_999), [random_password()])
    for password in passwords:
        body = {**new_registration(), "password": password}
        expect_error(
            client.post("/users", json=body), 400,
            f"the password {json.dumps(password)} is not a string of at least 8 characters",
        )


@pytest.mark.points(6)
def test_error_lists_invalid_fields(client):
    """A 400 response lists every invalid field"""
    valid = new_registration()
    cases = (
        ({}, {"name", "email", "password"}),
        ({"name": valid["name"], "email": f"{secrets.token_hex(3)}.example.com", "password": "short"}, {"email", "password"}),
        ({**valid, "name": ""}, {"name"}),
        ({"email": valid["email"], "password": valid["password"]}, {"name"}),
    )
    for body, invalid in cases:
        response = client.post("/users", json=body)
        error = expect_error(response, 400, f"the body {json.dumps(body)} has invalid fields")
        expect.that("fields" in error, "the 400 body has no fields array that names the invalid fields", response)
        fields = error["fields"]
        expect.that(
            isinstance(fields, list) and all(isinstance(field, str) for field in fields),
            f"fields: expected an array of field names, got {json.dumps(fields)}",
            response,
        )
        expect.that(
            len(fields) == len(set(fields)) and set(fields) == invalid,
            f"fields: expected {json.dumps(sorted(invalid))} in any order, each once, got {json.dumps(fields)}",
            response,
        )


@pytest.mark.points(8)
def test_duplicate_email(client):
    """POST /users with an email already registered returns 409 with an error"""
    body = new_registration()
    register(client, body)
    again = {**body, "name": random_name(), "password": random_password()}
    expect_error(client.post("/users", json=again), 409, f"the email {body['email']} is already registered")


@pytest.mark.points(4)
def test_duplicate_email_ignores_case(client):
    """Emails differing only in case count as duplicates"""
    body = new_registration()
    register(client, body)
    variant = mixed_case(body["email"])
    again = {**new_registration(), "email": variant}
    expect_error(
        client.post("/users", json=again), 409,
        f"the email {variant} differs only in case from {body['email']}, which is already registered",
    )


@pytest.mark.points(4)
def test_email_stored_lower_case(client):
    """POST /users stores the email in lower case"""
    body = new_registration()
    body["email"] = mixed_case(body["email"])
    response = client.post("/users", json=body)
    expect.status(response, {200, 201}, f"the body {json.dumps(body)} is valid")
    user = expect.json_object(response, *USER_FIELDS)
    expect.equal(user["email"], body["email"].lower(), "email", response)
    response = client.get(user_url(user["id"]))
    expect.status(response, 200)
    expect.equal(expect.json_object(response, "email")["email"], body["email"].lower(), "email", response)


@pytest.mark.points(4)
def test_rejected_registration_not_stored(client):
    """A rejected registration creates no user"""
    # The statuses of these two requests have their own checks, so only what is stored counts here.
    invalid = {**new_registration(), "password": "short"}
    client.post("/users", json=invalid)
    original = new_registration()
    register(client, original)
    duplicate = {**new_registration(), "email": original["email"]}
    client.post("/users", json=duplicate)

    listed, response = list_users(client)
    expect.that(
        not users_with_email(listed, invalid["email"]),
        f"GET /users lists a user with the email {invalid['email']}, whose registration was invalid "
        "because its password has fewer than 8 characters",
        response,
    )
    matches = users_with_email(listed, original["email"])
    expect.that(
        len(matches) == 1,
        f"GET /users lists {len(matches)} users with the email {original['email']}, expected 1 "
        "because the second registration used an email already registered",
        response,
    )
    expect.equal(matches[0].get("name"), original["name"], f"name of the user with the email {original['email']}", response)
